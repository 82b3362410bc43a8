// cdp/profiles.hpp — dense profiles over a resolved identity graph: ids, members, activity.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cdp/dedupe.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/identity.hpp"
#include "cdp/memory.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Built-in columns of the profiles table (names traits and attributes may not take).
inline constexpr std::string_view kProfileBuiltins[] = {"profile",   "key",      "events",    "first_seen",
                                                        "last_seen", "sessions", "returning", "identifiers"};

/// Profiles of a resolved graph. Ids are dense, 0..size()-1, ordered by each profile's first event
/// (ts, then event id), then profiles without events by canonical identifier. The order is a function
/// of the events and rules only (not of arrival order); ids are renumbered by each resolution, so
/// hold on to a profile's canonical identifier ("user_id:42"), not its id.
class ProfileIndex {
 public:
  /// Assigns ids and writes each row's profile into `row_profile` (-1: the row's identifiers are
  /// all blocked or invalid). `graph` must be resolved; `anchors` holds each row's anchor node.
  static ProfileIndex Build(const IdentityGraph& graph, const EventColumns& cols, const EventIdIndex& ids,
                            const Vec<int32_t>& anchors, Vec<int32_t>* row_profile);

  int32_t size() const { return static_cast<int32_t>(key_node_.size()); }
  /// Profile of an identifier node.
  int32_t OfNode(int32_t node) const { return node_profile_[static_cast<size_t>(node)]; }
  /// Canonical identifier: the member of highest priority; among several of that type, the one
  /// with the smallest value hash (StableHash64), so it does not depend on arrival order.
  int32_t key_node(int32_t p) const { return key_node_[static_cast<size_t>(p)]; }
  /// Members in (priority, value hash) order.
  std::span<const int32_t> nodes(int32_t p) const {
    return {members_.data() + member_begin_[static_cast<size_t>(p)],
            static_cast<size_t>(member_begin_[static_cast<size_t>(p) + 1] - member_begin_[static_cast<size_t>(p)])};
  }

  /// Per-profile activity from the store sorted by (profile, ts): rows, first/last seen and
  /// sessions (a gap longer than `session_gap` starts a new one). A profile is *returning* when it
  /// has more than one session.
  void ComputeActivity(const EventColumns& sorted, Micros session_gap);
  struct Activity {
    int64_t row_begin = 0, row_end = 0;  ///< rows of the sorted store
    Micros first_seen = 0, last_seen = 0;
    int32_t sessions = 0;
    int64_t events() const { return row_end - row_begin; }
    bool returning() const { return sessions > 1; }
  };
  const Activity& activity(int32_t p) const { return activity_[static_cast<size_t>(p)]; }
  int64_t unassigned_events() const { return unassigned_; }

 private:
  std::vector<int32_t> node_profile_;
  std::vector<int32_t> key_node_;
  std::vector<int64_t> member_begin_;
  std::vector<int32_t> members_;
  std::vector<Activity> activity_;
  int64_t unassigned_ = 0;
};

}  // namespace cdp
