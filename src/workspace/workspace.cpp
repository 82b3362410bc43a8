#include "cdp/workspace.hpp"

#include <chrono>
#include <future>

#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {
double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

void Workspace::Rollback(const Checkpoint& c) {
  store_.Truncate(c.rows);
  store_.ids().Truncate(c.ids);
}

absl::StatusOr<IngestReport> Workspace::Commit(Ingestor& ingestor, double seconds, size_t first_row,
                                               std::string action) {
  IngestReport report = ingestor.report();
  report.seconds = seconds;
  if (!report.consistent())
    return absl::InternalError(Cat("ingest report does not add up: read ", report.read, " != accepted ",
                                   report.accepted, " + quarantined ", report.quarantined, " + duplicates ",
                                   report.duplicates));
  auto& q = ingestor.quarantine();
  AuditEntry audit{absl::ToUnixMicros(absl::Now()), std::move(action),
                   Cat("{\"source\":", JsonQuote(report.source), ",\"read\":", report.read, ",\"accepted\":",
                       report.accepted, ",\"quarantined\":", report.quarantined, ",\"duplicates\":",
                       report.duplicates, "}")};
  // The file first: when it fails, the caller's guard undoes the call in memory too.
  if (auto st = Persist(first_row, q, &report, nullptr, audit); !st.ok()) return st;
  quarantine_.insert(quarantine_.end(), std::make_move_iterator(q.begin()), std::make_move_iterator(q.end()));
  q.clear();
  reports_.push_back(report);
  return report;
}

namespace {
// Undoes an ingest call unless it committed: covers error returns and exceptions (a progress
// callback that throws, bad_alloc) alike.
template <typename Undo>
class UndoUnlessCommitted {
 public:
  explicit UndoUnlessCommitted(Undo undo) : undo_(std::move(undo)) {}
  ~UndoUnlessCommitted() {
    if (!committed_) undo_();
  }
  template <typename T>
  T Keep(T result) {
    committed_ = result.ok();
    return result;
  }

 private:
  Undo undo_;
  bool committed_ = false;
};
}  // namespace

template <typename Reader, typename Options>
absl::StatusOr<IngestReport> Workspace::IngestReader(Reader& reader, const IngestOptions& options,
                                                     std::string source, bool fixed_columns) {
  if (auto st = Writable("ingest"); !st.ok()) return st;
  auto t0 = std::chrono::steady_clock::now();
  IngestTarget target = Target();
  auto ingestor = Ingestor::Create(options, target, std::move(source));
  if (!ingestor.ok()) return ingestor.status();
  const Checkpoint checkpoint{store_.size(), store_.ids().size()};
  UndoUnlessCommitted guard([this, checkpoint] { Rollback(checkpoint); });
  // Two batches in flight: the reader fills one on a second thread while this one is processed.
  // Cells of a batch live in the reader's file buffer or in the batch itself, so they stay valid.
  TextBatch batches[2];
  int cur = 0;
  EventColumns accepted;
  bool bound = false, first_batch = true;
  absl::Status status;
  absl::StatusOr<bool> more = reader.Next(&batches[cur]);
  while (true) {
    if (!more.ok()) {
      status = more.status();
      break;
    }
    const bool has_more = *more;
    std::future<absl::StatusOr<bool>> next;
    if (has_more) next = std::async(std::launch::async, [&reader, &batches, cur] { return reader.Next(&batches[1 - cur]); });
    TextBatch& batch = batches[cur];
    if (!bound || !fixed_columns) {
      // A header-only CSV still binds, so a bad mapping is reported.
      status = (*ingestor)->Bind(batch.names, fixed_columns);
      bound = status.ok();
    }
    if (status.ok() && (batch.rows() > 0 || !batch.errors.empty())) {
      status = (*ingestor)->Process(TextSource(batch), &accepted);
      if (status.ok()) store_.Append(accepted);
    }
    if (next.valid()) more = next.get();
    if (!status.ok() || !has_more) break;
    if (first_batch && reader.bytes_read() > 0 && batch.rows() > 0) {
      // Size the store and the id index for the whole file from the first batch's density.
      // The reader is idle here and has read this batch and the next one.
      const size_t rows_read = batch.rows() + batches[1 - cur].rows();
      double expected = static_cast<double>(rows_read) * static_cast<double>(reader.bytes_total()) /
                        static_cast<double>(reader.bytes_read());
      size_t rows = static_cast<size_t>(expected * 1.05);
      store_.Reserve(rows);
      store_.ids().Reserve(rows, rows * 16);
    }
    first_batch = false;
    if (options.progress) options.progress(reader.bytes_read(), reader.bytes_total());
    cur = 1 - cur;
  }
  if (!status.ok()) {
    return status;  // the guard undoes everything this call stored
  }
  (*ingestor)->report().bytes = reader.bytes_total();
  return guard.Keep(Commit(**ingestor, Since(t0), checkpoint.rows, "ingest"));
}

