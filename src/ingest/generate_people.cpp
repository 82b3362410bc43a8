// generate_people.cpp — the people of the synthetic data set: demographics, identifiers, planned
// activity (episodes) and the customers (CRM) table.
#include <algorithm>
#include <cctype>
#include <string>

#include "generate_internal.hpp"

namespace cdp::gen {

namespace {
// Random stream ids (StreamKey's `stream`).
constexpr uint64_t kStreamPerson = 1, kStreamCookie = 2, kStreamDevice = 3;

constexpr char kHex[] = "0123456789abcdef";
char* AppendHex16(char* p, uint64_t v) {
  for (int k = 15; k >= 0; --k) p[15 - k] = kHex[(v >> (4 * k)) & 15];
  return p + 16;
}
char* AppendLower(char* p, const char* s) {
  for (; *s; ++s) *p++ = static_cast<char>(std::tolower(static_cast<unsigned char>(*s)));
  return p;
}
// Zero-padded decimal of exactly `n` digits.
char* AppendDigits(char* p, uint64_t v, int n) {
  for (int k = n - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}
// Copies the digits of `d` (NUL-terminated) in groups of the given sizes separated by `sep`;
// stops early when the digits run out (short, invalid numbers).
char* AppendGrouped(char* p, const char* d, std::initializer_list<int> groups, char sep) {
  bool first = true;
  for (int g : groups) {
    if (!*d) break;
    if (!first) *p++ = sep;
    first = false;
    for (int k = 0; k < g && *d; ++k) *p++ = *d++;
  }
  return p;
}

// Mobile prefixes of the national significant number, per phone style.
const char* const kNanpAreas[] = {"212", "415", "312", "617", "206", "305", "512", "303", "404",
                                  "713", "416", "514", "604", "403"};
const char* const kGbPrefixes[] = {"740", "750", "770", "780", "790", "795"};
const char* const kDePrefixes[] = {"151", "152", "160", "170", "171", "176"};
const char* const kItPrefixes[] = {"347", "333", "320", "339", "388", "329"};
const char* const kSePrefixes[] = {"70", "72", "73", "76"};
const char* const kBrAreas[] = {"11", "21", "31", "41", "51", "61"};
const char* const kMxAreas[] = {"55", "33", "81"};
const char* const kJpPrefixes[] = {"90", "80", "70"};

template <size_t N>
const char* PickOf(const char* const (&a)[N], uint64_t h) {
  return a[h % N];
}
}  // namespace

int32_t Generator::EmailCode(Person& p, bool variant) {
  if (p.email == kNullCode) {
    char buf[160];
    char* e = buf;
    const char* first = FirstName(p.first_name);
    const char* last = LastName(p.last_name);
    switch (p.email_style) {
      case 0: e = AppendLower(e, first); *e++ = '.'; e = AppendLower(e, last); break;
      case 1: e = AppendLower(e, first); e = AppendLower(e, last); break;
      case 2: *e++ = static_cast<char>(std::tolower(first[0])); *e++ = '.'; e = AppendLower(e, last); break;
      case 3: e = AppendLower(e, first); *e++ = '_'; e = AppendLower(e, last); break;
      default: e = AppendLower(e, first); break;
    }
    e = AppendUint(e, p.name_number);
    *e++ = '@';
    if (p.company >= 0) {
      e += CompanyDomainText(p.company, e);
    } else {
      int nc = 0;
      const CountryInfo& c = Countries(&nc)[p.country];
      uint64_t h = Mix64(p.name_number * 31 + 7) % 100;
      int k = h < 50 ? 0 : h < 75 ? 1 : h < 90 ? 2 : 3;
      e = AppendStr(e, c.domains[k]);
    }
    p.email = Intern(std::string_view(buf, static_cast<size_t>(e - buf)));
  }
  if (!variant) return p.email;
  if (p.email_variant == kNullCode) {
    // Case and whitespace variants, as typed into forms; all normalize to the canonical email.
    std::string_view canon = dict_->Get(p.email);
    std::string s;
    switch (p.name_number % 4) {
      case 0: {
        s = std::string(canon);
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        size_t at = s.find('@');
        if (at + 1 < s.size()) s[at + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[at + 1])));
        break;
      }
      case 1:
        for (char ch : canon) s += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        break;
      case 2: s = "  " + std::string(canon) + " "; break;
      default:
        s = "\t" + std::string(canon) + " ";
        s[1] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[1])));
        break;
    }
    p.email_variant = Intern(s);
  }
  return p.email_variant;
}

