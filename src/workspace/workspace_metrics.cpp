// Workspace: metrics (retention, lifecycle and the KPIs) on profile partitions.
#include "cdp/parallel.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "workspace/partitioned.hpp"

namespace cdp {

namespace {

absl::Status CheckEventType(const QuerySchema& schema, const std::string& type, std::string_view what) {
  if (type.empty() || type == "*" ||
      std::find(schema.event_types.begin(), schema.event_types.end(), type) != schema.event_types.end())
    return absl::OkStatus();
  std::string near = NearestName(type, schema.event_types, std::max<int>(2, static_cast<int>(type.size()) / 3));
  return absl::InvalidArgumentError(
      Cat(what, ": unknown event type '", type, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?")));
}

}  // namespace

void Workspace::Suppressed(KpiTable& t, std::string_view count_column) const {
  if (const int64_t n = SuppressSmallGroups(t.table, count_column, policy_.min_group_size); n > 0)
    t.warnings.push_back(Cat(n, " rows over fewer than ", policy_.min_group_size, " (the aggregation threshold) are suppressed"));
}

absl::Status Workspace::ProfileGroups(std::string_view by, std::string_view what, std::vector<int32_t>* codes,
                                      std::shared_ptr<StringDictionary>* names) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  const QuerySchema schema = Schema();
  std::vector<std::string> columns;
  for (const auto& f : schema.profile_fields) columns.push_back(f.name);
  codes->assign(static_cast<size_t>(d->profiles), kNullCode);
  if (std::find(columns.begin(), columns.end(), by) != columns.end()) {
    const std::vector<std::string> only = {std::string(by)};
    Table groups = ProfileColumns(&only);
    const Column& c = groups.columns.front();
    for (size_t p = 0; p < codes->size(); ++p)  // any column type, grouped by its text
      if (!c.IsNull(p)) (*codes)[p] = c.type == ColumnType::kString ? c.str[p] : groups.dict->Intern(groups.CellText(0, p));
    *names = groups.dict;
    return absl::OkStatus();
  }
  for (const SegmentSpec& s : segments_) {
    if (s.name != by) continue;
    auto seg = EvaluateSegment(s.name);
    if (!seg.ok()) return seg.status();
    *names = std::make_shared<StringDictionary>();
    const int32_t in = (*names)->Intern(Cat("in ", by)), out = (*names)->Intern(Cat("not in ", by));
    std::fill(codes->begin(), codes->end(), out);
    for (int32_t m : seg->members) (*codes)[static_cast<size_t>(m)] = in;
    return absl::OkStatus();
  }
  for (const SegmentSpec& s : segments_) columns.push_back(s.name);
  std::string near = NearestName(by, columns, std::max<int>(2, static_cast<int>(by.size()) / 3));
  return absl::InvalidArgumentError(Cat(what, ": '", by, "' is neither a profile column nor a segment",
                                        near.empty() ? "" : Cat("; did you mean '", near, "'?")));
}

absl::StatusOr<RetentionResult> Workspace::Retention(const RetentionOptions& options, std::string_view group_by) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto cal = PeriodCalendar::Create(options.period, options.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "retention: ");
  const QuerySchema schema = Schema();
  for (const std::string* t : {&options.cohort_event, &options.return_event})
    if (auto st = CheckEventType(schema, *t, "retention"); !st.ok()) return st;
  std::vector<int32_t> group;
  std::shared_ptr<StringDictionary> names;
  if (!group_by.empty())
    if (auto st = ProfileGroups(group_by, "retention", &group, &names); !st.ok()) return st;
  const std::vector<int32_t>* g = group.empty() ? nullptr : &group;
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunRetention(*d, b, e, options, g); },
      workspace_internal::MergeInto<RetentionPartial>);
  if (!all.ok()) return all.status();
  RetentionResult r = FinishRetention(options, *cal, *std::move(all), names.get(), cal->Of(Clock()));
  SuppressSmallGroups(r.cohorts, "cohort_size", policy_.min_group_size);
  return r;
}

