// cdp/traits.hpp — computed traits: one value per profile from its events ("revenue of purchases in
// the last 90 days"), kept up to date incrementally.
//
// A trait aggregates one field over a profile's events that pass a filter (event types, equality
// conditions) and a window. Windows end at the workspace clock, the latest event time of the
// workspace, so values depend on the data only: (clock - window, clock]. After each identity
// resolution only profiles that changed are recomputed (new events, merged or split); windowed
// traits are recomputed for every profile when the clock moves. The values always equal a full
// recomputation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/column.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/profiles.hpp"
#include "cdp/table.hpp"

namespace cdp {

enum class TraitAgg { kCount, kSum, kAvg, kMin, kMax, kFirst, kLast, kMostFrequent, kDistinctCount };
/// "count", "sum", "avg" (or "mean"), "min", "max", "first", "last", "most_frequent" (or "mode"),
/// "distinct_count" (or "nunique").
absl::StatusOr<TraitAgg> ParseTraitAgg(std::string_view name);
std::string_view TraitAggName(TraitAgg agg);

struct TraitSpec {
  std::string name;
  TraitAgg agg = TraitAgg::kCount;
  /// Field aggregated: "revenue", "ts", "type" or a property column. Optional for count (then events are
  /// counted; with a field, non-null values). Required otherwise.
  std::string field;
  std::vector<std::string> event_types;                     ///< empty = every type
  std::vector<std::pair<std::string, std::string>> where;   ///< column == value (as text)
  Micros window = 0;                                        ///< 0 = all time
};

/// Result types: count, distinct_count -> int64 (0 when nothing matches); sum -> double (0 when
/// nothing matches); avg, min, max -> double (null when nothing matches); first, last,
/// most_frequent -> the field's type (null when nothing matches). most_frequent breaks ties by the
/// smallest value; first/last follow (ts, event id).
class TraitSet {
 public:
  /// Validates and adds a trait (name unique, not empty; agg needs a field; numeric aggs need a
  /// numeric field when the column exists). Values are computed at the next Refresh.
  absl::Status Define(TraitSpec spec, const EventColumns& cols);
  absl::Status Drop(std::string_view name);
  const std::vector<TraitSpec>& specs() const { return specs_; }
  bool empty() const { return specs_.empty(); }

  /// Recomputes values for profiles marked in `dirty` (indexed by profile id) or all when
  /// `all` is set; other profiles keep their value from the previous refresh, found by their
  /// canonical key node. `sorted` is the store sorted by (profile, ts).
  void Refresh(const EventColumns& sorted, const StringDictionary& dict, const ProfileIndex& profiles,
               const std::vector<uint8_t>& dirty, bool all);
  /// Values of trait `i` per profile (strings are codes of the store's dictionary).
  const Column& values(size_t i) const { return values_[i]; }
  /// Latest event time seen at the last refresh (the end of every window).
  Micros clock() const { return clock_; }
  /// Profiles recomputed by the last refresh (per trait, summed).
  int64_t last_recomputed() const { return last_recomputed_; }
  /// Appends one column per trait to `t` (strings re-interned into t's dictionary); with `only`,
  /// just the traits named there.
  void AddColumns(Table* t, const StringDictionary& dict, const std::vector<std::string>* only = nullptr) const;

 private:
  void Compute(size_t i, const EventColumns& sorted, const StringDictionary& dict, const ProfileIndex& profiles,
               int32_t p, Column* out) const;
  std::vector<TraitSpec> specs_;
  std::vector<Column> values_;
  std::vector<int32_t> key_nodes_;  // canonical key node per profile at the last refresh
  std::vector<bool> fresh_;         // trait defined since the last refresh
  Micros clock_ = INT64_MIN;
  int64_t last_recomputed_ = 0;
};

}  // namespace cdp
