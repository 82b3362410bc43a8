// Workspace: expressions over profiles, named segments, validation, RFM.
#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "cdp/json.hpp"
#include "cdp/parallel.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "store/workspace_file.hpp"
#include "workspace/serialize.hpp"

namespace cdp {

namespace {
ValueType Of(ColumnType t) {
  switch (t) {
    case ColumnType::kInt64:
    case ColumnType::kDouble: return ValueType::kNumber;
    case ColumnType::kBool: return ValueType::kBool;
    case ColumnType::kString: return ValueType::kString;
  }
  return ValueType::kString;
}
}  // namespace

Workspace::QueryFrame& Workspace::Frame() {
  (void)EnsureResolved();
  if (frame_.version != derived_version_) {
    frame_ = QueryFrame{};
    frame_.version = derived_version_;
  }
  return frame_;
}

QuerySchema Workspace::Schema() {
  QueryFrame& frame = Frame();
  if (frame.schema) return *frame.schema;
  QuerySchema& s = frame.schema.emplace();
  using V = ValueType;
  s.profile_fields = {{"profile", V::kNumber},  {"key", V::kString},       {"events", V::kNumber},
                      {"first_seen", V::kTime}, {"last_seen", V::kTime},   {"sessions", V::kNumber},
                      {"returning", V::kBool},  {"identifiers", V::kNumber}};
  std::vector<std::string> reserved(std::begin(kProfileBuiltins), std::end(kProfileBuiltins));
  for (const std::string& type : identity_->types()) {
    s.profile_fields.push_back({type, V::kString});
    reserved.push_back(type);
  }
  for (size_t i = 0; i < traits_.specs().size(); ++i) {
    const TraitSpec& spec = traits_.specs()[i];
    V t = Of(traits_.values(i).type);
    if (spec.field == "ts" && (spec.agg == TraitAgg::kFirst || spec.agg == TraitAgg::kLast)) t = V::kTime;
    s.profile_fields.push_back({spec.name, t});
    reserved.push_back(spec.name);
  }
  Table attrs;  // no rows: just the attribute column names and types
  attributes_.AddColumns(&attrs, store_.dict(), 0, nullptr, reserved);
  for (size_t i = 0; i < attrs.names.size(); ++i) s.profile_fields.push_back({attrs.names[i], Of(attrs.columns[i].type)});
  const EventColumns& ev = store_.columns();
  s.event_fields = {{"ts", V::kTime}, {"type", V::kString}, {"revenue", V::kNumber}};
  for (size_t i = 0; i < ev.names.size(); ++i) s.event_fields.push_back({ev.names[i], Of(ev.columns[i].type)});
  std::vector<uint8_t> seen(static_cast<size_t>(store_.dict().size()), 0);
  for (size_t r = 0; r < ev.size(); ++r) seen[static_cast<size_t>(ev.type[r])] = 1;
  for (size_t c = 0; c < seen.size(); ++c)
    if (seen[c]) s.event_types.emplace_back(store_.dict().Get(static_cast<int32_t>(c)));
  return s;
}

Micros Workspace::Clock() {
  QueryFrame& frame = Frame();
  if (frame.clock) return *frame.clock;
  Micros clock = INT64_MIN;
  for (int32_t p = 0; p < profiles_.size(); ++p)
    if (profiles_.activity(p).events()) clock = std::max(clock, profiles_.activity(p).last_seen);
  clock = std::max(clock, advanced_);
  return *(frame.clock = clock == INT64_MIN ? 0 : clock);
}

const std::vector<int64_t>& Workspace::EventOffsets() {
  QueryFrame& frame = Frame();
  if (!frame.offsets.empty()) return frame.offsets;
  const int32_t n = profiles_.size();
  std::vector<int64_t>& off = frame.offsets;
  off.assign(static_cast<size_t>(n) + 1, 0);
  for (int32_t p = 0; p < n; ++p) off[static_cast<size_t>(p) + 1] = off[static_cast<size_t>(p)] + profiles_.activity(p).events();
  return off;
}

absl::StatusOr<Query> Workspace::CompileQuery(std::string_view expression) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  return Query::Compile(expression, Schema());
}

