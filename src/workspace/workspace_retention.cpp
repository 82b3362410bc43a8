// Workspace: retention limits. Raw events older than their type's time-to-live are deleted (rows,
// strings only they used, the file rewritten and compacted); what they summed to stays as
// aggregates in the report and the audit log.
#include <chrono>
#include <map>

#include "absl/time/clock.h"
#include "cdp/ingest.hpp"  // NearestName
#include "cdp/json.hpp"
#include "cdp/metrics.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "store/workspace_file.hpp"

namespace cdp {

absl::StatusOr<RetentionLimitReport> Workspace::EnforceRetention(Micros now,
                                                                 const std::vector<std::pair<std::string, Micros>>& ttl) {
  const auto t0 = std::chrono::steady_clock::now();
  if (auto st = Writable("enforce_retention"); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const QuerySchema schema = Schema();
  const StringDictionary& dict = store_.dict();
  Micros any_ttl = 0;
  absl::flat_hash_map<int32_t, Micros> limit;
  for (const auto& [type, t] : ttl) {
    if (t <= 0) return absl::InvalidArgumentError(Cat("enforce_retention: the time to live of '", type, "' must be positive"));
    if (type == "*") {
      any_ttl = t;
      continue;
    }
    if (std::find(schema.event_types.begin(), schema.event_types.end(), type) == schema.event_types.end()) {
      const std::string near = NearestName(type, schema.event_types, std::max<int>(2, static_cast<int>(type.size()) / 3));
      return absl::InvalidArgumentError(Cat("enforce_retention: unknown event type '", type, "'",
                                            near.empty() ? "" : Cat("; did you mean '", near, "'?")));
    }
    if (auto code = dict.Find(type)) limit[*code] = t;
  }
  if (limit.empty() && any_ttl == 0) return absl::InvalidArgumentError("enforce_retention: no time to live given");
  auto month = PeriodCalendar::Create("month");
  const EventColumns& cols = store_.columns();
  const size_t n = cols.size();
  std::vector<uint8_t> keep(n, 1);
  RetentionLimitReport report;
  report.now = now;
  std::map<std::pair<std::string, int64_t>, std::pair<int64_t, double>> cells;  // (type, month) -> events, revenue
  for (size_t r = 0; r < n; ++r) {
    const auto it = limit.find(cols.type[r]);
    const Micros t = it != limit.end() ? it->second : any_ttl;
    if (t == 0 || cols.ts[r] >= now - t) continue;
    keep[r] = 0;
    auto& cell = cells[{std::string(dict.Get(cols.type[r])), month->Of(cols.ts[r])}];
    ++cell.first;
    if (!std::isnan(cols.revenue[r])) cell.second += cols.revenue[r];
  }
  Column& type_col = report.aggregates.Add("type", ColumnType::kString);
  Column& month_col = report.aggregates.Add("month", ColumnType::kInt64);
  Column& events_col = report.aggregates.Add("events", ColumnType::kInt64);
  Column& revenue_col = report.aggregates.Add("revenue", ColumnType::kDouble);
  std::string detail = Cat("{\"now\":", JsonQuote(FormatTimestamp(now)), ",\"removed\":[");
  for (const auto& [k, v] : cells) {
    report.aggregates.AppendString(type_col, k.first);
    month_col.i64.push_back(month->Start(k.second));
    events_col.i64.push_back(v.first), revenue_col.f64.push_back(v.second);
    report.removed_by_type[k.first] += v.first;
    report.events_removed += v.first;
    detail += Cat(events_col.i64.size() > 1 ? "," : "", "{\"type\":", JsonQuote(k.first), ",\"month\":",
                  JsonQuote(FormatTimestamp(month->Start(k.second)).substr(0, 7)), ",\"events\":", v.first,
                  ",\"revenue\":", ShortestDouble(v.second), "}");
  }
  detail += "]}";
  AuditEntry entry{absl::ToUnixMicros(absl::Now()), "retention", detail};
  if (report.events_removed == 0) {
    if (auto st = RecordAudit(entry); !st.ok()) return st;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
  }
  CompactedEvents compacted = CompactEvents(store_, keep);
  report.strings_removed = compacted.strings_removed;
  entry.hash = NextAuditHash(entry);
  if (file_) {
    internal::WorkspaceFile& f = *file_;
    if (auto st = f.Begin(); !st.ok()) return st;
    absl::Status st = f.RewriteStrings(0, *compacted.dict);
    if (st.ok()) st = f.RewriteStrings(1, *compacted.keys);
    if (st.ok()) st = f.RewriteEventIds(compacted.ids);
    if (st.ok()) st = f.RewriteEvents(compacted.cols);
    if (st.ok()) st = f.Audit(entry.ts, entry.action, entry.detail, entry.hash);
    if (st.ok()) st = f.Commit();
    if (!st.ok()) {
      f.Rollback();
      return PrefixStatus(st, "enforce_retention: nothing was removed: ");
    }
  }
  store_.Install(std::move(compacted));
  saved_strings_ = store_.dict().size();
  saved_keys_ = store_.keys().size();
  saved_ids_ = store_.ids().size();
  audit_.push_back(std::move(entry));
  if (auto st = RebuildDerived(restore_times_); !st.ok()) return st;
  if (file_) report.file_compacted = file_->Compact().ok();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace cdp
