"""Metric results: cohort retention and lifecycle.

Example: ``r = ws.retention(period="month", cohort="first_purchase"); r.rates; r.plot()``
"""
import numpy as np
import pandas as pd

from ._tables import to_frame


class Retention:
    """Cohort retention. ``table`` is long (cohort, cohort_size, offset, active, rate, revenue; cells
    after the clock's period are not observed yet and absent, NaN in the matrices);
    ``counts``, ``rates`` and ``revenue`` are cohort x offset matrices; ``lifecycle`` has per period
    the new, returning, resurrecting and dormant (negative) profiles.

    Example: ``ws.retention(period="month", cohort="first_purchase").rates.round(3)``
    """

    def __init__(self, d):
        self.period = d["period"]
        self.mode = d["mode"]
        self.by_group = bool(d["by_group"])
        self.table = to_frame(d["cohorts"], set() if self.by_group else {"cohort"})
        self.lifecycle = to_frame(d["lifecycle"], {"period"})

    def _matrix(self, value):
        m = self.table.pivot_table(index="cohort", columns="offset", values=value, aggfunc="sum", observed=True)
        if not self.by_group:
            m.index = m.index.tz_convert(None).to_period({"day": "D", "week": "W-SUN", "month": "M"}[self.period])
        return m

    @property
    def counts(self):
        return self._matrix("active")

    @property
    def rates(self):
        return self._matrix("rate")

    @property
    def revenue(self):
        return self._matrix("revenue")

    @property
    def sizes(self):
        """Profiles per cohort."""
        s = self.table.drop_duplicates("cohort").set_index("cohort")["cohort_size"]
        return s

    def to_pandas(self):
        return self.table.copy()

    def curve(self):
        """Retention by offset over the cohorts observed at that offset (weighted by size):
        offset, profiles, active, rate, churn (1 - rate relative to the previous offset)."""
        rows = []
        for k, g in self.table.groupby("offset"):  # cells not observed yet are not in the table
            size, act = int(g["cohort_size"].sum()), int(g["active"].sum())
            rows.append({"offset": k, "profiles": size, "active": act, "rate": act / size if size else np.nan})
        c = pd.DataFrame(rows)
        if len(c):
            c["churn"] = 1 - c["rate"] / c["rate"].shift(1)
        return c

    def _repr_html_(self):
        return f"<p><b>Retention</b> by {self.period} ({self.mode})</p>" + self.rates.round(3)._repr_html_()

    def plot(self, ax=None, what="rates"):
        """Cohort heatmap of rates (or counts)."""
        import matplotlib.pyplot as plt
        m = getattr(self, what)
        if ax is None:
            _, ax = plt.subplots(figsize=(min(14, 2 + 0.6 * m.shape[1]), min(10, 1.5 + 0.35 * m.shape[0])))
        im = ax.imshow(m.to_numpy(dtype=float), cmap="Blues", aspect="auto")
        ax.set_xticks(range(m.shape[1]))
        ax.set_xticklabels(m.columns)
        ax.set_yticks(range(m.shape[0]))
        ax.set_yticklabels([str(i) for i in m.index], fontsize=8)
        ax.set_xlabel(f"{self.period}s since entry")
        ax.set_title(f"Retention {what} ({self.mode})")
        if what == "rates":
            for (i, j), v in np.ndenumerate(m.to_numpy(dtype=float)):
                if not np.isnan(v):
                    ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6, color="white" if v > 0.5 else "black")
        ax.figure.colorbar(im, ax=ax)
        return ax

    def plot_lifecycle(self, ax=None):
        """Stacked bars of new, returning, resurrecting (up) and dormant (down) per period."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 3.5))
        lc = self.lifecycle.set_index("period")[["new", "returning", "resurrecting", "dormant"]]
        lc.index = lc.index.strftime("%Y-%m-%d")
        lc.plot.bar(stacked=True, ax=ax, title="Lifecycle", width=0.85)
        return ax
