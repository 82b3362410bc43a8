// cdp/time.hpp — timestamps as int64 microseconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cdp {

/// Microseconds since 1970-01-01T00:00:00Z. Every timestamp in cdpcore has this unit.
using Micros = int64_t;

inline constexpr Micros kMicrosPerSecond = 1'000'000;
inline constexpr Micros kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr Micros kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;
constexpr Micros Seconds(int64_t n) { return n * kMicrosPerSecond; }
constexpr Micros Minutes(int64_t n) { return n * kMicrosPerMinute; }
constexpr Micros Hours(int64_t n) { return n * kMicrosPerHour; }
constexpr Micros Days(int64_t n) { return n * kMicrosPerDay; }

/// Unit of purely numeric timestamps ("1700000000").
enum class EpochUnit {
  kAuto,     ///< by magnitude: <1e11 seconds, <1e14 milliseconds, <1e17 microseconds, else nanoseconds
  kSeconds,
  kMillis,
  kMicros,
  kNanos,
};

struct TimeParseOptions {
  /// Time zone for naive times (no `Z` or offset): "UTC", an IANA name such as "Europe/Rome"
  /// (needs the tzdata package), or a fixed offset "+02:00" / "-0530".
  std::string naive_time_zone = "UTC";
  EpochUnit epoch_unit = EpochUnit::kAuto;
  /// Accept a bare 8-digit number as YYYYMMDD (a date) rather than as epoch seconds.
  bool yyyymmdd = true;
};

/// Parses the timestamp forms cdpcore accepts:
///   ISO 8601  2024-03-05T14:07:09.123456Z, 2024-03-05T14:07:09+01:00, 2024-03-05T14:07 (naive),
///             2024-03-05 (midnight, naive); `T` or one space between date and time;
///             offsets as Z, +HH:MM, +HHMM or +HH
///   naive     YYYY-MM-DD HH:MM[:SS[.ffffff]]
///   compact   YYYYMMDD
///   epoch     integer or decimal seconds / ms / µs / ns (see EpochUnit)
/// Naive times are read in `naive_time_zone`; a naive time that falls in a DST gap or overlap of
/// that zone is rejected as ambiguous. Slash dates (01/02/2024) are rejected as ambiguous.
class TimeParser {
 public:
  static absl::StatusOr<TimeParser> Create(const TimeParseOptions& options = {});

  /// Parses one value; the error message says what is wrong with it.
  absl::StatusOr<Micros> Parse(std::string_view text) const;
  /// Converts an epoch number in `unit` (kAuto: by magnitude) to microseconds.
  absl::StatusOr<Micros> FromEpoch(int64_t value, EpochUnit unit) const;

  const TimeParseOptions& options() const { return options_; }
  /// The local calendar day (days since 1970-01-01 in the zone) of a UTC instant.
  int64_t LocalDay(Micros ts) const;

 private:
  TimeParser() = default;
  absl::StatusOr<Micros> LocalToUtc(int64_t y, int m, int d, int hh, int mm, int ss,
                                    int64_t micros, std::string_view text) const;
  TimeParseOptions options_;
  bool fixed_offset_ = true;
  int64_t offset_seconds_ = 0;  // when fixed_offset_
  std::string zone_name_;       // when !fixed_offset_
  absl::TimeZone zone_;         // when !fixed_offset_, loaded once by Create
};

/// Days since the epoch for a proleptic Gregorian civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
struct CivilDate {
  int64_t year = 1970;
  int month = 1, day = 1;
};
/// The proleptic Gregorian date of a day number (days since 1970-01-01), inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);
/// ISO 8601 UTC text: "2011-12-09T12:50:00Z", with ".ffffff" when sub-second.
std::string FormatTimestamp(Micros ts);
/// A duration: a positive integer and a unit, "90d", "12h", "30min" / "30m", "45s", "2w", "500ms"
/// (whitespace between allowed). Errors name the text and the units.
absl::StatusOr<Micros> ParseDuration(std::string_view text);

}  // namespace cdp
