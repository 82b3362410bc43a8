// The C ABI of privacy: the consent policy, consent decisions, per-profile consent, the audit
// chain check and keyed pseudonyms.
#include <cstdint>
#include <string>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/privacy.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

using namespace cdp::capi;

extern "C" {

cdp_status cdp_privacy_set(cdp_workspace* ws, const char* key, const char* value) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_privacy_set: workspace is NULL");
  CDP_CHECK_ARG(key != nullptr && value != nullptr, "cdp_privacy_set: key or value is NULL");
  cdp::ConsentPolicy p = ws->ws->privacy_policy();
  const OptionValue v{key, value};
  absl::Status st;
  if (v.key == "purposes") st = v.List(&p.purposes);
  else if (v.key == "opt_in_regions") st = v.List(&p.opt_in_regions);
  else if (v.key == "opt_out_regions") st = v.List(&p.opt_out_regions);
  else if (v.key == "unknown_region") st = v.Text(&p.unknown_region);
  else if (v.key == "gpc_purpose") st = v.Text(&p.gpc_purpose);
  else if (v.key == "consent_event") st = v.Text(&p.consent_event);
  else if (v.key == "purpose_column") st = v.Text(&p.purpose_column);
  else if (v.key == "status_column") st = v.Text(&p.status_column);
  else if (v.key == "gpc_column") st = v.Text(&p.gpc_column);
  else if (v.key == "country_field") st = v.Text(&p.country_field);
  else if (v.key == "region_field") st = v.Text(&p.region_field);
  else st = v.Unknown("purposes, opt_in_regions, opt_out_regions, unknown_region, gpc_purpose, consent_event, "
                      "purpose_column, status_column, gpc_column, country_field, region_field");
  if (st.ok()) st = ws->ws->ConfigurePrivacy(p);
  return FromStatus(st.ok() ? st : cdp::PrefixStatus(st, "cdp_privacy_set: "));
  CDP_API_END();
}

cdp_status cdp_set_consent(cdp_workspace* ws, const char* identifier, const char* purpose, const char* status,
                           int64_t ts, const char* source, const char* policy_version) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_set_consent: workspace is NULL");
  CDP_CHECK_ARG(identifier != nullptr && purpose != nullptr && status != nullptr,
                "cdp_set_consent: identifier, purpose or status is NULL");
  return FromStatus(ws->ws->SetConsent(identifier, purpose, status, ts, source ? source : "api",
                                       policy_version ? policy_version : ""));
  CDP_API_END();
}

cdp_status cdp_consent_table(cdp_workspace* ws, const char* purpose, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && purpose != nullptr, "cdp_consent_table: workspace or purpose is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_consent_table: out is NULL");
  *out = nullptr;
  auto t = ws->ws->ConsentTable(purpose);
  if (!t.ok()) return FromStatus(t.status());
  *out = NewTable(*std::move(t));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_consent_of(cdp_workspace* ws, const char* identifier, cdp_table** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && identifier != nullptr, "cdp_consent_of: workspace or identifier is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_consent_of: out is NULL");
  *out = nullptr;
  auto t = ws->ws->ConsentOf(identifier);
  if (!t.ok()) return FromStatus(t.status());
  *out = NewTable(*std::move(t));
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_verify_audit(cdp_workspace* ws, int64_t* first_bad) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr && first_bad != nullptr, "cdp_verify_audit: workspace or first_bad is NULL");
  const cdp::AuditVerification v = ws->ws->VerifyAudit();
  *first_bad = v.first_bad;
  return v.ok ? CDP_OK : Fail(CDP_ERR_PRIVACY, v.message);
  CDP_API_END();
}

cdp_status cdp_pseudonym(const char* key_id, const char* secret, int64_t secret_len, const char* value,
                         int64_t value_len, char* out, int64_t out_size) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(key_id != nullptr && secret != nullptr && value != nullptr && out != nullptr,
                "cdp_pseudonym: an argument is NULL");
  CDP_CHECK_ARG(secret_len >= 0 && value_len >= 0, "cdp_pseudonym: a length is negative");
  const cdp::PseudonymKey key{key_id, std::string(secret, static_cast<size_t>(secret_len)), INT64_MAX};
  if (auto st = cdp::ValidatePseudonymKey(key, 0); !st.ok()) return FromStatus(st);
  const std::string p = cdp::Pseudonym(key, std::string_view(value, static_cast<size_t>(value_len)), 64);
  CDP_CHECK_ARG(out_size > static_cast<int64_t>(p.size()), cdp::Cat("cdp_pseudonym: out_size must be at least ", p.size() + 1));
  std::copy(p.begin(), p.end(), out);
  out[p.size()] = '\0';
  return CDP_OK;
  CDP_API_END();
}

}  // extern "C"
