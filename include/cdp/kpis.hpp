// cdp/kpis.hpp — the marketing KPIs people steer by: campaign cost and return (CTR, CPC, CPM,
// conversion rate, CPA, CAC, ROAS, ROI), web traffic (visitors, new vs returning, bounce rate,
// pages per session, session duration), active users (DAU/WAU/MAU, stickiness), email (open rate,
// CTR, click-to-open, unsubscribes, conversions), social engagement, and survey scores (NPS, CSAT)
// with confidence intervals.
//
// Like every kernel over the event log (cdp/journeys.hpp, cdp/metrics.hpp), each Run* function
// reads a range of whole profiles and returns a partial; partials of disjoint ranges merge, and a
// Finish* function turns the merged partial into tables. Ratios whose denominator is 0 or absent
// are null (NaN) and each result's `warnings` says which rows have them and why. docs/metrics.md
// gives every formula.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/journeys.hpp"
#include "cdp/metrics.hpp"
#include "cdp/query.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// A KPI table with the notes on its null cells and skipped input.
struct KpiTable {
  Table table;
  std::vector<std::string> warnings;
};

// --- Campaign KPIs -------------------------------------------------------------------------------

/// A campaign cost table, one row per (channel, campaign, day) as ad platforms report it. Columns
/// a caller lacks stay empty: channel and date are needed only when the KPIs are broken down by
/// them.
struct CampaignCosts {
  std::vector<std::string> channel, campaign;
  std::vector<Micros> date;  ///< any instant of the day (read in the options' time zone)
  std::vector<double> impressions, clicks, cost;
  size_t size() const { return campaign.size(); }
};
/// Reads a table with columns campaign, cost, and optionally channel, date (int64 µs), impressions,
/// clicks (int64 or double). Errors name a missing or mistyped column.
absl::StatusOr<CampaignCosts> CostsFromTable(const Table& table);

struct CampaignKpiOptions {
  std::string conversion = "purchase";  ///< the conversion event type
  std::string conversion_where;         ///< optional condition on it (query language, event scope)
  /// Credit of each conversion among its campaign touches: first, last, linear, position or
  /// time_decay (cdp/attribution.hpp: TouchShares). A touch is a session (gap below) that brings a
  /// campaign: its first event with a non-null campaign gives the touch's channel and campaign.
  std::string attribution = "last";
  Micros lookback = Days(30);    ///< touches at most this long before the conversion, since the previous one
  Micros session_gap = Minutes(30);
  Micros half_life = Days(7);    ///< time_decay
  double position_first = 0.4, position_last = 0.4;  ///< position
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};  ///< never touches
  /// Breakdown: any of "channel", "campaign", "day" (in this order in the output); empty: one row.
  std::vector<std::string> by = {"channel", "campaign"};
  std::string time_zone = "UTC";  ///< days of conversions, sessions and cost rows
  double margin = 1.0;            ///< ROI = (revenue * margin - cost) / cost; 1: on revenue
};

/// Attributed results per (channel code, campaign code, local day) of the event dictionary.
struct CampaignCell {
  double conversions = 0, new_customers = 0, revenue = 0;
  int64_t sessions = 0;  ///< touch sessions started that day
};
struct CampaignCreditPartial {
  struct Key {
    int32_t channel, campaign;
    int64_t day;
    bool operator==(const Key& o) const { return channel == o.channel && campaign == o.campaign && day == o.day; }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.channel, k.campaign, k.day);
    }
  };
  absl::flat_hash_map<Key, CampaignCell> cells;
  int64_t conversions = 0, new_customers = 0, unattributed = 0;
  double revenue = 0, unattributed_revenue = 0;
  void Merge(CampaignCreditPartial&& other);
};
/// Credits the conversions of profiles [begin, end) to their campaign touches. A new customer is
/// a profile's first conversion in the log. `conversion_where` (optional) is the compiled
/// condition of the options.
absl::StatusOr<CampaignCreditPartial> RunCampaignCredit(const QueryData& data, int32_t begin, int32_t end,
                                                        const CampaignKpiOptions& options, const Query* conversion_where);

