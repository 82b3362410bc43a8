// Workspace: identity resolution and profiles.
#include <chrono>

#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "cdp/workspace.hpp"
#include "store/workspace_file.hpp"
#include "workspace/serialize.hpp"
#include "core/strings.hpp"

namespace cdp {

absl::Status Workspace::EnsureResolved() {
  if (auto st = ResolveGraph(); !st.ok()) return st;
  if (sorted_valid_) return absl::OkStatus();
  // Stage 2: the log sorted by profile, activity, attribute index, traits.
  store_.Merge();
  profiles_.ComputeActivity(store_.columns(), session_gap_);
  attributes_.Index(profiles_, store_.dict());
  traits_.Refresh(store_.columns(), store_.dict(), profiles_, dirty_, rebuild_derived_);
  rebuild_derived_ = false;
  dirty_.clear();
  sorted_valid_ = true;
  ++derived_version_;
  return absl::OkStatus();
}

absl::Status Workspace::ResolveGraph() {
  const size_t n = store_.size();
  size_t first_new = graph_rows_;
  if (!identity_) {
    // A new graph (first use, reopened file): every event, then the manual links and unmerges.
    auto g = IdentityGraph::Create(rules_, store_.shared_dict());
    if (!g.ok()) return g.status();
    identity_ = *std::move(g);
    identity_->AddEvents(store_.columns(), store_.ids(), 0, n, store_.anchors().data());
    attributes_.Clear();
    attributes_.AddEvents(store_.columns(), store_.ids(), store_.anchors(), store_.dict(), 0, n);
    for (const ManualOp& op : manual_) {
      // Recorded operations were valid when made; one the data no longer supports is skipped.
      if (op.link) (void)identity_->Link(op.a, op.b, op.ts);
      else (void)identity_->RemoveLink(op.a, op.b);
    }
    graph_rows_ = first_new = n;
    profiles_valid_ = false;
    rebuild_derived_ = true;
  }
  if (graph_rows_ == n && !identity_->has_pending() && profiles_valid_) return absl::OkStatus();
  // Stage 1: rows [graph_rows_, n) are the delta run appended since the last resolution.
  identity_->AddEvents(store_.columns(), store_.ids(), first_new, n, store_.anchors().data());
  attributes_.AddEvents(store_.columns(), store_.ids(), store_.anchors(), store_.dict(), first_new, n);
  replays_ += identity_->Resolve();
  Vec<int32_t> row_profile;
  profiles_ = ProfileIndex::Build(*identity_, store_.columns(), store_.ids(), store_.anchors(), &row_profile);
  // Profiles whose content changed: new events, merges, replays. The others keep derived values.
  // (Two resolutions without a refresh in between renumber profiles twice: refresh everything.)
  if (!dirty_.empty()) rebuild_derived_ = true;
  dirty_.assign(static_cast<size_t>(profiles_.size()), 0);
  for (size_t r = first_new; r < n; ++r)
    if (row_profile[r] >= 0) dirty_[static_cast<size_t>(row_profile[r])] = 1;
  for (int32_t node : identity_->TakeChanged()) dirty_[static_cast<size_t>(profiles_.OfNode(node))] = 1;
  store_.AssignProfiles(std::move(row_profile));
  graph_rows_ = n;
  profiles_valid_ = true;
  sorted_valid_ = false;
  // Provenance times: restored from the file after a reopen, else recorded for links that changed.
  std::vector<int32_t> changed = identity_->TakeStatusChanged();
  if (!restore_times_.empty()) {
    for (const LinkTime& t : restore_times_)
      identity_->RestoreAppliedAt(t.a, t.b, static_cast<LinkStatus>(t.status), t.applied_at);
    restore_times_.clear();
  } else if (!changed.empty()) {
    if (auto st = PersistLinkTimes(changed); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status Workspace::ConfigureIdentity(const IdentityRules& rules) {
  if (auto st = Writable("configure_identity"); !st.ok()) return st;
  auto g = IdentityGraph::Create(rules, store_.shared_dict());
  if (!g.ok()) return g.status();
  // Re-apply manual links and unmerges on the new graph; an op the new rules refuse is an error
  // and the old rules stay.
  std::unique_ptr<IdentityGraph> graph = *std::move(g);
  if (auto st = EnsureResolved(); !st.ok()) return st;  // the store is merged; the old graph stays valid
  Vec<int32_t> anchors(store_.size(), -1);
  graph->AddEvents(store_.columns(), store_.ids(), 0, store_.size(), anchors.data());
  for (const ManualOp& op : manual_) {
    absl::Status st = op.link ? graph->Link(op.a, op.b, op.ts) : graph->RemoveLink(op.a, op.b);
    if (!st.ok())
      return absl::InvalidArgumentError(Cat("identity rules: the new rules reject an earlier ",
                                            op.link ? "link" : "unmerge", " (", op.a, ", ", op.b,
                                            "): ", st.message(), "; rules unchanged"));
  }
  const std::string json = IdentityRulesToJson(rules);
  if (auto st = PersistMeta("identity_rules", json, AuditEntry{Now(), "configure_identity", json}); !st.ok())
    return st;
  rules_ = rules;
  identity_.reset();  // rebuilt by EnsureResolved with the manual operations
  return EnsureResolved();
}

absl::StatusOr<IdentityReport> Workspace::ResolveIdentities() {
  auto t0 = std::chrono::steady_clock::now();
  if (auto st = ResolveGraph(); !st.ok()) return st;  // the log is re-sorted by the next query
  IdentityReport r;
  identity_->FillReport(&r);
  r.events = static_cast<int64_t>(store_.size());
  r.events_unassigned = profiles_.unassigned_events();
  r.profiles = profiles_.size();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

const IdentityGraph& Workspace::identity() {
  (void)EnsureResolved();  // rules were validated when set
  return *identity_;
}

const ProfileIndex& Workspace::profiles() {
  (void)EnsureResolved();
  return profiles_;
}

absl::StatusOr<int32_t> Workspace::FindProfile(std::string_view identifier) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  auto node = identity_->Lookup(identifier);
  if (!node.ok()) return node.status();
  return profiles_.OfNode(*node);
}

absl::StatusOr<ProfileView> Workspace::Profile(int32_t profile, int recent) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  if (profile < 0 || profile >= profiles_.size())
    return absl::NotFoundError(Cat("profile ", profile, " does not exist (profiles are 0..", profiles_.size() - 1, ")"));
  if (recent < 0) return absl::InvalidArgumentError(Cat("recent = ", recent, " must be >= 0"));
  ProfileView v;
  v.id = profile;
  v.key = identity_->NodeText(profiles_.key_node(profile));
  for (int32_t node : profiles_.nodes(profile)) v.identifiers.push_back(identity_->NodeText(node));
  const ProfileIndex::Activity& a = profiles_.activity(profile);
  v.events = a.events();
  v.first_seen = a.first_seen;
  v.last_seen = a.last_seen;
  v.sessions = a.sessions;
  v.returning = a.returning();
  for (const AttributeWrite* w : attributes_.Current(profile))
    v.attributes.push_back(ProfileView::Attribute{std::string(store_.dict().Get(w->name)),
                                                  attributes_.ValueText(*w, store_.dict()),
                                                  std::string(store_.dict().Get(w->source)), w->ts});
  for (size_t i = 0; i < traits_.specs().size(); ++i) {
    const Column& c = traits_.values(i);
    std::string text;
    const size_t cell = static_cast<size_t>(profile);
    if (!c.IsNull(cell)) {
      switch (c.type) {
        case ColumnType::kString: text = std::string(store_.dict().Get(c.str[cell])); break;
        case ColumnType::kInt64: text = Cat(c.i64[cell]); break;
        case ColumnType::kDouble: text = ShortestDouble(c.f64[cell]); break;
        case ColumnType::kBool: text = c.b[cell] ? "true" : "false"; break;
      }
    }
    v.traits.emplace_back(traits_.specs()[i].name, std::move(text));
  }
  const size_t end = static_cast<size_t>(a.row_end);
  const size_t begin = std::max(static_cast<size_t>(a.row_begin), end - std::min<size_t>(end, static_cast<size_t>(recent)));
  v.recent_events = EventRowsTable(begin, end, true);
  return v;
}

Table Workspace::ProfilesTable() { return ProfileColumns(nullptr); }


Table Workspace::ProfileColumns(const std::vector<std::string>* only, std::shared_ptr<StringDictionary> dict) {
  (void)EnsureResolved();
  auto want = [only](std::string_view name) {
    return only == nullptr || std::find(only->begin(), only->end(), name) != only->end();
  };
  Table t;
  if (dict) t.dict = std::move(dict);
  const int32_t n = profiles_.size();
  auto add = [&](std::string_view name, ColumnType type) -> Column* {
    if (!want(name)) return nullptr;
    Column& c = t.Add(std::string(name), type);
    c.Reserve(static_cast<size_t>(n));
    return &c;
  };
  Column* id = add("profile", ColumnType::kInt64);
  Column* key = add("key", ColumnType::kString);
  Column* events = add("events", ColumnType::kInt64);
  Column* first = add("first_seen", ColumnType::kInt64);
  Column* last = add("last_seen", ColumnType::kInt64);
  Column* sessions = add("sessions", ColumnType::kInt64);
  Column* returning = add("returning", ColumnType::kBool);
  Column* count = add("identifiers", ColumnType::kInt64);
  std::vector<Column*> by_type;
  bool any_type = false;
  for (const std::string& type : identity_->types()) {
    by_type.push_back(add(type, ColumnType::kString));
    any_type = any_type || by_type.back() != nullptr;
  }
  for (int32_t p = 0; p < n; ++p) {
    const ProfileIndex::Activity& a = profiles_.activity(p);
    if (id) id->i64.push_back(p);
    if (key) t.AppendString(*key, identity_->NodeText(profiles_.key_node(p)));
    if (events) events->i64.push_back(a.events());
    if (first) first->i64.push_back(a.events() ? a.first_seen : kNullInt64);
    if (last) last->i64.push_back(a.events() ? a.last_seen : kNullInt64);
    if (sessions) sessions->i64.push_back(a.sessions);
    if (returning) returning->b.push_back(a.returning());
    auto nodes = profiles_.nodes(p);
    if (count) count->i64.push_back(static_cast<int64_t>(nodes.size()));
    if (!any_type) continue;
    for (Column* c : by_type)
      if (c) c->str.push_back(kNullCode);
    for (int32_t node : nodes) {  // members are in priority order: keep the first of each type
      Column* c = by_type[static_cast<size_t>(identity_->node_type(node))];
      if (c == nullptr) continue;
      int32_t& cell = c->str.back();
      if (cell == kNullCode) cell = t.dict->Intern(identity_->node_value(node));
    }
  }
  traits_.AddColumns(&t, store_.dict(), only);
  std::vector<std::string> reserved(std::begin(kProfileBuiltins), std::end(kProfileBuiltins));
  for (const std::string& type : identity_->types()) reserved.push_back(type);
  for (const TraitSpec& s : traits_.specs()) reserved.push_back(s.name);
  attributes_.AddColumns(&t, store_.dict(), n, only, reserved);
  return t;
}

Table Workspace::IdentityLinks(int32_t profile, bool merges_only) {
  (void)EnsureResolved();
  Table t;
  Column& a = t.Add("a", ColumnType::kString);
  Column& b = t.Add("b", ColumnType::kString);
  Column& status = t.Add("status", ColumnType::kString);
  Column& rule = t.Add("rule", ColumnType::kString);
  Column& ts = t.Add("ts", ColumnType::kInt64);
  Column& event = t.Add("event_id", ColumnType::kString);
  Column& events = t.Add("events", ColumnType::kInt64);
  Column& conflict = t.Add("conflict_type", ColumnType::kString);
  Column& applied = t.Add("applied_at", ColumnType::kInt64);
  const auto& links = identity_->links();
  std::vector<int32_t> chosen;
  for (size_t e = 0; e < links.size(); ++e) {
    const IdentityLink& l = links[e];
    if (merges_only && l.status != LinkStatus::kMerged) continue;
    if (profile >= 0 && profiles_.OfNode(l.a) != profile && profiles_.OfNode(l.b) != profile) continue;
    chosen.push_back(static_cast<int32_t>(e));
  }
  // Application order: (ts, event hash, position), the order the graph applies links in.
  std::sort(chosen.begin(), chosen.end(), [&](int32_t x, int32_t y) {
    const IdentityLink& p = links[static_cast<size_t>(x)];
    const IdentityLink& q = links[static_cast<size_t>(y)];
    if (p.ts != q.ts) return p.ts < q.ts;
    if (p.event_hash != q.event_hash) return p.event_hash < q.event_hash;
    return p.sub < q.sub;
  });
  for (int32_t e : chosen) {
    const IdentityLink& l = links[static_cast<size_t>(e)];
    t.AppendString(a, identity_->NodeText(l.a));
    t.AppendString(b, identity_->NodeText(l.b));
    t.AppendString(status, LinkStatusName(l.status));
    t.AppendString(rule, LinkRuleName(l.rule));
    ts.i64.push_back(l.ts);
    if (l.event == UINT32_MAX) event.str.push_back(kNullCode);
    else t.AppendString(event, store_.ids().Get(l.event));
    events.i64.push_back(identity_->link_events(e));
    if (l.conflict_type < 0) conflict.str.push_back(kNullCode);
    else t.AppendString(conflict, identity_->types()[static_cast<size_t>(l.conflict_type)]);
    applied.i64.push_back(l.applied_at);
  }
  return t;
}

absl::Status Workspace::Link(std::string_view a, std::string_view b) {
  if (auto st = Writable("link"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const Micros now = Now();
  // Validate both identifiers, record the operation, then change the graph: a failed write
  // changes nothing.
  auto pa = identity_->ParseIdentifier(a);
  if (!pa.ok()) return pa.status();
  auto pb = identity_->ParseIdentifier(b);
  if (!pb.ok()) return pb.status();
  if (*pa == *pb) return absl::InvalidArgumentError(Cat("link: \"", a, "\" and \"", b, "\" are the same identifier"));
  const std::string detail = Cat("{\"a\":", JsonQuote(a), ",\"b\":", JsonQuote(b), "}");
  std::vector<internal::FileOp> ops(1);
  ops[0].kind = "link", ops[0].a = std::string(a), ops[0].b = std::string(b), ops[0].ts = now;
  if (auto st = Persist(store_.size(), {}, nullptr, &ops, AuditEntry{now, "link", detail}); !st.ok()) return st;
  manual_.push_back(ManualOp{true, std::string(a), std::string(b), now});
  profiles_valid_ = false;
  if (auto st = identity_->Link(a, b, now); !st.ok()) {
    identity_.reset();  // cannot happen after the checks above; rebuild from the recorded operations
    return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Workspace::Unmerge(std::string_view a, std::string_view b) {
  if (auto st = Writable("unmerge"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  std::vector<std::pair<std::string, std::string>> pairs;
  auto removed = identity_->Unmerge(a, b, &pairs);
  if (!removed.ok()) return removed.status();
  const Micros now = Now();
  std::vector<internal::FileOp> ops;
  std::string detail = "{\"removed\":[";
  for (const auto& [x, y] : pairs) {
    internal::FileOp op;
    op.kind = "remove", op.a = x, op.b = y, op.ts = now;
    ops.push_back(op);
    detail += Cat(ops.size() > 1 ? "," : "", "[", JsonQuote(x), ",", JsonQuote(y), "]");
    manual_.push_back(ManualOp{false, x, y, now});
  }
  detail += "]}";
  profiles_valid_ = false;
  if (auto st = Persist(store_.size(), {}, nullptr, &ops, AuditEntry{now, "unmerge", detail}); !st.ok()) {
    // Not recorded: forget it in memory too (the graph is rebuilt from the recorded operations).
    manual_.resize(manual_.size() - pairs.size());
    identity_.reset();
    return st;
  }
  return removed;
}

}  // namespace cdp
