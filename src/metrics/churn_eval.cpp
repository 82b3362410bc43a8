// Churn propensity, evaluation side: ROC AUC and curve, reliability table, Platt and isotonic
// calibrators, drivers of the score, stratified train/holdout split.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numeric>

#include "cdp/churn.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

// Shared checks of (score, label) inputs: lengths, emptiness, finite scores, 0/1 labels and,
// when asked, both classes present. `what` names the caller in the message.
absl::Status CheckScored(std::span<const double> scores, std::span<const double> labels, const char* what,
                         const char* score_name, bool both_classes) {
  if (scores.size() != labels.size())
    return absl::InvalidArgumentError(Cat(what, ": ", scores.size(), " ", score_name, "s for ", labels.size(), " labels"));
  if (scores.empty()) return absl::InvalidArgumentError(Cat(what, ": no rows (the data are empty)"));
  size_t ones = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i]))
      return absl::InvalidArgumentError(Cat(what, ": ", score_name, " at row ", i, " is not finite (", scores[i], ")"));
    if (labels[i] != 0 && labels[i] != 1)
      return absl::InvalidArgumentError(Cat(what, ": label at row ", i, " is ", labels[i], "; labels must be 0 or 1"));
    ones += labels[i] == 1;
  }
  if (both_classes && (ones == 0 || ones == labels.size()))
    return absl::InvalidArgumentError(Cat(what, ": all labels are ", ones == 0 ? 0 : 1, "; it needs both classes (0 and 1)"));
  return absl::OkStatus();
}

absl::Status CheckWeights(std::span<const double> w, size_t n, const char* what) {
  if (w.empty()) return absl::OkStatus();
  if (w.size() != n) return absl::InvalidArgumentError(Cat(what, ": sample_weight has ", w.size(), " values for ", n, " rows"));
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0)
      return absl::InvalidArgumentError(Cat(what, ": sample_weight at row ", i, " is ", w[i], "; weights must be finite and >= 0"));
    total += w[i];
  }
  if (total <= 0) return absl::InvalidArgumentError(Cat(what, ": the sample weights are all 0"));
  return absl::OkStatus();
}

std::vector<size_t> Order(std::span<const double> v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  return idx;
}

// Platt: minimizes sum_i w_i logloss(T_i, a f_i + b) by Newton (2 x 2) with step halving.
ProbabilityCalibrator FitPlatt(std::span<const double> f, std::span<const double> y, std::span<const double> w) {
  const size_t n = f.size();
  double prior[2] = {0, 0};
  for (size_t i = 0; i < n; ++i) prior[y[i] == 1] += w.empty() ? 1.0 : w[i];
  const double t1 = (prior[1] + 1) / (prior[1] + 2), t0 = 1 / (prior[0] + 2);
  auto objective = [&](double a, double b) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
      const double eta = a * f[i] + b, t = y[i] == 1 ? t1 : t0;
      s += (w.empty() ? 1.0 : w[i]) * (t * Softplus(-eta) + (1 - t) * Softplus(eta));
    }
    return s;
  };
  double a = 0, b = std::log((prior[1] + 1) / (prior[0] + 1)), fx = objective(a, b);
  for (int iter = 0; iter < 200; ++iter) {
    double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (size_t i = 0; i < n; ++i) {
      const double eta = a * f[i] + b, p = Sigmoid(eta), q = Sigmoid(-eta), t = y[i] == 1 ? t1 : t0;
      const double wi = w.empty() ? 1.0 : w[i], r = wi * ((1 - t) * p - t * q), h = wi * p * q;
      ga += r * f[i];
      gb += r;
      haa += h * f[i] * f[i];
      hab += h * f[i];
      hbb += h;
    }
    // A ridge keeps the 2 x 2 solve defined when all scores are equal (a and b confounded).
    const double ridge = 1e-12 * std::max({haa, hbb, 1e-300});
    haa += ridge;
    hbb += ridge;
    const double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    double step = 1, fn = 0, na = a, nb = b;
    bool accepted = false;
    for (int h = 0; h < 50; ++h, step *= 0.5) {
      na = a - step * da;
      nb = b - step * db;
      fn = objective(na, nb);
      if (std::isfinite(fn) && fn <= fx + 1e-13 * std::max(1.0, std::abs(fx))) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
    a = na;
    b = nb;
    fx = fn;
    if (std::max(std::abs(da), std::abs(db)) <= 1e-12 * std::max({1.0, std::abs(a), std::abs(b)})) break;
  }
  ProbabilityCalibrator c;
  c.method = CalibrationMethod::kPlatt;
  c.a = a;
  c.b = b;
  return c;
}

