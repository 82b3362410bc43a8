/* Plain C99 test of the C ABI's metrics (ABI 5), compiled against include/cdp/cdp.h alone:
 * campaign KPIs, retention, web traffic, active users, email, surveys and the CLV models. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

/* By hand: u1 visits from the spring campaign and buys 100 ten minutes later; u2 comes from
 * spring on day 1, from fb on day 3, buys 50 on day 3; u3 buys 10 with no campaign touch. u1
 * answers an NPS survey with 10, u2 with 3. */
static const char kCsv[] =
    "event_id,type,ts,user_id,channel,campaign,revenue,score\n"
    "k1,page_view,2024-03-01T10:00:00Z,u1,paid_search,spring,,\n"
    "k2,purchase,2024-03-01T10:10:00Z,u1,,,100,\n"
    "k3,page_view,2024-03-02T10:00:00Z,u2,paid_search,spring,,\n"
    "k4,page_view,2024-03-04T10:00:00Z,u2,social,fb,,\n"
    "k5,purchase,2024-03-04T10:05:00Z,u2,,,50,\n"
    "k6,page_view,2024-03-03T10:00:00Z,u3,,,,\n"
    "k7,purchase,2024-03-03T10:01:00Z,u3,,,10,\n"
    "k8,nps_response,2024-03-05T10:00:00Z,u1,,,,10\n"
    "k9,nps_response,2024-03-05T10:00:00Z,u2,,,,3\n";

/* The double in `column` of the row whose `key` column equals value (NaN when none). */
static double cell(const cdp_table* t, const char* key, const char* value, const char* column) {
  int64_t kc = cdp_table_column_index(t, key), r;
  for (r = 0; r < cdp_table_nrows(t); ++r) {
    const char* v = cdp_table_string(t, kc, r);
    if (v != NULL && strcmp(v, value) == 0) return table_double(t, column, r);
  }
  return NAN;
}

static int near(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

static void test_campaign_kpis(cdp_workspace* ws) {
  const char* channel[] = {"paid_search", "social"};
  const char* campaign[] = {"spring", "fb"};
  const double impressions[] = {1000, 4000}, clicks[] = {50, 40}, cost[] = {200, 100};
  cdp_metric_options* o = NULL;
  cdp_result* r = NULL;
  cdp_table* rows = NULL;
  int64_t conversions = -1, unattributed = -1;
  CHECK(cdp_metric_options_create(&o) == CDP_OK);
  CHECK(cdp_metric_options_set(o, "by", "campaign") == CDP_OK);
  CHECK(cdp_metric_options_set(o, "attribution", "linear") == CDP_OK);
  CHECK(cdp_campaign_kpis(ws, o, channel, campaign, NULL, impressions, clicks, cost, 2, &r) == CDP_OK);
  CHECK(cdp_result_table(r, "rows", &rows) == CDP_OK);
  /* linear: u1's 100 to spring; u2's 50 split 25/25 -> spring 1.5 conversions, 125 revenue. */
  CHECK(near(cell(rows, "campaign", "spring", "conversions"), 1.5));
  CHECK(near(cell(rows, "campaign", "spring", "revenue"), 125.0));
  CHECK(near(cell(rows, "campaign", "spring", "cpa"), 200 / 1.5));
  CHECK(near(cell(rows, "campaign", "fb", "roas"), 25.0 / 100));
  CHECK(near(cell(rows, "campaign", "fb", "ctr"), 40.0 / 4000));
  CHECK(cdp_result_int64(r, "conversions", &conversions) == CDP_OK && conversions == 3);
  CHECK(cdp_result_int64(r, "unattributed_conversions", &unattributed) == CDP_OK && unattributed == 1);
  cdp_table_destroy(rows);
  cdp_result_destroy(r);
  /* Bad input: a negative cost names the row; an unknown key names the keys there are. */
  {
    const double bad_cost[] = {200, -1};
    r = NULL;
    CHECK(cdp_campaign_kpis(ws, o, channel, campaign, NULL, impressions, clicks, bad_cost, 2, &r) ==
          CDP_ERR_INVALID_ARGUMENT);
    CHECK(r == NULL && strstr(cdp_last_error(), "cost row 2") != NULL);
  }
  CHECK(cdp_metric_options_set(o, "lokback", "30d") == CDP_OK);
  CHECK(cdp_campaign_kpis(ws, o, channel, campaign, NULL, impressions, clicks, cost, 2, &r) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "lokback") != NULL && strstr(cdp_last_error(), "lookback") != NULL);
  cdp_metric_options_destroy(o);
}

