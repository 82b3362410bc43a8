// Per-customer RFM summary from a transaction log (lifetimes' summary_data_from_transaction_data
// and calibration_and_holdout_data): one radix sort on a packed (customer, holdout flag, period)
// key, then one pass.
#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <utility>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "absl/container/flat_hash_map.h"
#include "core/strings.hpp"
#include "metrics/clv_internal.hpp"

namespace cdp {

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil_from_days: year and month of a day count.
void CivilFromDays(int64_t z, int64_t* y, int64_t* m) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

// Period ordinals (pandas' to_period) of timestamps in one unit, and distances between periods.
// The unit is a template argument so the divisions by a day or an hour compile to multiplications.
template <int64_t kTicksPerSecond>
class Periods {
 public:
  explicit Periods(ClvPeriod period) : period_(period) {}

  int64_t Ordinal(int64_t ts) {
    switch (period_) {
      case ClvPeriod::kHour: return FloorDiv(ts, hour_);
      case ClvPeriod::kDay: return FloorDiv(ts, day_);
      case ClvPeriod::kWeek: return FloorDiv(FloorDiv(ts, day_) + 3, 7);  // weeks Monday..Sunday (1970-01-01 is a Thursday)
      default: break;
    }
    const int64_t day = FloorDiv(ts, day_);
    if (day != cached_day_) {
      int64_t y = 0, m = 0;
      CivilFromDays(day, &y, &m);
      cached_day_ = day;
      cached_ordinal_ = period_ == ClvPeriod::kMonth ? (y - 1970) * 12 + (m - 1) : y - 1970;
    }
    return cached_ordinal_;
  }

  // First day (days since the epoch) of a period.
  int64_t StartDay(int64_t ordinal) const {
    switch (period_) {
      case ClvPeriod::kHour: return FloorDiv(ordinal, 24);
      case ClvPeriod::kDay: return ordinal;
      case ClvPeriod::kWeek: return 7 * ordinal - 3;
      case ClvPeriod::kMonth: return DaysFromCivil(1970 + FloorDiv(ordinal, 12), static_cast<unsigned>(ordinal - 12 * FloorDiv(ordinal, 12) + 1), 1);
      case ClvPeriod::kYear: return DaysFromCivil(1970 + ordinal, 1, 1);
    }
    return 0;
  }

  // Last tick of a period: transactions up to it fall in the period or earlier.
  int64_t LastTick(int64_t ordinal) const {
    if (period_ == ClvPeriod::kHour) return (ordinal + 1) * hour_ - 1;
    return StartDay(ordinal + 1) * day_ - 1;
  }

  // (start of `to` - start of `from`) in periods: whole periods for H/D/W, days / 30.436875 or
  // / 365.2425 for M/Y (lifetimes divides by numpy's timedelta64(1, 'M' / 'Y')).
  double Between(int64_t from, int64_t to) const {
    switch (period_) {
      case ClvPeriod::kMonth: return static_cast<double>(StartDay(to) - StartDay(from)) / 30.436875;
      case ClvPeriod::kYear: return static_cast<double>(StartDay(to) - StartDay(from)) / 365.2425;
      default: return static_cast<double>(to - from);
    }
  }

 private:
  static constexpr int64_t day_ = 86400 * kTicksPerSecond, hour_ = 3600 * kTicksPerSecond;
  ClvPeriod period_;
  int64_t cached_day_ = std::numeric_limits<int64_t>::min(), cached_ordinal_ = 0;
};

struct Record {
  uint64_t key;
  double amount;
};

// The records of one summary, uninitialized, in transparent huge pages where the kernel offers
// them on request: page faults of 4 KiB pages otherwise cost as much as the sort on some VMs.
class RecordBuffer {
 public:
  explicit RecordBuffer(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = std::max<size_t>((n * sizeof(Record) + kHuge - 1) / kHuge * kHuge, kHuge);
    data_ = static_cast<Record*>(std::aligned_alloc(kHuge, bytes));
#ifdef MADV_HUGEPAGE
    if (data_ != nullptr) madvise(data_, bytes, MADV_HUGEPAGE);
#endif
  }
  bool ok() const { return data_ != nullptr; }
  ~RecordBuffer() { std::free(data_); }
  RecordBuffer(const RecordBuffer&) = delete;
  RecordBuffer& operator=(const RecordBuffer&) = delete;
  Record& operator[](size_t i) { return data_[i]; }
  Record* data() { return data_; }

