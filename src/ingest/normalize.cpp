// normalize.cpp — canonical forms of emails, phones, countries and URLs (see cdp/normalize.hpp).
//
// Lookups go through function-local static hash maps built once from country_table.cpp; the
// per-value work is a trim, an ASCII case fold into a stack buffer and one hash probe.
#include "cdp/normalize.hpp"

#include <cstdint>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "country_table.hpp"

namespace cdp {
namespace {

using internal::CountryInfo;

// Debian's abseil has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0).
inline absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The value quoted for an error message: escaped, and cut at 80 bytes so a garbage cell cannot
// produce a megabyte-long message.
std::string Quote(std::string_view v) {
  constexpr size_t kMax = 80;
  if (v.size() > kMax) return absl::StrCat("\"", absl::CHexEscape(A(v.substr(0, kMax))), "...\"");
  return absl::StrCat("\"", absl::CHexEscape(A(v)), "\"");
}

// ---------------------------------------------------------------------------------------------
// Country lookup

// Lookup key of a country name: ASCII lowercase, '.' removed, whitespace runs collapsed to one
// space. "U.S.A." -> "usa", "St. Lucia" -> "st lucia". Returns false when longer than the buffer
// (no country name is that long).
constexpr size_t kKeyMax = 96;
bool CountryKey(std::string_view s, char* out, size_t* len) {
  size_t n = 0;
  bool pending_space = false;
  for (char c : s) {
    if (c == '.') continue;
    if (IsAsciiSpace(c)) {
      pending_space = n > 0;
      continue;
    }
    if (pending_space) {
      if (n >= kKeyMax) return false;
      out[n++] = ' ';
      pending_space = false;
    }
    if (n >= kKeyMax) return false;
    out[n++] = ToLower(c);
  }
  *len = n;
  return true;
}

std::string MakeKey(std::string_view s) {
  char buf[kKeyMax];
  size_t n = 0;
  if (!CountryKey(s, buf, &n)) return std::string(s);
  return std::string(buf, n);
}

struct CountryMaps {
  // Every spelling (alpha-2, alpha-3, names, aliases) -> country.
  absl::flat_hash_map<std::string, const CountryInfo*> by_key;
  // Upper-case alpha-2 -> country.
  absl::flat_hash_map<std::string, const CountryInfo*> by_alpha2;
  // Lower-case key -> reason, for names that are known not to be one country.
  absl::flat_hash_map<std::string, absl::string_view> not_countries;
  // Calling code -> whether one leading 0 after it is a trunk prefix to drop ("+44 020" ->
  // "+4420").
  absl::flat_hash_map<absl::string_view, bool> calling_codes;
};

const CountryMaps& Maps() {
  static const CountryMaps* const maps = [] {
    auto* m = new CountryMaps;
    for (const CountryInfo& c : internal::Countries()) {
      m->by_alpha2.emplace(std::string(c.alpha2), &c);
      m->by_key.emplace(MakeKey(c.alpha2), &c);
      m->by_key.emplace(MakeKey(c.alpha3), &c);
      m->by_key.emplace(MakeKey(c.name), &c);
      // A code shared by several countries (+44: GB, GG, JE, IM) takes the first one's trunk rule;
      // the table is consistent for every shared code.
      m->calling_codes.emplace(A(c.calling_code), c.trunk_prefixes == "0");
    }
    for (const internal::CountryAlias& a : internal::CountryAliases()) {
      auto it = m->by_alpha2.find(A(a.alpha2));
      if (it != m->by_alpha2.end()) m->by_key.emplace(MakeKey(a.alias), it->second);
    }
    for (const internal::NotACountry& n : internal::NotCountries()) {
      m->not_countries.emplace(MakeKey(n.name), A(n.reason));
    }
    for (std::string_view code : internal::NonGeographicCallingCodes()) {
      m->calling_codes.emplace(A(code), false);
    }
    return m;
  }();
  return *maps;
}

// Alpha-2 lookup, case-insensitive, without allocating.
const CountryInfo* FindAlpha2(std::string_view code) {
  if (code.size() != 2) return nullptr;
  char up[2];
  for (int i = 0; i < 2; ++i) {
    char c = code[i];
    up[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const auto& by = Maps().by_alpha2;
  auto it = by.find(absl::string_view(up, 2));
  return it == by.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// Email

absl::Status EmailError(std::string_view raw, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("email ", Quote(raw), ": ", A(what)));
}

bool IsForbiddenEmailChar(char c) {
  // Characters that cannot appear unquoted in an address (RFC 5322 specials) or that signal a
  // list/display-name form ("a@b.c, d@e.f", "Name <a@b.c>").
  switch (c) {
    case ',':
    case ';':
    case '<':
    case '>':
    case '(':
    case ')':
    case '[':
    case ']':
    case '\\':
    case '"':
    case ':': return true;
    default: return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  }
}

// ---------------------------------------------------------------------------------------------
// Phone

absl::Status PhoneError(std::string_view raw, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("phone ", Quote(raw), ": ", A(what)));
}

// Does `digits` start with one of the '|'-separated prefixes? Returns the matched length or 0.
size_t MatchTrunk(std::string_view digits, std::string_view prefixes) {
  while (!prefixes.empty()) {
    size_t bar = prefixes.find('|');
    std::string_view p = prefixes.substr(0, bar);
    if (!p.empty() && digits.size() > p.size() && digits.substr(0, p.size()) == p) return p.size();
    if (bar == std::string_view::npos) break;
    prefixes.remove_prefix(bar + 1);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// URL

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a query component; '+' is a space; a '%' not followed by two hex digits is kept.
std::string DecodeQueryComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// A URL scheme ("https") followed by "://"? Returns the length through "://" or 0.
size_t SchemeLength(std::string_view u) {
  if (u.empty() || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z'))) return 0;
  size_t i = 1;
  while (i < u.size()) {
    char c = u[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '+' ||
              c == '-' || c == '.';
    if (!ok) break;
    ++i;
  }
  if (u.substr(i, 3) == "://") return i + 3;
  return 0;
}

// Without a scheme, does the first path segment look like a host name ("www.shop.com",
// "shop.com:8080")? It must contain a dot, consist of letters, digits, '-' and '.', and end in an
// alphabetic label of 2+ letters (like a browser's address bar, "index.html" also passes).
bool LooksLikeHost(std::string_view seg) {
  size_t colon = seg.find(':');
  if (colon != std::string_view::npos) seg = seg.substr(0, colon);
  if (seg.empty() || seg.front() == '.' || seg.back() == '.') return false;
  size_t last_dot = seg.rfind('.');
  if (last_dot == std::string_view::npos) return false;
  for (char c : seg) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '.';
    if (!ok) return false;
  }
  std::string_view tld = seg.substr(last_dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

// Host from an authority "user:pw@Host.com:8080" -> "host.com"; IPv6 literals keep their brackets.
std::string HostFromAuthority(std::string_view a) {
  size_t at = a.rfind('@');
  if (at != std::string_view::npos) a.remove_prefix(at + 1);
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close != std::string_view::npos) a = a.substr(0, close + 1);
  } else {
    size_t colon = a.find(':');
    if (colon != std::string_view::npos) a = a.substr(0, colon);
  }
  std::string host(a);
  for (char& c : host) c = ToLower(c);
  return host;
}

}  // namespace

// -------------------------------------------------------------------------------------------------

absl::StatusOr<std::string> NormalizeEmail(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (s.empty()) return absl::InvalidArgumentError("empty email");
  if (s.size() > 254) {
    return EmailError(raw, absl::StrCat("too long (", s.size(), " bytes, at most 254)"));
  }
  if (!IsValidUtf8(s)) return EmailError(raw, "not valid UTF-8");
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (IsAsciiSpace(c)) return EmailError(raw, "contains whitespace");
    if (c == '@') {
      if (at != std::string_view::npos) return EmailError(raw, "more than one '@'");
      at = i;
    } else if (IsForbiddenEmailChar(c)) {
      return EmailError(raw, absl::StrCat("invalid character '",
                                          absl::CHexEscape(absl::string_view(&c, 1)), "'"));
    }
  }
  if (at == std::string_view::npos) return EmailError(raw, "missing '@'");
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.empty()) return EmailError(raw, "empty local part before '@'");
  if (local.size() > 64) {
    return EmailError(raw,
                      absl::StrCat("local part too long (", local.size(), " bytes, at most 64)"));
  }
  if (domain.empty()) return EmailError(raw, "empty domain after '@'");
  if (domain.find('.') == std::string_view::npos) {
    return EmailError(raw, "domain has no '.' (expected a domain such as example.com)");
  }
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return EmailError(raw, "domain has an empty label (leading, trailing or double '.')");
  }
  for (char c : domain) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' ||
              c == '.' || static_cast<unsigned char>(c) >= 0x80;  // internationalized domains
    if (!ok) {
      return EmailError(
          raw, absl::StrCat("invalid character '", absl::CHexEscape(absl::string_view(&c, 1)),
                            "' in domain"));
    }
  }
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

absl::StatusOr<std::string> NormalizePhone(std::string_view raw, std::string_view default_country) {
  std::string_view s = Trim(raw);
  if (s.empty()) return absl::InvalidArgumentError("empty phone number");

  // Collect the digits; 20 is past E.164's 15 plus any prefix, so longer input is an error anyway.
  constexpr size_t kMaxDigits = 20;
  char digits[kMaxDigits];
  size_t n = 0;
  bool international = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (IsDigit(c)) {
      if (n == kMaxDigits)
        return PhoneError(raw, "too long (E.164 numbers have at most 15 digits)");
      digits[n++] = c;
    } else if (c == '+') {
      if (n > 0 || international) {
        return PhoneError(raw, "'+' is only allowed once, at the start");
      }
      international = true;
    } else if (c == '(' && international && n > 0 && s.substr(i, 3) == "(0)") {
      i += 2;  // "+44 (0)20 ...": the bracketed trunk 0 is not dialled from abroad
    } else if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '(' || c == ')') {
      continue;
    } else {
      return PhoneError(
          raw, absl::StrCat("invalid character '", absl::CHexEscape(absl::string_view(&c, 1)),
                            "'; use digits with optional spaces, dots, dashes, "
                            "parentheses and a leading '+' or '00'"));
    }
  }
  if (n == 0) return PhoneError(raw, "no digits");
  std::string_view d(digits, n);

