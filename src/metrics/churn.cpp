// Churn propensity: L2-penalized logistic regression (IRLS or L-BFGS), predictions.
// Evaluation, calibration, drivers and splits are in churn_eval.cpp.
#include "cdp/churn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "cdp/optimize.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// |eta| beyond which a fitted probability is numerically 0 or 1 (1 - Sigmoid(36.05) < DBL_EPSILON).
constexpr double kSaturated = 36.05;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// log(1 + exp(t)) without overflow or cancellation.
double Softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

double MaxAbs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

// The problem on the fitting scale: design (last column ones with an intercept), labels,
// weights and the ridge strength of each coefficient (0 for the intercept).
struct Design {
  Eigen::MatrixXd Z;
  Eigen::VectorXd y, s, pen;
  bool penalized = false;
};

// Objective at beta; leaves the linear predictor in eta. y log-loss written as
// y softplus(-eta) + (1 - y) softplus(eta): exact for tiny losses (separation) too.
double Evaluate(const Design& d, const Eigen::VectorXd& beta, Eigen::VectorXd& eta) {
  eta.noalias() = d.Z * beta;
  double f = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    const double y = d.y[i];
    f += d.s[i] * (y * Softplus(-eta[i]) + (1 - y) * Softplus(eta[i]));
  }
  return f + 0.5 * (d.pen.array() * beta.array().square()).sum();
}

// Gradient and (when H is not null) Hessian of the objective at beta with linear predictor eta.
void Derivatives(const Design& d, const Eigen::VectorXd& beta, const Eigen::VectorXd& eta, Eigen::VectorXd& g,
                 Eigen::MatrixXd* H) {
  const Eigen::Index n = eta.size(), k = beta.size();
  Eigen::VectorXd r(n), w(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double p = Sigmoid(eta[i]), q = Sigmoid(-eta[i]), y = d.y[i];
    r[i] = d.s[i] * ((1 - y) * p - y * q);  // s (p - y) without cancellation
    w[i] = d.s[i] * p * q;
  }
  g.noalias() = d.Z.transpose() * r;
  g += d.pen.cwiseProduct(beta);
  if (H == nullptr) return;
  // H = Z' diag(w) Z in blocks of rows: a cache-sized scratch instead of an n x k copy.
  constexpr Eigen::Index kBlock = 2048;
  Eigen::MatrixXd scratch(std::min(n, kBlock), k);
  H->setZero(k, k);
  for (Eigen::Index b = 0; b < n; b += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - b);
    scratch.topRows(m) = d.Z.middleRows(b, m).array().colwise() * w.segment(b, m).array().sqrt();
    H->selfadjointView<Eigen::Lower>().rankUpdate(scratch.topRows(m).transpose());
  }
  *H = H->selfadjointView<Eigen::Lower>();
  H->diagonal() += d.pen;
}

// delta = H^-1 g (LDLT); an ill-conditioned H gets a growing ridge. False when H is numerically 0.
bool NewtonStep(const Eigen::MatrixXd& H, const Eigen::VectorXd& g, Eigen::VectorXd& delta) {
  const double top = H.diagonal().cwiseAbs().maxCoeff();
  if (!(top > 1e-300)) return false;
  const Eigen::Index k = H.rows();
  for (double mu = 0; mu <= 1e3 * top; mu = (mu == 0 ? 1e-12 * top : mu * 100)) {
    Eigen::LDLT<Eigen::MatrixXd> ldlt(H + mu * Eigen::MatrixXd::Identity(k, k));
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || !(ldlt.rcond() > 1e-14)) continue;
    delta = ldlt.solve(g);
    if (delta.allFinite()) return true;
  }
  return false;
}

struct SolveResult {
  Eigen::VectorXd beta;
  int n_iter = 0;
  bool converged = false;
  std::string message;
};

