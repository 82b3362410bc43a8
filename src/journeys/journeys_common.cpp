// Helpers shared by the journey kernels.
#include <cctype>

#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp::journeys_internal {

int32_t TypeCode(const StringDictionary& dict, std::string_view type) {
  auto c = dict.Find(type);
  return c ? *c : -1;
}

std::vector<uint8_t> TypeFlags(const StringDictionary& dict, const std::vector<std::string>& types) {
  std::vector<uint8_t> flags;
  for (const std::string& t : types)
    if (int32_t c = TypeCode(dict, t); c >= 0) {
      if (static_cast<size_t>(c) >= flags.size()) flags.resize(static_cast<size_t>(c) + 1, 0);
      flags[static_cast<size_t>(c)] = 1;
    }
  return flags;
}

const Column* StringColumn(const EventColumns& ev, std::string_view name) {
  const Column* c = ev.Find(name);
  return c != nullptr && c->type == ColumnType::kString ? c : nullptr;
}

std::string_view UrlPath(std::string_view url) {
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    size_t slash = url.find_first_of("/?#");
    url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  }
  url = url.substr(0, url.find_first_of("?#"));
  return url.empty() ? std::string_view("/") : url;
}

std::string_view UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  return url.substr(0, url.find(':'));
}

std::string UrlParam(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string out;
    std::string_view v = pair.substr(eq + 1);
    for (size_t i = 0; i < v.size(); ++i) {
      auto hex = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (AsciiLower(c) - 'a' + 10); };
      if (v[i] == '+') {
        out.push_back(' ');
      } else if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) && std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
        out.push_back(static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2])));
        i += 2;
      } else {
        out.push_back(v[i]);
      }
    }
    return out;
  }
  return {};
}

}  // namespace cdp::journeys_internal
