// cdpcore._core churn functions: logistic regression (logit_*), evaluation, calibration, drivers
// and splits (churn_*) over numpy arrays. python/cdpcore/churn.py wraps them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "py_workspace.hpp"
#include "cdp/churn.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::span<const double> Vec(const Doubles& a, const char* what) {
  if (a.ndim() != 1) throw py::value_error(std::string(what) + ": expected a 1-dimensional array");
  return {a.data(), static_cast<size_t>(a.size())};
}

std::span<const double> Vec(const std::optional<Doubles>& a, const char* what) { return a ? Vec(*a, what) : std::span<const double>(); }

struct Matrix {
  const double* data;
  int64_t n;
  int p;
};

Matrix Mat(const Doubles& a) {
  if (a.ndim() != 2) throw py::value_error("logistic: X must be 2-dimensional (n_samples, n_features)");
  return {a.data(), static_cast<int64_t>(a.shape(0)), static_cast<int>(a.shape(1))};
}

py::array_t<double> Hand(std::vector<double> v) {
  auto* owned = new std::vector<double>(std::move(v));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>(static_cast<py::ssize_t>(owned->size()), owned->data(), free);
}

py::array_t<double> Array(const Eigen::VectorXd& v) {
  py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.data(), v.data() + v.size(), out.mutable_data());
  return out;
}

py::array_t<double> Array(const Eigen::MatrixXd& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  auto w = out.mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) w(i, j) = m(i, j);
  return out;
}

py::dict ModelDict(const cdp::LogisticModel& m) {
  return py::dict("coef"_a = Array(m.coef), "intercept"_a = m.intercept, "means"_a = Array(m.means),
                  "scales"_a = Array(m.scales), "coef_per_sd"_a = Array(m.coef_per_sd),
                  "standard_errors"_a = Array(m.standard_errors), "intercept_standard_error"_a = m.intercept_standard_error,
                  "covariance"_a = Array(m.covariance), "log_likelihood"_a = m.log_likelihood, "objective"_a = m.objective,
                  "gradient_norm"_a = m.gradient_norm, "n_iter"_a = m.n_iter, "converged"_a = m.converged,
                  "message"_a = m.message, "warnings"_a = m.warnings, "rows"_a = m.rows, "weight_sum"_a = m.weight_sum);
}

cdp::LogisticModel Given(const Doubles& coef, double intercept) {
  const std::span<const double> c = Vec(coef, "logistic: coef");
  cdp::LogisticModel m;
  m.coef = Eigen::Map<const Eigen::VectorXd>(c.data(), static_cast<Eigen::Index>(c.size()));
  m.intercept = intercept;
  return m;
}

cdp::ProbabilityCalibrator Calibrator(const std::string& method, double a, double b, std::vector<double> x,
                                      std::vector<double> y) {
  cdp::ProbabilityCalibrator c;
  c.method = cdp_py::Unwrap(cdp::ParseCalibrationMethod(method));
  c.a = a;
  c.b = b;
  c.x = std::move(x);
  c.y = std::move(y);
  return c;
}

}  // namespace

