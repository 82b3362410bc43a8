// Internal pieces shared by the CLV model files: special functions in log space, validated data,
// and the per-model operations table the generic fit / predict code dispatches on.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/clv.hpp"
#include "stats_special.hpp"  // same directory: tests include this header by path

namespace cdp::clv_internal {

// --- Special functions ---------------------------------------------------------------------

/// psi(x) for x > 0 (recurrence to x >= 10, then the asymptotic series; relative error ~1e-15).
double Digamma(double x);
/// log B(a, b).
using stats::LogBeta;  // accurate for large arguments too (stats_special.hpp)
/// log(e^a + e^b), exact for infinities.
double LogAddExp(double a, double b);
/// log(e^a - e^b) for a >= b (-inf when equal).
double LogSubExp(double a, double b);

/// log |2F1(a, b; c; z)| for z < 1, with its sign in *sign. Gauss' series summed with rescaling
/// (so huge values do not overflow); for c - a - b < 0 Euler's transformation
/// (1 - z)^(c-a-b) 2F1(c-a, c-b; c; z) is summed instead, and z < 0 goes through Pfaff's
/// transformation first. Returns NaN when the series does not converge (z too close to 1) or c
/// is a non-positive integer.
double LogHyp2F1(double a, double b, double c, double z, int* sign);

/// log 2F1(a, b; c; z) for 0 <= z < 1 when the value is positive, and in grad[0..3] its
/// derivatives d/da, d/db, d/dc, d/dz (term-wise; Euler's transformation as above). NaN otherwise.
double LogHyp2F1Grad(double a, double b, double c, double z, double* grad);

/// (1 - e^(-k L)) / k, continuous at k = 0 (value L). For L >= 0.
double OneMinusExpOverK(double k, double L);

/// f(v), or near a removable singularity at `at` the mean of f at at -/+ 1e-6 (error ~1e-12 x f'').
double AvoidSingularity(double v, double at, const std::function<double(double)>& f);

/// log P(N = n) for N negative binomial: Gamma mixture (shape r, rate alpha) of Poisson(lambda t).
double LogNbdPmf(double n, double r, double alpha, double t);
/// log P(N >= n) for the same distribution.
double LogNbdTail(int64_t n, double r, double alpha, double t);

/// Integral of f over [a, b], adaptive Gauss-Kronrod (7/15), relative tolerance 1e-11. NaN when
/// the tolerance cannot be met.
double Integrate(const std::function<double(double)>& f, double a, double b);

// --- Data -------------------------------------------------------------------------------------

/// Validated copies of the columns a model uses (weights 1 when not given).
struct Rows {
  std::vector<double> x, tx, T, m, w;
  double total_weight = 0;
  size_t size() const { return w.size(); }
};

enum class Purpose { kFit, kPredict };

/// Checks the columns `kind` needs (see FitClvModel) and copies them. kPredict ignores weights
/// and, for Gamma-Gamma, accepts frequency 0 (monetary >= 0).
absl::StatusOr<Rows> CheckData(ClvModelKind kind, const RfmData& data, Purpose purpose);

/// Sorts rows by (x, t_x, T, m) and merges equal ones, summing weights.
Rows MergeDuplicates(const Rows& rows);

// --- Per-model operations ------------------------------------------------------------------

struct ModelOps {
  ClvModelKind kind;
  const char* name;
  std::vector<std::string> names;
  /// Total weighted log-likelihood at natural parameters p; fills grad (d/dp, natural scale)
  /// when grad is not null and the model has an analytic gradient.
  double (*total)(const double* p, const Rows& rows, double* grad);
  bool analytic_gradient;
  /// Log-likelihood of row i (weight ignored).
  double (*row)(const double* p, const Rows& rows, size_t i);
  /// Built-in starting points (natural scale) for these data.
  std::vector<std::vector<double>> (*starts)(const Rows& rows);
  // Predictions (null when the model has none) on arguments the caller checked; NaN when the
  // value cannot be computed (the caller turns it into an error naming the row).
  double (*expected)(const double* p, double t);
  double (*conditional)(const double* p, double t, const Rows& rows, size_t i);
  double (*alive)(const double* p, const Rows& rows, size_t i, double future);
  double (*prob_n)(const double* p, double t, int64_t n);
};

extern const ModelOps kBgNbdOps;
extern const ModelOps kParetoNbdOps;
extern const ModelOps kBgBbOps;
extern const ModelOps kGammaGammaOps;

const ModelOps& Ops(ClvModelKind kind);

/// Weighted total over rows of ops.row (for models whose total has nothing to share across rows).
double SumRows(const ModelOps& ops, const double* p, const Rows& rows);

/// Weighted mean of a column, for data-scaled starting points.
double WeightedMean(const std::vector<double>& v, const Rows& rows);

}  // namespace cdp::clv_internal
