// csv_reader.cpp — CsvReader: splits an in-memory (gunzipped) CSV buffer into TextBatch cells.
//
// The whole file is read into one buffer the reader owns; cells are string_views into it. Quoted
// fields that need "" unescaping are unescaped in place (the result is never longer than the
// source), so no cell allocates. Rules beyond RFC 4180, chosen to match pandas.read_csv:
// - Line ends are LF, CRLF or a lone CR. Physical lines are counted, including newlines inside
//   quoted fields; a row's line is the line where it starts.
// - Completely empty lines (whitespace-only in whitespace_delimiter mode) are skipped, not rows.
// - A quote inside an unquoted field is data (`ab"c` is the text ab"c). Text after the closing
//   quote of a quoted field is appended as literal data (`"ab"c` is abc); the cell stays quoted.
// - Header: an empty header name gets the generated name colN (N = 1-based position, the same
//   names a header-less file gets); a duplicate name is an error naming it. With header == true,
//   column_names is ignored.
// - Row-level problems (field count, unterminated quote, field too long) become RowErrors; an
//   unterminated quote swallows the rest of the input and is reported once.
#include <algorithm>
#include <cstring>
#include <initializer_list>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cdp/reader.hpp"
#include "reader_internal.hpp"

namespace cdp {

using reader_internal::TruncateUtf8;

namespace {

struct Span {
  size_t begin = 0;  // first byte (the opening quote when `unescape`)
  size_t end = 0;    // one past the last byte
  bool quoted = false;
  bool unescape = false;  // quoted field holding "" pairs or text after the closing quote
};

// A set of up to 4 bytes and a search for the first of them: 16 bytes at a time with SSE2, then
// byte by byte.
class ByteSet {
 public:
  void Init(std::initializer_list<char> bytes) {
    int k = 0;
    for (char c : bytes) {
      table_[static_cast<unsigned char>(c)] = true;
      set_[k++] = c;
    }
    for (; k < 4; ++k) set_[k] = set_[0];
#ifdef __SSE2__
    for (k = 0; k < 4; ++k) v_[k] = _mm_set1_epi8(set_[k]);
#endif
  }
  bool Has(char c) const { return table_[static_cast<unsigned char>(c)]; }
  // First position >= p holding a byte of the set, or `end`.
  size_t Find(const char* b, size_t p, size_t end) const {
#ifdef __SSE2__
    while (p + 16 <= end) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p));
      __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, v_[0]), _mm_cmpeq_epi8(x, v_[1])),
                               _mm_or_si128(_mm_cmpeq_epi8(x, v_[2]), _mm_cmpeq_epi8(x, v_[3])));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
      if (mask != 0) return p + static_cast<size_t>(__builtin_ctz(mask));
      p += 16;
    }
#endif
    while (p < end && !table_[static_cast<unsigned char>(b[p])]) ++p;
    return p;
  }

 private:
  bool table_[256] = {};
  char set_[4] = {};
#ifdef __SSE2__
  __m128i v_[4];
#endif
};

}  // namespace

struct CsvReader::Impl {
  enum class Record { kEnd, kRow, kUnterminated };

  std::string name;
  CsvOptions opt;
  reader_internal::ByteBuffer buf;
  size_t pos = 0;
  int64_t line = 1;
  std::vector<std::string> names;
  ByteSet stop;              // bytes that end an unquoted field
  ByteSet quoted_stop;       // bytes that matter inside a quoted field: quote, CR, LF
  std::vector<Span> fields;  // fields of the last record
  int64_t row_line = 0;      // line where the last record starts
  size_t row_begin = 0;      // raw extent of the last record (without its line end)
  size_t row_end = 0;
  int64_t quote_line = 0;  // kUnterminated: line of the opening quote

  bool IsSpace(char c) const { return c == ' ' || c == '\t'; }

