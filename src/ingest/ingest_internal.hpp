// Private to the ingest layer: field bindings and the per-batch kernel.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/ingest.hpp"

namespace cdp::internal {

/// How a standard field gets its value.
struct FieldBinding {
  enum Kind { kNone, kColumn, kLiteral, kProduct };
  Kind kind = kNone;
  std::string column;   ///< kColumn / kProduct (first factor)
  std::string column2;  ///< kProduct second factor
  std::string literal;  ///< kLiteral
};

/// Index of a standard field in kStandardFields, or -1.
int FieldIndex(std::string_view field);
/// Parses a mapping value: "col", "=literal", "A*B".
absl::StatusOr<FieldBinding> ParseBinding(std::string_view field, std::string_view value);

/// Strict numbers: no leading/trailing junk, no nan/inf, int64 range checked.
bool ParseInt64Strict(std::string_view s, int64_t* out);
bool ParseDoubleStrict(std::string_view s, double* out);

struct BatchContext {
  const IngestOptions& options;
  IngestTarget target;
  const std::string& source;
  const TrackingPlan* plan;
  const TimeParser* time;
  const FieldBinding* fields;  // indexed like kStandardFields
  const absl::flat_hash_map<std::string, bool>& consumed;
};

/// Scratch reused across batches.
struct BatchState {
  std::vector<int32_t> bad;           // per row: index into pending, or -1
  std::string id_arena;
  std::vector<std::pair<uint32_t, uint32_t>> id_span;
  std::string scratch;
};

absl::Status ProcessBatch(const BatchContext& ctx, const SourceBatch& b, BatchState* st,
                          EventColumns* out, std::vector<QuarantineRow>* quarantine,
                          IngestReport* report);

}  // namespace cdp::internal
