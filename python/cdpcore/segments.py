"""Segments: members of an expression over profiles, set operations, export, validation."""
import html

import numpy as np
import pandas as pd

from ._tables import to_frame

_TIME_COLUMNS = {"first_seen", "last_seen", "signup_ts"}


class Segment:
    """Profiles for which an expression is true, at one evaluation.

    ``members`` holds profile ids (ascending numpy int32). Set operations ``a | b``, ``a & b`` and
    ``a - b`` give new segments. ``to_pandas(columns)`` exports members with the identifiers or
    attributes to activate on.

    Example: ``seg = ws.segment("eu_buyers", "country in ('IT','FR') and did(purchase)")``
    """

    def __init__(self, ws, d, expression=None, purpose="", description=""):
        self._ws = ws
        self.name = d.get("name") or None
        self.expression = expression
        self.purpose = purpose or None
        self.description = description
        self.members = np.asarray(d["members"], dtype=np.int32)
        self.population = int(d["population"])
        self.excluded = int(d["excluded"])
        self.clock = pd.Timestamp(int(d["clock"]), unit="us", tz="UTC")
        self.warnings = list(d["warnings"])

    @property
    def size(self):
        return int(self.members.size)

    def __len__(self):
        return self.size

    def __contains__(self, profile):
        i = np.searchsorted(self.members, profile)
        return bool(i < self.members.size and self.members[i] == profile)

    def _combine(self, other, op, symbol):
        if not isinstance(other, Segment):
            return NotImplemented
        if other._ws is not self._ws:
            raise ValueError("segments from different workspaces cannot be combined")
        members = op(self.members, other.members).astype(np.int32)
        name = f"({self.name or 'expr'} {symbol} {other.name or 'expr'})"
        d = {"name": name, "members": members, "population": self.population, "excluded": 0,
             "clock": self.clock.value // 1000, "warnings": self.warnings + other.warnings}
        return Segment(self._ws, d)

    def __or__(self, other):
        return self._combine(other, np.union1d, "|")

    def __and__(self, other):
        return self._combine(other, lambda a, b: np.intersect1d(a, b, assume_unique=True), "&")

    def __sub__(self, other):
        return self._combine(other, lambda a, b: np.setdiff1d(a, b, assume_unique=True), "-")

    def jaccard(self, other):
        """|a ∩ b| / |a ∪ b| (1.0 when both are empty).

        Example: ``seg_jan.jaccard(seg_feb)``
        """
        union = np.union1d(self.members, other.members).size
        return 1.0 if union == 0 else np.intersect1d(self.members, other.members).size / union

    def to_pandas(self, columns=("email",)):
        """Members with chosen columns (identifier types, attributes, traits) for activation.

        Example: ``ws.segment("vip", "sum(purchase.revenue) > 500").to_pandas(["email", "phone"])``
        """
        t = self._ws._ws.members(self.members, list(columns))
        return to_frame(t, time_columns=_TIME_COLUMNS)

    def to_csv(self, path, columns=("email",)):
        """Writes the members with chosen columns to a CSV file; returns the row count.

        Example: ``seg.to_csv("audience.csv", ["email"])``
        """
        df = self.to_pandas(columns)
        df.to_csv(path, index=False)
        return len(df)

    def __repr__(self):
        share = self.size / self.population if self.population else 0.0
        return (f"Segment({self.name or self.expression!r}: {self.size:,} of {self.population:,} profiles"
                f" ({share:.1%}){', purpose ' + self.purpose if self.purpose else ''})")

    def _repr_html_(self):
        share = self.size / self.population if self.population else 0.0
        rows = [("segment", self.name or ""), ("expression", self.expression or ""),
                ("members", f"{self.size:,}"), ("population", f"{self.population:,}"), ("share", f"{share:.1%}"),
                ("purpose", self.purpose or ""), ("excluded (no consent)", f"{self.excluded:,}"),
                ("as of", str(self.clock))]
        rows += [("warning", w) for w in self.warnings]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)
        return f"<table>{body}</table>"


def sizes_plot(segments, ax=None):
    """Bar chart of segment sizes; returns the matplotlib Axes.

    Example: ``cdpcore.segments.sizes_plot([seg_a, seg_b])``
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.4 * max(3, len(segments))))
    names = [s.name or s.expression for s in segments]
    ax.barh(names, [s.size for s in segments], color="#4c72b0")
    ax.set_xlabel("profiles")
    ax.invert_yaxis()
    return ax


def overlap_plot(overlap, ax=None):
    """Heatmap of an overlap table (ws.overlap(...)): share of row segment also in column segment.

    Example: ``cdpcore.segments.overlap_plot(ws.overlap(["a", "b", "c"]))``
    """
    import matplotlib.pyplot as plt
    m = overlap.pivot(index="segment_a", columns="segment_b", values="share_of_a")
    if ax is None:
        _, ax = plt.subplots(figsize=(1 + 0.8 * len(m), 1 + 0.6 * len(m)))
    im = ax.imshow(m.values, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(m.columns)), m.columns, rotation=45, ha="right")
    ax.set_yticks(range(len(m.index)), m.index)
    for i in range(len(m.index)):
        for j in range(len(m.columns)):
            ax.text(j, i, f"{m.values[i, j]:.0%}", ha="center", va="center", fontsize=8)
    ax.figure.colorbar(im, ax=ax, label="share of row segment")
    return ax


class SegmentValidation:
    """Size, share, stability (Jaccard between two evaluations a period apart) and the attribute
    values that distinguish a segment (lift against the population)."""

    def __init__(self, name, d):
        self.name = name
        self.size = int(d["size"])
        self.population = int(d["population"])
        self.share = float(d["share"])
        self.stability = float(d["stability"])
        self.period_start = pd.Timestamp(int(d["period_start"]), unit="us", tz="UTC")
        self.period_end = pd.Timestamp(int(d["period_end"]), unit="us", tz="UTC")
        self.lift = to_frame(d["lift"])

    def __repr__(self):
        return (f"SegmentValidation({self.name!r}: size {self.size:,} ({self.share:.1%}), "
                f"stability {self.stability:.3f} from {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d})")

    def _repr_html_(self):
        head = html.escape(repr(self))
        return f"<p>{head}</p>" + self.lift.head(15).to_html(index=False)


def rfm_frame(d):
    df = to_frame(d)
    for c in ("r", "f", "m"):
        df[c] = df[c].astype(np.int8)
    df.attrs["reference"] = pd.Timestamp(int(d["reference"]), unit="us", tz="UTC")
    return df
