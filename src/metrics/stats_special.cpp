// Distribution functions for the experiment statistics. Tail-accurate forms throughout: each
// survival function is computed directly rather than as 1 - cdf, and the Beta front factor
// x^a (1 - x)^b / B(a, b) is formed from Stirling differences when a and b are large, so the
// posterior of a million trials does not lose digits to lgamma's large magnitudes.
#include "metrics/stats_special.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace cdp::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kTiny = 1e-300;
constexpr double kEps = 4 * std::numeric_limits<double>::epsilon();

// Stirling's correction: lgamma(z) - ((z - 1/2) log z - z + log sqrt(2 pi)). Series in 1/z
// (Bernoulli numbers B2..B14) for z >= 10, where its first omitted term is below 3e-17.
double StirlingCorrection(double z) {
  if (z < 10) return std::lgamma(z) - ((z - 0.5) * std::log(z) - z + kLogSqrt2Pi);
  const double r = 1 / z, r2 = r * r;
  return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188 -
             r2 * (691.0 / 360360 - r2 / 156))))));
}

// log x and log y for y = 1 - x, taking the smaller of the two as the precise one (the caller
// passes 1 - x for the other, exact when x >= 1/2): for b = 1e9 and x = 6e-9, log(1 - x) instead
// of log1p(-x) would cost b x 1e-16 = 1e-7 in b log y.
void LogPair(double x, double y, double* lx, double* ly) {
  if (x <= y) {
    *lx = std::log(x), *ly = std::log1p(-x);
  } else {
    *lx = std::log1p(-y), *ly = std::log(y);
  }
}

// log(x^a y^b / B(a, b)) with y = 1 - x. For a, b >= 10 the lgamma terms (~a log a) are replaced by
// a log(x c / a) + b log(y c / b) + log sqrt(a b / (2 pi c)) - corrections, c = a + b, with the
// logs' arguments formed as 1 + t: t_x = (x c - a) / a and t_y = (y c - b) / b = -(x c - a) / b,
// the residual x c - a from one fma on the smaller of x and y, so near the mode t is a small
// number known to full relative precision.
double LogBetaFront(double a, double b, double x, double y) {
  if (a < 10 || b < 10) {
    double lx, ly;
    LogPair(x, y, &lx, &ly);
    return a * lx + b * ly - LogBeta(a, b);
  }
  const double c = a + b;
  const double r = x <= y ? std::fma(x, c, -a) : -std::fma(y, c, -b);  // x c - a = b - y c
  auto log1p_or = [c](double t, double v, double k) { return t > -0.5 ? std::log1p(t) : std::log(v * c / k); };
  return a * log1p_or(r / a, x, a) + b * log1p_or(-r / b, y, b) + 0.5 * (std::log(a) + std::log(b) - std::log(c)) -
         kLogSqrt2Pi - (StirlingCorrection(a) + StirlingCorrection(b) - StirlingCorrection(c));
}

// Lentz's evaluation of the continued fraction of I_x(a, b) (Numerical Recipes eq. 6.4.5), for
// x < (a + 1) / (a + b + 2). It needs O(sqrt(max(a, b))) terms; the cap leaves ample room.
double BetaContinuedFraction(double a, double b, double x) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  auto guard = [](double v) { return std::abs(v) < kTiny ? kTiny : v; };
  double c = 1, d = 1 / guard(1 - qab * x / qap), h = d;
  const int64_t cap = 1000 + static_cast<int64_t>(50 * std::sqrt(std::max(a, b)));
  for (int64_t m = 1; m <= cap; ++m) {
    const double dm = static_cast<double>(m), m2 = 2 * dm;
    double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    h *= d * c;
    aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
    d = 1 / guard(1 + aa * d);
    c = guard(1 + aa / c);
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < kEps) return h;
  }
  return kNaN;
}

// I_x(a, b) by Abramowitz & Stegun 26.5.4: x^a y^b / (a B(a, b)) (1 + sum_n t_n), t_0 = x (a+b) / (a+1),
// t_n = t_{n-1} x (a+b+n) / (a+n+1). Positive terms (no cancellation), about x (a + b) of them:
// used where x is small and precise but past (a + 1) / (a + b + 2), where the continued fraction
// would have to run in y = 1 - x, whose rounding (1e-16 absolute) is amplified by b.
double BetaSeries(double a, double b, double x, double y) {
  double term = x * (a + b) / (a + 1), sum = 1 + term;
  const int64_t cap = 1000 + static_cast<int64_t>(4 * x * (a + b));
  for (int64_t n = 1; n <= cap && sum < 1e250; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = x * (a + b + dn) / (a + dn + 1);
    term *= ratio;
    sum += term;
    if (ratio < 1 && term < kEps * 0.25 * sum * (1 - ratio)) return std::exp(LogBetaFront(a, b, x, y)) * sum / a;
  }
  return kNaN;
}

