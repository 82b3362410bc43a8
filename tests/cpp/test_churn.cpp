// Metrics layer: churn propensity. Logistic regression against closed forms (a binary feature's
// group proportions, an intercept-only fit) and its first-order conditions, the penalty
// convention, weights as repeated rows, separation, AUC / ROC / reliability tables by hand,
// Platt and isotonic calibrators, drivers, the stratified split, and every refused input.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "cdp/churn.hpp"

using namespace cdp;

namespace {

std::string Error(const absl::Status& st) { return std::string(st.message()); }

double Logit(double p) { return std::log(p / (1 - p)); }

LogisticModel Fit(const Eigen::MatrixXd& X, const std::vector<double>& y, const LogisticRegressionOptions& o = {}) {
  auto m = FitLogistic(X, y, o);
  REQUIRE_MESSAGE(m.ok(), m.status().ToString());
  return *m;
}

// One binary feature: 10 rows with x = 0 (3 churned), 8 rows with x = 1 (6 churned).
struct BinaryFeature {
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(18, 1);
  std::vector<double> y = std::vector<double>(18, 0.0);
  BinaryFeature() {
    for (int i = 0; i < 3; ++i) y[i] = 1;
    for (int i = 10; i < 18; ++i) X(i, 0) = 1;
    for (int i = 10; i < 16; ++i) y[i] = 1;
  }
};

}  // namespace

TEST_CASE("logistic: a binary feature without penalty fits the group proportions (closed-form MLE)") {
  // With an intercept and one 0/1 feature the MLE reproduces each group's churn rate:
  // b0 = logit(3/10), b1 = logit(6/8) - logit(3/10); Var(b0) = 1/(n0 p0 q0),
  // Var(b1) = 1/(n0 p0 q0) + 1/(n1 p1 q1); LL = sum_g n_g (p_g log p_g + q_g log q_g). By hand.
  BinaryFeature d;
  const double p0 = 0.3, p1 = 0.75;
  const double ll = 10 * (p0 * std::log(p0) + (1 - p0) * std::log(1 - p0)) + 8 * (p1 * std::log(p1) + (1 - p1) * std::log(1 - p1));
  for (LogisticSolver solver : {LogisticSolver::kIrls, LogisticSolver::kLbfgs}) {
    for (bool standardize : {false, true}) {
      CAPTURE(static_cast<int>(solver));
      CAPTURE(standardize);
      const LogisticModel m = Fit(d.X, d.y, {.l2 = 0, .standardize = standardize, .tol = 1e-10, .solver = solver});
      CHECK(m.converged);
      CHECK(m.intercept == doctest::Approx(Logit(p0)).epsilon(1e-8));
      CHECK(m.coef[0] == doctest::Approx(Logit(p1) - Logit(p0)).epsilon(1e-8));
      CHECK(m.log_likelihood == doctest::Approx(ll).epsilon(1e-12));
      CHECK(m.intercept_standard_error == doctest::Approx(std::sqrt(1 / (10 * p0 * (1 - p0)))).epsilon(1e-6));
      CHECK(m.standard_errors[0] ==
            doctest::Approx(std::sqrt(1 / (10 * p0 * (1 - p0)) + 1 / (8 * p1 * (1 - p1)))).epsilon(1e-6));
      auto prob = PredictProba(m, Eigen::MatrixXd{{0}, {1}});
      REQUIRE(prob.ok());
      CHECK((*prob)[0] == doctest::Approx(p0).epsilon(1e-8));
      CHECK((*prob)[1] == doctest::Approx(p1).epsilon(1e-8));
      CHECK(m.warnings.empty());
    }
  }
}

TEST_CASE("logistic: the intercept-only model is the logit of the churn rate") {
  // 18 rows, 9 positive: logit(0.5) = 0; with 3 of 18 (hand): logit(1/6).
  std::vector<double> y(18, 0.0);
  y[0] = y[1] = y[2] = 1;
  const LogisticModel m = Fit(Eigen::MatrixXd(18, 0), y, {.l2 = 1});
  CHECK(m.converged);
  CHECK(m.coef.size() == 0);
  CHECK(m.intercept == doctest::Approx(Logit(3.0 / 18)).epsilon(1e-10));
}

