"""Workspace: the one object a user opens."""
import json
import os

import numpy as np
import pandas as pd

from . import _core
from ._tables import to_frame
from .report import IngestReport

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


class Workspace:
    """An in-process customer-data workspace.

    Example: ``ws = cdpcore.Workspace(); ws.ingest_csv("events.csv")``
    """

    def __init__(self, path=":memory:"):
        self._ws = _core.Workspace(str(path))
        self.path = str(path)
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
        if isinstance(data, pd.DataFrame):
            items = [(str(c), data[c]) for c in data.columns]
            rows = len(data)
        elif isinstance(data, dict):
            items = [(str(k), v) for k, v in data.items()]
            lengths = {len(v) for _, v in items}
            if len(lengths) > 1:
                raise ValueError(f"ingest: columns have different lengths {sorted(lengths)}")
            rows = lengths.pop() if lengths else 0
        else:
            raise TypeError(f"ingest: expected a pandas DataFrame or a dict of arrays, got {type(data).__name__}")
        cols = [_column_spec(name, s) for name, s in items]
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

    def events(self):
        """Every stored event as a DataFrame, sorted by (profile_key, ts).

        Example: ``ws.events().groupby("type").size()``
        """
        return to_frame(self._ws.events())

    def event_count(self):
        """Number of stored events. Example: ``ws.event_count()``"""
        return self._ws.event_count()

    def summary(self, partitions=1):
        """Events, profiles, revenue and counts by type; computed per profile partition and merged.

        Example: ``ws.summary()["by_type"]["purchase"]``
        """
        return self._ws.summary(partitions)

    def memory(self):
        """Bytes held by the event store: {"events", "core_bytes", "total_bytes"}."""
        return self._ws.memory()

    def __repr__(self):
        return f"Workspace({self.path!r}, events={self.event_count():,})"