// Safeguarded Newton for an increasing g(u) = 0 (g and dg/du from `eval`), bracket grown from u0 by
// doubling steps within [u_min, u_max]. Bisection whenever a Newton step leaves the bracket.
template <typename Eval>
double SolveIncreasing(Eval eval, double u0, double u_min, double u_max) {
  double slope = 0, g = eval(u0, &slope);
  if (std::isnan(g)) return kNaN;
  if (g == 0) return u0;
  double lo = u0, hi = u0;
  for (double step = 1;; step *= 2) {  // grow the bracket away from u0
    double s = 0;
    if (g > 0) {
      hi = lo, lo = std::max(u0 - step, u_min);
      const double gl = eval(lo, &s);
      if (std::isnan(gl)) return kNaN;
      if (gl <= 0 || lo == u_min) break;
    } else {
      lo = hi, hi = std::min(u0 + step, u_max);
      const double gh = eval(hi, &s);
      if (std::isnan(gh)) return kNaN;
      if (gh >= 0 || hi == u_max) break;
    }
  }
  double u = u0;
  if (u < lo || u > hi) u = 0.5 * (lo + hi), g = eval(u, &slope);
  for (int it = 0; it < 300; ++it) {
    if (std::isnan(g)) return kNaN;
    if (g == 0) return u;
    (g > 0 ? hi : lo) = u;
    double next = slope > 0 && std::isfinite(slope) ? u - g / slope : kNaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double delta = std::abs(next - u);
    u = next;
    if (delta <= 1e-15 * std::max(1.0, std::abs(u)) || hi - lo <= 1e-15 * std::max(1.0, std::abs(u))) return u;
    g = eval(u, &slope);
  }
  return u;
}

// Gauss-Kronrod 7/15 (QUADPACK qk15): Kronrod nodes (the odd ones are the Gauss nodes), weights.
constexpr std::array<double, 8> kNodes = {0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                                          0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                                          0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                                          0.207784955007898467600689403773245, 0.0};
constexpr std::array<double, 8> kKronrod = {0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                                            0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                                            0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                                            0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr std::array<double, 4> kGauss = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                                          0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

struct Piece {
  double a, b, value, error;
  bool operator<(const Piece& o) const { return error < o.error; }
};

Piece Kronrod15(const std::function<double(double)>& f, double a, double b) {
  const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
  const double center = f(mid);
  double k = center * kKronrod[7], g = center * kGauss[3];
  for (size_t j = 0; j < 7; ++j) {
    const double dx = half * kNodes[j];
    const double pair = f(mid - dx) + f(mid + dx);
    k += kKronrod[j] * pair;
    if (j % 2 == 1) g += kGauss[j / 2] * pair;
  }
  return {a, b, k * half, std::abs((k - g) * half)};
}

}  // namespace

double LogBeta(double a, double b) {
  if (a > b) std::swap(a, b);
  if (b < 10) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double c = a + b;
  if (a < 10) {  // lgamma(b) - lgamma(c) by Stirling: -(b - 1/2) log1p(a / b) - a log c + a + corrections
    return std::lgamma(a) - (b - 0.5) * std::log1p(a / b) - a * std::log(c) + a + StirlingCorrection(b) -
           StirlingCorrection(c);
  }
  return -a * std::log1p(b / a) - b * std::log1p(a / b) + 0.5 * (std::log(c) - std::log(a) - std::log(b)) +
         kLogSqrt2Pi + StirlingCorrection(a) + StirlingCorrection(b) - StirlingCorrection(c);
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x * M_SQRT1_2); }
double NormalSf(double x) { return 0.5 * std::erfc(x * M_SQRT1_2); }
double NormalPdf(double x) { return std::exp(-0.5 * x * x - kLogSqrt2Pi); }