TEST_CASE("logistic: l2 is 1/C on sum of losses, intercept unpenalized (first-order conditions)") {
  // At the minimum of sum_i logloss_i + l2/2 ||w||^2: X'(p - y) + l2 w = 0 and sum(p - y) = 0.
  Eigen::MatrixXd X(8, 2);
  X << 0.5, 1.0, -1.2, 0.3, 2.0, -0.7, 0.1, 0.1, -0.4, 1.5, 1.1, -1.0, -2.0, 0.2, 0.7, 0.9;
  const std::vector<double> y = {1, 0, 1, 0, 1, 1, 0, 0};
  for (double l2 : {0.5, 2.0}) {
    const LogisticModel m = Fit(X, y, {.l2 = l2});
    REQUIRE(m.converged);
    Eigen::VectorXd r(8);
    for (int i = 0; i < 8; ++i) r[i] = Sigmoid(X.row(i).dot(m.coef) + m.intercept) - y[i];
    const Eigen::VectorXd g = X.transpose() * r + l2 * m.coef;
    CHECK(std::abs(g[0]) < 1e-10);
    CHECK(std::abs(g[1]) < 1e-10);
    CHECK(std::abs(r.sum()) < 1e-10);
  }
  // Standardized: the penalty is on the coefficients of the z-scores (coef * SD).
  const LogisticModel s = Fit(X, y, {.l2 = 2.0, .standardize = true});
  Eigen::MatrixXd Z = X;
  for (int j = 0; j < 2; ++j) Z.col(j) = (X.col(j).array() - s.means[j]) / s.scales[j];
  Eigen::VectorXd r(8);
  for (int i = 0; i < 8; ++i) r[i] = Sigmoid(X.row(i).dot(s.coef) + s.intercept) - y[i];
  const Eigen::VectorXd g = Z.transpose() * r + 2.0 * s.coef_per_sd;
  CHECK(std::abs(g[0]) < 1e-10);
  CHECK(std::abs(g[1]) < 1e-10);
}

TEST_CASE("logistic: a weight of 2 equals the row repeated; solvers agree; row-major pointer input") {
  Eigen::MatrixXd X(6, 1), X2(7, 1);
  X << 0.1, 0.9, 0.4, 1.7, 0.2, 1.1;
  X2 << 0.1, 0.9, 0.4, 1.7, 0.2, 1.1, 1.7;
  const std::vector<double> y = {0, 1, 1, 1, 0, 0}, y2 = {0, 1, 1, 1, 0, 0, 1}, w = {1, 1, 1, 2, 1, 1};
  const LogisticModel a = Fit(X, y, {.l2 = 0.3, .sample_weight = w});
  const LogisticModel b = Fit(X2, y2, {.l2 = 0.3});
  CHECK(a.coef[0] == doctest::Approx(b.coef[0]).epsilon(1e-10));
  CHECK(a.intercept == doctest::Approx(b.intercept).epsilon(1e-10));
  CHECK(a.log_likelihood == doctest::Approx(b.log_likelihood).epsilon(1e-10));
  const LogisticModel c = Fit(X2, y2, {.l2 = 0.3, .solver = LogisticSolver::kLbfgs});
  CHECK(c.coef[0] == doctest::Approx(b.coef[0]).epsilon(1e-6));
  const std::vector<double> rows = {0.1, 0.9, 0.4, 1.7, 0.2, 1.1, 1.7};
  auto d = FitLogistic(rows.data(), 7, 1, y2, {.l2 = 0.3});
  REQUIRE(d.ok());
  CHECK(d->coef[0] == doctest::Approx(b.coef[0]).epsilon(1e-12));
}

