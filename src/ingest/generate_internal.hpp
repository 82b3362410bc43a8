// generate_internal.hpp — private pieces of the synthetic data generator (generate*.cpp).
//
// How the generator works (see Generate in generate.cpp):
//  1. Reference data (countries, products, pages, campaigns...) is interned once into the shared
//     dictionary, so the event loop only copies int32 codes.
//  2. People are drawn one by one from a per-person random stream; each person's planned activity
//     (sessions, ad impressions, social posts, consent changes) becomes a list of Episodes, each with
//     a start time. Registered people become rows of the customers table.
//  3. Episodes are bucketed by hour and played in time order. An episode writes a burst of events
//     (a session, an email open with its click-through...) into a small staging buffer and may
//     schedule follow-up episodes (email opens, returns, surveys) in later hours. Mutable state
//     (logged-in devices, consents, unsubscribes) therefore changes in time order.
//  4. After each hour, staged events whose arrival key is before the end of that hour are sorted
//     (by key, then generation order) and appended to the columns. The key is the event time, except for ~0.5% "late" events whose key
//     is later than their time: the table is sorted by time apart from those.
// Everything is drawn from splitmix64 streams keyed by (seed, purpose, index), with our own
// distributions, so output does not depend on the standard library's <random>.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cdp/column.hpp"
#include "cdp/dictionary.hpp"
#include "cdp/generate.hpp"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp::gen {

// ---------------------------------------------------------------------------------------------
// Random numbers.

/// splitmix64's finalizer: a bijection on uint64 with good avalanche.
inline uint64_t Mix64(uint64_t z) {
  z ^= z >> 30;
  z *= 0xbf58476d1ce4e5b9ULL;
  z ^= z >> 27;
  z *= 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
/// Independent stream key for (seed, stream, index).
inline uint64_t StreamKey(uint64_t seed, uint64_t stream, uint64_t index) {
  return Mix64(Mix64(seed ^ (stream * kGolden)) + index * 0xd1b54a32d192ed03ULL);
}

/// splitmix64 generator (passes BigCrush; one add and one mix per draw).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  Rng(uint64_t seed, uint64_t stream, uint64_t index) : s(StreamKey(seed, stream, index)) {}
  uint64_t Next() { return Mix64(s += kGolden); }
  /// Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n) (Lemire's multiply-shift; bias < n / 2^64).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  int64_t Range(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>((static_cast<unsigned __int128>(Next()) *
                                      static_cast<uint64_t>(hi - lo + 1)) >> 64);
  }
  bool Chance(double p) { return Uniform() < p; }
  /// Approximately standard normal: Irwin-Hall sum of 4 uniforms, rescaled (support +-3.46).
  double Normal() {
    double a = Uniform() + Uniform() + Uniform() + Uniform();
    return (a - 2.0) * 1.7320508075688772;
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  /// Poisson by inversion (Knuth) for small means, normal approximation for large ones.
  int32_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 40) {
      double v = mean + std::sqrt(mean) * Normal();
      return v < 0 ? 0 : static_cast<int32_t>(v + 0.5);
    }
    double limit = std::exp(-mean), p = Uniform();
    int32_t k = 0;
    while (p > limit) {
      p *= Uniform();
      ++k;
    }
    return k;
  }
  /// 1 + number of failures before success with continuation probability `p_more`.
  int32_t Geometric1(double p_more, int32_t cap) {
    int32_t n = 1;
    while (n < cap && Chance(p_more)) ++n;
    return n;
  }
};

/// Cumulative weights over a small set; Pick is a linear scan (sets have < 64 items) or a binary
/// search for large sets.
struct Weighted {
  std::vector<double> cum;
  void Build(const double* w, size_t n) {
    cum.resize(n);
    double t = 0;
    for (size_t i = 0; i < n; ++i) cum[i] = (t += w[i]);
  }
  void Build(const std::vector<double>& w) { Build(w.data(), w.size()); }
  uint32_t Pick(Rng& r) const {
    double u = r.Uniform() * cum.back();
    if (cum.size() <= 32) {
      uint32_t i = 0;
      while (i + 1 < cum.size() && u >= cum[i]) ++i;
      return i;
    }
    size_t lo = 0, hi = cum.size() - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (u < cum[mid]) hi = mid; else lo = mid + 1;
    }
    return static_cast<uint32_t>(lo);
  }
};

