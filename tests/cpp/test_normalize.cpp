// Tests for cdp/normalize.hpp: emails, phones (E.164), countries (ISO 3166-1), URLs/UTM, UTF-8.
// Phone expectations follow ITU-T E.164 country codes and each country's national numbering plan
// (trunk prefix dropped, Italy's leading 0 kept); example numbers are from fictional ranges
// (Ofcom's 020 7946 0xxx drama range, NANP 555-01xx).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "../../src/ingest/country_table.hpp"
#include "cdp/normalize.hpp"

namespace {

std::string Ok(const absl::StatusOr<std::string>& r) {
  INFO("status: ", std::string(r.status().message()));
  REQUIRE(r.ok());
  return *r;
}

std::string Err(const absl::StatusOr<std::string>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

}  // namespace

// ----------------------------------------------------------------------------------------- email

TEST_CASE("NormalizeEmail trims and lowercases valid addresses") {
  CHECK(Ok(cdp::NormalizeEmail(" Alice.Smith@Example.COM \t")) == "alice.smith@example.com");
  CHECK(Ok(cdp::NormalizeEmail("a+tag@sub.example.co.uk")) == "a+tag@sub.example.co.uk");
  CHECK(Ok(cdp::NormalizeEmail("o'brien-x_y@ex-ample.org")) == "o'brien-x_y@ex-ample.org");
  // Non-ASCII (internationalized) addresses keep their non-ASCII bytes; ASCII is lowercased.
  CHECK(Ok(cdp::NormalizeEmail("José@Exämple.COM")) == "josé@exämple.com");
  // Length limits: 64-byte local part and 254 bytes in all are accepted.
  const std::string local64(64, 'a');
  CHECK(Ok(cdp::NormalizeEmail(local64 + "@example.com")) == local64 + "@example.com");
  const std::string max254 = local64 + "@" + std::string(185, 'b') + ".com";  // 64+1+185+4 = 254
  CHECK(max254.size() == 254);
  CHECK(Ok(cdp::NormalizeEmail(max254)) == max254);
}

TEST_CASE("NormalizeEmail error messages") {
  CHECK(Err(cdp::NormalizeEmail("")) == "empty email");
  CHECK(Err(cdp::NormalizeEmail("   ")) == "empty email");
  CHECK(Err(cdp::NormalizeEmail("alice.example.com")) ==
        "email \"alice.example.com\": missing '@'");
  CHECK(Err(cdp::NormalizeEmail("a@b@c.com")) == "email \"a@b@c.com\": more than one '@'");
  CHECK(Err(cdp::NormalizeEmail("@example.com")) ==
        "email \"@example.com\": empty local part before '@'");
  CHECK(Err(cdp::NormalizeEmail("alice@")) == "email \"alice@\": empty domain after '@'");
  CHECK(Err(cdp::NormalizeEmail("alice@localhost")) ==
        "email \"alice@localhost\": domain has no '.' (expected a domain such as example.com)");
  CHECK(
      Err(cdp::NormalizeEmail("alice@example..com")) ==
      "email \"alice@example..com\": domain has an empty label (leading, trailing or double '.')");
  CHECK(
      Err(cdp::NormalizeEmail("alice@.example.com")) ==
      "email \"alice@.example.com\": domain has an empty label (leading, trailing or double '.')");
  CHECK(
      Err(cdp::NormalizeEmail("alice@example.com.")) ==
      "email \"alice@example.com.\": domain has an empty label (leading, trailing or double '.')");
  CHECK(Err(cdp::NormalizeEmail("alice smith@example.com")) ==
        "email \"alice smith@example.com\": contains whitespace");
  CHECK(Err(cdp::NormalizeEmail("alice,bob@example.com")) ==
        "email \"alice,bob@example.com\": invalid character ','");
  CHECK(Err(cdp::NormalizeEmail("<alice@example.com>")) ==
        "email \"<alice@example.com>\": invalid character '<'");
  CHECK(Err(cdp::NormalizeEmail("alice@exa_mple.com")) ==
        "email \"alice@exa_mple.com\": invalid character '_' in domain");
  CHECK(Err(cdp::NormalizeEmail("a\x01@example.com")) ==
        "email \"a\\x01@example.com\": invalid character '\\x01'");
  CHECK(Err(cdp::NormalizeEmail("\xff@example.com")) ==
        "email \"\\xff@example.com\": not valid UTF-8");
  const std::string local65(65, 'a');
  CHECK(Err(cdp::NormalizeEmail(local65 + "@example.com")) ==
        "email \"" + local65 + "@example.com\": local part too long (65 bytes, at most 64)");
  const std::string too_long = std::string(60, 'a') + "@" + std::string(190, 'b') + ".com";  // 255
  CHECK(Err(cdp::NormalizeEmail(too_long)) ==
        "email \"" + too_long.substr(0, 80) + "...\": too long (255 bytes, at most 254)");
}

// ----------------------------------------------------------------------------------------- phone

TEST_CASE("NormalizePhone: international numbers") {
  CHECK(Ok(cdp::NormalizePhone("+44 20 7946 0958", "")) == "+442079460958");
  CHECK(Ok(cdp::NormalizePhone("+44 (0)20 7946 0958", "")) ==
        "+442079460958");                                                      // bracketed trunk 0
  CHECK(Ok(cdp::NormalizePhone("+44 020 7946 0958", "")) == "+442079460958");  // misplaced trunk 0
  CHECK(Ok(cdp::NormalizePhone("0044 20 7946 0958", "US")) == "+442079460958");    // 00 prefix
  CHECK(Ok(cdp::NormalizePhone("011 44 20 7946 0958", "US")) == "+442079460958");  // NANP's 011
  CHECK(Ok(cdp::NormalizePhone("+1 (415) 555-0100", "IT")) == "+14155550100");
  // Italy keeps its leading 0 after +39 (Rome 06).
  CHECK(Ok(cdp::NormalizePhone("+39 06 1234 5678", "")) == "+390612345678");
  CHECK(Ok(cdp::NormalizePhone("+39.333.123.4567", "")) == "+393331234567");
  // Non-geographic +800 (ITU International Freephone).
  CHECK(Ok(cdp::NormalizePhone("+800 1234 5678", "")) == "+80012345678");
  CHECK(Ok(cdp::NormalizePhone("  +7 912 345-67-89 ", "")) == "+79123456789");
}

TEST_CASE("NormalizePhone: national numbers take the default country's code") {
  CHECK(Ok(cdp::NormalizePhone("020 7946 0958", "GB")) == "+442079460958");  // trunk 0 dropped
  CHECK(Ok(cdp::NormalizePhone("(415) 555-0100", "US")) == "+14155550100");
  CHECK(Ok(cdp::NormalizePhone("1-415-555-0100", "US")) == "+14155550100");  // NANP trunk 1
  CHECK(Ok(cdp::NormalizePhone("415.555.0100", "CA")) == "+14155550100");    // NANP shares +1
  CHECK(Ok(cdp::NormalizePhone("06 1234 5678", "IT")) == "+390612345678");   // Italy keeps the 0
  CHECK(Ok(cdp::NormalizePhone("333 123 4567", "it")) == "+393331234567");   // header example
  CHECK(Ok(cdp::NormalizePhone("030 123456", "DE")) == "+4930123456");
  CHECK(Ok(cdp::NormalizePhone("01 23 45 67 89", "FR")) == "+33123456789");
  CHECK(Ok(cdp::NormalizePhone("0412 345 678", "AU")) == "+61412345678");
  CHECK(Ok(cdp::NormalizePhone("8 (912) 345-67-89", "RU")) == "+79123456789");  // trunk 8
  CHECK(Ok(cdp::NormalizePhone("06 1 234 5678", "HU")) == "+3612345678");       // trunk 06
  CHECK(Ok(cdp::NormalizePhone("612 345 678", "ES")) == "+34612345678");        // no trunk
  CHECK(Ok(cdp::NormalizePhone("0549 123456", "SM")) == "+3780549123456");  // San Marino keeps 0
}

TEST_CASE("NormalizePhone error messages") {
  CHECK(Err(cdp::NormalizePhone("", "GB")) == "empty phone number");
  CHECK(Err(cdp::NormalizePhone(" \t", "GB")) == "empty phone number");
  CHECK(Err(cdp::NormalizePhone("call me", "GB")) ==
        "phone \"call me\": invalid character 'c'; use digits with optional spaces, dots, dashes, "
        "parentheses and a leading '+' or '00'");
  CHECK(
      Err(cdp::NormalizePhone("+44 20 7946 0958 ext. 12", "")) ==
      "phone \"+44 20 7946 0958 ext. 12\": invalid character 'e'; use digits with optional spaces, "
      "dots, dashes, parentheses and a leading '+' or '00'");
  CHECK(Err(cdp::NormalizePhone("020+7946", "GB")) ==
        "phone \"020+7946\": '+' is only allowed once, at the start");
  CHECK(Err(cdp::NormalizePhone("++44 20 7946 0958", "")) ==
        "phone \"++44 20 7946 0958\": '+' is only allowed once, at the start");
  CHECK(Err(cdp::NormalizePhone("(--)", "GB")) == "phone \"(--)\": no digits");
  CHECK(Err(cdp::NormalizePhone("+999 1234 5678", "")) ==
        "phone \"+999 1234 5678\": unknown country calling code (digits after the international "
        "prefix: 999)");
  CHECK(
      Err(cdp::NormalizePhone("333 123 4567", "")) ==
      "phone \"333 123 4567\": no international prefix ('+' or '00') and no default country given");
  CHECK(Err(cdp::NormalizePhone("333 123 4567", "XX")) ==
        "phone \"333 123 4567\": no international prefix ('+' or '00') and unknown default country "
        "\"XX\" (use an ISO 3166 alpha-2 code such as \"IT\")");
  CHECK(Err(cdp::NormalizePhone("+44 12", "")) ==
        "phone \"+44 12\": too short (4 digits with the country code; E.164 numbers have 8 to 15)");
  CHECK(Err(cdp::NormalizePhone("1234", "US")) ==
        "phone \"1234\": too short (5 digits with the country code; E.164 numbers have 8 to 15)");
  CHECK(
      Err(cdp::NormalizePhone("+44 1234 5678 9012 345", "")) ==
      "phone \"+44 1234 5678 9012 345\": too long (17 digits with the country code; E.164 numbers "
      "have 8 to 15)");
  CHECK(Err(cdp::NormalizePhone("123456789012345678901", "US")) ==
        "phone \"123456789012345678901\": too long (E.164 numbers have at most 15 digits)");
}

// --------------------------------------------------------------------------------------- country

TEST_CASE("NormalizeCountry: every country of the Online Retail data set normalizes or errs") {
  // Expected codes: ISO 3166-1 alpha-2 (iso-codes iso_3166-1.json); EIRE = Ireland, RSA = South
  // Africa.
  const std::pair<const char*, const char*> ok[] = {
      {"United Kingdom", "GB"},
      {"France", "FR"},
      {"Australia", "AU"},
      {"Netherlands", "NL"},
      {"Germany", "DE"},
      {"Norway", "NO"},
      {"EIRE", "IE"},
      {"Switzerland", "CH"},
      {"Spain", "ES"},
      {"Poland", "PL"},
      {"Portugal", "PT"},
      {"Italy", "IT"},
      {"Belgium", "BE"},
      {"Lithuania", "LT"},
      {"Japan", "JP"},
      {"Iceland", "IS"},
      {"Denmark", "DK"},
      {"Cyprus", "CY"},
      {"Sweden", "SE"},
      {"Austria", "AT"},
      {"Israel", "IL"},
      {"Finland", "FI"},
      {"Bahrain", "BH"},
      {"Greece", "GR"},
      {"Hong Kong", "HK"},
      {"Singapore", "SG"},
      {"Lebanon", "LB"},
      {"United Arab Emirates", "AE"},
      {"Saudi Arabia", "SA"},
      {"Czech Republic", "CZ"},
      {"Canada", "CA"},
      {"Brazil", "BR"},
      {"USA", "US"},
      {"Malta", "MT"},
      {"RSA", "ZA"},
  };
  for (const auto& [name, code] : ok) {
    INFO(name);
    CHECK(Ok(cdp::NormalizeCountry(name)) == code);
  }
  CHECK(Err(cdp::NormalizeCountry("Unspecified")) ==
        "unknown country \"Unspecified\": no country given");
  CHECK(Err(cdp::NormalizeCountry("European Community")) ==
        "unknown country \"European Community\": a group of countries, not one country");
  // Choice: Channel Islands is rejected, not guessed (Jersey and Guernsey are separate, non-UK
  // entries).
  CHECK(Err(cdp::NormalizeCountry("Channel Islands")) ==
        "unknown country \"Channel Islands\": not an ISO 3166-1 country: it spans Jersey (JE) and "
        "Guernsey (GG)");
}

TEST_CASE("NormalizeCountry: codes, variants, case and whitespace") {
  CHECK(Ok(cdp::NormalizeCountry("gb")) == "GB");
  CHECK(Ok(cdp::NormalizeCountry("GBR")) == "GB");
  CHECK(Ok(cdp::NormalizeCountry("  united   KINGDOM ")) == "GB");
  for (const char* v : {"UK", "U.K.", "Great Britain", "England", "Scotland", "Wales"}) {
    INFO(v);
    CHECK(Ok(cdp::NormalizeCountry(v)) == "GB");
  }
  for (const char* v : {"US", "us", "USA", "U.S.A.", "United States", "United States of America"}) {
    INFO(v);
    CHECK(Ok(cdp::NormalizeCountry(v)) == "US");
  }
  CHECK(Ok(cdp::NormalizeCountry("eire")) == "IE");
  CHECK(Ok(cdp::NormalizeCountry("Ireland")) == "IE");
  CHECK(Ok(cdp::NormalizeCountry("Deutschland")) == "DE");
  CHECK(Ok(cdp::NormalizeCountry("Holland")) == "NL");
  CHECK(Ok(cdp::NormalizeCountry("The Netherlands")) == "NL");
  CHECK(Ok(cdp::NormalizeCountry("Czechia")) == "CZ");
  CHECK(Ok(cdp::NormalizeCountry("Korea, Republic of")) == "KR");
  CHECK(Ok(cdp::NormalizeCountry("South Korea")) == "KR");
  CHECK(Ok(cdp::NormalizeCountry("North Korea")) == "KP");
  CHECK(Ok(cdp::NormalizeCountry("Russia")) == "RU");
  CHECK(Ok(cdp::NormalizeCountry("Viet Nam")) == "VN");
  CHECK(Ok(cdp::NormalizeCountry("Vietnam")) == "VN");
  CHECK(Ok(cdp::NormalizeCountry("Türkiye")) == "TR");
  CHECK(Ok(cdp::NormalizeCountry("Turkey")) == "TR");
  CHECK(Ok(cdp::NormalizeCountry("Côte d'Ivoire")) == "CI");
  CHECK(Ok(cdp::NormalizeCountry("Ivory Coast")) == "CI");
  CHECK(Ok(cdp::NormalizeCountry("St. Lucia")) == "LC");
  CHECK(Ok(cdp::NormalizeCountry("Jersey")) == "JE");
  CHECK(Ok(cdp::NormalizeCountry("Guernsey")) == "GG");
}

TEST_CASE("NormalizeCountry error messages") {
  CHECK(Err(cdp::NormalizeCountry("")) == "empty country");
  CHECK(Err(cdp::NormalizeCountry("  ")) == "empty country");
  CHECK(
      Err(cdp::NormalizeCountry("Atlantis")) ==
      "unknown country \"Atlantis\" (expected an ISO 3166-1 alpha-2 or alpha-3 code or an English "
      "country name)");
  CHECK(Err(cdp::NormalizeCountry("XX")) ==
        "unknown country \"XX\" (expected an ISO 3166-1 alpha-2 or alpha-3 code or an English "
        "country "
        "name)");
  const std::string long_name(200, 'q');
  CHECK(Err(cdp::NormalizeCountry(long_name)) ==
        "unknown country \"" + std::string(80, 'q') +
            "...\" (expected an ISO 3166-1 alpha-2 or alpha-3 code or an English country name)");
}

TEST_CASE("country table: all 249 ISO 3166-1 entries resolve by code and name") {
  const auto countries = cdp::internal::Countries();
  CHECK(countries.size() == 249);  // iso-codes iso_3166-1.json has 249 entries
  std::set<std::string_view> codes;
  for (const auto& c : countries) {
    INFO(std::string(c.alpha2));
    CHECK(Ok(cdp::NormalizeCountry(c.alpha2)) == c.alpha2);
    CHECK(Ok(cdp::NormalizeCountry(c.alpha3)) == c.alpha2);
    CHECK(Ok(cdp::NormalizeCountry(c.name)) == c.alpha2);
    CHECK(Ok(cdp::CallingCode(c.alpha2)) == c.calling_code);
    codes.insert(c.calling_code);
  }
  for (const auto& a : cdp::internal::CountryAliases()) {
    INFO(std::string(a.alias));
    CHECK(Ok(cdp::NormalizeCountry(a.alias)) == a.alpha2);
  }
  // E.164 country codes are prefix-free, so an international number has one reading.
  for (std::string_view code : cdp::internal::NonGeographicCallingCodes()) codes.insert(code);
  std::string clashes;
  for (std::string_view a : codes) {
    for (std::string_view b : codes) {
      if (a != b && b.substr(0, a.size()) == a)
        clashes += std::string(a) + "/" + std::string(b) + " ";
    }
  }
  CHECK(clashes.empty());
}

TEST_CASE("CallingCode") {
  // ITU-T E.164 assigned country codes.
  CHECK(Ok(cdp::CallingCode("IT")) == "39");
  CHECK(Ok(cdp::CallingCode("it")) == "39");
  CHECK(Ok(cdp::CallingCode("VA")) == "39");
  CHECK(Ok(cdp::CallingCode("SM")) == "378");
  CHECK(Ok(cdp::CallingCode("US")) == "1");
  CHECK(Ok(cdp::CallingCode("CA")) == "1");
  CHECK(Ok(cdp::CallingCode("JM")) == "1");
  CHECK(Ok(cdp::CallingCode("GB")) == "44");
  CHECK(Ok(cdp::CallingCode("JE")) == "44");
  CHECK(Ok(cdp::CallingCode("KZ")) == "7");
  CHECK(Ok(cdp::CallingCode("HK")) == "852");
  CHECK(Err(cdp::CallingCode("XX")) ==
        "unknown country code \"XX\" (expected an ISO 3166-1 alpha-2 code such as \"IT\")");
  CHECK(Err(cdp::CallingCode("Italy")) ==
        "unknown country code \"Italy\" (expected an ISO 3166-1 alpha-2 code such as \"IT\")");
  CHECK(Err(cdp::CallingCode("")) ==
        "unknown country code \"\" (expected an ISO 3166-1 alpha-2 code such as \"IT\")");
}

// ------------------------------------------------------------------------------------------- URL

TEST_CASE("ParseUrl: host, path and decoded UTM fields") {
  const cdp::UtmFields u = cdp::ParseUrl(
      "https://www.Shop.com/cart?utm_source=google&utm_medium=cpc&utm_campaign=spring+sale"
      "&utm_term=red%20shoes&utm_content=ad%2F1&other=x#top");
  CHECK(u.host == "www.shop.com");
  CHECK(u.path == "/cart");
  CHECK(u.source == "google");
  CHECK(u.medium == "cpc");
  CHECK(u.campaign == "spring sale");
  CHECK(u.term == "red shoes");
  CHECK(u.content == "ad/1");
}

TEST_CASE("ParseUrl: missing scheme, relative URLs, authority parts") {
  auto u = cdp::ParseUrl("www.shop.com/p?utm_source=x");
  CHECK(u.host == "www.shop.com");
  CHECK(u.path == "/p");
  CHECK(u.source == "x");
  u = cdp::ParseUrl("shop.com");
  CHECK(u.host == "shop.com");
  CHECK(u.path == "/");
  u = cdp::ParseUrl("/p?utm_source=x");
  CHECK(u.host.empty());
  CHECK(u.path == "/p");
  CHECK(u.source == "x");
  u = cdp::ParseUrl("cart/item?utm_medium=email");
  CHECK(u.host.empty());
  CHECK(u.path == "cart/item");
  CHECK(u.medium == "email");
  u = cdp::ParseUrl("//cdn.shop.com/a.js");
  CHECK(u.host == "cdn.shop.com");
  CHECK(u.path == "/a.js");
  u = cdp::ParseUrl("http://user:pw@Shop.com:8080/a/b?x=1");
  CHECK(u.host == "shop.com");
  CHECK(u.path == "/a/b");
  u = cdp::ParseUrl("http://[::1]:8080/x");
  CHECK(u.host == "[::1]");
  CHECK(u.path == "/x");
  u = cdp::ParseUrl("https://shop.com?utm_source=a");
  CHECK(u.host == "shop.com");
  CHECK(u.path == "/");
  CHECK(u.source == "a");
  u = cdp::ParseUrl("  https://shop.com/x  ");
  CHECK(u.path == "/x");
}

TEST_CASE("ParseUrl: fragments, duplicates, malformed escapes") {
  // The query after '#' belongs to the fragment, not to the URL.
  auto u = cdp::ParseUrl("https://shop.com/#/page?utm_source=a");
  CHECK(u.path == "/");
  CHECK(u.source.empty());
  u = cdp::ParseUrl("https://shop.com/p?utm_source=a#x?utm_source=b");
  CHECK(u.source == "a");
  u = cdp::ParseUrl("/p?utm_source=first&utm_source=second&UTM_MEDIUM=Email");
  CHECK(u.source == "first");
  CHECK(u.medium == "Email");  // keys match case-insensitively, values keep their case
  u = cdp::ParseUrl("/p?utm_campaign=50%&utm_term=%zz&utm_content=%e2%82%ac&utm_source");
  CHECK(u.campaign == "50%");
  CHECK(u.term == "%zz");
  CHECK(u.content == "\xe2\x82\xac");  // "€"
  CHECK(u.source.empty());
  u = cdp::ParseUrl("");
  CHECK(u.host.empty());
  CHECK(u.path.empty());
  CHECK(u.source.empty());
}

// ------------------------------------------------------------------------------------------ UTF-8

TEST_CASE("IsValidUtf8 accepts well-formed text") {
  CHECK(cdp::IsValidUtf8(""));
  CHECK(cdp::IsValidUtf8("plain ascii text that is longer than eight bytes"));
  CHECK(cdp::IsValidUtf8("h\xc3\xa9llo"));               // é U+00E9
  CHECK(cdp::IsValidUtf8("\xe2\x82\xac"));               // € U+20AC
  CHECK(cdp::IsValidUtf8("\xf0\x9f\x98\x80"));           // 😀 U+1F600
  CHECK(cdp::IsValidUtf8("\xed\x9f\xbf"));               // U+D7FF, last before the surrogates
  CHECK(cdp::IsValidUtf8("\xee\x80\x80"));               // U+E000, first after the surrogates
  CHECK(cdp::IsValidUtf8("\xf4\x8f\xbf\xbf"));           // U+10FFFF, the maximum
  CHECK(cdp::IsValidUtf8("\xc2\x80"));                   // U+0080, smallest 2-byte
  CHECK(cdp::IsValidUtf8("\xe0\xa0\x80"));               // U+0800, smallest 3-byte
  CHECK(cdp::IsValidUtf8("\xf0\x90\x80\x80"));           // U+10000, smallest 4-byte
  CHECK(cdp::IsValidUtf8(std::string_view("a\0b", 3)));  // NUL is a valid code point
}

TEST_CASE("IsValidUtf8 rejects overlongs, surrogates, out-of-range and truncated sequences") {
  CHECK_FALSE(cdp::IsValidUtf8("\xc0\x80"));          // overlong NUL
  CHECK_FALSE(cdp::IsValidUtf8("\xc1\xbf"));          // overlong U+007F
  CHECK_FALSE(cdp::IsValidUtf8("\xe0\x80\xaf"));      // overlong '/'
  CHECK_FALSE(cdp::IsValidUtf8("\xe0\x9f\xbf"));      // overlong U+07FF
  CHECK_FALSE(cdp::IsValidUtf8("\xf0\x8f\xbf\xbf"));  // overlong U+FFFF
  CHECK_FALSE(cdp::IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(cdp::IsValidUtf8("\xed\xbf\xbf"));      // surrogate U+DFFF
  CHECK_FALSE(cdp::IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(cdp::IsValidUtf8("\xf5\x80\x80\x80"));  // lead byte past F4
  CHECK_FALSE(cdp::IsValidUtf8("\xff"));
  CHECK_FALSE(cdp::IsValidUtf8("\x80"));              // lone continuation byte
  CHECK_FALSE(cdp::IsValidUtf8("\xe2\x82"));          // truncated
  CHECK_FALSE(cdp::IsValidUtf8("abcdefgh\xe2\x82"));  // truncated after the ASCII fast path
  CHECK_FALSE(cdp::IsValidUtf8("\xe2\x28\xa1"));      // bad continuation
  CHECK_FALSE(cdp::IsValidUtf8("abcdefghijklmno\xf0\x9f\x98"));
  CHECK_FALSE(cdp::IsValidUtf8("\xc3\xa9\xc3"));
}
