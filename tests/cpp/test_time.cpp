// Tests for cdp/time.hpp: every accepted timestamp form, time zones, epochs and every error path.
// Expected epoch values come from GNU date, run while writing these tests, e.g.
// `date -u -d "2024-03-05T14:07:09Z" +%s` -> 1709647629, or from the hand calculations noted.
#include <doctest/doctest.h>

#include <string>

#include "cdp/time.hpp"

namespace {

using cdp::EpochUnit;
using cdp::Micros;
using cdp::TimeParseOptions;
using cdp::TimeParser;

TimeParser MakeParser(TimeParseOptions options = {}) {
  auto p = TimeParser::Create(options);
  REQUIRE(p.ok());
  return *p;
}

// Parses `text` and returns the value, failing the test when it is an error.
Micros ParseOk(const TimeParser& p, std::string_view text) {
  auto r = p.Parse(text);
  INFO("input: ", std::string(text), " status: ", std::string(r.status().message()));
  REQUIRE(r.ok());
  return *r;
}

// Parses `text` expecting an InvalidArgument error; returns its message.
std::string ParseError(const TimeParser& p, std::string_view text) {
  auto r = p.Parse(text);
  INFO("input: ", std::string(text));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

constexpr Micros S(int64_t seconds) { return seconds * cdp::kMicrosPerSecond; }

}  // namespace

TEST_CASE("DaysFromCivil counts days since 1970-01-01") {
  CHECK(cdp::DaysFromCivil(1970, 1, 1) == 0);     // definition of the epoch
  CHECK(cdp::DaysFromCivil(1969, 12, 31) == -1);  // the day before the epoch
  CHECK(cdp::DaysFromCivil(2024, 3, 5) ==
        19787);  // date -u -d 2024-03-05 +%s = 1709596800 = 19787*86400
  CHECK(cdp::DaysFromCivil(2000, 3, 1) ==
        11017);  // date -u -d 2000-03-01 +%s = 951868800 = 11017*86400
  CHECK(cdp::DaysFromCivil(0, 3, 1) == -719468);  // Hinnant's algorithm: 0000-03-01 is day -719468
}

TEST_CASE("ISO 8601 forms in UTC") {
  const TimeParser p = MakeParser();
  // date -u -d "2024-03-05T14:07:09Z" +%s -> 1709647629
  CHECK(ParseOk(p, "2024-03-05T14:07:09Z") == S(1709647629));
  CHECK(ParseOk(p, "2024-03-05t14:07:09z") == S(1709647629));  // lower-case T/Z (RFC 3339)
  CHECK(ParseOk(p, "2024-03-05 14:07:09") == S(1709647629));   // naive, read in UTC
  CHECK(ParseOk(p, "2024-03-05T14:07:09") == S(1709647629));
  // date -u -d "2024-03-05T14:07:00Z" = 1709647629 - 9 = 1709647620 (hand)
  CHECK(ParseOk(p, "2024-03-05T14:07") == S(1709647620));
  CHECK(ParseOk(p, "2024-03-05 14:07") == S(1709647620));
  // date -u -d 2024-03-05 +%s -> 1709596800
  CHECK(ParseOk(p, "2024-03-05") == S(1709596800));
  // Surrounding ASCII whitespace is trimmed.
  CHECK(ParseOk(p, " \t2024-03-05\r\n") == S(1709596800));
  // Range ends: date -u -d 0000-01-01 -> -62167219200; date -u -d 9999-12-31T23:59:59Z ->
  // 253402300799
  CHECK(ParseOk(p, "0000-01-01") == S(-62167219200));
  CHECK(ParseOk(p, "9999-12-31T23:59:59Z") == S(253402300799));
  // date -u -d 1900-01-01 +%s -> -2208988800
  CHECK(ParseOk(p, "1900-01-01T00:00:00Z") == S(-2208988800));
}

TEST_CASE("ISO 8601 offsets") {
  const TimeParser p = MakeParser();
  // date -u -d "2024-03-05T14:07:09+01:00" +%s -> 1709644029
  CHECK(ParseOk(p, "2024-03-05T14:07:09+01:00") == S(1709644029));
  CHECK(ParseOk(p, "2024-03-05T14:07:09+0100") == S(1709644029));
  CHECK(ParseOk(p, "2024-03-05T14:07:09+01") == S(1709644029));
  // date -u -d "2024-03-05T14:07:09-05:30" +%s -> 1709667429
  CHECK(ParseOk(p, "2024-03-05T14:07:09-05:30") == S(1709667429));
  CHECK(ParseOk(p, "2024-03-05T14:07:09-0530") == S(1709667429));
  // date -u -d "2024-03-05T14:07:00+01:00" +%s -> 1709644020
  CHECK(ParseOk(p, "2024-03-05T14:07+01:00") == S(1709644020));
  CHECK(ParseOk(p, "2024-03-05T14:07:09+00:00") == ParseOk(p, "2024-03-05T14:07:09Z"));
  CHECK(ParseOk(p, "2024-03-05T14:07:09-00:00") == ParseOk(p, "2024-03-05T14:07:09Z"));
  // Offset with fraction: 1709644029 s + 0.5 s (hand)
  CHECK(ParseOk(p, "2024-03-05T14:07:09.5+01:00") == S(1709644029) + 500000);
}

TEST_CASE("fractional seconds: 1 to 9 digits, truncated to microseconds") {
  const TimeParser p = MakeParser();
  const Micros base = S(1709647629);  // date -u -d "2024-03-05T14:07:09Z" +%s
  CHECK(ParseOk(p, "2024-03-05T14:07:09.1Z") == base + 100000);
  CHECK(ParseOk(p, "2024-03-05T14:07:09.123Z") == base + 123000);
  CHECK(ParseOk(p, "2024-03-05T14:07:09.123456Z") == base + 123456);
  CHECK(ParseOk(p, "2024-03-05T14:07:09.000001Z") == base + 1);
  CHECK(ParseOk(p, "2024-03-05T14:07:09.123456789Z") == base + 123456);  // ns digits truncated
  CHECK(ParseOk(p, "2024-03-05T14:07:09.999999999Z") == base + 999999);  // truncated, not rounded
  CHECK(ParseOk(p, "2024-03-05 14:07:09.25") == base + 250000);          // naive with fraction
}

TEST_CASE("leap days follow the Gregorian rules") {
  const TimeParser p = MakeParser();
  // date -u -d 2024-02-29 +%s -> 1709164800
  CHECK(ParseOk(p, "2024-02-29") == S(1709164800));
  // 2000 is divisible by 400: 2000-02-29 = day DaysFromCivil(2000,3,1) - 1 = 11016 (hand)
  CHECK(ParseOk(p, "2000-02-29") == cdp::Days(11016));
  CHECK(
      ParseError(p, "2023-02-29") ==
      "timestamp \"2023-02-29\": day 29 out of range: February 2023 has 28 days (not a leap year)");
  CHECK(
      ParseError(p, "1900-02-29") ==  // divisible by 100, not by 400
      "timestamp \"1900-02-29\": day 29 out of range: February 1900 has 28 days (not a leap year)");
  CHECK(ParseError(p, "2024-02-30") ==
        "timestamp \"2024-02-30\": day 30 out of range 1-29 for 2024-02");
  CHECK(ParseError(p, "2024-04-31") ==
        "timestamp \"2024-04-31\": day 31 out of range 1-30 for 2024-04");
  CHECK(ParseError(p, "2024-01-00") ==
        "timestamp \"2024-01-00\": day 0 out of range 1-31 for 2024-01");
}

TEST_CASE("ISO 8601 error messages") {
  const TimeParser p = MakeParser();
  CHECK(ParseError(p, "") == "empty timestamp");
  CHECK(ParseError(p, "   \t") == "empty timestamp");
  CHECK(ParseError(p, "2024-13-01") == "timestamp \"2024-13-01\": month 13 out of range 1-12");
  CHECK(ParseError(p, "2024-00-01") == "timestamp \"2024-00-01\": month 0 out of range 1-12");
  CHECK(StartsWith(
      ParseError(p, "2024-3-5"),
      "timestamp \"2024-3-5\": expected YYYY-MM-DD with a 2-digit month and day; accepted: "
      "ISO 8601"));
  CHECK(StartsWith(ParseError(p, "2024-03-051"), "timestamp \"2024-03-051\": expected YYYY-MM-DD"));
  CHECK(ParseError(p, "2024-03-05X14:07") ==
        "timestamp \"2024-03-05X14:07\": unexpected 'X' after the date: expected 'T' or a space, "
        "then "
        "HH:MM[:SS[.ffffff]]");
  CHECK(ParseError(p, "2024-03-05T9:07") ==
        "timestamp \"2024-03-05T9:07\": expected HH:MM (2-digit hour and minute) after the date");
  CHECK(ParseError(p, "2024-03-05T") ==
        "timestamp \"2024-03-05T\": expected HH:MM (2-digit hour and minute) after the date");
  CHECK(ParseError(p, "2024-03-05T14:07:9") ==
        "timestamp \"2024-03-05T14:07:9\": expected 2-digit seconds after HH:MM:");
  CHECK(ParseError(p, "2024-03-05T14:07:09.Z") ==
        "timestamp \"2024-03-05T14:07:09.Z\": expected digits after the decimal point of the "
        "seconds");
  CHECK(ParseError(p, "2024-03-05T14:07:09.1234567890Z") ==
        "timestamp \"2024-03-05T14:07:09.1234567890Z\": more than 9 fractional digits in the "
        "seconds");
  CHECK(ParseError(p, "2024-03-05T24:00:00Z") ==
        "timestamp \"2024-03-05T24:00:00Z\": hour 24 out of range 0-23");
  CHECK(ParseError(p, "2024-03-05T23:60:00Z") ==
        "timestamp \"2024-03-05T23:60:00Z\": minute 60 out of range 0-59");
  // Choice: leap seconds are rejected.
  CHECK(ParseError(p, "2016-12-31T23:59:60Z") ==
        "timestamp \"2016-12-31T23:59:60Z\": second 60 out of range 0-59 (leap seconds are not "
        "accepted)");
  CHECK(ParseError(p, "2024-03-05T14:07:09+24:00") ==
        "timestamp \"2024-03-05T14:07:09+24:00\": offset +24:00 out of range (hours 0-23, minutes "
        "0-59)");
  CHECK(ParseError(p, "2024-03-05T14:07:09+01:60") ==
        "timestamp \"2024-03-05T14:07:09+01:60\": offset +01:60 out of range (hours 0-23, minutes "
        "0-59)");
  CHECK(ParseError(p, "2024-03-05T14:07:09+1") ==
        "timestamp \"2024-03-05T14:07:09+1\": malformed offset \"+1\": expected Z, +HH:MM, +HHMM "
        "or +HH");
  CHECK(ParseError(p, "2024-03-05T14:07:09+01:00:00") ==
        "timestamp \"2024-03-05T14:07:09+01:00:00\": malformed offset \"+01:00:00\": expected Z, "
        "+HH:MM, "
        "+HHMM or +HH");
  CHECK(
      ParseError(p, "2024-03-05T14:07:09 UTC") ==
      "timestamp \"2024-03-05T14:07:09 UTC\": unexpected ' ' after the time: expected the end, Z, "
      "+HH:MM, +HHMM or +HH");
  CHECK(
      ParseError(p, "2024-03-05T14:07:09Zjunk") ==
      "timestamp \"2024-03-05T14:07:09Zjunk\": unexpected 'Z' after the time: expected the end, Z, "
      "+HH:MM, +HHMM or +HH");
  // Control bytes are escaped in the message.
  CHECK(
      ParseError(p, "2024-03-05\x01") ==
      "timestamp \"2024-03-05\\x01\": unexpected '\\x01' after the date: expected 'T' or a space, "
      "then HH:MM[:SS[.ffffff]]");
}

TEST_CASE("slash dates and unknown forms are rejected with the accepted forms") {
  const TimeParser p = MakeParser();
  CHECK(ParseError(p, "01/02/2024") ==
        "timestamp \"01/02/2024\" is ambiguous (day/month order unknown): use ISO 8601 YYYY-MM-DD");
  // The Online Retail data set's InvoiceDate form.
  CHECK(ParseError(p, "12/1/2010 8:26") ==
        "timestamp \"12/1/2010 8:26\" is ambiguous (day/month order unknown): use ISO 8601 "
        "YYYY-MM-DD");
  CHECK(ParseError(p, "2024/01/02") ==
        "timestamp \"2024/01/02\": '/' date separators are not accepted: use ISO 8601 YYYY-MM-DD");
  CHECK(ParseError(p, "yesterday") ==
        "timestamp \"yesterday\": unrecognized format; accepted: ISO 8601 (2024-03-05T14:07:09Z, "
        "2024-03-05 14:07:09.123+01:00, 2024-03-05), YYYYMMDD, or epoch "
        "seconds/milliseconds/microseconds/nanoseconds");
  CHECK(StartsWith(ParseError(p, "Mar 5, 2024"),
                   "timestamp \"Mar 5, 2024\": unrecognized format; accepted:"));
  CHECK(StartsWith(ParseError(p, "1.5e9"), "timestamp \"1.5e9\": unrecognized format"));
  CHECK(StartsWith(ParseError(p, "-"), "timestamp \"-\": unrecognized format"));
  CHECK(StartsWith(ParseError(p, "1.2.3"), "timestamp \"1.2.3\": unrecognized format"));
  // Long garbage is cut in the message.
  const std::string longv(200, 'x');
  const std::string msg = ParseError(p, longv);
  CHECK(StartsWith(msg, "timestamp \"" + std::string(80, 'x') + "...\": unrecognized format"));
}

TEST_CASE("epoch numbers: units chosen by magnitude") {
  const TimeParser p = MakeParser();
  // date -u -d @1700000000 -> 2023-11-14T22:13:20Z
  CHECK(ParseOk(p, "1700000000") == S(1700000000));
  CHECK(ParseOk(p, "1700000000250") == S(1700000000) + 250000);        // ms (>= 1e11)
  CHECK(ParseOk(p, "1700000000250001") == S(1700000000) + 250001);     // µs (>= 1e14)
  CHECK(ParseOk(p, "1700000000250001999") == S(1700000000) + 250001);  // ns (>= 1e17), floored
  CHECK(ParseOk(p, "0") == 0);
  CHECK(ParseOk(p, "-1") == -S(1));  // date -u -d @-1: 1969-12-31T23:59:59Z
  // Boundaries from the header: <1e11 seconds, <1e14 ms, <1e17 µs.
  CHECK(ParseOk(p, "99999999999") == S(99999999999));
  CHECK(ParseOk(p, "100000000000") == 100000000000LL * 1000);        // 1e11 reads as ms
  CHECK(ParseOk(p, "100000000000000") == 100000000000000LL);         // 1e14 reads as µs
  CHECK(ParseOk(p, "100000000000000000") == 100000000000000LL);      // 1e17 reads as ns: /1000
  CHECK(ParseOk(p, "-1700000000250") == -(S(1700000000) + 250000));  // negative ms by magnitude
  CHECK(ParseOk(p, "  1700000000 ") == S(1700000000));
}

TEST_CASE("decimal epoch seconds") {
  const TimeParser p = MakeParser();
  // date -u -d @1700000000.25 +%s.%N -> 1700000000.250000000
  CHECK(ParseOk(p, "1700000000.25") == S(1700000000) + 250000);
  CHECK(ParseOk(p, "1700000000.123456789") == S(1700000000) + 123456);
  CHECK(ParseOk(p, "-1.5") == -1500000);  // hand: -1.5 s
  CHECK(ParseOk(p, "-0.0000005") == -1);  // floored toward the past (documented)
  CHECK(ParseOk(p, "0.000001") == 1);
  CHECK(
      ParseError(p, "1700000000000.5") ==
      "timestamp \"1700000000000.5\": decimal epoch values are only accepted in seconds, and this "
      "magnitude reads as milliseconds");
  CHECK(ParseError(p, "1700000000.") ==
        "timestamp \"1700000000.\": expected digits after the decimal point");
  CHECK(ParseError(p, "1.1234567890") ==
        "timestamp \"1.1234567890\": more than 9 fractional digits in the epoch seconds");

  TimeParseOptions ms;
  ms.epoch_unit = EpochUnit::kMillis;
  CHECK(ParseError(MakeParser(ms), "1700000000.5") ==
        "timestamp \"1700000000.5\": decimal epoch values are only accepted in seconds (the epoch "
        "unit "
        "is milliseconds)");
  TimeParseOptions s;
  s.epoch_unit = EpochUnit::kSeconds;
  CHECK(ParseOk(MakeParser(s), "1700000000000.5") ==
        S(1700000000000) + 500000);  // explicit seconds
}

TEST_CASE("epoch numbers with an explicit unit") {
  TimeParseOptions o;
  o.epoch_unit = EpochUnit::kMillis;
  CHECK(ParseOk(MakeParser(o), "1700000000") == 1700000000LL * 1000);  // 1.7e9 ms
  o.epoch_unit = EpochUnit::kMicros;
  CHECK(ParseOk(MakeParser(o), "1700000000") == 1700000000LL);
  o.epoch_unit = EpochUnit::kNanos;
  CHECK(ParseOk(MakeParser(o), "1700000000") == 1700000);
  CHECK(ParseOk(MakeParser(o), "-1") == -1);  // -1 ns floors to -1 µs
  o.epoch_unit = EpochUnit::kSeconds;
  CHECK(ParseOk(MakeParser(o), "1700000000000") == S(1700000000000));
  // 9.3e12 s * 1e6 > INT64_MAX (9.22e18)
  CHECK(ParseError(MakeParser(o), "9300000000000") ==
        "timestamp \"9300000000000\": epoch value out of range in seconds");
  CHECK(ParseError(MakeParser(), "99999999999999999999") ==
        "timestamp \"99999999999999999999\": epoch value out of range for int64");
}

TEST_CASE("FromEpoch converts by unit") {
  const TimeParser p = MakeParser();
  CHECK(*p.FromEpoch(1700000000, EpochUnit::kAuto) == S(1700000000));
  CHECK(*p.FromEpoch(1700000000250, EpochUnit::kAuto) == S(1700000000) + 250000);
  CHECK(*p.FromEpoch(1700000000250001, EpochUnit::kAuto) == S(1700000000) + 250001);
  CHECK(*p.FromEpoch(1700000000250001999, EpochUnit::kAuto) == S(1700000000) + 250001);
  CHECK(*p.FromEpoch(-1700000000, EpochUnit::kAuto) == -S(1700000000));
  CHECK(*p.FromEpoch(5, EpochUnit::kSeconds) == 5000000);
  CHECK(*p.FromEpoch(5, EpochUnit::kMillis) == 5000);
  CHECK(*p.FromEpoch(5, EpochUnit::kMicros) == 5);
  CHECK(*p.FromEpoch(5999, EpochUnit::kNanos) == 5);
  CHECK(*p.FromEpoch(-1001, EpochUnit::kNanos) == -2);                       // floor(-1.001) = -2
  CHECK(*p.FromEpoch(INT64_MIN, EpochUnit::kAuto) == INT64_MIN / 1000 - 1);  // ns, floored
  auto bad = p.FromEpoch(INT64_MAX, EpochUnit::kSeconds);
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()) ==
        "epoch value 9223372036854775807 in seconds is out of range for int64 microseconds");
  auto bad_ms = p.FromEpoch(-INT64_MAX, EpochUnit::kMillis);
  REQUIRE_FALSE(bad_ms.ok());
  CHECK(std::string(bad_ms.status().message()) ==
        "epoch value -9223372036854775807 in milliseconds is out of range for int64 microseconds");
}