  const CountryInfo* home = nullptr;
  if (!international) {
    home = FindAlpha2(default_country);
    if (d.substr(0, 2) == "00") {
      international = true;
      d.remove_prefix(2);
    } else if (home != nullptr && home->calling_code == "1" && d.substr(0, 3) == "011") {
      international = true;  // NANP's international prefix
      d.remove_prefix(3);
    }
  }

  std::string_view code;
  if (international) {
    const auto& codes = Maps().calling_codes;
    bool strip_zero = false;
    for (size_t len = 1; len <= 3 && len <= d.size(); ++len) {
      auto it = codes.find(A(d.substr(0, len)));
      if (it != codes.end()) {
        code = std::string_view(it->first.data(), it->first.size());
        strip_zero = it->second;
        break;
      }
    }
    if (code.empty()) {
      return PhoneError(raw,
                        absl::StrCat("unknown country calling code (digits after the international "
                                     "prefix: ",
                                     A(d.substr(0, 3)), ")"));
    }
    d.remove_prefix(code.size());
    // "+44 020 7946 0958": countries with trunk prefix 0 never start a national significant number
    // with 0, so the 0 is a misplaced trunk prefix. Italy-like countries keep it.
    if (strip_zero && d.size() > 1 && d.front() == '0') d.remove_prefix(1);
  } else {
    if (home == nullptr) {
      if (default_country.empty()) {
        return PhoneError(raw,
                          "no international prefix ('+' or '00') and no default country given");
      }
      return PhoneError(
          raw,
          absl::StrCat("no international prefix ('+' or '00') and unknown default "
                       "country ",
                       Quote(default_country), " (use an ISO 3166 alpha-2 code such as \"IT\")"));
    }
    code = home->calling_code;
    if (code == "1") {
      if (d.size() == 11 && d.front() == '1') d.remove_prefix(1);  // 1 415 555 0100
    } else {
      d.remove_prefix(MatchTrunk(d, home->trunk_prefixes));
    }
  }