void BindChurn(py::module_& m) {
  m.def("logit_fit", [](Doubles X, Doubles y, std::optional<Doubles> sample_weight, double l2, bool fit_intercept,
                        bool standardize, int max_iter, double tol, const std::string& solver) {
    cdp::LogisticRegressionOptions o;
    o.l2 = l2;
    o.fit_intercept = fit_intercept;
    o.standardize = standardize;
    o.max_iter = max_iter;
    o.tol = tol;
    o.solver = cdp_py::Unwrap(cdp::ParseLogisticSolver(solver));
    o.sample_weight = Vec(sample_weight, "logistic: sample_weight");
    const Matrix x = Mat(X);
    const std::span<const double> labels = Vec(y, "logistic: y");
    absl::StatusOr<cdp::LogisticModel> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::FitLogistic(x.data, x.n, x.p, labels, o);
    }
    return ModelDict(cdp_py::Unwrap(std::move(r)));
  }, "X"_a, "y"_a, "sample_weight"_a = py::none(), "l2"_a = 1.0, "fit_intercept"_a = true, "standardize"_a = false,
     "max_iter"_a = 100, "tol"_a = 1e-8, "solver"_a = "irls");
  m.def("logit_decision", [](Doubles X, Doubles coef, double intercept) {
    const Matrix x = Mat(X);
    return Hand(cdp_py::Unwrap(cdp::DecisionFunction(Given(coef, intercept), x.data, x.n, x.p)));
  });
  m.def("logit_proba", [](Doubles X, Doubles coef, double intercept) {
    const Matrix x = Mat(X);
    return Hand(cdp_py::Unwrap(cdp::PredictProba(Given(coef, intercept), x.data, x.n, x.p)));
  });
  m.def("churn_roc_auc", [](Doubles score, Doubles y) {
    return cdp_py::Unwrap(cdp::RocAuc(Vec(score, "roc_auc: score"), Vec(y, "roc_auc: y")));
  });
  m.def("churn_roc_curve", [](Doubles score, Doubles y) {
    cdp::RocCurve c = cdp_py::Unwrap(cdp::ComputeRocCurve(Vec(score, "roc_curve: score"), Vec(y, "roc_curve: y")));
    return py::dict("fpr"_a = Hand(std::move(c.fpr)), "tpr"_a = Hand(std::move(c.tpr)),
                    "thresholds"_a = Hand(std::move(c.thresholds)), "auc"_a = c.auc);
  });
  m.def("churn_calibration", [](Doubles prob, Doubles y, int bins, const std::string& strategy) {
    cdp::BinStrategy s;
    if (strategy == "uniform") s = cdp::BinStrategy::kUniform;
    else if (strategy == "quantile") s = cdp::BinStrategy::kQuantile;
    else throw py::value_error("calibration: strategy must be 'uniform' or 'quantile', got '" + strategy + "'");
    cdp::CalibrationTable t = cdp_py::Unwrap(cdp::ComputeCalibrationTable(Vec(prob, "calibration: prob"), Vec(y, "calibration: y"), bins, s));
    return py::dict("bin_lower"_a = Hand(std::move(t.bin_lower)), "bin_upper"_a = Hand(std::move(t.bin_upper)),
                    "count"_a = t.count, "mean_predicted"_a = Hand(std::move(t.mean_predicted)),
                    "observed_rate"_a = Hand(std::move(t.observed_rate)), "brier"_a = t.brier, "log_loss"_a = t.log_loss,
                    "ece"_a = t.expected_calibration_error, "rows"_a = t.rows);
  });
  m.def("churn_fit_calibrator", [](Doubles score, Doubles y, const std::string& method, std::optional<Doubles> sample_weight) {
    const cdp::CalibrationMethod k = cdp_py::Unwrap(cdp::ParseCalibrationMethod(method));
    cdp::ProbabilityCalibrator c = cdp_py::Unwrap(cdp::FitCalibrator(Vec(score, "calibrator: score"), Vec(y, "calibrator: y"), k,
                                                          Vec(sample_weight, "calibrator: sample_weight")));
    return py::dict("method"_a = k == cdp::CalibrationMethod::kPlatt ? "platt" : "isotonic", "a"_a = c.a, "b"_a = c.b,
                    "x"_a = Hand(std::move(c.x)), "y"_a = Hand(std::move(c.y)));
  }, "score"_a, "y"_a, "method"_a, "sample_weight"_a = py::none());
  m.def("churn_apply_calibrator", [](const std::string& method, double a, double b, std::vector<double> x,
                                     std::vector<double> y, Doubles score) {
    return Hand(cdp_py::Unwrap(cdp::ApplyCalibrator(Calibrator(method, a, b, std::move(x), std::move(y)), Vec(score, "calibrator: score"))));
  });
  m.def("churn_drivers", [](Doubles coef, Doubles scales, Doubles se, std::vector<std::string> names, int top) {
    cdp::LogisticModel model = Given(coef, 0);
    const std::span<const double> sc = Vec(scales, "drivers: scales"), e = Vec(se, "drivers: standard errors");
    model.scales = Eigen::Map<const Eigen::VectorXd>(sc.data(), static_cast<Eigen::Index>(sc.size()));
    model.standard_errors = Eigen::Map<const Eigen::VectorXd>(e.data(), static_cast<Eigen::Index>(e.size()));
    const std::vector<cdp::ChurnDriver> d = cdp_py::Unwrap(cdp::TopDrivers(model, names, top));
    std::vector<std::string> feature;
    std::vector<int> index;
    std::vector<double> c, odds, s, z, pv;
    for (const cdp::ChurnDriver& r : d) {
      feature.push_back(r.feature);
      index.push_back(r.index);
      c.push_back(r.coef_per_sd);
      odds.push_back(r.odds_ratio);
      s.push_back(r.standard_error);
      z.push_back(r.z);
      pv.push_back(r.p_value);
    }
    return py::dict("feature"_a = feature, "index"_a = index, "coef_per_sd"_a = Hand(std::move(c)),
                    "odds_ratio"_a = Hand(std::move(odds)), "standard_error"_a = Hand(std::move(s)), "z"_a = Hand(std::move(z)),
                    "p_value"_a = Hand(std::move(pv)));
  });
  m.def("churn_split", [](Doubles y, double holdout, uint64_t seed) {
    cdp::TrainHoldoutSplit s = cdp_py::Unwrap(cdp::StratifiedSplit(Vec(y, "split: y"), holdout, seed));
    return py::make_tuple(py::array_t<int64_t>(static_cast<py::ssize_t>(s.train.size()), s.train.data()),
                          py::array_t<int64_t>(static_cast<py::ssize_t>(s.holdout.size()), s.holdout.data()));
  });
}
