// country_table.hpp — internal: ISO 3166-1 countries with ITU calling codes and trunk prefixes.
// Used by normalize.cpp only; not a public header.
#pragma once

#include <span>
#include <string_view>

namespace cdp::internal {

struct CountryInfo {
  std::string_view alpha2;        // "GB"
  std::string_view alpha3;        // "GBR"
  std::string_view name;          // ISO 3166-1 English short name, "United Kingdom"
  std::string_view calling_code;  // ITU-T E.164 country code without '+', "44"
  /// National trunk prefixes dropped from national numbers, '|'-separated ("0", "8|0"); "" when the
  /// country has none and a leading 0 belongs to the number (Italy: +39 06...). NANP countries:
  /// "1".
  std::string_view trunk_prefixes;
};

/// Extra spellings (official names, common names, local names, abbreviations) -> alpha-2.
struct CountryAlias {
  std::string_view alias;
  std::string_view alpha2;
};

/// Names that appear in real data sets but are not one ISO country, with the reason given in
/// errors.
struct NotACountry {
  std::string_view name;
  std::string_view reason;
};

/// All 249 ISO 3166-1 entries, sorted by alpha-2.
std::span<const CountryInfo> Countries();
std::span<const CountryAlias> CountryAliases();
std::span<const NotACountry> NotCountries();
/// E.164 codes of non-geographic services (+800 freephone, +870 Inmarsat, ...), without '+'.
std::span<const std::string_view> NonGeographicCallingCodes();

}  // namespace cdp::internal
