// Test helper: a whole table as text (header and every cell), for exact comparisons.
#pragma once

#include <set>
#include <string>

#include "cdp/table.hpp"

namespace cdp::testing {

inline std::string TableText(const Table& t, const std::set<std::string>& skip = {}) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c)
    if (!skip.contains(t.names[c])) out += t.names[c] + "|";
  out += "\n";
  for (size_t r = 0; r < t.rows(); ++r) {
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (!skip.contains(t.names[c])) out += t.CellText(c, r) + "|";
    out += "\n";
  }
  return out;
}

}  // namespace cdp::testing
