// cdpcore._core CLV functions: model fits, predictions and the transaction summary over numpy
// arrays (inputs borrowed, outputs handed over without a copy). python/cdpcore/clv.py wraps them.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "py_workspace.hpp"
#include "cdp/clv.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

template <typename T>
std::span<const T> View(const std::optional<py::array_t<T, py::array::c_style | py::array::forcecast>>& a) {
  if (!a) return {};
  if (a->ndim() > 1) throw py::value_error("clv: expected 1-dimensional arrays");
  return {a->data(), static_cast<size_t>(a->size())};
}

template <typename T>
py::array_t<T> Hand(std::vector<T> v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule free(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free);
}

cdp::ClvModel Model(const std::string& kind, std::vector<double> params) {
  return cdp_py::Unwrap(cdp::MakeClvModel(cdp_py::Unwrap(cdp::ParseClvModelKind(kind)), std::move(params)));
}

struct Columns {
  std::optional<Doubles> frequency, recency, T, monetary;
  cdp::RfmData Rfm() const { return {View(frequency), View(recency), View(T), View(monetary), {}}; }
};

py::dict FitDict(const cdp::ClvModel& m) {
  const auto k = static_cast<py::ssize_t>(m.params.size());
  py::array_t<double> cov({k, k});
  std::copy(m.covariance.begin(), m.covariance.end(), cov.mutable_data());
  return py::dict("kind"_a = std::string(cdp::ClvModelName(m.kind)), "names"_a = m.names, "params"_a = m.params,
                  "se"_a = m.se, "covariance"_a = cov, "log_likelihood"_a = m.log_likelihood, "converged"_a = m.converged,
                  "message"_a = m.message, "iterations"_a = m.iterations, "gradient_norm"_a = m.gradient_norm,
                  "start_log_likelihoods"_a = m.start_log_likelihoods, "warnings"_a = m.warnings,
                  "customers"_a = m.customers, "rows"_a = m.rows, "patterns"_a = m.patterns, "seconds"_a = m.seconds);
}

cdp::ClvFitOptions FitOptions(const py::dict& o) {
  cdp::ClvFitOptions f;
  for (auto [key, value] : o) {
    const std::string k = key.cast<std::string>();
    if (value.is_none()) continue;
    if (k == "initial") f.initial = value.cast<std::vector<std::vector<double>>>();
    else if (k == "penalizer_coef") f.penalizer_coef = value.cast<double>();
    else if (k == "max_iterations") f.optimizer.max_iterations = value.cast<int>();
    else if (k == "gradient_tolerance") f.optimizer.gradient_tolerance = value.cast<double>();
    else if (k == "merge_duplicates") f.merge_duplicates = value.cast<bool>();
    else throw py::value_error("clv: unknown fit option '" + k + "'");
  }
  return f;
}

cdp::EpochUnit Unit(const std::string& unit) {
  if (unit == "ns") return cdp::EpochUnit::kNanos;
  if (unit == "us") return cdp::EpochUnit::kMicros;
  if (unit == "ms") return cdp::EpochUnit::kMillis;
  if (unit == "s") return cdp::EpochUnit::kSeconds;
  throw py::value_error("summary: unit must be ns, us, ms or s, got '" + unit + "'");
}

py::object Optional(std::vector<double> v) { return v.empty() ? py::object(py::none()) : py::object(Hand(std::move(v))); }

py::dict SummaryDict(cdp::TransactionSummary s) {
  return py::dict("customer"_a = Hand(std::move(s.customer)), "frequency"_a = Hand(std::move(s.frequency)),
                  "recency"_a = Hand(std::move(s.recency)), "T"_a = Hand(std::move(s.T)),
                  "monetary"_a = Optional(std::move(s.monetary)), "has_holdout"_a = s.has_holdout,
                  "frequency_holdout"_a = Hand(std::move(s.frequency_holdout)),
                  "monetary_holdout"_a = Optional(std::move(s.monetary_holdout)), "duration_holdout"_a = s.duration_holdout,
                  "observation_end"_a = s.observation_end, "calibration_end"_a = s.calibration_end, "rows"_a = s.rows,
                  "rows_used"_a = s.rows_used, "rows_after_end"_a = s.rows_after_end,
                  "rows_holdout_only"_a = s.rows_holdout_only);
}

}  // namespace