static absl::Status SensitiveTargetingError(std::string_view what, std::string_view purpose,
                                     const std::vector<std::pair<std::string, std::string>>& sensitive) {
  std::string list;
  for (const auto& [c, category] : sensitive) list += Cat(list.empty() ? "" : ", ", "'", c, "' (", category, ")");
  return PrivacyError(Cat(what, ": purpose ", purpose, " may not target people on the sensitive attribute",
                                         sensitive.size() > 1 ? "s " : " ", list,
                                         "; define a segment with a recorded justification to allow it"));
}

absl::StatusOr<int64_t> Workspace::ApplyPurpose(std::string_view purpose, std::vector<int32_t>* members) {
  // A purpose-bound result holds only profiles whose consent (or regional default) allows it.
  if (purpose.empty()) return 0;
  auto allowed = ConsentAllowed(purpose);
  if (!allowed.ok()) return allowed.status();
  const size_t before = members->size();
  std::erase_if(*members, [&](int32_t m) { return !(*allowed)[static_cast<size_t>(m)]; });
  return static_cast<int64_t>(before - members->size());
}

absl::StatusOr<SegmentResult> Workspace::Run(const Query& q, std::string_view purpose, Micros as_of) {
  QueryFrame& frame = Frame();
  const int32_t n = profiles_.size();
  // Profile columns are built once per resolution and kept for later queries.
  std::vector<std::string> missing;
  for (const std::string& c : q.required_columns())
    if (frame.columns.Find(c) == nullptr) missing.push_back(c);
  if (!missing.empty()) {
    if (frame.columns.names.empty()) frame.columns.dict = std::make_shared<StringDictionary>();
    Table add = ProfileColumns(&missing, frame.columns.dict);
    for (size_t i = 0; i < add.names.size(); ++i) frame.columns.Add(add.names[i], add.columns[i].type) = std::move(add.columns[i]);
  }
  const std::vector<int64_t>& off = EventOffsets();
  QueryData d;
  d.profiles = n;
  d.profile_columns = &frame.columns;
  d.events = &store_.columns();
  d.event_dict = &store_.dict();
  d.event_begin = off.data();
  d.clock = as_of == INT64_MIN ? Clock() : as_of;
  d.as_of = as_of != INT64_MIN;
  if (!frame.type_index) frame.type_index = EventTypeIndex::Build(store_.columns().type);
  d.type_index = &*frame.type_index;
  // Partitions of whole profiles with similar event counts evaluate on their own threads; their
  // results concatenate (Query::Evaluate is a pure function of the range).
  const std::vector<int32_t> cut = ProfileCuts(off, DefaultPartitions(off.back()));
  // Per-partition outputs live in the frame: their capacity is reused by the next query (fresh
  // pages cost more than the evaluation on some machines).
  std::vector<std::vector<uint8_t>>& part = frame.parts;
  part.resize(cut.size() - 1);
  std::vector<absl::Status> status(part.size());
  RunParallel(part.size(), [&](size_t k) { status[k] = q.Evaluate(d, cut[k], cut[k + 1], &part[k]); });
  size_t total = 0;
  for (size_t k = 0; k < part.size(); ++k) {
    if (!status[k].ok()) return status[k];
    for (uint8_t h : part[k]) total += h;
  }
  SegmentResult r;
  r.population = n;
  r.clock = d.clock;
  r.warnings = q.warnings();
  r.members.reserve(total);
  for (size_t k = 0; k < part.size(); ++k)
    for (size_t i = 0; i < part[k].size(); ++i)
      if (part[k][i]) r.members.push_back(cut[k] + static_cast<int32_t>(i));
  auto excluded = ApplyPurpose(purpose, &r.members);
  if (!excluded.ok()) return excluded.status();
  r.excluded = *excluded;
  return r;
}

absl::StatusOr<SegmentResult> Workspace::Select(std::string_view expression, std::string_view purpose, Micros as_of) {
  auto q = CompileQuery(expression);
  if (!q.ok()) return q.status();
  if (const auto sensitive = SensitiveColumnsUsed(policy_, purpose, q->required_columns()); !sensitive.empty())
    return SensitiveTargetingError("select", purpose, sensitive);
  return Run(*q, purpose, as_of);
}

