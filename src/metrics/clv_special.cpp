// Special functions for the CLV models, in log space: digamma, log-sum-exp, Gauss'
// hypergeometric 2F1 (series with Euler / Pfaff transformations) and negative binomial tails;
// integrals go to the shared adaptive Gauss-Kronrod integrator (stats_special).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "metrics/clv_internal.hpp"
#include "metrics/stats_special.hpp"

namespace cdp::clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMaxTerms = 10'000'000;
constexpr double kBig = 1e200, kLogBig = 460.51701859880916;  // log(1e200)

// The term ratio of Gauss' series is z g(n), g(n) = (a+n)(b+n) / ((c+n)(n+1)) = 1 + h(n),
// h(n) = (A n + B) / ((c+n)(n+1)), A = a+b-c-1, B = ab-c. The numerator of h'(n) is
// -A n^2 - 2B n + (A c - B (c+1)), so past its largest root (and past -a, -b, -c, where factors
// change sign) g is monotone and every later ratio is below max(current ratio, z).
double MonotoneFrom(double a, double b, double c) {
  const double A = a + b - c - 1, B = a * b - c, C = A * c - B * (c + 1);
  double root = 0;
  if (A != 0) {
    const double disc = B * B + A * C;  // roots of A n^2 + 2B n - C = 0
    if (disc >= 0) root = std::max((-B + std::sqrt(disc)) / A, (-B - std::sqrt(disc)) / A);
  } else if (B != 0) {
    root = C / (2 * B);
  }
  return std::max({root, -a, -b, -c, 0.0}) + 1;
}

// Gauss' series for 0 <= z < 1 summed with rescaling: log |sum| and its sign; with kGrad also
// d log|sum| / d(a, b, c, z) in grad[0..3], summed term by term (d t_n / da = t_n sum_{j<n} 1/(a+j),
// d t_n / dc = -t_n sum_{j<n} 1/(c+j), d t_n / dz = n t_n / z).
template <bool kGrad>
double SeriesLog(double a, double b, double c, double z, int* sign, double* grad) {
  *sign = 1;
  if (kGrad) grad[0] = grad[1] = grad[2] = 0, grad[3] = a * b / c;  // the values at z = 0
  if (z == 0) return 0;
  double term = 1, sum = 1, log_scale = 0;
  double ha = 0, hb = 0, hc = 0, da = 0, db = 0, dc = 0, dz = 0;
  const double past_peak = MonotoneFrom(a, b, c);
  bool done = false;
  for (int64_t n = 0; n < kMaxTerms && !done; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1)) * z;
    term *= ratio;  // t_{n+1}
    sum += term;
    if (kGrad) {
      ha += 1 / (a + dn), hb += 1 / (b + dn), hc += 1 / (c + dn);
      da += term * ha, db += term * hb, dc -= term * hc, dz += term * (dn + 1);
    }
    if (term == 0) break;  // a or b a non-positive integer: a polynomial
    if (std::abs(sum) > kBig) {
      sum /= kBig, term /= kBig, log_scale += kLogBig;
      if (kGrad) da /= kBig, db /= kBig, dc /= kBig, dz /= kBig;
    }
    if (dn > past_peak) {
      // Past the largest ratio the later ratios stay below rho: the tail is a geometric bound
      // (weighted by the derivative factors, which grow like n and log n).
      const double rho = std::max(std::abs(ratio), z);
      const double weight = kGrad ? dn + 2 + std::abs(ha) + std::abs(hb) + std::abs(hc) : 1.0;
      done = rho < 1 && std::abs(term) * weight * rho / (1 - rho) <= 1e-17 * std::abs(sum);
    }
  }
  if (!done && term != 0) return kNaN;
  *sign = sum < 0 ? -1 : 1;
  if (kGrad) grad[0] = da / sum, grad[1] = db / sum, grad[2] = dc / sum, grad[3] = dz / (z * sum);
  return log_scale + std::log(std::abs(sum));
}

}  // namespace

double Digamma(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  const double f = 1 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))));
}

double LogAddExp(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(std::min(a, b) - hi));
}

