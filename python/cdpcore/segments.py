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

    def plot(self, top=10, ax=None):
        """Horizontal bars of the ``top`` attribute values furthest from lift 1 (log scale).

        Example: ``ws.validate_segment("vip").plot()``
        """
        import matplotlib.pyplot as plt
        rows = self.lift.head(top)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * max(3, len(rows)) + 1))
        labels = [f"{c} = {v}" if v != "mean" else f"mean {c}" for c, v in zip(rows["column"], rows["value"])]
        lift = rows["lift"].clip(lower=0.01).to_numpy()  # a value absent from the segment shows at 0.01
        colors = ["#4c72b0" if x >= 1 else "#dd8452" for x in lift]
        ax.set_xscale("log")
        ax.barh(labels, lift - 1.0, left=1.0, color=colors)  # bars grow from lift 1 either way
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.set_xlabel("lift vs population")
        ax.set_title(f"{self.name}: {self.size:,} profiles ({self.share:.1%})")
        ax.invert_yaxis()
        return ax


def rfm_frame(d):
    df = to_frame(d)
    for c in ("r", "f", "m"):
        df[c] = df[c].astype(np.int8)
    df.attrs["reference"] = pd.Timestamp(int(d["reference"]), unit="us", tz="UTC")
    return df


# --- expression helpers for the common segment kinds -------------------------------------------
# Each returns an expression string (docs/query-language.md) for ws.segment / ws.select; the
# attribute names are parameters so they fit any CRM schema.

def quote(value):
    """A string literal of the expression language: ``quote("O'Brien") == "'O''Brien'"``."""
    return "'" + str(value).replace("'", "''") + "'"


def _name(name):
    return name if all(c.isalnum() or c in "_." for c in name) and not name[0].isdigit() else f"`{name}`"


def _in(attr, values):
    values = [values] if isinstance(values, (str, int, float)) else list(values)
    items = ", ".join(quote(v) if isinstance(v, str) else repr(v) for v in values)
    return f"{_name(attr)} in ({items})"


def _join(parts):
    parts = [p for p in parts if p]
    if not parts:
        raise ValueError("no condition given")
    return " and ".join(f"({p})" if " or " in p else p for p in parts)


def demographic(age=None, gender=None, income=None, *, age_attr="age", gender_attr="gender",
                income_attr="income_band"):
    """Age range (inclusive), gender(s), income band(s).

    Example: ``ws.segment("young_women", cdp.segments.demographic(age=(25, 40), gender="female"))``
    """
    parts = []
    if age is not None:
        lo, hi = age
        parts.append(f"{_name(age_attr)} between {lo} and {hi}")
    if gender is not None:
        parts.append(_in(gender_attr, gender))
    if income is not None:
        parts.append(_in(income_attr, income))
    return _join(parts)


def geographic(countries=None, regions=None, cities=None, near=None, *, country_attr="country",
               region_attr="region", city_attr="city", lat_attr="latitude", lon_attr="longitude"):
    """Countries, regions, cities, or within ``near=(lat, lon, km)`` of a point (haversine).

    Example: ``cdp.segments.geographic(countries=["IT", "FR"], near=(45.46, 9.19, 50))``
    """
    parts = []
    if countries is not None:
        parts.append(_in(country_attr, countries))
    if regions is not None:
        parts.append(_in(region_attr, regions))
    if cities is not None:
        parts.append(_in(city_attr, cities))
    if near is not None:
        lat, lon, km = near
        parts.append(f"distance_km({_name(lat_attr)}, {_name(lon_attr)}, {float(lat)!r}, {float(lon)!r}) <= {float(km)!r}")
    return _join(parts)


def behavioral(did=None, did_not=None, min_count=None, window=None, then=None, within=None):
    """Did an event (at least ``min_count`` times) in the window, did not do another, or did A
    then B within a time (``then=("add_to_cart", "purchase"), within="7d"``).

    Example: ``cdp.segments.behavioral(did="purchase", min_count=2, window="30d", did_not="email_unsubscribe")``
    """
    w = f", last={window}" if window else ""
    parts = []
    if did is not None:
        parts.append(f"count({_name(did)}{w}) >= {int(min_count)}" if min_count else f"did({_name(did)}{w})")
    if did_not is not None:
        parts.append(f"not did({_name(did_not)}{w})")
    if then is not None:
        steps = ", ".join(_name(s) for s in then)
        parts.append(f"sequence({steps}{', within=' + within if within else ''}{w})")
    return _join(parts)


