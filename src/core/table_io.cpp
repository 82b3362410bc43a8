// table_io.cpp — WriteCsv and WriteNdjson (plain or gzip-compressed files).
//
// CSV follows RFC 4180: a header row, fields separated by ',', a field is quoted ("...", inner
// quotes doubled) when it contains ',', '"', CR or LF. Null cells are empty; a non-null empty string
// is written as "" so that it stays distinguishable from null, and so are null-like texts ("NA",
// "null", ...). Rows end with "\n".
// NDJSON: one JSON object per row, keys in column order, null cells omitted, strings escaped per
// RFC 8259 (quote, backslash and control characters; other bytes, UTF-8 included, are copied).
// Numbers: int64 as integers, doubles in the shortest form that reads back to the same value;
// non-finite doubles other than NaN (null) are written as empty (CSV) or null (NDJSON).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cdp/table.hpp"
#include "zlib.h"

namespace cdp {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Buffered output to a plain file or, for ".gz" paths, a gzip stream.
class Sink {
 public:
  ~Sink() {
    if (file_ != nullptr) std::fclose(file_);
    if (gz_ != nullptr) gzclose(gz_);
  }
  absl::Status Open(const std::string& path) {
    path_ = path;
    if (EndsWith(path, ".gz")) {
      gz_ = gzopen(path.c_str(), "wb1");  // level 1: fast; generated data compresses well anyway
      if (gz_ == nullptr) return absl::InternalError(absl::StrCat("cannot open '", path, "' for writing"));
      gzbuffer(gz_, 1 << 18);
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (file_ == nullptr) return absl::InternalError(absl::StrCat("cannot open '", path, "' for writing"));
    }
    buf_.reserve(kFlushAt + 4096);
    return absl::OkStatus();
  }
  std::string& buf() { return buf_; }
  absl::Status MaybeFlush() { return buf_.size() >= kFlushAt ? Flush() : absl::OkStatus(); }
  absl::Status Flush() {
    if (buf_.empty() || failed_) return failed_ ? WriteError() : absl::OkStatus();
    if (gz_ != nullptr) {
      if (gzwrite(gz_, buf_.data(), static_cast<unsigned>(buf_.size())) != static_cast<int>(buf_.size()))
        failed_ = true;
    } else if (std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      failed_ = true;
    }
    buf_.clear();
    return failed_ ? WriteError() : absl::OkStatus();
  }
  absl::Status Close() {
    absl::Status s = Flush();
    int rc = 0;
    if (gz_ != nullptr) {
      rc = gzclose(gz_) == Z_OK ? 0 : -1;
      gz_ = nullptr;
    } else if (file_ != nullptr) {
      rc = std::fclose(file_);
      file_ = nullptr;
    }
    if (s.ok() && rc != 0) return WriteError();
    return s;
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  absl::Status WriteError() const { return absl::InternalError(absl::StrCat("write to '", path_, "' failed")); }
  std::string path_;
  std::string buf_;
  FILE* file_ = nullptr;
  gzFile gz_ = nullptr;
  bool failed_ = false;
};

void AppendInt(std::string& out, int64_t v) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  out.append(tmp, r.ptr);
}
// Shortest round-trip text; false for non-finite values.
bool AppendDouble(std::string& out, double v) {
  if (!std::isfinite(v)) return false;
  char tmp[32];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  out.append(tmp, r.ptr);
  return true;
}

void AppendCsvField(std::string& out, std::string_view s) {
  // "" marks an empty (non-null) string; texts that readers take as null when unquoted (the
  // default null tokens of IngestOptions and pandas) are quoted so they read back as text.
  bool quote = s.empty() || s == "NA" || s == "N/A" || s == "NULL" || s == "null" || s == "None" ||
               s == "nan" || s == "NaN";
  for (char ch : s)
    if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
      quote = true;
      break;
    }
  if (!quote) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[ch >> 4]);
        out.push_back(kHex[ch & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

absl::Status CheckShape(const Table& t) {
  if (t.names.size() != t.columns.size())
    return absl::InvalidArgumentError("table has a different number of names and columns");
  const size_t n = t.rows();
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c].size() != n)
      return absl::InvalidArgumentError(absl::StrCat("column '", t.names[c], "' has ", t.columns[c].size(),
                                                     " rows, expected ", n));
    if (t.columns[c].type == ColumnType::kString) {
      if (t.dict == nullptr) return absl::InvalidArgumentError("table has string columns but no dictionary");
      for (int32_t code : t.columns[c].str)
        if (code != kNullCode && (code < 0 || code >= t.dict->size()))
          return absl::InvalidArgumentError(absl::StrCat("column '", t.names[c], "' has string code ", code,
                                                         " outside the dictionary"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteCsv(const Table& t, const std::string& path) {
  if (absl::Status s = CheckShape(t); !s.ok()) return s;
  Sink sink;
  if (absl::Status s = sink.Open(path); !s.ok()) return s;
  std::string& out = sink.buf();
  for (size_t c = 0; c < t.names.size(); ++c) {
    if (c) out.push_back(',');
    AppendCsvField(out, t.names[c]);
  }
  out.push_back('\n');
  const size_t n = t.rows();
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (c) out.push_back(',');
      const Column& col = t.columns[c];
      switch (col.type) {
        case ColumnType::kInt64:
          if (col.i64[r] != kNullInt64) AppendInt(out, col.i64[r]);
          break;
        case ColumnType::kDouble: AppendDouble(out, col.f64[r]); break;
        case ColumnType::kBool:
          if (col.b[r] != kNullBool) out.append(col.b[r] ? "true" : "false");
          break;
        case ColumnType::kString:
          if (col.str[r] != kNullCode) AppendCsvField(out, t.dict->Get(col.str[r]));
          break;
      }
    }
    out.push_back('\n');
    if (absl::Status s = sink.MaybeFlush(); !s.ok()) return s;
  }
  return sink.Close();
}

absl::Status WriteNdjson(const Table& t, const std::string& path) {
  if (absl::Status s = CheckShape(t); !s.ok()) return s;
  Sink sink;
  if (absl::Status s = sink.Open(path); !s.ok()) return s;
  std::string& out = sink.buf();
  std::vector<std::string> keys;  // `"name":`
  for (const std::string& name : t.names) {
    std::string k;
    AppendJsonString(k, name);
    k.push_back(':');
    keys.push_back(std::move(k));
  }
  const size_t n = t.rows();
  for (size_t r = 0; r < n; ++r) {
    out.push_back('{');
    bool first = true;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const Column& col = t.columns[c];
      if (col.IsNull(r)) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(keys[c]);
      switch (col.type) {
        case ColumnType::kInt64: AppendInt(out, col.i64[r]); break;
        case ColumnType::kDouble:
          if (!AppendDouble(out, col.f64[r])) out.append("null");
          break;
        case ColumnType::kBool: out.append(col.b[r] ? "true" : "false"); break;
        case ColumnType::kString: AppendJsonString(out, t.dict->Get(col.str[r])); break;
      }
    }
    out.append("}\n");
    if (absl::Status s = sink.MaybeFlush(); !s.ok()) return s;
  }
  return sink.Close();
}

}  // namespace cdp
