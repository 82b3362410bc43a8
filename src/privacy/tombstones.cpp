// Tombstones of erased identifiers: HMAC-SHA256 (libsodium) under a per-workspace random secret,
// with a keyed SipHash-2-4 prefilter for the ingest check.
#include <sodium.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "cdp/erasure.hpp"
#include "cdp/privacy.hpp"
#include "core/strings.hpp"
#include "privacy/privacy_internal.hpp"

namespace cdp {

namespace {

using privacy_internal::InitSodium;

std::string IdentifierText(std::string_view type, std::string_view value) { return Cat(type, ":", value); }

}  // namespace

void WipeString(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
  s.shrink_to_fit();
}

std::string Tombstones::NewSecret() {
  InitSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(hex, 2 * sizeof bytes);
}

void Tombstones::SetSecret(std::string secret_hex) {
  secret_ = std::move(secret_hex);
  // The SipHash key: the first 16 bytes of HMAC(secret, a fixed label), so it is keyed like the
  // tombstones themselves and never stored.
  const std::string k = HmacSha256Hex(secret_, "cdpcore tombstone prefilter");
  size_t len = 0;
  sodium_hex2bin(short_key_, sizeof short_key_, k.data(), 32, nullptr, &len, nullptr);
}

std::string Tombstones::Hash(std::string_view type, std::string_view value) const {
  return HmacSha256Hex(secret_, IdentifierText(type, value));
}

int64_t Tombstones::ShortHash(std::string_view type, std::string_view value) const {
  InitSodium();
  unsigned char out[crypto_shorthash_siphash24_BYTES];
  const std::string text = IdentifierText(type, value);
  crypto_shorthash_siphash24(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), short_key_);
  int64_t h;
  std::memcpy(&h, out, sizeof h);
  return h;
}

void Tombstones::Add(std::string hash, int64_t short_hash) {
  hashes_.insert(std::move(hash));
  short_.insert(short_hash);
}

bool Tombstones::Contains(std::string_view type, std::string_view value) const {
  if (hashes_.empty() || secret_.empty()) return false;
  if (!short_.contains(ShortHash(type, value))) return false;  // nearly every identifier stops here
  return hashes_.contains(Hash(type, value));
}

}  // namespace cdp
