// cdp/workspace.hpp — the one object a user opens: store, ingest, (later) identity, segments, ...
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/attributes.hpp"
#include "cdp/erasure.hpp"
#include "cdp/event_store.hpp"
#include "cdp/identity.hpp"
#include "cdp/ingest.hpp"
#include "cdp/journeys.hpp"
#include "cdp/kpis.hpp"
#include "cdp/metrics.hpp"
#include "cdp/privacy.hpp"
#include "cdp/profiles.hpp"
#include "cdp/query.hpp"
#include "cdp/reader.hpp"
#include "cdp/segments.hpp"
#include "cdp/table.hpp"
#include "cdp/traits.hpp"

namespace cdp {

namespace internal {
class WorkspaceFile;
struct FileOp;
}  // namespace internal

/// Outcome of pushing one event.
enum class PushResult { kAccepted = 0, kDuplicate = 1, kQuarantined = 2 };

/// One profile, as shown to a person looking it up.
struct ProfileView {
  int32_t id = -1;
  std::string key;                       ///< canonical identifier, "type:value"
  std::vector<std::string> identifiers;  ///< every member, priority order
  int64_t events = 0;
  Micros first_seen = 0, last_seen = 0;
  int32_t sessions = 0;
  bool returning = false;
  struct Attribute {
    std::string name, value, source;
    Micros ts = 0;
  };
  std::vector<Attribute> attributes;     ///< current values, by name
  std::vector<std::pair<std::string, std::string>> traits;  ///< computed traits (name, value text)
  Table recent_events;                   ///< the latest events, newest first
};
/// A resolved person as returned by Workspace::Profile.
using Profile = ProfileView;

struct OpenOptions {
  /// Open an existing file without writing (many readers may run beside one writer). Mutating
  /// calls fail with FailedPrecondition.
  bool read_only = false;
};

/// One audit-log entry: operations that change what is known about people.
struct AuditEntry {
  Micros ts = 0;       ///< wall clock
  std::string action;  ///< ingest, import_profiles, push, resolve, link, unmerge, configure_identity, ...
  std::string detail;  ///< JSON object
  /// SHA-256 chain (cdp/privacy.hpp AuditEntryHash): of the previous entry's hash and this entry.
  std::string hash;
};

/// Everything held on one person (Workspace::ExportSubject): named tables and one JSON document.
struct SubjectExport {
  int32_t profile = -1;
  std::string key;
  /// profile, identifiers, links (merge provenance), attributes (with sources), attribute_history,
  /// traits, segments, consent, events.
  std::vector<std::pair<std::string, Table>> tables;
  std::string json;  ///< {"subject", "profile_key", "generated_at", "controller", "tables": {name: [rows]}}
};

/// What Workspace::EnforceRetention removed.
struct RetentionLimitReport {
  Micros now = 0;
  int64_t events_removed = 0, strings_removed = 0;
  std::map<std::string, int64_t> removed_by_type;
  /// The aggregates kept of what was removed: type, month (start µs), events, revenue.
  Table aggregates;
  bool file_compacted = true;
  double seconds = 0;
};

/// Result of checking the audit chain.
struct AuditVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad = -1;  ///< index (0-based) of the first entry whose hash does not match
  std::string message;
};

/// How ImportProfiles reads a CRM table.
struct ImportOptions {
  std::string source = "crm";  ///< recorded as each attribute write's source
  /// Column with the time the row was true (e.g. "updated_at", "signup_ts"); empty: now.
  std::string ts_column;
};