TEST_CASE("logistic: separable classes without penalty are reported, not infinite; l2 keeps them finite") {
  Eigen::MatrixXd X(4, 1);
  X << 1, 2, 3, 4;
  const std::vector<double> y = {0, 0, 1, 1};
  for (LogisticSolver solver : {LogisticSolver::kIrls, LogisticSolver::kLbfgs}) {
    const LogisticModel m = Fit(X, y, {.l2 = 0, .solver = solver});
    CHECK_FALSE(m.converged);
    CHECK(std::isfinite(m.coef[0]));
    CHECK(std::isfinite(m.intercept));
    REQUIRE(!m.warnings.empty());
    CHECK(m.warnings[0].find("did not converge") != std::string::npos);
  }
  const LogisticModel irls = Fit(X, y, {.l2 = 0});
  CHECK(irls.warnings.size() >= 2);
  CHECK(irls.warnings[1].find("separated") != std::string::npos);
  const LogisticModel ridge = Fit(X, y, {.l2 = 1});
  CHECK(ridge.converged);
  CHECK(ridge.coef[0] > 0);
  CHECK(ridge.standard_errors.allFinite());
}

TEST_CASE("churn auc: hand-computed Mann-Whitney values, ties at half") {
  // sklearn's roc_auc_score docstring example: 0.75 (3 of 4 positive-negative pairs ordered).
  auto a = RocAuc(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<double>{0, 0, 1, 1});
  REQUIRE(a.ok());
  CHECK(*a == doctest::Approx(0.75));
  // Positives {1, 3}, negatives {1, 2}: pairs (1,1) tie 1/2, (1,2) 0, (3,1) 1, (3,2) 1 -> 2.5 / 4.
  auto t = RocAuc(std::vector<double>{1, 1, 2, 3}, std::vector<double>{0, 1, 0, 1});
  REQUIRE(t.ok());
  CHECK(*t == doctest::Approx(0.625));
  // All scores equal: every pair ties -> 0.5.
  CHECK(*RocAuc(std::vector<double>{7, 7, 7}, std::vector<double>{1, 0, 0}) == doctest::Approx(0.5));
  auto c = ComputeRocCurve(std::vector<double>{0.1, 0.4, 0.35, 0.8}, std::vector<double>{0, 0, 1, 1});
  REQUIRE(c.ok());
  // By hand, thresholds descending: (fpr, tpr) = (0,0) (0,.5) (.5,.5) (.5,1) (1,1).
  CHECK(c->fpr == std::vector<double>{0, 0, 0.5, 0.5, 1});
  CHECK(c->tpr == std::vector<double>{0, 0.5, 0.5, 1, 1});
  CHECK(c->thresholds[1] == 0.8);
  CHECK(c->auc == doctest::Approx(0.75));
}

TEST_CASE("churn calibration: reliability bins, Brier and log loss by hand") {
  // 0.1 sits on the inner edge 0.1 and joins the lower bin, as calibration_curve does.
  const std::vector<double> p = {0.05, 0.15, 0.1, 0.95}, y = {0, 0, 1, 1};
  auto t = ComputeCalibrationTable(p, y, 10);
  REQUIRE(t.ok());
  REQUIRE(t->count == std::vector<int64_t>{2, 1, 1});
  CHECK(t->mean_predicted[0] == doctest::Approx(0.075));
  CHECK(t->observed_rate[0] == doctest::Approx(0.5));
  CHECK(t->mean_predicted[1] == doctest::Approx(0.15));
  CHECK(t->observed_rate[2] == doctest::Approx(1.0));
  CHECK(t->bin_lower[2] == doctest::Approx(0.9));
  CHECK(t->brier == doctest::Approx((0.0025 + 0.0225 + 0.81 + 0.0025) / 4));
  CHECK(t->log_loss == doctest::Approx(-(std::log(0.95) + std::log(0.85) + std::log(0.1) + std::log(0.95)) / 4));
  // ECE = (2 |0.5 - 0.075| + 1 |0 - 0.15| + 1 |1 - 0.95|) / 4.
  CHECK(t->expected_calibration_error == doctest::Approx((2 * 0.425 + 0.15 + 0.05) / 4));
  // Quantile bins of {0.05, 0.1, 0.15, 0.95} in 2: the median 0.125 splits them 2 / 2.
  auto q = ComputeCalibrationTable(p, y, 2, BinStrategy::kQuantile);
  REQUIRE(q.ok());
  CHECK(q->count == std::vector<int64_t>{2, 2});
  CHECK(q->bin_upper[0] == doctest::Approx(0.125));
}