int32_t Generator::PhoneCode(Person& p, bool international) {
  if (!(p.flags & kHasPhone)) return kNullCode;
  int32_t& slot = international ? p.phone_intl : p.phone_national;
  if (slot != kNullCode) return slot;
  int nc = 0;
  const CountryInfo& c = Countries(&nc)[p.country];
  const uint64_t h = Mix64(p.name_number * 0x9E37ULL + 0x1234567ULL);
  // 7-digit subscriber part, unique while there are fewer than 10^7 people: name_number is unique
  // in [0, m) and the added multiple of m keeps it so.
  uint64_t m = 10'000;
  while (m < static_cast<uint64_t>(o_.customers)) m *= 10;
  const uint64_t sub = m >= 10'000'000 ? p.name_number % 10'000'000
                                       : p.name_number + m * ((h >> 24) % (10'000'000 / m));
  // National significant number (digits after the country code / trunk prefix).
  char nsn[24];
  char* e = nsn;
  switch (c.phone) {
    case PhoneStyle::kNanp:
      e = AppendStr(e, PickOf(kNanpAreas, h));
      e = AppendDigits(e, 200 + (sub / 10'000) % 800, 3);
      e = AppendDigits(e, sub % 10'000, 4);
      break;
    case PhoneStyle::kGB: e = AppendStr(e, PickOf(kGbPrefixes, h)); e = AppendDigits(e, sub, 7); break;
    case PhoneStyle::kDE: e = AppendStr(e, PickOf(kDePrefixes, h)); e = AppendDigits(e, sub, 7); break;
    case PhoneStyle::kFR:
    case PhoneStyle::kNL:
      *e++ = c.phone == PhoneStyle::kFR && (h & 1) ? '7' : '6';
      e = AppendDigits(e, (h >> 8) % 10, 1);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kIT: e = AppendStr(e, PickOf(kItPrefixes, h)); e = AppendDigits(e, sub, 7); break;
    case PhoneStyle::kES:
      *e++ = '6';
      e = AppendDigits(e, (h >> 8) % 10, 1);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kSE: e = AppendStr(e, PickOf(kSePrefixes, h)); e = AppendDigits(e, sub, 7); break;
    case PhoneStyle::kPL:
      *e++ = static_cast<char>('5' + (h >> 8) % 4);
      e = AppendDigits(e, (h >> 16) % 10, 1);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kAU:
      *e++ = '4';
      e = AppendDigits(e, (h >> 8) % 10, 1);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kBR:
      e = AppendStr(e, PickOf(kBrAreas, h));
      *e++ = '9';
      e = AppendDigits(e, 6 + (h >> 8) % 4, 1);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kMX: e = AppendStr(e, PickOf(kMxAreas, h)); e = AppendDigits(e, sub % 100'000'000, 8); break;
    case PhoneStyle::kIN:
      *e++ = static_cast<char>('7' + (h >> 8) % 3);
      e = AppendDigits(e, (h >> 16) % 100, 2);
      e = AppendDigits(e, sub, 7);
      break;
    case PhoneStyle::kJP:
      e = AppendStr(e, PickOf(kJpPrefixes, h));
      e = AppendDigits(e, (h >> 8) % 10, 1);
      e = AppendDigits(e, sub, 7);
      break;
  }
  size_t len = static_cast<size_t>(e - nsn);
  if ((p.flags & kPhoneInvalid) && len > 6) len -= 3;  // a few numbers are too short (typos)
  nsn[len] = '\0';
  char buf[48];
  char* o = buf;
  const bool intl = international;
  auto plus = [&] {
    *o++ = '+';
    o = AppendStr(o, c.calling);
    *o++ = ' ';
  };
  switch (c.phone) {
    case PhoneStyle::kNanp:
      if (intl) { plus(); o = AppendGrouped(o, nsn, {3, 3, 4}, ' '); }
      else {  // "(415) 555-0134"
        *o++ = '(';
        o = AppendGrouped(o, nsn, {3}, ' ');
        o = AppendStr(o, ") ");
        o = AppendGrouped(o, nsn + 3, {3, 4}, '-');
      }
      break;
    case PhoneStyle::kGB: case PhoneStyle::kDE:
      if (intl) plus(); else *o++ = '0';
      o = AppendGrouped(o, nsn, {c.phone == PhoneStyle::kGB ? 4 : 3, 12}, ' ');
      break;
    case PhoneStyle::kFR:
      if (intl) { plus(); o = AppendGrouped(o, nsn, {1, 2, 2, 2, 2}, ' '); }
      else { *o++ = '0'; o = AppendGrouped(o, nsn, {1, 2, 2, 2, 2}, ' '); }
      break;
    case PhoneStyle::kNL:
      if (intl) { plus(); o = AppendGrouped(o, nsn, {1, 8}, ' '); }
      else { *o++ = '0'; o = AppendGrouped(o, nsn, {1, 8}, ' '); }
      break;
    case PhoneStyle::kIT: case PhoneStyle::kES: case PhoneStyle::kPL:
      if (intl) plus();
      o = AppendGrouped(o, nsn, {3, 3, 4}, ' ');
      break;
    case PhoneStyle::kSE:
      if (intl) { plus(); o = AppendGrouped(o, nsn, {2, 3, 2, 2}, ' '); }
      else {  // "070-123 45 67"
        *o++ = '0';
        o = AppendGrouped(o, nsn, {2}, ' ');
        *o++ = '-';
        o = AppendGrouped(o, nsn + 2, {3, 2, 2}, ' ');
      }
      break;
    case PhoneStyle::kAU:
      if (intl) plus(); else *o++ = '0';
      o = AppendGrouped(o, nsn, {3, 3, 3}, ' ');
      break;
    case PhoneStyle::kBR:
      if (intl) { plus(); o = AppendGrouped(o, nsn, {2, 5, 4}, ' '); o[-5] = '-'; }
      else { *o++ = '('; o = AppendGrouped(o, nsn, {2}, ' '); *o++ = ')'; *o++ = ' ';
             o = AppendGrouped(o, nsn + 2, {5, 4}, '-'); }
      break;
    case PhoneStyle::kMX:
      if (intl) plus();
      o = AppendGrouped(o, nsn, {2, 4, 4}, ' ');
      break;
    case PhoneStyle::kIN:
      if (intl) plus();
      o = AppendGrouped(o, nsn, {5, 5}, ' ');
      break;
    case PhoneStyle::kJP:
      if (intl) plus(); else *o++ = '0';
      o = AppendGrouped(o, nsn, {2, 4, 4}, '-');
      break;
  }
  slot = Intern(std::string_view(buf, static_cast<size_t>(o - buf)));
  return slot;
}

int32_t Generator::DrawSessionDay(const Person& p, Rng& r, int32_t lo, int32_t hi) {
  const bool b2b = p.flags & kB2B;
  const std::vector<double>& w = b2b ? cat_.day_weight_b2b : cat_.day_weight_b2c;
  const double max_w = b2b ? cat_.max_day_weight_b2b : cat_.max_day_weight_b2c;
  const uint32_t span = static_cast<uint32_t>(hi - lo + 1);
  for (int tries = 0; tries < 16; ++tries) {  // rejection sampling on the daily weight
    int32_t d = lo + static_cast<int32_t>(r.Below(span));
    if (r.Uniform() * max_w <= w[static_cast<size_t>(d)]) return d;
  }
  return lo + static_cast<int32_t>(r.Below(span));
}

Micros Generator::DrawTimeInDay(const Person& p, Rng& r, int32_t day, bool office) {
  int nc = 0;
  const CountryInfo& c = Countries(&nc)[p.country];
  const int64_t local_hour = (office ? cat_.hour_b2b : cat_.hour_b2c).Pick(r);
  int64_t sec = local_hour * 3600 + r.Below(3600) - int64_t{c.utc_offset_h} * 3600;
  const int64_t start_tod = ((o_.start % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay / kMicrosPerSecond;
  sec = ((sec - start_tod) % 86400 + 86400) % 86400;
  return o_.start + Days(day) + Seconds(sec) + int64_t{r.Below(1000)} * 1000;
}

void Generator::DrawPerson(uint32_t i, Rng& r) {
  Person& p = people_[i];
  const int32_t days = o_.days;
  p.country = static_cast<uint8_t>(cat_.country_pick.Pick(r));
  p.city = static_cast<uint8_t>(cat_.city_pick[p.country].Pick(r));
  double age = 38 + 13 * r.Normal();
  p.age = static_cast<uint8_t>(std::clamp(age, 18.0, 85.0));
  uint32_t g = cat_.gender_pick.Pick(r);  // 3 = not given
  p.gender = static_cast<uint8_t>(g);
  p.income = static_cast<uint8_t>(cat_.income_pick[p.age < 26 ? 0 : p.age < 60 ? 1 : 2].Pick(r));
  uint32_t n_interests = 1 + r.Below(3);
  while (n_interests--) p.interests |= static_cast<uint16_t>(1u << r.Below(16));
  // Favourite product category from the first interest.
  static constexpr uint8_t kInterestCategory[16] = {4, 1, 0, 1, 2, 4, 0, 6, 0, 8, 3, 4, 6, 5, 9, 2};
  p.fav_category = kInterestCategory[__builtin_ctz(p.interests)];
  p.lifestyle = static_cast<uint8_t>(cat_.lifestyle_pick.Pick(r));
  p.first_name = static_cast<uint8_t>(g == 0 ? r.Below(30) : g == 1 ? 30 + r.Below(30) : r.Below(kNumFirstNames));
  p.last_name = static_cast<uint8_t>(r.Below(kNumLastNames));
  p.email_style = static_cast<uint8_t>(r.Below(5));
  p.acquisition = static_cast<uint8_t>(cat_.acquisition_pick.Pick(r));
  if (r.Chance(o_.b2b_share)) {
    p.flags |= kB2B;
    p.company = static_cast<int32_t>(r.Below(static_cast<uint32_t>(n_companies_)));
  }
  // Unique number used in the email local part and the phone's subscriber digits:
  // i -> (i * 7919 + offset) mod 10^k is a bijection on [0, 10^k).
  uint64_t m = 10'000;
  while (m < static_cast<uint64_t>(o_.customers)) m *= 10;
  p.name_number = static_cast<uint32_t>((uint64_t{i} * 7919 + o_.seed % m) % m);

  // Lifetime in the window: existing customers are active from the start, new ones arrive on a
  // random day; churners stop on a random later day.
  const bool existing = r.Chance(0.35);
  if (existing) p.flags |= kExisting;
  p.first_day = static_cast<int16_t>(existing ? r.Below(static_cast<uint32_t>(std::min(days, 14)))
                                              : r.Below(static_cast<uint32_t>(days)));
  p.last_day = static_cast<int16_t>(days - 1);
  if (r.Chance(o_.churn_share))
    p.last_day = static_cast<int16_t>(p.first_day + r.Below(static_cast<uint32_t>(days - p.first_day)));

  // Behaviour rates.
  const double band_buy[kNumIncomeBands] = {0.025, 0.03, 0.04, 0.05, 0.06};
  p.buy_rate = static_cast<float>(std::min(0.4, band_buy[p.income] * r.LogNormal(1.0, 0.6) * (p.flags & kB2B ? 1.3 : 1.0)));
  p.open_rate = static_cast<float>(std::clamp(r.LogNormal(0.22, 0.5), 0.02, 0.9));
  p.click_rate = static_cast<float>(std::clamp(r.LogNormal(0.12, 0.5), 0.01, 0.6));
  p.satisfaction = static_cast<float>(r.Chance(0.1) ? std::clamp(0.3 + 0.15 * r.Normal(), 0.0, 1.0)
                                                    : std::clamp(0.78 + 0.15 * r.Normal(), 0.0, 1.0));
  // Consent choices (given when the banner is answered; EU/UK visitors opt in less often).
  int nc = 0;
  const bool gdpr = Countries(&nc)[p.country].gdpr;
  const double grant[kNumPurposes] = {gdpr ? 0.75 : 0.88, gdpr ? 0.45 : 0.6, 0.7,
                                      gdpr ? 0.45 : 0.6, gdpr ? 0.15 : 0.3};
  for (int k = 0; k < kNumPurposes; ++k)
    if (r.Chance(grant[k])) p.consent_wish |= static_cast<uint8_t>(1u << k);
  if (r.Chance(0.6)) p.flags |= kBannerAnswered;  // flag cleared until the banner is shown

  // Contact data.
  if (r.Chance(0.65)) p.flags |= kHasPhone;
  if (r.Chance(0.03)) p.flags |= kPhoneInvalid;

  // Devices: each has a first-party cookie; app devices (mobile, tablet) also a device id.
  p.n_devices = static_cast<uint8_t>(1 + cat_.devices_pick.Pick(r));
  char buf[32];
  for (int k = 0; k < p.n_devices; ++k) {
    uint8_t t = static_cast<uint8_t>(k == 0 ? ((p.flags & kB2B) ? uint32_t{kDesktop} : cat_.first_device_pick.Pick(r))
                                            : cat_.first_device_pick.Pick(r));
    if (k > 0 && t == p.device_type[0] && r.Chance(0.7)) t = t == kMobile ? kDesktop : kMobile;
    p.device_type[k] = t;
    // Mix64 is a bijection, so distinct (person, device) give distinct ids.
    uint64_t idx = uint64_t{i} * 4 + static_cast<uint64_t>(k);
    p.anon[k] = Intern(std::string_view(buf, static_cast<size_t>(AppendHex16(buf, Mix64(StreamKey(o_.seed, kStreamCookie, 0) + idx)) - buf)));
    if (t == kDesktop) {
      p.device_id[k] = kNullCode;
    } else {
      char* e = AppendStr(buf, "dev-");
      e = AppendHex16(e, Mix64(StreamKey(o_.seed, kStreamDevice, 0) + idx));
      p.device_id[k] = Intern(std::string_view(buf, static_cast<size_t>(e - buf)));
    }
  }
  for (int k = p.n_devices; k < kMaxDevices; ++k) {
    p.anon[k] = kNullCode;
    p.device_id[k] = kNullCode;
    p.device_type[k] = kDesktop;
  }
  // Family computer: some people share the previous person's desktop (same cookie, different
  // people). This is a deliberate identity-resolution trap, not counted in junk_id_rate.
  if (i > 0 && r.Chance(0.03)) {
    const Person& prev = people_[i - 1];
    for (int k = 0; k < prev.n_devices; ++k)
      if (prev.device_type[k] == kDesktop) {
        int slot = p.n_devices < kMaxDevices ? p.n_devices++ : kMaxDevices - 1;
        p.anon[slot] = prev.anon[k];
        p.device_id[slot] = kNullCode;
        p.device_type[slot] = kDesktop;
        p.country = prev.country;
        p.city = prev.city;
        break;
      }
  }
  // Cleared cookies (browser privacy features, new browser): device 0 gets a new cookie later.
  if (r.Chance(0.12) && p.last_day > p.first_day) {
    p.reset_day = static_cast<int16_t>(p.first_day + 1 + r.Below(static_cast<uint32_t>(p.last_day - p.first_day)));
    uint64_t idx = uint64_t{i} * 4 + 3;
    p.anon_after_reset = Intern(std::string_view(buf, static_cast<size_t>(AppendHex16(buf, Mix64(StreamKey(o_.seed, kStreamCookie, 0) + idx)) - buf)));
  }
}

void Generator::PlanPerson(uint32_t i, Rng& r) {
  Person& p = people_[i];
  const bool b2b = p.flags & kB2B;
  const double span_weeks = (p.last_day - p.first_day + 1) / 7.0;
  // Sessions per week: log-normal across people (a few heavy users, many one-time visitors).
  const double rate = r.LogNormal(0.04, 0.9) * o_.events_scale * (b2b ? 1.3 : 1.0);
  const int32_t n_sessions = p.last_day > p.first_day ? 1 + r.Poisson(rate * span_weeks) : 1;
  const size_t first_episode = episodes_.size();
  for (int32_t s = 0; s < n_sessions; ++s) {
    Episode e{};
    e.person = i;
    e.kind = kEpSession;
    int32_t day = s == 0 ? p.first_day : DrawSessionDay(p, r, p.first_day + 1, p.last_day);
    const bool office = b2b && cat_.day_weight_b2b[static_cast<size_t>(day)] > 0.5 && r.Chance(0.7);
    e.ts = DrawTimeInDay(p, r, day, office);
    e.device = static_cast<uint8_t>(s == 0 || r.Chance(0.5) ? 0 : r.Below(p.n_devices));
    e.channel = static_cast<uint8_t>(s == 0 ? p.acquisition : cat_.later_source_pick.Pick(r));
    e.flags = s == 0 ? kEpFirst : 0;
    e.utm = 0;
    uint32_t preroll = 0;
    const size_t slot = static_cast<size_t>(day) * kNumChannels + e.channel;
    if ((e.channel == kPaidSearch || e.channel == kDisplay ||
         (e.channel == kSocial && r.Chance(0.55))) && !cat_.active_ads[slot].cum.empty()) {
      int ad = cat_.active_ads_idx[slot][cat_.active_ads[slot].Pick(r)];
      e.utm = 1 + ad;  // ad variants follow variant 0 in catalog order
      preroll = e.channel == kPaidSearch ? static_cast<uint32_t>(r.Range(5, 40))
                                         : static_cast<uint32_t>(r.Range(60, 1500));
    } else if (e.channel == kSocial) {
      e.utm = cat_.utm_organic_social + static_cast<int32_t>(r.Below(3));
    } else if (e.channel == kEmailChannel) {
      e.utm = cat_.utm_partner;
    }
    e.extra = preroll << 16;
    episodes_.push_back(e);
  }
  // Accounts: most existing customers already have one; some new visitors sign up during one of
  // their sessions (the signup event is at session landing + pre-roll + offset).
  if (p.flags & kExisting) {
    if (r.Chance(0.8)) {
      p.flags |= kRegistered;
      p.signup_ts = o_.start - r.Range(Days(1), Days(3 * 365)) / 1000 * 1000;
      p.logged_in = 1;  // remembered on the main device; others need a log-in
    }
  } else if (r.Chance(0.35)) {
    size_t k = first_episode + (r.Chance(0.55) ? 0 : r.Below(static_cast<uint32_t>(n_sessions)));
    uint32_t offset = static_cast<uint32_t>(r.Range(30, 600));
    Episode& e = episodes_[k];
    Micros ts = e.ts + Seconds((e.extra >> 16) + offset);
    if (ts < end_) {
      p.flags |= kRegistered;
      p.signup_ts = ts;
      e.flags |= kEpSignup;
      e.extra |= offset;
    }
  }
  if (p.flags & kRegistered) {
    uint64_t m = 100'000;
    while (m < static_cast<uint64_t>(o_.customers) * 10) m *= 10;
    char buf[32];
    char* e = AppendUint(AppendStr(buf, "u"), (uint64_t{i} * 104729 + 17) % m);
    p.user_id = Intern(std::string_view(buf, static_cast<size_t>(e - buf)));
  }
  // Ad impressions outside sessions (retargeting, prospecting) and social engagement.
  const int na_channels = 3;
  const uint8_t paid[na_channels] = {kPaidSearch, kSocial, kDisplay};
  const double paid_w[na_channels] = {0.15, 0.45, 0.40};
  int32_t n_ads = r.Poisson(0.06 * span_weeks * o_.events_scale);
  for (int32_t k = 0; k < n_ads; ++k) {
    double u = r.Uniform();
    int ci = u < paid_w[0] ? 0 : u < paid_w[0] + paid_w[1] ? 1 : 2;
    int32_t day = DrawSessionDay(p, r, p.first_day, p.last_day);
    const size_t slot = static_cast<size_t>(day) * kNumChannels + paid[ci];
    if (cat_.active_ads[slot].cum.empty()) continue;
    Episode e{};
    e.person = i;
    e.kind = kEpAdImpressions;
    e.ts = DrawTimeInDay(p, r, day, false);
    e.device = static_cast<uint8_t>(r.Below(p.n_devices));
    e.channel = paid[ci];
    e.utm = 1 + cat_.active_ads_idx[slot][cat_.active_ads[slot].Pick(r)];
    episodes_.push_back(e);
  }
  const bool social_person = p.age < 45 || (p.interests & 0x0402);  // fashion, beauty
  int32_t n_social = r.Poisson((social_person ? 0.05 : 0.015) * span_weeks * o_.events_scale);
  for (int32_t k = 0; k < n_social; ++k) {
    Episode e{};
    e.person = i;
    e.kind = kEpSocial;
    e.ts = DrawTimeInDay(p, r, DrawSessionDay(p, r, p.first_day, p.last_day), false);
    e.channel = kSocial;
    episodes_.push_back(e);
  }
  if (p.last_day > p.first_day && r.Chance(0.05)) {
    Episode e{};
    e.person = i;
    e.kind = kEpConsentChange;
    e.ts = DrawTimeInDay(p, r, DrawSessionDay(p, r, p.first_day + 1, p.last_day), false);
    e.device = 0;
    episodes_.push_back(e);
  }
}

void Generator::BuildPeople() {
  int nc = 0;
  const CountryInfo* countries = Countries(&nc);
  std::vector<double> w;
  for (int i = 0; i < nc; ++i) w.push_back(countries[i].weight);
  cat_.country_pick.Build(w);
  cat_.city_pick.resize(static_cast<size_t>(nc));
  for (int i = 0; i < nc; ++i) cat_.city_pick[static_cast<size_t>(i)].Build(countries[i].city_weights, 6);
  const double devices[] = {0.5, 0.35, 0.15};
  cat_.devices_pick.Build(devices, 3);
  const double first_device[] = {0.6, 0.34, 0.06};  // mobile, desktop, tablet
  cat_.first_device_pick.Build(first_device, 3);
  // organic, paid_search, social, email, referral, display, direct
  const double acquisition[] = {0.28, 0.18, 0.15, 0.06, 0.08, 0.07, 0.18};
  cat_.acquisition_pick.Build(acquisition, kNumChannels);
  const double later[] = {0.25, 0.12, 0.10, 0.0, 0.05, 0.05, 0.43};
  cat_.later_source_pick.Build(later, kNumChannels);
  const double lifestyles[] = {0.2, 0.1, 0.1, 0.15, 0.12, 0.06, 0.12, 0.15};
  cat_.lifestyle_pick.Build(lifestyles, 8);
  const double genders[] = {0.49, 0.475, 0.015, 0.02};
  cat_.gender_pick.Build(genders, 4);
  const double sizes[] = {0.3, 0.3, 0.2, 0.12, 0.05, 0.03};
  cat_.company_size_pick.Build(sizes, 6);
  const double income_young[] = {0.35, 0.30, 0.25, 0.08, 0.02};
  const double income_prime[] = {0.15, 0.22, 0.30, 0.20, 0.13};
  const double income_older[] = {0.22, 0.26, 0.28, 0.15, 0.09};
  cat_.income_pick[0].Build(income_young, 5);
  cat_.income_pick[1].Build(income_prime, 5);
  cat_.income_pick[2].Build(income_older, 5);
  // Local hour of day of visits: consumers peak at lunch and in the evening, businesses in
  // office hours.
  const double hour_b2c[24] = {1.2, 0.7, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 4.0, 4.2, 4.5,
                               5.0, 5.0, 4.5, 4.3, 4.5, 5.0, 5.8, 6.5, 7.0, 6.5, 4.5, 2.5};
  const double hour_b2b[24] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2.0, 6.0, 8.0, 8.5, 8.0,
                               5.5, 7.0, 8.0, 7.5, 6.5, 4.0, 1.5, 0.8, 0.5, 0.3, 0.2, 0.1};
  cat_.hour_b2c.Build(hour_b2c, 24);
  cat_.hour_b2b.Build(hour_b2b, 24);

  const uint32_t n = static_cast<uint32_t>(o_.customers);
  n_companies_ = std::max<int32_t>(20, static_cast<int32_t>(o_.customers * o_.b2b_share / 5));
  company_cache_.assign(static_cast<size_t>(n_companies_), kNullCode);
  people_.resize(n);
  episodes_.reserve(static_cast<size_t>(n) * 5);
  for (uint32_t i = 0; i < n; ++i) {
    Rng r(o_.seed, kStreamPerson, i);
    DrawPerson(i, r);
    PlanPerson(i, r);
  }
}

void Generator::BucketEpisodes() {
  // Counting sort by hour (stable: within an hour, episodes keep person order).
  hour_begin_.assign(static_cast<size_t>(hours_) + 1, 0);
  auto hour_of = [&](const Episode& e) {
    int64_t h = (e.ts - o_.start) / kMicrosPerHour;
    return static_cast<size_t>(std::clamp<int64_t>(h, 0, hours_ - 1));
  };
  for (const Episode& e : episodes_) ++hour_begin_[hour_of(e) + 1];
  for (size_t h = 1; h < hour_begin_.size(); ++h) hour_begin_[h] += hour_begin_[h - 1];
  std::vector<Episode> sorted(episodes_.size());
  std::vector<uint32_t> pos(hour_begin_.begin(), hour_begin_.end() - 1);
  for (const Episode& e : episodes_) sorted[pos[hour_of(e)]++] = e;
  episodes_.swap(sorted);
}

void Generator::BuildCustomersTable() {
  Table& t = out_->customers;
  Column& user_id = t.Add("user_id", ColumnType::kString);
  Column& email = t.Add("email", ColumnType::kString);
  Column& phone = t.Add("phone", ColumnType::kString);
  Column& first_name = t.Add("first_name", ColumnType::kString);
  Column& age = t.Add("age", ColumnType::kInt64);
  Column& gender = t.Add("gender", ColumnType::kString);
  Column& income = t.Add("income_band", ColumnType::kString);
  Column& country = t.Add("country", ColumnType::kString);
  Column& city = t.Add("city", ColumnType::kString);
  Column& interests = t.Add("interests", ColumnType::kString);
  Column& lifestyle = t.Add("lifestyle", ColumnType::kString);
  Column& company = t.Add("company", ColumnType::kString);
  Column& industry = t.Add("industry", ColumnType::kString);
  Column& size = t.Add("company_size", ColumnType::kString);
  Column& acquisition = t.Add("acquisition_channel", ColumnType::kString);
  Column& signup = t.Add("signup_ts", ColumnType::kInt64);
  Column& person = t.Add("true_person_id", ColumnType::kInt64);
  for (uint32_t i = 0; i < people_.size(); ++i) {
    Person& p = people_[i];
    if (!(p.flags & kRegistered)) continue;
    user_id.str.push_back(p.user_id);
    email.str.push_back(EmailCode(p, false));
    phone.str.push_back(PhoneCode(p, true));
    first_name.str.push_back(cat_.first_name[p.first_name]);
    age.i64.push_back(p.age);
    gender.str.push_back(p.gender < 3 ? cat_.gender[p.gender] : kNullCode);
    income.str.push_back(cat_.income_band[p.income]);
    country.str.push_back(cat_.country_code[p.country]);
    city.str.push_back(cat_.city_code[static_cast<size_t>(p.country) * 6 + p.city]);
    interests.str.push_back(InterestsCode(p.interests));
    lifestyle.str.push_back(cat_.lifestyle[p.lifestyle]);
    if (p.company >= 0) {
      // Industry and size are properties of the company, the same for all its people.
      Rng cr(o_.seed, 9, static_cast<uint64_t>(p.company));
      company.str.push_back(CompanyCode(p.company));
      industry.str.push_back(cat_.industry[cr.Below(static_cast<uint32_t>(cat_.industry.size()))]);
      size.str.push_back(cat_.company_size[cat_.company_size_pick.Pick(cr)]);
    } else {
      company.str.push_back(kNullCode);
      industry.str.push_back(kNullCode);
      size.str.push_back(kNullCode);
    }
    acquisition.str.push_back(cat_.channel[p.acquisition]);
    signup.i64.push_back(p.signup_ts);
    person.i64.push_back(i);
  }
}

}  // namespace cdp::gen
