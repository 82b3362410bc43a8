/* cdp.h — the stable C ABI of cdpcore. Compiles as C99 and C++.
 *
 * Conventions (like sqlite3.h / duckdb.h): opaque handles; every call returns a cdp_status and
 * writes results through out-parameters; cdp_last_error() gives the thread-local message of the
 * last failure; whoever creates destroys (destroy functions accept NULL); strings are UTF-8,
 * NUL-terminated; timestamps are int64 microseconds since the Unix epoch, UTC. Additions only:
 * no signature ever changes (cdp_abi_version() counts additions).
 */
#ifndef CDP_H_
#define CDP_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define CDP_API __declspec(dllexport)
#else
#define CDP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cdp_status {
  CDP_OK = 0,
  CDP_ERR_INVALID_ARGUMENT = 1,
  CDP_ERR_NOT_FOUND = 2,
  CDP_ERR_IO = 3,
  CDP_ERR_PARSE = 4,
  CDP_ERR_PRIVACY = 5,
  CDP_ERR_INTERNAL = 6,
  CDP_ERR_UNIMPLEMENTED = 7
} cdp_status;

typedef enum cdp_column_type {
  CDP_INT64 = 0,
  CDP_DOUBLE = 1,
  CDP_BOOL = 2,
  CDP_STRING = 3
} cdp_column_type;

typedef enum cdp_push_result {
  CDP_PUSH_ACCEPTED = 0,
  CDP_PUSH_DUPLICATE = 1,
  CDP_PUSH_QUARANTINED = 2
} cdp_push_result;

typedef struct cdp_workspace cdp_workspace;
typedef struct cdp_options cdp_options;
typedef struct cdp_report cdp_report;
typedef struct cdp_table cdp_table;

/* Version "0.1.0" and ABI revision (incremented when functions are added). */
CDP_API const char* cdp_version(void);
CDP_API int32_t cdp_abi_version(void);
/* Message of the last failed call on this thread ("" when none). Valid until the next call. */
CDP_API const char* cdp_last_error(void);

/* Workspace. path: ":memory:" (or NULL). */
CDP_API cdp_status cdp_workspace_open(const char* path, cdp_workspace** out);
CDP_API void cdp_workspace_close(cdp_workspace* ws);

/* Ingest options as key/value pairs:
 *   "map.<field>" = source column ("map.ts" = "InvoiceDate", "map.type" = "=purchase",
 *                   "map.revenue" = "Quantity*UnitPrice")
 *   "plan" = tracking plan JSON;  "time_zone" = "UTC" | "Europe/Rome" | "+02:00"
 *   "epoch_unit" = auto|s|ms|us|ns;  "default_country" = "US";  "keep_unmapped" = "true"|"false"
 *   "source" = name for quarantine rows;  "null_values" = comma-separated tokens
 *   "csv.delimiter" = "," | ";" | "\t" | "whitespace";  "csv.header" = "true"|"false"
 *   "csv.columns" = comma-separated names (no header);  "csv.max_field_bytes" = "1048576"
 * Unknown keys and bad values fail with CDP_ERR_INVALID_ARGUMENT. */
CDP_API cdp_status cdp_options_create(cdp_options** out);
CDP_API cdp_status cdp_options_set(cdp_options* opts, const char* key, const char* value);
CDP_API void cdp_options_destroy(cdp_options* opts);

/* Ingest a CSV or NDJSON file (.gz allowed). opts may be NULL. Atomic: on error nothing is stored.
 * On success *out receives a report to destroy with cdp_report_destroy. */
CDP_API cdp_status cdp_ingest_csv(cdp_workspace* ws, const char* path, const cdp_options* opts,
                                  cdp_report** out);
CDP_API cdp_status cdp_ingest_ndjson(cdp_workspace* ws, const char* path, const cdp_options* opts,
                                     cdp_report** out);
/* Same, from text in memory. */
CDP_API cdp_status cdp_ingest_csv_text(cdp_workspace* ws, const char* data, int64_t len,
                                       const cdp_options* opts, cdp_report** out);

/* Server-to-server push of one event as a JSON object. Options (mapping, plan) for pushes are set
 * once with cdp_push_configure (optional). *result tells accepted / duplicate / quarantined. */
CDP_API cdp_status cdp_push_configure(cdp_workspace* ws, const cdp_options* opts);
CDP_API cdp_status cdp_push_event(cdp_workspace* ws, const char* json, int64_t len,
                                  cdp_push_result* result);

/* Report accessors: counts always satisfy read == accepted + quarantined + duplicates. */
CDP_API int64_t cdp_report_read(const cdp_report* r);
CDP_API int64_t cdp_report_accepted(const cdp_report* r);
CDP_API int64_t cdp_report_quarantined(const cdp_report* r);
CDP_API int64_t cdp_report_duplicates(const cdp_report* r);
/* Per-reason quarantine counts as a table (columns: code, rows). */
CDP_API cdp_status cdp_report_reasons(const cdp_report* r, cdp_table** out);
CDP_API void cdp_report_destroy(cdp_report* r);

/* Result tables. */
CDP_API cdp_status cdp_events(cdp_workspace* ws, cdp_table** out);
CDP_API cdp_status cdp_quarantine(cdp_workspace* ws, cdp_table** out);
/* Number of stored events; -1 on an internal error (see cdp_last_error). */
CDP_API int64_t cdp_event_count(cdp_workspace* ws);

/* Deterministic synthetic data set written as CSV files (events.csv, customers.csv,
 * campaigns.csv) into dir. */
CDP_API cdp_status cdp_generate_csv(const char* dir, int64_t customers, int32_t days, uint64_t seed);

/* Typed access to result tables. Column data pointers stay valid until cdp_table_destroy.
 * Nulls: int64 INT64_MIN, double NaN, bool -1 (int8), string NULL from cdp_table_string. */
CDP_API int64_t cdp_table_nrows(const cdp_table* t);
CDP_API int64_t cdp_table_ncols(const cdp_table* t);
CDP_API const char* cdp_table_column_name(const cdp_table* t, int64_t col);
CDP_API int64_t cdp_table_column_index(const cdp_table* t, const char* name);
CDP_API cdp_column_type cdp_table_column_type(const cdp_table* t, int64_t col);
CDP_API cdp_status cdp_table_column_int64(const cdp_table* t, int64_t col, const int64_t** data);
CDP_API cdp_status cdp_table_column_double(const cdp_table* t, int64_t col, const double** data);
CDP_API cdp_status cdp_table_column_bool(const cdp_table* t, int64_t col, const int8_t** data);
CDP_API int32_t cdp_table_is_null(const cdp_table* t, int64_t col, int64_t row);
/* String cell (NULL when null or out of range); valid until cdp_table_destroy. */
CDP_API const char* cdp_table_string(const cdp_table* t, int64_t col, int64_t row);
CDP_API void cdp_table_destroy(cdp_table* t);

#ifdef __cplusplus
}
#endif

#endif /* CDP_H_ */
