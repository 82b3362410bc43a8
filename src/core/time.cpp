// time.cpp — timestamp parsing and formatting (see cdp/time.hpp).
//
// Parse() runs once per row of large files, so the success path is hand-written digit scanning with
// no allocation: UTC and fixed offsets are computed with DaysFromCivil directly; only naive times
// in an IANA zone go through abseil's time zone (loaded once in Create). Error messages are built
// only on failure.
//
// Choices: hour 24 and second 60 (leap seconds) are rejected; fractional seconds take 1-9 digits
// and are truncated to microseconds (toward the past, also for negative decimal epochs); offsets
// are accepted from -23:59 to +23:59; ISO years are exactly four digits (0000-9999).
#include "cdp/time.hpp"

#include <cstdlib>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "core/strings.hpp"

namespace cdp {
namespace {

constexpr char kAcceptedForms[] =
    "accepted: ISO 8601 (2024-03-05T14:07:09Z, 2024-03-05 14:07:09.123+01:00, 2024-03-05), "
    "YYYYMMDD, or epoch seconds/milliseconds/microseconds/nanoseconds";

// Debian's abseil has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0).
inline absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Value of the `n` digits at s[pos...], or -1 when they are not all there or not all digits.
inline int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (!IsDigit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

inline bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
inline int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && IsLeapYear(y)) ? 29 : kDays[m - 1];
}

// The value quoted for an error: escaped, and cut at 80 bytes.
std::string Quote(std::string_view v) {
  constexpr size_t kMax = 80;
  if (v.size() > kMax) return absl::StrCat("\"", absl::CHexEscape(A(v.substr(0, kMax))), "...\"");
  return absl::StrCat("\"", absl::CHexEscape(A(v)), "\"");
}

absl::Status Bad(std::string_view text, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("timestamp ", Quote(text), ": ", A(what)));
}

std::string CharName(char c) {
  return absl::StrCat("'", absl::CHexEscape(absl::string_view(&c, 1)), "'");
}

// Validates month and day (the year is 0000-9999 by construction).
absl::Status CheckDate(std::string_view text, int64_t y, int m, int d) {
  if (m < 1 || m > 12) return Bad(text, absl::StrCat("month ", m, " out of range 1-12"));
  int dim = DaysInMonth(y, m);
  if (d < 1 || d > dim) {
    if (m == 2 && d == 29) {
      return Bad(text, absl::StrCat("day 29 out of range: February ", y,
                                    " has 28 days (not a leap year)"));
    }
    return Bad(text, absl::StrFormat("day %d out of range 1-%d for %04d-%02d", d, dim, y, m));
  }
  return absl::OkStatus();
}

// Parses "HH", "HH:MM" or "HHMM" (the part after the sign). Returns seconds or -1.
int64_t OffsetBody(std::string_view s) {
  int hh = Digits(s, 0, 2);
  if (hh < 0) return -1;
  int mm = 0;
  if (s.size() == 2) {
    mm = 0;
  } else if (s.size() == 5 && s[2] == ':') {
    mm = Digits(s, 3, 2);
  } else if (s.size() == 4) {
    mm = Digits(s, 2, 2);
  } else {
    return -1;
  }
  if (mm < 0) return -1;
  if (hh > 23 || mm > 59) return -2;
  return hh * 3600 + mm * 60;
}

std::string FormatOffset(int64_t seconds) {
  char sign = seconds < 0 ? '-' : '+';
  int64_t a = std::llabs(seconds);
  return absl::StrFormat("%c%02d:%02d", sign, a / 3600, (a % 3600) / 60);
}

