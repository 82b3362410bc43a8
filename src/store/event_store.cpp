#include "cdp/event_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "absl/strings/str_format.h"
#include "core/strings.hpp"

namespace cdp {

// ---------------------------------------------------------------------------------------------
// EventStore

EventStore::EventStore() : dict_(std::make_shared<StringDictionary>()) {}

namespace {

// Re-types a column so values from another batch fit: int64+double -> double, anything else ->
// string (values become their text). Nothing is lost.
void Widen(Column& c, ColumnType target, StringDictionary& dict) {
  if (c.type == target) return;
  const size_t n = c.size();
  if (target == ColumnType::kDouble && c.type == ColumnType::kInt64) {
    c.f64.resize(n);
    for (size_t i = 0; i < n; ++i)
      c.f64[i] = c.i64[i] == kNullInt64 ? std::numeric_limits<double>::quiet_NaN()
                                         : static_cast<double>(c.i64[i]);
    c.i64.clear();
    c.i64.shrink_to_fit();
    c.type = ColumnType::kDouble;
    return;
  }
  Table tmp;
  tmp.dict = nullptr;
  Vec<int32_t> codes(n, kNullCode);
  for (size_t i = 0; i < n; ++i) {
    if (c.IsNull(i)) continue;
    std::string text;
    switch (c.type) {
      case ColumnType::kInt64: text = absl::StrFormat("%d", c.i64[i]); break;
      case ColumnType::kDouble: text = ShortestDouble(c.f64[i]); break;
      case ColumnType::kBool: text = c.b[i] ? "true" : "false"; break;
      case ColumnType::kString: break;
    }
    codes[i] = dict.Intern(text);
  }
  c = Column(ColumnType::kString);
  c.str = std::move(codes);
}

// True when every int64 value converts to double exactly (|v| <= 2^53).
bool ExactAsDouble(const Column& c) {
  if (c.type != ColumnType::kInt64) return true;
  constexpr int64_t kMax = int64_t{1} << 53;
  for (int64_t v : c.i64)
    if (v != kNullInt64 && (v > kMax || v < -kMax)) return false;
  return true;
}

ColumnType WidenedType(const Column& a, const Column& b) {
  if (a.type == b.type) return a.type;
  if (((a.type == ColumnType::kInt64 && b.type == ColumnType::kDouble) ||
       (a.type == ColumnType::kDouble && b.type == ColumnType::kInt64)) &&
      ExactAsDouble(a) && ExactAsDouble(b))
    return ColumnType::kDouble;
  return ColumnType::kString;  // nothing is lost: values keep their exact text
}

}  // namespace

void EventStore::Append(EventColumns& batch) {
  const size_t old_n = cols_.size();
  const size_t add = batch.size();
  if (add == 0) return;
  // Align the column sets: every store column exists in the batch and vice versa.
  for (size_t i = 0; i < batch.names.size(); ++i) {
    Column& bc = batch.columns[i];
    int si = cols_.Index(batch.names[i]);
    if (si < 0) {
      Column& sc = cols_.FindOrAdd(batch.names[i], bc.type);
      (void)sc;
      continue;
    }
    Column& sc = cols_.columns[static_cast<size_t>(si)];
    ColumnType t = WidenedType(sc, bc);
    Widen(sc, t, *dict_);
    Widen(bc, t, *dict_);
  }
  auto append_vec = [](auto& dst, auto& src) { dst.insert(dst.end(), src.begin(), src.end()); };
  append_vec(cols_.ts, batch.ts);
  append_vec(cols_.type, batch.type);
  append_vec(cols_.profile, batch.profile);
  append_vec(cols_.revenue, batch.revenue);
  append_vec(cols_.arrival, batch.arrival);
  anchor_.resize(cols_.size(), -1);
  for (size_t i = 0; i < cols_.names.size(); ++i) {
    Column& sc = cols_.columns[i];
    const Column* bc = batch.Find(cols_.names[i]);
    if (bc == nullptr) {
      sc.Resize(old_n + add);
    } else {
      sc.AppendRange(*bc, 0, add);
    }
  }
}

void EventStore::Reserve(size_t rows) {
  cols_.Reserve(cols_.size() + rows);
  anchor_.reserve(cols_.size() + rows);
}

void EventStore::Truncate(size_t rows) {
  if (rows >= cols_.size()) return;
  if (rows < sorted_rows_) rows = sorted_rows_;
  cols_.ts.resize(rows);
  cols_.type.resize(rows);
  cols_.profile.resize(rows);
  cols_.revenue.resize(rows);
  cols_.arrival.resize(rows);
  anchor_.resize(rows);
  for (Column& c : cols_.columns) c.Resize(rows);
}

void EventStore::Permute(const std::vector<uint32_t>& perm) {
  auto gather = [&perm](auto& v) {
    std::decay_t<decltype(v)> out(perm.size());
    for (size_t k = 0; k < perm.size(); ++k) out[k] = v[perm[k]];
    v.swap(out);
  };
  gather(cols_.ts);
  gather(cols_.type);
  gather(cols_.profile);
  gather(cols_.revenue);
  gather(cols_.arrival);
  gather(anchor_);
  for (Column& c : cols_.columns) c.Gather(perm);
}

void EventStore::Merge() {
  const size_t n = cols_.size();
  if (sorted_rows_ == n) return;
  if (sorted_rows_ == 0) return SortAll();
  struct Key {
    int32_t profile;
    Micros ts;
    uint32_t row;
  };
  auto less = [this](const Key& a, const Key& b) {
    // Unsigned: events without a profile (-1) sort after every profile.
    if (a.profile != b.profile) return static_cast<uint32_t>(a.profile) < static_cast<uint32_t>(b.profile);
    if (a.ts != b.ts) return a.ts < b.ts;
    // Ties at equal time: event id order, which does not depend on arrival order.
    return ids_.Get(cols_.arrival[a.row]) < ids_.Get(cols_.arrival[b.row]);
  };
  std::vector<Key> delta(n - sorted_rows_);
  for (size_t i = sorted_rows_; i < n; ++i)
    delta[i - sorted_rows_] = Key{cols_.profile[i], cols_.ts[i], static_cast<uint32_t>(i)};
  std::sort(delta.begin(), delta.end(), less);
  std::vector<uint32_t> perm;
  perm.reserve(n);
  size_t i = 0, j = 0;
  while (i < sorted_rows_ || j < delta.size()) {
    if (j == delta.size()) {
      perm.push_back(static_cast<uint32_t>(i++));
    } else if (i == sorted_rows_) {
      perm.push_back(delta[j++].row);
    } else {
      Key main{cols_.profile[i], cols_.ts[i], static_cast<uint32_t>(i)};
      if (less(delta[j], main)) {
        perm.push_back(delta[j++].row);
      } else {
        perm.push_back(static_cast<uint32_t>(i++));
      }
    }
  }
  Permute(perm);
  sorted_rows_ = n;
}

// Sorts every row: a stable counting sort by profile (profiles and keys are dense codes), then each
// profile's run is put in (ts, event_id) order where it is not already (runs are short and mostly
// ordered: rows arrive in time order, or come from an earlier sorted order).
void EventStore::SortAll() {
  const size_t n = cols_.size();
  uint32_t buckets = 0;
  for (int32_t p : cols_.profile) buckets = std::max(buckets, static_cast<uint32_t>(p + 1));
  // Bucket of a profile: p; -1 (none) goes last.
  auto bucket = [buckets](int32_t p) { return p < 0 ? buckets : static_cast<uint32_t>(p); };
  std::vector<uint32_t> start(static_cast<size_t>(buckets) + 2, 0);
  for (int32_t p : cols_.profile) ++start[bucket(p) + 1];
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  std::vector<uint32_t> perm(n);
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t r = 0; r < n; ++r) perm[next[bucket(cols_.profile[r])]++] = static_cast<uint32_t>(r);
  }
  auto less = [this](uint32_t a, uint32_t b) {
    if (cols_.ts[a] != cols_.ts[b]) return cols_.ts[a] < cols_.ts[b];
    return ids_.Get(cols_.arrival[a]) < ids_.Get(cols_.arrival[b]);
  };
  for (size_t b = 0; b + 1 < start.size(); ++b) {
    auto first = perm.begin() + start[b], last = perm.begin() + start[b + 1];
    if (last - first > 1 && !std::is_sorted(first, last, less)) std::sort(first, last, less);
  }
  Permute(perm);
  sorted_rows_ = n;
}

