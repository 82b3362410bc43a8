// cdp/identity.hpp — identity resolution: identifiers that co-occur in an event are linked into one
// profile (union-find), under per-workspace rules, with merge provenance and exact unmerge.
//
// Semantics (the result never depends on arrival order or on how events were split into batches):
// - Nodes are identifiers "type:value" (anonymous_id, user_id, email, phone, device_id, custom types).
//   Email and phone values are the ingest-normalized forms (lowercase email, E.164 phone).
// - An event with k valid identifiers yields k-1 links: from its highest-priority identifier (the
//   event's *anchor*) to each other one. A pair seen in many events is one link, keyed by its
//   earliest event (ts, then a hash of the event id).
// - Links are applied in key order. A link joining two profiles is a *merge*, unless the joined
//   profile would hold more identifiers of a type than the type's limit: then it is a *conflict*
//   and not made. Blocked values (junk like "undefined", "test@test.com") never become identifiers.
// - Applying links in key order makes the result a function of the set of events. Incrementally:
//   a new link later than every link of the components it touches is applied directly; an earlier
//   (late) one replays only the components it touches.
// - Unmerge removes a link (and blocks that pair from linking again); its component is replayed
//   without it, so the profiles are exactly those the events would give had the link never existed.
// - An event belongs to the profile of its anchor. An event whose identifiers are all blocked has
//   no profile (profile -1, counted as unassigned).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/dedupe.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/memory.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Rules of a workspace's identity graph. Identifier types are the standard ones
/// (kIdentifierFields) plus `custom_types` (event columns holding other ids, e.g. "loyalty_id").
struct IdentityRules {
  /// Priority order; types not listed follow in kIdentifierFields order, then custom types.
  std::vector<std::string> priority = {"user_id", "email", "phone", "device_id", "anonymous_id"};
  /// Most identifiers of a type one profile may hold (0 or absent = no limit).
  std::map<std::string, int, std::less<>> limits = {{"user_id", 1}, {"email", 5}, {"phone", 5}, {"device_id", 10}};
  /// Values that never link, for any type (compared case-insensitively after trimming whitespace).
  std::vector<std::string> blocked_values = {
      "", "null", "undefined", "none", "nil", "nan", "n/a", "na", "unknown", "anonymous", "0", "-1",
      "test@test.com", "test@example.com", "noreply@example.com",
      "00000000-0000-0000-0000-000000000000"};
  /// Blocked identifiers of one type, "type:value" (e.g. "email:info@shop.com").
  std::vector<std::string> blocked_identifiers;
  std::vector<std::string> custom_types;
  /// Longer identifier values are refused (counted as invalid at resolution, an error when given
  /// to link/unmerge/lookups).
  int max_identifier_bytes = 256;
  /// Country for national phone numbers given to Link/Unmerge/lookups.
  std::string default_country = "US";
};

/// Sets one rule by key (the C ABI and Python share these keys):
///   "priority" = comma-separated types;  "limit.<type>" = integer (0 = none);
///   "blocked_values" = comma-separated (replaces the defaults);  "block" = one more blocked value;
///   "blocked_identifiers" = comma-separated type:value;  "custom_types" = comma-separated;
///   "max_identifier_bytes" = integer;  "default_country" = alpha-2.
absl::Status SetIdentityRule(IdentityRules* rules, std::string_view key, std::string_view value);

/// Why a link was made or refused.
enum class LinkRule : uint8_t { kCoOccurrence = 0, kManual = 1 };
enum class LinkStatus : uint8_t {
  kPending = 0,    ///< added, not yet applied
  kMerged = 1,     ///< joined two profiles
  kRedundant = 2,  ///< both ends were already in one profile (the link still holds them together)
  kConflict = 3,   ///< refused: the merged profile would exceed a type's limit
  kRemoved = 4,    ///< removed by Unmerge; the pair never links again
};
std::string_view LinkRuleName(LinkRule r);
std::string_view LinkStatusName(LinkStatus s);