double NormalQuantile(double p) {
  if (!(p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p > 0.5) return -NormalQuantile(1 - p);  // 1 - p is exact for p >= 0.5
  // Acklam's approximation (relative error 1.15e-9), lower region and central region.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // Halley steps on Phi(x) - p, with (Phi(x) - p) / phi(x) formed as (Phi(x)/p - 1) * p / phi(x)
  // so nothing overflows or underflows in the far tail.
  for (int it = 0; it < 4; ++it) {
    const double u = (NormalCdf(x) / p - 1) * std::exp(std::log(p) + 0.5 * x * x + kLogSqrt2Pi);
    const double step = u / (1 + 0.5 * x * u);
    x -= step;
    if (std::abs(step) <= 1e-16 * std::abs(x)) break;
  }
  return x;
}

bool IncompleteBeta(double a, double b, double x, double y, double* lower, double* upper) {
  *lower = *upper = kNaN;
  if (!(a > 0 && b > 0 && x >= 0 && y >= 0) || !std::isfinite(a) || !std::isfinite(b)) return false;
  if (x == 0) return *lower = 0, *upper = 1, true;
  if (y == 0) return *lower = 1, *upper = 0, true;
  const bool x_side = x < (a + 1) / (a + b + 2);
  // The continued fraction runs in y on the far side of (a+1)/(a+b+2). When x is the precise one
  // (x <= y) and the distribution is narrow, y's rounding costs ~1e-16 / sd relative: stay in x
  // with BetaSeries instead (cheap there: a is small), as long as the result is not a far tail,
  // which 1 - lower would not resolve. The mirror image likewise.
  const double c = a + b, sd = std::sqrt(a / c * (b / c) / (c + 1));
  constexpr double kSeriesTerms = 2e4, kNarrow = 1e-5, kNotTail = 0.999;
  if (sd < kNarrow) {
    if (!x_side && x <= y && x * c < kSeriesTerms) {
      const double s = BetaSeries(a, b, x, y);
      if (s < kNotTail) return *lower = s, *upper = 1 - s, true;
    } else if (x_side && y < x && y * c < kSeriesTerms) {
      const double s = BetaSeries(b, a, y, x);
      if (s < kNotTail) return *upper = s, *lower = 1 - s, true;
    }
  }
  const double front = std::exp(LogBetaFront(a, b, x, y));
  if (x_side) {
    const double cf = BetaContinuedFraction(a, b, x);
    if (std::isnan(cf)) return false;
    *lower = front * cf / a;
    *upper = 1 - *lower;
  } else {
    const double cf = BetaContinuedFraction(b, a, y);
    if (std::isnan(cf)) return false;
    *upper = front * cf / b;
    *lower = 1 - *upper;
  }
  return true;
}

double BetaLogPdf(double a, double b, double x, double y) {
  if (x <= 0 || y <= 0) {
    const double e = x <= 0 ? a : b;  // the exponent + 1 at the end point
    return e < 1 ? kInf : (e == 1 ? -LogBeta(a, b) : -kInf);
  }
  double lx, ly;
  LogPair(x, y, &lx, &ly);
  return LogBetaFront(a, b, x, y) - lx - ly;
}

double BetaQuantile(double a, double b, double p) {
  if (!(a > 0 && b > 0 && p >= 0 && p <= 1)) return kNaN;
  if (p == 0) return 0;
  if (p == 1) return 1;
  if (p > 0.5) return 1 - BetaQuantile(b, a, 1 - p);
  // g(u) = log I_x - log p with x = e^u; dg/du = x pdf(x) / I_x.
  auto eval = [&](double u, double* slope) {
    const double x = std::exp(u), y = -std::expm1(u);
    double lo = 0, up = 0;
    if (!IncompleteBeta(a, b, x, y, &lo, &up)) return kNaN;
    if (lo <= 0) return *slope = kInf, -kInf;
    *slope = std::exp(std::log(x) + BetaLogPdf(a, b, x, y) - std::log(lo));
    return std::log(lo) - std::log(p);
  };
  const double mean = a / (a + b), sd = std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
  const double start = std::clamp(mean + NormalQuantile(p) * sd, mean * 1e-3, mean);
  const double u = SolveIncreasing(eval, std::log(start), -745.0, 0.0);
  return std::exp(u);
}

double StudentTTwoSided(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  // x = df / (df + t^2) and y = t^2 / (df + t^2), each to full precision and without overflow.
  const double s = std::abs(t) / std::sqrt(df);
  if (s > 1e100) {  // x = 1/s^2 would underflow: the tail's leading term, relative error ~ df / s^2
    return 2 * std::exp((0.5 * df - 1) * std::log(df) - LogBeta(0.5 * df, 0.5) - df * std::log(std::abs(t)));
  }
  double x, y;
  if (s <= 1) {
    x = 1 / (1 + s * s), y = s * s / (1 + s * s);
  } else {
    const double r = 1 / s;
    x = r * r / (1 + r * r), y = 1 / (1 + r * r);
  }
  double lower = 0, upper = 0;
  if (!IncompleteBeta(0.5 * df, 0.5, x, y, &lower, &upper)) return kNaN;
  return lower;
}

double StudentTSf(double t, double df) {
  const double two = StudentTTwoSided(t, df);
  if (std::isnan(two)) return kNaN;
  return t > 0 ? 0.5 * two : 0.5 + 0.5 * (1 - two);
}

double StudentTUpperQuantile(double q, double df) {
  if (!(q > 0 && q <= 0.5 && df > 0)) return kNaN;
  if (q == 0.5) return 0;
  const double log_norm = -0.5 * std::log(df) - LogBeta(0.5 * df, 0.5);
  // g(u) = log q - log P(T > t), t = e^u, increasing; dg/du = t pdf(t) / P(T > t).
  auto eval = [&](double u, double* slope) {
    const double t = std::exp(u), sf = StudentTSf(t, df);
    if (std::isnan(sf)) return kNaN;
    if (sf <= 0) return *slope = kInf, kInf;
    const double s = t / std::sqrt(df);  // log(1 + s^2), also where s^2 overflows
    const double log1ps2 = s <= 1 ? std::log1p(s * s) : 2 * std::log(s) + std::log1p(1 / (s * s));
    const double log_pdf = log_norm - 0.5 * (df + 1) * log1ps2;
    *slope = std::exp(u + log_pdf - std::log(sf));
    return std::log(q) - std::log(sf);
  };
  const double z = std::max(-NormalQuantile(q), 1e-3);
  return std::exp(SolveIncreasing(eval, std::log(z), -700.0, 700.0));
}

double GammaQ(double a, double x) {
  if (!(a > 0) || std::isnan(x)) return kNaN;
  if (x <= 0) return 1;
  if (x == kInf) return 0;
  const double log_front = a * std::log(x) - x - std::lgamma(a);
  const int64_t cap = 1000 + static_cast<int64_t>(50 * std::sqrt(a + x));
  if (x < a + 1) {  // P by its series, Q = 1 - P (P is at most ~0.6 here)
    double ap = a, term = 1 / a, sum = term;
    for (int64_t n = 0; n < cap; ++n) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (std::abs(term) < std::abs(sum) * kEps) return 1 - sum * std::exp(log_front);
    }
    return kNaN;
  }
  // Q by Lentz's continued fraction (Numerical Recipes 6.2.7).
  auto guard = [](double v) { return std::abs(v) < kTiny ? kTiny : v; };
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int64_t i = 1; i <= cap; ++i) {
    const double an = -static_cast<double>(i) * (static_cast<double>(i) - a);
    b += 2;
    d = 1 / guard(an * d + b);
    c = guard(b + an / c);
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < kEps) return std::exp(log_front) * h;
  }
  return kNaN;
}