// sklearn's IsotonicRegression(out_of_bounds="clip") fit: zero weights dropped, sorted by
// (score, label), equal scores merged, weighted PAV, interior points of flat runs dropped.
ProbabilityCalibrator FitIsotonic(std::span<const double> f, std::span<const double> y, std::span<const double> w) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < f.size(); ++i)
    if (w.empty() || w[i] > 0) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return f[a] != f[b] ? f[a] < f[b] : y[a] < y[b]; });
  std::vector<double> xs, ys, ws;  // unique scores, weighted mean label, summed weight
  for (size_t i : idx) {
    const double wi = w.empty() ? 1.0 : w[i];
    if (!xs.empty() && xs.back() == f[i]) {
      ys.back() += wi * y[i];
      ws.back() += wi;
    } else {
      xs.push_back(f[i]);
      ys.push_back(wi * y[i]);
      ws.push_back(wi);
    }
  }
  for (size_t k = 0; k < xs.size(); ++k) ys[k] /= ws[k];
  // Pool adjacent violators: blocks of (weighted mean, weight, first point).
  std::vector<double> mean, weight;
  std::vector<size_t> start;
  for (size_t k = 0; k < xs.size(); ++k) {
    mean.push_back(ys[k]);
    weight.push_back(ws[k]);
    start.push_back(k);
    while (mean.size() > 1 && mean[mean.size() - 2] >= mean.back()) {
      const size_t last = mean.size() - 1;
      const double wsum = weight[last - 1] + weight[last];
      mean[last - 1] = (mean[last - 1] * weight[last - 1] + mean[last] * weight[last]) / wsum;
      weight[last - 1] = wsum;
      mean.pop_back();
      weight.pop_back();
      start.pop_back();
    }
  }
  std::vector<double> fitted(xs.size());
  for (size_t b = 0; b < mean.size(); ++b) {
    const size_t end = b + 1 < start.size() ? start[b + 1] : xs.size();
    std::fill(fitted.begin() + static_cast<std::ptrdiff_t>(start[b]), fitted.begin() + static_cast<std::ptrdiff_t>(end), mean[b]);
  }
  ProbabilityCalibrator c;
  c.method = CalibrationMethod::kIsotonic;
  for (size_t k = 0; k < xs.size(); ++k) {
    const bool interior = k > 0 && k + 1 < xs.size() && fitted[k] == fitted[k - 1] && fitted[k] == fitted[k + 1];
    if (interior) continue;
    c.x.push_back(xs[k]);
    c.y.push_back(fitted[k]);
  }
  return c;
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

absl::StatusOr<double> RocAuc(std::span<const double> scores, std::span<const double> labels) {
  if (auto st = CheckScored(scores, labels, "roc_auc", "score", true); !st.ok()) return st;
  const std::vector<size_t> idx = Order(scores);
  // Walk groups of equal scores upward: each positive beats the negatives below its group and
  // ties half of those in it.
  double wins = 0, neg_below = 0, n1 = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    double pos = 0, neg = 0;
    for (; j < idx.size() && scores[idx[j]] == scores[idx[i]]; ++j) (labels[idx[j]] == 1 ? pos : neg) += 1;
    wins += pos * (neg_below + 0.5 * neg);
    neg_below += neg;
    n1 += pos;
    i = j;
  }
  return wins / (n1 * neg_below);
}

absl::StatusOr<RocCurve> ComputeRocCurve(std::span<const double> scores, std::span<const double> labels) {
  if (auto st = CheckScored(scores, labels, "roc_curve", "score", true); !st.ok()) return st;
  std::vector<size_t> idx = Order(scores);
  std::reverse(idx.begin(), idx.end());
  double n1 = 0;
  for (double l : labels) n1 += l;
  const double n0 = static_cast<double>(labels.size()) - n1;
  RocCurve c;
  c.fpr.push_back(0);
  c.tpr.push_back(0);
  c.thresholds.push_back(std::numeric_limits<double>::infinity());
  double tp = 0, fp = 0;
  for (size_t i = 0; i < idx.size();) {
    const double s = scores[idx[i]];
    for (; i < idx.size() && scores[idx[i]] == s; ++i) (labels[idx[i]] == 1 ? tp : fp) += 1;
    const double fpr = fp / n0, tpr = tp / n1;
    c.auc += (fpr - c.fpr.back()) * (tpr + c.tpr.back()) / 2;
    c.fpr.push_back(fpr);
    c.tpr.push_back(tpr);
    c.thresholds.push_back(s);
  }
  return c;
}

