// cdp/churn.hpp — churn propensity: L2-penalized logistic regression on profile features and
// traits, holdout evaluation (ROC AUC, reliability table, Brier score, log loss), probability
// calibration (Platt scaling, isotonic regression) and the drivers of the score.
//
// Penalty convention. FitLogistic minimizes
//     sum_i s_i * [log(1 + exp(eta_i)) - y_i * eta_i]  +  (l2 / 2) * ||w||^2,   eta_i = x_i . w + b
// (s_i: sample weights, 1 by default; the intercept b is not penalized). With l2 = 1 / C this is
// scikit-learn's LogisticRegression(C=C, penalty="l2") objective 0.5 ||w||^2 + C sum_i s_i logloss_i
// divided by C, so both have the same minimizer: l2 = 1 is sklearn's default C = 1, and l2 = 0 is
// the unpenalized maximum-likelihood fit (sklearn's penalty="none").
//
// With standardize, features are z-scored first (weighted mean, population SD, as sklearn's
// StandardScaler; a constant feature keeps scale 1) and the penalty applies to the coefficients
// of the z-scores, as in a Pipeline(StandardScaler(), LogisticRegression()). Coefficients are
// always reported on the original feature scale too, so predictions take raw features.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "absl/status/statusor.h"

namespace cdp {

enum class LogisticSolver {
  kIrls,   ///< Newton / iteratively reweighted least squares, LDLT solves, step halving
  kLbfgs,  ///< L-BFGS (MinimizeLbfgs) on the same objective with its analytic gradient
};

/// "irls" / "newton", "lbfgs".
absl::StatusOr<LogisticSolver> ParseLogisticSolver(std::string_view name);

struct LogisticRegressionOptions {
  double l2 = 1.0;             ///< ridge strength = 1 / sklearn's C (see the top of this file); >= 0
  bool fit_intercept = true;
  bool standardize = false;    ///< z-score features before fitting (without an intercept: scale only)
  int max_iter = 100;          ///< Newton steps (IRLS) or L-BFGS iterations
  /// IRLS: converged when the Newton step max_j |delta_j| <= tol * max(1, max_j |beta_j|).
  /// L-BFGS: converged when max_j |gradient_j| <= tol * max(1, objective).
  double tol = 1e-8;
  LogisticSolver solver = LogisticSolver::kIrls;
  std::span<const double> sample_weight;  ///< per row, >= 0 and finite (empty: 1 each); borrowed
};

/// A fitted (or given) model. eta = x . coef + intercept on raw features; P(y = 1) = 1/(1+exp(-eta)).
struct LogisticModel {
  Eigen::VectorXd coef;               ///< per feature, original scale
  double intercept = 0;               ///< original scale (0 without fit_intercept)
  bool fit_intercept = true;
  bool standardized = false;          ///< fitted on z-scores
  Eigen::VectorXd means;              ///< training (weighted) mean of each feature
  Eigen::VectorXd scales;             ///< training population SD of each feature (1 when constant)
  Eigen::VectorXd coef_per_sd;        ///< coef * scales: the log-odds change per 1 SD of the feature
  /// Standard errors from the inverse of the penalized Hessian X'WX + l2 I at the estimate (with
  /// l2 > 0 this is the curvature of the penalized objective, a Bayesian-posterior reading, as
  /// statsmodels' fit_regularized does not provide). NaN, with a warning, if it is singular.
  Eigen::VectorXd standard_errors;    ///< of coef (original scale)
  double intercept_standard_error = 0;
  /// Covariance of (coef..., intercept) on the original scale; p x p without an intercept.
  Eigen::MatrixXd covariance;
  double log_likelihood = 0;          ///< sum_i s_i log P(y_i) at the estimate, without the penalty
  double objective = 0;               ///< the minimized value: -log_likelihood + l2/2 ||w||^2
  double gradient_norm = 0;           ///< max |d objective / d beta| at the estimate (fitting scale)
  int n_iter = 0;
  bool converged = false;
  std::string message;                ///< why the solver stopped
  std::vector<std::string> warnings;  ///< non-convergence, separation, singular Hessian
  double l2 = 0;
  LogisticSolver solver = LogisticSolver::kIrls;
  int64_t rows = 0;
  double weight_sum = 0;              ///< sum of the sample weights
};

/// Fits the model. `x` is row-major n x p (numpy's C order). Errors: no rows, no features and no
/// intercept, a non-finite feature (names row and column), y of another length, a label that is
/// not 0 or 1, a single class (by weight), bad sample weights, bad options. Not converging is not
/// an error: converged = false plus a warning (with l2 = 0 and separable classes the maximum
/// likelihood estimate does not exist; the fit stops at max_iter and says so).
absl::StatusOr<LogisticModel> FitLogistic(const double* x, int64_t n, int p, std::span<const double> y,
                                          const LogisticRegressionOptions& options = {});
/// The same for an Eigen matrix (column- or row-major; a row-major one is copied).
absl::StatusOr<LogisticModel> FitLogistic(const Eigen::Ref<const Eigen::MatrixXd>& X, std::span<const double> y,
                                          const LogisticRegressionOptions& options = {});

/// eta = x . coef + intercept for each row of row-major n x p `x`. Errors: p differs from the
/// model, non-finite features.
absl::StatusOr<std::vector<double>> DecisionFunction(const LogisticModel& model, const double* x, int64_t n, int p);
/// P(y = 1 | x) for each row (a stable logistic of the decision function).
absl::StatusOr<std::vector<double>> PredictProba(const LogisticModel& model, const double* x, int64_t n, int p);
absl::StatusOr<std::vector<double>> PredictProba(const LogisticModel& model, const Eigen::Ref<const Eigen::MatrixXd>& X);

/// 1 / (1 + exp(-eta)) without overflow.
double Sigmoid(double eta);

// --- Evaluation -----------------------------------------------------------------------------

/// Area under the ROC curve, exact: the Mann-Whitney U statistic / (n1 n0) with tied scores at
/// their average rank (a tie between a positive and a negative counts 1/2), as
/// sklearn.metrics.roc_auc_score. Errors: lengths differ, empty, non-finite score, label not 0/1,
/// a single class.
absl::StatusOr<double> RocAuc(std::span<const double> scores, std::span<const double> labels);

/// The ROC curve at every distinct score (sklearn's roc_curve with drop_intermediate=False):
/// thresholds descending, starting at +inf with (0, 0); the trapezoidal area equals RocAuc.
struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;
  double auc = 0;
};
absl::StatusOr<RocCurve> ComputeRocCurve(std::span<const double> scores, std::span<const double> labels);