class Workspace {
 public:
  /// ":memory:" (default) or a workspace file (SQLite, created when missing). Every ingest call,
  /// push and operation is one transaction: a crash loses at most the call in progress. One
  /// process may write a file at a time (others get an error); any number may read it.
  /// Reopening gives identical query results. Files from a newer cdpcore are refused; older
  /// schema versions are migrated.
  static absl::StatusOr<std::unique_ptr<Workspace>> Open(std::string_view path = ":memory:",
                                                         const OpenOptions& options = {});
  ~Workspace();
  /// The file path, or ":memory:".
  const std::string& path() const { return path_; }
  /// Writes the derived snapshot tables (profiles, identifiers, links, attributes) into the file
  /// for SQL tools, and checkpoints the WAL. Not needed for durability. No-op in memory.
  absl::Status Save();
  /// Audit log, oldest first.
  const std::vector<AuditEntry>& audit() const { return audit_; }
  /// ts, action, detail, hash (the SHA-256 chain).
  Table AuditTable() const;
  /// Recomputes the audit chain (from the file for file workspaces): an edited, inserted or
  /// removed entry breaks it at that entry.
  AuditVerification VerifyAudit() const;
  /// Identifiers with their profile: identifier, type, value, profile.
  Table IdentifiersTable();
  /// Every attribute write with its profile: profile, name, value, ts, source, event_id, current.
  Table AttributesTable();
  /// PRAGMA integrity_check of the file ("ok" when sound); "ok" in memory.
  absl::StatusOr<std::string> IntegrityCheck() const;

  /// Each ingest call is atomic: on error (missing file, unreadable gzip, bad mapping or plan) it
  /// returns the error and nothing is stored; otherwise every row is counted in the report.
  absl::StatusOr<IngestReport> IngestCsv(const std::string& path, const IngestOptions& options = {},
                                         const CsvOptions& csv = {});
  absl::StatusOr<IngestReport> IngestCsvText(std::string text, const IngestOptions& options = {},
                                             const CsvOptions& csv = {});
  absl::StatusOr<IngestReport> IngestNdjson(const std::string& path, const IngestOptions& options = {},
                                            const NdjsonOptions& ndjson = {});
  absl::StatusOr<IngestReport> IngestNdjsonText(std::string text, const IngestOptions& options = {},
                                                const NdjsonOptions& ndjson = {});
  /// Typed columns (numpy/pandas/C arrays), zero-copy; `batch.columns[i].name` are source names.
  absl::StatusOr<IngestReport> IngestColumns(const SourceBatch& batch, const IngestOptions& options = {});

  /// Options for PushEvent (mapping, plan, time zone...). Default: standard field names.
  absl::Status ConfigurePush(const IngestOptions& options);
  /// One event as a JSON object (server-to-server). Quarantined events are in quarantine().
  absl::StatusOr<PushResult> PushEvent(std::string_view json);
  /// Cumulative report of every push so far.
  const IngestReport& push_report() const { return push_report_; }

  const std::vector<QuarantineRow>& quarantine() const { return quarantine_; }
  const std::vector<IngestReport>& reports() const { return reports_; }

  /// The event store with the delta run merged (sorted by profile key, ts).
  const EventStore& events();
  /// Events as a table: event_id, type, ts, profile, profile_key, revenue, then every named
  /// column (with `only`: just the columns named there).
  Table EventsTable(const std::vector<std::string>* only = nullptr);
  /// Quarantine as a table: source, line, column, value, code, reason, record.
  Table QuarantineTable() const;
  /// Summary over `partitions` profile partitions, merged (equal for any partition count).
  EventSummary Summary(int partitions = 1);

