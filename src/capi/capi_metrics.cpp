// The C ABI of metrics: retention, campaign KPIs, web traffic, active users, email, social,
// surveys (one key/value options handle, read by each call), and the CLV models.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/churn.hpp"
#include "cdp/clv.hpp"
#include "cdp/kpis.hpp"
#include "cdp/metrics.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"

struct cdp_metric_options {
  std::vector<std::pair<std::string, std::string>> values;  // in the order set; a later set wins
};
struct cdp_clv_model {
  cdp::ClvModel model;
};

using namespace cdp::capi;

namespace {

// Applies every key/value of `opts` with `set`; the first refused one is the error, naming the call.
template <typename Setter>
absl::Status Apply(const cdp_metric_options* opts, const char* fn, Setter set) {
  if (opts == nullptr) return absl::OkStatus();
  for (const auto& [k, v] : opts->values)
    if (absl::Status st = set(OptionValue{k, v}); !st.ok()) return cdp::PrefixStatus(st, cdp::Cat(fn, ": "));
  return absl::OkStatus();
}

absl::Status Group(std::string* group_by, const OptionValue& v, bool* handled) {
  *handled = v.key == "group_by";
  return *handled ? v.Text(group_by) : absl::OkStatus();
}

std::unique_ptr<cdp_result> TableResult(cdp::KpiTable t) {
  auto r = std::make_unique<cdp_result>();
  r->tables.emplace_back("table", std::move(t.table));
  r->tables.emplace_back("warnings", WarningsTable(t.warnings));
  return r;
}

cdp_status Out(absl::StatusOr<std::unique_ptr<cdp_result>> r, cdp_result** out) {
  if (!r.ok()) return FromQueryStatus(r.status());
  *out = r->release();
  return CDP_OK;
}

template <typename T>
absl::StatusOr<std::unique_ptr<cdp_result>> Tabled(absl::StatusOr<T> r) {
  if (!r.ok()) return r.status();
  return TableResult(*std::move(r));
}

absl::Status SessionKey(cdp::SessionOptions& o, const OptionValue& v, bool* handled) {
  *handled = true;
  if (v.key == "gap") return v.Duration(&o.gap);
  if (v.key == "split_at_midnight") return v.Bool(&o.split_at_midnight);
  if (v.key == "split_on_campaign") return v.Bool(&o.split_on_campaign);
  *handled = false;
  return absl::OkStatus();
}

std::span<const double> Span(const double* p, int64_t n) { return p ? std::span<const double>(p, static_cast<size_t>(n)) : std::span<const double>(); }

}  // namespace

extern "C" {

cdp_status cdp_metric_options_create(cdp_metric_options** out) {
  CDP_API_BEGIN();
  return CreateOptions(out, "cdp_metric_options_create");
  CDP_API_END();
}
cdp_status cdp_metric_options_set(cdp_metric_options* opts, const char* key, const char* value) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(opts != nullptr, "cdp_metric_options_set: opts is NULL");
  CDP_CHECK_ARG(key != nullptr && *key != '\0', "cdp_metric_options_set: key is NULL or empty");
  CDP_CHECK_ARG(value != nullptr, "cdp_metric_options_set: value is NULL");
  opts->values.emplace_back(key, value);
  return CDP_OK;
  CDP_API_END();
}
void cdp_metric_options_destroy(cdp_metric_options* opts) { delete opts; }

