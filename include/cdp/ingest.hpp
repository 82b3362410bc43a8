// cdp/ingest.hpp — validated ingestion: mapping, tracking plan, normalization, dedupe, quarantine.
//
// Nothing is lost: every source row is counted exactly once as accepted, quarantined (kept with its
// source, line, column, raw value and a readable reason) or duplicate (its event_id was seen before,
// at any age). IngestReport::read == accepted + quarantined + duplicates, always. Rows of erased
// people (ErasedIdentifiers) are counted as quarantined with reason "erased_subject" but not kept.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/dedupe.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/json.hpp"
#include "cdp/reader.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// Fields a source column can be mapped to. Anything else is a property.
inline constexpr std::string_view kStandardFields[] = {
    "event_id", "type",   "ts",      "anonymous_id", "user_id", "email", "phone",
    "device_id", "channel", "campaign", "revenue",    "url",     "country"};

// ---------------------------------------------------------------------------------------------
// Tracking plan

/// Constraint on one property (or standard field) of an event.
struct PropertySpec {
  enum class Type { kAny, kString, kInteger, kNumber, kBoolean };
  Type type = Type::kAny;
  std::vector<std::string> allowed;  ///< "enum": allowed values (compared as text)
  bool has_min = false, has_max = false, exclusive_min = false, exclusive_max = false;
  double min = 0, max = 0;
};

struct EventSpec {
  std::vector<std::string> required;
  std::map<std::string, PropertySpec, std::less<>> properties;
  bool additional_properties = true;
};

/// A tracking plan in JSON:
/// {"allow_unplanned_events": true,
///  "properties": {"<name>": <spec>},            // apply to every event type
///  "events": {"purchase": {"required": ["revenue", "order_id"],
///                          "properties": {"revenue": {"type": "number", "min": 0},
///                                         "currency": {"type": "string", "enum": ["EUR","GBP"]}},
///                          "additional_properties": true}}}
/// spec: {"type": "string"|"integer"|"number"|"boolean", "enum": [...], "min": x, "max": y,
///        "exclusive_min": x, "exclusive_max": y}. Names are standard fields or property names.
struct TrackingPlan {
  bool allow_unplanned_events = true;
  std::map<std::string, PropertySpec, std::less<>> properties;
  std::map<std::string, EventSpec, std::less<>> events;
  bool empty() const { return properties.empty() && events.empty() && allow_unplanned_events; }
  /// Parses the JSON above; errors name the offending key ("plan: events.purchase.properties.
  /// revenue.type: expected one of string, integer, number, boolean").
  static absl::StatusOr<TrackingPlan> Parse(std::string_view json);
};

// ---------------------------------------------------------------------------------------------
// Options, report, quarantine

using ProgressCallback = std::function<void(int64_t done, int64_t total)>;

struct IngestOptions {
  /// field -> source column. Values may also be "=literal" (a constant, e.g. "type": "=purchase")
  /// or "A*B" (product of two numeric columns, e.g. "revenue": "Quantity*UnitPrice").
  /// "event_id": "@line" makes "<source>#<line>" the event id: rows with equal content stay distinct
  /// (line items of one order), and reading the same file again under the same source adds nothing.
  /// Source columns named like a standard field map to it without an entry.
  std::map<std::string, std::string, std::less<>> mapping;
  std::string plan_json;  ///< tracking plan (JSON text); empty = no plan
  TimeParseOptions time;
  std::string default_country = "US";  ///< for national phone numbers (ISO alpha-2)
  bool keep_unmapped = true;           ///< unmapped source columns become properties
  /// Unquoted cells with these texts are null (quoted cells never are).
  std::vector<std::string> null_values = {"", "NA", "N/A", "NULL", "null", "None", "nan"};
  std::string source;                  ///< name recorded in quarantine rows (default: file path)
  ProgressCallback progress;           ///< called after each batch with (bytes or rows done, total)
};

/// A row that was not accepted.
struct QuarantineRow {
  std::string source;  ///< file path or "push", "columns"
  int64_t line = 0;    ///< CSV/NDJSON: 1-based line; columns: 0-based row; push: sequence number
  std::string column;  ///< source column at fault ("" when the whole row is at fault)
  std::string value;   ///< raw value at fault (truncated to 200 bytes)
  std::string code;    ///< short category, e.g. "bad_timestamp", "plan_violation"
  std::string reason;  ///< readable explanation
  std::string record;  ///< the whole row as a JSON object of source column -> text
};

struct IngestReport {
  std::string source;
  int64_t read = 0;
  int64_t accepted = 0;
  int64_t quarantined = 0;
  int64_t duplicates = 0;
  std::map<std::string, int64_t> reasons;   ///< quarantine code -> rows
  std::map<std::string, int64_t> warnings;  ///< accepted rows with a field set aside (e.g. invalid_email)
  int64_t bytes = 0;
  double seconds = 0;
  bool consistent() const { return read == accepted + quarantined + duplicates; }
  void Merge(const IngestReport& o);
};

// ---------------------------------------------------------------------------------------------
// Columnar input (numpy / pandas / C arrays), zero-copy: pointers are borrowed for the call.

