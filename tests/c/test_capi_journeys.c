/* Plain C99 test of the C ABI's journeys (ABI 4), compiled against include/cdp/cdp.h alone:
 * sessions, funnels, paths, stages, heatmaps, attribution and cdp_result bundles. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capi_test.h"

/* Journey data, by hand. u1: view, add_to_cart, purchase, nps_response (score 10), one minute
 * apart, channel email. u2: view, search, add_to_cart (ads). u3: view (email). u5: three page views
 * at 12:00:00, 12:30:00 (exactly 30 min later) and 13:00:01 (30 min + 1 s later), no channel. */
static const char kJourneyCsv[] =
    "event_id,type,ts,user_id,channel,score\n"
    "j1,view,2024-05-01T10:00:00Z,u1,email,\n"
    "j2,add_to_cart,2024-05-01T10:01:00Z,u1,email,\n"
    "j3,purchase,2024-05-01T10:02:00Z,u1,email,\n"
    "j4,nps_response,2024-05-01T10:03:00Z,u1,email,10\n"
    "j5,view,2024-05-01T10:00:00Z,u2,ads,\n"
    "j6,search,2024-05-01T10:01:00Z,u2,ads,\n"
    "j7,add_to_cart,2024-05-01T10:02:00Z,u2,ads,\n"
    "j8,view,2024-05-01T10:00:00Z,u3,email,\n"
    "j9,page_view,2024-05-02T12:00:00Z,u5,,\n"
    "j10,page_view,2024-05-02T12:30:00Z,u5,,\n"
    "j11,page_view,2024-05-02T13:00:01Z,u5,,\n";

/* First row whose string column equals value; -1 when none. */
static int64_t find_row(const cdp_table* t, const char* column, const char* value) {
  int64_t col = cdp_table_column_index(t, column), r;
  for (r = 0; r < cdp_table_nrows(t); ++r) {
    const char* v = cdp_table_string(t, col, r);
    if (v != NULL && strcmp(v, value) == 0) return r;
  }
  return -1;
}

/* Int64 column as n values into out; 1 when it matches want. */
static int int64_column_is(const cdp_table* t, const char* column, const int64_t* want, int64_t n) {
  const int64_t* d = NULL;
  int64_t i;
  if (cdp_table_nrows(t) != n) return 0;
  if (cdp_table_column_int64(t, cdp_table_column_index(t, column), &d) != CDP_OK) return 0;
  for (i = 0; i < n; ++i)
    if (d[i] != want[i]) return 0;
  return 1;
}

/* Cell `column` of the attribution row (model, channel); NaN when there is none. */
static double attributed(const cdp_table* t, const char* model, const char* channel, const char* column) {
  int64_t mc = cdp_table_column_index(t, "model"), cc = cdp_table_column_index(t, "channel"), r;
  for (r = 0; r < cdp_table_nrows(t); ++r) {
    const char* m = cdp_table_string(t, mc, r);
    const char* c = cdp_table_string(t, cc, r);
    if (m && c && strcmp(m, model) == 0 && strcmp(c, channel) == 0) return table_double(t, column, r);
  }
  return NAN;
}

/* Sessions at the 30-minute edge: a gap of exactly 30 min stays in the session, 30 min + 1 s
 * splits (docs/journeys.md §1). */