void EventStore::AssignProfiles(Vec<int32_t> profile) {
  if (profile.size() != cols_.size()) std::abort();  // caller bug: one profile per row
  cols_.profile = std::move(profile);
  sorted_rows_ = 0;
  profiles_resolved_ = true;
}

void EventStore::SetProfiles(Vec<int32_t> profile) {
  AssignProfiles(std::move(profile));
  Merge();
}

std::vector<RowRange> EventStore::PartitionByProfile(int parts) const {
  std::vector<RowRange> out;
  const size_t n = cols_.size();
  if (n == 0) return out;
  if (parts < 1) parts = 1;
  size_t begin = 0;
  for (int p = 1; p <= parts && begin < n; ++p) {
    size_t end = p == parts ? n : std::max(begin + 1, n * static_cast<size_t>(p) / parts);
    if (end > n) end = n;
    while (end < n && cols_.profile[end] == cols_.profile[end - 1]) ++end;
    if (end > begin) out.push_back(RowRange{begin, end});
    begin = end;
  }
  return out;
}

size_t EventStore::CoreMemoryBytes() const {
  return cols_.ts.capacity() * sizeof(Micros) + cols_.type.capacity() * sizeof(int32_t) +
         cols_.profile.capacity() * sizeof(int32_t) + cols_.revenue.capacity() * sizeof(double) +
         cols_.arrival.capacity() * sizeof(uint32_t) + anchor_.capacity() * sizeof(int32_t);
}