  // --- Identity and profiles (cdp/identity.hpp for the semantics) -------------------------------
  /// Replaces the identity rules. The graph is rebuilt from every stored event; manual links and
  /// unmerges made so far are applied again in their original order.
  absl::Status ConfigureIdentity(const IdentityRules& rules);
  const IdentityRules& identity_rules() const { return rules_; }
  /// Brings the graph up to date with every stored event (only new events are read; only
  /// components with late links are replayed), assigns dense profile ids and re-sorts the log by
  /// profile. Queries that need profiles call it themselves.
  absl::StatusOr<IdentityReport> ResolveIdentities();
  /// The resolved graph and profiles (resolving first when events arrived since).
  const IdentityGraph& identity();
  const ProfileIndex& profiles();
  /// Profile id of an identifier "type:value" (normalized like ingest), or a clear error.
  absl::StatusOr<int32_t> FindProfile(std::string_view identifier);
  absl::StatusOr<ProfileView> Profile(int32_t profile, int recent = 10);
  /// One row per profile: profile, key, events, first_seen, last_seen, sessions, returning,
  /// identifiers, then one column per identifier type (its first value in canonical order).
  Table ProfilesTable();
  /// Links touching a profile's identifiers (profile < 0: every link): a, b, status, rule, ts,
  /// event_id, events, conflict_type, applied_at. `merges_only`: the links that merged, in the order
  /// they were applied (the profile's merge history).
  Table IdentityLinks(int32_t profile, bool merges_only = false);
  /// Links two identifiers by hand (rule "manual"), e.g. from a CRM match.
  absl::Status Link(std::string_view a, std::string_view b);
  /// Removes the link a-b (or every link of `a` when `b` is empty); the profile splits and its
  /// events are reassigned. Returns the number of links removed.
  absl::StatusOr<int64_t> Unmerge(std::string_view a, std::string_view b = "");

  /// Imports a CRM/profile table: each row becomes an `identify` event whose identifier columns
  /// (user_id, email, phone, device_id, anonymous_id, custom types) are linked and whose other
  /// columns become attributes (traits.<column>), with `options.source` as their source. Rows
  /// without a valid identifier are quarantined; the report counts every row.
  absl::StatusOr<IngestReport> ImportProfiles(const SourceBatch& batch, const ImportOptions& options = {},
                                              const IngestOptions& ingest = {});
  /// Every write of a profile's attributes (or of one): name, value, ts, source, event_id.
  absl::StatusOr<Table> AttributeHistory(int32_t profile, std::string_view name = "");
  /// Defines a computed trait (cdp/traits.hpp); its values appear in ProfilesTable and Profile.
  absl::Status DefineTrait(const TraitSpec& spec);
  absl::Status DropTrait(std::string_view name);
  const TraitSet& traits();

  // --- Segments (cdp/query.hpp for the language, cdp/segments.hpp) ------------------------------
  /// Names and types an expression may use now: profile columns (built-ins, identifier types,
  /// traits, attributes), event fields and the event types seen.
  QuerySchema Schema();
  /// The workspace clock: the latest event time. `last=` windows end here.
  Micros Clock();
  /// Compiles an expression against the current schema (errors give line:column and a caret).
  absl::StatusOr<Query> CompileQuery(std::string_view expression);
  /// Profiles for which `expression` is true. `purpose` drops profiles that may not be used for
  /// it. `as_of` (default: the clock) evaluates event aggregates over the events up to that time,
  /// with windows ending there; profile columns (attributes, traits) are current values.
  absl::StatusOr<SegmentResult> Select(std::string_view expression, std::string_view purpose = "",
                                       Micros as_of = INT64_MIN);
  /// Defines (or with `replace`, redefines) a named segment; the expression must compile now.
  absl::Status DefineSegment(const SegmentSpec& spec, bool replace = false);
  absl::Status DropSegment(std::string_view name);
  const std::vector<SegmentSpec>& segments() const { return segments_; }
  /// Current members of a named segment.
  absl::StatusOr<SegmentResult> EvaluateSegment(std::string_view name, Micros as_of = INT64_MIN);
  /// One row per member for activation: profile, key, then `columns` (identifier types such as
  /// "email", attributes, traits, built-ins). Unknown columns are an error naming the nearest.
  absl::StatusOr<Table> MembersTable(const std::vector<int32_t>& members, const std::vector<std::string>& columns);
  /// A segment's validation: size, share of the population, stability (Jaccard of the members
  /// as of clock - `period` and as of the clock) and distinctiveness (lift of each attribute value
  /// in the segment against the population; see SegmentLift).
  struct SegmentValidation {
    int64_t size = 0;
    int32_t population = 0;
    double share = 0;
    double stability = 0;
    Micros period_start = 0, period_end = 0;
    /// column, value, segment_share, population_share, lift (categorical: share of members with
    /// the value / share of everyone; numeric: mean in the segment / mean overall, value "mean"),
    /// segment_count. Rows with lift furthest from 1 (in log terms) first.
    Table lift;
  };
  absl::StatusOr<SegmentValidation> ValidateSegment(std::string_view name, Micros period = Days(30));
  /// RFM of every profile with a purchase (cdp/segments.hpp for scores and names).
  absl::StatusOr<RfmResult> Rfm(const RfmOptions& options = {});
  /// RfmResult as a table: profile, key, recency, frequency, monetary, r, f, m, rfm ("545"), segment.
  Table RfmTable(const RfmResult& rfm);

