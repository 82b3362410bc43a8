// generate_catalog.cpp — reference data of the synthetic data set (countries, products, pages,
// campaigns, calendar) and its one-time interning.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "generate_internal.hpp"

namespace cdp::gen {

namespace {

// Customer mix of a mid-size European/North American online shop. Phone styles follow each
// country's mobile numbering plan; email domains are the common consumer ones there.
constexpr CountryInfo kCountries[] = {
    {"US", 26, "1", -6, false, PhoneStyle::kNanp,
     {"New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Miami"}, {8, 6, 4, 3, 2, 2},
     {"gmail.com", "yahoo.com", "outlook.com", "icloud.com"}},
    {"GB", 10, "44", 0, true, PhoneStyle::kGB,
     {"London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol"}, {9, 3, 3, 2, 2, 2},
     {"gmail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com"}},
    {"DE", 9, "49", 1, true, PhoneStyle::kDE,
     {"Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Stuttgart"}, {6, 4, 4, 3, 2, 2},
     {"gmail.com", "web.de", "gmx.de", "t-online.de"}},
    {"FR", 8, "33", 1, true, PhoneStyle::kFR,
     {"Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes"}, {9, 3, 3, 2, 2, 2},
     {"gmail.com", "orange.fr", "hotmail.fr", "free.fr"}},
    {"IT", 8, "39", 1, true, PhoneStyle::kIT,
     {"Rome", "Milan", "Naples", "Turin", "Bologna", "Florence"}, {6, 6, 3, 3, 2, 2},
     {"gmail.com", "libero.it", "hotmail.it", "virgilio.it"}},
    {"ES", 5, "34", 1, true, PhoneStyle::kES,
     {"Madrid", "Barcelona", "Valencia", "Seville", "Bilbao", "Malaga"}, {7, 6, 3, 2, 1, 1},
     {"gmail.com", "hotmail.es", "yahoo.es", "outlook.es"}},
    {"NL", 3, "31", 1, true, PhoneStyle::kNL,
     {"Amsterdam", "Rotterdam", "The Hague", "Utrecht", "Eindhoven", "Groningen"},
     {6, 4, 3, 3, 2, 1}, {"gmail.com", "hotmail.nl", "ziggo.nl", "outlook.com"}},
    {"SE", 2, "46", 1, true, PhoneStyle::kSE,
     {"Stockholm", "Gothenburg", "Malmo", "Uppsala", "Vasteras", "Orebro"}, {7, 4, 3, 2, 1, 1},
     {"gmail.com", "hotmail.se", "telia.com", "outlook.com"}},
    {"PL", 3, "48", 1, true, PhoneStyle::kPL,
     {"Warsaw", "Krakow", "Wroclaw", "Poznan", "Gdansk", "Lodz"}, {7, 4, 3, 2, 2, 2},
     {"gmail.com", "wp.pl", "onet.pl", "interia.pl"}},
    {"CA", 5, "1", -5, false, PhoneStyle::kNanp,
     {"Toronto", "Montreal", "Vancouver", "Calgary", "Ottawa", "Edmonton"}, {7, 5, 4, 2, 2, 2},
     {"gmail.com", "hotmail.com", "yahoo.ca", "outlook.com"}},
    {"AU", 3, "61", 10, false, PhoneStyle::kAU,
     {"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra"}, {7, 6, 3, 2, 2, 1},
     {"gmail.com", "bigpond.com", "outlook.com", "yahoo.com.au"}},
    {"BR", 5, "55", -3, false, PhoneStyle::kBR,
     {"Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Brasilia", "Curitiba", "Porto Alegre"},
     {9, 5, 2, 2, 2, 2}, {"gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br"}},
    {"MX", 3, "52", -6, false, PhoneStyle::kMX,
     {"Mexico City", "Guadalajara", "Monterrey", "Puebla", "Tijuana", "Merida"}, {9, 4, 4, 2, 2, 1},
     {"gmail.com", "hotmail.com", "yahoo.com.mx", "outlook.com"}},
    {"IN", 5, "91", 5, false, PhoneStyle::kIN,
     {"Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Pune"}, {6, 6, 5, 3, 3, 2},
     {"gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"}},
    {"JP", 3, "81", 9, false, PhoneStyle::kJP,
     {"Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka"}, {9, 4, 3, 2, 1, 1},
     {"gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"}},
};

// Paid media. CTRs, CPCs and CPMs are typical published industry averages (search ~3-8% CTR and
// ~$1 CPC, paid social ~1% CTR, display ~0.1-0.6% CTR at a few dollars CPM).
constexpr AdCampaignInfo kAdCampaigns[] = {
    {kPaidSearch, "brand_search", 0.0, 1.0, 3, 0.080, 0.55, 0, "google", "cpc"},
    {kPaidSearch, "generic_search", 0.0, 1.0, 4, 0.030, 1.35, 0, "google", "cpc"},
    {kPaidSearch, "bing_search", 0.0, 1.0, 1, 0.025, 0.90, 0, "bing", "cpc"},
    {kSocial, "prospecting_social", 0.0, 1.0, 3, 0.009, 0.85, 0, "facebook", "paid_social"},
    {kSocial, "retargeting_social", 0.0, 1.0, 2, 0.016, 0.60, 0, "instagram", "paid_social"},
    {kSocial, "new_collection_social", 0.45, 0.75, 3, 0.012, 0.70, 0, "tiktok", "paid_social"},
    {kDisplay, "display_prospecting", 0.0, 1.0, 3, 0.002, 0, 2.8, "gdn", "display"},
    {kDisplay, "display_retargeting", 0.0, 1.0, 2, 0.006, 0, 5.5, "criteo", "display"},
    {kDisplay, "seasonal_sale_display", 0.6, 0.85, 2, 0.004, 0, 3.5, "gdn", "display"},
};

constexpr const char* kEventTypeNames[kNumEventTypes] = {
    "page_view", "search", "click", "scroll", "add_to_cart", "checkout", "purchase", "return",
    "identify", "signup", "email_sent", "email_open", "email_click", "email_unsubscribe",
    "social_like", "social_share", "social_comment", "ad_impression", "ad_click", "nps_response",
    "csat_response", "complaint", "consent"};
constexpr const char* kChannelNames[kNumChannels] = {"organic", "paid_search", "social", "email",
                                                     "referral", "display", "direct"};
constexpr const char* kPurposeNames[kNumPurposes] = {"analytics", "marketing", "personalization",
                                                     "advertising", "sale_of_data"};
constexpr const char* kPageNames[kNumPageTypes] = {
    "home", "category", "product", "search", "cart", "checkout", "order_confirmation", "blog",
    "sale", "account", "help"};
constexpr const char* kCategoryNames[] = {"electronics", "fashion", "home", "beauty", "sports",
                                          "toys", "books", "grocery", "garden", "pets"};
constexpr double kCategoryPrice[] = {120, 45, 60, 30, 55, 25, 15, 20, 40, 25};
constexpr const char* kBlogSlugs[] = {"gift-guide", "how-to-choose-running-shoes",
                                      "home-office-setup", "skincare-routine", "sustainable-fashion",
                                      "pet-care-tips"};
constexpr const char* kIncomeBands[kNumIncomeBands] = {"low", "lower_middle", "middle",
                                                       "upper_middle", "high"};
constexpr const char* kGenders[] = {"female", "male", "non_binary"};
constexpr const char* kLifestyles[] = {"budget_conscious", "trendsetter", "eco_conscious",
                                       "family_focused", "health_conscious", "luxury_seeker",
                                       "tech_enthusiast", "convenience_seeker"};
constexpr const char* kIndustries[] = {"retail", "software", "manufacturing", "healthcare",
                                       "finance", "education", "hospitality", "logistics",
                                       "media", "construction", "consulting", "public_sector"};
constexpr const char* kCompanySizes[] = {"1-10", "11-50", "51-200", "201-1000", "1001-5000",
                                         "5000+"};
constexpr const char* kInterestNames[16] = {
    "sports", "fashion", "technology", "travel", "cooking", "fitness", "gaming", "books",
    "music", "home_garden", "beauty", "outdoors", "finance", "parenting", "pets", "art"};
constexpr const char* kCompanyPrefixes[] = {
    "Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Vandelay", "Hooli",
    "Pied Piper", "Soylent", "Tyrell", "Cyberdyne", "Aperture", "Massive", "Blue Sky", "Red Rock",
    "Silver Lake", "Green Field", "Bright Path", "Summit", "Pioneer", "Harbor", "Atlas", "Vertex",
    "Nimbus", "Quantum", "Evergreen", "Ironwood", "Lumen", "Orbit", "Keystone", "Crescent",
    "Redwood", "Falcon", "Beacon", "Cobalt", "Sterling", "Horizon", "Meridian"};
constexpr const char* kCompanySuffixes[] = {
    "Logistics", "Systems", "Foods", "Health", "Capital", "Labs", "Media", "Retail", "Builders",
    "Consulting", "Software", "Energy", "Motors", "Studios", "Partners", "Supply", "Networks",
    "Analytics", "Design", "Hotels"};
}  // namespace

// First and last names: ASCII transliterations of common names across the countries above.
extern const char* const kFirstNames[60];
extern const char* const kLastNames[64];
const char* const kFirstNames[60] = {
    // female (0..29)
    "Anna", "Maria", "Emma", "Olivia", "Sophie", "Laura", "Julia", "Sara", "Chloe", "Mia",
    "Emily", "Hannah", "Lucia", "Giulia", "Camille", "Ines", "Ava", "Isabella", "Charlotte", "Lea",
    "Elena", "Zofia", "Aiko", "Priya", "Ana", "Sofia", "Grace", "Nora", "Alice", "Martina",
    // male (30..59)
    "James", "John", "Lukas", "Luca", "Noah", "Liam", "Paul", "David", "Daniel", "Marco",
    "Thomas", "Max", "Leon", "Hugo", "Lucas", "Mateo", "Jakub", "Oliver", "Ethan", "Samuel",
    "Pedro", "Rahul", "Kenji", "Carlos", "Felix", "Adam", "Leo", "Arthur", "Jan", "Matteo"};
const char* const kLastNames[64] = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rossi",
    "russo", "ferrari", "esposito", "bianchi", "muller", "schmidt", "schneider", "fischer",
    "weber", "martin", "bernard", "dubois", "thomas", "robert", "richard", "lopez", "martinez",
    "sanchez", "perez", "gonzalez", "nowak", "kowalski", "wisniewski", "devries", "jansen",
    "bakker", "visser", "andersson", "johansson", "karlsson", "nilsson", "silva", "santos",
    "oliveira", "souza", "hernandez", "ramirez", "sharma", "patel", "singh", "kumar", "sato",
    "suzuki", "takahashi", "tanaka", "taylor", "wilson", "clark", "lewis", "walker", "hall",
    "young", "king", "wright", "scott"};

