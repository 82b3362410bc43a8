// Sessions: one pass over each profile's events, a new session at every gap longer than the
// inactivity limit (and optionally at local midnight or a campaign change).
#include <algorithm>
#include <array>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::StringColumn;
using journeys_internal::TypeCode;
using journeys_internal::TypeFlags;
using journeys_internal::UrlHost;
using journeys_internal::UrlParam;
using journeys_internal::UrlPath;

void SessionRows::Append(const SessionRows& o) {
  auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(profile, o.profile), cat(number, o.number), cat(start, o.start), cat(end, o.end);
  cat(events, o.events), cat(page_views, o.page_views), cat(first_row, o.first_row);
  cat(first_page_row, o.first_page_row), cat(last_page_row, o.last_page_row), cat(source_row, o.source_row);
}

namespace {

// The campaign an event brings (utm_campaign column, the url's utm_campaign, or the campaign
// column), memoized by url code; empty when none.
class CampaignOf {
 public:
  explicit CampaignOf(const EventColumns& ev, const StringDictionary& dict)
      : dict_(dict), utm_(StringColumn(ev, "utm_campaign")), url_(StringColumn(ev, "url")),
        campaign_(StringColumn(ev, "campaign")) {}
  std::string_view operator()(int64_t row) {
    const size_t r = static_cast<size_t>(row);
    if (utm_ && utm_->str[r] != kNullCode) return dict_.Get(utm_->str[r]);
    if (url_ && url_->str[r] != kNullCode) {
      const int32_t code = url_->str[r];
      auto [it, fresh] = memo_.try_emplace(code);
      if (fresh) it->second = UrlParam(dict_.Get(code), "utm_campaign");
      if (!it->second.empty()) return it->second;
    }
    if (campaign_ && campaign_->str[r] != kNullCode) return dict_.Get(campaign_->str[r]);
    return {};
  }

 private:
  const StringDictionary& dict_;
  const Column *utm_, *url_, *campaign_;
  absl::flat_hash_map<int32_t, std::string> memo_;
};

}  // namespace

