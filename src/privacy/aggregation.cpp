// Minimization of aggregates: the small-group threshold, Laplace noise for counts and the
// k-anonymity check of a release.
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "cdp/privacy.hpp"
#include "privacy/privacy_internal.hpp"

namespace cdp {

int64_t SuppressSmallGroups(Table& t, std::string_view count_column, int64_t k) {
  Column* count = t.Find(count_column);
  if (k <= 1 || count == nullptr || count->type != ColumnType::kInt64) return 0;
  const size_t n = t.rows();
  std::vector<int8_t> small(n, 0);
  int64_t suppressed = 0;
  for (size_t r = 0; r < n; ++r) small[r] = !count->IsNull(r) && count->i64[r] < k, suppressed += small[r];
  if (suppressed == 0) return 0;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    Column& col = t.columns[c];
    for (size_t r = 0; r < n; ++r) {
      if (!small[r]) continue;
      if (col.type == ColumnType::kDouble) col.f64[r] = std::nan("");
      if (col.type == ColumnType::kInt64 && (&col == count || !(t.names[c] == "period" || t.names[c] == "cohort" ||
                                                                  t.names[c] == "date" || t.names[c] == "offset")))
        col.i64[r] = kNullInt64;
    }
  }
  Column& flag = t.Add("suppressed", ColumnType::kBool);
  flag.b.assign(small.begin(), small.end());
  return suppressed;
}

double LaplaceNoisyCount(int64_t count, double epsilon) {
  privacy_internal::InitSodium();
  // u uniform in (-1/2, 1/2) from 53 random bits; Laplace(b) = -b sgn(u) ln(1 - 2|u|).
  uint64_t bits = 0;
  randombytes_buf(&bits, sizeof bits);
  const double u = (static_cast<double>(bits >> 11) + 0.5) / 9007199254740992.0 - 0.5;
  const double b = 1.0 / epsilon;
  return static_cast<double>(count) - b * (u < 0 ? -1.0 : 1.0) * std::log1p(-2 * std::abs(u));
}

KAnonymity CheckKAnonymity(const std::vector<std::vector<int64_t>>& q, int64_t k) {
  KAnonymity out;
  if (q.empty() || q.front().empty()) return out;
  const size_t n = q.front().size(), m = q.size();
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  auto less = [&](uint32_t a, uint32_t b) {
    for (size_t j = 0; j < m; ++j)
      if (q[j][a] != q[j][b]) return q[j][a] < q[j][b];
    return false;
  };
  std::sort(order.begin(), order.end(), less);
  out.k = INT64_MAX;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && !less(order[i], order[j])) ++j;
    const int64_t size = static_cast<int64_t>(j - i);
    ++out.classes;
    out.k = std::min(out.k, size);
    if (size < k) ++out.classes_below, out.rows_below += size;
    i = j;
  }
  return out;
}

}  // namespace cdp
