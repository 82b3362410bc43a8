// Keyed pseudonyms (HMAC-SHA256) and the audit chain's SHA-256, both by libsodium.
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "cdp/privacy.hpp"
#include "core/strings.hpp"
#include "privacy/privacy_internal.hpp"

namespace cdp {

namespace privacy_internal {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // libsodium cannot work without its RNG; nothing else is safe
  });
}

}  // namespace privacy_internal

namespace {

using privacy_internal::InitSodium;

std::string Hex(const unsigned char* bytes, size_t n) {
  std::vector<char> buf(2 * n + 1);
  sodium_bin2hex(buf.data(), buf.size(), bytes, n);
  return std::string(buf.data(), 2 * n);
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view value) {
  InitSodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return Hex(mac, sizeof mac);
}

std::string Sha256Hex(std::string_view data) {
  InitSodium();
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(h, sizeof h);
}

absl::Status ValidatePseudonymKey(const PseudonymKey& k, Micros now) {
  if (k.id.empty() || k.id.size() > 32 || k.id.find(':') != std::string::npos)
    return absl::InvalidArgumentError("pseudonym key: the id must be 1-32 characters without ':'");
  if (k.secret.size() < 16)
    return absl::InvalidArgumentError(Cat("pseudonym key '", k.id, "': the secret has ", k.secret.size(),
                                          " bytes; at least 16 are needed"));
  if (now > k.expires)
    return absl::FailedPreconditionError(Cat("pseudonym key '", k.id, "' expired at ", FormatTimestamp(k.expires),
                                             "; rotate to a new key"));
  return absl::OkStatus();
}

std::string Pseudonym(const PseudonymKey& k, std::string_view value, int hex_digits) {
  const size_t digits = static_cast<size_t>(std::clamp(hex_digits, 16, 64));
  return Cat(k.id, ":", std::string_view(HmacSha256Hex(k.secret, value)).substr(0, digits));
}

std::string AuditEntryHash(std::string_view prev_hash, Micros ts, std::string_view action, std::string_view detail) {
  return Sha256Hex(Cat(prev_hash, "\x1f", ts, "\x1f", action, "\x1f", detail));
}

}  // namespace cdp