struct CampaignKpiResult {
  /// One row per breakdown key (the `by` columns, date as the day's start in µs), then impressions,
  /// clicks, cost, sessions, conversions, new_customers, revenue, ctr, cpc, cpm, conversion_rate,
  /// cpa, cac, roas, roi. Keys from the costs and from the events are joined by their text (an
  /// outer join: campaigns without a cost row have null cost KPIs, costs without conversions have
  /// 0 conversions).
  Table rows;
  Table totals;  ///< the same columns over everything, one row (no key columns)
  int64_t conversions = 0, unattributed_conversions = 0, new_customers = 0;
  double revenue = 0, unattributed_revenue = 0;
  std::vector<std::string> warnings;
};
/// Validates the costs (negative or non-finite numbers, clicks above impressions, missing keys the
/// breakdown needs: errors naming the row) and joins them with the credit.
absl::StatusOr<CampaignKpiResult> FinishCampaignKpis(const QueryData& data, const CampaignKpiOptions& options,
                                                CampaignCreditPartial&& all, const CampaignCosts& costs);
/// Checks options shared by Run and Finish (attribution model, by names, lookback, margin).
absl::Status ValidateCampaignKpiOptions(const CampaignKpiOptions& options);

// --- Web traffic -----------------------------------------------------------------------------------

struct WebMetricsOptions {
  SessionOptions sessions;
  std::string period = "day";  ///< day | week | month | all (one row)
  std::string time_zone = "UTC";
};
/// Per (group, period of the session start): visitors (distinct profiles with a session), new
/// visitors (whose first session ever is in the period), sessions, bounces, page views, total
/// duration.
struct WebPartial {
  struct Cell {
    int64_t visitors = 0, new_visitors = 0, sessions = 0, bounces = 0, page_views = 0;
    Micros duration = 0;
  };
  absl::flat_hash_map<std::pair<int32_t, int64_t>, Cell> cells;
  void Merge(WebPartial&& other);
};
absl::StatusOr<WebPartial> RunWebMetrics(const QueryData& data, int32_t begin, int32_t end,
                                         const WebMetricsOptions& options, const PeriodCalendar* calendar,
                                         const std::vector<int32_t>* group);
/// Table: [group], [period], visitors, new_visitors, returning_visitors, sessions, bounce_rate,
/// pages_per_session, avg_session_duration_s, sessions_per_visitor.
Table FinishWebMetrics(const WebMetricsOptions& options, const PeriodCalendar* calendar, WebPartial&& all,
                       const StringDictionary* group_names);

// --- Active users ----------------------------------------------------------------------------------

struct ActiveUsersOptions {
  std::string event;  ///< activity: events of this type ("" or "*": any not excluded)
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};
  std::string time_zone = "UTC";
};
/// Per local day, changes of the daily, 7-day and 30-day distinct active counts (difference
/// arrays: each profile's windows are merged, so a profile counts once per window).
struct ActiveUsersPartial {
  absl::flat_hash_map<int64_t, std::array<int64_t, 3>> delta;
  void Merge(ActiveUsersPartial&& other);
};
absl::StatusOr<ActiveUsersPartial> RunActiveUsers(const QueryData& data, int32_t begin, int32_t end,
                                                  const ActiveUsersOptions& options);
/// Table: date (day start µs), dau, wau, mau (distinct profiles active that day, in the 7 and 30
/// days ending that day), stickiness (dau / mau); from the first active day to `last_day`.
Table FinishActiveUsers(const ActiveUsersOptions& options, ActiveUsersPartial&& all, int64_t last_day);

// --- Social engagement -----------------------------------------------------------------------------