  size_t total = code.size() + d.size();
  if (total < 8) {
    return PhoneError(raw,
                      absl::StrCat("too short (", total,
                                   " digits with the country code; E.164 numbers have 8 to 15)"));
  }
  if (total > 15) {
    return PhoneError(raw,
                      absl::StrCat("too long (", total,
                                   " digits with the country code; E.164 numbers have 8 to 15)"));
  }
  std::string out;
  out.reserve(1 + total);
  out.push_back('+');
  out.append(code);
  out.append(d);
  return out;
}

absl::StatusOr<std::string> NormalizeCountry(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (s.empty()) return absl::InvalidArgumentError("empty country");
  char buf[kKeyMax];
  size_t len = 0;
  if (CountryKey(s, buf, &len)) {
    absl::string_view key(buf, len);
    const CountryMaps& m = Maps();
    auto it = m.by_key.find(key);
    if (it != m.by_key.end()) return std::string(it->second->alpha2);
    auto nc = m.not_countries.find(key);
    if (nc != m.not_countries.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown country ", Quote(s), ": ", nc->second));
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown country ", Quote(s),
                   " (expected an ISO 3166-1 alpha-2 or alpha-3 code or an English country name)"));
}

absl::StatusOr<std::string> CallingCode(std::string_view alpha2) {
  std::string_view s = Trim(alpha2);
  const CountryInfo* c = FindAlpha2(s);
  if (c == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown country code ", Quote(s),
                     " (expected an ISO 3166-1 alpha-2 code such as \"IT\")"));
  }
  return std::string(c->calling_code);
}

