// cdp/workspace.hpp — the one object a user opens: store, ingest, (later) identity, segments, ...
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/event_store.hpp"
#include "cdp/ingest.hpp"
#include "cdp/reader.hpp"
#include "cdp/table.hpp"

namespace cdp {

/// Outcome of pushing one event.
enum class PushResult { kAccepted = 0, kDuplicate = 1, kQuarantined = 2 };

class Workspace {
 public:
  /// ":memory:" (default). File-backed workspaces (SQLite) are not available yet: any other path
  /// is an error.
  static absl::StatusOr<std::unique_ptr<Workspace>> Open(std::string_view path = ":memory:");

  /// Each ingest call is atomic: on error (missing file, unreadable gzip, bad mapping or plan) it
  /// returns the error and nothing is stored; otherwise every row is counted in the report.
  absl::StatusOr<IngestReport> IngestCsv(const std::string& path, const IngestOptions& options = {},
                                         const CsvOptions& csv = {});
  absl::StatusOr<IngestReport> IngestCsvText(std::string text, const IngestOptions& options = {},
                                             const CsvOptions& csv = {});
  absl::StatusOr<IngestReport> IngestNdjson(const std::string& path, const IngestOptions& options = {},
                                            const NdjsonOptions& ndjson = {});
  absl::StatusOr<IngestReport> IngestNdjsonText(std::string text, const IngestOptions& options = {},
                                                const NdjsonOptions& ndjson = {});
  /// Typed columns (numpy/pandas/C arrays), zero-copy; `batch.columns[i].name` are source names.
  absl::StatusOr<IngestReport> IngestColumns(const SourceBatch& batch, const IngestOptions& options = {});

  /// Options for PushEvent (mapping, plan, time zone...). Default: standard field names.
  absl::Status ConfigurePush(const IngestOptions& options);
  /// One event as a JSON object (server-to-server). Quarantined events are in quarantine().
  absl::StatusOr<PushResult> PushEvent(std::string_view json);
  /// Cumulative report of every push so far.
  const IngestReport& push_report() const { return push_report_; }

  const std::vector<QuarantineRow>& quarantine() const { return quarantine_; }
  const std::vector<IngestReport>& reports() const { return reports_; }

  /// The event store with the delta run merged (sorted by profile key, ts).
  const EventStore& events();
  /// Events as a table: event_id, type, ts, profile_key, revenue, then every named column.
  Table EventsTable();
  /// Quarantine as a table: source, line, column, value, code, reason, record.
  Table QuarantineTable() const;
  /// Summary over `partitions` profile partitions, merged (equal for any partition count).
  EventSummary Summary(int partitions = 1);

 private:
  Workspace() = default;
  template <typename Reader, typename Options>
  absl::StatusOr<IngestReport> IngestReader(Reader& reader, const IngestOptions& options,
                                            std::string source, bool fixed_columns);
  struct Checkpoint {
    size_t rows;
    uint32_t ids;
  };
  /// Undoes everything an ingest call stored since `c` (rows and remembered event ids).
  void Rollback(const Checkpoint& c);
  absl::StatusOr<IngestReport> Commit(Ingestor& ingestor, double seconds);

  EventStore store_;
  std::vector<QuarantineRow> quarantine_;
  std::vector<IngestReport> reports_;
  std::unique_ptr<Ingestor> push_;
  IngestReport push_report_;
  int64_t push_seq_ = 0;
};

}  // namespace cdp
