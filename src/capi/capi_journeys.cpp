// The C ABI of journeys: sessions, funnels (and their drop-off), paths, lifecycle stages, heatmaps,
// multi-touch attribution, and the cdp_result bundles of the *_ex calls. Shared helpers are in
// capi_internal.hpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capi/capi_internal.hpp"
#include "cdp/attribution.hpp"
#include "cdp/cdp.h"
#include "cdp/journeys.hpp"
#include "cdp/time.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

struct cdp_session_options {
  cdp::SessionOptions options;
};
struct cdp_funnel_options {
  cdp::FunnelOptions options;
};
struct cdp_path_options {
  cdp::PathOptions options;
};
struct cdp_heatmap_options {
  cdp::HeatmapOptions options;
};
struct cdp_touch_options {
  cdp::TouchpointOptions options;
};
struct cdp_attribution_options {
  cdp::AttributionOptions options;
  std::string separator = ">";  // cdp_attribution_from_paths
};

using namespace cdp::capi;

namespace {
absl::Status SetSessionOption(cdp::SessionOptions& o, const OptionValue& v) {
  if (v.key == "gap") return v.Duration(&o.gap);
  if (v.key == "split_at_midnight") return v.Bool(&o.split_at_midnight);
  if (v.key == "time_zone") return v.Text(&o.time_zone);
  if (v.key == "split_on_campaign") return v.Bool(&o.split_on_campaign);
  if (v.key == "exclude_types") return v.List(&o.exclude_types);
  if (v.key == "page_view_type") return v.Text(&o.page_view_type);
  return v.Unknown("gap, split_at_midnight, time_zone, split_on_campaign, exclude_types, page_view_type");
}

absl::Status SetFunnelOption(cdp::FunnelOptions& o, const OptionValue& v) {
  if (v.key == "window") return v.Duration(&o.window);
  if (v.key == "order") return v.Text(&o.order);
  if (v.key == "exclusion_mode") return v.Text(&o.exclusion_mode);
  if (v.key == "count") return v.Text(&o.count);
  if (v.key == "breakdown") return v.Text(&o.breakdown);
  if (v.key == "trend") return v.Text(&o.trend);
  if (v.key == "since") return v.Time(&o.since, INT64_MIN);
  if (v.key == "until") return v.Time(&o.until, INT64_MAX);
  return v.Unknown("window, order, exclusion_mode, count, breakdown, trend, since, until");
}

absl::Status SetPathOption(cdp::PathOptions& o, const OptionValue& v) {
  if (v.key == "start") return v.Text(&o.start);
  if (v.key == "end") return v.Text(&o.end);
  if (v.key == "element") return v.Text(&o.element);
  if (v.key == "include_types") return v.List(&o.include_types);
  if (v.key == "exclude_types") return v.List(&o.exclude_types);
  if (v.key == "depth") return v.Int(&o.depth);
  if (v.key == "collapse_repeats") return v.Bool(&o.collapse_repeats);
  if (v.key == "top") return v.Int(&o.top);
  if (v.key == "session_gap") return v.Duration(&o.session_gap);
  return v.Unknown("start, end, element, include_types, exclude_types, depth, collapse_repeats, top, session_gap");
}

absl::Status SetHeatmapOption(cdp::HeatmapOptions& o, const OptionValue& v) {
  if (v.key == "page") return v.Text(&o.page);
  if (v.key == "page_column") return v.Text(&o.page_column);
  if (v.key == "grid_x") return v.Int(&o.grid_x);
  if (v.key == "grid_y") return v.Int(&o.grid_y);
  if (v.key == "click_type") return v.Text(&o.click_type);
  if (v.key == "scroll_type") return v.Text(&o.scroll_type);
  if (v.key == "page_view_type") return v.Text(&o.page_view_type);
  if (v.key == "x_column") return v.Text(&o.x_column);
  if (v.key == "y_column") return v.Text(&o.y_column);
  if (v.key == "scroll_column") return v.Text(&o.scroll_column);
  if (v.key == "viewport_width") return v.Double(&o.viewport_width);
  if (v.key == "viewport_height") return v.Double(&o.viewport_height);
  if (v.key == "viewport_width_column") return v.Text(&o.viewport_width_column);
  if (v.key == "viewport_height_column") return v.Text(&o.viewport_height_column);
  if (v.key == "rage_clicks") return v.Int(&o.rage_clicks);
  if (v.key == "rage_window") return v.Duration(&o.rage_window);
  if (v.key == "rage_radius_px") return v.Double(&o.rage_radius_px);
  if (v.key == "dead_after") return v.Duration(&o.dead_after);
  return v.Unknown(
      "page, page_column, grid_x, grid_y, click_type, scroll_type, page_view_type, x_column, y_column, "
      "scroll_column, viewport_width, viewport_height, viewport_width_column, viewport_height_column, "
      "rage_clicks, rage_window, rage_radius_px, dead_after");
}

absl::Status SetTouchOption(cdp::TouchpointOptions& o, const OptionValue& v) {
  if (v.key == "conversion") return v.Text(&o.conversion);
  if (v.key == "conversion_where") return v.Text(&o.conversion_where);
  if (v.key == "touch_types") return v.List(&o.touch_types);
  if (v.key == "exclude_types") return v.List(&o.exclude_types);
  if (v.key == "session_gap") return v.Duration(&o.session_gap);
  if (v.key == "channel_column") return v.Text(&o.channel_column);
  if (v.key == "lookback") return v.Duration(&o.lookback);
  if (v.key == "include_non_converting") return v.Bool(&o.include_non_converting);
  return v.Unknown(
      "conversion, conversion_where, touch_types, exclude_types, session_gap, channel_column, lookback, "
      "include_non_converting");
}

absl::Status SetAttributionOption(cdp_attribution_options& a, const OptionValue& v) {
  cdp::AttributionOptions& o = a.options;
  if (v.key == "half_life") return v.Duration(&o.half_life);
  if (v.key == "position_first") return v.Double(&o.position_first);
  if (v.key == "position_last") return v.Double(&o.position_last);
  if (v.key == "markov_order") return v.Int(&o.markov_order);
  if (v.key == "markov_collapse_repeats") return v.Bool(&o.markov_collapse_repeats);
  if (v.key == "shapley_exact_max") return v.Int(&o.shapley_exact_max);
  if (v.key == "shapley_samples") return v.Int(&o.shapley_samples);
  if (v.key == "shapley_value") return v.Text(&o.shapley_value);
  if (v.key == "bootstrap") return v.Int(&o.bootstrap);
  if (v.key == "confidence") return v.Double(&o.confidence);
  if (v.key == "seed") return v.Uint64(&o.seed);
  if (v.key == "separator") {
    if (v.value.empty()) return v.Bad("a non-empty separator");
    return v.Text(&a.separator);
  }
  return v.Unknown(
      "half_life, position_first, position_last, markov_order, markov_collapse_repeats, shapley_exact_max, "
      "shapley_samples, shapley_value, bootstrap, confidence, seed, separator");
}

// A journey call's error: the message for cdp_last_error(), CDP_ERR_PARSE when a condition did
// not compile.
cdp_status JourneyError(const absl::Status& st) { return FromQueryStatus(st); }


std::unique_ptr<cdp_result> FunnelBundle(cdp::FunnelResult f, cdp::Micros clock) {
  auto r = std::make_unique<cdp_result>();
  r->tables.emplace_back("steps", std::move(f.steps_table));
  r->tables.emplace_back("breakdown", std::move(f.breakdown_table));
  r->tables.emplace_back("trend", std::move(f.trend_table));
  r->tables.emplace_back("warnings", WarningsTable(f.warnings));
  r->ints = {{"disqualified", f.disqualified}, {"profiles", static_cast<int64_t>(f.progress.size())}};
  r->clock = clock;
  r->funnel = std::move(f);
  return r;
}

std::unique_ptr<cdp_result> PathBundle(cdp::PathResult p) {
  auto r = std::make_unique<cdp_result>();
  r->tables.emplace_back("top_paths", std::move(p.top_paths));
  r->tables.emplace_back("transitions", std::move(p.transitions));
  r->tables.emplace_back("sankey_nodes", std::move(p.sankey_nodes));
  r->tables.emplace_back("sankey_links", std::move(p.sankey_links));
  r->ints = {{"paths", p.paths}};
  return r;
}

std::unique_ptr<cdp_result> StageBundle(cdp::StageResult s) {
  auto r = std::make_unique<cdp_result>();
  r->tables.emplace_back("summary", std::move(s.summary));
  r->tables.emplace_back("profiles", std::move(s.profiles));
  r->tables.emplace_back("transitions", std::move(s.transitions));
  r->tables.emplace_back("over_time", std::move(s.over_time));
  return r;
}

std::unique_ptr<cdp_result> HeatmapBundle(cdp::HeatmapResult h) {
  auto r = std::make_unique<cdp_result>();
  r->tables.emplace_back("cells", std::move(h.cells));
  r->tables.emplace_back("scroll", std::move(h.scroll));
  r->tables.emplace_back("rage_clicks", std::move(h.rage_clicks));
  r->ints = {{"clicks", h.clicks}, {"page_views", h.page_views}, {"dead_clicks", h.dead_clicks}};
  r->doubles = {{"dead_click_share", h.dead_click_share}};
  return r;
}

// The stage model of cdp_stages / cdp_stages_ex (n 0: the default model).
cdp_status StageModel(const char* fn, const char* const* names, const char* const* events, const char* const* wheres,
                      const int32_t* min_counts, int64_t n, std::vector<cdp::StageRule>* model) {
  CDP_CHECK_ARG(n >= 0, cdp::Cat(fn, ": n_stages is negative"));
  if (n == 0) {
    *model = cdp::DefaultStageModel();
    return CDP_OK;
  }
  CDP_CHECK_ARG(names != nullptr, cdp::Cat(fn, ": names is NULL"));
  CDP_CHECK_ARG(events != nullptr, cdp::Cat(fn, ": events is NULL"));
  for (int64_t i = 0; i < n; ++i) {
    CDP_CHECK_ARG(names[i] != nullptr, cdp::Cat(fn, ": names[", i, "] is NULL"));
    CDP_CHECK_ARG(events[i] != nullptr, cdp::Cat(fn, ": events[", i, "] is NULL"));
    model->push_back({names[i], events[i], wheres != nullptr && wheres[i] != nullptr ? wheres[i] : "",
                      min_counts != nullptr ? min_counts[i] : 1});
  }
  return CDP_OK;
}

// Comma-separated model names (NULL or blank: the defaults).
void SetModels(const char* models, cdp::AttributionOptions* o) {
  if (models == nullptr || cdp::Strip(models).empty()) return;
  std::vector<std::string> list;
  (void)OptionValue{"models", models}.List(&list);
  o->models = std::move(list);
}

// The entry of `items` named `name`, or NOT_FOUND listing the names there are.
template <typename T>
cdp_status Named(const std::vector<std::pair<std::string, T>>& items, const char* name, const char* fn,
                 const char* kind, const T** out) {
  std::vector<std::string_view> names;
  for (const auto& [n, v] : items) {
    if (n == name) {
      *out = &v;
      return CDP_OK;
    }
    names.push_back(n);
  }
  return Fail(CDP_ERR_NOT_FOUND, cdp::Cat(fn, ": no ", kind, " \"", name, "\" (", kind, "s: ",
                                          names.empty() ? std::string("none") : cdp::Join(names, ", "), ")"));
}

template <typename T>
cdp_status ResultOut(absl::StatusOr<T> r, std::unique_ptr<cdp_result> (*bundle)(T), cdp_result** out) {
  if (!r.ok()) return JourneyError(r.status());
  *out = bundle(*std::move(r)).release();
  return CDP_OK;
}
}  // namespace