absl::StatusOr<CalibrationTable> ComputeCalibrationTable(std::span<const double> prob, std::span<const double> labels,
                                                         int bins, BinStrategy strategy) {
  if (auto st = CheckScored(prob, labels, "calibration", "probability", false); !st.ok()) return st;
  if (bins < 1) return absl::InvalidArgumentError(Cat("calibration: bins must be >= 1, got ", bins));
  const size_t n = prob.size();
  for (size_t i = 0; i < n; ++i)
    if (prob[i] < 0 || prob[i] > 1)
      return absl::InvalidArgumentError(Cat("calibration: probability at row ", i, " is ", prob[i], "; it must be in [0, 1]"));
  // Edges as numpy builds them: linspace(0, 1, bins + 1), or np.percentile(prob, linspace * 100).
  std::vector<double> edges(static_cast<size_t>(bins) + 1);
  for (int j = 0; j <= bins; ++j) edges[static_cast<size_t>(j)] = j == bins ? 1.0 : j * (1.0 / bins);
  if (strategy == BinStrategy::kQuantile) {
    std::vector<double> sorted(prob.begin(), prob.end());
    std::sort(sorted.begin(), sorted.end());
    for (double& e : edges) {
      const double pos = (e * 100 / 100) * static_cast<double>(n - 1);
      const size_t lo = std::min(static_cast<size_t>(std::floor(pos)), n - 1), hi = std::min(lo + 1, n - 1);
      const double t = pos - static_cast<double>(lo), a = sorted[lo], b = sorted[hi], diff = b - a;
      e = t >= 0.5 ? b - diff * (1 - t) : a + diff * t;  // numpy's _lerp
    }
  }
  const std::span<const double> inner(edges.data() + 1, edges.size() - 2);
  std::vector<double> sum_p(static_cast<size_t>(bins)), sum_y(static_cast<size_t>(bins));
  std::vector<int64_t> count(static_cast<size_t>(bins));
  CalibrationTable t;
  t.rows = static_cast<int64_t>(n);
  const double eps = DBL_EPSILON;
  for (size_t i = 0; i < n; ++i) {
    const double p = prob[i], y = labels[i];
    const size_t b = static_cast<size_t>(std::lower_bound(inner.begin(), inner.end(), p) - inner.begin());
    sum_p[b] += p;
    sum_y[b] += y;
    ++count[b];
    t.brier += (p - y) * (p - y);
    const double c = std::clamp(p, eps, 1 - eps);
    t.log_loss -= y == 1 ? std::log(c) : std::log1p(-c);
  }
  t.brier /= static_cast<double>(n);
  t.log_loss /= static_cast<double>(n);
  for (size_t b = 0; b < count.size(); ++b) {
    if (count[b] == 0) continue;
    const double c = static_cast<double>(count[b]);
    t.bin_lower.push_back(edges[b]);
    t.bin_upper.push_back(edges[b + 1]);
    t.count.push_back(count[b]);
    t.mean_predicted.push_back(sum_p[b] / c);
    t.observed_rate.push_back(sum_y[b] / c);
    t.expected_calibration_error += c / static_cast<double>(n) * std::abs(sum_y[b] / c - sum_p[b] / c);
  }
  return t;
}

absl::StatusOr<CalibrationMethod> ParseCalibrationMethod(std::string_view name) {
  if (name == "platt" || name == "sigmoid") return CalibrationMethod::kPlatt;
  if (name == "isotonic") return CalibrationMethod::kIsotonic;
  return absl::InvalidArgumentError(Cat("calibration: unknown method '", name, "' (expected platt or isotonic)"));
}

absl::StatusOr<ProbabilityCalibrator> FitCalibrator(std::span<const double> scores, std::span<const double> labels,
                                                    CalibrationMethod method, std::span<const double> sample_weight) {
  if (auto st = CheckScored(scores, labels, "calibrator", "score", true); !st.ok()) return st;
  if (auto st = CheckWeights(sample_weight, scores.size(), "calibrator"); !st.ok()) return st;
  return method == CalibrationMethod::kPlatt ? FitPlatt(scores, labels, sample_weight)
                                             : FitIsotonic(scores, labels, sample_weight);
}

