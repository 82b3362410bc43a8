// Workspace: metrics (retention and lifecycle) on profile partitions.
#include "cdp/parallel.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "workspace/partitioned.hpp"

namespace cdp {

absl::StatusOr<RetentionResult> Workspace::Retention(const RetentionOptions& options, std::string_view group_by) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto cal = PeriodCalendar::Create(options.period, options.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "retention: ");
  const QuerySchema schema = Schema();
  for (const std::string* t : {&options.cohort_event, &options.return_event})
    if (!t->empty() && *t != "*" && std::find(schema.event_types.begin(), schema.event_types.end(), *t) == schema.event_types.end()) {
      std::string near = NearestName(*t, schema.event_types, std::max<int>(2, static_cast<int>(t->size()) / 3));
      return absl::InvalidArgumentError(Cat("retention: unknown event type '", *t, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?")));
    }
  std::vector<int32_t> group;
  Table groups;
  if (!group_by.empty()) {
    std::vector<std::string> names;
    for (const auto& f : schema.profile_fields) names.push_back(f.name);
    if (std::find(names.begin(), names.end(), group_by) == names.end()) {
      std::string near = NearestName(group_by, names, std::max<int>(2, static_cast<int>(group_by.size()) / 3));
      return absl::InvalidArgumentError(Cat("retention: unknown profile column '", group_by, "'",
                                            near.empty() ? "" : Cat("; did you mean '", near, "'?")));
    }
    const std::vector<std::string> only = {std::string(group_by)};
    groups = ProfileColumns(&only);
    const Column& c = groups.columns.front();
    group.resize(static_cast<size_t>(d->profiles), kNullCode);
    for (size_t p = 0; p < group.size(); ++p)  // any column type, grouped by its text
      if (!c.IsNull(p)) group[p] = c.type == ColumnType::kString ? c.str[p] : groups.dict->Intern(groups.CellText(0, p));
  }
  const std::vector<int32_t>* g = group.empty() ? nullptr : &group;
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunRetention(*d, b, e, options, g); },
      workspace_internal::MergeInto<RetentionPartial>);
  if (!all.ok()) return all.status();
  return FinishRetention(options, *cal, *std::move(all), group.empty() ? nullptr : groups.dict.get(), cal->Of(Clock()));
}

}  // namespace cdp