absl::Status Workspace::DefineSegment(const SegmentSpec& spec, bool replace) {
  if (auto st = Writable("define_segment"); !st.ok()) return st;
  if (Strip(spec.name).empty()) return absl::InvalidArgumentError("define_segment: the name is empty");
  if (spec.name.size() > 200) return absl::InvalidArgumentError("define_segment: the name is longer than 200 bytes");
  for (char c : spec.purpose)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return absl::InvalidArgumentError(Cat("define_segment \"", spec.name, "\": purpose \"", spec.purpose,
                                            "\" must be a lowercase name such as marketing or analytics"));
  if (!spec.purpose.empty())
    if (auto st = CheckPurpose(policy_, spec.purpose); !st.ok()) return PrefixStatus(st, Cat("define_segment \"", spec.name, "\": "));
  const bool exists = std::any_of(segments_.begin(), segments_.end(), [&](const SegmentSpec& s) { return s.name == spec.name; });
  if (exists && !replace)
    return absl::AlreadyExistsError(Cat("segment \"", spec.name, "\" already exists; pass replace to redefine it"));
  auto q = CompileQuery(spec.expression);
  if (!q.ok()) return PrefixStatus(q.status(), Cat("segment \"", spec.name, "\": "));
  const auto sensitive = SensitiveColumnsUsed(policy_, spec.purpose, q->required_columns());
  if (!sensitive.empty() && Strip(spec.sensitive_justification).empty())
    return SensitiveTargetingError(Cat("segment \"", spec.name, "\""), spec.purpose, sensitive);
  std::vector<internal::FileOp> ops(1);
  ops[0].kind = "define_segment", ops[0].a = spec.name, ops[0].payload = SegmentSpecToJson(spec), ops[0].ts = Now();
  if (auto st = Persist(store_.size(), {}, nullptr, &ops, AuditEntry{ops[0].ts, "define_segment", ops[0].payload});
      !st.ok())
    return st;
  std::erase_if(segments_, [&](const SegmentSpec& s) { return s.name == spec.name; });
  segments_.push_back(spec);
  if (!sensitive.empty()) {  // the justification on record, next to the definition
    std::string cols;
    for (const auto& [c, category] : sensitive) cols += Cat(cols.empty() ? "" : ",", JsonQuote(Cat(c, " (", category, ")")));
    return RecordAudit(AuditEntry{Now(), "override",
                                  Cat("{\"segment\":", JsonQuote(spec.name), ",\"purpose\":", JsonQuote(spec.purpose),
                                      ",\"sensitive\":[", cols, "],\"justification\":", JsonQuote(spec.sensitive_justification), "}")});
  }
  return absl::OkStatus();
}

absl::Status Workspace::DropSegment(std::string_view name) {
  if (auto st = Writable("drop_segment"); !st.ok()) return st;
  if (std::none_of(segments_.begin(), segments_.end(), [&](const SegmentSpec& s) { return s.name == name; }))
    return absl::NotFoundError(Cat("no segment \"", name, "\""));
  std::vector<internal::FileOp> ops(1);
  ops[0].kind = "drop_segment", ops[0].a = std::string(name), ops[0].ts = Now();
  if (auto st = Persist(store_.size(), {}, nullptr, &ops,
                        AuditEntry{ops[0].ts, "drop_segment", Cat("{\"name\":", JsonQuote(name), "}")});
      !st.ok())
    return st;
  std::erase_if(segments_, [&](const SegmentSpec& s) { return s.name == name; });
  return absl::OkStatus();
}

absl::StatusOr<SegmentResult> Workspace::EvaluateSegment(std::string_view name, Micros as_of) {
  auto it = std::find_if(segments_.begin(), segments_.end(), [&](const SegmentSpec& s) { return s.name == name; });
  if (it == segments_.end()) {
    std::vector<std::string> names;
    for (const SegmentSpec& s : segments_) names.push_back(s.name);
    const std::string near = NearestName(name, names, std::max<int>(2, static_cast<int>(name.size()) / 3));
    return absl::NotFoundError(Cat("no segment \"", name, "\"", near.empty() ? "" : Cat("; did you mean \"", near, "\"?")));
  }
  const SegmentSpec spec = *it;
  auto q = CompileQuery(spec.expression);
  if (!q.ok()) return PrefixStatus(q.status(), Cat("segment \"", spec.name, "\": "));
  auto r = Run(*q, spec.purpose, as_of);
  if (r.ok()) r->name = spec.name;
  return r;
}

