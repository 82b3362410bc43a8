// Campaign KPIs: conversions credited to campaign touches (sessions that bring a campaign), joined
// with the cost table by channel, campaign and day.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "cdp/kpis.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"
#include "metrics/kpis_internal.hpp"

namespace cdp {

using journeys_internal::StringColumn;
using journeys_internal::TypeCode;
using journeys_internal::TypeFlags;
using kpis_internal::Ratio;

namespace {

constexpr std::array<std::string_view, 3> kByNames = {"channel", "campaign", "day"};

template <typename... Args>
absl::Status Invalid(const Args&... parts) {
  return absl::InvalidArgumentError(Cat("campaign KPIs: ", parts...));
}

bool Has(const std::vector<std::string>& v, std::string_view name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}


}  // namespace

absl::Status ValidateCampaignKpiOptions(const CampaignKpiOptions& o) {
  if (auto m = ParseTouchModel(o.attribution); !m.ok()) return PrefixStatus(m.status(), "campaign KPIs: ");
  for (const std::string& b : o.by) {
    if (std::find(kByNames.begin(), kByNames.end(), b) == kByNames.end())
      return Invalid("unknown breakdown '", b, "' (by takes channel, campaign, day)");
    if (std::count(o.by.begin(), o.by.end(), b) > 1) return Invalid("breakdown '", b, "' is listed twice");
  }
  if (o.lookback <= 0) return Invalid("lookback must be positive");
  if (o.session_gap <= 0) return Invalid("session_gap must be positive");
  if (o.half_life <= 0) return Invalid("half_life must be positive");
  if (!(o.position_first >= 0 && o.position_last >= 0 && o.position_first + o.position_last > 0 &&
        o.position_first + o.position_last <= 1))
    return Invalid("position_first and position_last must be >= 0 with a sum in (0, 1]");
  if (!(o.margin > 0 && o.margin <= 1)) return Invalid("margin must be in (0, 1], got ", o.margin);
  return absl::OkStatus();
}

void CampaignCreditPartial::Merge(CampaignCreditPartial&& o) {
  for (auto& [k, c] : o.cells) {
    CampaignCell& into = cells[k];
    into.conversions += c.conversions, into.new_customers += c.new_customers, into.revenue += c.revenue;
    into.sessions += c.sessions;
  }
  conversions += o.conversions, new_customers += o.new_customers, unattributed += o.unattributed;
  revenue += o.revenue, unattributed_revenue += o.unattributed_revenue;
}

absl::StatusOr<CampaignCreditPartial> RunCampaignCredit(const QueryData& d, int32_t begin, int32_t end,
                                                        const CampaignKpiOptions& o, const Query* where) {
  if (auto st = ValidateCampaignKpiOptions(o); !st.ok()) return st;
  const TouchModel model = *ParseTouchModel(o.attribution);
  const EventColumns& ev = *d.events;
  const Column* campaign = StringColumn(ev, "campaign");
  const Column* channel = StringColumn(ev, "channel");
  if (campaign == nullptr) return Invalid("the events have no text column 'campaign'");
  auto cal = PeriodCalendar::Create("day", o.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "campaign KPIs: ");
  const int32_t conversion = TypeCode(*d.event_dict, o.conversion);
  const std::vector<uint8_t> excluded = TypeFlags(*d.event_dict, o.exclude_types);
  const bool by_day = Has(o.by, "day");
  CampaignCreditPartial out;
  std::vector<uint8_t> pass;
  if (where != nullptr && begin < end)
    if (auto st = where->EvaluateEvents(d, d.event_begin[begin], d.event_begin[end], &pass); !st.ok()) return st;
  const int64_t rb = begin < end ? d.event_begin[begin] : 0;
  struct Touch {
    Micros ts;
    int32_t channel, campaign;
  };
  std::vector<Touch> touches;
  std::vector<Micros> touch_ts;
  std::vector<double> shares;
  AttributionOptions shares_options;
  shares_options.half_life = o.half_life;
  shares_options.position_first = o.position_first, shares_options.position_last = o.position_last;
  for (int32_t p = begin; p < end; ++p) {
    touches.clear();
    Micros last = 0;
    bool any = false, session_touched = false, customer = false;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t type = ev.type[r];
      const Micros ts = ev.ts[r];
      if (!(static_cast<size_t>(type) < excluded.size() && excluded[static_cast<size_t>(type)])) {
        if (!any || ts - last > o.session_gap) session_touched = false;
        any = true;
        last = ts;
        if (!session_touched && campaign->str[r] != kNullCode) {
          session_touched = true;
          const int32_t ch = channel != nullptr ? channel->str[r] : kNullCode;
          touches.push_back({ts, ch, campaign->str[r]});
          out.cells[{ch, campaign->str[r], by_day ? cal->Day(ts) : 0}].sessions += 1;
        }
      }
      if (type != conversion || (!pass.empty() && !pass[static_cast<size_t>(row - rb)])) continue;
      const double value = std::isnan(ev.revenue[r]) ? 0.0 : ev.revenue[r];
      const bool first = !customer;
      customer = true;
      ++out.conversions, out.revenue += value, out.new_customers += first;
      size_t from = 0;
      while (from < touches.size() && ts - touches[from].ts > o.lookback) ++from;
      if (from == touches.size()) {
        ++out.unattributed, out.unattributed_revenue += value;
        touches.clear();
        continue;
      }
      touch_ts.clear();
      for (size_t i = from; i < touches.size(); ++i) touch_ts.push_back(touches[i].ts);
      TouchShares(model, touch_ts.data(), touch_ts.size(), ts, shares_options, shares);
      const int64_t day = by_day ? cal->Day(ts) : 0;
      for (size_t i = 0; i < shares.size(); ++i) {
        const Touch& t = touches[from + i];
        CampaignCell& c = out.cells[{t.channel, t.campaign, day}];
        c.conversions += shares[i], c.revenue += shares[i] * value, c.new_customers += first ? shares[i] : 0;
      }
      touches.clear();
    }
  }
  return out;
}

