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
typedef struct cdp_identity_rules cdp_identity_rules;
typedef struct cdp_identity_report cdp_identity_report;
typedef struct cdp_segment_result cdp_segment_result;
typedef struct cdp_session_options cdp_session_options;
typedef struct cdp_funnel_options cdp_funnel_options;
typedef struct cdp_path_options cdp_path_options;
typedef struct cdp_heatmap_options cdp_heatmap_options;
typedef struct cdp_touch_options cdp_touch_options;
typedef struct cdp_attribution_options cdp_attribution_options;
typedef struct cdp_result cdp_result;
typedef struct cdp_metric_options cdp_metric_options;
typedef struct cdp_clv_model cdp_clv_model;

/* Version "0.1.0" and ABI revision (incremented when functions are added; 3 adds segments,
 * 4 journeys and attribution). */
CDP_API const char* cdp_version(void);
CDP_API int32_t cdp_abi_version(void);
/* Message of the last failed call on this thread ("" when none). Valid until the next call. */
CDP_API const char* cdp_last_error(void);

/* Workspace. path: ":memory:" (or NULL). */
CDP_API cdp_status cdp_workspace_open(const char* path, cdp_workspace** out);
CDP_API void cdp_workspace_close(cdp_workspace* ws);
/* Workspace from a file (SQLite, created when missing) or ":memory:" (or NULL). read_only != 0
 * opens an existing file without writing (mutating calls then fail with CDP_ERR_INVALID_ARGUMENT);
 * it is refused for ":memory:". Close with cdp_workspace_close. (ABI 2) */
CDP_API cdp_status cdp_workspace_open_ex(const char* path, int32_t read_only, cdp_workspace** out);
/* Writes the derived snapshot tables (profiles, identifiers, links, attributes) into the file for
 * SQL tools and checkpoints it; not needed for durability. No-op for ":memory:". (ABI 2) */
CDP_API cdp_status cdp_workspace_save(cdp_workspace* ws);

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

/* Identity rules as key/value pairs, starting from the defaults (ABI 2):
 *   "priority" = comma-separated types;  "limit.<type>" = integer (0 = no limit);
 *   "blocked_values" = comma-separated (replaces the defaults);  "block" = one more blocked value;
 *   "blocked_identifiers" = comma-separated type:value;  "custom_types" = comma-separated columns;
 *   "max_identifier_bytes" = integer;  "default_country" = alpha-2.
 * Unknown keys and bad values fail with CDP_ERR_INVALID_ARGUMENT naming the key. */
CDP_API cdp_status cdp_identity_rules_create(cdp_identity_rules** out);
CDP_API cdp_status cdp_identity_rules_set(cdp_identity_rules* rules, const char* key, const char* value);
CDP_API void cdp_identity_rules_destroy(cdp_identity_rules* rules);
/* Replaces the workspace's identity rules (rules NULL = the defaults) and rebuilds the graph from
 * every stored event, re-applying earlier links and unmerges; on error the old rules stay. (ABI 2) */
CDP_API cdp_status cdp_configure_identity(cdp_workspace* ws, const cdp_identity_rules* rules);

/* Brings identity resolution up to date with every stored event. out may be NULL; otherwise it
 * receives a report to destroy with cdp_identity_report_destroy. (ABI 2) */
CDP_API cdp_status cdp_resolve_identities(cdp_workspace* ws, cdp_identity_report** out);
/* Identity report accessors (0 for a NULL report): events resolved, events with no valid
 * identifier, profiles, identifiers, distinct identifier pairs (links), links that merged two
 * profiles, links refused by a type limit, links removed by unmerge, identifier occurrences
 * dropped as blocked values, and dropped as too long. (ABI 2) */
