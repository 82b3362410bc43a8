// Private to src/capi: what the C ABI's files share. The opaque handles more than one file
// opens, the status conversion and last-error message (defined in capi.cpp), the
// CDP_API_BEGIN/END pair that wraps every entry point, and the parsing of option key/values.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cdp/cdp.h"
#include "cdp/segments.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

// Named tables and numbers of one analysis (the *_ex calls and the metric calls).
struct cdp_result {
  std::vector<std::pair<std::string, cdp::Table>> tables;
  std::vector<std::pair<std::string, int64_t>> ints;
  std::vector<std::pair<std::string, double>> doubles;
  std::optional<cdp::FunnelResult> funnel;  // cdp_funnel_ex only (its tables moved to `tables`)
  cdp::Micros clock = 0;                    // workspace clock when the analysis ran
};
struct cdp_workspace {
  std::unique_ptr<cdp::Workspace> ws;
};
struct cdp_segment_result {
  cdp::SegmentResult result;
};

namespace cdp::capi {

// Records `message` for cdp_last_error() (thread-local) and returns `code`.
cdp_status Fail(cdp_status code, std::string message);

// CDP_OK, or the status's code as a cdp_status with its message recorded.
cdp_status FromStatus(const absl::Status& st);

// FromStatus, except that an expression compile error (Query::Compile's payload) becomes
// CDP_ERR_PARSE.
cdp_status FromQueryStatus(const absl::Status& st);

// A new cdp_table owning `t` (freed by cdp_table_destroy).
cdp_table* NewTable(cdp::Table t);

// n C strings into `out`; errors name the arguments (`what`, `what_n`, `what`[i]).
cdp_status Strings(const char* const* items, int64_t n, const char* fn, const char* what, const char* what_n,
                   std::vector<std::string>* out);

// One key/value of an options object. The parsers change *out only on success and name the key
// in their errors, like cdp_options_set.
struct OptionValue {
  std::string_view key, value;

  absl::Status Bad(std::string_view expected) const;
  absl::Status Unknown(std::string_view known) const;
  absl::Status Text(std::string* out) const;
  absl::Status Bool(bool* out) const;
  absl::Status Int(int* out) const;
  absl::Status Uint64(uint64_t* out) const;
  absl::Status Double(double* out) const;  // finite only
  absl::Status Duration(cdp::Micros* out) const;
  // An integer is µs; other text is ISO 8601 (UTC when naive); "" is `none`.
  absl::Status Time(cdp::Micros* out, cdp::Micros none) const;
  // Comma-separated, each item stripped; blank is the empty list.
  absl::Status List(std::vector<std::string>* out) const;
};

}  // namespace cdp::capi

#define CDP_API_BEGIN() try {
#define CDP_API_END()                                                                \
  }                                                                                  \
  catch (const std::bad_alloc&) {                                                    \
    return ::cdp::capi::Fail(CDP_ERR_INTERNAL, "out of memory");                     \
  }                                                                                  \
  catch (const std::exception& e) {                                                  \
    return ::cdp::capi::Fail(CDP_ERR_INTERNAL, cdp::Cat("internal error: ", e.what())); \
  }                                                                                  \
  catch (...) {                                                                      \
    return ::cdp::capi::Fail(CDP_ERR_INTERNAL, "internal error");                    \
  }
#define CDP_CHECK_ARG(cond, what) \
  if (!(cond)) return ::cdp::capi::Fail(CDP_ERR_INVALID_ARGUMENT, what)

namespace cdp::capi {

// A one-column table ("warning") of notes.
inline cdp::Table WarningsTable(const std::vector<std::string>& warnings) {
  cdp::Table t;
  cdp::Column& c = t.Add("warning", cdp::ColumnType::kString);
  for (const std::string& w : warnings) t.AppendString(c, w);
  return t;
}

// cdp_*_options_create for an options handle.
template <typename T>
cdp_status CreateOptions(T** out, const char* fn) {
  CDP_CHECK_ARG(out != nullptr, cdp::Cat(fn, ": out is NULL"));
  *out = new T();
  return CDP_OK;
}

// cdp_*_options_set: `set` parses one key/value into opts->*target.
template <typename T, typename Target, typename Setter>
cdp_status SetOption(T* opts, Target T::*target, const char* key, const char* value, const char* fn, Setter set) {
  CDP_CHECK_ARG(opts != nullptr, cdp::Cat(fn, ": opts is NULL"));
  CDP_CHECK_ARG(key != nullptr, cdp::Cat(fn, ": key is NULL"));
  CDP_CHECK_ARG(value != nullptr, cdp::Cat(fn, ": value is NULL"));
  return FromStatus(set(opts->*target, OptionValue{key, value}));
}

// Options behind a nullable pointer: the defaults for NULL.
template <typename T>
const auto& OptionsOf(const T* opts) {
  static const T kDefaults{};
  return (opts ? *opts : kDefaults).options;
}

}  // namespace cdp::capi