struct SocialMetricsOptions {
  std::vector<std::string> engagement_types = {"social_like", "social_share", "social_comment"};
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};  ///< not activity
  std::string period = "month";  ///< day | week | month | all
  std::string time_zone = "UTC";
};
/// Per period: [active profiles, engaged profiles, engagements of each type...].
struct SocialPartial {
  absl::flat_hash_map<int64_t, std::vector<int64_t>> cells;
  void Merge(SocialPartial&& other);
};
absl::StatusOr<SocialPartial> RunSocialMetrics(const QueryData& data, int32_t begin, int32_t end,
                                               const SocialMetricsOptions& options, const PeriodCalendar* calendar);
/// Table: [period], active_profiles, engaged_profiles, one count column per engagement type,
/// engagements, engagement_rate (engaged / active profiles), engagements_per_engaged.
Table FinishSocialMetrics(const SocialMetricsOptions& options, const PeriodCalendar* calendar, SocialPartial&& all);

// --- Email ----------------------------------------------------------------------------------------

struct EmailMetricsOptions {
  std::string sent = "email_sent", open = "email_open", click = "email_click";
  std::string unsubscribe = "email_unsubscribe", bounce = "email_bounce";
  std::string conversion = "purchase";
  Micros conversion_window = Days(7);  ///< a conversion within this long after a click on the campaign
  std::string campaign_column = "campaign";
};
/// Per campaign code: sent and bounced events; distinct profiles that opened, clicked,
/// unsubscribed, converted; the revenue of those conversions.
struct EmailPartial {
  struct Cell {
    int64_t sent = 0, bounced = 0, openers = 0, clickers = 0, unsubscribers = 0, converters = 0;
    double revenue = 0;
  };
  absl::flat_hash_map<int32_t, Cell> cells;
  void Merge(EmailPartial&& other);
};
absl::StatusOr<EmailPartial> RunEmailMetrics(const QueryData& data, int32_t begin, int32_t end,
                                             const EmailMetricsOptions& options);
/// Table: campaign, sent, delivered, unique_opens, unique_clicks, unsubscribes, conversions, revenue,
/// delivery_rate, open_rate, click_rate (of delivered), click_to_open, unsubscribe_rate,
/// conversion_rate (of delivered), revenue_per_email; plus a last row "(all)".
Table FinishEmailMetrics(const QueryData& data, EmailPartial&& all, std::vector<std::string>* warnings);

// --- Surveys: NPS and CSAT -------------------------------------------------------------------------

struct SurveyOptions {
  std::string kind = "nps";  ///< nps (0..10: promoters 9-10, detractors 0-6) | csat (1..5: satisfied 4-5)
  std::string event;         ///< response event type; "": nps_response / csat_response
  std::string score_column = "score";
  double confidence = 0.95;
  std::string period;        ///< "" (no breakdown) | day | week | month
  std::string time_zone = "UTC";
};
/// Per (group, period): responses by class (promoters/passives/detractors, or satisfied/other),
/// and responses with a score out of range or missing (left out of the rates).
struct SurveyPartial {
  absl::flat_hash_map<std::pair<int32_t, int64_t>, std::array<int64_t, 4>> cells;  ///< hi, mid, lo, invalid
  void Merge(SurveyPartial&& other);
};
absl::StatusOr<SurveyPartial> RunSurvey(const QueryData& data, int32_t begin, int32_t end, const SurveyOptions& options,
                                        const PeriodCalendar* calendar, const std::vector<int32_t>* group);
/// NPS table: [group], [period], responses, promoters, passives, detractors, nps, nps_low, nps_high
/// (NPS = 100 (P - D) / n; Wald interval with var = (p + d - (p - d)^2) / n).
/// CSAT table: [group], [period], responses, satisfied, csat, csat_low, csat_high (share of 4-5 in
/// percent, Wilson score interval). Both skip invalid responses and count them in `warnings`.
Table FinishSurvey(const SurveyOptions& options, const PeriodCalendar* calendar, SurveyPartial&& all,
                   const StringDictionary* group_names, std::vector<std::string>* warnings);

}  // namespace cdp
