// cdp/experiments.hpp — A/B experiment statistics: deterministic assignment of units to variants,
// frequentist tests (two-proportion z, Welch t) with confidence intervals, the Bayesian
// beta-binomial comparison, the sample-ratio-mismatch check, sample sizes and multiple-testing
// adjustments.
//
// Conventions: every comparison is treatment vs control; diff = treatment - control and
// relative lift = diff / control value. "larger" means the alternative treatment > control.
// Confidence intervals follow the alternative as scipy does: two-sided [lo, hi] at 1 - alpha;
// "larger" [lo, +inf); "smaller" (-inf, hi]. Values match scipy.stats on the same inputs
// (tests/python/test_experiments.py). Bad input is an InvalidArgument error naming what is wrong;
// a result never holds a NaN that the documentation does not announce.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cdp {

enum class Alternative { kTwoSided, kLarger, kSmaller };

/// "two-sided", "larger", "smaller".
std::string_view AlternativeName(Alternative alternative);
/// Accepts the names above and scipy's / statsmodels' spellings ("two_sided", "greater", "less").
absl::StatusOr<Alternative> ParseAlternative(std::string_view name);

// --- Frequentist tests ------------------------------------------------------------------------

/// Successes out of trials of one variant (conversions out of exposed units).
struct Proportion {
  int64_t successes = 0;
  int64_t trials = 0;
};

struct ProportionsOptions {
  Alternative alternative = Alternative::kTwoSided;
  double alpha = 0.05;  ///< test level; the interval has level 1 - alpha
  /// z statistic with the pooled variance p(1 - p)(1/n_c + 1/n_t) (statsmodels' proportions_ztest);
  /// false: the unpooled p_c q_c / n_c + p_t q_t / n_t.
  bool pooled = true;
};

struct ProportionsTestResult {
  double rate_control = 0, rate_treatment = 0;
  double diff = 0;               ///< rate_treatment - rate_control
  double relative_lift = 0;      ///< diff / rate_control; NaN when rate_control is 0 (undefined)
  /// z; 0 when both rates are 0 or both 1 (no variance, no difference); unpooled with both rates
  /// in {0, 1} and different: +/-inf (p 0 or 1).
  double statistic = 0;
  double p_value = 1;
  double std_error = 0;          ///< unpooled standard error of diff, used by the interval
  double ci_low = 0, ci_high = 0;  ///< Wald interval of diff with the unpooled standard error
  /// Interval of the relative lift by the delta method on rate_t / rate_c; NaN when rate_control is 0.
  double lift_ci_low = 0, lift_ci_high = 0;
};

/// Two-proportion z-test. Errors: negative counts, successes > trials, trials 0, alpha outside (0, 1).
absl::StatusOr<ProportionsTestResult> ProportionsZTest(Proportion control, Proportion treatment,
                                                       const ProportionsOptions& options = {});

/// Mean, sample standard deviation (divisor n - 1) and size of one variant's metric.
struct SampleStats {
  double mean = 0;
  double std = 0;
  int64_t n = 0;
};

/// Two-pass mean and standard deviation. Errors: fewer than 2 values, a non-finite value.
absl::StatusOr<SampleStats> DescribeSample(std::span<const double> values);

struct MeansOptions {
  Alternative alternative = Alternative::kTwoSided;
  double alpha = 0.05;
};

struct WelchTestResult {
  SampleStats control, treatment;
  double diff = 0;           ///< mean_treatment - mean_control
  double relative_lift = 0;  ///< diff / mean_control; NaN when mean_control is 0
  double std_error = 0;      ///< sqrt(s_c^2 / n_c + s_t^2 / n_t)
  double statistic = 0;      ///< t
  double df = 0;             ///< Welch-Satterthwaite degrees of freedom
  double p_value = 1;
  double ci_low = 0, ci_high = 0;            ///< diff -/+ t quantile x std_error
  double lift_ci_low = 0, lift_ci_high = 0;  ///< delta method, same t quantile; NaN when mean_control is 0
};

/// Welch's unequal-variance t-test (scipy.stats.ttest_ind(treatment, control, equal_var=False)).
/// Both standard deviations 0 (scipy: NaN or inf): equal means give t = 0, p = 1 (one-sided 0.5);
/// different means t = +/-inf, p = 0 or 1; df is then n_c + n_t - 2 and the interval [diff, diff].
/// Errors: n < 2 in a group, a negative or non-finite std or mean, alpha outside (0, 1).
absl::StatusOr<WelchTestResult> WelchTTest(const SampleStats& control, const SampleStats& treatment,
                                           const MeansOptions& options = {});
