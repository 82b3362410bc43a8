// cdp/segments.hpp — segments: named expressions over profiles, set operations, RFM.
//
// A segment is an expression of the query language (cdp/query.hpp) with a name and an optional
// purpose (marketing, analytics, ...). Members are profile ids, sorted ascending.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

struct SegmentSpec {
  std::string name;
  std::string expression;
  /// The use the members are for ("marketing", "analytics", ...; empty: none). A segment with a
  /// purpose only ever holds profiles that may be used for it (the privacy layer's consent check).
  std::string purpose;
  std::string description;
  /// Membership is kept current as events are pushed and the clock advances (Workspace::
  /// SetSegmentListener receives every entry and exit).
  bool realtime = false;
  /// Why this targeting segment may use sensitive attributes (cdp/privacy.hpp); empty: it may not.
  /// Recorded in the audit log as an "override".
  std::string sensitive_justification;
};

/// A member entering or leaving a real-time segment.
struct SegmentChange {
  std::string segment;
  std::string key;      ///< the profile's canonical identifier ("user_id:42")
  int32_t profile = -1; ///< profile id at the time of the change
  bool entered = false; ///< false: exited
  Micros ts = 0;        ///< the workspace clock when it happened (an expiry: its exact time)
};

/// Members of a segment at one evaluation.
struct SegmentResult {
  std::string name;
  std::vector<int32_t> members;       ///< profile ids, ascending
  int32_t population = 0;             ///< profiles evaluated
  int64_t excluded = 0;               ///< matched but removed for the purpose (no consent)
  Micros clock = 0;                   ///< the time windows ended at
  std::vector<std::string> warnings;  ///< from compilation (e.g. an event type no event has)
};

// Set operations on ascending member lists.
std::vector<int32_t> SegmentUnion(const std::vector<int32_t>& a, const std::vector<int32_t>& b);
std::vector<int32_t> SegmentIntersection(const std::vector<int32_t>& a, const std::vector<int32_t>& b);
std::vector<int32_t> SegmentDifference(const std::vector<int32_t>& a, const std::vector<int32_t>& b);
/// |a ∩ b| / |a ∪ b| (1 when both are empty).
double Jaccard(const std::vector<int32_t>& a, const std::vector<int32_t>& b);
/// Overlap of every pair: segment_a, segment_b, size_a, size_b, both, jaccard, share_of_a (both /
/// size_a).
Table OverlapTable(const std::vector<SegmentResult>& segments);

// ---------------------------------------------------------------------------------------------
// RFM

struct RfmOptions {
  std::vector<std::string> purchase_types = {"purchase"};
  /// Frequency counts distinct values of this event column (orders); events without a value
  /// count one each. When the column does not exist, every purchase event is one order.
  std::string order_field = "order_id";
  /// Recency is measured back from here, in whole days (floor). Default (INT64_MIN): midnight UTC
  /// after the latest purchase (the "day after the last invoice" convention).
  Micros reference = INT64_MIN;
  int bins = 5;  ///< scores 1..bins
};

/// One row per profile with at least one purchase.
///
/// Scores (tie rule): a value's score depends only on how many customers are strictly worse, so
/// equal values always score the same: score = 1 + floor(bins * worse / n), where worse counts
/// customers with a strictly larger recency (for r) or a strictly smaller frequency / monetary
/// (for f, m). With distinct values this gives equal-count quintiles; ties never straddle a
/// boundary (they get the lower score of the bins they span).
///
/// Named segments use r and fm = round-half-up((f + m) / 2) on this map (rows r, columns fm):
///   r\fm   1               2               3               4                5
///   5      New             Potential loyalist Potential loyalist Champions   Champions
///   4      Promising       Potential loyalist Potential loyalist Loyal       Champions
///   3      About to sleep  Need attention  Need attention  Loyal            Loyal
///   2      Hibernating     Hibernating     At risk         At risk          Can't lose them
///   1      Lost            Lost            At risk         Can't lose them  Can't lose them
struct RfmResult {
  std::vector<int32_t> profile;
  std::vector<double> recency;     ///< whole days from the last purchase to the reference
  std::vector<int64_t> frequency;  ///< orders
  std::vector<double> monetary;    ///< revenue of the purchases (NaN revenue counts 0)
  std::vector<int8_t> r, f, m;
  std::vector<std::string_view> segment;
  Micros reference = 0;
};
/// The named segment of scores (r, f, m) on the map above (bins = 5).
std::string_view RfmSegmentName(int r, int f, int m);
/// Every segment name of the map, best first.
const std::vector<std::string_view>& RfmSegmentNames();

/// RFM over events sorted by (profile, ts): profile p's events are rows [event_begin[p],
/// event_begin[p + 1]). Errors: bins outside 2..100, no purchase type given.
absl::StatusOr<RfmResult> ComputeRfm(const EventColumns& sorted, const StringDictionary& dict,
                                     const int64_t* event_begin, int32_t profiles, const RfmOptions& options);
/// Scores 1..bins by the tie rule above; `higher_is_better` false for recency.
std::vector<int8_t> RankScores(const std::vector<double>& values, int bins, bool higher_is_better);

}  // namespace cdp
