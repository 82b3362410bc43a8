// The C ABI of segments: ad-hoc selection, named segments and their members, real-time segments
// (listener, clock), overlap and RFM. Shared helpers are in capi_internal.hpp.
#include <string>
#include <utility>
#include <vector>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/segments.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

using namespace cdp::capi;

namespace {
cdp_status NewSegmentResult(absl::StatusOr<cdp::SegmentResult> r, cdp_segment_result** out) {
  if (!r.ok()) return FromQueryStatus(r.status());
  *out = new cdp_segment_result{*std::move(r)};
  return CDP_OK;
}
}  // namespace

extern "C" {

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

}  // extern "C"