size_t EventStore::MemoryBytes() const {
  size_t total = CoreMemoryBytes() + dict_->MemoryBytes() + keys_.MemoryBytes() + ids_.MemoryBytes();
  for (const Column& c : cols_.columns) total += c.MemoryBytes();
  return total;
}

// ---------------------------------------------------------------------------------------------
// EventSummary: a kernel over one partition whose partial results merge.

void EventSummary::Merge(const EventSummary& o) {
  events += o.events;
  profiles += o.profiles;
  revenue += o.revenue;
  first_ts = std::min(first_ts, o.first_ts);
  last_ts = std::max(last_ts, o.last_ts);
  for (const auto& [k, v] : o.by_type) by_type[k] += v;
}

EventSummary SummarizeEvents(const EventStore& store, RowRange range) {
  EventSummary s;
  const EventColumns& c = store.columns();
  std::vector<int64_t> by_type(static_cast<size_t>(store.dict().size()), 0);  // by code: no hashing per row
  for (size_t r = range.begin; r < range.end; ++r) {
    ++s.events;
    if (c.profile[r] >= 0 && (r == range.begin || c.profile[r] != c.profile[r - 1])) ++s.profiles;
    if (!std::isnan(c.revenue[r])) s.revenue += c.revenue[r];
    s.first_ts = std::min(s.first_ts, c.ts[r]);
    s.last_ts = std::max(s.last_ts, c.ts[r]);
    ++by_type[static_cast<size_t>(c.type[r])];
  }
  for (size_t t = 0; t < by_type.size(); ++t)
    if (by_type[t] > 0) s.by_type[static_cast<int32_t>(t)] = by_type[t];
  return s;
}

}  // namespace cdp
