// Funnels: one kernel for ordered, strict and any-order funnels, counting profiles (best attempt)
// or totals (sequential attempts), with exclusions, breakdowns and a trend by entry period.
//
// Per block of whole profiles, every event row gets a bit mask of the steps and exclusions it
// matches (type codes through a lookup table, step conditions evaluated vectorized over the
// block). Per profile, the rows with a non-zero mask are gathered; for ordered funnels a backward
// pass builds next[k][i], the first later row (strictly later time) matching step k, so the
// greedy chain from every step-1 occurrence costs O(steps).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "cdp/ingest.hpp"
#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::TypeCode;

namespace {

constexpr int kMaxSteps = 32;
constexpr int kMaxExclusions = 32;
constexpr int64_t kBlockRows = 1 << 16;

absl::StatusOr<int32_t> ResolveType(const StringDictionary& dict, const QuerySchema& schema, std::string_view what,
                                    const std::string& event, std::vector<std::string>* warnings) {
  if (Strip(event).empty()) return absl::InvalidArgumentError(Cat("funnel: ", what, " has no event type"));
  if (std::find(schema.event_types.begin(), schema.event_types.end(), event) == schema.event_types.end()) {
    std::string near = NearestName(event, schema.event_types, std::max<int>(2, static_cast<int>(event.size()) / 3));
    return absl::InvalidArgumentError(Cat("funnel: ", what, ": unknown event type '", event, "'",
                                          near.empty() ? "" : Cat("; did you mean '", near, "'?")));
  }
  (void)warnings;
  return TypeCode(dict, event);
}

absl::StatusOr<Query> Condition(const std::string& where, const QuerySchema& schema, std::string_view what) {
  auto q = Query::CompileEventFilter(where, schema);
  if (!q.ok()) return PrefixStatus(q.status(), Cat("funnel: ", what, " condition: "));
  return q;
}

Micros PeriodStart(Micros t, int trend) {
  int64_t day = t / kMicrosPerDay - (t % kMicrosPerDay < 0);
  if (trend == 2) day -= ((day % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday: Monday is day - (day + 3) % 7
  return day * kMicrosPerDay;
}

std::string CellText(const EventColumns& ev, const StringDictionary& dict, int column, size_t row) {
  if (column == -1) return std::string(dict.Get(ev.type[row]));
  const Column& c = ev.columns[static_cast<size_t>(column)];
  if (c.IsNull(row)) return "(none)";
  switch (c.type) {
    case ColumnType::kString: return std::string(dict.Get(c.str[row]));
    case ColumnType::kInt64: return Cat(c.i64[row]);
    case ColumnType::kDouble: return ShortestDouble(c.f64[row]);
    case ColumnType::kBool: return c.b[row] ? "true" : "false";
  }
  return "";
}

// One attempt: steps reached and the time of each.
struct Attempt {
  int reached = 0;
  bool disqualified = false;
  Micros ends = 0;       // when the next attempt may start (totals)
  int64_t start_row = -1;
  int64_t second_row = -1;  // the event that matched step 2 (-1: none)
  Micros times[kMaxSteps];
};

class FunnelKernel {
 public:
  FunnelKernel(const FunnelPlan& plan, const QueryData& d) : p_(plan), d_(d), ev_(*d.events), k_(static_cast<int>(plan.labels.size())) {
    // Lookup tables end at the largest step/exclusion type code (not the dictionary's size).
    int32_t top = 0;
    for (int32_t c : plan.step_type) top = std::max(top, c);
    for (int32_t c : plan.exclusion_type) top = std::max(top, c);
    const size_t types = static_cast<size_t>(top) + 1;
    step_lut_.assign(types, 0);
    excl_lut_.assign(types, 0);
    for (int k = 0; k < k_; ++k)
      if (plan.step_type[static_cast<size_t>(k)] >= 0 && !plan.has_step_where[static_cast<size_t>(k)])
        step_lut_[static_cast<size_t>(plan.step_type[static_cast<size_t>(k)])] |= 1u << k;
    for (size_t x = 0; x < plan.exclusion_type.size(); ++x)
      if (plan.exclusion_type[x] >= 0 && !plan.has_exclusion_where[x]) excl_lut_[static_cast<size_t>(plan.exclusion_type[x])] |= 1u << x;
    // Profiles-count ordered/strict funnels without exclusions: a profile with no step-2 event
    // reaches step 1 from its first entry, with no chains to build.
    fast_single_ = plan.order != 2 && !plan.totals && plan.exclusion_type.empty();
    for (bool w : plan.has_step_where) with_where_ = with_where_ || w;
    for (bool w : plan.has_exclusion_where) with_where_ = with_where_ || w;
    out_.counts.assign(static_cast<size_t>(k_), 0);
    out_.from_previous.resize(static_cast<size_t>(k_));
    out_.from_first.resize(static_cast<size_t>(k_));
  }

  absl::StatusOr<FunnelPartial> Run(int32_t begin, int32_t end) {
    out_.first_profile = begin;
    out_.progress.assign(static_cast<size_t>(end - begin), 0);
    if (!with_where_) {  // masks straight from the type lookup tables
      for (int32_t p = begin; p < end; ++p) Profile(p);
      out_.breakdown.assign(breakdown_.begin(), breakdown_.end());
      out_.trend.assign(trend_.begin(), trend_.end());
      return std::move(out_);
    }
    int32_t p = begin;
    while (p < end) {  // blocks of whole profiles, about kBlockRows rows each
      int32_t q = p + 1;
      while (q < end && d_.event_begin[q + 1] - d_.event_begin[p] <= kBlockRows) ++q;
      if (auto st = Masks(d_.event_begin[p], d_.event_begin[q]); !st.ok()) return st;
      for (int32_t x = p; x < q; ++x) Profile(x);
      p = q;
    }
    out_.breakdown.assign(breakdown_.begin(), breakdown_.end());
    out_.trend.assign(trend_.begin(), trend_.end());
    return std::move(out_);
  }

 private:
  // step_/excl_ masks of rows [rb, re).
  absl::Status Masks(int64_t rb, int64_t re) {
    block_ = rb;
    const size_t n = static_cast<size_t>(re - rb);
    step_.resize(n);
    excl_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const size_t t = static_cast<size_t>(ev_.type[static_cast<size_t>(rb) + i]);
      step_[i] = t < step_lut_.size() ? step_lut_[t] : 0;
      excl_[i] = t < excl_lut_.size() ? excl_lut_[t] : 0;
    }
    auto with_where = [&](const Query& q, int32_t type, uint32_t bit, std::vector<uint32_t>& mask) -> absl::Status {
      if (type < 0) return absl::OkStatus();
      if (auto st = q.EvaluateEvents(d_, rb, re, &buf_); !st.ok()) return st;
      for (size_t i = 0; i < n; ++i)
        if (buf_[i] && ev_.type[static_cast<size_t>(rb) + i] == type) mask[i] |= bit;
      return absl::OkStatus();
    };
    for (int k = 0; k < k_; ++k)
      if (p_.has_step_where[static_cast<size_t>(k)])
        if (auto st = with_where(p_.step_where[static_cast<size_t>(k)], p_.step_type[static_cast<size_t>(k)], 1u << k, step_); !st.ok()) return st;
    for (size_t x = 0; x < p_.exclusion_type.size(); ++x)
      if (p_.has_exclusion_where[x])
        if (auto st = with_where(p_.exclusion_where[x], p_.exclusion_type[x], 1u << x, excl_); !st.ok()) return st;
    return absl::OkStatus();
  }

  // The first exclusion event (time) that voids or cuts attempt `a`; INT64_MAX when none.
  Micros ExclusionHit(const Attempt& a) const {
    Micros hit = INT64_MAX;
    const size_t nx = p_.exclusion_type.size();
    for (size_t x = 0; x < nx; ++x) {
      const FunnelExclusion& e = p_.options.exclusions[x];
      const int from = e.from_step - 1, to = (e.to_step == 0 ? k_ : e.to_step) - 1;
      if (a.reached <= from) continue;
      const Micros lo = a.times[from];
      const Micros hi = a.reached > to ? a.times[to] : a.times[0] + p_.options.window;  // open at a reached step
      const bool hi_inclusive = a.reached <= to;
      const std::vector<Micros>& ts = excl_ts_[x];
      auto it = std::upper_bound(ts.begin(), ts.end(), lo);
      if (it != ts.end() && (*it < hi || (hi_inclusive && *it == hi))) hit = std::min(hit, *it);
    }
    return hit;
  }

  // Applies exclusions to a chain: disqualify voids it, truncate keeps the steps before the hit.
  void Exclude(Attempt& a) const {
    if (p_.exclusion_type.empty()) return;
    const Micros hit = ExclusionHit(a);
    if (hit == INT64_MAX) return;
    if (p_.truncate) {
      int keep = 0;
      while (keep < a.reached && a.times[keep] < hit) ++keep;
      a.reached = keep;
    } else {
      a.disqualified = true;
    }
    a.ends = std::min(a.ends, hit);
  }

  // Ordered chain from relevant row i (greedy earliest next step).
  Attempt Ordered(size_t i) const {
    Attempt a;
    a.start_row = rel_row_[i];
    a.times[0] = rel_ts_[i];
    a.reached = 1;
    const size_t m = rel_len_;
    size_t j = i;
    for (int k = 1; k < k_; ++k) {
      const uint32_t nj = next_[static_cast<size_t>(k) * m + j];
      if (nj == UINT32_MAX || rel_ts_[nj] - a.times[0] > p_.options.window) break;
      j = nj;
      a.times[k] = rel_ts_[j];
      a.reached = k + 1;
      if (k == 1) a.second_row = rel_row_[j];
    }
    a.ends = a.reached == k_ ? a.times[k_ - 1] : a.times[0] + p_.options.window;
    Exclude(a);
    return a;
  }

  uint32_t StepMask(int64_t r) const {
    if (with_where_) return step_[static_cast<size_t>(r - block_)];
    const size_t t = static_cast<size_t>(ev_.type[static_cast<size_t>(r)]);
    return t < step_lut_.size() ? step_lut_[t] : 0;
  }

  // Strict chain from block row r: each next step is the very next event of the profile.
  Attempt Strict(int64_t r, int64_t profile_end) const {
    Attempt a;
    a.start_row = r;
    a.times[0] = ev_.ts[static_cast<size_t>(r)];
    a.reached = 1;
    for (int k = 1; k < k_; ++k) {
      const int64_t nr = r + k;
      if (nr >= profile_end) break;
      const Micros t = ev_.ts[static_cast<size_t>(nr)];
      if (!(StepMask(nr) >> k & 1u) || t <= a.times[k - 1] || t - a.times[0] > p_.options.window) break;
      a.times[k] = t;
      a.reached = k + 1;
      if (k == 1) a.second_row = nr;
    }
    a.ends = a.reached == k_ ? a.times[k_ - 1] : a.times[0] + p_.options.window;
    Exclude(a);
    return a;
  }

  // Any order from relevant row i: distinct steps matched in [t_i, t_i + window]; times[k] is
  // when the (k+1)-th distinct step was first matched.
  Attempt Any(size_t i) const {
    Attempt a;
    a.start_row = rel_row_[i];
    const Micros t0 = rel_ts_[i];
    uint32_t seen = 0;
    for (size_t j = i; j < rel_len_ && rel_ts_[j] - t0 <= p_.options.window; ++j) {
      uint32_t fresh = rel_mask_[j] & ~seen;
      while (fresh != 0 && a.reached < k_) {
        if (a.reached == 1) a.second_row = rel_row_[j];
        a.times[a.reached++] = rel_ts_[j];
        fresh &= fresh - 1;
      }
      seen |= rel_mask_[j];
      if (a.reached == k_) break;
    }
    a.ends = a.reached == k_ ? a.times[k_ - 1] : t0 + p_.options.window;
    Exclude(a);
    return a;
  }

  void Count(const Attempt& a, int32_t profile) {
    int8_t& prog = out_.progress[static_cast<size_t>(profile - out_.first_profile)];
    prog = static_cast<int8_t>(std::max<int>(prog, a.reached));
    for (int k = 0; k < a.reached; ++k) {
      ++out_.counts[static_cast<size_t>(k)];
      if (k > 0) {
        out_.from_previous[static_cast<size_t>(k)].push_back(a.times[k] - a.times[k - 1]);
        out_.from_first[static_cast<size_t>(k)].push_back(a.times[k] - a.times[0]);
      }
    }
    auto bump = [&](std::vector<int64_t>& v) {
      v.resize(static_cast<size_t>(k_), 0);
      for (int k = 0; k < a.reached; ++k) ++v[static_cast<size_t>(k)];
    };
    if (p_.breakdown_column != -2) bump(breakdown_[CellText(ev_, *d_.event_dict, p_.breakdown_column, static_cast<size_t>(a.start_row))]);
    if (p_.trend != 0) bump(trend_[PeriodStart(a.times[0], p_.trend)]);
  }

  void Profile(int32_t profile) {
    const int64_t r0 = d_.event_begin[profile], r1 = d_.event_begin[profile + 1];
    // Gather the rows that match a step or an exclusion (raw pointers: push_back would make the
    // compiler reload every member pointer per row).
    const size_t len = static_cast<size_t>(r1 - r0);
    if (rel_ts_.size() < len) rel_ts_.resize(len), rel_mask_.resize(len), rel_row_.resize(len);
    Micros* out_ts = rel_ts_.data();
    uint32_t* out_mask = rel_mask_.data();
    int64_t* out_row = rel_row_.data();
    size_t m = 0;
    uint32_t seen_bits = 0, seen_excl = 0;
    const Micros* ts = ev_.ts.data();
    const int32_t* type = ev_.type.data();
    const uint32_t* slut = step_lut_.data();
    const uint32_t* xlut = excl_lut_.data();
    const size_t nlut = step_lut_.size();
    const uint32_t* bstep = step_.data();
    const uint32_t* bexcl = excl_.data();
    for (int64_t r = r0; r < r1; ++r) {
      uint32_t step, excl;
      if (with_where_) {
        step = bstep[r - block_], excl = bexcl[r - block_];
      } else {
        const size_t t = static_cast<size_t>(type[r]);
        step = t < nlut ? slut[t] : 0, excl = t < nlut ? xlut[t] : 0;
      }
      out_ts[m] = ts[r], out_mask[m] = step, out_row[m] = r;
      m += step != 0;
      seen_bits |= step, seen_excl |= excl;
    }
    rel_len_ = m;
    for (auto& v : excl_ts_) v.clear();
    excl_ts_.resize(p_.exclusion_type.size());
    if (seen_excl != 0)  // a second pass only for profiles with exclusion events
      for (int64_t r = r0; r < r1; ++r) {
        const uint32_t excl = with_where_ ? bexcl[r - block_] : (static_cast<size_t>(type[r]) < nlut ? xlut[type[r]] : 0);
        for (uint32_t x = excl; x != 0; x &= x - 1) excl_ts_[static_cast<size_t>(__builtin_ctz(x))].push_back(ts[r]);
      }
    if (m == 0) return;
    if (fast_single_ && !(seen_bits & 2u)) {  // nothing matches step 2: the first entry is the best attempt
      for (size_t i = 0; i < m; ++i)
        if ((rel_mask_[i] & 1u) && rel_ts_[i] >= p_.options.since && rel_ts_[i] <= p_.options.until) {
          Attempt a;
          a.reached = 1, a.start_row = rel_row_[i], a.times[0] = rel_ts_[i];
          Count(a, profile);
          return;
        }
      return;
    }
    if (p_.order == 0) BuildNext();
    auto eligible_start = [&](size_t i) {
      if (p_.order == 2 ? rel_mask_[i] == 0 : !(rel_mask_[i] & 1u)) return false;
      return rel_ts_[i] >= p_.options.since && rel_ts_[i] <= p_.options.until;
    };
    auto attempt = [&](size_t i) {
      if (p_.order == 0) return Ordered(i);
      if (p_.order == 2) return Any(i);
      return Strict(rel_row_[i], r1);
    };
    if (p_.totals) {  // sequential attempts: the next one starts after this one ends
      Micros free_from = INT64_MIN;
      for (size_t i = 0; i < m; ++i) {
        if (!eligible_start(i) || rel_ts_[i] <= free_from) continue;
        Attempt a = attempt(i);
        free_from = a.ends;
        if (a.disqualified) ++out_.disqualified;
        else Count(a, profile);
      }
      return;
    }
    Attempt best;
    bool any = false, voided = false;
    for (size_t i = 0; i < m; ++i) {
      // Done: a complete attempt, and later starts cannot share its step-2 event.
      if (any && best.reached == k_ && (k_ == 1 || rel_ts_[i] >= best.times[1])) break;
      if (!eligible_start(i)) continue;
      Attempt a = attempt(i);
      if (a.disqualified) {
        voided = true;
        continue;
      }
      // The furthest attempt; among starts that lead to the same step-2 event, the latest (the
      // step-1 repeats before step 2 are one entry, timed from its last occurrence).
      if (!any || a.reached > best.reached || (a.reached == best.reached && a.second_row >= 0 && a.second_row == best.second_row))
        best = a, any = true;
    }
    if (any) Count(best, profile);
    else if (voided) ++out_.disqualified;
  }

  // next_[k * m + i]: the first relevant row after i with a strictly later time matching step k.
  void BuildNext() {
    const size_t m = rel_len_;
    next_.assign(static_cast<size_t>(k_) * m, UINT32_MAX);
    uint32_t nearest[kMaxSteps];
    std::fill(nearest, nearest + k_, UINT32_MAX);
    size_t i = m;
    while (i > 0) {
      size_t g = i;  // [g, i) is a group of equal times
      while (g > 0 && rel_ts_[g - 1] == rel_ts_[i - 1]) --g;
      for (size_t j = g; j < i; ++j)
        for (int k = 1; k < k_; ++k) next_[static_cast<size_t>(k) * m + j] = nearest[k];
      for (size_t j = i; j-- > g;)
        for (uint32_t bits = rel_mask_[j]; bits != 0; bits &= bits - 1) nearest[__builtin_ctz(bits)] = static_cast<uint32_t>(j);
      i = g;
    }
  }

  const FunnelPlan& p_;
  const QueryData& d_;
  const EventColumns& ev_;
  const int k_;
  std::vector<uint32_t> step_lut_, excl_lut_, step_, excl_, rel_mask_, next_;
  std::vector<uint8_t> buf_;
  std::vector<Micros> rel_ts_;
  std::vector<int64_t> rel_row_;
  size_t rel_len_ = 0;  // rows of rel_* in use (the vectors only grow)
  std::vector<std::vector<Micros>> excl_ts_;
  int64_t block_ = 0;
  bool with_where_ = false;  // step or exclusion conditions: masks per block
  bool fast_single_ = false;
  FunnelPartial out_;
  absl::flat_hash_map<std::string, std::vector<int64_t>> breakdown_;
  absl::flat_hash_map<Micros, std::vector<int64_t>> trend_;
};

double Median(std::vector<Micros>& v) {
  if (v.empty()) return NAN;
  const size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(h), v.end());
  const double hi = static_cast<double>(v[h]);
  if (v.size() % 2 == 1) return hi / 1e6;
  const double lo = static_cast<double>(*std::max_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(h)));
  return (lo + hi) / 2e6;
}