  // --- Real-time segments ----------------------------------------------------------------------
  /// Receives every entry and exit of real-time segments, synchronously, from PushEvent,
  /// AdvanceTo and SetRealtime (null: none).
  using SegmentListener = std::function<void(const SegmentChange&)>;
  void SetSegmentListener(SegmentListener listener) { listener_ = std::move(listener); }
  /// Marks a named segment real-time (persisted). Turning it on takes the current members as the
  /// starting point (no entries are reported for them).
  absl::Status SetRealtime(std::string_view name, bool realtime);
  /// Moves the clock forward to `ts` (µs): `last=` windows end there. Members whose window runs
  /// out leave at the exact microsecond it does (one change per expiry time, in time order).
  /// Moving backwards is an error; the clock never goes below the latest event.
  absl::Status AdvanceTo(Micros ts);
  /// Real-time membership as last reported (canonical keys, sorted).
  absl::StatusOr<std::vector<std::string>> RealtimeMembers(std::string_view name) const;

  // --- Journeys (cdp/journeys.hpp; docs/journeys.md for the semantics) -------------------------
  /// One row per session of every profile (SessionTable's columns).
  absl::StatusOr<Table> Sessions(const SessionOptions& options = {});
  /// Session totals without the table (sessions, events, page views, bounces, duration, profiles).
  absl::StatusOr<SessionSummary> SessionTotals(const SessionOptions& options = {});
  /// A funnel over every profile (counts, conversion, time to convert, breakdown, trend).
  absl::StatusOr<FunnelResult> Funnel(const FunnelOptions& options);
  /// Top paths after/before an anchor, transitions and Sankey data.
  absl::StatusOr<PathResult> Paths(const PathOptions& options = {});
  /// Stage of every profile under `model`, transitions, time in stage and `snapshots` evenly spaced
  /// snapshots from the first event to the clock.
  absl::StatusOr<StageResult> Stages(const std::vector<StageRule>& model = DefaultStageModel(), int snapshots = 8);
  /// Click grid, scroll reach, rage and dead clicks (of one page, or of every page).
  absl::StatusOr<HeatmapResult> Heatmap(const HeatmapOptions& options = {});
  /// Journeys before conversions, as attribution input.
  absl::StatusOr<AttributionInput> Touchpoints(const TouchpointOptions& touch = {});
  /// Attribution of the conversions in the events (Touchpoints, then Attribute).
  absl::StatusOr<AttributionResult> Attribution(const TouchpointOptions& touch = {}, const AttributionOptions& options = {});

