// json.cpp — RFC 8259 parser (recursive descent), flattening and serialization for cdp/json.hpp.
//
// Behaviour worth knowing (the header keeps the "what"; the details are here):
// - Errors read "line L, column C: expected X, found Y". Lines are counted on '\n'; columns are
//   1-based and count Unicode code points (UTF-8 continuation bytes are not counted).
// - A leading UTF-8 byte order mark is skipped; whitespace is space, tab, CR and LF only.
// - Strings: every RFC escape; \uXXXX pairs are combined into one code point and written as UTF-8;
//   a lone high or low surrogate is an error; raw control characters (< 0x20) and invalid UTF-8
//   (overlong forms, encoded surrogates, > U+10FFFF, truncated sequences) are errors.
// - Numbers follow the RFC grammar exactly (no leading zeros, no '+', no bare '.', no NaN or
//   Infinity). `number_text` keeps the text as written; `number` is the nearest double (±inf or
//   ±0 when the magnitude is out of range).
// - More than 256 nested arrays/objects is an error. Duplicate keys are kept in `object` in
//   document order; Find returns the last one.
// - FlattenJson clears `out` first. Nested objects become dotted keys; an empty nested object is
//   kept as one field with text "{}" (so nothing disappears); arrays are their compact JSON text.
//   A value that is not an object flattens to one field with the empty key.
#include "cdp/json.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cdp {
namespace {

constexpr int kMaxDepth = 256;

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  absl::StatusOr<JsonValue> Run() {
    if (s_.size() >= 3 && std::memcmp(s_.data(), "\xEF\xBB\xBF", 3) == 0) i_ = 3;
    JsonValue root;
    SkipSpace();
    if (!ParseValue(&root, 0)) return absl::InvalidArgumentError(error_);
    SkipSpace();
    if (i_ != s_.size()) {
      Fail("end of input after the JSON value");
      return absl::InvalidArgumentError(error_);
    }
    return root;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  std::string error_;

  bool AtEnd() const { return i_ >= s_.size(); }
  unsigned char Peek() const { return static_cast<unsigned char>(s_[i_]); }

  void SkipSpace() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++i_;
    }
  }

  std::string Found(size_t pos) const {
    if (pos >= s_.size()) return "end of input";
    unsigned char c = static_cast<unsigned char>(s_[pos]);
    if (c >= 0x20 && c < 0x7F) return std::string("'") + s_[pos] + "'";
    return absl::StrFormat("byte 0x%02X", c);
  }

  // Records "line L, column C: expected <what>, found <found>" at byte position `pos`.
  bool FailAt(size_t pos, std::string_view what, std::string_view found) {
    int64_t line = 1, col = 1;
    for (size_t k = 0; k < pos && k < s_.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(s_[k]);
      if (c == '\n') {
        ++line;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col;
      }
    }
    error_ = absl::StrCat("line ", line, ", column ", col, ": expected ");
    error_.append(what);
    if (!found.empty()) error_.append(", found ").append(found);
    return false;
  }
  bool Fail(std::string_view what) { return FailAt(i_, what, Found(i_)); }

  bool ParseValue(JsonValue* out, int depth) {
    if (AtEnd()) return Fail("a value");
    switch (Peek()) {
      case '{': return ParseObject(out, depth + 1);
      case '[': return ParseArray(out, depth + 1);
      case '"': out->kind = JsonValue::Kind::kString; return ParseString(&out->string);
      case 't': return ParseLiteral("true", out, JsonValue::Kind::kBool, true);
      case 'f': return ParseLiteral("false", out, JsonValue::Kind::kBool, false);
      case 'n': return ParseLiteral("null", out, JsonValue::Kind::kNull, false);
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber(out);
        return Fail("a value");
    }
  }

  bool ParseLiteral(std::string_view word, JsonValue* out, JsonValue::Kind kind, bool b) {
    if (s_.substr(i_, word.size()) != word) {
      size_t k = 0;
      while (k < word.size() && i_ + k < s_.size() && s_[i_ + k] == word[k]) ++k;
      return FailAt(i_ + k, "'" + std::string(word) + "'", Found(i_ + k));
    }
    i_ += word.size();
    out->kind = kind;
    out->boolean = b;
    return true;
  }

  bool Digit(size_t k) const { return k < s_.size() && s_[k] >= '0' && s_[k] <= '9'; }

  bool ParseNumber(JsonValue* out) {
    size_t start = i_;
    size_t k = i_;
    bool negative = false;
    if (s_[k] == '-') {
      negative = true;
      ++k;
    }
    if (!Digit(k)) return FailAt(k, "a digit after '-'", Found(k));
    if (s_[k] == '0') {
      ++k;
      if (Digit(k)) return FailAt(k, "no leading zeros in a number", Found(k));
    } else {
      while (Digit(k)) ++k;
    }
    if (k < s_.size() && s_[k] == '.') {
      ++k;
      if (!Digit(k)) return FailAt(k, "a digit after '.'", Found(k));
      while (Digit(k)) ++k;
    }
    bool negative_exponent = false;
    if (k < s_.size() && (s_[k] == 'e' || s_[k] == 'E')) {
      ++k;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) {
        negative_exponent = s_[k] == '-';
        ++k;
      }
      if (!Digit(k)) return FailAt(k, "a digit in the exponent", Found(k));
      while (Digit(k)) ++k;
    }
    i_ = k;
    out->kind = JsonValue::Kind::kNumber;
    out->number_text.assign(s_.data() + start, k - start);
    double v = 0;
    auto r = std::from_chars(s_.data() + start, s_.data() + k, v);
    if (r.ec == std::errc::result_out_of_range) {
      // from_chars leaves v untouched out of range: overflow goes to ±inf, underflow to ±0.
      v = negative_exponent ? 0.0 : std::numeric_limits<double>::infinity();
      if (negative) v = -v;
    }
    out->number = v;
    return true;
  }

  int Hex4(size_t k) const {
    if (k + 4 > s_.size()) return -1;
    int v = 0;
    for (size_t j = k; j < k + 4; ++j) {
      char c = s_[j];
      int d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return -1;
      v = v * 16 + d;
    }
    return v;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Length of the valid UTF-8 sequence at k (lead byte >= 0x80), or 0 when invalid.
  size_t Utf8Length(size_t k) const {
    auto at = [&](size_t j) -> unsigned {
      return j < s_.size() ? static_cast<unsigned char>(s_[j]) : 0u;
    };
    unsigned c = at(k);
    auto cont = [&](size_t j) { return (at(j) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(k + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      unsigned c1 = at(k + 1);
      if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
      if (c == 0xED && c1 >= 0xA0) return 0;  // UTF-16 surrogate encoded in UTF-8
      return cont(k + 1) && cont(k + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      unsigned c1 = at(k + 1);
      if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
      if (c == 0xF4 && c1 >= 0x90) return 0;  // above U+10FFFF
      return cont(k + 1) && cont(k + 2) && cont(k + 3) ? 4 : 0;
    }
    return 0;
  }

  // Parses the string literal at i_ (which is '"') into *out.
  bool ParseString(std::string* out) {
    size_t open = i_;
    ++i_;
    out->clear();
    while (true) {
      size_t run = i_;
      while (i_ < s_.size()) {
        unsigned char c = Peek();
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++i_;
      }
      out->append(s_.data() + run, i_ - run);
      if (AtEnd())
        return FailAt(i_, absl::StrCat("'\"' closing the string opened at column ", ColumnOf(open)),
                      "end of input");
      unsigned char c = Peek();
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return FailAt(i_, "an escape instead of a raw control character", Found(i_));
      if (c >= 0x80) {
        size_t n = Utf8Length(i_);
        if (n == 0) return FailAt(i_, "valid UTF-8 in the string", Found(i_));
        out->append(s_.data() + i_, n);
        i_ += n;
        continue;
      }
      // Backslash escape.
      size_t esc = i_;
      ++i_;
      if (AtEnd()) return FailAt(i_, "an escape character after '\\'", "end of input");
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          int u = Hex4(i_);
          if (u < 0) {
            size_t bad = i_;
            while (bad < s_.size() && bad < i_ + 4 &&
                   std::isxdigit(static_cast<unsigned char>(s_[bad])))
              ++bad;
            return FailAt(bad, "4 hex digits after \\u", Found(bad));
          }
          i_ += 4;
          uint32_t cp = static_cast<uint32_t>(u);
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return FailAt(esc, absl::StrFormat("a high surrogate before low surrogate \\u%04X", cp),
                          "");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            int lo =
                (i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') ? Hex4(i_ + 2) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
              return FailAt(esc,
                            absl::StrFormat("a low surrogate \\uDC00-\\uDFFF after high "
                                            "surrogate \\u%04X",
                                            cp),
                            "");
            }
            i_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return FailAt(i_ - 1, "an escape character (one of \" \\ / b f n r t u) after '\\'",
                        Found(i_ - 1));
      }
    }
  }

  int64_t ColumnOf(size_t pos) const {
    int64_t col = 1;
    for (size_t k = pos; k > 0; --k) {
      unsigned char c = static_cast<unsigned char>(s_[k - 1]);
      if (c == '\n') break;
      if ((c & 0xC0) != 0x80) ++col;
    }
    return col;
  }

  bool ParseArray(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return FailAt(i_, "at most 256 levels of nesting", "");
    out->kind = JsonValue::Kind::kArray;
    ++i_;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++i_;
      return true;
    }
    while (true) {
      out->array.emplace_back();
      if (!ParseValue(&out->array.back(), depth)) return false;
      SkipSpace();
      if (AtEnd()) return Fail("',' or ']' after an array element");
      if (Peek() == ',') {
        ++i_;
        SkipSpace();
        continue;
      }
      if (Peek() == ']') {
        ++i_;
        return true;
      }
      return Fail("',' or ']' after an array element");
    }
  }

  bool ParseObject(JsonValue* out, int depth) {
    if (depth > kMaxDepth) return FailAt(i_, "at most 256 levels of nesting", "");
    out->kind = JsonValue::Kind::kObject;
    ++i_;
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++i_;
      return true;
    }
    while (true) {
      if (AtEnd() || Peek() != '"') {
        return Fail(out->object.empty() ? "a string key or '}'" : "a string key");
      }
      out->object.emplace_back();
      auto& member = out->object.back();
      if (!ParseString(&member.first)) return false;
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Fail("':' after an object key");
      ++i_;
      SkipSpace();
      if (!ParseValue(&member.second, depth)) return false;
      SkipSpace();
      if (AtEnd()) return Fail("',' or '}' after an object member");
      if (Peek() == ',') {
        ++i_;
        SkipSpace();
        continue;
      }
      if (Peek() == '}') {
        ++i_;
        return true;
      }
      return Fail("',' or '}' after an object member");
    }
  }
};

