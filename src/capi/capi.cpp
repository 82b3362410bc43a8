// The C ABI over the C++ API. Every entry point is wrapped by CDP_API_BEGIN/END, which turn
// exceptions into CDP_ERR_INTERNAL and keep the thread-local error message.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cdp/attribution.hpp"
#include "cdp/cdp.h"
#include "cdp/generate.hpp"
#include "cdp/identity.hpp"
#include "cdp/journeys.hpp"
#include "cdp/time.hpp"
#include "cdp/traits.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

struct cdp_workspace {
  std::unique_ptr<cdp::Workspace> ws;
};
struct cdp_options {
  cdp::IngestOptions ingest;
  cdp::CsvOptions csv;
};
struct cdp_report {
  cdp::IngestReport report;
};
struct cdp_identity_rules {
  cdp::IdentityRules rules;
};
struct cdp_identity_report {
  cdp::IdentityReport report;
};
struct cdp_segment_result {
  cdp::SegmentResult result;
};
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
// Named tables and numbers of one analysis (the *_ex calls).
struct cdp_result {
  std::vector<std::pair<std::string, cdp::Table>> tables;
  std::vector<std::pair<std::string, int64_t>> ints;
  std::vector<std::pair<std::string, double>> doubles;
  std::optional<cdp::FunnelResult> funnel;  // cdp_funnel_ex only (its tables moved to `tables`)
  cdp::Micros clock = 0;                    // workspace clock when the analysis ran
};
struct cdp_table {
  cdp::Table table;
  std::mutex text_mu;  // cdp_table_string fills `text` lazily; readers may share a table
  std::vector<std::unique_ptr<std::string>> text;  // NUL-terminated copies by dictionary code
};

namespace {

thread_local std::string g_last_error;

cdp_status Fail(cdp_status code, std::string message) {
  g_last_error = std::move(message);
  return code;
}

cdp_status FromStatus(const absl::Status& st) {
  if (st.ok()) return CDP_OK;
  cdp_status code = CDP_ERR_INTERNAL;
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists: code = CDP_ERR_INVALID_ARGUMENT; break;
    case absl::StatusCode::kNotFound: code = CDP_ERR_NOT_FOUND; break;
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kPermissionDenied: code = CDP_ERR_IO; break;
    case absl::StatusCode::kUnimplemented: code = CDP_ERR_UNIMPLEMENTED; break;
    default: code = CDP_ERR_INTERNAL;
  }
  return Fail(code, std::string(cdp::View(st.message())));
}

cdp_table* NewTable(cdp::Table t) {
  auto* out = new cdp_table();
  out->table = std::move(t);
  out->text.resize(static_cast<size_t>(out->table.dict->size()));
  return out;
}

}  // namespace

#define CDP_API_BEGIN() try {
#define CDP_API_END()                                                   \
  }                                                                     \
  catch (const std::bad_alloc&) {                                       \
    return Fail(CDP_ERR_INTERNAL, "out of memory");                     \
  }                                                                     \
  catch (const std::exception& e) {                                     \
    return Fail(CDP_ERR_INTERNAL, cdp::Cat("internal error: ", e.what())); \
  }                                                                     \
  catch (...) {                                                         \
    return Fail(CDP_ERR_INTERNAL, "internal error");                    \
  }
#define CDP_CHECK_ARG(cond, what) \
  if (!(cond)) return Fail(CDP_ERR_INVALID_ARGUMENT, what)

namespace {
template <typename F>
cdp_status IngestWith(cdp_workspace* ws, const cdp_options* opts, cdp_report** out, const char* what, F f) {
  CDP_CHECK_ARG(ws != nullptr, cdp::Cat(what, ": workspace is NULL"));
  if (out) *out = nullptr;
  static const cdp_options kDefaults;
  const cdp_options& o = opts ? *opts : kDefaults;
  absl::StatusOr<cdp::IngestReport> r = f(o);
  if (!r.ok()) return FromStatus(r.status());
  if (out) *out = new cdp_report{*std::move(r)};
  return CDP_OK;
}
}  // namespace

