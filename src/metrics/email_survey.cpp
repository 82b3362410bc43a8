// Email campaign rates (unique opens and clicks, click-to-open, unsubscribes, conversions after a
// click) and survey scores (NPS and CSAT with confidence intervals).
#include <algorithm>
#include <cmath>

#include "cdp/kpis.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"
#include "metrics/kpis_internal.hpp"
#include "metrics/stats_special.hpp"

namespace cdp {

using journeys_internal::StringColumn;
using journeys_internal::TypeCode;
using kpis_internal::Ratio;

namespace {

struct ProportionInterval {
  double low, high;
};
// Wilson score interval of k successes in n trials.
ProportionInterval WilsonInterval(int64_t k, int64_t n, double confidence) {
  const double z = stats::NormalQuantile(0.5 + confidence / 2), dn = static_cast<double>(n), p = static_cast<double>(k) / dn;
  const double center = (p + z * z / (2 * dn)) / (1 + z * z / dn);
  const double half = z / (1 + z * z / dn) * std::sqrt(p * (1 - p) / dn + z * z / (4 * dn * dn));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

}  // namespace

void EmailPartial::Merge(EmailPartial&& o) {
  for (auto& [k, c] : o.cells) {
    Cell& into = cells[k];
    into.sent += c.sent, into.bounced += c.bounced, into.openers += c.openers, into.clickers += c.clickers;
    into.unsubscribers += c.unsubscribers, into.converters += c.converters, into.revenue += c.revenue;
  }
}

absl::StatusOr<EmailPartial> RunEmailMetrics(const QueryData& d, int32_t begin, int32_t end,
                                             const EmailMetricsOptions& o) {
  const EventColumns& ev = *d.events;
  const Column* campaign = StringColumn(ev, o.campaign_column);
  if (campaign == nullptr)
    return absl::InvalidArgumentError(Cat("email metrics: the events have no text column '", o.campaign_column, "'"));
  if (o.conversion_window <= 0) return absl::InvalidArgumentError("email metrics: conversion_window must be positive");
  const StringDictionary& dict = *d.event_dict;
  const int32_t sent = TypeCode(dict, o.sent), open = TypeCode(dict, o.open), click = TypeCode(dict, o.click);
  const int32_t unsub = TypeCode(dict, o.unsubscribe), bounce = TypeCode(dict, o.bounce);
  const int32_t conversion = TypeCode(dict, o.conversion);
  EmailPartial out;
  // Per profile: the campaigns it touched, with bits opened/clicked/unsubscribed/converted and
  // its last click time. A profile holds few campaigns, so a linear list beats a hash map.
  struct State {
    int32_t campaign;
    uint8_t bits;
    Micros last_click;
  };
  std::vector<State> seen;
  for (int32_t p = begin; p < end; ++p) {
    seen.clear();
    auto state = [&](int32_t c) -> State& {
      for (State& s : seen)
        if (s.campaign == c) return s;
      seen.push_back({c, 0, INT64_MIN});
      return seen.back();
    };
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t type = ev.type[r];
      if (type == conversion && type >= 0) {
        const double value = std::isnan(ev.revenue[r]) ? 0.0 : ev.revenue[r];
        for (State& s : seen)  // every campaign clicked within the window converts (once)
          if (!(s.bits & 8) && s.last_click != INT64_MIN && ev.ts[r] - s.last_click <= o.conversion_window) {
            s.bits |= 8;
            out.cells[s.campaign].revenue += value;
          }
        continue;
      }
      const int32_t c = campaign->str[r];
      if (c == kNullCode || type < 0) continue;
      if (type == sent) ++out.cells[c].sent;
      else if (type == bounce) ++out.cells[c].bounced;
      else if (type == open) state(c).bits |= 1;
      else if (type == click) {
        State& s = state(c);
        s.bits |= 2, s.last_click = ev.ts[r];
      } else if (type == unsub) {
        state(c).bits |= 4;
      }
    }
    for (const State& s : seen) {
      EmailPartial::Cell& cell = out.cells[s.campaign];
      cell.openers += (s.bits & 1) != 0, cell.clickers += (s.bits & 2) != 0;
      cell.unsubscribers += (s.bits & 4) != 0, cell.converters += (s.bits & 8) != 0;
    }
  }
  return out;
}

Table FinishEmailMetrics(const QueryData& d, EmailPartial&& all, std::vector<std::string>* warnings) {
  std::vector<std::pair<std::string_view, EmailPartial::Cell>> cells;
  EmailPartial::Cell total;
  for (const auto& [code, c] : all.cells) {
    if (c.sent == 0 && c.openers == 0 && c.clickers == 0 && c.unsubscribers == 0) continue;  // not an email campaign
    cells.emplace_back(d.event_dict->Get(code), c);
    total.sent += c.sent, total.bounced += c.bounced, total.openers += c.openers, total.clickers += c.clickers;
    total.unsubscribers += c.unsubscribers, total.converters += c.converters, total.revenue += c.revenue;
  }
  std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  cells.emplace_back("(all)", total);
  Table t;
  Column& name = t.Add("campaign", ColumnType::kString);
  std::vector<Column*> counts;
  for (const char* n : {"sent", "delivered", "unique_opens", "unique_clicks", "unsubscribes", "conversions"})
    counts.push_back(&t.Add(n, ColumnType::kInt64));
  std::vector<Column*> rates;
  for (const char* n : {"revenue", "delivery_rate", "open_rate", "click_rate", "click_to_open", "unsubscribe_rate",
                        "conversion_rate", "revenue_per_email"})
    rates.push_back(&t.Add(n, ColumnType::kDouble));
  int64_t unsent = 0;
  for (const auto& [campaign, c] : cells) {
    t.AppendString(name, campaign);
    const int64_t delivered = std::max<int64_t>(0, c.sent - c.bounced);
    const int64_t v[] = {c.sent, delivered, c.openers, c.clickers, c.unsubscribers, c.converters};
    for (size_t i = 0; i < counts.size(); ++i) counts[i]->i64.push_back(v[i]);
    const double dl = static_cast<double>(delivered);
    const double r[] = {c.revenue,
                        Ratio(dl, static_cast<double>(c.sent)),
                        Ratio(static_cast<double>(c.openers), dl),
                        Ratio(static_cast<double>(c.clickers), dl),
                        Ratio(static_cast<double>(c.clickers), static_cast<double>(c.openers)),
                        Ratio(static_cast<double>(c.unsubscribers), dl),
                        Ratio(static_cast<double>(c.converters), dl),
                        Ratio(c.revenue, dl)};
    for (size_t i = 0; i < rates.size(); ++i) rates[i]->f64.push_back(r[i]);
    unsent += c.sent == 0 && campaign != "(all)";
  }
  if (warnings != nullptr && unsent > 0)
    warnings->push_back(Cat(unsent, " campaigns have opens or clicks but no email_sent event: their rates are null"));
  return t;
}

// --- Surveys -----------------------------------------------------------------------------------------

void SurveyPartial::Merge(SurveyPartial&& o) {
  for (auto& [k, v] : o.cells) {
    auto& into = cells[k];
    for (size_t i = 0; i < 4; ++i) into[i] += v[i];
  }
}

absl::StatusOr<SurveyPartial> RunSurvey(const QueryData& d, int32_t begin, int32_t end, const SurveyOptions& o,
                                        const PeriodCalendar* cal, const std::vector<int32_t>* group) {
  const bool nps = o.kind == "nps";
  if (!nps && o.kind != "csat") return absl::InvalidArgumentError(Cat("survey kind must be nps or csat, got '", o.kind, "'"));
  if (!(o.confidence > 0 && o.confidence < 1))
    return absl::InvalidArgumentError(Cat("survey: confidence must be in (0, 1), got ", o.confidence));
  const std::string type = o.event.empty() ? (nps ? "nps_response" : "csat_response") : o.event;
  const int32_t code = TypeCode(*d.event_dict, type);
  const EventColumns& ev = *d.events;
  const Column* score = ev.Find(o.score_column);
  SurveyPartial out;
  if (code < 0) return out;
  if (score == nullptr || (score->type != ColumnType::kInt64 && score->type != ColumnType::kDouble))
    return absl::InvalidArgumentError(Cat("survey: the events have no numeric column '", o.score_column, "'"));
  const double lo = nps ? 0 : 1, hi = nps ? 10 : 5;
  for (int32_t p = begin; p < end; ++p) {
    const int32_t g = group != nullptr ? (*group)[static_cast<size_t>(p)] : kNullCode;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      if (ev.type[r] != code) continue;
      const double s = score->IsNull(r) ? std::nan("")
                       : score->type == ColumnType::kInt64 ? static_cast<double>(score->i64[r]) : score->f64[r];
      auto& cell = out.cells[{g, cal != nullptr ? cal->Of(ev.ts[r]) : 0}];
      if (!(s >= lo && s <= hi)) ++cell[3];
      else if (nps) ++cell[s >= 9 ? 0 : s >= 7 ? 1 : 2];
      else ++cell[s >= 4 ? 0 : 1];
    }
  }
  return out;
}

