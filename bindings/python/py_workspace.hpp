// The Python workspace handle (cdpcore._core.Workspace) and the conversions every binding file
// shares: errors raised as cdpcore.errors types, tables as numpy arrays, options from dicts.
// module.cpp registers the class; other binding files add methods to it (BindKpis, ...).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cdp/privacy.hpp"
#include "cdp/workspace.hpp"

namespace cdp_py {

namespace py = pybind11;


// Python exception types are created in python/cdpcore/errors.py and registered at import.
// dict: code name -> exception class. A leaked reference: a py::object global would be released
// after the interpreter finalizes.
inline PyObject* g_error_types = nullptr;

[[noreturn]] inline void Raise(const absl::Status& st) {
  std::string msg(st.message().data(), st.message().size());
  const char* kind = "Error";
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists: kind = "InvalidArgumentError"; break;
    case absl::StatusCode::kNotFound: kind = "NotFoundError"; break;
    case absl::StatusCode::kPermissionDenied:
      kind = cdp::IsPrivacyError(st) ? "PrivacyError" : "IOError";
      break;
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable: kind = "IOError"; break;
    case absl::StatusCode::kUnimplemented: kind = "UnsupportedError"; break;
    default: break;
  }
  if (g_error_types != nullptr) {
    PyObject* type = PyDict_GetItemString(g_error_types, kind);  // borrowed
    if (type != nullptr) {
      PyErr_SetString(type, msg.c_str());
      throw py::error_already_set();
    }
  }
  throw std::runtime_error(msg);
}

template <typename T>
T Unwrap(absl::StatusOr<T> v) {
  if (!v.ok()) Raise(v.status());
  return *std::move(v);
}

inline void Check(const absl::Status& st) {
  if (!st.ok()) Raise(st);
}

inline py::dict ReportDict(const cdp::IngestReport& r) {
  py::dict d;
  d["source"] = r.source;
  d["read"] = r.read;
  d["accepted"] = r.accepted;
  d["quarantined"] = r.quarantined;
  d["duplicates"] = r.duplicates;
  d["reasons"] = r.reasons;
  d["warnings"] = r.warnings;
  d["bytes"] = r.bytes;
  d["seconds"] = r.seconds;
  return d;
}

// A table as {"names": [...], "columns": [...]} where each column is a numpy array, or for strings a
// (codes int32 array, categories list) pair with codes compacted to the values that occur.
inline py::dict TableDict(cdp::Table t) {
  auto holder = std::make_shared<cdp::Table>(std::move(t));
  py::list names, columns;
  const size_t n = holder->rows();
  std::vector<int32_t> remap;
  for (size_t i = 0; i < holder->columns.size(); ++i) {
    names.append(holder->names[i]);
    cdp::Column& c = holder->columns[i];
    switch (c.type) {
      case cdp::ColumnType::kInt64: {
        auto* v = new cdp::Vec<int64_t>(std::move(c.i64));
        py::capsule free(v, [](void* p) { delete static_cast<cdp::Vec<int64_t>*>(p); });
        columns.append(py::make_tuple("int64", py::array_t<int64_t>(v->size(), v->data(), free)));
        break;
      }
      case cdp::ColumnType::kDouble: {
        auto* v = new cdp::Vec<double>(std::move(c.f64));
        py::capsule free(v, [](void* p) { delete static_cast<cdp::Vec<double>*>(p); });
        columns.append(py::make_tuple("double", py::array_t<double>(v->size(), v->data(), free)));
        break;
      }
      case cdp::ColumnType::kBool: {
        auto* v = new cdp::Vec<int8_t>(std::move(c.b));
        py::capsule free(v, [](void* p) { delete static_cast<cdp::Vec<int8_t>*>(p); });
        columns.append(py::make_tuple("bool", py::array_t<int8_t>(v->size(), v->data(), free)));
        break;
      }
      case cdp::ColumnType::kString: {
        // One remap array for the table, reset after each column (touching only used codes).
        if (remap.size() != static_cast<size_t>(holder->dict->size()))
          remap.assign(static_cast<size_t>(holder->dict->size()), -1);
        std::vector<int32_t> used;
        py::list cats;
        auto* codes = new std::vector<int32_t>(n);
        int32_t next = 0;
        for (size_t r = 0; r < n; ++r) {
          int32_t code = c.str[r];
          if (code < 0) {
            (*codes)[r] = -1;
            continue;
          }
          int32_t& m = remap[static_cast<size_t>(code)];
          if (m < 0) {
            m = next++;
            used.push_back(code);
            std::string_view s = holder->dict->Get(code);
            cats.append(py::str(s.data(), s.size()));
          }
          (*codes)[r] = m;
        }
        for (int32_t code : used) remap[static_cast<size_t>(code)] = -1;
        py::capsule free(codes, [](void* p) { delete static_cast<std::vector<int32_t>*>(p); });
        columns.append(py::make_tuple("string", py::array_t<int32_t>(codes->size(), codes->data(), free), cats));
        break;
      }
    }
  }
  py::dict d;
  d["names"] = names;
  d["columns"] = columns;
  d["rows"] = n;
  return d;
}

