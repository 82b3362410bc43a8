// CLV models: input checks, duplicate merging, and the maximum-likelihood driver (L-BFGS on log
// parameters from several starts, standard errors from the inverse Hessian).
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/base/casts.h"
#include "absl/container/flat_hash_map.h"

#include "core/strings.hpp"
#include "metrics/clv_internal.hpp"

namespace cdp {

namespace clv_internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Column {
  const char* name;
  std::span<const double> values;
};

bool Whole(double v) { return v == std::floor(v); }

// The first problem of row i, or OK. `gg` rows have (frequency, monetary), others (x, t_x, T).
absl::Status CheckRow(ClvModelKind kind, const char* model, const Rows& r, size_t i, Purpose purpose) {
  const double x = r.x[i];
  if (x < 0) return absl::InvalidArgumentError(Cat(model, ": frequency at row ", i, " is negative (", x, ")"));
  if (!Whole(x)) return absl::InvalidArgumentError(Cat(model, ": frequency at row ", i, " is not a whole number (", x, ")"));
  if (kind == ClvModelKind::kGammaGamma) {
    const double m = r.m[i];
    if (purpose == Purpose::kFit && x == 0)
      return absl::InvalidArgumentError(Cat(model, ": frequency at row ", i,
                                            " is 0: fit on customers with at least one repeat purchase (frequency > 0)"));
    if (purpose == Purpose::kFit ? !(m > 0) : !(m >= 0))
      return absl::InvalidArgumentError(Cat(model, ": monetary at row ", i, " is ", m, "; it must be ",
                                            purpose == Purpose::kFit ? "> 0" : ">= 0", " (mean value of the repeat purchases)"));
    return absl::OkStatus();
  }
  const double tx = r.tx[i], T = r.T[i];
  if (tx < 0) return absl::InvalidArgumentError(Cat(model, ": recency at row ", i, " is negative (", tx, ")"));
  if (tx > T)
    return absl::InvalidArgumentError(Cat(model, ": recency (", tx, ") is larger than T (", T, ") at row ", i,
                                          ": both count from the first purchase, T to the end of observation"));
  if (x == 0 && tx != 0)
    return absl::InvalidArgumentError(Cat(model, ": frequency is 0 but recency is ", tx, " at row ", i,
                                          " (without a repeat purchase the recency is 0)"));
  if (kind == ClvModelKind::kBgBb) {
    if (!Whole(tx) || !Whole(T))
      return absl::InvalidArgumentError(Cat(model, ": recency and n_periods must be whole numbers of periods (row ", i,
                                            ": ", tx, ", ", T, ")"));
    if (x > tx)
      return absl::InvalidArgumentError(Cat(model, ": frequency (", x, ") is larger than recency (", tx, ") at row ", i,
                                            ": x transactions need x periods up to the last one"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Rows> CheckData(ClvModelKind kind, const RfmData& d, Purpose purpose) {
  const char* model = Ops(kind).name;
  const bool gg = kind == ClvModelKind::kGammaGamma;
  std::vector<Column> cols = {{"frequency", d.frequency}};
  if (gg) {
    cols.push_back({"monetary", d.monetary});
  } else {
    cols.push_back({"recency", d.recency});
    cols.push_back({kind == ClvModelKind::kBgBb ? "n_periods" : "T", d.T});
  }
  if (purpose == Purpose::kFit && !d.weights.empty()) cols.push_back({"weights", d.weights});
  const size_t n = d.frequency.size();
  for (const Column& c : cols)
    if (c.values.size() != n)
      return absl::InvalidArgumentError(Cat(model, ": frequency has ", n, " values but ", c.name, " has ",
                                            c.values.size(), " (one value per customer in every column)"));
  if (n == 0) return absl::InvalidArgumentError(Cat(model, ": no customers (the data are empty)"));
  for (const Column& c : cols)
    for (size_t i = 0; i < n; ++i)
      if (!std::isfinite(c.values[i]))
        return absl::InvalidArgumentError(Cat(model, ": ", c.name, " at row ", i, " is not finite (", c.values[i], ")"));
  Rows r;
  r.x.assign(d.frequency.begin(), d.frequency.end());
  if (gg) {
    r.m.assign(d.monetary.begin(), d.monetary.end());
  } else {
    r.tx.assign(d.recency.begin(), d.recency.end());
    r.T.assign(d.T.begin(), d.T.end());
  }
  if (purpose == Purpose::kFit && !d.weights.empty()) {
    r.w.assign(d.weights.begin(), d.weights.end());
    for (size_t i = 0; i < n; ++i)
      if (r.w[i] < 0) return absl::InvalidArgumentError(Cat(model, ": weights at row ", i, " is negative (", r.w[i], ")"));
  } else {
    r.w.assign(n, 1.0);
  }
  for (size_t i = 0; i < n; ++i)
    if (absl::Status st = CheckRow(kind, model, r, i, purpose); !st.ok()) return st;
  r.total_weight = std::accumulate(r.w.begin(), r.w.end(), 0.0);
  if (!(r.total_weight > 0)) return absl::InvalidArgumentError(Cat(model, ": the weights sum to 0 (no customers)"));
  return r;
}

Rows MergeDuplicates(const Rows& rows) {
  const size_t n = rows.size();
  auto key = [&rows](size_t i) {
    return std::make_tuple(rows.x[i], rows.tx.empty() ? 0.0 : rows.tx[i], rows.T.empty() ? 0.0 : rows.T[i],
                           rows.m.empty() ? 0.0 : rows.m[i]);
  };
  // Group equal rows by hashing (one pass), then order only the distinct ones: the patterns come
  // out sorted by value, as a full sort would give, at a fraction of its cost for many rows.
  auto bits = [&](size_t i) {
    const auto [a, b, c, d] = key(i);
    return std::array<uint64_t, 4>{absl::bit_cast<uint64_t>(a), absl::bit_cast<uint64_t>(b), absl::bit_cast<uint64_t>(c),
                                   absl::bit_cast<uint64_t>(d)};
  };
  absl::flat_hash_map<std::array<uint64_t, 4>, size_t> group;  // pattern -> index into first/weight
  std::vector<size_t> first;
  std::vector<double> weight;
  for (size_t i = 0; i < n; ++i) {
    if (rows.w[i] == 0) continue;
    auto [it, fresh] = group.try_emplace(bits(i), first.size());
    if (fresh) first.push_back(i), weight.push_back(0.0);
    weight[it->second] += rows.w[i];
  }
  std::vector<size_t> order(first.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(first[a]) < key(first[b]); });
  Rows out;
  out.total_weight = rows.total_weight;
  for (size_t g : order) {
    const size_t i = first[g];
    out.x.push_back(rows.x[i]);
    if (!rows.tx.empty()) out.tx.push_back(rows.tx[i]), out.T.push_back(rows.T[i]);
    if (!rows.m.empty()) out.m.push_back(rows.m[i]);
    out.w.push_back(weight[g]);
  }
  return out;
}

const ModelOps& Ops(ClvModelKind kind) {
  switch (kind) {
    case ClvModelKind::kBgNbd: return kBgNbdOps;
    case ClvModelKind::kParetoNbd: return kParetoNbdOps;
    case ClvModelKind::kBgBb: return kBgBbOps;
    case ClvModelKind::kGammaGamma: return kGammaGammaOps;
  }
  return kBgNbdOps;
}

double SumRows(const ModelOps& ops, const double* p, const Rows& rows) {
  double s = 0;
  for (size_t i = 0; i < rows.size(); ++i) s += rows.w[i] * ops.row(p, rows, i);
  return s;
}

}  // namespace clv_internal

using namespace clv_internal;

namespace {

struct StartResult {
  MinimizeResult run;
  double ll = kNaN;
};

absl::Status CheckFitOptions(const ModelOps& ops, const ClvFitOptions& o) {
  if (!(o.penalizer_coef >= 0) || !std::isfinite(o.penalizer_coef))
    return absl::InvalidArgumentError(Cat(ops.name, ": penalizer_coef must be a finite value >= 0, got ", o.penalizer_coef));
  for (size_t s = 0; s < o.initial.size(); ++s) {
    if (o.initial[s].size() != ops.names.size())
      return absl::InvalidArgumentError(Cat(ops.name, ": initial point ", s, " has ", o.initial[s].size(),
                                            " values; the model has ", ops.names.size(), " parameters"));
    for (size_t j = 0; j < ops.names.size(); ++j)
      if (!(o.initial[s][j] > 0) || !std::isfinite(o.initial[s][j]))
        return absl::InvalidArgumentError(Cat(ops.name, ": initial ", ops.names[j], " (point ", s,
                                              ") must be finite and > 0, got ", o.initial[s][j]));
  }
  return absl::OkStatus();
}

// Standard errors: inverse Hessian of the total negative LL in log parameters, then the delta
// method (d p / d log p = p).
void StandardErrors(const ModelOps& ops, const Objective& objective, const Eigen::VectorXd& theta, double weight,
                    ClvModel* m) {
  const size_t k = ops.names.size();
  m->se.assign(k, kNaN);
  m->covariance.assign(k * k, kNaN);
  absl::StatusOr<Eigen::MatrixXd> h = NumericalHessian(objective, theta);
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (h.ok()) llt.compute(*h * weight);
  if (!h.ok() || llt.info() != Eigen::Success) {
    m->warnings.push_back(Cat(ops.name, ": the Hessian is not positive definite at the estimate, so the standard ",
                              "errors are not available (NaN); the likelihood is flat in some direction"));
    return;
  }
  const Eigen::MatrixXd cov_log = llt.solve(Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k)));
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < k; ++j)
      m->covariance[i * k + j] = cov_log(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * m->params[i] * m->params[j];
  for (size_t i = 0; i < k; ++i) m->se[i] = std::sqrt(m->covariance[i * k + i]);
}

}  // namespace

std::string_view ClvModelName(ClvModelKind kind) { return Ops(kind).name; }

absl::StatusOr<ClvModelKind> ParseClvModelKind(std::string_view name) {
  std::string s;
  for (char c : name)
    if (c != '_' && c != '-' && c != '/') s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s == "bgnbd" || s == "betageo") return ClvModelKind::kBgNbd;
  if (s == "paretonbd" || s == "pnbd") return ClvModelKind::kParetoNbd;
  if (s == "bgbb" || s == "betageobeta" || s == "betageobetabinom") return ClvModelKind::kBgBb;
  if (s == "gammagamma" || s == "gg") return ClvModelKind::kGammaGamma;
  return absl::InvalidArgumentError(Cat("clv: unknown model \"", name, "\" (bgnbd, pareto_nbd, bgbb, gamma_gamma)"));
}

