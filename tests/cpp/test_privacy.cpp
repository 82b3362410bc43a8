// Privacy primitives: HMAC-SHA256 (RFC 4231), the audit hash, keyed pseudonyms, the small-group
// threshold, Laplace noise statistics and the k-anonymity check.
#include <doctest/doctest.h>

#include <cmath>

#include "cdp/privacy.hpp"

namespace {

TEST_CASE("Privacy: HMAC-SHA256 matches RFC 4231 test cases 1 and 2") {
  CHECK(cdp::HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(cdp::HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  CHECK(cdp::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Privacy: pseudonyms carry the key id and refuse weak or expired keys") {
  const cdp::PseudonymKey key{"k1", "0123456789abcdef", INT64_MAX};
  CHECK(cdp::Pseudonym(key, "ann@shop.com", 16) == "k1:" + cdp::HmacSha256Hex(key.secret, "ann@shop.com").substr(0, 16));
  CHECK(cdp::ValidatePseudonymKey(key, 0).ok());
  CHECK(!cdp::ValidatePseudonymKey({"k1", "short", INT64_MAX}, 0).ok());
  CHECK(cdp::ValidatePseudonymKey({"k1", "0123456789abcdef", 100}, 101).code() == absl::StatusCode::kFailedPrecondition);
  // The audit hash chains: a different previous hash gives a different entry hash.
  const std::string zero(64, '0');
  CHECK(cdp::AuditEntryHash(zero, 1, "ingest", "{}") != cdp::AuditEntryHash(std::string(64, '1'), 1, "ingest", "{}"));
  CHECK(cdp::AuditEntryHash(zero, 1, "ingest", "{}") == cdp::Sha256Hex(zero + "\x1f" "1\x1fingest\x1f{}"));
}

TEST_CASE("Privacy: groups under the threshold are suppressed") {
  cdp::Table t;
  t.Add("period", cdp::ColumnType::kInt64).i64 = {10, 20, 30};
  t.Add("visitors", cdp::ColumnType::kInt64).i64 = {5, 2, 9};
  t.Add("bounce_rate", cdp::ColumnType::kDouble).f64 = {0.5, 0.25, 0.1};
  CHECK(cdp::SuppressSmallGroups(t, "visitors", 3) == 1);
  CHECK(t.Find("period")->i64[1] == 20);  // the key stays
  CHECK(t.Find("visitors")->IsNull(1));
  CHECK(std::isnan(t.Find("bounce_rate")->f64[1]));
  CHECK(t.Find("bounce_rate")->f64[2] == 0.1);
  CHECK(t.Find("suppressed")->b[1] == 1);
  CHECK(t.Find("suppressed")->b[0] == 0);
}

TEST_CASE("Privacy: Laplace noise has mean 0 and mean absolute deviation 1 / epsilon") {
  // Laplace(b): E[X] = 0, E|X| = b, Var = 2 b^2. 40,000 draws: the standard error of the mean of
  // |X| is b / sqrt(40000) = 0.005 b, of the mean sqrt(2) b / 200 = 0.007 b; checked at ~6 SE.
  const double eps = 0.5, b = 1 / eps;
  double sum = 0, abs_sum = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    const double x = cdp::LaplaceNoisyCount(100, eps) - 100;
    sum += x, abs_sum += std::abs(x);
  }
  CHECK(std::abs(sum / n) < 0.045 * b);
  CHECK(std::abs(abs_sum / n - b) < 0.03 * b);
}

TEST_CASE("Privacy: k-anonymity counts the equivalence classes by hand") {
  // Rows (age band, zip): (1,A) (1,A) (1,B) (2,A) (2,A) (2,A): classes of 2, 1, 3.
  const std::vector<std::vector<int64_t>> q = {{1, 1, 1, 2, 2, 2}, {0, 0, 1, 0, 0, 0}};
  const cdp::KAnonymity r = cdp::CheckKAnonymity(q, 2);
  CHECK(r.k == 1);
  CHECK(r.classes == 3);
  CHECK(r.classes_below == 1);
  CHECK(r.rows_below == 1);
  CHECK(cdp::CheckKAnonymity(q, 3).rows_below == 3);
}

}  // namespace