// Newton on the penalized objective with step halving (accept when f does not rise beyond
// rounding). Converged when the full Newton step is below tol relative to the coefficients.
SolveResult SolveIrls(const Design& d, Eigen::VectorXd beta, const LogisticRegressionOptions& o) {
  SolveResult res;
  const Eigen::Index k = beta.size();
  Eigen::VectorXd eta, trial_eta, g(k), delta(k), trial;
  Eigen::MatrixXd H;
  double f = Evaluate(d, beta, eta);
  for (;;) {
    if (res.n_iter >= o.max_iter) {
      res.message = Cat("stopped after max_iter = ", o.max_iter, " Newton steps");
      break;
    }
    Derivatives(d, beta, eta, g, &H);
    if (!NewtonStep(H, g, delta)) {
      res.message = "the Hessian is numerically zero or cannot be factored";
      break;
    }
    const double step = MaxAbs(delta), size = std::max(1.0, MaxAbs(beta));
    bool accepted = false;
    double t = 1, ft = 0;
    for (int h = 0; h < 50; ++h, t *= 0.5) {
      trial = beta - t * delta;
      ft = Evaluate(d, trial, trial_eta);
      if (std::isfinite(ft) && ft <= f + 1e-13 * std::max(1.0, std::abs(f))) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // At the minimum up to rounding, unless the step is still large (a diverging fit).
      res.converged = step <= 1e-4 * size;
      res.message = Cat("no step along the Newton direction lowers the objective (Newton step ", step, ")");
      break;
    }
    beta.swap(trial);
    eta.swap(trial_eta);
    f = ft;
    ++res.n_iter;
    if (step <= o.tol * size) {
      res.converged = true;
      res.message = Cat("converged: Newton step ", step, " <= tol x max(1, |beta|)");
      break;
    }
  }
  res.beta = std::move(beta);
  return res;
}

SolveResult SolveLbfgs(const Design& d, const Eigen::VectorXd& beta0, const LogisticRegressionOptions& o) {
  Eigen::VectorXd eta;
  const Objective objective = [&](const Eigen::VectorXd& b, Eigen::VectorXd* grad) {
    const double f = Evaluate(d, b, eta);
    if (grad != nullptr) Derivatives(d, b, eta, *grad, nullptr);
    return f;
  };
  LbfgsOptions lo;
  lo.max_iterations = o.max_iter;
  lo.gradient_tolerance = o.tol;
  SolveResult res;
  auto r = MinimizeLbfgs(objective, beta0, lo);
  if (!r.ok()) {
    res.beta = beta0;
    res.message = Cat("lbfgs failed: ", r.status().message());
    return res;
  }
  res.beta = r->x;
  res.n_iter = r->iterations;
  res.converged = r->converged;
  res.message = r->message;
  if (res.converged && !d.penalized) {
    // Without a penalty, separable classes let the gradient test pass while the coefficients
    // still run off: a Newton step that is not small at the "minimum" gives it away.
    Eigen::VectorXd g;
    Eigen::MatrixXd H;
    Evaluate(d, res.beta, eta);
    Derivatives(d, res.beta, eta, g, &H);
    Eigen::VectorXd delta;
    if (!NewtonStep(H, g, delta) || MaxAbs(delta) > 1e-3 * std::max(1.0, MaxAbs(res.beta))) {
      res.converged = false;
      res.message = Cat(res.message, "; but a Newton step from there is still large (coefficients diverging)");
    }
  }
  return res;
}

absl::Status CheckOptions(const LogisticRegressionOptions& o) {
  if (!std::isfinite(o.l2) || o.l2 < 0) return absl::InvalidArgumentError(Cat("logistic: l2 must be finite and >= 0, got ", o.l2));
  if (o.max_iter < 1) return absl::InvalidArgumentError(Cat("logistic: max_iter must be >= 1, got ", o.max_iter));
  if (!std::isfinite(o.tol) || o.tol <= 0) return absl::InvalidArgumentError(Cat("logistic: tol must be finite and > 0, got ", o.tol));
  return absl::OkStatus();
}

