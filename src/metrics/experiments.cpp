// A/B experiment statistics: the frequentist tests, the sample-ratio check, sample sizes and
// p-value adjustments. The Bayesian comparison and the assignment hash are in
// experiments_bayes.cpp and experiments_assign.cpp; the distributions in stats_special.cpp.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "absl/strings/str_format.h"
#include "cdp/experiments.hpp"
#include "metrics/stats_special.hpp"

namespace cdp {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Lower-case ASCII copy ("Two-Sided" -> "two-sided").
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

absl::Status CheckLevel(std::string_view where, std::string_view name, double v) {
  if (!(v > 0 && v < 1)) return absl::InvalidArgumentError(absl::StrFormat("%s: %s must be in (0, 1), got %g", where, name, v));
  return absl::OkStatus();
}

// z_{1 - alpha} (one-sided) or z_{1 - alpha / 2} (two-sided), as a positive number.
double NormalCritical(double alpha, Alternative alt) {
  return -stats::NormalQuantile(alt == Alternative::kTwoSided ? alpha / 2 : alpha);
}

// The p-value of a statistic whose null distribution has survival function sf(x) = P(X > x)
// (symmetric about 0); two_sided(x) = P(|X| > |x|) computed directly for tail precision.
template <typename Sf, typename Two>
double PValue(double statistic, Alternative alt, Sf sf, Two two_sided) {
  if (statistic == 0) return alt == Alternative::kTwoSided ? 1.0 : 0.5;
  switch (alt) {
    case Alternative::kTwoSided: return std::min(1.0, two_sided(statistic));
    case Alternative::kLarger: return sf(statistic);
    case Alternative::kSmaller: return sf(-statistic);
  }
  return kNaN;
}

void Interval(double center, double se, double crit, Alternative alt, double* lo, double* hi) {
  *lo = alt == Alternative::kSmaller ? -kInf : center - crit * se;
  *hi = alt == Alternative::kLarger ? kInf : center + crit * se;
}

// Relative lift t / c - 1 and its delta-method interval from the variances of the two estimates.
void Lift(double c, double t, double var_c, double var_t, double crit, Alternative alt, double* lift, double* lo,
          double* hi) {
  if (c == 0) {
    *lift = *lo = *hi = kNaN;
    return;
  }
  *lift = t / c - 1;
  const double se = std::sqrt(var_t / (c * c) + t * t * var_c / (c * c * c * c));
  Interval(*lift, se, crit, alt, lo, hi);
}

absl::Status CheckProportion(std::string_view where, std::string_view name, Proportion p, bool allow_empty) {
  if (p.successes < 0 || p.trials < 0)
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s has a negative count (successes %d, trials %d)", where,
                                                      name, p.successes, p.trials));
  if (p.successes > p.trials)
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s has more successes (%d) than trials (%d)", where, name,
                                                      p.successes, p.trials));
  if (p.trials == 0 && !allow_empty)
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s has 0 trials (its rate is undefined)", where, name));
  return absl::OkStatus();
}

absl::Status CheckStats(std::string_view name, const SampleStats& s) {
  if (s.n < 2)
    return absl::InvalidArgumentError(absl::StrFormat(
        "WelchTTest: %s has fewer than 2 samples (n = %d); the variance needs at least 2", name, s.n));
  if (!std::isfinite(s.mean)) return absl::InvalidArgumentError(absl::StrFormat("WelchTTest: %s mean is not finite", name));
  if (!(s.std >= 0) || !std::isfinite(s.std))
    return absl::InvalidArgumentError(absl::StrFormat("WelchTTest: %s std must be finite and >= 0, got %g", name, s.std));
  return absl::OkStatus();
}

}  // namespace

std::string_view AlternativeName(Alternative alternative) {
  switch (alternative) {
    case Alternative::kTwoSided: return "two-sided";
    case Alternative::kLarger: return "larger";
    case Alternative::kSmaller: return "smaller";
  }
  return "?";
}

absl::StatusOr<Alternative> ParseAlternative(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "two-sided" || n == "two_sided" || n == "twosided" || n == "2s") return Alternative::kTwoSided;
  if (n == "larger" || n == "greater") return Alternative::kLarger;
  if (n == "smaller" || n == "less") return Alternative::kSmaller;
  return absl::InvalidArgumentError(
      "alternative must be 'two-sided', 'larger' or 'smaller' (or 'greater' / 'less'), got '" + std::string(name) + "'");
}

