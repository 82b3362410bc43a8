// Test helper: generated events (a Table) as a columnar SourceBatch for Workspace::IngestColumns.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/ingest.hpp"
#include "cdp/reader.hpp"
#include "cdp/table.hpp"

namespace cdp::testing {

// Generated events as a columnar source batch (string columns as codes + categories).
struct GeneratedSource {
  SourceBatch batch;
  std::vector<std::string> categories;
};
inline GeneratedSource Source(const Table& t) {
  GeneratedSource s;
  for (int32_t c = 0; c < t.dict->size(); ++c) s.categories.emplace_back(t.dict->Get(c));
  s.batch.rows = t.rows();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& col = t.columns[i];
    SourceColumn sc;
    sc.name = t.names[i];
    switch (col.type) {
      case ColumnType::kString:
        sc.kind = SourceColumn::Kind::kCodes, sc.codes32 = col.str.data(), sc.categories = &s.categories;
        break;
      case ColumnType::kInt64: sc.kind = SourceColumn::Kind::kInt64, sc.i64 = col.i64.data(); break;
      case ColumnType::kDouble: sc.kind = SourceColumn::Kind::kDouble, sc.f64 = col.f64.data(); break;
      case ColumnType::kBool: continue;
    }
    s.batch.columns.push_back(sc);
  }
  return s;
}


/// How generated events are ingested: ts holds epoch microseconds.
inline IngestOptions GeneratedIngestOptions() {
  IngestOptions opt;
  opt.mapping["ts"] = "ts";
  opt.time.epoch_unit = EpochUnit::kMicros;
  return opt;
}

}  // namespace cdp::testing
