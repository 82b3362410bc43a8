// k-means: greedy k-means++ seeding, Lloyd iterations with Hamerly's bounds, parallel E-step.
#include "cdp/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "core/strings.hpp"

namespace cdp {

namespace {

inline double Dist2(const double* a, const double* b, int d) {
  double s = 0;
  for (int f = 0; f < d; ++f) {
    const double t = a[f] - b[f];
    s += t * t;
  }
  return s;
}

int Threads(const KMeansOptions& o, int64_t n) {
  if (n < 50'000) return 1;
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return o.threads > 0 ? o.threads : std::min(hw, 8);
}

// Runs f(begin, end, thread) over [0, n) split into `threads` chunks.
template <typename F>
void Parallel(int64_t n, int threads, F f) {
  if (threads <= 1) {
    f(int64_t{0}, n, 0);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t chunk = (n + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    const int64_t b = t * chunk, e = std::min(n, b + chunk);
    if (b >= e) break;
    pool.emplace_back([=, &f] { f(b, e, t); });
  }
  for (auto& th : pool) th.join();
}

// Buffers of one fit, reused by every run (fresh pages of n-sized arrays cost more than the
// arithmetic on some machines).
struct Buffers {
  std::vector<double> closest, cum, u, l;
  std::vector<int32_t> a;
  explicit Buffers(int64_t n)
      : closest(static_cast<size_t>(n)), cum(static_cast<size_t>(n)), u(static_cast<size_t>(n)),
        l(static_cast<size_t>(n)), a(static_cast<size_t>(n)) {}
};

// Greedy k-means++ (Arthur & Vassilvitskii with 2 + ln k local trials, as scikit-learn does).
// Candidates are scored without storing their distances; the winner's are computed once more.
std::vector<double> SeedPlusPlus(const double* x, int64_t n, int d, int k, std::mt19937_64& rng, int threads,
                                 Buffers& buf) {
  std::vector<double> centers(static_cast<size_t>(k) * d);
  std::uniform_int_distribution<int64_t> pick(0, n - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int trials = 2 + static_cast<int>(std::log(k));
  int64_t first = pick(rng);
  std::copy(x + first * d, x + (first + 1) * d, centers.begin());
  std::vector<double>& closest = buf.closest;
  std::vector<double>& cum = buf.cum;
  Parallel(n, threads, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) closest[static_cast<size_t>(i)] = Dist2(x + i * d, centers.data(), d);
  });
  double pot = std::accumulate(closest.begin(), closest.end(), 0.0);
  std::vector<int64_t> cand(static_cast<size_t>(trials));
  const int nt = std::max(threads, 1);
  for (int c = 1; c < k; ++c) {
    std::partial_sum(closest.begin(), closest.end(), cum.begin());
    for (int t = 0; t < trials; ++t) {
      const double r = unit(rng) * pot;
      int64_t id = std::upper_bound(cum.begin(), cum.end(), r) - cum.begin();
      cand[static_cast<size_t>(t)] = std::min<int64_t>(id, n - 1);
    }
    std::vector<std::vector<double>> partial(static_cast<size_t>(nt), std::vector<double>(static_cast<size_t>(trials), 0.0));
    Parallel(n, threads, [&](int64_t b, int64_t e, int th) {
      auto& part = partial[static_cast<size_t>(th)];
      for (int64_t i = b; i < e; ++i) {
        const double* xi = x + i * d;
        const double ci = closest[static_cast<size_t>(i)];
        for (int t = 0; t < trials; ++t) part[static_cast<size_t>(t)] += std::min(ci, Dist2(xi, x + cand[static_cast<size_t>(t)] * d, d));
      }
    });
    std::vector<double> cand_pot(static_cast<size_t>(trials), 0.0);
    for (const auto& part : partial)
      for (int t = 0; t < trials; ++t) cand_pot[static_cast<size_t>(t)] += part[static_cast<size_t>(t)];
    const int best = static_cast<int>(std::min_element(cand_pot.begin(), cand_pot.end()) - cand_pot.begin());
    pot = cand_pot[static_cast<size_t>(best)];
    const int64_t id = cand[static_cast<size_t>(best)];
    std::copy(x + id * d, x + (id + 1) * d, centers.begin() + static_cast<ptrdiff_t>(c) * d);
    const double* cx = x + id * d;
    Parallel(n, threads, [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i)
        closest[static_cast<size_t>(i)] = std::min(closest[static_cast<size_t>(i)], Dist2(x + i * d, cx, d));
    });
  }
  return centers;
}

struct Run {
  std::vector<double> centers;
  std::vector<int32_t> labels;
  double inertia = 0;
  int n_iter = 0;
};

Run Lloyd(const double* x, int64_t n, int d, int k, std::vector<double> centers, int max_iter, int threads,
          Buffers& buf, double tol) {
  // The loop ends when an assignment pass changes no label (the centers are then the means of
  // their points and every point is at its nearest center) or, with tol >= 0, after the pass
  // that follows a center shift of at most tol (scikit-learn's rule).
  const size_t nk = static_cast<size_t>(k);
  std::vector<int32_t>& a = buf.a;
  std::vector<double>& u = buf.u;
  std::vector<double>& l = buf.l;
  std::fill(a.begin(), a.end(), 0);
  std::fill(u.begin(), u.end(), std::numeric_limits<double>::infinity());
  std::fill(l.begin(), l.end(), 0.0);  // l = 0 and u = inf: the first pass scans every center
  std::vector<double> s(nk), shift(nk), prev;
  const int nt = std::max(threads, 1);
  std::vector<std::vector<double>> sums(static_cast<size_t>(nt), std::vector<double>(nk * d));
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(nt), std::vector<int64_t>(nk));
  std::vector<int64_t> changed(static_cast<size_t>(nt));
  // Cluster sums kept up to date by the points that move (every point starts in cluster 0), so
  // an iteration costs work only for the points near a boundary.
  std::vector<double> total(nk * d, 0.0);
  std::vector<int64_t> total_cnt(nk, 0);
  total_cnt[0] = n;
  for (int64_t i = 0; i < n; ++i)
    for (int f = 0; f < d; ++f) total[static_cast<size_t>(f)] += x[i * d + f];
  bool final_pass = false;
  double move1 = 0, move2 = 0;  // the largest and second largest center moves of the last M-step
  size_t move1_j = 0;
  std::fill(shift.begin(), shift.end(), 0.0);
  int iter = 0;
  for (; iter < max_iter; ++iter) {
    // Half the distance from each center to its nearest other center.
    for (size_t j = 0; j < nk; ++j) {
      double m = std::numeric_limits<double>::infinity();
      for (size_t q = 0; q < nk; ++q)
        if (q != j) m = std::min(m, Dist2(&centers[j * d], &centers[q * d], d));
      s[j] = 0.5 * std::sqrt(m);
    }
    // E-step with bounds, accumulating the sums of the M-step in the same pass.
    Parallel(n, nt, [&](int64_t b, int64_t e, int th) {
      auto& sum = sums[static_cast<size_t>(th)];
      auto& cnt = counts[static_cast<size_t>(th)];
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(cnt.begin(), cnt.end(), 0);
      int64_t ch = 0;
      for (int64_t i = b; i < e; ++i) {
        const size_t ii = static_cast<size_t>(i);
        const double* xi = x + i * d;
        int32_t ai = a[ii];
        u[ii] += shift[static_cast<size_t>(ai)];
        l[ii] -= static_cast<size_t>(ai) == move1_j ? move2 : move1;
        const double m = std::max(s[static_cast<size_t>(ai)], l[ii]);
        if (u[ii] > m) {
          u[ii] = std::sqrt(Dist2(xi, &centers[static_cast<size_t>(ai) * d], d));
          if (u[ii] > m) {
            double best = std::numeric_limits<double>::infinity(), second = best;
            int32_t arg = ai;
            for (size_t j = 0; j < nk; ++j) {
              const double dj = Dist2(xi, &centers[j * d], d);
              if (dj < best) second = best, best = dj, arg = static_cast<int32_t>(j);
              else if (dj < second) second = dj;
            }
            if (arg != ai) {
              double* from = &sum[static_cast<size_t>(ai) * d];
              double* to = &sum[static_cast<size_t>(arg) * d];
              for (int f = 0; f < d; ++f) from[f] -= xi[f], to[f] += xi[f];
              --cnt[static_cast<size_t>(ai)], ++cnt[static_cast<size_t>(arg)];
              ++ch, a[ii] = arg;
            }
            u[ii] = std::sqrt(best), l[ii] = std::sqrt(second);
          }
        }
      }
      changed[static_cast<size_t>(th)] = ch;
    });
    const int64_t total_changed = std::accumulate(changed.begin(), changed.end(), int64_t{0});
    if (iter > 0 && total_changed == 0) break;  // strict convergence: labels are stable
    if (final_pass) break;                        // labels now match the centers of the tol stop
    // M-step: the moves of this pass update the sums.
    for (int t = 0; t < nt; ++t) {
      for (size_t q = 0; q < nk * d; ++q) total[q] += sums[static_cast<size_t>(t)][q];
      for (size_t j = 0; j < nk; ++j) total_cnt[j] += counts[static_cast<size_t>(t)][j];
    }
    std::vector<double>& sum = total;
    std::vector<int64_t>& cnt = total_cnt;
    prev = centers;
    for (size_t j = 0; j < nk; ++j) {
      if (cnt[j] == 0) continue;
      for (int f = 0; f < d; ++f) centers[j * d + f] = sum[j * d + f] / static_cast<double>(cnt[j]);
    }
    // Empty clusters take the points farthest from their centers (as scikit-learn relocates them).
    for (size_t j = 0; j < nk; ++j) {
      if (cnt[j] != 0) continue;
      int64_t far = 0;
      double far_d = -1;
      for (int64_t i = 0; i < n; ++i) {
        const double di = Dist2(x + i * d, &centers[static_cast<size_t>(a[static_cast<size_t>(i)]) * d], d);
        if (di > far_d && cnt[static_cast<size_t>(a[static_cast<size_t>(i)])] > 1) far_d = di, far = i;
      }
      const size_t old = static_cast<size_t>(a[static_cast<size_t>(far)]);
      for (int f = 0; f < d; ++f) {
        const double v = x[far * d + f];
        sum[old * d + f] -= v;
        sum[j * d + f] = v;
        centers[j * d + f] = v;
      }
      --cnt[old], cnt[j] = 1;
      for (int f = 0; f < d; ++f) centers[old * d + f] = sum[old * d + f] / static_cast<double>(cnt[old]);
      a[static_cast<size_t>(far)] = static_cast<int32_t>(j);
      u[static_cast<size_t>(far)] = std::numeric_limits<double>::infinity(), l[static_cast<size_t>(far)] = 0;
    }
    double max1 = 0, max2 = 0, shift_tot = 0;
    size_t max1_j = 0;
    for (size_t j = 0; j < nk; ++j) {
      const double p2 = Dist2(&centers[j * d], &prev[j * d], d);
      shift_tot += p2;
      shift[j] = std::sqrt(p2);
      if (shift[j] > max1) max2 = max1, max1 = shift[j], max1_j = j;
      else if (shift[j] > max2) max2 = shift[j];
    }
    // Bounds follow the centers (u grows by its center's move, l shrinks by the largest other
    // move): applied at the start of the next assignment pass, in the same loop.
    move1 = max1, move2 = max2, move1_j = max1_j;
    if (tol >= 0 && shift_tot <= tol) final_pass = true;
  }
  // Exact means of the final labels (the running sums carry rounding from many updates).
  {
    std::vector<double> exact(nk * d, 0.0);
    std::vector<int64_t> c(nk, 0);
    for (int64_t i = 0; i < n; ++i) {
      const size_t j = static_cast<size_t>(a[static_cast<size_t>(i)]);
      for (int f = 0; f < d; ++f) exact[j * d + f] += x[i * d + f];
      ++c[j];
    }
    for (size_t j = 0; j < nk; ++j)
      if (c[j] > 0)
        for (int f = 0; f < d; ++f) centers[j * d + f] = exact[j * d + f] / static_cast<double>(c[j]);
  }
  Run r;
  r.n_iter = std::min(iter + 1, max_iter);
  std::vector<double> part(static_cast<size_t>(nt), 0.0);
  Parallel(n, nt, [&](int64_t b, int64_t e, int th) {
    double acc = 0;
    for (int64_t i = b; i < e; ++i) acc += Dist2(x + i * d, &centers[static_cast<size_t>(a[static_cast<size_t>(i)]) * d], d);
    part[static_cast<size_t>(th)] = acc;
  });
  r.inertia = std::accumulate(part.begin(), part.end(), 0.0);
  r.centers = std::move(centers);
  return r;  // labels: buf.a
}

}  // namespace