absl::StatusOr<WelchTestResult> WelchTTest(std::span<const double> control, std::span<const double> treatment,
                                           const MeansOptions& options = {});

// --- Bayesian beta-binomial ------------------------------------------------------------------

struct BetaDistribution {
  double alpha = 1;
  double beta = 1;
};

struct BetaComparison {
  double prob_treatment_better = 0.5;  ///< P(p_t > p_c)
  double expected_loss_treatment = 0;  ///< E[max(p_c - p_t, 0)]: rate lost by shipping the treatment
  double expected_loss_control = 0;    ///< E[max(p_t - p_c, 0)]: rate lost by keeping the control
};

/// Compares independent Beta-distributed rates by adaptive quadrature (deterministic, no sampling):
/// P(p_t > p_c) = integral of pdf_c(x) P(p_t > x), the losses as integrals of cdf x survival
/// functions (E[max(A - B, 0)] = integral of P(B < x) P(A > x) dx), over breakpoints spread across
/// each distribution's +/-80 standard deviations (widened to its 1e-40 quantiles when skewed), so
/// narrow posteriors (1e9 trials) are resolved; ends where a parameter is < 1 are integrated in
/// x^alpha, rates near 1 compared as 1 - p. Relative tolerance 1e-11 (tiny values are exact to
/// ~1e-16 absolute). Errors: a parameter not finite and > 0; Internal if the quadrature does not
/// converge.
absl::StatusOr<BetaComparison> CompareBetas(BetaDistribution control, BetaDistribution treatment);

struct BetaBinomialOptions {
  BetaDistribution prior;        ///< Beta(1, 1) (uniform) by default; the same for both variants
  double credible_level = 0.95;  ///< equal-tailed credible intervals of each rate
};

struct BetaBinomialResult {
  BetaDistribution posterior_control, posterior_treatment;  ///< prior + (successes, failures)
  double mean_control = 0, mean_treatment = 0;
  double ci_control_low = 0, ci_control_high = 0;
  double ci_treatment_low = 0, ci_treatment_high = 0;
  double prob_treatment_better = 0.5;
  double expected_loss_treatment = 0;
  double expected_loss_control = 0;
};

/// Beta-binomial posteriors of both rates and their comparison (CompareBetas). Errors as
/// ProportionsZTest (trials 0 is allowed: the posterior is the prior), a bad prior, a credible
/// level outside (0, 1).
absl::StatusOr<BetaBinomialResult> BetaBinomialCompare(Proportion control, Proportion treatment,
                                                       const BetaBinomialOptions& options = {});

// --- Sample-ratio mismatch --------------------------------------------------------------------

struct SrmResult {
  double statistic = 0;                ///< Pearson chi-square
  int64_t df = 0;                      ///< variants - 1
  double p_value = 1;
  std::vector<double> expected;        ///< expected counts: total x weight / sum of weights
  std::vector<double> observed_share;  ///< counts / total
  std::vector<double> expected_share;  ///< weights / sum of weights
  bool mismatch = false;               ///< p_value < threshold
};

/// Chi-square goodness of fit of the units per variant against the planned split
/// (scipy.stats.chisquare(counts, f_exp=expected)). Empty weights: an equal split. Errors: fewer
/// than 2 variants, sizes that differ, a negative count, no units, a negative / zero / non-finite
/// weight, threshold outside (0, 1).
absl::StatusOr<SrmResult> SampleRatioMismatch(std::span<const int64_t> counts, std::span<const double> weights = {},
                                              double threshold = 0.001);

// --- Sample size --------------------------------------------------------------------------------

struct SampleSizeOptions {
  double alpha = 0.05;
  double power = 0.8;
  double ratio = 1;  ///< n_treatment / n_control
  Alternative alternative = Alternative::kTwoSided;  ///< one-sided uses z_{1-alpha}
  bool relative = false;  ///< proportions: mde is relative to the baseline (p_t = p_c (1 + mde))
};