absl::StatusOr<ProportionsTestResult> ProportionsZTest(Proportion control, Proportion treatment,
                                                       const ProportionsOptions& options) {
  constexpr std::string_view kWhere = "ProportionsZTest";
  if (auto st = CheckProportion(kWhere, "control", control, false); !st.ok()) return st;
  if (auto st = CheckProportion(kWhere, "treatment", treatment, false); !st.ok()) return st;
  if (auto st = CheckLevel(kWhere, "alpha", options.alpha); !st.ok()) return st;
  const double xc = static_cast<double>(control.successes), nc = static_cast<double>(control.trials);
  const double xt = static_cast<double>(treatment.successes), nt = static_cast<double>(treatment.trials);
  ProportionsTestResult r;
  r.rate_control = xc / nc;
  r.rate_treatment = xt / nt;
  r.diff = r.rate_treatment - r.rate_control;
  const double var_c = r.rate_control * (1 - r.rate_control) / nc;
  const double var_t = r.rate_treatment * (1 - r.rate_treatment) / nt;
  r.std_error = std::sqrt(var_c + var_t);
  double var_test = var_c + var_t;
  if (options.pooled) {
    const double p = (xc + xt) / (nc + nt);
    var_test = p * (1 - p) * (1 / nc + 1 / nt);
  }
  r.statistic = var_test > 0 ? r.diff / std::sqrt(var_test) : (r.diff == 0 ? 0.0 : std::copysign(kInf, r.diff));
  r.p_value = PValue(r.statistic, options.alternative, stats::NormalSf,
                     [](double z) { return std::erfc(std::abs(z) * M_SQRT1_2); });
  const double crit = NormalCritical(options.alpha, options.alternative);
  Interval(r.diff, r.std_error, crit, options.alternative, &r.ci_low, &r.ci_high);
  Lift(r.rate_control, r.rate_treatment, var_c, var_t, crit, options.alternative, &r.relative_lift, &r.lift_ci_low,
       &r.lift_ci_high);
  return r;
}

absl::StatusOr<SampleStats> DescribeSample(std::span<const double> values) {
  if (values.size() < 2)
    return absl::InvalidArgumentError(absl::StrFormat(
        "DescribeSample: fewer than 2 samples (%d); the variance needs at least 2", values.size()));
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      return absl::InvalidArgumentError(absl::StrFormat("DescribeSample: value %d is not finite (%g)", i, values[i]));
    sum += values[i];
  }
  const double n = static_cast<double>(values.size());
  double mean = sum / n, dev = 0, dev2 = 0;
  for (double v : values) dev += v - mean, dev2 += (v - mean) * (v - mean);
  mean += dev / n;  // corrected two-pass (the mean's own rounding error)
  const double var = std::max(0.0, (dev2 - dev * dev / n) / (n - 1));
  return SampleStats{mean, std::sqrt(var), static_cast<int64_t>(values.size())};
}

absl::StatusOr<WelchTestResult> WelchTTest(const SampleStats& control, const SampleStats& treatment,
                                           const MeansOptions& options) {
  if (auto st = CheckStats("control", control); !st.ok()) return st;
  if (auto st = CheckStats("treatment", treatment); !st.ok()) return st;
  if (auto st = CheckLevel("WelchTTest", "alpha", options.alpha); !st.ok()) return st;
  WelchTestResult r;
  r.control = control, r.treatment = treatment;
  const double nc = static_cast<double>(control.n), nt = static_cast<double>(treatment.n);
  const double var_c = control.std * control.std / nc, var_t = treatment.std * treatment.std / nt;
  const double var = var_c + var_t;
  r.diff = treatment.mean - control.mean;
  r.std_error = std::sqrt(var);
  if (var > 0) {
    const double fc = var_c / var, ft = var_t / var;  // df = var^2 / (var_c^2/(nc-1) + var_t^2/(nt-1))
    r.df = 1 / (fc * fc / (nc - 1) + ft * ft / (nt - 1));
    r.statistic = r.diff / r.std_error;
  } else {
    r.df = nc + nt - 2;
    r.statistic = r.diff == 0 ? 0.0 : std::copysign(kInf, r.diff);
  }
  const double df = r.df;
  r.p_value = PValue(r.statistic, options.alternative, [df](double t) { return stats::StudentTSf(t, df); },
                     [df](double t) { return stats::StudentTTwoSided(t, df); });
  const double q = options.alternative == Alternative::kTwoSided ? options.alpha / 2 : options.alpha;
  const double crit = q < 0.5 ? stats::StudentTUpperQuantile(q, df) : -stats::StudentTUpperQuantile(1 - q, df);
  if (std::isnan(r.p_value) || std::isnan(crit))
    return absl::InternalError(absl::StrFormat("WelchTTest: the t distribution did not converge (t = %g, df = %g)",
                                               r.statistic, df));
  Interval(r.diff, r.std_error, crit, options.alternative, &r.ci_low, &r.ci_high);
  Lift(control.mean, treatment.mean, var_c, var_t, crit, options.alternative, &r.relative_lift, &r.lift_ci_low,
       &r.lift_ci_high);
  return r;
}

