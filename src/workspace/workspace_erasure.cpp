// Workspace: erasure of a person (GDPR Art. 17, CCPA delete) and the tombstones that keep them out
// of later ingests. What is removed and why is in cdp/erasure.hpp and docs/privacy.md.
//
// The erasure is computed first (kept rows with compacted dictionaries, kept quarantine rows and
// operations, redacted audit details), then written to the file in one transaction, and only then
// installed in memory: a failed write leaves the workspace as it was. Derived state (identity graph,
// profiles, attributes, traits, query frame) is rebuilt from the kept rows exactly as after
// reopening the file.
#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "cdp/erasure.hpp"
#include "cdp/json.hpp"
#include "cdp/normalize.hpp"
#include "cdp/privacy.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "store/workspace_file.hpp"

namespace cdp {

namespace {

constexpr std::string_view kSecretMeta = "erasure_secret";
// Values this long are also found inside longer text (a record, a URL); shorter ones ("42") only
// when a whole value equals them, so unrelated rows are not swept along.
constexpr size_t kSubstringMin = 8;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// The erased person's identifiers and the tests for text that names one of them.
class ErasedSet {
 public:
  struct Id {
    std::string type, value, hash;  // value as stored (normalized); hash: the tombstone
    int32_t node;
  };

  ErasedSet(std::string country) : country_(std::move(country)) {}

  void Add(Id id) {
    const std::string lower = Lower(id.value);
    values_.insert(lower);
    if (lower.size() >= kSubstringMin) long_values_.push_back(lower);
    by_text_[Cat(id.type, ":", id.value)] = ids_.size();
    ids_.push_back(std::move(id));
  }
  const std::vector<Id>& ids() const { return ids_; }

  // The erased identifier `type`:`value` names (value as written: normalized here), or null.
  const Id* Find(std::string_view type, std::string_view value) const {
    std::string v(Strip(value));
    if (type == "email") {
      auto e = NormalizeEmail(v);
      if (!e.ok()) return nullptr;
      v = *e;
    } else if (type == "phone") {
      auto p = NormalizePhone(v, country_);
      if (!p.ok()) return nullptr;
      v = *p;
    }
    auto it = by_text_.find(Cat(Strip(type), ":", v));
    return it == by_text_.end() ? nullptr : &ids_[it->second];
  }
  // The erased identifier that "type:value" text names, or null.
  const Id* FindText(std::string_view text) const {
    const size_t colon = text.find(':');
    return colon == std::string_view::npos ? nullptr : Find(text.substr(0, colon), text.substr(colon + 1));
  }

  // True when `s` names an erased value: equal to one (ignoring case and surrounding spaces, or
  // after email/phone normalization, or as the value part of "type:value"), or containing a long one.
  bool Mentions(std::string_view s) const {
    const std::string l = Lower(Strip(s));
    if (l.empty()) return false;
    if (values_.contains(l)) return true;
    for (const std::string& v : long_values_)
      if (l.find(v) != std::string::npos) return true;
    if (const size_t colon = l.find(':');
        colon != std::string::npos && values_.contains(std::string(Strip(std::string_view(l).substr(colon + 1)))))
      return true;
    if (l.find('@') != std::string::npos) {
      auto e = NormalizeEmail(l);
      if (e.ok() && values_.contains(*e)) return true;
    }
    if (l.size() <= 32 && l.find_first_of("0123456789") != std::string::npos) {
      auto p = NormalizePhone(l, country_);
      if (p.ok() && values_.contains(Lower(*p))) return true;
    }
    return false;
  }

  // Replaces every string of a JSON value that names an erased identifier: identifiers become
  // "erased:<first 16 hex digits of the tombstone>", other mentions "[erased]". True when changed.
  bool Redact(JsonValue& v) const {
    bool changed = false;
    switch (v.kind) {
      case JsonValue::Kind::kString:
        if (const Id* id = FindText(v.string)) {
          v.string = Cat("erased:", std::string_view(id->hash).substr(0, 16));
          changed = true;
        } else if (Mentions(v.string)) {
          v.string = "[erased]";
          changed = true;
        }
        break;
      case JsonValue::Kind::kArray:
        for (JsonValue& x : v.array) changed |= Redact(x);
        break;
      case JsonValue::Kind::kObject:
        for (auto& [k, x] : v.object) changed |= Redact(x);
        break;
      default: break;
    }
    return changed;
  }

  // A quarantine row holds the person's data when its value or any cell of its record names them.
  bool Holds(const QuarantineRow& q) const {
    if (Mentions(q.value)) return true;
    auto record = ParseJson(q.record);
    if (!record.ok() || !record->is_object()) return Mentions(q.record);
    for (const auto& [k, x] : record->object)
      if (x.kind == JsonValue::Kind::kString && Mentions(x.string)) return true;
    return false;
  }

