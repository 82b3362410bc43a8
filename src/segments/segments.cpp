// Segment set operations, overlap, and RFM.
#include "cdp/segments.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

#include "absl/container/flat_hash_set.h"
#include "core/strings.hpp"

namespace cdp {

std::vector<int32_t> SegmentUnion(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  std::vector<int32_t> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<int32_t> SegmentIntersection(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  std::vector<int32_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<int32_t> SegmentDifference(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  std::vector<int32_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

namespace {
size_t IntersectionSize(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t n = 0;
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
    if (*i < *j) ++i;
    else if (*j < *i) ++j;
    else ++n, ++i, ++j;
  }
  return n;
}
}  // namespace

double Jaccard(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  const size_t both = IntersectionSize(a, b);
  const size_t any = a.size() + b.size() - both;
  return any == 0 ? 1.0 : static_cast<double>(both) / static_cast<double>(any);
}

Table OverlapTable(const std::vector<SegmentResult>& segments) {
  Table t;
  Column& sa = t.Add("segment_a", ColumnType::kString);
  Column& sb = t.Add("segment_b", ColumnType::kString);
  Column& na = t.Add("size_a", ColumnType::kInt64);
  Column& nb = t.Add("size_b", ColumnType::kInt64);
  Column& both = t.Add("both", ColumnType::kInt64);
  Column& jac = t.Add("jaccard", ColumnType::kDouble);
  Column& share = t.Add("share_of_a", ColumnType::kDouble);
  for (const SegmentResult& a : segments)
    for (const SegmentResult& b : segments) {
      const size_t k = IntersectionSize(a.members, b.members);
      t.AppendString(sa, a.name), t.AppendString(sb, b.name);
      na.i64.push_back(static_cast<int64_t>(a.members.size()));
      nb.i64.push_back(static_cast<int64_t>(b.members.size()));
      both.i64.push_back(static_cast<int64_t>(k));
      const size_t any = a.members.size() + b.members.size() - k;
      jac.f64.push_back(any == 0 ? 1.0 : static_cast<double>(k) / static_cast<double>(any));
      share.f64.push_back(a.members.empty() ? NAN : static_cast<double>(k) / static_cast<double>(a.members.size()));
    }
  return t;
}

// ---------------------------------------------------------------------------------------------
// RFM

namespace {
constexpr std::string_view kNames[] = {"Champions", "Loyal", "Potential loyalist", "New", "Promising",
                                       "Need attention", "About to sleep", "At risk", "Can't lose them",
                                       "Hibernating", "Lost"};
int64_t FloorDays(Micros t) { return t >= 0 ? t / kMicrosPerDay : -((-t + kMicrosPerDay - 1) / kMicrosPerDay); }
enum Seg { kChampions, kLoyal, kPotential, kNew, kPromising, kAttention, kSleep, kRisk, kCantLose, kHibernating, kLost };
// kMap[r - 1][fm - 1]
constexpr Seg kMap[5][5] = {
    /* r=1 */ {kLost, kLost, kRisk, kCantLose, kCantLose},
    /* r=2 */ {kHibernating, kHibernating, kRisk, kRisk, kCantLose},
    /* r=3 */ {kSleep, kAttention, kAttention, kLoyal, kLoyal},
    /* r=4 */ {kPromising, kPotential, kPotential, kLoyal, kChampions},
    /* r=5 */ {kNew, kPotential, kPotential, kChampions, kChampions}};
}  // namespace

std::string_view RfmSegmentName(int r, int f, int m) {
  const int fm = (f + m + 1) / 2;  // round half up
  if (r < 1 || r > 5 || fm < 1 || fm > 5) return "";
  return kNames[kMap[r - 1][fm - 1]];
}

const std::vector<std::string_view>& RfmSegmentNames() {
  static const std::vector<std::string_view> names(std::begin(kNames), std::end(kNames));
  return names;
}

std::vector<int8_t> RankScores(const std::vector<double>& values, int bins, bool higher_is_better) {
  const size_t n = values.size();
  std::vector<double> sorted(values);
  std::sort(sorted.begin(), sorted.end());
  std::vector<int8_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    // worse = customers strictly worse than this one.
    size_t worse;
    if (higher_is_better) worse = static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin());
    else worse = n - static_cast<size_t>(std::upper_bound(sorted.begin(), sorted.end(), values[i]) - sorted.begin());
    out[i] = static_cast<int8_t>(1 + (static_cast<size_t>(bins) * worse) / n);
  }
  return out;
}

absl::StatusOr<RfmResult> ComputeRfm(const EventColumns& ev, const StringDictionary& dict, const int64_t* event_begin,
                                     int32_t profiles, const RfmOptions& o) {
  if (o.bins < 2 || o.bins > 100) return absl::InvalidArgumentError(Cat("rfm: bins must be 2..100, got ", o.bins));
  if (o.purchase_types.empty()) return absl::InvalidArgumentError("rfm: purchase_types is empty");
  std::vector<int32_t> codes;
  for (const std::string& t : o.purchase_types)
    if (auto c = dict.Find(t)) codes.push_back(*c);
  const Column* order = o.order_field.empty() ? nullptr : ev.Find(o.order_field);
  RfmResult res;
  std::vector<Micros> last;
  absl::flat_hash_set<int64_t> orders;
  Micros latest = INT64_MIN;
  for (int32_t p = 0; p < profiles; ++p) {
    int64_t events = 0, unkeyed = 0;
    double money = 0;
    Micros t_last = INT64_MIN;
    orders.clear();
    for (int64_t r = event_begin[p]; r < event_begin[p + 1]; ++r) {
      const size_t row = static_cast<size_t>(r);
      if (std::find(codes.begin(), codes.end(), ev.type[row]) == codes.end()) continue;
      ++events;
      if (!std::isnan(ev.revenue[row])) money += ev.revenue[row];
      t_last = std::max(t_last, ev.ts[row]);
      if (order == nullptr || order->IsNull(row)) {
        ++unkeyed;
        continue;
      }
      switch (order->type) {
        case ColumnType::kString: orders.insert(order->str[row]); break;
        case ColumnType::kInt64: orders.insert(order->i64[row]); break;
        case ColumnType::kDouble: orders.insert(std::bit_cast<int64_t>(order->f64[row])); break;
        case ColumnType::kBool: orders.insert(order->b[row]); break;
      }
    }
    if (events == 0) continue;
    res.profile.push_back(p);
    res.frequency.push_back(static_cast<int64_t>(orders.size()) + unkeyed);
    res.monetary.push_back(money);
    last.push_back(t_last);
    latest = std::max(latest, t_last);
  }
  if (o.reference != INT64_MIN) res.reference = o.reference;
  else if (latest != INT64_MIN) res.reference = (FloorDays(latest) + 1) * kMicrosPerDay;
  const size_t n = res.profile.size();
  res.recency.resize(n);
  for (size_t i = 0; i < n; ++i) {
    res.recency[i] = static_cast<double>(FloorDays(res.reference - last[i]));
  }
  if (n == 0) return res;
  std::vector<double> freq(res.frequency.begin(), res.frequency.end());
  res.r = RankScores(res.recency, o.bins, false);
  res.f = RankScores(freq, o.bins, true);
  res.m = RankScores(res.monetary, o.bins, true);
  res.segment.resize(n);
  if (o.bins == 5)
    for (size_t i = 0; i < n; ++i) res.segment[i] = RfmSegmentName(res.r[i], res.f[i], res.m[i]);
  return res;
}

}  // namespace cdp