namespace {
const cdp::Column* ColumnAt(const cdp_table* t, int64_t col) {
  if (t == nullptr || col < 0 || col >= static_cast<int64_t>(t->table.columns.size())) return nullptr;
  return &t->table.columns[static_cast<size_t>(col)];
}
}  // namespace

namespace {
template <typename T>
cdp_status TypedColumn(const cdp_table* t, int64_t col, const T** data, cdp::ColumnType want,
                       const cdp::Vec<T> cdp::Column::*member, const char* what) {
  const cdp::Column* c = ColumnAt(t, col);
  CDP_CHECK_ARG(data != nullptr, cdp::Cat(what, ": data is NULL"));
  CDP_CHECK_ARG(c != nullptr, cdp::Cat(what, ": column ", col, " out of range"));
  if (c->type != want)
    return Fail(CDP_ERR_INVALID_ARGUMENT, cdp::Cat(what, ": column \"", t->table.names[static_cast<size_t>(col)],
                                                   "\" is ", cdp::ColumnTypeName(c->type)));
  *data = (c->*member).data();
  return CDP_OK;
}
}  // namespace

namespace {
// FromStatus, except that an expression compile error (Query::Compile's payload) becomes
// CDP_ERR_PARSE.
cdp_status FromQueryStatus(const absl::Status& st) {
  const cdp_status code = FromStatus(st);  // records the message for cdp_last_error()
  return cdp::IsQueryParseError(st) ? CDP_ERR_PARSE : code;
}

cdp_status NewSegmentResult(absl::StatusOr<cdp::SegmentResult> r, cdp_segment_result** out) {
  if (!r.ok()) return FromQueryStatus(r.status());
  *out = new cdp_segment_result{*std::move(r)};
  return CDP_OK;
}

// n C strings into `out`; errors name the arguments (`what`, `what_n`, `what`[i]).
cdp_status Strings(const char* const* items, int64_t n, const char* fn, const char* what, const char* what_n,
                   std::vector<std::string>* out) {
  CDP_CHECK_ARG(n >= 0, cdp::Cat(fn, ": ", what_n, " is negative"));
  CDP_CHECK_ARG(items != nullptr || n == 0, cdp::Cat(fn, ": ", what, " is NULL"));
  out->reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    CDP_CHECK_ARG(items[i] != nullptr, cdp::Cat(fn, ": ", what, "[", i, "] is NULL"));
    out->emplace_back(items[i]);
  }
  return CDP_OK;
}
}  // namespace

namespace {
// One key/value of a journey options object. The parsers change *out only on success and name
// the key in their errors, like cdp_options_set.
struct OptionValue {
  std::string_view key, value;

