// CLV predictions: argument checks and the per-row loops over each model's formulas. A value
// that cannot be computed is an error naming the row, never a silent NaN.
#include <cmath>

#include "core/strings.hpp"
#include "metrics/clv_internal.hpp"

namespace cdp {

using namespace clv_internal;

namespace {

absl::Status CheckModel(const ClvModel& m) {
  const ModelOps& ops = Ops(m.kind);
  if (m.params.size() != ops.names.size())
    return absl::InvalidArgumentError(Cat(ops.name, ": the model has ", m.params.size(), " parameters, expected ",
                                          ops.names.size(), " (fit it or use MakeClvModel)"));
  for (size_t j = 0; j < m.params.size(); ++j)
    if (!(m.params[j] > 0) || !std::isfinite(m.params[j]))
      return absl::InvalidArgumentError(Cat(ops.name, ": parameter ", ops.names[j], " must be finite and > 0, got ", m.params[j]));
  return absl::OkStatus();
}

// Checks a time argument: finite, >= 0, and for BG/BB a whole number of opportunities when `whole`.
absl::Status CheckTime(const ModelOps& ops, const char* what, double t, bool whole) {
  if (!std::isfinite(t) || t < 0) return absl::InvalidArgumentError(Cat(ops.name, ": ", what, " must be finite and >= 0, got ", t));
  if (whole && ops.kind == ClvModelKind::kBgBb && t != std::floor(t))
    return absl::InvalidArgumentError(Cat(ops.name, ": ", what, " must be a whole number of periods, got ", t));
  return absl::OkStatus();
}

absl::Status NeedsPredictions(const ModelOps& ops, bool available, const char* what) {
  if (!available)
    return absl::InvalidArgumentError(Cat(ops.name, ": has no ", what, " (it models spend; use a BG/NBD, Pareto/NBD or BG/BB model)"));
  return absl::OkStatus();
}

// Runs value(i) for every row, turning a non-finite value into an error that names the row.
template <typename F>
absl::StatusOr<std::vector<double>> PerRow(const ModelOps& ops, const Rows& rows, const char* what, F value) {
  std::vector<double> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    out[i] = value(i);
    if (!std::isfinite(out[i])) {
      std::string history = rows.tx.empty() ? Cat("frequency ", rows.x[i], ", monetary ", rows.m[i])
                                            : Cat("frequency ", rows.x[i], ", recency ", rows.tx[i], ", T ", rows.T[i]);
      return absl::InvalidArgumentError(Cat(ops.name, ": ", what, " is not finite at row ", i, " (", history,
                                            "): the parameters are too extreme for these data"));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<double>> ClvLogLikelihood(const ClvModel& model, const RfmData& data) {
  if (absl::Status st = CheckModel(model); !st.ok()) return st;
  const ModelOps& ops = Ops(model.kind);
  absl::StatusOr<Rows> rows = CheckData(model.kind, data, Purpose::kPredict);
  if (!rows.ok()) return rows.status();
  return PerRow(ops, *rows, "the log-likelihood", [&](size_t i) { return ops.row(model.params.data(), *rows, i); });
}

absl::StatusOr<std::vector<double>> ExpectedPurchases(const ClvModel& model, std::span<const double> t) {
  if (absl::Status st = CheckModel(model); !st.ok()) return st;
  const ModelOps& ops = Ops(model.kind);
  if (absl::Status st = NeedsPredictions(ops, ops.expected != nullptr, "purchase expectations"); !st.ok()) return st;
  std::vector<double> out(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (absl::Status st = CheckTime(ops, "t", t[i], false); !st.ok()) return st;
    out[i] = ops.expected(model.params.data(), t[i]);
    if (!std::isfinite(out[i]))
      return absl::InvalidArgumentError(Cat(ops.name, ": E[X(t)] is not finite at t = ", t[i],
                                            " (the hypergeometric series did not converge)"));
  }
  return out;
}

absl::StatusOr<std::vector<double>> ConditionalExpectedPurchases(const ClvModel& model, double t, const RfmData& data) {
  if (absl::Status st = CheckModel(model); !st.ok()) return st;
  const ModelOps& ops = Ops(model.kind);
  if (absl::Status st = NeedsPredictions(ops, ops.conditional != nullptr, "purchase expectations"); !st.ok()) return st;
  if (absl::Status st = CheckTime(ops, "t", t, false); !st.ok()) return st;
  absl::StatusOr<Rows> rows = CheckData(model.kind, data, Purpose::kPredict);
  if (!rows.ok()) return rows.status();
  return PerRow(ops, *rows, "the conditional expected number of purchases",
                [&](size_t i) { return ops.conditional(model.params.data(), t, *rows, i); });
}

absl::StatusOr<std::vector<double>> ProbabilityAlive(const ClvModel& model, const RfmData& data, double future) {
  if (absl::Status st = CheckModel(model); !st.ok()) return st;
  const ModelOps& ops = Ops(model.kind);
  if (absl::Status st = NeedsPredictions(ops, ops.alive != nullptr, "probability alive"); !st.ok()) return st;
  if (absl::Status st = CheckTime(ops, "future", future, true); !st.ok()) return st;
  if (future != 0 && model.kind != ClvModelKind::kBgBb)
    return absl::InvalidArgumentError(Cat(ops.name, ": P(alive) in the future is only defined for bgbb; use future = 0"));
  absl::StatusOr<Rows> rows = CheckData(model.kind, data, Purpose::kPredict);
  if (!rows.ok()) return rows.status();
  return PerRow(ops, *rows, "P(alive)", [&](size_t i) { return ops.alive(model.params.data(), *rows, i, future); });
}

absl::StatusOr<double> ProbabilityOfPurchases(const ClvModel& model, double t, int64_t n) {
  if (absl::Status st = CheckModel(model); !st.ok()) return st;
  const ModelOps& ops = Ops(model.kind);
  if (absl::Status st = NeedsPredictions(ops, ops.prob_n != nullptr, "purchase probabilities"); !st.ok()) return st;
  if (absl::Status st = CheckTime(ops, "t", t, true); !st.ok()) return st;
  if (n < 0) return absl::InvalidArgumentError(Cat(ops.name, ": n must be >= 0, got ", n));
  const double p = ops.prob_n(model.params.data(), t, n);
  if (!std::isfinite(p))
    return absl::InvalidArgumentError(Cat(ops.name, ": P(X(t) = ", n, ") at t = ", t, " could not be computed to precision"));
  return p;
}

}  // namespace cdp