absl::StatusOr<CampaignCosts> CostsFromTable(const Table& t) {
  CampaignCosts c;
  const size_t n = t.rows();
  auto text = [&](const char* name, std::vector<std::string>& into, bool required) -> absl::Status {
    const Column* col = t.Find(name);
    if (col == nullptr) return required ? Invalid("the cost table has no '", name, "' column") : absl::OkStatus();
    if (col->type != ColumnType::kString) return Invalid("cost column '", name, "' must be text");
    for (size_t r = 0; r < n; ++r) into.emplace_back(col->IsNull(r) ? std::string_view() : t.dict->Get(col->str[r]));
    return absl::OkStatus();
  };
  auto number = [&](const char* name, std::vector<double>& into, bool required) -> absl::Status {
    const Column* col = t.Find(name);
    if (col == nullptr) return required ? Invalid("the cost table has no '", name, "' column") : absl::OkStatus();
    if (col->type != ColumnType::kInt64 && col->type != ColumnType::kDouble)
      return Invalid("cost column '", name, "' must be numeric");
    for (size_t r = 0; r < n; ++r)
      into.push_back(col->IsNull(r) ? std::nan("") : col->type == ColumnType::kInt64 ? static_cast<double>(col->i64[r]) : col->f64[r]);
    return absl::OkStatus();
  };
  if (auto st = text("campaign", c.campaign, true); !st.ok()) return st;
  if (auto st = text("channel", c.channel, false); !st.ok()) return st;
  if (auto st = number("cost", c.cost, true); !st.ok()) return st;
  if (auto st = number("impressions", c.impressions, false); !st.ok()) return st;
  if (auto st = number("clicks", c.clicks, false); !st.ok()) return st;
  if (const Column* date = t.Find("date"); date != nullptr) {
    if (date->type != ColumnType::kInt64) return Invalid("cost column 'date' must be int64 microseconds");
    c.date.assign(date->i64.begin(), date->i64.end());
  }
  return c;
}