  absl::Status Bad(std::string_view expected) const {
    return absl::InvalidArgumentError(cdp::Cat("option \"", key, "\": bad value \"", value, "\" (expected ", expected, ")"));
  }
  absl::Status Unknown(std::string_view known) const {
    return absl::InvalidArgumentError(cdp::Cat("unknown option \"", key, "\" (known: ", known, ")"));
  }
  absl::Status Text(std::string* out) const {
    *out = std::string(value);
    return absl::OkStatus();
  }
  absl::Status Bool(bool* out) const {
    if (value == "true" || value == "1") *out = true;
    else if (value == "false" || value == "0") *out = false;
    else return Bad("true, false, 1 or 0");
    return absl::OkStatus();
  }
  template <typename T>
  static bool Whole(std::string_view v, T* out) {
    v = cdp::Strip(v);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    T x{};
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return false;
    *out = x;
    return true;
  }
  absl::Status Int(int* out) const { return Whole(value, out) ? absl::OkStatus() : Bad("an integer"); }
  absl::Status Uint64(uint64_t* out) const { return Whole(value, out) ? absl::OkStatus() : Bad("a non-negative integer"); }
  absl::Status Double(double* out) const {
    std::string_view v = cdp::Strip(value);
    double x = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) return Bad("a finite number");
    *out = x;
    return absl::OkStatus();
  }
  absl::Status Duration(cdp::Micros* out) const {
    auto d = cdp::ParseDuration(value);
    if (!d.ok()) return Bad("a duration: a positive whole number and a unit (us, ms, s, m/min, h, d, w), e.g. \"30m\"");
    *out = *d;
    return absl::OkStatus();
  }
  // An integer is µs; other text is ISO 8601 (UTC when naive); "" is `none`.
  absl::Status Time(cdp::Micros* out, cdp::Micros none) const {
    const std::string_view v = cdp::Strip(value);
    if (v.empty()) {
      *out = none;
      return absl::OkStatus();
    }
    if (Whole(v, out)) return absl::OkStatus();
    auto parser = cdp::TimeParser::Create();
    if (!parser.ok()) return parser.status();
    auto t = parser->Parse(v);
    if (!t.ok()) return Bad("µs since the epoch or an ISO 8601 time");
    *out = *t;
    return absl::OkStatus();
  }
  absl::Status List(std::vector<std::string>* out) const {
    std::vector<std::string> items;
    if (!cdp::Strip(value).empty()) {
      size_t start = 0;
      while (true) {
        const size_t comma = value.find(',', start);
        items.emplace_back(cdp::Strip(value.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    }
    *out = std::move(items);
    return absl::OkStatus();
  }
};

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

template <typename T>
cdp_status CreateOptions(T** out, const char* fn) {
  CDP_CHECK_ARG(out != nullptr, cdp::Cat(fn, ": out is NULL"));
  *out = new T();
  return CDP_OK;
}

template <typename T, typename Target, typename Setter>
cdp_status SetOption(T* opts, Target T::*target, const char* key, const char* value, const char* fn, Setter set) {
  CDP_CHECK_ARG(opts != nullptr, cdp::Cat(fn, ": opts is NULL"));
  CDP_CHECK_ARG(key != nullptr, cdp::Cat(fn, ": key is NULL"));
  CDP_CHECK_ARG(value != nullptr, cdp::Cat(fn, ": value is NULL"));
  return FromStatus(set(opts->*target, OptionValue{key, value}));
}

// Options behind a nullable pointer: the defaults for NULL.
template <typename T>
const auto& OptionsOf(const T* opts) {
  static const T kDefaults{};
  return (opts ? *opts : kDefaults).options;
}

// A journey call's error: the message for cdp_last_error(), CDP_ERR_PARSE when a condition did
// not compile.
cdp_status JourneyError(const absl::Status& st) { return FromQueryStatus(st); }

cdp::Table WarningsTable(const std::vector<std::string>& warnings) {
  cdp::Table t;
  cdp::Column& c = t.Add("warning", cdp::ColumnType::kString);
  for (const std::string& w : warnings) t.AppendString(c, w);
  return t;
}

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

const char* cdp_version(void) { return "0.1.0"; }
int32_t cdp_abi_version(void) { return 4; }
const char* cdp_last_error(void) { return g_last_error.c_str(); }

cdp_status cdp_workspace_open(const char* path, cdp_workspace** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_workspace_open: out is NULL");
  *out = nullptr;
  auto ws = cdp::Workspace::Open(path == nullptr ? ":memory:" : path);
  if (!ws.ok()) return FromStatus(ws.status());
  *out = new cdp_workspace{*std::move(ws)};
  return CDP_OK;
  CDP_API_END();
}

void cdp_workspace_close(cdp_workspace* ws) { delete ws; }

cdp_status cdp_workspace_open_ex(const char* path, int32_t read_only, cdp_workspace** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_workspace_open_ex: out is NULL");
  *out = nullptr;
  cdp::OpenOptions options;
  options.read_only = read_only != 0;
  auto ws = cdp::Workspace::Open(path == nullptr ? ":memory:" : path, options);
  if (!ws.ok()) return FromStatus(ws.status());
  *out = new cdp_workspace{*std::move(ws)};
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_workspace_save(cdp_workspace* ws) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_workspace_save: workspace is NULL");
  return FromStatus(ws->ws->Save());
  CDP_API_END();
}

cdp_status cdp_options_create(cdp_options** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_options_create: out is NULL");
  *out = new cdp_options();
  return CDP_OK;
  CDP_API_END();
}

void cdp_options_destroy(cdp_options* opts) { delete opts; }

cdp_status cdp_options_set(cdp_options* opts, const char* key_c, const char* value_c) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(opts != nullptr, "cdp_options_set: opts is NULL");
  CDP_CHECK_ARG(key_c != nullptr, "cdp_options_set: key is NULL");
  CDP_CHECK_ARG(value_c != nullptr, "cdp_options_set: value is NULL");
  return FromStatus(cdp::SetIngestOption(&opts->ingest, &opts->csv, key_c, value_c));
  CDP_API_END();
}


cdp_status cdp_ingest_csv(cdp_workspace* ws, const char* path, const cdp_options* opts, cdp_report** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(path != nullptr, "cdp_ingest_csv: path is NULL");
  return IngestWith(ws, opts, out, "cdp_ingest_csv",
                    [&](const cdp_options& o) { return ws->ws->IngestCsv(path, o.ingest, o.csv); });
  CDP_API_END();
}

cdp_status cdp_ingest_ndjson(cdp_workspace* ws, const char* path, const cdp_options* opts, cdp_report** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(path != nullptr, "cdp_ingest_ndjson: path is NULL");
  return IngestWith(ws, opts, out, "cdp_ingest_ndjson",
                    [&](const cdp_options& o) { return ws->ws->IngestNdjson(path, o.ingest); });
  CDP_API_END();
}

cdp_status cdp_ingest_csv_text(cdp_workspace* ws, const char* data, int64_t len, const cdp_options* opts,
                               cdp_report** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(data != nullptr || len == 0, "cdp_ingest_csv_text: data is NULL");
  CDP_CHECK_ARG(len >= 0, "cdp_ingest_csv_text: len is negative");
  return IngestWith(ws, opts, out, "cdp_ingest_csv_text", [&](const cdp_options& o) {
    return ws->ws->IngestCsvText(std::string(data, static_cast<size_t>(len)), o.ingest, o.csv);
  });
  CDP_API_END();
}

cdp_status cdp_push_configure(cdp_workspace* ws, const cdp_options* opts) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_push_configure: workspace is NULL");
  CDP_CHECK_ARG(opts != nullptr, "cdp_push_configure: opts is NULL");
  return FromStatus(ws->ws->ConfigurePush(opts->ingest));
  CDP_API_END();
}

cdp_status cdp_push_event(cdp_workspace* ws, const char* json, int64_t len, cdp_push_result* result) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_push_event: workspace is NULL");
  CDP_CHECK_ARG(json != nullptr, "cdp_push_event: json is NULL");
  CDP_CHECK_ARG(len >= 0, "cdp_push_event: len is negative");
  auto r = ws->ws->PushEvent(std::string_view(json, static_cast<size_t>(len)));
  if (!r.ok()) return FromStatus(r.status());
  if (result) *result = static_cast<cdp_push_result>(*r);
  if (*r == cdp::PushResult::kQuarantined && !ws->ws->quarantine().empty())
    g_last_error = ws->ws->quarantine().back().reason;
  return CDP_OK;
  CDP_API_END();
}

