// Bayesian beta-binomial comparison of two rates: P(p_t > p_c) and the expected losses by
// adaptive quadrature of Beta densities and tails (stats_special.cpp), deterministic and exact to
// the quadrature tolerance, for counts from 0 to billions.
#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <vector>

#include "absl/strings/str_format.h"
#include "cdp/experiments.hpp"
#include "metrics/stats_special.hpp"

namespace cdp {

namespace {

constexpr double kWindowSds = 80;
constexpr int kPiecesPerWindow = 64;
constexpr double kTolerance = 1e-11;  // relative; the integrands are good to ~1e-13

struct Window {
  double lo, hi;
};

// +/-80 standard deviations (a bell-shaped Beta is below e^-3000 of its peak there), widened to
// the 1e-40 and 1 - 1e-40 quantiles for skewed ones (alpha = 0.015: the tail decays like e^(-beta x),
// and 80 sd is only ~10 / beta).
Window WindowOf(const BetaDistribution& d) {
  const double s = d.alpha + d.beta, mean = d.alpha / s;
  const double sd = std::sqrt(d.alpha * d.beta / (s * s * (s + 1)));
  Window w{std::max(0.0, mean - kWindowSds * sd), std::min(1.0, mean + kWindowSds * sd)};
  constexpr double kTail = 1e-40;
  const double q_lo = stats::BetaQuantile(d.alpha, d.beta, kTail);
  const double q_hi = 1 - stats::BetaQuantile(d.beta, d.alpha, kTail);  // upper tail of X = lower tail of 1 - X
  if (q_lo < w.lo) w.lo = std::max(0.0, q_lo);
  if (q_hi > w.hi) w.hi = std::min(1.0, q_hi);
  return w;
}

// Cut points spread evenly over both windows: where one distribution is narrow, its window's
// pieces resolve it even inside the other's wide window.
std::vector<double> Breaks(const Window& a, const Window& b) {
  std::vector<double> out;
  for (const Window& w : {a, b})
    for (int i = 1; i < kPiecesPerWindow; ++i) out.push_back(w.lo + (w.hi - w.lo) * i / kPiecesPerWindow);
  std::sort(out.begin(), out.end());
  return out;
}

// A point of (0, 1) as x, y = 1 - x and both logs; a log stays exact where its value underflows
// (a Beta with alpha = 0.001 has half its mass below 1e-300).
struct At {
  double x, y, log_x, log_y;
};
At FromX(double x) { return {x, 1 - x, std::log(x), std::log1p(-x)}; }
At FromLogX(double log_x) {
  const double x = std::exp(log_x);
  return {x, 1 - x, log_x, std::log1p(-x)};
}
At FromLogY(double log_y) {
  const double y = std::exp(log_y);
  return {1 - y, y, std::log1p(-y), log_y};
}

constexpr double kUnderflow = 1e-280;

// P(X <= x) and P(X > x). Next to an end, I_x(a, b) = x^a / (a B(a, b)) (1 + O(x (a + b))).
void Tails(const BetaDistribution& d, const At& p, double* cdf, double* sf) {
  if (p.x < kUnderflow) {
    *cdf = std::exp(d.alpha * p.log_x - stats::LogBeta(d.alpha, d.beta)) / d.alpha;
    *sf = 1 - *cdf;
  } else if (p.y < kUnderflow) {
    *sf = std::exp(d.beta * p.log_y - stats::LogBeta(d.alpha, d.beta)) / d.beta;
    *cdf = 1 - *sf;
  } else if (!stats::IncompleteBeta(d.alpha, d.beta, p.x, p.y, cdf, sf)) {
    *cdf = *sf = std::nan("");
  }
}

double LogPdf(const BetaDistribution& d, const At& p) {
  if (p.x < kUnderflow || p.y < kUnderflow)
    return (d.alpha - 1) * p.log_x + (d.beta - 1) * p.log_y - stats::LogBeta(d.alpha, d.beta);
  return stats::BetaLogPdf(d.alpha, d.beta, p.x, p.y);
}

// Integral over [lo, hi] of f(point, log of dx/dvariable). Where lo is 0 and the integrand behaves
// like x^(g0 - 1) or 1 - x^g0 with g0 < 1 (a density or distribution function with alpha < 1), the
// first piece is integrated in u = x^g0 (dx/du = x^(1 - g0) / g0), which makes it smooth; at hi = 1
// likewise in v = (1 - x)^g1. The rest is cut at the breaks and bisected adaptively.
using Integrand = std::function<double(const At&, double)>;

double IntegrateOnUnit(const Integrand& f, double lo, double hi, const std::vector<double>& breaks, double g0,
                       double g1) {
  if (!(hi > lo)) return 0;
  double total = 0;
  if (lo == 0 && g0 < 1) {
    const auto next = std::upper_bound(breaks.begin(), breaks.end(), lo);
    const double cut = next != breaks.end() && *next < hi ? *next : 0.5 * (lo + hi);
    total += stats::IntegrateAdaptive(
        [&](double u) {
          const double log_x = std::log(u) / g0;
          return f(FromLogX(log_x), (1 - g0) * log_x - std::log(g0));
        },
        0, std::pow(cut, g0), {}, kTolerance);
    lo = cut;
  }
  if (hi == 1 && g1 < 1) {
    const auto next = std::lower_bound(breaks.begin(), breaks.end(), hi);
    const double cut = next != breaks.begin() && *std::prev(next) > lo ? *std::prev(next) : 0.5 * (lo + hi);
    total += stats::IntegrateAdaptive(
        [&](double v) {
          const double log_y = std::log(v) / g1;
          return f(FromLogY(log_y), (1 - g1) * log_y - std::log(g1));
        },
        0, std::pow(1 - cut, g1), {}, kTolerance);
    hi = cut;
  }
  return total + stats::IntegrateAdaptive([&](double x) { return f(FromX(x), 0.0); }, lo, hi, breaks, kTolerance);
}

// P(B > A) = integral of pdf_A(x) P(B > x) dx over A's window.
double ProbabilityGreater(const BetaDistribution& a, const Window& wa, const BetaDistribution& b,
                          const std::vector<double>& breaks) {
  return IntegrateOnUnit(
      [&](const At& p, double log_jacobian) {
        double cdf, sf;
        Tails(b, p, &cdf, &sf);
        return std::exp(LogPdf(a, p) + log_jacobian) * sf;
      },
      wa.lo, wa.hi, breaks, std::min(a.alpha, b.alpha), std::min(a.beta, b.beta));
}

// E[max(A - B, 0)] = integral of P(B < x) P(A > x) dx: nonzero from B's window start to A's end.
double ExpectedShortfall(const BetaDistribution& a, const Window& wa, const BetaDistribution& b, const Window& wb,
                         const std::vector<double>& breaks) {
  return IntegrateOnUnit(
      [&](const At& p, double log_jacobian) {
        double ca, sa, cb, sb;
        Tails(a, p, &ca, &sa);
        Tails(b, p, &cb, &sb);
        return cb * sa * std::exp(log_jacobian);
      },
      wb.lo, wa.hi, breaks, std::min(a.alpha, b.alpha), std::min(a.beta, b.beta));
}

absl::Status CheckBeta(std::string_view where, std::string_view name, const BetaDistribution& d) {
  if (!(d.alpha > 0 && d.beta > 0) || !std::isfinite(d.alpha) || !std::isfinite(d.beta))
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s Beta parameters must be finite and > 0, got (%g, %g)", where,
                                                      name, d.alpha, d.beta));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BetaComparison> CompareBetas(BetaDistribution control, BetaDistribution treatment) {
  if (auto st = CheckBeta("CompareBetas", "control", control); !st.ok()) return st;
  if (auto st = CheckBeta("CompareBetas", "treatment", treatment); !st.ok()) return st;
  const double mean_c = control.alpha / (control.alpha + control.beta);
  const double mean_t = treatment.alpha / (treatment.alpha + treatment.beta);
  if (mean_c + mean_t > 1) {
    // Rates near 1: compare q = 1 - p instead, so the integration variable stays where doubles are
    // dense. p_t > p_c iff q_c > q_t, and E[max(p_c - p_t, 0)] = E[max(q_t - q_c, 0)]: the
    // comparison of control' = q_t against treatment' = q_c has the same three numbers.
    return CompareBetas({treatment.beta, treatment.alpha}, {control.beta, control.alpha});
  }
  const Window wc = WindowOf(control), wt = WindowOf(treatment);
  const std::vector<double> breaks = Breaks(wc, wt);
  BetaComparison r;
  // P(p_t > p_c) = integral of pdf_c(x) P(p_t > x) over the control's window.
  r.prob_treatment_better = ProbabilityGreater(control, wc, treatment, breaks);
  r.expected_loss_treatment = ExpectedShortfall(control, wc, treatment, wt, breaks);  // E[max(c - t, 0)]
  r.expected_loss_control = ExpectedShortfall(treatment, wt, control, wc, breaks);    // E[max(t - c, 0)]
  if (std::isnan(r.prob_treatment_better) || std::isnan(r.expected_loss_treatment) ||
      std::isnan(r.expected_loss_control))
    return absl::InternalError(absl::StrFormat(
        "CompareBetas: the quadrature did not converge for Beta(%g, %g) vs Beta(%g, %g)", control.alpha, control.beta,
        treatment.alpha, treatment.beta));
  r.prob_treatment_better = std::clamp(r.prob_treatment_better, 0.0, 1.0);
  return r;
}

absl::StatusOr<BetaBinomialResult> BetaBinomialCompare(Proportion control, Proportion treatment,
                                                       const BetaBinomialOptions& options) {
  constexpr std::string_view kWhere = "BetaBinomialCompare";
  for (const auto& [name, p] : {std::pair<std::string_view, Proportion>{"control", control}, {"treatment", treatment}}) {
    if (p.successes < 0 || p.trials < 0)
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s has a negative count (successes %d, trials %d)", kWhere,
                                                        name, p.successes, p.trials));
    if (p.successes > p.trials)
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s has more successes (%d) than trials (%d)", kWhere, name,
                                                        p.successes, p.trials));
  }
  if (auto st = CheckBeta(kWhere, "prior", options.prior); !st.ok()) return st;
  if (!(options.credible_level > 0 && options.credible_level < 1))
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: credible_level must be in (0, 1), got %g", kWhere, options.credible_level));
  auto posterior = [&](Proportion p) {
    return BetaDistribution{options.prior.alpha + static_cast<double>(p.successes),
                            options.prior.beta + static_cast<double>(p.trials - p.successes)};
  };
  BetaBinomialResult r;
  r.posterior_control = posterior(control);
  r.posterior_treatment = posterior(treatment);
  auto cmp = CompareBetas(r.posterior_control, r.posterior_treatment);
  if (!cmp.ok()) return cmp.status();
  r.prob_treatment_better = cmp->prob_treatment_better;
  r.expected_loss_treatment = cmp->expected_loss_treatment;
  r.expected_loss_control = cmp->expected_loss_control;
  const double tail = (1 - options.credible_level) / 2;
  auto fill = [tail](const BetaDistribution& d, double* mean, double* lo, double* hi) {
    *mean = d.alpha / (d.alpha + d.beta);
    *lo = stats::BetaQuantile(d.alpha, d.beta, tail);
    *hi = stats::BetaQuantile(d.alpha, d.beta, 1 - tail);
    return !std::isnan(*lo) && !std::isnan(*hi);
  };
  if (!fill(r.posterior_control, &r.mean_control, &r.ci_control_low, &r.ci_control_high) ||
      !fill(r.posterior_treatment, &r.mean_treatment, &r.ci_treatment_low, &r.ci_treatment_high))
    return absl::InternalError(absl::StrFormat("%s: the Beta quantile did not converge", kWhere));
  return r;
}

}  // namespace cdp
