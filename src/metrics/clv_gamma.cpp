// Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; Fader & Hardie note 025, lifetimes'
// parametrization p, q, v): likelihood with an analytic gradient, E[M | x, mean value], and the
// discounted CLV that combines it with a transaction model.
#include <cmath>
#include <limits>

#include "core/strings.hpp"
#include "metrics/clv_internal.hpp"

namespace cdp {

namespace clv_internal {

namespace {

// Per-x terms: lgamma(px+q) - lgamma(px), psi(px+q) - psi(px) (rows sorted by x share them).
struct XTerms {
  double x = -1, lg = 0, dpsi = 0, psi_pxq = 0;
};

// log f(mbar | x) = lgamma(px+q) - lgamma(px) - lgamma(q) + q log v + (px-1) log m + px log x - (px+q) log(xm+v)
double Total(const double* par, const Rows& rows, double* grad) {
  const double p = par[0], q = par[1], v = par[2];
  const double lgq = std::lgamma(q), lv = std::log(v), psi_q = grad != nullptr ? Digamma(q) : 0.0;
  XTerms c;
  double ll = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double x = rows.x[i], m = rows.m[i], w = rows.w[i];
    if (x != c.x) {
      c.x = x;
      c.lg = std::lgamma(p * x + q) - std::lgamma(p * x);
      if (grad != nullptr) c.psi_pxq = Digamma(p * x + q), c.dpsi = c.psi_pxq - Digamma(p * x);
    }
    const double lm = std::log(m), lx = std::log(x), lxmv = std::log(x * m + v);
    ll += w * (c.lg - lgq + q * lv + (p * x - 1) * lm + p * x * lx - (p * x + q) * lxmv);
    if (grad != nullptr) {
      grad[0] += w * x * (c.dpsi + lm + lx - lxmv);
      grad[1] += w * (c.psi_pxq - psi_q + lv - lxmv);
      grad[2] += w * (q / v - (p * x + q) / (x * m + v));
    }
  }
  return ll;
}

double Row(const double* p, const Rows& rows, size_t i) {
  Rows one;
  one.x = {rows.x[i]}, one.m = {rows.m[i]}, one.w = {1.0};
  return Total(p, one, nullptr);
}

std::vector<std::vector<double>> Starts(const Rows& rows) {
  const double mbar = std::max(WeightedMean(rows.m, rows), 1e-9);
  return {{1, 1, 1}, {2, 3, mbar}, {6, 4, 1.5 * mbar}};
}

}  // namespace

const ModelOps kGammaGammaOps = {ClvModelKind::kGammaGamma, "gamma_gamma", {"p", "q", "v"}, Total, true, Row, Starts,
                                 nullptr, nullptr, nullptr, nullptr};

}  // namespace clv_internal

using namespace clv_internal;

absl::StatusOr<std::vector<double>> ConditionalExpectedAverageProfit(const ClvModel& gg, const RfmData& data) {
  if (gg.kind != ClvModelKind::kGammaGamma || gg.params.size() != 3)
    return absl::InvalidArgumentError(Cat("gamma_gamma: the expected average profit needs a Gamma-Gamma model, got ",
                                          ClvModelName(gg.kind)));
  const double p = gg.params[0], q = gg.params[1], v = gg.params[2];
  if (!(q > 1))
    return absl::InvalidArgumentError(Cat("gamma_gamma: q must be > 1 for an expected average profit (q = ", q,
                                          "): with q <= 1 the mean spend is infinite"));
  absl::StatusOr<Rows> rows = CheckData(ClvModelKind::kGammaGamma, data, Purpose::kPredict);
  if (!rows.ok()) return rows.status();
  std::vector<double> out(rows->size());
  const double population = p * v / (q - 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const double w = p * rows->x[i] / (p * rows->x[i] + q - 1);
    out[i] = (1 - w) * population + w * rows->m[i];
  }
  return out;
}

absl::StatusOr<std::vector<double>> CustomerLifetimeValue(const ClvModel& transactions, const ClvModel& gamma_gamma,
                                                          const RfmData& data, const ClvValueOptions& o) {
  if (transactions.kind != ClvModelKind::kBgNbd && transactions.kind != ClvModelKind::kParetoNbd)
    return absl::InvalidArgumentError(Cat("clv: the transaction model must be bgnbd or pareto_nbd, got ",
                                          ClvModelName(transactions.kind)));
  if (o.months < 0) return absl::InvalidArgumentError(Cat("clv: months must be >= 0, got ", o.months));
  if (!(o.discount_rate > -1) || !std::isfinite(o.discount_rate))
    return absl::InvalidArgumentError(Cat("clv: discount_rate must be finite and > -1, got ", o.discount_rate));
  if (!(o.periods_per_month > 0) || !std::isfinite(o.periods_per_month))
    return absl::InvalidArgumentError(Cat("clv: periods_per_month must be finite and > 0, got ", o.periods_per_month));
  absl::StatusOr<std::vector<double>> value = ConditionalExpectedAverageProfit(gamma_gamma, data);
  if (!value.ok()) return value.status();
  std::vector<double> clv(value->size(), 0.0), before(value->size(), 0.0);
  for (int month = 1; month <= o.months; ++month) {
    absl::StatusOr<std::vector<double>> upto =
        ConditionalExpectedPurchases(transactions, month * o.periods_per_month, data);
    if (!upto.ok()) return upto.status();
    const double discount = std::pow(1 + o.discount_rate, month);
    for (size_t i = 0; i < clv.size(); ++i) {
      clv[i] += (*value)[i] * ((*upto)[i] - before[i]) / discount;
      before[i] = (*upto)[i];
    }
  }
  return clv;
}

}  // namespace cdp