int64_t cdp_report_read(const cdp_report* r) { return r ? r->report.read : 0; }
int64_t cdp_report_accepted(const cdp_report* r) { return r ? r->report.accepted : 0; }
int64_t cdp_report_quarantined(const cdp_report* r) { return r ? r->report.quarantined : 0; }
int64_t cdp_report_duplicates(const cdp_report* r) { return r ? r->report.duplicates : 0; }
void cdp_report_destroy(cdp_report* r) { delete r; }

cdp_status cdp_report_reasons(const cdp_report* r, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr && out != nullptr, "cdp_report_reasons: NULL argument");
  cdp::Table t;
  cdp::Column& code = t.Add("code", cdp::ColumnType::kString);
  cdp::Column& rows = t.Add("rows", cdp::ColumnType::kInt64);
  for (const auto& [k, v] : r->report.reasons) {
    t.AppendString(code, k);
    rows.i64.push_back(v);
  }
  *out = NewTable(std::move(t));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_events(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_events: NULL argument");
  *out = NewTable(ws->ws->EventsTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_quarantine(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_quarantine: NULL argument");
  *out = NewTable(ws->ws->QuarantineTable());
  return CDP_OK;
  CDP_API_END();
}

int64_t cdp_event_count(cdp_workspace* ws) {
  try {
    return ws ? static_cast<int64_t>(ws->ws->events().size()) : 0;
  } catch (...) {
    g_last_error = "cdp_event_count: internal error";
    return -1;
  }
}

cdp_status cdp_generate_csv(const char* dir, int64_t customers, int32_t days, uint64_t seed) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(dir != nullptr, "cdp_generate_csv: dir is NULL");
  CDP_CHECK_ARG(customers > 0, "cdp_generate_csv: customers must be positive");
  CDP_CHECK_ARG(days > 0, "cdp_generate_csv: days must be positive");
  cdp::GenerateOptions o;
  o.customers = customers;
  o.days = days;
  o.seed = seed;
  auto data = cdp::Generate(o);
  if (!data.ok()) return FromStatus(data.status());
  return FromStatus(cdp::WriteGenerated(*data, dir, "csv"));
  CDP_API_END();
}

cdp_status cdp_identity_rules_create(cdp_identity_rules** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_identity_rules_create: out is NULL");
  *out = new cdp_identity_rules();
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_identity_rules_set(cdp_identity_rules* rules, const char* key, const char* value) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(rules != nullptr, "cdp_identity_rules_set: rules is NULL");
  CDP_CHECK_ARG(key != nullptr, "cdp_identity_rules_set: key is NULL");
  CDP_CHECK_ARG(value != nullptr, "cdp_identity_rules_set: value is NULL");
  return FromStatus(cdp::SetIdentityRule(&rules->rules, key, value));
  CDP_API_END();
}

void cdp_identity_rules_destroy(cdp_identity_rules* rules) { delete rules; }

cdp_status cdp_configure_identity(cdp_workspace* ws, const cdp_identity_rules* rules) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_configure_identity: workspace is NULL");
  static const cdp::IdentityRules kDefaults;
  return FromStatus(ws->ws->ConfigureIdentity(rules ? rules->rules : kDefaults));
  CDP_API_END();
}

