// cdp/privacy.hpp — privacy enforced in the engine: consent per purpose with regional defaults,
// keyed pseudonymization (HMAC-SHA256), and the tamper-evident audit chain.
//
// Consent is read from the event log: a consent event (type "consent") of a profile carries a
// purpose and a status (granted / denied), optionally a source and a policy version; the latest
// one per purpose wins, so history is the profile's consent events. Workspace::SetConsent records
// one (imports, preference centres) the same way. Where a profile has no consent event for a
// purpose, its region decides: in opt-in regions (EU/EEA, UK, Switzerland by default) unknown
// counts as denied; in opt-out regions (the United States by default) unknown counts as granted,
// except sale_of_data when the profile sent Global Privacy Control (an event with gpc = true).
// Profiles whose region is unknown get `unknown_region` (opt-in by default: the safe reading).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/query.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

/// A refusal by the privacy rules (a sensitive attribute in targeting, a scope that may not see
/// something): PermissionDenied carrying this payload, so every interface can name it (C:
/// CDP_ERR_PRIVACY, Python: cdpcore.PrivacyError).
inline constexpr char kPrivacyPayload[] = "type.cdpcore/privacy";
absl::Status PrivacyError(std::string_view message);
bool IsPrivacyError(const absl::Status& status);

/// The consent states of a profile for one purpose.
enum class ConsentState : int8_t { kUnknown = 0, kGranted = 1, kDenied = 2 };
std::string_view ConsentStateName(ConsentState state);
/// "granted" (also "grant", "yes", "true", "opt_in", "1") or "denied" ("deny", "no", "false",
/// "opt_out", "withdrawn", "0"), case-insensitive; anything else is unknown.
ConsentState ParseConsentState(std::string_view text);

struct ConsentPolicy {
  std::vector<std::string> purposes = {"analytics", "marketing", "personalization", "advertising", "sale_of_data"};
  /// ISO 3166 alpha-2 countries (or "CC-RR" subdivisions) where unknown consent counts as denied.
  std::vector<std::string> opt_in_regions = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE",
                                             "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT",
                                             "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB", "CH"};
  /// Where unknown consent counts as granted (a subdivision "US-CA" matches before its country).
  std::vector<std::string> opt_out_regions = {"US"};
  std::string unknown_region = "opt_in";  ///< regime of profiles in neither list: opt_in | opt_out
  std::string gpc_purpose = "sale_of_data";  ///< what Global Privacy Control opts out of in opt-out regions
  std::string consent_event = "consent";
  std::string purpose_column = "purpose", status_column = "consent_status";
  std::string gpc_column = "gpc";                      ///< bool or text on any event
  std::string country_field = "country", region_field = "region";  ///< profile columns
  /// Sensitive attributes (special categories, GDPR Art. 9, and age of minors): profile column ->
  /// category. Targeting purposes may not select on them without a recorded justification.
  std::vector<std::pair<std::string, std::string>> sensitive = {
      {"health", "health"},         {"religion", "religion"},
      {"ethnicity", "ethnicity"},   {"race", "ethnicity"},
      {"sexual_orientation", "sexual orientation"}, {"political_opinion", "political opinion"},
      {"politics", "political opinion"}, {"minor", "age of minors"}};
  std::vector<std::string> targeting_purposes = {"marketing", "advertising", "personalization", "sale_of_data"};
  /// Aggregation threshold k: grouped results over fewer than k profiles are suppressed (0: off).
  int64_t min_group_size = 0;
  /// Differential-privacy budget: the total epsilon noisy counts may spend (0: none allowed).
  double epsilon_budget = 1.0;
};

/// Aggregation threshold: in rows whose `count_column` is below k (k > 1), every other numeric
/// column becomes null and the count itself null; a bool column "suppressed" marks them. Returns how
/// many rows were suppressed. No-op for k <= 1 or a table without that column.
int64_t SuppressSmallGroups(Table& table, std::string_view count_column, int64_t k);

