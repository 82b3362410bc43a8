// cdp/clv.hpp — predictive customer lifetime value: the "buy till you die" models fitted by
// maximum likelihood, their predictions, and the per-customer summary they start from.
//
// Models (parameter names as in the papers and in lifetimes):
//   BG/NBD      r, alpha, a, b       Fader, Hardie & Lee (2005), "Counting your customers the easy way"
//   Pareto/NBD  r, alpha, s, beta    Schmittlein, Morrison & Colombo (1987); Fader & Hardie note 008
//   BG/BB       alpha, beta, gamma, delta   Fader, Hardie & Shang (2010), discrete opportunities
//   Gamma-Gamma p, q, v (lifetimes' "v" is the papers' gamma)   Fader, Hardie & Lee (2005b), note 025
// Fits run L-BFGS on the log parameters from several starting points, in log space throughout
// (log-sum-exp, lgamma, Gauss' hypergeometric series with Euler's transformation), and report
// convergence, standard errors (inverse Hessian, delta method) and the log-likelihood.
//
// Time unit: whatever unit the summary was made in (weeks for CDNOW); t, recency and T share it,
// and the rate parameters (alpha, beta) are per that unit. BG/BB counts opportunities (periods).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/optimize.hpp"
#include "cdp/time.hpp"

namespace cdp {

enum class ClvModelKind { kBgNbd, kParetoNbd, kBgBb, kGammaGamma };

/// "bgnbd", "pareto_nbd", "bgbb", "gamma_gamma".
std::string_view ClvModelName(ClvModelKind kind);
/// Accepts the names above (also "betageo", "paretonbd", "betageobeta", "gammagamma").
absl::StatusOr<ClvModelKind> ParseClvModelKind(std::string_view name);

/// Purchase histories, one row per customer or per pattern of identical customers (weights).
/// Columns a model does not use may be left empty.
struct RfmData {
  std::span<const double> frequency;  ///< x: repeat purchases (purchase periods after the first)
  std::span<const double> recency;    ///< t_x: time from the first to the last purchase (BG/BB: last purchase period)
  std::span<const double> T;          ///< age: first purchase to the end of observation (BG/BB: n opportunities)
  std::span<const double> monetary;   ///< Gamma-Gamma: mean value of the repeat purchases
  std::span<const double> weights;    ///< customers per row (empty: 1 each), e.g. BG/BB's aggregated donors
};

/// A fitted (or given) model: parameters plus how the fit went.
struct ClvModel {
  ClvModelKind kind = ClvModelKind::kBgNbd;
  std::vector<std::string> names;     ///< parameter names, in order
  std::vector<double> params;         ///< maximum-likelihood estimates, natural scale
  std::vector<double> se;             ///< standard errors (NaN, with a warning, if the Hessian is singular)
  std::vector<double> covariance;     ///< k x k row-major, natural scale (delta method from log scale)
  double log_likelihood = 0;          ///< total: sum over rows of weight x log-likelihood
  bool converged = false;
  std::string message;                ///< the optimizer's stop reason for the best start
  int iterations = 0;                 ///< of the best start
  double gradient_norm = 0;           ///< max |d(mean NLL)/d(log param)| at the estimate
  std::vector<double> start_log_likelihoods;  ///< final LL from each starting point (NaN: that start failed)
  std::vector<std::string> warnings;  ///< non-convergence, a parameter running off to 0 or infinity, ...
  double customers = 0;               ///< sum of the weights
  int64_t rows = 0;                   ///< input rows
  int64_t patterns = 0;               ///< distinct rows the likelihood was evaluated on
  double seconds = 0;

