// Private to the library: the SQLite file behind Workspace::Open("shop.cdp").
//
// Source-of-truth tables, appended in one transaction per ingest call / push / operation:
//   schema_version(version)          one row; newer files are refused, older ones migrated
//   meta(key, value)                 library version, byte order, settings (identity rules, erasure secret)
//   strings(kind, first_code, count, offsets, bytes)  dictionary chunks (kind 0 values, 1 keys)
//   event_ids(first_arrival, count, offsets, bytes)   event-id chunks, in arrival order
//   event_chunks(chunk, rows, first_arrival)          one per committed batch
//   chunk_columns(chunk, name, type, data)            raw little-endian column arrays
//   quarantine(seq, source, line, column, value, code, reason, record)
//   reports(seq, source, read, accepted, quarantined, duplicates, bytes, seconds, reasons)
//   ops(seq, kind, a, b, ts, payload)                 manual links, unmerges, trait definitions
//   link_times(a, b, status, applied_at)              when each link got its status
//   audit(seq, ts, action, detail, hash)
//   tombstones(hash, short, type, erased_at)       keyed hashes of erased identifiers (cdp/erasure.hpp)
// Derived snapshots (profiles, identifiers, links, attributes, traits) are rewritten by Save().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/dedupe.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/ingest.hpp"
#include "cdp/table.hpp"

struct sqlite3;

namespace cdp::internal {

inline constexpr int kSchemaVersion = 4;

/// One recorded operation (manual link, unmerge, trait definition).
struct FileOp {
  int64_t seq = 0;
  std::string kind, a, b, payload;
  Micros ts = 0;
};


class WorkspaceFile {
 public:
  /// Opens or creates `path`. Writers take an exclusive lock (`path` + "-lock", released when the
  /// process ends, even by a crash); a second writer gets an error. Readers take no lock.
  static absl::StatusOr<std::unique_ptr<WorkspaceFile>> Open(const std::string& path, bool read_only);
  ~WorkspaceFile();
  WorkspaceFile(const WorkspaceFile&) = delete;
  WorkspaceFile& operator=(const WorkspaceFile&) = delete;

  bool read_only() const { return read_only_; }
  const std::string& path() const { return path_; }
  /// Schema version the file had when opened (before migration).
  int opened_version() const { return opened_version_; }

  /// Starts a transaction: a write transaction (BEGIN IMMEDIATE) or a read snapshot.
  absl::Status Begin(bool write = true);
  absl::Status Commit();
  void Rollback();

  // Appends (inside Begin/Commit).
  absl::Status AppendStrings(int kind, const StringDictionary& dict, int32_t from);
  absl::Status AppendEventIds(const EventIdIndex& ids, uint32_t from, uint32_t to);
  absl::Status AppendEvents(const EventColumns& cols, size_t begin, size_t end);
  absl::Status AppendQuarantine(const std::vector<QuarantineRow>& rows, size_t from);
  absl::Status AppendReport(const IngestReport& r);
  absl::Status AppendOp(const FileOp& op);
  absl::Status SetLinkTime(std::string_view a, std::string_view b, int status, Micros applied_at);
  absl::Status Audit(Micros ts, std::string_view action, std::string_view detail, std::string_view hash);
  /// Stores the chained hash of audit row `seq` (rows written before schema version 3 have none).
  absl::Status SetAuditHash(int64_t seq, std::string_view hash);
  absl::Status PutMeta(std::string_view key, std::string_view value);
  /// Replaces table `name` with the rows of `t` (derived snapshots).
  absl::Status WriteTable(std::string_view name, const Table& t);
  absl::Status Checkpoint();

  // Loads.
  absl::StatusOr<std::string> GetMeta(std::string_view key) const;  // "" when absent
  absl::Status LoadStrings(int kind, StringDictionary* dict) const;
  absl::Status LoadEventIds(EventIdIndex* ids) const;
  absl::Status LoadEvents(const std::function<void(EventColumns&)>& sink) const;
  absl::Status LoadQuarantine(std::vector<QuarantineRow>* rows) const;
  absl::Status LoadReports(std::vector<IngestReport>* reports) const;
  absl::Status LoadOps(std::vector<FileOp>* ops) const;
  struct LinkTime {
    std::string a, b;
    int status;
    Micros applied_at;
  };
  absl::Status LoadLinkTimes(std::vector<LinkTime>* out) const;

  // Erasure (workspace_file_erase.cpp). Rewrites run inside Begin/Commit and replace a table's
  // rows with the given ones; secure_delete (on for writers) zeroes what they free.
  absl::Status RewriteStrings(int kind, const StringDictionary& dict);
  absl::Status RewriteEventIds(const EventIdIndex& ids);
  absl::Status RewriteEvents(const EventColumns& cols);
  absl::Status RewriteQuarantine(const std::vector<QuarantineRow>& rows);
  absl::Status RewriteLinkTimes(const std::vector<LinkTime>& times);
  absl::Status DeleteOp(int64_t seq);
  /// seq of every audit row, oldest first.
  absl::StatusOr<std::vector<int64_t>> AuditSeqs() const;
  absl::Status UpdateAudit(int64_t seq, std::string_view detail, std::string_view hash);
  absl::Status AddTombstone(std::string_view hash, int64_t short_hash, std::string_view type, Micros erased_at);
  struct Tombstone {
    std::string hash;
    int64_t short_hash = 0;
  };
  absl::Status LoadTombstones(std::vector<Tombstone>* out) const;
  /// Drops the snapshot tables Save() writes (they name people); `*dropped`: whether any existed.
  absl::Status DropSnapshots(bool* dropped);
  /// Outside a transaction: checkpoints and truncates the WAL, VACUUMs the file (no freed page
  /// keeps old bytes) and truncates the WAL again. FailedPrecondition while a reader holds an old
  /// snapshot (the checkpoint cannot finish).
  absl::Status Compact();
  absl::StatusOr<Table> ReadTable(std::string_view sql) const;
  absl::StatusOr<std::string> IntegrityCheck() const;

 private:
  WorkspaceFile() = default;
  absl::Status Exec(std::string_view sql) const;
  absl::Status Error(std::string_view what) const;
  absl::Status CreateOrMigrate();

  sqlite3* db_ = nullptr;
  std::string path_;
  bool read_only_ = false;
  int lock_fd_ = -1;
  int opened_version_ = 0;
  int64_t next_chunk_ = 0;
};

}  // namespace cdp::internal