struct Options {
  cdp::IngestOptions ingest;
  cdp::CsvOptions csv;
  cdp::NdjsonOptions ndjson;
};

inline Options MakeOptions(const std::map<std::string, std::string>& kv, py::object progress) {
  Options o;
  for (const auto& [k, v] : kv) Check(cdp::SetIngestOption(&o.ingest, &o.csv, k, v));
  if (!progress.is_none()) {
    // Called from native code with the GIL released. The lambda holds a borrowed pointer (the
    // caller's argument outlives the call), so copying or destroying it never touches reference
    // counts without the GIL.
    PyObject* callback = progress.ptr();
    o.ingest.progress = [callback](int64_t done, int64_t total) {
      py::gil_scoped_acquire gil;
      py::handle fn(callback);
      fn(done, total);
    };
  }
  return o;
}

// One writer at a time: native calls release the GIL, so Python threads sharing a workspace
// are serialized here (the GIL is released before waiting on the lock, so no deadlock).
// columns: list of (name, kind, array, extra) with kind in int64 | datetime_ns | float64 | bool |
// codes; extra: valid mask (uint8 array or None) for int64/bool, categories (list of str) for codes.
// The arrays are borrowed (kept alive by `keep`) for the call: zero-copy.
struct ColumnBatch {
  cdp::SourceBatch batch;
  std::vector<py::array> keep;
  std::vector<std::unique_ptr<std::vector<std::string>>> cats;
  ColumnBatch(py::list columns, int64_t rows) {
    batch.rows = static_cast<size_t>(rows);
    for (py::handle item : columns) {
      py::tuple t = item.cast<py::tuple>();
      cdp::SourceColumn c;
      c.name = t[0].cast<std::string>();
      std::string kind = t[1].cast<std::string>();
      auto need = [&](py::array a, size_t itemsize, const char* what) {
        if (a.ndim() != 1 || static_cast<int64_t>(a.shape(0)) != rows)
          throw py::value_error("column \"" + c.name + "\": expected a 1-d array of " + std::to_string(rows) + " rows");
        if (static_cast<size_t>(a.itemsize()) != itemsize || !(a.flags() & py::array::c_style))
          throw py::value_error("column \"" + c.name + "\": expected a contiguous " + what + " array");
        keep.push_back(a);
        return a.data();
      };
      if (kind == "int64" || kind == "datetime_ns") {
        c.kind = cdp::SourceColumn::Kind::kInt64;
        c.i64 = static_cast<const int64_t*>(need(t[2].cast<py::array>(), 8, "int64"));
        if (kind == "datetime_ns") c.unit = cdp::EpochUnit::kNanos;
        if (t.size() > 3 && !t[3].is_none()) c.valid = static_cast<const uint8_t*>(need(t[3].cast<py::array>(), 1, "uint8"));
      } else if (kind == "float64") {
        c.kind = cdp::SourceColumn::Kind::kDouble;
        c.f64 = static_cast<const double*>(need(t[2].cast<py::array>(), 8, "float64"));
      } else if (kind == "bool") {
        c.kind = cdp::SourceColumn::Kind::kBool;
        c.b = static_cast<const uint8_t*>(need(t[2].cast<py::array>(), 1, "bool"));
        if (t.size() > 3 && !t[3].is_none()) c.valid = static_cast<const uint8_t*>(need(t[3].cast<py::array>(), 1, "uint8"));
      } else if (kind == "codes") {
        c.kind = cdp::SourceColumn::Kind::kCodes;
        py::array a = t[2].cast<py::array>();
        if (a.itemsize() == 4) c.codes32 = static_cast<const int32_t*>(need(a, 4, "int32"));
        else c.codes64 = static_cast<const int64_t*>(need(a, 8, "int64"));
        cats.push_back(std::make_unique<std::vector<std::string>>(t[3].cast<std::vector<std::string>>()));
        c.categories = cats.back().get();
        // Codes must index the categories.
        const size_t ncat = c.categories->size();
        for (size_t r = 0; r < batch.rows; ++r) {
          int64_t code = c.codes32 ? c.codes32[r] : c.codes64[r];
          if (code >= static_cast<int64_t>(ncat))
            throw py::value_error("column \"" + c.name + "\": category code out of range");
        }
      } else {
        throw py::value_error("column \"" + c.name + "\": unknown kind " + kind);
      }
      batch.columns.push_back(std::move(c));
    }
  }
};