 private:
  Record* data_ = nullptr;
};

// Sorts n records by the low `bits` bits of the key: LSD radix, 8 bits per pass (passes whose
// digit is constant are skipped), through `scratch`. Called on cache-sized groups.
void SortLow(Record* v, size_t n, int bits, std::vector<Record>& scratch) {
  if (n < 2 || bits == 0) return;
  if (n <= 32) {
    std::sort(v, v + n, [](const Record& a, const Record& b) { return a.key < b.key; });
    return;
  }
  if (scratch.size() < n) scratch.resize(n);
  Record* src = v;
  Record* dst = scratch.data();
  for (int shift = 0; shift < bits; shift += 8) {
    std::array<size_t, 256> count{};
    for (size_t i = 0; i < n; ++i) ++count[(src[i].key >> shift) & 255];
    if (std::count(count.begin(), count.end(), n) == 1) continue;
    size_t sum = 0;
    for (size_t& c : count) sum += std::exchange(c, sum);
    for (size_t i = 0; i < n; ++i) dst[count[(src[i].key >> shift) & 255]++] = src[i];
    std::swap(src, dst);
  }
  if (src != v) std::copy(src, src + n, v);
}

// Micros <-> ticks of the timestamp unit.
int64_t ToTicks(Micros us, int64_t tps) { return tps >= 1'000'000 ? us * (tps / 1'000'000) : FloorDiv(us, 1'000'000 / tps); }
Micros FromTicks(int64_t t, int64_t tps) { return tps >= 1'000'000 ? FloorDiv(t, tps / 1'000'000) : t * (1'000'000 / tps); }

}  // namespace

absl::StatusOr<ClvPeriod> ParseClvPeriod(std::string_view freq) {
  std::string s;
  for (char c : freq) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s == "h" || s == "hour" || s == "hours") return ClvPeriod::kHour;
  if (s == "d" || s == "day" || s == "days") return ClvPeriod::kDay;
  if (s == "w" || s == "week" || s == "weeks" || s == "w-sun") return ClvPeriod::kWeek;
  if (s == "m" || s == "month" || s == "months") return ClvPeriod::kMonth;
  if (s == "y" || s == "a" || s == "year" || s == "years") return ClvPeriod::kYear;
  return absl::InvalidArgumentError(Cat("summary: unknown freq \"", freq, "\" (H, D, W, M or Y)"));
}

