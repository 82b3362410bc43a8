// Workspace: the access / portability export of one person (GDPR Art. 15 and 20): everything held
// on them, as named tables and as one JSON document.
#include <chrono>
#include <cmath>

#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

bool IsTimeColumn(std::string_view name) {
  return name == "ts" || name == "since" || name == "first_seen" || name == "last_seen" || name.ends_with("_ts") ||
         name.ends_with("_at");
}

// One JSON value per cell: numbers, booleans, text; times as ISO 8601 text; nulls omitted.
void AppendCell(std::string& out, const Table& t, size_t col, size_t row) {
  const Column& c = t.columns[col];
  switch (c.type) {
    case ColumnType::kInt64:
      out += IsTimeColumn(t.names[col]) ? JsonQuote(FormatTimestamp(c.i64[row])) : Cat(c.i64[row]);
      break;
    case ColumnType::kDouble: out += ShortestDouble(c.f64[row]); break;
    case ColumnType::kBool: out += c.b[row] ? "true" : "false"; break;
    case ColumnType::kString: out += JsonQuote(t.dict->Get(c.str[row])); break;
  }
}

std::string TableJson(const Table& t) {
  std::string out = "[";
  for (size_t r = 0; r < t.rows(); ++r) {
    out += r ? ",{" : "{";
    bool first = true;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const Column& col = t.columns[c];
      if (col.IsNull(r) || (col.type == ColumnType::kDouble && !std::isfinite(col.f64[r]))) continue;
      out += first ? "" : ",";
      first = false;
      out += JsonQuote(t.names[c]) + ":";
      AppendCell(out, t, c, r);
    }
    out += "}";
  }
  return out + "]";
}

}  // namespace

absl::StatusOr<SubjectExport> Workspace::ExportSubject(std::string_view identifier) {
  auto p = FindProfile(identifier);
  if (!p.ok()) return p.status();
  auto view = Profile(*p, 0);
  if (!view.ok()) return view.status();
  SubjectExport out;
  out.profile = *p;
  out.key = view->key;
  {
    Table t;
    t.AppendString(t.Add("key", ColumnType::kString), view->key);
    t.Add("events", ColumnType::kInt64).i64.push_back(view->events);
    t.Add("first_seen", ColumnType::kInt64).i64.push_back(view->first_seen);
    t.Add("last_seen", ColumnType::kInt64).i64.push_back(view->last_seen);
    t.Add("sessions", ColumnType::kInt64).i64.push_back(view->sessions);
    out.tables.emplace_back("profile", std::move(t));
  }
  {
    Table t;
    Column& id = t.Add("identifier", ColumnType::kString);
    for (const std::string& s : view->identifiers) t.AppendString(id, s);
    out.tables.emplace_back("identifiers", std::move(t));
  }
  out.tables.emplace_back("links", IdentityLinks(*p, false));
  {
    Table t;
    Column& name = t.Add("name", ColumnType::kString);
    Column& value = t.Add("value", ColumnType::kString);
    Column& source = t.Add("source", ColumnType::kString);
    Column& ts = t.Add("ts", ColumnType::kInt64);
    for (const auto& a : view->attributes) {
      t.AppendString(name, a.name), t.AppendString(value, a.value), t.AppendString(source, a.source);
      ts.i64.push_back(a.ts);
    }
    out.tables.emplace_back("attributes", std::move(t));
  }
  auto history = AttributeHistory(*p);
  if (!history.ok()) return history.status();
  out.tables.emplace_back("attribute_history", *std::move(history));
  {
    Table t;
    Column& name = t.Add("name", ColumnType::kString);
    Column& value = t.Add("value", ColumnType::kString);
    for (const auto& [n, v] : view->traits) t.AppendString(name, n), t.AppendString(value, v);
    out.tables.emplace_back("traits", std::move(t));
  }
  {
    Table t;
    Column& name = t.Add("segment", ColumnType::kString);
    Column& purpose = t.Add("purpose", ColumnType::kString);
    const std::vector<SegmentSpec> specs = segments_;
    for (const SegmentSpec& s : specs) {
      auto r = EvaluateSegment(s.name);
      if (!r.ok()) return r.status();
      if (!std::binary_search(r->members.begin(), r->members.end(), *p)) continue;
      t.AppendString(name, s.name);
      if (s.purpose.empty()) purpose.AppendNull();
      else t.AppendString(purpose, s.purpose);
    }
    out.tables.emplace_back("segments", std::move(t));
  }
  auto consent = ConsentOf(identifier);
  if (!consent.ok()) return consent.status();
  out.tables.emplace_back("consent", *std::move(consent));
  const std::vector<int64_t>& off = EventOffsets();
  out.tables.emplace_back("events", EventRowsTable(static_cast<size_t>(off[static_cast<size_t>(*p)]),
                                                   static_cast<size_t>(off[static_cast<size_t>(*p) + 1]), false));
  const Micros now = absl::ToUnixMicros(absl::Now());
  out.json = Cat("{\"subject\":", JsonQuote(identifier), ",\"profile_key\":", JsonQuote(out.key),
                 ",\"generated_at\":", JsonQuote(FormatTimestamp(now)), ",\"controller\":", JsonQuote(path_),
                 ",\"tables\":{");
  for (size_t i = 0; i < out.tables.size(); ++i)
    out.json += Cat(i ? "," : "", JsonQuote(out.tables[i].first), ":", TableJson(out.tables[i].second));
  out.json += "}}";
  int64_t events = static_cast<int64_t>(out.tables.back().second.rows());
  // The audit names the profile id and what was handed out, not the person's identifiers.
  if (auto st = RecordAudit(AuditEntry{now, "export", Cat("{\"profile\":", *p, ",\"tables\":", out.tables.size(),
                                                                  ",\"events\":", events, "}")});
      !st.ok())
    return st;
  return out;
}

}  // namespace cdp
