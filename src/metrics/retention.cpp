// Cohorts and retention: one pass over each profile's events marks the periods it was active in,
// relative to its entry period; lifecycle labels each active (or just-lapsed) period.
#include <algorithm>
#include <array>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "cdp/metrics.hpp"
#include "core/strings.hpp"

namespace cdp {

absl::StatusOr<PeriodCalendar> PeriodCalendar::Create(std::string_view period, std::string_view time_zone) {
  PeriodCalendar c;
  if (period == "day") c.kind_ = 0;
  else if (period == "week") c.kind_ = 1;
  else if (period == "month") c.kind_ = 2;
  else return absl::InvalidArgumentError(Cat("period must be day, week or month, got '", period, "'"));
  c.name_ = std::string(period);
  auto z = TimeParser::Create({.naive_time_zone = std::string(time_zone)});
  if (!z.ok()) return absl::InvalidArgumentError(Cat("time_zone: ", z.status().message()));
  c.zone_ = *std::move(z);
  return c;
}

int64_t PeriodCalendar::OfDay(int64_t day) const {
  switch (kind_) {
    case 0: return day;
    case 1: return (day + 3 - (((day + 3) % 7) + 7) % 7) / 7;  // weeks from Monday 1969-12-29
    default: {
      const CivilDate c = CivilFromDays(day);
      return c.year * 12 + (c.month - 1);
    }
  }
}

Micros PeriodCalendar::Start(int64_t period) const {
  int64_t day = period;
  if (kind_ == 1) day = period * 7 - 3;
  if (kind_ == 2) {
    const int64_t y = period >= 0 ? period / 12 : -((-period + 11) / 12);
    day = DaysFromCivil(y, static_cast<unsigned>(period - y * 12 + 1), 1);
  }
  // Local midnight: the UTC instant whose local day is `day` (offsets are within ±1 day).
  Micros t = day * kMicrosPerDay;
  while (zone_.LocalDay(t) > day) t -= kMicrosPerHour;
  while (zone_.LocalDay(t) < day) t += kMicrosPerHour;
  while (zone_.LocalDay(t - kMicrosPerMinute) == day) t -= kMicrosPerMinute;
  return t;
}

void RetentionPartial::Merge(RetentionPartial&& o) {
  auto merge = [](auto& into, auto& from, auto add) {
    for (auto& [k, v] : from) {
      auto it = std::find_if(into.begin(), into.end(), [&](const auto& e) { return e.first == k; });
      if (it == into.end()) into.emplace_back(k, std::move(v));
      else add(it->second, v);
    }
  };
  merge(cohorts, o.cohorts, [](Cohort& a, Cohort& b) {
    a.size += b.size;
    for (size_t i = 0; i < a.active.size(); ++i) a.active[i] += b.active[i], a.revenue[i] += b.revenue[i];
  });
  merge(lifecycle, o.lifecycle, [](auto& a, auto& b) {
    for (size_t i = 0; i < 4; ++i) a[i] += b[i];
  });
}

absl::StatusOr<RetentionPartial> RunRetention(const QueryData& d, int32_t begin, int32_t end, const RetentionOptions& o,
                                              const std::vector<int32_t>* group) {
  if (o.periods < 0 || o.periods > 1000) return absl::InvalidArgumentError(Cat("retention: periods must be in 0..1000, got ", o.periods));
  if (o.mode != "on" && o.mode != "on_or_after")
    return absl::InvalidArgumentError(Cat("retention: mode must be on or on_or_after, got '", o.mode, "'"));
  auto cal = PeriodCalendar::Create(o.period, o.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "retention: ");
  const EventColumns& ev = *d.events;
  auto code = [&](const std::string& t) -> int32_t {  // -1: any event, -2: a type no event has
    if (t.empty() || t == "*") return -1;
    auto c = d.event_dict->Find(t);
    return c ? *c : -2;
  };
  const int32_t entry_type = code(o.cohort_event), return_type = code(o.return_event);
  std::vector<int32_t> excluded;
  for (const std::string& t : o.exclude_types)
    if (auto c = d.event_dict->Find(t)) excluded.push_back(*c);
  auto skip = [&](int32_t t) { return std::find(excluded.begin(), excluded.end(), t) != excluded.end(); };
  const size_t width = static_cast<size_t>(o.periods) + 1;
  absl::flat_hash_map<int64_t, RetentionPartial::Cohort> cohorts;
  absl::flat_hash_map<int64_t, std::array<int64_t, 4>> life;
  std::vector<uint8_t> active(width);
  std::vector<double> revenue(width);
  std::vector<int64_t> periods;  // absolute active periods of the profile (lifecycle)
  int64_t last_day = INT64_MIN, last_period = 0;
  for (int32_t p = begin; p < end; ++p) {
    int64_t entry = 0;
    bool entered = false;
    std::fill(active.begin(), active.end(), 0);
    std::fill(revenue.begin(), revenue.end(), 0.0);
    periods.clear();
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t t = ev.type[r];
      if (skip(t)) continue;
      // Days change rarely along a profile's sorted events: the period is reused until they do.
      const int64_t day = cal->Day(ev.ts[r]);
      if (day != last_day) last_period = cal->OfDay(day), last_day = day;
      const int64_t period = last_period;
      if (!entered) {
        if (entry_type == -2 || (entry_type >= 0 && t != entry_type)) continue;
        entered = true, entry = period;
      }
      if (return_type == -2 || (return_type >= 0 && t != return_type)) continue;
      const int64_t off = period - entry;
      if (periods.empty() || periods.back() != period) periods.push_back(period);
      if (off < 0 || off >= static_cast<int64_t>(width)) continue;
      active[static_cast<size_t>(off)] = 1;
      if (!std::isnan(ev.revenue[r])) revenue[static_cast<size_t>(off)] += ev.revenue[r];
    }
    if (!entered) continue;
    const int64_t key = group ? (*group)[static_cast<size_t>(p)] : entry;
    if (group && key == kNullCode) continue;
    RetentionPartial::Cohort& c = cohorts[key];
    if (c.active.empty()) c.active.assign(width, 0), c.revenue.assign(width, 0.0);
    ++c.size;
    if (o.mode == "on") {
      for (size_t k = 0; k < width; ++k) c.active[k] += active[k];
    } else {
      uint8_t later = 0;
      for (size_t k = width; k-- > 0;) c.active[k] += (later |= active[k]);
    }
    for (size_t k = 0; k < width; ++k) c.revenue[k] += revenue[k];
    // Lifecycle: new in the first active period, then returning (active the period before),
    // resurrecting (a gap before), and dormant in the period after each run of activity.
    for (size_t i = 0; i < periods.size(); ++i) {
      const int64_t q = periods[i];
      int kind = i == 0 ? 0 : periods[i - 1] == q - 1 ? 1 : 2;
      ++life[q][static_cast<size_t>(kind)];
      if (i + 1 == periods.size() || periods[i + 1] != q + 1) ++life[q + 1][3];
    }
  }
  RetentionPartial out;
  out.cohorts.assign(cohorts.begin(), cohorts.end());
  out.lifecycle.assign(life.begin(), life.end());
  return out;
}

