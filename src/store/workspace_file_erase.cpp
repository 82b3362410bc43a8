// WorkspaceFile: what an erasure needs — whole-table rewrites from memory, audit redaction, the
// tombstones table, and compaction (WAL truncation and VACUUM) so no freed page keeps old bytes.
#include <sqlite3.h>

#include "core/strings.hpp"
#include "store/workspace_file.hpp"

namespace cdp::internal {

namespace {

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) {
    ok_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s_, nullptr) == SQLITE_OK;
  }
  ~Statement() { sqlite3_finalize(s_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  int Step() { return s_ ? sqlite3_step(s_) : SQLITE_MISUSE; }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t Int(int c) { return sqlite3_column_int64(s_, c); }
  std::string Text(int c) {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

}  // namespace

absl::Status WorkspaceFile::RewriteStrings(int kind, const StringDictionary& dict) {
  Statement s(db_, "DELETE FROM strings WHERE kind = ?");
  s.Bind(1, int64_t{kind});
  if (s.Step() != SQLITE_DONE) return Error("rewrite strings");
  return AppendStrings(kind, dict, 0);
}

absl::Status WorkspaceFile::RewriteEventIds(const EventIdIndex& ids) {
  if (auto st = Exec("DELETE FROM event_ids"); !st.ok()) return st;
  return AppendEventIds(ids, 0, ids.size());
}

absl::Status WorkspaceFile::RewriteEvents(const EventColumns& cols) {
  if (auto st = Exec("DELETE FROM chunk_columns; DELETE FROM event_chunks;"); !st.ok()) return st;
  next_chunk_ = 0;  // Rollback() restores the committed numbering when the transaction fails
  return AppendEvents(cols, 0, cols.size());
}

absl::Status WorkspaceFile::RewriteQuarantine(const std::vector<QuarantineRow>& rows) {
  if (auto st = Exec("DELETE FROM quarantine"); !st.ok()) return st;
  return AppendQuarantine(rows, 0);
}

absl::Status WorkspaceFile::RewriteLinkTimes(const std::vector<LinkTime>& times) {
  if (auto st = Exec("DELETE FROM link_times"); !st.ok()) return st;
  for (const LinkTime& t : times)
    if (auto st = SetLinkTime(t.a, t.b, t.status, t.applied_at); !st.ok()) return st;
  return absl::OkStatus();
}

absl::Status WorkspaceFile::DeleteOp(int64_t seq) {
  Statement s(db_, "DELETE FROM ops WHERE seq = ?");
  s.Bind(1, seq);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("delete operation");
}

absl::StatusOr<std::vector<int64_t>> WorkspaceFile::AuditSeqs() const {
  Statement s(db_, "SELECT seq FROM audit ORDER BY seq");
  std::vector<int64_t> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Int(0));
  if (rc != SQLITE_DONE) return Error("read audit");
  return out;
}

absl::Status WorkspaceFile::UpdateAudit(int64_t seq, std::string_view detail, std::string_view hash) {
  Statement s(db_, "UPDATE audit SET detail = ?, hash = ? WHERE seq = ?");
  s.Bind(1, detail);
  s.Bind(2, hash);
  s.Bind(3, seq);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("rewrite audit");
}

absl::Status WorkspaceFile::AddTombstone(std::string_view hash, int64_t short_hash, std::string_view type,
                                         Micros erased_at) {
  Statement s(db_, "INSERT OR IGNORE INTO tombstones(hash, short, type, erased_at) VALUES(?,?,?,?)");
  s.Bind(1, hash);
  s.Bind(2, short_hash);
  s.Bind(3, type);
  s.Bind(4, erased_at);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write tombstone");
}

absl::Status WorkspaceFile::LoadTombstones(std::vector<Tombstone>* out) const {
  Statement s(db_, "SELECT hash, short FROM tombstones");
  if (!s.ok()) return Error("read tombstones");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out->push_back(Tombstone{s.Text(0), s.Int(1)});
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read tombstones");
}

absl::Status WorkspaceFile::DropSnapshots(bool* dropped) {
  static constexpr std::string_view kSnapshots[] = {"profiles", "identifiers", "links", "attributes"};
  *dropped = false;
  for (std::string_view name : kSnapshots) {
    {  // finalized before the DROP: an active statement on the schema locks it
      Statement s(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
      s.Bind(1, name);
      if (s.Step() != SQLITE_ROW) return Error("read schema");
      if (s.Int(0) == 0) continue;
    }
    *dropped = true;
    if (auto st = Exec(Cat("DROP TABLE \"", name, "\"")); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status WorkspaceFile::Compact() {
  auto checkpoint = [this]() -> absl::Status {
    Statement s(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (s.Step() != SQLITE_ROW) return Error("checkpoint");
    if (s.Int(0) != 0)
      return absl::FailedPreconditionError(Cat("workspace \"", path_,
                                               "\": another process is reading an older state; the WAL is "
                                               "truncated at the next checkpoint after it finishes"));
    return absl::OkStatus();
  };
  if (auto st = checkpoint(); !st.ok()) return st;
  if (auto st = Exec("VACUUM"); !st.ok()) return st;
  return checkpoint();
}

}  // namespace cdp::internal