void AppendJson(const JsonValue& v, std::string* out);

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, k - run);
    run = k + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: absl::StrAppendFormat(out, "\\u%04x", c); break;
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void AppendNumber(const JsonValue& v, std::string* out) {
  if (!v.number_text.empty()) {
    out->append(v.number_text);
    return;
  }
  if (!std::isfinite(v.number)) {
    out->append("null");  // JSON has no NaN or infinity
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v.number);
  out->append(buf, r.ptr);
}

void AppendJson(const JsonValue& v, std::string* out) {
  switch (v.kind) {
    case JsonValue::Kind::kNull: out->append("null"); break;
    case JsonValue::Kind::kBool: out->append(v.boolean ? "true" : "false"); break;
    case JsonValue::Kind::kNumber: AppendNumber(v, out); break;
    case JsonValue::Kind::kString: AppendQuoted(v.string, out); break;
    case JsonValue::Kind::kArray:
      out->push_back('[');
      for (size_t k = 0; k < v.array.size(); ++k) {
        if (k) out->push_back(',');
        AppendJson(v.array[k], out);
      }
      out->push_back(']');
      break;
    case JsonValue::Kind::kObject:
      out->push_back('{');
      for (size_t k = 0; k < v.object.size(); ++k) {
        if (k) out->push_back(',');
        AppendQuoted(v.object[k].first, out);
        out->push_back(':');
        AppendJson(v.object[k].second, out);
      }
      out->push_back('}');
      break;
  }
}

