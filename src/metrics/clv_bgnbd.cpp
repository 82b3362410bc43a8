// BG/NBD (Fader, Hardie & Lee 2005): likelihood with an analytic gradient, E[X(t)],
// E[Y(t) | x, t_x, T], P(alive), P(X(t) = n).
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"

namespace cdp::clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Terms that depend on the parameters and x only (rows sorted by x share them):
//   base = lgamma(r+x) - lgamma(r) + r log(alpha) + lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
//   a4   = log(a) - log(b + x - 1)   (the "dropped out after the last purchase" branch, x > 0)
// with their derivatives in r, a, b.
struct XTerms {
  double x = -1;
  double base = 0, a4 = 0;
  double dbase_r = 0, dbase_a = 0, dbase_b = 0, da4_a = 0, da4_b = 0;
};

void Update(XTerms& c, const double* p, double x, bool grad) {
  const double r = p[0], alpha = p[1], a = p[2], b = p[3];
  c.x = x;
  c.base = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + std::lgamma(a + b) + std::lgamma(b + x) -
           std::lgamma(b) - std::lgamma(a + b + x);
  c.a4 = x > 0 ? std::log(a) - std::log(b + x - 1) : 0.0;
  if (!grad) return;
  const double psi_ab = Digamma(a + b), psi_abx = Digamma(a + b + x);
  c.dbase_r = Digamma(r + x) - Digamma(r) + std::log(alpha);
  c.dbase_a = psi_ab - psi_abx;
  c.dbase_b = psi_ab + Digamma(b + x) - Digamma(b) - psi_abx;
  c.da4_a = x > 0 ? 1 / a : 0.0;
  c.da4_b = x > 0 ? -1 / (b + x - 1) : 0.0;
}

// log L of one customer; adds weight * dlogL/dp to grad when grad is not null.
double RowLogLik(const double* p, const XTerms& c, double x, double tx, double T, double weight, double* grad) {
  const double r = p[0], alpha = p[1];
  const double lT = std::log(alpha + T);
  const double a3 = -(r + x) * lT;
  if (x == 0) {
    if (grad != nullptr) {
      grad[0] += weight * (c.dbase_r - lT);
      grad[1] += weight * (r / alpha - (r + x) / (alpha + T));
      grad[2] += weight * c.dbase_a;
      grad[3] += weight * c.dbase_b;
    }
    return c.base + a3;
  }
  const double ltx = std::log(alpha + tx);
  const double a4 = c.a4 - (r + x) * ltx;
  const double mix = LogAddExp(a3, a4);
  if (grad != nullptr) {
    const double w3 = std::exp(a3 - mix), w4 = std::exp(a4 - mix);
    grad[0] += weight * (c.dbase_r - w3 * lT - w4 * ltx);
    grad[1] += weight * (r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + tx)));
    grad[2] += weight * (c.dbase_a + w4 * c.da4_a);
    grad[3] += weight * (c.dbase_b + w4 * c.da4_b);
  }
  return c.base + mix;
}

double Total(const double* p, const Rows& rows, double* grad) {
  XTerms c;
  double ll = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows.x[i] != c.x) Update(c, p, rows.x[i], grad != nullptr);
    ll += rows.w[i] * RowLogLik(p, c, rows.x[i], rows.tx[i], rows.T[i], rows.w[i], grad);
  }
  return ll;
}

double Row(const double* p, const Rows& rows, size_t i) {
  XTerms c;
  Update(c, p, rows.x[i], false);
  return RowLogLik(p, c, rows.x[i], rows.tx[i], rows.T[i], 1, nullptr);
}

std::vector<std::vector<double>> Starts(const Rows& rows) {
  const double tau = std::max(WeightedMean(rows.T, rows), 1e-3);
  return {{1, 1, 1, 1}, {0.5, 0.25 * tau, 0.5, 2}, {2, tau, 2, 5}};
}

// (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))], removable singularity at a = 1.
double Expected(const double* p, double t) {
  if (t == 0) return 0;
  const double r = p[0], alpha = p[1], b = p[3];
  return AvoidSingularity(p[2], 1, [&](double a) {
    int sign = 1;
    const double lh = LogHyp2F1(r, b, a + b - 1, t / (alpha + t), &sign);
    const double l = r * std::log(alpha / (alpha + t)) + lh;
    return (a + b - 1) / (a - 1) * (sign > 0 ? -std::expm1(l) : 1 + std::exp(l));
  });
}

// FHL (2005) eq. 10: E[Y(t) | x, t_x, T].
double Conditional(const double* p, double t, const Rows& rows, size_t i) {
  if (t == 0) return 0;
  const double r = p[0], alpha = p[1], b = p[3];
  const double x = rows.x[i], tx = rows.tx[i], T = rows.T[i];
  return AvoidSingularity(p[2], 1, [&](double a) {
    int sign = 1;
    const double lh = LogHyp2F1(r + x, b + x, a + b + x - 1, t / (alpha + T + t), &sign);
    const double l = (r + x) * std::log((alpha + T) / (alpha + T + t)) + lh;
    const double num = (a + b + x - 1) / (a - 1) * (sign > 0 ? -std::expm1(l) : 1 + std::exp(l));
    if (x == 0) return num;
    const double u = std::log(a / (b + x - 1)) + (r + x) * std::log((alpha + T) / (alpha + tx));
    return num * std::exp(-LogAddExp(0, u));
  });
}

// P(alive | x, t_x, T) = 1 / (1 + a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)), 1 for x = 0.
double Alive(const double* p, const Rows& rows, size_t i, double /*future*/) {
  const double r = p[0], alpha = p[1], a = p[2], b = p[3];
  const double x = rows.x[i];
  if (x == 0) return 1;
  const double u = std::log(a / (b + x - 1)) + (r + x) * std::log((alpha + rows.T[i]) / (alpha + rows.tx[i]));
  return std::exp(-LogAddExp(0, u));
}

// FHL (2005) eq. 8: B(a, b+n)/B(a,b) NB(n) + [n > 0] B(a+1, b+n-1)/B(a,b) P(NB >= n).
double ProbN(const double* p, double t, int64_t n) {
  const double r = p[0], alpha = p[1], a = p[2], b = p[3];
  const double dn = static_cast<double>(n);
  if (t == 0) return n == 0 ? 1.0 : 0.0;
  const double lab = LogBeta(a, b);
  double out = std::exp(LogBeta(a, b + dn) - lab + LogNbdPmf(dn, r, alpha, t));
  if (n > 0) {
    const double tail = LogNbdTail(n, r, alpha, t);
    if (std::isnan(tail)) return kNaN;
    out += std::exp(LogBeta(a + 1, b + dn - 1) - lab + tail);
  }
  return out;
}

}  // namespace

const ModelOps kBgNbdOps = {ClvModelKind::kBgNbd, "bgnbd", {"r", "alpha", "a", "b"}, Total, true, Row, Starts,
                            Expected, Conditional, Alive, ProbN};

}  // namespace cdp::clv_internal