absl::StatusOr<WelchTestResult> WelchTTest(std::span<const double> control, std::span<const double> treatment,
                                           const MeansOptions& options) {
  auto c = DescribeSample(control);
  if (!c.ok()) return absl::InvalidArgumentError("WelchTTest: control: " + std::string(c.status().message()));
  auto t = DescribeSample(treatment);
  if (!t.ok()) return absl::InvalidArgumentError("WelchTTest: treatment: " + std::string(t.status().message()));
  return WelchTTest(*c, *t, options);
}

absl::StatusOr<SrmResult> SampleRatioMismatch(std::span<const int64_t> counts, std::span<const double> weights,
                                              double threshold) {
  constexpr std::string_view kWhere = "SampleRatioMismatch";
  const size_t k = counts.size();
  if (k < 2) return absl::InvalidArgumentError(absl::StrFormat("%s: needs at least 2 variants, got %d", kWhere, k));
  if (!weights.empty() && weights.size() != k)
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %d counts but %d weights (one weight per variant)", kWhere, k, weights.size()));
  if (auto st = CheckLevel(kWhere, "threshold", threshold); !st.ok()) return st;
  double total = 0, wsum = 0;
  for (size_t i = 0; i < k; ++i) {
    if (counts[i] < 0)
      return absl::InvalidArgumentError(absl::StrFormat("%s: count %d is negative (%d)", kWhere, i, counts[i]));
    total += static_cast<double>(counts[i]);
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!(w > 0) || !std::isfinite(w))
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: weight %d must be finite and > 0, got %g (drop variants that get no traffic)", kWhere, i, w));
    wsum += w;
  }
  if (total == 0) return absl::InvalidArgumentError(absl::StrFormat("%s: no units in any variant", kWhere));
  SrmResult r;
  r.df = static_cast<int64_t>(k) - 1;
  for (size_t i = 0; i < k; ++i) {
    const double share = (weights.empty() ? 1.0 : weights[i]) / wsum;
    const double e = total * share, o = static_cast<double>(counts[i]);
    r.expected.push_back(e);
    r.expected_share.push_back(share);
    r.observed_share.push_back(o / total);
    r.statistic += (o - e) * (o - e) / e;
  }
  r.p_value = stats::ChiSquareSf(r.statistic, static_cast<double>(r.df));
  if (std::isnan(r.p_value))
    return absl::InternalError(absl::StrFormat("%s: the chi-square tail did not converge (%g)", kWhere, r.statistic));
  r.mismatch = r.p_value < threshold;
  return r;
}

namespace {

absl::Status CheckSampleSizeOptions(std::string_view where, const SampleSizeOptions& o) {
  if (auto st = CheckLevel(where, "alpha", o.alpha); !st.ok()) return st;
  if (auto st = CheckLevel(where, "power", o.power); !st.ok()) return st;
  if (!(o.ratio > 0) || !std::isfinite(o.ratio))
    return absl::InvalidArgumentError(absl::StrFormat("%s: ratio (n_treatment / n_control) must be > 0, got %g", where, o.ratio));
  return absl::OkStatus();
}

SampleSizeResult Rounded(double n_control, double ratio) {
  // ceil with a relative slack of 1e-12 so a formula that lands on an integer is not pushed up by rounding.
  auto up = [](double v) { return static_cast<int64_t>(std::ceil(v * (1 - 1e-12))); };
  SampleSizeResult r;
  r.n_control_exact = n_control;
  r.n_control = up(n_control);
  r.n_treatment = up(ratio * n_control);
  r.total = r.n_control + r.n_treatment;
  return r;
}

}  // namespace

absl::StatusOr<SampleSizeResult> SampleSizeProportions(double baseline, double mde, const SampleSizeOptions& o) {
  constexpr std::string_view kWhere = "SampleSizeProportions";
  if (auto st = CheckSampleSizeOptions(kWhere, o); !st.ok()) return st;
  if (!(baseline > 0 && baseline < 1))
    return absl::InvalidArgumentError(absl::StrFormat("%s: baseline rate must be in (0, 1), got %g", kWhere, baseline));
  if (!std::isfinite(mde) || mde == 0)
    return absl::InvalidArgumentError(absl::StrFormat("%s: mde must be finite and not 0, got %g", kWhere, mde));
  const double p1 = baseline, p2 = o.relative ? baseline * (1 + mde) : baseline + mde;
  if (!(p2 > 0 && p2 < 1))
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the treatment rate baseline %s mde = %g is outside (0, 1)", kWhere, o.relative ? "x (1 +" : "+", p2));
  const double r = o.ratio, pbar = (p1 + r * p2) / (1 + r);
  const double za = NormalCritical(o.alpha, o.alternative), zb = -stats::NormalQuantile(1 - o.power);
  const double root = za * std::sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2) / r);
  SampleSizeResult out = Rounded(root * root / ((p2 - p1) * (p2 - p1)), r);
  out.rate_control = p1, out.rate_treatment = p2, out.effect = p2 - p1;
  return out;
}