/// One link between two identifiers, with its provenance.
struct IdentityLink {
  int32_t a = -1, b = -1;     ///< nodes; a is the anchor (higher priority) of the first event
  Micros ts = 0;              ///< time of the earliest event with this pair (manual: call time)
  uint64_t event_hash = 0;    ///< StableHash64 of that event's id (orders links at equal ts)
  uint32_t event = UINT32_MAX;  ///< that event's id code in the store's EventIdIndex (manual: none)
  uint8_t sub = 0;            ///< position of b among the event's identifiers
  LinkRule rule = LinkRule::kCoOccurrence;
  LinkStatus status = LinkStatus::kPending;
  int8_t conflict_type = -1;  ///< type whose limit refused the link
  Micros applied_at = 0;      ///< wall clock of the resolution that set the status
};

struct IdentityReport {
  int64_t events = 0;            ///< events resolved
  int64_t events_unassigned = 0; ///< events whose identifiers are all blocked or invalid
  int64_t profiles = 0;
  int64_t identifiers = 0;
  int64_t links = 0;             ///< distinct identifier pairs
  int64_t merges = 0;
  int64_t conflicts = 0;
  int64_t removed = 0;           ///< links removed by unmerge
  int64_t blocked = 0;           ///< identifier occurrences dropped as blocked values
  int64_t invalid = 0;           ///< identifier occurrences dropped as too long
  int64_t replays = 0;           ///< components replayed for late links (cumulative)
  std::map<std::string, int64_t> conflicts_by_type;
  std::map<std::string, int64_t> blocked_by_value;
  double seconds = 0;
};

/// The identity graph. Nodes are (type, value code in the store's dictionary).
class IdentityGraph {
 public:
  static absl::StatusOr<std::unique_ptr<IdentityGraph>> Create(IdentityRules rules,
                                                               std::shared_ptr<StringDictionary> dict);
  const IdentityRules& rules() const { return rules_; }
  /// Identifier type names, by type index (standard ones first, then custom).
  const std::vector<std::string>& types() const { return types_; }
  /// Type indexes in priority order.
  const std::vector<int>& priority() const { return priority_; }

  /// Adds the identifiers and links of rows [begin, end) of `cols` (strings are codes of the
  /// graph's dictionary; `ids` gives event ids). Links stay pending until Resolve(). When
  /// `anchors` is given, anchors[row] receives each row's anchor node (-1: none).
  void AddEvents(const EventColumns& cols, const EventIdIndex& ids, size_t begin, size_t end,
                 int32_t* anchors = nullptr);
  /// Applies pending links (see the header comment). Returns the number of components replayed.
  int64_t Resolve();
  bool has_pending() const { return !pending_.empty(); }

  /// Anchor node of an event row (its highest-priority valid identifier), or -1.
  int32_t Anchor(const EventColumns& cols, size_t row) const;
  /// Column index per type in `cols` (-1 when absent); pass to the fast Anchor overload.
  std::vector<int> TypeColumns(const EventColumns& cols) const;
  int32_t Anchor(const EventColumns& cols, const std::vector<int>& type_columns, size_t row) const;

  /// Root of a node's profile.
  int32_t Find(int32_t node) const;
  int32_t node_count() const { return static_cast<int32_t>(node_type_.size()); }
  int node_type(int32_t node) const { return node_type_[static_cast<size_t>(node)]; }
  std::string_view node_value(int32_t node) const { return dict_->Get(node_value_[static_cast<size_t>(node)]); }
  /// "type:value".
  std::string NodeText(int32_t node) const;
  /// StableHash64 of the node's value: orders identifiers of one type without reading strings.
  uint64_t node_hash(int32_t node) const { return node_hash_[static_cast<size_t>(node)]; }
  /// Priority rank of the node's type (0 = highest).
  int rank(int32_t node) const { return rank_[static_cast<size_t>(node_type_[static_cast<size_t>(node)])]; }

  /// Parses and normalizes "type:value" (email lowercased, phone to E.164). Errors: no ':', unknown
  /// type (with the known ones), empty, too long, malformed email/phone, a blocked value.
  absl::StatusOr<std::pair<int, std::string>> ParseIdentifier(std::string_view text) const;
  /// Node of "type:value", or NotFound.
  absl::StatusOr<int32_t> Lookup(std::string_view text) const;