cdp_status cdp_resolve_identities(cdp_workspace* ws, cdp_identity_report** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_resolve_identities: workspace is NULL");
  if (out) *out = nullptr;
  auto r = ws->ws->ResolveIdentities();
  if (!r.ok()) return FromStatus(r.status());
  if (out) *out = new cdp_identity_report{*std::move(r)};
  return CDP_OK;
  CDP_API_END();
}

int64_t cdp_identity_report_events(const cdp_identity_report* r) { return r ? r->report.events : 0; }
int64_t cdp_identity_report_events_unassigned(const cdp_identity_report* r) {
  return r ? r->report.events_unassigned : 0;
}
int64_t cdp_identity_report_profiles(const cdp_identity_report* r) { return r ? r->report.profiles : 0; }
int64_t cdp_identity_report_identifiers(const cdp_identity_report* r) { return r ? r->report.identifiers : 0; }
int64_t cdp_identity_report_links(const cdp_identity_report* r) { return r ? r->report.links : 0; }
int64_t cdp_identity_report_merges(const cdp_identity_report* r) { return r ? r->report.merges : 0; }
int64_t cdp_identity_report_conflicts(const cdp_identity_report* r) { return r ? r->report.conflicts : 0; }
int64_t cdp_identity_report_removed(const cdp_identity_report* r) { return r ? r->report.removed : 0; }
int64_t cdp_identity_report_blocked(const cdp_identity_report* r) { return r ? r->report.blocked : 0; }
int64_t cdp_identity_report_invalid(const cdp_identity_report* r) { return r ? r->report.invalid : 0; }
void cdp_identity_report_destroy(cdp_identity_report* r) { delete r; }