  // --- Privacy (cdp/privacy.hpp) ---------------------------------------------------------------
  /// Replaces the consent policy (purposes, regional defaults, column names).
  absl::Status ConfigurePrivacy(const ConsentPolicy& policy);
  const ConsentPolicy& privacy_policy() const { return policy_; }
  /// Records a consent decision of the person behind `identifier` ("email:a@b.c") as a consent
  /// event (type, purpose, consent_status, consent_source, policy_version) at `ts` (INT64_MIN: now),
  /// audited as "consent". Errors: an unknown purpose, a status that is neither granted nor denied,
  /// an identifier that does not parse.
  absl::Status SetConsent(std::string_view identifier, std::string_view purpose, std::string_view status,
                          Micros ts = INT64_MIN, std::string_view source = "api", std::string_view policy_version = "");
  /// Per profile for `purpose`: profile, key, state (granted / denied / unknown), gpc, allowed.
  absl::StatusOr<Table> ConsentTable(std::string_view purpose);
  /// Consent of one person, one row per purpose (ConsentOfProfile).
  absl::StatusOr<Table> ConsentOf(std::string_view identifier);
  /// The number of profiles matching `expression`, with Laplace noise of scale 1 / epsilon; the
  /// epsilon is charged to the policy's budget (persisted; audited as "noisy_count"). A query that
  /// would overspend it is a PrivacyError and charges nothing.
  struct NoisyCountResult {
    double count = 0;
    double epsilon = 0, spent = 0, remaining = 0;
  };
  absl::StatusOr<NoisyCountResult> NoisyCount(std::string_view expression, double epsilon);
  /// Retention limits: deletes raw events older than `now` minus their type's time to live
  /// (`ttl`: event type -> duration; "*" for every other type), with the strings only they used,
  /// rewriting and compacting the file; derived state is rebuilt. The monthly counts and revenue
  /// of what was removed are returned and audited ("retention"). Unknown types are an error.
  absl::StatusOr<RetentionLimitReport> EnforceRetention(Micros now, const std::vector<std::pair<std::string, Micros>>& ttl);
  /// The access / portability export of the person behind `identifier` (audited as "export",
  /// naming the profile id only). NotFound for an identifier nobody holds.
  absl::StatusOr<SubjectExport> ExportSubject(std::string_view identifier);
  /// Profiles that may be used for `purpose` (ascending ids) and how many may not.
  absl::StatusOr<std::vector<uint8_t>> ConsentAllowed(std::string_view purpose);

  // --- Metrics (cdp/metrics.hpp) -------------------------------------------------------------
  /// Cohort retention and lifecycle. `group_by` (a profile column such as "country") makes the
  /// cohorts groups of profiles instead of entry periods.
  absl::StatusOr<RetentionResult> Retention(const RetentionOptions& options = {}, std::string_view group_by = "");
  /// Campaign KPIs (cdp/kpis.hpp): conversions credited to campaign touches, joined with `costs`.
  absl::StatusOr<CampaignKpiResult> CampaignKpis(const CampaignKpiOptions& options, const CampaignCosts& costs);
  /// Web traffic per period; `group_by` as for Survey.
  absl::StatusOr<KpiTable> WebMetrics(const WebMetricsOptions& options = {}, std::string_view group_by = "");
  /// DAU, WAU, MAU and stickiness per day, up to the clock's day.
  absl::StatusOr<KpiTable> ActiveUsers(const ActiveUsersOptions& options = {});
  /// Social engagement per period.
  absl::StatusOr<KpiTable> SocialMetrics(const SocialMetricsOptions& options = {});
  /// Email rates per campaign.
  absl::StatusOr<KpiTable> EmailMetrics(const EmailMetricsOptions& options = {});
  /// NPS or CSAT with confidence intervals. `group_by`: a profile column (groups by its text) or
  /// a defined segment (groups "in <name>" and "not in <name>"); "": no groups.
  absl::StatusOr<KpiTable> Survey(const SurveyOptions& options = {}, std::string_view group_by = "");