double Mean(const std::vector<Micros>& v) {
  if (v.empty()) return NAN;
  long double s = 0;
  for (Micros x : v) s += static_cast<long double>(x);
  return static_cast<double>(s / static_cast<long double>(v.size()) / 1e6L);
}

}  // namespace

absl::StatusOr<FunnelPlan> PlanFunnel(const FunnelOptions& o, const QuerySchema& schema, const StringDictionary& dict,
                                      const EventColumns& events) {
  FunnelPlan p;
  p.options = o;
  if (o.steps.empty()) return absl::InvalidArgumentError("funnel: the step list is empty; give at least one event type");
  if (o.steps.size() > kMaxSteps) return absl::InvalidArgumentError(Cat("funnel: at most ", kMaxSteps, " steps, got ", o.steps.size()));
  if (o.window <= 0) return absl::InvalidArgumentError(Cat("funnel: window must be positive, got ", o.window, " µs"));
  if (o.since > o.until) return absl::InvalidArgumentError("funnel: since is after until");
  if (o.order == "ordered") p.order = 0;
  else if (o.order == "strict") p.order = 1;
  else if (o.order == "any") p.order = 2;
  else return absl::InvalidArgumentError(Cat("funnel: order must be ordered, strict or any, got '", o.order, "'"));
  if (o.exclusion_mode == "truncate") p.truncate = true;
  else if (o.exclusion_mode != "disqualify")
    return absl::InvalidArgumentError(Cat("funnel: exclusion_mode must be disqualify or truncate, got '", o.exclusion_mode, "'"));
  if (o.count == "totals") p.totals = true;
  else if (o.count != "profiles") return absl::InvalidArgumentError(Cat("funnel: count must be profiles or totals, got '", o.count, "'"));
  if (o.trend == "day") p.trend = 1;
  else if (o.trend == "week") p.trend = 2;
  else if (!o.trend.empty()) return absl::InvalidArgumentError(Cat("funnel: trend must be day or week, got '", o.trend, "'"));
  if (o.exclusions.size() > kMaxExclusions)
    return absl::InvalidArgumentError(Cat("funnel: at most ", kMaxExclusions, " exclusions, got ", o.exclusions.size()));
  const int n = static_cast<int>(o.steps.size());
  for (int k = 0; k < n; ++k) {
    const FunnelStep& s = o.steps[static_cast<size_t>(k)];
    const std::string what = Cat("step ", k + 1);
    auto code = ResolveType(dict, schema, what, s.event, &p.warnings);
    if (!code.ok()) return code.status();
    p.step_type.push_back(*code);
    const bool has = !Strip(s.where).empty();
    p.has_step_where.push_back(has);
    if (has) {
      auto q = Condition(s.where, schema, what);
      if (!q.ok()) return q.status();
      p.step_where.push_back(*std::move(q));
    } else {
      p.step_where.emplace_back();
    }
    p.labels.push_back(!s.label.empty() ? s.label : has ? Cat(s.event, " (", s.where, ")") : s.event);
  }
  for (size_t x = 0; x < o.exclusions.size(); ++x) {
    const FunnelExclusion& e = o.exclusions[x];
    const std::string what = Cat("exclusion ", x + 1);
    auto code = ResolveType(dict, schema, what, e.event, &p.warnings);
    if (!code.ok()) return code.status();
    const int to = e.to_step == 0 ? n : e.to_step;
    if (e.from_step < 1 || e.from_step >= to || to > n)
      return absl::InvalidArgumentError(Cat("funnel: ", what, " ('", e.event, "') must lie between two steps: from_step ",
                                            e.from_step, ", to_step ", to, " with 1 <= from_step < to_step <= ", n));
    p.exclusion_type.push_back(*code);
    const bool has = !Strip(e.where).empty();
    p.has_exclusion_where.push_back(has);
    if (has) {
      auto q = Condition(e.where, schema, what);
      if (!q.ok()) return q.status();
      p.exclusion_where.push_back(*std::move(q));
    } else {
      p.exclusion_where.emplace_back();
    }
  }
  if (!o.breakdown.empty()) {
    if (o.breakdown == "type") {
      p.breakdown_column = -1;
    } else {
      p.breakdown_column = events.Index(o.breakdown);
      if (p.breakdown_column < 0) {
        std::vector<std::string> names;
        for (const auto& f : schema.event_fields) names.push_back(f.name);
        std::string near = NearestName(o.breakdown, names, std::max<int>(2, static_cast<int>(o.breakdown.size()) / 3));
        return absl::InvalidArgumentError(Cat("funnel: breakdown: unknown event field '", o.breakdown, "'",
                                              near.empty() ? "" : Cat("; did you mean '", near, "'?")));
      }
    }
  }
  return p;
}