// ---------------------------------------------------------------------------------------------
// Enumerations (order matters: indexes into name tables in generate_catalog.cpp).

enum EventType : uint8_t {
  kPageView, kSearch, kClick, kScroll, kAddToCart, kCheckout, kPurchase, kReturn, kIdentify, kSignup,
  kEmailSent, kEmailOpen, kEmailClick, kEmailUnsubscribe, kSocialLike, kSocialShare, kSocialComment,
  kAdImpression, kAdClick, kNpsResponse, kCsatResponse, kComplaint, kConsent, kNumEventTypes
};
enum Channel : uint8_t {
  kOrganic, kPaidSearch, kSocial, kEmailChannel, kReferral, kDisplay, kDirect, kNumChannels
};
enum Purpose : uint8_t {
  kAnalytics, kMarketing, kPersonalization, kAdvertising, kSaleOfData, kNumPurposes
};
enum PageType : uint8_t {
  kHome, kCategoryPage, kProductPage, kSearchPage, kCartPage, kCheckoutPage, kConfirmationPage,
  kBlogPage, kSalePage, kAccountPage, kHelpPage, kNumPageTypes
};
enum DeviceType : uint8_t { kMobile, kDesktop, kTablet };

inline constexpr int kMaxDevices = 3;
inline constexpr int kNumIncomeBands = 5;

// ---------------------------------------------------------------------------------------------
// Reference data (static tables live in generate_catalog.cpp).

enum class PhoneStyle : uint8_t { kNanp, kGB, kDE, kFR, kIT, kES, kNL, kSE, kPL, kAU, kBR, kMX, kIN, kJP };

struct CountryInfo {
  const char* code;        // ISO 3166-1 alpha-2
  double weight;           // share of customers
  const char* calling;     // "39"
  int utc_offset_h;        // for the local hour of day
  bool gdpr;               // EU/UK: stricter consent choices
  PhoneStyle phone;
  const char* cities[6];
  double city_weights[6];
  const char* domains[4];  // consumer email domains, most common first
};
const CountryInfo* Countries(int* n);

struct AdCampaignInfo {
  Channel channel;
  const char* name;
  double from_frac, to_frac;  // active part of the window
  double weight;              // share of the channel's traffic while active
  double ctr;                 // platform click-through rate (impressions = clicks / ctr)
  double cpc;                 // cost per click (search, social) or 0
  double cpm;                 // cost per 1000 impressions (display) or 0
  const char* utm_source;
  const char* utm_medium;
};
const AdCampaignInfo* AdCampaigns(int* n);
const char* InterestName(int i);
const char* FirstName(int i);  // 0..29 female, 30..59 male
const char* LastName(int i);   // 0..63, lowercase
inline constexpr int kNumFirstNames = 60, kNumLastNames = 64;

struct Hotspot {
  float cx, cy, sx, sy, w;
};

/// One email campaign send (newsletters, promotions); triggered emails are separate.
struct EmailCampaign {
  int32_t name = kNullCode;
  int32_t utm = 0;        // UTM variant of its links
  int32_t day = 0;        // day index in the window
  int32_t hour = 9;       // send hour (UTC)
  double audience = 0.6;  // share of eligible subscribers who get it
  double appeal = 1.0;    // multiplies open and click rates
};

