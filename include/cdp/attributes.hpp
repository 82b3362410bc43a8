// cdp/attributes.hpp — profile attributes: every write kept (history), last write by time wins.
//
// Writes come from events: every non-null `traits.<name>` cell writes attribute <name> (the Segment
// identify convention; NDJSON {"traits": {"plan": "pro"}} flattens to traits.plan). CRM imports
// arrive as identify events whose columns become traits.* (Workspace::ImportProfiles). A write's
// source is the event's `attribute_source` value when set (imports set it, e.g. "crm"), else
// "event:<type>". A write belongs to the event's anchor identifier, so attributes follow
// identifiers through merges and unmerges. The current value of an attribute is its write with the latest (ts, event-id hash); the
// result does not depend on arrival order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cdp/column.hpp"
#include "cdp/dedupe.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/identity.hpp"
#include "cdp/profiles.hpp"
#include "cdp/table.hpp"

namespace cdp {

struct AttributeWrite {
  int32_t node = -1;       ///< identifier node the write belongs to
  int32_t name = -1;       ///< attribute name (dictionary code)
  ColumnType type = ColumnType::kString;
  int32_t str = kNullCode; ///< kString value
  int64_t i64 = 0;         ///< kInt64 value, kBool as 0/1
  double f64 = 0;          ///< kDouble value
  Micros ts = 0;
  uint64_t event_hash = 0;
  uint32_t event = UINT32_MAX;  ///< event id code (EventIdIndex)
  int32_t source = kNullCode;   ///< "crm", "event:identify", ... (dictionary code)
};

class AttributeLog {
 public:
  /// Adds the writes of rows [begin, end); anchors[row] is the row's anchor identifier node
  /// (IdentityGraph::AddEvents). Events without a valid identifier write nothing.
  void AddEvents(const EventColumns& cols, const EventIdIndex& ids, const Vec<int32_t>& anchors,
                 StringDictionary& dict, size_t begin, size_t end);
  /// Groups writes by profile (call after each resolution).
  void Index(const ProfileIndex& profiles, const StringDictionary& dict);

  /// Current attributes of a profile: (name, write) with the latest write of each name.
  std::vector<const AttributeWrite*> Current(int32_t profile) const;
  /// Every write of a profile (optionally one attribute), ordered by (name text, ts, event hash).
  std::vector<const AttributeWrite*> History(int32_t profile, int32_t name = kNullCode) const;
  /// Attribute names (in first-seen order) and the widest type of each.
  const std::vector<int32_t>& names() const { return names_; }
  ColumnType type_of(size_t name_index) const { return types_[name_index]; }
  size_t size() const { return writes_.size(); }
  const std::vector<AttributeWrite>& writes() const { return writes_; }
  /// Appends one attribute column per name, in name order, to `t` (current value per profile 0..n-1).
  /// A name already in `t` or in `reserved` gets the prefix "attr."; with `only`, just the columns
  /// named there (by their final name).
  void AddColumns(Table* t, const StringDictionary& dict, int32_t profiles,
                  const std::vector<std::string>* only = nullptr, const std::vector<std::string>& reserved = {}) const;
  /// Cell text of a write's value.
  std::string ValueText(const AttributeWrite& w, const StringDictionary& dict) const;
  void Clear();

 private:
  std::vector<AttributeWrite> writes_;
  std::vector<int32_t> names_;
  std::vector<ColumnType> types_;
  std::vector<int64_t> begin_;     // profile -> first index in order_
  std::vector<uint32_t> order_;    // write indexes by (profile, name, ts, hash)
};

}  // namespace cdp
