/* Plain C use of cdpcore: open a workspace, ingest a CSV, read the report and the events. */
#include <stdio.h>
#include <string.h>

#include "cdp/cdp.h"

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "events.csv";
  cdp_workspace* ws = NULL;
  cdp_report* rep = NULL;
  cdp_table* events = NULL;
  if (cdp_workspace_open(":memory:", &ws) != CDP_OK) return 1;
  if (cdp_ingest_csv(ws, path, NULL, &rep) != CDP_OK) {
    fprintf(stderr, "ingest failed: %s\n", cdp_last_error());
    cdp_workspace_close(ws);
    return 1;
  }
  printf("read %lld accepted %lld quarantined %lld duplicates %lld\n", (long long)cdp_report_read(rep),
         (long long)cdp_report_accepted(rep), (long long)cdp_report_quarantined(rep),
         (long long)cdp_report_duplicates(rep));
  if (cdp_events(ws, &events) == CDP_OK) {
    int64_t type = cdp_table_column_index(events, "type");
    int64_t r;
    for (r = 0; r < cdp_table_nrows(events) && r < 5; ++r) printf("  %s\n", cdp_table_string(events, type, r));
  }
  cdp_table_destroy(events);
  cdp_report_destroy(rep);
  cdp_workspace_close(ws);
  return 0;
}
