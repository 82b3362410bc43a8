// Deterministic variant assignment: FNV-1a 64 over "salt:experiment:unit", MurmurHash3's fmix64
// finalizer for avalanche, the top 53 bits as a uniform u in [0, 1), then the cumulative weights.
// The algorithm is spelled out in cdp/experiments.hpp so other languages can reproduce it.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_format.h"
#include "cdp/experiments.hpp"

namespace cdp {

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// FNV state after "salt:experiment:" (shared by every unit of a call).
uint64_t Prefix(std::string_view salt, std::string_view experiment) {
  return Fnv1a(Fnv1a(Fnv1a(Fnv1a(kFnvOffset, salt), ":"), experiment), ":");
}

double ToUnit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1p-53; }

// Cumulative thresholds c_i / c_{k-1} for i < k - 1.
absl::StatusOr<std::vector<double>> Thresholds(std::span<const double> weights) {
  if (weights.empty()) return absl::InvalidArgumentError("AssignVariant: no weights (one per variant)");
  std::vector<double> cum;
  double c = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] >= 0) || !std::isfinite(weights[i]))
      return absl::InvalidArgumentError(
          absl::StrFormat("AssignVariant: weight %d must be finite and >= 0, got %g", i, weights[i]));
    c += weights[i];
    cum.push_back(c);
  }
  if (!(c > 0)) return absl::InvalidArgumentError("AssignVariant: the weights sum to 0 (at least one must be > 0)");
  cum.pop_back();
  for (double& v : cum) v /= c;
  return cum;
}

int32_t Pick(const std::vector<double>& thresholds, double u) {
  // First i with u < threshold_i; none: the last variant.
  return static_cast<int32_t>(std::upper_bound(thresholds.begin(), thresholds.end(), u) - thresholds.begin());
}

}  // namespace

uint64_t AssignmentHash(std::string_view salt, std::string_view experiment, std::string_view unit) {
  return Fmix64(Fnv1a(Prefix(salt, experiment), unit));
}

double AssignmentBucket(std::string_view salt, std::string_view experiment, std::string_view unit) {
  return ToUnit(AssignmentHash(salt, experiment, unit));
}

absl::StatusOr<int32_t> AssignVariant(std::string_view salt, std::string_view experiment, std::string_view unit,
                                      std::span<const double> weights) {
  auto t = Thresholds(weights);
  if (!t.ok()) return t.status();
  return Pick(*t, AssignmentBucket(salt, experiment, unit));
}

absl::StatusOr<std::vector<int32_t>> AssignVariants(std::string_view salt, std::string_view experiment,
                                                    std::span<const std::string_view> units,
                                                    std::span<const double> weights) {
  auto t = Thresholds(weights);
  if (!t.ok()) return t.status();
  const uint64_t prefix = Prefix(salt, experiment);
  std::vector<int32_t> out(units.size());
  for (size_t i = 0; i < units.size(); ++i) out[i] = Pick(*t, ToUnit(Fmix64(Fnv1a(prefix, units[i]))));
  return out;
}

absl::StatusOr<std::vector<int32_t>> AssignVariants(std::string_view salt, std::string_view experiment,
                                                    std::span<const int64_t> units, std::span<const double> weights) {
  auto t = Thresholds(weights);
  if (!t.ok()) return t.status();
  const uint64_t prefix = Prefix(salt, experiment);
  std::vector<int32_t> out(units.size());
  char buf[24];
  for (size_t i = 0; i < units.size(); ++i) {
    const auto res = std::to_chars(buf, buf + sizeof(buf), units[i]);
    out[i] = Pick(*t, ToUnit(Fmix64(Fnv1a(prefix, std::string_view(buf, static_cast<size_t>(res.ptr - buf))))));
  }
  return out;
}

}  // namespace cdp