cdp_status cdp_retention(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_retention: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_retention: out is NULL");
  *out = nullptr;
  cdp::RetentionOptions o;
  std::string group_by;
  absl::Status st = Apply(opts, "cdp_retention", [&](const OptionValue& v) -> absl::Status {
    bool handled = false;
    if (auto g = Group(&group_by, v, &handled); handled) return g;
    if (v.key == "period") return v.Text(&o.period);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    if (v.key == "cohort_event") return v.Text(&o.cohort_event);
    if (v.key == "return_event") return v.Text(&o.return_event);
    if (v.key == "mode") return v.Text(&o.mode);
    if (v.key == "periods") return v.Int(&o.periods);
    if (v.key == "exclude_types") return v.List(&o.exclude_types);
    return v.Unknown("period, time_zone, cohort_event, return_event, mode, periods, exclude_types, group_by");
  });
  if (!st.ok()) return FromStatus(st);
  auto r = ws->ws->Retention(o, group_by);
  if (!r.ok()) return FromQueryStatus(r.status());
  auto res = std::make_unique<cdp_result>();
  res->tables.emplace_back("cohorts", std::move(r->cohorts));
  res->tables.emplace_back("lifecycle", std::move(r->lifecycle));
  *out = res.release();
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_campaign_kpis(cdp_workspace* ws, const cdp_metric_options* opts, const char* const* channel,
                             const char* const* campaign, const int64_t* date, const double* impressions,
                             const double* clicks, const double* cost, int64_t n, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_campaign_kpis: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_campaign_kpis: out is NULL");
  CDP_CHECK_ARG(n >= 0, "cdp_campaign_kpis: n is negative");
  CDP_CHECK_ARG(n == 0 || (campaign != nullptr && cost != nullptr), "cdp_campaign_kpis: campaign and cost are required");
  *out = nullptr;
  cdp::CampaignKpiOptions o;
  absl::Status st = Apply(opts, "cdp_campaign_kpis", [&](const OptionValue& v) -> absl::Status {
    if (v.key == "conversion") return v.Text(&o.conversion);
    if (v.key == "conversion_where") return v.Text(&o.conversion_where);
    if (v.key == "attribution") return v.Text(&o.attribution);
    if (v.key == "lookback") return v.Duration(&o.lookback);
    if (v.key == "session_gap") return v.Duration(&o.session_gap);
    if (v.key == "half_life") return v.Duration(&o.half_life);
    if (v.key == "position_first") return v.Double(&o.position_first);
    if (v.key == "position_last") return v.Double(&o.position_last);
    if (v.key == "exclude_types") return v.List(&o.exclude_types);
    if (v.key == "by") return v.List(&o.by);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    if (v.key == "margin") return v.Double(&o.margin);
    return v.Unknown("conversion, conversion_where, attribution, lookback, session_gap, half_life, position_first, "
                     "position_last, exclude_types, by, time_zone, margin");
  });
  if (!st.ok()) return FromStatus(st);
  cdp::CampaignCosts costs;
  const size_t rows = static_cast<size_t>(n);
  for (size_t i = 0; i < rows; ++i) {
    CDP_CHECK_ARG(campaign[i] != nullptr, cdp::Cat("cdp_campaign_kpis: campaign[", i, "] is NULL"));
    costs.campaign.emplace_back(campaign[i]);
    if (channel != nullptr) costs.channel.emplace_back(channel[i] ? channel[i] : "");
  }
  if (date != nullptr) costs.date.assign(date, date + rows);
  if (impressions != nullptr) costs.impressions.assign(impressions, impressions + rows);
  if (clicks != nullptr) costs.clicks.assign(clicks, clicks + rows);
  if (cost != nullptr) costs.cost.assign(cost, cost + rows);
  auto r = ws->ws->CampaignKpis(o, costs);
  if (!r.ok()) return FromQueryStatus(r.status());
  auto res = std::make_unique<cdp_result>();
  res->tables.emplace_back("rows", std::move(r->rows));
  res->tables.emplace_back("totals", std::move(r->totals));
  res->tables.emplace_back("warnings", WarningsTable(r->warnings));
  res->ints = {{"conversions", r->conversions}, {"unattributed_conversions", r->unattributed_conversions},
               {"new_customers", r->new_customers}};
  res->doubles = {{"revenue", r->revenue}, {"unattributed_revenue", r->unattributed_revenue}};
  *out = res.release();
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_web_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_web_metrics: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_web_metrics: out is NULL");
  *out = nullptr;
  cdp::WebMetricsOptions o;
  std::string group_by;
  absl::Status st = Apply(opts, "cdp_web_metrics", [&](const OptionValue& v) -> absl::Status {
    bool handled = false;
    if (auto g = Group(&group_by, v, &handled); handled) return g;
    if (auto s = SessionKey(o.sessions, v, &handled); handled) return s;
    if (v.key == "period") return v.Text(&o.period);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    return v.Unknown("period, time_zone, gap, split_at_midnight, split_on_campaign, group_by");
  });
  if (!st.ok()) return FromStatus(st);
  return Out(Tabled(ws->ws->WebMetrics(o, group_by)), out);
  CDP_API_END();
}

cdp_status cdp_active_users(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_active_users: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_active_users: out is NULL");
  *out = nullptr;
  cdp::ActiveUsersOptions o;
  absl::Status st = Apply(opts, "cdp_active_users", [&](const OptionValue& v) -> absl::Status {
    if (v.key == "event") return v.Text(&o.event);
    if (v.key == "exclude_types") return v.List(&o.exclude_types);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    return v.Unknown("event, exclude_types, time_zone");
  });
  if (!st.ok()) return FromStatus(st);
  return Out(Tabled(ws->ws->ActiveUsers(o)), out);
  CDP_API_END();
}

cdp_status cdp_email_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_email_metrics: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_email_metrics: out is NULL");
  *out = nullptr;
  cdp::EmailMetricsOptions o;
  absl::Status st = Apply(opts, "cdp_email_metrics", [&](const OptionValue& v) -> absl::Status {
    if (v.key == "sent") return v.Text(&o.sent);
    if (v.key == "open") return v.Text(&o.open);
    if (v.key == "click") return v.Text(&o.click);
    if (v.key == "unsubscribe") return v.Text(&o.unsubscribe);
    if (v.key == "bounce") return v.Text(&o.bounce);
    if (v.key == "conversion") return v.Text(&o.conversion);
    if (v.key == "conversion_window") return v.Duration(&o.conversion_window);
    if (v.key == "campaign_column") return v.Text(&o.campaign_column);
    return v.Unknown("sent, open, click, unsubscribe, bounce, conversion, conversion_window, campaign_column");
  });
  if (!st.ok()) return FromStatus(st);
  return Out(Tabled(ws->ws->EmailMetrics(o)), out);
  CDP_API_END();
}