absl::StatusOr<IngestReport> Workspace::IngestCsv(const std::string& path, const IngestOptions& options,
                                                  const CsvOptions& csv) {
  auto reader = CsvReader::Open(path, csv);
  if (!reader.ok()) return reader.status();
  return IngestReader<CsvReader, CsvOptions>(**reader, options, path, true);
}

absl::StatusOr<IngestReport> Workspace::IngestCsvText(std::string text, const IngestOptions& options,
                                                      const CsvOptions& csv) {
  auto reader = CsvReader::FromString(std::move(text), csv, options.source.empty() ? "<csv>" : options.source);
  if (!reader.ok()) return reader.status();
  return IngestReader<CsvReader, CsvOptions>(**reader, options, "<csv>", true);
}

absl::StatusOr<IngestReport> Workspace::IngestNdjson(const std::string& path, const IngestOptions& options,
                                                     const NdjsonOptions& ndjson) {
  auto reader = NdjsonReader::Open(path, ndjson);
  if (!reader.ok()) return reader.status();
  return IngestReader<NdjsonReader, NdjsonOptions>(**reader, options, path, false);
}

absl::StatusOr<IngestReport> Workspace::IngestNdjsonText(std::string text, const IngestOptions& options,
                                                         const NdjsonOptions& ndjson) {
  auto reader = NdjsonReader::FromString(std::move(text), ndjson,
                                         options.source.empty() ? "<ndjson>" : options.source);
  if (!reader.ok()) return reader.status();
  return IngestReader<NdjsonReader, NdjsonOptions>(**reader, options, "<ndjson>", false);
}

absl::StatusOr<IngestReport> Workspace::IngestColumns(const SourceBatch& batch, const IngestOptions& options) {
  return IngestColumnsAs(batch, options, "ingest");
}

absl::StatusOr<IngestReport> Workspace::IngestColumnsAs(const SourceBatch& batch, const IngestOptions& options,
                                                        std::string action) {
  if (auto st = Writable(action); !st.ok()) return st;
  auto t0 = std::chrono::steady_clock::now();
  IngestTarget target = Target();
  auto ingestor = Ingestor::Create(options, target, "columns");
  if (!ingestor.ok()) return ingestor.status();
  const Checkpoint checkpoint{store_.size(), store_.ids().size()};
  UndoUnlessCommitted guard([this, checkpoint] { Rollback(checkpoint); });
  EventColumns accepted;
  std::vector<std::string> names;
  for (const SourceColumn& c : batch.columns) {
    if (std::find(names.begin(), names.end(), c.name) != names.end())
      return absl::InvalidArgumentError(Cat("columns: duplicate column name \"", c.name, "\""));
    names.push_back(c.name);
  }
  absl::Status status = (*ingestor)->Bind(names, true);
  store_.ids().Reserve(batch.rows, batch.rows * 16);
  store_.Reserve(batch.rows);
  if (status.ok()) {
    // Process in slices so progress can be reported and scratch stays bounded.
    constexpr size_t kSlice = 1 << 16;
    for (size_t begin = 0; begin < batch.rows && status.ok(); begin += kSlice) {
      size_t end = std::min(batch.rows, begin + kSlice);
      SourceBatch slice = batch;
      slice.rows = end - begin;
      slice.first_line = batch.first_line + static_cast<int64_t>(begin);
      slice.lines = batch.lines ? batch.lines + begin : nullptr;
      slice.errors = nullptr;
      for (SourceColumn& c : slice.columns) {
        if (c.cells) c.cells += begin;
        if (c.i64) c.i64 += begin;
        if (c.f64) c.f64 += begin;
        if (c.b) c.b += begin;
        if (c.valid) c.valid += begin;
        if (c.codes32) c.codes32 += begin;
        if (c.codes64) c.codes64 += begin;
      }
      status = (*ingestor)->Process(slice, &accepted);
      if (status.ok()) store_.Append(accepted);
      if (options.progress) options.progress(static_cast<int64_t>(end), static_cast<int64_t>(batch.rows));
    }
  }
  if (!status.ok()) {
    return status;
  }
  return guard.Keep(Commit(**ingestor, Since(t0), checkpoint.rows, std::move(action)));
}

