// cdpcore._core: pybind11 bindings over the C++ API. The Pythonic layer (DataFrames, plots, HTML)
// lives in python/cdpcore; this module moves data in and out as numpy arrays, zero-copy where the
// dtype allows.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "cdp/generate.hpp"
#include "cdp/kmeans.hpp"
#include "cdp/workspace.hpp"
#include "py_workspace.hpp"

namespace py = pybind11;
using namespace cdp_py;

namespace {

py::dict Generate(int64_t customers, int32_t days, uint64_t seed, double b2b_share, double junk_id_rate,
                  double churn_share, double events_scale) {
  cdp::GenerateOptions o;
  o.customers = customers;
  o.days = days;
  o.seed = seed;
  o.b2b_share = b2b_share;
  o.junk_id_rate = junk_id_rate;
  o.churn_share = churn_share;
  o.events_scale = events_scale;
  absl::StatusOr<cdp::GeneratedData> data;
  {
    py::gil_scoped_release nogil;
    data = cdp::Generate(o);
  }
  cdp::GeneratedData g = Unwrap(std::move(data));
  py::dict d;
  d["events"] = TableDict(std::move(g.events));
  d["customers"] = TableDict(std::move(g.customers));
  d["campaigns"] = TableDict(std::move(g.campaigns));
  return d;
}

void WriteGenerated(const std::string& dir, const std::string& format, int64_t customers, int32_t days,
                    uint64_t seed, double events_scale) {
  cdp::GenerateOptions o;
  o.customers = customers;
  o.days = days;
  o.seed = seed;
  o.events_scale = events_scale;
  absl::Status st;
  {
    py::gil_scoped_release nogil;
    auto data = cdp::Generate(o);
    st = data.ok() ? cdp::WriteGenerated(*data, dir, format) : data.status();
  }
  Check(st);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "cdpcore native engine (use the cdpcore package, not this module directly)";
  m.attr("__version__") = "0.1.0";
  m.def("_register_errors", [](py::dict types) {
    Py_XDECREF(g_error_types);
    g_error_types = types.ptr();
    Py_INCREF(g_error_types);
  });
  py::class_<PyWorkspace> workspace(m, "Workspace");
  workspace.def(py::init<const std::string&, bool>(), py::arg("path") = ":memory:", py::arg("read_only") = false)
      .def("ingest_csv", &PyWorkspace::IngestCsv, py::arg("path"), py::arg("options"), py::arg("progress") = py::none())
      .def("ingest_csv_text", &PyWorkspace::IngestCsvText)
      .def("ingest_ndjson", &PyWorkspace::IngestNdjson, py::arg("path"), py::arg("options"),
           py::arg("progress") = py::none())
      .def("ingest_ndjson_text", &PyWorkspace::IngestNdjsonText)
      .def("ingest_columns", &PyWorkspace::IngestColumns, py::arg("columns"), py::arg("rows"), py::arg("options"),
           py::arg("progress") = py::none())
      .def("configure_push", &PyWorkspace::ConfigurePush)
      .def("push", &PyWorkspace::Push)
      .def("push_report", &PyWorkspace::PushReport)
      .def("events", &PyWorkspace::Events, py::arg("columns") = py::none())
      .def("quarantine", &PyWorkspace::Quarantine)
      .def("event_count", &PyWorkspace::EventCount)
      .def("summary", &PyWorkspace::Summary, py::arg("partitions") = 1)
      .def("memory", &PyWorkspace::Memory)
      .def("configure_identity", &PyWorkspace::ConfigureIdentity)
      .def("resolve_identities", &PyWorkspace::ResolveIdentities)
      .def("profiles", &PyWorkspace::Profiles)
      .def("find_profile", &PyWorkspace::FindProfile)
      .def("profile", &PyWorkspace::Profile, py::arg("profile"), py::arg("recent") = 10)
      .def("identity_links", &PyWorkspace::IdentityLinks, py::arg("profile"), py::arg("merges_only") = false)
      .def("link", &PyWorkspace::Link)
      .def("unmerge", &PyWorkspace::Unmerge, py::arg("a"), py::arg("b") = "")
      .def("attribute_history", &PyWorkspace::AttributeHistory)
      .def("define_trait", &PyWorkspace::DefineTrait)
      .def("drop_trait", &PyWorkspace::DropTrait)
      .def("traits", &PyWorkspace::Traits)
      .def("import_profiles", &PyWorkspace::ImportProfiles)
      .def("save", &PyWorkspace::Save)
      .def("audit", &PyWorkspace::Audit)
      .def("identifiers", &PyWorkspace::Identifiers)
      .def("attributes", &PyWorkspace::Attributes)
      .def("integrity_check", &PyWorkspace::IntegrityCheck)
      .def("select", &PyWorkspace::Select, py::arg("expression"), py::arg("purpose") = "", py::arg("as_of") = py::none())
      .def("define_segment", &PyWorkspace::DefineSegment, py::arg("name"), py::arg("expression"), py::arg("purpose"),
           py::arg("description"), py::arg("replace"), py::arg("justification") = "")
      .def("drop_segment", &PyWorkspace::DropSegment)
      .def("segments", &PyWorkspace::Segments)
      .def("evaluate_segment", &PyWorkspace::EvaluateSegment, py::arg("name"), py::arg("as_of") = py::none())
      .def("overlap", &PyWorkspace::Overlap)
      .def("members", &PyWorkspace::Members)
      .def("validate_segment", &PyWorkspace::ValidateSegment)
      .def("rfm", &PyWorkspace::Rfm)
      .def("schema", &PyWorkspace::Schema)
      .def("clock", &PyWorkspace::Clock)
      .def("close", &PyWorkspace::Close)
      .def("set_realtime", &PyWorkspace::SetRealtime)
      .def("advance_to", &PyWorkspace::AdvanceTo)
      .def("realtime_members", &PyWorkspace::RealtimeMembers)
      .def("on_segment_change", &PyWorkspace::OnSegmentChange)
      .def("sessions", &PyWorkspace::Sessions)
      .def("session_totals", &PyWorkspace::SessionTotals)
      .def("funnel", &PyWorkspace::Funnel)
      .def("paths", &PyWorkspace::Paths)
      .def("stages", &PyWorkspace::Stages)
      .def("heatmap", &PyWorkspace::Heatmap)
      .def("attribution", &PyWorkspace::Attribution)
      .def("retention", &PyWorkspace::Retention);
  void BindKpis(py::class_<PyWorkspace> & cls);  // bindings/python/kpis.cpp
  BindKpis(workspace);
  void BindPrivacy(py::module_ & m, py::class_<PyWorkspace> & cls);  // bindings/python/privacy.cpp
  BindPrivacy(m, workspace);
  void BindErasure(py::class_<PyWorkspace> & cls);  // bindings/python/erasure.cpp
  BindErasure(workspace);
  using Matrix = py::array_t<double, py::array::c_style | py::array::forcecast>;
  m.def("kmeans", [](Matrix x, int n_clusters, int n_init, int max_iter, double tol, uint64_t seed, int threads) {
    if (x.ndim() != 2) throw py::value_error("kmeans: X must be 2-dimensional (n_samples, n_features)");
    cdp::KMeansOptions o{n_clusters, n_init, max_iter, tol, seed, threads};
    absl::StatusOr<cdp::KMeansResult> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::FitKMeans(x.data(), x.shape(0), static_cast<int>(x.shape(1)), o);
    }
    cdp::KMeansResult k = Unwrap(std::move(r));
    py::dict d;
    py::array_t<double> centers({static_cast<py::ssize_t>(n_clusters), static_cast<py::ssize_t>(x.shape(1))});
    std::copy(k.centers.begin(), k.centers.end(), centers.mutable_data());
    d["centers"] = centers;
    d["labels"] = py::array_t<int32_t>(static_cast<py::ssize_t>(k.labels.size()), k.labels.data());
    d["inertia"] = k.inertia;
    d["n_iter"] = k.n_iter;
    d["best_init"] = k.best_init;
    d["run_inertia"] = k.run_inertia;
    return d;
  });
  m.def("attribution_from_paths", [](const std::vector<std::string>& paths, std::vector<double> conversions,
                                     std::vector<double> values, std::vector<double> nulls, const std::string& separator,
                                     const py::dict& options) {
    cdp::AttributionOptions o = AttributionOpts(options);
    absl::StatusOr<cdp::AttributionResult> r;
    {
      py::gil_scoped_release nogil;
      auto in = cdp::AttributionPathsFromStrings(paths, std::move(conversions), std::move(values), std::move(nulls), separator);
      r = in.ok() ? cdp::Attribute(*in, o) : absl::StatusOr<cdp::AttributionResult>(in.status());
    }
    return AttributionDict(Unwrap(std::move(r)));
  });
  m.def("kmeans_predict", [](Matrix x, Matrix centers) {
    if (x.ndim() != 2 || centers.ndim() != 2 || x.shape(1) != centers.shape(1))
      throw py::value_error("kmeans_predict: X and the centers must be 2-dimensional with the same number of features");
    std::vector<double> c(centers.data(), centers.data() + centers.size());
    std::vector<int32_t> labels;
    {
      py::gil_scoped_release nogil;
      labels = cdp::PredictKMeans(x.data(), x.shape(0), static_cast<int>(x.shape(1)), c);
    }
    return py::array_t<int32_t>(static_cast<py::ssize_t>(labels.size()), labels.data());
  });
  m.def("silhouette", [](Matrix x, py::array_t<int32_t, py::array::c_style | py::array::forcecast> labels,
                         int64_t sample_size, uint64_t seed) {
    if (x.ndim() != 2) throw py::value_error("silhouette: X must be 2-dimensional");
    std::vector<int32_t> l(labels.data(), labels.data() + labels.size());
    absl::StatusOr<double> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::Silhouette(x.data(), x.shape(0), static_cast<int>(x.shape(1)), l, sample_size, seed);
    }
    return Unwrap(std::move(r));
  });
  m.def("generate", &Generate, py::arg("customers"), py::arg("days"), py::arg("seed"), py::arg("b2b_share"),
        py::arg("junk_id_rate"), py::arg("churn_share"), py::arg("events_scale"));
  m.def("write_generated", &WriteGenerated, py::arg("dir"), py::arg("format"), py::arg("customers"),
        py::arg("days"), py::arg("seed"), py::arg("events_scale") = 1.0);
  void BindClv(pybind11::module_& m);  // bindings/python/clv.cpp
  BindClv(m);
  void BindExperiments(pybind11::module_& m);  // bindings/python/experiments.cpp
  BindExperiments(m);
  void BindChurn(pybind11::module_& m);  // bindings/python/churn.cpp
  BindChurn(m);
}
