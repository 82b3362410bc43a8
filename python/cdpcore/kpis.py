"""KPI results: campaign cost and return, web traffic, active users, email and survey scores.

The workspace computes them (``ws.kpis``, ``ws.web_metrics``, ``ws.active_users``,
``ws.email_metrics``, ``ws.nps``, ``ws.csat``); docs/metrics.md gives every formula. Ratios whose
denominator is 0 or absent are NaN and ``warnings`` says which rows have them and why.

Example::

    g = cdp.generate(customers=2000)
    ws = cdp.Workspace(); ws.ingest(g["events"])
    k = ws.kpis(g["campaigns"], by=["channel"], attribution="last")
    k.table[["channel", "cost", "conversions", "cpa", "roas"]]
"""
import warnings as _warnings

import numpy as np
import pandas as pd

from ._tables import to_frame

PERIOD_COLUMNS = {"date", "period"}


def costs_to_native(costs):
    """The columns of a cost DataFrame (channel, campaign, date, impressions, clicks, cost) as the
    native call takes them. `date` may be datetimes (naive ones are read as UTC), dates or
    microseconds since the epoch.

    Example: ``costs_to_native(pd.DataFrame({"campaign": ["a"], "cost": [10.0]}))``
    """
    if not isinstance(costs, pd.DataFrame):
        costs = pd.DataFrame(costs)
    if "campaign" not in costs.columns or "cost" not in costs.columns:
        missing = [c for c in ("campaign", "cost") if c not in costs.columns]
        raise ValueError(f"the cost table needs the column(s) {missing}; it has {list(costs.columns)}")
    out = {"campaign": costs["campaign"].astype(str).tolist()}
    if "channel" in costs.columns:
        out["channel"] = costs["channel"].astype(str).tolist()
    if "date" in costs.columns:
        d = costs["date"]
        if pd.api.types.is_integer_dtype(d):
            out["date"] = d.to_numpy(np.int64)
        else:
            d = pd.to_datetime(d)
            if d.dt.tz is None:
                d = d.dt.tz_localize("UTC")
            out["date"] = d.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("M8[us]").view(np.int64)
    for name in ("impressions", "clicks", "cost"):
        if name in costs.columns:
            col = pd.to_numeric(costs[name], errors="coerce")
            bad = col.isna() & costs[name].notna()
            if bad.any():
                raise ValueError(f"cost column '{name}' has a non-numeric value {costs[name][bad].iloc[0]!r} "
                                 f"at row {int(np.flatnonzero(bad.to_numpy())[0]) + 1}")
            out[name] = col.to_numpy(np.float64)
    return out


class KpiTable:
    """A KPI table (``table``, a DataFrame) with the notes on its NaN cells (``warnings``).

    Example: ``ws.web_metrics(period="week").table``
    """

    title = "KPIs"

    def __init__(self, d, title=None):
        self.table = to_frame(d["table"], PERIOD_COLUMNS)
        self.warnings = list(d.get("warnings", []))
        if title:
            self.title = title
        if self.warnings:  # one warning per result, naming every note
            _warnings.warn(f"{self.title}: " + "; ".join(self.warnings), RuntimeWarning, stacklevel=3)

    def to_pandas(self):
        """The table as a DataFrame (a copy)."""
        return self.table.copy()

    def __len__(self):
        return len(self.table)

    def _repr_html_(self):
        notes = "".join(f"<li>{w}</li>" for w in self.warnings)
        return (f"<p><b>{self.title}</b></p>" + self.table.head(50).to_html(index=False, float_format=lambda v: f"{v:,.4g}")
                + (f"<ul>{notes}</ul>" if notes else ""))


class CampaignKpis(KpiTable):
    """Campaign KPIs per breakdown key (``table``) and over everything (``totals``, a Series):
    impressions, clicks, cost, sessions, conversions, new_customers, revenue, ctr, cpc, cpm,
    conversion_rate, cpa, cac, roas, roi. Conversions without a campaign touch count only in the
    totals (``unattributed_conversions``).

    Example: ``ws.kpis(costs, by=["campaign"]).table.sort_values("roas")``
    """

    title = "Campaign KPIs"

    def __init__(self, d):
        super().__init__({"table": d["rows"], "warnings": d["warnings"]})
        self.totals = to_frame(d["totals"]).iloc[0]
        self.conversions = int(d["conversions"])
        self.unattributed_conversions = int(d["unattributed_conversions"])
        self.new_customers = int(d["new_customers"])
        self.revenue = float(d["revenue"])

    def _repr_html_(self):
        t = self.totals
        head = (f"<p><b>Campaign KPIs</b>: cost {t['cost']:,.2f}, revenue {t['revenue']:,.2f}, ROAS {t['roas']:.2f}, "
                f"CPA {t['cpa']:,.2f}, CAC {t['cac']:,.2f}; {self.unattributed_conversions:,} of {self.conversions:,} "
                f"conversions without a campaign touch</p>")
        return head + super()._repr_html_().split("</p>", 1)[1]

    def plot(self, ax=None, metric="roas"):
        """Bars of one KPI (default ROAS) per row of the table.

        Example: ``ws.kpis(costs, by=["channel"]).plot(metric="cpa")``
        """
        import matplotlib.pyplot as plt
        keys = [c for c in ("channel", "campaign", "date") if c in self.table.columns]
        t = self.table.dropna(subset=[metric])
        labels = t[keys].astype(str).agg(" / ".join, axis=1) if keys else pd.Series(["all"] * len(t))
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.4 * len(t) + 1.5))
        ax.barh(labels.to_numpy(), t[metric].to_numpy(), color="#4C72B0")
        ax.invert_yaxis()
        ax.set_xlabel(metric.upper())
        ax.set_title(f"{metric.upper()} by {' / '.join(keys) or 'total'}")
        return ax


class ActiveUsers(KpiTable):
    """DAU, WAU (7 days ending that day), MAU (30 days) and stickiness (DAU / MAU) per day.

    Example: ``ws.active_users().table.tail()``
    """

    title = "Active users"

    def plot(self, ax=None):
        """DAU, WAU and MAU lines.

        Example: ``ws.active_users().plot()``
        """
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 3.5))
        t = self.table.set_index("date")
        t[["dau", "wau", "mau"]].plot(ax=ax, title="Active users")
        return ax


class SurveyScores(KpiTable):
    """NPS (promoters 9-10 minus detractors 0-6, in points, Wald interval) or CSAT (share of 4-5 in
    percent, Wilson interval) per group and period.

    Example: ``ws.nps(by="country").table``
    """

    def __init__(self, d, kind):
        super().__init__(d, "NPS" if kind == "nps" else "CSAT")
        self.kind = kind

    def plot(self, ax=None):
        """The score of each group with its confidence interval.

        Example: ``ws.csat(by="country").plot()``
        """
        import matplotlib.pyplot as plt
        t = self.table
        keys = [c for c in ("group", "period") if c in t.columns]
        labels = t[keys].astype(str).agg(" / ".join, axis=1).to_numpy() if keys else np.array(["all"] * len(t))
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.4 * len(t) + 1.5))
        s, lo, hi = t[self.kind].to_numpy(), t[f"{self.kind}_low"].to_numpy(), t[f"{self.kind}_high"].to_numpy()
        ax.errorbar(s, np.arange(len(t)), xerr=[s - lo, hi - s], fmt="o", capsize=3)
        ax.set_yticks(np.arange(len(t)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        ax.set_xlabel(self.title)
        return ax
