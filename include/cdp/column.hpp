// cdp/column.hpp — typed columns with nulls (struct-of-arrays building block).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cdp/dictionary.hpp"
#include "cdp/memory.hpp"

namespace cdp {

enum class ColumnType : int32_t { kInt64 = 0, kDouble = 1, kBool = 2, kString = 3 };

std::string_view ColumnTypeName(ColumnType t);

/// Null sentinels, one per physical type: no separate validity array is kept.
inline constexpr int64_t kNullInt64 = std::numeric_limits<int64_t>::min();
inline constexpr int8_t kNullBool = -1;
// Doubles: NaN is null (non-finite values are rejected at ingest). Strings: kNullCode.

/// One typed column. Exactly one of the vectors is used, chosen by `type`. String values are codes
/// into a StringDictionary owned by whoever owns the column (the event store).
struct Column {
  ColumnType type = ColumnType::kString;
  Vec<int64_t> i64;
  Vec<double> f64;
  Vec<int8_t> b;
  Vec<int32_t> str;

  Column() = default;
  explicit Column(ColumnType t) : type(t) {}

  size_t size() const;
  bool IsNull(size_t row) const;
  void Reserve(size_t n);
  void Resize(size_t n);  // new rows are null
  void AppendNull();
  /// Appends rows [begin, end) of `other` (same type).
  void AppendRange(const Column& other, size_t begin, size_t end);
  /// Reorders rows: new row i = old row perm[i].
  void Gather(const std::vector<uint32_t>& perm);
  size_t MemoryBytes() const;
};

inline bool IsNullDouble(double v) { return std::isnan(v); }

}  // namespace cdp
