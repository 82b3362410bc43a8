// cdp/metrics.hpp — cohorts, retention and lifecycle over the event log sorted by (profile, ts).
// Kernels run on a range of whole profiles and return partials that merge (Merge), like the
// journey kernels (cdp/journeys.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/query.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Calendar periods in a time zone: day, week (Monday first) or month.
class PeriodCalendar {
 public:
  static absl::StatusOr<PeriodCalendar> Create(std::string_view period, std::string_view time_zone = "UTC");
  /// Period number of an instant (days, weeks or months since the epoch, local time).
  int64_t Of(Micros ts) const { return OfDay(Day(ts)); }
  /// The local day of an instant, and the period of a local day.
  int64_t Day(Micros ts) const { return zone_.LocalDay(ts); }
  int64_t OfDay(int64_t day) const;
  /// First instant (UTC µs) of a period number: local midnight of its first day.
  Micros Start(int64_t period) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int kind_ = 0;  // 0 day, 1 week, 2 month
  TimeParser zone_ = *TimeParser::Create();
};

struct RetentionOptions {
  std::string period = "month";    ///< day | week | month
  std::string time_zone = "UTC";
  /// Cohort entry: the first event of this type ("" or "*": any event), e.g. "purchase".
  std::string cohort_event;
  /// Activity that counts as returning: events of this type ("" or "*": any event).
  std::string return_event;
  std::string mode = "on";         ///< on (active in that period) | on_or_after (active then or later)
  int periods = 12;                ///< offsets 0..periods
  std::vector<std::string> exclude_types = {"email_sent", "ad_impression"};
};

/// Retention partial: per cohort (period number or group code), size and per offset the active
/// profiles and the revenue of the activity events.
struct RetentionPartial {
  struct Cohort {
    int64_t size = 0;
    std::vector<int64_t> active;   ///< offsets 0..periods
    std::vector<double> revenue;
  };
  std::vector<std::pair<int64_t, Cohort>> cohorts;  ///< sorted by key after Merge/Finish
  /// Lifecycle counts per absolute period: new, returning, resurrecting, dormant.
  std::vector<std::pair<int64_t, std::array<int64_t, 4>>> lifecycle;
  void Merge(RetentionPartial&& other);
};
/// `group` (optional, one code per profile, kNullCode: none) replaces the entry period as the cohort
/// key (cohorts by a property); offsets stay relative to each profile's entry period.
absl::StatusOr<RetentionPartial> RunRetention(const QueryData& data, int32_t begin, int32_t end,
                                              const RetentionOptions& options, const std::vector<int32_t>* group);

struct RetentionResult {
  /// cohort (period start µs, or group text), cohort_size, offset, active, rate, revenue.
  Table cohorts;
  /// period (start µs), new, returning, resurrecting, dormant (negative, as PostHog shows it).
  Table lifecycle;
  std::string period, mode;
  bool by_group = false;
};
/// `group_names`: the text of each group code when cohorts are by a property. Cells of period
/// cohorts that lie after `last_period` (the clock's period) are not observed yet and are left out.
RetentionResult FinishRetention(const RetentionOptions& options, const PeriodCalendar& calendar, RetentionPartial&& all,
                                const StringDictionary* group_names, int64_t last_period = INT64_MAX);

}  // namespace cdp
