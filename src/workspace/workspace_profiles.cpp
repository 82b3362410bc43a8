// Workspace: profile attributes (CRM import, history) and computed traits.
#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "cdp/workspace.hpp"
#include "store/workspace_file.hpp"
#include "workspace/serialize.hpp"
#include "core/strings.hpp"

namespace cdp {

absl::StatusOr<IngestReport> Workspace::ImportProfiles(const SourceBatch& batch, const ImportOptions& options,
                                                       const IngestOptions& ingest) {
  if (auto st = Writable("import_profiles"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  if (options.source.empty()) return absl::InvalidArgumentError("import_profiles: source is empty");
  const std::vector<std::string>& types = identity_->types();
  IngestOptions o = ingest;
  o.mapping.clear();
  o.keep_unmapped = true;
  if (o.source.empty()) o.source = options.source;
  o.mapping["type"] = "=identify";
  bool has_ts = false;
  SourceBatch b = batch;
  for (SourceColumn& c : b.columns) {
    if (!options.ts_column.empty() && c.name == options.ts_column) {
      has_ts = true;
      o.mapping["ts"] = c.name;
      continue;
    }
    if (std::find(types.begin(), types.end(), c.name) != types.end()) continue;  // identifiers link
    if (c.name == "event_id" || c.name == "attribute_source")
      return absl::InvalidArgumentError(Cat("import_profiles: column \"", c.name, "\" is reserved; rename it"));
    c.name = Cat("traits.", c.name);
  }
  if (!options.ts_column.empty() && !has_ts)
    return absl::InvalidArgumentError(Cat("import_profiles: ts column \"", options.ts_column, "\" is not in the table"));
  // Every row carries its source (and, without a ts column, the time of the import).
  static const int32_t kZero[1] = {0};
  std::vector<int32_t> zeros(batch.rows, 0);
  const std::vector<std::string> categories = {options.source};
  const std::vector<std::string> now = {FormatTimestamp(absl::ToUnixMicros(absl::Now()))};
  auto constant = [&](std::string name, const std::vector<std::string>* value) {
    SourceColumn c;
    c.name = std::move(name);
    c.kind = SourceColumn::Kind::kCodes;
    c.codes32 = batch.rows ? zeros.data() : kZero;
    c.categories = value;
    b.columns.push_back(c);
  };
  constant("attribute_source", &categories);
  if (!has_ts) {
    constant("import_ts", &now);
    o.mapping["ts"] = "import_ts";
  }
  return IngestColumnsAs(b, o, "import_profiles");
}

absl::StatusOr<Table> Workspace::AttributeHistory(int32_t profile, std::string_view name) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  if (profile < 0 || profile >= profiles_.size())
    return absl::NotFoundError(Cat("profile ", profile, " does not exist (profiles are 0..", profiles_.size() - 1, ")"));
  int32_t code = kNullCode;
  if (!name.empty()) {
    auto c = store_.dict().Find(name);
    if (!c) return absl::NotFoundError(Cat("no attribute \"", name, "\" in this workspace"));
    code = *c;
  }
  Table t;
  AppendAttributeRows(&t, profile, attributes_.History(profile, code), false);
  return t;
}

void Workspace::AppendAttributeRows(Table* t, int32_t profile, const std::vector<const AttributeWrite*>& history,
                                    bool with_profile) {
  if (t->columns.empty()) {
    if (with_profile) t->Add("profile", ColumnType::kInt64);
    for (const char* name : {"name", "value"}) t->Add(name, ColumnType::kString);
    t->Add("ts", ColumnType::kInt64);
    for (const char* name : {"source", "event_id"}) t->Add(name, ColumnType::kString);
    t->Add("current", ColumnType::kBool);
  }
  const size_t base = with_profile ? 1 : 0;
  for (size_t i = 0; i < history.size(); ++i) {
    const AttributeWrite* w = history[i];
    if (with_profile) t->columns[0].i64.push_back(profile);
    t->AppendString(t->columns[base], store_.dict().Get(w->name));
    t->AppendString(t->columns[base + 1], attributes_.ValueText(*w, store_.dict()));
    t->columns[base + 2].i64.push_back(w->ts);
    t->AppendString(t->columns[base + 3], store_.dict().Get(w->source));
    t->AppendString(t->columns[base + 4], store_.ids().Get(w->event));
    t->columns[base + 5].b.push_back(i + 1 == history.size() || history[i + 1]->name != w->name);
  }
}

absl::Status Workspace::DefineTrait(const TraitSpec& spec) {
  if (auto st = Writable("define_trait"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  for (const std::string& type : identity_->types())
    if (spec.name == type)
      return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": the name is an identifier column of profiles"));
  if (auto st = traits_.Define(spec, store_.columns()); !st.ok()) return st;
  std::vector<internal::FileOp> ops(1);
  ops[0].kind = "define_trait", ops[0].a = spec.name, ops[0].payload = TraitSpecToJson(spec), ops[0].ts = Now();
  if (auto st = Persist(store_.size(), {}, nullptr, &ops, AuditEntry{ops[0].ts, "define_trait", ops[0].payload});
      !st.ok()) {
    (void)traits_.Drop(spec.name);
    return st;
  }
  // Only the new trait is computed: every other trait's values carry over.
  std::vector<uint8_t> clean(static_cast<size_t>(profiles_.size()), 0);
  traits_.Refresh(store_.columns(), store_.dict(), profiles_, clean, false);
  ++derived_version_;
  return absl::OkStatus();
}

absl::Status Workspace::DropTrait(std::string_view name) {
  if (auto st = Writable("drop_trait"); !st.ok()) return st;
  bool known = false;
  for (const TraitSpec& s : traits_.specs()) known = known || s.name == name;
  if (!known) return traits_.Drop(name);  // the NotFound error
  std::vector<internal::FileOp> ops(1);
  ops[0].kind = "drop_trait", ops[0].a = std::string(name), ops[0].ts = Now();
  if (auto st = Persist(store_.size(), {}, nullptr, &ops,
                        AuditEntry{ops[0].ts, "drop_trait", Cat("{\"name\":", JsonQuote(name), "}")});
      !st.ok())
    return st;
  ++derived_version_;
  return traits_.Drop(name);
}

const TraitSet& Workspace::traits() {
  (void)EnsureResolved();
  return traits_;
}

}  // namespace cdp