namespace {

// One pass over the events of profiles [begin, end), calling sink.Open(profile, row, ts) at the
// first event of each session and sink.Add(row, ts, is_page_view) for every event of it.
template <typename Sink>
absl::Status SessionPass(const QueryData& d, int32_t begin, int32_t end, const SessionOptions& o, Sink& sink) {
  if (o.gap <= 0) return absl::InvalidArgumentError(Cat("sessions: gap must be positive, got ", o.gap, " µs"));
  if (begin < 0 || end < begin || end > d.profiles)
    return absl::InvalidArgumentError(Cat("sessions: profile range [", begin, ", ", end, ") is outside 0..", d.profiles));
  std::optional<TimeParser> zone;
  if (o.split_at_midnight) {
    auto z = TimeParser::Create({.naive_time_zone = o.time_zone});
    if (!z.ok()) return absl::InvalidArgumentError(Cat("sessions: time_zone: ", z.status().message()));
    zone.emplace(*z);
  }
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  // 0: ordinary, 1: page view, 2: excluded (by type code).
  std::vector<uint8_t> kind = TypeFlags(dict, o.exclude_types);
  for (uint8_t& k : kind) k = static_cast<uint8_t>(k * 2);
  if (const int32_t pv = TypeCode(dict, o.page_view_type); pv >= 0) {
    if (static_cast<size_t>(pv) >= kind.size()) kind.resize(static_cast<size_t>(pv) + 1, 0);
    if (kind[static_cast<size_t>(pv)] == 0) kind[static_cast<size_t>(pv)] = 1;
  }
  const size_t n_kinds = kind.size();
  std::optional<CampaignOf> campaign_of;
  if (o.split_on_campaign) campaign_of.emplace(ev, dict);
  const bool plain = !zone && !campaign_of;
  const Micros* ts_col = ev.ts.data();
  const int32_t* type_col = ev.type.data();
  for (int32_t p = begin; p < end; ++p) {
    bool open = false;
    Micros last = 0;
    int64_t day = 0;
    std::string_view campaign;
    for (int64_t r = d.event_begin[p]; r < d.event_begin[p + 1]; ++r) {
      const size_t t = static_cast<size_t>(type_col[r]);
      const uint8_t k = t < n_kinds ? kind[t] : 0;
      if (k == 2) continue;
      const Micros ts = ts_col[r];
      bool fresh = !open || ts - last > o.gap;
      if (!plain) {
        int64_t today = 0;
        if (zone) {
          today = zone->LocalDay(ts);
          fresh = fresh || today != day;
          day = today;
        }
        if (campaign_of) {
          std::string_view c = (*campaign_of)(r);
          fresh = fresh || (!c.empty() && !campaign.empty() && c != campaign);
          if (fresh) campaign = {};
          if (!c.empty() && campaign.empty()) campaign = c;
        }
      }
      if (fresh) sink.Open(p, r, ts), open = true;
      sink.Add(r, ts, k == 1);
      last = ts;
    }
  }
  return absl::OkStatus();
}

// Builds SessionRows (with the rows the session table reads strings from).
class RowsSink {
 public:
  RowsSink(const QueryData& d, size_t guess)
      : dict_(*d.event_dict), url_(StringColumn(*d.events, "url")), referrer_(StringColumn(*d.events, "referrer")),
        utm_source_(StringColumn(*d.events, "utm_source")), channel_(StringColumn(*d.events, "channel")) {
    for (auto* v : {&out.profile, &out.number, &out.events, &out.page_views}) v->reserve(guess);
    for (auto* v : {&out.start, &out.end, &out.first_row, &out.first_page_row, &out.last_page_row, &out.source_row}) v->reserve(guess);
  }
  void Open(int32_t p, int64_t r, Micros ts) {
    number_ = p == profile_ ? number_ + 1 : 1;
    profile_ = p;
    out.profile.push_back(p);
    out.number.push_back(number_);
    out.start.push_back(ts);
    out.end.push_back(ts);
    out.events.push_back(0);
    out.page_views.push_back(0);
    out.first_row.push_back(r);
    out.first_page_row.push_back(-1);
    out.last_page_row.push_back(-1);
    out.source_row.push_back(-1);
    source_rank_ = 0;
  }
  void Add(int64_t r, Micros ts, bool page_view) {
    const size_t s = out.profile.size() - 1;
    out.end[s] = ts;
    ++out.events[s];
    if (page_view) {
      ++out.page_views[s];
      if (out.first_page_row[s] < 0) out.first_page_row[s] = r;
      out.last_page_row[s] = r;
    }
    if (source_rank_ < 2) {  // the first row with utm/referrer, else the first with a channel
      if (const int rank = NamesSource(static_cast<size_t>(r)); rank > source_rank_) out.source_row[s] = r, source_rank_ = rank;
    }
  }
  SessionRows out;

 private:
  // 2: utm columns, a url with utm_ parameters or a referrer; 1: only a channel; 0: nothing.
  int NamesSource(size_t r) {
    if (utm_source_ && utm_source_->str[r] != kNullCode) return 2;
    if (referrer_ && referrer_->str[r] != kNullCode) return 2;
    if (url_ && url_->str[r] != kNullCode) {
      const int32_t code = url_->str[r];
      auto [it, fresh] = url_has_utm_.try_emplace(code, false);
      if (fresh) it->second = dict_.Get(code).find("utm_") != std::string_view::npos;
      if (it->second) return 2;
    }
    return channel_ && channel_->str[r] != kNullCode ? 1 : 0;
  }
  const StringDictionary& dict_;
  const Column *url_, *referrer_, *utm_source_, *channel_;
  absl::flat_hash_map<int32_t, bool> url_has_utm_;
  int32_t profile_ = -1, number_ = 0;
  int source_rank_ = 0;
};

// Totals only: no per-session rows are kept.
class SummarySink {
 public:
  void Open(int32_t p, int64_t, Micros ts) {
    Close();
    s.profiles += p != profile_;
    profile_ = p;
    start_ = last_ = ts;
    pages_ = 0;
    ++s.sessions;
  }
  void Add(int64_t, Micros ts, bool page_view) {
    last_ = ts;
    ++s.events;
    pages_ += page_view;
  }
  void Close() {
    if (profile_ < 0) return;
    s.duration_total += last_ - start_;
    s.page_views += pages_;
    s.bounces += pages_ <= 1;
  }
  SessionSummary s;