/// A count with Laplace noise of scale 1 / epsilon (sensitivity 1), drawn with libsodium's CSPRNG.
double LaplaceNoisyCount(int64_t count, double epsilon);

/// k-anonymity of rows over quasi-identifier codes (one vector per quasi-identifier, equal
/// lengths): the smallest equivalence class, how many classes and rows fall below k.
struct KAnonymity {
  int64_t k = 0;              ///< smallest class size (0 for no rows)
  int64_t classes = 0;
  int64_t classes_below = 0;  ///< classes smaller than the asked k
  int64_t rows_below = 0;
};
KAnonymity CheckKAnonymity(const std::vector<std::vector<int64_t>>& quasi_identifiers, int64_t k);

/// Checks the policy (purposes non-empty lowercase names, regimes, region codes) and a purpose.
absl::Status ValidateConsentPolicy(const ConsentPolicy& policy);
absl::Status CheckPurpose(const ConsentPolicy& policy, std::string_view purpose);

/// The sensitive columns (with their categories) among `columns`, for a purpose that targets
/// people; empty for other purposes.
std::vector<std::pair<std::string, std::string>> SensitiveColumnsUsed(const ConsentPolicy& policy,
                                                                      std::string_view purpose,
                                                                      const std::vector<std::string>& columns);

/// Per profile: 1 in an opt-out region, 0 in an opt-in one (from `country` and optional
/// `region` text columns of the profiles; either may be null).
std::vector<uint8_t> ConsentRegimes(const ConsentPolicy& policy, const Table& profiles, const Column* country,
                                    const Column* region);

/// Consent of profiles [begin, end) for one purpose: per profile the latest state from its consent
/// events, whether it sent GPC, and whether it may be used for the purpose.
struct ConsentPartial {
  std::vector<int8_t> state;    ///< ConsentState per profile of the range
  std::vector<uint8_t> gpc;
  std::vector<uint8_t> allowed;
  std::array<int64_t, 3> counts{};  ///< unknown, granted, denied
  int64_t allowed_count = 0;
  void Merge(ConsentPartial&& other);  ///< appends a later range
};
absl::StatusOr<ConsentPartial> RunConsent(const QueryData& data, int32_t begin, int32_t end, const ConsentPolicy& policy,
                                          std::string_view purpose, const std::vector<uint8_t>& regimes);

/// One profile's consent: purpose, state, effective (granted after the regional default), since
/// (µs of the latest consent event, null without), source, policy_version, events (how many
/// consent events for the purpose). `rows`: the profile's event rows.
Table ConsentOfProfile(const QueryData& data, int32_t profile, const ConsentPolicy& policy, bool opt_out_region);

// --- Pseudonymization ------------------------------------------------------------------------------

/// HMAC-SHA256 (libsodium) of `value` under `key`, as 64 lowercase hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view value);

/// Keyed pseudonyms with rotation: the current key has an id; pseudonyms carry it
/// ("k2:3f9a..."), so a rotated key still tells which key made an old pseudonym.
struct PseudonymKey {
  std::string id;      ///< short name, e.g. "k1"
  std::string secret;  ///< at least 16 bytes
  Micros expires = INT64_MAX;  ///< after this the key is refused
};
absl::Status ValidatePseudonymKey(const PseudonymKey& key, Micros now);
/// "<id>:" + the first `hex_digits` (16..64) hex digits of HMAC-SHA256(secret, value).
std::string Pseudonym(const PseudonymKey& key, std::string_view value, int hex_digits = 32);

// --- Audit chain -------------------------------------------------------------------------------------

/// SHA-256 (libsodium) of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);
/// The chained hash of an audit entry: SHA-256 of prev_hash | ts | action | detail (fields joined
/// with '\x1f'). The first entry's prev_hash is 64 zeros.
std::string AuditEntryHash(std::string_view prev_hash, Micros ts, std::string_view action, std::string_view detail);

}  // namespace cdp