TEST_CASE("YYYYMMDD compact dates") {
  const TimeParser p = MakeParser();
  // date -u -d 2024-03-05 +%s -> 1709596800
  CHECK(ParseOk(p, "20240305") == S(1709596800));
  CHECK(ParseOk(p, "20240229") == S(1709164800));  // date -u -d 2024-02-29 +%s
  // Not a valid date: read as epoch seconds.
  CHECK(ParseOk(p, "20241301") == S(20241301));
  CHECK(ParseOk(p, "20230229") == S(20230229));
  // Only exactly 8 digits are dates.
  CHECK(ParseOk(p, "2024030") == S(2024030));
  TimeParseOptions no_compact;
  no_compact.yyyymmdd = false;
  CHECK(ParseOk(MakeParser(no_compact), "20240305") == S(20240305));
}

TEST_CASE("naive times in a fixed-offset zone") {
  TimeParseOptions o;
  o.naive_time_zone = "+02:00";
  const TimeParser p = MakeParser(o);
  // 2024-03-05 14:07:09 at +02:00 = 1709647629 - 7200 (hand)
  CHECK(ParseOk(p, "2024-03-05 14:07:09") == S(1709647629 - 7200));
  CHECK(ParseOk(p, "2024-03-05T14:07:09Z") == S(1709647629));  // explicit Z wins
  CHECK(ParseOk(p, "20240305") == S(1709596800 - 7200));       // midnight at +02:00
  CHECK(ParseOk(p, "1700000000") == S(1700000000));            // epochs are UTC by definition

  o.naive_time_zone = "-0530";
  // date -u -d "2024-03-05T14:07:09-05:30" +%s -> 1709667429
  CHECK(ParseOk(MakeParser(o), "2024-03-05 14:07:09") == S(1709667429));
  o.naive_time_zone = "+05";
  CHECK(ParseOk(MakeParser(o), "2024-03-05 14:07:09") == S(1709647629 - 5 * 3600));
  for (const char* utc : {"UTC", "utc", "Z", "GMT", " UTC "}) {
    o.naive_time_zone = utc;
    CHECK(ParseOk(MakeParser(o), "2024-03-05 14:07:09") == S(1709647629));
  }
}

