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

static void test_experiments(void) {
  cdp_result* r = NULL;
  double v = 0;
  int64_t k = -1;
  /* 120/1000 vs 150/1000: pooled z = 1.963049807622355, p = 0.04964038686536878 (scipy.stats.norm on
   * the pooled standard error, statsmodels' proportions_ztest definition). */
  CHECK(cdp_exp_proportions_ztest(120, 1000, 150, 1000, NULL, 0.05, &r) == CDP_OK);
  CHECK(cdp_result_double(r, "statistic", &v) == CDP_OK && near(v, 1.963049807622355));
  CHECK(cdp_result_double(r, "p_value", &v) == CDP_OK && fabs(v - 0.04964038686536878) < 1e-12);
  cdp_result_destroy(r);
  CHECK(cdp_exp_proportions_ztest(11, 10, 1, 10, NULL, 0.05, &r) == CDP_ERR_INVALID_ARGUMENT && r == NULL);
  {
    /* scipy.stats.ttest_ind(b, a, equal_var=False): t = 1.866277899263374, p = 0.11499016052991887. */
    const double a[] = {1, 2, 3, 4, 5}, b[] = {2, 4, 6, 8, 11};
    CHECK(cdp_exp_welch_ttest(a, 5, b, 5, "two-sided", 0.05, &r) == CDP_OK);
    CHECK(cdp_result_double(r, "statistic", &v) == CDP_OK && near(v, 1.866277899263374));
    CHECK(cdp_result_double(r, "p_value", &v) == CDP_OK && fabs(v - 0.11499016052991887) < 1e-9);
    cdp_result_destroy(r);
  }
  {
    /* scipy.stats.chisquare([5000, 5200]): 3.9215686274509802, p = 0.0476703806561615. */
    const int64_t counts[] = {5000, 5200};
    CHECK(cdp_exp_srm(counts, NULL, 2, 0.001, &r) == CDP_OK);
    CHECK(cdp_result_double(r, "statistic", &v) == CDP_OK && near(v, 3.9215686274509802));
    CHECK(cdp_result_double(r, "p_value", &v) == CDP_OK && fabs(v - 0.0476703806561615) < 1e-12);
    CHECK(cdp_result_int64(r, "mismatch", &k) == CDP_OK && k == 0);
    cdp_result_destroy(r);
  }
  {
    /* Benjamini-Hochberg by hand: sorted 0.01, 0.03, 0.04, 0.2 -> 0.04, 0.06, 0.0533, 0.2, then the
     * running minimum from the top: 0.04, 0.0533, 0.0533, 0.2. */
    const double p[] = {0.01, 0.04, 0.03, 0.2};
    double adj[4];
    CHECK(cdp_exp_adjust_pvalues(p, 4, "bh", adj) == CDP_OK);
    CHECK(near(adj[0], 0.04) && near(adj[1], 0.04 * 4 / 3) && near(adj[2], 0.04 * 4 / 3) && near(adj[3], 0.2));
    CHECK(cdp_exp_adjust_pvalues(p, 4, "sidak", adj) == CDP_ERR_INVALID_ARGUMENT);
  }
  {
    /* Sticky and balanced: the same units get the same variants; about half in each of 2. */
    static char names[2000][8];
    const char* units[2000];
    int32_t first[2000], again[2000];
    int i, ones = 0, same = 1;
    for (i = 0; i < 2000; ++i) {
      snprintf(names[i], sizeof names[i], "u%d", i);
      units[i] = names[i];
    }
    CHECK(cdp_exp_assign("s", "exp1", units, 2000, NULL, 2, first) == CDP_OK);
    CHECK(cdp_exp_assign("s", "exp1", units, 2000, NULL, 2, again) == CDP_OK);
    for (i = 0; i < 2000; ++i) ones += first[i], same &= first[i] == again[i];
    CHECK(same && ones > 900 && ones < 1100);
  }
  CHECK(cdp_exp_sample_size("proportion", 0.10, 0.02, 0.05, 0.8, 1, 0, &r) == CDP_OK);
  CHECK(cdp_result_int64(r, "n_control", &k) == CDP_OK && k == 3841);  /* textbook formula (z_a sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2 / d^2 = 3840.85 for 10% -> 12% */
  cdp_result_destroy(r);
}

static void test_privacy(cdp_workspace* ws) {
  char out[128];
  const char key[20] = {11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11};
  cdp_table* t = NULL;
  int64_t bad = 0, row;
  /* RFC 4231 test case 1: HMAC-SHA256(0x0b x 20, "Hi There"). */
  CHECK(cdp_pseudonym("k1", key, 20, "Hi There", 8, out, sizeof out) == CDP_OK);
  CHECK(strcmp(out, "k1:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") == 0);
  CHECK(cdp_pseudonym("k1", key, 8, "Hi There", 8, out, sizeof out) == CDP_ERR_INVALID_ARGUMENT);
  /* No region and no consent: opt-in default, nobody allowed; u2's grant makes one. */
  CHECK(cdp_set_consent(ws, "user_id:u2", "marketing", "granted", INT64_MIN, "test", "v1") == CDP_OK);
  CHECK(cdp_consent_table(ws, "marketing", &t) == CDP_OK);
  for (row = 0; row < cdp_table_nrows(t); ++row) {
    const int8_t* allowed = NULL;
    const char* k = cdp_table_string(t, cdp_table_column_index(t, "key"), row);
    CHECK(cdp_table_column_bool(t, cdp_table_column_index(t, "allowed"), &allowed) == CDP_OK);
    CHECK(allowed != NULL && allowed[row] == (strcmp(k, "user_id:u2") == 0));
  }
  cdp_table_destroy(t);
  CHECK(cdp_privacy_set(ws, "opt_in_regions", "Germany") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_verify_audit(ws, &bad) == CDP_OK && bad == -1);
}

static void test_churn(void) {
  /* One binary feature with an intercept and no penalty: the fitted probabilities are the group
   * rates (x=0: 1 of 4 churned, x=1: 3 of 4), so intercept = logit(1/4) = -ln 3 and
   * coef = logit(3/4) - logit(1/4) = 2 ln 3 (the maximum-likelihood closed form). */
  const double x[] = {0, 0, 0, 0, 1, 1, 1, 1}, y[] = {0, 0, 0, 1, 1, 1, 1, 0};
  double coef = 0, intercept = 0, auc = 0;
  int32_t converged = 0;
  CHECK(cdp_logistic_fit(x, 8, 1, y, NULL, 0.0, 0, &coef, &intercept, &converged) == CDP_OK);
  CHECK(converged == 1 && fabs(intercept + log(3.0)) < 1e-8 && fabs(coef - 2 * log(3.0)) < 1e-8);
  /* AUC by hand: positives have x = 0,1,1,1, negatives x = 0,0,0,1. Of 16 pairs, 9 rank the positive
   * higher (x=1 vs x=0) and 6 tie (counted half): (9 + 3) / 16 = 0.75. */
  CHECK(cdp_roc_auc(x, y, 8, &auc) == CDP_OK && fabs(auc - 12.0 / 16) < 1e-12);
  {
    const double bad_y[] = {0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(cdp_logistic_fit(x, 8, 1, bad_y, NULL, 1.0, 0, &coef, &intercept, NULL) == CDP_ERR_INVALID_ARGUMENT);
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
  test_experiments();
  test_privacy(ws);
  test_churn();
  cdp_workspace_close(ws);
  return test_result("test_capi_metrics");
}
