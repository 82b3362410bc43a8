// cdp/event_store.hpp — the columnar event log: struct of arrays sorted by (profile key, ts).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cdp/column.hpp"
#include "cdp/dedupe.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// The rows of a store that survive an erasure, with dictionaries that hold only their strings
/// (CompactEvents), ready to replace the store's content (EventStore::Install).
struct CompactedEvents {
  /// Kept rows in arrival order; `profile` holds provisional keys (codes of `keys`), `arrival` is
  /// renumbered 0..n-1. Columns only the dropped rows had values in are gone.
  EventColumns cols;
  std::unique_ptr<StringDictionary> dict = std::make_unique<StringDictionary>();
  std::unique_ptr<StringDictionary> keys = std::make_unique<StringDictionary>();
  EventIdIndex ids;
  int64_t rows_removed = 0;
  int64_t strings_removed = 0;  ///< strings of the old dictionary no kept row uses
};

/// The event log. Appends go to a delta run; Merge() sorts the delta by (profile, ts, type,
/// event_id) and merges it into the main run, so the order never depends on arrival order.
class EventStore {
 public:
  EventStore();

  StringDictionary& dict() { return *dict_; }
  const StringDictionary& dict() const { return *dict_; }
  std::shared_ptr<StringDictionary> shared_dict() const { return dict_; }
  /// Provisional profile keys ("user_id:42", "anonymous_id:c1f..."), one per distinct primary id.
  StringDictionary& keys() { return keys_; }
  const StringDictionary& keys() const { return keys_; }
  EventIdIndex& ids() { return ids_; }
  const EventIdIndex& ids() const { return ids_; }

  /// Appends a batch (its strings must be codes of dict()); rows land in the delta run. A column
  /// whose type differs from the store's is widened: int64+double -> double, else -> string.
  void Append(EventColumns& batch);
  void Append(EventColumns&& batch) { Append(batch); }
  /// Reserves room for `rows` more events (avoids regrowth copies during a large ingest).
  void Reserve(size_t rows);
  /// Drops rows from `rows` on (undo of a failed ingest call); `rows` must not cut the sorted run.
  void Truncate(size_t rows);
  /// Sorts and merges the delta run. Cheap when there is no delta.
  void Merge();
  /// Replaces every row's profile (identity resolution: dense profile ids, -1 = none). All rows
  /// become unsorted: the next Merge() sorts them by (profile, ts, event_id), profile-less last.
  void AssignProfiles(Vec<int32_t> profile);
  /// AssignProfiles then Merge.
  void SetProfiles(Vec<int32_t> profile);
  /// Per-row anchor identifier node (identity layer), moved with the rows; -1 until assigned.
  Vec<int32_t>& anchors() { return anchor_; }
  const Vec<int32_t>& anchors() const { return anchor_; }
  /// True when the profile column holds resolved profile ids for the sorted rows (rows appended
  /// since hold provisional keys until the next resolution).
  bool profiles_resolved() const { return profiles_resolved_; }
  bool has_delta() const { return sorted_rows_ < cols_.size(); }
  size_t size() const { return cols_.size(); }
  /// All rows; call Merge() first for the sorted view.
  const EventColumns& columns() const { return cols_; }
  std::string_view event_id(size_t row) const { return ids_.Get(cols_.arrival[row]); }

  /// Replaces every row and dictionary with `c` (erasure). The old strings and event ids are
  /// overwritten with zeros; the dictionary objects stay the same (pointers to them stay valid,
  /// codes do not). Rows are unsorted and unresolved, as after loading a file.
  void Install(CompactedEvents&& c);

  /// Splits the sorted rows into at most `parts` ranges of whole profiles of similar size.
  std::vector<RowRange> PartitionByProfile(int parts) const;
  /// Bytes held by the core columns (ts, type, profile, revenue, arrival) and by everything.
  size_t CoreMemoryBytes() const;
  size_t MemoryBytes() const;

 private:
  std::shared_ptr<StringDictionary> dict_;
  StringDictionary keys_;
  EventIdIndex ids_;
  EventColumns cols_;
  size_t sorted_rows_ = 0;
  bool profiles_resolved_ = false;
  Vec<int32_t> anchor_;
  void SortAll();
  /// Reorders every row: new row k = old row perm[k].
  void Permute(const std::vector<uint32_t>& perm);
};

/// The rows with keep[row] != 0 (keep has one entry per row), re-encoded for Install: strings
/// re-interned in their old code order, event ids renumbered in arrival order, and each row's
/// provisional profile key recomputed (its first identifier in kIdentifierFields order).
CompactedEvents CompactEvents(const EventStore& store, const std::vector<uint8_t>& keep);

/// Per-partition summary, a kernel whose partial results merge (the pattern every kernel follows).
struct EventSummary {
  int64_t events = 0;
  int64_t profiles = 0;
  double revenue = 0;
  Micros first_ts = INT64_MAX;
  Micros last_ts = INT64_MIN;
  absl::flat_hash_map<int32_t, int64_t> by_type;  ///< type code -> events
  void Merge(const EventSummary& other);
};
EventSummary SummarizeEvents(const EventStore& store, RowRange range);

}  // namespace cdp
