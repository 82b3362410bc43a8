#include "cdp/column.hpp"

#include <limits>

namespace cdp {

std::string_view ColumnTypeName(ColumnType t) {
  switch (t) {
    case ColumnType::kInt64: return "int64";
    case ColumnType::kDouble: return "double";
    case ColumnType::kBool: return "bool";
    case ColumnType::kString: return "string";
  }
  return "unknown";
}

size_t Column::size() const {
  switch (type) {
    case ColumnType::kInt64: return i64.size();
    case ColumnType::kDouble: return f64.size();
    case ColumnType::kBool: return b.size();
    case ColumnType::kString: return str.size();
  }
  return 0;
}

bool Column::IsNull(size_t row) const {
  switch (type) {
    case ColumnType::kInt64: return i64[row] == kNullInt64;
    case ColumnType::kDouble: return std::isnan(f64[row]);
    case ColumnType::kBool: return b[row] == kNullBool;
    case ColumnType::kString: return str[row] == kNullCode;
  }
  return true;
}

void Column::Reserve(size_t n) {
  switch (type) {
    case ColumnType::kInt64: i64.reserve(n); break;
    case ColumnType::kDouble: f64.reserve(n); break;
    case ColumnType::kBool: b.reserve(n); break;
    case ColumnType::kString: str.reserve(n); break;
  }
}

void Column::Resize(size_t n) {
  switch (type) {
    case ColumnType::kInt64: i64.resize(n, kNullInt64); break;
    case ColumnType::kDouble: f64.resize(n, std::numeric_limits<double>::quiet_NaN()); break;
    case ColumnType::kBool: b.resize(n, kNullBool); break;
    case ColumnType::kString: str.resize(n, kNullCode); break;
  }
}

void Column::AppendNull() { Resize(size() + 1); }

void Column::AppendRange(const Column& o, size_t begin, size_t end) {
  switch (type) {
    case ColumnType::kInt64: i64.insert(i64.end(), o.i64.begin() + begin, o.i64.begin() + end); break;
    case ColumnType::kDouble: f64.insert(f64.end(), o.f64.begin() + begin, o.f64.begin() + end); break;
    case ColumnType::kBool: b.insert(b.end(), o.b.begin() + begin, o.b.begin() + end); break;
    case ColumnType::kString: str.insert(str.end(), o.str.begin() + begin, o.str.begin() + end); break;
  }
}

namespace {
template <typename V>
void GatherVec(V& v, const std::vector<uint32_t>& perm) {
  V out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = v[perm[i]];
  v.swap(out);
}
}  // namespace

void Column::Gather(const std::vector<uint32_t>& perm) {
  switch (type) {
    case ColumnType::kInt64: GatherVec(i64, perm); break;
    case ColumnType::kDouble: GatherVec(f64, perm); break;
    case ColumnType::kBool: GatherVec(b, perm); break;
    case ColumnType::kString: GatherVec(str, perm); break;
  }
}

size_t Column::MemoryBytes() const {
  return i64.capacity() * 8 + f64.capacity() * 8 + b.capacity() + str.capacity() * 4;
}

}  // namespace cdp
