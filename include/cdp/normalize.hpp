// cdp/normalize.hpp — canonical forms of identifiers and fields, applied at ingest.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdp {

/// Email: trims ASCII whitespace and lowercases; must be local@domain with a dot in the domain, no
/// spaces, at most 254 bytes. Error message names what is wrong ("missing '@'", ...).
absl::StatusOr<std::string> NormalizeEmail(std::string_view raw);

/// Phone to E.164 ("+393331234567"). Accepts separators (spaces, dots, dashes, parentheses), a leading
/// "+" or "00" international prefix, and national numbers, which take `default_country`'s calling
/// code (ISO 3166 alpha-2, e.g. "US" -> +1, "IT" -> +39, "GB" -> +44 with the trunk 0 dropped).
/// Result has 8..15 digits after '+'; anything else is an error.
absl::StatusOr<std::string> NormalizePhone(std::string_view raw, std::string_view default_country);

/// Country name, alpha-2 or alpha-3 code (case-insensitive; common English names and variants such as
/// "United Kingdom", "UK", "Great Britain", "USA", "EIRE", "Deutschland") to ISO 3166-1 alpha-2
/// ("GB"). Unknown names are an error naming the value.
absl::StatusOr<std::string> NormalizeCountry(std::string_view raw);

/// Calling code of an alpha-2 country ("IT" -> "39"), or an error for an unknown country.
absl::StatusOr<std::string> CallingCode(std::string_view alpha2);

/// UTM parameters parsed from a URL's query string (percent-decoded; '+' is a space).
struct UtmFields {
  std::string source, medium, campaign, term, content;
  std::string host, path;  // "www.shop.com", "/cart"
};
/// Splits a URL into host/path and UTM fields. Relative URLs ("/p?utm_source=x") are accepted.
UtmFields ParseUrl(std::string_view url);

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace cdp
