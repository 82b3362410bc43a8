// cdp/journeys.hpp — journeys over the event log sorted by (profile, ts): sessions, funnels,
// paths, stages and heatmaps. Every kernel is a pure function of a range of whole profiles and
// returns a partial result; partials of disjoint ranges merge (Merge) into the result for all of
// them, so the same kernels run on threads here and on partitions elsewhere.
//
// The data view is QueryData (cdp/query.hpp): events sorted by (profile, ts), profile p's events
// at rows [event_begin[p], event_begin[p + 1]). docs/journeys.md has the semantics of every option
// and how each maps to the named behaviours of PostHog and Mixpanel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/attribution.hpp"
#include "cdp/query.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

// --- Sessions ----------------------------------------------------------------------------------

/// How events become sessions.
struct SessionOptions {
  /// A gap longer than this between two events of a profile starts a new session (a gap of
  /// exactly `gap` stays in the session).
  Micros gap = Minutes(30);
  /// Also start a new session when the local calendar day changes in `time_zone`.
  bool split_at_midnight = false;
  std::string time_zone = "UTC";  ///< "UTC", "+02:00" or an IANA name
  /// Also start a new session when an event brings a campaign (utm_campaign in the url, or the
  /// utm_campaign / campaign column) different from the session's.
  bool split_on_campaign = false;
  /// Event types that are not the person's own actions and never make or extend a session.
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};
  std::string page_view_type = "page_view";
};

/// Per-session facts a kernel produces for a range of profiles (event rows point into the store).
struct SessionRows {
  std::vector<int32_t> profile;
  std::vector<int32_t> number;          ///< 1, 2, ... within the profile
  std::vector<Micros> start, end;
  std::vector<int32_t> events, page_views;
  std::vector<int64_t> first_row;       ///< the session's first event
  std::vector<int64_t> first_page_row;  ///< first page view (-1: none)
  std::vector<int64_t> last_page_row;   ///< last page view (-1: none)
  /// The event naming the traffic source: the first with utm columns, a url with utm_ parameters
  /// or a referrer, else the first with a channel (-1: direct).
  std::vector<int64_t> source_row;
  size_t size() const { return profile.size(); }
  void Append(const SessionRows& other);
};

/// Sessions of profiles [begin, end). `data.events` must hold the columns the options name.
absl::StatusOr<SessionRows> Sessionize(const QueryData& data, int32_t begin, int32_t end, const SessionOptions& options);

/// Totals of the sessions of a range of profiles (no per-session rows); Merge adds ranges.
struct SessionSummary {
  int64_t sessions = 0, events = 0, page_views = 0, bounces = 0, profiles = 0;
  Micros duration_total = 0;  ///< sum of end - start
  void Merge(SessionSummary&& other);
};
absl::StatusOr<SessionSummary> SummarizeSessions(const QueryData& data, int32_t begin, int32_t end, const SessionOptions& options);

/// Traffic source of a session, from (in this order) utm_source/utm_medium/utm_campaign columns,
/// the utm_ parameters of the url, the referrer column (search engines give medium "organic",
/// other hosts "referral"), then the channel/campaign columns; otherwise ("(direct)", "(none)").
struct TrafficSource {
  std::string source, medium, campaign, channel;
};

/// The session table: profile, session, start, end, duration_s, events, page_views, bounce
/// (at most one page view), landing_page (first page view's url), entry_page and exit_page (url
/// paths of the first and last page views), source, medium, campaign, channel, device.
Table SessionTable(const QueryData& data, const SessionRows& rows);

// --- Funnels -----------------------------------------------------------------------------------

/// One step: an event type and an optional condition on the event (query language, event scope:
/// `revenue > 50 and channel = 'email'`).
struct FunnelStep {
  std::string event;
  std::string where;
  std::string label;  ///< shown in results (default: the event, with the condition)
};

/// An event that must not happen between two steps of an attempt.
struct FunnelExclusion {
  std::string event;
  std::string where;
  /// Between steps `from_step` and `to_step` (1-based); the default covers the whole funnel.
  int from_step = 1;
  int to_step = 0;  ///< 0: the last step
};

struct FunnelOptions {
  std::vector<FunnelStep> steps;
  Micros window = Days(30);   ///< from step 1; a step exactly `window` after it counts
  std::string order = "ordered";  ///< ordered | strict | any
  std::vector<FunnelExclusion> exclusions;
  std::string exclusion_mode = "disqualify";  ///< disqualify | truncate
  std::string count = "profiles";             ///< profiles | totals
  std::string breakdown;  ///< event column whose value at step 1 splits the results
  std::string trend;      ///< "", "day" or "week" (weeks start on Monday, UTC): conversion by entry period
  Micros since = INT64_MIN, until = INT64_MAX;  ///< step 1 must fall in [since, until]
};

