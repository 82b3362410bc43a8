// cdp/json.hpp — a small JSON (RFC 8259) value and parser for tracking plans and NDJSON events.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cdp {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string number_text;  ///< the number exactly as written ("12", "1.50", "1e3")
  std::string string;       ///< decoded UTF-8 for kString
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  ///< members in document order

  bool is_null() const { return kind == Kind::kNull; }
  bool is_object() const { return kind == Kind::kObject; }
  /// Member by key or nullptr (objects only; the last one wins on duplicate keys).
  const JsonValue* Find(std::string_view key) const;
  /// Text of a scalar as it would be in a CSV cell: strings decoded, numbers as written,
  /// true/false; null gives "".
  std::string ScalarText() const;
};

/// Parses one JSON document. Errors say "line L, column C: <what was expected>".
/// Nesting deeper than 256 levels is rejected.
absl::StatusOr<JsonValue> ParseJson(std::string_view text);

/// Flattens nested objects into dotted keys: {"a":{"b":1},"c":[1,2]} -> a.b="1", c="[1,2]"
/// (arrays are kept as their compact JSON text). Values are ScalarText(); `is_string` tells whether
/// the JSON value was a string, `is_null` whether it was null.
struct FlatField {
  std::string key;
  std::string text;
  bool is_string = false;
  bool is_null = false;
};
void FlattenJson(const JsonValue& object, std::vector<FlatField>* out);

/// Compact JSON text of a value (used for arrays when flattening and for exports).
std::string ToJsonText(const JsonValue& v);
/// JSON string literal with escapes: "a\"b".
std::string JsonQuote(std::string_view s);

}  // namespace cdp
