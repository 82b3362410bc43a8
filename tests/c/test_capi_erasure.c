/* Plain C99 test of cdp_erase (ABI 5), compiled against include/cdp/cdp.h alone: a file workspace
 * erases one person, keeps the other, leaves no byte of the erased email in the file or its WAL,
 * and rejects the person's events when the same data is ingested again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

/* By hand: u1 (ann@shop.com, cookie c1) has events e1, e2 and e4 (c1 alone, linked through e2);
 * u2 (bob@shop.com) has e3. Erasing email:ann@shop.com removes 3 events and 3 identifiers. */
static const char kCsv[] =
    "event_id,type,ts,user_id,email,anonymous_id\n"
    "e1,page_view,2024-03-01T10:00:00Z,u1,ann@shop.com,\n"
    "e2,page_view,2024-03-01T10:05:00Z,u1,,c1\n"
    "e3,page_view,2024-03-02T10:00:00Z,u2,bob@shop.com,\n"
    "e4,purchase,2024-03-03T10:00:00Z,,,c1\n";

/* 1 when `needle` occurs in the file at `path` (0 when it does not or the file is absent). */
static int file_contains(const char* path, const char* needle) {
  FILE* f = fopen(path, "rb");
  char* buf;
  long n, i;
  size_t k = strlen(needle);
  int found = 0;
  if (f == NULL) return 0;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char*)malloc((size_t)n + 1);
  if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
    for (i = 0; i + (long)k <= n && !found; ++i) found = memcmp(buf + i, needle, k) == 0;
  free(buf);
  fclose(f);
  return found;
}

int main(void) {
  const char* tmp = getenv("TMPDIR");
  const char* suffixes[] = {"", "-wal", "-shm", "-lock"};
  char path[512], side[600];
  cdp_workspace* ws = NULL;
  cdp_result* r = NULL;
  cdp_report* rep = NULL;
  int64_t v = -1, bad = 0;
  size_t i;

  snprintf(path, sizeof path, "%s/cdp_capi_erasure_%ld.cdp", tmp && *tmp ? tmp : "/tmp", (long)getpid());
  for (i = 0; i < 4; ++i) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    remove(side);
  }
  CHECK(cdp_workspace_open_ex(path, 0, &ws) == CDP_OK);
  if (ws == NULL) return test_result("test_capi_erasure");
  CHECK(cdp_ingest_csv_text(ws, kCsv, (int64_t)strlen(kCsv), NULL, NULL) == CDP_OK);

  CHECK(cdp_erase(ws, "email:nobody@shop.com", &r) == CDP_ERR_NOT_FOUND && r == NULL);
  CHECK(strstr(cdp_last_error(), "nobody holds") != NULL);
  CHECK(cdp_event_count(ws) == 4);
  CHECK(cdp_erase(NULL, "email:ann@shop.com", &r) == CDP_ERR_INVALID_ARGUMENT);

  CHECK(cdp_erase(ws, "email: Ann@Shop.com", &r) == CDP_OK);
  CHECK(cdp_result_int64(r, "events_removed", &v) == CDP_OK && v == 3);
  CHECK(cdp_result_int64(r, "identifiers_removed", &v) == CDP_OK && v == 3);
  CHECK(cdp_result_int64(r, "quarantine_removed", &v) == CDP_OK && v == 0);
  CHECK(cdp_result_int64(r, "links_removed", &v) == CDP_OK && v == 2);
  CHECK(cdp_result_int64(r, "file_compacted", &v) == CDP_OK && v == 1);
  cdp_result_destroy(r);
  CHECK(cdp_event_count(ws) == 1);
  CHECK(cdp_verify_audit(ws, &bad) == CDP_OK && bad == -1);
  for (i = 0; i < 3; ++i) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    CHECK(!file_contains(side, "ann@shop.com"));
  }
  CHECK(file_contains(path, "bob@shop.com"));

  /* The same data again: ann's three rows are rejected (quarantined, reason erased_subject, no
   * quarantine row), bob's is a duplicate. */
  CHECK(cdp_ingest_csv_text(ws, kCsv, (int64_t)strlen(kCsv), NULL, &rep) == CDP_OK);
  CHECK(cdp_report_accepted(rep) == 0 && cdp_report_quarantined(rep) == 3 && cdp_report_duplicates(rep) == 1);
  cdp_report_destroy(rep);
  CHECK(cdp_event_count(ws) == 1);
  cdp_workspace_close(ws);

  for (i = 0; i < 4; ++i) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    remove(side);
  }
  return test_result("test_capi_erasure");
}