  // Reads the next record into `fields`, skipping blank lines.
  Record ReadRecord() {
    char* b = buf.data();
    const size_t end = buf.size();
    const bool ws = opt.whitespace_delimiter;
    const char quote = opt.quote;
    size_t p = pos;
    while (true) {  // skip blank lines
      if (p >= end) {
        pos = end;
        return Record::kEnd;
      }
      size_t q = p;
      if (ws) {
        while (q < end && IsSpace(b[q])) ++q;
        if (q >= end) {
          pos = end;
          return Record::kEnd;
        }
      }
      if (b[q] == '\n' || b[q] == '\r') {
        p = q + 1;
        if (b[q] == '\r' && p < end && b[p] == '\n') ++p;
        ++line;
        continue;
      }
      row_begin = p;
      p = q;
      break;
    }
    row_line = line;
    fields.clear();
    while (true) {
      Span f;
      if (p < end && b[p] == quote) {
        size_t q = p + 1;
        size_t close;
        bool unescape = false;
        const int64_t open_line = line;
        while (true) {
          q = quoted_stop.Find(b, q, end);
          if (q >= end) {
            quote_line = open_line;
            pos = row_end = end;
            return Record::kUnterminated;
          }
          char c = b[q];
          if (c == quote) {
            if (q + 1 < end && b[q + 1] == quote) {
              unescape = true;
              q += 2;
              continue;
            }
            close = q;
            break;
          }
          if (c == '\n' || q + 1 >= end || b[q + 1] != '\n') ++line;  // LF, or a lone CR
          ++q;
        }
        size_t after = close + 1;
        if (after < end && !stop.Has(b[after])) {
          unescape = true;  // text after the closing quote: kept as literal data
          after = stop.Find(b, after, end);
        }
        f = unescape ? Span{p, after, true, true} : Span{p + 1, close, true, false};
        p = after;
      } else {
        size_t q = stop.Find(b, p, end);
        f = Span{p, q, false, false};
        p = q;
      }
      fields.push_back(f);
      if (ws) {
        while (p < end && IsSpace(b[p])) ++p;
      }
      if (p >= end) {
        pos = row_end = end;
        return Record::kRow;
      }
      char c = b[p];
      if (c == '\n' || c == '\r') {
        row_end = p;
        ++p;
        if (c == '\r' && p < end && b[p] == '\n') ++p;
        ++line;
        pos = p;
        return Record::kRow;
      }
      if (!ws) ++p;  // the delimiter
    }
  }

  // Text of a field; unescapes quoted fields in place.
  std::string_view Text(const Span& f) {
    char* b = buf.data();
    if (!f.unescape) return std::string_view(b + f.begin, f.end - f.begin);
    const char quote = opt.quote;
    size_t w = f.begin, r = f.begin + 1;
    while (r < f.end) {
      char c = b[r];
      if (c == quote) {
        if (r + 1 < f.end && b[r + 1] == quote) {
          b[w++] = quote;
          r += 2;
          continue;
        }
        ++r;  // closing quote
        break;
      }
      b[w++] = c;
      ++r;
    }
    while (r < f.end) b[w++] = b[r++];
    return std::string_view(b + f.begin, w - f.begin);
  }

  std::string RawRow() const {
    return TruncateUtf8(buf.view().substr(row_begin, row_end - row_begin));
  }

  std::string ColumnName(size_t index) const {
    return index < names.size() ? names[index] : std::string();
  }