cdp_status cdp_profiles_table(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_profiles_table: NULL argument");
  *out = NewTable(ws->ws->ProfilesTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_identity_links_table(cdp_workspace* ws, int32_t profile, int32_t merges_only, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_identity_links_table: NULL argument");
  *out = NewTable(ws->ws->IdentityLinks(profile, merges_only != 0));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_identifiers_table(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_identifiers_table: NULL argument");
  *out = NewTable(ws->ws->IdentifiersTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_attributes_table(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_attributes_table: NULL argument");
  *out = NewTable(ws->ws->AttributesTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_audit_table(cdp_workspace* ws, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && out != nullptr, "cdp_audit_table: NULL argument");
  *out = NewTable(ws->ws->AuditTable());
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_find_profile(cdp_workspace* ws, const char* identifier, int32_t* out_profile) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_find_profile: workspace is NULL");
  CDP_CHECK_ARG(identifier != nullptr, "cdp_find_profile: identifier is NULL");
  CDP_CHECK_ARG(out_profile != nullptr, "cdp_find_profile: out_profile is NULL");
  *out_profile = -1;
  auto p = ws->ws->FindProfile(identifier);
  if (!p.ok()) return FromStatus(p.status());
  *out_profile = *p;
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_link(cdp_workspace* ws, const char* a, const char* b) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_link: workspace is NULL");
  CDP_CHECK_ARG(a != nullptr && b != nullptr, "cdp_link: identifier is NULL");
  return FromStatus(ws->ws->Link(a, b));
  CDP_API_END();
}

cdp_status cdp_unmerge(cdp_workspace* ws, const char* a, const char* b, int64_t* out_removed) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_unmerge: workspace is NULL");
  CDP_CHECK_ARG(a != nullptr, "cdp_unmerge: identifier a is NULL");
  if (out_removed) *out_removed = 0;
  auto n = ws->ws->Unmerge(a, b == nullptr ? "" : b);
  if (!n.ok()) return FromStatus(n.status());
  if (out_removed) *out_removed = *n;
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_define_trait(cdp_workspace* ws, const char* name, const char* agg, const char* field,
                            const char* const* event_types, int64_t n_types, const char* window) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_define_trait: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_define_trait: name is NULL");
  CDP_CHECK_ARG(agg != nullptr, "cdp_define_trait: agg is NULL");
  CDP_CHECK_ARG(n_types >= 0, "cdp_define_trait: n_types is negative");
  CDP_CHECK_ARG(event_types != nullptr || n_types == 0, "cdp_define_trait: event_types is NULL");
  cdp::TraitSpec spec;
  spec.name = name;
  auto a = cdp::ParseTraitAgg(agg);
  if (!a.ok()) return FromStatus(a.status());
  spec.agg = *a;
  if (field != nullptr) spec.field = field;
  for (int64_t i = 0; i < n_types; ++i) {
    CDP_CHECK_ARG(event_types[i] != nullptr, cdp::Cat("cdp_define_trait: event_types[", i, "] is NULL"));
    spec.event_types.emplace_back(event_types[i]);
  }
  if (window != nullptr && window[0] != '\0') {
    auto w = cdp::ParseDuration(window);
    if (!w.ok()) return FromStatus(w.status());
    spec.window = *w;
  }
  return FromStatus(ws->ws->DefineTrait(spec));
  CDP_API_END();
}

cdp_status cdp_drop_trait(cdp_workspace* ws, const char* name) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_drop_trait: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_drop_trait: name is NULL");
  return FromStatus(ws->ws->DropTrait(name));
  CDP_API_END();
}

cdp_status cdp_select(cdp_workspace* ws, const char* expression, const char* purpose, int64_t as_of,
                      cdp_segment_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_select: workspace is NULL");
  CDP_CHECK_ARG(expression != nullptr, "cdp_select: expression is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_select: out is NULL");
  *out = nullptr;
  return NewSegmentResult(ws->ws->Select(expression, purpose == nullptr ? "" : purpose, as_of), out);
  CDP_API_END();
}

int64_t cdp_segment_result_size(const cdp_segment_result* r) {
  return r ? static_cast<int64_t>(r->result.members.size()) : 0;
}
int64_t cdp_segment_result_population(const cdp_segment_result* r) { return r ? r->result.population : 0; }
int64_t cdp_segment_result_excluded(const cdp_segment_result* r) { return r ? r->result.excluded : 0; }
int64_t cdp_segment_result_clock(const cdp_segment_result* r) { return r ? r->result.clock : 0; }

cdp_status cdp_segment_result_members(const cdp_segment_result* r, const int32_t** data, int64_t* n_members) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(r != nullptr, "cdp_segment_result_members: result is NULL");
  CDP_CHECK_ARG(data != nullptr, "cdp_segment_result_members: data is NULL");
  CDP_CHECK_ARG(n_members != nullptr, "cdp_segment_result_members: n_members is NULL");
  *data = r->result.members.data();
  *n_members = static_cast<int64_t>(r->result.members.size());
  return CDP_OK;
  CDP_API_END();
}

void cdp_segment_result_destroy(cdp_segment_result* r) { delete r; }

cdp_status cdp_segment_create(cdp_workspace* ws, const char* name, const char* expression, const char* purpose,
                              const char* description, int32_t replace) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_create: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_segment_create: name is NULL");
  CDP_CHECK_ARG(expression != nullptr, "cdp_segment_create: expression is NULL");
  cdp::SegmentSpec spec;
  spec.name = name;
  spec.expression = expression;
  if (purpose != nullptr) spec.purpose = purpose;
  if (description != nullptr) spec.description = description;
  // DefineSegment reports a compile error as 'segment "<name>": line ...'.
  return FromQueryStatus(ws->ws->DefineSegment(spec, replace != 0));
  CDP_API_END();
}

cdp_status cdp_segment_drop(cdp_workspace* ws, const char* name) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_drop: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_segment_drop: name is NULL");
  return FromStatus(ws->ws->DropSegment(name));
  CDP_API_END();
}

cdp_status cdp_set_segment_listener(cdp_workspace* ws, cdp_segment_listener listener, void* user_data) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_set_segment_listener: workspace is NULL");
  if (listener == nullptr) {
    ws->ws->SetSegmentListener(nullptr);
    return CDP_OK;
  }
  ws->ws->SetSegmentListener([listener, user_data](const cdp::SegmentChange& c) {
    listener(c.segment.c_str(), c.key.c_str(), c.profile, c.entered ? 1 : 0, c.ts, user_data);
  });
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_segment_set_realtime(cdp_workspace* ws, const char* name, int32_t realtime) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_set_realtime: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_segment_set_realtime: name is NULL");
  return FromStatus(ws->ws->SetRealtime(name, realtime != 0));
  CDP_API_END();
}

