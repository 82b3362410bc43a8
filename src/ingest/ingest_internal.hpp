// Private to the ingest layer: field bindings and the per-batch kernel.
#pragma once

#include <algorithm>
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
  enum Kind { kNone, kColumn, kLiteral, kProduct, kLine };  // kLine: event_id "@line"
  Kind kind = kNone;
  std::string column;   ///< kColumn / kProduct (first factor)
  std::string column2;  ///< kProduct second factor
  std::string literal;  ///< kLiteral
};

/// Index of a standard field in kStandardFields, or -1.
int FieldIndex(std::string_view field);
/// Parses a mapping value: "col", "=literal", "A*B", "@line" (event_id only).
absl::StatusOr<FieldBinding> ParseBinding(std::string_view field, std::string_view value);

/// Strict numbers: no leading/trailing junk, no nan/inf, int64 range checked.
bool ParseInt64Strict(std::string_view s, int64_t* out);
bool ParseDoubleStrict(std::string_view s, double* out);

/// A named field or property column of a batch, for tracking-plan checks.
struct NamedValue {
  const Column* col = nullptr;
  const Vec<double>* revenue = nullptr;
};
bool IsNullAt(const NamedValue& v, size_t r);
std::string TextAt(const NamedValue& v, size_t r, const StringDictionary& dict);
/// Empty when `spec` holds for row r, else the violation ("purchase.qty = 0 is below the minimum 1").
std::string CheckSpec(const PropertySpec& spec, std::string_view name, const NamedValue& v, size_t r,
                      const StringDictionary& dict, std::string_view type_name);
/// The type a plan declares for a property (any event), or kAny.
PropertySpec::Type DeclaredType(const TrackingPlan* plan, std::string_view name);
/// At most n bytes of s.
inline std::string Truncate(std::string_view s, size_t n = 200) {
  return std::string(s.substr(0, std::min(n, s.size())));
}

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
  // Per-batch buffers kept between batches: fresh memory costs page faults on every batch.
  Vec<Micros> ts;
  Vec<int32_t> type;
  Vec<double> revenue;
  std::vector<Vec<int32_t>> spare;  ///< pool of code vectors
  Vec<int32_t> TakeCodes() {  // the pool never exceeds the 18 buffers a batch takes
    if (spare.empty()) return {};
    Vec<int32_t> v = std::move(spare.back());
    v.clear();  // keeps the capacity
    spare.pop_back();
    return v;
  }
  /// Profile key per identifier field (in kIdentifierFields order) and dictionary code; -1 unknown.
  /// Valid across batches: dictionary and key codes never change.
  std::vector<int32_t> key_memo[std::size(kIdentifierFields)];
  /// Dictionary code per category of a kCodes source column, per use ("field:" or "prop:" + name),
  /// so slices of one columnar ingest normalize each category once. -2 = not computed yet.
  struct CategoryMemo {
    const std::vector<std::string>* categories = nullptr;
    std::vector<int32_t> codes;
  };
  absl::flat_hash_map<std::string, CategoryMemo> category_memo;
  /// The memo for `use` over `categories` (reset when the categories change).
  std::vector<int32_t>& MemoFor(const std::string& use, const std::vector<std::string>* categories) {
    CategoryMemo& m = category_memo[use];
    if (m.categories != categories || m.codes.size() != categories->size()) {
      m.categories = categories;
      m.codes.assign(categories->size(), -2);
    }
    return m.codes;
  }
};

absl::Status ProcessBatch(const BatchContext& ctx, const SourceBatch& b, BatchState* st,
                          EventColumns* out, std::vector<QuarantineRow>* quarantine,
                          IngestReport* report);

}  // namespace cdp::internal