const char* NonFinite(double v) { return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf"); }

template <typename M>
absl::StatusOr<LogisticModel> FitImpl(const M& X, std::span<const double> y, const LogisticRegressionOptions& o) {
  if (auto st = CheckOptions(o); !st.ok()) return st;
  const Eigen::Index n = X.rows(), p = X.cols();
  if (n == 0) return absl::InvalidArgumentError("logistic: no rows (the data are empty)");
  if (p == 0 && !o.fit_intercept) return absl::InvalidArgumentError("logistic: no features and no intercept: nothing to fit");
  if (static_cast<Eigen::Index>(y.size()) != n)
    return absl::InvalidArgumentError(Cat("logistic: y has ", y.size(), " labels for ", int64_t{n}, " rows"));
  if (!o.sample_weight.empty() && static_cast<Eigen::Index>(o.sample_weight.size()) != n)
    return absl::InvalidArgumentError(Cat("logistic: sample_weight has ", o.sample_weight.size(), " values for ", int64_t{n}, " rows"));
  Design d;
  d.y.resize(n);
  d.s.resize(n);
  double weight[2] = {0, 0};
  for (Eigen::Index i = 0; i < n; ++i) {
    if (y[i] != 0 && y[i] != 1)
      return absl::InvalidArgumentError(Cat("logistic: label at row ", int64_t{i}, " is ", y[i], "; labels must be 0 or 1"));
    const double s = o.sample_weight.empty() ? 1.0 : o.sample_weight[i];
    if (!std::isfinite(s) || s < 0)
      return absl::InvalidArgumentError(Cat("logistic: sample_weight at row ", int64_t{i}, " is ", s, "; weights must be finite and >= 0"));
    d.y[i] = y[i];
    d.s[i] = s;
    weight[y[i] == 1] += s;
  }
  if (weight[0] + weight[1] <= 0) return absl::InvalidArgumentError("logistic: the sample weights are all 0");
  if (weight[0] <= 0 || weight[1] <= 0)
    return absl::InvalidArgumentError(Cat("logistic: all labels are ", weight[1] > 0 ? 1 : 0,
                                          "; logistic regression needs both classes (0 and 1)"));
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < p; ++j)
      if (!std::isfinite(X(i, j)))
        return absl::InvalidArgumentError(Cat("logistic: feature ", int64_t{j}, " at row ", int64_t{i}, " is ", NonFinite(X(i, j)),
                                              "; features must be finite"));

  LogisticModel m;
  m.fit_intercept = o.fit_intercept;
  m.standardized = o.standardize;
  m.l2 = o.l2;
  m.solver = o.solver;
  m.rows = n;
  m.weight_sum = weight[0] + weight[1];
  const Eigen::Index k = p + (o.fit_intercept ? 1 : 0);
  d.Z.resize(n, k);
  d.Z.leftCols(p) = X;
  if (o.fit_intercept) d.Z.col(p).setOnes();
  // Weighted mean and population SD (two passes), as StandardScaler.
  m.means.resize(p);
  m.scales.resize(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double mean = d.Z.col(j).dot(d.s) / m.weight_sum;
    const double var = (d.Z.col(j).array() - mean).square().matrix().dot(d.s) / m.weight_sum;
    const double sd = std::sqrt(var);
    m.means[j] = mean;
    m.scales[j] = sd > 10 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(mean)) ? sd : 1.0;
  }
  const bool center = o.standardize && o.fit_intercept;
  if (o.standardize)
    for (Eigen::Index j = 0; j < p; ++j) d.Z.col(j) = (d.Z.col(j).array() - (center ? m.means[j] : 0.0)) / m.scales[j];
  d.pen = Eigen::VectorXd::Constant(k, o.l2);
  if (o.fit_intercept) d.pen[p] = 0;
  d.penalized = o.l2 > 0 && p > 0;

  Eigen::VectorXd beta0 = Eigen::VectorXd::Zero(k);
  if (o.fit_intercept && (center || p == 0)) beta0[p] = std::log(weight[1] / weight[0]);
  SolveResult sr = o.solver == LogisticSolver::kIrls ? SolveIrls(d, beta0, o) : SolveLbfgs(d, beta0, o);
  const Eigen::VectorXd& beta = sr.beta;
  m.n_iter = sr.n_iter;
  m.converged = sr.converged;
  m.message = sr.message;

  Eigen::VectorXd eta, g;
  Eigen::MatrixXd H;
  m.objective = Evaluate(d, beta, eta);
  Derivatives(d, beta, eta, g, &H);
  m.gradient_norm = MaxAbs(g);
  m.log_likelihood = -(m.objective - 0.5 * (d.pen.array() * beta.array().square()).sum());
  if (!m.converged) {
    m.warnings.push_back(Cat("logistic regression did not converge (", m.message, "); increase max_iter, or l2 (lower C)"));
    if (!d.penalized && MaxAbs(eta) > kSaturated)
      m.warnings.push_back("the classes look (quasi-)completely separated: some fitted probabilities are numerically 0 or 1 "
                           "and without a penalty the coefficients grow without bound; use l2 > 0 (C < inf)");
  }

  // Back to the original scale: [coef; intercept] = A beta.
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(k, k);
  if (o.standardize)
    for (Eigen::Index j = 0; j < p; ++j) {
      A(j, j) = 1 / m.scales[j];
      if (center) A(p, j) = -m.means[j] / m.scales[j];
    }
  const Eigen::VectorXd orig = A * beta;
  m.coef = orig.head(p);
  m.intercept = o.fit_intercept ? orig[p] : 0.0;
  m.coef_per_sd = m.coef.cwiseProduct(m.scales);

  Eigen::LLT<Eigen::MatrixXd> llt(H);
  if (llt.info() == Eigen::Success && llt.rcond() > 1e-13) {
    const Eigen::MatrixXd cov = llt.solve(Eigen::MatrixXd::Identity(k, k));
    m.covariance = A * cov * A.transpose();
  } else {
    m.covariance = Eigen::MatrixXd::Constant(k, k, kNaN);
    m.warnings.push_back("the Hessian is singular (collinear or constant features, or separation, with l2 = 0): "
                         "standard errors are NaN");
  }
  const Eigen::VectorXd se = m.covariance.diagonal().cwiseMax(0.0).cwiseSqrt();
  m.standard_errors = se.head(p);
  m.intercept_standard_error = o.fit_intercept ? se[p] : kNaN;
  if (!m.covariance.allFinite()) {
    m.standard_errors.setConstant(kNaN);
    m.intercept_standard_error = kNaN;
  }
  return m;
}

