// Private to src/privacy: libsodium's one-time initialization.
#pragma once

namespace cdp::privacy_internal {

/// sodium_init() once per process (thread-safe); aborts if libsodium cannot start, since no keyed
/// hash or random number would be safe without it.
void InitSodium();

}  // namespace cdp::privacy_internal
