// generate_events.cpp — plays the planned episodes in time order (sessions are in
// generate_session.cpp) and writes the events and campaigns tables.
#include <algorithm>
#include <cmath>
#include <limits>

#include "generate_internal.hpp"

namespace cdp::gen {

namespace {
constexpr uint64_t kStreamEpisode = 20, kStreamEmailCampaign = 100;

}  // namespace

EventRow& Generator::Add(Micros ts, EventType type, uint32_t person) {
  if (ts >= end_) {  // past the window: dropped (callers may still fill fields)
    discard_ = template_row_;
    return discard_;
  }
  EventRow& row = staged_.emplace_back(template_row_);
  row.ts = ts;
  row.key = ts;
  if (late_rng_.Chance(late_share_)) {
    // Late arrival: delayed by 1 minute .. 2 days (log-uniform), e.g. offline mobile apps.
    row.key = ts + Seconds(static_cast<int64_t>(std::exp(4.0943 + late_rng_.Uniform() * 7.9641)));
  }
  row.type = cat_.type[type];
  row.person = static_cast<int32_t>(person);
  return row;
}

EventRow& Generator::AddOnDevice(Micros ts, EventType type, uint32_t person, const Person& p,
                                 int device) {
  EventRow& row = Add(ts, type, person);
  row.anon = p.anon[device];
  if (device == 0 && p.reset_day >= 0 && ts >= o_.start + Days(p.reset_day))
    row.anon = p.anon_after_reset;
  row.device = p.device_id[device];
  row.device_type = cat_.device_type[p.device_type[device]];
  if (p.logged_in & (1u << device)) row.user = p.user_id;
  return row;
}

void Generator::Schedule(const Episode& e) {
  if (e.ts >= end_) return;
  dynamic_[static_cast<size_t>((e.ts - o_.start) / kMicrosPerHour)].push_back(e);
}

void Generator::AdImpressions(const Episode& e, Person& p, Rng& r) {
  // Tracked through the ad pixel, only for people who allowed advertising cookies.
  if (!(p.flags & kSeen) || !(p.consent_state & (1u << kAdvertising))) return;
  const int n = 1 + static_cast<int>(r.Below(3));
  Micros t = e.ts;
  for (int k = 0; k < n; ++k) {
    EventRow& row = AddOnDevice(t, kAdImpression, e.person, p, e.device);
    row.channel = cat_.channel[e.channel];
    row.campaign = cat_.utm_campaign[static_cast<size_t>(e.utm)];
    t += Seconds(r.Range(20, 900));
  }
}

void Generator::Social(const Episode& e, Person& p, Rng& r) {
  // Engagement on the brand's social pages, matched by social login (user id) when the person has
  // an account, else by the pixel cookie of their main device.
  const double u = r.Uniform();
  const EventType type = u < 0.6 ? kSocialLike : u < 0.75 ? kSocialShare : kSocialComment;
  EventRow& row = Add(e.ts, type, e.person);
  if ((p.flags & kRegistered) && p.signup_ts <= e.ts) row.user = p.user_id;
  else row.anon = p.anon[0];
  row.channel = cat_.channel[kSocial];
  if (type == kSocialShare) {
    const int32_t n_cat = static_cast<int32_t>(cat_.categories.size());
    const auto& list = cat_.category_products[p.fav_category];
    row.url = cat_.page_url[static_cast<size_t>(kSlotCategory0 + n_cat + cat_.n_blog) + list[r.Below(static_cast<uint32_t>(list.size()))]];
  }
}

void Generator::ConsentChange(const Episode& e, Person& p, Rng& r) {
  // A visit to the privacy settings page that flips one purpose (mostly withdrawals).
  if (!(p.flags & kSeen) || !(p.flags & kBannerAnswered)) return;
  int pu = static_cast<int>(r.Below(kNumPurposes));
  if (p.consent_state && r.Chance(0.7))
    while (!((p.consent_state >> pu) & 1)) pu = static_cast<int>(r.Below(kNumPurposes));
  const int32_t url = cat_.page_url[kSlotAccount], page = cat_.page[kAccountPage],
                channel = cat_.channel[kDirect];
  EventRow& v = AddOnDevice(e.ts, kPageView, e.person, p, 0);
  v.url = url;
  v.page = page;
  v.channel = channel;
  EventRow& c = AddOnDevice(e.ts + Seconds(r.Range(5, 60)), kConsent, e.person, p, 0);
  c.url = url;
  c.page = page;
  c.channel = channel;
  c.purpose = cat_.purpose[pu];
  p.consent_state ^= static_cast<uint8_t>(1u << pu);
  c.consent_status = (p.consent_state >> pu) & 1 ? cat_.granted : cat_.denied;
}

void Generator::EmailSend(uint32_t person, Person& p, Micros ts, int32_t utm, double appeal, Rng& r) {
  EventRow& row = Add(ts, kEmailSent, person);
  row.email = EmailCode(p, false);
  row.channel = cat_.channel[kEmailChannel];
  row.campaign = cat_.utm_campaign[static_cast<size_t>(utm)];
  if (ts < o_.start + Days(p.last_day + 1) && r.Chance(std::min(0.95, p.open_rate * appeal))) {
    Micros delay = std::max<Micros>(Minutes(1), static_cast<Micros>(r.LogNormal(2.5 * kMicrosPerHour, 1.3)));
    Schedule(Episode{ts + delay, person, kEpEmailOpen, 0, 0, 0, utm, static_cast<uint32_t>(appeal * 100)});
  }
}

void Generator::EmailOpen(const Episode& e, Person& p, Rng& r) {
  const int32_t campaign = cat_.utm_campaign[static_cast<size_t>(e.utm)];
  const int32_t channel = cat_.channel[kEmailChannel];
  const int32_t email = EmailCode(p, false);
  EventRow& open = Add(e.ts, kEmailOpen, e.person);  // a row reference dies at the next Add
  open.email = email;
  open.channel = channel;
  open.campaign = campaign;
  if (r.Chance(0.012)) {
    const Micros at = e.ts + Seconds(r.Range(5, 60));
    EventRow& un = Add(at, kEmailUnsubscribe, e.person);
    un.email = email;
    un.channel = channel;
    un.campaign = campaign;
    EventRow& c = Add(at + Seconds(1), kConsent, e.person);
    c.email = email;
    c.channel = channel;
    c.purpose = cat_.purpose[kMarketing];
    c.consent_status = cat_.denied;
    p.flags |= kUnsubscribed;
    p.consent_state &= static_cast<uint8_t>(~(1u << kMarketing));
    return;
  }
  if (!r.Chance(std::min(0.9, p.click_rate * e.extra / 100.0))) return;
  const Micros at = e.ts + Seconds(r.Range(3, 120));
  EventRow& click = Add(at, kEmailClick, e.person);
  click.email = email;
  click.channel = channel;
  click.campaign = campaign;
  click.url = LandingUrl(kSlotSale, e.utm);
  // The click opens the site, usually on the phone.
  uint8_t device = 0;
  for (int k = 0; k < p.n_devices; ++k)
    if (p.device_type[k] == kMobile) { device = static_cast<uint8_t>(k); break; }
  Session(Episode{at + Seconds(1), e.person, kEpSession, device, kEmailChannel, 0, e.utm, 0}, p, r);
}

void Generator::FollowUp(const Episode& e, Person& p, Rng& r) {
  // Order follow-ups (return, surveys, complaint) carry the order's index; emails do not.
  static const OrderInfo kNoOrder{kNullCode, kNullCode, kNullCode, 0, 0.0};
  const OrderInfo& o = e.extra < orders_.size() ? orders_[e.extra] : kNoOrder;
  const bool account = (p.flags & kRegistered) && p.signup_ts <= e.ts;
  switch (e.kind) {
    case kEpReturn: {
      EventRow& row = Add(e.ts, kReturn, e.person);
      if (account) row.user = p.user_id;
      row.email = EmailCode(p, false);
      row.order = o.order_id;
      row.product = o.product;
      row.category = o.category;
      row.quantity = o.quantity;
      row.revenue = -o.revenue;  // refund
      break;
    }
    case kEpNps: {
      EventRow& row = Add(e.ts, kNpsResponse, e.person);
      if (account) row.user = p.user_id;
      row.email = EmailCode(p, false);
      row.channel = cat_.channel[kEmailChannel];
      row.score = static_cast<int32_t>(std::clamp(std::lround(p.satisfaction * 10.0 + 1.6 * r.Normal()), 0L, 10L));
      break;
    }
    case kEpCsat: {
      EventRow& row = Add(e.ts, kCsatResponse, e.person);
      if (account) row.user = p.user_id;
      row.email = EmailCode(p, false);
      row.score = static_cast<int32_t>(std::clamp(std::lround(1.0 + 4.0 * p.satisfaction + 0.8 * r.Normal()), 1L, 5L));
      break;
    }
    case kEpComplaint: {
      EventRow& row = Add(e.ts, kComplaint, e.person);
      if (account) row.user = p.user_id;
      row.email = EmailCode(p, r.Chance(0.3));
      if (r.Chance(0.5)) row.phone = PhoneCode(p, r.Chance(0.5));
      row.order = o.order_id;
      row.category = o.category;
      p.satisfaction *= 0.8f;
      if (r.Chance(0.6))
        Schedule(Episode{e.ts + Hours(r.Range(20, 72)), e.person, kEpCsat, 0, 0, 0, 0, e.extra});
      break;
    }
    case kEpCartEmail:
      if ((p.consent_state & (1u << kMarketing)) && !(p.flags & kUnsubscribed))
        EmailSend(e.person, p, e.ts, cat_.utm_cart, 1.6, r);
      break;
    case kEpWelcomeEmail:
      if ((p.consent_state & (1u << kMarketing)) && !(p.flags & kUnsubscribed))
        EmailSend(e.person, p, e.ts, cat_.utm_welcome, 1.8, r);
      break;
    default: break;
  }
}

void Generator::PlayEpisode(const Episode& e) {
  Person& p = people_[e.person];
  Rng r(o_.seed, kStreamEpisode, Mix64(uint64_t{e.person} * 0x100000001b3ULL ^ static_cast<uint64_t>(e.ts)) ^ e.kind);
  const bool active = e.ts < o_.start + Days(p.last_day + 1);  // churned people stop acting
  switch (e.kind) {
    case kEpSession: if (active) Session(e, p, r); break;
    case kEpAdImpressions: if (active) AdImpressions(e, p, r); break;
    case kEpSocial: if (active) Social(e, p, r); break;
    case kEpConsentChange: if (active) ConsentChange(e, p, r); break;
    case kEpEmailOpen: if (active) EmailOpen(e, p, r); break;
    case kEpCartEmail: case kEpWelcomeEmail: FollowUp(e, p, r); break;
    default: if (active) FollowUp(e, p, r); break;
  }
}

void Generator::EmailCampaignSend(const EmailCampaign& c, int32_t index) {
  const Micros ts0 = o_.start + Days(c.day) + Hours(c.hour);
  const uint8_t marketing = 1u << kMarketing;
  for (uint32_t i = 0; i < people_.size(); ++i) {
    Person& p = people_[i];
    if (!(p.consent_state & marketing) || !(p.flags & kRegistered) || p.signup_ts > ts0 ||
        (p.flags & kUnsubscribed))
      continue;
    Rng r(o_.seed, kStreamEmailCampaign + static_cast<uint64_t>(index), i);
    if (!r.Chance(c.audience)) continue;
    EmailSend(i, p, ts0 + r.Range(0, Minutes(20)), c.utm, c.appeal, r);
  }
}

void Generator::PlayHour(int32_t hour) {
  for (uint32_t k = hour_begin_[static_cast<size_t>(hour)]; k < hour_begin_[static_cast<size_t>(hour) + 1]; ++k)
    PlayEpisode(episodes_[k]);
  for (int32_t ci : email_by_hour_[static_cast<size_t>(hour)])
    EmailCampaignSend(cat_.email_campaigns[static_cast<size_t>(ci)], ci);
  std::vector<Episode>& dyn = dynamic_[static_cast<size_t>(hour)];
  for (size_t k = 0; k < dyn.size(); ++k) {  // may grow while playing
    const Episode e = dyn[k];
    PlayEpisode(e);
  }
  std::vector<Episode>().swap(dyn);
  Flush(o_.start + Hours(hour + 1));
}

void Generator::MaybeJunk(EventRow& row) {
  if (!junk_rng_.Chance(o_.junk_id_rate)) return;
  // Junk values seen in real trackers: unset JavaScript variables, placeholder emails, the zeroed
  // advertising id. One identifier field of the event is replaced.
  switch (junk_rng_.Below(10)) {
    case 0: row.anon = cat_.junk[0]; break;  // "undefined"
    case 1: row.anon = cat_.junk[1]; break;  // "null"
    case 2: row.anon = cat_.junk[4]; break;  // ""
    case 3: row.user = cat_.junk[2]; break;  // "0"
    case 4: row.user = cat_.junk[1]; break;
    case 5: row.user = cat_.junk[0]; break;
    case 6: row.email = cat_.junk[3]; break;  // "test@test.com"
    case 7: row.email = cat_.junk[1]; break;
    case 8: row.phone = cat_.junk[2]; break;
    default: row.device = cat_.junk[5]; break;  // 00000000-0000-0000-0000-000000000000
  }
}

void Generator::Flush(Micros until) {
  // Rows due now, ordered by (arrival key, generation order). Rows sit in staged_ in generation
  // order, so the index breaks ties; packed as (key - min key) << 26 | index they sort as plain
  // integers (due keys span about an hour, or two days in the final flush).
  order_.clear();
  Micros base = std::numeric_limits<Micros>::max(), top = std::numeric_limits<Micros>::min();
  for (uint32_t i = 0; i < staged_.size(); ++i)
    if (staged_[i].key < until) {
      base = std::min(base, staged_[i].key);
      top = std::max(top, staged_[i].key);
      order_.push_back(i);
    }
  const size_t m = order_.size();
  if (m == 0) return;
  if (static_cast<uint64_t>(top - base) < (uint64_t{1} << 38) && staged_.size() < (size_t{1} << 26)) {
    packed_.resize(m);
    for (size_t j = 0; j < m; ++j)
      packed_[j] = static_cast<uint64_t>(staged_[order_[j]].key - base) << 26 | order_[j];
    std::sort(packed_.begin(), packed_.end());
    for (size_t j = 0; j < m; ++j) order_[j] = static_cast<uint32_t>(packed_[j] & ((uint64_t{1} << 26) - 1));
  } else {
    std::stable_sort(order_.begin(), order_.end(),
                     [&](uint32_t a, uint32_t b) { return staged_[a].key < staged_[b].key; });
  }

  // Append m rows: grow every column once, then write through raw pointers.
  const size_t row0 = c_ts_->i64.size();
  Column* all[] = {c_event_id_, c_type_, c_ts_, c_anon_, c_user_, c_email_, c_phone_, c_device_,
                   c_channel_, c_campaign_, c_revenue_, c_url_, c_page_, c_device_type_, c_x_, c_y_,
                   c_scroll_, c_search_, c_product_, c_category_, c_quantity_, c_order_, c_score_,
                   c_purpose_, c_consent_, c_person_};
  for (Column* c : all) c->Resize(row0 + m);
  int64_t* event_id = c_event_id_->i64.data() + row0;
  int32_t* type = c_type_->str.data() + row0;
  int64_t* ts = c_ts_->i64.data() + row0;
  int32_t* anon = c_anon_->str.data() + row0;
  int32_t* user = c_user_->str.data() + row0;
  int32_t* email = c_email_->str.data() + row0;
  int32_t* phone = c_phone_->str.data() + row0;
  int32_t* device = c_device_->str.data() + row0;
  int32_t* channel = c_channel_->str.data() + row0;
  int32_t* campaign = c_campaign_->str.data() + row0;
  double* revenue = c_revenue_->f64.data() + row0;
  int32_t* url = c_url_->str.data() + row0;
  int32_t* page = c_page_->str.data() + row0;
  int32_t* device_type = c_device_type_->str.data() + row0;
  double* x = c_x_->f64.data() + row0;
  double* y = c_y_->f64.data() + row0;
  int64_t* scroll = c_scroll_->i64.data() + row0;
  int32_t* search = c_search_->str.data() + row0;
  int32_t* product = c_product_->str.data() + row0;
  int32_t* category = c_category_->str.data() + row0;
  int64_t* quantity = c_quantity_->i64.data() + row0;
  int32_t* order = c_order_->str.data() + row0;
  int64_t* score = c_score_->i64.data() + row0;
  int32_t* purpose = c_purpose_->str.data() + row0;
  int32_t* consent = c_consent_->str.data() + row0;
  int64_t* person = c_person_->i64.data() + row0;
  auto i64 = [](int32_t v) { return v == kNoInt ? kNullInt64 : int64_t{v}; };
  const int n_ads = static_cast<int>(cat_.ad_campaign.size());
  const int32_t ad_click = cat_.type[kAdClick], ad_impression = cat_.type[kAdImpression];
  // Event ids: 24 bits from the seed above the row number, so ids are unique within a data set
  // and data sets of different seeds rarely share one. Integers, not strings: millions of
  // distinct ids would otherwise fill the string dictionary.
  const int64_t id_base = static_cast<int64_t>(id_key_ & 0xFFFFFF) << 38;
  for (size_t j = 0; j < m; ++j) {
    EventRow& row = staged_[order_[j]];
    MaybeJunk(row);
    event_id[j] = id_base | static_cast<int64_t>(row0 + j);
    type[j] = row.type;
    ts[j] = row.ts;
    anon[j] = row.anon;
    user[j] = row.user;
    email[j] = row.email;
    phone[j] = row.phone;
    device[j] = row.device;
    channel[j] = row.channel;
    campaign[j] = row.campaign;
    revenue[j] = row.revenue;
    url[j] = row.url;
    page[j] = row.page;
    device_type[j] = row.device_type;
    x[j] = row.x;
    y[j] = row.y;
    scroll[j] = i64(row.scroll);
    search[j] = row.search;
    product[j] = row.product;
    category[j] = row.category;
    quantity[j] = i64(row.quantity);
    order[j] = row.order;
    score[j] = i64(row.score);
    purpose[j] = row.purpose;
    consent[j] = row.consent_status;
    person[j] = row.person;
    if ((row.type == ad_click || row.type == ad_impression) && row.campaign >= 0 &&
        static_cast<size_t>(row.campaign) < cat_.ad_of_campaign_code.size()) {
      const int ad = cat_.ad_of_campaign_code[static_cast<size_t>(row.campaign)];
      if (ad >= 0) {
        const size_t cell = static_cast<size_t>((row.ts - o_.start) / kMicrosPerDay) * n_ads + ad;
        ++(row.type == ad_click ? ad_clicks_ : ad_impressions_)[cell];
      }
    }
  }
  if (m == staged_.size()) {
    staged_.clear();
    return;
  }
  keep_.clear();
  for (const EventRow& row : staged_)
    if (row.key >= until) keep_.push_back(row);
  staged_.swap(keep_);
}

void Generator::BuildCampaignsTable() {
  Table& t = out_->campaigns;
  Column& date = t.Add("date", ColumnType::kInt64);
  Column& channel = t.Add("channel", ColumnType::kString);
  Column& campaign = t.Add("campaign", ColumnType::kString);
  Column& impressions = t.Add("impressions", ColumnType::kInt64);
  Column& clicks = t.Add("clicks", ColumnType::kInt64);
  Column& cost = t.Add("cost", ColumnType::kDouble);
  int na = 0;
  const AdCampaignInfo* ads = AdCampaigns(&na);
  for (int32_t day = 0; day < o_.days; ++day) {
    for (int a = 0; a < na; ++a) {
      const double f = (day + 0.5) / o_.days;
      const size_t cell = static_cast<size_t>(day) * na + a;
      // A row per active day, and for spill-over events just past a campaign's last day.
      if ((f < ads[a].from_frac || f >= ads[a].to_frac) && ad_clicks_[cell] == 0 && ad_impressions_[cell] == 0)
        continue;
      const int64_t n_clicks = ad_clicks_[cell];
      // Platform-reported impressions include people outside the tracked population; they are
      // never fewer than the tracked ad_impression events.
      Rng r(o_.seed, 60, cell);
      const int64_t platform = std::llround((static_cast<double>(n_clicks) + 0.5) / ads[a].ctr * (0.85 + 0.3 * r.Uniform()));
      const int64_t n_imp = std::max(platform, ad_impressions_[cell]);
      const double c = ads[a].cpc > 0 ? n_clicks * ads[a].cpc * (0.85 + 0.3 * r.Uniform())
                                      : n_imp / 1000.0 * ads[a].cpm * (0.9 + 0.2 * r.Uniform());
      date.i64.push_back(o_.start + Days(day));
      channel.str.push_back(cat_.channel[ads[a].channel]);
      campaign.str.push_back(cat_.ad_campaign[static_cast<size_t>(a)]);
      impressions.i64.push_back(n_imp);
      clicks.i64.push_back(n_clicks);
      cost.f64.push_back(Round2(c));
    }
  }
}

}  // namespace cdp::gen