cdp_status cdp_advance_to(cdp_workspace* ws, int64_t ts) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_advance_to: workspace is NULL");
  return FromStatus(ws->ws->AdvanceTo(ts));
  CDP_API_END();
}

cdp_status cdp_segment_evaluate(cdp_workspace* ws, const char* name, int64_t as_of, cdp_segment_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_evaluate: workspace is NULL");
  CDP_CHECK_ARG(name != nullptr, "cdp_segment_evaluate: name is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_segment_evaluate: out is NULL");
  *out = nullptr;
  auto r = ws->ws->EvaluateSegment(name, as_of);
  if (!r.ok()) return FromStatus(r.status());  // a stored expression that no longer compiles stays INVALID_ARGUMENT
  *out = new cdp_segment_result{*std::move(r)};
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_segment_members_table(cdp_workspace* ws, const int32_t* members, int64_t n_members,
                                     const char* const* columns, int64_t n_columns, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_members_table: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_segment_members_table: out is NULL");
  *out = nullptr;
  CDP_CHECK_ARG(n_members >= 0, "cdp_segment_members_table: n_members is negative");
  CDP_CHECK_ARG(members != nullptr || n_members == 0, "cdp_segment_members_table: members is NULL");
  std::vector<std::string> cols;
  if (cdp_status st = Strings(columns, n_columns, "cdp_segment_members_table", "columns", "n_columns", &cols); st != CDP_OK)
    return st;
  std::vector<int32_t> ids(members, members + n_members);
  auto t = ws->ws->MembersTable(ids, cols);
  if (!t.ok()) return FromStatus(t.status());
  *out = NewTable(*std::move(t));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_rfm(cdp_workspace* ws, const char* const* purchase_types, int64_t n_types, const char* order_field,
                   int64_t reference, int32_t bins, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_rfm: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_rfm: out is NULL");
  *out = nullptr;
  cdp::RfmOptions o;
  std::vector<std::string> types;
  if (cdp_status st = Strings(purchase_types, n_types, "cdp_rfm", "purchase_types", "n_types", &types); st != CDP_OK) return st;
  if (!types.empty()) o.purchase_types = std::move(types);
  if (order_field != nullptr) o.order_field = order_field;
  o.reference = reference;
  if (bins != 0) o.bins = bins;
  auto r = ws->ws->Rfm(o);
  if (!r.ok()) return FromStatus(r.status());
  *out = NewTable(ws->ws->RfmTable(*r));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_segment_overlap(cdp_workspace* ws, const char* const* names, int64_t n, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_segment_overlap: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_segment_overlap: out is NULL");
  *out = nullptr;
  std::vector<std::string> wanted;
  if (cdp_status st = Strings(names, n, "cdp_segment_overlap", "names", "n", &wanted); st != CDP_OK) return st;
  std::vector<cdp::SegmentResult> results;
  results.reserve(wanted.size());
  for (const std::string& name : wanted) {
    auto r = ws->ws->EvaluateSegment(name);
    if (!r.ok()) return FromStatus(r.status());
    results.push_back(*std::move(r));
  }
  *out = NewTable(cdp::OverlapTable(results));
  return CDP_OK;
  CDP_API_END();
}

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

int64_t cdp_table_nrows(const cdp_table* t) { return t ? static_cast<int64_t>(t->table.rows()) : 0; }
int64_t cdp_table_ncols(const cdp_table* t) { return t ? static_cast<int64_t>(t->table.columns.size()) : 0; }


const char* cdp_table_column_name(const cdp_table* t, int64_t col) {
  return ColumnAt(t, col) ? t->table.names[static_cast<size_t>(col)].c_str() : nullptr;
}

int64_t cdp_table_column_index(const cdp_table* t, const char* name) {
  if (t == nullptr || name == nullptr) return -1;
  return t->table.Index(name);
}

cdp_column_type cdp_table_column_type(const cdp_table* t, int64_t col) {
  const cdp::Column* c = ColumnAt(t, col);
  return c ? static_cast<cdp_column_type>(c->type) : CDP_STRING;
}


cdp_status cdp_table_column_int64(const cdp_table* t, int64_t col, const int64_t** data) {
  CDP_API_BEGIN();
  return TypedColumn(t, col, data, cdp::ColumnType::kInt64, &cdp::Column::i64, "cdp_table_column_int64");
  CDP_API_END();
}
cdp_status cdp_table_column_double(const cdp_table* t, int64_t col, const double** data) {
  CDP_API_BEGIN();
  return TypedColumn(t, col, data, cdp::ColumnType::kDouble, &cdp::Column::f64, "cdp_table_column_double");
  CDP_API_END();
}
cdp_status cdp_table_column_bool(const cdp_table* t, int64_t col, const int8_t** data) {
  CDP_API_BEGIN();
  return TypedColumn(t, col, data, cdp::ColumnType::kBool, &cdp::Column::b, "cdp_table_column_bool");
  CDP_API_END();
}

int32_t cdp_table_is_null(const cdp_table* t, int64_t col, int64_t row) {
  const cdp::Column* c = ColumnAt(t, col);
  if (c == nullptr || row < 0 || row >= static_cast<int64_t>(c->size())) return 1;
  return c->IsNull(static_cast<size_t>(row)) ? 1 : 0;
}

const char* cdp_table_string(const cdp_table* t, int64_t col, int64_t row) {
  try {
    const cdp::Column* c = ColumnAt(t, col);
    if (c == nullptr || c->type != cdp::ColumnType::kString || row < 0 ||
        row >= static_cast<int64_t>(c->size()))
      return nullptr;
    int32_t code = c->str[static_cast<size_t>(row)];
    if (code == cdp::kNullCode) return nullptr;
    std::lock_guard<std::mutex> lock(const_cast<cdp_table*>(t)->text_mu);
    auto& slot = const_cast<cdp_table*>(t)->text[static_cast<size_t>(code)];
    if (!slot) slot = std::make_unique<std::string>(t->table.dict->Get(code));
    return slot->c_str();
  } catch (...) {
    return nullptr;
  }
}

void cdp_table_destroy(cdp_table* t) { delete t; }

}  // extern "C"