/// Everything interned up front plus the derived calendar.
struct Catalog {
  int32_t type[kNumEventTypes];
  int32_t channel[kNumChannels];
  int32_t purpose[kNumPurposes];
  int32_t granted = kNullCode, denied = kNullCode;
  int32_t page[kNumPageTypes];
  int32_t device_type[3];
  int32_t junk[6];  // "undefined", "null", "0", "test@test.com", "", "anonymous"
  std::vector<int32_t> categories;        // category names
  std::vector<int32_t> product_id;        // "P10001"...
  std::vector<uint8_t> product_category;  // index into categories
  std::vector<double> product_price;
  std::vector<Weighted> products_by_category;  // popularity within a category
  std::vector<std::vector<uint32_t>> category_products;
  std::vector<int32_t> search_query;
  std::vector<uint8_t> search_category;
  int32_t n_blog = 0;
  // Page URLs: index = page slot (see PageSlot*), value = URL code without UTM parameters.
  std::vector<int32_t> page_url;
  std::vector<std::string> page_url_text;
  // UTM variants (ad campaigns, email campaigns, organic social sources) and a lazily filled cache
  // of landing URL codes indexed [page slot * n_utm + utm variant].
  std::vector<std::string> utm_suffix;
  std::vector<int32_t> utm_campaign;  // campaign code per variant (kNullCode for none)
  std::vector<int16_t> utm_ad;        // AdCampaigns() index per variant, -1 when not an ad
  std::vector<int16_t> ad_of_campaign_code;  // campaign code -> ad index (-1), for counting
  std::vector<int32_t> landing_url;
  int32_t n_utm = 0;
  int32_t utm_organic_social = 0;  // first of 3 organic social variants
  int32_t utm_email = 0;           // first email campaign variant
  // Campaign name codes.
  std::vector<int32_t> ad_campaign;   // per AdCampaigns() entry
  std::vector<EmailCampaign> email_campaigns;
  int32_t welcome_campaign = kNullCode, cart_campaign = kNullCode, partner_campaign = kNullCode;
  int32_t utm_welcome = 0, utm_cart = 0, utm_partner = 0;
  // Demographic names.
  std::vector<int32_t> country_code, city_code;  // city_code[country * 6 + city]
  std::vector<int32_t> gender, income_band, lifestyle, industry, company_size, first_name;
  // Calendar: activity multiplier per day for consumers and for businesses, and per day the
  // active ad campaigns of each paid channel.
  std::vector<double> day_weight_b2c, day_weight_b2b;
  double max_day_weight_b2c = 1, max_day_weight_b2b = 1;
  std::vector<Weighted> active_ads;        // [day * kNumChannels + channel]
  std::vector<std::vector<uint8_t>> active_ads_idx;
  // Draws used when making people.
  Weighted country_pick, devices_pick, first_device_pick, acquisition_pick, later_source_pick,
      lifestyle_pick, gender_pick, company_size_pick, hour_b2c, hour_b2b;
  std::vector<Weighted> city_pick;  // per country
  Weighted income_pick[3];          // young, prime age, older
  std::vector<Hotspot> hotspots[kNumPageTypes];
  Weighted hotspot_pick[kNumPageTypes];
};

// Page slots: 0 home, 1 sale, 2 cart, 3 checkout, 4 confirmation, 5 account, 6 help, 7 search,
// then categories, then blog posts, then products.
inline constexpr int32_t kSlotHome = 0, kSlotSale = 1, kSlotCart = 2, kSlotCheckout = 3,
                         kSlotConfirmation = 4, kSlotAccount = 5, kSlotHelp = 6, kSlotSearch = 7,
                         kSlotCategory0 = 8;

// ---------------------------------------------------------------------------------------------
// People.

enum PersonFlags : uint16_t {
  kExisting = 1,         // customer before the window (account created earlier)
  kRegistered = 2,       // has an account by the end of the window
  kSeen = 4,             // has had a session in the window (consent banner shown)
  kUnsubscribed = 8,     // unsubscribed from marketing email
  kBannerAnswered = 16,  // answers the consent banner on the first visit (else: no consent given)
  kB2B = 32,
  kHasPhone = 64,
  kPhoneInvalid = 128,
  kCookieReset = 256,    // device 0's cookie has been cleared (anon_after_reset in use)
};