absl::Status Workspace::ConfigurePush(const IngestOptions& options) {
  IngestTarget target = Target();
  auto ingestor = Ingestor::Create(options, target, "push");
  if (!ingestor.ok()) return ingestor.status();
  push_ = *std::move(ingestor);
  return absl::OkStatus();
}

absl::StatusOr<PushResult> Workspace::PushEvent(std::string_view json) {
  if (auto st = Writable("push"); !st.ok()) return st;
  if (!push_) {
    if (auto st = ConfigurePush(IngestOptions{}); !st.ok()) return st;
  }
  ++push_seq_;
  TextBatch batch;
  auto doc = ParseJson(json);
  std::vector<FlatField> fields;
  if (doc.ok() && doc->is_object()) {
    FlattenJson(*doc, &fields);
    batch.lines.push_back(push_seq_);
    for (const FlatField& f : fields) {
      batch.names.push_back(f.key);
      batch.columns.emplace_back(1);
      Cell& c = batch.columns.back()[0];
      c.text = f.text;
      c.present = true;
      c.quoted = f.is_string;
      c.null = f.is_null;
    }
  } else {
    batch.errors.push_back(RowError{push_seq_, "", std::string(json.substr(0, 200)),
                                    doc.ok() ? "event is not a JSON object"
                                             : Cat("not valid JSON: ", doc.status().message())});
  }
  if (auto st = push_->Bind(batch.names, false); !st.ok()) return st;
  IngestReport before = push_->report();
  EventColumns accepted;
  const Checkpoint checkpoint{store_.size(), store_.ids().size()};
  if (auto st = push_->Process(TextSource(batch), &accepted); !st.ok()) {
    Rollback(checkpoint);
    push_->report() = before;
    return st;
  }
  const IngestReport& after = push_->report();
  store_.Append(accepted);
  auto& q = push_->quarantine();
  if (auto st = Persist(checkpoint.rows, q, nullptr, nullptr, AuditEntry{}); !st.ok()) {
    Rollback(checkpoint);
    push_->report() = before;
    q.clear();
    return st;
  }
  quarantine_.insert(quarantine_.end(), std::make_move_iterator(q.begin()), std::make_move_iterator(q.end()));
  q.clear();
  push_report_ = after;
  if (after.accepted > before.accepted) {
    // Real-time segments follow every accepted event. The event is stored either way: a segment
    // that no longer compiles (a dropped trait) reports its error when evaluated by name.
    if (std::any_of(segments_.begin(), segments_.end(), [](const SegmentSpec& sp) { return sp.realtime; }))
      (void)RefreshRealtime(Clock());
    return PushResult::kAccepted;
  }
  if (after.duplicates > before.duplicates) return PushResult::kDuplicate;
  return PushResult::kQuarantined;
}

const EventStore& Workspace::events() {
  if (auto st = EnsureResolved(); !st.ok()) store_.Merge();  // rules are validated when set: cannot fail
  return store_;
}

Table Workspace::EventsTable(const std::vector<std::string>* only) {
  events();
  return EventRowsTable(0, store_.size(), false, only);
}

