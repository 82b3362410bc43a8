// Tests for cdp/reader.hpp: CsvReader, NdjsonReader, ReadFileMaybeGzip, TextBatch::Clear.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cdp/reader.hpp"

namespace fs = std::filesystem;
using cdp::CsvOptions;
using cdp::CsvReader;
using cdp::NdjsonOptions;
using cdp::NdjsonReader;
using cdp::TextBatch;

namespace {

fs::path TempDir() {
  static fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("cdp_reader_tests_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  static struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } cleanup{dir};
  return dir;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  std::string path = (TempDir() / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string WriteGzip(const std::string& name, const std::string& bytes) {
  std::string path = (TempDir() / name).string();
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
  return path;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<CsvReader> Csv(std::string text, CsvOptions options = {}) {
  auto r = CsvReader::FromString(std::move(text), options, "test.csv");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

std::string CsvOpenError(std::string text, CsvOptions options = {}) {
  auto r = CsvReader::FromString(std::move(text), options, "test.csv");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

// Reads every batch into one: cells are copied to strings so they outlive the batches.
struct AllRows {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cells;  // [row][col]
  std::vector<std::vector<bool>> quoted;
  std::vector<int64_t> lines;
  std::vector<cdp::RowError> errors;
  int batches = 0;
};

template <typename Reader>
AllRows ReadAll(Reader& reader) {
  AllRows all;
  TextBatch batch;
  while (true) {
    auto more = reader.Next(&batch);
    REQUIRE(more.ok());
    if (!*more) {
      CHECK(batch.rows() == 0);
      CHECK(batch.errors.empty());
      break;
    }
    ++all.batches;
    all.names = batch.names;
    for (size_t r = 0; r < batch.rows(); ++r) {
      auto& row = all.cells.emplace_back();
      auto& q = all.quoted.emplace_back();
      for (auto& col : batch.columns) {
        REQUIRE(col.size() == batch.rows());
        row.emplace_back(col[r].text);
        q.push_back(col[r].quoted);
      }
      all.lines.push_back(batch.lines[r]);
    }
    all.errors.insert(all.errors.end(), batch.errors.begin(), batch.errors.end());
  }
  return all;
}

using Rows = std::vector<std::vector<std::string>>;

// Option builders (designated initializers that skip members warn under -Wextra on GCC 12).
CsvOptions Delimiter(char d) {
  CsvOptions o;
  o.delimiter = d;
  return o;
}
CsvOptions Whitespace() {
  CsvOptions o;
  o.whitespace_delimiter = true;
  return o;
}
CsvOptions NoHeader(std::vector<std::string> names = {}) {
  CsvOptions o;
  o.header = false;
  o.column_names = std::move(names);
  return o;
}
CsvOptions MaxField(size_t n) {
  CsvOptions o;
  o.max_field_bytes = n;
  return o;
}
CsvOptions BatchRows(size_t n) {
  CsvOptions o;
  o.batch_rows = n;
  return o;
}
CsvOptions KeepRaw() {
  CsvOptions o;
  o.keep_raw = true;
  return o;
}

}  // namespace

TEST_CASE("csv: header, cells, quoted flags and line numbers") {
  auto r = Csv("id,name,score\n1,Ann,3.5\n2,\"Bob\",NA\n3,\"NA\",\n");
  CHECK(r->names() == std::vector<std::string>{"id", "name", "score"});
  AllRows all = ReadAll(*r);
  CHECK(all.names == r->names());
  CHECK(all.cells == Rows{{"1", "Ann", "3.5"}, {"2", "Bob", "NA"}, {"3", "NA", ""}});
  // A later stage treats unquoted NA as null but quoted "NA" as text.
  CHECK(all.quoted == std::vector<std::vector<bool>>{
                          {false, false, false}, {false, true, false}, {false, true, false}});
  CHECK(all.lines == std::vector<int64_t>{2, 3, 4});
  CHECK(all.errors.empty());
  CHECK(r->bytes_read() == r->bytes_total());
}

TEST_CASE("csv: RFC 4180 quoting: \"\" escapes, delimiters and newlines inside quotes") {
  auto r = Csv("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"line1\nline2\r\nline3\",\"\"\"\"\nlast,\"\"\n");
  AllRows all = ReadAll(*r);
  CHECK(all.cells == Rows{{"x,y", "say \"hi\""}, {"line1\nline2\r\nline3", "\""}, {"last", ""}});
  CHECK(all.quoted[2] == std::vector<bool>{false, true});
  CHECK(all.lines == std::vector<int64_t>{2, 3, 6});  // the quoted newlines advance the lines
  CHECK(all.errors.empty());
}

TEST_CASE("csv: CRLF, LF and lone CR line ends; missing final newline; blank lines skipped") {
  AllRows all = ReadAll(*Csv("a,b\r\n1,2\r\n\r\n3,4\n\n5,6\r7,8"));
  CHECK(all.cells == Rows{{"1", "2"}, {"3", "4"}, {"5", "6"}, {"7", "8"}});
  CHECK(all.lines == std::vector<int64_t>{2, 4, 6, 7});
}

TEST_CASE("csv: a UTF-8 byte order mark is stripped") {
  auto r = Csv("\xEF\xBB\xBFid,v\n1,2\n");
  CHECK(r->names() == std::vector<std::string>{"id", "v"});
  auto q = Csv("\xEF\xBB\xBF\"id\",v\n1,2\n");
  CHECK(q->names() == std::vector<std::string>{"id", "v"});
}

TEST_CASE("csv: configurable delimiter") {
  for (char d : {';', '\t', '|'}) {
    std::string text = std::string("a") + d + "b\n1" + d + "\"x" + d + "y\"\n";
    AllRows all = ReadAll(*Csv(text, Delimiter(d)));
    CHECK(all.names == std::vector<std::string>{"a", "b"});
    CHECK(all.cells == Rows{{"1", std::string("x") + d + "y"}});
  }
  CHECK(ReadAll(*Csv("a;b\n1,5;2\n", Delimiter(';'))).cells == Rows{{"1,5", "2"}});
}

TEST_CASE("csv: whitespace_delimiter splits on runs of spaces and tabs") {
  CsvOptions opt = Whitespace();
  auto r = Csv("  id \t name   city\n1  \"Ann Lee\"\t Rome  \n\t2 Bob\t\tOslo\n   \n3 C D\n", opt);
  CHECK(r->names() == std::vector<std::string>{"id", "name", "city"});
  AllRows all = ReadAll(*r);
  CHECK(all.cells == Rows{{"1", "Ann Lee", "Rome"}, {"2", "Bob", "Oslo"}, {"3", "C", "D"}});
  CHECK(all.quoted[0] == std::vector<bool>{false, true, false});
  CHECK(all.lines == std::vector<int64_t>{2, 3, 5});
}

TEST_CASE("csv: without a header, names come from column_names or col1..colN") {
  AllRows all = ReadAll(*Csv("1,2,3\n4,5,6\n", NoHeader()));
  CHECK(all.names == std::vector<std::string>{"col1", "col2", "col3"});
  CHECK(all.cells == Rows{{"1", "2", "3"}, {"4", "5", "6"}});
  CHECK(all.lines == std::vector<int64_t>{1, 2});

  auto named = Csv("1,2\n3,4,5\n", NoHeader({"x", "y"}));
  CHECK(named->names() == std::vector<std::string>{"x", "y"});
  AllRows n = ReadAll(*named);
  CHECK(n.cells == Rows{{"1", "2"}});
  REQUIRE(n.errors.size() == 1);
  CHECK(n.errors[0].reason == "expected 2 fields, found 3");
  CHECK(n.errors[0].line == 2);

  auto empty = Csv("", NoHeader());  // no header expected: an empty file is fine
  CHECK(empty->names().empty());
  CHECK(ReadAll(*empty).cells.empty());
}

TEST_CASE("csv: header problems are whole-file errors; empty names get colN") {
  CHECK(CsvOpenError("id,name,id\n1,2,3\n") ==
        "\"test.csv\": duplicate column name \"id\" (columns 1 and 3)");
  CHECK(CsvOpenError("x,y\n", NoHeader({"a", "a"})) ==
        "\"test.csv\": duplicate column name \"a\" (columns 1 and 2)");
  CHECK(CsvOpenError("") == "\"test.csv\" is empty: no header row");
  CHECK(CsvOpenError("\n\r\n") == "\"test.csv\" is empty: no header row");
  CHECK(CsvOpenError("\xEF\xBB\xBF") == "\"test.csv\" is empty: no header row");
  CHECK(CsvOpenError("a,\"b\n1,2\n") ==
        "\"test.csv\": unterminated quoted field in the header starting at line 1");
  CHECK(CsvOpenError("a,bbbb\n", MaxField(3)) ==
        "\"test.csv\": header field 2 of 4 bytes exceeds max_field_bytes 3");
  CHECK(Csv("\"\",a,\n")->names() == std::vector<std::string>{"col1", "a", "col3"});  // R row names
  CHECK(CsvOpenError("a,b\n", Delimiter('"')) ==
        "CsvOptions.delimiter must differ from the quote character and from CR/LF");
  CHECK(CsvOpenError("a,b\n", BatchRows(0)) == "CsvOptions.batch_rows must be > 0");
}

TEST_CASE("csv: a header-only file has zero rows") {
  auto r = Csv("a,b,c\n");
  CHECK(r->names().size() == 3);
  TextBatch batch;
  auto more = r->Next(&batch);
  REQUIRE(more.ok());
  CHECK_FALSE(*more);
  CHECK(batch.names == r->names());
  CHECK(batch.rows() == 0);
  CHECK(ReadAll(*Csv("a,b,c")).cells.empty());
}

TEST_CASE("csv: wrong field counts are row errors; the other rows are kept") {
  auto r = Csv("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
  AllRows all = ReadAll(*r);
  CHECK(all.cells == Rows{{"1", "2", "3"}, {"10", "11", "12"}});
  REQUIRE(all.errors.size() == 2);
  CHECK(all.errors[0].line == 3);
  CHECK(all.errors[0].column == "");
  CHECK(all.errors[0].value == "4,5");
  CHECK(all.errors[0].reason == "expected 3 fields, found 2");
  CHECK(all.errors[1].line == 4);
  CHECK(all.errors[1].value == "6,7,8,9");
  CHECK(all.errors[1].reason == "expected 3 fields, found 4");
  CHECK(all.cells.size() + all.errors.size() == 4);  // nothing lost
}

TEST_CASE("csv: an unterminated quoted field swallows the rest and is reported once") {
  auto r = Csv("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
  AllRows all = ReadAll(*r);
  CHECK(all.cells == Rows{{"1", "2"}});
  REQUIRE(all.errors.size() == 1);
  CHECK(all.errors[0].line == 3);
  CHECK(all.errors[0].column == "b");
  CHECK(all.errors[0].value == "3,\"open\n4,5\n6,7\n");
  CHECK(all.errors[0].reason == "unterminated quoted field starting at line 3");
  // The quote can open on a later line than the row's first one.
  AllRows multi = ReadAll(*Csv("a,b,c\n\"x\ny\",z,\"w\n"));
  REQUIRE(multi.errors.size() == 1);
  CHECK(multi.errors[0].line == 2);
  CHECK(multi.errors[0].column == "c");
  CHECK(multi.errors[0].reason == "unterminated quoted field starting at line 3");
}

TEST_CASE("csv: a field longer than max_field_bytes is a row error with a truncated value") {
  std::string big(2000000, 'x');
  AllRows all = ReadAll(*Csv("id,blob\n1,ok\n2," + big + "\n3,fine\n"));
  CHECK(all.cells == Rows{{"1", "ok"}, {"3", "fine"}});
  REQUIRE(all.errors.size() == 1);
  CHECK(all.errors[0].line == 3);
  CHECK(all.errors[0].column == "blob");
  CHECK(all.errors[0].value == std::string(200, 'x'));
  CHECK(all.errors[0].reason == "field of 2000000 bytes exceeds max_field_bytes 1048576");
  // Truncation never splits a UTF-8 character: 199 x + "é" (2 bytes) keeps only the 199 x.
  std::string utf = std::string(199, 'x') + "\xC3\xA9" + "tail";
  AllRows u = ReadAll(*Csv("a\n" + utf + "\n", MaxField(100)));
  REQUIRE(u.errors.size() == 1);
  CHECK(u.errors[0].value == std::string(199, 'x'));
  CHECK(u.errors[0].reason == "field of 205 bytes exceeds max_field_bytes 100");
}

TEST_CASE("csv: stray quotes are tolerated as data (like pandas)") {
  AllRows all = ReadAll(*Csv("a,b,c\n5\" pipe,x\"y\"z,\"ab\"cd\n"));
  CHECK(all.cells == Rows{{"5\" pipe", "x\"y\"z", "abcd"}});
  CHECK(all.quoted[0] == std::vector<bool>{false, false, true});
  CHECK(all.errors.empty());
}

TEST_CASE("csv: invalid UTF-8 and NUL bytes pass through as data") {
  std::string text = std::string("a,b\n\xFF\xFE,x") + '\0' + "y\n";
  AllRows all = ReadAll(*Csv(text));
  CHECK(all.cells == Rows{{"\xFF\xFE", std::string("x\0y", 3)}});
}

TEST_CASE("csv: batches hold at most batch_rows rows and reuse their vectors") {
  std::string text = "n,sq\n";
  for (int i = 1; i <= 10; ++i)
    text += std::to_string(i) + ",\"" + std::to_string(i * i) + "\"\"\"\n";
  auto r = Csv(text, BatchRows(3));
  TextBatch batch;
  std::vector<size_t> sizes;
  const cdp::Cell* storage = nullptr;
  int n = 0;
  while (*r->Next(&batch)) {
    sizes.push_back(batch.rows());
    if (sizes.size() == 1) storage = batch.columns[0].data();
    if (sizes.size() == 2) CHECK(batch.columns[0].data() == storage);  // no reallocation
    for (size_t i = 0; i < batch.rows(); ++i) {
      ++n;
      CHECK(batch.columns[0][i].text == std::to_string(n));
      CHECK(batch.columns[1][i].text == std::to_string(n * n) + "\"");
      CHECK(batch.lines[i] == n + 1);
    }
  }
  CHECK(sizes == std::vector<size_t>{3, 3, 3, 1});
}

TEST_CASE("csv: keep_raw fills the raw text of each row") {
  auto r = Csv("a,b\r\n1,\"x\"\"y\"\r\n", KeepRaw());
  TextBatch batch;
  REQUIRE(*r->Next(&batch));
  REQUIRE(batch.raw.size() == 1);
  CHECK(batch.raw[0] == "1,\"x\"\"y\"");
  CHECK(batch.columns[1][0].text == "x\"y");
}

TEST_CASE("csv: files: plain, gzip by magic bytes, missing, directory, empty") {
  std::string csv = "id,v\n1,a\n2,\"b,c\"\n";
  std::string plain = WriteFile("plain.csv", csv);
  CHECK(ReadAll(**CsvReader::Open(plain)).cells == Rows{{"1", "a"}, {"2", "b,c"}});
  // Detected by content: a gzip file without the .gz suffix is read too.
  std::string gz = WriteGzip("events.bin", csv);
  CHECK(ReadAll(**CsvReader::Open(gz)).cells == Rows{{"1", "a"}, {"2", "b,c"}});

  std::string missing = (TempDir() / "nope.csv").string();
  auto m = CsvReader::Open(missing);
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == absl::StatusCode::kNotFound);
  CHECK(m.status().message() == "cannot open \"" + missing + "\": No such file or directory");

  auto d = CsvReader::Open(TempDir().string());
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message() == "cannot read \"" + TempDir().string() + "\": Is a directory");

  std::string empty = WriteFile("empty.csv", "");
  auto e = CsvReader::Open(empty);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message() == "\"" + empty + "\" is empty: no header row");
  std::string empty_gz = WriteGzip("empty.csv.gz", "");
  CHECK(CsvReader::Open(empty_gz).status().message() ==
        "\"" + empty_gz + "\" is empty: no header row");
}

TEST_CASE("gzip: truncated, corrupt and trailing-garbage files are errors naming the file") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",some text to compress\n";
  std::string good = ReadBytes(WriteGzip("good.csv.gz", "id,t\n" + text));

  std::string truncated = WriteFile("events.csv.gz", good.substr(0, good.size() / 2));
  auto t = CsvReader::Open(truncated);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(t.status().message() ==
        truncated + ": not a readable gzip file (truncated: unexpected end of compressed data)");
  // Missing only the 8-byte trailer (CRC and size) is still truncated.
  std::string no_trailer = WriteFile("no_trailer.csv.gz", good.substr(0, good.size() - 8));
  CHECK(cdp::ReadFileMaybeGzip(no_trailer).status().message().find("truncated") !=
        std::string::npos);

  std::string bad = good;
  for (size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(0xFF);
  std::string corrupt = WriteFile("corrupt.csv.gz", bad);
  auto c = cdp::ReadFileMaybeGzip(corrupt);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().rfind(corrupt + ": not a readable gzip file (", 0) == 0);

  std::string crc = good;
  crc[crc.size() - 6] ^= 0x55;  // corrupt the CRC32
  auto k = cdp::ReadFileMaybeGzip(WriteFile("crc.csv.gz", crc));
  REQUIRE_FALSE(k.ok());
  CHECK(std::string(k.status().message()).find("incorrect data check") != std::string::npos);

  auto g = cdp::ReadFileMaybeGzip(WriteFile("garbage.gz", good + "junk"));
  REQUIRE_FALSE(g.ok());
  CHECK(
      std::string(g.status().message()).find("unexpected data after the end of the gzip stream") !=
      std::string::npos);
  CHECK(cdp::ReadFileMaybeGzip(WriteFile("magic_only.gz", "\x1f\x8b"))
            .status()
            .message()
            .find("not a readable gzip file") != std::string::npos);
}

TEST_CASE("gzip: concatenated members and zero padding decode fully") {
  std::string a = ReadBytes(WriteGzip("part_a.gz", "id\n1\n"));
  std::string b = ReadBytes(WriteGzip("part_b.gz", "2\n3\n"));
  auto both = cdp::ReadFileMaybeGzip(WriteFile("both.gz", a + b + std::string(16, '\0')));
  REQUIRE(both.ok());
  CHECK(*both == "id\n1\n2\n3\n");
  auto plain = cdp::ReadFileMaybeGzip(WriteFile("plain.txt", "\x1fnot gzip"));
  REQUIRE(plain.ok());
  CHECK(*plain == "\x1fnot gzip");
}

TEST_CASE("TextBatch::Clear keeps the columns and empties everything else") {
  TextBatch b;
  b.names = {"a"};
  b.columns = {{cdp::Cell{"x", true, false, false}}};
  b.lines = {1};
  b.raw = {"x"};
  b.errors = {cdp::RowError{2, "", "y", "r"}};
  b.owned = {"x"};
  b.Clear();
  CHECK(b.names == std::vector<std::string>{"a"});
  REQUIRE(b.columns.size() == 1);
  CHECK(b.columns[0].empty());
  CHECK(b.rows() == 0);
  CHECK(b.raw.empty());
  CHECK(b.errors.empty());
  CHECK(b.owned.empty());
}

TEST_CASE("ndjson: union of keys, flattening, nulls, strings and numbers as written") {
  auto r = NdjsonReader::FromString(
      "{\"id\":1,\"user\":{\"email\":\"a@b.c\",\"age\":30},\"tags\":[\"x\",1]}\n"
      "\n   \r\n"
      "{\"id\":2.50,\"ok\":true,\"user\":{\"email\":null}}\r\n"
      "{\"id\":\"3\",\"s\":\"caf\\u00e9 \\ud83d\\ude00\"}");
  REQUIRE(r.ok());
  TextBatch batch;
  REQUIRE(*(*r)->Next(&batch));
  CHECK(batch.names == std::vector<std::string>{"id", "user.email", "user.age", "tags", "ok", "s"});
  REQUIRE(batch.rows() == 3);
  CHECK(batch.lines == std::vector<int64_t>{1, 4, 5});
  for (auto& col : batch.columns) CHECK(col.size() == 3);
  auto cell = [&](size_t c, size_t row) { return batch.columns[c][row]; };
  CHECK(cell(0, 0).text == "1");
  CHECK_FALSE(cell(0, 0).quoted);
  CHECK(cell(0, 1).text == "2.50");
  CHECK(cell(0, 2).text == "3");
  CHECK(cell(0, 2).quoted);
  CHECK(cell(1, 0).text == "a@b.c");
  CHECK(cell(1, 1).present);
  CHECK(cell(1, 1).null);
  CHECK(cell(1, 1).text == "");
  CHECK_FALSE(cell(1, 2).present);  // row 3 has no user.email
  CHECK(cell(2, 0).text == "30");
  CHECK_FALSE(cell(2, 1).present);
  CHECK(cell(3, 0).text == "[\"x\",1]");
  CHECK_FALSE(cell(3, 0).quoted);
  CHECK(cell(4, 1).text == "true");
  CHECK_FALSE(cell(4, 0).present);  // absent before the key first appeared
  CHECK(cell(5, 2).text == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(batch.errors.empty());
  CHECK_FALSE(*(*r)->Next(&batch));
}

TEST_CASE("ndjson: bad lines are row errors with the parser message; the rest is kept") {
  auto r = NdjsonReader::FromString(
      "{\"a\":1}\n{\"a\":2,}\n[1,2]\n\"s\"\n{\"a\":\"\xFF\"}\n{\"a\":3}\n");
  REQUIRE(r.ok());
  AllRows all = ReadAll(**r);
  CHECK(all.cells == Rows{{"1"}, {"3"}});
  CHECK(all.lines == std::vector<int64_t>{1, 6});
  REQUIRE(all.errors.size() == 4);
  CHECK(all.errors[0].line == 2);
  CHECK(all.errors[0].value == "{\"a\":2,}");
  CHECK(all.errors[0].reason == "invalid JSON at column 8: expected a string key, found '}'");
  CHECK(all.errors[1].line == 3);
  CHECK(all.errors[1].reason == "expected a JSON object, found an array");
  CHECK(all.errors[2].reason == "expected a JSON object, found a string");
  CHECK(all.errors[3].line == 5);
  CHECK(all.errors[3].reason ==
        "invalid JSON at column 7: expected valid UTF-8 in the string, found byte 0xFF");
}

TEST_CASE("ndjson: batches, max_line_bytes, keep_raw, gzip and missing files") {
  std::string text;
  for (int i = 0; i < 5; ++i)
    text += "{\"k" + std::to_string(i % 2) + "\":" + std::to_string(i) + "}\n";
  text += "{\"long\":\"" + std::string(300, 'y') + "\"}\n";
  std::string path = WriteGzip("events.ndjson.gz", text);
  auto r = NdjsonReader::Open(
      path, NdjsonOptions{.batch_rows = 2, .max_line_bytes = 100, .keep_raw = true});
  REQUIRE(r.ok());
  TextBatch batch;
  REQUIRE(*(*r)->Next(&batch));
  CHECK(batch.names == std::vector<std::string>{"k0", "k1"});
  CHECK(batch.raw == std::vector<std::string>{"{\"k0\":0}", "{\"k1\":1}"});
  REQUIRE(*(*r)->Next(&batch));
  REQUIRE(*(*r)->Next(&batch));
  CHECK(batch.names == std::vector<std::string>{"k0"});  // columns are per batch
  CHECK(batch.rows() == 1);
  REQUIRE(batch.errors.size() == 1);
  CHECK(batch.errors[0].line == 6);
  CHECK(batch.errors[0].value.size() == 200);
  CHECK(batch.errors[0].reason == "line of 311 bytes exceeds max_line_bytes 100");
  CHECK_FALSE(*(*r)->Next(&batch));
  CHECK(batch.names == std::vector<std::string>{"k0"});  // the end keeps the last names
  CHECK(batch.rows() == 0);
  CHECK(batch.errors.empty());

  auto m = NdjsonReader::Open((TempDir() / "missing.ndjson").string());
  CHECK(m.status().code() == absl::StatusCode::kNotFound);
  auto empty = NdjsonReader::FromString("");
  REQUIRE(empty.ok());
  CHECK(ReadAll(**empty).cells.empty());
}

TEST_CASE("ndjson: cell text stays valid for the whole batch (arena over many blocks)") {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "{\"i\":" + std::to_string(i) + ",\"s\":\"" +
            std::string(100000, static_cast<char>('a' + i % 26)) + "\"}\n";
  }
  auto r = NdjsonReader::FromString(text);
  REQUIRE(r.ok());
  TextBatch batch;
  REQUIRE(*(*r)->Next(&batch));
  REQUIRE(batch.rows() == 40);
  CHECK(batch.owned.size() > 1);
  for (int i = 0; i < 40; ++i) {
    CHECK(batch.columns[0][i].text == std::to_string(i));
    CHECK(batch.columns[1][i].text == std::string(100000, static_cast<char>('a' + i % 26)));
  }
}

#ifdef CDP_SHARED_DIR
TEST_CASE("csv: the real Online Retail file (541,909 rows per its README) reads without errors") {
  std::string path =
      std::string(CDP_SHARED_DIR) + "/datasets/online_retail/online_retail_uci.csv.gz";
  auto r = CsvReader::Open(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK((*r)->names() == std::vector<std::string>{"InvoiceNo", "StockCode", "Description",
                                                  "Quantity", "InvoiceDate", "UnitPrice",
                                                  "CustomerID", "Country"});
  TextBatch batch;
  size_t rows = 0, errors = 0;
  bool first = true;
  while (*(*r)->Next(&batch)) {
    if (first) {
      CHECK(batch.columns[6][0].text == "17850");
      CHECK_FALSE(batch.columns[6][0].quoted);
      CHECK(batch.columns[0][0].text == "536365");
      CHECK(batch.columns[0][0].quoted);
      CHECK(batch.columns[7][0].text == "United Kingdom");
      CHECK(batch.lines[0] == 2);
      first = false;
    }
    rows += batch.rows();
    errors += batch.errors.size();
  }
  CHECK(rows == 541909);
  CHECK(errors == 0);
  CHECK((*r)->bytes_read() == (*r)->bytes_total());
}
#endif