TEST_CASE("naive times in Europe/Rome, including the DST gap and overlap") {
  TimeParseOptions o;
  o.naive_time_zone = "Europe/Rome";
  const TimeParser p = MakeParser(o);
  // TZ=Europe/Rome date -d "2024-03-05 14:07" +%s -> 1709644020 (CET, +01:00)
  CHECK(ParseOk(p, "2024-03-05 14:07") == S(1709644020));
  // TZ=Europe/Rome date -d "2024-03-05 00:00" +%s -> 1709593200
  CHECK(ParseOk(p, "2024-03-05") == S(1709593200));
  CHECK(ParseOk(p, "20240305") == S(1709593200));
  // date -u -d "2024-07-01T12:00:00+02:00" +%s -> 1719828000 (CEST, +02:00)
  CHECK(ParseOk(p, "2024-07-01T12:00:00") == S(1719828000));
  // Around the spring-forward gap: TZ=Europe/Rome date -d "2024-03-31 01:59:59" -> 1711846799,
  // "2024-03-31 03:30" -> 1711848600.
  CHECK(ParseOk(p, "2024-03-31 01:59:59") == S(1711846799));
  CHECK(ParseOk(p, "2024-03-31 03:30") == S(1711848600));
  // Around the fall-back overlap: "2024-10-27 01:59:59" -> 1729987199, "2024-10-27 03:30" ->
  // 1729996200.
  CHECK(ParseOk(p, "2024-10-27 01:59:59") == S(1729987199));
  CHECK(ParseOk(p, "2024-10-27 03:30") == S(1729996200));
  // An explicit offset resolves the overlap: date -u -d 2024-10-27T01:30:00Z +%s -> 1729992600
  CHECK(ParseOk(p, "2024-10-27T02:30:00+01:00") == S(1729992600));
  CHECK(ParseOk(p, "2024-10-27T02:30:00.5+01:00") == S(1729992600) + 500000);

  // 02:30 on 2024-03-31 does not exist (`TZ=Europe/Rome date -d "2024-03-31 02:30"`: invalid date).
  CHECK(
      ParseError(p, "2024-03-31 02:30") ==
      "timestamp \"2024-03-31 02:30\": local time 2024-03-31 02:30:00 does not exist in time zone "
      "\"Europe/Rome\" (skipped by a daylight-saving change); give an explicit offset such as "
      "+01:00 "
      "or +02:00");
  // 02:30 on 2024-10-27 happens twice (first at +02:00, then at +01:00).
  CHECK(
      ParseError(p, "2024-10-27 02:30") ==
      "timestamp \"2024-10-27 02:30\": local time 2024-10-27 02:30:00 is ambiguous in time zone "
      "\"Europe/Rome\" (it occurs twice at a daylight-saving change); give an explicit offset such "
      "as +02:00 or +01:00");
}