static void test_sessions(cdp_workspace* ws, int32_t p5) {
  cdp_session_options* so = NULL;
  cdp_table* t = NULL;
  int64_t r, n5 = 0, events5[4] = {0, 0, 0, 0};
  const int64_t* prof = NULL;

  CHECK(cdp_sessions(ws, NULL, &t) == CDP_OK);
  /* u1, u2, u3 one session each (events a minute apart); u5 two: {12:00, 12:30}, {13:00:01}. */
  CHECK(cdp_table_nrows(t) == 5);
  CHECK(cdp_table_column_int64(t, cdp_table_column_index(t, "profile"), &prof) == CDP_OK);
  for (r = 0; prof != NULL && r < cdp_table_nrows(t); ++r)
    if (prof[r] == p5 && n5 < 4) events5[n5++] = table_int64(t, "events", r);
  CHECK(n5 == 2 && events5[0] == 2 && events5[1] == 1);
  cdp_table_destroy(t);
  t = NULL;

  /* A gap of 1801 s keeps 30 min + 1 s together: u5 has one session of 3 events. */
  CHECK(cdp_session_options_create(&so) == CDP_OK);
  CHECK(cdp_session_options_set(so, "gap", "1801s") == CDP_OK);
  CHECK(cdp_sessions(ws, so, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 4);
  cdp_table_destroy(t);
  t = NULL;
  /* 1799 s: both of u5's gaps split. */
  CHECK(cdp_session_options_set(so, "gap", "1799s") == CDP_OK);
  CHECK(cdp_sessions(ws, so, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 6);
  cdp_table_destroy(t);
  t = NULL;

  /* Bad values and keys are refused at set time, naming the key; the options keep their value. */
  CHECK(cdp_session_options_set(so, "gap", "30") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"gap\"") != NULL);
  CHECK(cdp_session_options_set(so, "split_at_midnight", "maybe") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "split_at_midnight") != NULL);
  CHECK(cdp_session_options_set(so, "gapp", "30m") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown option \"gapp\"") != NULL);
  CHECK(cdp_session_options_set(so, NULL, "30m") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "key") != NULL);
  CHECK(cdp_sessions(ws, so, &t) == CDP_OK && cdp_table_nrows(t) == 6); /* still 1799 s */
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_session_options_set(so, "time_zone", "Mars/Olympus") == CDP_OK);
  CHECK(cdp_sessions(ws, so, &t) == CDP_OK); /* the zone matters only when splitting at midnight */
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_session_options_set(so, "split_at_midnight", "true") == CDP_OK);
  CHECK(cdp_sessions(ws, so, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "time_zone") != NULL);
  CHECK(t == NULL);
  CHECK(cdp_sessions(NULL, so, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "workspace") != NULL);
  CHECK(cdp_sessions(ws, so, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "out") != NULL);
  CHECK(cdp_session_options_create(NULL) == CDP_ERR_INVALID_ARGUMENT);
  cdp_session_options_destroy(so);
  cdp_session_options_destroy(NULL);
}

