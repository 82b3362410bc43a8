"""Workspace: the one object a user opens."""
import json
import os

import numpy as np
import pandas as pd

from . import _core
from ._tables import to_frame
from .identity import IdentityReport, Profile
from .errors import InvalidArgumentError
from .report import IngestReport
from .segments import Segment, SegmentValidation, rfm_frame
from .experiments import Experiment

_PROGRESS_MIN_BYTES = 20 << 20   # show a bar for files above 20 MB
_PROGRESS_MIN_ROWS = 2_000_000


def _options(mapping=None, plan=None, time_zone=None, epoch_unit=None, default_country=None,
             keep_unmapped=None, source=None, null_values=None, delimiter=None, header=None,
             columns=None, max_field_bytes=None):
    opts = {}
    for field, col in (mapping or {}).items():
        opts[f"map.{field}"] = str(col)
    if plan is not None:
        if isinstance(plan, dict):
            opts["plan"] = json.dumps(plan)
        elif isinstance(plan, (str, os.PathLike)) and os.path.exists(plan):
            with open(plan, encoding="utf-8") as f:
                opts["plan"] = f.read()
        else:
            opts["plan"] = str(plan)
    simple = {"time_zone": time_zone, "epoch_unit": epoch_unit, "default_country": default_country,
              "source": source, "csv.delimiter": delimiter, "csv.max_field_bytes": max_field_bytes}
    for k, v in simple.items():
        if v is not None:
            opts[k] = str(v)
    if keep_unmapped is not None:
        opts["keep_unmapped"] = "true" if keep_unmapped else "false"
    if header is not None:
        opts["csv.header"] = "true" if header else "false"
    if null_values is not None:
        opts["null_values"] = ",".join(null_values)
    if columns is not None:
        opts["csv.columns"] = ",".join(columns)
    return opts


class _Bar:
    """tqdm progress for native calls; silent when disabled or tqdm is missing."""

    def __init__(self, enabled, total, unit, desc):
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=total, unit=unit, unit_scale=True, desc=desc, leave=False)
            except ImportError:
                self.bar = None

    def __call__(self, done, total):
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def callback(self):
        return self if self.bar is not None else None


def _column_spec(name, s):
    """A pandas Series / numpy array as (name, kind, array, extra) for the native ingest, zero-copy
    where the dtype allows."""
    if not isinstance(s, pd.Series):
        s = pd.Series(s)
    dt = s.dtype
    if isinstance(dt, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        dt = s.dtype
    if pd.api.types.is_datetime64_dtype(dt):
        arr = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return (name, "datetime_ns", np.ascontiguousarray(arr), None)
    if isinstance(dt, pd.CategoricalDtype):
        cats = [str(c) for c in dt.categories]
        return (name, "codes", np.ascontiguousarray(s.cat.codes.to_numpy().astype(np.int32, copy=False)), cats)
    if pd.api.types.is_bool_dtype(dt):
        if s.hasnans:
            valid = (~s.isna()).to_numpy(dtype=np.uint8)
            return (name, "bool", s.fillna(False).to_numpy(dtype=np.uint8), valid)
        return (name, "bool", np.ascontiguousarray(s.to_numpy(dtype=np.uint8)), None)
    if pd.api.types.is_integer_dtype(dt):
        if isinstance(dt, pd.api.extensions.ExtensionDtype):  # nullable Int64
            valid = (~s.isna()).to_numpy(dtype=np.uint8)
            return (name, "int64", s.to_numpy(dtype=np.int64, na_value=0), valid)
        return (name, "int64", np.ascontiguousarray(s.to_numpy().astype(np.int64, copy=False)), None)
    if pd.api.types.is_float_dtype(dt):
        return (name, "float64", np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=np.nan)), None)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return (name, "codes", codes.astype(np.int64, copy=False), [str(u) for u in uniques])


def _columns(data, what):
    """A DataFrame or dict of arrays as native column specs and a row count."""
    if isinstance(data, pd.DataFrame):
        items = [(str(c), data[c]) for c in data.columns]
        rows = len(data)
    elif isinstance(data, dict):
        items = [(str(k), v) for k, v in data.items()]
        lengths = {len(v) for _, v in items}
        if len(lengths) > 1:
            raise ValueError(f"{what}: columns have different lengths {sorted(lengths)}")
        rows = lengths.pop() if lengths else 0
    else:
        raise TypeError(f"{what}: expected a pandas DataFrame or a dict of arrays, got {type(data).__name__}")
    return [_column_spec(name, s) for name, s in items], rows