cdp_status cdp_social_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_social_metrics: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_social_metrics: out is NULL");
  *out = nullptr;
  cdp::SocialMetricsOptions o;
  absl::Status st = Apply(opts, "cdp_social_metrics", [&](const OptionValue& v) -> absl::Status {
    if (v.key == "engagement_types") return v.List(&o.engagement_types);
    if (v.key == "exclude_types") return v.List(&o.exclude_types);
    if (v.key == "period") return v.Text(&o.period);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    return v.Unknown("engagement_types, exclude_types, period, time_zone");
  });
  if (!st.ok()) return FromStatus(st);
  return Out(Tabled(ws->ws->SocialMetrics(o)), out);
  CDP_API_END();
}

cdp_status cdp_survey(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(ws != nullptr, "cdp_survey: workspace is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_survey: out is NULL");
  *out = nullptr;
  cdp::SurveyOptions o;
  std::string group_by;
  absl::Status st = Apply(opts, "cdp_survey", [&](const OptionValue& v) -> absl::Status {
    bool handled = false;
    if (auto g = Group(&group_by, v, &handled); handled) return g;
    if (v.key == "kind") return v.Text(&o.kind);
    if (v.key == "event") return v.Text(&o.event);
    if (v.key == "score_column") return v.Text(&o.score_column);
    if (v.key == "confidence") return v.Double(&o.confidence);
    if (v.key == "period") return v.Text(&o.period);
    if (v.key == "time_zone") return v.Text(&o.time_zone);
    return v.Unknown("kind, event, score_column, confidence, period, time_zone, group_by");
  });
  if (!st.ok()) return FromStatus(st);
  return Out(Tabled(ws->ws->Survey(o, group_by)), out);
  CDP_API_END();
}

// --- CLV models --------------------------------------------------------------------------------------