namespace {

template <int64_t kTps>
absl::StatusOr<TransactionSummary> Summarize(std::span<const int64_t> customer, std::span<const int64_t> ts,
                                             std::span<const double> amount, const TransactionSummaryOptions& o) {
  constexpr int64_t tps = kTps;
  const size_t n = customer.size();
  if (ts.size() != n)
    return absl::InvalidArgumentError(Cat("summary: customer has ", n, " values but timestamps has ", ts.size()));
  if (!amount.empty() && amount.size() != n)
    return absl::InvalidArgumentError(Cat("summary: customer has ", n, " values but amount has ", amount.size()));
  if (n == 0) return absl::InvalidArgumentError("summary: no transactions (the data are empty)");
  if (!(o.period_multiplier > 0) || !std::isfinite(o.period_multiplier))
    return absl::InvalidArgumentError(Cat("summary: period_multiplier must be finite and > 0, got ", o.period_multiplier));
  const bool has_amount = !amount.empty();
  const bool split = o.calibration_end.has_value();
  Periods<kTps> periods(o.period);
  TransactionSummary out;
  out.rows = static_cast<int64_t>(n);
  out.has_holdout = split;
  const int64_t obs_end = o.observation_end ? ToTicks(*o.observation_end, tps) : *std::max_element(ts.begin(), ts.end());
  const int64_t cal_end = split ? ToTicks(*o.calibration_end, tps) : obs_end;
  if (split && cal_end >= obs_end)
    return absl::InvalidArgumentError(Cat("summary: calibration_end (", FormatTimestamp(FromTicks(cal_end, tps)),
                                          ") must be before observation_end (", FormatTimestamp(FromTicks(obs_end, tps)), ")"));
  out.observation_end = FromTicks(obs_end, tps);
  out.calibration_end = FromTicks(cal_end, tps);
  const int64_t p_obs = periods.Ordinal(obs_end), p_cal = periods.Ordinal(cal_end);
  // Without a split, lifetimes keeps every transaction in the period of observation_end.
  const int64_t keep_limit = split ? obs_end : periods.LastTick(p_obs);
  // Pass 1: bounds of the kept rows.
  int64_t cmin = std::numeric_limits<int64_t>::max(), cmax = std::numeric_limits<int64_t>::min();
  int64_t tmin = cmin, tmax = cmax, holdout_rows = 0;
  size_t kept = 0, last_kept = 0;
  bool sorted = true;  // by customer, then time: the keys come out in order
  for (size_t i = 0; i < n; ++i) {
    if (ts[i] > keep_limit) continue;
    if (has_amount && !std::isfinite(amount[i]))
      return absl::InvalidArgumentError(Cat("summary: amount at row ", i, " is not finite (", amount[i], ")"));
    if (kept > 0)
      sorted = sorted && (customer[i] > customer[last_kept] || (customer[i] == customer[last_kept] && ts[i] >= ts[last_kept]));
    last_kept = i;
    cmin = std::min(cmin, customer[i]), cmax = std::max(cmax, customer[i]);
    tmin = std::min(tmin, ts[i]), tmax = std::max(tmax, ts[i]);
    holdout_rows += ts[i] > cal_end;
    ++kept;
  }
  out.rows_after_end = static_cast<int64_t>(n - kept);
  if (kept == 0)
    return absl::InvalidArgumentError(Cat("summary: no transactions at or before observation_end (",
                                          FormatTimestamp(out.observation_end), ")"));
  if (split && holdout_rows == 0)
    return absl::InvalidArgumentError("summary: no transactions between calibration_end and observation_end (an empty holdout)");
  // Key: customer | holdout flag | period, packed into the fewest bits.
  const int64_t pmin = periods.Ordinal(tmin);
  const int pbits = std::bit_width(static_cast<uint64_t>(periods.Ordinal(tmax) - pmin));
  const int hbits = split ? 1 : 0;
  int cbits = std::bit_width(static_cast<uint64_t>(cmax) - static_cast<uint64_t>(cmin));
  std::vector<int64_t> uniques;  // only when the customer range does not fit: ranks instead of offsets
  absl::flat_hash_map<int64_t, uint64_t> rank;
  if (cbits + pbits + hbits > 64) {
    for (size_t i = 0; i < n; ++i)
      if (ts[i] <= keep_limit) uniques.push_back(customer[i]);
    std::sort(uniques.begin(), uniques.end());
    uniques.erase(std::unique(uniques.begin(), uniques.end()), uniques.end());
    for (size_t r = 0; r < uniques.size(); ++r) rank[uniques[r]] = r;
    cbits = std::bit_width(uniques.size());
  }
  const int shift = pbits + hbits;
  auto offset = [&](size_t i) -> uint64_t {
    return uniques.empty() ? static_cast<uint64_t>(customer[i]) - static_cast<uint64_t>(cmin) : rank[customer[i]];
  };
  auto make = [&](size_t i) -> Record {
    const uint64_t h = split && ts[i] > cal_end ? 1 : 0;
    const uint64_t p = static_cast<uint64_t>(periods.Ordinal(ts[i]) - pmin);
    return {(offset(i) << shift) | (h << pbits) | p, has_amount ? amount[i] : 0.0};
  };
  // Records land grouped by the customer's top bits (a counting sort: one scatter), then each
  // cache-sized group is sorted on the remaining bits. Sorted input is copied as it is.
  RecordBuffer rec(kept);
  if (!rec.ok()) return absl::ResourceExhaustedError(Cat("summary: cannot allocate ", kept * sizeof(Record) >> 20, " MiB for the sort"));
  if (sorted) {
    for (size_t i = 0, k = 0; i < n; ++i)
      if (ts[i] <= keep_limit) rec[k++] = make(i);
  } else {
    const int top = std::min(cbits, 8), low = cbits - top + shift;
    std::vector<size_t> next((size_t{1} << top) + 1, 0);
    for (size_t i = 0; i < n; ++i)
      if (ts[i] <= keep_limit) ++next[(offset(i) >> (cbits - top)) + 1];
    std::partial_sum(next.begin(), next.end(), next.begin());
    const std::vector<size_t> bounds = next;
    for (size_t i = 0; i < n; ++i) {
      if (ts[i] > keep_limit) continue;
      const Record r = make(i);
      rec[next[r.key >> low]++] = r;
    }
    std::vector<Record> scratch;
    for (size_t b = 0; b + 1 < bounds.size(); ++b) SortLow(rec.data() + bounds[b], bounds[b + 1] - bounds[b], low, scratch);
  }
  // One pass: customers, then their calibration periods, then their holdout periods.
  const uint64_t pmask = pbits == 64 ? ~uint64_t{0} : (uint64_t{1} << pbits) - 1;
  const double mult = o.period_multiplier;
  const int64_t p_end = split ? p_cal : p_obs;
  size_t customers = kept > 0 ? 1 : 0;
  for (size_t i = 1; i < kept; ++i) customers += (rec[i].key >> shift) != (rec[i - 1].key >> shift);
  for (auto* v : {&out.frequency, &out.recency, &out.T}) v->reserve(customers);
  out.customer.reserve(customers);
  if (has_amount) out.monetary.reserve(customers);
  if (split) out.frequency_holdout.reserve(customers), out.monetary_holdout.reserve(has_amount ? customers : 0);
  for (size_t i = 0; i < kept;) {
    const uint64_t cust = rec[i].key >> shift;
    size_t j = i;
    int64_t periods_seen = 0, first = 0, last = 0, repeats = 0;
    double first_sum = 0, repeat_sum = 0;
    while (j < kept && (rec[j].key >> shift) == cust && ((rec[j].key >> pbits) & 1) * hbits == 0) {
      const uint64_t key = rec[j].key;
      double sum = 0;
      for (; j < kept && rec[j].key == key; ++j) sum += rec[j].amount;
      const int64_t p = static_cast<int64_t>(key & pmask) + pmin;
      if (periods_seen++ == 0) first = p, first_sum = sum;
      else repeat_sum += sum, ++repeats;
      last = p;
    }
    int64_t holdout_periods = 0, holdout_count = 0;
    double holdout_sum = 0;
    while (j < kept && (rec[j].key >> shift) == cust) {
      const uint64_t key = rec[j].key;
      for (; j < kept && rec[j].key == key; ++j) holdout_sum += rec[j].amount, ++holdout_count;
      ++holdout_periods;
    }
    if (periods_seen == 0) {  // first purchase in the holdout: not a calibration customer
      out.rows_holdout_only += holdout_count;
      i = j;
      continue;
    }
    out.rows_used += static_cast<int64_t>(j - i);
    out.customer.push_back(uniques.empty() ? static_cast<int64_t>(cust + static_cast<uint64_t>(cmin)) : uniques[cust]);
    out.frequency.push_back(static_cast<double>(o.include_first_transaction ? periods_seen : periods_seen - 1));
    out.recency.push_back(periods.Between(first, last) / mult);
    out.T.push_back(periods.Between(first, p_end) / mult);
    if (has_amount)
      out.monetary.push_back(o.include_first_transaction ? (first_sum + repeat_sum) / static_cast<double>(periods_seen)
                                                         : (repeats > 0 ? repeat_sum / static_cast<double>(repeats) : 0.0));
    if (split) {
      out.frequency_holdout.push_back(static_cast<double>(holdout_periods));
      if (has_amount) out.monetary_holdout.push_back(holdout_count > 0 ? holdout_sum / static_cast<double>(holdout_count) : 0.0);
    }
    i = j;
  }
  if (split) out.duration_holdout = static_cast<double>(p_obs - p_cal) / mult;
  return out;
}

}  // namespace

