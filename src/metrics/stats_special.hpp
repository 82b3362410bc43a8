// Distribution functions for the experiment statistics (cdp/experiments.hpp): normal, Student t,
// Beta and chi-square, written for accuracy in the tails (p-values down to ~1e-300 keep their
// relative precision) and for large parameters (Beta posteriors of millions of trials).
// Every function returns NaN only when an iteration did not converge or an argument is out of its
// domain; callers turn that into an error status.
#pragma once

#include <functional>
#include <vector>

namespace cdp::stats {

/// log B(a, b) for a, b > 0; Stirling differences instead of lgamma sums once an argument is >= 10,
/// so log B(1e6, 1e6) keeps ~1e-13 absolute precision.
double LogBeta(double a, double b);

/// P(Z <= x), P(Z > x) and the density of the standard normal (erfc based).
double NormalCdf(double x);
double NormalSf(double x);
double NormalPdf(double x);
/// x with P(Z <= x) = p: Acklam's rational approximation refined by Halley steps on erfc
/// (relative error ~1e-15, down to p ~ 1e-300). -inf / +inf at p = 0 / 1; NaN outside [0, 1].
double NormalQuantile(double p);

/// The regularized incomplete beta I_x(a, b) in *lower and 1 - I_x(a, b) in *upper, the small tail
/// computed directly (no 1 - p). y must be 1 - x, given separately: the smaller of x and y is taken
/// as exact, the other may be its rounded complement. Lentz's continued fraction (Numerical Recipes
/// 6.4) on the side of (a + 1) / (a + b + 2) where it converges; for narrow distributions whose
/// fraction would run in the imprecise variable, the positive series A&S 26.5.4 in the precise one.
/// Returns false (NaN outputs) on bad arguments or non-convergence.
bool IncompleteBeta(double a, double b, double x, double y, double* lower, double* upper);
/// log of the Beta(a, b) density at x (y = 1 - x).
double BetaLogPdf(double a, double b, double x, double y);
/// x with I_x(a, b) = p (safeguarded Newton in log x).
double BetaQuantile(double a, double b, double p);

/// P(T > t) and P(|T| > |t|) for Student's t with df > 0 degrees of freedom.
double StudentTSf(double t, double df);
double StudentTTwoSided(double t, double df);
/// t > 0 with P(T > t) = q, for 0 < q <= 0.5 (safeguarded Newton in log t).
double StudentTUpperQuantile(double q, double df);

/// Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x) (series / Lentz continued fraction).
double GammaQ(double a, double x);
/// P(X > x) for chi-square with k degrees of freedom.
double ChiSquareSf(double x, double k);

/// Integral of f over [a, b] with the interval first cut at the sorted `breaks` inside it, then
/// bisected adaptively (Gauss-Kronrod 7/15) until the summed error estimate is below
/// rel_tol * |total| (or 1e-300). After 5000 bisections the total is returned if the error
/// estimate is below 1e-8 |total| (noise of the integrand), NaN otherwise.
double IntegrateAdaptive(const std::function<double(double)>& f, double a, double b,
                         const std::vector<double>& breaks, double rel_tol = 1e-13);

}  // namespace cdp::stats
