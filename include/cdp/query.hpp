// cdp/query.hpp — the profile expression language: lexer, parser, typed AST, vectorized evaluator.
//
//   country in ('IT','FR') and age between 25 and 40 and count(purchase, last=30d) >= 2
//     and not did(unsubscribe, last=90d) and sum(purchase.revenue) > 100
//
// An expression is compiled once against a schema (the profile columns, event columns and event
// types a workspace has): names are resolved, types are checked, and every error carries the
// line:column of the offending token, a caret under it and what was expected. Evaluation then runs
// node by node over whole column vectors of a range of profiles (no per-row interpretation):
// profile columns are read in place, event aggregates are one pass over the events of those
// profiles in the store sorted by (profile, ts). Ranges evaluate independently, so the result for
// several partitions concatenates to the result for all profiles. docs/query-language.md has the
// grammar and the semantics (three-valued logic: a profile is a member when the expression is true).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cdp/column.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/ingest.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

enum class ValueType : int32_t { kBool = 0, kNumber = 1, kString = 2, kTime = 3, kDuration = 4, kNull = 5 };
std::string_view ValueTypeName(ValueType t);

/// What an expression may refer to.
struct QuerySchema {
  struct Field {
    std::string name;
    ValueType type = ValueType::kString;
  };
  std::vector<Field> profile_fields;  ///< attributes, traits, built-ins (events, first_seen, ...)
  std::vector<Field> event_fields;    ///< ts, type, revenue and the store's named columns
  std::vector<std::string> event_types;
};

/// Rows of the sorted store grouped by event type (each group ascending): aggregates over one
/// type read only that type's rows.
struct EventTypeIndex {
  std::vector<uint32_t> rows;
  absl::flat_hash_map<int32_t, std::pair<uint32_t, uint32_t>> range;  ///< type code -> [begin, end) of rows
  /// Builds the index of `types` (one code per event row).
  static EventTypeIndex Build(const Vec<int32_t>& types);
};

/// The data an expression runs on. Profile columns are looked up by name in `profiles` (one row per
/// profile; kInt64 columns of kTime fields hold µs; strings are codes of profiles->dict). Events
/// are sorted by (profile, ts): profile p's events are rows [event_begin[p], event_begin[p + 1]).
struct QueryData {
  int32_t profiles = 0;
  const Table* profile_columns = nullptr;
  const EventColumns* events = nullptr;
  const StringDictionary* event_dict = nullptr;
  const int64_t* event_begin = nullptr;  ///< profiles + 1 offsets
  Micros clock = 0;                      ///< now(): the end of every `last=` window
  /// Aggregates see only events up to the clock (evaluation as of a past time).
  bool as_of = false;
  /// Optional: rows by event type (faster single-type aggregates). Requires `events->profile` to
  /// hold each row's profile id.
  const EventTypeIndex* type_index = nullptr;
};

namespace query_internal {
struct Node;
}

/// Compile errors of an expression carry this payload (any InvalidArgument error can be tested
/// with IsQueryParseError, e.g. to map it to a parse error code).
inline constexpr char kQueryParsePayload[] = "type.cdpcore/query-parse";
bool IsQueryParseError(const absl::Status& status);
/// `status` with `prefix` before its message, keeping its code and payloads.
absl::Status PrefixStatus(const absl::Status& status, std::string_view prefix);

/// A compiled expression. Copyable (the AST is shared and immutable).
class Query {
 public:
  /// Parses and type-checks `text`. The expression must be boolean. Errors (InvalidArgument) read
  ///   line 1, column 18: expected a value after '>=', found end of input
  ///     count(purchase) >=
  ///                       ^
  static absl::StatusOr<Query> Compile(std::string_view text, const QuerySchema& schema);

  /// Compiles a condition on one event (the language of where=): event fields (ts, type, revenue,
  /// the store's columns), literals and scalar functions; no profile columns or aggregates.
  static absl::StatusOr<Query> CompileEventFilter(std::string_view text, const QuerySchema& schema);

  /// Truth of the expression for profiles [begin, end): out[i] = 1 for a member (true), 0 for
  /// false or null. `data` must have the columns the expression names (required_columns()).
  absl::Status Evaluate(const QueryData& data, int32_t begin, int32_t end, std::vector<uint8_t>* out) const;

  /// Truth of an event condition (CompileEventFilter) for event rows [begin, end) of data.events:
  /// out[i] = 1 when true.
  absl::Status EvaluateEvents(const QueryData& data, int64_t begin, int64_t end, std::vector<uint8_t>* out) const;
  bool event_scope() const { return event_scope_; }
  bool compiled() const { return root_ != nullptr; }

  const std::string& text() const { return text_; }
  /// Profile columns the expression reads.
  const std::vector<std::string>& required_columns() const { return columns_; }
  /// Event types the expression aggregates over ("*" for any type).
  const std::vector<std::string>& event_types() const { return event_types_; }
  /// True when the result depends on the clock (a `last=` window, now(), days_since).
  bool uses_clock() const { return uses_clock_; }
  /// The distinct `last=` window lengths (an event leaves such a window exactly that long after it).
  const std::vector<Micros>& windows() const { return windows_; }
  /// Notes that do not stop compilation, e.g. an event type no event has yet.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::shared_ptr<const query_internal::Node> root_;
  std::string text_;
  std::vector<std::string> columns_, event_types_, warnings_;
  std::vector<Micros> windows_;
  bool uses_clock_ = false;
  bool event_scope_ = false;
  static absl::StatusOr<Query> CompileScope(std::string_view text, const QuerySchema& schema, bool event_scope);
};

}  // namespace cdp
