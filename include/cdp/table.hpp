// cdp/table.hpp — an owned, named set of typed columns: the result type of every query.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cdp/column.hpp"
#include "cdp/dictionary.hpp"

namespace cdp {

struct Table {
  std::vector<std::string> names;
  std::deque<Column> columns;  // deque: references stay valid when columns are added
  /// Dictionary of the kString columns (shared with the store when the table is a view of it).
  std::shared_ptr<StringDictionary> dict = std::make_shared<StringDictionary>();

  size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
  /// Adds an empty column; names must be unique.
  Column& Add(std::string name, ColumnType type);
  Column* Find(std::string_view name);
  const Column* Find(std::string_view name) const;
  int Index(std::string_view name) const;  // -1 when absent
  /// Appends a string value to a kString column.
  void AppendString(Column& c, std::string_view s) { c.str.push_back(dict->Intern(s)); }
  /// Text of one cell as written to CSV ("" for null; doubles with up to 17 significant digits).
  std::string CellText(size_t col, size_t row) const;
};

/// Writes RFC 4180 CSV with a header (fields quoted when needed; nulls empty). `.gz` paths are
/// gzip-compressed.
absl::Status WriteCsv(const Table& t, const std::string& path);
/// Writes NDJSON, one object per row; null cells are omitted; `.gz` paths are gzip-compressed.
absl::Status WriteNdjson(const Table& t, const std::string& path);

}  // namespace cdp