static void test_tables(cdp_workspace* ws) {
  cdp_metric_options* o = NULL;
  cdp_result* r = NULL;
  cdp_table* t = NULL;
  /* NPS: one promoter (10), one detractor (3): 0 points. */
  CHECK(cdp_metric_options_create(&o) == CDP_OK);
  CHECK(cdp_metric_options_set(o, "kind", "nps") == CDP_OK);
  CHECK(cdp_survey(ws, o, &r) == CDP_OK);
  CHECK(cdp_result_table(r, "table", &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 1 && near(table_double(t, "nps", 0), 0.0));
  cdp_table_destroy(t);
  cdp_result_destroy(r);
  cdp_metric_options_destroy(o);
  /* Web traffic over everything: 3 visitors, 6 sessions (u1: k1-k2, k8; u2: k3, k4-k5, k9; u3: k6-k7). */
  CHECK(cdp_metric_options_create(&o) == CDP_OK);
  CHECK(cdp_metric_options_set(o, "period", "all") == CDP_OK);
  CHECK(cdp_web_metrics(ws, o, &r) == CDP_OK);
  CHECK(cdp_result_table(r, "table", &t) == CDP_OK);
  CHECK(table_int64(t, "visitors", 0) == 3 && table_int64(t, "sessions", 0) == 6);
  cdp_table_destroy(t);
  cdp_result_destroy(r);
  cdp_metric_options_destroy(o);
  /* Active users: March 1..5, DAU on March 5 = 2 (the two survey answers). */
  CHECK(cdp_active_users(ws, NULL, &r) == CDP_OK);
  CHECK(cdp_result_table(r, "table", &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 5 && table_int64(t, "dau", 4) == 2 && table_int64(t, "wau", 4) == 3);
  cdp_table_destroy(t);
  cdp_result_destroy(r);
  /* Retention by day of the first purchase: three cohorts of one. */
  CHECK(cdp_metric_options_create(&o) == CDP_OK);
  CHECK(cdp_metric_options_set(o, "period", "day") == CDP_OK);
  CHECK(cdp_metric_options_set(o, "cohort_event", "purchase") == CDP_OK);
  CHECK(cdp_retention(ws, o, &r) == CDP_OK);
  CHECK(cdp_result_table(r, "cohorts", &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) > 0 && table_int64(t, "cohort_size", 0) == 1);
  cdp_table_destroy(t);
  cdp_result_destroy(r);
  CHECK(cdp_metric_options_set(o, "period", "fortnight") == CDP_OK);
  CHECK(cdp_retention(ws, o, &r) == CDP_ERR_INVALID_ARGUMENT && r == NULL);
  cdp_metric_options_destroy(o);
}

static void test_clv(void) {
  /* Fader, Hardie & Lee (2005) CDNOW parameters; E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226
   * (Hardie's spreadsheet; ../shared/datasets/README.md). */
  const double params[] = {0.242593, 4.413532, 0.792886, 2.425752};
  const double x[] = {2}, tx[] = {30.43}, T[] = {38.86};
  double ey = 0, alive = 0;
  cdp_clv_model* m = NULL;
  CHECK(cdp_clv_model_create("bgnbd", params, 4, &m) == CDP_OK);
  CHECK(cdp_clv_model_nparams(m) == 4 && strcmp(cdp_clv_model_param_name(m, 0), "r") == 0);
  CHECK(cdp_clv_predict(m, "expected_purchases", 39, x, tx, T, NULL, 1, &ey) == CDP_OK);
  CHECK(fabs(ey - 1.226) < 0.001);
  CHECK(cdp_clv_predict(m, "probability_alive", 0, x, tx, T, NULL, 1, &alive) == CDP_OK);
  CHECK(alive > 0 && alive < 1);
  CHECK(cdp_clv_predict(m, "lifetime", 0, x, tx, T, NULL, 1, &alive) == CDP_ERR_INVALID_ARGUMENT);
  cdp_clv_model_destroy(m);
  {
    /* recency above T is refused with a message naming it. */
    const double bad_tx[] = {40};
    m = NULL;
    CHECK(cdp_clv_fit("bgnbd", x, bad_tx, T, NULL, NULL, 1, &m) == CDP_ERR_INVALID_ARGUMENT && m == NULL);
    CHECK(strstr(cdp_last_error(), "recency") != NULL);
  }
}

int main(void) {
  cdp_workspace* ws = NULL;
  CHECK(cdp_abi_version() >= 5);
  CHECK(cdp_workspace_open(NULL, &ws) == CDP_OK);
  CHECK(cdp_ingest_csv_text(ws, kCsv, (int64_t)strlen(kCsv), NULL, NULL) == CDP_OK);
  test_campaign_kpis(ws);
  test_tables(ws);
  test_clv();
  cdp_workspace_close(ws);
  return test_result("test_capi_metrics");
}
