#include "cdp/event_columns.hpp"

#include <cstring>

namespace cdp {

// ---------------------------------------------------------------------------------------------
// EventColumns

int EventColumns::Index(std::string_view name) const {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

const Column* EventColumns::Find(std::string_view name) const {
  int i = Index(name);
  return i < 0 ? nullptr : &columns[static_cast<size_t>(i)];
}

Column& EventColumns::FindOrAdd(std::string_view name, ColumnType type) {
  int i = Index(name);
  if (i >= 0) return columns[static_cast<size_t>(i)];
  names.emplace_back(name);
  columns.emplace_back(type);
  columns.back().Resize(size());
  return columns.back();
}

void EventColumns::Reserve(size_t n) {
  ts.reserve(n);
  type.reserve(n);
  profile.reserve(n);
  revenue.reserve(n);
  arrival.reserve(n);
  for (Column& c : columns) c.Reserve(n);
}

void EventColumns::ClearRows() {
  ts.clear();
  type.clear();
  profile.clear();
  revenue.clear();
  arrival.clear();
  for (Column& c : columns) c.Resize(0);
}

void EventColumns::Clear() {
  ts.clear();
  type.clear();
  profile.clear();
  revenue.clear();
  arrival.clear();
  names.clear();
  columns.clear();
}

uint64_t StableHash64(std::string_view s, uint64_t seed) {
  // 8 bytes at a time with a 64-bit multiply-xorshift mix (murmur-style finalizer per word).
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  uint64_t h = seed ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  auto mix = [](uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    x ^= x >> 33;
    return x;
  };
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ mix(w)) * kMul;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  h = (h ^ mix(tail ^ (n << 56))) * kMul;
  return mix(h);
}

}  // namespace cdp
