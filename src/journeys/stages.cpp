// Journey stages: ordered stages entered by event rules; a profile's stage at a time is the
// furthest stage it has entered by then.
#include <algorithm>
#include <cmath>

#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::TypeCode;

std::vector<StageRule> DefaultStageModel() {
  return {{"awareness", "*", "", 1},
          {"consideration", "add_to_cart", "", 1},
          {"purchase", "purchase", "", 1},
          {"retention", "purchase", "", 2},
          {"advocacy", "nps_response", "score >= 9", 1}};
}

absl::StatusOr<std::vector<Micros>> StageEntries(const QueryData& d, int32_t begin, int32_t end,
                                                 const std::vector<StageRule>& model, const std::vector<Query>& conditions) {
  const EventColumns& ev = *d.events;
  const size_t s = model.size();
  std::vector<int32_t> type(s);
  for (size_t k = 0; k < s; ++k) type[k] = model[k].event == "*" ? -2 : TypeCode(*d.event_dict, model[k].event);
  std::vector<Micros> out(static_cast<size_t>(end - begin) * s, INT64_MIN);
  if (begin == end) return out;
  // Conditions evaluate over the whole range of rows at once.
  const int64_t rb = d.event_begin[begin], re = d.event_begin[end];
  std::vector<std::vector<uint8_t>> pass(s);
  for (size_t k = 0; k < s; ++k)
    if (k < conditions.size() && conditions[k].compiled())
      if (auto st = conditions[k].EvaluateEvents(d, rb, re, &pass[k]); !st.ok()) return st;
  std::vector<int32_t> seen(s);
  for (int32_t p = begin; p < end; ++p) {
    std::fill(seen.begin(), seen.end(), 0);
    Micros* entry = &out[static_cast<size_t>(p - begin) * s];
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      for (size_t k = 0; k < s; ++k) {
        if (entry[k] != INT64_MIN || type[k] == -1 || (type[k] >= 0 && ev.type[r] != type[k])) continue;
        if (!pass[k].empty() && !pass[k][static_cast<size_t>(row - rb)]) continue;
        if (++seen[k] >= model[k].min_count) entry[k] = ev.ts[r];
      }
    }
  }
  return out;
}

StageResult FinishStages(const std::vector<StageRule>& model, const std::vector<Micros>& entries,
                         const std::vector<Micros>& snapshots) {
  StageResult r;
  const size_t s = model.size();
  for (const StageRule& m : model) r.stages.push_back(m.name);
  const size_t n = s == 0 ? 0 : entries.size() / s;
  Table& t = r.profiles;
  Column& profile = t.Add("profile", ColumnType::kInt64);
  Column& current = t.Add("stage", ColumnType::kString);
  std::vector<Column*> at;
  for (const StageRule& m : model) at.push_back(&t.Add(Cat(m.name, "_at"), ColumnType::kInt64));
  std::vector<int32_t> codes;
  for (const StageRule& m : model) codes.push_back(t.dict->Intern(m.name));
  std::vector<int64_t> entered(s, 0), now(s, 0);
  std::vector<std::vector<double>> days(s);
  std::vector<int64_t> transitions((s + 1) * s, 0);  // from (s = none) x to
  std::vector<std::pair<Micros, size_t>> order;
  std::vector<std::vector<int64_t>> snap(snapshots.size(), std::vector<int64_t>(s, 0));
  for (size_t p = 0; p < n; ++p) {
    const Micros* e = &entries[p * s];
    // The furthest stage over time: each entry that goes further than every earlier one.
    order.clear();
    for (size_t k = 0; k < s; ++k)
      if (e[k] != INT64_MIN) order.emplace_back(e[k], k), ++entered[k];
    std::sort(order.begin(), order.end());
    size_t furthest = s;  // none
    Micros since = 0;
    for (const auto& [ts, k] : order) {
      if (furthest != s && k <= furthest) continue;
      transitions[furthest * s + k]++;
      if (furthest != s) days[furthest].push_back(static_cast<double>(ts - since) / static_cast<double>(kMicrosPerDay));
      furthest = k, since = ts;
    }
    profile.i64.push_back(static_cast<int64_t>(p));
    current.str.push_back(furthest == s ? kNullCode : codes[furthest]);
    if (furthest != s) ++now[furthest];
    for (size_t k = 0; k < s; ++k) at[k]->i64.push_back(e[k] == INT64_MIN ? kNullInt64 : e[k]);
    for (size_t q = 0; q < snapshots.size(); ++q) {
      size_t best = s;
      for (size_t k = 0; k < s; ++k)
        if (e[k] != INT64_MIN && e[k] <= snapshots[q]) best = k;
      if (best != s) ++snap[q][best];
    }
  }
  {
    Table& tr = r.transitions;
    Column& from = tr.Add("from", ColumnType::kString);
    Column& to = tr.Add("to", ColumnType::kString);
    Column& count = tr.Add("count", ColumnType::kInt64);
    for (size_t a = 0; a <= s; ++a)
      for (size_t b = 0; b < s; ++b)
        if (int64_t c = transitions[a * s + b]; c > 0) {
          tr.AppendString(from, a == s ? "(start)" : model[a].name);
          tr.AppendString(to, model[b].name);
          count.i64.push_back(c);
        }
  }
  {
    Table& sum = r.summary;
    Column& stage = sum.Add("stage", ColumnType::kString);
    Column& ent = sum.Add("entered", ColumnType::kInt64);
    Column& cur = sum.Add("current", ColumnType::kInt64);
    Column& share = sum.Add("share_current", ColumnType::kDouble);
    Column& med = sum.Add("median_days_in_stage", ColumnType::kDouble);
    for (size_t k = 0; k < s; ++k) {
      sum.AppendString(stage, model[k].name);
      ent.i64.push_back(entered[k]);
      cur.i64.push_back(now[k]);
      share.f64.push_back(n > 0 ? static_cast<double>(now[k]) / static_cast<double>(n) : NAN);
      std::vector<double>& v = days[k];
      double m = NAN;
      if (!v.empty()) {
        std::sort(v.begin(), v.end());
        m = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
      }
      med.f64.push_back(m);
    }
  }
  {
    Table& ot = r.over_time;
    Column& date = ot.Add("date", ColumnType::kInt64);
    Column& stage = ot.Add("stage", ColumnType::kString);
    Column& profiles = ot.Add("profiles", ColumnType::kInt64);
    for (size_t q = 0; q < snapshots.size(); ++q)
      for (size_t k = 0; k < s; ++k) {
        date.i64.push_back(snapshots[q]);
        ot.AppendString(stage, model[k].name);
        profiles.i64.push_back(snap[q][k]);
      }
  }
  return r;
}

}  // namespace cdp
