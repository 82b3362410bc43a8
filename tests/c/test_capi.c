/* Plain C99 test of the C ABI, compiled against include/cdp/cdp.h alone: version, workspace,
 * ingest, push, tables, identity, profiles and segments (journeys: test_capi_journeys.c). */
#define _POSIX_C_SOURCE 200809L /* getpid */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static const char kCsv[] =
    "event_id,type,ts,user_id,revenue,plan\n"
    "e1,purchase,2024-01-01T10:00:00Z,u1,10.5,gold\n"
    "e2,page_view,2024-01-01 09:00,u1,,gold\n"
    "e3,purchase,not-a-time,u2,3,silver\n"
    "e1,purchase,2024-01-01T10:00:00Z,u1,10.5,gold\n"
    "e4,purchase,2024-01-02T00:00:00+01:00,,5,gold\n"
    "e5,purchase,2024-01-02,u3,inf,gold\n";

/* Identity data: c1 -> (u1, ann@shop.com) on the signup; c2 -> ann@shop.com (email normalized:
 * "ANN@shop.com " is ann@shop.com); c3 alone. */
static const char kIdentityCsv[] =
    "event_id,ts,type,user_id,email,anonymous_id\n"
    "1,2024-01-01T10:00:00Z,page_view,,,c1\n"
    "2,2024-01-01T10:05:00Z,signup,u1,ann@shop.com,c1\n"
    "3,2024-01-02T09:00:00Z,page_view,,,c2\n"
    "4,2024-01-03T09:00:00Z,page_view,,ANN@shop.com ,c2\n"
    "5,2024-01-03T09:00:00Z,page_view,,,c3\n";

/* Profile count from a fresh resolution; -1 on error. */
static int64_t resolved_profiles(cdp_workspace* ws) {
  cdp_identity_report* r = NULL;
  int64_t n;
  if (cdp_resolve_identities(ws, &r) != CDP_OK) return -1;
  n = cdp_identity_report_profiles(r);
  cdp_identity_report_destroy(r);
  return n;
}

/* int64 cell of the profiles table (rows are profile ids); INT64_MIN when missing. */
static int64_t profile_int64(cdp_workspace* ws, int32_t profile, const char* column) {
  cdp_table* t = NULL;
  const int64_t* data = NULL;
  int64_t col, v = INT64_MIN;
  if (cdp_profiles_table(ws, &t) != CDP_OK) return v;
  col = cdp_table_column_index(t, column);
  if (col >= 0 && profile >= 0 && profile < cdp_table_nrows(t) && cdp_table_column_int64(t, col, &data) == CDP_OK)
    v = data[profile];
  cdp_table_destroy(t);
  return v;
}

