// The C ABI over the C++ API: version and last error, workspace, ingest, identity, profiles and
// tables, and the definitions of the helpers the capi files share (capi_internal.hpp). Segments
// are in capi_segments.cpp; journeys, attribution and cdp_result in capi_journeys.cpp. Every entry
// point is wrapped by CDP_API_BEGIN/END, which turn exceptions into CDP_ERR_INTERNAL and keep the
// thread-local error message.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/generate.hpp"
#include "cdp/identity.hpp"
#include "cdp/privacy.hpp"
#include "cdp/time.hpp"
#include "cdp/traits.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

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
struct cdp_table {
  cdp::Table table;
  std::mutex text_mu;  // cdp_table_string fills `text` lazily; readers may share a table
  std::vector<std::unique_ptr<std::string>> text;  // NUL-terminated copies by dictionary code
};

namespace {
thread_local std::string g_last_error;
}  // namespace

namespace cdp::capi {

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
    case absl::StatusCode::kPermissionDenied: code = cdp::IsPrivacyError(st) ? CDP_ERR_PRIVACY : CDP_ERR_IO; break;
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

cdp_status FromQueryStatus(const absl::Status& st) {
  const cdp_status code = FromStatus(st);  // records the message for cdp_last_error()
  return cdp::IsQueryParseError(st) ? CDP_ERR_PARSE : code;
}

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

namespace {
template <typename T>
bool Whole(std::string_view v, T* out) {
  v = cdp::Strip(v);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  T x{};
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return false;
  *out = x;
  return true;
}
}  // namespace

absl::Status OptionValue::Bad(std::string_view expected) const {
  return absl::InvalidArgumentError(cdp::Cat("option \"", key, "\": bad value \"", value, "\" (expected ", expected, ")"));
}
absl::Status OptionValue::Unknown(std::string_view known) const {
  return absl::InvalidArgumentError(cdp::Cat("unknown option \"", key, "\" (known: ", known, ")"));
}
absl::Status OptionValue::Text(std::string* out) const {
  *out = std::string(value);
  return absl::OkStatus();
}
absl::Status OptionValue::Bool(bool* out) const {
  if (value == "true" || value == "1") *out = true;
  else if (value == "false" || value == "0") *out = false;
  else return Bad("true, false, 1 or 0");
  return absl::OkStatus();
}
absl::Status OptionValue::Int(int* out) const { return Whole(value, out) ? absl::OkStatus() : Bad("an integer"); }
absl::Status OptionValue::Uint64(uint64_t* out) const {
  return Whole(value, out) ? absl::OkStatus() : Bad("a non-negative integer");
}
absl::Status OptionValue::Double(double* out) const {
  std::string_view v = cdp::Strip(value);
  double x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) return Bad("a finite number");
  *out = x;
  return absl::OkStatus();
}
absl::Status OptionValue::Duration(cdp::Micros* out) const {
  auto d = cdp::ParseDuration(value);
  if (!d.ok()) return Bad("a duration: a positive whole number and a unit (us, ms, s, m/min, h, d, w), e.g. \"30m\"");
  *out = *d;
  return absl::OkStatus();
}
absl::Status OptionValue::Time(cdp::Micros* out, cdp::Micros none) const {
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
absl::Status OptionValue::List(std::vector<std::string>* out) const {
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

}  // namespace cdp::capi

using namespace cdp::capi;

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

const cdp::Column* ColumnAt(const cdp_table* t, int64_t col) {
  if (t == nullptr || col < 0 || col >= static_cast<int64_t>(t->table.columns.size())) return nullptr;
  return &t->table.columns[static_cast<size_t>(col)];
}

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

extern "C" {

const char* cdp_version(void) { return "0.1.0"; }
int32_t cdp_abi_version(void) { return 5; }
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
  const size_t quarantined_before = ws->ws->quarantine().size();
  auto r = ws->ws->PushEvent(std::string_view(json, static_cast<size_t>(len)));
  if (!r.ok()) return FromStatus(r.status());
  if (result) *result = static_cast<cdp_push_result>(*r);
  if (*r == cdp::PushResult::kQuarantined)  // an erased person's event is rejected without a quarantine row
    g_last_error = ws->ws->quarantine().size() > quarantined_before
                       ? ws->ws->quarantine().back().reason
                       : "the event carries an identifier of an erased person (erased_subject); it was not stored";
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