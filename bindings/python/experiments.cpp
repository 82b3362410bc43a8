// cdpcore._core experiment functions (names prefixed exp_): the tests, the Bayesian comparison,
// SRM, sample sizes, p-value adjustment and the vectorized assignment over numpy arrays.
// python/cdpcore/experiments.py wraps them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "py_workspace.hpp"
#include "../../src/metrics/stats_special.hpp"
#include "cdp/experiments.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

template <typename T>
std::span<const T> View(const py::array_t<T, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() > 1) throw py::value_error("experiments: expected 1-dimensional arrays");
  return {a.data(), static_cast<size_t>(a.size())};
}

template <typename T>
py::array_t<T> Hand(std::vector<T> v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free);
}

cdp::Alternative Alt(const std::string& name) { return cdp_py::Unwrap(cdp::ParseAlternative(name)); }

py::dict Stats(const cdp::SampleStats& s) { return py::dict("mean"_a = s.mean, "std"_a = s.std, "n"_a = s.n); }

py::dict WelchDict(const cdp::WelchTestResult& r) {
  return py::dict("control"_a = Stats(r.control), "treatment"_a = Stats(r.treatment), "diff"_a = r.diff,
                  "relative_lift"_a = r.relative_lift, "std_error"_a = r.std_error, "statistic"_a = r.statistic,
                  "df"_a = r.df, "p_value"_a = r.p_value, "ci_low"_a = r.ci_low, "ci_high"_a = r.ci_high,
                  "lift_ci_low"_a = r.lift_ci_low, "lift_ci_high"_a = r.lift_ci_high);
}

py::dict SizeDict(const cdp::SampleSizeResult& r) {
  return py::dict("n_control_exact"_a = r.n_control_exact, "n_control"_a = r.n_control, "n_treatment"_a = r.n_treatment,
                  "total"_a = r.total, "rate_control"_a = r.rate_control, "rate_treatment"_a = r.rate_treatment,
                  "effect"_a = r.effect);
}

cdp::SampleSizeOptions SizeOptions(double alpha, double power, double ratio, const std::string& alternative,
                                   bool relative) {
  cdp::SampleSizeOptions o;
  o.alpha = alpha, o.power = power, o.ratio = ratio, o.alternative = Alt(alternative), o.relative = relative;
  return o;
}

// UTF-8 views of the unit keys of a numpy object array: str as UTF-8, bytes as they are, integers
// (Python or numpy) as decimal text. `keep` holds the converted integers' text alive.
std::vector<std::string_view> UnitViews(const py::array& units, std::vector<py::object>* keep) {
  if (units.dtype().kind() != 'O' || units.ndim() != 1)
    throw py::value_error("experiments: units must be a 1-dimensional object array");
  const auto* items = static_cast<PyObject* const*>(units.data());
  std::vector<std::string_view> out(static_cast<size_t>(units.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    PyObject* o = items[i];
    Py_ssize_t len = 0;
    if (PyUnicode_Check(o)) {
      const char* s = PyUnicode_AsUTF8AndSize(o, &len);
      if (s == nullptr) throw py::error_already_set();
      out[i] = std::string_view(s, static_cast<size_t>(len));
    } else if (PyBytes_Check(o)) {
      char* s = nullptr;
      PyBytes_AsStringAndSize(o, &s, &len);
      out[i] = std::string_view(s, static_cast<size_t>(len));
    } else if (!PyBool_Check(o) && PyIndex_Check(o)) {
      keep->push_back(py::str(py::reinterpret_steal<py::object>(PyNumber_Index(o))));
      const char* s = PyUnicode_AsUTF8AndSize(keep->back().ptr(), &len);
      out[i] = std::string_view(s, static_cast<size_t>(len));
    } else {
      const std::string type = py::str(py::type::handle_of(py::handle(o)).attr("__name__"));
      cdp_py::Raise(absl::InvalidArgumentError("assign: unit at index " + std::to_string(i) +
                                      (o == Py_None ? " is missing (None)" : " has type " + type + "; use str or int keys")));
    }
  }
  return out;
}

}  // namespace