struct SampleSizeResult {
  double n_control_exact = 0;  ///< the formula's value before rounding up
  int64_t n_control = 0;       ///< ceil(n_control_exact)
  int64_t n_treatment = 0;     ///< ceil(ratio x n_control_exact)
  int64_t total = 0;
  double rate_control = 0, rate_treatment = 0;  ///< proportions only (NaN for means)
  double effect = 0;  ///< the absolute difference the test is sized for
};

/// Units per group to detect p_c -> p_t (Fleiss / Chow, normal approximation, no continuity
/// correction): n_c = (z_a sqrt(pbar qbar (1 + 1/r)) + z_b sqrt(p_c q_c + p_t q_t / r))^2 / (p_t - p_c)^2,
/// pbar = (p_c + r p_t) / (1 + r), z_a = z_{1-alpha/2} (two-sided), z_b = z_{power}.
/// Errors: baseline outside (0, 1), mde 0 or p_t outside (0, 1), alpha / power outside (0, 1), ratio <= 0.
absl::StatusOr<SampleSizeResult> SampleSizeProportions(double baseline, double mde,
                                                       const SampleSizeOptions& options = {});

/// Units per group to detect a difference mde in means: n_c = (z_a + z_b)^2 (s_c^2 + s_t^2 / r) / mde^2.
/// Errors: mde 0 or non-finite, std_control <= 0, std_treatment < 0 (0: same as control), bad options.
absl::StatusOr<SampleSizeResult> SampleSizeMeans(double mde, double std_control, double std_treatment = 0,
                                                 const SampleSizeOptions& options = {});

// --- Multiple testing ---------------------------------------------------------------------------

enum class PValueAdjustment { kBonferroni, kHolm, kBenjaminiHochberg, kBenjaminiYekutieli };

/// "bonferroni", "holm", "bh", "by".
std::string_view PValueAdjustmentName(PValueAdjustment method);
/// Accepts the names above and "fdr_bh", "benjamini-hochberg", "fdr_by", "benjamini-yekutieli".
absl::StatusOr<PValueAdjustment> ParsePValueAdjustment(std::string_view name);

/// Adjusted p-values in the input order (statsmodels' multipletests): Bonferroni min(1, m p);
/// Holm's step-down max_{j<=i} min(1, (m - j + 1) p_(j)); Benjamini-Hochberg's step-up
/// min_{j>=i} min(1, m p_(j) / j); Benjamini-Yekutieli = BH x sum_{k<=m} 1/k. Reject where the
/// adjusted value is <= alpha. Errors: a value outside [0, 1] or NaN (its index named).
absl::StatusOr<std::vector<double>> AdjustPValues(std::span<const double> p_values, PValueAdjustment method);

// --- Assignment ---------------------------------------------------------------------------------
//
// A unit's variant depends only on (salt, experiment, unit key, weights): the same profile gets
// the same variant on every call, machine and language ("sticky"). The algorithm, to reproduce
// elsewhere:
//   1. h = FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the UTF-8 bytes of
//      salt + ":" + experiment + ":" + unit (integer keys as their decimal text, "-" for negatives);
//   2. h = MurmurHash3's fmix64 finalizer: h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33;
//      h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33 (64-bit wrap-around);
//   3. u = (h >> 11) / 2^53, a double in [0, 1);
//   4. the variant is the first i with u < c_i / c_{k-1}, c_i = w_0 + ... + w_i summed left to
//      right in double precision (the last variant takes what remains).
// Raising the last variant's weight (a ramp-up) only moves units into it, never out of it.

/// Steps 1-2 above.
uint64_t AssignmentHash(std::string_view salt, std::string_view experiment, std::string_view unit);
/// Steps 1-3: the unit's position in [0, 1).
double AssignmentBucket(std::string_view salt, std::string_view experiment, std::string_view unit);

/// Index of the unit's variant. Errors: no weights, a negative or non-finite weight, all weights 0.
absl::StatusOr<int32_t> AssignVariant(std::string_view salt, std::string_view experiment, std::string_view unit,
                                      std::span<const double> weights);
/// The same for many units (one pass, no allocation per unit).
absl::StatusOr<std::vector<int32_t>> AssignVariants(std::string_view salt, std::string_view experiment,
                                                    std::span<const std::string_view> units,
                                                    std::span<const double> weights);
absl::StatusOr<std::vector<int32_t>> AssignVariants(std::string_view salt, std::string_view experiment,
                                                    std::span<const int64_t> units, std::span<const double> weights);

}  // namespace cdp