void BindClv(py::module_& m) {
  using OptD = std::optional<Doubles>;
  m.def("clv_fit", [](const std::string& kind, OptD frequency, OptD recency, OptD T, OptD monetary, OptD weights,
                      const py::dict& options) {
    const cdp::ClvModelKind k = cdp_py::Unwrap(cdp::ParseClvModelKind(kind));
    const cdp::ClvFitOptions o = FitOptions(options);
    cdp::RfmData d = Columns{frequency, recency, T, monetary}.Rfm();
    d.weights = View(weights);
    absl::StatusOr<cdp::ClvModel> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::FitClvModel(k, d, o);
    }
    return FitDict(cdp_py::Unwrap(std::move(r)));
  });
  m.def("clv_loglik", [](const std::string& kind, std::vector<double> params, OptD frequency, OptD recency, OptD T,
                         OptD monetary) {
    return Hand(cdp_py::Unwrap(cdp::ClvLogLikelihood(Model(kind, std::move(params)), Columns{frequency, recency, T, monetary}.Rfm())));
  });
  m.def("clv_expected", [](const std::string& kind, std::vector<double> params, Doubles t) {
    return Hand(cdp_py::Unwrap(cdp::ExpectedPurchases(Model(kind, std::move(params)), View(std::optional<Doubles>(t)))));
  });
  m.def("clv_conditional_expected", [](const std::string& kind, std::vector<double> params, double t, OptD frequency,
                                       OptD recency, OptD T) {
    const cdp::ClvModel model = Model(kind, std::move(params));
    const cdp::RfmData d = Columns{frequency, recency, T, {}}.Rfm();
    absl::StatusOr<std::vector<double>> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::ConditionalExpectedPurchases(model, t, d);
    }
    return Hand(cdp_py::Unwrap(std::move(r)));
  });
  m.def("clv_alive", [](const std::string& kind, std::vector<double> params, OptD frequency, OptD recency, OptD T,
                        double future) {
    return Hand(cdp_py::Unwrap(cdp::ProbabilityAlive(Model(kind, std::move(params)), Columns{frequency, recency, T, {}}.Rfm(), future)));
  });
  m.def("clv_probability_n", [](const std::string& kind, std::vector<double> params, double t, int64_t n) {
    return cdp_py::Unwrap(cdp::ProbabilityOfPurchases(Model(kind, std::move(params)), t, n));
  });
  m.def("clv_expected_profit", [](std::vector<double> params, OptD frequency, OptD monetary) {
    return Hand(cdp_py::Unwrap(cdp::ConditionalExpectedAverageProfit(Model("gamma_gamma", std::move(params)),
                                                          Columns{frequency, {}, {}, monetary}.Rfm())));
  });
  m.def("clv_lifetime_value", [](const std::string& kind, std::vector<double> params, std::vector<double> gg_params,
                                 OptD frequency, OptD recency, OptD T, OptD monetary, int months, double discount_rate,
                                 double periods_per_month) {
    const cdp::ClvModel tx = Model(kind, std::move(params)), gg = Model("gamma_gamma", std::move(gg_params));
    const cdp::RfmData d = Columns{frequency, recency, T, monetary}.Rfm();
    absl::StatusOr<std::vector<double>> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::CustomerLifetimeValue(tx, gg, d, {months, discount_rate, periods_per_month});
    }
    return Hand(cdp_py::Unwrap(std::move(r)));
  });
  m.def("clv_summary", [](Int64s customer, Int64s ts, const std::string& unit, OptD amount, const std::string& freq,
                          double multiplier, std::optional<int64_t> observation_end, std::optional<int64_t> calibration_end,
                          bool include_first) {
    cdp::TransactionSummaryOptions o;
    o.period = cdp_py::Unwrap(cdp::ParseClvPeriod(freq));
    o.period_multiplier = multiplier;
    o.unit = Unit(unit);
    o.observation_end = observation_end;
    o.calibration_end = calibration_end;
    o.include_first_transaction = include_first;
    const std::span<const int64_t> c = View(std::optional<Int64s>(customer)), t = View(std::optional<Int64s>(ts));
    const std::span<const double> a = View(amount);
    absl::StatusOr<cdp::TransactionSummary> r;
    {
      py::gil_scoped_release nogil;
      r = cdp::SummaryFromTransactions(c, t, a, o);
    }
    return SummaryDict(cdp_py::Unwrap(std::move(r)));
  });
}
