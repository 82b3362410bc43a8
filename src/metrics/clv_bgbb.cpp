// BG/BB (Fader, Hardie & Shang 2010), discrete purchase opportunities: likelihood, E[X(n)],
// E[X(n, n + m) | x, t_x, n], P(alive at n + m), P(X(n) = x).
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"

namespace cdp::clv_internal {

namespace {

double LogChoose(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

// FHS (2010) eq. 5:
//   L = B(al+x, be+n-x)/B(al,be) B(ga, de+n)/B(ga,de)
//     + sum_{i=0}^{n-t_x-1} B(al+x, be+t_x-x+i)/B(al,be) B(ga+1, de+t_x+i)/B(ga,de)
double RowAt(const double* p, double x, double tx, double n) {
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  const double lab = LogBeta(al, be), lgd = LogBeta(ga, de);
  double acc = LogBeta(al + x, be + n - x) - lab + LogBeta(ga, de + n) - lgd;
  for (double i = 0; i < n - tx; i += 1)
    acc = LogAddExp(acc, LogBeta(al + x, be + tx - x + i) - lab + LogBeta(ga + 1, de + tx + i) - lgd);
  return acc;
}

double Row(const double* p, const Rows& rows, size_t i) { return RowAt(p, rows.x[i], rows.tx[i], rows.T[i]); }

double Total(const double* p, const Rows& rows, double*) { return SumRows(kBgBbOps, p, rows); }

std::vector<std::vector<double>> Starts(const Rows&) { return {{1, 1, 1, 1}, {0.5, 0.5, 0.5, 2}, {2, 1, 1, 4}}; }

// delta/(gamma-1) Gamma(gamma+delta)/Gamma(1+delta) [g(n) - g(n+m)], g(u) = Gamma(1+delta+u)/Gamma(gamma+delta+u):
// the expected number of the next m opportunities survived, per unit purchase propensity.
double FutureSurvival(double gamma, double delta, double n, double m) {
  return AvoidSingularity(gamma, 1, [&](double ga) {
    auto lg = [&](double u) { return std::lgamma(1 + delta + u) - std::lgamma(ga + delta + u); };
    const double front = delta / (ga - 1) * std::exp(std::lgamma(ga + delta) - std::lgamma(1 + delta));
    return front * (std::exp(lg(n)) - std::exp(lg(n + m)));
  });
}

// FHS (2010) eq. 7: E[X(n)] = al/(al+be) * (expected opportunities survived in 1..n).
double Expected(const double* p, double n) {
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  return al / (al + be) * FutureSurvival(ga, de, 0, n);
}

// FHS (2010) eq. 13: E[X(n, n+m) | x, t_x, n] = B(al+x+1, be+n-x)/B(al,be) / L * survival over n+1..n+m.
double Conditional(const double* p, double m, const Rows& rows, size_t i) {
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  const double x = rows.x[i], n = rows.T[i];
  const double lead = LogBeta(al + x + 1, be + n - x) - LogBeta(al, be) - Row(p, rows, i);
  return std::exp(lead) * FutureSurvival(ga, de, n, m);
}

// FHS (2010) eq. 11: P(alive at n + m | x, t_x, n) = B(al+x, be+n-x)/B(al,be) B(ga, de+n+m)/B(ga,de) / L.
double Alive(const double* p, const Rows& rows, size_t i, double m) {
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  const double x = rows.x[i], n = rows.T[i];
  return std::exp(LogBeta(al + x, be + n - x) - LogBeta(al, be) + LogBeta(ga, de + n + m) - LogBeta(ga, de) -
                  Row(p, rows, i));
}

// FHS (2010) eq. 6: P(X(n) = x).
double ProbN(const double* p, double t, int64_t k) {
  const double al = p[0], be = p[1], ga = p[2], de = p[3];
  const double n = t, x = static_cast<double>(k);
  if (x > n) return 0;
  const double lab = LogBeta(al, be), lgd = LogBeta(ga, de);
  double acc = LogChoose(n, x) + LogBeta(al + x, be + n - x) - lab + LogBeta(ga, de + n) - lgd;
  for (double i = x; i < n; i += 1)
    acc = LogAddExp(acc, LogChoose(i, x) + LogBeta(al + x, be + i - x) - lab + LogBeta(ga + 1, de + i) - lgd);
  return std::exp(acc);
}

}  // namespace

const ModelOps kBgBbOps = {ClvModelKind::kBgBb, "bgbb", {"alpha", "beta", "gamma", "delta"}, Total, false, Row, Starts,
                           Expected, Conditional, Alive, ProbN};

}  // namespace cdp::clv_internal