enum class BinStrategy {
  kUniform,   ///< edges 0, 1/bins, ..., 1
  kQuantile,  ///< edges at the quantiles of the probabilities (numpy's linear percentile)
};

/// Reliability table: one row per non-empty bin, as sklearn.calibration.calibration_curve (a
/// probability on an inner edge belongs to the lower bin), plus the whole-sample scores.
struct CalibrationTable {
  std::vector<double> bin_lower, bin_upper;  ///< edges of each reported bin
  std::vector<int64_t> count;
  std::vector<double> mean_predicted;        ///< mean probability in the bin (calibration_curve's prob_pred)
  std::vector<double> observed_rate;         ///< share of label 1 in the bin (prob_true)
  double brier = 0;                          ///< mean (p - y)^2
  double log_loss = 0;                       ///< mean -log P(y), p clipped to [eps, 1 - eps] (sklearn 1.2's "auto" eps)
  double expected_calibration_error = 0;     ///< sum over bins of count/n * |observed - mean predicted|
  int64_t rows = 0;
};

/// Errors: lengths differ, empty, bins < 1, a probability outside [0, 1] or not finite, a label not 0/1.
absl::StatusOr<CalibrationTable> ComputeCalibrationTable(std::span<const double> prob, std::span<const double> labels,
                                                         int bins = 10, BinStrategy strategy = BinStrategy::kUniform);

// --- Calibration ----------------------------------------------------------------------------

enum class CalibrationMethod {
  kPlatt,     ///< P = 1/(1 + exp(-(a s + b))), fitted on Platt's smoothed targets (sklearn's sigmoid)
  kIsotonic,  ///< non-decreasing step fit by pool-adjacent-violators, linear between thresholds
};

/// "platt" / "sigmoid", "isotonic".
absl::StatusOr<CalibrationMethod> ParseCalibrationMethod(std::string_view name);

/// Maps a score (for this library: the decision function) to a calibrated probability. Fitted on
/// data the model did not train on (a holdout).
struct ProbabilityCalibrator {
  CalibrationMethod method = CalibrationMethod::kPlatt;
  double a = 1, b = 0;        ///< Platt (sklearn's _sigmoid_calibration returns A = -a, B = -b)
  std::vector<double> x, y;   ///< isotonic: increasing score thresholds and their probabilities
};

/// Fits a calibrator to (score, label) pairs, optionally weighted. Platt: Newton on the
/// logistic loss against the targets (n1 + 1)/(n1 + 2) and 1/(n0 + 2) (Platt 1999, sklearn).
/// Isotonic: sklearn's IsotonicRegression(out_of_bounds="clip"): equal scores merged (weighted
/// mean), PAV, redundant thresholds dropped. Errors as RocAuc, plus bad weights.
absl::StatusOr<ProbabilityCalibrator> FitCalibrator(std::span<const double> scores, std::span<const double> labels,
                                                    CalibrationMethod method,
                                                    std::span<const double> sample_weight = {});

/// Calibrated probabilities; isotonic clips scores to the fitted range. Errors: non-finite score,
/// an empty calibrator.
absl::StatusOr<std::vector<double>> ApplyCalibrator(const ProbabilityCalibrator& calibrator,
                                                    std::span<const double> scores);

// --- Drivers and splits ---------------------------------------------------------------------

/// One feature's effect: per 1 SD of the feature in the training data.
struct ChurnDriver {
  std::string feature;
  int index = 0;               ///< column in the model
  double coef_per_sd = 0;      ///< log-odds change per SD
  double odds_ratio = 0;       ///< exp(coef_per_sd)
  double standard_error = 0;   ///< of coef_per_sd
  double z = 0;                ///< coef / standard error (Wald)
  double p_value = 0;          ///< two-sided normal: erfc(|z| / sqrt 2)
};

/// Features sorted by |coef_per_sd|, largest first (ties by index); `top` > 0 keeps that many.
/// Names default to "x0", "x1", ... Errors: a names list of the wrong length.
absl::StatusOr<std::vector<ChurnDriver>> TopDrivers(const LogisticModel& model,
                                                    std::span<const std::string> names = {}, int top = 0);

/// Row indices (ascending) of a train / holdout split.
struct TrainHoldoutSplit {
  std::vector<int64_t> train, holdout;
};

/// Stratified split: each class sends round(holdout_fraction * its size) rows (at least 1 and at
/// most size - 1) to the holdout, chosen by a Fisher-Yates shuffle driven by splitmix64(seed), so
/// the same seed gives the same split on every platform. Errors: holdout_fraction outside (0, 1),
/// a label not 0/1, a class with fewer than 2 rows.
absl::StatusOr<TrainHoldoutSplit> StratifiedSplit(std::span<const double> labels, double holdout_fraction,
                                                  uint64_t seed = 0);

}  // namespace cdp