namespace {

struct Row {
  double impressions = 0, clicks = 0, cost = 0, conversions = 0, new_customers = 0, revenue = 0;
  int64_t sessions = 0;
  bool has_cost = false, has_impressions = false, has_clicks = false;
};

void AddCells(Row& r, const CampaignCell& c) {
  r.conversions += c.conversions, r.new_customers += c.new_customers, r.revenue += c.revenue, r.sessions += c.sessions;
}

void WriteKpis(Table& t, const Row& r, double margin) {
  auto put = [&](const char* name, double v) { t.Find(name)->f64.push_back(v); };
  put("impressions", r.has_impressions ? r.impressions : std::nan(""));
  put("clicks", r.has_clicks ? r.clicks : std::nan(""));
  put("cost", r.has_cost ? r.cost : std::nan(""));
  t.Find("sessions")->i64.push_back(r.sessions);
  put("conversions", r.conversions);
  put("new_customers", r.new_customers);
  put("revenue", r.revenue);
  const double cost = r.has_cost ? r.cost : std::nan("");
  const double clicks = r.has_clicks ? r.clicks : std::nan("");
  put("ctr", r.has_impressions ? Ratio(clicks, r.impressions) : std::nan(""));
  put("cpc", Ratio(cost, clicks));
  put("cpm", r.has_impressions ? Ratio(cost * 1000, r.impressions) : std::nan(""));
  put("conversion_rate", Ratio(r.conversions, clicks));
  put("cpa", Ratio(cost, r.conversions));
  put("cac", Ratio(cost, r.new_customers));
  put("roas", Ratio(r.revenue, cost));
  put("roi", Ratio(r.revenue * margin - cost, cost));
}

void AddKpiColumns(Table& t) {
  for (const char* name : {"impressions", "clicks", "cost"}) t.Add(name, ColumnType::kDouble);
  t.Add("sessions", ColumnType::kInt64);
  for (const char* name : {"conversions", "new_customers", "revenue", "ctr", "cpc", "cpm", "conversion_rate", "cpa",
                           "cac", "roas", "roi"})
    t.Add(name, ColumnType::kDouble);
}

}  // namespace

