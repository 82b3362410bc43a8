// cdp/optimize.hpp — unconstrained minimization (L-BFGS with a strong-Wolfe line search) and
// finite-difference derivatives, for maximum-likelihood fits such as the CLV models.
//
// The objective returns f(x) and, when asked, its gradient. A function without an analytic
// gradient is wrapped by CentralDifferenceObjective. Non-finite values of f are allowed away from
// the start: the line search treats them as "too far" and shortens the step, so a likelihood that
// overflows for wild parameters does not stop the fit.
#pragma once

#include <functional>
#include <string>

#include <Eigen/Dense>

#include "absl/status/statusor.h"

namespace cdp {

/// f(x); when `gradient` is not null it also receives df/dx (same size as x).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* gradient)>;

struct LbfgsOptions {
  int max_iterations = 500;
  int history = 10;                   ///< correction pairs kept (m)
  /// Converged when max_i |g_i| <= gradient_tolerance * max(1, |f|).
  double gradient_tolerance = 1e-9;
  /// Also converged when a step lowers f by at most function_tolerance * max(1, |f|) (scipy's
  /// L-BFGS-B rule); 0 disables it.
  double function_tolerance = 1e-15;
  /// A line search that finds no lower point ends the run as converged when
  /// max_i |g_i| <= stall_gradient_tolerance * max(1, |f|): f is then flat to rounding.
  double stall_gradient_tolerance = 1e-6;
  int max_line_search = 40;           ///< evaluations per line search
  double c1 = 1e-4;                   ///< sufficient decrease (Armijo) constant
  double c2 = 0.9;                    ///< curvature constant (strong Wolfe)
  double max_step = 1e20;             ///< upper bound on the line-search step length
};

struct MinimizeResult {
  Eigen::VectorXd x;             ///< best point found
  double f = 0;                  ///< f(x)
  Eigen::VectorXd gradient;      ///< gradient at x
  double gradient_norm = 0;      ///< max_i |gradient_i|
  int iterations = 0;
  int evaluations = 0;           ///< objective calls (each with its gradient)
  bool converged = false;
  std::string message;           ///< why it stopped, e.g. "converged: gradient norm 3e-10 <= tolerance"
};

/// Minimizes f from x0 with L-BFGS (two-loop recursion, Nocedal & Wright Alg. 7.4) and a
/// strong-Wolfe line search (Alg. 3.5/3.6, cubic interpolation with bisection safeguards).
/// Errors: empty x0, non-finite x0, f or its gradient not finite at x0, bad options. Not
/// converging is not an error: the result says so (converged = false, message).
absl::StatusOr<MinimizeResult> MinimizeLbfgs(const Objective& f, const Eigen::VectorXd& x0,
                                             const LbfgsOptions& options = {});

/// Wraps a value-only function: gradients by central differences with step
/// h_i = relative_step * max(1, |x_i|) (error O(h^2) + O(eps |f| / h); the default suits
/// smooth functions of order-1 arguments).
Objective CentralDifferenceObjective(std::function<double(const Eigen::VectorXd&)> f,
                                     double relative_step = 6e-6);

/// Hessian of f at x by central differences of the gradient (symmetrized), step
/// h_i = relative_step * max(1, |x_i|). For standard errors: invert it at a minimum of a negative
/// log-likelihood. Errors: a non-finite gradient near x.
absl::StatusOr<Eigen::MatrixXd> NumericalHessian(const Objective& f, const Eigen::VectorXd& x,
                                                 double relative_step = 1e-4);

}  // namespace cdp