struct Person {
  int64_t signup_ts = kNullInt64;  // account creation (before the window for existing customers)
  int32_t user_id = kNullCode;
  int32_t email = kNullCode;          // canonical lowercase, interned on first use
  int32_t email_variant = kNullCode;  // case/whitespace variant, interned on first use
  int32_t phone_intl = kNullCode, phone_national = kNullCode;  // interned on first use
  int32_t anon[kMaxDevices];
  int32_t device_id[kMaxDevices];  // kNullCode for desktop browsers
  int32_t anon_after_reset = kNullCode;  // device 0's cookie after it was cleared
  int32_t company = -1;
  uint32_t name_number = 0;  // unique number used in email / phone
  int16_t first_day = 0, last_day = 0, reset_day = -1;
  uint16_t flags = 0;
  uint16_t interests = 0;  // bit mask
  uint8_t country = 0, city = 0, age = 30, gender = 0, income = 2, lifestyle = 0, acquisition = 0;
  uint8_t first_name = 0, last_name = 0, email_style = 0;
  uint8_t n_devices = 1;
  uint8_t device_type[kMaxDevices];
  uint8_t logged_in = 0;       // bit per device
  uint8_t consent_wish = 0;    // purposes granted when answering the banner
  uint8_t consent_state = 0;   // purposes currently granted
  uint8_t fav_category = 0;
  float open_rate = 0.2f, click_rate = 0.1f, buy_rate = 0.05f, satisfaction = 0.7f;
};

// ---------------------------------------------------------------------------------------------
// Episodes and staged events.

enum EpisodeKind : uint8_t {
  kEpSession, kEpAdImpressions, kEpSocial, kEpConsentChange, kEpEmailOpen, kEpReturn, kEpNps,
  kEpCsat, kEpComplaint, kEpCartEmail, kEpWelcomeEmail
};
enum EpisodeFlags : uint8_t { kEpFirst = 1, kEpSignup = 2 };

struct Episode {
  Micros ts;
  uint32_t person;
  uint8_t kind;
  uint8_t device;
  uint8_t channel;
  uint8_t flags;
  int32_t utm;     // UTM variant (Catalog::utm_*): campaign and ad campaign of the traffic; 0 none
  uint32_t extra;  // kind-specific: sessions pack signup offset (s, low 16 bits) and ad pre-roll
                   // (s, high 16 bits); follow-ups hold an index into orders_
};
static_assert(sizeof(Episode) == 24);

/// A purchase remembered for its follow-ups (return, survey, complaint).
struct OrderInfo {
  int32_t order_id, product, category;
  int32_t quantity;
  double revenue;
};

/// One staged event row; string fields are dictionary codes.
struct EventRow {
  Micros ts;
  Micros key;   // arrival order: ts, or later for late events (ties: generation order)
  int32_t type, anon, user, email, phone, device, channel, campaign, url, page, device_type,
      search, product, category, order, purpose, consent_status;
  int32_t scroll, quantity, score;  // kNoInt = null
  int32_t person;
  double x, y, revenue;  // NaN: null
};
inline constexpr int32_t kNoInt = INT32_MIN;

// ---------------------------------------------------------------------------------------------
// The generator.

class Generator {
 public:
  Generator(const GenerateOptions& options, GeneratedData* out);
  void Run();

