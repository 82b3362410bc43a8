#include "cdp/table.hpp"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "core/strings.hpp"

namespace cdp {

Column& Table::Add(std::string name, ColumnType type) {
  names.push_back(std::move(name));
  columns.emplace_back(type);
  return columns.back();
}

int Table::Index(std::string_view name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

Column* Table::Find(std::string_view name) {
  int i = Index(name);
  return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
}

const Column* Table::Find(std::string_view name) const {
  int i = Index(name);
  return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
}

std::string Table::CellText(size_t col, size_t row) const {
  const Column& c = columns[col];
  if (c.IsNull(row)) return "";
  switch (c.type) {
    case ColumnType::kInt64: return absl::StrFormat("%d", c.i64[row]);
    case ColumnType::kDouble: return ShortestDouble(c.f64[row]);
    case ColumnType::kBool: return c.b[row] ? "true" : "false";
    case ColumnType::kString: return std::string(dict->Get(c.str[row]));
  }
  return "";
}

}  // namespace cdp