 private:
  std::string country_;
  std::vector<Id> ids_;
  absl::flat_hash_map<std::string, size_t> by_text_;  // "type:value" -> index in ids_
  absl::flat_hash_set<std::string> values_;            // lowercase values
  std::vector<std::string> long_values_;
};

// A column cell as text the way the identity graph reads it (for identifier columns not of text).
std::string CellText(const Column& c, size_t r) {
  switch (c.type) {
    case ColumnType::kInt64: return c.i64[r] == kNullInt64 ? "" : Cat(c.i64[r]);
    case ColumnType::kDouble: return IsNullDouble(c.f64[r]) ? "" : ShortestDouble(c.f64[r]);
    case ColumnType::kBool: return c.b[r] < 0 ? "" : (c.b[r] ? "true" : "false");
    case ColumnType::kString: return "";
  }
  return "";
}

}  // namespace

IngestTarget Workspace::Target() {
  tombstones_.SetCustomTypes(&rules_.custom_types);
  return IngestTarget{&store_.dict(), &store_.keys(), &store_.ids(), &tombstones_};
}

absl::Status Workspace::LoadTombstones(internal::WorkspaceFile& f) {
  auto secret = f.GetMeta(kSecretMeta);
  if (!secret.ok()) return secret.status();
  if (!secret->empty()) tombstones_.SetSecret(*secret);
  std::vector<internal::WorkspaceFile::Tombstone> rows;
  if (auto st = f.LoadTombstones(&rows); !st.ok()) return st;
  if (!rows.empty() && !tombstones_.has_secret())
    return absl::DataLossError(Cat("workspace \"", path_, "\": tombstones without their secret"));
  for (auto& t : rows) tombstones_.Add(std::move(t.hash), t.short_hash);
  return absl::OkStatus();
}

absl::Status Workspace::RebuildDerived(std::vector<LinkTime> restore_times) {
  identity_.reset();
  profiles_ = ProfileIndex{};
  attributes_.Clear();
  graph_rows_ = 0;
  profiles_valid_ = sorted_valid_ = false;
  dirty_.clear();
  rebuild_derived_ = true;
  if (frame_.columns.dict.use_count() == 1) frame_.columns.dict->Wipe();  // profile columns name people
  frame_ = QueryFrame{};
  ++derived_version_;
  restore_times_ = std::move(restore_times);
  if (push_) push_->ForgetCodes();
  absl::Status rebuilt = EnsureResolved();
  if (rebuilt.ok() && std::any_of(segments_.begin(), segments_.end(), [](const SegmentSpec& s) { return s.realtime; }))
    rebuilt = RefreshRealtime(Clock());
  return rebuilt;
}

absl::StatusOr<ErasureReport> Workspace::Erase(std::string_view identifier) {
  const auto t0 = std::chrono::steady_clock::now();
  if (auto st = Writable("erase"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  auto parsed = identity_->ParseIdentifier(identifier);
  if (!parsed.ok()) return PrefixStatus(parsed.status(), "erase: ");
  const std::string& type_name = identity_->types()[static_cast<size_t>(parsed->first)];
  auto node = identity_->Lookup(identifier);
  if (!node.ok()) {
    if (tombstones_.has_secret() && tombstones_.HasHash(tombstones_.Hash(type_name, parsed->second)))
      return absl::NotFoundError(Cat("erase: ", type_name, ":", parsed->second, " was already erased; nothing to remove"));
    return absl::NotFoundError(Cat("erase: nobody holds ", type_name, ":", parsed->second,
                                   " in this workspace; nothing was removed"));
  }
  const int32_t profile = profiles_.OfNode(*node);
  const Micros now = Now();

  // The secret: the file's, or a new random one (stored with this erasure's transaction).
  Tombstones keyed;
  const bool new_secret = !tombstones_.has_secret();
  keyed.SetSecret(new_secret ? Tombstones::NewSecret() : tombstones_.secret());

  // The person's identifiers: every member of the profile, in canonical order.
  ErasedSet erased(rules_.default_country);
  std::vector<int32_t> nodes;
  if (profile >= 0) {
    auto members = profiles_.nodes(profile);
    nodes.assign(members.begin(), members.end());
  } else {
    nodes.push_back(*node);
  }
  ErasureReport report;
  std::vector<int64_t> short_hashes;
  for (int32_t n : nodes) {
    const std::string& type = identity_->types()[static_cast<size_t>(identity_->node_type(n))];
    const std::string value(identity_->node_value(n));
    std::string hash = keyed.Hash(type, value);
    short_hashes.push_back(keyed.ShortHash(type, value));
    report.tombstones.push_back(hash);
    ++report.identifiers_by_type[type];
    erased.Add(ErasedSet::Id{type, value, std::move(hash), n});
  }
  report.identifiers_removed = static_cast<int64_t>(nodes.size());
  const int32_t key_node = profile >= 0 ? profiles_.key_node(profile) : *node;
  for (const ErasedSet::Id& id : erased.ids())
    if (id.node == key_node) report.profile_key_hash = id.hash;

  // Rows: the profile's, and any carrying one of its identifiers (even under another profile).
  const EventColumns& cols = store_.columns();
  const size_t n_rows = cols.size();
  std::vector<uint8_t> keep(n_rows, 1);
  for (size_t r = 0; r < n_rows; ++r)
    if (profile >= 0 && cols.profile[r] == profile) keep[r] = 0;
  const std::vector<int> type_columns = identity_->TypeColumns(cols);
  for (size_t t = 0; t < type_columns.size(); ++t) {
    if (type_columns[t] < 0) continue;
    absl::flat_hash_set<int32_t> codes;
    absl::flat_hash_set<std::string> texts;
    for (const ErasedSet::Id& id : erased.ids()) {
      if (id.type != identity_->types()[t]) continue;
      texts.insert(id.value);
      if (auto code = store_.dict().Find(id.value)) codes.insert(*code);
    }
    if (texts.empty()) continue;
    const Column& c = cols.columns[static_cast<size_t>(type_columns[t])];
    for (size_t r = 0; r < n_rows; ++r) {
      if (!keep[r]) continue;
      if (c.type == ColumnType::kString ? codes.contains(c.str[r]) : texts.contains(CellText(c, r))) keep[r] = 0;
    }
  }
  absl::flat_hash_set<int32_t> erased_nodes(nodes.begin(), nodes.end());
  std::vector<internal::WorkspaceFile::LinkTime> times;
  const auto& links = identity_->links();
  for (const IdentityLink& l : links) {
    if (erased_nodes.contains(l.a) || erased_nodes.contains(l.b)) {
      ++report.links_removed;
      continue;
    }
    times.push_back({identity_->NodeText(l.a), identity_->NodeText(l.b), static_cast<int>(l.status), l.applied_at});
  }

  // Recorded operations naming the person (by their normalized identifiers).
  auto names_person = [&](const std::string& a, const std::string& b) {
    return erased.FindText(a) != nullptr || erased.FindText(b) != nullptr;
  };
  std::vector<ManualOp> manual;
  for (const ManualOp& op : manual_)
    if (!names_person(op.a, op.b)) manual.push_back(op);
  report.operations_removed = static_cast<int64_t>(manual_.size() - manual.size());

  // Quarantine rows holding their values.
  std::vector<QuarantineRow> quarantine;
  std::vector<size_t> dropped_quarantine;
  for (size_t i = 0; i < quarantine_.size(); ++i) {
    if (erased.Holds(quarantine_[i])) dropped_quarantine.push_back(i);
    else quarantine.push_back(quarantine_[i]);
  }
  report.quarantine_removed = static_cast<int64_t>(dropped_quarantine.size());

  // Audit details naming them are redacted; the chain is re-sealed from the first one.
  std::vector<AuditEntry> audit = audit_;
  size_t first_redacted = audit.size();
  for (size_t i = 0; i < audit.size(); ++i) {
    auto doc = ParseJson(audit[i].detail);
    bool changed = false;
    if (doc.ok()) {
      changed = erased.Redact(*doc);
      if (changed) audit[i].detail = ToJsonText(*doc);
    } else if (erased.Mentions(audit[i].detail)) {
      audit[i].detail = "{\"redacted\":\"erased\"}";
      changed = true;
    }
    if (changed) {
      ++report.audit_redacted;
      first_redacted = std::min(first_redacted, i);
    }
  }
  for (size_t i = first_redacted; i < audit.size(); ++i)
    audit[i].hash = AuditEntryHash(i == 0 ? std::string(64, '0') : audit[i - 1].hash, audit[i].ts, audit[i].action,
                                   audit[i].detail);

  CompactedEvents compacted = CompactEvents(store_, keep);
  report.events_removed = compacted.rows_removed;
  report.strings_removed = compacted.strings_removed;

  std::string detail = Cat("{\"profile_key\":", JsonQuote(report.profile_key_hash), ",\"tombstones\":[");
  for (size_t i = 0; i < report.tombstones.size(); ++i) detail += Cat(i ? "," : "", JsonQuote(report.tombstones[i]));
  detail += "],\"identifiers\":{";
  bool first = true;
  for (const auto& [type, count] : report.identifiers_by_type) {
    detail += Cat(first ? "" : ",", JsonQuote(type), ":", count);
    first = false;
  }
  detail += Cat("},\"events\":", report.events_removed, ",\"quarantine\":", report.quarantine_removed,
                ",\"links\":", report.links_removed, ",\"operations\":", report.operations_removed,
                ",\"audit_redacted\":", report.audit_redacted, ",\"resealed_from\":",
                first_redacted < audit.size() ? static_cast<int64_t>(first_redacted) : int64_t{-1}, "}");
  AuditEntry entry{now, "erase", detail};
  entry.hash = AuditEntryHash(audit.empty() ? std::string(64, '0') : audit.back().hash, entry.ts, entry.action,
                              entry.detail);

  // The file: one transaction rewriting every table that held the person, then compaction.
  bool dropped_snapshots = false;
  if (file_) {
    internal::WorkspaceFile& f = *file_;
    if (auto st = f.Begin(); !st.ok()) return st;
    absl::Status st;
    if (new_secret) st = f.PutMeta(kSecretMeta, keyed.secret());
    if (st.ok()) st = f.RewriteStrings(0, *compacted.dict);
    if (st.ok()) st = f.RewriteStrings(1, *compacted.keys);
    if (st.ok()) st = f.RewriteEventIds(compacted.ids);
    if (st.ok()) st = f.RewriteEvents(compacted.cols);
    if (st.ok()) st = f.RewriteQuarantine(quarantine);
    if (st.ok()) st = f.RewriteLinkTimes(times);
    if (st.ok()) {
      std::vector<internal::FileOp> ops;
      st = f.LoadOps(&ops);
      for (const internal::FileOp& op : ops)
        if (st.ok() && (op.kind == "link" || op.kind == "remove") && names_person(op.a, op.b)) st = f.DeleteOp(op.seq);
    }
    if (st.ok() && first_redacted < audit.size()) {
      auto seqs = f.AuditSeqs();
      if (!seqs.ok()) st = seqs.status();
      else if (seqs->size() != audit.size())
        st = absl::DataLossError(Cat("erase: the file holds ", seqs->size(), " audit entries, memory ", audit.size()));
      for (size_t i = first_redacted; st.ok() && i < audit.size(); ++i)
        st = f.UpdateAudit((*seqs)[i], audit[i].detail, audit[i].hash);
    }
    if (st.ok()) st = f.Audit(entry.ts, entry.action, entry.detail, entry.hash);
    for (size_t i = 0; st.ok() && i < report.tombstones.size(); ++i)
      st = f.AddTombstone(report.tombstones[i], short_hashes[i], erased.ids()[i].type, now);
    if (st.ok()) st = f.DropSnapshots(&dropped_snapshots);
    if (st.ok()) st = f.Commit();
    if (!st.ok()) {
      f.Rollback();
      return PrefixStatus(st, "erase: nothing was removed: ");
    }
  }

  // Memory: the compacted rows and dictionaries, what was kept, the tombstones, the audit chain.
  store_.Install(std::move(compacted));
  saved_strings_ = store_.dict().size();
  saved_keys_ = store_.keys().size();
  saved_ids_ = store_.ids().size();
  for (size_t i : dropped_quarantine) {
    QuarantineRow& q = quarantine_[i];
    for (std::string* s : {&q.source, &q.column, &q.value, &q.reason, &q.record}) WipeString(*s);
  }
  quarantine_ = std::move(quarantine);
  for (ManualOp& op : manual_)
    if (names_person(op.a, op.b)) WipeString(op.a), WipeString(op.b);
  manual_ = std::move(manual);
  for (size_t i = first_redacted; i < audit.size(); ++i) {
    WipeString(audit_[i].detail);
    audit_[i] = std::move(audit[i]);
  }
  audit_.push_back(std::move(entry));
  if (new_secret) tombstones_.SetSecret(keyed.secret());
  for (size_t i = 0; i < report.tombstones.size(); ++i) tombstones_.Add(report.tombstones[i], short_hashes[i]);
  for (auto& [name, members] : realtime_members_) {  // the person leaves without a reported exit
    for (std::string& key : members)
      if (erased.FindText(key) != nullptr) WipeString(key);
    std::erase_if(members, [](const std::string& key) { return key.empty(); });
  }

  // Everything derived is rebuilt from the kept rows, as after reopening the file.
  std::vector<LinkTime> restore;
  for (auto& t : times) restore.push_back(LinkTime{std::move(t.a), std::move(t.b), t.status, t.applied_at});
  if (auto rebuilt = RebuildDerived(std::move(restore)); !rebuilt.ok()) return rebuilt;
  if (file_) {
    if (dropped_snapshots) (void)Save();  // the snapshots as they are now (they are derived)
    report.file_compacted = file_->Compact().ok();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace cdp