 private:
  // generate_catalog.cpp
  void BuildCatalog();
  int32_t Intern(std::string_view s) { return dict_->Intern(s); }
  int32_t LandingUrl(int32_t slot, int32_t utm);
  int32_t InterestsCode(uint16_t mask);
  int32_t CompanyCode(int32_t company);
  int32_t CompanyDomainText(int32_t company, char* buf);  // returns length
  // generate_people.cpp
  void BuildPeople();
  void DrawPerson(uint32_t i, Rng& r);
  void PlanPerson(uint32_t i, Rng& r);
  void BucketEpisodes();
  void BuildCustomersTable();
  int32_t EmailCode(Person& p, bool variant);
  int32_t PhoneCode(Person& p, bool international);
  int32_t DrawSessionDay(const Person& p, Rng& r, int32_t lo, int32_t hi);
  Micros DrawTimeInDay(const Person& p, Rng& r, int32_t day, bool office);
  // generate_events.cpp
  void PlayHour(int32_t hour);
  void PlayEpisode(const Episode& e);
  void Session(const Episode& e, Person& p, Rng& r);
  void AdImpressions(const Episode& e, Person& p, Rng& r);
  void Social(const Episode& e, Person& p, Rng& r);
  void ConsentChange(const Episode& e, Person& p, Rng& r);
  void EmailCampaignSend(const EmailCampaign& c, int32_t campaign_index);
  void EmailSend(uint32_t person, Person& p, Micros ts, int32_t utm, double appeal, Rng& r);
  void EmailOpen(const Episode& e, Person& p, Rng& r);
  void FollowUp(const Episode& e, Person& p, Rng& r);
  void Schedule(const Episode& e);
  EventRow& Add(Micros ts, EventType type, uint32_t person);
  /// Adds an event on a device: cookie, device id, device type and user id when logged in.
  EventRow& AddOnDevice(Micros ts, EventType type, uint32_t person, const Person& p, int device);
  void MaybeJunk(EventRow& row);
  void Flush(Micros until);
  void BuildCampaignsTable();

  const GenerateOptions o_;
  GeneratedData* out_;
  std::shared_ptr<StringDictionary> dict_;
  Catalog cat_;
  std::vector<Person> people_;
  std::vector<Episode> episodes_;          // static episodes, bucketed by hour after BucketEpisodes
  std::vector<uint32_t> hour_begin_;       // episodes_ index where each hour starts (+1 sentinel)
  std::vector<std::vector<Episode>> dynamic_;  // follow-ups scheduled while playing, per hour
  std::vector<OrderInfo> orders_;
  std::vector<std::vector<int32_t>> email_by_hour_;  // email campaign indexes per send hour
  std::vector<int32_t> interests_cache_, company_cache_;
  int32_t n_companies_ = 0;
  Micros end_ = 0;
  int32_t hours_ = 0;
  uint64_t order_counter_ = 0;

  // Staging.
  std::vector<EventRow> staged_;
  std::vector<EventRow> keep_;
  std::vector<uint32_t> order_;   // Flush: staged_ indexes in output order
  std::vector<uint64_t> packed_;  // Flush: packed sort keys
  EventRow template_row_{};
  EventRow discard_{};
  Rng late_rng_{0}, junk_rng_{0};
  double late_share_ = 0.005;
  uint64_t id_key_ = 0;
  // Per day and ad campaign: tracked ad_impression and ad_click events.
  std::vector<int64_t> ad_impressions_, ad_clicks_;

  // Output columns (pointers into out_->events).
  Column *c_event_id_, *c_type_, *c_ts_, *c_anon_, *c_user_, *c_email_, *c_phone_, *c_device_,
      *c_channel_, *c_campaign_, *c_revenue_, *c_url_, *c_page_, *c_device_type_, *c_x_, *c_y_,
      *c_scroll_, *c_search_, *c_product_, *c_category_, *c_quantity_, *c_order_, *c_score_,
      *c_purpose_, *c_consent_, *c_person_;
};

/// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d);
/// Days since 1970-01-01 of a civil date.
int64_t DaysFromCivilDate(int64_t y, unsigned m, unsigned d);

inline double Round2(double v) { return std::round(v * 100.0) / 100.0; }
inline double Round4(double v) { return std::round(v * 10000.0) / 10000.0; }

/// Appends the decimal digits of v to buf; returns the new end.
inline char* AppendUint(char* buf, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *buf++ = tmp[--n];
  return buf;
}
inline char* AppendStr(char* buf, std::string_view s) {
  std::memcpy(buf, s.data(), s.size());
  return buf + s.size();
}

}  // namespace cdp::gen