TEST_CASE("TimeParser::Create rejects bad time zones") {
  auto err = [](std::string tz) {
    TimeParseOptions o;
    o.naive_time_zone = std::move(tz);
    auto p = TimeParser::Create(o);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(p.status().message());
  };
  CHECK(err("") ==
        "naive_time_zone is empty: use \"UTC\", a fixed offset such as \"+02:00\", or an IANA name "
        "such "
        "as \"Europe/Rome\"");
  CHECK(err("+2") == "naive_time_zone \"+2\": expected a fixed offset +HH:MM, +HHMM or +HH");
  CHECK(err("+25:00") ==
        "naive_time_zone \"+25:00\": offset out of range (hours 0-23, minutes 0-59)");
  CHECK(err("Mars/Olympus_Mons") ==
        "unknown time zone \"Mars/Olympus_Mons\": use \"UTC\", a fixed offset such as \"+02:00\", "
        "or an "
        "IANA name such as \"Europe/Rome\" (IANA names need the tzdata package)");
  TimeParseOptions o;
  o.naive_time_zone = "Europe/Rome";
  o.epoch_unit = EpochUnit::kMillis;
  auto p = TimeParser::Create(o);
  REQUIRE(p.ok());
  CHECK(p->options().naive_time_zone == "Europe/Rome");
  CHECK(p->options().epoch_unit == EpochUnit::kMillis);
}