 private:
  int32_t profile_ = -1;
  Micros start_ = 0, last_ = 0;
  int64_t pages_ = 0;
};

}  // namespace

absl::StatusOr<SessionRows> Sessionize(const QueryData& d, int32_t begin, int32_t end, const SessionOptions& o) {
  const int64_t rows = begin < end && begin >= 0 && end <= d.profiles ? d.event_begin[end] - d.event_begin[begin] : 0;
  RowsSink sink(d, static_cast<size_t>(rows / 5 + 1));
  if (auto st = SessionPass(d, begin, end, o, sink); !st.ok()) return st;
  return std::move(sink.out);
}

absl::StatusOr<SessionSummary> SummarizeSessions(const QueryData& d, int32_t begin, int32_t end, const SessionOptions& o) {
  SummarySink sink;
  if (auto st = SessionPass(d, begin, end, o, sink); !st.ok()) return st;
  sink.Close();
  return sink.s;
}

void SessionSummary::Merge(SessionSummary&& o) {
  sessions += o.sessions, events += o.events, page_views += o.page_views, bounces += o.bounces;
  duration_total += o.duration_total, profiles += o.profiles;
}

namespace {

bool IsSearchEngine(std::string_view host, std::string* name) {
  static constexpr std::string_view kEngines[] = {"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "naver"};
  for (std::string_view e : kEngines) {
    const size_t at = host.find(e);
    if (at == std::string_view::npos) continue;
    if ((at == 0 || host[at - 1] == '.') && at + e.size() < host.size() && host[at + e.size()] == '.') {
      *name = std::string(e);
      return true;
    }
  }
  return false;
}

// Default channel grouping of a medium (when no channel column says it).
std::string ChannelOfMedium(std::string_view medium) {
  const std::string m = [&] {
    std::string s(medium);
    for (char& ch : s) ch = AsciiLower(ch);
    return s;
  }();
  if (m == "cpc" || m == "ppc" || m == "paid_search" || m == "paidsearch") return "paid_search";
  if (m == "email" || m == "e-mail") return "email";
  if (m == "social" || m == "social-network" || m == "paid_social" || m == "sm") return "social";
  if (m == "organic") return "organic";
  if (m == "referral") return "referral";
  if (m == "display" || m == "cpm" || m == "banner") return "display";
  if (m == "affiliate") return "affiliate";
  if (m == "(none)") return "direct";
  return "other";
}

}  // namespace

Table SessionTable(const QueryData& d, const SessionRows& s) {
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  Table t;
  const size_t n = s.size();
  Column& profile = t.Add("profile", ColumnType::kInt64);
  Column& number = t.Add("session", ColumnType::kInt64);
  Column& start = t.Add("start", ColumnType::kInt64);
  Column& end = t.Add("end", ColumnType::kInt64);
  Column& duration = t.Add("duration_s", ColumnType::kDouble);
  Column& events = t.Add("events", ColumnType::kInt64);
  Column& page_views = t.Add("page_views", ColumnType::kInt64);
  Column& bounce = t.Add("bounce", ColumnType::kBool);
  Column& landing = t.Add("landing_page", ColumnType::kString);
  Column& entry = t.Add("entry_page", ColumnType::kString);
  Column& exit = t.Add("exit_page", ColumnType::kString);
  Column& source = t.Add("source", ColumnType::kString);
  Column& medium = t.Add("medium", ColumnType::kString);
  Column& campaign = t.Add("campaign", ColumnType::kString);
  Column& channel = t.Add("channel", ColumnType::kString);
  Column& device = t.Add("device", ColumnType::kString);
  for (Column* c : {&profile, &number, &start, &end, &events, &page_views}) c->i64.resize(n);
  duration.f64.resize(n);
  bounce.b.resize(n);
  for (Column* c : {&landing, &entry, &exit, &source, &medium, &campaign, &channel, &device}) c->str.assign(n, kNullCode);
  for (size_t i = 0; i < n; ++i) {
    profile.i64[i] = s.profile[i];
    number.i64[i] = s.number[i];
    start.i64[i] = s.start[i];
    end.i64[i] = s.end[i];
    duration.f64[i] = static_cast<double>(s.end[i] - s.start[i]) / 1e6;
    events.i64[i] = s.events[i];
    page_views.i64[i] = s.page_views[i];
    bounce.b[i] = s.page_views[i] <= 1;
  }
  // Strings: the url column's codes map to the table's codes once per distinct value.
  const Column* url = StringColumn(ev, "url");
  if (url == nullptr) url = StringColumn(ev, "page");
  const Column* device_col = StringColumn(ev, "device_type");
  if (device_col == nullptr) device_col = StringColumn(ev, "device");
  absl::flat_hash_map<int32_t, int32_t> full_code, path_code;  // store code -> table code
  auto mapped = [&](absl::flat_hash_map<int32_t, int32_t>& memo, int32_t code, bool path) {
    auto [it, fresh] = memo.try_emplace(code, 0);
    if (fresh) it->second = t.dict->Intern(path ? UrlPath(dict.Get(code)) : dict.Get(code));
    return it->second;
  };
  auto row_value = [&](const Column* c, int64_t row) { return row < 0 || c == nullptr ? kNullCode : c->str[static_cast<size_t>(row)]; };
  for (size_t i = 0; i < n; ++i) {
    if (int32_t u = row_value(url, s.first_page_row[i]); u != kNullCode) {
      landing.str[i] = mapped(full_code, u, false);
      entry.str[i] = mapped(path_code, u, true);
    }
    if (int32_t u = row_value(url, s.last_page_row[i]); u != kNullCode) exit.str[i] = mapped(path_code, u, true);
    if (int32_t v = row_value(device_col, s.first_row[i]); v != kNullCode) device.str[i] = mapped(full_code, v, false);
  }
  // Traffic source: memoized by the codes that decide it.
  const Column* cols[] = {StringColumn(ev, "utm_source"), StringColumn(ev, "utm_medium"), StringColumn(ev, "utm_campaign"),
                          StringColumn(ev, "url"),        StringColumn(ev, "referrer"),   StringColumn(ev, "channel"),
                          StringColumn(ev, "campaign")};
  absl::flat_hash_map<std::array<int32_t, 7>, std::array<int32_t, 4>> memo;
  auto text = [&](int32_t code) { return code == kNullCode ? std::string_view() : dict.Get(code); };
  for (size_t i = 0; i < n; ++i) {
    std::array<int32_t, 7> key;
    for (size_t k = 0; k < 7; ++k) key[k] = row_value(cols[k], s.source_row[i]);
    auto [it, fresh] = memo.try_emplace(key);
    if (fresh) {
      TrafficSource ts;
      const std::string_view u = text(key[3]);
      if (key[0] != kNullCode || key[1] != kNullCode) {
        ts.source = text(key[0]), ts.medium = text(key[1]), ts.campaign = text(key[2]);
      } else if (!u.empty() && (ts.source = UrlParam(u, "utm_source"), ts.medium = UrlParam(u, "utm_medium"),
                                 !ts.source.empty() || !ts.medium.empty())) {
        ts.campaign = UrlParam(u, "utm_campaign");
      } else if (std::string_view ref = text(key[4]); !ref.empty() && UrlHost(ref) != UrlHost(u)) {
        std::string engine;
        const std::string_view host = UrlHost(ref);
        if (IsSearchEngine(host, &engine)) ts.source = engine, ts.medium = "organic";
        else ts.source = host.empty() ? std::string(ref) : std::string(host), ts.medium = "referral";
      } else if (key[5] != kNullCode) {
        ts.source = "(not set)", ts.medium = text(key[5]);
      }
      if (ts.source.empty() && ts.medium.empty()) ts.source = "(direct)", ts.medium = "(none)";
      if (ts.source.empty()) ts.source = "(not set)";
      if (ts.medium.empty()) ts.medium = "(not set)";
      if (ts.campaign.empty() && key[6] != kNullCode) ts.campaign = text(key[6]);
      ts.channel = key[5] != kNullCode ? std::string(text(key[5])) : ChannelOfMedium(ts.medium);
      it->second = {t.dict->Intern(ts.source), t.dict->Intern(ts.medium),
                    ts.campaign.empty() ? kNullCode : t.dict->Intern(ts.campaign), t.dict->Intern(ts.channel)};
    }
    source.str[i] = it->second[0];
    medium.str[i] = it->second[1];
    campaign.str[i] = it->second[2];
    channel.str[i] = it->second[3];
  }
  return t;
}

}  // namespace cdp
