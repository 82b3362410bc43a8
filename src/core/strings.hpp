// Internal string helpers over std::string_view (Debian's abseil has its own string_view type, so
// absl::StrCat/StrJoin/StripAsciiWhitespace do not take std::string_view).
#pragma once

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>

namespace cdp {

namespace strings_internal {
inline void Append(std::string* out, std::string_view s) { out->append(s); }
inline void Append(std::string* out, const char* s) { out->append(s); }
inline void Append(std::string* out, const std::string& s) { out->append(s); }
inline void Append(std::string* out, char c) { out->push_back(c); }
// Other string-like types (absl::string_view from Status::message()).
template <typename S>
  requires(!std::is_arithmetic_v<S> && requires(const S& s) { s.data(); s.size(); })
void Append(std::string* out, const S& s) {
  out->append(s.data(), s.size());
}
template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, char> && !std::is_same_v<T, bool>)
void Append(std::string* out, T v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, p);
}
inline void Append(std::string* out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.6g", v);
  out->append(buf, static_cast<size_t>(n));
}
}  // namespace strings_internal

/// Concatenates strings, string_views, chars, integers and doubles (%.6g).
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (strings_internal::Append(&out, args), ...);
  return out;
}

/// std::string_view over any string-like value (absl::string_view included).
template <typename S>
std::string_view View(const S& s) {
  return std::string_view(s.data(), s.size());
}

/// Shortest %g text (6 to 17 significant digits) that reads back to the same double: "0.1",
/// "100", "0.30000000000000004".
inline std::string ShortestDouble(double v) {
  char buf[32];
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// Joins a range of string-like values with `sep`.
template <typename Range>
std::string Join(const Range& range, std::string_view sep) {
  std::string out;
  bool first = true;
  for (const auto& v : range) {
    if (!first) out.append(sep);
    first = false;
    out.append(std::string_view(v));
  }
  return out;
}

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

}  // namespace cdp