/* Funnel view > add_to_cart > purchase over kJourneyCsv, counted by hand. */
static void test_funnel(cdp_workspace* ws, int32_t p1, int32_t p2, int32_t p3) {
  const char* steps[] = {"view", "add_to_cart", "purchase"};
  const char* bad_type[] = {"view", "purchse"};
  const char* bad_where[] = {NULL, NULL, "score >"};
  const char* email_where[] = {"channel = 'email'", NULL, NULL};
  const char* search[] = {"search"};
  const char* with_null[] = {"view", NULL};
  const int32_t from1[] = {1}, to2[] = {2};
  const int64_t ordered[] = {3, 2, 1}, strict[] = {3, 1, 1}, excluded[] = {2, 1, 1}, email_only[] = {2, 1, 1};
  const int64_t by_channel[] = {1, 1, 0, 2, 1, 1};
  cdp_funnel_options* fo = NULL;
  cdp_result* res = NULL;
  cdp_segment_result* drop = NULL;
  cdp_table* t = NULL;
  int32_t one[1];
  int64_t v = -1;
  double d = 0;

  CHECK(cdp_funnel_options_create(&fo) == CDP_OK);
  /* No steps: an error naming the step list (also with NULL options), nothing returned. */
  CHECK(cdp_funnel(ws, fo, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "step list is empty") != NULL);
  CHECK(t == NULL);
  CHECK(cdp_funnel(ws, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "step list is empty") != NULL);
  CHECK(cdp_funnel_options_set_steps(fo, NULL, NULL, NULL, 0) == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_ERR_INVALID_ARGUMENT && t == NULL);

  /* Ordered: u1 reaches 3 steps, u2 2 (search between steps is allowed), u3 1: 3, 2, 1.
   * Time from the previous step: step 2 u1 60 s, u2 120 s (median 90); step 3 u1 60 s. */
  CHECK(cdp_funnel_options_set_steps(fo, steps, NULL, NULL, 3) == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", ordered, 3));
  CHECK(table_double(t, "conversion_from_previous", 1) == 2.0 / 3.0);
  CHECK(fabs(table_double(t, "conversion_from_first", 2) - 1.0 / 3.0) < 1e-12);
  CHECK(table_double(t, "median_s_from_previous", 1) == 90.0);
  CHECK(table_double(t, "median_s_from_previous", 2) == 60.0);
  CHECK(isnan(table_double(t, "median_s_from_previous", 0)));
  CHECK(cdp_table_string(t, cdp_table_column_index(t, "label"), 1) != NULL &&
        strcmp(cdp_table_string(t, cdp_table_column_index(t, "label"), 1), "add_to_cart") == 0);
  cdp_table_destroy(t);
  t = NULL;

  /* Strict: the next step must be the very next event; u2's search breaks it: 3, 1, 1. */
  CHECK(cdp_funnel_options_set(fo, "order", "strict") == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", strict, 3));
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_funnel_options_set(fo, "order", "sideways") == CDP_OK); /* checked by the call */
  CHECK(cdp_funnel(ws, fo, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "order must be ordered, strict or any") != NULL);
  CHECK(t == NULL);
  CHECK(cdp_funnel_options_set(fo, "order", "ordered") == CDP_OK);

  /* Exclusion: a search between steps 1 and 2 disqualifies u2: 2, 1, 1 and 1 disqualified. */
  CHECK(cdp_funnel_options_set_exclusions(fo, search, NULL, from1, to2, 1) == CDP_OK);
  CHECK(cdp_funnel_ex(ws, fo, &res) == CDP_OK);
  CHECK(cdp_result_table(res, "steps", &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", excluded, 3));
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_int64(res, "disqualified", &v) == CDP_OK && v == 1);
  cdp_result_destroy(res);
  res = NULL;
  CHECK(cdp_funnel_options_set_exclusions(fo, NULL, NULL, NULL, NULL, 0) == CDP_OK);

  /* Everything of one run: breakdown by channel at step 1 (ads: u2 -> 1, 1, 0; email: u1, u3 ->
   * 2, 1, 1; values sorted), a trend by day (one day), drop-offs as segments. */
  CHECK(cdp_funnel_options_set(fo, "breakdown", "channel") == CDP_OK);
  CHECK(cdp_funnel_options_set(fo, "trend", "day") == CDP_OK);
  CHECK(cdp_funnel_ex(ws, fo, &res) == CDP_OK);
  CHECK(cdp_result_ntables(res) == 4);
  CHECK(cdp_result_table_name(res, 0) != NULL && strcmp(cdp_result_table_name(res, 0), "steps") == 0);
  CHECK(cdp_result_table_name(res, 4) == NULL && cdp_result_table_name(res, -1) == NULL);
  CHECK(cdp_result_table(res, "breakdown", &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", by_channel, 6));
  CHECK(cdp_table_string(t, cdp_table_column_index(t, "value"), 0) != NULL &&
        strcmp(cdp_table_string(t, cdp_table_column_index(t, "value"), 0), "ads") == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_table(res, "trend", &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", ordered, 3));
  CHECK(table_int64(t, "period", 0) == 1714521600LL * SEC); /* date -u -d 2024-05-01 +%s */
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_table(res, "warnings", &t) == CDP_OK && cdp_table_nrows(t) == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_int64(res, "profiles", &v) == CDP_OK && v == 4);
  CHECK(cdp_result_int64(res, "disqualified", &v) == CDP_OK && v == 0);
  CHECK(cdp_result_table(res, "stepz", &t) == CDP_ERR_NOT_FOUND);
  CHECK(strstr(cdp_last_error(), "steps, breakdown, trend, warnings") != NULL);
  CHECK(t == NULL);
  CHECK(cdp_result_double(res, "disqualified", &d) == CDP_ERR_NOT_FOUND);
  /* Drop-off at step k: reached k and no further. Step 1: u3; step 2: u2; step 3 (converted): u1. */
  one[0] = p3;
  CHECK(cdp_funnel_dropoff(res, 1, &drop) == CDP_OK);
  CHECK(members_are(drop, one, 1));
  CHECK(cdp_segment_result_population(drop) == 4);
  CHECK(cdp_segment_result_clock(drop) == 1714654801LL * SEC); /* date -u -d 2024-05-02T13:00:01Z +%s: the latest event */
  cdp_segment_result_destroy(drop);
  drop = NULL;
  one[0] = p2;
  CHECK(cdp_funnel_dropoff(res, 2, &drop) == CDP_OK && members_are(drop, one, 1));
  cdp_segment_result_destroy(drop);
  drop = NULL;
  one[0] = p1;
  CHECK(cdp_funnel_dropoff(res, 3, &drop) == CDP_OK && members_are(drop, one, 1));
  cdp_segment_result_destroy(drop);
  drop = NULL;
  CHECK(cdp_funnel_dropoff(res, 4, &drop) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "step 4 is outside 1..3") != NULL);
  CHECK(cdp_funnel_dropoff(res, 0, &drop) == CDP_ERR_INVALID_ARGUMENT && drop == NULL);
  cdp_result_destroy(res);
  res = NULL;
  CHECK(cdp_funnel_options_set(fo, "breakdown", "") == CDP_OK);
  CHECK(cdp_funnel_options_set(fo, "trend", "") == CDP_OK);

  /* A step condition: only email entrants (u1, u3) at step 1: 2, 1, 1. */
  CHECK(cdp_funnel_options_set_steps(fo, steps, email_where, NULL, 3) == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_OK);
  CHECK(int64_column_is(t, "count", email_only, 3));
  cdp_table_destroy(t);
  t = NULL;

  /* Errors: a condition that does not compile is a parse error with line and column; an unknown
   * event type names the nearest one; a NULL step names its index. */
  CHECK(cdp_funnel_options_set_steps(fo, steps, bad_where, NULL, 3) == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "step 3 condition: line 1, column") != NULL);
  CHECK(t == NULL);
  CHECK(cdp_funnel_options_set_steps(fo, bad_type, NULL, NULL, 2) == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown event type 'purchse'") != NULL);
  CHECK(strstr(cdp_last_error(), "did you mean 'purchase'") != NULL);
  CHECK(cdp_funnel_ex(ws, fo, &res) == CDP_ERR_INVALID_ARGUMENT && res == NULL);
  CHECK(cdp_funnel_options_set_steps(fo, with_null, NULL, NULL, 2) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "events[1] is NULL") != NULL);
  CHECK(cdp_funnel_options_set_steps(fo, steps, NULL, NULL, -1) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n is negative") != NULL);
  CHECK(cdp_funnel_options_set_steps(fo, NULL, NULL, NULL, 2) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "events is NULL") != NULL);
  CHECK(cdp_funnel_options_set(fo, "window", "a month") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"window\"") != NULL);
  CHECK(cdp_funnel_options_set(fo, "since", "yesterday") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"since\"") != NULL);
  CHECK(cdp_funnel_options_set(fo, "windw", "30d") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "windw") != NULL);
  CHECK(cdp_funnel(NULL, fo, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "workspace") != NULL);
  CHECK(cdp_funnel(ws, fo, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "steps_out") != NULL);
  CHECK(cdp_funnel_dropoff(NULL, 1, &drop) == CDP_ERR_INVALID_ARGUMENT);

  /* since after the last step 1 (2024-05-01T10:00Z): nobody enters; until before it likewise. */
  CHECK(cdp_funnel_options_set_steps(fo, steps, NULL, NULL, 3) == CDP_OK);
  CHECK(cdp_funnel_options_set(fo, "since", "2024-05-01T10:00:01Z") == CDP_OK);
  CHECK(cdp_funnel(ws, fo, &t) == CDP_OK && table_int64(t, "count", 0) == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_funnel_options_set(fo, "since", "") == CDP_OK);
  CHECK(cdp_funnel_options_set(fo, "until", "1714557600000000") == CDP_OK); /* 10:00:00Z in µs */
  CHECK(cdp_funnel(ws, fo, &t) == CDP_OK && table_int64(t, "count", 0) == 3);
  cdp_table_destroy(t);
  cdp_funnel_options_destroy(fo);
  cdp_funnel_options_destroy(NULL);
}