/// Compiled step conditions of a funnel: which steps (bit k) and exclusions each event matches.
struct FunnelPlan {
  FunnelOptions options;
  int order = 0;  ///< 0 ordered, 1 strict, 2 any
  bool truncate = false, totals = false;
  int trend = 0;  ///< 0 none, 1 day, 2 week
  std::vector<int32_t> step_type, exclusion_type;  ///< event type codes (-1: unknown type)
  std::vector<Query> step_where, exclusion_where;  ///< event-scope filters (empty Query: none)
  std::vector<bool> has_step_where, has_exclusion_where;
  int breakdown_column = -2;  ///< index into events->columns; -1 type, -2 none
  std::vector<std::string> labels;
  std::vector<std::string> warnings;
};
/// Checks and compiles the options against the schema and the store's event dictionary. Errors
/// name the argument: an empty step list, an unknown event type (with the nearest one), a
/// negative window, an unknown order/mode/count/trend, a bad condition.
absl::StatusOr<FunnelPlan> PlanFunnel(const FunnelOptions& options, const QuerySchema& schema,
                                      const StringDictionary& event_dict, const EventColumns& events);

/// Partial funnel result over a range of profiles; Merge combines ranges.
struct FunnelPartial {
  std::vector<int64_t> counts;             ///< entrants reaching at least step k
  std::vector<std::vector<Micros>> from_previous, from_first;  ///< conversion times per step
  std::vector<int8_t> progress;            ///< per profile of the range: steps reached (0: never entered)
  int32_t first_profile = 0;
  int64_t disqualified = 0;                ///< profiles (or attempts) removed by a disqualifying exclusion
  /// breakdown value (text) -> counts per step
  std::vector<std::pair<std::string, std::vector<int64_t>>> breakdown;
  /// entry period start (µs) -> counts per step
  std::vector<std::pair<Micros, std::vector<int64_t>>> trend;
  void Merge(FunnelPartial&& other);
};
absl::StatusOr<FunnelPartial> RunFunnel(const FunnelPlan& plan, const QueryData& data, int32_t begin, int32_t end);

struct FunnelResult {
  std::vector<std::string> steps;
  std::vector<int64_t> counts;
  std::vector<double> conversion_from_previous, conversion_from_first;
  std::vector<double> median_from_previous_s, mean_from_previous_s, median_from_first_s, mean_from_first_s;
  std::vector<int8_t> progress;  ///< per profile: steps reached (0: never entered)
  int64_t disqualified = 0;
  std::string count;  ///< profiles | totals
  std::vector<std::string> warnings;
  /// step, label, count, conversion_from_previous, conversion_from_first, median/mean seconds
  /// from the previous step and from step 1.
  Table steps_table;
  /// breakdown value, step, count, conversion_from_first (empty without a breakdown).
  Table breakdown_table;
  /// period, step, count, conversion_from_first (empty without a trend).
  Table trend_table;
  /// Profiles that reached step `step` (1-based) but not the next one (the last step: converted).
  std::vector<int32_t> DropOff(int step) const;
};
FunnelResult FinishFunnel(const FunnelPlan& plan, FunnelPartial&& all);

// --- Paths -------------------------------------------------------------------------------------

struct PathOptions {
  std::string start;  ///< paths after the first occurrence of this element in a session (empty: from its start)
  std::string end;    ///< or: paths before (and up to) the first occurrence of this element
  /// The element of an event: "type", or an event column such as "page" or "url" (events where
  /// it is null are skipped).
  std::string element = "type";
  std::vector<std::string> include_types;  ///< only these event types (empty: all but exclude_types)
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};
  int depth = 5;                  ///< elements per path, anchor included
  bool collapse_repeats = true;   ///< a > a > b as a > b
  int top = 20;
  Micros session_gap = Minutes(30);
};
struct PathResult {
  /// path ("a > b > c"), count, share (of all paths), rank by count.
  Table top_paths;
  /// from, to, count, share_of_from (transitions between consecutive elements of every path).
  Table transitions;
  /// Sankey: nodes (id, step, label, count) and links (source, target, count); node labels are
  /// per step so the diagram has no cycles.
  Table sankey_nodes, sankey_links;
  int64_t paths = 0;
};
struct PathPartial {
  absl::flat_hash_map<std::vector<int32_t>, int64_t> paths;  ///< element codes (event dictionary) -> count
  void Merge(PathPartial&& other);
};
/// Element sequences of profiles [begin, end) (`element` resolved to a column: -1 type).
absl::StatusOr<PathPartial> CollectPaths(const QueryData& data, int32_t begin, int32_t end, const PathOptions& options);
absl::StatusOr<PathResult> FinishPaths(const QueryData& data, const PathOptions& options, PathPartial&& all);

// --- Stages ------------------------------------------------------------------------------------

/// A journey stage entered when the profile has done `min_count` events of `event` matching
/// `where` (query-language event condition). Stages are ordered; a profile's stage at time t is
/// the furthest stage entered by t.
struct StageRule {
  std::string name;
  std::string event;      ///< event type ("*": any)
  std::string where;
  int min_count = 1;
};
/// awareness (any event) -> consideration (add_to_cart or search) -> purchase (a purchase)
/// -> retention (a second purchase) -> advocacy (an nps_response with score >= 9, or a
/// social_share).
std::vector<StageRule> DefaultStageModel();

