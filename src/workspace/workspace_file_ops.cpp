// Workspace: opening, loading and writing the workspace file; audit log; snapshot tables.
#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "cdp/privacy.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "store/workspace_file.hpp"
#include "workspace/serialize.hpp"

namespace cdp {

Workspace::~Workspace() = default;

Micros Workspace::Now() { return absl::ToUnixMicros(absl::Now()); }

absl::StatusOr<std::unique_ptr<Workspace>> Workspace::Open(std::string_view path, const OpenOptions& options) {
  std::unique_ptr<Workspace> ws(new Workspace());
  if (path.empty() || path == ":memory:") {
    if (options.read_only) return absl::InvalidArgumentError("read_only needs a workspace file, not \":memory:\"");
    return ws;
  }
  ws->path_ = std::string(path);
  auto file = internal::WorkspaceFile::Open(ws->path_, options.read_only);
  if (!file.ok()) return file.status();
  ws->file_ = *std::move(file);
  if (auto st = ws->Load(); !st.ok()) return st;
  return ws;
}

absl::Status Workspace::Load() {
  internal::WorkspaceFile& f = *file_;
  loading_ = true;
  struct Done {
    bool* flag;
    ~Done() { *flag = false; }
  } done{&loading_};
  // One read transaction: a reader beside a writer sees one committed state across every table.
  if (auto st = f.Begin(/*write=*/false); !st.ok()) return st;
  auto st0 = LoadFile(f);
  if (st0.ok()) return f.Commit();
  f.Rollback();
  return st0;
}

absl::Status Workspace::LoadFile(internal::WorkspaceFile& f) {
  if (auto st = f.LoadStrings(0, &store_.dict()); !st.ok()) return st;
  if (auto st = f.LoadStrings(1, &store_.keys()); !st.ok()) return st;
  if (auto st = f.LoadEventIds(&store_.ids()); !st.ok()) return st;
  absl::Status bad;
  auto st = f.LoadEvents([&](EventColumns& batch) {
    for (uint32_t a : batch.arrival)
      if (a >= store_.ids().size()) bad = absl::DataLossError(Cat("workspace \"", path_, "\": an event has no id"));
    store_.Append(batch);
  });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  saved_strings_ = store_.dict().size();
  saved_keys_ = store_.keys().size();
  saved_ids_ = store_.ids().size();
  if (auto st2 = f.LoadQuarantine(&quarantine_); !st2.ok()) return st2;
  if (auto st2 = f.LoadReports(&reports_); !st2.ok()) return st2;
  if (auto st2 = LoadTombstones(f); !st2.ok()) return st2;  // workspace_erasure.cpp
  auto rules = f.GetMeta("identity_rules");
  if (!rules.ok()) return rules.status();
  if (!rules->empty()) {
    auto r = IdentityRulesFromJson(*rules);
    if (!r.ok()) return r.status();
    rules_ = *r;
  }
  std::vector<internal::FileOp> ops;
  if (auto st2 = f.LoadOps(&ops); !st2.ok()) return st2;
  for (const internal::FileOp& op : ops) {
    if (op.kind == "link" || op.kind == "remove") {
      manual_.push_back(ManualOp{op.kind == "link", op.a, op.b, op.ts});
    } else if (op.kind == "define_trait") {
      auto spec = TraitSpecFromJson(op.payload);
      if (!spec.ok()) return spec.status();
      if (auto st2 = traits_.Define(*spec, store_.columns()); !st2.ok())
        return absl::DataLossError(Cat("workspace \"", path_, "\": stored trait: ", st2.message()));
    } else if (op.kind == "drop_trait") {
      (void)traits_.Drop(op.a);
    } else if (op.kind == "define_segment") {  // compiled when used: the schema may differ by then
      auto spec = SegmentSpecFromJson(op.payload);
      if (!spec.ok()) return spec.status();
      std::erase_if(segments_, [&](const SegmentSpec& s) { return s.name == spec->name; });
      segments_.push_back(*std::move(spec));
    } else if (op.kind == "drop_segment") {
      std::erase_if(segments_, [&](const SegmentSpec& s) { return s.name == op.a; });
    }
  }
  std::vector<internal::WorkspaceFile::LinkTime> times;
  if (auto st2 = f.LoadLinkTimes(&times); !st2.ok()) return st2;
  for (auto& t : times) restore_times_.push_back(LinkTime{std::move(t.a), std::move(t.b), t.status, t.applied_at});
  auto audit = f.ReadTable("SELECT seq, ts, action, detail, hash FROM audit ORDER BY seq");
  if (!audit.ok()) return audit.status();
  std::vector<std::pair<int64_t, std::string>> unsealed;  // rows written before the chain existed
  for (size_t r = 0; r < audit->rows(); ++r) {
    AuditEntry e{std::strtoll(audit->CellText(1, r).c_str(), nullptr, 10), audit->CellText(2, r), audit->CellText(3, r),
                 audit->CellText(4, r)};
    if (e.hash.empty()) {
      e.hash = NextAuditHash(e);
      unsealed.emplace_back(std::strtoll(audit->CellText(0, r).c_str(), nullptr, 10), e.hash);
    }
    audit_.push_back(std::move(e));
  }
  if (!unsealed.empty() && !f.read_only()) {
    if (auto st = f.Begin(); !st.ok()) return st;
    absl::Status st;
    for (const auto& [seq, hash] : unsealed)
      if (st.ok()) st = f.SetAuditHash(seq, hash);
    if (st.ok()) st = f.Commit();
    if (!st.ok()) {
      f.Rollback();
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status Workspace::Writable(std::string_view what) const {
  if (file_ && file_->read_only())
    return absl::FailedPreconditionError(Cat(what, ": workspace \"", path_, "\" is open read-only"));
  return absl::OkStatus();
}

std::string Workspace::NextAuditHash(const AuditEntry& e) const {
  return AuditEntryHash(audit_.empty() ? std::string(64, '0') : audit_.back().hash, e.ts, e.action, e.detail);
}

void Workspace::AddAudit(AuditEntry e) {
  if (e.action.empty()) return;
  e.hash = NextAuditHash(e);
  audit_.push_back(std::move(e));
}

absl::Status Workspace::Persist(size_t first_row, const std::vector<QuarantineRow>& quarantine,
                                const IngestReport* report, const std::vector<internal::FileOp>* ops,
                                const AuditEntry& audit) {
  if (loading_) return absl::OkStatus();
  if (!file_) {
    AddAudit(audit);
    return absl::OkStatus();
  }
  if (auto st = Writable("write"); !st.ok()) return st;
  internal::WorkspaceFile& f = *file_;
  if (auto st = f.Begin(); !st.ok()) return st;
  absl::Status st = f.AppendStrings(0, store_.dict(), saved_strings_);
  if (st.ok()) st = f.AppendStrings(1, store_.keys(), saved_keys_);
  if (st.ok()) st = f.AppendEventIds(store_.ids(), saved_ids_, store_.ids().size());
  if (st.ok() && first_row < store_.size()) st = f.AppendEvents(store_.columns(), first_row, store_.size());
  if (st.ok()) st = f.AppendQuarantine(quarantine, 0);
  if (st.ok() && report) st = f.AppendReport(*report);
  if (ops)
    for (const internal::FileOp& op : *ops)
      if (st.ok()) st = f.AppendOp(op);
  if (st.ok() && !audit.action.empty()) st = f.Audit(audit.ts, audit.action, audit.detail, NextAuditHash(audit));
  if (st.ok()) st = f.Commit();
  if (!st.ok()) {
    f.Rollback();
    return st;
  }
  saved_strings_ = store_.dict().size();
  saved_keys_ = store_.keys().size();
  saved_ids_ = store_.ids().size();
  AddAudit(audit);
  return absl::OkStatus();
}

absl::Status Workspace::RecordAudit(const AuditEntry& audit) {
  if (file_ && !loading_ && !file_->read_only()) {
    internal::WorkspaceFile& f = *file_;
    if (auto st = f.Begin(); !st.ok()) return st;
    absl::Status st = f.Audit(audit.ts, audit.action, audit.detail, NextAuditHash(audit));
    if (st.ok()) st = f.Commit();
    if (!st.ok()) {
      f.Rollback();
      return st;
    }
  }
  AddAudit(audit);
  return absl::OkStatus();
}

absl::Status Workspace::PersistMeta(std::string_view key, std::string_view value, const AuditEntry& audit) {
  if (file_ && !loading_) {
    internal::WorkspaceFile& f = *file_;
    if (auto st = f.Begin(); !st.ok()) return st;
    absl::Status st = f.PutMeta(key, value);
    if (st.ok()) st = f.Audit(audit.ts, audit.action, audit.detail, NextAuditHash(audit));
    if (st.ok()) st = f.Commit();
    if (!st.ok()) {
      f.Rollback();
      return st;
    }
  }
  AddAudit(audit);
  return absl::OkStatus();
}

absl::Status Workspace::PersistLinkTimes(const std::vector<int32_t>& links) {
  if (!file_ || loading_ || file_->read_only()) return absl::OkStatus();
  internal::WorkspaceFile& f = *file_;
  if (auto st = f.Begin(); !st.ok()) return st;
  absl::Status st;
  int64_t merges = 0;
  for (int32_t e : links) {
    const IdentityLink& l = identity_->links()[static_cast<size_t>(e)];
    merges += l.status == LinkStatus::kMerged;
    st = f.SetLinkTime(identity_->NodeText(l.a), identity_->NodeText(l.b), static_cast<int>(l.status), l.applied_at);
    if (!st.ok()) break;
  }
  if (st.ok()) st = f.Commit();
  if (!st.ok()) f.Rollback();
  return st;
}

absl::Status Workspace::Save() {
  if (!file_) return absl::OkStatus();
  if (auto st = Writable("save"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  internal::WorkspaceFile& f = *file_;
  const AuditEntry audit{Now(), "save", Cat("{\"profiles\":", profiles_.size(), "}")};
  if (auto st = f.Begin(); !st.ok()) return st;
  absl::Status st = f.WriteTable("profiles", ProfilesTable());
  if (st.ok()) st = f.WriteTable("identifiers", IdentifiersTable());
  if (st.ok()) st = f.WriteTable("links", IdentityLinks(-1));
  if (st.ok()) st = f.WriteTable("attributes", AttributesTable());
  if (st.ok()) st = f.Audit(audit.ts, audit.action, audit.detail, NextAuditHash(audit));
  if (st.ok()) st = f.Commit();
  if (!st.ok()) {
    f.Rollback();
    return st;
  }
  AddAudit(audit);
  return f.Checkpoint();
}

Table Workspace::AuditTable() const {
  Table t;
  Column& ts = t.Add("ts", ColumnType::kInt64);
  Column& action = t.Add("action", ColumnType::kString);
  Column& detail = t.Add("detail", ColumnType::kString);
  Column& hash = t.Add("hash", ColumnType::kString);
  for (const AuditEntry& e : audit_) {
    ts.i64.push_back(e.ts);
    t.AppendString(action, e.action);
    t.AppendString(detail, e.detail);
    t.AppendString(hash, e.hash);
  }
  return t;
}

AuditVerification Workspace::VerifyAudit() const {
  std::vector<AuditEntry> stored;
  if (file_) {  // what is on disk, not the copy in memory
    auto rows = file_->ReadTable("SELECT ts, action, detail, hash FROM audit ORDER BY seq");
    if (!rows.ok()) return {false, 0, 0, Cat("audit: cannot read the log: ", rows.status().message())};
    for (size_t r = 0; r < rows->rows(); ++r)
      stored.push_back({std::strtoll(rows->CellText(0, r).c_str(), nullptr, 10), rows->CellText(1, r),
                        rows->CellText(2, r), rows->CellText(3, r)});
  } else {
    stored = audit_;
  }
  AuditVerification v;
  v.entries = static_cast<int64_t>(stored.size());
  std::string prev(64, '0');
  for (size_t i = 0; i < stored.size(); ++i) {
    const AuditEntry& e = stored[i];
    if (AuditEntryHash(prev, e.ts, e.action, e.detail) != e.hash) {
      v.ok = false, v.first_bad = static_cast<int64_t>(i);
      v.message = Cat("audit entry ", i + 1, " of ", stored.size(), " (", e.action,
                      ") does not match its hash: it, or the entry before it, was changed or removed");
      return v;
    }
    prev = e.hash;
  }
  v.message = Cat("audit chain intact: ", stored.size(), " entries");
  return v;
}

Table Workspace::IdentifiersTable() {
  (void)EnsureResolved();
  Table t;
  Column& id = t.Add("identifier", ColumnType::kString);
  Column& type = t.Add("type", ColumnType::kString);
  Column& value = t.Add("value", ColumnType::kString);
  Column& profile = t.Add("profile", ColumnType::kInt64);
  for (int32_t p = 0; p < profiles_.size(); ++p)
    for (int32_t node : profiles_.nodes(p)) {
      t.AppendString(id, identity_->NodeText(node));
      t.AppendString(type, identity_->types()[static_cast<size_t>(identity_->node_type(node))]);
      t.AppendString(value, identity_->node_value(node));
      profile.i64.push_back(p);
    }
  return t;
}

Table Workspace::AttributesTable() {
  (void)EnsureResolved();
  Table t;
  AppendAttributeRows(&t, 0, {}, true);  // the columns, even when there are no attributes
  for (int32_t p = 0; p < profiles_.size(); ++p) AppendAttributeRows(&t, p, attributes_.History(p), true);
  return t;
}

absl::StatusOr<std::string> Workspace::IntegrityCheck() const {
  if (!file_) return std::string("ok");
  return file_->IntegrityCheck();
}

}  // namespace cdp
