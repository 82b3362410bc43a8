// ndjson_reader.cpp — NdjsonReader: one JSON object per line, flattened into TextBatch columns.
//
// - Lines end with LF (a CR before it is dropped); blank or whitespace-only lines are skipped.
// - Each line is parsed with ParseJson and flattened with FlattenJson (nested objects -> a.b,
//   arrays -> compact JSON text, duplicate keys: the last one wins).
// - The batch's columns are the union of the keys seen in that batch, in first-seen order; a row
//   without a key has Cell.present == false. JSON null -> present, null, text "". JSON strings ->
//   quoted. Numbers and booleans -> their text as written.
// - Cell text lives in the batch's `owned` arena (large blocks; views stay valid until the batch
//   is cleared).
// - RowErrors: a line longer than max_line_bytes; invalid JSON ("invalid JSON at column C:
//   expected ..." — the parser's message, with RowError.line giving the line); a value that is not
//   an object ("expected a JSON object, found an array").
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cdp/json.hpp"
#include "cdp/reader.hpp"
#include "reader_internal.hpp"

namespace cdp {

using reader_internal::ArenaCopy;
using reader_internal::TruncateUtf8;

namespace {

const char* KindName(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::kNull: return "null";
    case JsonValue::Kind::kBool: return "a boolean";
    case JsonValue::Kind::kNumber: return "a number";
    case JsonValue::Kind::kString: return "a string";
    case JsonValue::Kind::kArray: return "an array";
    case JsonValue::Kind::kObject: return "an object";
  }
  return "a value";
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

struct NdjsonReader::Impl {
  std::string name;
  NdjsonOptions opt;
  reader_internal::ByteBuffer buf;
  size_t pos = 0;
  int64_t line = 1;
  std::vector<FlatField> flat;                     // reused per line
  absl::flat_hash_map<std::string, size_t> index;  // column of each key in the current batch

  bool Next(TextBatch* batch) {
    // An empty batch keeps the previous batch's names (as CsvReader does); the first line with
    // content starts this batch's own column set.
    batch->Clear();
    bool started = false;
    const char* b = buf.data();
    const size_t end = buf.size();
    size_t ncols = 0;
    while (pos < end && batch->rows() + batch->errors.size() < opt.batch_rows) {
      const void* nl = std::memchr(b + pos, '\n', end - pos);
      size_t stop = nl ? static_cast<const char*>(nl) - b : end;
      std::string_view text(b + pos, stop - pos);
      int64_t this_line = line;
      pos = nl ? stop + 1 : end;
      ++line;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (IsBlank(text)) continue;
      if (!started) {
        started = true;
        batch->names.clear();
        index.clear();
      }
      if (text.size() > opt.max_line_bytes) {
        batch->errors.push_back(
            RowError{this_line, "", TruncateUtf8(text),
                     absl::StrCat("line of ", text.size(), " bytes exceeds max_line_bytes ",
                                  opt.max_line_bytes)});
        continue;
      }
      absl::StatusOr<JsonValue> value = ParseJson(text);
      if (!value.ok()) {
        std::string reason(value.status().message());
        // Lines are split on LF, so the parser's position is always on its line 1.
        if (absl::StartsWith(reason, "line 1, column ")) {
          reason = absl::StrCat("invalid JSON at column ", reason.substr(15));
        } else {
          reason = absl::StrCat("invalid JSON: ", reason);
        }
        batch->errors.push_back(RowError{this_line, "", TruncateUtf8(text), std::move(reason)});
        continue;
      }
      if (!value->is_object()) {
        batch->errors.push_back(
            RowError{this_line, "", TruncateUtf8(text),
                     absl::StrCat("expected a JSON object, found ", KindName(value->kind))});
        continue;
      }
      FlattenJson(*value, &flat);
      const size_t row = batch->rows();
      for (const FlatField& f : flat) {
        auto [it, inserted] = index.try_emplace(f.key, ncols);
        if (inserted) {
          batch->names.push_back(f.key);
          if (batch->columns.size() <= ncols) batch->columns.emplace_back();
          ++ncols;
        }
        std::vector<Cell>& column = batch->columns[it->second];
        if (column.size() < row + 1) column.resize(row + 1);  // absent cells before this row
        column[row] = Cell{ArenaCopy(batch, f.text), true, f.is_string, f.is_null};
      }
      batch->lines.push_back(this_line);
      if (opt.keep_raw) batch->raw.emplace_back(text);
    }
    if (!started) return false;
    batch->columns.resize(ncols);
    for (auto& column : batch->columns) column.resize(batch->rows());
    return batch->rows() > 0 || !batch->errors.empty();
  }
};

namespace {

absl::StatusOr<std::unique_ptr<NdjsonReader::Impl>> MakeImpl(reader_internal::ByteBuffer data,
                                                             const NdjsonOptions& options,
                                                             std::string name) {
  if (options.batch_rows == 0) {
    return absl::InvalidArgumentError("NdjsonOptions.batch_rows must be > 0");
  }
  auto impl = std::make_unique<NdjsonReader::Impl>();
  impl->name = std::move(name);
  impl->opt = options;
  impl->buf = std::move(data);
  if (impl->buf.size() >= 3 && std::memcmp(impl->buf.data(), "\xEF\xBB\xBF", 3) == 0) {
    impl->pos = 3;
  }
  return impl;
}

}  // namespace

NdjsonReader::NdjsonReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NdjsonReader::~NdjsonReader() = default;

absl::StatusOr<std::unique_ptr<NdjsonReader>> NdjsonReader::Open(const std::string& path,
                                                                 const NdjsonOptions& options) {
  absl::StatusOr<reader_internal::ByteBuffer> data = reader_internal::ReadFileToBuffer(path);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::unique_ptr<Impl>> impl = MakeImpl(std::move(*data), options, path);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(std::move(*impl)));
}

absl::StatusOr<std::unique_ptr<NdjsonReader>> NdjsonReader::FromString(std::string data,
                                                                       const NdjsonOptions& options,
                                                                       std::string name) {
  absl::StatusOr<std::unique_ptr<Impl>> impl =
      MakeImpl(reader_internal::ByteBuffer(std::move(data)), options, std::move(name));
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<NdjsonReader>(new NdjsonReader(std::move(*impl)));
}

absl::StatusOr<bool> NdjsonReader::Next(TextBatch* batch) {
  if (batch == nullptr) return absl::InvalidArgumentError("NdjsonReader::Next: batch is null");
  return impl_->Next(batch);
}

int64_t NdjsonReader::bytes_read() const { return static_cast<int64_t>(impl_->pos); }
int64_t NdjsonReader::bytes_total() const { return static_cast<int64_t>(impl_->buf.size()); }

}  // namespace cdp
