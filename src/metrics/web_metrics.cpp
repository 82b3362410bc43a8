// Web traffic and active users: sessions grouped by period (visitors, new vs returning, bounce
// rate, pages per session, duration) and DAU/WAU/MAU from merged activity windows.
#include <algorithm>
#include <cmath>

#include "cdp/kpis.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"
#include "metrics/kpis_internal.hpp"

namespace cdp {

using journeys_internal::TypeCode;
using journeys_internal::TypeFlags;

using kpis_internal::Ratio;

void WebPartial::Merge(WebPartial&& o) {
  for (auto& [k, c] : o.cells) {
    Cell& into = cells[k];
    into.visitors += c.visitors, into.new_visitors += c.new_visitors, into.sessions += c.sessions;
    into.bounces += c.bounces, into.page_views += c.page_views, into.duration += c.duration;
  }
}

absl::StatusOr<WebPartial> RunWebMetrics(const QueryData& d, int32_t begin, int32_t end, const WebMetricsOptions& o,
                                         const PeriodCalendar* cal, const std::vector<int32_t>* group) {
  auto rows = Sessionize(d, begin, end, o.sessions);
  if (!rows.ok()) return rows.status();
  WebPartial out;
  int32_t profile = -1;
  int64_t period = 0;
  for (size_t i = 0; i < rows->size(); ++i) {
    const int32_t p = rows->profile[i];
    const int64_t at = cal != nullptr ? cal->Of(rows->start[i]) : 0;
    const int32_t g = group != nullptr ? (*group)[static_cast<size_t>(p)] : kNullCode;
    WebPartial::Cell& c = out.cells[{g, at}];
    // Sessions of a profile come in time order: a new (profile, period) pair is a new visitor.
    if (p != profile || at != period) ++c.visitors, c.new_visitors += rows->number[i] == 1;
    profile = p, period = at;
    ++c.sessions;
    c.bounces += rows->page_views[i] <= 1;
    c.page_views += rows->page_views[i];
    c.duration += rows->end[i] - rows->start[i];
  }
  return out;
}

Table FinishWebMetrics(const WebMetricsOptions& o, const PeriodCalendar* cal, WebPartial&& all,
                       const StringDictionary* group_names) {
  Table t;
  kpis_internal::GroupPeriodColumns keys(t, group_names, cal);
  const auto cells = keys.Sorted(all.cells);
  Column& visitors = t.Add("visitors", ColumnType::kInt64);
  Column& new_visitors = t.Add("new_visitors", ColumnType::kInt64);
  Column& returning = t.Add("returning_visitors", ColumnType::kInt64);
  Column& sessions = t.Add("sessions", ColumnType::kInt64);
  Column& bounce = t.Add("bounce_rate", ColumnType::kDouble);
  Column& pages = t.Add("pages_per_session", ColumnType::kDouble);
  Column& duration = t.Add("avg_session_duration_s", ColumnType::kDouble);
  Column& per_visitor = t.Add("sessions_per_visitor", ColumnType::kDouble);
  for (const auto& [k, c] : cells) {
    keys.Append(k);
    visitors.i64.push_back(c.visitors);
    new_visitors.i64.push_back(c.new_visitors);
    returning.i64.push_back(c.visitors - c.new_visitors);
    sessions.i64.push_back(c.sessions);
    const double s = static_cast<double>(c.sessions);
    bounce.f64.push_back(Ratio(static_cast<double>(c.bounces), s));
    pages.f64.push_back(Ratio(static_cast<double>(c.page_views), s));
    duration.f64.push_back(Ratio(static_cast<double>(c.duration) / kMicrosPerSecond, s));
    per_visitor.f64.push_back(Ratio(s, static_cast<double>(c.visitors)));
  }
  (void)o;
  return t;
}

// --- Social engagement ----------------------------------------------------------------------------

void SocialPartial::Merge(SocialPartial&& o) {
  for (auto& [k, v] : o.cells) {
    std::vector<int64_t>& into = cells[k];
    if (into.size() < v.size()) into.resize(v.size(), 0);
    for (size_t i = 0; i < v.size(); ++i) into[i] += v[i];
  }
}

absl::StatusOr<SocialPartial> RunSocialMetrics(const QueryData& d, int32_t begin, int32_t end,
                                               const SocialMetricsOptions& o, const PeriodCalendar* cal) {
  if (o.engagement_types.empty()) return absl::InvalidArgumentError("social metrics: no engagement type given");
  const std::vector<uint8_t> excluded = TypeFlags(*d.event_dict, o.exclude_types);
  std::vector<int32_t> codes;
  for (const std::string& t : o.engagement_types) codes.push_back(TypeCode(*d.event_dict, t));
  const size_t width = 2 + codes.size();
  const EventColumns& ev = *d.events;
  SocialPartial out;
  for (int32_t p = begin; p < end; ++p) {
    int64_t active_in = INT64_MIN, engaged_in = INT64_MIN;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t type = ev.type[r];
      if (static_cast<size_t>(type) < excluded.size() && excluded[static_cast<size_t>(type)]) continue;
      const int64_t at = cal != nullptr ? cal->Of(ev.ts[r]) : 0;
      std::vector<int64_t>& c = out.cells[at];
      if (c.empty()) c.assign(width, 0);
      if (at != active_in) ++c[0], active_in = at;  // events come in time order
      const auto hit = std::find(codes.begin(), codes.end(), type);
      if (hit == codes.end()) continue;
      if (at != engaged_in) ++c[1], engaged_in = at;
      ++c[2 + static_cast<size_t>(hit - codes.begin())];
    }
  }
  return out;
}