double LogSubExp(double a, double b) {
  if (b == -kInf) return a;
  if (b >= a) return -kInf;
  return a + std::log1p(-std::exp(b - a));
}

double LogHyp2F1(double a, double b, double c, double z, int* sign) {
  *sign = 1;
  if (!(z < 1) || !std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c)) return kNaN;
  if (c <= 0 && c == std::floor(c)) return kNaN;
  if (z < 0) return -a * std::log1p(-z) + LogHyp2F1(a, c - b, c, z / (z - 1), sign);  // Pfaff
  if (c - a - b < 0) return (c - a - b) * std::log1p(-z) + SeriesLog<false>(c - a, c - b, c, z, sign, nullptr);  // Euler
  return SeriesLog<false>(a, b, c, z, sign, nullptr);
}

double LogHyp2F1Grad(double a, double b, double c, double z, double* grad) {
  int sign = 1;
  if (!(z >= 0 && z < 1) || (c <= 0 && c == std::floor(c))) return kNaN;
  double l = 0;
  if (c - a - b < 0) {  // Euler: log F = (c-a-b) log(1-z) + log G(c-a, c-b; c; z)
    double g[4];
    const double l1z = std::log1p(-z);
    l = (c - a - b) * l1z + SeriesLog<true>(c - a, c - b, c, z, &sign, g);
    grad[0] = -l1z - g[0];
    grad[1] = -l1z - g[1];
    grad[2] = l1z + g[0] + g[1] + g[2];
    grad[3] = -(c - a - b) / (1 - z) + g[3];
  } else {
    l = SeriesLog<true>(a, b, c, z, &sign, grad);
  }
  return sign > 0 ? l : kNaN;
}

double OneMinusExpOverK(double k, double L) {
  if (std::abs(k * L) < 1e-300 || k == 0) return L;
  return -std::expm1(-k * L) / k;
}

double AvoidSingularity(double v, double at, const std::function<double(double)>& f) {
  constexpr double h = 1e-6;
  if (std::abs(v - at) >= h) return f(v);
  const double lo = f(at - h), hi = f(at + h);
  return lo + (hi - lo) * (v - (at - h)) / (2 * h);  // linear: error ~ h^2 f''
}

double LogNbdPmf(double n, double r, double alpha, double t) {
  if (t == 0) return n == 0 ? 0.0 : -kInf;
  const double l = std::log(alpha + t);
  return std::lgamma(r + n) - std::lgamma(r) - std::lgamma(n + 1) + r * (std::log(alpha) - l) +
         n * (std::log(t) - l);
}

double LogNbdTail(int64_t n, double r, double alpha, double t) {
  if (n <= 0) return 0;
  if (t == 0) return -kInf;
  const double q = t / (alpha + t);
  const double mode = std::max(0.0, (r * q - 1) / (1 - q));
  // Sum pmf(j) / pmf(n) for j >= n with rescaling, until the geometric tail is negligible.
  double term = 1, sum = 1, log_scale = 0;
  for (int64_t j = n; j < n + 10 * kMaxTerms; ++j) {
    const double ratio = (r + static_cast<double>(j)) / (static_cast<double>(j) + 1) * q;
    term *= ratio;
    sum += term;
    if (sum > kBig) sum /= kBig, term /= kBig, log_scale += kLogBig;
    if (static_cast<double>(j) > mode + 1 && ratio < 1 && term * ratio / (1 - ratio) <= 1e-17 * sum)
      return LogNbdPmf(static_cast<double>(n), r, alpha, t) + log_scale + std::log(sum);
  }
  return kNaN;
}

double Integrate(const std::function<double(double)>& f, double a, double b) {
  return stats::IntegrateAdaptive(f, a, b, {}, 1e-11);
}

double WeightedMean(const std::vector<double>& v, const Rows& rows) {
  double s = 0;
  for (size_t i = 0; i < rows.size(); ++i) s += rows.w[i] * v[i];
  return rows.total_weight > 0 ? s / rows.total_weight : 0.0;
}

}  // namespace cdp::clv_internal