ENGAGEMENT_EVENTS = ("email_open", "email_click", "social_like", "social_comment", "social_share")


def engagement_tiers(ws, events=ENGAGEMENT_EVENTS, window="30d", thresholds=(1, 5), prefix="engagement"):
    """Defines three segments by engagement events in the window: ``<prefix>_high`` (at least
    thresholds[1]), ``_medium`` (thresholds[0] up to below thresholds[1]) and ``_low`` (fewer than
    thresholds[0]); returns {tier: Segment}.

    Example: ``cdp.segments.engagement_tiers(ws, window="30d", thresholds=(1, 5))["high"].size``
    """
    lo, hi = thresholds
    if not 0 < lo < hi:
        raise ValueError(f"thresholds must be 0 < low < high, got {thresholds}")
    types = ", ".join(quote(e) for e in events)
    n = f"count(*, where=type in ({types}), last={window})"
    exprs = {"high": f"{n} >= {hi}", "medium": f"{n} >= {lo} and {n} < {hi}", "low": f"{n} < {lo}"}
    return {tier: ws.segment(f"{prefix}_{tier}", e, replace=True) for tier, e in exprs.items()}


def psychographic(interests=None, values=None, lifestyles=None, *, interests_attr="interests",
                  values_attr="values", lifestyle_attr="lifestyle"):
    """Any of the interests / values (items of a ';' or ',' separated attribute) and lifestyles.

    Example: ``cdp.segments.psychographic(interests=["travel", "outdoors"], lifestyles="tech_enthusiast")``
    """
    parts = []
    for attr, items in ((interests_attr, interests), (values_attr, values)):
        if items is not None:
            items = [items] if isinstance(items, str) else list(items)
            parts.append(" or ".join(f"has({_name(attr)}, {quote(i)})" for i in items))
    if lifestyles is not None:
        parts.append(_in(lifestyle_attr, lifestyles))
    return _join(parts)


def economic(income_bands=None, min_spend=None, max_spend=None, window=None, max_avg_order=None,
             min_avg_order=None, *, income_attr="income_band", purchase="purchase"):
    """Income bands, spend (revenue of purchases, optionally in a window) and price sensitivity
    as average order value (``max_avg_order`` for bargain hunters, ``min_avg_order`` for premium).

    Example: ``cdp.segments.economic(income_bands=["high", "upper_middle"], min_spend=500)``
    """
    w = f", last={window}" if window else ""
    parts = []
    if income_bands is not None:
        parts.append(_in(income_attr, income_bands))
    if min_spend is not None:
        parts.append(f"sum({_name(purchase)}.revenue{w}) >= {float(min_spend)!r}")
    if max_spend is not None:
        parts.append(f"sum({_name(purchase)}.revenue{w}) <= {float(max_spend)!r}")
    if max_avg_order is not None:
        parts.append(f"avg({_name(purchase)}.revenue{w}) <= {float(max_avg_order)!r}")
    if min_avg_order is not None:
        parts.append(f"avg({_name(purchase)}.revenue{w}) >= {float(min_avg_order)!r}")
    return _join(parts)


def b2b(industries=None, company_sizes=None, countries=None, min_account_value=None, *,
        industry_attr="industry", size_attr="company_size", country_attr="country", value_field="revenue",
        purchase="purchase"):
    """Firmographics: industry, company size, location and account value (revenue of purchases).

    Example: ``cdp.segments.b2b(industries=["retail"], company_sizes=["201-1000", "1000+"], min_account_value=1000)``
    """
    parts = []
    if industries is not None:
        parts.append(_in(industry_attr, industries))
    if company_sizes is not None:
        parts.append(_in(size_attr, company_sizes))
    if countries is not None:
        parts.append(_in(country_attr, countries))
    if min_account_value is not None:
        parts.append(f"sum({_name(purchase)}.{value_field}) >= {float(min_account_value)!r}")
    return _join(parts)
