"""Journey results: sessions, funnels, paths, stages, heatmaps and attribution.

Every result has ``to_pandas()``, ``plot()`` and an HTML view in notebooks. Semantics of every option
are in docs/journeys.md.
"""
import numpy as np
import pandas as pd

from . import _core
from ._tables import to_frame, TIME_COLUMNS
from .errors import Error as cdp_error

_SESSION_TIMES = TIME_COLUMNS | {"start", "end"}


def _duration(v):
    """A duration as microseconds (int) or text such as "30d" / "30min" (passed on)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, pd.Timedelta):
        return int(v / pd.Timedelta(microseconds=1))
    if hasattr(v, "total_seconds"):
        return int(round(v.total_seconds() * 1e6))
    return int(v)


def _time(v):
    if v is None:
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    ts = pd.Timestamp(v)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.value // 1000)


class _Result:
    """Common pieces: an HTML view of to_pandas() for notebooks."""

    def _repr_html_(self):
        return f"<p><b>{type(self).__name__}</b></p>" + self.to_pandas()._repr_html_()


class Sessions(_Result):
    """Sessions of every profile. ``summary()`` (totals and rates) is computed when the result is
    made; the table — one row per session: profile, session, start, end, duration_s, events,
    page_views, bounce, landing_page, entry_page, exit_page, source, medium, campaign, channel,
    device — is built at the first ``to_pandas()`` (an error if events arrived in between).

    Example: ``s = ws.sessions(); s.summary()["bounce_rate"]; s.to_pandas().groupby("channel").size()``
    """

    def __init__(self, ws, options):
        self._ws = ws
        self._options = options
        self._events = ws.event_count()
        self._totals = ws._ws.session_totals(options)
        self._frame = None

    def __len__(self):
        return int(self._totals["sessions"])

    def to_pandas(self):
        if self._frame is None:
            if self._ws.event_count() != self._events:
                raise cdp_error("events arrived since ws.sessions(); call it again for the current sessions")
            self._frame = to_frame(self._ws._ws.sessions(self._options), _SESSION_TIMES)
        return self._frame.copy()

    def summary(self):
        """sessions, events, bounces, bounce_rate, page_views, pages_per_session, duration_us_total,
        avg_duration_s, profiles."""
        t = dict(self._totals)
        n = t["sessions"]
        t["bounce_rate"] = t["bounces"] / n if n else float("nan")
        t["pages_per_session"] = t["page_views"] / n if n else float("nan")
        t["avg_duration_s"] = t["duration_us_total"] / 1e6 / n if n else float("nan")
        return t

    def plot(self, ax=None):
        """Sessions per day and bounce rate by channel."""
        import matplotlib.pyplot as plt
        df = self.to_pandas()
        if ax is None:
            fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
        else:
            axes = [ax, ax.twinx()]
        df.set_index("start").resample("D").size().plot(ax=axes[0], title="Sessions per day")
        df.groupby("channel", observed=True)["bounce"].mean().sort_values().plot.barh(ax=axes[1], title="Bounce rate by channel")
        return axes[0]


class Funnel(_Result):
    """A funnel's steps: step, label, count, conversion_from_previous, conversion_from_first,
    median/mean seconds from the previous step and from step 1. ``breakdown`` and ``trend`` are
    DataFrames when asked; ``dropoff(k)`` is the Segment of profiles that reached step k and no further.

    Example: ``f = ws.funnel(["page_view", "add_to_cart", "purchase"], window="7d"); f.counts``
    """

    def __init__(self, ws, d):
        self._ws = ws
        self.counts = [int(c) for c in d["counts"]]
        self.labels = list(d["labels"])
        self.disqualified = int(d["disqualified"])
        self.warnings = list(d["warnings"])
        self.count = d["count"]
        self.steps = to_frame(d["steps"])
        self.breakdown = to_frame(d["breakdown"]) if d["breakdown"]["names"] else None
        self.trend = to_frame(d["trend"], {"period"}) if d["trend"]["names"] else None
        self.progress = np.asarray(d["progress"])

    def to_pandas(self):
        return self.steps.copy()

    @property
    def conversion(self):
        """Overall conversion: last step over first."""
        return self.counts[-1] / self.counts[0] if self.counts and self.counts[0] else float("nan")

    def dropoff(self, step):
        """Profiles that reached `step` (1-based) but not the next one, as a Segment (the last step:
        the converted)."""
        from .segments import Segment
        if not 1 <= step <= len(self.counts):
            raise ValueError(f"step must be in 1..{len(self.counts)}, got {step}")
        members = np.flatnonzero(self.progress == step).astype(np.int32)
        d = {"name": f"funnel_dropoff_step_{step}", "members": members, "population": int(self.progress.size),
             "excluded": 0, "clock": self._ws.clock().value // 1000, "warnings": []}
        return Segment(self._ws, d, description=f"reached '{self.labels[step - 1]}' and no further")

    def plot(self, ax=None):
        """Bars of the step counts with conversion from step 1."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        df = self.steps
        ax.bar(range(len(df)), df["count"], color="#4C72B0")
        for i, (c, r) in enumerate(zip(df["count"], df["conversion_from_first"])):
            ax.text(i, c, f"{c:,}\n{r:.1%}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(df)))
        ax.set_xticklabels(df["label"], rotation=15)
        ax.set_ylabel(self.count)
        ax.set_title("Funnel")
        return ax


class Paths(_Result):
    """Top paths (``top``: rank, path, steps, count, share), ``transitions`` (from, to, count,
    share_of_from) and Sankey data (``sankey_nodes``, ``sankey_links``).

    Example: ``ws.paths(start="page_view", element="page").top``
    """

    def __init__(self, d):
        self.top = to_frame(d["top_paths"])
        self.transitions = to_frame(d["transitions"])
        self.sankey_nodes = to_frame(d["sankey_nodes"])
        self.sankey_links = to_frame(d["sankey_links"])
        self.total = int(d["paths"])

    def to_pandas(self):
        return self.top.copy()

    def transition_matrix(self):
        """from x to counts."""
        return self.transitions.pivot_table(index="from", columns="to", values="count", fill_value=0, observed=True)

    def plot(self, ax=None):
        """A Sankey-style diagram of the top paths: one column per step, links as bands."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import PathPatch
        from matplotlib.path import Path as MPath
        if ax is None:
            _, ax = plt.subplots(figsize=(11, 5))
        nodes, links = self.sankey_nodes, self.sankey_links
        if nodes.empty:
            ax.set_title("Paths (none)")
            return ax
        total = float(nodes.loc[nodes["step"] == 1, "count"].sum())
        y, height = {}, {}
        for step, g in nodes.groupby("step"):
            top = 0.0
            for _, n in g.sort_values("count", ascending=False).iterrows():
                h = n["count"] / total * 0.9
                y[n["id"]], height[n["id"]] = top, h
                ax.add_patch(plt.Rectangle((step - 0.05, 1 - top - h), 0.1, h, color="#4C72B0"))
                ax.text(step + 0.07, 1 - top - h / 2, str(n["label"]), va="center", fontsize=7)
                top += h + 0.02
        out_off = {k: 0.0 for k in y}
        in_off = {k: 0.0 for k in y}
        step_of = dict(zip(nodes["id"], nodes["step"]))
        for _, l in links.sort_values("count", ascending=False).iterrows():
            s, t, w = l["source"], l["target"], l["count"] / total * 0.9
            x0, x1 = step_of[s] + 0.05, step_of[t] - 0.05
            ys, yt = 1 - y[s] - out_off[s], 1 - y[t] - in_off[t]
            out_off[s] += w
            in_off[t] += w
            xm = (x0 + x1) / 2
            verts = [(x0, ys), (xm, ys), (xm, yt), (x1, yt), (x1, yt - w), (xm, yt - w), (xm, ys - w), (x0, ys - w), (x0, ys)]
            codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                     MPath.CURVE4, MPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MPath(verts, codes), alpha=0.3, color="#DD8452", lw=0))
        ax.set_xlim(0.8, nodes["step"].max() + 0.9)
        ax.set_ylim(-0.05, 1.05)
        ax.axis("off")
        ax.set_title(f"Top paths ({self.total:,} paths)")
        return ax


class Stages(_Result):
    """Journey stages: ``profiles`` (profile, stage, <stage>_at), ``transitions``, ``summary``
    (stage, entered, current, share_current, median_days_in_stage) and ``over_time``.

    Example: ``ws.stages().summary``
    """

    def __init__(self, d):
        self.stages = list(d["stages"])
        times = {f"{s}_at" for s in self.stages}
        self.profiles = to_frame(d["profiles"], times)
        self.transitions = to_frame(d["transitions"])
        self.summary = to_frame(d["summary"])
        self.over_time = to_frame(d["over_time"], {"date"})

    def to_pandas(self):
        return self.summary.copy()

    def plot(self, ax=None):
        """Profiles per stage over time (stacked areas)."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        wide = self.over_time.pivot_table(index="date", columns="stage", values="profiles", observed=True)
        wide = wide[[s for s in self.stages if s in wide.columns]]
        x = wide.index.tz_convert(None).to_pydatetime() if len(wide) else []
        ax.stackplot(x, *[wide[c].to_numpy() for c in wide.columns], labels=list(wide.columns), alpha=0.8)
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title("Journey stages over time")
        ax.set_ylabel("profiles")
        return ax


class Heatmap(_Result):
    """Clicks on a grid (``grid``: rows y, columns x; ``cells`` long form), ``scroll`` reach (depth,
    page_views, reached, share), ``rage_clicks`` bursts, and dead-click counts.

    Example: ``h = ws.heatmap("product"); h.scroll``
    """

    def __init__(self, d, page):
        self.page = page
        self.grid = np.asarray(d["grid"], dtype=np.int64)
        self.cells = to_frame(d["cells"])
        self.scroll = to_frame(d["scroll"])
        self.rage_clicks = to_frame(d["rage_clicks"])
        self.clicks = int(d["clicks"])
        self.page_views = int(d["page_views"])
        self.dead_clicks = int(d["dead_clicks"])
        self.dead_click_share = float(d["dead_click_share"])

    def to_pandas(self):
        return self.cells.copy()

    def plot(self, ax=None):
        """The click grid as an image (top of the page at the top) beside the scroll reach."""
        import matplotlib.pyplot as plt
        if ax is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
        else:
            axes = [ax, None]
        from matplotlib.colors import PowerNorm
        im = axes[0].imshow(self.grid, cmap="inferno", extent=(0, 1, 1, 0), aspect="auto",
                            norm=PowerNorm(0.5, vmin=0, vmax=max(1, int(self.grid.max()))))
        axes[0].set_title(f"Clicks on {self.page or 'every page'} ({self.clicks:,})")
        plt.colorbar(im, ax=axes[0])
        if axes[1] is not None:
            axes[1].bar(self.scroll["depth"].astype(str) + "%", self.scroll["share"], color="#55A868")
            axes[1].set_title("Share of page views reaching depth")
            axes[1].set_ylim(0, 1)
        return axes[0]


class Attribution(_Result):
    """Attributed conversions and value per channel and model. ``table`` is long (channel, model,
    conversions, value, ...); ``to_pandas()`` is wide (channel x model conversions).
    ``removal_effects`` (Markov) and ``shapley_values`` are per channel.

    Example: ``ws.attribution(models=["first", "last", "markov"]).to_pandas()``
    """

    def __init__(self, d):
        self.table = to_frame(d["table"])
        self.channels = list(d["channels"])
        self.models = list(d["models"])
        self.removal_effects = dict(zip(self.channels, d["removal_effects"])) if d["removal_effects"] else {}
        self.shapley_values = dict(zip(self.channels, d["shapley_values"])) if d["shapley_values"] else {}
        self.base_conversion_probability = float(d["base_conversion_probability"])
        self.total_conversions = float(d["total_conversions"])
        self.total_value = float(d["total_value"])

    def to_pandas(self, what="conversions"):
        """Wide table: channel x model of `what` ("conversions" or "value")."""
        wide = self.table.pivot_table(index="channel", columns="model", values=what, observed=True)
        return wide[[m for m in self.models if m in wide.columns]]

    def plot(self, ax=None, what="conversions"):
        """Grouped bars: channels by model."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(10, 4))
        self.to_pandas(what).plot.bar(ax=ax, title=f"Attributed {what} by model")
        return ax


def _attribution_options(models, half_life, position, markov_order, markov_collapse_repeats, shapley_samples,
                         shapley_value, bootstrap, confidence, seed):
    o = {"models": list([models] if isinstance(models, str) else models), "half_life": _duration(half_life),
         "markov_order": int(markov_order), "markov_collapse_repeats": bool(markov_collapse_repeats),
         "shapley_samples": int(shapley_samples), "shapley_value": shapley_value, "bootstrap": int(bootstrap),
         "confidence": float(confidence), "seed": int(seed)}
    if position is not None:
        o["position_first"], o["position_last"] = float(position[0]), float(position[1])
    return o


def attribution_from_paths(paths, conversions, values=None, nulls=None, models=("first", "last", "linear", "position", "markov"),
                           *, separator=">", half_life="7d", position=None, markov_order=1, markov_collapse_repeats=False,
                           shapley_samples=20000, shapley_value="conversions", bootstrap=0, confidence=0.95, seed=0):
    """Attribution of aggregated journeys given as strings ("alpha > beta > alpha") with their
    conversions, optional values (revenue) and nulls (journeys of that path that did not convert).

    Example::

        df = pd.read_csv("paths.csv", sep=";")
        r = cdp.attribution_from_paths(df.path, df.total_conversions, df.total_conversion_value, df.total_null)
        r.to_pandas()
    """
    paths = [str(p) for p in paths]
    conv = np.asarray(conversions, dtype=float).tolist()
    vals = [] if values is None else np.asarray(values, dtype=float).tolist()
    nul = [] if nulls is None else np.asarray(nulls, dtype=float).tolist()
    o = _attribution_options(models, half_life, position, markov_order, markov_collapse_repeats, shapley_samples,
                             shapley_value, bootstrap, confidence, seed)
    return Attribution(_core.attribution_from_paths(paths, conv, vals, nul, separator, o))