absl::StatusOr<std::vector<double>> Decision(const LogisticModel& m, const Eigen::Ref<const RowMatrix>& X) {
  if (X.cols() != m.coef.size())
    return absl::InvalidArgumentError(Cat("logistic: X has ", int64_t{X.cols()}, " features, the model was fitted with ",
                                          int64_t{m.coef.size()}));
  if (!m.coef.allFinite() || !std::isfinite(m.intercept))
    return absl::InvalidArgumentError("logistic: the model's coefficients are not finite");
  std::vector<double> out(static_cast<size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    double eta = m.intercept;
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const double v = X(i, j);
      if (!std::isfinite(v))
        return absl::InvalidArgumentError(Cat("logistic: feature ", int64_t{j}, " at row ", int64_t{i}, " is ", NonFinite(v),
                                              "; features must be finite"));
      eta += v * m.coef[j];
    }
    out[static_cast<size_t>(i)] = eta;
  }
  return out;
}

absl::StatusOr<std::vector<double>> ToProba(absl::StatusOr<std::vector<double>> eta) {
  if (!eta.ok()) return eta.status();
  for (double& v : *eta) v = Sigmoid(v);
  return eta;
}

}  // namespace

double Sigmoid(double eta) {
  if (eta >= 0) return 1 / (1 + std::exp(-eta));
  const double e = std::exp(eta);
  return e / (1 + e);
}

absl::StatusOr<LogisticSolver> ParseLogisticSolver(std::string_view name) {
  if (name == "irls" || name == "newton") return LogisticSolver::kIrls;
  if (name == "lbfgs") return LogisticSolver::kLbfgs;
  return absl::InvalidArgumentError(Cat("logistic: unknown solver '", name, "' (expected irls or lbfgs)"));
}

absl::StatusOr<LogisticModel> FitLogistic(const double* x, int64_t n, int p, std::span<const double> y,
                                          const LogisticRegressionOptions& options) {
  if (n < 0 || p < 0) return absl::InvalidArgumentError("logistic: negative matrix dimensions");
  if (x == nullptr && n > 0 && p > 0) return absl::InvalidArgumentError("logistic: the feature matrix is null");
  return FitImpl(Eigen::Map<const RowMatrix>(x, n, p), y, options);
}

absl::StatusOr<LogisticModel> FitLogistic(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                          const LogisticRegressionOptions& options) {
  return FitImpl(X, y, options);
}

absl::StatusOr<std::vector<double>> DecisionFunction(const LogisticModel& model, const double* x, int64_t n, int p) {
  if (n < 0 || p < 0 || (x == nullptr && n > 0 && p > 0))
    return absl::InvalidArgumentError("logistic: bad feature matrix (null or negative dimensions)");
  return Decision(model, Eigen::Map<const RowMatrix>(x, n, p));
}

absl::StatusOr<std::vector<double>> PredictProba(const LogisticModel& model, const double* x, int64_t n, int p) {
  return ToProba(DecisionFunction(model, x, n, p));
}

absl::StatusOr<std::vector<double>> PredictProba(const LogisticModel& model, const Eigen::Ref<const Eigen::MatrixXd>& X) {
  const RowMatrix rows = X;
  return ToProba(Decision(model, rows));
}

}  // namespace cdp
