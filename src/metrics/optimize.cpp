// L-BFGS with a strong-Wolfe line search; central-difference gradients and Hessians.
#include "cdp/optimize.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <utility>

#include "core/strings.hpp"

namespace cdp {

namespace {

double MaxAbs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

bool AllFinite(const Eigen::VectorXd& v) { return v.allFinite(); }

// One evaluation along the search line: x + step * d, its value, gradient and slope.
struct LinePoint {
  double step = 0;
  double f = std::numeric_limits<double>::infinity();
  double slope = 0;  // gradient . d
  Eigen::VectorXd x, g;
};

class LineSearch {
 public:
  LineSearch(const Objective& f, const Eigen::VectorXd& x0, const Eigen::VectorXd& d, const LbfgsOptions& o,
             int* evaluations)
      : f_(f), x0_(x0), d_(d), o_(o), evaluations_(evaluations) {}

  // Returns a point satisfying the strong Wolfe conditions, else (after max_line_search
  // evaluations) the best point with sufficient decrease, else a point with ok = false.
  std::pair<LinePoint, bool> Run(const LinePoint& start, double first_step) {
    start_ = start;
    start_.step = 0;  // the current point, whatever step brought the search to it
    best_ = start_;
    LinePoint prev = start_;
    double step = std::min(first_step, o_.max_step);
    for (int i = 0; used_ < o_.max_line_search; ++i) {
      LinePoint p = Eval(step);
      if (!std::isfinite(p.f)) {  // beyond the region where f is defined: come back
        step = prev.step + 0.5 * (step - prev.step);
        if (step - prev.step <= 1e-16 * std::max(1.0, step)) break;
        continue;
      }
      if (p.f > start_.f + o_.c1 * p.step * start_.slope || (i > 0 && p.f >= prev.f)) return Zoom(prev, p);
      if (std::abs(p.slope) <= -o_.c2 * start_.slope) return {p, true};
      if (p.slope >= 0) return Zoom(p, prev);
      prev = p;
      if (step >= o_.max_step) break;
      step = std::min(2.0 * step, o_.max_step);
    }
    return Fallback();
  }

 private:
  LinePoint Eval(double step) {
    LinePoint p;
    p.step = step;
    p.x = x0_ + step * d_;
    p.g.resize(p.x.size());
    p.f = f_(p.x, &p.g);
    ++used_;
    ++*evaluations_;
    if (!std::isfinite(p.f) || !AllFinite(p.g)) {
      p.f = std::numeric_limits<double>::infinity();
      return p;
    }
    p.slope = p.g.dot(d_);
    if (p.f < best_.f) best_ = p;
    return p;
  }

  // Nocedal & Wright Alg. 3.6: lo has sufficient decrease and the lowest f so far; the
  // interval [lo, hi] (either order) contains a strong-Wolfe step.
  std::pair<LinePoint, bool> Zoom(LinePoint lo, LinePoint hi) {
    while (used_ < o_.max_line_search) {
      const double a = std::min(lo.step, hi.step), b = std::max(lo.step, hi.step);
      if (b - a <= 1e-16 * std::max(1.0, b)) break;
      double step = Interpolate(lo, hi);
      const double margin = 0.1 * (b - a);
      if (!(step > a + margin && step < b - margin)) step = 0.5 * (a + b);
      LinePoint p = Eval(step);
      if (!std::isfinite(p.f) || p.f > start_.f + o_.c1 * p.step * start_.slope || p.f >= lo.f) {
        hi = std::move(p);
        continue;
      }
      if (std::abs(p.slope) <= -o_.c2 * start_.slope) return {p, true};
      if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
      lo = std::move(p);
    }
    return Fallback();
  }

  // Minimizer of the cubic through (lo.f, lo.slope) and (hi.f, hi.slope); NaN when undefined.
  static double Interpolate(const LinePoint& lo, const LinePoint& hi) {
    if (!std::isfinite(hi.f)) return std::numeric_limits<double>::quiet_NaN();
    const double d1 = lo.slope + hi.slope - 3 * (lo.f - hi.f) / (lo.step - hi.step);
    const double disc = d1 * d1 - lo.slope * hi.slope;
    if (disc < 0) return std::numeric_limits<double>::quiet_NaN();
    const double d2 = std::copysign(std::sqrt(disc), hi.step - lo.step);
    return hi.step - (hi.step - lo.step) * (hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2);
  }

