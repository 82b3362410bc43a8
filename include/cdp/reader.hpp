// cdp/reader.hpp — streaming readers that turn CSV and NDJSON files into batches of text cells.
// Readers only split text into rows and cells; validation, typing and normalization happen in
// cdp/ingest.hpp. A row a reader cannot split (wrong field count, unterminated quote, bad JSON) is
// returned as a RowError so the ingest quarantines it: nothing is dropped silently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cdp {

/// One field of a source row.
struct Cell {
  std::string_view text;  ///< unescaped text (valid until the next Next() call)
  bool present = false;   ///< false: the row has no such column (NDJSON key absent)
  bool quoted = false;    ///< CSV: the field was quoted; NDJSON: the value was a JSON string
  bool null = false;      ///< NDJSON: JSON null
};

/// A source row the reader could not split into cells.
struct RowError {
  int64_t line = 0;        ///< 1-based physical line where the row starts
  std::string column;      ///< column name when known, else ""
  std::string value;       ///< raw text (truncated to 200 bytes)
  std::string reason;      ///< readable reason
};

/// Column-major batch of rows. columns[c][r] is the cell of column names[c] in row r.
struct TextBatch {
  std::vector<std::string> names;
  std::vector<std::vector<Cell>> columns;
  std::vector<int64_t> lines;  ///< 1-based line where each row starts
  std::vector<std::string> raw;  ///< raw text of each row (only filled when keep_raw)
  std::vector<RowError> errors;  ///< rows of this stretch of input that could not be split
  std::vector<std::string> owned;  ///< storage for cells that needed unescaping
  size_t rows() const { return lines.size(); }
  void Clear();
};

struct CsvOptions {
  char delimiter = ',';             ///< ',' ';' '\t' '|' ...
  bool whitespace_delimiter = false;  ///< split on runs of spaces/tabs (overrides delimiter)
  char quote = '"';
  bool header = true;               ///< first row holds column names
  std::vector<std::string> column_names;  ///< names when header == false (else col1, col2, ...)
  size_t batch_rows = 65536;
  size_t max_field_bytes = 1 << 20;  ///< longer fields make the row a RowError
  bool keep_raw = false;            ///< fill TextBatch::raw with each row's text
};

/// Reads RFC 4180 CSV: quoted fields with "" escapes and embedded delimiters/newlines, CRLF or LF,
/// optional UTF-8 BOM, `.gz` files decompressed with zlib (detected by magic bytes).
class CsvReader {
 public:
  /// Opens and reads the header. Errors: missing/unreadable file, unreadable gzip, empty file.
  static absl::StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path,
                                                         const CsvOptions& options = {});
  /// Reads CSV held in memory (same rules; `name` is used in messages).
  static absl::StatusOr<std::unique_ptr<CsvReader>> FromString(std::string data,
                                                               const CsvOptions& options = {},
                                                               std::string name = "<string>");
  ~CsvReader();
  const std::vector<std::string>& names() const;
  /// Fills `batch` with up to batch_rows rows; returns false at end of input.
  absl::StatusOr<bool> Next(TextBatch* batch);
  /// Bytes consumed so far and total (uncompressed) size, for progress.
  int64_t bytes_read() const;
  int64_t bytes_total() const;

  struct Impl;
 private:
  explicit CsvReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct NdjsonOptions {
  size_t batch_rows = 65536;
  size_t max_line_bytes = 16 << 20;  ///< longer lines make the row a RowError
  bool keep_raw = false;             ///< fill TextBatch::raw with each line's text
};

/// Reads newline-delimited JSON: one object per line, nested objects flattened to `a.b` columns,
/// blank lines skipped, `.gz` supported. A line that is not a JSON object is a RowError.
class NdjsonReader {
 public:
  static absl::StatusOr<std::unique_ptr<NdjsonReader>> Open(const std::string& path,
                                                            const NdjsonOptions& options = {});
  static absl::StatusOr<std::unique_ptr<NdjsonReader>> FromString(std::string data,
                                                                  const NdjsonOptions& options = {},
                                                                  std::string name = "<string>");
  ~NdjsonReader();
  absl::StatusOr<bool> Next(TextBatch* batch);
  int64_t bytes_read() const;
  int64_t bytes_total() const;

  struct Impl;
 private:
  explicit NdjsonReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Reads a whole file, gunzipping when it starts with the gzip magic bytes. Errors name the path.
absl::StatusOr<std::string> ReadFileMaybeGzip(const std::string& path);

}  // namespace cdp