absl::StatusOr<TransactionSummary> SummaryFromTransactions(std::span<const int64_t> customer, std::span<const int64_t> ts,
                                                           std::span<const double> amount,
                                                           const TransactionSummaryOptions& o) {
  switch (o.unit) {
    case EpochUnit::kSeconds: return Summarize<1>(customer, ts, amount, o);
    case EpochUnit::kMillis: return Summarize<1'000>(customer, ts, amount, o);
    case EpochUnit::kMicros: return Summarize<1'000'000>(customer, ts, amount, o);
    case EpochUnit::kNanos: return Summarize<1'000'000'000>(customer, ts, amount, o);
    case EpochUnit::kAuto: break;
  }
  return absl::InvalidArgumentError("summary: the timestamp unit must be given (seconds, ms, us or ns)");
}

absl::StatusOr<TransactionSummary> SummaryFromTransactions(std::span<const std::string_view> customer,
                                                           std::span<const int64_t> ts, std::span<const double> amount,
                                                           const TransactionSummaryOptions& o) {
  // Codes in order of first appearance, then ranks by name so the summary comes out sorted.
  absl::flat_hash_map<std::string_view, int64_t> code;
  std::vector<std::string_view> names;
  std::vector<int64_t> codes(customer.size());
  for (size_t i = 0; i < customer.size(); ++i) {
    auto [it, inserted] = code.try_emplace(customer[i], static_cast<int64_t>(names.size()));
    if (inserted) names.push_back(customer[i]);
    codes[i] = it->second;
  }
  std::vector<int64_t> order(names.size()), rank(names.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return names[static_cast<size_t>(a)] < names[static_cast<size_t>(b)]; });
  for (size_t r = 0; r < order.size(); ++r) rank[static_cast<size_t>(order[r])] = static_cast<int64_t>(r);
  for (int64_t& c : codes) c = rank[static_cast<size_t>(c)];
  absl::StatusOr<TransactionSummary> out = SummaryFromTransactions(codes, ts, amount, o);
  if (!out.ok()) return out.status();
  out->customer_names.reserve(out->customer.size());
  for (int64_t r : out->customer) out->customer_names.emplace_back(names[static_cast<size_t>(order[static_cast<size_t>(r)])]);
  return out;
}

}  // namespace cdp