// --- options from Python dicts (the Python layer fills them) ---------------------------------------
template <typename T>
T Opt(const py::dict& d, const char* key, T fallback) {
  if (!d.contains(key) || d[key].is_none()) return fallback;
  return d[key].cast<T>();
}
// A duration given as microseconds (int) or text ("30d", "12h").
inline int64_t Dur(const py::dict& d, const char* key, int64_t fallback) {
  if (!d.contains(key) || d[key].is_none()) return fallback;
  py::object v = d[key];
  if (py::isinstance<py::str>(v)) {
    auto r = cdp::ParseDuration(v.cast<std::string>());
    if (!r.ok()) Raise(absl::InvalidArgumentError(absl::StrCat(key, ": ", r.status().message())));
    return *r;
  }
  return v.cast<int64_t>();
}

inline cdp::AttributionOptions AttributionOpts(const py::dict& d) {
  cdp::AttributionOptions o;
  o.models = Opt(d, "models", o.models);
  o.half_life = Dur(d, "half_life", o.half_life);
  o.position_first = Opt(d, "position_first", o.position_first);
  o.position_last = Opt(d, "position_last", o.position_last);
  o.markov_order = Opt(d, "markov_order", o.markov_order);
  o.markov_collapse_repeats = Opt(d, "markov_collapse_repeats", o.markov_collapse_repeats);
  o.shapley_exact_max = Opt(d, "shapley_exact_max", o.shapley_exact_max);
  o.shapley_samples = Opt(d, "shapley_samples", o.shapley_samples);
  o.shapley_value = Opt(d, "shapley_value", o.shapley_value);
  o.bootstrap = Opt(d, "bootstrap", o.bootstrap);
  o.confidence = Opt(d, "confidence", o.confidence);
  o.seed = Opt(d, "seed", o.seed);
  return o;
}

inline py::dict AttributionDict(cdp::AttributionResult r) {
  py::dict d;
  d["removal_effects"] = r.removal_effects;
  d["base_conversion_probability"] = r.base_conversion_probability;
  d["shapley_values"] = r.shapley_values;
  d["shapley_exact"] = r.shapley_exact;
  d["total_conversions"] = r.total_conversions;
  d["total_value"] = r.total_value;
  d["channels"] = r.channels;
  d["models"] = r.models;
  d["table"] = TableDict(r.ToTable());
  return d;
}

class PyWorkspace {
 public:
  PyWorkspace(const std::string& path, bool read_only)
      : ws_(Unwrap(cdp::Workspace::Open(path, cdp::OpenOptions{.read_only = read_only}))) {}

