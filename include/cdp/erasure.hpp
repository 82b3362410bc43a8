// cdp/erasure.hpp — erasure of a person (GDPR Art. 17, CCPA delete) and the tombstones that keep
// them erased.
//
// Workspace::Erase("email:ann@shop.com") removes everything held on the person behind the
// identifier: every raw event of their profile and every event carrying one of its identifiers,
// the identifiers, identity links and recorded link/unmerge operations naming them, quarantine rows
// whose text holds one of their values, and (by rebuilding from what remains) every derived value:
// profiles, the identity graph, attributes, traits, segment memberships, the query frame. Strings
// only the erased rows used leave the dictionaries, in memory and in the file, which is rewritten in
// one transaction with SQLite secure delete, then checkpointed and vacuumed.
//
// A tombstone per erased identifier stays: HMAC-SHA256 of "type:value" under a per-workspace random
// secret. A later ingest of an event carrying a tombstoned identifier rejects it (counted as
// quarantined with reason "erased_subject", with no quarantine row: that row would hold the
// person's data again).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "cdp/ingest.hpp"

namespace cdp {

/// What one erasure removed. Counts are of rows and entries that existed before the call.
struct ErasureReport {
  /// Tombstone (keyed hash) of the profile's canonical identifier; names the person in logs.
  std::string profile_key_hash;
  /// Tombstones written, one per erased identifier (64 hex digits each), in canonical order.
  std::vector<std::string> tombstones;
  std::map<std::string, int64_t> identifiers_by_type;  ///< identifier type -> identifiers removed
  int64_t identifiers_removed = 0;
  int64_t events_removed = 0;
  int64_t quarantine_removed = 0;
  int64_t links_removed = 0;      ///< identity links with an erased end
  int64_t operations_removed = 0; ///< recorded manual links / unmerges naming an erased identifier
  int64_t audit_redacted = 0;     ///< earlier audit entries whose detail named an erased identifier
  int64_t strings_removed = 0;    ///< dictionary strings only the erased rows used
  /// File workspaces: the WAL was truncated and the file vacuumed (false when another process
  /// still reads the file: the erasure is committed, the old pages go at the next checkpoint).
  bool file_compacted = true;
  double seconds = 0;
};

/// Keyed hashes of erased identifiers. The secret is per workspace (random, 32 bytes); the hash of
/// "type:value" (normalized like ingest) is HMAC-SHA256 in 64 hex digits. A 64-bit keyed SipHash
/// of the same text is kept beside it so ingest checks each identifier without an HMAC.
class Tombstones final : public ErasedIdentifiers {
 public:
  /// 32 random bytes (libsodium randombytes_buf) as 64 hex digits.
  static std::string NewSecret();
  /// Sets the secret (hex text as stored); the derived SipHash key follows it.
  void SetSecret(std::string secret_hex);
  const std::string& secret() const { return secret_; }
  bool has_secret() const { return !secret_.empty(); }

  /// HMAC-SHA256 of "type:value" under the secret, 64 hex digits.
  std::string Hash(std::string_view type, std::string_view value) const;
  /// The 64-bit keyed hash of "type:value" (the ingest prefilter).
  int64_t ShortHash(std::string_view type, std::string_view value) const;
  /// Adds a tombstone (its HMAC and its short hash).
  void Add(std::string hash, int64_t short_hash);
  bool HasHash(const std::string& hash) const { return hashes_.contains(hash); }
  size_t size() const { return hashes_.size(); }

  // ErasedIdentifiers (the ingest check).
  bool empty() const override { return hashes_.empty(); }
  bool Contains(std::string_view type, std::string_view value) const override;
  const std::vector<std::string>& custom_types() const override { return custom_types_ ? *custom_types_ : kNone; }
  /// Identifier types beyond the standard ones that ingest checks (the identity rules' custom
  /// types; the vector must outlive the tombstones).
  void SetCustomTypes(const std::vector<std::string>* types) { custom_types_ = types; }

 private:
  std::string secret_;             // hex text
  unsigned char short_key_[16] = {};
  absl::flat_hash_set<std::string> hashes_;
  absl::flat_hash_set<int64_t> short_;
  const std::vector<std::string>* custom_types_ = nullptr;
  static inline const std::vector<std::string> kNone;
};

/// Overwrites the bytes of `s` with zeros and empties it (erased values in memory).
void WipeString(std::string& s);

}  // namespace cdp