  absl::Status Init() {
    if (opt.batch_rows == 0) return absl::InvalidArgumentError("CsvOptions.batch_rows must be > 0");
    const char d = opt.delimiter, q = opt.quote;
    if (!opt.whitespace_delimiter && (d == '\n' || d == '\r' || d == q)) {
      return absl::InvalidArgumentError(
          "CsvOptions.delimiter must differ from the quote character and from CR/LF");
    }
    if (q == '\n' || q == '\r' || (opt.whitespace_delimiter && (q == ' ' || q == '\t'))) {
      return absl::InvalidArgumentError(
          "CsvOptions.quote must not be CR, LF or (with whitespace_delimiter) a space or tab");
    }
    if (opt.whitespace_delimiter) {
      stop.Init({' ', '\t', '\n', '\r'});
    } else {
      stop.Init({d, '\n', '\r'});
    }
    quoted_stop.Init({q, '\n', '\r'});
    if (buf.size() >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) pos = 3;

    if (opt.header) {
      Record k = ReadRecord();
      if (k == Record::kEnd) {
        return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is empty: no header row"));
      }
      if (k == Record::kUnterminated) {
        return absl::InvalidArgumentError(absl::StrCat("\"", name, "\": unterminated quoted field ",
                                                       "in the header starting at line ",
                                                       quote_line));
      }
      for (size_t i = 0; i < fields.size(); ++i) {
        size_t n = fields[i].end - fields[i].begin;
        if (n > opt.max_field_bytes) {
          return absl::InvalidArgumentError(
              absl::StrCat("\"", name, "\": header field ", i + 1, " of ", n,
                           " bytes exceeds max_field_bytes ", opt.max_field_bytes));
        }
        std::string_view text = Text(fields[i]);
        names.emplace_back(text.empty() ? absl::StrCat("col", i + 1) : std::string(text));
      }
    } else if (!opt.column_names.empty()) {
      names = opt.column_names;
    } else {
      // Peek at the first record (without consuming it) to learn the number of columns.
      size_t save_pos = pos;
      int64_t save_line = line;
      Record k = ReadRecord();
      size_t n = k == Record::kEnd ? 0 : fields.size() + (k == Record::kUnterminated ? 1 : 0);
      for (size_t i = 0; i < n; ++i) names.push_back(absl::StrCat("col", i + 1));
      pos = save_pos;
      line = save_line;
    }
    absl::flat_hash_map<std::string_view, size_t> seen;
    for (size_t i = 0; i < names.size(); ++i) {
      auto [it, inserted] = seen.emplace(names[i], i);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat("\"", name, "\": duplicate column name \"",
                                                       names[i], "\" (columns ", it->second + 1,
                                                       " and ", i + 1, ")"));
      }
    }
    return absl::OkStatus();
  }

  bool Next(TextBatch* batch) {
    batch->Clear();
    if (batch->names != names) batch->names = names;
    const size_t ncols = names.size();
    batch->columns.resize(ncols);
    while (batch->rows() + batch->errors.size() < opt.batch_rows) {
      Record k = ReadRecord();
      if (k == Record::kEnd) break;
      if (k == Record::kUnterminated) {
        batch->errors.push_back(
            RowError{row_line, ColumnName(fields.size()), RawRow(),
                     absl::StrCat("unterminated quoted field starting at line ", quote_line)});
        continue;
      }
      if (fields.size() != ncols) {
        batch->errors.push_back(
            RowError{row_line, "", RawRow(),
                     absl::StrCat("expected ", ncols, " fields, found ", fields.size())});
        continue;
      }
      bool too_long = false;
      for (size_t c = 0; c < ncols; ++c) {
        size_t n = fields[c].end - fields[c].begin;
        if (n > opt.max_field_bytes) {
          batch->errors.push_back(
              RowError{row_line, names[c], TruncateUtf8(buf.view().substr(fields[c].begin, n)),
                       absl::StrCat("field of ", n, " bytes exceeds max_field_bytes ",
                                    opt.max_field_bytes)});
          too_long = true;
          break;
        }
      }
      if (too_long) continue;
      if (opt.keep_raw) batch->raw.emplace_back(buf.data() + row_begin, row_end - row_begin);
      for (size_t c = 0; c < ncols; ++c) {
        batch->columns[c].push_back(Cell{Text(fields[c]), true, fields[c].quoted, false});
      }
      batch->lines.push_back(row_line);
    }
    return batch->rows() > 0 || !batch->errors.empty();
  }
};

namespace {

absl::StatusOr<std::unique_ptr<CsvReader::Impl>> MakeImpl(reader_internal::ByteBuffer data,
                                                          const CsvOptions& options,
                                                          std::string name) {
  auto impl = std::make_unique<CsvReader::Impl>();
  impl->name = std::move(name);
  impl->opt = options;
  impl->buf = std::move(data);
  absl::Status status = impl->Init();
  if (!status.ok()) return status;
  return impl;
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::~CsvReader() = default;

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path,
                                                           const CsvOptions& options) {
  absl::StatusOr<reader_internal::ByteBuffer> data = reader_internal::ReadFileToBuffer(path);
  if (!data.ok()) return data.status();
  absl::StatusOr<std::unique_ptr<Impl>> impl = MakeImpl(std::move(*data), options, path);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(*impl)));
}

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::FromString(std::string data,
                                                                 const CsvOptions& options,
                                                                 std::string name) {
  absl::StatusOr<std::unique_ptr<Impl>> impl =
      MakeImpl(reader_internal::ByteBuffer(std::move(data)), options, std::move(name));
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(*impl)));
}

const std::vector<std::string>& CsvReader::names() const { return impl_->names; }

absl::StatusOr<bool> CsvReader::Next(TextBatch* batch) {
  if (batch == nullptr) return absl::InvalidArgumentError("CsvReader::Next: batch is null");
  return impl_->Next(batch);
}

int64_t CsvReader::bytes_read() const { return static_cast<int64_t>(impl_->pos); }
int64_t CsvReader::bytes_total() const { return static_cast<int64_t>(impl_->buf.size()); }

}  // namespace cdp