CDP_API int64_t cdp_identity_report_events(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_events_unassigned(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_profiles(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_identifiers(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_links(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_merges(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_conflicts(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_removed(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_blocked(const cdp_identity_report* r);
CDP_API int64_t cdp_identity_report_invalid(const cdp_identity_report* r);
CDP_API void cdp_identity_report_destroy(cdp_identity_report* r);

/* Profile tables (resolving first when needed); destroy each with cdp_table_destroy. (ABI 2)
 * Profiles: profile, key, events, first_seen, last_seen (µs), sessions, returning, identifiers,
 * one column per identifier type, then traits and attributes. */
CDP_API cdp_status cdp_profiles_table(cdp_workspace* ws, cdp_table** out);
/* Links touching a profile's identifiers (profile < 0: every link): a, b, status, rule, ts, event_id,
 * events, conflict_type, applied_at (µs). merges_only != 0: only links that merged, in applied order. */
CDP_API cdp_status cdp_identity_links_table(cdp_workspace* ws, int32_t profile, int32_t merges_only,
                                            cdp_table** out);
/* Identifiers with their profile: identifier, type, value, profile. */
CDP_API cdp_status cdp_identifiers_table(cdp_workspace* ws, cdp_table** out);
/* Every attribute write: profile, name, value, ts (µs), source, event_id, current. */
CDP_API cdp_status cdp_attributes_table(cdp_workspace* ws, cdp_table** out);
/* Audit log, oldest first: ts (µs, wall clock), action, detail (JSON). */
CDP_API cdp_status cdp_audit_table(cdp_workspace* ws, cdp_table** out);

/* Profile id of an identifier "type:value" (normalized like ingest: "email:ANN@x.com " finds
 * "email:ann@x.com"). Malformed or unknown type: CDP_ERR_INVALID_ARGUMENT; never seen:
 * CDP_ERR_NOT_FOUND. (ABI 2) */
CDP_API cdp_status cdp_find_profile(cdp_workspace* ws, const char* identifier, int32_t* out_profile);
/* Links two identifiers "type:value" by hand (rule "manual"). (ABI 2) */
CDP_API cdp_status cdp_link(cdp_workspace* ws, const char* a, const char* b);
/* Removes the link a-b (b NULL or "": every link of a); the profile splits and the pair never links
 * again. *out_removed (may be NULL) receives the number of links removed. (ABI 2) */
CDP_API cdp_status cdp_unmerge(cdp_workspace* ws, const char* a, const char* b, int64_t* out_removed);

/* Defines a computed trait, a column of the profiles table. agg: count, sum, avg, min, max, first,
 * last, most_frequent, distinct_count. field: "revenue", "ts", "type" or a property column (NULL
 * allowed for count). event_types: n_types type names (NULL/0 = every type). window: NULL or ""
 * (all time) or a duration ending at the latest event ("90d", "12h", "2w"). (ABI 2) */
CDP_API cdp_status cdp_define_trait(cdp_workspace* ws, const char* name, const char* agg, const char* field,
                                    const char* const* event_types, int64_t n_types, const char* window);
/* Drops a trait; CDP_ERR_NOT_FOUND when there is none of that name. (ABI 2) */
CDP_API cdp_status cdp_drop_trait(cdp_workspace* ws, const char* name);

/* Segments (ABI 3). Expressions use the profile query language (docs/query-language.md), e.g.
 *   "country in ('IT','FR') and count(purchase, last=30d) >= 2 and not did(unsubscribe)".
 * Members are profile ids (rows of cdp_profiles_table), ascending.
 *
 * Errors: a NULL pointer or negative count is CDP_ERR_INVALID_ARGUMENT naming the argument. An
 * expression that does not compile (syntax, unknown name, type error, empty text) is CDP_ERR_PARSE
 * from cdp_select and cdp_segment_create; cdp_last_error() then reads
 *   "line 1, column 19: expected a value after '>=', found end of input\n  ...\n  ^"
 * (cdp_segment_create prefixes 'segment "<name>": '). A stored segment whose expression no longer
 * compiles (e.g. its trait was dropped) fails cdp_segment_evaluate / cdp_segment_overlap with
 * CDP_ERR_INVALID_ARGUMENT. Unknown segment names are CDP_ERR_NOT_FOUND. */

/* Profiles for which expression is true. purpose (NULL or "": none) drops profiles that may not
 * be used for it. as_of: INT64_MIN evaluates at the workspace clock (the latest event time);
 * otherwise event aggregates see only events up to as_of (µs) and `last=` windows end there
 * (profile columns such as attributes and traits are current values). On success *out receives a
 * result to destroy with cdp_segment_result_destroy. (ABI 3) */
CDP_API cdp_status cdp_select(cdp_workspace* ws, const char* expression, const char* purpose, int64_t as_of,
                              cdp_segment_result** out);
/* Segment result accessors (0 for a NULL result): member count, profiles evaluated, profiles that
 * matched but were removed for the purpose, and the time windows ended at (µs). (ABI 3) */
CDP_API int64_t cdp_segment_result_size(const cdp_segment_result* r);
CDP_API int64_t cdp_segment_result_population(const cdp_segment_result* r);
CDP_API int64_t cdp_segment_result_excluded(const cdp_segment_result* r);
CDP_API int64_t cdp_segment_result_clock(const cdp_segment_result* r);
/* Members: *data receives n_members profile ids, ascending (data may be NULL when there are none),
 * valid until cdp_segment_result_destroy. (ABI 3) */
CDP_API cdp_status cdp_segment_result_members(const cdp_segment_result* r, const int32_t** data,
                                              int64_t* n_members);
CDP_API void cdp_segment_result_destroy(cdp_segment_result* r);

/* Defines a named segment; the expression must compile now. purpose and description may be NULL.
 * An existing name fails with CDP_ERR_INVALID_ARGUMENT unless replace != 0. (ABI 3) */
CDP_API cdp_status cdp_segment_create(cdp_workspace* ws, const char* name, const char* expression,
                                      const char* purpose, const char* description, int32_t replace);
/* Drops a named segment; CDP_ERR_NOT_FOUND when there is none of that name. (ABI 3) */
CDP_API cdp_status cdp_segment_drop(cdp_workspace* ws, const char* name);
/* Real-time segments (ABI 3). A real-time segment's membership follows every pushed event and
 * every cdp_advance_to; the listener is called synchronously, once per entry or exit, with the
 * segment name, the profile's canonical key ("user_id:42"), its profile id, entered (1) or exited
 * (0), and the time in µs (for an expiry, the exact microsecond the window ran out). The strings
 * are valid during the call only. NULL removes the listener. */
typedef void (*cdp_segment_listener)(const char* segment, const char* key, int32_t profile, int32_t entered,
                                     int64_t ts, void* user_data);
CDP_API cdp_status cdp_set_segment_listener(cdp_workspace* ws, cdp_segment_listener listener, void* user_data);
/* Turns real-time upkeep of a named segment on (1) or off (0); the members at that moment are the
 * starting point (no entries reported for them). */
CDP_API cdp_status cdp_segment_set_realtime(cdp_workspace* ws, const char* name, int32_t realtime);
/* Moves the workspace clock forward to ts (µs UTC); earlier than the clock is
 * CDP_ERR_INVALID_ARGUMENT. */
CDP_API cdp_status cdp_advance_to(cdp_workspace* ws, int64_t ts);

/* Current members of a named segment (as_of as in cdp_select; INT64_MIN = the clock), with the
 * segment's purpose applied. (ABI 3) */
CDP_API cdp_status cdp_segment_evaluate(cdp_workspace* ws, const char* name, int64_t as_of,
                                        cdp_segment_result** out);
/* One row per member for activation: profile, key, then the n_columns columns named (identifier
 * types such as "email", attributes, traits, built-ins). members may be NULL when n_members is 0,
 * columns when n_columns is 0. Unknown columns and profile ids fail with
 * CDP_ERR_INVALID_ARGUMENT. (ABI 3) */
CDP_API cdp_status cdp_segment_members_table(cdp_workspace* ws, const int32_t* members, int64_t n_members,
                                             const char* const* columns, int64_t n_columns, cdp_table** out);
/* RFM of every profile with a purchase: profile, key, recency (whole days from the last purchase
 * to the reference, double), frequency (orders), monetary (double), r, f, m (scores 1..bins), rfm
 * ("545"), segment (named segment when bins is 5, else null).
 * purchase_types: n_types event types (NULL/0 = "purchase"). order_field: the column whose distinct
 * values count orders (NULL = "order_id"; "" or a missing column: each purchase is one order).
 * reference: µs, or INT64_MIN for midnight UTC after the latest purchase. bins: 2..100 (0 = 5).
 * (ABI 3) */
CDP_API cdp_status cdp_rfm(cdp_workspace* ws, const char* const* purchase_types, int64_t n_types,
                           const char* order_field, int64_t reference, int32_t bins, cdp_table** out);
/* Overlap of every ordered pair of the n named segments, each evaluated now (n * n rows):
 * segment_a, segment_b, size_a, size_b, both, jaccard (both / union; 1 when both are empty),
 * share_of_a (both / size_a; NaN when a is empty). names may be NULL when n is 0. (ABI 3) */
CDP_API cdp_status cdp_segment_overlap(cdp_workspace* ws, const char* const* names, int64_t n, cdp_table** out);

/* Journeys (ABI 4): sessions, funnels, paths, stages, heatmaps and attribution over every
 * profile's events in time order, identities resolved first. docs/journeys.md has the semantics of
 * every option; the C++ API is cdp/journeys.hpp and cdp/attribution.hpp.
 *
 * Options are objects like cdp_options: *_create gives the defaults, *_set changes one key (values
 * are text), the calls take a const pointer (NULL = every default), *_destroy frees (NULL allowed).
 * An unknown key, or a value that does not parse as its kind, fails at set time with
 * CDP_ERR_INVALID_ARGUMENT naming the key. Kinds: durations are a positive whole number and a unit
 * ("30m", "1801s", "90d", "500ms", "1us"); booleans true|false|1|0; lists comma-separated
 * ("" = an empty list); integers and numbers in decimal.
 *
 * Errors of the calls: a NULL pointer or a negative count is CDP_ERR_INVALID_ARGUMENT naming the
 * argument. Values the engine refuses (an empty step list, an unknown event type, order "sideways",
 * a non-positive window, depth 0, an unknown model, ...) are CDP_ERR_INVALID_ARGUMENT with the
 * engine's message, e.g. "funnel: step 2: unknown event type 'purchse'; did you mean 'purchase'?".
 * A `where` condition that does not compile is CDP_ERR_PARSE, with line and column:
 *   "funnel: step 3 condition: line 1, column 10: expected a value after '>', found end of input".
 * On any error *out is NULL.
 *
 * Results: each call returns its main table (destroy with cdp_table_destroy); the *_ex variants
 * return a cdp_result that holds every table and number of the analysis by name. */

/* Session options: "gap" (duration, "30m": a gap longer than this starts a new session, a gap of
 * exactly 30 min stays), "split_at_midnight" (bool, false), "time_zone" (of midnight: "UTC",
 * "+02:00", IANA name), "split_on_campaign" (bool, false), "exclude_types" (list of event types that
 * never make or extend a session, "email_sent,ad_impression"), "page_view_type" ("page_view"). */
CDP_API cdp_status cdp_session_options_create(cdp_session_options** out);
CDP_API cdp_status cdp_session_options_set(cdp_session_options* opts, const char* key, const char* value);
CDP_API void cdp_session_options_destroy(cdp_session_options* opts);
/* One row per session: profile, session (1, 2, ... per profile), start, end (µs), duration_s,
 * events, page_views, bounce, landing_page, entry_page, exit_page, source, medium, campaign,
 * channel, device. (ABI 4) */
CDP_API cdp_status cdp_sessions(cdp_workspace* ws, const cdp_session_options* opts, cdp_table** out);

/* Funnel options: "window" (duration from step 1, inclusive, "30d"), "order" (ordered | strict |
 * any), "exclusion_mode" (disqualify | truncate), "count" (profiles | totals), "breakdown" (event
 * field whose value at step 1 splits the results; "" = none), "trend" ("" | day | week),
 * "since" / "until" (step 1 must fall in [since, until]: an integer is µs, other text ISO 8601, UTC
 * when naive; "" = no bound). The steps and exclusions are set with the two calls below. */
CDP_API cdp_status cdp_funnel_options_create(cdp_funnel_options** out);
CDP_API cdp_status cdp_funnel_options_set(cdp_funnel_options* opts, const char* key, const char* value);
/* Replaces the steps with n event types; wheres (conditions in the query language, event scope:
 * "revenue > 50 and channel = 'email'") and labels (shown in results; default: the event and its
 * condition) may be NULL, and so may their entries. */
CDP_API cdp_status cdp_funnel_options_set_steps(cdp_funnel_options* opts, const char* const* events,
                                                const char* const* wheres, const char* const* labels, int64_t n);
/* Replaces the exclusions: events[i] (with condition wheres[i]) must not happen between steps
 * from_steps[i] and to_steps[i] (1-based; to_step 0 = the last step). wheres, from_steps and
 * to_steps may be NULL (no condition, from step 1, to the last step). */
CDP_API cdp_status cdp_funnel_options_set_exclusions(cdp_funnel_options* opts, const char* const* events,
                                                     const char* const* wheres, const int32_t* from_steps,
                                                     const int32_t* to_steps, int64_t n);
CDP_API void cdp_funnel_options_destroy(cdp_funnel_options* opts);
/* The steps table: step (1-based), label, count, conversion_from_previous, conversion_from_first,
 * median_s_from_previous, mean_s_from_previous, median_s_from_first, mean_s_from_first (seconds;
 * NaN for step 1). opts NULL has no steps (an error). (ABI 4) */
CDP_API cdp_status cdp_funnel(cdp_workspace* ws, const cdp_funnel_options* opts, cdp_table** steps_out);
/* Every result of the funnel: tables "steps" (as above), "breakdown" (value, step, count,
 * conversion_from_first; no rows without a breakdown), "trend" (period µs, step, count,
 * conversion_from_first; no rows without a trend), "warnings" (warning); int64 "disqualified"
 * (removed by a disqualifying exclusion) and "profiles". (ABI 4) */
CDP_API cdp_status cdp_funnel_ex(cdp_workspace* ws, const cdp_funnel_options* opts, cdp_result** out);
/* Profiles that reached step `step` (1-based) and no further, as a segment result (population:
 * every profile; clock: the workspace clock when the funnel ran); the last step gives those who
 * converted. r must come from cdp_funnel_ex. (ABI 4) */
CDP_API cdp_status cdp_funnel_dropoff(const cdp_result* r, int32_t step, cdp_segment_result** out);

/* Path options: "start" (paths after the first occurrence of this element in a session) or "end"
 * (paths up to its first occurrence), "element" ("type", or a text event field such as "page"),
 * "include_types" (list; "" = every type but exclude_types), "exclude_types" (list,
 * "email_sent,ad_impression"), "depth" (elements per path, 5), "collapse_repeats" (bool, true),
 * "top" (20), "session_gap" (duration, "30m"). */
CDP_API cdp_status cdp_path_options_create(cdp_path_options** out);
CDP_API cdp_status cdp_path_options_set(cdp_path_options* opts, const char* key, const char* value);
CDP_API void cdp_path_options_destroy(cdp_path_options* opts);
/* Top paths: rank, path ("a > b > c"), steps, count, share. (ABI 4) */
CDP_API cdp_status cdp_paths(cdp_workspace* ws, const cdp_path_options* opts, cdp_table** top_out);
/* Tables "top_paths", "transitions" (from, to, count, share_of_from), "sankey_nodes" (id, step,
 * label, count), "sankey_links" (source, target, count); int64 "paths" (paths counted). (ABI 4) */
CDP_API cdp_status cdp_paths_ex(cdp_workspace* ws, const cdp_path_options* opts, cdp_result** out);

/* Journey stages. The model is n_stages ordered rules: a profile enters stage i at its
 * min_counts[i]-th event of type events[i] ("*": any) satisfying wheres[i]; its stage is the
 * furthest entered. n_stages 0: the default model (awareness: any event; consideration:
 * add_to_cart; purchase: a purchase; retention: a second purchase; advocacy: nps_response with
 * score >= 9), and the arrays may be NULL. wheres and min_counts may be NULL (no condition, 1), and
 * so may the entries of wheres. snapshots: times for the over_time table, 0..1000 (e.g. 8).
 * Summary: stage, entered, current, share_current, median_days_in_stage. (ABI 4) */
CDP_API cdp_status cdp_stages(cdp_workspace* ws, const char* const* names, const char* const* events,
                              const char* const* wheres, const int32_t* min_counts, int64_t n_stages,
                              int32_t snapshots, cdp_table** summary_out);
/* Tables "summary", "profiles" (profile, stage, then <stage>_at µs per stage), "transitions" (from,
 * to, count), "over_time" (date µs, stage, profiles). (ABI 4) */
CDP_API cdp_status cdp_stages_ex(cdp_workspace* ws, const char* const* names, const char* const* events,
                                 const char* const* wheres, const int32_t* min_counts, int64_t n_stages,
                                 int32_t snapshots, cdp_result** out);

/* Heatmap options: "page" (value of page_column; "" = every page), "page_column" ("page"),
 * "grid_x" / "grid_y" (cells per side, 20), "click_type" ("click"), "scroll_type" ("scroll"),
 * "page_view_type" ("page_view"), "x_column" ("x"), "y_column" ("y"), "scroll_column"
 * ("scroll_depth"), "viewport_width" / "viewport_height" (pixels, 1280 / 800, when the events have
 * no viewport columns), "viewport_width_column" / "viewport_height_column", "rage_clicks" (3),
 * "rage_window" (duration, "1s"), "rage_radius_px" (30), "dead_after" (duration, "3s"). Click
 * coordinates in [0, 1] are relative to the viewport. */
CDP_API cdp_status cdp_heatmap_options_create(cdp_heatmap_options** out);
CDP_API cdp_status cdp_heatmap_options_set(cdp_heatmap_options* opts, const char* key, const char* value);
CDP_API void cdp_heatmap_options_destroy(cdp_heatmap_options* opts);
/* Click grid, one row per cell (y-major): x_bin, y_bin, x0, y0 (cell origin in [0, 1]), clicks,
 * share. (ABI 4) */
CDP_API cdp_status cdp_heatmap(cdp_workspace* ws, const cdp_heatmap_options* opts, cdp_table** cells_out);
/* Tables "cells", "scroll" (depth 25/50/75/100, page_views, reached, share), "rage_clicks"
 * (profile, ts, page, x, y, clicks); int64 "clicks", "page_views", "dead_clicks"; double
 * "dead_click_share". (ABI 4) */
CDP_API cdp_status cdp_heatmap_ex(cdp_workspace* ws, const cdp_heatmap_options* opts, cdp_result** out);

/* Touchpoint options (how events become attribution journeys): "conversion" (event type,
 * "purchase"), "conversion_where" (condition on it), "touch_types" (list; "" = one touch per
 * session, its first channel value), "exclude_types" (list, "email_sent,ad_impression"),
 * "session_gap" (duration, "30m"), "channel_column" ("channel"), "lookback" (duration, "30d"),
 * "include_non_converting" (bool, true: journeys without a conversion are nulls for markov). */
CDP_API cdp_status cdp_touch_options_create(cdp_touch_options** out);
CDP_API cdp_status cdp_touch_options_set(cdp_touch_options* opts, const char* key, const char* value);
CDP_API void cdp_touch_options_destroy(cdp_touch_options* opts);
/* Attribution model parameters: "half_life" (duration, "7d", time_decay), "position_first" /
 * "position_last" (0.4 / 0.4), "markov_order" (1..4), "markov_collapse_repeats" (bool, false),
 * "shapley_exact_max" (15), "shapley_samples" (20000), "shapley_value" (conversions | rate),
 * "bootstrap" (replicates, 0), "confidence" (0.95), "seed" (0), "separator" (between the channels
 * of cdp_attribution_from_paths' paths, ">"). */
CDP_API cdp_status cdp_attribution_options_create(cdp_attribution_options** out);
CDP_API cdp_status cdp_attribution_options_set(cdp_attribution_options* opts, const char* key, const char* value);
CDP_API void cdp_attribution_options_destroy(cdp_attribution_options* opts);
/* Attribution of the conversions in the events. models: comma-separated, any of first, last,
 * linear, position, time_decay, markov, shapley (NULL or "": first,last,linear,position,markov).
 * touch and options may be NULL (defaults). One row per (model, channel), models in the order
 * given: channel, model, conversions, value; with bootstrap also conversions_lo, conversions_hi,
 * value_lo, value_hi; with markov also removal_effect (NaN on other models' rows). (ABI 4) */
CDP_API cdp_status cdp_attribution(cdp_workspace* ws, const cdp_touch_options* touch, const char* models,
                                   const cdp_attribution_options* options, cdp_table** out);
/* The same from n distinct paths such as "A > B > A" (channels trimmed), each with its
 * conversions, values (revenue; NULL: none) and nulls (journeys that did not convert; NULL: none).
 * Channels are numbered in sorted name order. (ABI 4) */
CDP_API cdp_status cdp_attribution_from_paths(const char* const* paths, const double* conversions,
                                              const double* values, const double* nulls, int64_t n,
                                              const char* models, const cdp_attribution_options* options,
                                              cdp_table** out);

/* --- Metrics (ABI 5) -------------------------------------------------------------------------
 * One key/value options handle serves every metric call; each call reads the keys it knows and
 * refuses any other (CDP_ERR_INVALID_ARGUMENT naming the key and the keys it takes). A later set
 * of the same key wins. opts may be NULL (defaults). Results are cdp_result bundles; the table
 * "warnings" (one text column "warning") explains null cells and skipped input. docs/metrics.md
 * has every formula. */
CDP_API cdp_status cdp_metric_options_create(cdp_metric_options** out);
CDP_API cdp_status cdp_metric_options_set(cdp_metric_options* opts, const char* key, const char* value);
CDP_API void cdp_metric_options_destroy(cdp_metric_options* opts);

/* Cohort retention. Keys: period (day|week|month), time_zone, cohort_event ("" any), return_event,
 * mode (on|on_or_after), periods (12), exclude_types, group_by (a profile column or segment).
 * Tables "cohorts" (cohort, cohort_size, offset, active, rate, revenue) and "lifecycle". */
CDP_API cdp_status cdp_retention(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);
/* Campaign KPIs over n cost rows (channel and date may be NULL; date in µs, any instant of the
 * day; impressions and clicks may be NULL). Keys: conversion, conversion_where, attribution
 * (first|last|linear|position|time_decay), lookback, session_gap, half_life, position_first,
 * position_last, exclude_types, by (channel,campaign,day), time_zone, margin. Tables "rows" and
 * "totals" (impressions, clicks, cost, sessions, conversions, new_customers, revenue, ctr, cpc,
 * cpm, conversion_rate, cpa, cac, roas, roi), "warnings"; int64 conversions,
 * unattributed_conversions, new_customers; double revenue, unattributed_revenue. */
CDP_API cdp_status cdp_campaign_kpis(cdp_workspace* ws, const cdp_metric_options* opts, const char* const* channel,
                                     const char* const* campaign, const int64_t* date, const double* impressions,
                                     const double* clicks, const double* cost, int64_t n, cdp_result** out);
/* Web traffic per period. Keys: period (day|week|month|all), time_zone, gap, split_at_midnight,
 * split_on_campaign, group_by. Table "table": [group], [period], visitors, new_visitors,
 * returning_visitors, sessions, bounce_rate, pages_per_session, avg_session_duration_s,
 * sessions_per_visitor. */
CDP_API cdp_status cdp_web_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);
/* DAU/WAU/MAU per day. Keys: event, exclude_types, time_zone. Table "table": date, dau, wau, mau,
 * stickiness. */
CDP_API cdp_status cdp_active_users(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);
/* Email rates per campaign (last row "(all)"). Keys: sent, open, click, unsubscribe, bounce
 * (event types), conversion, conversion_window, campaign_column. */
CDP_API cdp_status cdp_email_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);
/* Social engagement per period. Keys: engagement_types, exclude_types, period, time_zone. */
CDP_API cdp_status cdp_social_metrics(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);
/* NPS or CSAT with confidence intervals. Keys: kind (nps|csat), event, score_column, confidence,
 * period ("" none), time_zone, group_by. */
CDP_API cdp_status cdp_survey(cdp_workspace* ws, const cdp_metric_options* opts, cdp_result** out);

/* CLV models by maximum likelihood: model "bgnbd", "pareto_nbd", "bgbb" or "gamma_gamma"; n rows of
 * frequency, recency, T (BG/BB: n opportunities), monetary (Gamma-Gamma; else may be NULL) and
 * weights (NULL: 1 each). A fit that does not converge is returned with converged 0. */
CDP_API cdp_status cdp_clv_fit(const char* model, const double* frequency, const double* recency, const double* T,
                               const double* monetary, const double* weights, int64_t n, cdp_clv_model** out);
/* A model with given parameters (e.g. published values), in the model's parameter order. */
CDP_API cdp_status cdp_clv_model_create(const char* model, const double* params, int64_t k, cdp_clv_model** out);
CDP_API int64_t cdp_clv_model_nparams(const cdp_clv_model* m);
CDP_API const char* cdp_clv_model_param_name(const cdp_clv_model* m, int64_t i); /* NULL out of range */
CDP_API double cdp_clv_model_param(const cdp_clv_model* m, int64_t i);           /* NaN out of range */
CDP_API double cdp_clv_model_log_likelihood(const cdp_clv_model* m);
CDP_API int32_t cdp_clv_model_converged(const cdp_clv_model* m);
CDP_API void cdp_clv_model_destroy(cdp_clv_model* m);
/* Per customer into out[n]: what = "expected_purchases" (in the next t), "probability_alive"
 * (t: BG/BB future opportunities, else 0) or "average_value" (Gamma-Gamma; frequency, monetary). */
CDP_API cdp_status cdp_clv_predict(const cdp_clv_model* m, const char* what, double t, const double* frequency,
                                   const double* recency, const double* T, const double* monetary, int64_t n,
                                   double* out);

/* Churn propensity: L2 logistic regression on n rows of p features (row-major x), labels y 0/1,
 * weights NULL or per row, l2 = 1 / sklearn's C (0: no penalty), standardize 0/1 (z-scored fit,
 * coefficients reported on the original scale). coef receives p values; converged may be NULL. A
 * fit that does not converge (e.g. separable data without a penalty) returns CDP_OK with converged 0. */
CDP_API cdp_status cdp_logistic_fit(const double* x, int64_t n, int32_t p, const double* y, const double* weights,
                                    double l2, int32_t standardize, double* coef, double* intercept, int32_t* converged);
/* ROC AUC of scores against 0/1 labels (ties count one half, as Mann-Whitney). */
CDP_API cdp_status cdp_roc_auc(const double* scores, const double* labels, int64_t n, double* out);

/* --- Experiment statistics (ABI 5) ------------------------------------------------------------
 * alternative: "two-sided" (NULL or "" too), "larger" or "smaller"; alpha: test level (interval
 * 1 - alpha). Results are cdp_result bundles of numbers; bad counts (negative, successes above
 * trials, fewer than 2 samples) are CDP_ERR_INVALID_ARGUMENT naming the problem.
 * cdp_exp_assign: variants[i] = the index (0..k-1) of units[i]'s variant, by FNV-1a 64 of
 * "salt:experiment:unit", MurmurHash3's fmix64, u = top 53 bits / 2^53 and the first variant whose
 * cumulative weight share exceeds u (weights NULL: equal); sticky, the same on every platform. */
CDP_API cdp_status cdp_exp_assign(const char* salt, const char* experiment, const char* const* units, int64_t n,
                                  const double* weights, int32_t k, int32_t* variants);
/* Two-proportion z-test (pooled statistic, unpooled Wald interval): rate_control, rate_treatment,
 * diff, relative_lift, statistic, p_value, ci_low, ci_high, lift_ci_low, lift_ci_high. */
CDP_API cdp_status cdp_exp_proportions_ztest(int64_t successes_control, int64_t trials_control,
                                             int64_t successes_treatment, int64_t trials_treatment,
                                             const char* alternative, double alpha, cdp_result** out);
/* Welch's t-test on two samples: mean_control, mean_treatment, diff, relative_lift, statistic, df,
 * p_value, ci_low, ci_high. */
CDP_API cdp_status cdp_exp_welch_ttest(const double* control, int64_t n_control, const double* treatment,
                                       int64_t n_treatment, const char* alternative, double alpha, cdp_result** out);
/* Bayesian beta-binomial with a Beta(prior_alpha, prior_beta) prior: prob_treatment_better,
 * expected_loss_treatment, expected_loss_control, mean_control, mean_treatment. */
CDP_API cdp_status cdp_exp_beta_binomial(int64_t successes_control, int64_t trials_control,
                                         int64_t successes_treatment, int64_t trials_treatment, double prior_alpha,
                                         double prior_beta, cdp_result** out);
/* Sample-ratio mismatch (Pearson chi-square) of k variant counts against weights (NULL: equal):
 * double statistic, p_value; int64 df, mismatch (p < threshold). */
CDP_API cdp_status cdp_exp_srm(const int64_t* counts, const double* weights, int32_t k, double threshold,
                               cdp_result** out);
/* Units per variant: metric "proportion" (baseline rate, mde absolute or, with relative, relative)
 * or "mean" (baseline_or_std = standard deviation, mde absolute): double n_control_exact, effect;
 * int64 n_control, n_treatment, total. */
CDP_API cdp_status cdp_exp_sample_size(const char* metric, double baseline_or_std, double mde, double alpha,
                                       double power, double ratio, int32_t relative, cdp_result** out);
/* Adjusted p-values into adjusted[n]: method "holm", "bh", "by" or "bonferroni". */
CDP_API cdp_status cdp_exp_adjust_pvalues(const double* p_values, int64_t n, const char* method, double* adjusted);

/* --- Privacy (ABI 5) -----------------------------------------------------------------------------
 * Consent per purpose (purposes: analytics, marketing, personalization, advertising, sale_of_data
 * unless configured). A profile's latest consent event per purpose decides; without one, its region
 * does: opt-in regions (EU/EEA, UK, CH) count unknown as denied, opt-out regions (US) as granted
 * except sale_of_data after Global Privacy Control; an unknown region counts as opt-in. Purpose-bound
 * results (cdp_select / segments with a purpose) hold only profiles allowed for it and report the
 * others as excluded. docs/privacy.md has the model. */
/* Policy settings: purposes, opt_in_regions, opt_out_regions (lists of ISO codes such as DE or
 * US-CA), unknown_region (opt_in|opt_out), gpc_purpose, consent_event, purpose_column,
 * status_column, gpc_column, country_field, region_field. */
CDP_API cdp_status cdp_privacy_set(cdp_workspace* ws, const char* key, const char* value);
/* Records a decision ("granted" or "denied") for identifier ("email:a@b.c") and purpose at ts (µs;
 * INT64_MIN: now) as a consent event, audited as "consent". source and policy_version may be NULL. */
CDP_API cdp_status cdp_set_consent(cdp_workspace* ws, const char* identifier, const char* purpose, const char* status,
                                   int64_t ts, const char* source, const char* policy_version);
/* Per profile for purpose: profile, key, state, default (opt_in|opt_out), gpc, allowed. */
CDP_API cdp_status cdp_consent_table(cdp_workspace* ws, const char* purpose, cdp_table** out);
/* One person's consent per purpose: purpose, state, effective, basis, since, source, policy_version, events. */
CDP_API cdp_status cdp_consent_of(cdp_workspace* ws, const char* identifier, cdp_table** out);
/* Recomputes the audit log's SHA-256 chain: CDP_OK when intact (*first_bad = -1); otherwise
 * CDP_ERR_PRIVACY with *first_bad the 0-based index of the first entry that does not match. */
CDP_API cdp_status cdp_verify_audit(cdp_workspace* ws, int64_t* first_bad);
/* Keyed pseudonym "<key_id>:<64 hex digits of HMAC-SHA256(secret, value)>" into out (out_size bytes,
 * NUL-terminated); the secret needs at least 16 bytes. */
CDP_API cdp_status cdp_pseudonym(const char* key_id, const char* secret, int64_t secret_len, const char* value,
                                 int64_t value_len, char* out, int64_t out_size);
/* Erasure (GDPR Art. 17 / CCPA delete) of the person behind identifier ("email:a@b.c", normalized
 * like ingest): their profile's events and events carrying any of its identifiers, the identifiers,
 * links and manual link/unmerge operations naming them, quarantine rows holding their values;
 * everything derived is rebuilt. A tombstone (HMAC-SHA256 under a per-workspace secret) per
 * identifier makes later ingests reject their events (reason "erased_subject", no quarantine row).
 * Files are rewritten in one transaction with secure delete, then the WAL is truncated and the file
 * vacuumed. Audited as "erase", naming only tombstone hashes. CDP_ERR_NOT_FOUND when nobody holds
 * the identifier (nothing is removed); a read-only workspace is CDP_ERR_INVALID_ARGUMENT.
 * *out (may be NULL): ints events_removed, identifiers_removed, quarantine_removed, links_removed,
 * operations_removed, audit_redacted, strings_removed, file_compacted (0/1); double seconds; tables
 * "identifiers" (type, removed) and "tombstones" (hash, profile_key). (ABI 5) */
CDP_API cdp_status cdp_erase(cdp_workspace* ws, const char* identifier, cdp_result** out);

/* Results of the *_ex calls (ABI 4): tables and numbers by name, as listed with each call.
 * cdp_result_table gives a copy to destroy with cdp_table_destroy; an unknown name is
 * CDP_ERR_NOT_FOUND and the message lists the names there are. Table names are also listed by
 * index (cdp_result_table_name: NULL out of range). Counts are 0 for a NULL result. */
CDP_API int64_t cdp_result_ntables(const cdp_result* r);
CDP_API const char* cdp_result_table_name(const cdp_result* r, int64_t i);
CDP_API cdp_status cdp_result_table(const cdp_result* r, const char* name, cdp_table** out);
CDP_API cdp_status cdp_result_int64(const cdp_result* r, const char* name, int64_t* out);
CDP_API cdp_status cdp_result_double(const cdp_result* r, const char* name, double* out);
CDP_API void cdp_result_destroy(cdp_result* r);

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