void FunnelPartial::Merge(FunnelPartial&& o) {
  if (counts.empty()) {
    *this = std::move(o);
    return;
  }
  for (size_t k = 0; k < counts.size(); ++k) {
    counts[k] += o.counts[k];
    from_previous[k].insert(from_previous[k].end(), o.from_previous[k].begin(), o.from_previous[k].end());
    from_first[k].insert(from_first[k].end(), o.from_first[k].begin(), o.from_first[k].end());
  }
  progress.insert(progress.end(), o.progress.begin(), o.progress.end());
  disqualified += o.disqualified;
  auto merge = [](auto& into, auto& from) {
    for (auto& [key, v] : from) {
      auto it = std::find_if(into.begin(), into.end(), [&](const auto& e) { return e.first == key; });
      if (it == into.end()) {
        into.emplace_back(key, std::move(v));
      } else {
        for (size_t k = 0; k < v.size(); ++k) it->second[k] += v[k];
      }
    }
  };
  merge(breakdown, o.breakdown);
  merge(trend, o.trend);
}

absl::StatusOr<FunnelPartial> RunFunnel(const FunnelPlan& plan, const QueryData& data, int32_t begin, int32_t end) {
  if (begin < 0 || end < begin || end > data.profiles)
    return absl::InvalidArgumentError(Cat("funnel: profile range [", begin, ", ", end, ") is outside 0..", data.profiles));
  FunnelKernel kernel(plan, data);
  return kernel.Run(begin, end);
}

