// The ingest pipeline: source batch -> typed, normalized, validated, deduped EventColumns.
// Work is column-at-a-time over a batch; per-row state is a "bad" index into the batch's pending
// quarantine entries, so every row ends in exactly one of accepted / quarantined / duplicate.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "core/strings.hpp"
#include "absl/strings/str_join.h"
#include "cdp/ingest.hpp"
#include "cdp/normalize.hpp"
#include "ingest/ingest_internal.hpp"

namespace cdp {

using internal::FieldBinding;
using internal::ParseDoubleStrict;
using internal::ParseInt64Strict;

void IngestReport::Merge(const IngestReport& o) {
  read += o.read;
  accepted += o.accepted;
  quarantined += o.quarantined;
  duplicates += o.duplicates;
  for (const auto& [k, v] : o.reasons) reasons[k] += v;
  for (const auto& [k, v] : o.warnings) warnings[k] += v;
  bytes += o.bytes;
  seconds += o.seconds;
}

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int sub = prev[j - 1] + (AsciiLower(a[i - 1]) == AsciiLower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

SourceBatch TextSource(const TextBatch& batch) {
  SourceBatch sb;
  sb.rows = batch.rows();
  sb.lines = batch.lines.data();
  sb.errors = &batch.errors;
  sb.columns.resize(batch.names.size());
  for (size_t c = 0; c < batch.names.size(); ++c) {
    sb.columns[c].name = batch.names[c];
    sb.columns[c].kind = SourceColumn::Kind::kText;
    sb.columns[c].cells = batch.columns[c].data();
  }
  return sb;
}

struct Ingestor::Impl {
  IngestOptions options;
  IngestTarget target;
  std::string source;
  std::optional<TrackingPlan> plan;
  std::optional<TimeParser> time;
  std::string default_country;
  FieldBinding fields[std::size(kStandardFields)];
  absl::flat_hash_map<std::string, bool> consumed;  // source columns mapped directly to a field
  std::vector<QuarantineRow> quarantine;
  IngestReport report;
  internal::BatchState st;  // reused across batches

  absl::Status Process(const SourceBatch& b);
};

Ingestor::Ingestor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ingestor::~Ingestor() = default;
std::vector<QuarantineRow>& Ingestor::quarantine() { return impl_->quarantine; }
IngestReport& Ingestor::report() { return impl_->report; }
void Ingestor::ForgetCodes() { impl_->st = internal::BatchState{}; }

absl::StatusOr<std::unique_ptr<Ingestor>> Ingestor::Create(const IngestOptions& options,
                                                           IngestTarget target, std::string source) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->target = target;
  impl->source = options.source.empty() ? std::move(source) : options.source;
  impl->report.source = impl->source;
  for (const auto& [field, src] : options.mapping) {
    int fi = internal::FieldIndex(field);
    if (fi < 0) {
      const std::string best = NearestName(field, kStandardFields, 3);
      return absl::InvalidArgumentError(Cat(
          "mapping: unknown field \"", field, "\" (fields are ",
          Join(kStandardFields, ", "),
          !best.empty() ? Cat("; did you mean \"", best, "\"?)") : ")"));
    }
    auto binding = internal::ParseBinding(field, src);
    if (!binding.ok()) return binding.status();
    impl->fields[fi] = *binding;
  }
  if (!options.plan_json.empty()) {
    auto plan = TrackingPlan::Parse(options.plan_json);
    if (!plan.ok()) return plan.status();
    impl->plan = *std::move(plan);
  }
  auto tp = TimeParser::Create(options.time);
  if (!tp.ok()) return tp.status();
  impl->time = *std::move(tp);
  auto cc = CallingCode(options.default_country);
  if (!cc.ok())
    return absl::InvalidArgumentError(Cat("default_country: \"", options.default_country,
                                                   "\" is not an ISO 3166 alpha-2 country code"));
  return std::unique_ptr<Ingestor>(new Ingestor(std::move(impl)));
}

absl::Status Ingestor::Bind(const std::vector<std::string>& names, bool require_columns) {
  Impl& m = *impl_;
  for (size_t fi = 0; fi < std::size(kStandardFields); ++fi) {
    FieldBinding& f = m.fields[fi];
    if (f.kind == FieldBinding::kNone) {
      // Implicit mapping: a column named like the field.
      for (const std::string& n : names)
        if (n == kStandardFields[fi]) f = FieldBinding{FieldBinding::kColumn, n, "", ""};
    }
    for (const std::string* col : {&f.column, &f.column2}) {
      if (!require_columns || col->empty() || f.kind == FieldBinding::kNone ||
          f.kind == FieldBinding::kLiteral || f.kind == FieldBinding::kLine)
        continue;
      if (std::find(names.begin(), names.end(), *col) != names.end()) continue;
      const std::string best = NearestName(*col, names, std::max<int>(2, static_cast<int>(col->size()) / 3));
      return absl::InvalidArgumentError(Cat(
          "mapping: ", kStandardFields[fi], " -> \"", *col, "\": no such column in ", m.source,
          " (columns are ", Join(names, ", "), ")", !best.empty() ? Cat("; did you mean \"", best, "\"?") : ""));
    }
    if (f.kind == FieldBinding::kColumn) m.consumed[f.column] = true;
  }
  if (require_columns && m.fields[internal::FieldIndex("ts")].kind == FieldBinding::kNone)
    return absl::InvalidArgumentError(Cat(
        "mapping: no timestamp: map a source column to \"ts\" (columns are ", Join(names, ", "),
        ")"));
  return absl::OkStatus();
}

absl::Status Ingestor::Process(const SourceBatch& b, EventColumns* out) {
  Impl& m = *impl_;
  internal::BatchContext ctx{m.options, m.target, m.source, m.plan ? &*m.plan : nullptr, &*m.time,
                             m.fields, m.consumed};
  return internal::ProcessBatch(ctx, b, &m.st, out, &m.quarantine, &m.report);
}

}  // namespace cdp