extern "C" {

cdp_status cdp_session_options_create(cdp_session_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_session_options_create");
  CDP_API_END();
}
cdp_status cdp_session_options_set(cdp_session_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  return SetOption(opts, &cdp_session_options::options, key, value, "cdp_session_options_set", SetSessionOption);
  CDP_API_END();
}
void cdp_session_options_destroy(cdp_session_options* opts) { delete opts; }

cdp_status cdp_sessions(cdp_workspace* ws, const cdp_session_options* opts, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_sessions: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_sessions: out is NULL");
  *out = nullptr;
  auto t = ws->ws->Sessions(OptionsOf(opts));
  if (!t.ok()) return JourneyError(t.status());
  *out = NewTable(*std::move(t));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_funnel_options_create(cdp_funnel_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_funnel_options_create");
  CDP_API_END();
}
cdp_status cdp_funnel_options_set(cdp_funnel_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  return SetOption(opts, &cdp_funnel_options::options, key, value, "cdp_funnel_options_set", SetFunnelOption);
  CDP_API_END();
}

cdp_status cdp_funnel_options_set_steps(cdp_funnel_options* opts, const char* const* events, const char* const* wheres,
                                        const char* const* labels, int64_t n) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(opts != nullptr, "cdp_funnel_options_set_steps: opts is NULL");
  std::vector<std::string> types;
  if (cdp_status st = Strings(events, n, "cdp_funnel_options_set_steps", "events", "n", &types); st != CDP_OK) return st;
  std::vector<cdp::FunnelStep> steps(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    steps[i].event = std::move(types[i]);
    if (wheres != nullptr && wheres[i] != nullptr) steps[i].where = wheres[i];
    if (labels != nullptr && labels[i] != nullptr) steps[i].label = labels[i];
  }
  opts->options.steps = std::move(steps);
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_funnel_options_set_exclusions(cdp_funnel_options* opts, const char* const* events,
                                             const char* const* wheres, const int32_t* from_steps,
                                             const int32_t* to_steps, int64_t n) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(opts != nullptr, "cdp_funnel_options_set_exclusions: opts is NULL");
  std::vector<std::string> types;
  if (cdp_status st = Strings(events, n, "cdp_funnel_options_set_exclusions", "events", "n", &types); st != CDP_OK)
    return st;
  std::vector<cdp::FunnelExclusion> exclusions(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    exclusions[i].event = std::move(types[i]);
    if (wheres != nullptr && wheres[i] != nullptr) exclusions[i].where = wheres[i];
    if (from_steps != nullptr) exclusions[i].from_step = from_steps[i];
    if (to_steps != nullptr) exclusions[i].to_step = to_steps[i];
  }
  opts->options.exclusions = std::move(exclusions);
  return CDP_OK;
  CDP_API_END();
}

void cdp_funnel_options_destroy(cdp_funnel_options* opts) { delete opts; }

cdp_status cdp_funnel(cdp_workspace* ws, const cdp_funnel_options* opts, cdp_table** steps_out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_funnel: workspace is NULL");
  CDP_CHECK_ARG(steps_out != nullptr, "cdp_funnel: steps_out is NULL");
  *steps_out = nullptr;
  auto r = ws->ws->Funnel(OptionsOf(opts));
  if (!r.ok()) return JourneyError(r.status());
  *steps_out = NewTable(std::move(r->steps_table));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_funnel_ex(cdp_workspace* ws, const cdp_funnel_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_funnel_ex: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_funnel_ex: out is NULL");
  *out = nullptr;
  auto r = ws->ws->Funnel(OptionsOf(opts));
  if (!r.ok()) return JourneyError(r.status());
  *out = FunnelBundle(*std::move(r), ws->ws->Clock()).release();
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_funnel_dropoff(const cdp_result* r, int32_t step, cdp_segment_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr, "cdp_funnel_dropoff: result is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_funnel_dropoff: out is NULL");
  *out = nullptr;
  CDP_CHECK_ARG(r->funnel.has_value(), "cdp_funnel_dropoff: result is not from cdp_funnel_ex");
  const int32_t n = static_cast<int32_t>(r->funnel->steps.size());
  CDP_CHECK_ARG(step >= 1 && step <= n, cdp::Cat("cdp_funnel_dropoff: step ", step, " is outside 1..", n));
  cdp::SegmentResult s;
  s.name = cdp::Cat("dropoff ", step);
  s.members = r->funnel->DropOff(step);
  s.population = static_cast<int32_t>(r->funnel->progress.size());
  s.clock = r->clock;
  *out = new cdp_segment_result{std::move(s)};
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_path_options_create(cdp_path_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_path_options_create");
  CDP_API_END();
}
cdp_status cdp_path_options_set(cdp_path_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  return SetOption(opts, &cdp_path_options::options, key, value, "cdp_path_options_set", SetPathOption);
  CDP_API_END();
}
void cdp_path_options_destroy(cdp_path_options* opts) { delete opts; }

cdp_status cdp_paths(cdp_workspace* ws, const cdp_path_options* opts, cdp_table** top_out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_paths: workspace is NULL");
  CDP_CHECK_ARG(top_out != nullptr, "cdp_paths: top_out is NULL");
  *top_out = nullptr;
  auto r = ws->ws->Paths(OptionsOf(opts));
  if (!r.ok()) return JourneyError(r.status());
  *top_out = NewTable(std::move(r->top_paths));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_paths_ex(cdp_workspace* ws, const cdp_path_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_paths_ex: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_paths_ex: out is NULL");
  *out = nullptr;
  return ResultOut(ws->ws->Paths(OptionsOf(opts)), PathBundle, out);
  CDP_API_END();
}

cdp_status cdp_stages(cdp_workspace* ws, const char* const* names, const char* const* events, const char* const* wheres,
                      const int32_t* min_counts, int64_t n_stages, int32_t snapshots, cdp_table** summary_out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_stages: workspace is NULL");
  CDP_CHECK_ARG(summary_out != nullptr, "cdp_stages: summary_out is NULL");
  *summary_out = nullptr;
  std::vector<cdp::StageRule> model;
  if (cdp_status st = StageModel("cdp_stages", names, events, wheres, min_counts, n_stages, &model); st != CDP_OK)
    return st;
  auto r = ws->ws->Stages(model, snapshots);
  if (!r.ok()) return JourneyError(r.status());
  *summary_out = NewTable(std::move(r->summary));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_stages_ex(cdp_workspace* ws, const char* const* names, const char* const* events,
                         const char* const* wheres, const int32_t* min_counts, int64_t n_stages, int32_t snapshots,
                         cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_stages_ex: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_stages_ex: out is NULL");
  *out = nullptr;
  std::vector<cdp::StageRule> model;
  if (cdp_status st = StageModel("cdp_stages_ex", names, events, wheres, min_counts, n_stages, &model); st != CDP_OK)
    return st;
  return ResultOut(ws->ws->Stages(model, snapshots), StageBundle, out);
  CDP_API_END();
}

cdp_status cdp_heatmap_options_create(cdp_heatmap_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_heatmap_options_create");
  CDP_API_END();
}
cdp_status cdp_heatmap_options_set(cdp_heatmap_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  return SetOption(opts, &cdp_heatmap_options::options, key, value, "cdp_heatmap_options_set", SetHeatmapOption);
  CDP_API_END();
}
void cdp_heatmap_options_destroy(cdp_heatmap_options* opts) { delete opts; }

cdp_status cdp_heatmap(cdp_workspace* ws, const cdp_heatmap_options* opts, cdp_table** cells_out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_heatmap: workspace is NULL");
  CDP_CHECK_ARG(cells_out != nullptr, "cdp_heatmap: cells_out is NULL");
  *cells_out = nullptr;
  auto r = ws->ws->Heatmap(OptionsOf(opts));
  if (!r.ok()) return JourneyError(r.status());
  *cells_out = NewTable(std::move(r->cells));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_heatmap_ex(cdp_workspace* ws, const cdp_heatmap_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_heatmap_ex: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_heatmap_ex: out is NULL");
  *out = nullptr;
  return ResultOut(ws->ws->Heatmap(OptionsOf(opts)), HeatmapBundle, out);
  CDP_API_END();
}

cdp_status cdp_touch_options_create(cdp_touch_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_touch_options_create");
  CDP_API_END();
}
cdp_status cdp_touch_options_set(cdp_touch_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  return SetOption(opts, &cdp_touch_options::options, key, value, "cdp_touch_options_set", SetTouchOption);
  CDP_API_END();
}
void cdp_touch_options_destroy(cdp_touch_options* opts) { delete opts; }

cdp_status cdp_attribution_options_create(cdp_attribution_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_attribution_options_create");
  CDP_API_END();
}
cdp_status cdp_attribution_options_set(cdp_attribution_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(opts != nullptr, "cdp_attribution_options_set: opts is NULL");
  CDP_CHECK_ARG(key != nullptr, "cdp_attribution_options_set: key is NULL");
  CDP_CHECK_ARG(value != nullptr, "cdp_attribution_options_set: value is NULL");
  return FromStatus(SetAttributionOption(*opts, OptionValue{key, value}));
  CDP_API_END();
}
void cdp_attribution_options_destroy(cdp_attribution_options* opts) { delete opts; }

cdp_status cdp_attribution(cdp_workspace* ws, const cdp_touch_options* touch, const char* models,
                           const cdp_attribution_options* options, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_attribution: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_attribution: out is NULL");
  *out = nullptr;
  cdp::AttributionOptions o = OptionsOf(options);
  SetModels(models, &o);
  auto r = ws->ws->Attribution(OptionsOf(touch), o);
  if (!r.ok()) return JourneyError(r.status());
  *out = NewTable(r->ToTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_attribution_from_paths(const char* const* paths, const double* conversions, const double* values,
                                      const double* nulls, int64_t n, const char* models,
                                      const cdp_attribution_options* options, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_attribution_from_paths: out is NULL");
  *out = nullptr;
  std::vector<std::string> ps;
  if (cdp_status st = Strings(paths, n, "cdp_attribution_from_paths", "paths", "n", &ps); st != CDP_OK) return st;
  CDP_CHECK_ARG(conversions != nullptr || n == 0, "cdp_attribution_from_paths: conversions is NULL");
  const size_t count = static_cast<size_t>(n);
  std::vector<double> conv(conversions, conversions + count);
  std::vector<double> vals = values ? std::vector<double>(values, values + count) : std::vector<double>();
  std::vector<double> nls = nulls ? std::vector<double>(nulls, nulls + count) : std::vector<double>();
  static const cdp_attribution_options kDefaults;
  const cdp_attribution_options& a = options ? *options : kDefaults;
  cdp::AttributionOptions o = a.options;
  SetModels(models, &o);
  auto in = cdp::AttributionPathsFromStrings(ps, std::move(conv), std::move(vals), std::move(nls), a.separator);
  if (!in.ok()) return FromStatus(in.status());
  auto r = cdp::Attribute(*in, o);
  if (!r.ok()) return FromStatus(r.status());
  *out = NewTable(r->ToTable());
  return CDP_OK;
  CDP_API_END();
}

int64_t cdp_result_ntables(const cdp_result* r) { return r ? static_cast<int64_t>(r->tables.size()) : 0; }

const char* cdp_result_table_name(const cdp_result* r, int64_t i) {
  if (r == nullptr || i < 0 || i >= static_cast<int64_t>(r->tables.size())) return nullptr;
  return r->tables[static_cast<size_t>(i)].first.c_str();
}

cdp_status cdp_result_table(const cdp_result* r, const char* name, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr, "cdp_result_table: result is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_result_table: name is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_result_table: out is NULL");
  *out = nullptr;
  const cdp::Table* t = nullptr;
  if (cdp_status st = Named(r->tables, name, "cdp_result_table", "table", &t); st != CDP_OK) return st;
  *out = NewTable(*t);
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_result_int64(const cdp_result* r, const char* name, int64_t* out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr, "cdp_result_int64: result is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_result_int64: name is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_result_int64: out is NULL");
  const int64_t* v = nullptr;
  if (cdp_status st = Named(r->ints, name, "cdp_result_int64", "int64", &v); st != CDP_OK) return st;
  *out = *v;
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_result_double(const cdp_result* r, const char* name, double* out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr, "cdp_result_double: result is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_result_double: name is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_result_double: out is NULL");
  const double* v = nullptr;
  if (cdp_status st = Named(r->doubles, name, "cdp_result_double", "double", &v); st != CDP_OK) return st;
  *out = *v;
  return CDP_OK;
  CDP_API_END();
}

void cdp_result_destroy(cdp_result* r) { delete r; }

}  // extern "C"