/* File workspace: ingest, resolve, look up, unmerge, traits, save, then reopen read-only. */
static void test_identity_file(void) {
  const char* tmp = getenv("TMPDIR");
  char path[512], side[600];
  const char* suffixes[] = {"", "-wal", "-shm", "-lock"};
  const char* page_view[] = {"page_view"};
  cdp_workspace* ws = NULL;
  cdp_report* rep = NULL;
  cdp_identity_report* ir = NULL;
  cdp_table* t = NULL;
  int32_t p = -7, p_c2 = -7;
  int64_t removed = -7, col;
  size_t i;

  snprintf(path, sizeof path, "%s/cdp_capi_test_%ld.cdp", tmp && *tmp ? tmp : "/tmp", (long)getpid());
  for (i = 0; i < 4; ++i) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    remove(side);
  }

  CHECK(cdp_workspace_open_ex(path, 0, &ws) == CDP_OK);
  CHECK(ws != NULL);
  if (ws == NULL) return;
  CHECK(cdp_ingest_csv_text(ws, kIdentityCsv, (int64_t)strlen(kIdentityCsv), NULL, &rep) == CDP_OK);
  CHECK(cdp_report_accepted(rep) == 5);
  cdp_report_destroy(rep);

  /* Hand count: identifiers c1, u1, ann@shop.com, c2, c3 (5); links u1-email, u1-c1 (event 2) and
   * email-c2 (event 4), each joining two profiles (3 links, 3 merges); profiles {u1, ann, c1, c2}
   * and {c3} (2). */
  CHECK(cdp_resolve_identities(ws, &ir) == CDP_OK);
  CHECK(cdp_identity_report_events(ir) == 5);
  CHECK(cdp_identity_report_events_unassigned(ir) == 0);
  CHECK(cdp_identity_report_profiles(ir) == 2);
  CHECK(cdp_identity_report_identifiers(ir) == 5);
  CHECK(cdp_identity_report_links(ir) == 3);
  CHECK(cdp_identity_report_merges(ir) == 3);
  CHECK(cdp_identity_report_conflicts(ir) == 0);
  CHECK(cdp_identity_report_removed(ir) == 0);
  CHECK(cdp_identity_report_blocked(ir) == 0);
  CHECK(cdp_identity_report_invalid(ir) == 0);
  cdp_identity_report_destroy(ir);

  /* Lookups are normalized like ingest. */
  CHECK(cdp_find_profile(ws, "email:ann@shop.com", &p) == CDP_OK && p == 0);
  CHECK(cdp_find_profile(ws, "email: ANN@Shop.com ", &p) == CDP_OK && p == 0);
  CHECK(cdp_find_profile(ws, "anonymous_id:c2", &p) == CDP_OK && p == 0);
  CHECK(cdp_find_profile(ws, "anonymous_id:c3", &p) == CDP_OK && p == 1);
  CHECK(cdp_find_profile(ws, "email:nobody@shop.com", &p) == CDP_ERR_NOT_FOUND && p == -1);
  CHECK(strstr(cdp_last_error(), "nobody@shop.com") != NULL);

  /* Profiles table: 2 rows; the key is the highest-priority identifier. */
  CHECK(cdp_profiles_table(ws, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 2);
  col = cdp_table_column_index(t, "key");
  CHECK(col >= 0 && cdp_table_column_type(t, col) == CDP_STRING);
  CHECK(cdp_table_string(t, col, 0) != NULL && strcmp(cdp_table_string(t, col, 0), "user_id:u1") == 0);
  CHECK(cdp_table_string(t, col, 1) != NULL && strcmp(cdp_table_string(t, col, 1), "anonymous_id:c3") == 0);
  col = cdp_table_column_index(t, "email");
  CHECK(cdp_table_string(t, col, 0) != NULL && strcmp(cdp_table_string(t, col, 0), "ann@shop.com") == 0);
  CHECK(cdp_table_string(t, col, 1) == NULL && cdp_table_is_null(t, col, 1));
  cdp_table_destroy(t);
  CHECK(profile_int64(ws, 0, "events") == 4); /* events 1-4 */
  CHECK(profile_int64(ws, 0, "identifiers") == 4);

  /* Links: 3 in all, all merges, all touching profile 0. */
  CHECK(cdp_identity_links_table(ws, -1, 0, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 3);
  cdp_table_destroy(t);
  CHECK(cdp_identity_links_table(ws, 0, 1, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 3);
  col = cdp_table_column_index(t, "status");
  CHECK(cdp_table_string(t, col, 0) != NULL && strcmp(cdp_table_string(t, col, 0), "merged") == 0);
  cdp_table_destroy(t);
  CHECK(cdp_identity_links_table(ws, 1, 0, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 0); /* c3 never linked */
  cdp_table_destroy(t);
  CHECK(cdp_identifiers_table(ws, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 5);
  cdp_table_destroy(t);
  CHECK(cdp_attributes_table(ws, &t) == CDP_OK);
  CHECK(cdp_table_column_index(t, "profile") >= 0);
  cdp_table_destroy(t);

  /* Trait: page views in the last 90 days (all 5 events are within 3 days of the latest).
   * Profile 0 holds page views 1, 3, 4. */
  CHECK(cdp_define_trait(ws, "page_views", "count", NULL, page_view, 1, "90d") == CDP_OK);
  CHECK(profile_int64(ws, 0, "page_views") == 3);
  CHECK(profile_int64(ws, 1, "page_views") == 1);
  CHECK(cdp_define_trait(ws, "page_views", "count", NULL, NULL, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_define_trait(ws, "tmp", "count", NULL, NULL, 0, NULL) == CDP_OK);
  CHECK(cdp_drop_trait(ws, "tmp") == CDP_OK);
  CHECK(cdp_drop_trait(ws, "tmp") == CDP_ERR_NOT_FOUND);

  /* Unmerge email-c2: c2 splits off with event 3 (its anchor); event 4's anchor is the email, so
   * it stays with u1. Profiles: {u1, ann, c1}, {c2}, {c3}. */
  CHECK(cdp_unmerge(ws, "email:ann@shop.com", "anonymous_id:c2", &removed) == CDP_OK && removed == 1);
  CHECK(cdp_unmerge(ws, "email:ann@shop.com", "anonymous_id:c2", &removed) == CDP_ERR_NOT_FOUND &&
        removed == 0);
  CHECK(resolved_profiles(ws) == 3);
  CHECK(cdp_find_profile(ws, "anonymous_id:c2", &p_c2) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u1", &p) == CDP_OK && p != p_c2);
  CHECK(profile_int64(ws, p, "page_views") == 2);    /* events 1 and 4 */
  CHECK(profile_int64(ws, p_c2, "page_views") == 1); /* event 3 */
  CHECK(cdp_workspace_save(ws) == CDP_OK);
  cdp_workspace_close(ws);
  ws = NULL;

  /* Reopen read-only: the same profiles and trait values; writes are refused, nothing changes. */
  CHECK(cdp_workspace_open_ex(path, 1, &ws) == CDP_OK);
  if (ws != NULL) {
    CHECK(resolved_profiles(ws) == 3);
    CHECK(cdp_find_profile(ws, "user_id:u1", &p) == CDP_OK);
    CHECK(profile_int64(ws, p, "page_views") == 2);
    CHECK(cdp_link(ws, "anonymous_id:c2", "anonymous_id:c3") != CDP_OK);
    CHECK(strstr(cdp_last_error(), "read-only") != NULL);
    CHECK(cdp_unmerge(ws, "user_id:u1", NULL, &removed) != CDP_OK);
    CHECK(strstr(cdp_last_error(), "read-only") != NULL);
    CHECK(cdp_define_trait(ws, "n", "count", NULL, NULL, 0, NULL) != CDP_OK);
    CHECK(strstr(cdp_last_error(), "read-only") != NULL);
    CHECK(cdp_configure_identity(ws, NULL) != CDP_OK);
    CHECK(cdp_workspace_save(ws) != CDP_OK);
    CHECK(cdp_ingest_csv_text(ws, kIdentityCsv, (int64_t)strlen(kIdentityCsv), NULL, NULL) != CDP_OK);
    CHECK(strstr(cdp_last_error(), "read-only") != NULL);
    CHECK(resolved_profiles(ws) == 3);
    CHECK(cdp_event_count(ws) == 5);
    /* The audit log kept the unmerge. */
    CHECK(cdp_audit_table(ws, &t) == CDP_OK);
    {
      int64_t r, unmerges = 0, action = cdp_table_column_index(t, "action");
      for (r = 0; r < cdp_table_nrows(t); ++r) {
        const char* a = cdp_table_string(t, action, r);
        if (a && strcmp(a, "unmerge") == 0) ++unmerges;
      }
      CHECK(unmerges == 1);
    }
    cdp_table_destroy(t);
    cdp_workspace_close(ws);
  }

  for (i = 0; i < 4; ++i) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    remove(side);
  }
}

/* Bad input: each error names what is wrong, and nothing was changed. */
static void test_identity_bad_input(void) {
  cdp_workspace* ws = NULL;
  cdp_identity_rules* rules = NULL;
  cdp_table* t = NULL;
  int32_t p = 0;
  int64_t removed = 0;

  CHECK(cdp_workspace_open_ex(":memory:", 1, &ws) == CDP_ERR_INVALID_ARGUMENT && ws == NULL);
  CHECK(strstr(cdp_last_error(), "read_only") != NULL);
  CHECK(cdp_workspace_open_ex(NULL, 0, &ws) == CDP_OK);
  if (ws == NULL) return;
  CHECK(cdp_ingest_csv_text(ws, kIdentityCsv, (int64_t)strlen(kIdentityCsv), NULL, NULL) == CDP_OK);
  CHECK(resolved_profiles(ws) == 2);
  CHECK(cdp_workspace_save(ws) == CDP_OK); /* no-op in memory */

  /* Identifiers. */
  CHECK(cdp_find_profile(ws, "emial:x", &p) == CDP_ERR_INVALID_ARGUMENT && p == -1);
  CHECK(strstr(cdp_last_error(), "unknown identifier type") != NULL);
  CHECK(cdp_find_profile(ws, "ann@shop.com", &p) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "type:value") != NULL);
  CHECK(cdp_link(ws, "emial:x", "user_id:u1") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "emial") != NULL);
  CHECK(cdp_link(ws, "user_id:u1", "user_id:u1") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_unmerge(ws, "anonymous_id:c3", NULL, &removed) == CDP_ERR_NOT_FOUND);

  /* Identity rules: unknown key and bad value name the key; rules the graph refuses leave the old
   * rules in place. */
  CHECK(cdp_identity_rules_create(&rules) == CDP_OK);
  CHECK(cdp_identity_rules_set(rules, "no_such_rule", "1") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "no_such_rule") != NULL);
  CHECK(cdp_identity_rules_set(rules, "limit.email", "many") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "limit.email") != NULL);
  CHECK(cdp_identity_rules_set(rules, "priority", "user_id,emial") == CDP_OK);
  CHECK(cdp_configure_identity(ws, rules) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "emial") != NULL);
  CHECK(resolved_profiles(ws) == 2);
  /* A valid change: blocking c3 leaves event 5 without a profile. */
  CHECK(cdp_identity_rules_set(rules, "priority", "user_id,email") == CDP_OK);
  CHECK(cdp_identity_rules_set(rules, "blocked_identifiers", "anonymous_id:c3") == CDP_OK);
  CHECK(cdp_configure_identity(ws, rules) == CDP_OK);
  CHECK(resolved_profiles(ws) == 1);
  CHECK(cdp_configure_identity(ws, NULL) == CDP_OK); /* back to the defaults */
  CHECK(resolved_profiles(ws) == 2);
  cdp_identity_rules_destroy(rules);
  cdp_identity_rules_destroy(NULL);

  /* Traits. */
  CHECK(cdp_define_trait(ws, "m", "median", "revenue", NULL, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "median") != NULL);
  CHECK(cdp_define_trait(ws, "m", "count", NULL, NULL, 0, "90 days") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "90 days") != NULL);
  CHECK(cdp_define_trait(ws, "m", "sum", NULL, NULL, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_define_trait(ws, "m", "count", NULL, NULL, 2, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_define_trait(ws, "m", "count", NULL, NULL, -1, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_drop_trait(ws, "m") == CDP_ERR_NOT_FOUND);
  CHECK(cdp_profiles_table(ws, &t) == CDP_OK);
  CHECK(cdp_table_column_index(t, "m") == -1); /* no trait was defined */
  cdp_table_destroy(t);
  t = NULL;

  /* NULL pointers. */
  CHECK(cdp_workspace_open_ex(":memory:", 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_workspace_save(NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_identity_rules_create(NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_identity_rules_set(NULL, "priority", "user_id") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_configure_identity(NULL, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_resolve_identities(NULL, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_resolve_identities(ws, NULL) == CDP_OK);
  CHECK(cdp_identity_report_profiles(NULL) == 0);
  cdp_identity_report_destroy(NULL);
  CHECK(cdp_profiles_table(NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_profiles_table(ws, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_identity_links_table(ws, -1, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_identifiers_table(NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_attributes_table(NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_audit_table(NULL, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_find_profile(ws, NULL, &p) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_find_profile(ws, "user_id:u1", NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "out_profile") != NULL);
  CHECK(cdp_find_profile(NULL, "user_id:u1", &p) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_link(ws, "user_id:u1", NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_link(NULL, "user_id:u1", "anonymous_id:c3") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_unmerge(ws, NULL, "user_id:u1", &removed) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_define_trait(ws, NULL, "count", NULL, NULL, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_define_trait(ws, "m", NULL, NULL, NULL, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_drop_trait(ws, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  /* Nothing was lost. */
  CHECK(cdp_event_count(ws) == 5);
  CHECK(resolved_profiles(ws) == 2);
  cdp_workspace_close(ws);
}

/* Segment data as NDJSON. By hand: u1 buys twice (orders o1 and o2; o2 has two line items) and
 * views a page, u2 only views a page, u3 buys once at the latest time of all, u4 only signs up.
 * Buyers: u1, u3. Viewers: u1, u2. Population: 4 profiles. */
static const char kSegmentNdjson[] =
    "{\"event_id\":\"s1\",\"type\":\"purchase\",\"ts\":\"2024-03-01T10:00:00Z\",\"user_id\":\"u1\","
    "\"email\":\"ann@shop.com\",\"revenue\":20,\"order_id\":\"o1\"}\n"
    "{\"event_id\":\"s2\",\"type\":\"page_view\",\"ts\":\"2024-03-02T08:00:00Z\",\"user_id\":\"u1\"}\n"
    "{\"event_id\":\"s3\",\"type\":\"purchase\",\"ts\":\"2024-03-05T15:00:00Z\",\"user_id\":\"u1\","
    "\"revenue\":30,\"order_id\":\"o2\"}\n"
    "{\"event_id\":\"s4\",\"type\":\"purchase\",\"ts\":\"2024-03-05T15:05:00Z\",\"user_id\":\"u1\","
    "\"revenue\":5,\"order_id\":\"o2\"}\n"
    "{\"event_id\":\"s5\",\"type\":\"page_view\",\"ts\":\"2024-03-04T12:00:00Z\",\"user_id\":\"u2\"}\n"
    "{\"event_id\":\"s6\",\"type\":\"signup\",\"ts\":\"2024-03-02T09:00:00Z\",\"user_id\":\"u4\"}\n"
    "{\"event_id\":\"s7\",\"type\":\"purchase\",\"ts\":\"2024-03-09T23:30:00Z\",\"user_id\":\"u3\","
    "\"revenue\":5,\"order_id\":\"o3\"}\n";

/* date -u -d <time> +%s */
#define T_LATEST (1710027000LL * SEC)     /* 2024-03-09T23:30:00Z, event s7 (the clock) */
#define T_MARCH_3 (1709424000LL * SEC)    /* 2024-03-03T00:00:00Z */
#define T_MARCH_20 (1710892800LL * SEC)   /* 2024-03-20T00:00:00Z */

/* Row of an RFM table whose profile column is p; -1 when none. */
static int64_t rfm_row(const cdp_table* t, int32_t p) {
  const int64_t* prof = NULL;
  int64_t r;
  if (cdp_table_column_int64(t, cdp_table_column_index(t, "profile"), &prof) != CDP_OK) return -1;
  for (r = 0; r < cdp_table_nrows(t); ++r)
    if (prof[r] == p) return r;
  return -1;
}

/* Select, named segments, members, overlap and RFM (ABI 3) over NDJSON events. */
/* Records real-time changes for test_realtime. */
struct changes {
  int n;
  char key[4][64];
  int32_t entered[4];
  int64_t ts[4];
};

static void on_change(const char* segment, const char* key, int32_t profile, int32_t entered, int64_t ts,
                      void* user) {
  struct changes* c = (struct changes*)user;
  (void)profile;
  CHECK(strcmp(segment, "recent") == 0);
  if (c->n < 4) {
    strncpy(c->key[c->n], key, sizeof c->key[0] - 1);
    c->key[c->n][sizeof c->key[0] - 1] = '\0';
    c->entered[c->n] = entered;
    c->ts[c->n] = ts;
  }
  c->n++;
}

/* A real-time segment through the C ABI: entry on push, exit at the exact expiry microsecond. */
static void test_realtime(void) {
  cdp_workspace* ws = NULL;
  cdp_push_result pr;
  struct changes ch;
  /* 1700000000 s = 2023-11-14T22:13:20Z; 30 days = 2592000 s. */
  const char* e1 = "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"type\":\"purchase\",\"ts\":1700000000}";
  const char* e2 = "{\"event_id\":\"e2\",\"user_id\":\"u2\",\"type\":\"purchase\",\"ts\":1700086400}";
  memset(&ch, 0, sizeof ch);
  CHECK(cdp_workspace_open(":memory:", &ws) == CDP_OK);
  CHECK(cdp_push_event(ws, e1, (int64_t)strlen(e1), &pr) == CDP_OK && pr == CDP_PUSH_ACCEPTED);
  CHECK(cdp_segment_create(ws, "recent", "did(purchase, last=30d)", NULL, NULL, 0) == CDP_OK);
  CHECK(cdp_set_segment_listener(ws, on_change, &ch) == CDP_OK);
  CHECK(cdp_segment_set_realtime(ws, "recent", 1) == CDP_OK);
  CHECK(ch.n == 0);
  CHECK(cdp_push_event(ws, e2, (int64_t)strlen(e2), &pr) == CDP_OK && pr == CDP_PUSH_ACCEPTED);
  CHECK(ch.n == 1 && strcmp(ch.key[0], "user_id:u2") == 0 && ch.entered[0] == 1 && ch.ts[0] == 1700086400000000LL);
  /* u1 leaves at 1700000000 s + 30 d exactly, u2 one day later. */
  CHECK(cdp_advance_to(ws, 1700000000000000LL + 40LL * 86400000000LL) == CDP_OK);
  CHECK(ch.n == 3);
  CHECK(strcmp(ch.key[1], "user_id:u1") == 0 && ch.entered[1] == 0 && ch.ts[1] == 1702592000000000LL);
  CHECK(strcmp(ch.key[2], "user_id:u2") == 0 && ch.entered[2] == 0 && ch.ts[2] == 1702678400000000LL);
  CHECK(cdp_advance_to(ws, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "is before the clock") != NULL);
  CHECK(cdp_segment_set_realtime(ws, "nosuch", 1) == CDP_ERR_NOT_FOUND);
  CHECK(cdp_set_segment_listener(NULL, on_change, &ch) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_set_segment_listener(ws, NULL, NULL) == CDP_OK);
  cdp_workspace_close(ws);
}

static void test_segments(void) {
  const char* tmp = getenv("TMPDIR");
  char path[512];
  FILE* f;
  cdp_workspace* ws = NULL;
  cdp_report* rep = NULL;
  cdp_segment_result* r = NULL;
  cdp_table* t = NULL;
  int32_t p1 = -1, p2 = -1, p3 = -1, p4 = -1, buyers[2], one[1];
  const int32_t* data = NULL;
  int64_t n = -1, row;
  const char* email_col[] = {"email"};
  const char* bad_col[] = {"emial"};
  const char* purchase[] = {"purchase"};
  const char* pair[] = {"buyers", "viewers"};
  const char* with_null[] = {"buyers", NULL};

  CHECK(cdp_abi_version() >= 3);
  snprintf(path, sizeof path, "%s/cdp_capi_segments_%ld.ndjson", tmp && *tmp ? tmp : "/tmp", (long)getpid());
  f = fopen(path, "w");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs(kSegmentNdjson, f);
  fclose(f);

  CHECK(cdp_workspace_open(NULL, &ws) == CDP_OK);
  if (ws == NULL) return;
  CHECK(cdp_ingest_ndjson(ws, path, NULL, &rep) == CDP_OK);
  remove(path);
  CHECK(cdp_report_read(rep) == 7);
  CHECK(cdp_report_accepted(rep) == 7);
  cdp_report_destroy(rep);
  /* Marketing consent for the buyers (before any event, so the clock stays at the latest event):
   * profiles without a region count as opt-in, so u2 and u4 may not be used for marketing. */
  CHECK(cdp_set_consent(ws, "user_id:u1", "marketing", "granted", T_LATEST - 400LL * 86400 * SEC, NULL, NULL) == CDP_OK);
  CHECK(cdp_set_consent(ws, "user_id:u3", "marketing", "granted", T_LATEST - 400LL * 86400 * SEC, NULL, NULL) == CDP_OK);
  CHECK(cdp_set_consent(ws, "user_id:u3", "profiling", "granted", INT64_MIN, NULL, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "unknown purpose 'profiling'") != NULL);
  CHECK(cdp_find_profile(ws, "user_id:u1", &p1) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u2", &p2) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u3", &p3) == CDP_OK);
  CHECK(cdp_find_profile(ws, "user_id:u4", &p4) == CDP_OK);
  CHECK(p1 != p2 && p1 != p3 && p1 != p4 && p2 != p3 && p2 != p4 && p3 != p4);
  buyers[0] = p1 < p3 ? p1 : p3; /* ascending */
  buyers[1] = p1 < p3 ? p3 : p1;

  /* did(purchase): u1 and u3 of 4 profiles, windows ending at the latest event (s7). */
  CHECK(cdp_select(ws, "did(purchase)", NULL, INT64_MIN, &r) == CDP_OK);
  CHECK(r != NULL);
  CHECK(members_are(r, buyers, 2));
  CHECK(cdp_segment_result_population(r) == 4);
  CHECK(cdp_segment_result_excluded(r) == 0);
  CHECK(cdp_segment_result_clock(r) == T_LATEST);
  cdp_segment_result_destroy(r);
  r = NULL;
  /* As of 2024-03-03 only u1 had bought (s1 on 03-01); u3's purchase is later. */
  one[0] = p1;
  CHECK(cdp_select(ws, "did(purchase)", "marketing", T_MARCH_3, &r) == CDP_OK);
  CHECK(members_are(r, one, 1));
  CHECK(cdp_segment_result_clock(r) == T_MARCH_3);
  cdp_segment_result_destroy(r);
  r = NULL;
  /* Nobody matches: an empty result, not an error. */
  CHECK(cdp_select(ws, "count(purchase) >= 5", NULL, INT64_MIN, &r) == CDP_OK);
  CHECK(cdp_segment_result_members(r, &data, &n) == CDP_OK && n == 0);
  CHECK(cdp_segment_result_size(r) == 0 && cdp_segment_result_population(r) == 4);
  cdp_segment_result_destroy(r);
  r = NULL;

  /* Malformed expressions are parse errors with line:column; nothing is returned. */
  CHECK(cdp_select(ws, "count(purchase) >=", NULL, INT64_MIN, &r) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "line 1, column") != NULL);
  CHECK(r == NULL);
  CHECK(cdp_select(ws, "did(purchase) and contry = 'IT'", NULL, INT64_MIN, &r) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "line 1, column") != NULL);
  CHECK(cdp_select(ws, "  ", NULL, INT64_MIN, &r) == CDP_ERR_PARSE);
  CHECK(r == NULL);

  /* Named segments: create, refuse a duplicate, replace, evaluate, drop. */
  CHECK(cdp_segment_create(ws, "buyers", "count(purchase) >= 2", "marketing", "bought twice", 0) == CDP_OK);
  CHECK(cdp_segment_create(ws, "buyers", "did(purchase)", NULL, NULL, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "already exists") != NULL);
  CHECK(cdp_segment_evaluate(ws, "buyers", INT64_MIN, &r) == CDP_OK);
  CHECK(members_are(r, one, 1)); /* u1: 3 purchase events; u3: 1 */
  cdp_segment_result_destroy(r);
  r = NULL;
  CHECK(cdp_segment_create(ws, "buyers", "did(purchase)", NULL, NULL, 1) == CDP_OK);
  CHECK(cdp_segment_create(ws, "viewers", "did(page_view)", NULL, NULL, 0) == CDP_OK);
  CHECK(cdp_segment_create(ws, "broken", "did(purchase) or", NULL, NULL, 0) == CDP_ERR_PARSE);
  CHECK(strstr(cdp_last_error(), "segment \"broken\": line 1, column") != NULL);
  CHECK(cdp_segment_create(ws, "loud", "did(purchase)", "Marketing!", NULL, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "purpose") != NULL);
  CHECK(cdp_segment_create(ws, "", "did(purchase)", NULL, NULL, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_evaluate(ws, "buyers", INT64_MIN, &r) == CDP_OK);
  CHECK(members_are(r, buyers, 2));
  CHECK(cdp_segment_result_population(r) == 4);
  CHECK(cdp_segment_result_clock(r) == T_LATEST);
  cdp_segment_result_destroy(r);
  r = NULL;
  CHECK(cdp_segment_evaluate(ws, "buyers", T_MARCH_3, &r) == CDP_OK);
  CHECK(members_are(r, one, 1));
  cdp_segment_result_destroy(r);
  r = NULL;
  CHECK(cdp_segment_evaluate(ws, "buyrs", INT64_MIN, &r) == CDP_ERR_NOT_FOUND);
  CHECK(strstr(cdp_last_error(), "did you mean \"buyers\"") != NULL);
  CHECK(r == NULL);
  CHECK(cdp_segment_evaluate(ws, "broken", INT64_MIN, &r) == CDP_ERR_NOT_FOUND); /* never created */

  /* Members for activation: profile, key, email; rows in member order. */
  CHECK(cdp_segment_members_table(ws, buyers, 2, email_col, 1, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 2 && cdp_table_ncols(t) == 3);
  CHECK(cdp_table_column_index(t, "profile") == 0 && cdp_table_column_index(t, "key") == 1);
  row = buyers[0] == p1 ? 0 : 1;
  {
    int64_t key = cdp_table_column_index(t, "key"), email = cdp_table_column_index(t, "email");
    const char* k = cdp_table_string(t, key, row);
    const char* e = cdp_table_string(t, email, row);
    CHECK(k != NULL && strcmp(k, "user_id:u1") == 0);
    CHECK(e != NULL && strcmp(e, "ann@shop.com") == 0);
    CHECK(cdp_table_string(t, email, 1 - row) == NULL); /* u3 gave no email */
  }
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_segment_members_table(ws, NULL, 0, NULL, 0, &t) == CDP_OK && cdp_table_nrows(t) == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_segment_members_table(ws, buyers, 2, bad_col, 1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "did you mean \"email\"") != NULL);
  CHECK(t == NULL);
  one[0] = 99;
  CHECK(cdp_segment_members_table(ws, one, 1, NULL, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "99") != NULL);

  /* Overlap of buyers {u1, u3} and viewers {u1, u2}: 2 x 2 rows, a-major; (buyers, viewers) has
   * both = 1 (u1), jaccard = 1 / 3, share_of_a = 1 / 2. */
  CHECK(cdp_segment_overlap(ws, pair, 2, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 4);
  CHECK(cdp_table_string(t, 0, 1) != NULL && strcmp(cdp_table_string(t, 0, 1), "buyers") == 0);
  CHECK(cdp_table_string(t, 1, 1) != NULL && strcmp(cdp_table_string(t, 1, 1), "viewers") == 0);
  CHECK(table_int64(t, "size_a", 1) == 2 && table_int64(t, "size_b", 1) == 2);
  CHECK(table_int64(t, "both", 1) == 1);
  CHECK(fabs(table_double(t, "jaccard", 1) - 1.0 / 3.0) < 1e-12);
  CHECK(table_double(t, "share_of_a", 1) == 0.5);
  CHECK(table_int64(t, "both", 0) == 2 && table_double(t, "jaccard", 0) == 1.0); /* buyers with itself */
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_segment_overlap(ws, NULL, 0, &t) == CDP_OK && cdp_table_nrows(t) == 0);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_segment_overlap(ws, with_null, 2, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "names[1]") != NULL);

  /* Drop: gone for evaluate, overlap and a second drop. */
  CHECK(cdp_segment_drop(ws, "viewers") == CDP_OK);
  CHECK(cdp_segment_drop(ws, "viewers") == CDP_ERR_NOT_FOUND);
  CHECK(cdp_segment_evaluate(ws, "viewers", INT64_MIN, &r) == CDP_ERR_NOT_FOUND && r == NULL);
  CHECK(cdp_segment_overlap(ws, pair, 2, &t) == CDP_ERR_NOT_FOUND && t == NULL);

  /* RFM, default reference: midnight UTC after the latest purchase (s7, 2024-03-09T23:30Z), i.e.
   * 2024-03-10T00:00Z. u1's last purchase is s4 at 2024-03-05T15:05Z: 4 days 8 h 55 min before, so
   * recency 4; u3: 30 min, recency 0. u1 has orders o1, o2 (frequency 2) and revenue 20+30+5. */
  CHECK(cdp_rfm(ws, NULL, 0, NULL, INT64_MIN, 0, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 2); /* u2 and u4 never bought */
  CHECK(table_double(t, "recency", rfm_row(t, p1)) == 4.0);
  CHECK(table_double(t, "recency", rfm_row(t, p3)) == 0.0);
  CHECK(table_int64(t, "frequency", rfm_row(t, p1)) == 2);
  CHECK(table_double(t, "monetary", rfm_row(t, p1)) == 55.0);
  CHECK(cdp_table_column_index(t, "segment") >= 0);
  cdp_table_destroy(t);
  t = NULL;
  /* Reference 2024-03-20T00:00Z: u1 14 days 8 h 55 min -> 14; u3 10 days 30 min -> 10. Without an
   * order field every purchase event is an order: u1 frequency 3. */
  CHECK(cdp_rfm(ws, purchase, 1, "", T_MARCH_20, 3, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 2);
  CHECK(table_double(t, "recency", rfm_row(t, p1)) == 14.0);
  CHECK(table_double(t, "recency", rfm_row(t, p3)) == 10.0);
  CHECK(table_int64(t, "frequency", rfm_row(t, p1)) == 3);
  cdp_table_destroy(t);
  t = NULL;
  CHECK(cdp_rfm(ws, NULL, 0, NULL, INT64_MIN, 1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "bins") != NULL);
  CHECK(t == NULL);

  /* Invalid arguments name the argument. */
  CHECK(cdp_select(NULL, "did(purchase)", NULL, INT64_MIN, &r) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "workspace") != NULL);
  CHECK(cdp_select(ws, NULL, NULL, INT64_MIN, &r) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "expression") != NULL);
  CHECK(cdp_select(ws, "did(purchase)", NULL, INT64_MIN, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "out") != NULL);
  CHECK(cdp_segment_result_members(NULL, &data, &n) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_create(ws, NULL, "did(purchase)", NULL, NULL, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "name") != NULL);
  CHECK(cdp_segment_create(ws, "x", NULL, NULL, NULL, 0) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "expression") != NULL);
  CHECK(cdp_segment_drop(ws, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_evaluate(ws, NULL, INT64_MIN, &r) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_evaluate(ws, "buyers", INT64_MIN, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_members_table(ws, NULL, 2, NULL, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "members") != NULL);
  CHECK(cdp_segment_members_table(ws, buyers, -1, NULL, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n_members") != NULL);
  CHECK(cdp_segment_members_table(ws, buyers, 2, NULL, 1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "columns") != NULL);
  CHECK(cdp_segment_members_table(ws, buyers, 2, email_col, -1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n_columns") != NULL);
  CHECK(cdp_rfm(ws, NULL, 1, NULL, INT64_MIN, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "purchase_types") != NULL);
  CHECK(cdp_rfm(ws, purchase, -1, NULL, INT64_MIN, 0, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n_types") != NULL);
  CHECK(cdp_rfm(ws, NULL, 0, NULL, INT64_MIN, 0, NULL) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_segment_overlap(ws, pair, -1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "n is negative") != NULL);
  CHECK(cdp_segment_overlap(ws, NULL, 1, &t) == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "names") != NULL);
  CHECK(t == NULL && r == NULL);
  CHECK(cdp_segment_result_size(NULL) == 0 && cdp_segment_result_population(NULL) == 0);
  CHECK(cdp_segment_result_excluded(NULL) == 0 && cdp_segment_result_clock(NULL) == 0);
  cdp_segment_result_destroy(NULL);
  /* buyers survived every failed call. */
  CHECK(cdp_segment_evaluate(ws, "buyers", INT64_MIN, &r) == CDP_OK);
  CHECK(members_are(r, buyers, 2));
  cdp_segment_result_destroy(r);
  cdp_workspace_close(ws);
}

int main(void) {
  cdp_workspace* ws = NULL;
  cdp_options* opts = NULL;
  cdp_report* rep = NULL;
  cdp_table* t = NULL;
  cdp_push_result pr;
  int64_t col;
  const int64_t* ts = NULL;
  const double* rev = NULL;

  CHECK(strcmp(cdp_version(), "0.1.0") == 0);
  CHECK(cdp_abi_version() >= 2);
  CHECK(cdp_workspace_open(":memory:", &ws) == CDP_OK);
  CHECK(cdp_workspace_open("shop.cdp", NULL) == CDP_ERR_INVALID_ARGUMENT);

  /* Options: unknown key and bad value are refused with a message naming the key. */
  CHECK(cdp_options_create(&opts) == CDP_OK);
  CHECK(cdp_options_set(opts, "no_such_option", "1") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(strstr(cdp_last_error(), "no_such_option") != NULL);
  CHECK(cdp_options_set(opts, "csv.header", "maybe") == CDP_ERR_INVALID_ARGUMENT);
  CHECK(cdp_options_set(opts, "default_country", "IT") == CDP_OK);

  /* 6 rows: e1, e2 accepted; e3 bad timestamp; e1 again duplicate; e4 no identifier; e5 inf revenue. */
  CHECK(cdp_ingest_csv_text(ws, kCsv, (int64_t)strlen(kCsv), opts, &rep) == CDP_OK);
  CHECK(cdp_report_read(rep) == 6);
  CHECK(cdp_report_accepted(rep) == 2);
  CHECK(cdp_report_quarantined(rep) == 3);
  CHECK(cdp_report_duplicates(rep) == 1);
  CHECK(cdp_report_read(rep) == cdp_report_accepted(rep) + cdp_report_quarantined(rep) +
                                    cdp_report_duplicates(rep));
  cdp_report_destroy(rep);
  rep = NULL;

  /* Missing file: an error, nothing stored. */
  CHECK(cdp_ingest_csv(ws, "/nonexistent/events.csv", NULL, &rep) == CDP_ERR_NOT_FOUND);
  CHECK(strstr(cdp_last_error(), "events.csv") != NULL);
  CHECK(rep == NULL);
  CHECK(cdp_event_count(ws) == 2);

  /* Push: accepted, then the same id is a duplicate, then bad JSON is quarantined. */
  {
    const char* ev = "{\"event_id\":\"p1\",\"type\":\"page_view\",\"ts\":1704103200,\"anonymous_id\":\"c9\"}";
    CHECK(cdp_push_event(ws, ev, (int64_t)strlen(ev), &pr) == CDP_OK && pr == CDP_PUSH_ACCEPTED);
    CHECK(cdp_push_event(ws, ev, (int64_t)strlen(ev), &pr) == CDP_OK && pr == CDP_PUSH_DUPLICATE);
    CHECK(cdp_push_event(ws, "{\"type\":", 8, &pr) == CDP_OK && pr == CDP_PUSH_QUARANTINED);
  }
  CHECK(cdp_event_count(ws) == 3);

  /* Events table, sorted by (profile key, ts). */
  CHECK(cdp_events(ws, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 3);
  col = cdp_table_column_index(t, "ts");
  CHECK(col >= 0 && cdp_table_column_type(t, col) == CDP_INT64);
  CHECK(cdp_table_column_int64(t, col, &ts) == CDP_OK);
  /* anonymous_id:c9 sorts before user_id:u1 (key codes in first-seen order: u1 first) - check by
     value instead: the push event at 1704103200 s = 2024-01-01T10:00:00Z (date -u -d @1704103200). */
  {
    int64_t r, found = 0;
    int64_t type_col = cdp_table_column_index(t, "type");
    for (r = 0; r < cdp_table_nrows(t); ++r) {
      const char* type = cdp_table_string(t, type_col, r);
      if (ts[r] == 1704103200LL * 1000000LL && type && strcmp(type, "page_view") == 0) ++found;
    }
    CHECK(found == 1);
  }
  col = cdp_table_column_index(t, "revenue");
  CHECK(cdp_table_column_double(t, col, &rev) == CDP_OK);
  CHECK(cdp_table_column_int64(t, col, &ts) == CDP_ERR_INVALID_ARGUMENT); /* wrong type */
  cdp_table_destroy(t);

  CHECK(cdp_quarantine(ws, &t) == CDP_OK);
  CHECK(cdp_table_nrows(t) == 4); /* 3 from the CSV + 1 pushed */
  cdp_table_destroy(t);

  cdp_table_destroy(NULL);
  cdp_report_destroy(NULL);
  cdp_options_destroy(opts);
  cdp_workspace_close(ws);
  cdp_workspace_close(NULL);

  test_identity_file();
  test_identity_bad_input();
  test_segments();
  test_realtime();
  return test_result("C ABI test");
}
