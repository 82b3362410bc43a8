// Workspace: journeys (sessions, funnels, paths, stages, heatmaps, attribution). Each call runs its
// kernel on partitions of whole profiles, one thread each, and merges the partial results.
#include <algorithm>

#include "cdp/parallel.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "workspace/partitioned.hpp"

namespace cdp {

using workspace_internal::MergeInto;
using workspace_internal::Partitioned;


absl::StatusOr<QueryData> Workspace::EventData() {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const std::vector<int64_t>& off = EventOffsets();
  QueryData d;
  d.profiles = profiles_.size();
  d.events = &store_.columns();
  d.event_dict = &store_.dict();
  d.event_begin = off.data();
  d.clock = Clock();
  return d;
}

absl::StatusOr<Table> Workspace::Sessions(const SessionOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto rows = Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return Sessionize(*d, b, e, options); },
      [](SessionRows& all, SessionRows&& part) { all.Append(part); });
  if (!rows.ok()) return rows.status();
  return SessionTable(*d, *rows);
}

absl::StatusOr<SessionSummary> Workspace::SessionTotals(const SessionOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  return Partitioned(EventOffsets(), [&](int32_t b, int32_t e) { return SummarizeSessions(*d, b, e, options); },
                     MergeInto<SessionSummary>);
}

absl::StatusOr<FunnelResult> Workspace::Funnel(const FunnelOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto plan = PlanFunnel(options, Schema(), store_.dict(), store_.columns());
  if (!plan.ok()) return plan.status();
  auto all = Partitioned(EventOffsets(), [&](int32_t b, int32_t e) { return RunFunnel(*plan, *d, b, e); },
                         MergeInto<FunnelPartial>);
  if (!all.ok()) return all.status();
  return FinishFunnel(*plan, *std::move(all));
}

absl::StatusOr<PathResult> Workspace::Paths(const PathOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto all = Partitioned(EventOffsets(), [&](int32_t b, int32_t e) { return CollectPaths(*d, b, e, options); },
                         MergeInto<PathPartial>);
  if (!all.ok()) return all.status();
  return FinishPaths(*d, options, *std::move(all));
}

absl::StatusOr<StageResult> Workspace::Stages(const std::vector<StageRule>& model, int snapshots) {
  if (model.empty()) return absl::InvalidArgumentError("stages: the stage model is empty");
  if (snapshots < 0 || snapshots > 1000) return absl::InvalidArgumentError(Cat("stages: snapshots must be in 0..1000, got ", snapshots));
  auto d = EventData();
  if (!d.ok()) return d.status();
  const QuerySchema schema = Schema();
  std::vector<Query> conditions(model.size());
  for (size_t k = 0; k < model.size(); ++k) {
    const StageRule& r = model[k];
    if (Strip(r.name).empty()) return absl::InvalidArgumentError(Cat("stages: stage ", k + 1, " has no name"));
    if (r.min_count < 1) return absl::InvalidArgumentError(Cat("stages: stage '", r.name, "': min_count must be at least 1"));
    if (r.event != "*" && std::find(schema.event_types.begin(), schema.event_types.end(), r.event) == schema.event_types.end()) {
      std::string near = NearestName(r.event, schema.event_types, std::max<int>(2, static_cast<int>(r.event.size()) / 3));
      return absl::InvalidArgumentError(Cat("stages: stage '", r.name, "': unknown event type '", r.event, "'",
                                            near.empty() ? "" : Cat("; did you mean '", near, "'?")));
    }
    if (!Strip(r.where).empty()) {
      auto q = Query::CompileEventFilter(r.where, schema);
      if (!q.ok()) return PrefixStatus(q.status(), Cat("stages: stage '", r.name, "' condition: "));
      conditions[k] = *std::move(q);
    }
  }
  auto entries = Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return StageEntries(*d, b, e, model, conditions); },
      [](std::vector<Micros>& all, std::vector<Micros>&& part) { all.insert(all.end(), part.begin(), part.end()); });
  if (!entries.ok()) return entries.status();
  std::vector<Micros> snaps;
  const Vec<Micros>& ts = store_.columns().ts;
  if (!ts.empty()) {
    const Micros first = *std::min_element(ts.begin(), ts.end()), clock = Clock();
    for (int k = 1; k <= snapshots; ++k) snaps.push_back(first + (clock - first) * k / snapshots);
  }
  return FinishStages(model, *entries, snaps);
}

absl::StatusOr<HeatmapResult> Workspace::Heatmap(const HeatmapOptions& options) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  auto all = Partitioned(EventOffsets(), [&](int32_t b, int32_t e) { return RunHeatmap(*d, b, e, options); },
                         MergeInto<HeatmapPartial>);
  if (!all.ok()) return all.status();
  return FinishHeatmap(*d, options, *std::move(all));
}

absl::StatusOr<AttributionInput> Workspace::Touchpoints(const TouchpointOptions& touch) {
  auto d = EventData();
  if (!d.ok()) return d.status();
  const QuerySchema schema = Schema();
  if (std::find(schema.event_types.begin(), schema.event_types.end(), touch.conversion) == schema.event_types.end()) {
    std::string near = NearestName(touch.conversion, schema.event_types, std::max<int>(2, static_cast<int>(touch.conversion.size()) / 3));
    return absl::InvalidArgumentError(Cat("attribution: unknown conversion event type '", touch.conversion, "'",
                                          near.empty() ? "" : Cat("; did you mean '", near, "'?")));
  }
  std::optional<Query> where;
  if (!Strip(touch.conversion_where).empty()) {
    auto q = Query::CompileEventFilter(touch.conversion_where, schema);
    if (!q.ok()) return PrefixStatus(q.status(), "attribution: conversion condition: ");
    where = *std::move(q);
  }
  auto all = Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return CollectTouchpoints(*d, b, e, touch, where ? &*where : nullptr); },
      MergeInto<TouchpointPartial>);
  if (!all.ok()) return all.status();
  return FinishTouchpoints(*d, *std::move(all));
}

absl::StatusOr<AttributionResult> Workspace::Attribution(const TouchpointOptions& touch, const AttributionOptions& options) {
  auto in = Touchpoints(touch);
  if (!in.ok()) return in.status();
  if (in->paths() == 0) return absl::FailedPreconditionError(Cat("attribution: no journey has a touch with a '", touch.channel_column, "' value"));
  return Attribute(*in, options);
}

}  // namespace cdp