/* Paths from "view" (depth 3), stages (default and custom models), attribution of the purchase. */
static void test_paths_stages_attribution(cdp_workspace* ws) {
  cdp_path_options* po = NULL;
  cdp_touch_options* to = NULL;
  cdp_attribution_options* ao = NULL;
  cdp_result* res = NULL;
  cdp_table* t = NULL;
  int64_t v = -1, r;
  const char* names[] = {"visitor", "shopper"};
  const char* events[] = {"*", "add_to_cart"};
  const char* bad_where[] = {NULL, "score >="};
  const char* bad_event[] = {"*", "add_to_kart"};
  const int32_t twice[] = {1, 2};
  /* Default model by hand: entered awareness 4 (everyone), consideration 2 (u1, u2), purchase 1,
   * retention 0 (nobody bought twice), advocacy 1 (u1's nps 10); current: awareness u3, u5;
   * consideration u2; advocacy u1. */
  const int64_t entered[] = {4, 2, 1, 0, 1}, current[] = {2, 1, 0, 0, 1};
  const int64_t custom_current[] = {2, 2}, twice_current[] = {4, 0};

  /* Paths: sessions with a view give u1 "view > add_to_cart > purchase", u2 "view > search >
   * add_to_cart", u3 "view": 3 paths of 1 each. */
  CHECK(cdp_path_options_create(&po) == CDP_OK);
  CHECK(cdp_path_options_set(po, "start", "view") == CDP_OK);
  CHECK(cdp_path_options_set(po, "depth", "3") == CDP_OK);
  CHECK(cdp_paths(ws, po, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 3);
  r = find_row(t, "path", "view > add_to_cart > purchase");
  CHECK(r >= 0 && table_int64(t, "count", r) == 1);
  CHECK(find_row(t, "path", "view > search > add_to_cart") >= 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_paths_ex(ws, po, &res) == CDP_OK);
  CHECK(cdp_result_int64(res, "paths", &v) == CDP_OK && v == 3);
  CHECK(cdp_result_table(res, "transitions", &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 4); /* view>add_to_cart, add_to_cart>purchase, view>search, search>add_to_cart */
  cdp_table_destroy(t);
  t = NULL;
  { /* a paths result has no drop-offs */
    cdp_segment_result* drop = NULL;
    CHECK(cdp_funnel_dropoff(res, 1, &drop) == CDP_ERR_INVALID_ARGUMENT && drop == NULL);
    CHECK(strstr(cdp_last_error(), "not from cdp_funnel_ex") != NULL);
  }
  cdp_result_destroy(res);
  res = NULL;
  CHECK(cdp_path_options_set(po, "depth", "0") == CDP_OK);
  CHECK(cdp_paths(ws, po, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "depth") != NULL && t == NULL);
  CHECK(cdp_path_options_set(po, "depth", "three") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"depth\"") != NULL);
  cdp_path_options_destroy(po);

  /* Stages, default model. */
  CHECK(cdp_stages(ws, NULL, NULL, NULL, NULL, 0, 8, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 5);
  CHECK(int64_column_is(t, "entered", entered, 5));
  CHECK(int64_column_is(t, "current", current, 5));
  CHECK(cdp_table_string(t, 0, 4) != NULL && strcmp(cdp_table_string(t, 0, 4), "advocacy") == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_stages_ex(ws, NULL, NULL, NULL, NULL, 0, 8, &res) == CDP_OK);
  CHECK(cdp_result_table(res, "over_time", &t) == CDP_OK && cdp_table_nrows(t) == 8 * 5);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_table(res, "profiles", &t) == CDP_OK && cdp_table_nrows(t) == 4);
  cdp_table_destroy(t);
  t = NULL;
  cdp_result_destroy(res);
  res = NULL;
  /* Custom model: visitor (any event), shopper (add_to_cart): 2 and 2; with min_count 2 for
   * shopper nobody qualifies (one add_to_cart each). */
  CHECK(cdp_stages(ws, names, events, NULL, NULL, 2, 0, &t) == CDP_OK);
  CHECK(int64_column_is(t, "current", custom_current, 2));
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_stages(ws, names, events, NULL, twice, 2, 0, &t) == CDP_OK);
  CHECK(int64_column_is(t, "current", twice_current, 2));
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_stages(ws, names, events, bad_where, NULL, 2, 0, &t) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "stage 'shopper' condition: line 1, column") != NULL && t == NULL);
  CHECK(cdp_stages(ws, names, bad_event, NULL, NULL, 2, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown event type 'add_to_kart'") != NULL);
  CHECK(cdp_stages(ws, names, NULL, NULL, NULL, 2, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "events is NULL") != NULL);
  CHECK(cdp_stages(ws, names, events, NULL, NULL, -1, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n_stages is negative") != NULL);
  CHECK(cdp_stages(ws, NULL, NULL, NULL, NULL, 0, 1001, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "snapshots") != NULL && t == NULL);

  /* Attribution: one touch per session (its first channel). u1's email session converts; u2 (ads)
   * and u3 (email) are journeys without a conversion; u5 has no channel. first: email 1, ads 0.
   * markov: P(conversion) = 2/3 * 1/2; without email 0 (effect 1), without ads unchanged (0). */
  CHECK(cdp_touch_options_create(&to) == CDP_OK);
  CHECK(cdp_touch_options_set(to, "channel_column", "channel") == CDP_OK);
  CHECK(cdp_touch_options_set(to, "lookback", "30d") == CDP_OK);
  CHECK(cdp_attribution(ws, to, "first,markov", NULL, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 4);
  CHECK(attributed(t, "first", "email", "conversions") == 1.0);
  CHECK(attributed(t, "first", "ads", "conversions") == 0.0);
  CHECK(fabs(attributed(t, "markov", "email", "conversions") - 1.0) < 1e-12);
  CHECK(fabs(attributed(t, "markov", "ads", "conversions")) < 1e-12);
  CHECK(fabs(attributed(t, "markov", "email", "removal_effect") - 1.0) < 1e-12);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_attribution(ws, NULL, NULL, NULL, &t) == CDP_OK); /* defaults: 5 models x 2 channels */
  CHECK(cdp_table_nrows(t) == 10);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_attribution(ws, to, "fist", NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "fist") != NULL && t == NULL);
  CHECK(cdp_touch_options_set(to, "conversion_where", "revenue >") == CDP_OK);
  CHECK(cdp_attribution(ws, to, NULL, NULL, &t) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "line 1, column") != NULL && t == NULL);
  CHECK(cdp_touch_options_set(to, "conversion_where", "") == CDP_OK);
  CHECK(cdp_touch_options_set(to, "conversion", "purchse") == CDP_OK);
  CHECK(cdp_attribution(ws, to, NULL, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown conversion event type 'purchse'") != NULL);
  CHECK(cdp_touch_options_set(to, "lookback", "forever") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"lookback\"") != NULL);
  CHECK(cdp_attribution_options_create(&ao) == CDP_OK);
  CHECK(cdp_attribution_options_set(ao, "markov_order", "x") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"markov_order\"") != NULL);
  CHECK(cdp_attribution(NULL, to, NULL, ao, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "workspace") != NULL);
  cdp_attribution_options_destroy(ao);
  cdp_touch_options_destroy(to);
}

/* Heatmap of /home on a 2 x 2 grid. Clicks at (0.1, 0.1), (0.2, 0.3): cell (0, 0); (0.9, 0.8):
 * cell (1, 1). The page view of /about at :10 is the next non-click event: 9 s and 5 s after the
 * first two clicks (dead, > 3 s), 1 s after the third. */
static void test_heatmap(void) {
  static const char csv[] =
      "event_id,type,ts,user_id,page,x,y\n"
      "h1,page_view,2024-05-01T10:00:00Z,u1,/home,,\n"
      "h2,click,2024-05-01T10:00:01Z,u1,/home,0.1,0.1\n"
      "h3,click,2024-05-01T10:00:05Z,u1,/home,0.2,0.3\n"
      "h4,click,2024-05-01T10:00:09Z,u1,/home,0.9,0.8\n"
      "h5,page_view,2024-05-01T10:00:10Z,u1,/about,,\n";
  const int64_t cells[] = {2, 0, 0, 1};
  cdp_workspace* ws = NULL;
  cdp_heatmap_options* ho = NULL;
  cdp_result* res = NULL;
  cdp_table* t = NULL;
  int64_t v = -1;
  double share = 0;

  CHECK(cdp_workspace_open(NULL, &ws) == CDP_OK);
  if (ws == NULL) return;
  CHECK(cdp_ingest_csv_text(ws, csv, (int64_t)strlen(csv), NULL, NULL) == CDP_OK);
  CHECK(cdp_heatmap_options_create(&ho) == CDP_OK);
  CHECK(cdp_heatmap_options_set(ho, "page", "/home") == CDP_OK);
  CHECK(cdp_heatmap_options_set(ho, "grid_x", "2") == CDP_OK);
  CHECK(cdp_heatmap_options_set(ho, "grid_y", "2") == CDP_OK);
  CHECK(cdp_heatmap(ws, ho, &t) == CDP_OK);
  CHECK(int64_column_is(t, "clicks", cells, 4));
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_heatmap_ex(ws, ho, &res) == CDP_OK);
  CHECK(cdp_result_int64(res, "clicks", &v) == CDP_OK && v == 3);
  CHECK(cdp_result_int64(res, "page_views", &v) == CDP_OK && v == 1);
  CHECK(cdp_result_int64(res, "dead_clicks", &v) == CDP_OK && v == 2);
  CHECK(cdp_result_double(res, "dead_click_share", &share) == CDP_OK && fabs(share - 2.0 / 3.0) < 1e-12);
  CHECK(cdp_result_table(res, "scroll", &t) == CDP_OK && cdp_table_nrows(t) == 4);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_result_table(res, "rage_clicks", &t) == CDP_OK && cdp_table_nrows(t) == 0);
  cdp_table_destroy(t);
  t = NULL;
  cdp_result_destroy(res);
  res = NULL;
  CHECK(cdp_heatmap_options_set(ho, "grid_x", "0") == CDP_OK);
  CHECK(cdp_heatmap(ws, ho, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "grid") != NULL && t == NULL);
  CHECK(cdp_heatmap_options_set(ho, "viewport_width", "wide") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"viewport_width\"") != NULL);
  CHECK(cdp_heatmap_ex(ws, ho, NULL) == CDP_ERR_INVALID_ARGUMENT);
  cdp_heatmap_options_destroy(ho);
  CHECK(cdp_result_ntables(NULL) == 0 && cdp_result_table_name(NULL, 0) == NULL);
  cdp_result_destroy(NULL);
  cdp_workspace_close(ws);
}

