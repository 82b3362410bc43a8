#include "store/workspace_file.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "core/strings.hpp"

namespace cdp::internal {

namespace {

static_assert(std::endian::native == std::endian::little, "workspace files store little-endian arrays");

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return s_; }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void Bind(int i, std::string_view v) { sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void BindBlob(int i, const void* p, size_t n) {
    sqlite3_bind_blob64(s_, i, n ? p : "", static_cast<sqlite3_uint64>(n), SQLITE_STATIC);
  }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t Int(int c) { return sqlite3_column_int64(s_, c); }
  double Double(int c) { return sqlite3_column_double(s_, c); }
  std::string_view Text(int c) {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string_view(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }
  std::string_view Blob(int c) {
    const void* p = sqlite3_column_blob(s_, c);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }
  bool IsNull(int c) { return sqlite3_column_type(s_, c) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int rc_;
};

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE schema_version(version INTEGER NOT NULL);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE strings(kind INTEGER NOT NULL, first_code INTEGER NOT NULL, count INTEGER NOT NULL,
                     offsets BLOB NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY(kind, first_code));
CREATE TABLE event_ids(first_arrival INTEGER PRIMARY KEY, count INTEGER NOT NULL, offsets BLOB NOT NULL,
                       bytes BLOB NOT NULL);
CREATE TABLE event_chunks(chunk INTEGER PRIMARY KEY, rows INTEGER NOT NULL, first_arrival INTEGER NOT NULL);
CREATE TABLE chunk_columns(chunk INTEGER NOT NULL, name TEXT NOT NULL, type INTEGER NOT NULL, data BLOB NOT NULL,
                           PRIMARY KEY(chunk, name));
CREATE TABLE quarantine(seq INTEGER PRIMARY KEY, source TEXT, line INTEGER, "column" TEXT, value TEXT, code TEXT,
                        reason TEXT, record TEXT);
CREATE TABLE reports(seq INTEGER PRIMARY KEY, source TEXT, read INTEGER, accepted INTEGER, quarantined INTEGER,
                     duplicates INTEGER, bytes INTEGER, seconds REAL, reasons TEXT, warnings TEXT);
CREATE TABLE ops(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, a TEXT, b TEXT, ts INTEGER, payload TEXT);
INSERT INTO schema_version VALUES(1);
)sql";

// Version 2 adds link provenance times and the audit log.
constexpr const char* kMigrateV1toV2 = R"sql(
CREATE TABLE link_times(a TEXT NOT NULL, b TEXT NOT NULL, status INTEGER NOT NULL, applied_at INTEGER NOT NULL,
                        PRIMARY KEY(a, b));
CREATE TABLE audit(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, action TEXT NOT NULL, detail TEXT);
UPDATE schema_version SET version = 2;
)sql";

// Version 3 chains the audit log: each row stores the SHA-256 of the previous row's hash and its own
// fields (computed by the workspace; rows of older files get theirs when first opened for writing).
constexpr const char* kMigrateV2toV3 = R"sql(
ALTER TABLE audit ADD COLUMN hash TEXT;
UPDATE schema_version SET version = 3;
)sql";

// Version 4 keeps tombstones of erased identifiers (keyed hashes; the key is meta 'erasure_secret').
constexpr const char* kMigrateV3toV4 = R"sql(
CREATE TABLE IF NOT EXISTS tombstones(hash TEXT PRIMARY KEY, short INTEGER NOT NULL, type TEXT NOT NULL,
                        erased_at INTEGER NOT NULL);
UPDATE schema_version SET version = 4;
)sql";

// Encodes a map of counts as "k=v;k=v" (keys are quarantine codes: no '=' or ';').
std::string EncodeCounts(const std::map<std::string, int64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += Cat(out.empty() ? "" : ";", k, "=", v);
  return out;
}
std::map<std::string, int64_t> DecodeCounts(std::string_view s) {
  std::map<std::string, int64_t> out;
  while (!s.empty()) {
    size_t semi = s.find(';');
    std::string_view item = s.substr(0, semi);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos) out[std::string(item.substr(0, eq))] = std::strtoll(std::string(item.substr(eq + 1)).c_str(), nullptr, 10);
    if (semi == std::string_view::npos) break;
    s.remove_prefix(semi + 1);
  }
  return out;
}

