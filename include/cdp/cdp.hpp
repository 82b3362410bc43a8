// cdp/cdp.hpp — the whole C++ API of cdpcore in one include.
//
//   auto ws = cdp::Workspace::Open().value();
//   cdp::IngestOptions opt;
//   opt.mapping["ts"] = "InvoiceDate";
//   absl::StatusOr<cdp::IngestReport> rep = ws->IngestCsv("sales.csv.gz", opt);
#pragma once

#include "cdp/column.hpp"
#include "cdp/dedupe.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/event_columns.hpp"
#include "cdp/event_store.hpp"
#include "cdp/generate.hpp"
#include "cdp/identity.hpp"
#include "cdp/ingest.hpp"
#include "cdp/json.hpp"
#include "cdp/normalize.hpp"
#include "cdp/profiles.hpp"
#include "cdp/reader.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"
#include "cdp/workspace.hpp"