  py::dict IngestCsv(const std::string& path, const std::map<std::string, std::string>& kv, py::object progress) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, progress);
    absl::StatusOr<cdp::IngestReport> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->IngestCsv(path, o.ingest, o.csv);
    }
    return ReportDict(Unwrap(std::move(r)));
  }

  py::dict IngestCsvText(const std::string& text, const std::map<std::string, std::string>& kv) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, py::none());
    return ReportDict(Unwrap(ws_->IngestCsvText(text, o.ingest, o.csv)));
  }

  py::dict IngestNdjson(const std::string& path, const std::map<std::string, std::string>& kv, py::object progress) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, progress);
    absl::StatusOr<cdp::IngestReport> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->IngestNdjson(path, o.ingest, o.ndjson);
    }
    return ReportDict(Unwrap(std::move(r)));
  }

  py::dict IngestNdjsonText(const std::string& text, const std::map<std::string, std::string>& kv) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, py::none());
    return ReportDict(Unwrap(ws_->IngestNdjsonText(text, o.ingest, o.ndjson)));
  }

  py::dict IngestColumns(py::list columns, int64_t rows, const std::map<std::string, std::string>& kv,
                         py::object progress) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, progress);
    ColumnBatch cb(columns, rows);
    absl::StatusOr<cdp::IngestReport> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->IngestColumns(cb.batch, o.ingest);
    }
    return ReportDict(Unwrap(std::move(r)));
  }

  void ConfigurePush(const std::map<std::string, std::string>& kv) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, py::none());
    Check(ws_->ConfigurePush(o.ingest));
  }

  std::string Push(const std::string& json) {
    std::unique_lock<std::mutex> lock = Lock();
    switch (Unwrap(ws_->PushEvent(json))) {
      case cdp::PushResult::kAccepted: return "accepted";
      case cdp::PushResult::kDuplicate: return "duplicate";
      case cdp::PushResult::kQuarantined: return "quarantined";
    }
    return "";
  }

  py::dict PushReport() {
    std::unique_lock<std::mutex> lock = Lock(); return ReportDict(ws_->push_report()); }

  py::dict Events(const std::optional<std::vector<std::string>>& columns) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::Table t;
    {
      py::gil_scoped_release nogil;
      t = ws_->EventsTable(columns ? &*columns : nullptr);
    }
    return TableDict(std::move(t));
  }
  py::dict Quarantine() {
    std::unique_lock<std::mutex> lock = Lock(); return TableDict(ws_->QuarantineTable()); }
  int64_t EventCount() {
    std::unique_lock<std::mutex> lock = Lock(); return static_cast<int64_t>(ws_->events().size()); }

  py::dict Summary(int partitions) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::EventSummary s = ws_->Summary(partitions);
    py::dict d, by_type;
    d["events"] = s.events;
    d["profiles"] = s.profiles;
    d["revenue"] = s.revenue;
    d["first_ts"] = s.events ? s.first_ts : 0;
    d["last_ts"] = s.events ? s.last_ts : 0;
    const cdp::StringDictionary& dict = ws_->events().dict();
    for (const auto& [code, count] : s.by_type) {
      std::string_view name = dict.Get(code);
      by_type[py::str(name.data(), name.size())] = count;
    }
    d["by_type"] = by_type;
    return d;
  }

  // --- identity and profiles
  void ConfigureIdentity(const std::vector<std::pair<std::string, std::string>>& rules) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::IdentityRules r;
    for (const auto& [k, v] : rules) Check(cdp::SetIdentityRule(&r, k, v));
    absl::Status st;
    {
      py::gil_scoped_release nogil;
      st = ws_->ConfigureIdentity(r);
    }
    Check(st);
  }

  py::dict ResolveIdentities() {
    std::unique_lock<std::mutex> lock = Lock();
    absl::StatusOr<cdp::IdentityReport> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->ResolveIdentities();
    }
    cdp::IdentityReport rep = Unwrap(std::move(r));
    py::dict d;
    d["events"] = rep.events;
    d["events_unassigned"] = rep.events_unassigned;
    d["profiles"] = rep.profiles;
    d["identifiers"] = rep.identifiers;
    d["links"] = rep.links;
    d["merges"] = rep.merges;
    d["conflicts"] = rep.conflicts;
    d["removed"] = rep.removed;
    d["blocked"] = rep.blocked;
    d["invalid"] = rep.invalid;
    d["replays"] = rep.replays;
    d["conflicts_by_type"] = rep.conflicts_by_type;
    py::dict blocked;
    for (const auto& [k, v] : rep.blocked_by_value) blocked[py::str(k)] = v;
    d["blocked_by_value"] = blocked;
    d["seconds"] = rep.seconds;
    return d;
  }

  py::dict Profiles() {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::Table t;
    {
      py::gil_scoped_release nogil;
      t = ws_->ProfilesTable();
    }
    return TableDict(std::move(t));
  }

  int32_t FindProfile(const std::string& identifier) {
    std::unique_lock<std::mutex> lock = Lock();
    return Unwrap(ws_->FindProfile(identifier));
  }

  py::dict Profile(int32_t profile, int recent) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::ProfileView v = Unwrap(ws_->Profile(profile, recent));
    py::dict d;
    d["id"] = v.id;
    d["key"] = v.key;
    d["identifiers"] = v.identifiers;
    d["events"] = v.events;
    d["first_seen"] = v.first_seen;
    d["last_seen"] = v.last_seen;
    d["sessions"] = v.sessions;
    d["returning"] = v.returning;
    py::list attrs;
    for (const auto& a : v.attributes) attrs.append(py::make_tuple(a.name, a.value, a.ts, a.source));
    d["attributes"] = attrs;
    d["traits"] = v.traits;
    d["recent_events"] = TableDict(std::move(v.recent_events));
    return d;
  }

  py::dict IdentityLinks(int32_t profile, bool merges_only) {
    std::unique_lock<std::mutex> lock = Lock();
    return TableDict(ws_->IdentityLinks(profile, merges_only));
  }

  void Link(const std::string& a, const std::string& b) {
    std::unique_lock<std::mutex> lock = Lock();
    Check(ws_->Link(a, b));
  }

  py::dict AttributeHistory(int32_t profile, const std::string& name) {
    std::unique_lock<std::mutex> lock = Lock();
    return TableDict(Unwrap(ws_->AttributeHistory(profile, name)));
  }

  void DefineTrait(const std::string& name, const std::string& agg, const std::string& field,
                   const std::vector<std::string>& event_types,
                   const std::vector<std::pair<std::string, std::string>>& where, const std::string& window) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::TraitSpec spec;
    spec.name = name;
    spec.agg = Unwrap(cdp::ParseTraitAgg(agg));
    spec.field = field;
    spec.event_types = event_types;
    spec.where = where;
    if (!window.empty()) spec.window = Unwrap(cdp::ParseDuration(window));
    absl::Status st;
    {
      py::gil_scoped_release nogil;
      st = ws_->DefineTrait(spec);
    }
    Check(st);
  }

  void DropTrait(const std::string& name) {
    std::unique_lock<std::mutex> lock = Lock();
    Check(ws_->DropTrait(name));
  }

  py::list Traits() {
    std::unique_lock<std::mutex> lock = Lock();
    py::list out;
    for (const cdp::TraitSpec& s : ws_->traits().specs()) {
      py::dict d;
      d["name"] = s.name;
      d["agg"] = std::string(cdp::TraitAggName(s.agg));
      d["field"] = s.field;
      d["event_types"] = s.event_types;
      d["where"] = s.where;
      d["window_us"] = s.window;
      out.append(d);
    }
    return out;
  }

  py::dict ImportProfiles(py::list columns, int64_t rows, const std::string& source, const std::string& ts_column,
                          const std::map<std::string, std::string>& kv) {
    std::unique_lock<std::mutex> lock = Lock();
    Options o = MakeOptions(kv, py::none());
    ColumnBatch cb(columns, rows);
    cdp::ImportOptions io;
    io.source = source;
    io.ts_column = ts_column;
    absl::StatusOr<cdp::IngestReport> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->ImportProfiles(cb.batch, io, o.ingest);
    }
    return ReportDict(Unwrap(std::move(r)));
  }

  int64_t Unmerge(const std::string& a, const std::string& b) {
    std::unique_lock<std::mutex> lock = Lock();
    return Unwrap(ws_->Unmerge(a, b));
  }

  void Save() {
    std::unique_lock<std::mutex> lock = Lock();
    absl::Status st;
    {
      py::gil_scoped_release nogil;
      st = ws_->Save();
    }
    Check(st);
  }
  py::dict Audit() {
    std::unique_lock<std::mutex> lock = Lock(); return TableDict(ws_->AuditTable()); }
  py::dict Identifiers() {
    std::unique_lock<std::mutex> lock = Lock(); return TableDict(ws_->IdentifiersTable()); }
  py::dict Attributes() {
    std::unique_lock<std::mutex> lock = Lock(); return TableDict(ws_->AttributesTable()); }
  std::string IntegrityCheck() {
    std::unique_lock<std::mutex> lock = Lock(); return Unwrap(ws_->IntegrityCheck()); }

  // --- Segments -------------------------------------------------------------------------------
  static py::dict SegmentDict(cdp::SegmentResult r) {
    py::dict d;
    d["name"] = r.name;
    auto* v = new std::vector<int32_t>(std::move(r.members));
    py::capsule free(v, [](void* p) { delete static_cast<std::vector<int32_t>*>(p); });
    d["members"] = py::array_t<int32_t>(static_cast<py::ssize_t>(v->size()), v->data(), free);
    d["population"] = r.population;
    d["excluded"] = r.excluded;
    d["clock"] = r.clock;
    d["warnings"] = r.warnings;
    return d;
  }
  static int64_t AsOf(const py::object& as_of) { return as_of.is_none() ? INT64_MIN : as_of.cast<int64_t>(); }

  py::dict Select(const std::string& expression, const std::string& purpose, const py::object& as_of) {
    std::unique_lock<std::mutex> lock = Lock();
    const int64_t t = AsOf(as_of);
    absl::StatusOr<cdp::SegmentResult> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->Select(expression, purpose, t);
    }
    return SegmentDict(Unwrap(std::move(r)));
  }
  void DefineSegment(const std::string& name, const std::string& expression, const std::string& purpose,
                     const std::string& description, bool replace, const std::string& justification) {
    std::unique_lock<std::mutex> lock = Lock();
    absl::Status st;
    {
      py::gil_scoped_release nogil;
      cdp::SegmentSpec spec{name, expression, purpose, description};
      spec.sensitive_justification = justification;
      st = ws_->DefineSegment(spec, replace);
    }
    Check(st);
  }
  void DropSegment(const std::string& name) {
    std::unique_lock<std::mutex> lock = Lock();
    Check(ws_->DropSegment(name));
  }
  py::list Segments() {
    std::unique_lock<std::mutex> lock = Lock();
    py::list out;
    for (const cdp::SegmentSpec& s : ws_->segments()) {
      py::dict d;
      d["name"] = s.name, d["expression"] = s.expression, d["purpose"] = s.purpose, d["description"] = s.description;
      out.append(d);
    }
    return out;
  }
  py::dict EvaluateSegment(const std::string& name, const py::object& as_of) {
    std::unique_lock<std::mutex> lock = Lock();
    const int64_t t = AsOf(as_of);
    absl::StatusOr<cdp::SegmentResult> r;
    {
      py::gil_scoped_release nogil;
      r = ws_->EvaluateSegment(name, t);
    }
    return SegmentDict(Unwrap(std::move(r)));
  }
  py::dict Overlap(const std::vector<std::string>& names) {
    std::unique_lock<std::mutex> lock = Lock();
    std::vector<cdp::SegmentResult> results;
    for (const std::string& n : names) results.push_back(Unwrap(ws_->EvaluateSegment(n)));
    return TableDict(cdp::OverlapTable(results));
  }
  py::dict Members(py::array_t<int32_t, py::array::c_style | py::array::forcecast> members,
                   const std::vector<std::string>& columns) {
    std::unique_lock<std::mutex> lock = Lock();
    std::vector<int32_t> m(members.data(), members.data() + members.size());
    return TableDict(Unwrap(ws_->MembersTable(m, columns)));
  }
  py::dict ValidateSegment(const std::string& name, const std::string& period) {
    std::unique_lock<std::mutex> lock = Lock();
    const int64_t p = Unwrap(cdp::ParseDuration(period));
    absl::StatusOr<cdp::Workspace::SegmentValidation> v;
    {
      py::gil_scoped_release nogil;
      v = ws_->ValidateSegment(name, p);
    }
    cdp::Workspace::SegmentValidation r = Unwrap(std::move(v));
    py::dict d;
    d["size"] = r.size, d["population"] = r.population, d["share"] = r.share, d["stability"] = r.stability;
    d["period_start"] = r.period_start, d["period_end"] = r.period_end;
    d["lift"] = TableDict(std::move(r.lift));
    return d;
  }
  py::dict Rfm(const std::vector<std::string>& purchase_types, const std::string& order_field,
               const py::object& reference, int bins) {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::RfmOptions o;
    o.purchase_types = purchase_types, o.order_field = order_field, o.bins = bins;
    o.reference = AsOf(reference);
    cdp::Table t;
    absl::Status st;
    int64_t reference_time = 0;
    {
      py::gil_scoped_release nogil;
      auto r = ws_->Rfm(o);
      if (r.ok()) {
        t = ws_->RfmTable(*r);
        reference_time = r->reference;
      } else {
        st = r.status();
      }
    }
    Check(st);
    py::dict d = TableDict(std::move(t));
    d["reference"] = reference_time;
    return d;
  }

  // --- journeys ---------------------------------------------------------------------------------
  /// The native workspace, for calls inside Native (which holds the lock).
  cdp::Workspace& native() { return *ws_; }
  template <typename F>
  auto Native(F f) {  // runs f without the GIL under the workspace lock
    std::unique_lock<std::mutex> lock = Lock();
    std::optional<decltype(f())> r;
    {
      py::gil_scoped_release nogil;
      r.emplace(f());
    }
    if (!r->ok()) Raise(r->status());
    return *std::move(*r);
  }
  static cdp::SessionOptions SessionOpts(const py::dict& d) {
    cdp::SessionOptions o;
    o.gap = Dur(d, "gap", o.gap);
    o.split_at_midnight = Opt(d, "split_at_midnight", o.split_at_midnight);
    o.time_zone = Opt(d, "time_zone", o.time_zone);
    o.split_on_campaign = Opt(d, "split_on_campaign", o.split_on_campaign);
    o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
    o.page_view_type = Opt(d, "page_view_type", o.page_view_type);
    return o;
  }
  py::dict Sessions(const py::dict& d) {
    cdp::SessionOptions o = SessionOpts(d);
    return TableDict(Native([&] { return ws_->Sessions(o); }));
  }
  py::dict SessionTotals(const py::dict& d) {
    cdp::SessionOptions o = SessionOpts(d);
    cdp::SessionSummary s = Native([&] { return ws_->SessionTotals(o); });
    py::dict out;
    out["sessions"] = s.sessions, out["events"] = s.events, out["page_views"] = s.page_views;
    out["bounces"] = s.bounces, out["profiles"] = s.profiles, out["duration_us_total"] = s.duration_total;
    return out;
  }
  py::dict Funnel(const py::dict& d) {
    cdp::FunnelOptions o;
    for (const auto& s : d["steps"].cast<py::list>()) {
      py::dict step = s.cast<py::dict>();
      o.steps.push_back({Opt<std::string>(step, "event", ""), Opt<std::string>(step, "where", ""), Opt<std::string>(step, "label", "")});
    }
    if (d.contains("exclusions") && !d["exclusions"].is_none())
      for (const auto& x : d["exclusions"].cast<py::list>()) {
        py::dict e = x.cast<py::dict>();
        o.exclusions.push_back({Opt<std::string>(e, "event", ""), Opt<std::string>(e, "where", ""), Opt(e, "from_step", 1), Opt(e, "to_step", 0)});
      }
    o.window = Dur(d, "window", o.window);
    o.order = Opt(d, "order", o.order);
    o.exclusion_mode = Opt(d, "exclusion_mode", o.exclusion_mode);
    o.count = Opt(d, "count", o.count);
    o.breakdown = Opt(d, "breakdown", o.breakdown);
    o.trend = Opt(d, "trend", o.trend);
    o.since = Opt<int64_t>(d, "since", o.since);
    o.until = Opt<int64_t>(d, "until", o.until);
    cdp::FunnelResult r = Native([&] { return ws_->Funnel(o); });
    py::dict out;
    out["steps"] = TableDict(std::move(r.steps_table));
    out["breakdown"] = TableDict(std::move(r.breakdown_table));
    out["trend"] = TableDict(std::move(r.trend_table));
    out["counts"] = r.counts;
    out["labels"] = r.steps;
    out["disqualified"] = r.disqualified;
    out["warnings"] = r.warnings;
    out["count"] = r.count;
    out["progress"] = py::array_t<int8_t>(static_cast<py::ssize_t>(r.progress.size()), r.progress.data());
    return out;
  }
  py::dict Paths(const py::dict& d) {
    cdp::PathOptions o;
    o.start = Opt(d, "start", o.start);
    o.end = Opt(d, "end", o.end);
    o.element = Opt(d, "element", o.element);
    o.include_types = Opt(d, "include_types", o.include_types);
    o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
    o.depth = Opt(d, "depth", o.depth);
    o.collapse_repeats = Opt(d, "collapse_repeats", o.collapse_repeats);
    o.top = Opt(d, "top", o.top);
    o.session_gap = Dur(d, "session_gap", o.session_gap);
    cdp::PathResult r = Native([&] { return ws_->Paths(o); });
    py::dict out;
    out["top_paths"] = TableDict(std::move(r.top_paths));
    out["transitions"] = TableDict(std::move(r.transitions));
    out["sankey_nodes"] = TableDict(std::move(r.sankey_nodes));
    out["sankey_links"] = TableDict(std::move(r.sankey_links));
    out["paths"] = r.paths;
    return out;
  }
  py::dict Stages(const py::list& model, int snapshots) {
    std::vector<cdp::StageRule> rules;
    for (const auto& m : model) {
      py::dict r = m.cast<py::dict>();
      rules.push_back({Opt<std::string>(r, "name", ""), Opt<std::string>(r, "event", "*"), Opt<std::string>(r, "where", ""), Opt(r, "min_count", 1)});
    }
    if (rules.empty()) rules = cdp::DefaultStageModel();
    cdp::StageResult r = Native([&] { return ws_->Stages(rules, snapshots); });
    py::dict out;
    out["stages"] = r.stages;
    out["profiles"] = TableDict(std::move(r.profiles));
    out["transitions"] = TableDict(std::move(r.transitions));
    out["summary"] = TableDict(std::move(r.summary));
    out["over_time"] = TableDict(std::move(r.over_time));
    return out;
  }
  py::dict Heatmap(const py::dict& d) {
    cdp::HeatmapOptions o;
    o.page = Opt(d, "page", o.page);
    o.page_column = Opt(d, "page_column", o.page_column);
    o.grid_x = Opt(d, "grid_x", o.grid_x);
    o.grid_y = Opt(d, "grid_y", o.grid_y);
    o.viewport_width = Opt(d, "viewport_width", o.viewport_width);
    o.viewport_height = Opt(d, "viewport_height", o.viewport_height);
    o.rage_clicks = Opt(d, "rage_clicks", o.rage_clicks);
    o.rage_window = Dur(d, "rage_window", o.rage_window);
    o.rage_radius_px = Opt(d, "rage_radius_px", o.rage_radius_px);
    o.dead_after = Dur(d, "dead_after", o.dead_after);
    cdp::HeatmapResult r = Native([&] { return ws_->Heatmap(o); });
    py::dict out;
    out["cells"] = TableDict(std::move(r.cells));
    out["scroll"] = TableDict(std::move(r.scroll));
    out["rage_clicks"] = TableDict(std::move(r.rage_clicks));
    out["grid"] = r.grid;
    out["clicks"] = r.clicks;
    out["page_views"] = r.page_views;
    out["dead_clicks"] = r.dead_clicks;
    out["dead_click_share"] = r.dead_click_share;
    return out;
  }
  py::dict Attribution(const py::dict& t, const py::dict& a) {
    cdp::TouchpointOptions o;
    o.conversion = Opt(t, "conversion", o.conversion);
    o.conversion_where = Opt(t, "conversion_where", o.conversion_where);
    o.touch_types = Opt(t, "touch_types", o.touch_types);
    o.exclude_types = Opt(t, "exclude_types", o.exclude_types);
    o.session_gap = Dur(t, "session_gap", o.session_gap);
    o.channel_column = Opt(t, "channel_column", o.channel_column);
    o.lookback = Dur(t, "lookback", o.lookback);
    o.include_non_converting = Opt(t, "include_non_converting", o.include_non_converting);
    cdp::AttributionOptions ao = AttributionOpts(a);
    return AttributionDict(Native([&] { return ws_->Attribution(o, ao); }));
  }
  py::dict Retention(const py::dict& d, const std::string& group_by) {
    cdp::RetentionOptions o;
    o.period = Opt(d, "period", o.period);
    o.time_zone = Opt(d, "time_zone", o.time_zone);
    o.cohort_event = Opt(d, "cohort_event", o.cohort_event);
    o.return_event = Opt(d, "return_event", o.return_event);
    o.mode = Opt(d, "mode", o.mode);
    o.periods = Opt(d, "periods", o.periods);
    o.exclude_types = Opt(d, "exclude_types", o.exclude_types);
    cdp::RetentionResult r = Native([&] { return ws_->Retention(o, group_by); });
    py::dict out;
    out["cohorts"] = TableDict(std::move(r.cohorts));
    out["lifecycle"] = TableDict(std::move(r.lifecycle));
    out["period"] = r.period;
    out["mode"] = r.mode;
    out["by_group"] = r.by_group;
    return out;
  }
  py::dict Schema() {
    std::unique_lock<std::mutex> lock = Lock();
    cdp::QuerySchema s = ws_->Schema();
    auto fields = [](const std::vector<cdp::QuerySchema::Field>& fs) {
      py::list out;
      for (const auto& f : fs) out.append(py::make_tuple(f.name, std::string(cdp::ValueTypeName(f.type))));
      return out;
    };
    py::dict d;
    d["profile_fields"] = fields(s.profile_fields);
    d["event_fields"] = fields(s.event_fields);
    d["event_types"] = s.event_types;
    return d;
  }
  int64_t Clock() {
    std::unique_lock<std::mutex> lock = Lock();
    return ws_->Clock();
  }
  void SetRealtime(const std::string& name, bool on) {
    std::unique_lock<std::mutex> lock = Lock();
    Check(ws_->SetRealtime(name, on));
  }
  void AdvanceTo(int64_t ts) {
    std::unique_lock<std::mutex> lock = Lock();
    Check(ws_->AdvanceTo(ts));
  }
  std::vector<std::string> RealtimeMembers(const std::string& name) {
    std::unique_lock<std::mutex> lock = Lock();
    return Unwrap(ws_->RealtimeMembers(name));
  }
  // The callable runs synchronously inside push / advance_to / set_realtime, with the GIL held
  // (those calls keep it). An exception in it is reported as unraisable, not propagated.
  void OnSegmentChange(py::object fn) {
    std::unique_lock<std::mutex> lock = Lock();
    if (fn.is_none()) {
      ws_->SetSegmentListener(nullptr);
      return;
    }
    auto holder = std::make_shared<py::object>(std::move(fn));
    ws_->SetSegmentListener([holder](const cdp::SegmentChange& c) {
      py::gil_scoped_acquire gil;
      try {
        py::dict d;
        d["segment"] = c.segment, d["key"] = c.key, d["profile"] = c.profile;
        d["entered"] = c.entered, d["ts"] = c.ts;
        (*holder)(d);
      } catch (py::error_already_set& e) {
        e.discard_as_unraisable("cdpcore segment listener");
      }
    });
  }

  py::dict Memory() {
    std::unique_lock<std::mutex> lock = Lock();
    const cdp::EventStore& s = ws_->events();
    py::dict d;
    d["events"] = s.size();
    d["core_bytes"] = s.CoreMemoryBytes();
    d["total_bytes"] = s.MemoryBytes();
    return d;
  }

 private:
  std::unique_lock<std::mutex> Lock() {
    std::unique_lock<std::mutex> lock;
    {
      py::gil_scoped_release nogil;  // wait for another thread's native call without holding the GIL
      lock = std::unique_lock<std::mutex>(mu_);
    }
    if (!ws_) Raise(absl::FailedPreconditionError("the workspace is closed"));
    return lock;
  }

 public:
  /// Releases the workspace (a file's writer lock included); later calls raise.
  void Close() {
    std::unique_ptr<cdp::Workspace> gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ws_) ws_->SetSegmentListener(nullptr);  // drops the Python callable while the GIL is held
    }
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      gone = std::move(ws_);
      gone.reset();
    }
  }

 private:
  std::mutex mu_;
  std::unique_ptr<cdp::Workspace> ws_;
};

}  // namespace cdp_py