cdp_status cdp_clv_fit(const char* model, const double* frequency, const double* recency, const double* T,
                       const double* monetary, const double* weights, int64_t n, cdp_clv_model** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(model != nullptr, "cdp_clv_fit: model is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_clv_fit: out is NULL");
  CDP_CHECK_ARG(n >= 0, "cdp_clv_fit: n is negative");
  *out = nullptr;
  auto kind = cdp::ParseClvModelKind(model);
  if (!kind.ok()) return FromStatus(kind.status());
  cdp::RfmData d{Span(frequency, n), Span(recency, n), Span(T, n), Span(monetary, n), Span(weights, n)};
  auto m = cdp::FitClvModel(*kind, d);
  if (!m.ok()) return FromStatus(cdp::PrefixStatus(m.status(), "cdp_clv_fit: "));
  *out = new cdp_clv_model{*std::move(m)};
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_clv_model_create(const char* model, const double* params, int64_t k, cdp_clv_model** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(model != nullptr && params != nullptr, "cdp_clv_model_create: model or params is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_clv_model_create: out is NULL");
  CDP_CHECK_ARG(k >= 0, "cdp_clv_model_create: k is negative");
  *out = nullptr;
  auto kind = cdp::ParseClvModelKind(model);
  if (!kind.ok()) return FromStatus(kind.status());
  auto m = cdp::MakeClvModel(*kind, std::vector<double>(params, params + k));
  if (!m.ok()) return FromStatus(cdp::PrefixStatus(m.status(), "cdp_clv_model_create: "));
  *out = new cdp_clv_model{*std::move(m)};
  return CDP_OK;
  CDP_API_END();
}

int64_t cdp_clv_model_nparams(const cdp_clv_model* m) { return m ? static_cast<int64_t>(m->model.params.size()) : 0; }
const char* cdp_clv_model_param_name(const cdp_clv_model* m, int64_t i) {
  if (m == nullptr || i < 0 || i >= static_cast<int64_t>(m->model.names.size())) return nullptr;
  return m->model.names[static_cast<size_t>(i)].c_str();
}
double cdp_clv_model_param(const cdp_clv_model* m, int64_t i) {
  if (m == nullptr || i < 0 || i >= static_cast<int64_t>(m->model.params.size())) return std::nan("");
  return m->model.params[static_cast<size_t>(i)];
}
double cdp_clv_model_log_likelihood(const cdp_clv_model* m) { return m ? m->model.log_likelihood : std::nan(""); }
int32_t cdp_clv_model_converged(const cdp_clv_model* m) { return m && m->model.converged ? 1 : 0; }
void cdp_clv_model_destroy(cdp_clv_model* m) { delete m; }

cdp_status cdp_clv_predict(const cdp_clv_model* m, const char* what, double t, const double* frequency,
                           const double* recency, const double* T, const double* monetary, int64_t n, double* out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(m != nullptr, "cdp_clv_predict: model is NULL");
  CDP_CHECK_ARG(what != nullptr, "cdp_clv_predict: what is NULL");
  CDP_CHECK_ARG(out != nullptr || n == 0, "cdp_clv_predict: out is NULL");
  CDP_CHECK_ARG(n >= 0, "cdp_clv_predict: n is negative");
  cdp::RfmData d{Span(frequency, n), Span(recency, n), Span(T, n), Span(monetary, n), {}};
  const std::string_view w(what);
  absl::StatusOr<std::vector<double>> r;
  if (w == "expected_purchases") r = cdp::ConditionalExpectedPurchases(m->model, t, d);
  else if (w == "probability_alive") r = cdp::ProbabilityAlive(m->model, d, t);
  else if (w == "average_value") r = cdp::ConditionalExpectedAverageProfit(m->model, d);
  else return Fail(CDP_ERR_INVALID_ARGUMENT, cdp::Cat("cdp_clv_predict: unknown prediction '", w,
                                                     "' (expected_purchases, probability_alive, average_value)"));
  if (!r.ok()) return FromStatus(cdp::PrefixStatus(r.status(), "cdp_clv_predict: "));
  if (static_cast<int64_t>(r->size()) != n) return Fail(CDP_ERR_INTERNAL, "cdp_clv_predict: result size mismatch");
  std::copy(r->begin(), r->end(), out);
  return CDP_OK;
  CDP_API_END();
}

}  // extern "C"

// --- Churn propensity ----------------------------------------------------------------------------

extern "C" {

cdp_status cdp_logistic_fit(const double* x, int64_t n, int32_t p, const double* y, const double* weights, double l2,
                            int32_t standardize, double* coef, double* intercept, int32_t* converged) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(n >= 0 && p >= 0, "cdp_logistic_fit: n or p is negative");
  CDP_CHECK_ARG(x != nullptr && y != nullptr && coef != nullptr && intercept != nullptr,
                "cdp_logistic_fit: x, y, coef or intercept is NULL");
  cdp::LogisticRegressionOptions o;
  o.l2 = l2;
  o.standardize = standardize != 0;
  if (weights != nullptr) o.sample_weight = std::span<const double>(weights, static_cast<size_t>(n));
  auto m = cdp::FitLogistic(x, n, p, std::span<const double>(y, static_cast<size_t>(n)), o);
  if (!m.ok()) return FromStatus(cdp::PrefixStatus(m.status(), "cdp_logistic_fit: "));
  for (int32_t j = 0; j < p; ++j) coef[j] = m->coef[j];
  *intercept = m->intercept;
  if (converged != nullptr) *converged = m->converged ? 1 : 0;
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_roc_auc(const double* scores, const double* labels, int64_t n, double* out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(n >= 0 && (n == 0 || (scores != nullptr && labels != nullptr)), "cdp_roc_auc: scores or labels is NULL");
  CDP_CHECK_ARG(out != nullptr, "cdp_roc_auc: out is NULL");
  auto a = cdp::RocAuc(std::span<const double>(scores, static_cast<size_t>(n)), std::span<const double>(labels, static_cast<size_t>(n)));
  if (!a.ok()) return FromStatus(cdp::PrefixStatus(a.status(), "cdp_roc_auc: "));
  *out = *a;
  return CDP_OK;
  CDP_API_END();
}

}  // extern "C"