struct SourceColumn {
  enum class Kind { kText, kInt64, kDouble, kBool, kCodes };
  std::string name;
  Kind kind = Kind::kText;
  const Cell* cells = nullptr;        ///< kText
  const int64_t* i64 = nullptr;       ///< kInt64 (kNullInt64 = null; datetimes: see unit)
  const double* f64 = nullptr;        ///< kDouble (NaN = null)
  const uint8_t* b = nullptr;         ///< kBool
  const uint8_t* valid = nullptr;     ///< optional: 0 = null (kInt64, kBool)
  const int32_t* codes32 = nullptr;   ///< kCodes (negative = null), int32 or int64 codes
  const int64_t* codes64 = nullptr;
  const std::vector<std::string>* categories = nullptr;  ///< kCodes: code -> text
  EpochUnit unit = EpochUnit::kAuto;  ///< kInt64/kDouble mapped to ts: epoch unit
};

struct SourceBatch {
  std::vector<SourceColumn> columns;
  size_t rows = 0;
  const int64_t* lines = nullptr;        ///< per-row line numbers; null: first_line + row
  int64_t first_line = 0;
  const std::vector<RowError>* errors = nullptr;  ///< rows a reader could not split
};

// ---------------------------------------------------------------------------------------------
// Ingestor: turns source batches into EventColumns + quarantine rows + a report.

/// Identifiers whose person was erased (the workspace's tombstones, cdp/erasure.hpp). A row that
/// carries one is rejected before any of its values is stored: counted as quarantined with reason
/// "erased_subject", without a quarantine row (it would hold the person's data again).
inline constexpr std::string_view kErasedSubject = "erased_subject";
class ErasedIdentifiers {
 public:
  virtual ~ErasedIdentifiers() = default;
  virtual bool empty() const = 0;
  /// True when `type`:`value` (value normalized like ingest: trimmed, email lowercased, phone
  /// E.164) was erased.
  virtual bool Contains(std::string_view type, std::string_view value) const = 0;
  /// Identifier types checked besides the standard ones (columns of that name, trimmed text).
  virtual const std::vector<std::string>& custom_types() const = 0;
};

/// Interned state the ingestor writes into (owned by the event store).
struct IngestTarget {
  StringDictionary* dict = nullptr;  ///< strings of every column
  StringDictionary* keys = nullptr;  ///< provisional profile keys
  EventIdIndex* ids = nullptr;       ///< dedupe index (staged ids are undone by the caller on error)
  const ErasedIdentifiers* erased = nullptr;  ///< optional: rows of erased people are rejected
};

class Ingestor {
 public:
  /// Validates options (mapping targets, literal/product syntax, plan JSON, time zone, country).
  static absl::StatusOr<std::unique_ptr<Ingestor>> Create(const IngestOptions& options,
                                                          IngestTarget target, std::string source);
  ~Ingestor();

  /// Binds source column names (call once with the first batch's names; later batches may add
  /// columns, as NDJSON does). Errors: a mapping that names a missing column, with the nearest name.
  /// `require_columns` false (NDJSON): mapped columns may be absent from this batch.
  absl::Status Bind(const std::vector<std::string>& names, bool require_columns = true);
  /// Processes one batch: `out` is overwritten with the accepted rows (its buffers are reused),
  /// rejected rows are appended to quarantine(). Counts go to report().
  absl::Status Process(const SourceBatch& batch, EventColumns* out);

  std::vector<QuarantineRow>& quarantine();
  IngestReport& report();
  /// Forgets every dictionary code and erasure check remembered across batches (after the
  /// target's dictionaries were rebuilt by an erasure).
  void ForgetCodes();

  struct Impl;
 private:
  explicit Ingestor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Sets one option by key (the C ABI and Python share these keys):
///   "map.<field>" = source column ("=literal", "A*B");  "plan" = tracking plan JSON
///   "time_zone";  "epoch_unit" = auto|s|ms|us|ns;  "default_country";  "keep_unmapped" = true|false
///   "source";  "null_values" = comma-separated;  "csv.delimiter" = one char, "\t" or "whitespace"
///   "csv.header" = true|false;  "csv.columns" = comma-separated;  "csv.max_field_bytes" = integer
/// Unknown keys and bad values are InvalidArgument errors naming the key.
absl::Status SetIngestOption(IngestOptions* ingest, CsvOptions* csv, std::string_view key,
                             std::string_view value);

/// Builds a SourceBatch of kText columns over a reader's TextBatch.
SourceBatch TextSource(const TextBatch& batch);

/// Edit distance, ASCII case-insensitive (for "did you mean" suggestions).
int EditDistance(std::string_view a, std::string_view b);
/// The candidate nearest to `name` by EditDistance when at most `max_distance` edits away, else ""
/// (ties: the first candidate).
template <typename Range>
std::string NearestName(std::string_view name, const Range& candidates, int max_distance) {
  std::string best;
  int best_d = max_distance + 1;
  for (const auto& c : candidates) {
    const int d = EditDistance(name, c);
    if (d < best_d) best_d = d, best = std::string(c);
  }
  return best;
}

}  // namespace cdp
