// cdpcore._core erasure: Workspace.erase (GDPR Art. 17 / CCPA delete). python/cdpcore/workspace.py
// wraps it as Workspace.erase.
#include "cdp/erasure.hpp"
#include "py_workspace.hpp"

namespace py = pybind11;
using namespace cdp_py;

void BindErasure(py::class_<PyWorkspace>& cls) {
  cls.def("erase", [](PyWorkspace& self, const std::string& identifier) {
    cdp::ErasureReport r = self.Native([&] { return self.native().Erase(identifier); });
    py::dict d;
    d["profile_key_hash"] = r.profile_key_hash;
    d["tombstones"] = r.tombstones;
    d["identifiers_by_type"] = r.identifiers_by_type;
    d["identifiers_removed"] = r.identifiers_removed;
    d["events_removed"] = r.events_removed;
    d["quarantine_removed"] = r.quarantine_removed;
    d["links_removed"] = r.links_removed;
    d["operations_removed"] = r.operations_removed;
    d["audit_redacted"] = r.audit_redacted;
    d["strings_removed"] = r.strings_removed;
    d["file_compacted"] = r.file_compacted;
    d["seconds"] = r.seconds;
    return d;
  });
}