  /// A parameter by name; NaN if there is none of that name.
  double Param(std::string_view name) const;
};

/// A model with given parameters (published values, a saved fit). Errors: wrong count, a value
/// that is not finite and > 0.
absl::StatusOr<ClvModel> MakeClvModel(ClvModelKind kind, std::vector<double> params);

struct ClvFitOptions {
  /// Starting points on the natural scale (each of the model's size). Empty: three built-in
  /// starts scaled to the data. The fit keeps the start with the highest log-likelihood.
  std::vector<std::vector<double>> initial;
  /// lifetimes' L2 penalty: penalizer_coef * sum(params^2) added to the mean negative LL.
  double penalizer_coef = 0;
  LbfgsOptions optimizer;
  /// Evaluate the likelihood on distinct rows with summed weights (same value, fewer terms).
  bool merge_duplicates = true;
};

/// Fits a model by maximum likelihood. BG/NBD and Pareto/NBD use frequency, recency, T; BG/BB
/// frequency, recency, T (= n opportunities); Gamma-Gamma frequency and monetary. Errors: empty
/// data, columns of different lengths, non-finite values, negative or fractional frequency,
/// recency > T, recency != 0 with frequency 0, bad weights, (Gamma-Gamma) frequency 0 or
/// monetary <= 0. A fit that does not converge is returned with converged = false and a warning.
absl::StatusOr<ClvModel> FitClvModel(ClvModelKind kind, const RfmData& data, const ClvFitOptions& options = {});
inline absl::StatusOr<ClvModel> FitBgNbd(const RfmData& d, const ClvFitOptions& o = {}) { return FitClvModel(ClvModelKind::kBgNbd, d, o); }
inline absl::StatusOr<ClvModel> FitParetoNbd(const RfmData& d, const ClvFitOptions& o = {}) { return FitClvModel(ClvModelKind::kParetoNbd, d, o); }
inline absl::StatusOr<ClvModel> FitBgBb(const RfmData& d, const ClvFitOptions& o = {}) { return FitClvModel(ClvModelKind::kBgBb, d, o); }
inline absl::StatusOr<ClvModel> FitGammaGamma(const RfmData& d, const ClvFitOptions& o = {}) { return FitClvModel(ClvModelKind::kGammaGamma, d, o); }

/// Log-likelihood of each row (one customer with that history; weights ignored).
absl::StatusOr<std::vector<double>> ClvLogLikelihood(const ClvModel& model, const RfmData& data);

/// E[X(t)]: expected repeat purchases in (0, t] of a customer who made a first purchase at 0.
/// BG/BB: t opportunities. Not for Gamma-Gamma.
absl::StatusOr<std::vector<double>> ExpectedPurchases(const ClvModel& model, std::span<const double> t);

/// E[Y(t) | x, t_x, T]: expected purchases in the next t units of each customer given the history.
/// BG/BB: the next t opportunities after n = T.
absl::StatusOr<std::vector<double>> ConditionalExpectedPurchases(const ClvModel& model, double t, const RfmData& data);

/// P(alive at T | x, t_x, T). BG/BB: P(alive at opportunity n + future); the continuous models
/// need future = 0.
absl::StatusOr<std::vector<double>> ProbabilityAlive(const ClvModel& model, const RfmData& data, double future = 0);

/// P(X(t) = n) for a new customer. BG/BB: t must be a whole number of opportunities.
absl::StatusOr<double> ProbabilityOfPurchases(const ClvModel& model, double t, int64_t n);

/// Gamma-Gamma E[M | x, mean value]: (1 - w) p v / (q - 1) + w m with w = p x / (p x + q - 1).
/// Rows with frequency 0 get the population mean. Errors: q <= 1, negative values.
absl::StatusOr<std::vector<double>> ConditionalExpectedAverageProfit(const ClvModel& gamma_gamma, const RfmData& data);

struct ClvValueOptions {
  int months = 12;                   ///< horizon in months
  double discount_rate = 0.01;       ///< per month
  /// Model time units per month (lifetimes: W 4.345, M 1, D 30, H 720).
  double periods_per_month = 4.345;
};

/// lifetimes' customer_lifetime_value: sum over months i = 1..months of
/// (E[Y(i f)] - E[Y((i - 1) f)]) * E[M] / (1 + discount_rate)^i, f = periods_per_month, with E[Y]
/// from `transactions` (BG/NBD or Pareto/NBD) and E[M] from `gamma_gamma` given data.monetary.
absl::StatusOr<std::vector<double>> CustomerLifetimeValue(const ClvModel& transactions, const ClvModel& gamma_gamma,
                                                          const RfmData& data, const ClvValueOptions& options = {});

// --- Summary from transactions ------------------------------------------------------------

/// Period of the summary (pandas period aliases). Hours, days and weeks (Monday to Sunday, as
/// pandas' W) count whole periods; months and years divide the days between period starts by
/// 30.436875 and 365.2425 as lifetimes does (numpy's timedelta64 'M' and 'Y').
enum class ClvPeriod { kHour, kDay, kWeek, kMonth, kYear };

/// "H"/"h", "D", "W", "M", "Y"/"A" (case-insensitive apart from h/H, also "hour", "day", ...).
absl::StatusOr<ClvPeriod> ParseClvPeriod(std::string_view freq);

struct TransactionSummaryOptions {
  ClvPeriod period = ClvPeriod::kDay;
  double period_multiplier = 1;   ///< lifetimes' freq_multiplier: recency, T, duration divided by it
  EpochUnit unit = EpochUnit::kMicros;  ///< unit of the timestamps (kMicros, kNanos, kMillis, kSeconds)
  std::optional<Micros> observation_end;  ///< default: the last transaction
  std::optional<Micros> calibration_end;  ///< set: calibration summary plus holdout counts
  bool include_first_transaction = false;  ///< count the first period in frequency and monetary
};

/// One row per customer, ascending by key. Without calibration_end the columns describe the
/// whole observation; with it, the calibration period, plus the holdout columns.
struct TransactionSummary {
  std::vector<int64_t> customer;         ///< integer keys (the string overload: ranks of customer_names)
  std::vector<std::string> customer_names;  ///< string overload only
  std::vector<double> frequency, recency, T;
  std::vector<double> monetary;          ///< mean of the repeat periods' totals; empty without amounts
  bool has_holdout = false;
  std::vector<double> frequency_holdout;  ///< distinct holdout periods with a purchase
  std::vector<double> monetary_holdout;   ///< mean holdout transaction amount (0 when none)
  double duration_holdout = 0;            ///< periods from calibration_end to observation_end
  Micros observation_end = 0, calibration_end = 0;  ///< the ends used
  int64_t rows = 0;                       ///< transactions read
  int64_t rows_used = 0;                  ///< in the summary (calibration + holdout)
  int64_t rows_after_end = 0;             ///< after observation_end: ignored
  int64_t rows_holdout_only = 0;          ///< holdout purchases of customers new in the holdout: ignored
};

/// Per-customer frequency (distinct purchase periods - 1), recency (first to last purchase
/// period), T (first purchase period to the period of observation_end) and monetary (mean of the
/// per-period totals of the repeat periods), all lifetimes' conventions: transactions in one
/// period merge into one; without calibration, transactions in the period of observation_end
/// count even if later that period. With calibration_end: calibration uses transactions at or
/// before it, the holdout those after it up to observation_end; customers whose first purchase is
/// in the holdout are left out (counted in rows_holdout_only). One radix sort and one pass.
/// Errors: lengths differ, no transactions, non-finite amounts, calibration_end >= observation_end,
/// no transaction in the holdout, period_multiplier <= 0.
absl::StatusOr<TransactionSummary> SummaryFromTransactions(std::span<const int64_t> customer,
                                                           std::span<const int64_t> ts,
                                                           std::span<const double> amount,
                                                           const TransactionSummaryOptions& options = {});
/// The same with string customer keys (rows ordered by key, names in customer_names).
absl::StatusOr<TransactionSummary> SummaryFromTransactions(std::span<const std::string_view> customer,
                                                           std::span<const int64_t> ts,
                                                           std::span<const double> amount,
                                                           const TransactionSummaryOptions& options = {});

}  // namespace cdp
