// The C ABI of erasure: cdp_erase (GDPR Art. 17 / CCPA delete of one person).
#include <cstdint>
#include <memory>
#include <string>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/erasure.hpp"
#include "cdp/workspace.hpp"

using namespace cdp::capi;

extern "C" {

cdp_status cdp_erase(cdp_workspace* ws, const char* identifier, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_erase: workspace is NULL");
  CDP_CHECK_ARG(identifier != nullptr, "cdp_erase: identifier is NULL");
  if (out) *out = nullptr;
  auto r = ws->ws->Erase(identifier);
  if (!r.ok()) return FromStatus(r.status());
  if (out == nullptr) return CDP_OK;
  auto res = std::make_unique<cdp_result>();
  res->ints = {{"events_removed", r->events_removed},
               {"identifiers_removed", r->identifiers_removed},
               {"quarantine_removed", r->quarantine_removed},
               {"links_removed", r->links_removed},
               {"operations_removed", r->operations_removed},
               {"audit_redacted", r->audit_redacted},
               {"strings_removed", r->strings_removed},
               {"file_compacted", r->file_compacted ? 1 : 0}};
  res->doubles = {{"seconds", r->seconds}};
  cdp::Table ids;
  cdp::Column& type = ids.Add("type", cdp::ColumnType::kString);
  cdp::Column& removed = ids.Add("removed", cdp::ColumnType::kInt64);
  for (const auto& [name, count] : r->identifiers_by_type) {
    ids.AppendString(type, name);
    removed.i64.push_back(count);
  }
  res->tables.emplace_back("identifiers", std::move(ids));
  cdp::Table tombstones;
  cdp::Column& hash = tombstones.Add("hash", cdp::ColumnType::kString);
  cdp::Column& key = tombstones.Add("profile_key", cdp::ColumnType::kBool);
  for (const std::string& h : r->tombstones) {
    tombstones.AppendString(hash, h);
    key.b.push_back(h == r->profile_key_hash ? 1 : 0);
  }
  res->tables.emplace_back("tombstones", std::move(tombstones));
  *out = res.release();
  return CDP_OK;
  CDP_API_END();
}

}  // extern "C"