absl::StatusOr<Table> Workspace::MembersTable(const std::vector<int32_t>& members, const std::vector<std::string>& columns) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const QuerySchema schema = Schema();
  std::vector<std::string> known, need = {"profile", "key"};
  for (const auto& f : schema.profile_fields) known.push_back(f.name);
  for (const std::string& c : columns) {
    if (std::find(known.begin(), known.end(), c) == known.end()) {
      const std::string near = NearestName(c, known, std::max<int>(2, static_cast<int>(c.size()) / 3));
      return absl::InvalidArgumentError(Cat("members: unknown column \"", c, "\"", near.empty() ? "" : Cat("; did you mean \"", near, "\"?")));
    }
    if (std::find(need.begin(), need.end(), c) == need.end()) need.push_back(c);
  }
  for (int32_t p : members)
    if (p < 0 || p >= profiles_.size()) return absl::InvalidArgumentError(Cat("members: profile ", p, " does not exist"));
  Table all = ProfileColumns(&need);
  Table out;
  out.dict = all.dict;
  for (const std::string& name : need) {
    const Column& src = *all.Find(name);
    Column& dst = out.Add(name, src.type);
    std::vector<uint32_t> rows(members.begin(), members.end());
    dst = src;
    dst.Gather(rows);
  }
  return out;
}

absl::StatusOr<Workspace::SegmentValidation> Workspace::ValidateSegment(std::string_view name, Micros period) {
  if (period <= 0) return absl::InvalidArgumentError("validate_segment: period must be positive");
  auto now = EvaluateSegment(name);
  if (!now.ok()) return now.status();
  auto then = EvaluateSegment(name, now->clock - period);
  if (!then.ok()) return then.status();
  SegmentValidation v;
  v.size = static_cast<int64_t>(now->members.size());
  v.population = now->population;
  v.share = v.population ? static_cast<double>(v.size) / v.population : 0;
  v.stability = Jaccard(then->members, now->members);
  v.period_start = then->clock, v.period_end = now->clock;
  // Distinctiveness over attributes and traits (not identifiers or keys).
  std::vector<std::string> cols;
  const QuerySchema schema = Schema();
  for (const auto& f : schema.profile_fields) {
    const bool identifier = std::find(identity_->types().begin(), identity_->types().end(), f.name) != identity_->types().end();
    if (identifier || f.name == "profile" || f.name == "key") continue;
    cols.push_back(f.name);
  }
  Table data = ProfileColumns(&cols);
  std::vector<uint8_t> in(static_cast<size_t>(v.population), 0);
  for (int32_t p : now->members) in[static_cast<size_t>(p)] = 1;
  struct Row {
    std::string column, value;
    double seg_share, pop_share, lift;
    int64_t seg_count;
  };
  std::vector<Row> rows;
  const size_t n = static_cast<size_t>(v.population);
  for (size_t c = 0; c < data.names.size(); ++c) {
    const Column& col = data.columns[c];
    if (col.type == ColumnType::kString || col.type == ColumnType::kBool) {
      absl::flat_hash_map<int32_t, std::pair<int64_t, int64_t>> counts;  // value -> (segment, population)
      for (size_t p = 0; p < n; ++p) {
        if (col.IsNull(p)) continue;
        const int32_t key = col.type == ColumnType::kString ? col.str[p] : col.b[p];
        auto& e = counts[key];
        e.second++;
        e.first += in[p];
      }
      if (counts.size() > 50) continue;  // free text or ids: no lift table
      for (const auto& [key, e] : counts) {
        if (e.second < 5 || v.size == 0) continue;  // too rare to say anything
        Row r;
        r.column = data.names[c];
        r.value = col.type == ColumnType::kString ? std::string(data.dict->Get(key)) : (key ? "true" : "false");
        r.seg_share = static_cast<double>(e.first) / static_cast<double>(v.size);
        r.pop_share = static_cast<double>(e.second) / static_cast<double>(n);
        r.lift = r.seg_share / r.pop_share;
        r.seg_count = e.first;
        rows.push_back(std::move(r));
      }
    } else {
      double seg_sum = 0, pop_sum = 0;
      int64_t seg_n = 0, pop_n = 0;
      for (size_t p = 0; p < n; ++p) {
        if (col.IsNull(p)) continue;
        const double x = col.type == ColumnType::kInt64 ? static_cast<double>(col.i64[p]) : col.f64[p];
        pop_sum += x, ++pop_n;
        if (in[p]) seg_sum += x, ++seg_n;
      }
      if (seg_n == 0 || pop_n == 0 || pop_sum == 0) continue;
      Row r;
      r.column = data.names[c];
      r.value = "mean";
      r.seg_share = seg_sum / static_cast<double>(seg_n);
      r.pop_share = pop_sum / static_cast<double>(pop_n);
      r.lift = r.seg_share / r.pop_share;
      r.seg_count = seg_n;
      rows.push_back(std::move(r));
    }
  }
  auto strength = [](double lift) { return lift > 0 ? std::fabs(std::log(lift)) : INFINITY; };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (strength(a.lift) != strength(b.lift)) return strength(a.lift) > strength(b.lift);
    return std::tie(a.column, a.value) < std::tie(b.column, b.value);
  });
  Table& t = v.lift;
  Column& cn = t.Add("column", ColumnType::kString);
  Column& vv = t.Add("value", ColumnType::kString);
  Column& ss = t.Add("segment_share", ColumnType::kDouble);
  Column& ps = t.Add("population_share", ColumnType::kDouble);
  Column& lf = t.Add("lift", ColumnType::kDouble);
  Column& sc = t.Add("segment_count", ColumnType::kInt64);
  for (const Row& r : rows) {
    t.AppendString(cn, r.column), t.AppendString(vv, r.value);
    ss.f64.push_back(r.seg_share), ps.f64.push_back(r.pop_share), lf.f64.push_back(r.lift), sc.i64.push_back(r.seg_count);
  }
  return v;
}