// Epoch unit that kAuto picks for a magnitude (see EpochUnit).
EpochUnit AutoUnit(uint64_t magnitude) {
  if (magnitude < 100'000'000'000ULL) return EpochUnit::kSeconds;
  if (magnitude < 100'000'000'000'000ULL) return EpochUnit::kMillis;
  if (magnitude < 100'000'000'000'000'000ULL) return EpochUnit::kMicros;
  return EpochUnit::kNanos;
}

std::string_view UnitName(EpochUnit u) {
  switch (u) {
    case EpochUnit::kAuto: return "auto";
    case EpochUnit::kSeconds: return "seconds";
    case EpochUnit::kMillis: return "milliseconds";
    case EpochUnit::kMicros: return "microseconds";
    case EpochUnit::kNanos: return "nanoseconds";
  }
  return "unknown";
}

// Epoch conversion shared by FromEpoch and Parse. On overflow returns false.
bool EpochToMicros(int64_t value, EpochUnit unit, Micros* out) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (unit == EpochUnit::kAuto) {
    uint64_t mag = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    unit = AutoUnit(mag);
  }
  switch (unit) {
    case EpochUnit::kSeconds:
      if (value > kMax / kMicrosPerSecond || value < -(kMax / kMicrosPerSecond)) return false;
      *out = value * kMicrosPerSecond;
      return true;
    case EpochUnit::kMillis:
      if (value > kMax / 1000 || value < -(kMax / 1000)) return false;
      *out = value * 1000;
      return true;
    case EpochUnit::kMicros: *out = value; return true;
    case EpochUnit::kNanos: {
      int64_t q = value / 1000;
      if (value % 1000 < 0) --q;  // floor: -1 ns is the microsecond before the epoch
      *out = q;
      return true;
    }
    case EpochUnit::kAuto: break;
  }
  return false;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  const int64_t mm = m;
  y -= mm <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;  // [0, 399]
  const int64_t doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + static_cast<int64_t>(d) - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  // Howard Hinnant's algorithm, the inverse of DaysFromCivil.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilDate c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

std::string FormatTimestamp(Micros ts) {
  int64_t days = ts / kMicrosPerDay;
  int64_t rem = ts % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  const CivilDate c = CivilFromDays(days);
  const int64_t y = c.year, m = c.month, d = c.day;

  const int64_t secs = rem / kMicrosPerSecond;
  const int64_t us = rem % kMicrosPerSecond;
  std::string out = absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, secs / 3600,
                                    (secs / 60) % 60, secs % 60);
  if (us != 0) absl::StrAppendFormat(&out, ".%06d", us);
  out.push_back('Z');
  return out;
}

absl::StatusOr<TimeParser> TimeParser::Create(const TimeParseOptions& options) {
  TimeParser p;
  p.options_ = options;
  std::string_view tz = Trim(options.naive_time_zone);
  if (tz.empty()) {
    return absl::InvalidArgumentError(
        "naive_time_zone is empty: use \"UTC\", a fixed offset such as \"+02:00\", or an IANA name "
        "such as \"Europe/Rome\"");
  }
  auto lower_is = [&](std::string_view want) {
    if (tz.size() != want.size()) return false;
    for (size_t i = 0; i < tz.size(); ++i) {
      char c = tz[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != want[i]) return false;
    }
    return true;
  };
  if (lower_is("utc") || lower_is("z") || lower_is("gmt")) {
    p.fixed_offset_ = true;
    p.offset_seconds_ = 0;
    return p;
  }
  if (tz.front() == '+' || tz.front() == '-') {
    int64_t off = OffsetBody(tz.substr(1));
    if (off < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("naive_time_zone ", Quote(tz),
                       off == -2 ? ": offset out of range (hours 0-23, minutes 0-59)"
                                 : ": expected a fixed offset +HH:MM, +HHMM or +HH"));
    }
    p.fixed_offset_ = true;
    p.offset_seconds_ = tz.front() == '-' ? -off : off;
    return p;
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(tz), &zone)) {
    return absl::InvalidArgumentError(Cat(
        "unknown time zone ", Quote(tz),
        ": use \"UTC\", a fixed offset such as \"+02:00\", or an IANA name such as \"Europe/Rome\" "
        "(IANA names need the tzdata package)"));
  }
  p.fixed_offset_ = false;
  p.zone_name_ = std::string(tz);
  p.zone_ = zone;
  return p;
}

int64_t TimeParser::LocalDay(Micros ts) const {
  auto floor_div = [](int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); };
  if (fixed_offset_) return floor_div(ts + offset_seconds_ * kMicrosPerSecond, kMicrosPerDay);
  const absl::CivilDay d = absl::ToCivilDay(absl::FromUnixMicros(ts), zone_);
  return DaysFromCivil(d.year(), static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

absl::StatusOr<Micros> TimeParser::LocalToUtc(int64_t y, int m, int d, int hh, int mm, int ss,
                                              int64_t micros, std::string_view text) const {
  const int64_t local_seconds =
      DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + hh * 3600 +
      mm * 60 + ss;
  if (fixed_offset_) return (local_seconds - offset_seconds_) * kMicrosPerSecond + micros;

  const absl::TimeZone::TimeInfo ti = zone_.At(absl::CivilSecond(y, m, d, hh, mm, ss));
  if (ti.kind == absl::TimeZone::TimeInfo::UNIQUE) {
    return absl::ToUnixSeconds(ti.pre) * kMicrosPerSecond + micros;
  }
  // pre uses the offset in force before the transition, post the one after.
  const std::string before = FormatOffset(local_seconds - absl::ToUnixSeconds(ti.pre));
  const std::string after = FormatOffset(local_seconds - absl::ToUnixSeconds(ti.post));
  const std::string local = absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mm, ss);
  if (ti.kind == absl::TimeZone::TimeInfo::SKIPPED) {
    return Bad(text,
               absl::StrCat("local time ", local, " does not exist in time zone \"", zone_name_,
                            "\" (skipped by a daylight-saving change); give an explicit "
                            "offset such as ",
                            before, " or ", after));
  }
  return Bad(text, absl::StrCat("local time ", local, " is ambiguous in time zone \"", zone_name_,
                                "\" (it occurs twice at a daylight-saving change); give an "
                                "explicit offset such as ",
                                before, " or ", after));
}