class Workspace:
    """An in-process customer-data workspace, in memory or in one SQLite file.

    A file workspace commits every ingest call, push and operation as one transaction and reopens
    with identical results. One process writes a file at a time; others may open it with
    ``read_only=True``.

    Example: ``ws = cdpcore.Workspace("shop.cdp"); ws.ingest_csv("events.csv")``
    """

    def __init__(self, path=":memory:", read_only=False):
        self._ws = _core.Workspace(str(path), bool(read_only))
        self.path = str(path)
        self.read_only = bool(read_only)
        self.reports = []

    def _record(self, d):
        rep = IngestReport(d)
        self.reports.append(rep)
        return rep

    def _ingest_file(self, native, path, opts, progress):
        """Run a native file ingest with a byte-progress bar for large files."""
        size = os.path.getsize(path) if os.path.exists(path) else 0
        bar = _Bar(progress and size >= _PROGRESS_MIN_BYTES, size, "B", os.path.basename(str(path)))
        try:
            return self._record(native(str(path), opts, bar.callback()))
        finally:
            bar.close()

    def ingest_csv(self, path, mapping=None, plan=None, *, delimiter=None, header=None, columns=None,
                   time_zone=None, epoch_unit=None, default_country=None, keep_unmapped=None,
                   null_values=None, max_field_bytes=None, source=None, progress=True):
        """Ingest a CSV file (``.gz`` allowed). Returns an IngestReport; bad rows go to quarantine().

        Example: ``ws.ingest_csv("sales.csv.gz", mapping={"ts": "InvoiceDate", "user_id": "CustomerID"})``
        """
        opts = _options(mapping, plan, time_zone, epoch_unit, default_country, keep_unmapped, source,
                        null_values, delimiter, header, columns, max_field_bytes)
        return self._ingest_file(self._ws.ingest_csv, path, opts, progress)

    def ingest_ndjson(self, path, mapping=None, plan=None, *, time_zone=None, epoch_unit=None,
                      default_country=None, keep_unmapped=None, source=None, progress=True):
        """Ingest newline-delimited JSON (nested objects become ``a.b`` columns).

        Example: ``ws.ingest_ndjson("events.ndjson", mapping={"user_id": "context.user"})``
        """
        opts = _options(mapping, plan, time_zone, epoch_unit, default_country, keep_unmapped, source)
        return self._ingest_file(self._ws.ingest_ndjson, path, opts, progress)

    def ingest(self, data, mapping=None, plan=None, *, time_zone=None, epoch_unit=None,
               default_country=None, keep_unmapped=None, source=None, progress=True):
        """Ingest a DataFrame or a dict of equal-length numpy arrays / lists.

        Datetime columns, integers, floats and booleans pass zero-copy; categoricals pass their
        codes; other columns are factorized. Example: ``ws.ingest(cdpcore.generate()["events"])``
        """
        cols, rows = _columns(data, "ingest")
        opts = _options(mapping, plan, time_zone, epoch_unit, default_country, keep_unmapped,
                        source or "columns")
        bar = _Bar(progress and rows >= _PROGRESS_MIN_ROWS, rows, "rows", "ingest")
        try:
            return self._record(self._ws.ingest_columns(cols, rows, opts, bar.callback()))
        finally:
            bar.close()

    def configure_push(self, mapping=None, plan=None, **kw):
        """Set mapping/plan/time zone for push(). Example: ``ws.configure_push(plan={"events": {}})``"""
        self._ws.configure_push(_options(mapping, plan, **kw))

    def push(self, event):
        """Push one event (dict or JSON text), server-to-server style.
        Returns "accepted", "duplicate" or "quarantined".

        Example: ``ws.push({"event_id": "e1", "type": "page_view", "ts": "2024-01-01T10:00:00Z", "user_id": "u1"})``
        """
        text = event if isinstance(event, str) else json.dumps(event, default=str)
        return self._ws.push(text)

    def push_report(self):
        """Cumulative IngestReport of every push()."""
        return IngestReport(self._ws.push_report())

    def quarantine(self):
        """Rejected rows: source, line, column, value, code, reason, record (the row as JSON).

        Example: ``ws.quarantine().groupby("code").size()``
        """
        df = to_frame(self._ws.quarantine(), time_columns=())
        for c in ("source", "column", "value", "code", "reason", "record"):
            df[c] = df[c].astype(object)
        return df

    def events(self, columns=None):
        """Every stored event as a DataFrame, sorted by (profile, ts); identities are resolved first.
        ``columns`` picks columns (event_id, type, ts, profile, profile_key, revenue, properties).

        Example: ``ws.events(columns=["profile", "type", "ts"]).groupby("type").size()``
        """
        if columns is not None:
            unknown = [c for c in columns if not isinstance(c, str)]
            if unknown:
                raise TypeError(f"columns: expected names, got {unknown[0]!r}")
        df = to_frame(self._ws.events(None if columns is None else list(columns)))
        missing = [c for c in (columns or []) if c not in df.columns]
        if missing:
            import difflib
            known = ["event_id", "profile", "profile_key"] + [n for n, _ in self._ws.schema()["event_fields"]]
            near = difflib.get_close_matches(missing[0], known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise InvalidArgumentError(f"events: unknown column {missing[0]!r}{hint}")
        return df

    def event_count(self):
        """Number of stored events. Example: ``ws.event_count()``"""
        return self._ws.event_count()

    def summary(self, partitions=1):
        """Events, profiles, revenue and counts by type; computed per profile partition and merged.

        Example: ``ws.summary()["by_type"]["purchase"]``
        """
        return self._ws.summary(partitions)

    # --- identity and profiles -------------------------------------------------------------------
    def configure_identity(self, *, priority=None, limits=None, blocked_values=None, block=None,
                           blocked_identifiers=None, custom_types=None, max_identifier_bytes=None,
                           default_country=None):
        """Set the identity rules (unset arguments keep their defaults); the graph is rebuilt.

        ``limits`` maps an identifier type to the most one profile may hold (0 = no limit);
        ``block`` adds values to the default junk list, ``blocked_values`` replaces it.
        Example: ``ws.configure_identity(limits={"email": 3}, block=["guest"])``
        """
        rules = []
        if priority is not None:
            rules.append(("priority", ",".join(priority)))
        for t, n in (limits or {}).items():
            rules.append((f"limit.{t}", str(int(n))))
        if blocked_values is not None:
            rules.append(("blocked_values", ",".join(blocked_values)))
        for v in block or ():
            rules.append(("block", str(v)))
        if blocked_identifiers is not None:
            rules.append(("blocked_identifiers", ",".join(blocked_identifiers)))
        if custom_types is not None:
            rules.append(("custom_types", ",".join(custom_types)))
        if max_identifier_bytes is not None:
            rules.append(("max_identifier_bytes", str(int(max_identifier_bytes))))
        if default_country is not None:
            rules.append(("default_country", str(default_country)))
        self._ws.configure_identity(rules)

    def resolve_identities(self):
        """Link identifiers that co-occur into profiles (incremental). Returns an IdentityReport.

        Example: ``ws.resolve_identities().merges``
        """
        return IdentityReport(self._ws.resolve_identities())

    def _profile_id(self, profile):
        if isinstance(profile, str):
            return self._ws.find_profile(profile)
        if isinstance(profile, (int, np.integer)) and not isinstance(profile, bool):
            return int(profile)
        raise TypeError(f"profile: expected an identifier \"type:value\" or a profile id, got {type(profile).__name__}")

    def profiles(self):
        """One row per profile: profile, key, events, first/last seen, sessions, returning,
        identifiers and the first identifier of each type.

        Example: ``ws.profiles().sort_values("events").tail()``
        """
        return to_frame(self._ws.profiles(), time_columns={"first_seen", "last_seen"})

    def profile(self, profile, recent=10):
        """A Profile by identifier ("email:ann@shop.com", normalized like ingest) or id.

        Example: ``ws.profile("user_id:42")``
        """
        return Profile(self._ws.profile(self._profile_id(profile), int(recent)))

    def identity_graph(self, profile=None):
        """Links (edges) touching a profile's identifiers, or every link: a, b, status (merged,
        redundant, conflict, removed), rule, ts and event_id of the first event with the pair,
        events, conflict_type, applied_at.

        Example: ``ws.identity_graph("user_id:42")``
        """
        pid = -1 if profile is None else self._profile_id(profile)
        return to_frame(self._ws.identity_links(pid, False), time_columns={"ts", "applied_at"})

    def merge_history(self, profile):
        """The links that merged a profile, in the order they were applied, with provenance.

        Example: ``ws.merge_history("email:ann@shop.com")[["a", "b", "event_id", "ts"]]``
        """
        return to_frame(self._ws.identity_links(self._profile_id(profile), True), time_columns={"ts", "applied_at"})

    def link(self, a, b):
        """Link two identifiers by hand (rule "manual"). Example: ``ws.link("user_id:42", "email:a@b.c")``"""
        self._ws.link(str(a), str(b))

    def unmerge(self, a, b=None):
        """Remove the link a-b (or every link of ``a``); the profile splits and its events move.
        The pair never links again. Returns the number of links removed.

        Example: ``ws.unmerge("device_id:family-pc", "user_id:42")``
        """
        return self._ws.unmerge(str(a), "" if b is None else str(b))

    def import_profiles(self, data, source="crm", ts=None, *, time_zone=None, epoch_unit=None,
                        default_country=None):
        """Import a CRM/profile table (DataFrame or dict of arrays). Identifier columns (user_id,
        email, phone, device_id, anonymous_id, custom types) are linked; every other column becomes
        an attribute with ``source``; ``ts`` names the column with the time each row was true
        (default: now). Rows without a valid identifier are quarantined. Returns an IngestReport.

        Example: ``ws.import_profiles(data["customers"], source="crm", ts="signup_ts")``
        """
        cols, rows = _columns(data, "import_profiles")
        opts = _options(None, None, time_zone, epoch_unit, default_country)
        return self._record(self._ws.import_profiles(cols, rows, str(source), "" if ts is None else str(ts), opts))

    def attribute_history(self, profile, name=None):
        """Every write of a profile's attributes: name, value, ts, source, event_id, current.

        Example: ``ws.attribute_history("user_id:42", "plan")``
        """
        return to_frame(self._ws.attribute_history(self._profile_id(profile), name or ""))

    def define_trait(self, name, agg, field=None, *, event_type=None, where=None, window=None):
        """Define a computed trait, kept up to date as events arrive.

        ``agg``: count, sum, avg, min, max, first, last, most_frequent, distinct_count; ``field``:
        "revenue", "ts" or a property; ``event_type``: a type or list of types; ``where``: dict of
        column -> value; ``window``: "90d", "12h", ... ending at the latest event time.
        Example: ``ws.define_trait("revenue_90d", "sum", "revenue", event_type="purchase", window="90d")``
        """
        types = [] if event_type is None else ([event_type] if isinstance(event_type, str) else list(event_type))
        conds = [(str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (where or {}).items()]
        self._ws.define_trait(str(name), str(agg), "" if field is None else str(field), types, conds,
                              "" if window is None else str(window))

    def drop_trait(self, name):
        """Remove a computed trait. Example: ``ws.drop_trait("revenue_90d")``"""
        self._ws.drop_trait(str(name))

    def traits(self):
        """The defined traits as a DataFrame (name, agg, field, event_types, where, window).

        Example: ``ws.traits()``
        """
        rows = self._ws.traits()
        for r in rows:
            r["window"] = pd.Timedelta(microseconds=r.pop("window_us")) if r["window_us"] else None
        return pd.DataFrame(rows, columns=["name", "agg", "field", "event_types", "where", "window"])

    def save(self):
        """Write the snapshot tables (profiles, identifiers, links, attributes) into the file for
        SQL tools and checkpoint the WAL. Durability does not depend on it.

        Example: ``ws.save()``
        """
        self._ws.save()

    def audit(self):
        """The audit log: ts, action (ingest, import_profiles, link, unmerge, ...), detail (JSON).

        Example: ``ws.audit().tail()``
        """
        return to_frame(self._ws.audit())

    def identifiers(self):
        """Every identifier with its profile: identifier, type, value, profile.

        Example: ``ws.identifiers().groupby("type").size()``
        """
        return to_frame(self._ws.identifiers())

    def attributes(self):
        """Every attribute write: profile, name, value, ts, source, event_id, current.

        Example: ``ws.attributes().query("current")``
        """
        return to_frame(self._ws.attributes())

    def integrity_check(self):
        """SQLite's integrity check of the workspace file ("ok" when sound, also in memory)."""
        return self._ws.integrity_check()

    # --- segments ------------------------------------------------------------------------------
    @staticmethod
    def _as_of(as_of):
        if as_of is None:
            return None
        ts = pd.Timestamp(as_of)
        if ts.tzinfo is None:
            ts = ts.tz_localize("UTC")
        return int(ts.value // 1000)

    def select(self, expression, purpose=None, as_of=None):
        """Profiles for which an expression is true, as an unnamed Segment (docs/query-language.md).

        Example: ``ws.select("count(purchase, last=30d) >= 2 and country = 'IT'").size``
        """
        d = self._ws.select(str(expression), purpose or "", self._as_of(as_of))
        return Segment(self, d, expression=expression, purpose=purpose)

    def segment(self, name, expression=None, purpose=None, description="", replace=False, as_of=None, *,
                sensitive_justification=""):
        """Defines a named segment (kept in a workspace file) and returns its current members; with
        only a name, evaluates an existing one. ``purpose`` (e.g. "marketing") keeps out profiles
        that may not be used for it. A targeting purpose (marketing, advertising, personalization,
        sale_of_data) may not select on a sensitive attribute (health, religion, ethnicity, sexual
        orientation, political opinion, minors) unless ``sensitive_justification`` says why; the
        justification is audited as an "override". Otherwise PrivacyError.

        Example: ``ws.segment("eu_buyers", "country in ('IT','FR') and count(purchase, last=30d) >= 2",
        purpose="marketing")``
        """
        if expression is not None:
            self._ws.define_segment(str(name), str(expression), purpose or "", description or "", bool(replace),
                                    str(sensitive_justification or ""))
        d = self._ws.evaluate_segment(str(name), self._as_of(as_of))
        spec = next(s for s in self._ws.segments() if s["name"] == name)
        return Segment(self, d, expression=spec["expression"], purpose=spec["purpose"],
                       description=spec["description"])

    def segments(self):
        """The named segments: name, expression, purpose, description.

        Example: ``ws.segments()``
        """
        return pd.DataFrame(self._ws.segments(), columns=["name", "expression", "purpose", "description"])

    def drop_segment(self, name):
        """Removes a named segment. Example: ``ws.drop_segment("eu_buyers")``"""
        self._ws.drop_segment(str(name))

    def overlap(self, names):
        """Overlap of every pair of named segments: segment_a, segment_b, size_a, size_b, both,
        jaccard, share_of_a. ``cdpcore.segments.overlap_plot`` draws it.

        Example: ``ws.overlap(["vip", "eu_buyers", "churn_risk"])``
        """
        return to_frame(self._ws.overlap([str(n) for n in names]))

    def segment_sizes(self, name, every="7d", periods=12):
        """Size of a named segment as of ``periods`` dates ``every`` apart, ending at the clock
        (event aggregates see the events up to each date; attributes are current values).
        ``.plot()`` on the result draws the line.

        Example: ``ws.segment_sizes("vip", every="30d", periods=6).plot(x="as_of", y="size")``
        """
        try:
            step = pd.Timedelta(every)
        except ValueError:
            raise InvalidArgumentError(f"segment_sizes: every must be a duration such as '7d', got {every!r}") from None
        if step <= pd.Timedelta(0):
            raise InvalidArgumentError(f"segment_sizes: every must be positive, got {every!r}")
        if int(periods) < 1:
            raise InvalidArgumentError(f"segment_sizes: periods must be >= 1, got {periods!r}")
        end = self.clock()
        rows = []
        for k in range(int(periods) - 1, -1, -1):
            at = end - k * step
            d = self._ws.evaluate_segment(str(name), int(at.value // 1000))
            rows.append({"as_of": at, "size": len(d["members"]), "population": int(d["population"])})
        df = pd.DataFrame(rows)
        df["share"] = df["size"] / df["population"].where(df["population"] > 0)
        return df

    def set_realtime(self, name, realtime=True):
        """Keeps a named segment's membership current as events are pushed and the clock advances;
        ``on_segment_change`` receives each entry and exit.

        Example: ``ws.set_realtime("recent_buyers"); ws.push({...})``
        """
        self._ws.set_realtime(str(name), bool(realtime))

    def on_segment_change(self, callback):
        """Calls ``callback(change)`` for every entry into or exit from a real-time segment, during
        ``push``, ``advance_to`` and ``set_realtime``. ``change`` is a dict: segment, key, profile,
        entered (bool), ts (UTC Timestamp; for an expiry, the exact time the window ran out).
        ``None`` removes the callback.

        Example: ``ws.on_segment_change(lambda c: print(c["segment"], c["key"], c["entered"]))``
        """
        if callback is None:
            self._ws.on_segment_change(None)
            return
        if not callable(callback):
            raise TypeError(f"on_segment_change: expected a callable, got {type(callback).__name__}")

        def relay(d):
            d = dict(d)
            d["ts"] = pd.Timestamp(int(d["ts"]), unit="us", tz="UTC")
            callback(d)
        self._ws.on_segment_change(relay)

    def advance_to(self, ts):
        """Moves the clock forward (``last=`` windows end there); members of real-time segments
        whose window runs out leave at the exact microsecond it does.

        Example: ``ws.advance_to("2024-05-01T00:00:00Z")``
        """
        self._ws.advance_to(self._as_of(ts))

    def realtime_members(self, name):
        """Canonical keys of a real-time segment's members, as last reported."""
        return list(self._ws.realtime_members(str(name)))

    def validate_segment(self, name, period="30d"):
        """Size, stability between now and `period` ago (Jaccard), and distinguishing attributes.

        Example: ``ws.validate_segment("vip", period="30d").lift.head()``
        """
        return SegmentValidation(name, self._ws.validate_segment(str(name), str(period)))

    def rfm(self, purchase_types=("purchase",), order_field="order_id", reference=None, bins=5):
        """RFM per profile with a purchase: recency (whole days before `reference`, default
        midnight after the last purchase), frequency (distinct `order_field` values), monetary
        (revenue), scores r, f, m (1-5, ties scored alike) and a named segment.

        Example: ``ws.rfm().groupby("segment").size()``
        """
        if isinstance(purchase_types, str):
            purchase_types = [purchase_types]
        return rfm_frame(self._ws.rfm(list(purchase_types), order_field or "", self._as_of(reference), int(bins)))

    # --- journeys (docs/journeys.md) ---------------------------------------------------------
    def sessions(self, gap="30min", *, split_at_midnight=False, time_zone="UTC", split_on_campaign=False,
                 exclude_types=("email_sent", "ad_impression"), page_view_type="page_view"):
        """Sessions of every profile: a gap longer than `gap` (a gap of exactly `gap` stays) starts a
        new one; optionally also local midnight in `time_zone` or a campaign change. `exclude_types`
        are not the person's actions and never make a session.

        Example: ``ws.sessions().summary()["bounce_rate"]``
        """
        from .journeys import Sessions, _duration
        return Sessions(self, {"gap": _duration(gap), "split_at_midnight": bool(split_at_midnight),
                               "time_zone": str(time_zone), "split_on_campaign": bool(split_on_campaign),
                               "exclude_types": list(exclude_types), "page_view_type": str(page_view_type)})

    def funnel(self, steps, window="30d", order="ordered", *, exclusions=None, exclusion_mode="disqualify",
               count="profiles", breakdown=None, trend=None, since=None, until=None):
        """A funnel over every profile. `steps` are event types, or dicts / tuples (event, where) with a
        condition on the event (``("purchase", "revenue > 50")``). `order`: ordered (others may occur
        between steps), strict (nothing between) or any. `window` runs from step 1 (inclusive).
        `exclusions`: event types or dicts {event, where, from_step, to_step} that must not happen
        between those steps; `exclusion_mode` disqualify (the attempt is void) or truncate (later steps
        do not count). `count`: profiles (best attempt each) or totals (every attempt). `breakdown`:
        an event field read at step 1. `trend`: "day" or "week" of entry.

        Example: ``ws.funnel(["page_view", "add_to_cart", "checkout", "purchase"], window="7d").steps``
        """
        from .journeys import Funnel, _duration, _time

        def step(s):
            if isinstance(s, str):
                return {"event": s}
            if isinstance(s, dict):
                return {k: v for k, v in s.items() if k in ("event", "where", "label")}
            event, where = s
            return {"event": event, "where": where}

        def exclusion(x):
            if isinstance(x, str):
                return {"event": x}
            return dict(x)
        if isinstance(steps, str):
            steps = [steps]
        o = {"steps": [step(s) for s in steps], "window": _duration(window), "order": order,
             "exclusions": [exclusion(x) for x in (exclusions or [])], "exclusion_mode": exclusion_mode,
             "count": count, "breakdown": breakdown or "", "trend": trend or "", "since": _time(since), "until": _time(until)}
        return Funnel(self, self._ws.funnel(o))

    def paths(self, start=None, end=None, *, element="type", depth=5, top=20, collapse_repeats=True,
              include_types=None, exclude_types=("email_sent", "ad_impression"), session_gap="30min"):
        """Top paths within sessions: after the first `start` (or up to the first `end`, or from the
        session start), `depth` elements each; `element` is "type" or an event field such as "page".

        Example: ``ws.paths(start="page_view", element="page", depth=4).top``
        """
        from .journeys import Paths, _duration
        return Paths(self._ws.paths({"start": start or "", "end": end or "", "element": element, "depth": int(depth),
                                     "top": int(top), "collapse_repeats": bool(collapse_repeats),
                                     "include_types": list(include_types or []), "exclude_types": list(exclude_types),
                                     "session_gap": _duration(session_gap)}))

    def stages(self, model=None, snapshots=8):
        """Journey stages (default awareness -> consideration -> purchase -> retention -> advocacy).
        `model`: a list of dicts {name, event ("*": any), where, min_count}; a profile is in the
        furthest stage it has entered.

        Example: ``ws.stages().summary``
        """
        from .journeys import Stages
        return Stages(self._ws.stages([dict(m) for m in (model or [])], int(snapshots)))

    def heatmap(self, page=None, *, grid=(20, 20), page_column="page", viewport=(1280, 800), rage_clicks=3,
                rage_window="1s", rage_radius_px=30, dead_after="3s"):
        """Clicks binned on a grid (x, y relative to the viewport), scroll reach (25/50/75/100%), rage
        clicks (>= `rage_clicks` within `rage_window` and `rage_radius_px`) and dead clicks (no other
        event within `dead_after`) for one page (a value of `page_column`) or every page.

        Example: ``ws.heatmap("product").plot()``
        """
        from .journeys import Heatmap, _duration
        o = {"page": page or "", "page_column": page_column, "grid_x": int(grid[0]), "grid_y": int(grid[1]),
             "viewport_width": float(viewport[0]), "viewport_height": float(viewport[1]), "rage_clicks": int(rage_clicks),
             "rage_window": _duration(rage_window), "rage_radius_px": float(rage_radius_px), "dead_after": _duration(dead_after)}
        return Heatmap(self._ws.heatmap(o), page)

    def attribution(self, conversion="purchase", models=("first", "last", "linear", "position", "markov"), *,
                    lookback="30d", channel="channel", touch_types=None, conversion_where=None,
                    include_non_converting=True, half_life="7d", position=None, markov_order=1,
                    shapley_samples=20000, shapley_value="conversions", bootstrap=0, confidence=0.95, seed=0):
        """Attribution of the `conversion` events to the channels that touched each person within
        `lookback` before it. Touches: one per session (its first `channel` value), or every event
        of `touch_types`. Journeys that did not convert feed the Markov model as nulls.

        Example: ``ws.attribution(models=["first", "last", "markov"], bootstrap=200).to_pandas()``
        """
        from .journeys import Attribution, _attribution_options, _duration
        t = {"conversion": conversion, "conversion_where": conversion_where or "", "touch_types": list(touch_types or []),
             "channel_column": channel, "lookback": _duration(lookback), "include_non_converting": bool(include_non_converting)}
        o = _attribution_options(models, half_life, position, markov_order, False, shapley_samples, shapley_value,
                                 bootstrap, confidence, seed)
        return Attribution(self._ws.attribution(t, o))

    def retention(self, period="month", cohort="first_event", mode="on", *, event=None, periods=12,
                  time_zone="UTC", exclude_types=("email_sent", "ad_impression")):
        """Cohort retention. `cohort`: "first_event", "first_<type>" (e.g. "first_purchase": the
        month of the first purchase) or a profile column such as "country" (cohorts by property,
        offsets from each profile's first event). `event`: the activity that counts (default: any
        event; with a first_<type> cohort, that type). `mode`: "on" (active in that period) or
        "on_or_after" (active then or later). Periods are calendar days, weeks (Monday) or months in
        `time_zone`.

        Example: ``ws.retention(period="month", cohort="first_purchase", mode="on").counts``
        """
        from .metrics import Retention
        types = set(self._ws.schema()["event_types"])
        group_by, cohort_event = "", ""
        if cohort != "first_event":
            columns = {f[0] for f in self._ws.schema()["profile_fields"]} | {s[0] for s in self._ws.segments()}
            if cohort.startswith("first_") and cohort[len("first_"):] in types:
                cohort_event = cohort[len("first_"):]
            elif cohort.startswith("first_") and cohort not in columns:
                raise InvalidArgumentError(
                    f"retention: cohort {cohort!r}: no event has type {cohort[len('first_'):]!r}, so every cohort "
                    f"would be empty (event types: {', '.join(sorted(types)) or 'none'})")
            else:
                group_by = cohort
        return_event = event if event is not None else cohort_event
        o = {"period": period, "time_zone": time_zone, "cohort_event": cohort_event, "return_event": return_event or "",
             "mode": mode, "periods": int(periods), "exclude_types": list(exclude_types)}
        return Retention(self._ws.retention(o, group_by))

    def kpis(self, costs, by=("channel", "campaign"), attribution="last", *, conversion="purchase",
             conversion_where="", lookback="30d", session_gap="30m", half_life="7d", position=(0.4, 0.4),
             margin=1.0, time_zone="UTC", exclude_types=("email_sent", "ad_impression")):
        """Campaign KPIs: the cost table (channel, campaign, date, impressions, clicks, cost; a
        DataFrame such as ``cdp.generate(...)["campaigns"]``) joined with the conversions credited
        to campaign touches. A touch is a session that brings a campaign; each conversion's credit
        is split among the touches in the `lookback` before it by `attribution` (first, last,
        linear, position, time_decay). `by`: any of channel, campaign, day. ROI = (revenue *
        `margin` - cost) / cost. Returns CampaignKpis (``table``, ``totals``, ``warnings``).

        Example: ``ws.kpis(g["campaigns"], by=["channel"]).table[["channel", "ctr", "cpa", "roas"]]``
        """
        from .kpis import CampaignKpis, costs_to_native
        o = {"conversion": conversion, "conversion_where": conversion_where, "attribution": attribution,
             "lookback": lookback, "session_gap": session_gap, "half_life": half_life,
             "position_first": float(position[0]), "position_last": float(position[1]), "margin": float(margin),
             "by": [by] if isinstance(by, str) else list(by), "time_zone": time_zone,
             "exclude_types": list(exclude_types)}
        try:
            native_costs = costs_to_native(costs)
        except ValueError as e:
            raise InvalidArgumentError(f"campaign KPIs: {e}") from None
        return CampaignKpis(self._ws.campaign_kpis(o, native_costs))

    def web_metrics(self, period="day", by=None, *, time_zone="UTC", gap="30m"):
        """Visitors, new and returning visitors, sessions, bounce rate, pages per session and
        average session duration per `period` (day, week, month or "all"); `by` groups by a profile
        column or a segment (members vs the rest).

        Example: ``ws.web_metrics(period="month").table``
        """
        from .kpis import KpiTable
        o = {"period": period, "time_zone": time_zone, "gap": gap}
        return KpiTable(self._ws.web_metrics(o, by or ""), "Web traffic")

    def active_users(self, event=None, *, time_zone="UTC", exclude_types=("email_sent", "ad_impression")):
        """DAU, WAU, MAU and stickiness per day up to the clock; active means any event (or `event`).

        Example: ``ws.active_users().table.tail(1)``
        """
        from .kpis import ActiveUsers
        o = {"event": event or "", "time_zone": time_zone, "exclude_types": list(exclude_types)}
        return ActiveUsers(self._ws.active_users(o))

    def social_metrics(self, period="month", *, engagement_types=("social_like", "social_share", "social_comment"),
                       time_zone="UTC"):
        """Social engagement per `period` (day, week, month, all): active and engaged profiles,
        engagements by type, engagement rate (engaged / active profiles) and engagements per
        engaged profile.

        Example: ``ws.social_metrics().table[["period", "engagement_rate"]]``
        """
        from .kpis import KpiTable
        o = {"period": period, "time_zone": time_zone, "engagement_types": list(engagement_types)}
        return KpiTable(self._ws.social_metrics(o), "Social engagement")

    def email_metrics(self, *, conversion="purchase", conversion_window="7d", campaign_column="campaign"):
        """Per email campaign: sent, delivered, unique opens and clicks, unsubscribes, conversions
        (profiles buying within `conversion_window` of a click) and the rates over delivered emails.

        Example: ``ws.email_metrics().table.tail(1)  # the "(all)" row``
        """
        from .kpis import KpiTable
        o = {"conversion": conversion, "conversion_window": conversion_window, "campaign_column": campaign_column}
        return KpiTable(self._ws.email_metrics(o), "Email")

    def nps(self, by=None, period=None, *, confidence=0.95, event=None, score_column="score", time_zone="UTC"):
        """Net Promoter Score (promoters 9-10 minus detractors 0-6, in points) with a Wald interval,
        by a profile column or segment and/or period.

        Example: ``ws.nps(by="country").table[["group", "responses", "nps", "nps_low", "nps_high"]]``
        """
        return self._survey("nps", by, period, confidence, event, score_column, time_zone)

    def csat(self, by=None, period=None, *, confidence=0.95, event=None, score_column="score", time_zone="UTC"):
        """CSAT: share of 4-5 answers on a 1-5 scale (percent) with a Wilson interval.

        Example: ``ws.csat(period="month").table``
        """
        return self._survey("csat", by, period, confidence, event, score_column, time_zone)

    def churn_features(self, as_of=None, *, exclude_types=("email_sent", "ad_impression")):
        """Per profile active up to `as_of` (default: the clock), behaviour features computed only
        from events up to then: recency_days, tenure_days, active_days, events, revenue, one count
        column per event type (``n_<type>``) and rates per active day. The index is the profile id.

        Example: ``ws.churn_features().describe()``
        """
        return self._churn_features(self._as_of(as_of) if as_of is not None else self._ws.clock(), exclude_types)

    def _churn_features(self, at_us, exclude_types):
        ev = self.events(columns=["profile", "type", "ts", "revenue"])
        at = pd.Timestamp(at_us, unit="us", tz="UTC")
        ev = ev[(ev["ts"] <= at) & ~ev["type"].isin(list(exclude_types))]
        if not len(ev):
            raise InvalidArgumentError(f"churn features: no activity up to {at}")
        g = ev.groupby("profile", sort=True)
        day = ev["ts"].dt.floor("D")
        f = pd.DataFrame({
            "recency_days": (at - g["ts"].max()).dt.total_seconds() / 86400,
            "tenure_days": (at - g["ts"].min()).dt.total_seconds() / 86400,
            "active_days": day.groupby(ev["profile"]).nunique(),
            "events": g.size(),
            "revenue": g["revenue"].sum(min_count=1).fillna(0.0),
        })
        counts = pd.crosstab(ev["profile"], ev["type"].astype(str))
        counts.columns = [f"n_{c}" for c in counts.columns]
        f = f.join(counts).fillna(0.0)
        f["events_per_active_day"] = f["events"] / f["active_days"]
        f.index.name = "profile"
        return f.astype(np.float64)

    def churn(self, horizon="90d", *, C=1.0, calibrate="platt", holdout=0.25, random_state=0,
              features=None, exclude_types=("email_sent", "ad_impression")):
        """Churn propensity. Profiles active before ``cutoff = clock - horizon`` are labelled
        churned when they have no activity after it; a ChurnModel (penalized logistic regression,
        holdout AUC, calibration, drivers) is fitted on their features as of the cutoff
        (``churn_features``; `features` picks columns), then every profile active by the clock is
        scored on its features now. Returns the fitted model with ``scores_`` (profile, key,
        churn_probability), ``cutoff_`` and ``churn_rate_``.

        Example: ``m = ws.churn("60d"); m.auc_, m.drivers_.head(), m.scores_.nlargest(10, "churn_probability")``
        """
        from .churn import ChurnModel
        try:
            h = int(pd.Timedelta(horizon) / pd.Timedelta(microseconds=1))
        except ValueError:
            raise InvalidArgumentError(f"churn: horizon {horizon!r} is not a duration such as '90d'") from None
        if h <= 0:
            raise InvalidArgumentError(f"churn: horizon must be positive, got {horizon!r}")
        clock = self._ws.clock()
        cutoff = clock - h
        past = self._churn_features(cutoff, exclude_types)
        ev = self.events(columns=["profile", "type", "ts"])
        later = ev[(ev["ts"] > pd.Timestamp(cutoff, unit="us", tz="UTC")) & ~ev["type"].isin(list(exclude_types))]
        churned = ~np.asarray(past.index.isin(later["profile"].unique()), dtype=bool)
        cols = list(features) if features is not None else list(past.columns)
        missing = [c for c in cols if c not in past.columns]
        if missing:
            raise InvalidArgumentError(f"churn: unknown feature(s) {missing}; available: {list(past.columns)}")
        # Recency and tenure grow with the horizon the model never sees; the counts describe behaviour.
        model = ChurnModel(C=C, holdout=holdout, calibrate=calibrate, random_state=random_state)
        model.fit(past[cols], pd.Series(churned.astype(np.int8), index=past.index))
        now = self._churn_features(clock, exclude_types).reindex(columns=cols, fill_value=0.0)
        keys = self.profiles().set_index("profile")["key"]
        model.scores_ = pd.DataFrame({"key": keys.reindex(now.index).astype(str).to_numpy(),
                                      "churn_probability": model.predict_proba(now).to_numpy()},
                                     index=now.index).reset_index()
        model.cutoff_ = pd.Timestamp(cutoff, unit="us", tz="UTC")
        model.churn_rate_ = float(churned.mean())
        return model

    def experiment(self, name, variants=("control", "treatment"), weights=None, *, salt="", exposure=None,
                   start=None, end=None, conversion="purchase", window="14d",
                   exclude_types=("email_sent", "ad_impression")):
        """An A/B(/n) experiment over the workspace's profiles. Each profile is assigned by hashing
        its key (``cdp.experiments.assign``: sticky, the same on every machine). A profile is
        exposed at its first `exposure` event (an event type, e.g. "checkout"; default: any activity)
        in [`start`, `end`] (default: all time); it converts when a `conversion` event follows within
        `window`, and its revenue is the revenue of those events. Returns an Experiment:
        ``units`` (profile, key, variant, exposed_at, converted, revenue) and ``analyze()``.

        Example: ``ws.experiment("checkout_v2", exposure="checkout").analyze().table``
        """
        from .experiments import assign
        types = set(self._ws.schema()["event_types"])
        for label, t in (("exposure", exposure), ("conversion", conversion)):
            if t is not None and t not in types:
                raise InvalidArgumentError(f"experiment: unknown {label} event type {t!r}")
        try:
            win = pd.Timedelta(window)
        except ValueError:
            raise InvalidArgumentError(f"experiment: window {window!r} is not a duration such as '14d'") from None
        ev = self.events(columns=["profile", "type", "ts", "revenue"])
        lo = pd.Timestamp(self._as_of(start), unit="us", tz="UTC") if start is not None else None
        hi = pd.Timestamp(self._as_of(end), unit="us", tz="UTC") if end is not None else None
        sel = ev["type"] == exposure if exposure is not None else ~ev["type"].isin(list(exclude_types))
        if lo is not None:
            sel &= ev["ts"] >= lo
        if hi is not None:
            sel &= ev["ts"] <= hi
        first = ev[sel].groupby("profile", sort=True)["ts"].min()
        if not len(first):
            raise InvalidArgumentError(f"experiment {name!r}: no profile was exposed")
        keys = self.profiles().set_index("profile")["key"].astype(str).reindex(first.index)
        units = pd.DataFrame({"profile": first.index.to_numpy(), "key": keys.to_numpy(),
                              "variant": assign(keys.to_numpy(), name, variants, weights, salt),
                              "exposed_at": first.to_numpy()})
        conv = ev[ev["type"] == conversion].merge(units[["profile", "exposed_at"]], on="profile")
        conv = conv[(conv["ts"] >= conv["exposed_at"]) & (conv["ts"] <= conv["exposed_at"] + win)]
        got = conv.groupby("profile")["revenue"].agg(["size", "sum"])
        units["converted"] = units["profile"].map(got["size"]).fillna(0).gt(0).astype(np.int8)
        units["revenue"] = units["profile"].map(got["sum"]).fillna(0.0).astype(np.float64)
        return Experiment(name, units, list(variants), weights)

    # --- privacy ---------------------------------------------------------------------------------
    def configure_privacy(self, **policy):
        """Sets the consent policy: purposes, opt_in_regions, opt_out_regions (ISO codes such as "DE"
        or "US-CA"), unknown_region ("opt_in" or "opt_out"), gpc_purpose, and the column names
        (consent_event, purpose_column, status_column, gpc_column, country_field, region_field).

        Example: ``ws.configure_privacy(opt_out_regions=["US", "CA"])``
        """
        known = {"purposes", "opt_in_regions", "opt_out_regions", "unknown_region", "gpc_purpose", "consent_event",
                 "purpose_column", "status_column", "gpc_column", "country_field", "region_field", "sensitive",
                 "targeting_purposes", "min_group_size", "epsilon_budget"}
        if isinstance(policy.get("sensitive"), dict):
            policy["sensitive"] = list(policy["sensitive"].items())
        unknown = sorted(set(policy) - known)
        if unknown:
            raise InvalidArgumentError(f"configure_privacy: unknown setting(s) {unknown}; known: {sorted(known)}")
        self._ws.configure_privacy({k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in policy.items()})

    def privacy_policy(self):
        """The consent policy in force (purposes, regions, GPC purpose).

        Example: ``ws.privacy_policy()["purposes"]``
        """
        return self._ws.privacy_policy()

    def set_consent(self, identifier, purpose, status, ts=None, *, source="api", policy_version=""):
        """Records a consent decision ("granted" or "denied") of the person behind `identifier` for
        `purpose`, as a consent event at `ts` (default now); audited as "consent". The latest
        decision per purpose wins.

        Example: ``ws.set_consent("email:ann@shop.com", "marketing", "denied", source="preference centre")``
        """
        self._ws.set_consent(str(identifier), str(purpose), str(status), self._as_of(ts), str(source), str(policy_version))

    def consent(self, purpose):
        """Per profile for `purpose`: profile, key, state (granted / denied / unknown), default
        (the region's regime: opt_in or opt_out), gpc, allowed.

        Example: ``ws.consent("marketing")["allowed"].mean()``
        """
        return to_frame(self._ws.consent_table(str(purpose)))

    def consent_of(self, identifier):
        """One person's consent per purpose: state, effective, basis (consent, region default or
        global privacy control), since, source, policy_version, events.

        Example: ``ws.consent_of("email:ann@shop.com")``
        """
        return to_frame(self._ws.consent_of(str(identifier)), {"since"})

    def export_subject(self, identifier, path=None, format="json"):
        """Everything held on the person behind `identifier` (GDPR Art. 15 access, Art. 20
        portability): identifiers, merge provenance, attributes with sources and history, traits,
        segments, consent per purpose, events. Returns the JSON document as a dict; with `path`
        also writes it (format "json": one file; "csv": a directory with subject.json and one CSV
        per table). Audited as "export".

        Example: ``doc = ws.export_subject("email:ann@shop.com"); doc["tables"]["consent"]``
        """
        if format not in ("json", "csv"):
            raise InvalidArgumentError(f"export_subject: format must be json or csv, got {format!r}")
        d = self._ws.export_subject(str(identifier))
        doc = json.loads(d["json"])
        if path is not None:
            if format == "json":
                with open(path, "w", encoding="utf-8") as f:
                    f.write(d["json"])
            else:
                os.makedirs(path, exist_ok=True)
                with open(os.path.join(path, "subject.json"), "w", encoding="utf-8") as f:
                    f.write(d["json"])
                for name, table in d["tables"].items():
                    to_frame(table, set()).to_csv(os.path.join(path, f"{name}.csv"), index=False)
        return doc

    def enforce_retention(self, ttl, now=None):
        """Retention limits: deletes raw events older than their type's time to live (`ttl`: a dict
        such as ``{"page_view": "180d", "*": "730d"}``; "*" covers the other types) as of `now`
        (default the clock). A file is rewritten and compacted. Returns events_removed,
        removed_by_type and ``aggregates`` (type, month, events, revenue of what was removed, the
        totals that may be kept); audited as "retention".

        Example: ``ws.enforce_retention({"page_view": "365d"})["events_removed"]``
        """
        if not isinstance(ttl, dict) or not ttl:
            raise InvalidArgumentError("enforce_retention: ttl must be a non-empty dict of event type -> duration")
        pairs = []
        for t, d in ttl.items():
            try:
                us = int(pd.Timedelta(d) / pd.Timedelta(microseconds=1))
            except ValueError:
                raise InvalidArgumentError(f"enforce_retention: {t!r}: {d!r} is not a duration such as '365d'") from None
            pairs.append((str(t), us))
        at = self._as_of(now) if now is not None else self._ws.clock()
        r = self._ws.enforce_retention(at, pairs)
        r["aggregates"] = to_frame(r["aggregates"], {"month"})
        return r

    def noisy_count(self, expression, epsilon=0.1):
        """How many profiles match `expression`, with Laplace noise of scale 1/epsilon
        (differential privacy, sensitivity 1). Each call spends `epsilon` of the policy's budget
        (``configure_privacy(epsilon_budget=...)``, persisted in a workspace file); a call that
        would overspend it raises PrivacyError. Returns count, epsilon, spent, remaining.

        Example: ``ws.noisy_count("did(purchase)", epsilon=0.1)["count"]``
        """
        return self._ws.noisy_count(str(expression), float(epsilon))

    def fairness(self, segment, attributes=None, *, age_bands=(18, 25, 35, 45, 55, 65)):
        """How a segment's composition compares with the population on protected attributes:
        per attribute and value, the share among members and in the population, the ratio of the
        two (disparate impact; 1 = proportional, below 0.8 the "four-fifths rule" flags it) and a
        chi-square goodness-of-fit p-value per attribute (segment counts against population
        shares). `attributes` default: gender, age (in `age_bands`) and every sensitive attribute
        the profiles have. Profiles without a value are their own "(unknown)" group.

        Example: ``ws.fairness("vip", ["gender", "age"])``
        """
        from .experiments import srm_test
        members = segment.members if hasattr(segment, "members") else self.segment(str(segment)).members
        attrs = self.attributes()
        attrs = attrs[attrs["current"]]
        if attributes is None:
            sensitive = {name for name, _ in self._ws.privacy_policy().get("sensitive", [])}
            attributes = [a for a in ["gender", "age", *sorted(sensitive)] if a in set(attrs["name"])]
        profiles = self.profiles()["profile"].to_numpy()
        inside = pd.Series(False, index=profiles)
        inside[inside.index.isin(np.asarray(members))] = True
        rows = []
        for a in attributes:
            v = attrs[attrs["name"] == a].set_index("profile")["value"].reindex(profiles)
            if a == "age":
                age = pd.to_numeric(v, errors="coerce")
                edges = [0, *age_bands, np.inf]
                labels = [f"<{age_bands[0]}"] + [f"{lo}-{hi - 1}" for lo, hi in zip(age_bands, age_bands[1:])] + \
                         [f"{age_bands[-1]}+"]
                v = pd.cut(age, edges, right=False, labels=labels).astype(object)
            v = v.fillna("(unknown)").astype(str)
            pop = v.value_counts()
            seg = v[inside.to_numpy()].value_counts().reindex(pop.index, fill_value=0)
            test = srm_test(seg.to_numpy(), pop.to_numpy() / pop.sum()) if seg.sum() > 0 and len(pop) > 1 else None
            for value in pop.index:
                ps, pp = seg[value] / max(seg.sum(), 1), pop[value] / pop.sum()
                rows.append({"attribute": a, "value": value, "members": int(seg[value]), "population": int(pop[value]),
                             "member_share": ps, "population_share": pp, "ratio": ps / pp if pp else np.nan,
                             "p_value": test.p_value if test is not None else np.nan})
        out = pd.DataFrame(rows, columns=["attribute", "value", "members", "population", "member_share",
                                          "population_share", "ratio", "p_value"])
        out["flag"] = out["ratio"] < 0.8
        return out

    def verify_audit(self):
        """Recomputes the audit log's hash chain (from the file for file workspaces): ``ok``,
        ``entries``, ``first_bad`` (0-based, -1 when intact) and a message.

        Example: ``assert ws.verify_audit()["ok"]``
        """
        return self._ws.verify_audit()

    def erase(self, identifier):
        """Erases the person behind `identifier` (GDPR Art. 17 / CCPA delete), e.g.
        ``"email:ann@shop.com"`` (normalized like ingest): every event of their profile and every
        event carrying one of its identifiers, the identifiers, identity links and manual
        link/unmerge operations naming them, quarantine rows holding their values; profiles,
        traits, segments and every other derived value are rebuilt from what remains. File
        workspaces are rewritten in one transaction with secure delete, then the WAL is truncated
        and the file vacuumed, so no byte of the person remains. A tombstone (keyed hash) per
        identifier makes later ingests reject their events (``report.reasons["erased_subject"]``,
        with no quarantine row). Audited as ``"erase"``, naming only tombstone hashes.

        Returns a dict: ``events_removed``, ``identifiers_removed``, ``identifiers_by_type``,
        ``quarantine_removed``, ``links_removed``, ``operations_removed``, ``audit_redacted``,
        ``strings_removed``, ``profile_key_hash``, ``tombstones``, ``file_compacted``, ``seconds``.
        Raises NotFoundError when nobody holds the identifier (nothing is removed) and
        InvalidArgumentError on a read-only workspace.

        Example: ``ws.erase("email:ann@shop.com")["events_removed"]``
        """
        return self._ws.erase(identifier)

    def pseudonymize(self, frame, columns, key, digits=32):
        """A copy of `frame` with `columns` replaced by keyed pseudonyms (cdpcore.privacy.pseudonymize).

        Example: ``ws.pseudonymize(ws.profiles(), ["key", "email"], key)``
        """
        from .privacy import pseudonymize
        out = frame.copy()
        for c in [columns] if isinstance(columns, str) else columns:
            if c not in out.columns:
                raise InvalidArgumentError(f"pseudonymize: no column {c!r} (columns: {list(out.columns)})")
            out[c] = pseudonymize(out[c].astype(object), key, digits)
        return out

    def _survey(self, kind, by, period, confidence, event, score_column, time_zone):
        from .kpis import SurveyScores
        o = {"kind": kind, "event": event or "", "score_column": score_column, "confidence": float(confidence),
             "period": period or "", "time_zone": time_zone}
        return SurveyScores(self._ws.survey(o, by or ""), kind)

    def schema(self):
        """What expressions may use: profile fields, event fields (name, type) and event types.

        Example: ``ws.schema()["profile_fields"]``
        """
        return self._ws.schema()

    def clock(self):
        """The workspace clock (latest event time), where ``last=`` windows end.

        Example: ``ws.clock()``
        """
        return pd.Timestamp(self._ws.clock(), unit="us", tz="UTC")

    def memory(self):
        """Bytes held by the event store: {"events", "core_bytes", "total_bytes"}."""
        return self._ws.memory()

    def close(self):
        """Releases the workspace now (a file's writer lock too); later calls raise. A file
        workspace needs no close for durability: every call commits.

        Example: ``with cdpcore.Workspace("shop.cdp") as ws: ws.ingest_csv("events.csv")``
        """
        self._ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        try:
            return f"Workspace({self.path!r}, events={self.event_count():,})"
        except Exception:  # closed
            return f"Workspace({self.path!r}, closed)"