absl::StatusOr<RfmResult> Workspace::Rfm(const RfmOptions& options) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const std::vector<int64_t>& off = EventOffsets();
  return ComputeRfm(store_.columns(), store_.dict(), off.data(), profiles_.size(), options);
}

Table Workspace::RfmTable(const RfmResult& rfm) {
  (void)EnsureResolved();
  Table t;
  Column& id = t.Add("profile", ColumnType::kInt64);
  Column& key = t.Add("key", ColumnType::kString);
  Column& rec = t.Add("recency", ColumnType::kDouble);
  Column& fr = t.Add("frequency", ColumnType::kInt64);
  Column& mo = t.Add("monetary", ColumnType::kDouble);
  Column& r = t.Add("r", ColumnType::kInt64);
  Column& f = t.Add("f", ColumnType::kInt64);
  Column& m = t.Add("m", ColumnType::kInt64);
  Column& code = t.Add("rfm", ColumnType::kString);
  Column& seg = t.Add("segment", ColumnType::kString);
  for (size_t i = 0; i < rfm.profile.size(); ++i) {
    const int32_t p = rfm.profile[i];
    id.i64.push_back(p);
    t.AppendString(key, p < profiles_.size() ? identity_->NodeText(profiles_.key_node(p)) : "");
    rec.f64.push_back(rfm.recency[i]), fr.i64.push_back(rfm.frequency[i]), mo.f64.push_back(rfm.monetary[i]);
    r.i64.push_back(rfm.r[i]), f.i64.push_back(rfm.f[i]), m.i64.push_back(rfm.m[i]);
    t.AppendString(code, Cat(static_cast<int>(rfm.r[i]), static_cast<int>(rfm.f[i]), static_cast<int>(rfm.m[i])));
    if (rfm.segment.empty() || rfm.segment[i].empty()) seg.str.push_back(kNullCode);
    else t.AppendString(seg, rfm.segment[i]);
  }
  return t;
}

// --- Real-time segments ------------------------------------------------------------------------

absl::StatusOr<std::vector<std::string>> Workspace::MemberKeys(const SegmentSpec& spec) {
  auto q = CompileQuery(spec.expression);
  if (!q.ok()) return PrefixStatus(q.status(), Cat("segment \"", spec.name, "\": "));
  auto r = Run(*q, spec.purpose, INT64_MIN);
  if (!r.ok()) return r.status();
  std::vector<std::string> keys;
  keys.reserve(r->members.size());
  for (int32_t p : r->members) keys.push_back(identity_->NodeText(profiles_.key_node(p)));
  std::sort(keys.begin(), keys.end());
  return keys;
}