absl::StatusOr<KMeansResult> FitKMeans(const double* x, int64_t n, int d, const KMeansOptions& o) {
  if (o.n_clusters < 1) return absl::InvalidArgumentError(Cat("kmeans: n_clusters must be >= 1, got ", o.n_clusters));
  if (o.n_init < 1) return absl::InvalidArgumentError(Cat("kmeans: n_init must be >= 1, got ", o.n_init));
  if (o.max_iter < 1) return absl::InvalidArgumentError(Cat("kmeans: max_iter must be >= 1, got ", o.max_iter));
  if (!(o.tol >= 0)) return absl::InvalidArgumentError("kmeans: tol must be >= 0");
  if (d < 1) return absl::InvalidArgumentError("kmeans: the data has no features");
  if (n < o.n_clusters)
    return absl::InvalidArgumentError(Cat("kmeans: n_samples=", n, " should be >= n_clusters=", o.n_clusters));
  if (x == nullptr) return absl::InvalidArgumentError("kmeans: no data");
  const int64_t cells = n * d;
  for (int64_t i = 0; i < cells; ++i)
    if (!std::isfinite(x[i]))
      return absl::InvalidArgumentError(Cat("kmeans: value at row ", i / d, ", feature ", i % d,
                                            " is not finite (NaN or infinite); drop or fill it first"));
  const int threads = Threads(o, n);
  std::mt19937_64 rng(o.random_state);
  KMeansResult best;
  best.inertia = std::numeric_limits<double>::infinity();
  // Every run stops by scikit-learn's tol rule; the best one then continues to a Lloyd fixed
  // point (never worse, and the extra iterations are paid once, not n_init times).
  double mean_var = 0;
  for (int f = 0; f < d; ++f) {
    double mean = 0, m2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double v = x[i * d + f], delta = v - mean;
      mean += delta / static_cast<double>(i + 1);
      m2 += delta * (v - mean);
    }
    mean_var += m2 / static_cast<double>(n);
  }
  const double tol = o.tol * mean_var / d;  // relative to the mean feature variance, as scikit-learn
  Buffers buf(n);
  for (int run = 0; run < o.n_init; ++run) {
    std::vector<double> seeds = SeedPlusPlus(x, n, d, o.n_clusters, rng, threads, buf);
    Run r = Lloyd(x, n, d, o.n_clusters, std::move(seeds), o.max_iter, threads, buf, tol);
    best.run_inertia.push_back(r.inertia);
    if (r.inertia < best.inertia) {
      best.inertia = r.inertia, best.centers = std::move(r.centers);
      best.n_iter = r.n_iter, best.best_init = run;
    }
  }
  Run polished = Lloyd(x, n, d, o.n_clusters, best.centers, o.max_iter, threads, buf, -1);
  best.inertia = polished.inertia;
  best.centers = std::move(polished.centers);
  best.labels.assign(buf.a.begin(), buf.a.end());
  best.n_iter = std::min(o.max_iter, best.n_iter + polished.n_iter);
  return best;
}