Table Workspace::EventRowsTable(size_t begin, size_t end, bool newest_first, const std::vector<std::string>* only) {
  auto want = [only](std::string_view name) {
    return only == nullptr || std::find(only->begin(), only->end(), name) != only->end();
  };
  const EventColumns& c = store_.columns();
  const size_t n = end - begin;
  std::vector<uint32_t> rows(n);
  for (size_t k = 0; k < n; ++k) rows[k] = static_cast<uint32_t>(newest_first ? end - 1 - k : begin + k);
  Table t;
  const StringDictionary& src = store_.dict();
  std::vector<int32_t> memo(static_cast<size_t>(src.size()), kNullCode);
  auto remap = [&](const Vec<int32_t>& codes, Column& out) {
    out.str.resize(n);
    for (size_t k = 0; k < n; ++k) {
      int32_t code = codes[rows[k]];
      if (code == kNullCode) {
        out.str[k] = kNullCode;
        continue;
      }
      int32_t& m = memo[static_cast<size_t>(code)];
      if (m == kNullCode) m = t.dict->Intern(src.Get(code));
      out.str[k] = m;
    }
  };
  auto gather = [&](const auto& v, auto& out) {
    out.resize(n);
    for (size_t k = 0; k < n; ++k) out[k] = v[rows[k]];
  };
  if (want("event_id")) {
    Column& id = t.Add("event_id", ColumnType::kString);
    id.str.resize(n);
    for (size_t k = 0; k < n; ++k) id.str[k] = t.dict->Intern(store_.event_id(rows[k]));
  }
  if (want("type")) remap(c.type, t.Add("type", ColumnType::kString));
  if (want("ts")) gather(c.ts, t.Add("ts", ColumnType::kInt64).i64);
  const bool resolved = store_.profiles_resolved() && profiles_valid_;
  if (resolved && want("profile")) {
    Column& p = t.Add("profile", ColumnType::kInt64);
    p.i64.resize(n);
    for (size_t k = 0; k < n; ++k) p.i64[k] = c.profile[rows[k]] < 0 ? kNullInt64 : c.profile[rows[k]];
  }
  std::vector<int32_t> key_memo;
  Column* key_col = want("profile_key") ? &t.Add("profile_key", ColumnType::kString) : nullptr;
  if (key_col) key_col->str.resize(n);
  for (size_t k = 0; key_col && k < n; ++k) {
    Column& key = *key_col;
    const int32_t p = c.profile[rows[k]];
    if (p < 0) {
      key.str[k] = kNullCode;
    } else if (resolved) {
      if (static_cast<size_t>(p) >= key_memo.size()) key_memo.resize(static_cast<size_t>(p) + 1, kNullCode);
      int32_t& m = key_memo[static_cast<size_t>(p)];
      if (m == kNullCode) m = t.dict->Intern(identity_->NodeText(profiles_.key_node(p)));
      key.str[k] = m;
    } else {
      key.str[k] = t.dict->Intern(store_.keys().Get(p));
    }
  }
  if (want("revenue")) gather(c.revenue, t.Add("revenue", ColumnType::kDouble).f64);
  for (size_t i = 0; i < c.names.size(); ++i) {
    if (!want(c.names[i])) continue;
    const Column& col = c.columns[i];
    Column& out = t.Add(c.names[i], col.type);
    switch (col.type) {
      case ColumnType::kString: remap(col.str, out); break;
      case ColumnType::kInt64: gather(col.i64, out.i64); break;
      case ColumnType::kDouble: gather(col.f64, out.f64); break;
      case ColumnType::kBool: gather(col.b, out.b); break;
    }
  }
  return t;
}

Table Workspace::QuarantineTable() const {
  Table t;
  Column& source = t.Add("source", ColumnType::kString);
  Column& line = t.Add("line", ColumnType::kInt64);
  Column& column = t.Add("column", ColumnType::kString);
  Column& value = t.Add("value", ColumnType::kString);
  Column& code = t.Add("code", ColumnType::kString);
  Column& reason = t.Add("reason", ColumnType::kString);
  Column& record = t.Add("record", ColumnType::kString);
  for (const QuarantineRow& q : quarantine_) {
    t.AppendString(source, q.source);
    line.i64.push_back(q.line);
    t.AppendString(column, q.column);
    t.AppendString(value, q.value);
    t.AppendString(code, q.code);
    t.AppendString(reason, q.reason);
    t.AppendString(record, q.record);
  }
  return t;
}

EventSummary Workspace::Summary(int partitions) {
  events();
  EventSummary total;
  for (RowRange range : store_.PartitionByProfile(partitions)) total.Merge(SummarizeEvents(store_, range));
  return total;
}

}  // namespace cdp