Table FinishSurvey(const SurveyOptions& o, const PeriodCalendar* cal, SurveyPartial&& all,
                   const StringDictionary* group_names, std::vector<std::string>* warnings) {
  const bool nps = o.kind == "nps";
  const double z = stats::NormalQuantile(0.5 + o.confidence / 2);
  Table t;
  kpis_internal::GroupPeriodColumns keys(t, group_names, cal);
  const auto cells = keys.Sorted(all.cells);
  Column& responses = t.Add("responses", ColumnType::kInt64);
  std::vector<Column*> counts;
  for (const char* n : nps ? std::vector<const char*>{"promoters", "passives", "detractors"} : std::vector<const char*>{"satisfied"})
    counts.push_back(&t.Add(n, ColumnType::kInt64));
  Column& score = t.Add(nps ? "nps" : "csat", ColumnType::kDouble);
  Column& low = t.Add(nps ? "nps_low" : "csat_low", ColumnType::kDouble);
  Column& high = t.Add(nps ? "nps_high" : "csat_high", ColumnType::kDouble);
  int64_t invalid = 0;
  for (const auto& [k, c] : cells) {
    invalid += c[3];
    keys.Append(k);
    const int64_t n = nps ? c[0] + c[1] + c[2] : c[0] + c[1];
    responses.i64.push_back(n);
    for (size_t i = 0; i < counts.size(); ++i) counts[i]->i64.push_back(c[nps ? i : 0]);
    const double dn = static_cast<double>(n);
    if (n == 0) {
      score.f64.push_back(std::nan("")), low.f64.push_back(std::nan("")), high.f64.push_back(std::nan(""));
      continue;
    }
    if (nps) {
      const double pp = static_cast<double>(c[0]) / dn, pd = static_cast<double>(c[2]) / dn;
      const double v = pp - pd, se = std::sqrt(std::max(0.0, pp + pd - v * v) / dn);
      score.f64.push_back(100 * v);
      low.f64.push_back(100 * std::max(-1.0, v - z * se)), high.f64.push_back(100 * std::min(1.0, v + z * se));
    } else {
      const ProportionInterval ci = WilsonInterval(c[0], n, o.confidence);
      score.f64.push_back(100 * static_cast<double>(c[0]) / dn);
      low.f64.push_back(100 * ci.low), high.f64.push_back(100 * ci.high);
    }
  }
  if (warnings != nullptr && invalid > 0)
    warnings->push_back(Cat(invalid, " responses have a missing score or one outside ", nps ? "0..10" : "1..5",
                            "; they are left out"));
  return t;
}

}  // namespace cdp