absl::StatusOr<std::vector<double>> ApplyCalibrator(const ProbabilityCalibrator& c, std::span<const double> scores) {
  const bool isotonic = c.method == CalibrationMethod::kIsotonic;
  if (isotonic && (c.x.empty() || c.x.size() != c.y.size()))
    return absl::InvalidArgumentError("calibrator: the isotonic calibrator has no thresholds (not fitted)");
  if (!isotonic && !(std::isfinite(c.a) && std::isfinite(c.b)))
    return absl::InvalidArgumentError("calibrator: the Platt parameters are not finite");
  std::vector<double> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const double s = scores[i];
    if (!std::isfinite(s)) return absl::InvalidArgumentError(Cat("calibrator: score at row ", i, " is not finite (", s, ")"));
    if (!isotonic) {
      out[i] = Sigmoid(c.a * s + c.b);
      continue;
    }
    if (s <= c.x.front()) {
      out[i] = c.y.front();
    } else if (s >= c.x.back()) {
      out[i] = c.y.back();
    } else {
      const size_t hi = static_cast<size_t>(std::upper_bound(c.x.begin(), c.x.end(), s) - c.x.begin()), lo = hi - 1;
      const double t = (s - c.x[lo]) / (c.x[hi] - c.x[lo]);
      out[i] = c.y[lo] + t * (c.y[hi] - c.y[lo]);
    }
  }
  return out;
}

absl::StatusOr<std::vector<ChurnDriver>> TopDrivers(const LogisticModel& model, std::span<const std::string> names,
                                                    int top) {
  const size_t p = static_cast<size_t>(model.coef.size());
  if (!names.empty() && names.size() != p)
    return absl::InvalidArgumentError(Cat("drivers: ", names.size(), " names for ", p, " features"));
  if (static_cast<size_t>(model.scales.size()) != p)
    return absl::InvalidArgumentError(Cat("drivers: the model has ", model.scales.size(), " feature scales for ", p,
                                          " coefficients (fit it with FitLogistic)"));
  const bool have_se = static_cast<size_t>(model.standard_errors.size()) == p;
  std::vector<ChurnDriver> out(p);
  for (size_t j = 0; j < p; ++j) {
    ChurnDriver& d = out[j];
    const auto jj = static_cast<Eigen::Index>(j);
    d.feature = names.empty() ? Cat("x", j) : names[j];
    d.index = static_cast<int>(j);
    d.coef_per_sd = model.coef[jj] * model.scales[jj];
    d.odds_ratio = std::exp(d.coef_per_sd);
    d.standard_error = have_se ? model.standard_errors[jj] * model.scales[jj] : kNaN;
    d.z = d.coef_per_sd / d.standard_error;
    d.p_value = std::erfc(std::abs(d.z) / std::sqrt(2.0));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ChurnDriver& a, const ChurnDriver& b) { return std::abs(a.coef_per_sd) > std::abs(b.coef_per_sd); });
  if (top > 0 && static_cast<size_t>(top) < out.size()) out.resize(static_cast<size_t>(top));
  return out;
}

absl::StatusOr<TrainHoldoutSplit> StratifiedSplit(std::span<const double> labels, double holdout_fraction, uint64_t seed) {
  if (!(holdout_fraction > 0 && holdout_fraction < 1))
    return absl::InvalidArgumentError(Cat("split: holdout fraction must be in (0, 1), got ", holdout_fraction));
  std::vector<int64_t> members[2];
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1)
      return absl::InvalidArgumentError(Cat("split: label at row ", i, " is ", labels[i], "; labels must be 0 or 1"));
    members[labels[i] == 1].push_back(static_cast<int64_t>(i));
  }
  TrainHoldoutSplit s;
  for (int c = 0; c < 2; ++c) {
    std::vector<int64_t>& m = members[c];
    if (m.size() < 2)
      return absl::InvalidArgumentError(Cat("split: class ", c, " has ", m.size(),
                                            " row(s); a stratified split needs at least 2 of each class"));
    uint64_t state = seed ^ (c == 0 ? 0x5DEECE66DULL : 0xD1B54A32D192ED03ULL);
    for (size_t i = m.size() - 1; i > 0; --i) {
      const auto j = static_cast<size_t>((static_cast<unsigned __int128>(SplitMix64(state)) * (i + 1)) >> 64);
      std::swap(m[i], m[j]);
    }
    const auto size = static_cast<int64_t>(m.size());
    const int64_t hold = std::clamp<int64_t>(std::llround(holdout_fraction * static_cast<double>(size)), 1, size - 1);
    s.holdout.insert(s.holdout.end(), m.begin(), m.begin() + hold);
    s.train.insert(s.train.end(), m.begin() + hold, m.end());
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.holdout.begin(), s.holdout.end());
  return s;
}

}  // namespace cdp