double ClvModel::Param(std::string_view name) const {
  for (size_t i = 0; i < names.size() && i < params.size(); ++i)
    if (names[i] == name) return params[i];
  return kNaN;
}

absl::StatusOr<ClvModel> MakeClvModel(ClvModelKind kind, std::vector<double> params) {
  const ModelOps& ops = Ops(kind);
  if (params.size() != ops.names.size())
    return absl::InvalidArgumentError(Cat(ops.name, ": expected ", ops.names.size(), " parameters, got ", params.size()));
  for (size_t j = 0; j < params.size(); ++j)
    if (!(params[j] > 0) || !std::isfinite(params[j]))
      return absl::InvalidArgumentError(Cat(ops.name, ": parameter ", ops.names[j], " must be finite and > 0, got ", params[j]));
  ClvModel m;
  m.kind = kind;
  m.names = ops.names;
  m.params = std::move(params);
  return m;
}

absl::StatusOr<ClvModel> FitClvModel(ClvModelKind kind, const RfmData& data, const ClvFitOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const ModelOps& ops = Ops(kind);
  if (absl::Status st = CheckFitOptions(ops, options); !st.ok()) return st;
  absl::StatusOr<Rows> checked = CheckData(kind, data, Purpose::kFit);
  if (!checked.ok()) return checked.status();
  const Rows rows = options.merge_duplicates ? MergeDuplicates(*checked) : *std::move(checked);
  const double weight = rows.total_weight;
  const size_t k = ops.names.size();
  const double pen = options.penalizer_coef;
  // Mean negative log-likelihood (+ penalty) of the log parameters; gradient by the chain rule.
  auto mean_nll = [&](const Eigen::VectorXd& theta, Eigen::VectorXd* grad) {
    double p[4], g[4] = {0, 0, 0, 0};
    for (size_t j = 0; j < k; ++j) {
      p[j] = std::exp(theta[static_cast<Eigen::Index>(j)]);
      if (!(p[j] > 0) || !std::isfinite(p[j])) return std::numeric_limits<double>::infinity();
    }
    const double ll = ops.total(p, rows, grad != nullptr ? g : nullptr);
    double value = -ll / weight;
    for (size_t j = 0; j < k; ++j) value += pen * p[j] * p[j];
    if (grad != nullptr) {
      grad->resize(static_cast<Eigen::Index>(k));
      for (size_t j = 0; j < k; ++j) (*grad)[static_cast<Eigen::Index>(j)] = (-g[j] / weight + 2 * pen * p[j]) * p[j];
    }
    return std::isnan(value) ? std::numeric_limits<double>::infinity() : value;
  };
  const Objective objective =
      ops.analytic_gradient ? Objective(mean_nll)
                            : CentralDifferenceObjective([&](const Eigen::VectorXd& th) { return mean_nll(th, nullptr); });
  const std::vector<std::vector<double>> starts = options.initial.empty() ? ops.starts(rows) : options.initial;
  ClvModel m;
  m.kind = kind;
  m.names = ops.names;
  m.rows = static_cast<int64_t>(data.frequency.size());
  m.patterns = static_cast<int64_t>(rows.size());
  m.customers = weight;
  std::optional<StartResult> best;
  std::string first_error;
  for (const std::vector<double>& start : starts) {
    Eigen::VectorXd theta0(static_cast<Eigen::Index>(k));
    for (size_t j = 0; j < k; ++j) theta0[static_cast<Eigen::Index>(j)] = std::log(start[j]);
    absl::StatusOr<MinimizeResult> run = MinimizeLbfgs(objective, theta0, options.optimizer);
    if (!run.ok()) {
      if (first_error.empty()) first_error = std::string(View(run.status().message()));
      m.start_log_likelihoods.push_back(kNaN);
      continue;
    }
    StartResult s{*std::move(run)};
    double p[4];
    for (size_t j = 0; j < k; ++j) p[j] = std::exp(s.run.x[static_cast<Eigen::Index>(j)]);
    s.ll = ops.total(p, rows, nullptr);
    m.start_log_likelihoods.push_back(s.ll);
    if (std::isfinite(s.ll) && (!best || s.ll > best->ll)) best = std::move(s);
  }
  if (!best)
    return absl::InvalidArgumentError(Cat(ops.name, ": the fit failed from every starting point: ",
                                          first_error.empty() ? "the likelihood is not finite" : first_error));
  const MinimizeResult& run = best->run;
  for (size_t j = 0; j < k; ++j) m.params.push_back(std::exp(run.x[static_cast<Eigen::Index>(j)]));
  m.log_likelihood = best->ll;
  m.converged = run.converged;
  m.message = run.message;
  m.iterations = run.iterations;
  m.gradient_norm = run.gradient_norm;
  if (!run.converged)
    m.warnings.push_back(Cat(ops.name, ": the fit did not converge (", run.message,
                             "); the estimates may be inaccurate: raise max_iterations or give other starting points"));
  for (size_t j = 0; j < k; ++j) {
    const double lp = run.x[static_cast<Eigen::Index>(j)];
    if (std::abs(lp) > 15)
      m.warnings.push_back(Cat(ops.name, ": parameter ", ops.names[j], " ran to ", m.params[j], " (log ", lp,
                               "): the data do not identify it; consider penalizer_coef > 0"));
  }
  StandardErrors(ops, objective, run.x, weight, &m);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return m;
}

}  // namespace cdp