/* The ChannelAttribution vignette's toy paths, one conversion each, no nulls:
 * "A > B > A > B > B > A", "A > B > B > A > A", "A > A". By hand: first A 3, B 0; linear
 * A 3/6 + 3/5 + 1 = 2.1, B 0.9; markov: removing A loses every conversion (effect 1); removing B,
 * from A P(conversion) = (3/8) / (1 - 2/8) = 1/2 (effect 1/2), so A 3 * 1 / 1.5 = 2, B 1. */
static void test_attribution_from_paths(void) {
  const char* paths[] = {"A > B > A > B > B > A", "A > B > B > A > A", "A > A"};
  const char* piped[] = {"A|B|A|B|B|A", "A|B|B|A|A", "A|A"};
  const char* with_empty[] = {"A > B", ""};
  const double conv[] = {1, 1, 1}, revenue[] = {10, 20, 30};
  cdp_attribution_options* ao = NULL;
  cdp_table* t = NULL;

  CHECK(cdp_attribution_from_paths(paths, conv, NULL, NULL, 3, "first,linear,markov", NULL, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 6);
  CHECK(attributed(t, "first", "A", "conversions") == 3.0);
  CHECK(attributed(t, "first", "B", "conversions") == 0.0);
  CHECK(fabs(attributed(t, "linear", "A", "conversions") - 2.1) < 1e-12);
  CHECK(fabs(attributed(t, "linear", "B", "conversions") - 0.9) < 1e-12);
  CHECK(fabs(attributed(t, "markov", "A", "conversions") - 2.0) < 1e-9);
  CHECK(fabs(attributed(t, "markov", "B", "conversions") - 1.0) < 1e-9);
  CHECK(fabs(attributed(t, "markov", "A", "removal_effect") - 1.0) < 1e-9);
  CHECK(fabs(attributed(t, "markov", "B", "removal_effect") - 0.5) < 1e-9);
  CHECK(isnan(attributed(t, "first", "A", "removal_effect")));
  cdp_table_destroy(t);
  t = NULL;

  /* Values follow the model: last touch of every path is A, so last gives A all 60. */
  CHECK(cdp_attribution_from_paths(paths, conv, revenue, NULL, 3, "last", NULL, &t) == CDP_OK);
  CHECK(attributed(t, "last", "A", "value") == 60.0 && attributed(t, "last", "B", "value") == 0.0);
  cdp_table_destroy(t);
  t = NULL;

  /* Options: another separator; bootstrap adds interval columns. */
  CHECK(cdp_attribution_options_create(&ao) == CDP_OK);
  CHECK(cdp_attribution_options_set(ao, "separator", "|") == CDP_OK);
  CHECK(cdp_attribution_options_set(ao, "bootstrap", "20") == CDP_OK);
  CHECK(cdp_attribution_options_set(ao, "seed", "7") == CDP_OK);
  CHECK(cdp_attribution_from_paths(piped, conv, NULL, NULL, 3, " linear ", ao, &t) == CDP_OK);
  CHECK(fabs(attributed(t, "linear", "A", "conversions") - 2.1) < 1e-12);
  CHECK(cdp_table_column_index(t, "conversions_lo") >= 0 && cdp_table_column_index(t, "value_hi") >= 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_attribution_options_set(ao, "separator", "") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_attribution_options_set(ao, "confidence", "0.9x") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "\"confidence\"") != NULL);
  CHECK(cdp_attribution_options_set(ao, "boostrap", "1") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown option \"boostrap\"") != NULL);
  CHECK(cdp_attribution_options_set(ao, "confidence", "1.5") == CDP_OK); /* range checked by the call */
  CHECK(cdp_attribution_from_paths(piped, conv, NULL, NULL, 3, "linear", ao, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "confidence") != NULL && t == NULL);
  cdp_attribution_options_destroy(ao);

  /* Bad input names the argument or the row. */
  CHECK(cdp_attribution_from_paths(paths, conv, NULL, NULL, 3, "first,fist", NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "fist") != NULL);
  CHECK(cdp_attribution_from_paths(with_empty, conv, NULL, NULL, 2, NULL, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "path") != NULL);
  CHECK(cdp_attribution_from_paths(NULL, conv, NULL, NULL, 3, NULL, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "paths is NULL") != NULL);
  CHECK(cdp_attribution_from_paths(paths, NULL, NULL, NULL, 3, NULL, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "conversions is NULL") != NULL);
  CHECK(cdp_attribution_from_paths(paths, conv, NULL, NULL, -1, NULL, NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n is negative") != NULL);
  CHECK(cdp_attribution_from_paths(paths, conv, NULL, NULL, 3, NULL, NULL, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "out is NULL") != NULL);
  CHECK(t == NULL);
}

/* Journeys through the C ABI (ABI 4) over kJourneyCsv. */
static void test_journeys(void) {
  cdp_workspace* ws = NULL;
  cdp_report* rep = NULL;
  int32_t p1 = -1, p2 = -1, p3 = -1, p5 = -1;

  CHECK(cdp_abi_version() >= 4);
  CHECK(cdp_workspace_open(NULL, &ws) == CDP_OK);
  if (ws == NULL) return;
  CHECK(cdp_ingest_csv_text(ws, kJourneyCsv, (int64_t)strlen(kJourneyCsv), NULL, &rep) == CDP_OK);
  CHECK(cdp_report_accepted(rep) == 11);
  cdp_report_destroy(rep);
  CHECK(cdp_find_profile(ws, "user_id:u1", &p1) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u2", &p2) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u3", &p3) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u5", &p5) == CDP_OK);
  test_sessions(ws, p5);
  test_funnel(ws, p1, p2, p3);
  test_paths_stages_attribution(ws);
  /* Nothing was lost to the failed calls. */
  CHECK(cdp_event_count(ws) == 11);
  cdp_workspace_close(ws);
  test_heatmap();
  test_attribution_from_paths();
}

int main(void) {
  test_journeys();
  return test_result("C ABI journeys test");
}