FunnelResult FinishFunnel(const FunnelPlan& plan, FunnelPartial&& all) {
  FunnelResult r;
  const size_t k = plan.labels.size();
  r.steps = plan.labels;
  r.counts = all.counts;
  r.counts.resize(k, 0);
  r.progress = std::move(all.progress);
  r.disqualified = all.disqualified;
  r.count = plan.options.count;
  r.warnings = plan.warnings;
  all.from_previous.resize(k), all.from_first.resize(k);
  auto ratio = [](int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : NAN; };
  for (size_t s = 0; s < k; ++s) {
    r.conversion_from_previous.push_back(s == 0 ? ratio(r.counts[0], r.counts[0]) : ratio(r.counts[s], r.counts[s - 1]));
    r.conversion_from_first.push_back(ratio(r.counts[s], r.counts[0]));
    r.median_from_previous_s.push_back(s == 0 ? NAN : Median(all.from_previous[s]));
    r.mean_from_previous_s.push_back(s == 0 ? NAN : Mean(all.from_previous[s]));
    r.median_from_first_s.push_back(s == 0 ? NAN : Median(all.from_first[s]));
    r.mean_from_first_s.push_back(s == 0 ? NAN : Mean(all.from_first[s]));
  }
  Table& t = r.steps_table;
  Column& step = t.Add("step", ColumnType::kInt64);
  Column& label = t.Add("label", ColumnType::kString);
  Column& count = t.Add("count", ColumnType::kInt64);
  Column* d[6];
  const char* names[6] = {"conversion_from_previous", "conversion_from_first", "median_s_from_previous",
                          "mean_s_from_previous",     "median_s_from_first",   "mean_s_from_first"};
  const std::vector<double>* src[6] = {&r.conversion_from_previous, &r.conversion_from_first, &r.median_from_previous_s,
                                       &r.mean_from_previous_s,     &r.median_from_first_s,   &r.mean_from_first_s};
  for (int c = 0; c < 6; ++c) d[c] = &t.Add(names[c], ColumnType::kDouble);
  for (size_t s = 0; s < k; ++s) {
    step.i64.push_back(static_cast<int64_t>(s) + 1);
    t.AppendString(label, r.steps[s]);
    count.i64.push_back(r.counts[s]);
    for (int c = 0; c < 6; ++c) d[c]->f64.push_back((*src[c])[s]);
  }
  // Breakdown and trend tables: one row per (key, step).
  auto long_table = [&](Table& out, const char* key_name, ColumnType key_type, auto& rows, auto put_key) {
    Column& key = out.Add(key_name, key_type);
    Column& st = out.Add("step", ColumnType::kInt64);
    Column& n = out.Add("count", ColumnType::kInt64);
    Column& conv = out.Add("conversion_from_first", ColumnType::kDouble);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [value, counts] : rows) {
      counts.resize(k, 0);
      for (size_t s = 0; s < k; ++s) {
        put_key(out, key, value);
        st.i64.push_back(static_cast<int64_t>(s) + 1);
        n.i64.push_back(counts[s]);
        conv.f64.push_back(ratio(counts[s], counts[0]));
      }
    }
  };
  if (plan.breakdown_column != -2)
    long_table(r.breakdown_table, "value", ColumnType::kString, all.breakdown,
               [](Table& out, Column& c, const std::string& v) { out.AppendString(c, v); });
  if (plan.trend != 0)
    long_table(r.trend_table, "period", ColumnType::kInt64, all.trend, [](Table&, Column& c, Micros v) { c.i64.push_back(v); });
  return r;
}

std::vector<int32_t> FunnelResult::DropOff(int step) const {
  std::vector<int32_t> out;
  for (size_t p = 0; p < progress.size(); ++p)
    if (progress[p] == step) out.push_back(static_cast<int32_t>(p));
  return out;
}

}  // namespace cdp
