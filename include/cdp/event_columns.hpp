// cdp/event_columns.hpp — events in struct-of-arrays form (the unit of ingest and storage).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "cdp/column.hpp"
#include "cdp/memory.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Standard identifier fields, in default priority order for the provisional profile key.
inline constexpr std::string_view kIdentifierFields[] = {"user_id", "email", "phone", "device_id",
                                                         "anonymous_id"};

/// Rows of events in struct-of-arrays form. Core columns are fixed; every other field (identifiers,
/// channel, campaign, url, utm_*, country, properties) is a named typed Column. Strings are codes
/// into the owning store's dictionary.
struct EventColumns {
  Vec<Micros> ts;         ///< event time, µs UTC
  Vec<int32_t> type;      ///< event type (dictionary code)
  Vec<int32_t> profile;   ///< profile key: code in EventStore::keys() until identity resolution
  Vec<double> revenue;    ///< NaN = none
  Vec<uint32_t> arrival;  ///< arrival sequence number; EventStore::event_id(arrival)
  std::vector<std::string> names;
  std::deque<Column> columns;  // deque: references stay valid when columns are added

  size_t size() const { return ts.size(); }
  int Index(std::string_view name) const;
  /// Column `name`, added (null-filled to size()) when absent. Type of an existing column is kept.
  Column& FindOrAdd(std::string_view name, ColumnType type);
  const Column* Find(std::string_view name) const;
  void Reserve(size_t n);
  void Clear();
  /// Empties every column but keeps the column set and the allocated capacity (buffer reuse).
  void ClearRows();
};

/// A contiguous run of rows holding whole profiles: the unit a kernel runs on (one partition).
struct RowRange {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

/// 64-bit hash of bytes, stable across runs and platforms (persisted by later layers).
uint64_t StableHash64(std::string_view s, uint64_t seed = 0);

}  // namespace cdp
