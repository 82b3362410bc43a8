// Tests for cdp/json.hpp: RFC 8259 parsing, error positions, escapes, UTF-8, flattening, output.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "cdp/json.hpp"

using cdp::FlatField;
using cdp::JsonValue;
using cdp::ParseJson;

namespace {

// The error message of parsing `text` ("" when it parsed).
std::string JsonError(std::string_view text) {
  auto v = ParseJson(text);
  if (v.ok()) return "";
  CHECK(v.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(v.status().message());
}

JsonValue MustParse(std::string_view text) {
  auto v = ParseJson(text);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  return *std::move(v);
}

}  // namespace

TEST_CASE("json: scalars, arrays and objects parse to the right kinds") {
  JsonValue v =
      MustParse(R"( {"s":"x","n":12,"t":true,"f":false,"z":null,"a":[1,"b",[]],"o":{}} )");
  REQUIRE(v.is_object());
  REQUIRE(v.object.size() == 7);
  CHECK(v.object[0].first == "s");  // document order
  CHECK(v.Find("s")->kind == JsonValue::Kind::kString);
  CHECK(v.Find("s")->string == "x");
  CHECK(v.Find("n")->kind == JsonValue::Kind::kNumber);
  CHECK(v.Find("n")->number == 12);
  CHECK(v.Find("t")->boolean);
  CHECK_FALSE(v.Find("f")->boolean);
  CHECK(v.Find("z")->is_null());
  CHECK(v.Find("a")->array.size() == 3);
  CHECK(v.Find("a")->array[2].kind == JsonValue::Kind::kArray);
  CHECK(v.Find("o")->is_object());
  CHECK(v.Find("missing") == nullptr);
  CHECK(MustParse("\"top\"").string == "top");
  CHECK(MustParse(" \t\r\n7\n").number == 7);
}

TEST_CASE("json: numbers keep their text and follow the RFC grammar") {
  struct Case {
    const char* text;
    double value;
  };
  for (Case c : {Case{"0", 0}, Case{"-0", 0}, Case{"12", 12}, Case{"1.50", 1.5}, Case{"1e3", 1000},
                 Case{"1E+3", 1000}, Case{"-2.5e-3", -0.0025},
                 Case{"123456789012345678", 1.2345678901234568e17}}) {
    JsonValue v = MustParse(c.text);
    CHECK(v.kind == JsonValue::Kind::kNumber);
    CHECK(v.number_text == c.text);
    CHECK(v.number == doctest::Approx(c.value));
    CHECK(v.ScalarText() == c.text);
  }
  CHECK(std::isinf(MustParse("1e400").number));
  CHECK(MustParse("-1e400").number < 0);
  CHECK(MustParse("1e-400").number == 0);
  CHECK(JsonError("01") == "line 1, column 2: expected no leading zeros in a number, found '1'");
  CHECK(JsonError("-") == "line 1, column 2: expected a digit after '-', found end of input");
  CHECK(JsonError("1.") == "line 1, column 3: expected a digit after '.', found end of input");
  CHECK(JsonError("1.e3") == "line 1, column 3: expected a digit after '.', found 'e'");
  CHECK(JsonError("1e") ==
        "line 1, column 3: expected a digit in the exponent, found end of input");
  CHECK(JsonError("1e+") ==
        "line 1, column 4: expected a digit in the exponent, found end of input");
  CHECK(JsonError("+1") == "line 1, column 1: expected a value, found '+'");
  CHECK(JsonError(".5") == "line 1, column 1: expected a value, found '.'");
  CHECK(JsonError("NaN") == "line 1, column 1: expected a value, found 'N'");
  CHECK(JsonError("-Infinity") == "line 1, column 2: expected a digit after '-', found 'I'");
  CHECK(JsonError("0x10") ==
        "line 1, column 2: expected end of input after the JSON value, found 'x'");
}

TEST_CASE("json: string escapes decode to UTF-8, surrogate pairs combine") {
  CHECK(MustParse(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").string == "a\"b\\c/d\be\ff\ng\rh\ti");
  CHECK(MustParse(R"("\u0041\u00e9\u20AC")").string == "A\xC3\xA9\xE2\x82\xAC");  // A é €
  CHECK(MustParse(R"("\ud83d\ude00")").string == "\xF0\x9F\x98\x80");             // U+1F600
  CHECK(MustParse(R"("\u0000")").string == std::string(1, '\0'));
  CHECK(MustParse("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").string == "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("json: lone surrogates and bad escapes are errors") {
  CHECK(JsonError(R"("\ud83d")") ==
        "line 1, column 2: expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\uD83D");
  CHECK(JsonError(R"("\ud83dx")") ==
        "line 1, column 2: expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\uD83D");
  CHECK(JsonError(R"("\ud83d\u0041")") ==
        "line 1, column 2: expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\uD83D");
  CHECK(JsonError(R"("\ude00")") ==
        "line 1, column 2: expected a high surrogate before low surrogate \\uDE00");
  CHECK(JsonError(R"("\u12G4")") == "line 1, column 6: expected 4 hex digits after \\u, found 'G'");
  CHECK(JsonError(R"("\x")") ==
        "line 1, column 3: expected an escape character (one of \" \\ / b f n r t u) after '\\', "
        "found 'x'");
  CHECK(
      JsonError("\"abc") ==
      "line 1, column 5: expected '\"' closing the string opened at column 1, found end of input");
  CHECK(JsonError("\"a\nb\"") ==
        "line 1, column 3: expected an escape instead of a raw control character, found byte 0x0A");
  CHECK(JsonError("\"a\tb\"").find("raw control character, found byte 0x09") != std::string::npos);
}

TEST_CASE("json: invalid UTF-8 inside strings is rejected") {
  CHECK(JsonError("\"a\xFF\"") ==
        "line 1, column 3: expected valid UTF-8 in the string, found byte 0xFF");
  CHECK(JsonError("\"\xC0\x80\"") ==
        "line 1, column 2: expected valid UTF-8 in the string, found byte 0xC0");
  CHECK(JsonError("\"\xE0\x80\x80\"") != "");      // overlong 3-byte form
  CHECK(JsonError("\"\xED\xA0\x80\"") != "");      // UTF-16 surrogate encoded as UTF-8
  CHECK(JsonError("\"\xF4\x90\x80\x80\"") != "");  // above U+10FFFF
  CHECK(JsonError("\"\xE2\x82\"") != "");          // truncated sequence
  CHECK(JsonError("\"\x80\"") != "");              // lone continuation byte
  CHECK(JsonError("\"\xF4\x8F\xBF\xBF\"") == "");  // U+10FFFF is fine
}

TEST_CASE("json: errors give line and column of the offending character") {
  CHECK(JsonError("{\n  \"a\": 1,\n  \"b\" 2\n}") ==
        "line 3, column 7: expected ':' after an object key, found '2'");
  CHECK(JsonError("") == "line 1, column 1: expected a value, found end of input");
  CHECK(JsonError("  \n ") == "line 2, column 2: expected a value, found end of input");
  CHECK(JsonError("[1,]") == "line 1, column 4: expected a value, found ']'");
  CHECK(JsonError("[1 2]") ==
        "line 1, column 4: expected ',' or ']' after an array element, found '2'");
  CHECK(JsonError("[1") ==
        "line 1, column 3: expected ',' or ']' after an array element, found end of input");
  CHECK(JsonError("{\"a\":1,}") == "line 1, column 8: expected a string key, found '}'");
  CHECK(JsonError("{a:1}") == "line 1, column 2: expected a string key or '}', found 'a'");
  CHECK(JsonError("{\"a\":1 \"b\":2}") ==
        "line 1, column 8: expected ',' or '}' after an object member, found '\"'");
  CHECK(JsonError("{\"a\"") ==
        "line 1, column 5: expected ':' after an object key, found end of input");
  CHECK(JsonError("tru") == "line 1, column 4: expected 'true', found end of input");
  CHECK(JsonError("nul1") == "line 1, column 4: expected 'null', found '1'");
  CHECK(JsonError("falsey") ==
        "line 1, column 6: expected end of input after the JSON value, found 'y'");
  CHECK(JsonError("{} {}") ==
        "line 1, column 4: expected end of input after the JSON value, found '{'");
  // Columns count characters, not bytes: "é" is one column.
  CHECK(JsonError("[\"\xC3\xA9\", x]") == "line 1, column 7: expected a value, found 'x'");
  CHECK(JsonError("[\x01]") == "line 1, column 2: expected a value, found byte 0x01");
}

TEST_CASE("json: nesting is limited to 256 levels") {
  std::string ok = std::string(256, '[') + std::string(256, ']');
  CHECK(JsonError(ok) == "");
  std::string deep = std::string(257, '[') + std::string(257, ']');
  CHECK(JsonError(deep) == "line 1, column 257: expected at most 256 levels of nesting");
  std::string objects;
  for (int i = 0; i < 300; ++i) objects += "{\"a\":";
  CHECK(JsonError(objects).find("expected at most 256 levels of nesting") != std::string::npos);
  // A very deep input fails cleanly instead of overflowing the stack.
  CHECK(JsonError(std::string(1000000, '[')).find("256 levels") != std::string::npos);
}

TEST_CASE("json: a leading UTF-8 byte order mark is skipped") {
  CHECK(MustParse("\xEF\xBB\xBF{\"a\":1}").Find("a")->number == 1);
}

TEST_CASE("json: Find returns the last of duplicate keys, nullptr on non-objects") {
  JsonValue v = MustParse(R"({"k":1,"k":2})");
  CHECK(v.object.size() == 2);
  CHECK(v.Find("k")->number_text == "2");
  CHECK(MustParse("[1]").Find("k") == nullptr);
  CHECK(MustParse("3").Find("k") == nullptr);
}

TEST_CASE("json: ScalarText is the CSV-cell text of a value") {
  JsonValue v = MustParse(
      R"({"s":"a\"b","n":1.50,"t":true,"f":false,"z":null,"a":[1,{"x":"y"}],"o":{"p":1}})");
  CHECK(v.Find("s")->ScalarText() == "a\"b");
  CHECK(v.Find("n")->ScalarText() == "1.50");
  CHECK(v.Find("t")->ScalarText() == "true");
  CHECK(v.Find("f")->ScalarText() == "false");
  CHECK(v.Find("z")->ScalarText() == "");
  CHECK(v.Find("a")->ScalarText() == R"([1,{"x":"y"}])");
  CHECK(v.Find("o")->ScalarText() == R"({"p":1})");
  JsonValue built;
  built.kind = JsonValue::Kind::kNumber;
  built.number = 2.5;  // no number_text: formatted from the double
  CHECK(built.ScalarText() == "2.5");
}

TEST_CASE("json: FlattenJson turns nested objects into dotted keys") {
  std::vector<FlatField> out{{"stale", "x", false, false}};
  FlattenJson(MustParse(R"({"a":{"b":1},"c":[1,2]})"), &out);  // the header's example
  REQUIRE(out.size() == 2);                                    // `out` is cleared first
  CHECK(out[0].key == "a.b");
  CHECK(out[0].text == "1");
  CHECK(out[1].key == "c");
  CHECK(out[1].text == "[1,2]");
  CHECK_FALSE(out[1].is_string);

  FlattenJson(MustParse(R"({"u":{"id":"7","geo":{"city":"Rome","zip":null}},"e":{},"ok":true})"),
              &out);
  REQUIRE(out.size() == 5);
  CHECK(out[0].key == "u.id");
  CHECK(out[0].text == "7");
  CHECK(out[0].is_string);
  CHECK(out[1].key == "u.geo.city");
  CHECK(out[1].text == "Rome");
  CHECK(out[2].key == "u.geo.zip");
  CHECK(out[2].is_null);
  CHECK(out[2].text == "");
  CHECK(out[3].key == "e");  // an empty object is kept, not dropped
  CHECK(out[3].text == "{}");
  CHECK(out[4].key == "ok");
  CHECK(out[4].text == "true");
  CHECK_FALSE(out[4].is_string);

  FlattenJson(MustParse("\"s\""), &out);  // a non-object: one field with the empty key
  REQUIRE(out.size() == 1);
  CHECK(out[0].key == "");
  CHECK(out[0].text == "s");
  CHECK(out[0].is_string);
}

TEST_CASE("json: ToJsonText is compact and round-trips") {
  const char* text = R"({"a":[1,2.50,-3e2],"b":{"c":null,"d":true},"e":"x\ny\u0001\"\\é"})";
  JsonValue v = MustParse(text);
  std::string out = cdp::ToJsonText(v);
  CHECK(
      out ==
      "{\"a\":[1,2.50,-3e2],\"b\":{\"c\":null,\"d\":true},\"e\":\"x\\ny\\u0001\\\"\\\\\xC3\xA9\"}");
  JsonValue again = MustParse(out);
  CHECK(cdp::ToJsonText(again) == out);
  CHECK(again.Find("e")->string == "x\ny\x01\"\\\xC3\xA9");
  CHECK(cdp::ToJsonText(MustParse(" [ ] ")) == "[]");
  CHECK(cdp::ToJsonText(MustParse(" { } ")) == "{}");
  JsonValue inf;
  inf.kind = JsonValue::Kind::kNumber;
  inf.number = INFINITY;
  CHECK(cdp::ToJsonText(inf) == "null");  // JSON has no infinity
}

TEST_CASE("json: JsonQuote escapes quotes, backslashes and control characters") {
  CHECK(cdp::JsonQuote("a\"b") == "\"a\\\"b\"");
  CHECK(cdp::JsonQuote("") == "\"\"");
  CHECK(cdp::JsonQuote("\\\b\f\n\r\t") == "\"\\\\\\b\\f\\n\\r\\t\"");
  CHECK(cdp::JsonQuote(std::string("\x00\x1f", 2)) == "\"\\u0000\\u001f\"");
  CHECK(cdp::JsonQuote("\xC3\xA9/") == "\"\xC3\xA9/\"");  // non-ASCII and '/' as is
  CHECK(MustParse(cdp::JsonQuote(std::string("q\"\x7f\x01", 4))).string ==
        std::string("q\"\x7f\x01", 4));
}
