// Ingest options as key/value pairs: one parser for the C ABI and the Python bindings.
#include "cdp/ingest.hpp"
#include "core/strings.hpp"
#include "ingest/ingest_internal.hpp"

namespace cdp {
namespace {

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(Strip(s.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

bool ParseBool(std::string_view v, bool* out) {
  if (v == "true" || v == "1") return *out = true, true;
  if (v == "false" || v == "0") return *out = false, true;
  return false;
}

}  // namespace

absl::Status SetIngestOption(IngestOptions* ingest, CsvOptions* csv, std::string_view key,
                             std::string_view value) {
  auto bad = [&](std::string_view expected) {
    return absl::InvalidArgumentError(
        Cat("option \"", key, "\": bad value \"", value, "\" (expected ", expected, ")"));
  };
  if (key.rfind("map.", 0) == 0) {
    ingest->mapping[std::string(key.substr(4))] = std::string(value);
  } else if (key == "plan") {
    ingest->plan_json = std::string(value);
  } else if (key == "time_zone") {
    ingest->time.naive_time_zone = std::string(value);
  } else if (key == "epoch_unit") {
    using U = EpochUnit;
    if (value == "auto") ingest->time.epoch_unit = U::kAuto;
    else if (value == "s") ingest->time.epoch_unit = U::kSeconds;
    else if (value == "ms") ingest->time.epoch_unit = U::kMillis;
    else if (value == "us") ingest->time.epoch_unit = U::kMicros;
    else if (value == "ns") ingest->time.epoch_unit = U::kNanos;
    else return bad("auto, s, ms, us or ns");
  } else if (key == "default_country") {
    ingest->default_country = std::string(value);
  } else if (key == "keep_unmapped") {
    if (!ParseBool(value, &ingest->keep_unmapped)) return bad("true or false");
  } else if (key == "source") {
    ingest->source = std::string(value);
  } else if (key == "null_values") {
    ingest->null_values = SplitComma(value);
  } else if (key == "csv.delimiter") {
    if (value == "whitespace") {
      csv->whitespace_delimiter = true;
    } else if (value == "\\t" || value == "\t") {
      csv->delimiter = '\t';
    } else if (value.size() == 1 && value[0] != '"' && value[0] != '\n' && value[0] != '\r') {
      csv->delimiter = value[0];
    } else {
      return bad("one character, \"\\t\" or \"whitespace\"");
    }
  } else if (key == "csv.header") {
    if (!ParseBool(value, &csv->header)) return bad("true or false");
  } else if (key == "csv.columns") {
    csv->column_names = SplitComma(value);
  } else if (key == "csv.max_field_bytes") {
    int64_t v = 0;
    if (!internal::ParseInt64Strict(value, &v) || v <= 0) return bad("a positive integer");
    csv->max_field_bytes = static_cast<size_t>(v);
  } else {
    return absl::InvalidArgumentError(
                Cat("unknown option \"", key,
                         "\" (known: map.<field>, plan, time_zone, epoch_unit, default_country, keep_unmapped, "
                         "source, null_values, csv.delimiter, csv.header, csv.columns, csv.max_field_bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace cdp