absl::Status Workspace::SetRealtime(std::string_view name, bool realtime) {
  auto it = std::find_if(segments_.begin(), segments_.end(), [&](const SegmentSpec& s) { return s.name == name; });
  if (it == segments_.end()) return absl::NotFoundError(Cat("no segment \"", name, "\""));
  SegmentSpec spec = *it;
  spec.realtime = realtime;
  if (auto st = DefineSegment(spec, true); !st.ok()) return st;
  if (!realtime) {
    if (auto m = realtime_members_.find(name); m != realtime_members_.end()) realtime_members_.erase(m);
    return absl::OkStatus();
  }
  auto keys = MemberKeys(spec);
  if (!keys.ok()) return keys.status();
  realtime_members_[spec.name] = *std::move(keys);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Workspace::RealtimeMembers(std::string_view name) const {
  auto it = realtime_members_.find(name);
  if (it == realtime_members_.end()) return absl::NotFoundError(Cat("segment \"", name, "\" is not real-time"));
  return it->second;
}

absl::Status Workspace::RefreshRealtime(Micros ts) {
  for (const SegmentSpec& spec : segments_) {
    if (!spec.realtime) continue;
    auto keys = MemberKeys(spec);
    if (!keys.ok()) return keys.status();
    auto [slot, fresh] = realtime_members_.try_emplace(spec.name);
    std::vector<std::string>& before = slot->second;
    if (fresh) {  // first refresh since the workspace was opened: the starting point, not news
      before = *std::move(keys);
      continue;
    }
    if (listener_) {
      // Both lists are sorted: one merge finds entries and exits.
      auto profile_of = [&](const std::string& key) -> int32_t {
        auto p = FindProfile(key);
        return p.ok() ? *p : -1;
      };
      size_t i = 0, j = 0;
      while (i < before.size() || j < keys->size()) {
        if (j == keys->size() || (i < before.size() && before[i] < (*keys)[j])) {
          listener_(SegmentChange{spec.name, before[i], profile_of(before[i]), false, ts});
          ++i;
        } else if (i == before.size() || (*keys)[j] < before[i]) {
          listener_(SegmentChange{spec.name, (*keys)[j], profile_of((*keys)[j]), true, ts});
          ++j;
        } else {
          ++i, ++j;
        }
      }
    }
    before = *std::move(keys);
  }
  return absl::OkStatus();
}

absl::Status Workspace::AdvanceTo(Micros ts) {
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const Micros clock = Clock();
  if (ts < clock)
    return absl::InvalidArgumentError(Cat("advance_to: ", FormatTimestamp(ts), " is before the clock ", FormatTimestamp(clock)));
  if (ts == clock) return absl::OkStatus();
  // Times in (clock, ts] where an event leaves a window of a real-time segment: membership can
  // only change there (for last= windows), so each is evaluated in order.
  std::vector<Micros> stops;
  const EventColumns& ev = store_.columns();
  for (const SegmentSpec& spec : segments_) {
    if (!spec.realtime) continue;
    auto q = CompileQuery(spec.expression);
    if (!q.ok()) return PrefixStatus(q.status(), Cat("segment \"", spec.name, "\": "));
    std::vector<int32_t> codes;
    bool any = false;
    for (const std::string& t : q->event_types()) {
      if (t == "*") any = true;
      else if (auto c = store_.dict().Find(t)) codes.push_back(*c);
    }
    for (Micros w : q->windows())
      for (size_t r = 0; r < ev.size(); ++r) {
        if (!any && std::find(codes.begin(), codes.end(), ev.type[r]) == codes.end()) continue;
        const Micros out = ev.ts[r] + w;  // the first clock at which the event is outside (clock - w, clock]
        if (out > clock && out < ts) stops.push_back(out);
      }
  }
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
  stops.push_back(ts);
  for (Micros t : stops) {
    advanced_ = t;
    frame_.clock.reset();  // the clock moved; the rest of the query frame stays valid
    if (auto st = RefreshRealtime(t); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace cdp
