// cdpcore._core privacy: consent (policy, decisions, per-profile state), the audit chain check and
// keyed pseudonyms. python/cdpcore/privacy.py and the Workspace methods wrap them.
#include "cdp/privacy.hpp"
#include "py_workspace.hpp"

namespace py = pybind11;
using namespace cdp_py;

namespace {
// A Status as the StatusOr PyWorkspace::Native takes (it raises the error).
absl::StatusOr<bool> Done(const absl::Status& st) {
  if (!st.ok()) return st;
  return true;
}
}  // namespace

void BindPrivacy(py::module_& m, py::class_<PyWorkspace>& cls) {
  cls.def("configure_privacy",
          [](PyWorkspace& self, const py::dict& d) {
            cdp::ConsentPolicy p;
            p.purposes = Opt(d, "purposes", p.purposes);
            p.opt_in_regions = Opt(d, "opt_in_regions", p.opt_in_regions);
            p.opt_out_regions = Opt(d, "opt_out_regions", p.opt_out_regions);
            p.unknown_region = Opt(d, "unknown_region", p.unknown_region);
            p.gpc_purpose = Opt(d, "gpc_purpose", p.gpc_purpose);
            p.consent_event = Opt(d, "consent_event", p.consent_event);
            p.purpose_column = Opt(d, "purpose_column", p.purpose_column);
            p.status_column = Opt(d, "status_column", p.status_column);
            p.gpc_column = Opt(d, "gpc_column", p.gpc_column);
            p.country_field = Opt(d, "country_field", p.country_field);
            p.region_field = Opt(d, "region_field", p.region_field);
            p.sensitive = Opt(d, "sensitive", p.sensitive);
            p.min_group_size = Opt(d, "min_group_size", p.min_group_size);
            p.epsilon_budget = Opt(d, "epsilon_budget", p.epsilon_budget);
            p.targeting_purposes = Opt(d, "targeting_purposes", p.targeting_purposes);
            self.Native([&] { return Done(self.native().ConfigurePrivacy(p)); });
          })
      .def("privacy_policy",
           [](PyWorkspace& self) {
             const cdp::ConsentPolicy p =
                 self.Native([&] { return absl::StatusOr<cdp::ConsentPolicy>(self.native().privacy_policy()); });
             py::dict d;
             d["purposes"] = p.purposes, d["opt_in_regions"] = p.opt_in_regions, d["opt_out_regions"] = p.opt_out_regions;
             d["unknown_region"] = p.unknown_region, d["gpc_purpose"] = p.gpc_purpose;
             d["sensitive"] = p.sensitive, d["targeting_purposes"] = p.targeting_purposes;
             d["min_group_size"] = p.min_group_size, d["epsilon_budget"] = p.epsilon_budget;
             return d;
           })
      .def("set_consent",
           [](PyWorkspace& self, const std::string& identifier, const std::string& purpose, const std::string& status,
              std::optional<int64_t> ts, const std::string& source, const std::string& version) {
             self.Native([&] {
               return Done(self.native().SetConsent(identifier, purpose, status, ts.value_or(INT64_MIN), source, version));
             });
           })
      .def("consent_table", [](PyWorkspace& self, const std::string& purpose) {
        return TableDict(self.Native([&] { return self.native().ConsentTable(purpose); }));
      })
      .def("consent_of", [](PyWorkspace& self, const std::string& identifier) {
        return TableDict(self.Native([&] { return self.native().ConsentOf(identifier); }));
      })
      .def("export_subject",
           [](PyWorkspace& self, const std::string& identifier) {
             cdp::SubjectExport e = self.Native([&] { return self.native().ExportSubject(identifier); });
             py::dict tables;
             for (auto& [name, t] : e.tables) tables[py::str(name)] = TableDict(std::move(t));
             py::dict d;
             d["json"] = e.json, d["tables"] = tables, d["profile"] = e.profile, d["key"] = e.key;
             return d;
           })
      .def("noisy_count",
           [](PyWorkspace& self, const std::string& expression, double epsilon) {
             auto r = self.Native([&] { return self.native().NoisyCount(expression, epsilon); });
             py::dict d;
             d["count"] = r.count, d["epsilon"] = r.epsilon, d["spent"] = r.spent, d["remaining"] = r.remaining;
             return d;
           })
      .def("enforce_retention",
           [](PyWorkspace& self, int64_t now, const std::vector<std::pair<std::string, int64_t>>& ttl) {
             auto r = self.Native([&] { return self.native().EnforceRetention(now, ttl); });
             py::dict d;
             d["events_removed"] = r.events_removed, d["strings_removed"] = r.strings_removed;
             d["removed_by_type"] = r.removed_by_type, d["aggregates"] = TableDict(std::move(r.aggregates));
             d["file_compacted"] = r.file_compacted, d["seconds"] = r.seconds;
             return d;
           })
      .def("verify_audit", [](PyWorkspace& self) {
        cdp::AuditVerification v =
            self.Native([&] { return absl::StatusOr<cdp::AuditVerification>(self.native().VerifyAudit()); });
        py::dict d;
        d["ok"] = v.ok, d["entries"] = v.entries, d["first_bad"] = v.first_bad, d["message"] = v.message;
        return d;
      });
  m.def("k_anonymity", [](const std::vector<py::array_t<int64_t, py::array::c_style | py::array::forcecast>>& cols,
                          int64_t k) {
    std::vector<std::vector<int64_t>> q;
    for (const auto& c : cols) q.emplace_back(c.data(), c.data() + c.size());
    for (const auto& c : q)
      if (c.size() != q.front().size()) Raise(absl::InvalidArgumentError("k_anonymity: columns of different lengths"));
    cdp::KAnonymity r = cdp::CheckKAnonymity(q, k);
    py::dict d;
    d["k"] = r.k, d["classes"] = r.classes, d["classes_below"] = r.classes_below, d["rows_below"] = r.rows_below;
    return d;
  });
  m.def("hmac_sha256", [](const py::bytes& key, const py::bytes& value) {
    return cdp::HmacSha256Hex(std::string(key), std::string(value));
  });
  m.def("pseudonyms", [](const std::vector<std::string>& values, const std::string& key_id, const py::bytes& secret,
                         int64_t expires, int64_t now, int digits) {
    const cdp::PseudonymKey key{key_id, std::string(secret), expires};
    Check(cdp::ValidatePseudonymKey(key, now));
    if (digits < 16 || digits > 64) Raise(absl::InvalidArgumentError("digits must be 16..64, got " + std::to_string(digits)));
    std::vector<std::string> out;
    out.reserve(values.size());
    {
      py::gil_scoped_release nogil;
      for (const std::string& v : values) out.push_back(cdp::Pseudonym(key, v, digits));
    }
    return out;
  });
}