void FlattenInto(const JsonValue& v, std::string* prefix, std::vector<FlatField>* out) {
  for (const auto& [key, value] : v.object) {
    size_t keep = prefix->size();
    if (!prefix->empty()) prefix->push_back('.');
    prefix->append(key);
    if (value.kind == JsonValue::Kind::kObject && !value.object.empty()) {
      FlattenInto(value, prefix, out);
    } else {
      FlatField& f = out->emplace_back();
      f.key = *prefix;
      f.text = value.ScalarText();
      f.is_string = value.kind == JsonValue::Kind::kString;
      f.is_null = value.kind == JsonValue::Kind::kNull;
    }
    prefix->resize(keep);
  }
}

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (size_t k = object.size(); k > 0; --k) {
    if (object[k - 1].first == key) return &object[k - 1].second;
  }
  return nullptr;
}

std::string JsonValue::ScalarText() const {
  switch (kind) {
    case Kind::kNull: return "";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kString: return string;
    case Kind::kNumber: {
      std::string s;
      AppendNumber(*this, &s);
      return s;
    }
    case Kind::kArray:
    case Kind::kObject: return ToJsonText(*this);
  }
  return "";
}

absl::StatusOr<JsonValue> ParseJson(std::string_view text) { return Parser(text).Run(); }

void FlattenJson(const JsonValue& object, std::vector<FlatField>* out) {
  out->clear();
  if (object.kind != JsonValue::Kind::kObject) {
    FlatField& f = out->emplace_back();
    f.text = object.ScalarText();
    f.is_string = object.kind == JsonValue::Kind::kString;
    f.is_null = object.kind == JsonValue::Kind::kNull;
    return;
  }
  std::string prefix;
  FlattenInto(object, &prefix, out);
}

std::string ToJsonText(const JsonValue& v) {
  std::string out;
  AppendJson(v, &out);
  return out;
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendQuoted(s, &out);
  return out;
}

}  // namespace cdp