UtmFields ParseUrl(std::string_view url) {
  UtmFields out;
  std::string_view u = Trim(url);
  size_t hash = u.find('#');
  if (hash != std::string_view::npos) u = u.substr(0, hash);
  std::string_view query;
  size_t q = u.find('?');
  if (q != std::string_view::npos) {
    query = u.substr(q + 1);
    u = u.substr(0, q);
  }

  // Authority: after "scheme://", after "//", or a leading segment that looks like a host name.
  std::string_view authority;
  bool has_authority = false;
  if (size_t sl = SchemeLength(u); sl > 0) {
    u.remove_prefix(sl);
    has_authority = true;
  } else if (u.substr(0, 2) == "//") {
    u.remove_prefix(2);
    has_authority = true;
  } else if (!u.empty() && u.front() != '/' && LooksLikeHost(u.substr(0, u.find('/')))) {
    has_authority = true;
  }
  if (has_authority) {
    size_t slash = u.find('/');
    authority = u.substr(0, slash);
    u = slash == std::string_view::npos ? std::string_view() : u.substr(slash);
    out.host = HostFromAuthority(authority);
    out.path = u.empty() ? "/" : std::string(u);
  } else {
    out.path = std::string(u);
  }

  // Query: first occurrence of each utm_* key wins; keys match case-insensitively.
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (key.size() < 5 || !EqualsIgnoreCase(key.substr(0, 4), "utm_")) continue;
    std::string_view name = key.substr(4);
    std::string* field = nullptr;
    if (EqualsIgnoreCase(name, "source"))
      field = &out.source;
    else if (EqualsIgnoreCase(name, "medium"))
      field = &out.medium;
    else if (EqualsIgnoreCase(name, "campaign"))
      field = &out.campaign;
    else if (EqualsIgnoreCase(name, "term"))
      field = &out.term;
    else if (EqualsIgnoreCase(name, "content"))
      field = &out.content;
    if (field != nullptr && field->empty()) *field = DecodeQueryComponent(value);
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0xC2) {
      return false;  // continuation byte, or overlong 2-byte lead C0/C1
    } else if (c < 0xE0) {
      need = 1;
    } else if (c < 0xF0) {
      need = 2;
      if (c == 0xE0)
        lo = 0xA0;  // overlong 3-byte
      else if (c == 0xED)
        hi = 0x9F;  // UTF-16 surrogates D800-DFFF
    } else if (c < 0xF5) {
      need = 3;
      if (c == 0xF0)
        lo = 0x90;  // overlong 4-byte
      else if (c == 0xF4)
        hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (n - i <= need) return false;
    if (p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k <= need; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}

}  // namespace cdp