 private:
  Workspace() = default;
  /// The sorted events with their profile offsets (resolving first), for journey kernels.
  absl::StatusOr<QueryData> EventData();
  template <typename Reader, typename Options>
  absl::StatusOr<IngestReport> IngestReader(Reader& reader, const IngestOptions& options,
                                            std::string source, bool fixed_columns);
  struct Checkpoint {
    size_t rows;
    uint32_t ids;
  };
  /// Undoes everything an ingest call stored since `c` (rows and remembered event ids).
  void Rollback(const Checkpoint& c);
  absl::StatusOr<IngestReport> Commit(Ingestor& ingestor, double seconds, size_t first_row, std::string action);
  absl::StatusOr<IngestReport> IngestColumnsAs(const SourceBatch& batch, const IngestOptions& options,
                                               std::string action);
  /// Fails when the workspace was opened read-only.
  absl::Status Writable(std::string_view what) const;
  /// Writes rows [first_row, size) and everything interned since the last write, `quarantine`,
  /// `report` and `ops` (either may be null), in one transaction (file workspaces; no-op in memory).
  absl::Status Persist(size_t first_row, const std::vector<QuarantineRow>& quarantine, const IngestReport* report,
                       const std::vector<internal::FileOp>* ops, const AuditEntry& audit);
  absl::Status Load();
  absl::Status LoadFile(internal::WorkspaceFile& f);
  void AddAudit(AuditEntry e);
  /// Appends an audit entry alone (to the file too; read-only handles keep it in memory).
  absl::Status RecordAudit(const AuditEntry& audit);
  /// The chained hash `e` gets when appended after the current last entry.
  std::string NextAuditHash(const AuditEntry& e) const;
  /// Sets a meta value (identity rules) with an audit entry, in one transaction.
  absl::Status PersistMeta(std::string_view key, std::string_view value, const AuditEntry& audit);
  /// Records when links got their status (file workspaces, outside a load).
  absl::Status PersistLinkTimes(const std::vector<int32_t>& links);
  static Micros Now();
  /// Rows of attribute writes (name, value, ts, source, event_id, current; first `profile` when
  /// `with_profile`); adds the columns to an empty table.
  void AppendAttributeRows(Table* t, int32_t profile, const std::vector<const AttributeWrite*>& history,
                           bool with_profile);
  /// Creates the graph when missing and resolves events appended since the last resolution
  /// (ResolveGraph), then sorts the log by profile and refreshes activity, attributes, traits.
  absl::Status EnsureResolved();
  /// Stage 1 of EnsureResolved: graph, dense profile ids, each event's profile.
  absl::Status ResolveGraph();
  /// Columns of an events table for `rows` of the sorted store (shared by EventsTable and Profile).
  Table EventRowsTable(size_t begin, size_t end, bool newest_first, const std::vector<std::string>* only = nullptr);

  EventStore store_;
  std::vector<QuarantineRow> quarantine_;
  std::vector<IngestReport> reports_;
  std::unique_ptr<Ingestor> push_;
  IngestReport push_report_;
  int64_t push_seq_ = 0;

  std::string path_ = ":memory:";
  std::unique_ptr<internal::WorkspaceFile> file_;
  int32_t saved_strings_ = 0, saved_keys_ = 0;
  uint32_t saved_ids_ = 0;
  bool loading_ = false;  ///< replaying the file: nothing is written back
  struct LinkTime {
    std::string a, b;
    int status;
    Micros applied_at;
  };
  std::vector<LinkTime> restore_times_;  ///< from the file, applied at the first resolution
  std::vector<AuditEntry> audit_;

  IdentityRules rules_;
  std::unique_ptr<IdentityGraph> identity_;
  ProfileIndex profiles_;
  size_t graph_rows_ = 0;        ///< store rows fed to the graph
  bool profiles_valid_ = false;  ///< profiles_ and the store's profile column match the graph
  bool sorted_valid_ = false;    ///< the store is sorted by profile; activity/attributes/traits current
  std::vector<uint8_t> dirty_;   ///< profiles changed by the last ResolveGraph (until the refresh)
  int64_t replays_ = 0;
  Micros session_gap_ = Minutes(30);
  AttributeLog attributes_;
  TraitSet traits_;
  bool rebuild_derived_ = false;  ///< attributes/traits must be recomputed for every profile
  struct ManualOp {
    bool link;  ///< link (a, b) or unmerge (a, b)
    std::string a, b;
    Micros ts;
  };
  std::vector<ManualOp> manual_;

