// generate_session.cpp — one visit to the shop: ad pre-roll, landing page, consent banner,
// sign-up / log-in, page views with scrolls, clicks (incl. rage clicks) and searches, and the
// cart -> checkout -> purchase funnel with its follow-ups (returns, surveys, complaints).
#include <algorithm>
#include <cmath>
#include <limits>

#include "generate_internal.hpp"

namespace cdp::gen {

namespace {
PageType PageOfSlot(int32_t slot, int32_t n_categories, int32_t n_blog) {
  switch (slot) {
    case kSlotHome: return kHome;
    case kSlotSale: return kSalePage;
    case kSlotCart: return kCartPage;
    case kSlotCheckout: return kCheckoutPage;
    case kSlotConfirmation: return kConfirmationPage;
    case kSlotAccount: return kAccountPage;
    case kSlotHelp: return kHelpPage;
    case kSlotSearch: return kSearchPage;
    default: break;
  }
  if (slot < kSlotCategory0 + n_categories) return kCategoryPage;
  if (slot < kSlotCategory0 + n_categories + n_blog) return kBlogPage;
  return kProductPage;
}

}  // namespace

void Generator::Session(const Episode& e, Person& p, Rng& r) {
  const uint32_t who = e.person;
  const int dev = e.device;
  const uint8_t bit = static_cast<uint8_t>(1u << dev);
  const int16_t ad = cat_.utm_ad[static_cast<size_t>(e.utm)];
  const int32_t campaign = cat_.utm_campaign[static_cast<size_t>(e.utm)];
  const int32_t channel = cat_.channel[e.channel];
  const int32_t n_cat = static_cast<int32_t>(cat_.categories.size());
  const int32_t product0 = kSlotCategory0 + n_cat + cat_.n_blog;
  if (dev == 0 && p.reset_day >= 0 && e.ts >= o_.start + Days(p.reset_day) && !(p.flags & kCookieReset)) {
    p.flags |= kCookieReset;  // the new cookie is not logged in
    p.logged_in &= static_cast<uint8_t>(~1u);
  }
  Micros t = e.ts;
  const uint32_t preroll = e.extra >> 16;
  if (ad >= 0) {  // paid traffic: impressions, then the click that starts the session
    const int n_imp = e.channel == kPaidSearch ? 1 : 1 + static_cast<int>(r.Below(2));
    for (int k = 0; k < n_imp; ++k) {
      EventRow& imp = AddOnDevice(e.ts + Seconds(preroll) * k / n_imp, kAdImpression, who, p, dev);
      imp.channel = channel;
      imp.campaign = campaign;
    }
    t = e.ts + Seconds(preroll);
    EventRow& click = AddOnDevice(t, kAdClick, who, p, dev);
    click.channel = channel;
    click.campaign = campaign;
    t += r.Range(500, 4000) * 1000;
  }
  // Sign-up or log-in during the session, applied when the page loop reaches its time.
  Micros auth_ts = std::numeric_limits<Micros>::max();
  EventType auth_type = kIdentify;
  if (e.flags & kEpSignup) {
    auth_ts = e.ts + Seconds(preroll + (e.extra & 0xffff));
    auth_type = kSignup;
  } else if ((p.flags & kRegistered) && p.signup_ts <= t && !(p.logged_in & bit) && r.Chance(0.45)) {
    auth_ts = t + Seconds(r.Range(10, 150));
  }
  auto do_auth = [&](Micros at) {
    p.logged_in |= bit;
    EventRow& a = AddOnDevice(at, auth_type, who, p, dev);
    a.email = EmailCode(p, r.Chance(0.2));
    if (auth_type == kSignup && r.Chance(0.5)) a.phone = PhoneCode(p, r.Chance(0.5));
    a.channel = channel;
    a.campaign = campaign;
    if (auth_type == kSignup)
      Schedule(Episode{at + Seconds(r.Range(20, 600)), who, kEpWelcomeEmail, 0, 0, 0, 0, 0});
    auth_ts = std::numeric_limits<Micros>::max();
  };

  // Landing page by traffic source.
  auto pick_product = [&](int32_t cat) {
    const auto& list = cat_.category_products[static_cast<size_t>(cat)];
    return static_cast<int32_t>(list[cat_.products_by_category[static_cast<size_t>(cat)].Pick(r)]);
  };
  auto any_category = [&] {
    return r.Chance(0.6) ? static_cast<int32_t>(p.fav_category) : static_cast<int32_t>(r.Below(static_cast<uint32_t>(n_cat)));
  };
  auto product_slot = [&] { return product0 + pick_product(any_category()); };
  auto category_slot = [&] { return kSlotCategory0 + any_category(); };
  auto blog_slot = [&] { return kSlotCategory0 + n_cat + static_cast<int32_t>(r.Below(static_cast<uint32_t>(cat_.n_blog))); };
  int32_t slot;
  {
    const double u = r.Uniform();
    switch (e.channel) {
      case kPaidSearch: slot = u < 0.6 ? product_slot() : u < 0.9 ? category_slot() : kSlotHome; break;
      case kDisplay: slot = u < 0.4 ? kSlotSale : u < 0.75 ? product_slot() : category_slot(); break;
      case kSocial:
        if (ad >= 0) slot = u < 0.4 ? kSlotSale : u < 0.75 ? product_slot() : category_slot();
        else slot = u < 0.5 ? product_slot() : u < 0.8 ? blog_slot() : kSlotHome;
        break;
      case kEmailChannel: slot = u < 0.4 ? kSlotSale : u < 0.7 ? product_slot() : u < 0.9 ? category_slot() : kSlotHome; break;
      case kOrganic: slot = u < 0.45 ? product_slot() : u < 0.65 ? blog_slot() : u < 0.85 ? category_slot() : kSlotHome; break;
      case kReferral: slot = u < 0.5 ? product_slot() : u < 0.7 ? blog_slot() : kSlotHome; break;
      default: slot = u < 0.8 ? kSlotHome : u < 0.9 ? kSlotAccount : product_slot(); break;
    }
  }
  const bool bounce = r.Chance(e.channel == kDisplay || (e.channel == kSocial) ? 0.5 : 0.35);
  const int32_t n_pages = bounce ? 1 : 1 + r.Geometric1(0.6, 30);
  bool carted = false, purchased = false;
  int32_t cart_product = -1, cart_quantity = 1;
  int32_t search_cat = -1;

  for (int32_t k = 0; k < n_pages; ++k) {
    const PageType type = PageOfSlot(slot, n_cat, cat_.n_blog);
    const int32_t url = k == 0 ? LandingUrl(slot, e.utm) : cat_.page_url[static_cast<size_t>(slot)];
    const int32_t page = cat_.page[type];
    const int32_t product = type == kProductPage ? slot - product0 : -1;
    if (t >= auth_ts) do_auth(auth_ts);
    auto on_page = [&](Micros at, EventType et) -> EventRow& {
      EventRow& row = AddOnDevice(at, et, who, p, dev);
      row.url = url;
      row.page = page;
      row.channel = channel;
      row.campaign = campaign;
      return row;
    };
    on_page(t, kPageView);
    if (k == 0 && (e.flags & kEpFirst)) {
      // First visit: the consent banner, one event per purpose.
      p.flags |= kSeen;
      if (p.flags & kBannerAnswered) {
        Micros at = t + r.Range(2000, 20000) * 1000;
        for (int pu = 0; pu < kNumPurposes; ++pu) {
          EventRow& c = on_page(at + pu * 1000, kConsent);
          c.purpose = cat_.purpose[pu];
          c.consent_status = (p.consent_wish >> pu) & 1 ? cat_.granted : cat_.denied;
        }
        p.consent_state = p.consent_wish;
      }
    }
    const Micros dwell = std::clamp<Micros>(static_cast<Micros>(r.LogNormal(30e6, 0.9)), Seconds(3), Minutes(15));
    if (r.Chance(0.3)) {
      const double u = r.Uniform();
      int64_t depth = u < 0.3 ? r.Range(5, 35) : u < 0.8 ? r.Range(35, 85) : r.Range(86, 100);
      if (type == kBlogPage) depth = std::min<int64_t>(100, depth + 15);
      on_page(t + static_cast<Micros>(dwell * (0.3 + 0.6 * r.Uniform())), kScroll).scroll = static_cast<int32_t>(depth);
    }
    if (r.Chance(0.25)) {
      const int32_t n_clicks = r.Geometric1(0.3, 5);
      for (int32_t c = 0; c < n_clicks; ++c) {
        const Hotspot& h = cat_.hotspots[type][cat_.hotspot_pick[type].Pick(r)];
        const double x = std::clamp(h.cx + h.sx * r.Normal(), 0.0, 1.0);
        const double y = std::clamp(h.cy + h.sy * r.Normal(), 0.0, 1.0);
        Micros at = t + static_cast<Micros>(dwell * (0.1 + 0.85 * r.Uniform()));
        EventRow& cl = on_page(at, kClick);
        cl.x = Round4(x);
        cl.y = Round4(y);
        if (r.Chance(0.03)) {  // rage clicks: rapid repeats on the same spot
          const int32_t n_rage = 3 + static_cast<int32_t>(r.Below(4));
          for (int32_t q = 0; q < n_rage; ++q) {
            at += r.Range(120, 400) * 1000;
            EventRow& rc = on_page(at, kClick);
            rc.x = Round4(std::clamp(x + 0.004 * r.Normal(), 0.0, 1.0));
            rc.y = Round4(std::clamp(y + 0.004 * r.Normal(), 0.0, 1.0));
          }
        }
      }
    }
    int32_t next = -1;
    if ((type == kHome || type == kCategoryPage || type == kSearchPage || type == kBlogPage) && r.Chance(0.15)) {
      size_t q = r.Below(static_cast<uint32_t>(cat_.search_query.size()));
      if (r.Chance(0.6))  // prefer a query in the favourite category
        for (size_t tries = 0; tries < 8 && cat_.search_category[q] != p.fav_category; ++tries)
          q = r.Below(static_cast<uint32_t>(cat_.search_query.size()));
      on_page(t + dwell / 2, kSearch).search = cat_.search_query[q];
      search_cat = cat_.search_category[q];
      next = kSlotSearch;
    }
    if (type == kProductPage && !carted && r.Chance(std::min(0.5, p.buy_rate * 4.0))) {
      carted = true;
      cart_product = product;
      cart_quantity = r.Geometric1(0.2, 4);
      EventRow& a = on_page(t + dwell * 8 / 10, kAddToCart);
      a.product = cat_.product_id[static_cast<size_t>(product)];
      a.category = cat_.categories[cat_.product_category[static_cast<size_t>(product)]];
      a.quantity = cart_quantity;
      if (r.Chance(0.55 + p.buy_rate)) {
        // Cart -> checkout -> purchase (or abandonment at checkout).
        // Note: an EventRow& is valid only until the next Add (staging may grow), so values
        // shared by several events are kept in locals.
        const uint8_t pcat = cat_.product_category[static_cast<size_t>(cart_product)];
        const int32_t product_code = cat_.product_id[static_cast<size_t>(cart_product)];
        const int32_t category_code = cat_.categories[pcat];
        const int32_t checkout_url = cat_.page_url[kSlotCheckout];
        const int32_t checkout_page = cat_.page[kCheckoutPage];
        t += dwell;
        if (t >= auth_ts) do_auth(auth_ts);
        EventRow& cv = AddOnDevice(t, kPageView, who, p, dev);
        cv.url = cat_.page_url[kSlotCart];
        cv.page = cat_.page[kCartPage];
        cv.channel = channel;
        cv.campaign = campaign;
        t += Seconds(r.Range(15, 90));
        EventRow& ckv = AddOnDevice(t, kPageView, who, p, dev);
        ckv.url = checkout_url;
        ckv.page = checkout_page;
        ckv.channel = channel;
        ckv.campaign = campaign;
        const bool guest = !(p.logged_in & bit);
        const int32_t email = EmailCode(p, guest && r.Chance(0.25));
        const int32_t phone = r.Chance(0.4) ? PhoneCode(p, r.Chance(0.4)) : kNullCode;
        EventRow& ck = AddOnDevice(t + Seconds(r.Range(5, 60)), kCheckout, who, p, dev);
        ck.url = checkout_url;
        ck.page = checkout_page;
        ck.channel = channel;
        ck.campaign = campaign;
        ck.product = product_code;
        ck.category = category_code;
        ck.quantity = cart_quantity;
        ck.email = email;
        ck.phone = phone;
        t += Seconds(r.Range(30, 240));
        if (r.Chance(0.72)) {
          purchased = true;
          // Order value: log-normal, median by income band, scaled by category price level.
          static constexpr double kBandMedian[kNumIncomeBands] = {38, 52, 68, 90, 135};
          static constexpr double kCategoryLevel[] = {1.55, 0.95, 1.1, 0.77, 1.05, 0.71, 0.55, 0.63, 0.89, 0.71};
          double median = kBandMedian[p.income] * kCategoryLevel[pcat] * ((p.flags & kB2B) ? 2.5 : 1.0);
          double revenue = Round2(r.LogNormal(median, 0.55) * (1.0 + 0.6 * (cart_quantity - 1)));
          char buf[24];
          char* end = AppendUint(AppendStr(buf, "o"), 10'000'000 + order_counter_++);
          const int32_t order = Intern(std::string_view(buf, static_cast<size_t>(end - buf)));
          EventRow& pu = AddOnDevice(t, kPurchase, who, p, dev);
          pu.url = checkout_url;
          pu.page = checkout_page;
          pu.channel = channel;
          pu.campaign = campaign;
          pu.product = product_code;
          pu.category = category_code;
          pu.quantity = cart_quantity;
          pu.email = email;
          pu.phone = phone;
          pu.order = order;
          pu.revenue = revenue;
          EventRow& conf = AddOnDevice(t + Seconds(2), kPageView, who, p, dev);
          conf.url = cat_.page_url[kSlotConfirmation];
          conf.page = cat_.page[kConfirmationPage];
          conf.channel = channel;
          conf.campaign = campaign;
          // Follow-ups of the order.
          const uint32_t oi = static_cast<uint32_t>(orders_.size());
          orders_.push_back(OrderInfo{order, product_code, category_code, cart_quantity, revenue});
          auto follow = [&](EpisodeKind kind, int64_t lo_h, int64_t hi_h) {
            Schedule(Episode{t + Hours(1) * lo_h + r.Range(0, (hi_h - lo_h) * kMicrosPerHour), who, kind, 0, 0, 0, 0, oi});
          };
          if (r.Chance(pcat == 1 ? 0.18 : 0.06)) follow(kEpReturn, 3 * 24, 21 * 24);
          if (r.Chance(0.25)) follow(kEpNps, 6 * 24, 9 * 24);
          if (r.Chance(0.10)) follow(kEpCsat, 2 * 24, 5 * 24);
          if (r.Chance(0.02 + 0.08 * (1.0 - p.satisfaction))) follow(kEpComplaint, 24, 12 * 24);
          if (r.Chance(0.7)) break;
          t += Seconds(5);
        } else {
          break;  // abandoned at checkout
        }
      }
    }
    t += dwell;
    if (next < 0) {
      const double u = r.Uniform();
      switch (type) {
        case kHome: next = u < 0.4 ? category_slot() : u < 0.65 ? product_slot() : u < 0.8 ? kSlotSale : u < 0.9 ? blog_slot() : u < 0.95 ? kSlotAccount : kSlotHelp; break;
        case kCategoryPage: next = u < 0.7 ? product_slot() : u < 0.85 ? category_slot() : u < 0.95 ? kSlotHome : kSlotSale; break;
        case kProductPage: next = u < 0.45 ? product0 + pick_product(cat_.product_category[static_cast<size_t>(product)]) : u < 0.75 ? category_slot() : u < 0.9 ? kSlotHome : product_slot(); break;
        case kSearchPage: next = u < 0.8 && search_cat >= 0 ? product0 + pick_product(search_cat) : product_slot(); break;
        case kBlogPage: next = u < 0.4 ? product_slot() : u < 0.6 ? blog_slot() : kSlotHome; break;
        case kSalePage: next = u < 0.7 ? product_slot() : category_slot(); break;
        default: next = u < 0.5 ? kSlotHome : u < 0.8 ? product_slot() : kSlotHelp; break;
      }
    }
    slot = next;
  }
  if (auth_ts != std::numeric_limits<Micros>::max()) do_auth(std::max(auth_ts, t));
  if (carted && !purchased && (p.flags & kRegistered) && p.signup_ts <= t &&
      (p.consent_state & (1u << kMarketing)) && !(p.flags & kUnsubscribed) && r.Chance(0.5))
    Schedule(Episode{t + Hours(4), who, kEpCartEmail, 0, 0, 0, cat_.utm_cart, 0});
}

}  // namespace cdp::gen
