// cdp/attribution.hpp — multi-touch attribution: heuristic models, exact Markov removal effects,
// Shapley values, bootstrap intervals.
//
// Input is a set of distinct paths (journeys) in CSR form, each with how many journeys took it and
// converted (`conversions`), their revenue (`values`) and how many took it without converting
// (`nulls`). Every model splits each path's conversions (and value) among the channels; the totals
// are preserved by every model.
//
// Models (names for AttributionOptions::models):
//   first       all of a path's conversions and value to its first touch.
//   last        all to its last touch.
//   linear      split equally among the touches; repeated touches count (A > B > A: A 2/3, B 1/3).
//   position    U-shaped (40/20/40 by default): the first touch gets position_first, the last
//               position_last, the middle touches share 1 - position_first - position_last
//               equally. One touch gets everything; two touches split in proportion
//               position_first : position_last (0.5 / 0.5 by default).
//   time_decay  touch i weighs 2^(-(conversion_ts - touch_ts[i]) / half_life), normalized per path.
//               Needs touch_ts and conversion_ts.
//   markov      removal effects of the absorbing Markov chain, solved exactly (no simulation).
//               States: start, one per channel (order k: one per tuple of the last k channels,
//               padded with start for the first touches), conversion and null. Every path adds
//               conversions + nulls to each of its transitions, conversions to its last state ->
//               conversion and nulls to its last state -> null. P = P(conversion | start) solves
//               (I - Q) x = r on the transient states (Eigen; dense LU for order 1 up to 512
//               states, sparse LU otherwise). Removing channel c sends every transition into a
//               state containing c to null: removal_effect[c] = 1 - P_without_c / P. Attributed
//               conversions = total_conversions * RE[c] / sum(RE); values likewise with total_value.
//   shapley     players are the channels that occur in some path. v(S) is computed from the paths
//               whose set of distinct channels is a subset of S: their conversions
//               (shapley_value "conversions", Zhao et al. 2018) or conversions / (conversions +
//               nulls) (shapley_value "rate"; 0 when there is no such path). Exact over all
//               coalitions (zeta transform over 2^n) for n <= shapley_exact_max, else permutation
//               sampling (Castro et al. 2009) with `seed`; both satisfy sum(phi) = v(all). Raw values
//               are in AttributionResult::shapley_values; attributed conversions = total_conversions
//               * phi[c] / v(all) and values = total_value * phi[c] / v(all) (for "conversions" the
//               conversions row is phi itself and equals, when exact, each path's conversions split
//               equally among its distinct channels; for "rate" a share can be negative).
//
// Bootstrap (bootstrap > 0): Poisson bootstrap over paths. In each replicate a path's conversions
// and nulls are replaced by Poisson(conversions) and Poisson(nulls) draws, its value scaled by the
// same factor as its conversions (kept when its conversions are 0); every model is recomputed.
// Intervals are the (1 - confidence) / 2 and (1 + confidence) / 2 percentiles of the replicates
// (linear interpolation between order statistics). Deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Distinct journeys in CSR form: path p's touches are touches[path_begin[p] .. path_begin[p + 1]).
struct AttributionInput {
  std::vector<std::string> channels;  ///< channel names (unique, non-empty); touches index into it
  std::vector<int32_t> touches;       ///< all paths' touches concatenated, each path in time order
  std::vector<Micros> touch_ts;       ///< optional (time_decay): same size as touches
  std::vector<int64_t> path_begin;    ///< size paths + 1, starts at 0, ends at touches.size()
  std::vector<double> conversions;    ///< per path: converted journeys (a weight, >= 0)
  std::vector<double> values;         ///< per path: conversion value (revenue); empty: none
  std::vector<double> nulls;          ///< per path: journeys that did not convert (>= 0); empty: none
  std::vector<Micros> conversion_ts;  ///< per path conversion time (time_decay); empty: none

  int64_t paths() const { return path_begin.empty() ? 0 : static_cast<int64_t>(path_begin.size()) - 1; }
};

