// Pareto/NBD (Schmittlein, Morrison & Colombo 1987) in the form of Fader & Hardie's note 008 and
// lifetimes: likelihood through 2F1, E[X(t)], E[Y(t) | x, t_x, T], P(alive), P(X(t) = n).
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"

namespace cdp::clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// log A0 (Fader & Hardie note 008, eq. 3): the dropout-between-t_x-and-T part of the likelihood,
//   2F1(r+s+x, b2; r+s+x+1; |alpha-beta|/(M+t_x)) / (M+t_x)^(r+s+x) - (the same at T),
// with M = max(alpha, beta) and b2 = r+x (alpha < beta) or s+1, so that 0 <= z < 1.
double LogA0(const double* p, double x, double tx, double T) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double big = std::max(alpha, beta), diff = std::abs(alpha - beta);
  const double b2 = alpha < beta ? r + x : s + 1;
  const double m = r + s + x;
  int s1 = 1, s2 = 1;
  const double l1 = LogHyp2F1(m, b2, m + 1, diff / (big + tx), &s1) - m * std::log(big + tx);
  const double l2 = LogHyp2F1(m, b2, m + 1, diff / (big + T), &s2) - m * std::log(big + T);
  if (std::isnan(l1) || std::isnan(l2) || s1 < 0 || s2 < 0) return kNaN;
  return LogSubExp(l1, l2);
}

// log of Gamma(r+x) alpha^r beta^s / (Gamma(r) (alpha+T)^(r+x) (beta+T)^s): the "still alive at T" part.
double LogAliveTerm(const double* p, double x, double T) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  return std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta) -
         (r + x) * std::log(alpha + T) - s * std::log(beta + T);
}

double RowAt(const double* p, double x, double tx, double T) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double a1 = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta);
  const double log_a0 = LogA0(p, x, tx, T);
  if (std::isnan(log_a0)) return kNaN;
  return a1 + LogAddExp(-(r + x) * std::log(alpha + T) - s * std::log(beta + T),
                        std::log(s) + log_a0 - std::log(r + s + x));
}

double Row(const double* p, const Rows& rows, size_t i) { return RowAt(p, rows.x[i], rows.tx[i], rows.T[i]); }

double Total(const double* p, const Rows& rows, double*) { return SumRows(kParetoNbdOps, p, rows); }

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