  std::vector<SegmentSpec> segments_;
  ConsentPolicy policy_;
  SegmentListener listener_;
  Micros advanced_ = INT64_MIN;  ///< AdvanceTo's time (the clock is the later of it and the latest event)
  /// Real-time members by segment name: canonical keys, sorted.
  std::map<std::string, std::vector<std::string>, std::less<>> realtime_members_;
  /// Re-evaluates every real-time segment at the clock and reports the differences at `ts`.
  absl::Status RefreshRealtime(Micros ts);
  /// Members of a segment as sorted canonical keys.
  absl::StatusOr<std::vector<std::string>> MemberKeys(const SegmentSpec& spec);
  /// Profile columns by name (nullptr: all of them): the profiles table and the query frame.
  /// Strings go to `dict` when given.
  Table ProfileColumns(const std::vector<std::string>* only, std::shared_ptr<StringDictionary> dict = nullptr);
  /// Rows [event_begin[p], event_begin[p + 1]) of the sorted store are profile p's events.
  const std::vector<int64_t>& EventOffsets();
  /// One group code per profile (kNullCode: none) from a profile column or a segment's membership,
  /// the codes' text in `names`. Errors name the nearest column or segment.
  absl::Status ProfileGroups(std::string_view by, std::string_view what, std::vector<int32_t>* codes,
                             std::shared_ptr<StringDictionary>* names);
  /// Bumped whenever profiles or their derived columns may have changed (identity resolution,
  /// trait definitions): the query frame below is rebuilt lazily after it.
  uint64_t derived_version_ = 0;
  struct QueryFrame {
    uint64_t version = UINT64_MAX;
    Table columns;  ///< profile columns built so far for queries
    std::optional<QuerySchema> schema;
    std::optional<Micros> clock;
    std::vector<int64_t> offsets;
    std::vector<std::vector<uint8_t>> parts;  ///< per-partition query outputs (reused)
    std::optional<EventTypeIndex> type_index;
  };
  QueryFrame frame_;
  /// frame_, emptied when derived_version_ moved.
  QueryFrame& Frame();
  /// The privacy hook: removes members that may not be used for `purpose`; returns how many.
  /// Applies the aggregation threshold to a grouped KPI table (count column = profiles per row).
  void Suppressed(KpiTable& table, std::string_view count_column) const;
  /// Epsilon spent by noisy counts (kept in the file's meta table).
  double EpsilonSpent();
  std::optional<double> epsilon_spent_;
  /// Per profile: 1 when its region is opt-out under the policy (ConsentRegimes of cdp/privacy.hpp).
  std::vector<uint8_t> ConsentRegimes();
  /// Consent of every profile for `purpose` under `regimes` (partitioned).
  absl::StatusOr<ConsentPartial> ConsentFor(std::string_view purpose, const std::vector<uint8_t>& regimes);
  absl::StatusOr<int64_t> ApplyPurpose(std::string_view purpose, std::vector<int32_t>* members);
  absl::StatusOr<SegmentResult> Run(const Query& q, std::string_view purpose, Micros as_of);

  // --- Erasure (cdp/erasure.hpp; src/workspace/workspace_erasure.cpp) --------------------------
 public:
  /// Erases the person behind `identifier` ("email:ann@shop.com", normalized like ingest): their
  /// profile's events and every event carrying one of its identifiers, its identifiers, links and
  /// recorded link/unmerge operations, quarantine rows holding its values, and every derived value
  /// (rebuilt from what remains). Earlier audit details naming its identifiers are redacted and the
  /// chain re-sealed from there; the erasure is audited as "erase" naming only tombstone hashes.
  /// Tombstones keep the person out of later ingests. File workspaces rewrite the affected tables
  /// in one transaction (secure delete), then truncate the WAL and VACUUM. Errors: NotFound when
  /// nobody holds the identifier (nothing is removed), FailedPrecondition when read-only.
  absl::StatusOr<ErasureReport> Erase(std::string_view identifier);

 private:
  Tombstones tombstones_;
  /// The target of a new ingestor: the store's dictionaries and the tombstones check.
  IngestTarget Target();
  /// Reads the erasure secret and the tombstones of a file (during Load).
  absl::Status LoadTombstones(internal::WorkspaceFile& f);
  /// Drops every derived structure and rebuilds it from the stored rows (after rows were removed),
  /// with `restore_times` as the link provenance times to restore.
  absl::Status RebuildDerived(std::vector<LinkTime> restore_times);
};

}  // namespace cdp