absl::StatusOr<SampleSizeResult> SampleSizeMeans(double mde, double std_control, double std_treatment,
                                                 const SampleSizeOptions& o) {
  constexpr std::string_view kWhere = "SampleSizeMeans";
  if (auto st = CheckSampleSizeOptions(kWhere, o); !st.ok()) return st;
  if (!std::isfinite(mde) || mde == 0)
    return absl::InvalidArgumentError(absl::StrFormat("%s: mde must be finite and not 0, got %g", kWhere, mde));
  if (!(std_control > 0) || !std::isfinite(std_control))
    return absl::InvalidArgumentError(absl::StrFormat("%s: std must be finite and > 0, got %g", kWhere, std_control));
  if (!(std_treatment >= 0) || !std::isfinite(std_treatment))
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: std_treatment must be finite and >= 0 (0: same as control), got %g", kWhere, std_treatment));
  const double st = std_treatment > 0 ? std_treatment : std_control;
  const double za = NormalCritical(o.alpha, o.alternative), zb = -stats::NormalQuantile(1 - o.power);
  SampleSizeResult out = Rounded((za + zb) * (za + zb) * (std_control * std_control + st * st / o.ratio) / (mde * mde), o.ratio);
  out.effect = mde;
  out.rate_control = out.rate_treatment = kNaN;
  return out;
}

std::string_view PValueAdjustmentName(PValueAdjustment method) {
  switch (method) {
    case PValueAdjustment::kBonferroni: return "bonferroni";
    case PValueAdjustment::kHolm: return "holm";
    case PValueAdjustment::kBenjaminiHochberg: return "bh";
    case PValueAdjustment::kBenjaminiYekutieli: return "by";
  }
  return "?";
}

absl::StatusOr<PValueAdjustment> ParsePValueAdjustment(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "bonferroni") return PValueAdjustment::kBonferroni;
  if (n == "holm" || n == "holm-bonferroni") return PValueAdjustment::kHolm;
  if (n == "bh" || n == "fdr_bh" || n == "benjamini-hochberg" || n == "benjamini_hochberg") return PValueAdjustment::kBenjaminiHochberg;
  if (n == "by" || n == "fdr_by" || n == "benjamini-yekutieli" || n == "benjamini_yekutieli") return PValueAdjustment::kBenjaminiYekutieli;
  return absl::InvalidArgumentError(
      "p-value adjustment must be 'holm', 'bh', 'by' or 'bonferroni', got '" + std::string(name) + "'");
}

absl::StatusOr<std::vector<double>> AdjustPValues(std::span<const double> p, PValueAdjustment method) {
  const size_t m = p.size();
  for (size_t i = 0; i < m; ++i)
    if (!(p[i] >= 0 && p[i] <= 1))
      return absl::InvalidArgumentError(absl::StrFormat("AdjustPValues: p-value %d must be in [0, 1], got %g", i, p[i]));
  std::vector<double> out(m);
  const double dm = static_cast<double>(m);
  if (method == PValueAdjustment::kBonferroni) {
    for (size_t i = 0; i < m; ++i) out[i] = std::min(1.0, dm * p[i]);
    return out;
  }
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&p](size_t a, size_t b) { return p[a] < p[b]; });
  if (method == PValueAdjustment::kHolm) {
    double running = 0;
    for (size_t i = 0; i < m; ++i) {
      running = std::max(running, std::min(1.0, (dm - static_cast<double>(i)) * p[order[i]]));
      out[order[i]] = running;
    }
    return out;
  }
  double scale = dm;  // BH: m; BY: m x (1 + 1/2 + ... + 1/m)
  if (method == PValueAdjustment::kBenjaminiYekutieli) {
    double harmonic = 0;
    for (size_t k = 1; k <= m; ++k) harmonic += 1 / static_cast<double>(k);
    scale = dm * harmonic;
  }
  double running = 1;
  for (size_t i = m; i-- > 0;) {
    running = std::min(running, scale * p[order[i]] / static_cast<double>(i + 1));
    out[order[i]] = running;
  }
  return out;
}

}  // namespace cdp