void BindExperiments(py::module_& m) {
  m.def("exp_ztest", [](int64_t sc, int64_t nc, int64_t st, int64_t nt, const std::string& alternative, double alpha,
                        bool pooled) {
    const auto r = cdp_py::Unwrap(cdp::ProportionsZTest({sc, nc}, {st, nt}, {Alt(alternative), alpha, pooled}));
    return py::dict("rate_control"_a = r.rate_control, "rate_treatment"_a = r.rate_treatment, "diff"_a = r.diff,
                    "relative_lift"_a = r.relative_lift, "statistic"_a = r.statistic, "p_value"_a = r.p_value,
                    "std_error"_a = r.std_error, "ci_low"_a = r.ci_low, "ci_high"_a = r.ci_high,
                    "lift_ci_low"_a = r.lift_ci_low, "lift_ci_high"_a = r.lift_ci_high);
  });
  m.def("exp_welch", [](double mc, double sc, int64_t nc, double mt, double stt, int64_t nt,
                        const std::string& alternative, double alpha) {
    return WelchDict(cdp_py::Unwrap(cdp::WelchTTest(cdp::SampleStats{mc, sc, nc}, cdp::SampleStats{mt, stt, nt},
                                         {Alt(alternative), alpha})));
  });
  m.def("exp_welch_samples", [](Doubles control, Doubles treatment, const std::string& alternative, double alpha) {
    const cdp::MeansOptions o{Alt(alternative), alpha};
    const auto c = View(control), t = View(treatment);
    absl::StatusOr<cdp::WelchTestResult> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::WelchTTest(c, t, o);
    }
    return WelchDict(cdp_py::Unwrap(std::move(r)));
  });
  m.def("exp_describe", [](Doubles values) { return Stats(cdp_py::Unwrap(cdp::DescribeSample(View(values)))); });
  m.def("exp_compare_betas", [](double ac, double bc, double at, double bt) {
    const auto r = cdp_py::Unwrap(cdp::CompareBetas({ac, bc}, {at, bt}));
    return py::dict("prob_treatment_better"_a = r.prob_treatment_better,
                    "expected_loss_treatment"_a = r.expected_loss_treatment,
                    "expected_loss_control"_a = r.expected_loss_control);
  });
  m.def("exp_beta_binomial", [](int64_t sc, int64_t nc, int64_t st, int64_t nt, double prior_alpha, double prior_beta,
                                double credible_level) {
    absl::StatusOr<cdp::BetaBinomialResult> res;
    {
      py::gil_scoped_release nogil;
      res = cdp::BetaBinomialCompare({sc, nc}, {st, nt}, {{prior_alpha, prior_beta}, credible_level});
    }
    const auto r = cdp_py::Unwrap(std::move(res));
    return py::dict("posterior_control"_a = py::make_tuple(r.posterior_control.alpha, r.posterior_control.beta),
                    "posterior_treatment"_a = py::make_tuple(r.posterior_treatment.alpha, r.posterior_treatment.beta),
                    "mean_control"_a = r.mean_control, "mean_treatment"_a = r.mean_treatment,
                    "ci_control"_a = py::make_tuple(r.ci_control_low, r.ci_control_high),
                    "ci_treatment"_a = py::make_tuple(r.ci_treatment_low, r.ci_treatment_high),
                    "prob_treatment_better"_a = r.prob_treatment_better,
                    "expected_loss_treatment"_a = r.expected_loss_treatment,
                    "expected_loss_control"_a = r.expected_loss_control);
  });
  m.def("exp_srm", [](Int64s counts, std::optional<Doubles> weights, double threshold) {
    const std::span<const double> w = weights ? View(*weights) : std::span<const double>{};
    const auto r = cdp_py::Unwrap(cdp::SampleRatioMismatch(View(counts), w, threshold));
    return py::dict("statistic"_a = r.statistic, "df"_a = r.df, "p_value"_a = r.p_value, "expected"_a = r.expected,
                    "observed_share"_a = r.observed_share, "expected_share"_a = r.expected_share,
                    "mismatch"_a = r.mismatch);
  });
  m.def("exp_sample_size_proportions", [](double baseline, double mde, double alpha, double power, double ratio,
                                          const std::string& alternative, bool relative) {
    return SizeDict(cdp_py::Unwrap(cdp::SampleSizeProportions(baseline, mde, SizeOptions(alpha, power, ratio, alternative, relative))));
  });
  m.def("exp_sample_size_means", [](double mde, double std_control, double std_treatment, double alpha, double power,
                                    double ratio, const std::string& alternative) {
    return SizeDict(cdp_py::Unwrap(cdp::SampleSizeMeans(mde, std_control, std_treatment,
                                             SizeOptions(alpha, power, ratio, alternative, false))));
  });
  m.def("exp_adjust", [](Doubles p, const std::string& method) {
    return Hand(cdp_py::Unwrap(cdp::AdjustPValues(View(p), cdp_py::Unwrap(cdp::ParsePValueAdjustment(method)))));
  });
  m.def("exp_assign_int", [](const std::string& salt, const std::string& experiment, Int64s units, Doubles weights) {
    const auto u = View(units);
    const auto w = View(weights);
    absl::StatusOr<std::vector<int32_t>> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::AssignVariants(salt, experiment, u, w);
    }
    return Hand(cdp_py::Unwrap(std::move(r)));
  });
  m.def("exp_assign", [](const std::string& salt, const std::string& experiment, py::array units, Doubles weights) {
    std::vector<py::object> keep;
    const std::vector<std::string_view> views = UnitViews(units, &keep);
    const auto w = View(weights);
    absl::StatusOr<std::vector<int32_t>> r;
    {
      py::gil_scoped_release nogil;  // the views point into str objects that `units` keeps alive
      r = cdp::AssignVariants(salt, experiment, std::span<const std::string_view>(views), w);
    }
    return Hand(cdp_py::Unwrap(std::move(r)));
  });
  m.def("exp_bucket", [](const std::string& salt, const std::string& experiment, py::array units) {
    std::vector<py::object> keep;
    const std::vector<std::string_view> views = UnitViews(units, &keep);
    std::vector<double> out(views.size());
    for (size_t i = 0; i < views.size(); ++i) out[i] = cdp::AssignmentBucket(salt, experiment, views[i]);
    return Hand(std::move(out));
  });
  m.def("exp_hash", [](const std::string& salt, const std::string& experiment, const std::string& unit) {
    return cdp::AssignmentHash(salt, experiment, unit);
  });
  // The distribution functions, vectorized over x, for the tests against scipy.special / stats.
  m.def("_exp_special", [](const std::string& name, Doubles x, double a, double b) {
    namespace s = cdp::stats;
    const auto v = View(x);
    std::vector<double> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const double xi = v[i];
      double lo = 0, up = 0;
      if (name == "norm_cdf") out[i] = s::NormalCdf(xi);
      else if (name == "norm_sf") out[i] = s::NormalSf(xi);
      else if (name == "norm_ppf") out[i] = s::NormalQuantile(xi);
      else if (name == "t_sf") out[i] = s::StudentTSf(xi, a);
      else if (name == "t_two_sided") out[i] = s::StudentTTwoSided(xi, a);
      else if (name == "t_isf") out[i] = s::StudentTUpperQuantile(xi, a);
      else if (name == "beta_cdf") out[i] = (s::IncompleteBeta(a, b, xi, 1 - xi, &lo, &up), lo);
      else if (name == "beta_sf") out[i] = (s::IncompleteBeta(a, b, xi, 1 - xi, &lo, &up), up);
      else if (name == "beta_ppf") out[i] = s::BetaQuantile(a, b, xi);
      else if (name == "beta_logpdf") out[i] = s::BetaLogPdf(a, b, xi, 1 - xi);
      else if (name == "chi2_sf") out[i] = s::ChiSquareSf(xi, a);
      else if (name == "gammaincc") out[i] = s::GammaQ(a, xi);
      else if (name == "betaln") out[i] = s::LogBeta(a, xi);
      else throw py::value_error("_exp_special: unknown function '" + name + "'");
    }
    return Hand(std::move(out));
  });
}