TEST_CASE("churn calibrators: isotonic by pool-adjacent-violators, Platt at its first-order conditions") {
  // Scores 1..5 with labels 0 1 0 1 1: PAV pools (1, 0) -> 0.5, fit {0, .5, .5, 1, 1}; linear between.
  const std::vector<double> s = {1, 2, 3, 4, 5}, y = {0, 1, 0, 1, 1};
  auto iso = FitCalibrator(s, y, CalibrationMethod::kIsotonic);
  REQUIRE(iso.ok());
  auto out = ApplyCalibrator(*iso, std::vector<double>{0, 1.5, 2.5, 3.5, 9});
  REQUIRE(out.ok());
  CHECK(*out == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  // Platt: targets t1 = (3 + 1)/(3 + 2), t0 = 1/(2 + 2); the gradient sum (p - t) (f, 1) vanishes.
  auto platt = FitCalibrator(s, y, CalibrationMethod::kPlatt);
  REQUIRE(platt.ok());
  double g0 = 0, g1 = 0;
  for (int i = 0; i < 5; ++i) {
    const double r = Sigmoid(platt->a * s[i] + platt->b) - (y[i] == 1 ? 0.8 : 0.25);
    g0 += r * s[i];
    g1 += r;
  }
  CHECK(std::abs(g0) < 1e-9);
  CHECK(std::abs(g1) < 1e-9);
  CHECK(platt->a > 0);
}

TEST_CASE("churn drivers: per-SD effects sorted by size with Wald z and p") {
  BinaryFeature d;
  Eigen::MatrixXd X(18, 2);
  X.col(0) = d.X.col(0);
  for (int i = 0; i < 18; ++i) X(i, 1) = (i * 7 % 5) * 0.1;
  const LogisticModel m = Fit(X, d.y, {.l2 = 0.1});
  const std::vector<std::string> names = {"flag", "noise"};
  auto dr = TopDrivers(m, names);
  REQUIRE(dr.ok());
  REQUIRE(dr->size() == 2);
  CHECK(std::abs((*dr)[0].coef_per_sd) >= std::abs((*dr)[1].coef_per_sd));
  for (const ChurnDriver& r : *dr) {
    CHECK(r.coef_per_sd == doctest::Approx(m.coef[r.index] * m.scales[r.index]));
    CHECK(r.odds_ratio == doctest::Approx(std::exp(r.coef_per_sd)));
    CHECK(r.z == doctest::Approx(r.coef_per_sd / r.standard_error));
    CHECK(r.p_value == doctest::Approx(std::erfc(std::abs(r.z) / std::sqrt(2.0))));
    CHECK(r.feature == names[static_cast<size_t>(r.index)]);
  }
  CHECK(std::erfc(1.959963984540054 / std::sqrt(2.0)) == doctest::Approx(0.05));  // the two-sided 5% point
  CHECK(TopDrivers(m, {}, 1)->at(0).feature.substr(0, 1) == "x");
}

TEST_CASE("churn split: stratified, disjoint, deterministic per seed") {
  std::vector<double> y(100, 0.0);
  for (int i = 0; i < 20; ++i) y[static_cast<size_t>(i * 5)] = 1;
  auto a = StratifiedSplit(y, 0.25, 7), b = StratifiedSplit(y, 0.25, 7), c = StratifiedSplit(y, 0.25, 8);
  REQUIRE(a.ok());
  CHECK(a->holdout.size() == 25);  // round(0.25 x 80) + round(0.25 x 20) = 20 + 5
  CHECK(a->train.size() == 75);
  int pos = 0;
  for (int64_t i : a->holdout) pos += y[static_cast<size_t>(i)] == 1;
  CHECK(pos == 5);
  std::set<int64_t> all(a->train.begin(), a->train.end());
  all.insert(a->holdout.begin(), a->holdout.end());
  CHECK(all.size() == 100);
  CHECK(a->holdout == b->holdout);
  CHECK(a->holdout != c->holdout);
}

TEST_CASE("churn: bad input is refused with the reason") {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(3, 1);
  Eigen::MatrixXd nan = X;
  nan(1, 0) = std::nan("");
  CHECK(Error(FitLogistic(Eigen::MatrixXd(0, 2), std::vector<double>{}).status()) == "logistic: no rows (the data are empty)");
  CHECK(Error(FitLogistic(nan, std::vector<double>{0, 1, 0}).status()) ==
        "logistic: feature 0 at row 1 is NaN; features must be finite");
  Eigen::MatrixXd inf = X;
  inf(2, 0) = -INFINITY;
  CHECK(Error(FitLogistic(inf, std::vector<double>{0, 1, 0}).status()) ==
        "logistic: feature 0 at row 2 is -inf; features must be finite");
  CHECK(Error(FitLogistic(X, std::vector<double>{0, 2, 0}).status()) == "logistic: label at row 1 is 2; labels must be 0 or 1");
  CHECK(Error(FitLogistic(X, std::vector<double>{1, 1, 1}).status()) ==
        "logistic: all labels are 1; logistic regression needs both classes (0 and 1)");
  CHECK(Error(FitLogistic(X, std::vector<double>{0, 1}).status()) == "logistic: y has 2 labels for 3 rows");
  const std::vector<double> w = {1, -1, 1};
  CHECK(Error(FitLogistic(X, std::vector<double>{0, 1, 0}, {.sample_weight = w}).status()) ==
        "logistic: sample_weight at row 1 is -1; weights must be finite and >= 0");
  CHECK(Error(FitLogistic(X, std::vector<double>{0, 1, 0}, {.l2 = -1}).status()) == "logistic: l2 must be finite and >= 0, got -1");
  CHECK(Error(FitLogistic(Eigen::MatrixXd(3, 0), std::vector<double>{0, 1, 0}, {.fit_intercept = false}).status()) ==
        "logistic: no features and no intercept: nothing to fit");
  const LogisticModel m = Fit(Eigen::MatrixXd{{0.0}, {1.0}, {2.0}}, {0, 1, 0});
  CHECK(Error(PredictProba(m, Eigen::MatrixXd::Ones(2, 2)).status()) == "logistic: X has 2 features, the model was fitted with 1");
  CHECK(Error(PredictProba(m, nan).status()) == "logistic: feature 0 at row 1 is NaN; features must be finite");
  CHECK(Error(RocAuc(std::vector<double>{0.1, 0.2}, std::vector<double>{1, 1}).status()) ==
        "roc_auc: all labels are 1; it needs both classes (0 and 1)");
  CHECK(Error(RocAuc(std::vector<double>{0.1, NAN}, std::vector<double>{1, 0}).status()) ==
        "roc_auc: score at row 1 is not finite (nan)");
  CHECK(Error(RocAuc(std::vector<double>{0.1}, std::vector<double>{1, 0}).status()) == "roc_auc: 1 scores for 2 labels");
  CHECK(Error(RocAuc(std::vector<double>{}, std::vector<double>{}).status()) == "roc_auc: no rows (the data are empty)");
  CHECK(Error(ComputeCalibrationTable(std::vector<double>{0.5, 1.5}, std::vector<double>{0, 1}).status()) ==
        "calibration: probability at row 1 is 1.5; it must be in [0, 1]");
  CHECK(Error(ComputeCalibrationTable(std::vector<double>{0.5}, std::vector<double>{1}, 0).status()) ==
        "calibration: bins must be >= 1, got 0");
  CHECK(Error(StratifiedSplit(std::vector<double>{0, 0, 1}, 0.5).status()) ==
        "split: class 1 has 1 row(s); a stratified split needs at least 2 of each class");
  CHECK(Error(StratifiedSplit(std::vector<double>{0, 1}, 1.0).status()) == "split: holdout fraction must be in (0, 1), got 1");
  CHECK(Error(ParseCalibrationMethod("beta").status()) == "calibration: unknown method 'beta' (expected platt or isotonic)");
  CHECK(Error(TopDrivers(m, std::vector<std::string>{"a", "b"}).status()) == "drivers: 2 names for 1 features");
}