RetentionResult FinishRetention(const RetentionOptions& o, const PeriodCalendar& cal, RetentionPartial&& all,
                                const StringDictionary* group_names, int64_t last_period) {
  RetentionResult r;
  r.period = o.period, r.mode = o.mode, r.by_group = group_names != nullptr;
  std::sort(all.cohorts.begin(), all.cohorts.end(), [&](const auto& a, const auto& b) {
    if (group_names) return group_names->Get(static_cast<int32_t>(a.first)) < group_names->Get(static_cast<int32_t>(b.first));
    return a.first < b.first;
  });
  Table& t = r.cohorts;
  Column& cohort = t.Add("cohort", group_names ? ColumnType::kString : ColumnType::kInt64);
  Column& size = t.Add("cohort_size", ColumnType::kInt64);
  Column& offset = t.Add("offset", ColumnType::kInt64);
  Column& active = t.Add("active", ColumnType::kInt64);
  Column& rate = t.Add("rate", ColumnType::kDouble);
  Column& revenue = t.Add("revenue", ColumnType::kDouble);
  for (const auto& [key, c] : all.cohorts)
    for (size_t k = 0; k < c.active.size(); ++k) {
      if (!group_names && key + static_cast<int64_t>(k) > last_period) break;  // not observed yet
      if (group_names) t.AppendString(cohort, group_names->Get(static_cast<int32_t>(key)));
      else cohort.i64.push_back(cal.Start(key));
      size.i64.push_back(c.size);
      offset.i64.push_back(static_cast<int64_t>(k));
      active.i64.push_back(c.active[k]);
      rate.f64.push_back(c.size > 0 ? static_cast<double>(c.active[k]) / static_cast<double>(c.size) : NAN);
      revenue.f64.push_back(c.revenue[k]);
    }
  std::sort(all.lifecycle.begin(), all.lifecycle.end());
  Table& l = r.lifecycle;
  Column& period = l.Add("period", ColumnType::kInt64);
  Column* cols[4] = {&l.Add("new", ColumnType::kInt64), &l.Add("returning", ColumnType::kInt64),
                     &l.Add("resurrecting", ColumnType::kInt64), &l.Add("dormant", ColumnType::kInt64)};
  for (const auto& [q, v] : all.lifecycle) {
    period.i64.push_back(cal.Start(q));
    for (int i = 0; i < 4; ++i) cols[i]->i64.push_back(i == 3 ? -v[3] : v[static_cast<size_t>(i)]);
  }
  return r;
}

}  // namespace cdp