Table FinishSocialMetrics(const SocialMetricsOptions& o, const PeriodCalendar* cal, SocialPartial&& all) {
  std::vector<std::pair<int64_t, std::vector<int64_t>>> cells(all.cells.begin(), all.cells.end());
  std::sort(cells.begin(), cells.end());
  Table t;
  Column* period = cal != nullptr ? &t.Add("period", ColumnType::kInt64) : nullptr;
  std::vector<Column*> counts = {&t.Add("active_profiles", ColumnType::kInt64), &t.Add("engaged_profiles", ColumnType::kInt64)};
  for (const std::string& type : o.engagement_types) counts.push_back(&t.Add(type, ColumnType::kInt64));
  Column& total = t.Add("engagements", ColumnType::kInt64);
  Column& rate = t.Add("engagement_rate", ColumnType::kDouble);
  Column& per = t.Add("engagements_per_engaged", ColumnType::kDouble);
  for (auto& [k, c] : cells) {
    c.resize(counts.size(), 0);
    if (period != nullptr) period->i64.push_back(cal->Start(k));
    int64_t sum = 0;
    for (size_t i = 0; i < counts.size(); ++i) counts[i]->i64.push_back(c[i]), sum += i >= 2 ? c[i] : 0;
    total.i64.push_back(sum);
    rate.f64.push_back(Ratio(static_cast<double>(c[1]), static_cast<double>(c[0])));
    per.f64.push_back(Ratio(static_cast<double>(sum), static_cast<double>(c[1])));
  }
  return t;
}

// --- Active users ----------------------------------------------------------------------------------

void ActiveUsersPartial::Merge(ActiveUsersPartial&& o) {
  for (auto& [day, v] : o.delta) {
    auto& into = delta[day];
    for (int i = 0; i < 3; ++i) into[static_cast<size_t>(i)] += v[static_cast<size_t>(i)];
  }
}

absl::StatusOr<ActiveUsersPartial> RunActiveUsers(const QueryData& d, int32_t begin, int32_t end,
                                                  const ActiveUsersOptions& o) {
  auto cal = PeriodCalendar::Create("day", o.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "active users: ");
  const bool any_type = o.event.empty() || o.event == "*";
  const int32_t only = any_type ? -1 : TypeCode(*d.event_dict, o.event);
  const std::vector<uint8_t> excluded = TypeFlags(*d.event_dict, o.exclude_types);
  const EventColumns& ev = *d.events;
  ActiveUsersPartial out;
  constexpr std::array<int64_t, 3> kWindow = {1, 7, 30};
  for (int32_t p = begin; p < end; ++p) {
    // Active days in order; each window [day, day + w) is merged with the running one so that a
    // profile adds +1 where its union of windows starts and -1 where it ends.
    std::array<int64_t, 3> open_from{}, open_to{};
    bool open = false;
    int64_t last_day = INT64_MIN;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t type = ev.type[r];
      if (any_type ? (static_cast<size_t>(type) < excluded.size() && excluded[static_cast<size_t>(type)]) : type != only) continue;
      const int64_t day = cal->Day(ev.ts[r]);
      if (day == last_day) continue;
      last_day = day;
      for (size_t w = 0; w < 3; ++w) {
        if (open && day <= open_to[w]) {
          open_to[w] = day + kWindow[w];
          continue;
        }
        if (open) ++out.delta[open_from[w]][w], --out.delta[open_to[w]][w];
        open_from[w] = day, open_to[w] = day + kWindow[w];
      }
      open = true;
    }
    if (open)
      for (size_t w = 0; w < 3; ++w) ++out.delta[open_from[w]][w], --out.delta[open_to[w]][w];
  }
  return out;
}

Table FinishActiveUsers(const ActiveUsersOptions& o, ActiveUsersPartial&& all, int64_t last_day) {
  auto cal = PeriodCalendar::Create("day", o.time_zone);  // validated by RunActiveUsers
  std::vector<std::pair<int64_t, std::array<int64_t, 3>>> delta(all.delta.begin(), all.delta.end());
  std::sort(delta.begin(), delta.end());
  Table t;
  Column& date = t.Add("date", ColumnType::kInt64);
  Column& dau = t.Add("dau", ColumnType::kInt64);
  Column& wau = t.Add("wau", ColumnType::kInt64);
  Column& mau = t.Add("mau", ColumnType::kInt64);
  Column& sticky = t.Add("stickiness", ColumnType::kDouble);
  if (delta.empty() || !cal.ok()) return t;
  std::array<int64_t, 3> level{};
  size_t next = 0;
  for (int64_t day = delta.front().first; day <= last_day; ++day) {
    while (next < delta.size() && delta[next].first == day) {
      for (size_t w = 0; w < 3; ++w) level[w] += delta[next].second[w];
      ++next;
    }
    date.i64.push_back(cal->Start(day));
    dau.i64.push_back(level[0]), wau.i64.push_back(level[1]), mau.i64.push_back(level[2]);
    sticky.f64.push_back(Ratio(static_cast<double>(level[0]), static_cast<double>(level[2])));
  }
  return t;
}

}  // namespace cdp