absl::StatusOr<CampaignKpiResult> FinishCampaignKpis(const QueryData& d, const CampaignKpiOptions& o,
                                                CampaignCreditPartial&& all, const CampaignCosts& costs) {
  if (auto st = ValidateCampaignKpiOptions(o); !st.ok()) return st;
  auto cal = PeriodCalendar::Create("day", o.time_zone);
  if (!cal.ok()) return PrefixStatus(cal.status(), "campaign KPIs: ");
  const bool by_channel = Has(o.by, "channel"), by_campaign = Has(o.by, "campaign"), by_day = Has(o.by, "day");
  const size_t n = costs.size();
  auto sized = [&](size_t size, bool optional, const char* name) -> absl::Status {
    if (size == n || (optional && size == 0)) return absl::OkStatus();
    return Invalid("cost column '", name, "' has ", size, " rows, campaign has ", n);
  };
  for (auto st : {sized(costs.channel.size(), true, "channel"), sized(costs.date.size(), true, "date"),
                  sized(costs.impressions.size(), true, "impressions"), sized(costs.clicks.size(), true, "clicks"),
                  sized(costs.cost.size(), false, "cost")})
    if (!st.ok()) return st;
  if (by_channel && costs.channel.empty() && n > 0) return Invalid("a breakdown by channel needs a 'channel' cost column");
  if (by_day && costs.date.empty() && n > 0) return Invalid("a breakdown by day needs a 'date' cost column");
  CampaignKpiResult out;
  int64_t clicks_over = 0;
  for (size_t i = 0; i < n; ++i) {
    auto bad = [&](const char* what, double v) { return Invalid("cost row ", i + 1, ": ", what, " ", ShortestDouble(v)); };
    if (!std::isfinite(costs.cost[i]) || costs.cost[i] < 0) return bad("cost must be a finite number >= 0, got", costs.cost[i]);
    if (!costs.impressions.empty() && !(std::isfinite(costs.impressions[i]) && costs.impressions[i] >= 0))
      return bad("impressions must be a finite number >= 0, got", costs.impressions[i]);
    if (!costs.clicks.empty() && !(std::isfinite(costs.clicks[i]) && costs.clicks[i] >= 0))
      return bad("clicks must be a finite number >= 0, got", costs.clicks[i]);
    if (costs.campaign[i].empty()) return Invalid("cost row ", i + 1, ": campaign is empty");
    if (!costs.impressions.empty() && !costs.clicks.empty() && costs.clicks[i] > costs.impressions[i]) ++clicks_over;
  }
  if (clicks_over > 0)
    out.warnings.push_back(Cat(clicks_over, " cost rows report more clicks than impressions; their CTR is above 1"));

  // Rows keyed by text so that costs and events join whatever their dictionaries.
  using Key = std::tuple<std::string, std::string, int64_t>;
  std::map<Key, Row> rows;
  auto key = [&](std::string_view ch, std::string_view camp, int64_t day) {
    return Key(by_channel ? std::string(ch) : std::string(), by_campaign ? std::string(camp) : std::string(), by_day ? day : 0);
  };
  Row total;
  for (size_t i = 0; i < n; ++i) {
    Row& r = rows[key(costs.channel.empty() ? "" : costs.channel[i], costs.campaign[i], costs.date.empty() ? 0 : cal->Day(costs.date[i]))];
    for (Row* x : {&r, &total}) {
      x->cost += costs.cost[i], x->has_cost = true;
      if (!costs.impressions.empty()) x->impressions += costs.impressions[i], x->has_impressions = true;
      if (!costs.clicks.empty()) x->clicks += costs.clicks[i], x->has_clicks = true;
    }
  }
  auto text = [&](int32_t code) { return code == kNullCode ? std::string_view("(none)") : d.event_dict->Get(code); };
  std::vector<std::pair<CampaignCreditPartial::Key, CampaignCell>> cells(all.cells.begin(), all.cells.end());
  for (const auto& [k, c] : cells) {
    AddCells(rows[key(text(k.channel), text(k.campaign), k.day)], c);
    AddCells(total, c);
  }
  // Conversions without a touch belong to no campaign but to the totals.
  total.conversions += static_cast<double>(all.unattributed);
  total.revenue += all.unattributed_revenue;
  total.new_customers = static_cast<double>(all.new_customers);

  Table& t = out.rows;
  if (by_channel) t.Add("channel", ColumnType::kString);
  if (by_campaign) t.Add("campaign", ColumnType::kString);
  if (by_day) t.Add("date", ColumnType::kInt64);
  AddKpiColumns(t);
  int64_t uncosted = 0, no_impressions = 0, no_conversions = 0;
  for (const auto& [k, r] : rows) {
    if (by_channel) t.AppendString(*t.Find("channel"), std::get<0>(k));
    if (by_campaign) t.AppendString(*t.Find("campaign"), std::get<1>(k));
    if (by_day) t.Find("date")->i64.push_back(cal->Start(std::get<2>(k)));
    WriteKpis(t, r, o.margin);
    uncosted += !r.has_cost;
    no_impressions += r.has_impressions && r.impressions == 0;
    no_conversions += r.has_cost && r.cost > 0 && r.conversions == 0;
  }
  AddKpiColumns(out.totals);
  WriteKpis(out.totals, total, o.margin);
  if (uncosted > 0)
    out.warnings.push_back(Cat(uncosted, " rows have conversions or sessions but no cost row (e.g. email or organic "
                                         "campaigns): their cost, CTR, CPC, CPM, CPA, CAC, ROAS and ROI are null"));
  if (no_impressions > 0) out.warnings.push_back(Cat(no_impressions, " rows have 0 impressions: their CTR and CPM are null"));
  if (no_conversions > 0)
    out.warnings.push_back(Cat(no_conversions, " rows have cost but no attributed conversion: their CPA is null"));
  if (all.unattributed > 0)
    out.warnings.push_back(Cat(all.unattributed, " of ", all.conversions, " conversions had no campaign touch in the ",
                               o.lookback / kMicrosPerDay, "-day lookback; they count in the totals only"));
  out.conversions = all.conversions, out.unattributed_conversions = all.unattributed;
  out.new_customers = all.new_customers, out.revenue = all.revenue, out.unattributed_revenue = all.unattributed_revenue;
  return out;
}

}  // namespace cdp