TEST_CASE("FormatTimestamp writes ISO 8601 UTC") {
  // date -u -d @1323435000 -> 2011-12-09T12:50:00Z (the header's example)
  CHECK(cdp::FormatTimestamp(S(1323435000)) == "2011-12-09T12:50:00Z");
  CHECK(cdp::FormatTimestamp(S(1323435000) + 250000) == "2011-12-09T12:50:00.250000Z");
  CHECK(cdp::FormatTimestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(cdp::FormatTimestamp(-1) == "1969-12-31T23:59:59.999999Z");  // one µs before the epoch
  CHECK(cdp::FormatTimestamp(S(-2208988800)) == "1900-01-01T00:00:00Z");
  CHECK(cdp::FormatTimestamp(S(1709164800)) == "2024-02-29T00:00:00Z");
  // Extremes do not overflow.
  CHECK(!cdp::FormatTimestamp(INT64_MIN).empty());
  CHECK(!cdp::FormatTimestamp(INT64_MAX).empty());
  // Round trip through Parse.
  const TimeParser p = MakeParser();
  for (Micros t :
       {Micros{0}, Micros{-1}, S(1709647629) + 123456, S(-62167219200), S(253402300799)}) {
    CHECK(ParseOk(p, cdp::FormatTimestamp(t)) == t);
  }
}