  std::pair<LinePoint, bool> Fallback() const {
    const bool decreased = best_.step > 0 && best_.f <= start_.f + o_.c1 * best_.step * start_.slope;
    return {best_, decreased};
  }

  const Objective& f_;
  const Eigen::VectorXd& x0_;
  const Eigen::VectorXd& d_;
  const LbfgsOptions& o_;
  int* evaluations_;
  int used_ = 0;
  LinePoint start_, best_;
};

absl::Status CheckOptions(const LbfgsOptions& o) {
  if (o.max_iterations < 1) return absl::InvalidArgumentError(Cat("lbfgs: max_iterations must be >= 1, got ", o.max_iterations));
  if (o.history < 1) return absl::InvalidArgumentError(Cat("lbfgs: history must be >= 1, got ", o.history));
  if (o.max_line_search < 2) return absl::InvalidArgumentError(Cat("lbfgs: max_line_search must be >= 2, got ", o.max_line_search));
  if (!(o.gradient_tolerance >= 0)) return absl::InvalidArgumentError("lbfgs: gradient_tolerance must be >= 0");
  if (!(o.function_tolerance >= 0)) return absl::InvalidArgumentError("lbfgs: function_tolerance must be >= 0");
  if (!(o.stall_gradient_tolerance >= 0)) return absl::InvalidArgumentError("lbfgs: stall_gradient_tolerance must be >= 0");
  if (!(o.c1 > 0 && o.c1 < o.c2 && o.c2 < 1))
    return absl::InvalidArgumentError(Cat("lbfgs: need 0 < c1 < c2 < 1, got c1=", o.c1, " c2=", o.c2));
  if (!(o.max_step > 0)) return absl::InvalidArgumentError("lbfgs: max_step must be > 0");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MinimizeResult> MinimizeLbfgs(const Objective& f, const Eigen::VectorXd& x0, const LbfgsOptions& o) {
  if (absl::Status st = CheckOptions(o); !st.ok()) return st;
  if (x0.size() == 0) return absl::InvalidArgumentError("lbfgs: the starting point is empty");
  if (!AllFinite(x0)) return absl::InvalidArgumentError("lbfgs: the starting point has a non-finite value");
  MinimizeResult r;
  LinePoint cur;
  cur.x = x0;
  cur.g.resize(x0.size());
  cur.f = f(cur.x, &cur.g);
  r.evaluations = 1;
  if (!std::isfinite(cur.f))
    return absl::InvalidArgumentError(Cat("lbfgs: the objective is not finite at the starting point (", cur.f, ")"));
  if (!AllFinite(cur.g)) return absl::InvalidArgumentError("lbfgs: the gradient is not finite at the starting point");
  std::deque<std::pair<Eigen::VectorXd, Eigen::VectorXd>> pairs;  // (s, y), newest last
  std::deque<double> rho;
  std::vector<double> alpha;
  auto finish = [&](bool converged, std::string message) {
    r.x = cur.x, r.f = cur.f, r.gradient = cur.g, r.gradient_norm = MaxAbs(cur.g);
    r.converged = converged, r.message = std::move(message);
    return r;
  };
  for (r.iterations = 0; r.iterations < o.max_iterations; ++r.iterations) {
    const double gnorm = MaxAbs(cur.g);
    const double gtol = o.gradient_tolerance * std::max(1.0, std::abs(cur.f));
    if (gnorm <= gtol) return finish(true, Cat("converged: gradient norm ", gnorm, " <= tolerance ", gtol));
    // Two-loop recursion: d = -H g.
    Eigen::VectorXd d = -cur.g;
    alpha.assign(pairs.size(), 0.0);
    for (size_t i = pairs.size(); i-- > 0;) {
      alpha[i] = rho[i] * pairs[i].first.dot(d);
      d -= alpha[i] * pairs[i].second;
    }
    if (!pairs.empty()) d *= pairs.back().first.dot(pairs.back().second) / pairs.back().second.squaredNorm();
    for (size_t i = 0; i < pairs.size(); ++i) {
      const double beta = rho[i] * pairs[i].second.dot(d);
      d += (alpha[i] - beta) * pairs[i].first;
    }
    double slope = cur.g.dot(d);
    if (!(slope < 0) || !AllFinite(d)) {  // not a descent direction: restart from steepest descent
      pairs.clear(), rho.clear();
      d = -cur.g, slope = cur.g.dot(d);
    }
    cur.slope = slope;
    // The first step of a fresh memory has no scale: aim for a move of about 1 in the largest coordinate.
    const double first = pairs.empty() ? std::min(1.0, 1.0 / std::max(MaxAbs(d), 1e-300)) : 1.0;
    LineSearch search(f, cur.x, d, o, &r.evaluations);
    auto [next, ok] = search.Run(cur, first);
    if (!ok) {
      if (!pairs.empty()) {  // stale curvature pairs: retry once from steepest descent
        pairs.clear(), rho.clear();
        continue;
      }
      const double stall = o.stall_gradient_tolerance * std::max(1.0, std::abs(cur.f));
      if (gnorm <= stall)
        return finish(true, Cat("converged: f cannot be lowered further in floating point (gradient norm ", gnorm,
                                " <= stall tolerance ", stall, ")"));
      return finish(false, Cat("stopped: the line search found no lower point after ", r.iterations,
                               " iterations (gradient norm ", gnorm, ")"));
    }
    Eigen::VectorXd s = next.x - cur.x, y = next.g - cur.g;
    const double sy = s.dot(y);
    const double decrease = cur.f - next.f;
    cur = std::move(next);
    if (sy > 1e-12 * s.norm() * y.norm()) {
      pairs.emplace_back(std::move(s), std::move(y));
      rho.push_back(1.0 / sy);
      if (static_cast<int>(pairs.size()) > o.history) pairs.pop_front(), rho.pop_front();
    }
    if (o.function_tolerance > 0 && decrease <= o.function_tolerance * std::max(1.0, std::abs(cur.f))) {
      ++r.iterations;
      return finish(true, Cat("converged: relative reduction of f ", decrease / std::max(1.0, std::abs(cur.f)),
                              " <= function_tolerance (gradient norm ", MaxAbs(cur.g), ")"));
    }
  }
  return finish(false, Cat("stopped: did not converge in ", o.max_iterations, " iterations (gradient norm ",
                           MaxAbs(cur.g), ")"));
}

Objective CentralDifferenceObjective(std::function<double(const Eigen::VectorXd&)> f, double relative_step) {
  return [f = std::move(f), relative_step](const Eigen::VectorXd& x, Eigen::VectorXd* gradient) {
    const double fx = f(x);
    if (gradient == nullptr) return fx;
    gradient->resize(x.size());
    Eigen::VectorXd probe = x;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const double h = relative_step * std::max(1.0, std::abs(x[i]));
      probe[i] = x[i] + h;
      const double up = f(probe);
      probe[i] = x[i] - h;
      const double down = f(probe);
      probe[i] = x[i];
      (*gradient)[i] = (up - down) / (2 * h);
    }
    return fx;
  };
}

absl::StatusOr<Eigen::MatrixXd> NumericalHessian(const Objective& f, const Eigen::VectorXd& x, double relative_step) {
  if (!(relative_step > 0)) return absl::InvalidArgumentError("hessian: relative_step must be > 0");
  const Eigen::Index k = x.size();
  Eigen::MatrixXd h(k, k);
  Eigen::VectorXd probe = x, up(k), down(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double step = relative_step * std::max(1.0, std::abs(x[i]));
    probe[i] = x[i] + step;
    const double fu = f(probe, &up);
    probe[i] = x[i] - step;
    const double fd = f(probe, &down);
    probe[i] = x[i];
    if (!std::isfinite(fu) || !std::isfinite(fd) || !AllFinite(up) || !AllFinite(down))
      return absl::InvalidArgumentError(Cat("hessian: the gradient is not finite near the point (coordinate ", i, ")"));
    h.col(i) = (up - down) / (2 * step);
  }
  return Eigen::MatrixXd(0.5 * (h + h.transpose()));
}

}  // namespace cdp
