// Multi-touch attribution: heuristic shares, the exact absorbing Markov chain, Shapley values and
// the Poisson bootstrap around all of them.
//
// The structure of the data (each path's Markov states, each path's Shapley pattern) is built once;
// a run takes per-path weights (conversions, nulls, values), so bootstrap replicates only redo the
// weighted sums and the solves.
#include "cdp/attribution.hpp"

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <random>
#include <span>

#include "absl/container/flat_hash_map.h"
#include "cdp/ingest.hpp"  // NearestName
#include "core/strings.hpp"

namespace cdp {
namespace {

enum class Model { kFirst, kLast, kLinear, kPosition, kTimeDecay, kMarkov, kShapley };
constexpr std::array<std::string_view, 7> kModelNames = {"first",      "last",   "linear", "position",
                                                         "time_decay", "markov", "shapley"};
constexpr int kMaxExactPlayers = 22;     // 2^22 coalitions x 16 bytes = 64 MB
constexpr int32_t kDenseMaxStates = 512;  // order-1 chains up to this size use dense LU

template <typename... Args>
absl::Status Invalid(const Args&... parts) {
  return absl::InvalidArgumentError(Cat("attribution: ", parts...));
}

/// Per-path weights of one run (the input itself, or a bootstrap replicate).
struct Weights {
  std::vector<double> conversions, nulls, values;
  double total_conversions = 0, total_value = 0;
};

/// One run's numbers, [model][channel].
struct Estimate {
  std::vector<std::vector<double>> conversions, values;
  std::vector<double> removal_effects, shapley;
  double base = 0;
};

// ---------------------------------------------------------------------------------------------
// Heuristics

/// Share of each touch of path p under a heuristic model (model < kMarkov), into w.
void TouchShares(Model model, const AttributionInput& in, const AttributionOptions& o, int64_t p,
                 std::vector<double>& w) {
  const size_t b = static_cast<size_t>(in.path_begin[static_cast<size_t>(p)]);
  const size_t len = static_cast<size_t>(in.path_begin[static_cast<size_t>(p) + 1]) - b;
  const bool decay = model == Model::kTimeDecay;
  cdp::TouchShares(static_cast<TouchModel>(model), decay ? in.touch_ts.data() + b : nullptr, len,
                   decay ? in.conversion_ts[static_cast<size_t>(p)] : 0, o, w);
}

void RunHeuristic(Model model, const AttributionInput& in, const AttributionOptions& o, const Weights& wt,
                  std::vector<double>& conv, std::vector<double>& val) {
  std::vector<double> share;
  for (int64_t p = 0; p < in.paths(); ++p) {
    const double c = wt.conversions[static_cast<size_t>(p)], v = wt.values[static_cast<size_t>(p)];
    if (c == 0 && v == 0) continue;
    TouchShares(model, in, o, p, share);
    const size_t b = static_cast<size_t>(in.path_begin[static_cast<size_t>(p)]);
    for (size_t i = 0; i < share.size(); ++i) {
      const size_t ch = static_cast<size_t>(in.touches[b + i]);
      conv[ch] += c * share[i], val[ch] += v * share[i];
    }
  }
}

/// Spreads `total` over channels in proportion to `weight` (all 0 when the weights sum to 0).
void Proportional(const std::vector<double>& weight, double total, std::vector<double>& out) {
  const double sum = std::accumulate(weight.begin(), weight.end(), 0.0);
  for (size_t c = 0; c < weight.size(); ++c) out[c] = sum == 0 ? 0.0 : total * weight[c] / sum;
}

// ---------------------------------------------------------------------------------------------
// Markov

using RowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

/// Which transient state every (kept) touch of every path leads to; state 0 is start.
struct MarkovChain {
  int order = 1;
  int32_t states = 1;
  std::vector<int64_t> begin;  // per path, into `state`
  std::vector<int32_t> state;
  std::vector<int32_t> tuple;  // `order` channels per state (-1: padding from start)
};

MarkovChain BuildChain(const AttributionInput& in, int order, bool collapse_repeats) {
  MarkovChain m;
  m.order = order;
  m.tuple.assign(static_cast<size_t>(order), -1);
  m.begin.push_back(0);
  absl::flat_hash_map<std::array<int32_t, 4>, int32_t> ids;
  for (int64_t p = 0; p < in.paths(); ++p) {
    std::array<int32_t, 4> key;
    key.fill(-1);
    const size_t b = static_cast<size_t>(in.path_begin[static_cast<size_t>(p)]);
    const size_t e = static_cast<size_t>(in.path_begin[static_cast<size_t>(p) + 1]);
    for (size_t i = b; i < e; ++i) {
      if (collapse_repeats && i > b && in.touches[i] == in.touches[i - 1]) continue;
      std::shift_left(key.begin(), key.begin() + order, 1);
      key[static_cast<size_t>(order - 1)] = in.touches[i];
      auto [it, added] = ids.try_emplace(key, m.states);
      if (added) ++m.states, m.tuple.insert(m.tuple.end(), key.begin(), key.begin() + order);
      m.state.push_back(it->second);
    }
    m.begin.push_back(static_cast<int64_t>(m.state.size()));
  }
  return m;
}

/// P(absorbed in conversion | start) on the chain restricted to the states with keep[s]: transitions
/// into the other states go to null. Solves (I - Q) x = r; I - Q is nonsingular because every state
/// with an exit lies on an observed path that reaches absorption (states without exits give x = 0).
double ConversionProbability(const RowMatrix& q, const Eigen::VectorXd& r, const std::vector<char>& keep,
                             bool dense) {
  const int32_t n = static_cast<int32_t>(q.rows());
  std::vector<int32_t> index(static_cast<size_t>(n), -1);
  int32_t m = 0;
  for (int32_t s = 0; s < n; ++s)
    if (keep[static_cast<size_t>(s)]) index[static_cast<size_t>(s)] = m++;
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(static_cast<size_t>(q.nonZeros() + m));
  Eigen::VectorXd b(m);
  for (int32_t s = 0; s < n; ++s) {
    const int32_t i = index[static_cast<size_t>(s)];
    if (i < 0) continue;
    b[i] = r[s];
    t.emplace_back(i, i, 1.0);
    for (RowMatrix::InnerIterator it(q, s); it; ++it)
      if (const int32_t j = index[static_cast<size_t>(it.col())]; j >= 0) t.emplace_back(i, j, -it.value());
  }
  Eigen::SparseMatrix<double> a(m, m);
  a.setFromTriplets(t.begin(), t.end());
  if (dense) return Eigen::MatrixXd(a).partialPivLu().solve(b)[0];  // start is state 0
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
  lu.compute(a);
  return lu.info() == Eigen::Success ? lu.solve(b)[0] : NAN;
}

void RunMarkov(const MarkovChain& m, const Weights& wt, Estimate& est, std::vector<double>& conv,
               std::vector<double>& val) {
  const size_t channels = conv.size();
  std::vector<double> out(static_cast<size_t>(m.states), 0.0);
  Eigen::VectorXd r = Eigen::VectorXd::Zero(m.states);
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(m.state.size());
  for (size_t p = 0; p + 1 < m.begin.size(); ++p) {
    const double c = wt.conversions[p], journeys = c + wt.nulls[p];
    if (journeys <= 0) continue;
    int32_t from = 0;
    for (int64_t i = m.begin[p]; i < m.begin[p + 1]; ++i) {
      const int32_t to = m.state[static_cast<size_t>(i)];
      t.emplace_back(from, to, journeys);
      out[static_cast<size_t>(from)] += journeys;
      from = to;
    }
    out[static_cast<size_t>(from)] += journeys;  // to conversion (c) and null (nulls)
    r[from] += c;
  }
  RowMatrix q(m.states, m.states);
  q.setFromTriplets(t.begin(), t.end());  // sums repeated transitions
  for (int32_t s = 0; s < m.states; ++s) {
    const double o = out[static_cast<size_t>(s)];
    if (o == 0) continue;
    for (RowMatrix::InnerIterator it(q, s); it; ++it) it.valueRef() /= o;
    r[s] /= o;
  }
  const bool dense = m.order == 1 && m.states <= kDenseMaxStates;
  std::vector<char> keep(static_cast<size_t>(m.states), 1);
  est.base = ConversionProbability(q, r, keep, dense);
  est.removal_effects.assign(channels, 0.0);
  const auto order = static_cast<size_t>(m.order);
  for (size_t c = 0; c < channels && est.base > 0; ++c) {
    bool removed = false;
    for (size_t s = 1; s < keep.size(); ++s) {
      const auto first = m.tuple.begin() + static_cast<std::ptrdiff_t>(s * order);
      keep[s] = std::find(first, first + static_cast<std::ptrdiff_t>(order), static_cast<int32_t>(c)) ==
                first + static_cast<std::ptrdiff_t>(order);
      removed |= !keep[s];
    }
    if (removed) est.removal_effects[c] = 1 - ConversionProbability(q, r, keep, dense) / est.base;
  }
  Proportional(est.removal_effects, wt.total_conversions, conv);
  Proportional(est.removal_effects, wt.total_value, val);
}

// ---------------------------------------------------------------------------------------------
// Shapley

/// Players (channels that occur) and each path's pattern: its set of distinct players.
struct ShapleyGame {
  std::vector<int32_t> players;  // channel of each player
  std::vector<int32_t> pattern;  // per path
  std::vector<int64_t> begin;    // per pattern, into `member`
  std::vector<int32_t> member;   // players, ascending
};

ShapleyGame BuildGame(const AttributionInput& in) {
  ShapleyGame g;
  std::vector<int32_t> player(in.channels.size(), -1);
  for (int32_t ch : in.touches) player[static_cast<size_t>(ch)] = 0;
  for (size_t c = 0; c < player.size(); ++c)
    if (player[c] == 0) player[c] = static_cast<int32_t>(g.players.size()), g.players.push_back(static_cast<int32_t>(c));
  absl::flat_hash_map<std::vector<int32_t>, int32_t> ids;
  std::vector<int32_t> set;
  g.begin.push_back(0);
  for (int64_t p = 0; p < in.paths(); ++p) {
    set.clear();
    for (int64_t i = in.path_begin[static_cast<size_t>(p)]; i < in.path_begin[static_cast<size_t>(p) + 1]; ++i)
      set.push_back(player[static_cast<size_t>(in.touches[static_cast<size_t>(i)])]);
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    auto [it, added] = ids.try_emplace(set, static_cast<int32_t>(g.begin.size()) - 1);
    if (added) g.member.insert(g.member.end(), set.begin(), set.end()), g.begin.push_back(static_cast<int64_t>(g.member.size()));
    g.pattern.push_back(it->second);
  }
  return g;
}

/// Shapley value of every player; v(S) = f(conversions, nulls of the patterns inside S).
std::vector<double> ShapleyValues(const ShapleyGame& g, const Weights& wt, const AttributionOptions& o,
                                  uint64_t seed, bool* exact) {
  const bool rate = o.shapley_value == "rate";
  auto v = [rate](double c, double n) { return !rate ? c : (c + n > 0 ? c / (c + n) : 0.0); };
  const size_t n = g.players.size(), patterns = g.begin.size() - 1;
  std::vector<double> pc(patterns, 0.0), pn(patterns, 0.0), phi(n, 0.0);
  for (size_t p = 0; p < g.pattern.size(); ++p)
    pc[static_cast<size_t>(g.pattern[p])] += wt.conversions[p], pn[static_cast<size_t>(g.pattern[p])] += wt.nulls[p];
  auto members = [&g](size_t q) {
    return std::span<const int32_t>(g.member.data() + g.begin[q], static_cast<size_t>(g.begin[q + 1] - g.begin[q]));
  };
  *exact = n <= static_cast<size_t>(o.shapley_exact_max);
  if (*exact) {
    // Totals of the patterns exactly equal to each coalition, summed over subsets (zeta transform).
    const size_t full = size_t{1} << n;
    std::vector<double> vc(full, 0.0), vn(full, 0.0);
    for (size_t q = 0; q < patterns; ++q) {
      size_t mask = 0;
      for (int32_t i : members(q)) mask |= size_t{1} << i;
      vc[mask] += pc[q], vn[mask] += pn[q];
    }
    for (size_t bit = 1; bit < full; bit <<= 1)
      for (size_t s = 0; s < full; ++s)
        if (s & bit) vc[s] += vc[s ^ bit], vn[s] += vn[s ^ bit];
    for (size_t s = 0; s < full; ++s) vc[s] = v(vc[s], vn[s]);
    // Weight of a coalition of size k without player i: k! (n - k - 1)! / n!.
    std::vector<double> weight(n);
    for (size_t k = 0; k < n; ++k) weight[k] = k == 0 ? 1.0 / static_cast<double>(n) : weight[k - 1] * static_cast<double>(k) / static_cast<double>(n - k);
    for (size_t s = 0; s < full; ++s)
      for (size_t i = 0; i < n; ++i)
        if (!(s >> i & 1)) phi[i] += weight[static_cast<size_t>(std::popcount(s))] * (vc[s | size_t{1} << i] - vc[s]);
    return phi;
  }
  // Permutation sampling: a pattern joins the coalition when the last of its players arrives.
  std::mt19937_64 rng(seed);
  std::vector<int32_t> perm(n), pos(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<double> dc(n), dn(n);
  for (int sample = 0; sample < o.shapley_samples; ++sample) {
    std::shuffle(perm.begin(), perm.end(), rng);
    for (size_t k = 0; k < n; ++k) pos[static_cast<size_t>(perm[k])] = static_cast<int32_t>(k);
    std::fill(dc.begin(), dc.end(), 0.0), std::fill(dn.begin(), dn.end(), 0.0);
    for (size_t q = 0; q < patterns; ++q) {
      int32_t last = 0;
      for (int32_t i : members(q)) last = std::max(last, pos[static_cast<size_t>(i)]);
      dc[static_cast<size_t>(last)] += pc[q], dn[static_cast<size_t>(last)] += pn[q];
    }
    double c = 0, nl = 0, before = 0;
    for (size_t k = 0; k < n; ++k) {
      c += dc[k], nl += dn[k];
      const double after = v(c, nl);
      phi[static_cast<size_t>(perm[k])] += after - before;
      before = after;
    }
  }
  for (double& x : phi) x /= o.shapley_samples;
  return phi;
}

// ---------------------------------------------------------------------------------------------
// Runs

struct Engine {
  const AttributionInput& in;
  const AttributionOptions& o;
  std::vector<Model> models;
  MarkovChain chain;
  ShapleyGame game;
  bool shapley_exact = false;

  Estimate Run(const Weights& wt, uint64_t seed) {
    const size_t channels = in.channels.size();
    Estimate est;
    est.conversions.assign(models.size(), std::vector<double>(channels, 0.0));
    est.values = est.conversions;
    for (size_t k = 0; k < models.size(); ++k) {
      std::vector<double>&conv = est.conversions[k], &val = est.values[k];
      if (models[k] == Model::kMarkov) {
        RunMarkov(chain, wt, est, conv, val);
      } else if (models[k] == Model::kShapley) {
        const std::vector<double> phi = ShapleyValues(game, wt, o, seed, &shapley_exact);
        est.shapley.assign(channels, 0.0);
        for (size_t i = 0; i < phi.size(); ++i) est.shapley[static_cast<size_t>(game.players[i])] = phi[i];
        Proportional(est.shapley, wt.total_conversions, conv);
        Proportional(est.shapley, wt.total_value, val);
      } else {
        RunHeuristic(models[k], in, o, wt, conv, val);
      }
    }
    return est;
  }
};

Weights InputWeights(const AttributionInput& in) {
  const size_t n = static_cast<size_t>(in.paths());
  Weights w{in.conversions, in.nulls, in.values};
  w.nulls.resize(n, 0.0), w.values.resize(n, 0.0);
  w.total_conversions = std::accumulate(w.conversions.begin(), w.conversions.end(), 0.0);
  w.total_value = std::accumulate(w.values.begin(), w.values.end(), 0.0);
  return w;
}

/// A Poisson bootstrap replicate: counts redrawn, values scaled with the conversions.
Weights Resample(const Weights& w, std::mt19937_64& rng) {
  auto draw = [&rng](double mean) {
    return mean > 0 ? static_cast<double>(std::poisson_distribution<int64_t>(mean)(rng)) : 0.0;
  };
  Weights r = w;
  for (size_t p = 0; p < w.conversions.size(); ++p) {
    r.conversions[p] = draw(w.conversions[p]);
    r.nulls[p] = draw(w.nulls[p]);
    if (w.conversions[p] > 0) r.values[p] = w.values[p] * r.conversions[p] / w.conversions[p];
  }
  r.total_conversions = std::accumulate(r.conversions.begin(), r.conversions.end(), 0.0);
  r.total_value = std::accumulate(r.values.begin(), r.values.end(), 0.0);
  return r;
}

/// Percentile q of sorted x, linear interpolation between order statistics.
double Percentile(const std::vector<double>& x, double q) {
  const double h = q * static_cast<double>(x.size() - 1);
  const size_t lo = static_cast<size_t>(h);
  return lo + 1 < x.size() ? x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]) : x[lo];
}

/// [model][channel] lower and upper percentile over the replicates' field.
void Intervals(const std::vector<Estimate>& reps, std::vector<std::vector<double>> Estimate::*field, double confidence,
               std::vector<std::vector<double>>& lo, std::vector<std::vector<double>>& hi) {
  lo = (reps.front().*field);
  hi = lo;
  std::vector<double> x(reps.size());
  for (size_t m = 0; m < lo.size(); ++m)
    for (size_t c = 0; c < lo[m].size(); ++c) {
      for (size_t b = 0; b < reps.size(); ++b) x[b] = (reps[b].*field)[m][c];
      std::sort(x.begin(), x.end());
      lo[m][c] = Percentile(x, (1 - confidence) / 2), hi[m][c] = Percentile(x, (1 + confidence) / 2);
    }
}

absl::StatusOr<std::vector<Model>> ParseModels(const std::vector<std::string>& names) {
  if (names.empty()) return Invalid("no model asked (models: ", Join(kModelNames, ", "), ")");
  std::vector<Model> out;
  for (const std::string& name : names) {
    const auto it = std::find(kModelNames.begin(), kModelNames.end(), name);
    if (it == kModelNames.end()) {
      const std::string near = NearestName(name, kModelNames, std::max<int>(2, static_cast<int>(name.size()) / 3));
      return Invalid("unknown model '", name, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?"),
                     " (models: ", Join(kModelNames, ", "), ")");
    }
    const Model m = static_cast<Model>(it - kModelNames.begin());
    if (std::find(out.begin(), out.end(), m) != out.end()) return Invalid("model '", name, "' is listed twice");
    out.push_back(m);
  }
  return out;
}

absl::Status ValidateOptions(const AttributionOptions& o) {
  if (o.markov_order < 1 || o.markov_order > 4) return Invalid("markov_order must be 1..4, got ", o.markov_order);
  if (!(o.confidence > 0 && o.confidence < 1)) return Invalid("confidence must be in (0, 1), got ", o.confidence);
  if (o.half_life <= 0) return Invalid("half_life must be > 0, got ", o.half_life, " us");
  if (!(o.position_first >= 0 && o.position_last >= 0 && o.position_first + o.position_last > 0 &&
        o.position_first + o.position_last <= 1))
    return Invalid("position_first and position_last must be >= 0 with a sum in (0, 1], got ", o.position_first,
                   " and ", o.position_last);
  if (o.shapley_exact_max < 0 || o.shapley_exact_max > kMaxExactPlayers)
    return Invalid("shapley_exact_max must be 0..", kMaxExactPlayers, ", got ", o.shapley_exact_max);
  if (o.shapley_samples < 1) return Invalid("shapley_samples must be >= 1, got ", o.shapley_samples);
  if (o.shapley_value != "conversions" && o.shapley_value != "rate")
    return Invalid("shapley_value must be 'conversions' or 'rate', got '", o.shapley_value, "'");
  if (o.bootstrap < 0) return Invalid("bootstrap must be >= 0, got ", o.bootstrap);
  return absl::OkStatus();
}

/// A vector of `size` entries must hold `n` (or be empty when optional).
absl::Status CheckSize(size_t size, bool optional, std::string_view name, size_t n, std::string_view unit) {
  if ((optional && size == 0) || size == n) return absl::OkStatus();
  return Invalid(name, " has ", size, " entries for ", n, " ", unit);
}

/// Counts must be finite and >= 0 (values only finite).
absl::Status CheckCounts(const std::vector<double>& v, std::string_view name, bool count) {
  for (size_t p = 0; p < v.size(); ++p)
    if (!std::isfinite(v[p]) || (count && v[p] < 0))
      return Invalid(name, " of path ", p, " is ", v[p], "; ", count ? "counts must be finite and >= 0" : "values must be finite");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TouchModel> ParseTouchModel(std::string_view name) {
  auto m = ParseModels({std::string(name)});
  if (!m.ok()) return m.status();
  if (m->front() == Model::kMarkov || m->front() == Model::kShapley)
    return Invalid("'", name, "' is data-driven and splits all journeys together; per-conversion credit takes first, last, linear, position or time_decay");
  return static_cast<TouchModel>(m->front());
}

void TouchShares(TouchModel model, const Micros* touch_ts, size_t len, Micros conversion_ts,
                 const AttributionOptions& o, std::vector<double>& w) {
  w.assign(len, 0.0);
  if (len == 0) return;
  switch (model) {
    case TouchModel::kFirst: w.front() = 1; break;
    case TouchModel::kLast: w.back() = 1; break;
    case TouchModel::kLinear: std::fill(w.begin(), w.end(), 1.0 / static_cast<double>(len)); break;
    case TouchModel::kPosition:
      if (len == 1) {
        w[0] = 1;
      } else if (len == 2) {
        w[0] = o.position_first / (o.position_first + o.position_last), w[1] = 1 - w[0];
      } else {
        std::fill(w.begin(), w.end(), (1 - o.position_first - o.position_last) / static_cast<double>(len - 2));
        w.front() = o.position_first, w.back() = o.position_last;
      }
      break;
    case TouchModel::kTimeDecay: {
      // log2 weights relative to the largest, so no weight underflows to 0 for all touches.
      const double hl = static_cast<double>(o.half_life);
      for (size_t i = 0; i < len; ++i) w[i] = -static_cast<double>(conversion_ts - touch_ts[i]) / hl;
      const double top = *std::max_element(w.begin(), w.end());
      for (double& x : w) x = std::exp2(x - top);
      const double sum = std::accumulate(w.begin(), w.end(), 0.0);
      for (double& x : w) x /= sum;
      break;
    }
  }
}

absl::Status ValidateAttributionInput(const AttributionInput& in) {
  if (in.path_begin.size() < 2) return Invalid("no paths (path_begin needs paths + 1 entries)");
  if (in.path_begin.front() != 0) return Invalid("path_begin must start at 0, got ", in.path_begin.front());
  if (in.path_begin.back() != static_cast<int64_t>(in.touches.size()))
    return Invalid("path_begin ends at ", in.path_begin.back(), " but there are ", in.touches.size(), " touches");
  const size_t paths = static_cast<size_t>(in.paths());
  for (size_t p = 0; p < paths; ++p)
    if (in.path_begin[p + 1] <= in.path_begin[p]) return Invalid("path ", p, " has no touches (path_begin must increase)");
  for (absl::Status s : {CheckSize(in.conversions.size(), false, "conversions", paths, "paths"),
                         CheckSize(in.values.size(), true, "values", paths, "paths"),
                         CheckSize(in.nulls.size(), true, "nulls", paths, "paths"),
                         CheckSize(in.conversion_ts.size(), true, "conversion_ts", paths, "paths"),
                         CheckSize(in.touch_ts.size(), true, "touch_ts", in.touches.size(), "touches"),
                         CheckCounts(in.conversions, "conversions", true), CheckCounts(in.nulls, "nulls", true),
                         CheckCounts(in.values, "value", false)})
    if (!s.ok()) return s;
  absl::flat_hash_map<std::string_view, size_t> seen;
  for (size_t c = 0; c < in.channels.size(); ++c) {
    if (in.channels[c].empty()) return Invalid("channel ", c, " has an empty name");
    if (auto [it, added] = seen.try_emplace(in.channels[c], c); !added)
      return Invalid("channel '", in.channels[c], "' is listed twice (", it->second, " and ", c, ")");
  }
  const int32_t channels = static_cast<int32_t>(in.channels.size());
  for (size_t p = 0; p < paths; ++p)
    for (auto i = static_cast<size_t>(in.path_begin[p]); i < static_cast<size_t>(in.path_begin[p + 1]); ++i)
      if (in.touches[i] < 0 || in.touches[i] >= channels)
        return Invalid("touch ", i, " (path ", p, ") is channel index ", in.touches[i], ", outside 0..", channels - 1,
                       " (", channels, " channels)");
  return absl::OkStatus();
}

absl::StatusOr<AttributionInput> AttributionPathsFromStrings(const std::vector<std::string>& paths,
                                                             std::vector<double> conversions, std::vector<double> values,
                                                             std::vector<double> nulls, std::string_view separator) {
  if (separator.empty()) return Invalid("separator is empty");
  AttributionInput in;
  absl::flat_hash_map<std::string_view, int32_t> ids;  // views into `paths`
  in.path_begin.push_back(0);
  for (size_t row = 0; row < paths.size(); ++row) {
    const std::string_view path = paths[row];
    if (Strip(path).empty()) return Invalid("path row ", row, " is empty");
    size_t start = 0, touch = 0;
    for (;; ++touch) {
      const size_t end = std::min(path.find(separator, start), path.size());
      const std::string_view name = Strip(path.substr(start, end - start));
      if (name.empty()) return Invalid("path row ", row, " has an empty channel name at touch ", touch, ": \"", path, "\"");
      auto [it, added] = ids.try_emplace(name, static_cast<int32_t>(in.channels.size()));
      if (added) in.channels.emplace_back(name);
      in.touches.push_back(it->second);
      if (end == path.size()) break;
      start = end + separator.size();
    }
    in.path_begin.push_back(static_cast<int64_t>(in.touches.size()));
  }
  // Number channels in name order.
  std::vector<int32_t> order(in.channels.size()), rank(in.channels.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&in](int32_t a, int32_t b) {
    return in.channels[static_cast<size_t>(a)] < in.channels[static_cast<size_t>(b)];
  });
  std::vector<std::string> sorted;
  for (size_t k = 0; k < order.size(); ++k)
    rank[static_cast<size_t>(order[k])] = static_cast<int32_t>(k), sorted.push_back(std::move(in.channels[static_cast<size_t>(order[k])]));
  in.channels = std::move(sorted);
  for (int32_t& t : in.touches) t = rank[static_cast<size_t>(t)];
  in.conversions = std::move(conversions), in.values = std::move(values), in.nulls = std::move(nulls);
  if (absl::Status s = ValidateAttributionInput(in); !s.ok()) return s;
  return in;
}

absl::StatusOr<AttributionResult> Attribute(const AttributionInput& in, const AttributionOptions& o) {
  absl::StatusOr<std::vector<Model>> models = ParseModels(o.models);
  if (!models.ok()) return models.status();
  if (absl::Status s = ValidateOptions(o); !s.ok()) return s;
  if (absl::Status s = ValidateAttributionInput(in); !s.ok()) return s;
  auto asked = [&models](Model m) { return std::find(models->begin(), models->end(), m) != models->end(); };
  if (asked(Model::kTimeDecay) && (in.touch_ts.empty() || in.conversion_ts.empty()))
    return Invalid("time_decay needs touch_ts (per touch) and conversion_ts (per path)");
  const Weights weights = InputWeights(in);
  if (asked(Model::kMarkov) && weights.total_conversions <= 0)
    return Invalid("markov needs at least one conversion; every path has 0 conversions");

  Engine engine{in, o, *models, {}, {}};
  if (asked(Model::kMarkov)) engine.chain = BuildChain(in, o.markov_order, o.markov_collapse_repeats);
  if (asked(Model::kShapley)) engine.game = BuildGame(in);
  Estimate point = engine.Run(weights, o.seed);

  AttributionResult res;
  res.channels = in.channels;
  for (Model m : *models) res.models.emplace_back(kModelNames[static_cast<size_t>(m)]);
  res.total_conversions = weights.total_conversions, res.total_value = weights.total_value;
  res.removal_effects = std::move(point.removal_effects);
  res.base_conversion_probability = point.base;
  res.shapley_values = std::move(point.shapley);
  res.shapley_exact = engine.shapley_exact;
  if (o.bootstrap > 0) {
    std::mt19937_64 rng(o.seed);
    std::vector<Estimate> reps;
    for (int b = 0; b < o.bootstrap; ++b)
      reps.push_back(engine.Run(Resample(weights, rng), o.seed + 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(b + 1)));
    Intervals(reps, &Estimate::conversions, o.confidence, res.conversions_lo, res.conversions_hi);
    Intervals(reps, &Estimate::values, o.confidence, res.values_lo, res.values_hi);
  }
  res.conversions = std::move(point.conversions), res.values = std::move(point.values);
  return res;
}

Table AttributionResult::ToTable() const {
  Table t;
  Column& channel = t.Add("channel", ColumnType::kString);
  Column& model = t.Add("model", ColumnType::kString);
  const std::pair<const char*, const std::vector<std::vector<double>>*> fields[] = {
      {"conversions", &conversions},  {"value", &values},       {"conversions_lo", &conversions_lo},
      {"conversions_hi", &conversions_hi}, {"value_lo", &values_lo}, {"value_hi", &values_hi}};
  std::vector<std::pair<Column*, const std::vector<std::vector<double>>*>> numbers;
  for (size_t i = 0; i < std::size(fields); ++i)  // conversions and value always, bounds with bootstrap
    if (i < 2 || !fields[i].second->empty()) numbers.emplace_back(&t.Add(fields[i].first, ColumnType::kDouble), fields[i].second);
  Column* removal = removal_effects.empty() ? nullptr : &t.Add("removal_effect", ColumnType::kDouble);
  for (size_t m = 0; m < models.size(); ++m)
    for (size_t c = 0; c < channels.size(); ++c) {
      t.AppendString(channel, channels[c]), t.AppendString(model, models[m]);
      for (auto& [column, field] : numbers) column->f64.push_back((*field)[m][c]);
      if (removal) removal->f64.push_back(models[m] == "markov" ? removal_effects[c] : NAN);
    }
  return t;
}

}  // namespace cdp