double ChiSquareSf(double x, double k) { return GammaQ(0.5 * k, 0.5 * x); }

double IntegrateAdaptive(const std::function<double(double)>& f, double a, double b, const std::vector<double>& breaks,
                         double rel_tol) {
  if (!(b > a)) return 0;
  std::vector<double> cuts = {a};
  for (double v : breaks)
    if (v > cuts.back() && v < b) cuts.push_back(v);
  cuts.push_back(b);
  std::vector<Piece> heap;  // max-heap on the error estimate
  double total = 0, error = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    heap.push_back(Kronrod15(f, cuts[i], cuts[i + 1]));
    total += heap.back().value, error += heap.back().error;
  }
  std::make_heap(heap.begin(), heap.end());
  auto exact_total = [&heap] {
    double s = 0;
    for (const Piece& p : heap) s += p.value;
    return s;
  };
  for (int split = 0; split < 5000; ++split) {
    if (!std::isfinite(total)) return kNaN;
    if (error <= std::max(rel_tol * std::abs(total), 1e-300)) return exact_total();
    std::pop_heap(heap.begin(), heap.end());
    const Piece worst = heap.back();
    heap.pop_back();
    const double mid = 0.5 * (worst.a + worst.b);
    if (!(mid > worst.a && mid < worst.b)) {  // cannot split further: what is left is rounding
      heap.push_back(worst);
      return exact_total();
    }
    const Piece left = Kronrod15(f, worst.a, mid), right = Kronrod15(f, mid, worst.b);
    total += left.value + right.value - worst.value;
    error += left.error + right.error - worst.error;
    heap.push_back(left), std::push_heap(heap.begin(), heap.end());
    heap.push_back(right), std::push_heap(heap.begin(), heap.end());
  }
  return error <= 1e-8 * std::abs(total) ? exact_total() : kNaN;  // rounding noise, not a failure
}

}  // namespace cdp::stats