std::vector<int32_t> PredictKMeans(const double* x, int64_t n, int d, const std::vector<double>& centers) {
  const size_t k = centers.size() / static_cast<size_t>(d);
  std::vector<int32_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < k; ++j) {
      const double dj = Dist2(x + i * d, &centers[j * d], d);
      if (dj < best) best = dj, out[static_cast<size_t>(i)] = static_cast<int32_t>(j);
    }
  }
  return out;
}

absl::StatusOr<double> Silhouette(const double* x, int64_t n, int d, const std::vector<int32_t>& labels,
                                  int64_t sample_size, uint64_t random_state) {
  if (static_cast<int64_t>(labels.size()) != n) return absl::InvalidArgumentError("silhouette: one label per point");
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), int64_t{0});
  if (sample_size > 0 && sample_size < n) {
    std::mt19937_64 rng(random_state);
    std::shuffle(idx.begin(), idx.end(), rng);
    idx.resize(static_cast<size_t>(sample_size));
  }
  int32_t k = 0;
  for (int64_t i : idx) {
    if (labels[static_cast<size_t>(i)] < 0) return absl::InvalidArgumentError("silhouette: negative label");
    k = std::max(k, labels[static_cast<size_t>(i)] + 1);
  }
  std::vector<int64_t> size(static_cast<size_t>(k), 0);
  for (int64_t i : idx) ++size[static_cast<size_t>(labels[static_cast<size_t>(i)])];
  const int64_t used = std::count_if(size.begin(), size.end(), [](int64_t s) { return s > 0; });
  const int64_t m = static_cast<int64_t>(idx.size());
  if (used < 2 || used > m - 1)
    return absl::InvalidArgumentError(Cat("silhouette: needs 2 to n_samples - 1 clusters, found ", used));
  std::vector<double> total(static_cast<size_t>(m), 0.0);
  const int threads = m >= 2000 ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : 1;
  Parallel(m, threads, [&](int64_t b, int64_t e, int) {
    std::vector<double> by(static_cast<size_t>(k));
    for (int64_t p = b; p < e; ++p) {
      std::fill(by.begin(), by.end(), 0.0);
      const double* xi = x + idx[static_cast<size_t>(p)] * d;
      for (int64_t q = 0; q < m; ++q)
        by[static_cast<size_t>(labels[static_cast<size_t>(idx[static_cast<size_t>(q)])])] +=
            std::sqrt(Dist2(xi, x + idx[static_cast<size_t>(q)] * d, d));
      const size_t own = static_cast<size_t>(labels[static_cast<size_t>(idx[static_cast<size_t>(p)])]);
      if (size[own] <= 1) continue;  // singleton: 0
      const double a = by[own] / static_cast<double>(size[own] - 1);
      double bmin = std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < by.size(); ++j)
        if (j != own && size[j] > 0) bmin = std::min(bmin, by[j] / static_cast<double>(size[j]));
      total[static_cast<size_t>(p)] = (bmin - a) / std::max(a, bmin);
    }
  });
  return std::accumulate(total.begin(), total.end(), 0.0) / static_cast<double>(m);
}

}  // namespace cdp