absl::StatusOr<Micros> TimeParser::FromEpoch(int64_t value, EpochUnit unit) const {
  Micros out = 0;
  if (!EpochToMicros(value, unit, &out)) {
    return absl::InvalidArgumentError(absl::StrCat("epoch value ", value, " in ", A(UnitName(unit)),
                                                   " is out of range for int64 microseconds"));
  }
  return out;
}

absl::StatusOr<Micros> TimeParser::Parse(std::string_view raw) const {
  const std::string_view text = Trim(raw);
  if (text.empty()) return absl::InvalidArgumentError("empty timestamp");
  const size_t n = text.size();

  // ---- ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM|±HH]]
  if (n >= 5 && text[4] == '-' && Digits(text, 0, 4) >= 0) {
    const int y = Digits(text, 0, 4);
    const int m = Digits(text, 5, 2);
    const int d = (n >= 8 && text[7] == '-') ? Digits(text, 8, 2) : -1;
    if (m < 0 || d < 0 || (n > 10 && IsDigit(text[10]))) {
      return Bad(
          text, absl::StrCat("expected YYYY-MM-DD with a 2-digit month and day; ", kAcceptedForms));
    }
    if (absl::Status st = CheckDate(text, y, m, d); !st.ok()) return st;
    if (n == 10) return LocalToUtc(y, m, d, 0, 0, 0, 0, text);

    const char sep = text[10];
    if (sep != 'T' && sep != 't' && sep != ' ') {
      return Bad(
          text, absl::StrCat("unexpected ", CharName(sep),
                             " after the date: expected 'T' or a space, then HH:MM[:SS[.ffffff]]"));
    }
    const int hh = Digits(text, 11, 2);
    const int mi = (n >= 14 && text[13] == ':') ? Digits(text, 14, 2) : -1;
    if (hh < 0 || mi < 0) {
      return Bad(text, "expected HH:MM (2-digit hour and minute) after the date");
    }
    size_t pos = 16;
    int ss = 0;
    int64_t micros = 0;
    if (pos < n && text[pos] == ':') {
      ss = Digits(text, pos + 1, 2);
      if (ss < 0) return Bad(text, "expected 2-digit seconds after HH:MM:");
      pos += 3;
      if (pos < n && text[pos] == '.') {
        ++pos;
        size_t k = 0;
        int64_t frac = 0;
        while (pos + k < n && IsDigit(text[pos + k])) {
          if (k < 6) frac = frac * 10 + (text[pos + k] - '0');
          ++k;
        }
        if (k == 0) return Bad(text, "expected digits after the decimal point of the seconds");
        if (k > 9) return Bad(text, "more than 9 fractional digits in the seconds");
        for (size_t i = k; i < 6; ++i) frac *= 10;
        micros = frac;
        pos += k;
      }
    }
    if (hh > 23) return Bad(text, absl::StrCat("hour ", hh, " out of range 0-23"));
    if (mi > 59) return Bad(text, absl::StrCat("minute ", mi, " out of range 0-59"));
    if (ss > 59) {
      return Bad(text,
                 absl::StrCat("second ", ss, " out of range 0-59 (leap seconds are not accepted)"));
    }
    if (pos == n) return LocalToUtc(y, m, d, hh, mi, ss, micros, text);

    int64_t offset = 0;
    const char c = text[pos];
    if ((c == 'Z' || c == 'z') && pos + 1 == n) {
      offset = 0;
    } else if (c == '+' || c == '-') {
      offset = OffsetBody(text.substr(pos + 1));
      if (offset == -2) {
        return Bad(text, absl::StrCat("offset ", A(text.substr(pos)),
                                      " out of range (hours 0-23, minutes 0-59)"));
      }
      if (offset < 0) {
        return Bad(text, absl::StrCat("malformed offset ", Quote(text.substr(pos)),
                                      ": expected Z, +HH:MM, +HHMM or +HH"));
      }
      if (c == '-') offset = -offset;
    } else {
      return Bad(text, absl::StrCat("unexpected ", CharName(c),
                                    " after the time: expected the end, Z, +HH:MM, +HHMM or +HH"));
    }
    const int64_t secs =
        DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + hh * 3600 +
        mi * 60 + ss - offset;
    return secs * kMicrosPerSecond + micros;
  }

  // ---- Numbers: [-]digits[.digits] -> YYYYMMDD or epoch.
  {
    size_t pos = 0;
    const bool neg = text[0] == '-';
    if (neg) ++pos;
    const size_t int_start = pos;
    uint64_t v = 0;
    bool overflow = false;
    while (pos < n && IsDigit(text[pos])) {
      const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10)
        overflow = true;
      else
        v = v * 10 + digit;
      ++pos;
    }
    const size_t int_digits = pos - int_start;
    size_t frac_start = n, frac_digits = 0;
    if (int_digits > 0 && pos < n && text[pos] == '.') {
      frac_start = ++pos;
      while (pos < n && IsDigit(text[pos])) ++pos;
      frac_digits = pos - frac_start;
      if (frac_digits == 0 && pos == n) {
        return Bad(text, "expected digits after the decimal point");
      }
    }
    if (int_digits > 0 && pos == n) {
      if (overflow) return Bad(text, "epoch value out of range for int64");
      if (frac_start == n) {
        // Bare integer: YYYYMMDD when it is a valid date, else epoch.
        if (!neg && int_digits == 8 && options_.yyyymmdd) {
          const int y = static_cast<int>(v / 10000);
          const int m = static_cast<int>(v / 100 % 100);
          const int d = static_cast<int>(v % 100);
          if (m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m)) {
            return LocalToUtc(y, m, d, 0, 0, 0, 0, text);
          }
        }
        const int64_t value = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
        Micros out = 0;
        if (!EpochToMicros(value, options_.epoch_unit, &out)) {
          return Bad(
              text, absl::StrCat("epoch value out of range in ", A(UnitName(options_.epoch_unit))));
        }
        return out;
      }
      // Decimal: seconds only.
      EpochUnit unit = options_.epoch_unit;
      if (unit == EpochUnit::kAuto) {
        unit = AutoUnit(v);
        if (unit != EpochUnit::kSeconds) {
          return Bad(text,
                     absl::StrCat("decimal epoch values are only accepted in seconds, and this "
                                  "magnitude reads as ",
                                  A(UnitName(unit))));
        }
      } else if (unit != EpochUnit::kSeconds) {
        return Bad(text,
                   absl::StrCat("decimal epoch values are only accepted in seconds (the epoch "
                                "unit is ",
                                A(UnitName(unit)), ")"));
      }
      if (frac_digits > 9) return Bad(text, "more than 9 fractional digits in the epoch seconds");
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / kMicrosPerSecond) - 1) {
        return Bad(text, "epoch value out of range in seconds");
      }
      int64_t frac = 0;
      bool dropped = false;  // nonzero digits beyond microseconds
      for (size_t i = 0; i < frac_digits; ++i) {
        const int digit = text[frac_start + i] - '0';
        if (i < 6)
          frac = frac * 10 + digit;
        else if (digit != 0)
          dropped = true;
      }
      for (size_t i = frac_digits; i < 6; ++i) frac *= 10;
      const int64_t magnitude = static_cast<int64_t>(v) * kMicrosPerSecond + frac;
      return neg ? -magnitude - (dropped ? 1 : 0) : magnitude;
    }
  }

  // ---- Everything else: explain what was recognized.
  const size_t slash = text.find('/');
  if (slash != std::string_view::npos && slash > 0 && IsDigit(text[0])) {
    if (slash == 4) {
      return Bad(text, "'/' date separators are not accepted: use ISO 8601 YYYY-MM-DD");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp ", Quote(text),
                     " is ambiguous (day/month order unknown): use ISO 8601 YYYY-MM-DD"));
  }
  return Bad(text, absl::StrCat("unrecognized format; ", kAcceptedForms));
}

absl::StatusOr<Micros> ParseDuration(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  size_t i = 0;
  int64_t n = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (n > 1'000'000'000) return absl::InvalidArgumentError(Cat("duration \"", text, "\" is too large"));
    n = n * 10 + (t[i] - '0');
    ++i;
  }
  std::string_view unit = t.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static constexpr std::pair<std::string_view, Micros> kUnits[] = {
      {"us", 1}, {"ms", 1000}, {"s", kMicrosPerSecond}, {"m", kMicrosPerMinute}, {"min", kMicrosPerMinute},
      {"h", kMicrosPerHour}, {"d", kMicrosPerDay}, {"w", 7 * kMicrosPerDay}};
  if (i > 0 && n > 0)
    for (const auto& [name, micros] : kUnits)
      if (unit == name) return n * micros;
  return absl::InvalidArgumentError(Cat(
      "duration \"", text, "\": expected a positive whole number and a unit (us, ms, s, m/min, h, d, w), e.g. \"90d\""));
}

}  // namespace cdp
