// Pareto/NBD (Schmittlein, Morrison & Colombo 1987) in the form of Fader & Hardie's note 008 and
// lifetimes: likelihood through 2F1 with an analytic gradient (the series differentiated term by
// term), E[X(t)], E[Y(t) | x, t_x, T], P(alive), P(X(t) = n).
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"

namespace cdp::clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One half of A0 (Fader & Hardie note 008, eq. 3), at t = t_x or T:
//   h(t) = log[ 2F1(r+s+x, b2; r+s+x+1; |alpha-beta|/(M+t)) / (M+t)^(r+s+x) ]
// with M = max(alpha, beta) and b2 = r+x (alpha < beta) or s+1, so that 0 <= z < 1;
// A0 = e^h(t_x) - e^h(T) >= 0. With dh, also dh/d(r, alpha, s, beta) by the chain rule.
double HalfA0(const double* p, double x, double t, double* dh) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const bool alpha_small = alpha < beta;
  const double big = alpha_small ? beta : alpha, m = r + s + x, b2 = alpha_small ? r + x : s + 1;
  const double z = std::abs(alpha - beta) / (big + t), lbig = std::log(big + t);
  if (dh == nullptr) {
    int sign = 1;
    const double l = LogHyp2F1(m, b2, m + 1, z, &sign);
    return sign > 0 ? l - m * lbig : kNaN;
  }
  double g[4];  // d log 2F1 / d(a, b, c, z)
  const double l = LogHyp2F1Grad(m, b2, m + 1, z, g);
  dh[0] = g[0] + (alpha_small ? g[1] : 0.0) + g[2] - lbig;  // a = m, c = m + 1 and (alpha < beta) b2 move with r
  dh[2] = g[0] + (alpha_small ? 0.0 : g[1]) + g[2] - lbig;
  if (alpha_small) {  // z = (beta - alpha) / (beta + t)
    dh[1] = -g[3] / (beta + t);
    dh[3] = g[3] * (alpha + t) / ((beta + t) * (beta + t)) - m / (beta + t);
  } else {  // z = (alpha - beta) / (alpha + t)
    dh[1] = g[3] * (beta + t) / ((alpha + t) * (alpha + t)) - m / (alpha + t);
    dh[3] = -g[3] / (alpha + t);
  }
  return l - m * lbig;
}

// The parts of one row's likelihood that repeat across rows sorted by (x, t_x): the x terms, the
// t_x half of A0, and their derivatives when `grad`.
struct Shared {
  double x = -1, tx = -1;
  double a1 = 0, log_rsx = 0, half_tx = 0;
  double da1[4] = {0, 0, 0, 0}, dhalf_tx[4] = {0, 0, 0, 0};
  void Update(const double* p, double nx, double ntx, bool grad) {
    const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
    if (nx != x) {
      a1 = std::lgamma(r + nx) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta);
      log_rsx = std::log(r + s + nx);
      if (grad) da1[0] = Digamma(r + nx) - Digamma(r) + std::log(alpha), da1[1] = r / alpha, da1[2] = std::log(beta), da1[3] = s / beta;
    }
    if (nx != x || ntx != tx) half_tx = HalfA0(p, nx, ntx, grad ? dhalf_tx : nullptr);
    x = nx, tx = ntx;
  }
};

// log L = A1 + log( (alpha+T)^-(r+x) (beta+T)^-s + s / (r+s+x) A0 ); adds weight * dlogL/dp to grad.
double RowWith(const double* p, const Shared& c, double T, double weight, double* grad) {
  const double r = p[0], alpha = p[1], s = p[2], beta = p[3];
  const double lat = std::log(alpha + T), lbt = std::log(beta + T);
  double dh[4];
  const double half_T = HalfA0(p, c.x, T, grad != nullptr ? dh : nullptr);
  const double log_a0 = LogSubExp(c.half_tx, half_T);
  if (std::isnan(log_a0)) return kNaN;
  const double alive = -(r + c.x) * lat - s * lbt, died = std::log(s) + log_a0 - c.log_rsx;
  const double mix = LogAddExp(alive, died);
  if (grad != nullptr) {
    const double w_alive = std::exp(alive - mix), w_died = std::exp(died - mix);
    const double q = std::exp(half_T - c.half_tx);  // e^h(T) / e^h(t_x) < 1 unless t_x = T
    const double m = r + s + c.x;
    const double dalive[4] = {-lat, -(r + c.x) / (alpha + T), -lbt, -s / (beta + T)};
    for (int j = 0; j < 4; ++j) {
      const double dlog_a0 = q < 1 ? (c.dhalf_tx[j] - q * dh[j]) / (1 - q) : 0.0;
      const double ddied = dlog_a0 + (j == 2 ? 1 / s : 0.0) - (j == 0 || j == 2 ? 1 / m : 0.0);
      grad[j] += weight * (c.da1[j] + w_alive * dalive[j] + w_died * ddied);
    }
  }
  return c.a1 + mix;
}

double Row(const double* p, const Rows& rows, size_t i) {
  Shared c;
  c.Update(p, rows.x[i], rows.tx[i], false);
  return RowWith(p, c, rows.T[i], 1, nullptr);
}

double Total(const double* p, const Rows& rows, double* grad) {
  Shared c;
  double ll = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    c.Update(p, rows.x[i], rows.tx[i], grad != nullptr);
    ll += rows.w[i] * RowWith(p, c, rows.T[i], rows.w[i], grad);
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

const ModelOps kParetoNbdOps = {ClvModelKind::kParetoNbd, "pareto_nbd", {"r", "alpha", "s", "beta"}, Total, true, Row,
                                Starts, Expected, Conditional, Alive, ProbN};

}  // namespace cdp::clv_internal