/// Builds an input from path strings such as "alpha > beta > alpha": split at `separator`, channel
/// names trimmed of ASCII whitespace; channels are numbered in sorted name order. Errors (naming the
/// row): an empty path, an empty channel name, sizes of conversions / values / nulls that disagree
/// with the number of paths, and everything ValidateAttributionInput refuses.
absl::StatusOr<AttributionInput> AttributionPathsFromStrings(const std::vector<std::string>& paths,
                                                             std::vector<double> conversions,
                                                             std::vector<double> values = {},
                                                             std::vector<double> nulls = {},
                                                             std::string_view separator = ">");

/// Checks the shape of an input: sizes that disagree, a path without touches, a channel index out
/// of range, negative or non-finite counts, non-finite values, empty or duplicate channel names.
absl::Status ValidateAttributionInput(const AttributionInput& input);

struct AttributionOptions {
  /// Any of: first, last, linear, position, time_decay, markov, shapley (results in this order).
  std::vector<std::string> models = {"first", "last", "linear", "position", "markov"};
  Micros half_life = Days(7);   ///< time_decay: a touch one half-life before conversion weighs 1/2
  double position_first = 0.4;  ///< position: share of the first touch (>= 0)
  double position_last = 0.4;   ///< position: share of the last touch (>= 0; sum in (0, 1])
  int markov_order = 1;         ///< 1..4
  bool markov_collapse_repeats = false;  ///< markov: read A > A > B as A > B
  int shapley_exact_max = 15;   ///< exact enumeration up to this many players (at most 22)
  int shapley_samples = 20000;  ///< permutations when sampling
  std::string shapley_value = "conversions";  ///< or "rate"
  int bootstrap = 0;            ///< replicates (0: no intervals)
  double confidence = 0.95;     ///< interval coverage, in (0, 1)
  uint64_t seed = 0;            ///< bootstrap and Shapley sampling
};

struct AttributionResult {
  std::vector<std::string> channels, models;
  /// [model][channel], models in the order asked.
  std::vector<std::vector<double>> conversions, values;
  /// Bootstrap percentile intervals, [model][channel]; empty without bootstrap.
  std::vector<std::vector<double>> conversions_lo, conversions_hi, values_lo, values_hi;
  std::vector<double> removal_effects;     ///< markov, per channel (empty when markov not asked)
  double base_conversion_probability = 0;  ///< markov: P(conversion) from the start state
  std::vector<double> shapley_values;      ///< shapley: phi per channel, sums to v(all channels)
  bool shapley_exact = false;              ///< shapley: enumerated (true) or sampled
  double total_conversions = 0, total_value = 0;

  /// Long table, one row per (model, channel): channel, model, conversions, value; with bootstrap
  /// also conversions_lo, conversions_hi, value_lo, value_hi; with markov also removal_effect
  /// (NaN on the other models' rows).
  Table ToTable() const;
};

/// The heuristic (rule-based) models, which split each journey on its own.
enum class TouchModel { kFirst, kLast, kLinear, kPosition, kTimeDecay };
/// "first", "last", "linear", "position" or "time_decay". Errors (InvalidArgument) name the
/// models; markov and shapley are data-driven (they need every journey: Attribute).
absl::StatusOr<TouchModel> ParseTouchModel(std::string_view name);
/// Shares of the n >= 1 touches of one journey under `model` (summing to 1), into `shares`.
/// `touch_ts` (n touches) and `conversion_ts` are read by time_decay only; `options` gives the
/// position shares and the half-life (validated by the caller).
void TouchShares(TouchModel model, const Micros* touch_ts, size_t n, Micros conversion_ts,
                 const AttributionOptions& options, std::vector<double>& shares);

/// Attributes the input's conversions and values to its channels with every model asked.
/// Errors (InvalidArgument, naming the problem): a bad input (ValidateAttributionInput), an unknown
/// or repeated model, markov_order outside 1..4, confidence outside (0, 1), half_life <= 0,
/// position shares outside their range, bad Shapley options, bootstrap < 0, time_decay without
/// touch_ts / conversion_ts, markov without any conversion.
absl::StatusOr<AttributionResult> Attribute(const AttributionInput& input, const AttributionOptions& options = {});

}  // namespace cdp