template <typename T>
void CopyBlob(std::string_view blob, Vec<T>* out) {
  out->resize(blob.size() / sizeof(T));
  if (!blob.empty()) std::memcpy(out->data(), blob.data(), out->size() * sizeof(T));
}

}  // namespace

absl::Status WorkspaceFile::Error(std::string_view what) const {
  return absl::InternalError(Cat("workspace \"", path_, "\": ", what, ": ", db_ ? sqlite3_errmsg(db_) : "no database"));
}

absl::Status WorkspaceFile::Exec(std::string_view sql) const {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return absl::InternalError(Cat("workspace \"", path_, "\": ", msg));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WorkspaceFile>> WorkspaceFile::Open(const std::string& path, bool read_only) {
  std::unique_ptr<WorkspaceFile> f(new WorkspaceFile());
  f->path_ = path;
  f->read_only_ = read_only;
  if (read_only) {
    if (access(path.c_str(), F_OK) != 0)
      return absl::NotFoundError(Cat("workspace \"", path, "\" does not exist (a read-only open never creates it)"));
  } else {
    const std::string lock = path + "-lock";
    f->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f->lock_fd_ < 0)
      return absl::PermissionDeniedError(Cat("workspace \"", path, "\": cannot create the lock file \"", lock,
                                             "\": ", std::strerror(errno)));
    if (flock(f->lock_fd_, LOCK_EX | LOCK_NB) != 0)
      return absl::FailedPreconditionError(Cat("workspace \"", path,
                                               "\" is open for writing in another process (one writer, many "
                                               "readers): open it read-only or close the other writer"));
  }
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &f->db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    return absl::PermissionDeniedError(Cat("workspace \"", path, "\": cannot open: ",
                                           f->db_ ? sqlite3_errmsg(f->db_) : "out of memory"));
  sqlite3_busy_timeout(f->db_, 10'000);
  // Is it a workspace? An empty file becomes one; another SQLite database or a non-database is refused.
  {
    Stmt s(f->db_, "SELECT count(*) FROM sqlite_master");
    if (!s.ok() || s.Step() != SQLITE_ROW)
      return absl::InvalidArgumentError(Cat("workspace \"", path, "\" is not a cdpcore workspace (not an SQLite database: ",
                                            sqlite3_errmsg(f->db_), ")"));
  }
  if (!read_only) {
    if (auto st = f->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"); !st.ok())
      return st;
  }
  if (auto st = f->CreateOrMigrate(); !st.ok()) return st;
  Stmt c(f->db_, "SELECT coalesce(max(chunk) + 1, 0) FROM event_chunks");
  if (c.ok() && c.Step() == SQLITE_ROW) f->next_chunk_ = c.Int(0);
  return f;
}

absl::Status WorkspaceFile::CreateOrMigrate() {
  int tables = 0;
  {
    Stmt s(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    if (s.Step() == SQLITE_ROW) tables = static_cast<int>(s.Int(0));
  }
  if (tables == 0) {
    if (read_only_)
      return absl::NotFoundError(Cat("workspace \"", path_, "\" is empty (no writer has committed to it yet)"));
    // One transaction: a crash leaves an empty file (recreated by the next writer), never half a schema.
    if (auto st = Exec(Cat("BEGIN;", kSchemaV1, kMigrateV1toV2, kMigrateV2toV3, kMigrateV3toV4,
                           "INSERT INTO meta(key, value) VALUES('byte_order', 'little'), ('created_by', 'cdpcore 0.1.0');"
                           "COMMIT;"));
        !st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
    opened_version_ = kSchemaVersion;
    return absl::OkStatus();
  }
  Stmt s(db_, "SELECT version FROM schema_version");
  if (!s.ok() || s.Step() != SQLITE_ROW)
    return absl::InvalidArgumentError(Cat("workspace \"", path_,
                                          "\" is an SQLite database but not a cdpcore workspace (no schema_version)"));
  opened_version_ = static_cast<int>(s.Int(0));
  if (opened_version_ > kSchemaVersion)
    return absl::FailedPreconditionError(Cat("workspace \"", path_, "\" has schema version ", opened_version_,
                                             ", written by a newer cdpcore; this version reads schema versions up to ",
                                             kSchemaVersion, ". Upgrade cdpcore to open it"));
  if (opened_version_ < 1)
    return absl::InvalidArgumentError(Cat("workspace \"", path_, "\" has an invalid schema version ", opened_version_));
  if (opened_version_ < kSchemaVersion) {
    if (read_only_)
      return absl::FailedPreconditionError(Cat("workspace \"", path_, "\" has schema version ", opened_version_,
                                               " and must be migrated to ", kSchemaVersion,
                                               ": open it once for writing"));
    std::string sql = "BEGIN;";
    if (opened_version_ < 2) sql += kMigrateV1toV2;
    if (opened_version_ < 3) sql += kMigrateV2toV3;
    if (opened_version_ < 4) sql += kMigrateV3toV4;
    sql += "COMMIT;";
    if (auto st = Exec(sql); !st.ok()) {
      (void)Exec("ROLLBACK");
      return st;
    }
  }
  auto order = GetMeta("byte_order");
  if (order.ok() && !order->empty() && *order != "little")
    return absl::FailedPreconditionError(Cat("workspace \"", path_, "\" was written on a big-endian machine"));
  return absl::OkStatus();
}

WorkspaceFile::~WorkspaceFile() {
  if (db_) sqlite3_close_v2(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the writer lock
}

absl::Status WorkspaceFile::Begin(bool write) { return Exec(write ? "BEGIN IMMEDIATE" : "BEGIN"); }
absl::Status WorkspaceFile::Commit() { return Exec("COMMIT"); }
void WorkspaceFile::Rollback() {
  (void)Exec("ROLLBACK");
  // A rolled-back rewrite (erasure) may have renumbered chunks: continue after what is committed.
  Stmt c(db_, "SELECT coalesce(max(chunk) + 1, 0) FROM event_chunks");
  if (c.ok() && c.Step() == SQLITE_ROW) next_chunk_ = c.Int(0);
}
absl::Status WorkspaceFile::Checkpoint() { return Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

absl::Status WorkspaceFile::PutMeta(std::string_view key, std::string_view value) {
  Stmt s(db_, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.Bind(1, key);
  s.Bind(2, value);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write meta");
}

absl::StatusOr<std::string> WorkspaceFile::GetMeta(std::string_view key) const {
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?");
  s.Bind(1, key);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return std::string(s.Text(0));
  if (rc == SQLITE_DONE) return std::string();
  return Error("read meta");
}

absl::Status WorkspaceFile::AppendStrings(int kind, const StringDictionary& dict, int32_t from) {
  constexpr int32_t kChunk = 1 << 20;
  Stmt s(db_, "INSERT INTO strings(kind, first_code, count, offsets, bytes) VALUES(?, ?, ?, ?, ?)");
  for (int32_t begin = from; begin < dict.size(); begin += kChunk) {
    const int32_t end = std::min(dict.size(), begin + kChunk);
    std::vector<uint32_t> offsets;
    std::string bytes;
    offsets.reserve(static_cast<size_t>(end - begin) + 1);
    offsets.push_back(0);
    for (int32_t c = begin; c < end; ++c) {
      bytes.append(dict.Get(c));
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
    s.Bind(1, int64_t{kind});
    s.Bind(2, int64_t{begin});
    s.Bind(3, int64_t{end - begin});
    s.BindBlob(4, offsets.data(), offsets.size() * sizeof(uint32_t));
    s.BindBlob(5, bytes.data(), bytes.size());
    if (s.Step() != SQLITE_DONE) return Error("write strings");
    s.Reset();
  }
  return absl::OkStatus();
}

absl::Status WorkspaceFile::LoadStrings(int kind, StringDictionary* dict) const {
  Stmt s(db_, "SELECT first_code, count, offsets, bytes FROM strings WHERE kind = ? ORDER BY first_code");
  s.Bind(1, int64_t{kind});
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    const int64_t first = s.Int(0), count = s.Int(1);
    std::string_view off = s.Blob(2), bytes = s.Blob(3);
    if (first != dict->size() || off.size() != static_cast<size_t>(count + 1) * 4)
      return absl::DataLossError(Cat("workspace \"", path_, "\": string chunk at code ", first, " is out of sequence"));
    const uint32_t* o = reinterpret_cast<const uint32_t*>(off.data());
    for (int64_t i = 0; i < count; ++i) {
      if (o[i + 1] < o[i] || o[i + 1] > bytes.size())
        return absl::DataLossError(Cat("workspace \"", path_, "\": string chunk at code ", first, " is corrupt"));
      const int32_t code = dict->Intern(bytes.substr(o[i], o[i + 1] - o[i]));
      if (code != first + i)
        return absl::DataLossError(Cat("workspace \"", path_, "\": duplicate string in chunk at code ", first));
    }
  }
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read strings");
}

absl::Status WorkspaceFile::AppendEventIds(const EventIdIndex& ids, uint32_t from, uint32_t to) {
  constexpr uint32_t kChunk = 1 << 20;
  Stmt s(db_, "INSERT INTO event_ids(first_arrival, count, offsets, bytes) VALUES(?, ?, ?, ?)");
  for (uint32_t begin = from; begin < to; begin += kChunk) {
    const uint32_t end = std::min(to, begin + kChunk);
    std::vector<uint32_t> offsets{0};
    std::string bytes;
    for (uint32_t a = begin; a < end; ++a) {
      bytes.append(ids.Get(a));
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
    s.Bind(1, int64_t{begin});
    s.Bind(2, int64_t{end - begin});
    s.BindBlob(3, offsets.data(), offsets.size() * 4);
    s.BindBlob(4, bytes.data(), bytes.size());
    if (s.Step() != SQLITE_DONE) return Error("write event ids");
    s.Reset();
  }
  return absl::OkStatus();
}

absl::Status WorkspaceFile::LoadEventIds(EventIdIndex* ids) const {
  Stmt s(db_, "SELECT first_arrival, count, offsets, bytes FROM event_ids ORDER BY first_arrival");
  int rc;
  std::vector<std::string_view> views;
  std::vector<uint32_t> out;
  while ((rc = s.Step()) == SQLITE_ROW) {
    const int64_t first = s.Int(0), count = s.Int(1);
    std::string_view off = s.Blob(2), bytes = s.Blob(3);
    if (first != ids->size() || off.size() != static_cast<size_t>(count + 1) * 4)
      return absl::DataLossError(Cat("workspace \"", path_, "\": event-id chunk at ", first, " is out of sequence"));
    const uint32_t* o = reinterpret_cast<const uint32_t*>(off.data());
    views.clear();
    for (int64_t i = 0; i < count; ++i) {
      if (o[i + 1] < o[i] || o[i + 1] > bytes.size())
        return absl::DataLossError(Cat("workspace \"", path_, "\": event-id chunk at ", first, " is corrupt"));
      views.push_back(bytes.substr(o[i], o[i + 1] - o[i]));
    }
    ids->Reserve(static_cast<size_t>(ids->size()) + views.size(), bytes.size());
    ids->InsertMany(views, &out);
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i] != static_cast<uint32_t>(first) + i)
        return absl::DataLossError(Cat("workspace \"", path_, "\": duplicate event id in chunk at ", first));
  }
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read event ids");
}

absl::Status WorkspaceFile::AppendEvents(const EventColumns& cols, size_t begin, size_t end) {
  constexpr size_t kChunk = 1 << 20;
  Stmt chunk(db_, "INSERT INTO event_chunks(chunk, rows, first_arrival) VALUES(?, ?, ?)");
  Stmt col(db_, "INSERT INTO chunk_columns(chunk, name, type, data) VALUES(?, ?, ?, ?)");
  for (size_t b = begin; b < end; b += kChunk) {
    const size_t e = std::min(end, b + kChunk), n = e - b;
    chunk.Bind(1, next_chunk_);
    chunk.Bind(2, static_cast<int64_t>(n));
    chunk.Bind(3, static_cast<int64_t>(cols.arrival[b]));
    if (chunk.Step() != SQLITE_DONE) return Error("write event chunk");
    chunk.Reset();
    auto put = [&](std::string_view name, int type, const void* data, size_t bytes) -> bool {
      col.Bind(1, next_chunk_);
      col.Bind(2, name);
      col.Bind(3, int64_t{type});
      col.BindBlob(4, data, bytes);
      const bool ok = col.Step() == SQLITE_DONE;
      col.Reset();
      return ok;
    };
    bool ok = put("@ts", 0, cols.ts.data() + b, n * 8) && put("@type", 3, cols.type.data() + b, n * 4) &&
              put("@profile", 3, cols.profile.data() + b, n * 4) && put("@revenue", 1, cols.revenue.data() + b, n * 8) &&
              put("@arrival", 0, cols.arrival.data() + b, n * 4);
    for (size_t i = 0; ok && i < cols.names.size(); ++i) {
      const Column& c = cols.columns[i];
      switch (c.type) {
        case ColumnType::kInt64: ok = put(cols.names[i], 0, c.i64.data() + b, n * 8); break;
        case ColumnType::kDouble: ok = put(cols.names[i], 1, c.f64.data() + b, n * 8); break;
        case ColumnType::kBool: ok = put(cols.names[i], 2, c.b.data() + b, n); break;
        case ColumnType::kString: ok = put(cols.names[i], 3, c.str.data() + b, n * 4); break;
      }
    }
    if (!ok) return Error("write event columns");
    ++next_chunk_;
  }
  return absl::OkStatus();
}

absl::Status WorkspaceFile::LoadEvents(const std::function<void(EventColumns&)>& sink) const {
  Stmt chunks(db_, "SELECT chunk, rows FROM event_chunks ORDER BY chunk");
  Stmt cols(db_, "SELECT name, type, data FROM chunk_columns WHERE chunk = ? ORDER BY rowid");
  int rc;
  EventColumns batch;
  while ((rc = chunks.Step()) == SQLITE_ROW) {
    const int64_t chunk = chunks.Int(0);
    const size_t rows = static_cast<size_t>(chunks.Int(1));
    batch.Clear();
    cols.Bind(1, chunk);
    int rc2;
    while ((rc2 = cols.Step()) == SQLITE_ROW) {
      std::string name(cols.Text(0));
      const int type = static_cast<int>(cols.Int(1));
      std::string_view data = cols.Blob(2);
      const size_t width = type == 2 ? 1 : (type == 3 ? 4 : 8);
      if (type < 0 || type > 3 || data.size() != rows * (name == "@arrival" ? 4 : width))
        return absl::DataLossError(Cat("workspace \"", path_, "\": chunk ", chunk, " column \"", name, "\" is corrupt"));
      if (name == "@ts") CopyBlob(data, &batch.ts);
      else if (name == "@type") CopyBlob(data, &batch.type);
      else if (name == "@profile") CopyBlob(data, &batch.profile);
      else if (name == "@revenue") CopyBlob(data, &batch.revenue);
      else if (name == "@arrival") CopyBlob(data, &batch.arrival);
      else {
        Column& c = batch.FindOrAdd(name, static_cast<ColumnType>(type));
        switch (c.type) {
          case ColumnType::kInt64: CopyBlob(data, &c.i64); break;
          case ColumnType::kDouble: CopyBlob(data, &c.f64); break;
          case ColumnType::kBool: CopyBlob(data, &c.b); break;
          case ColumnType::kString: CopyBlob(data, &c.str); break;
        }
      }
    }
    if (rc2 != SQLITE_DONE) return Error("read event columns");
    cols.Reset();
    if (batch.ts.size() != rows || batch.type.size() != rows || batch.profile.size() != rows ||
        batch.revenue.size() != rows || batch.arrival.size() != rows)
      return absl::DataLossError(Cat("workspace \"", path_, "\": chunk ", chunk, " lacks a core column"));
    sink(batch);
  }
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read event chunks");
}

absl::Status WorkspaceFile::AppendQuarantine(const std::vector<QuarantineRow>& rows, size_t from) {
  Stmt s(db_, "INSERT INTO quarantine(source, line, \"column\", value, code, reason, record) VALUES(?,?,?,?,?,?,?)");
  for (size_t i = from; i < rows.size(); ++i) {
    const QuarantineRow& q = rows[i];
    s.Bind(1, q.source);
    s.Bind(2, q.line);
    s.Bind(3, q.column);
    s.Bind(4, q.value);
    s.Bind(5, q.code);
    s.Bind(6, q.reason);
    s.Bind(7, q.record);
    if (s.Step() != SQLITE_DONE) return Error("write quarantine");
    s.Reset();
  }
  return absl::OkStatus();
}

absl::Status WorkspaceFile::LoadQuarantine(std::vector<QuarantineRow>* rows) const {
  Stmt s(db_, "SELECT source, line, \"column\", value, code, reason, record FROM quarantine ORDER BY seq");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    rows->push_back(QuarantineRow{std::string(s.Text(0)), s.Int(1), std::string(s.Text(2)), std::string(s.Text(3)),
                                  std::string(s.Text(4)), std::string(s.Text(5)), std::string(s.Text(6))});
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read quarantine");
}

absl::Status WorkspaceFile::AppendReport(const IngestReport& r) {
  Stmt s(db_, "INSERT INTO reports(source, read, accepted, quarantined, duplicates, bytes, seconds, reasons, warnings) "
              "VALUES(?,?,?,?,?,?,?,?,?)");
  s.Bind(1, r.source);
  s.Bind(2, r.read);
  s.Bind(3, r.accepted);
  s.Bind(4, r.quarantined);
  s.Bind(5, r.duplicates);
  s.Bind(6, r.bytes);
  s.Bind(7, r.seconds);
  s.Bind(8, EncodeCounts(r.reasons));
  s.Bind(9, EncodeCounts(r.warnings));
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write report");
}

absl::Status WorkspaceFile::LoadReports(std::vector<IngestReport>* reports) const {
  Stmt s(db_, "SELECT source, read, accepted, quarantined, duplicates, bytes, seconds, reasons, warnings FROM reports "
              "ORDER BY seq");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    IngestReport r;
    r.source = std::string(s.Text(0));
    r.read = s.Int(1);
    r.accepted = s.Int(2);
    r.quarantined = s.Int(3);
    r.duplicates = s.Int(4);
    r.bytes = s.Int(5);
    r.seconds = s.Double(6);
    r.reasons = DecodeCounts(s.Text(7));
    r.warnings = DecodeCounts(s.Text(8));
    reports->push_back(std::move(r));
  }
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read reports");
}

absl::Status WorkspaceFile::AppendOp(const FileOp& op) {
  Stmt s(db_, "INSERT INTO ops(kind, a, b, ts, payload) VALUES(?,?,?,?,?)");
  s.Bind(1, op.kind);
  s.Bind(2, op.a);
  s.Bind(3, op.b);
  s.Bind(4, op.ts);
  s.Bind(5, op.payload);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write operation");
}

absl::Status WorkspaceFile::LoadOps(std::vector<FileOp>* ops) const {
  Stmt s(db_, "SELECT seq, kind, a, b, ts, payload FROM ops ORDER BY seq");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    ops->push_back(FileOp{s.Int(0), std::string(s.Text(1)), std::string(s.Text(2)), std::string(s.Text(3)),
                          std::string(s.Text(5)), s.Int(4)});
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read operations");
}

absl::Status WorkspaceFile::SetLinkTime(std::string_view a, std::string_view b, int status, Micros applied_at) {
  Stmt s(db_, "INSERT INTO link_times(a, b, status, applied_at) VALUES(?,?,?,?) ON CONFLICT(a, b) DO UPDATE SET "
              "status = excluded.status, applied_at = excluded.applied_at");
  s.Bind(1, a);
  s.Bind(2, b);
  s.Bind(3, int64_t{status});
  s.Bind(4, applied_at);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write link time");
}

absl::Status WorkspaceFile::LoadLinkTimes(std::vector<LinkTime>* out) const {
  Stmt s(db_, "SELECT a, b, status, applied_at FROM link_times");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out->push_back(LinkTime{std::string(s.Text(0)), std::string(s.Text(1)), static_cast<int>(s.Int(2)), s.Int(3)});
  return rc == SQLITE_DONE ? absl::OkStatus() : Error("read link times");
}

absl::Status WorkspaceFile::Audit(Micros ts, std::string_view action, std::string_view detail, std::string_view hash) {
  Stmt s(db_, "INSERT INTO audit(ts, action, detail, hash) VALUES(?,?,?,?)");
  s.Bind(1, ts);
  s.Bind(2, action);
  s.Bind(3, detail);
  s.Bind(4, hash);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write audit");
}

absl::Status WorkspaceFile::SetAuditHash(int64_t seq, std::string_view hash) {
  Stmt s(db_, "UPDATE audit SET hash = ? WHERE seq = ?");
  s.Bind(1, hash);
  s.Bind(2, seq);
  return s.Step() == SQLITE_DONE ? absl::OkStatus() : Error("write audit hash");
}

absl::Status WorkspaceFile::WriteTable(std::string_view name, const Table& t) {
  std::string quoted = Cat("\"", name, "\"");
  std::string create = Cat("DROP TABLE IF EXISTS ", quoted, "; CREATE TABLE ", quoted, "(");
  std::string insert = Cat("INSERT INTO ", quoted, " VALUES(");
  for (size_t c = 0; c < t.columns.size(); ++c) {
    std::string col = t.names[c];
    for (char& ch : col)
      if (ch == '"') ch = '_';
    const char* type = "TEXT";
    switch (t.columns[c].type) {
      case ColumnType::kInt64:
      case ColumnType::kBool: type = "INTEGER"; break;
      case ColumnType::kDouble: type = "REAL"; break;
      case ColumnType::kString: type = "TEXT"; break;
    }
    create += Cat(c ? ", " : "", "\"", col, "\" ", type);
    insert += c ? ",?" : "?";
  }
  create += ");";
  insert += ")";
  if (auto st = Exec(create); !st.ok()) return st;
  Stmt s(db_, insert);
  if (!s.ok()) return Error("prepare snapshot insert");
  for (size_t r = 0; r < t.rows(); ++r) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const Column& col = t.columns[c];
      const int i = static_cast<int>(c) + 1;
      if (col.IsNull(r)) {
        s.BindNull(i);
        continue;
      }
      switch (col.type) {
        case ColumnType::kInt64: s.Bind(i, col.i64[r]); break;
        case ColumnType::kBool: s.Bind(i, int64_t{col.b[r]}); break;
        case ColumnType::kDouble: s.Bind(i, col.f64[r]); break;
        case ColumnType::kString: s.Bind(i, t.dict->Get(col.str[r])); break;
      }
    }
    if (s.Step() != SQLITE_DONE) return Error(Cat("write snapshot table ", name));
    s.Reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<Table> WorkspaceFile::ReadTable(std::string_view sql) const {
  Stmt s(db_, sql);
  if (!s.ok()) return absl::InvalidArgumentError(Cat("workspace \"", path_, "\": ", sqlite3_errmsg(db_)));
  Table t;
  const int n = sqlite3_column_count(s.get());
  std::vector<Column*> cols;
  for (int c = 0; c < n; ++c) cols.push_back(&t.Add(sqlite3_column_name(s.get(), c), ColumnType::kString));
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    for (int c = 0; c < n; ++c) {
      if (s.IsNull(c)) cols[static_cast<size_t>(c)]->str.push_back(kNullCode);
      else t.AppendString(*cols[static_cast<size_t>(c)], s.Text(c));
    }
  if (rc != SQLITE_DONE) return Error("query");
  return t;
}

absl::StatusOr<std::string> WorkspaceFile::IntegrityCheck() const {
  Stmt s(db_, "PRAGMA integrity_check");
  std::string out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out += Cat(out.empty() ? "" : "\n", s.Text(0));
  if (rc != SQLITE_DONE) return Error("integrity check");
  return out;
}

}  // namespace cdp::internal