const CountryInfo* Countries(int* n) {
  *n = static_cast<int>(std::size(kCountries));
  return kCountries;
}
const AdCampaignInfo* AdCampaigns(int* n) {
  *n = static_cast<int>(std::size(kAdCampaigns));
  return kAdCampaigns;
}
const char* InterestName(int i) { return kInterestNames[i]; }
const char* FirstName(int i) { return kFirstNames[i]; }
const char* LastName(int i) { return kLastNames[i]; }

void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

int64_t DaysFromCivilDate(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {
// Easter Sunday (anonymous Gregorian algorithm).
int64_t EasterDay(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25,
      g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4,
      l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return DaysFromCivilDate(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}
// Black Friday: the day after the fourth Thursday of November.
int64_t BlackFriday(int y) {
  int64_t nov1 = DaysFromCivilDate(y, 11, 1);
  int dow = static_cast<int>(((nov1 + 3) % 7 + 7) % 7);  // 0 = Monday
  int64_t first_thu = nov1 + ((3 - dow) % 7 + 7) % 7;
  return first_thu + 21 + 1;
}
int DayOfWeek(int64_t epoch_day) { return static_cast<int>(((epoch_day + 3) % 7 + 7) % 7); }

struct Holiday {
  const char* campaign;
  int64_t from, to;  // epoch days, inclusive
  double bump;
};
}  // namespace

int32_t Generator::LandingUrl(int32_t slot, int32_t utm) {
  if (utm == 0) return cat_.page_url[static_cast<size_t>(slot)];
  int32_t& code = cat_.landing_url[static_cast<size_t>(slot) * cat_.n_utm + utm];
  if (code == kNullCode) {
    std::string s = cat_.page_url_text[static_cast<size_t>(slot)];
    s += cat_.utm_suffix[static_cast<size_t>(utm)];
    code = Intern(s);
  }
  return code;
}

int32_t Generator::InterestsCode(uint16_t mask) {
  int32_t& code = interests_cache_[mask];
  if (code == kNullCode) {
    std::string s;
    for (int i = 0; i < 16; ++i)
      if (mask & (1u << i)) {
        if (!s.empty()) s += ';';
        s += kInterestNames[i];
      }
    code = Intern(s);
  }
  return code;
}

int32_t Generator::CompanyDomainText(int32_t company, char* buf) {
  char* p = buf;
  const int np = static_cast<int>(std::size(kCompanyPrefixes));
  const int ns = static_cast<int>(std::size(kCompanySuffixes));
  for (const char* s = kCompanyPrefixes[company % np]; *s; ++s)
    if (*s != ' ') *p++ = static_cast<char>(std::tolower(static_cast<unsigned char>(*s)));
  *p++ = '-';
  for (const char* s = kCompanySuffixes[(company / np) % ns]; *s; ++s)
    *p++ = static_cast<char>(std::tolower(static_cast<unsigned char>(*s)));
  if (company >= np * ns) p = AppendUint(p, static_cast<uint64_t>(company / (np * ns)));
  p = AppendStr(p, ".com");
  return static_cast<int32_t>(p - buf);
}

int32_t Generator::CompanyCode(int32_t company) {
  int32_t& code = company_cache_[static_cast<size_t>(company)];
  if (code == kNullCode) {
    const int np = static_cast<int>(std::size(kCompanyPrefixes));
    const int ns = static_cast<int>(std::size(kCompanySuffixes));
    std::string s = kCompanyPrefixes[company % np];
    s += ' ';
    s += kCompanySuffixes[(company / np) % ns];
    if (company >= np * ns) s += " " + std::to_string(company / (np * ns) + 1);
    code = Intern(s);
  }
  return code;
}

void Generator::BuildCatalog() {
  Catalog& c = cat_;
  for (int i = 0; i < kNumEventTypes; ++i) c.type[i] = Intern(kEventTypeNames[i]);
  for (int i = 0; i < kNumChannels; ++i) c.channel[i] = Intern(kChannelNames[i]);
  for (int i = 0; i < kNumPurposes; ++i) c.purpose[i] = Intern(kPurposeNames[i]);
  c.granted = Intern("granted");
  c.denied = Intern("denied");
  for (int i = 0; i < kNumPageTypes; ++i) c.page[i] = Intern(kPageNames[i]);
  c.device_type[kMobile] = Intern("mobile");
  c.device_type[kDesktop] = Intern("desktop");
  c.device_type[kTablet] = Intern("tablet");
  const char* junk[] = {"undefined", "null", "0", "test@test.com", "",
                        "00000000-0000-0000-0000-000000000000"};
  for (int i = 0; i < 6; ++i) c.junk[i] = Intern(junk[i]);

  // Demographic vocabularies.
  int nc = 0;
  const CountryInfo* countries = Countries(&nc);
  for (int i = 0; i < nc; ++i) {
    c.country_code.push_back(Intern(countries[i].code));
    for (int k = 0; k < 6; ++k) c.city_code.push_back(Intern(countries[i].cities[k]));
  }
  for (const char* g : kGenders) c.gender.push_back(Intern(g));
  for (const char* b : kIncomeBands) c.income_band.push_back(Intern(b));
  for (const char* l : kLifestyles) c.lifestyle.push_back(Intern(l));
  for (const char* s : kIndustries) c.industry.push_back(Intern(s));
  for (const char* s : kCompanySizes) c.company_size.push_back(Intern(s));
  for (const char* s : kFirstNames) c.first_name.push_back(Intern(s));

  // Product catalog: fixed (independent of the seed) so product ids mean the same thing in every
  // data set. Popularity within a category is Zipf-like (s = 0.9).
  const int n_cat = static_cast<int>(std::size(kCategoryNames));
  for (const char* s : kCategoryNames) c.categories.push_back(Intern(s));
  const int n_products = 1000;
  Rng pr(0x5eedULL);
  c.category_products.resize(static_cast<size_t>(n_cat));
  char buf[128];
  for (int i = 0; i < n_products; ++i) {
    char* e = AppendUint(AppendStr(buf, "P"), static_cast<uint64_t>(10001 + i));
    c.product_id.push_back(Intern(std::string_view(buf, static_cast<size_t>(e - buf))));
    uint8_t cat = static_cast<uint8_t>(pr.Below(static_cast<uint32_t>(n_cat)));
    c.product_category.push_back(cat);
    c.product_price.push_back(std::round(pr.LogNormal(kCategoryPrice[cat], 0.5) * 100) / 100);
    c.category_products[cat].push_back(static_cast<uint32_t>(i));
  }
  c.products_by_category.resize(static_cast<size_t>(n_cat));
  for (int k = 0; k < n_cat; ++k) {
    std::vector<double> w;
    for (size_t r = 0; r < c.category_products[static_cast<size_t>(k)].size(); ++r)
      w.push_back(1.0 / std::pow(static_cast<double>(r + 1), 0.9));
    c.products_by_category[static_cast<size_t>(k)].Build(w);
  }
  // Search queries by category, with a few real-world misspellings and capitalisations.
  const std::pair<const char*, int> queries[] = {
      {"wireless headphones", 0}, {"laptop", 0}, {"usb c charger", 0}, {"4k tv", 0},
      {"smart watch", 0}, {"bluetooth speaker", 0}, {"iphone case", 0}, {"headphnes", 0},
      {"running shoes", 1}, {"summer dress", 1}, {"jeans", 1}, {"winter jacket", 1},
      {"sneakers", 1}, {"Leather Bag", 1}, {"sofa", 2}, {"bed sheets", 2}, {"coffee maker", 2},
      {"desk lamp", 2}, {"office chair", 2}, {"moisturizer", 3}, {"sunscreen", 3},
      {"perfume", 3}, {"shampoo", 3}, {"yoga mat", 4}, {"dumbbells", 4}, {"tennis racket", 4},
      {"bike helmet", 4}, {"lego", 5}, {"board games", 5}, {"puzzle", 5}, {"Lego Star Wars", 5},
      {"cookbook", 6}, {"bestsellers", 6}, {"kindle", 6}, {"coffee beans", 7}, {"green tea", 7},
      {"olive oil", 7}, {"garden hose", 8}, {"plant pots", 8}, {"lawn mower", 8},
      {"dog food", 9}, {"cat litter", 9}, {"dog bed", 9}, {"cat tree", 9}, {"gift ideas", 2},
      {"sale", 1}, {"discount code", 1}};
  for (const auto& [q, k] : queries) {
    c.search_query.push_back(Intern(q));
    c.search_category.push_back(static_cast<uint8_t>(k));
  }

  // Pages.
  const std::string site = "https://shop.example.com";
  const char* fixed[] = {"/", "/sale", "/cart", "/checkout", "/checkout/confirmation", "/account",
                         "/help", "/search"};
  for (const char* f : fixed) c.page_url_text.push_back(site + f);
  for (const char* s : kCategoryNames) c.page_url_text.push_back(site + "/c/" + s);
  c.n_blog = static_cast<int32_t>(std::size(kBlogSlugs));
  for (const char* s : kBlogSlugs) c.page_url_text.push_back(site + "/blog/" + s);
  for (int i = 0; i < n_products; ++i)
    c.page_url_text.push_back(site + "/p/" + std::string(dict_->Get(c.product_id[static_cast<size_t>(i)])));
  for (const std::string& u : c.page_url_text) c.page_url.push_back(Intern(u));

  // Calendar of the window.
  const int32_t days = o_.days;
  const int64_t day0 = o_.start >= 0 ? o_.start / kMicrosPerDay
                                     : -((-o_.start + kMicrosPerDay - 1) / kMicrosPerDay);
  std::vector<Holiday> holidays;
  int y0 = 0, y1 = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(day0, &y0, &m, &d);
  CivilFromDays(day0 + days, &y1, &m, &d);
  for (int y = y0; y <= y1; ++y) {
    std::string ys = std::to_string(y);
    int64_t easter = EasterDay(y), bf = BlackFriday(y);
    holidays.push_back({nullptr, DaysFromCivilDate(y, 2, 7), DaysFromCivilDate(y, 2, 14), 1.25});
    holidays.push_back({nullptr, easter - 6, easter, 1.2});
    holidays.push_back({nullptr, DaysFromCivilDate(y, 7, 10), DaysFromCivilDate(y, 7, 16), 1.3});
    holidays.push_back({nullptr, bf - 7, bf - 1, 1.3});
    holidays.push_back({nullptr, bf, bf + 3, 2.0});
    holidays.push_back({nullptr, DaysFromCivilDate(y, 12, 1), DaysFromCivilDate(y, 12, 22), 1.4});
  }
  const char* holiday_campaigns[] = {"valentines", "easter_sale", "summer_sale", nullptr,
                                     "black_friday", "christmas"};
  const double b2c_week[7] = {0.95, 0.95, 0.97, 1.0, 0.98, 1.1, 1.15};
  const double b2b_week[7] = {1.15, 1.15, 1.1, 1.1, 1.0, 0.35, 0.3};
  c.day_weight_b2c.resize(static_cast<size_t>(days));
  c.day_weight_b2b.resize(static_cast<size_t>(days));
  for (int32_t i = 0; i < days; ++i) {
    int64_t ed = day0 + i;
    double bump = 1.0;
    for (const Holiday& h : holidays)
      if (ed >= h.from && ed <= h.to) bump = std::max(bump, h.bump);
    int dow = DayOfWeek(ed);
    c.day_weight_b2c[static_cast<size_t>(i)] = b2c_week[dow] * bump;
    c.day_weight_b2b[static_cast<size_t>(i)] = b2b_week[dow] * (1.0 + (bump - 1.0) * 0.3);
  }
  c.max_day_weight_b2c = *std::max_element(c.day_weight_b2c.begin(), c.day_weight_b2c.end());
  c.max_day_weight_b2b = *std::max_element(c.day_weight_b2b.begin(), c.day_weight_b2b.end());

  // Campaign names and UTM variants. Variant 0 means "no UTM parameters".
  int na = 0;
  const AdCampaignInfo* ads = AdCampaigns(&na);
  auto add_utm = [&](const std::string& source, const std::string& medium, int32_t campaign_code,
                     int16_t ad) {
    std::string s = "?utm_source=" + source + "&utm_medium=" + medium;
    if (campaign_code != kNullCode) s += "&utm_campaign=" + std::string(dict_->Get(campaign_code));
    c.utm_suffix.push_back(s);
    c.utm_campaign.push_back(campaign_code);
    c.utm_ad.push_back(ad);
    return static_cast<int32_t>(c.utm_suffix.size() - 1);
  };
  c.utm_suffix.push_back("");
  c.utm_campaign.push_back(kNullCode);
  c.utm_ad.push_back(-1);
  for (int i = 0; i < na; ++i) {
    c.ad_campaign.push_back(Intern(ads[i].name));
    add_utm(ads[i].utm_source, ads[i].utm_medium, c.ad_campaign.back(), static_cast<int16_t>(i));
  }
  c.utm_organic_social = add_utm("facebook", "social", kNullCode, -1);
  add_utm("instagram", "social", kNullCode, -1);
  add_utm("tiktok", "social", kNullCode, -1);
  c.welcome_campaign = Intern("welcome");
  c.utm_welcome = add_utm("crm", "email", c.welcome_campaign, -1);
  c.cart_campaign = Intern("cart_abandonment");
  c.utm_cart = add_utm("crm", "email", c.cart_campaign, -1);
  c.partner_campaign = Intern("partner_newsletter");
  c.utm_partner = add_utm("partner", "email", c.partner_campaign, -1);
  // Fortnightly newsletter (day 1, 15, ... at 08:00 UTC), a mid-window promotion, and a promotion on the
  // first day of each holiday period that falls in the window.
  c.utm_email = static_cast<int32_t>(c.utm_suffix.size());
  for (int32_t day = 1; day < days; day += 14) {
    int y = 0;
    CivilFromDays(day0 + day, &y, &m, &d);
    char* e = AppendStr(buf, "newsletter_");
    e += std::snprintf(e, 32, "%04d_%02u_%02u", y, m, d);
    EmailCampaign ec;
    ec.name = Intern(std::string_view(buf, static_cast<size_t>(e - buf)));
    ec.day = day;
    ec.hour = 8;
    ec.audience = 0.6;
    ec.appeal = 1.0;
    c.email_campaigns.push_back(ec);
  }
  if (days >= 4) {
    EmailCampaign ec;
    ec.name = Intern("mid_season_sale");
    ec.day = days / 2;
    ec.hour = 10;
    ec.audience = 0.9;
    ec.appeal = 1.3;
    c.email_campaigns.push_back(ec);
  }
  for (size_t h = 0; h < holidays.size(); ++h) {
    const char* name = holiday_campaigns[h % 6];
    int64_t rel = holidays[h].from - day0;
    if (name == nullptr || rel < 0 || rel >= days) continue;
    int y = 0;
    CivilFromDays(holidays[h].from, &y, &m, &d);
    EmailCampaign ec;
    ec.name = Intern(std::string(name) + "_" + std::to_string(y));
    ec.day = static_cast<int32_t>(rel);
    ec.hour = 10;
    ec.audience = 0.9;
    ec.appeal = 1.4;
    c.email_campaigns.push_back(ec);
  }
  for (EmailCampaign& ec : c.email_campaigns) ec.utm = add_utm("newsletter", "email", ec.name, -1);
  c.n_utm = static_cast<int32_t>(c.utm_suffix.size());
  c.landing_url.assign(c.page_url.size() * static_cast<size_t>(c.n_utm), kNullCode);
  int32_t max_code = 0;
  for (int32_t code : c.ad_campaign) max_code = std::max(max_code, code);
  c.ad_of_campaign_code.assign(static_cast<size_t>(max_code) + 1, -1);
  for (int i = 0; i < na; ++i) c.ad_of_campaign_code[static_cast<size_t>(c.ad_campaign[i])] = static_cast<int16_t>(i);

  // Active ad campaigns per day and channel.
  c.active_ads.resize(static_cast<size_t>(days) * kNumChannels);
  c.active_ads_idx.resize(static_cast<size_t>(days) * kNumChannels);
  for (int32_t day = 0; day < days; ++day) {
    double f = (day + 0.5) / days;
    for (int ch = 0; ch < kNumChannels; ++ch) {
      std::vector<double> w;
      auto& idx = c.active_ads_idx[static_cast<size_t>(day) * kNumChannels + ch];
      for (int i = 0; i < na; ++i)
        if (ads[i].channel == ch && f >= ads[i].from_frac && f < ads[i].to_frac) {
          w.push_back(ads[i].weight);
          idx.push_back(static_cast<uint8_t>(i));
        }
      if (!w.empty()) c.active_ads[static_cast<size_t>(day) * kNumChannels + ch].Build(w);
    }
  }

  // Click hot spots (relative viewport coordinates): navigation bar, hero/banner, main call to
  // action, content. Weights are the share of clicks.
  auto hs = [&](PageType t, std::vector<Hotspot> v) {
    c.hotspots[t] = v;
    std::vector<double> w;
    for (const Hotspot& h : v) w.push_back(h.w);
    c.hotspot_pick[t].Build(w);
  };
  hs(kHome, {{0.50f, 0.04f, 0.25f, 0.01f, 3}, {0.50f, 0.30f, 0.15f, 0.08f, 4},
             {0.25f, 0.65f, 0.08f, 0.06f, 2}, {0.75f, 0.65f, 0.08f, 0.06f, 2}});
  hs(kCategoryPage, {{0.50f, 0.04f, 0.25f, 0.01f, 2}, {0.12f, 0.40f, 0.05f, 0.15f, 2},
                     {0.45f, 0.45f, 0.12f, 0.15f, 5}, {0.80f, 0.45f, 0.10f, 0.15f, 3}});
  hs(kProductPage, {{0.78f, 0.42f, 0.04f, 0.02f, 6}, {0.30f, 0.35f, 0.10f, 0.10f, 3},
                    {0.40f, 0.80f, 0.15f, 0.05f, 2}, {0.50f, 0.04f, 0.25f, 0.01f, 1}});
  hs(kSearchPage, {{0.50f, 0.10f, 0.20f, 0.02f, 3}, {0.45f, 0.50f, 0.15f, 0.20f, 5}});
  hs(kCartPage, {{0.80f, 0.70f, 0.05f, 0.03f, 6}, {0.40f, 0.40f, 0.15f, 0.10f, 2}});
  hs(kCheckoutPage, {{0.50f, 0.35f, 0.15f, 0.15f, 4}, {0.80f, 0.85f, 0.05f, 0.02f, 5}});
  hs(kConfirmationPage, {{0.50f, 0.50f, 0.15f, 0.10f, 2}, {0.50f, 0.04f, 0.25f, 0.01f, 1}});
  hs(kBlogPage, {{0.45f, 0.50f, 0.15f, 0.25f, 4}, {0.85f, 0.30f, 0.05f, 0.10f, 2}});
  hs(kSalePage, {{0.50f, 0.25f, 0.20f, 0.05f, 4}, {0.40f, 0.55f, 0.15f, 0.15f, 4}});
  hs(kAccountPage, {{0.20f, 0.35f, 0.05f, 0.15f, 3}, {0.55f, 0.45f, 0.15f, 0.10f, 3}});
  hs(kHelpPage, {{0.50f, 0.20f, 0.20f, 0.03f, 3}, {0.45f, 0.55f, 0.15f, 0.15f, 3}});
}

}  // namespace cdp::gen