struct StageResult {
  std::vector<std::string> stages;
  /// profile, stage (current), then one `<stage>_at` time column per stage (null: not entered).
  Table profiles;
  /// from, to, count: each profile's consecutive stage entries (in time order).
  Table transitions;
  /// stage, entered, current, median_days_in_stage (entry to the next stage's entry, profiles
  /// that moved on), share.
  Table summary;
  /// date, stage, profiles: the stage of each profile at each of `snapshots` times.
  Table over_time;
};
/// Per profile [begin, end): entry time of each stage (INT64_MIN: not entered), stages.size()
/// values per profile. A stage is entered at the time of its min_count-th matching event.
absl::StatusOr<std::vector<Micros>> StageEntries(const QueryData& data, int32_t begin, int32_t end,
                                                 const std::vector<StageRule>& model, const std::vector<Query>& conditions);
/// Assembles the tables from every profile's entries (profiles x stages, row-major).
StageResult FinishStages(const std::vector<StageRule>& model, const std::vector<Micros>& entries,
                         const std::vector<Micros>& snapshots);

// --- Heatmaps ----------------------------------------------------------------------------------

struct HeatmapOptions {
  std::string page;  ///< value of `page_column` (empty: every page)
  std::string page_column = "page";
  int grid_x = 20, grid_y = 20;
  std::string click_type = "click", scroll_type = "scroll", page_view_type = "page_view";
  std::string x_column = "x", y_column = "y", scroll_column = "scroll_depth";
  /// Click coordinates in [0, 1] are relative to the viewport; pixels use the viewport columns
  /// when present, else this size.
  double viewport_width = 1280, viewport_height = 800;
  std::string viewport_width_column = "viewport_width", viewport_height_column = "viewport_height";
  int rage_clicks = 3;            ///< at least this many clicks...
  Micros rage_window = Seconds(1);  ///< ...within this time...
  double rage_radius_px = 30;     ///< ...within this distance of the first
  /// A click followed by no other (non-click) event of the profile within this time is dead.
  Micros dead_after = Seconds(3);
};
/// Partial heatmap over a range of profiles; Merge adds ranges.
struct HeatmapPartial {
  std::vector<int64_t> grid;     ///< grid_y * grid_x counts
  std::vector<int64_t> reached;  ///< page views whose deepest scroll reached 25, 50, 75, 100 %
  int64_t clicks = 0, page_views = 0, dead_clicks = 0;
  std::vector<int64_t> rage_row;  ///< first click of each rage burst
  std::vector<int32_t> rage_count;
  void Merge(HeatmapPartial&& other);
};
absl::StatusOr<HeatmapPartial> RunHeatmap(const QueryData& data, int32_t begin, int32_t end, const HeatmapOptions& options);
struct HeatmapResult;
HeatmapResult FinishHeatmap(const QueryData& data, const HeatmapOptions& options, HeatmapPartial&& all);

struct HeatmapResult {
  std::vector<std::vector<int64_t>> grid;  ///< [y][x] click counts
  Table cells;        ///< x_bin, y_bin, x0, y0, clicks, share
  Table scroll;       ///< depth (25, 50, 75, 100), page_views, reached, share
  Table rage_clicks;  ///< profile, ts, page, x, y, clicks
  int64_t clicks = 0, page_views = 0, dead_clicks = 0;
  double dead_click_share = 0;
};

// --- Touchpoints for attribution ----------------------------------------------------------------

/// How a profile's events become attribution journeys.
struct TouchpointOptions {
  std::string conversion = "purchase";  ///< conversion event type
  std::string conversion_where;         ///< optional condition on the conversion event
  /// Touch events: these types, one touch each. Empty: one touch per session (gap below, the
  /// excluded types never start one): its first value of `channel_column`.
  std::vector<std::string> touch_types;
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};
  Micros session_gap = Minutes(30);
  std::string channel_column = "channel";  ///< or campaign, utm_source, ...
  Micros lookback = Days(30);  ///< touches at most this long before the conversion count
  bool include_non_converting = true;  ///< journeys without a conversion become nulls (Markov)
};
/// Journeys of profiles [begin, end): one path per conversion (touches since the previous
/// conversion within the lookback; value = the conversion's revenue), plus one null path per
/// profile for touches after its last conversion. Paths without touches are dropped and counted.
struct TouchpointPartial {
  AttributionInput input;  ///< channels hold event-dictionary codes as text until FinishTouchpoints
  std::vector<int32_t> channel_codes;  ///< touches as event-dictionary codes
  int64_t conversions_without_touch = 0;
  void Merge(TouchpointPartial&& other);
};
absl::StatusOr<TouchpointPartial> CollectTouchpoints(const QueryData& data, int32_t begin, int32_t end,
                                                     const TouchpointOptions& options, const Query* conversion_where);
/// Numbers the channels (sorted names) and returns the attribution input.
AttributionInput FinishTouchpoints(const QueryData& data, TouchpointPartial&& all);

}  // namespace cdp
