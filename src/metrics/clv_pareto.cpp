// Pareto/NBD (Schmittlein, Morrison & Colombo 1987) in the form of Fader & Hardie's note 008 and
// lifetimes: likelihood through 2F1, E[X(t)], E[Y(t) | x, t_x, T], P(alive), P(X(t) = n).
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"

namespace cdp::clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One half of A0 (Fader & Hardie note 008, eq. 3), at t = t_x or T:
//   log[ 2F1(r+s+x, b2; r+s+x+1; |alpha-beta|/(M+t)) / (M+t)^(r+s+x) ]
// with M = max(alpha, beta) and b2 = r+x (alpha < beta) or s+1, so that 0 <= z < 1;
// A0 = half(t_x) - half(T) >= 0.
double LogHalfA0(const double* p, double x, double t) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double big = std::max(alpha, beta);
  const double m = r + s + x;
  int sign = 1;
  const double l = LogHyp2F1(m, alpha < beta ? r + x : s + 1, m + 1, std::abs(alpha - beta) / (big + t), &sign);
  return sign > 0 ? l - m * std::log(big + t) : kNaN;
}

// The parts of one row's likelihood that repeat across rows sorted by (x, t_x): the x terms and
// the t_x half of A0.
struct Shared {
  double x = -1, tx = -1;
  double a1 = 0, log_rsx = 0, half_tx = 0;
  void Update(const double* p, double nx, double ntx) {
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    if (nx != x) a1 = std::lgamma(r + nx) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta), log_rsx = std::log(r + s + nx);
    if (nx != x || ntx != tx) half_tx = LogHalfA0(p, nx, ntx);
    x = nx, tx = ntx;
  }
};

// log L = A1 + log( (alpha+T)^-(r+x) (beta+T)^-s + s / (r+s+x) A0 ).
double RowWith(const double* p, const Shared& c, double T) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double log_a0 = LogSubExp(c.half_tx, LogHalfA0(p, c.x, T));
  if (std::isnan(log_a0)) return kNaN;
  return c.a1 + LogAddExp(-(r + c.x) * std::log(alpha + T) - s * std::log(beta + T), std::log(s) + log_a0 - c.log_rsx);
}

double Row(const double* p, const Rows& rows, size_t i) {
  Shared c;
  c.Update(p, rows.x[i], rows.tx[i]);
  return RowWith(p, c, rows.T[i]);
}

double Total(const double* p, const Rows& rows, double*) {
  Shared c;
  double ll = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    c.Update(p, rows.x[i], rows.tx[i]);
    ll += rows.w[i] * RowWith(p, c, rows.T[i]);
  }
  return ll;
}

// log of Gamma(r+x) alpha^r beta^s / (Gamma(r) (alpha+T)^(r+x) (beta+T)^s): the "still alive at T" part.
double LogAliveTerm(const double* p, double x, double T) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  return std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta) -
         (r + x) * std::log(alpha + T) - s * std::log(beta + T);
}

std::vector<std::vector<double>> Starts(const Rows& rows) {
  const double tau = std::max(WeightedMean(rows.T, rows), 1e-3);
  return {{1, 1, 1, 1}, {0.5, 0.25 * tau, 0.5, 0.25 * tau}, {2, tau, 2, tau}};
}

// r beta / alpha * (1 - (beta / (beta + t))^(s-1)) / (s - 1), continuous at s = 1.
double Expected(const double* p, double t) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  return r * beta / alpha * OneMinusExpOverK(s - 1, std::log1p(t / beta));
}

// lifetimes / note 008 eq. 14: E[Y(t) | x, t_x, T].
double Conditional(const double* p, double t, const Rows& rows, size_t i) {
  if (t == 0) return 0;
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double x = rows.x[i], T = rows.T[i];
  const double ll = Row(p, rows, i);
  const double grow = std::log(r + x) + std::log(beta + T) - std::log(alpha + T);
  const double horizon = std::log(OneMinusExpOverK(s - 1, std::log1p(t / (beta + T))));
  return std::exp(LogAliveTerm(p, x, T) + grow + horizon - ll);
}

double Alive(const double* p, const Rows& rows, size_t i, double /*future*/) {
  return std::exp(LogAliveTerm(p, rows.x[i], rows.T[i]) - Row(p, rows, i));
}

// P(X(t) = n) = P(alive at t) NB(n; t) + integral over the dropout time tau in (0, t) of
// s beta^s / (beta + tau)^(s+1) NB(n; tau): the purchase count of a customer who stops at tau.
double ProbN(const double* p, double t, int64_t n) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double dn = static_cast<double>(n);
  if (t == 0) return n == 0 ? 1.0 : 0.0;
  const double lb = std::log(beta);
  const double alive = std::exp(s * (lb - std::log(beta + t)) + LogNbdPmf(dn, r, alpha, t));
  const double died = Integrate(
      [&](double tau) {
        return s * std::exp(s * lb - (s + 1) * std::log(beta + tau) + LogNbdPmf(dn, r, alpha, tau));
      },
      0, t);
  return alive + died;
}

}  // namespace

const ModelOps kParetoNbdOps = {ClvModelKind::kParetoNbd, "pareto_nbd", {"r", "alpha", "s", "beta"}, Total, false, Row,
                                Starts, Expected, Conditional, Alive, ProbN};

}  // namespace cdp::clv_internal