  /// Links two identifiers by hand (rule kManual, at time `ts`); creates nodes as needed. Pending
  /// until Resolve(). Errors as ParseIdentifier, or both are the same identifier.
  absl::Status Link(std::string_view a, std::string_view b, Micros ts);
  /// Removes the link between `a` and `b` (both "type:value"), or every link of `a` when `b` is
  /// empty, and replays the component. NotFound when there is no such link or it was refused.
  /// Returns the links removed; `removed` (optional) receives their ends as "type:value" pairs.
  absl::StatusOr<int64_t> Unmerge(std::string_view a, std::string_view b,
                                  std::vector<std::pair<std::string, std::string>>* removed = nullptr);
  /// Marks the link a-b removed whatever its status (replay of a recorded unmerge; NotFound when
  /// the pair never occurred).
  absl::Status RemoveLink(std::string_view a, std::string_view b);
  /// Restores when a link got its status (reopening a file); ignored when the status differs.
  void RestoreAppliedAt(std::string_view a, std::string_view b, LinkStatus status, Micros applied_at);
  /// Links whose status changed since the last call; clears the list.
  std::vector<int32_t> TakeStatusChanged() { return std::exchange(status_changed_, {}); }

  const Vec<IdentityLink>& links() const { return links_; }
  /// Events in which link e's pair occurred.
  int64_t link_events(int32_t e) const;
  /// Nodes whose profile changed (merged or replayed) since the last call; clears the list.
  std::vector<int32_t> TakeChanged() { return std::exchange(changed_, {}); }
  /// Fills the graph-wide counts of a report (profiles are counted by the caller).
  void FillReport(IdentityReport* report) const;
  size_t MemoryBytes() const;

 private:
  IdentityGraph() = default;
  int32_t NodeFor(int type, int32_t code);     // creates; -1 when blocked/invalid
  int32_t NodeIfKnown(int type, int32_t code) const;
  bool IsBlocked(int type, std::string_view value);
  std::string fold_;  // scratch of IsBlocked
  uint64_t blocked_lengths_ = 0;  // bit L: some blocked value has L bytes (L < 64)
  int32_t RawFind(int32_t node);
  void AddLink(int32_t a, int32_t b, Micros ts, uint64_t event_hash, uint32_t event, uint8_t sub, LinkRule rule);
  bool KeyLess(int32_t e, int32_t f) const;
  template <typename V>
  void SortByKey(V* links) const;
  void Apply(int32_t e, Micros now);
  void Replay(std::vector<int32_t> raw_roots, Micros now);

  IdentityRules rules_;
  std::shared_ptr<StringDictionary> dict_;
  std::vector<std::string> types_;
  std::vector<int> priority_;        // type indexes, priority order
  std::vector<int> rank_;            // type index -> rank
  std::vector<int> limit_;           // type index -> limit (0 none)
  std::vector<int> limited_;         // type index -> slot in counts_ (-1 unlimited)
  int n_limited_ = 0;
  absl::flat_hash_map<std::string, int> blocked_values_;  // folded value -> 1; "type:value" -> 1

  // Nodes.
  std::vector<Vec<int32_t>> node_of_;  // type -> dict code -> node (-1 unseen, -2 blocked, -3 invalid)
  Vec<uint8_t> node_type_;
  Vec<int32_t> node_value_;
  Vec<uint64_t> node_hash_;
  // Resolved union-find (with limits).
  mutable Vec<int32_t> parent_;
  Vec<int32_t> size_;
  Vec<uint16_t> counts_;               // root * n_limited_ + slot
  // Raw union-find over every link ever made (the scope of a replay), and the latest link applied.
  Vec<int32_t> raw_parent_;
  int32_t applied_max_ = -1;

  Vec<IdentityLink> links_;
  // (min node << 32 | max node) -> link, with the pair's event count and earliest time, so a
  // repeated pair (most of them) touches only its map slot.
  struct PairSlot {
    int32_t link;
    int32_t events;
    Micros ts;
  };
  absl::flat_hash_map<uint64_t, PairSlot, absl::Hash<uint64_t>, std::equal_to<uint64_t>,
                      HugePageAllocator<std::pair<const uint64_t, PairSlot>>>
      pair_;  // huge pages: prefetches of random slots are not dropped on TLB misses
  Vec<int32_t> pending_;
  std::vector<int32_t> changed_;
  std::vector<int32_t> status_changed_;
  absl::StatusOr<int32_t> LinkBetween(std::string_view a, std::string_view b) const;
  int64_t blocked_ = 0, invalid_ = 0, replays_ = 0;
  absl::flat_hash_map<int32_t, int64_t> blocked_by_code_;
};

}  // namespace cdp