absl::StatusOr<CampaignKpiResult> Workspace::CampaignKpis(const CampaignKpiOptions& options, const CampaignCosts& costs) {
  if (auto st = ValidateCampaignKpiOptions(options); !st.ok()) return st;
  auto d = EventData();
  if (!d.ok()) return d.status();
  if (auto st = CheckEventType(Schema(), options.conversion, "campaign KPIs"); !st.ok()) return st;
  std::optional<Query> where;
  if (!options.conversion_where.empty()) {
    auto q = Query::CompileEventFilter(options.conversion_where, Schema());
    if (!q.ok()) return PrefixStatus(q.status(), "campaign KPIs: conversion_where: ");
    where = *std::move(q);
  }
  auto all = workspace_internal::Partitioned(
      EventOffsets(),
      [&](int32_t b, int32_t e) { return RunCampaignCredit(*d, b, e, options, where ? &*where : nullptr); },
      workspace_internal::MergeInto<CampaignCreditPartial>);
  if (!all.ok()) return all.status();
  return FinishCampaignKpis(*d, options, *std::move(all), costs);
}

absl::StatusOr<KpiTable> Workspace::WebMetrics(const WebMetricsOptions& options, std::string_view group_by) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  std::optional<PeriodCalendar> cal;
  if (options.period != "all") {
    auto c = PeriodCalendar::Create(options.period, options.time_zone);
    if (!c.ok()) return PrefixStatus(c.status(), "web metrics: ");
    cal = *std::move(c);
  }
  std::vector<int32_t> group;
  std::shared_ptr<StringDictionary> names;
  if (!group_by.empty())
    if (auto st = ProfileGroups(group_by, "web metrics", &group, &names); !st.ok()) return st;
  const PeriodCalendar* c = cal ? &*cal : nullptr;
  const std::vector<int32_t>* g = group.empty() ? nullptr : &group;
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunWebMetrics(*d, b, e, options, c, g); },
      workspace_internal::MergeInto<WebPartial>);
  if (!all.ok()) return all.status();
  KpiTable out{FinishWebMetrics(options, c, *std::move(all), names.get()), {}};
  Suppressed(out, "visitors");
  return out;
}

absl::StatusOr<KpiTable> Workspace::ActiveUsers(const ActiveUsersOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  if (auto st = CheckEventType(Schema(), options.event, "active users"); !st.ok()) return st;
  auto cal = PeriodCalendar::Create("day", options.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "active users: ");
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunActiveUsers(*d, b, e, options); },
      workspace_internal::MergeInto<ActiveUsersPartial>);
  if (!all.ok()) return all.status();
  return KpiTable{FinishActiveUsers(options, *std::move(all), cal->Day(Clock())), {}};
}

absl::StatusOr<KpiTable> Workspace::SocialMetrics(const SocialMetricsOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  std::optional<PeriodCalendar> cal;
  if (options.period != "all") {
    auto c = PeriodCalendar::Create(options.period, options.time_zone);
    if (!c.ok()) return PrefixStatus(c.status(), "social metrics: ");
    cal = *std::move(c);
  }
  const PeriodCalendar* c = cal ? &*cal : nullptr;
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunSocialMetrics(*d, b, e, options, c); },
      workspace_internal::MergeInto<SocialPartial>);
  if (!all.ok()) return all.status();
  return KpiTable{FinishSocialMetrics(options, c, *std::move(all)), {}};
}

absl::StatusOr<KpiTable> Workspace::EmailMetrics(const EmailMetricsOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunEmailMetrics(*d, b, e, options); },
      workspace_internal::MergeInto<EmailPartial>);
  if (!all.ok()) return all.status();
  KpiTable out;
  out.table = FinishEmailMetrics(*d, *std::move(all), &out.warnings);
  return out;
}

absl::StatusOr<KpiTable> Workspace::Survey(const SurveyOptions& options, std::string_view group_by) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  if (auto st = CheckEventType(Schema(), options.event, "survey"); !st.ok()) return st;
  std::optional<PeriodCalendar> cal;
  if (!options.period.empty()) {
    auto c = PeriodCalendar::Create(options.period, options.time_zone);
    if (!c.ok()) return PrefixStatus(c.status(), "survey: ");
    cal = *std::move(c);
  }
  std::vector<int32_t> group;
  std::shared_ptr<StringDictionary> names;
  if (!group_by.empty())
    if (auto st = ProfileGroups(group_by, "survey", &group, &names); !st.ok()) return st;
  const PeriodCalendar* c = cal ? &*cal : nullptr;
  const std::vector<int32_t>* g = group.empty() ? nullptr : &group;
  auto all = workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunSurvey(*d, b, e, options, c, g); },
      workspace_internal::MergeInto<SurveyPartial>);
  if (!all.ok()) return all.status();
  KpiTable out;
  out.table = FinishSurvey(options, c, *std::move(all), names.get(), &out.warnings);
  Suppressed(out, "responses");
  return out;
}

}  // namespace cdp
