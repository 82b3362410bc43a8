// Helpers shared by the KPI kernels: ratios with a null for a missing denominator, and rows keyed
// by (group code, period number) written out in group-name, period order.
#pragma once

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cdp/metrics.hpp"
#include "cdp/table.hpp"

namespace cdp::kpis_internal {

/// num / den, or NaN (a null) when den is not positive.
inline double Ratio(double num, double den) { return den > 0 ? num / den : std::nan(""); }

using GroupPeriod = std::pair<int32_t, int64_t>;

/// The leading key columns of a grouped table: "group" (text; only with group names) and "period"
/// (its start in µs; only with a calendar).
class GroupPeriodColumns {
 public:
  GroupPeriodColumns(Table& t, const StringDictionary* names, const PeriodCalendar* calendar)
      : t_(t), names_(names), calendar_(calendar),
        group_(names != nullptr ? &t.Add("group", ColumnType::kString) : nullptr),
        period_(calendar != nullptr ? &t.Add("period", ColumnType::kInt64) : nullptr) {}

  std::string_view Name(int32_t g) const {
    return g == kNullCode || names_ == nullptr ? std::string_view() : names_->Get(g);
  }
  /// The cells in output order: by group name, then period.
  template <typename V>
  std::vector<std::pair<GroupPeriod, V>> Sorted(const absl::flat_hash_map<GroupPeriod, V>& cells) const {
    std::vector<std::pair<GroupPeriod, V>> out(cells.begin(), cells.end());
    std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
      const std::string_view ga = Name(a.first.first), gb = Name(b.first.first);
      return ga != gb ? ga < gb : a.first.second < b.first.second;
    });
    return out;
  }
  void Append(const GroupPeriod& key) {
    if (group_ != nullptr) {
      if (key.first == kNullCode) group_->AppendNull();
      else t_.AppendString(*group_, Name(key.first));
    }
    if (period_ != nullptr) period_->i64.push_back(calendar_->Start(key.second));
  }

 private:
  Table& t_;
  const StringDictionary* names_;
  const PeriodCalendar* calendar_;
  Column* group_;
  Column* period_;
};

}  // namespace cdp::kpis_internal
