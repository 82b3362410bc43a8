"""A/B experiment statistics on the native engine.

Deterministic assignment (``assign``: a documented hash of salt, experiment and unit key, sticky per
profile), frequentist tests (``proportions_ztest``, ``welch_ttest``) with confidence intervals, the
Bayesian beta-binomial comparison (``beta_binomial``: P(beat control), expected loss), the
sample-ratio-mismatch check (``srm_test``), sample sizes and multiple-testing adjustments, and a
readout of a whole experiment (``analyze``).

Every comparison is treatment vs control: ``diff = treatment - control``, ``lift = diff / control``;
``alternative="larger"`` tests treatment > control. Values match scipy.stats on the same inputs.

Example::

    from cdpcore import experiments as ex
    df["variant"] = ex.assign(df["user_id"], "checkout-v2", ["control", "treatment"], salt="2024")
    res = ex.analyze(df, converted_col="converted", revenue_col="revenue")
    res.table[["variant", "metric", "lift", "p_value", "p_adjusted", "prob_beat_control"]]
"""
import html
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import _core
from .errors import InvalidArgumentError

__all__ = ["Experiment", "ProportionsTest", "WelchTest", "BetaBinomial", "BetaComparison", "SrmTest", "SampleSize",
           "ExperimentAnalysis", "proportions_ztest", "welch_ttest", "beta_binomial", "compare_betas", "srm_test",
           "sample_size_proportions", "sample_size_means", "adjust_pvalues", "assign", "bucket", "analyze"]


class _Result:
    """Plain result fields; ``pvalue`` is scipy's name for ``p_value``."""

    def to_dict(self):
        """The fields as a dict. Example: ``proportions_ztest((10, 12), (100, 100)).to_dict()``"""
        return asdict(self)

    @property
    def pvalue(self):
        """scipy's name for ``p_value``. Example: ``srm_test([5000, 5200]).pvalue``"""
        return self.p_value


@dataclass(frozen=True)
class ProportionsTest(_Result):
    """Two-proportion z-test: z ``statistic`` (pooled variance by default), ``p_value``, the unpooled
    Wald interval of ``diff`` and the delta-method interval of ``relative_lift`` (NaN when the control
    rate is 0)."""
    rate_control: float
    rate_treatment: float
    diff: float
    relative_lift: float
    statistic: float
    p_value: float
    std_error: float
    ci_low: float
    ci_high: float
    lift_ci_low: float
    lift_ci_high: float
    alternative: str
    alpha: float


@dataclass(frozen=True)
class WelchTest(_Result):
    """Welch's t-test: ``statistic``, ``df`` (Welch-Satterthwaite), ``p_value``, the t interval of
    ``diff`` and the delta-method interval of ``relative_lift``."""
    mean_control: float
    mean_treatment: float
    std_control: float
    std_treatment: float
    n_control: int
    n_treatment: int
    diff: float
    relative_lift: float
    std_error: float
    statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    lift_ci_low: float
    lift_ci_high: float
    alternative: str
    alpha: float


@dataclass(frozen=True)
class BetaComparison(_Result):
    """P(treatment > control) and the expected losses E[max(c - t, 0)] (shipping the treatment) and
    E[max(t - c, 0)] (keeping the control)."""
    prob_beat_control: float
    expected_loss: float
    expected_loss_control: float


@dataclass(frozen=True)
class BetaBinomial(_Result):
    """Beta posteriors (alpha, beta) of both rates, their means and equal-tailed credible intervals,
    P(treatment beats control) and the expected losses."""
    posterior_control: tuple
    posterior_treatment: tuple
    mean_control: float
    mean_treatment: float
    ci_control: tuple
    ci_treatment: tuple
    prob_beat_control: float
    expected_loss: float
    expected_loss_control: float
    credible_level: float


@dataclass(frozen=True)
class SrmTest(_Result):
    """Sample-ratio mismatch: Pearson chi-square of the units per variant against the planned split;
    ``mismatch`` when ``p_value < threshold``."""
    statistic: float
    df: int
    p_value: float
    expected: np.ndarray
    observed_share: np.ndarray
    expected_share: np.ndarray
    mismatch: bool
    threshold: float


@dataclass(frozen=True)
class SampleSize(_Result):
    """Units per group (rounded up), the total, and the formula's unrounded control size."""
    n_control: int
    n_treatment: int
    total: int
    n_control_exact: float
    effect: float
    rate_control: float = float("nan")
    rate_treatment: float = float("nan")


def _count(value, name):
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    v = float(value)
    if not math.isfinite(v) or v != math.floor(v):
        raise InvalidArgumentError(f"{name} must be a whole number, got {value!r}")
    return int(v)


def _pair(values, name):
    vals = list(np.asarray(values, dtype=object).reshape(-1)) if not np.isscalar(values) else [values]
    if len(vals) != 2:
        raise InvalidArgumentError(f"{name} must be a pair (control, treatment), got {len(vals)} values")
    return vals


def proportions_ztest(successes, trials, alternative="two-sided", alpha=0.05, pooled=True):
    """Two-proportion z-test of (control, treatment) conversions, as statsmodels' proportions_ztest
    (pooled variance) plus the unpooled Wald interval of the difference at 1 - alpha.

    Example: ``proportions_ztest((100, 130), (1000, 1000)).p_value  # 0.0355``
    """
    (sc, st), (nc, nt) = _pair(successes, "successes"), _pair(trials, "trials")
    r = _core.exp_ztest(_count(sc, "successes"), _count(nc, "trials"), _count(st, "successes"),
                        _count(nt, "trials"), str(alternative), float(alpha), bool(pooled))
    return ProportionsTest(**r, alternative=str(alternative), alpha=float(alpha))


def _welch(r, alternative, alpha):
    c, t = r.pop("control"), r.pop("treatment")
    return WelchTest(mean_control=c["mean"], mean_treatment=t["mean"], std_control=c["std"], std_treatment=t["std"],
                     n_control=c["n"], n_treatment=t["n"], **r, alternative=str(alternative), alpha=float(alpha))


def _samples(values, name):
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1:
        raise InvalidArgumentError(f"{name} must be 1-dimensional, got shape {a.shape}")
    return np.ascontiguousarray(a)


def welch_ttest(control=None, treatment=None, *, mean=None, std=None, nobs=None, alternative="two-sided",
                alpha=0.05):
    """Welch's unequal-variance t-test of treatment vs control, from samples or from summary
    statistics (``mean``, ``std`` (sample, ddof=1), ``nobs`` as (control, treatment) pairs); equals
    ``scipy.stats.ttest_ind(treatment, control, equal_var=False)``. Zero variance in both groups
    gives t = 0, p = 1 for equal means and t = +/-inf, p = 0 otherwise.

    Example: ``welch_ttest(mean=(10, 11), std=(2, 3), nobs=(50, 40)).p_value  # 0.0748``
    """
    if control is not None or treatment is not None:
        if control is None or treatment is None or mean is not None or std is not None or nobs is not None:
            raise InvalidArgumentError("give either both samples (control, treatment) or mean, std and nobs")
        r = _core.exp_welch_samples(_samples(control, "control"), _samples(treatment, "treatment"), str(alternative),
                                    float(alpha))
        return _welch(r, alternative, alpha)
    if mean is None or std is None or nobs is None:
        raise InvalidArgumentError("give either both samples (control, treatment) or mean, std and nobs")
    (mc, mt), (sc, st), (nc, nt) = _pair(mean, "mean"), _pair(std, "std"), _pair(nobs, "nobs")
    r = _core.exp_welch(float(mc), float(sc), _count(nc, "nobs"), float(mt), float(st), _count(nt, "nobs"),
                        str(alternative), float(alpha))
    return _welch(r, alternative, alpha)


def _beta_params(params, name):
    vals = _pair(params, name)
    return float(vals[0]), float(vals[1])


def compare_betas(control, treatment):
    """P(treatment > control) and expected losses for Beta(alpha, beta) rates given as pairs, by
    deterministic adaptive quadrature (no sampling).

    Example: ``compare_betas((101, 901), (131, 871)).prob_beat_control  # 0.98217``
    """
    (ac, bc), (at, bt) = _beta_params(control, "control"), _beta_params(treatment, "treatment")
    r = _core.exp_compare_betas(ac, bc, at, bt)
    return BetaComparison(prob_beat_control=r["prob_treatment_better"], expected_loss=r["expected_loss_treatment"],
                          expected_loss_control=r["expected_loss_control"])


def beta_binomial(successes, trials, prior=(1.0, 1.0), credible_level=0.95):
    """Bayesian comparison of (control, treatment) conversions with a Beta(alpha, beta) prior
    (uniform by default): posteriors, credible intervals, P(treatment beats control) and the expected
    loss of shipping the treatment, E[max(p_c - p_t, 0)] (``expected_loss``).

    Example: ``beta_binomial((100, 130), (1000, 1000)).prob_beat_control  # 0.98217``
    """
    (sc, st), (nc, nt) = _pair(successes, "successes"), _pair(trials, "trials")
    pa, pb = _beta_params(prior, "prior")
    r = _core.exp_beta_binomial(_count(sc, "successes"), _count(nc, "trials"), _count(st, "successes"),
                                _count(nt, "trials"), pa, pb, float(credible_level))
    return BetaBinomial(posterior_control=r["posterior_control"], posterior_treatment=r["posterior_treatment"],
                        mean_control=r["mean_control"], mean_treatment=r["mean_treatment"],
                        ci_control=r["ci_control"], ci_treatment=r["ci_treatment"],
                        prob_beat_control=r["prob_treatment_better"], expected_loss=r["expected_loss_treatment"],
                        expected_loss_control=r["expected_loss_control"], credible_level=float(credible_level))


def srm_test(counts, weights=None, threshold=0.001):
    """Sample-ratio mismatch check: chi-square goodness of fit of the units per variant against the
    planned weights (equal when None), as ``scipy.stats.chisquare(counts, f_exp)``.

    Example: ``srm_test([5000, 5200]).p_value  # 0.0477``
    """
    c = np.asarray(counts, dtype=np.float64).reshape(-1)
    if np.any(~np.isfinite(c)) or np.any(c != np.floor(c)):
        raise InvalidArgumentError("counts must be whole numbers")
    w = None if weights is None else np.ascontiguousarray(np.asarray(weights, dtype=np.float64).reshape(-1))
    r = _core.exp_srm(np.ascontiguousarray(c.astype(np.int64)), w, float(threshold))
    return SrmTest(statistic=r["statistic"], df=r["df"], p_value=r["p_value"], expected=np.asarray(r["expected"]),
                   observed_share=np.asarray(r["observed_share"]), expected_share=np.asarray(r["expected_share"]),
                   mismatch=bool(r["mismatch"]), threshold=float(threshold))


def sample_size_proportions(baseline, mde, alpha=0.05, power=0.8, ratio=1.0, relative=False,
                            alternative="two-sided"):
    """Units per group to detect a change of ``mde`` from the ``baseline`` rate (absolute, or relative
    with ``relative=True``), normal approximation without continuity correction (Fleiss):
    n = (z_{1-a/2} sqrt(pbar qbar (1 + 1/r)) + z_{power} sqrt(p1 q1 + p2 q2 / r))^2 / (p2 - p1)^2.
    ``ratio`` = n_treatment / n_control.

    Example: ``sample_size_proportions(0.10, 0.02).n_control  # 3841``
    """
    r = _core.exp_sample_size_proportions(float(baseline), float(mde), float(alpha), float(power), float(ratio),
                                          str(alternative), bool(relative))
    return SampleSize(**r)


def sample_size_means(std, mde, alpha=0.05, power=0.8, ratio=1.0, std_treatment=None, alternative="two-sided"):
    """Units per group to detect a difference ``mde`` in means: n = (z_{1-a/2} + z_{power})^2
    (s_c^2 + s_t^2 / r) / mde^2 (normal approximation).

    Example: ``sample_size_means(std=10, mde=2).n_control  # 393``
    """
    r = _core.exp_sample_size_means(float(mde), float(std), 0.0 if std_treatment is None else float(std_treatment),
                                    float(alpha), float(power), float(ratio), str(alternative))
    return SampleSize(**r)


def adjust_pvalues(pvalues, method="holm"):
    """Adjusted p-values for multiple comparisons, in the input order and shape: "holm" (step-down,
    family-wise error), "bh" (Benjamini-Hochberg, false discovery rate), "by" (Benjamini-Yekutieli),
    "bonferroni". Reject where the adjusted value is <= alpha (statsmodels' multipletests).

    Example: ``adjust_pvalues([0.01, 0.04, 0.03, 0.005], "bh")  # [0.02, 0.04, 0.04, 0.02]``
    """
    p = np.asarray(pvalues, dtype=np.float64)
    out = _core.exp_adjust(np.ascontiguousarray(p.reshape(-1)), str(method)).reshape(p.shape)
    if isinstance(pvalues, pd.Series):
        return pd.Series(out, index=pvalues.index, name=pvalues.name)
    return out


def _units(units):
    """(kind, contiguous array) for the native assignment: "int" (int64) or "obj" (str/bytes/int objects)."""
    a = np.asarray(units.to_numpy() if isinstance(units, (pd.Series, pd.Index)) else units)
    if a.ndim != 1:
        a = a.reshape(-1)
    kind = a.dtype.kind
    if kind == "b":
        raise InvalidArgumentError("units are booleans; use str or int keys")
    if kind == "i" or (kind == "u" and (a.size == 0 or a.max() <= np.iinfo(np.int64).max)):
        return "int", np.ascontiguousarray(a.astype(np.int64, copy=False))
    if kind == "f":
        raise InvalidArgumentError("units are floats (missing values in an integer column?); use str or int keys")
    return "obj", np.ascontiguousarray(a.astype(object, copy=False))


def _weights(variants, weights):
    names = list(variants)
    if len(names) < 1:
        raise InvalidArgumentError("assign: no variants")
    w = np.ones(len(names)) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if len(w) != len(names):
        raise InvalidArgumentError(f"assign: {len(names)} variants but {len(w)} weights")
    return names, np.ascontiguousarray(w)


def assign(units, experiment, variants=("control", "treatment"), weights=None, salt=""):
    """Deterministic, sticky assignment of units (profile ids, str or int) to variants: the same unit
    gets the same variant on every call, machine and language. FNV-1a 64 of "salt:experiment:unit"
    (UTF-8, ints as decimal text), MurmurHash3's fmix64, the top 53 bits as u in [0, 1), then the first
    variant whose cumulative weight share exceeds u (see cdp/experiments.hpp). Runs natively over
    arrays; returns variant names (a Series with the input's index for a Series, a str for one unit).

    Example: ``assign(["user-1", "user-2"], "checkout", salt="s1")  # ['control', 'treatment']``
    """
    names, w = _weights(variants, weights)
    single = isinstance(units, (str, bytes, int, np.integer))
    kind, arr = _units([units] if single else units)
    if kind == "int":
        idx = _core.exp_assign_int(str(salt), str(experiment), arr, w)
    else:
        idx = _core.exp_assign(str(salt), str(experiment), arr, w)
    out = np.asarray(names, dtype=object)[idx]
    if single:
        return out[0]
    if isinstance(units, pd.Series):
        return pd.Series(out, index=units.index, name=str(experiment))
    return out


def bucket(units, experiment, salt=""):
    """Each unit's position u in [0, 1) for the experiment (step 3 of ``assign``'s hash), for holdouts
    and custom splits.

    Example: ``bucket(["user-1"], "checkout", salt="s1")  # array([0.10454696])``
    """
    kind, arr = _units(units)
    if kind == "int":
        arr = np.ascontiguousarray(arr.astype(object))
    return _core.exp_bucket(str(salt), str(experiment), arr)



# --- Readout -------------------------------------------------------------------------------------

_CORRECTIONS = {"holm", "bh", "by", "bonferroni", "fdr_bh", "fdr_by", "none"}


class ExperimentAnalysis:
    """The readout of an experiment (``analyze``). ``table``: one row per (variant, metric) against
    the control — control and variant values, diff with its interval, relative lift with its interval,
    statistic, p_value, p_adjusted (across all rows), significant, and for conversion the Bayesian
    prob_beat_control and expected_loss; ``variants``: units, share, conversions, rate and revenue per
    variant; ``srm``: the sample-ratio check. Shows as HTML in notebooks; ``plot()`` draws the lifts.

    Example: ``res = analyze(df); res.table; res.srm.mismatch; res.plot()``
    """

    def __init__(self, table, variants, srm, control, alpha, correction):
        self.table = table
        self.variants = variants
        self.srm = srm
        self.control = control
        self.alpha = alpha
        self.correction = correction

    def to_frame(self):
        """A copy of ``table``. Example: ``analyze(df).to_frame().to_csv("readout.csv")``"""
        return self.table.copy()

    def __repr__(self):
        srm = "SRM: mismatch!" if self.srm.mismatch else "SRM: ok"
        return (f"<cdpcore.experiments.ExperimentAnalysis: {len(self.variants)} variants, control "
                f"{self.control!r}, {srm} (p = {self.srm.p_value:.3g})>")

    def _repr_html_(self):
        fmt = {"float_format": lambda v: f"{v:.4g}", "index": False, "border": 0}
        if self.srm.mismatch:
            srm = (f"<p style='color:#b00'><b>Sample-ratio mismatch</b>: chi-square {self.srm.statistic:.3f}, "
                   f"p = {self.srm.p_value:.3g} &lt; {self.srm.threshold:g}. The split is not what was planned; "
                   f"do not trust the results below before finding why.</p>")
        else:
            srm = f"<p>Sample ratio as planned (chi-square p = {self.srm.p_value:.3g}).</p>"
        corr = html.escape(str(self.correction))
        return (f"<p><b>Experiment readout</b> &mdash; control {html.escape(str(self.control))}, alpha "
                f"{self.alpha:g}, p-values adjusted by {corr}</p>" + srm + self.variants.to_html(**fmt) +
                self.table.to_html(**fmt))

    def plot(self, metric=None, ax=None):
        """Relative lift of each variant and metric with its confidence interval (error bars), a line
        at 0; significant rows (adjusted) in color. Returns the Axes.

        Example: ``analyze(df, revenue_col="revenue").plot(metric="conversion")``
        """
        import matplotlib.pyplot as plt
        t = self.table if metric is None else self.table[self.table["metric"] == metric]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.6 * len(t) + 1.5))
        y = np.arange(len(t))[::-1]
        lift = t["lift"].to_numpy(dtype=float)
        lo = np.where(np.isfinite(t["lift_ci_low"]), lift - t["lift_ci_low"], 0)
        hi = np.where(np.isfinite(t["lift_ci_high"]), t["lift_ci_high"] - lift, 0)
        colors = np.where(t["significant"], "#C44E52", "#4C72B0")
        for yi, li, l, h, c in zip(y, lift, lo, hi, colors):
            ax.errorbar(li, yi, xerr=[[l], [h]], fmt="o", color=c, capsize=4)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{v} · {m}" for v, m in zip(t["variant"], t["metric"])])
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:+.0%}"))
        ax.set_xlabel(f"relative lift vs {self.control} ({1 - self.alpha:.0%} interval)")
        ax.set_title("Experiment readout")
        ax.figure.tight_layout()
        return ax


def _per_variant(data, variant_col, converted_col, revenue_col, order):
    """n, conversions and revenue mean/std per variant, from per-unit rows or a summary table."""
    if variant_col in data.columns and converted_col in data.columns:
        v = data[variant_col]
        if v.isna().any():
            raise InvalidArgumentError(f"{variant_col!r} is missing at row {int(np.flatnonzero(v.isna())[0])}")
        conv = pd.to_numeric(data[converted_col], errors="coerce").astype(float)
        bad = ~conv.isin([0.0, 1.0])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InvalidArgumentError(f"{converted_col!r} must be 0/1 (or bool), got {data[converted_col].iloc[i]!r} "
                                       f"at row {i}")
        cols = {"n": v.groupby(v, sort=False).size(), "conversions": conv.groupby(v, sort=False).sum()}
        if revenue_col is not None:
            rev = pd.to_numeric(data[revenue_col], errors="coerce").astype(float)
            if not np.isfinite(rev).all():
                i = int(np.flatnonzero(~np.isfinite(rev.to_numpy()))[0])
                raise InvalidArgumentError(f"{revenue_col!r} is missing or not finite at row {i} (use 0 for no revenue)")
            g = rev.groupby(v, sort=False)
            cols["revenue_mean"], cols["revenue_std"] = g.mean(), g.std(ddof=1)
        per = pd.DataFrame(cols)
    else:
        frame = data.set_index(variant_col) if variant_col in data.columns else data
        need = ["n", "conversions"] + (["revenue_mean", "revenue_std"] if revenue_col is not None else [])
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise InvalidArgumentError(f"analyze needs per-unit columns {variant_col!r} and {converted_col!r}, or a "
                                       f"per-variant summary with columns {need} (missing {missing})")
        per = frame[need].copy()
    if order is not None:
        unknown = [x for x in order if x not in per.index]
        if unknown:
            raise InvalidArgumentError(f"variants {unknown} have no units")
        per = per.loc[list(order)]
    else:
        per = per.loc[sorted(per.index, key=str)]
    per.index.name = "variant"
    return per


def analyze(data, control=None, *, variant_col="variant", converted_col="converted", revenue_col=None,
            variants=None, weights=None, alpha=0.05, correction="holm", prior=(1.0, 1.0), alternative="two-sided",
            srm_threshold=0.001):
    """Readout of an A/B(/n) experiment: for every variant against ``control`` (default "control" if
    present, else the first variant), conversion by the two-proportion z-test (unpooled Wald interval)
    and the Bayesian beta-binomial (P(beat control), expected loss), revenue per unit by Welch's t-test;
    p-values adjusted across all variant x metric rows (``correction``: "holm", "bh", "by",
    "bonferroni" or "none"); and the sample-ratio check against ``weights`` (the planned split, equal by
    default, in ``variants`` order, else control first and the others by name). ``data``: one row per unit (``variant_col``, ``converted_col``
    0/1, optional ``revenue_col``), or one row per variant (index or ``variant_col``) with columns n,
    conversions and, for revenue, revenue_mean and revenue_std (ddof=1).

    Example: ``analyze(df, revenue_col="revenue", correction="bh").table``
    """
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    if str(correction).lower() not in _CORRECTIONS:
        raise InvalidArgumentError(f"correction must be one of {sorted(_CORRECTIONS)}, got {correction!r}")
    per = _per_variant(data, variant_col, converted_col, revenue_col, variants)
    names = list(per.index)
    if len(names) < 2:
        raise InvalidArgumentError(f"analyze needs at least 2 variants, got {names}")
    if control is None:
        control = "control" if "control" in names else names[0]
    if control not in names:
        raise InvalidArgumentError(f"control {control!r} is not a variant (variants: {names})")
    if variants is None:  # control first, the others by name
        names = [control] + [n for n in names if n != control]
        per = per.loc[names]
    srm = srm_test(per["n"].to_numpy(), weights, srm_threshold)
    c = per.loc[control]
    rows = []
    for name in names:
        if name == control:
            continue
        v = per.loc[name]
        z = proportions_ztest((c["conversions"], v["conversions"]), (c["n"], v["n"]), alternative, alpha)
        b = beta_binomial((c["conversions"], v["conversions"]), (c["n"], v["n"]), prior)
        rows.append({"variant": name, "metric": "conversion", "n_control": int(c["n"]), "n": int(v["n"]),
                     "control": z.rate_control, "value": z.rate_treatment, "diff": z.diff, "ci_low": z.ci_low,
                     "ci_high": z.ci_high, "lift": z.relative_lift, "lift_ci_low": z.lift_ci_low,
                     "lift_ci_high": z.lift_ci_high, "statistic": z.statistic, "p_value": z.p_value,
                     "prob_beat_control": b.prob_beat_control, "expected_loss": b.expected_loss})
        if revenue_col is not None:
            w = welch_ttest(mean=(c["revenue_mean"], v["revenue_mean"]), std=(c["revenue_std"], v["revenue_std"]),
                            nobs=(c["n"], v["n"]), alternative=alternative, alpha=alpha)
            rows.append({"variant": name, "metric": "revenue", "n_control": int(c["n"]), "n": int(v["n"]),
                         "control": w.mean_control, "value": w.mean_treatment, "diff": w.diff, "ci_low": w.ci_low,
                         "ci_high": w.ci_high, "lift": w.relative_lift, "lift_ci_low": w.lift_ci_low,
                         "lift_ci_high": w.lift_ci_high, "statistic": w.statistic, "p_value": w.p_value,
                         "prob_beat_control": np.nan, "expected_loss": np.nan})
    table = pd.DataFrame(rows)
    method = str(correction).lower()
    table["p_adjusted"] = table["p_value"] if method == "none" else adjust_pvalues(table["p_value"], method)
    table["significant"] = table["p_adjusted"] <= alpha
    order = ["variant", "metric", "n_control", "n", "control", "value", "diff", "ci_low", "ci_high", "lift",
             "lift_ci_low", "lift_ci_high", "statistic", "p_value", "p_adjusted", "significant", "prob_beat_control",
             "expected_loss"]
    summary = pd.DataFrame({"n": per["n"].astype(np.int64), "share": srm.observed_share,
                            "expected_share": srm.expected_share, "conversions": per["conversions"].astype(np.int64),
                            "rate": per["conversions"] / per["n"]}, index=per.index)
    if revenue_col is not None:
        summary["revenue_mean"], summary["revenue_std"] = per["revenue_mean"], per["revenue_std"]
    return ExperimentAnalysis(table[order], summary.reset_index(), srm, control, float(alpha), method)


class Experiment:
    """An experiment over a workspace's profiles (``ws.experiment``): ``units`` has one row per
    exposed profile (profile, key, variant, exposed_at, converted, revenue); ``analyze()`` is the
    readout (conversion z-test and Bayesian comparison, revenue per unit by Welch, adjusted
    p-values, sample-ratio check against the planned weights).

    Example: ``ws.experiment("checkout_v2").analyze(correction="bh").table``
    """

    def __init__(self, name, units, variants, weights=None):
        self.name = name
        self.units = units
        self.variants = list(variants)
        self.weights = weights

    def analyze(self, control=None, *, alpha=0.05, correction="holm", prior=(1.0, 1.0), alternative="two-sided",
                srm_threshold=0.001):
        """The readout as an ExperimentAnalysis (see ``analyze``).

        Example: ``ws.experiment("exp1").analyze().table[["variant", "metric", "lift", "p_value"]]``
        """
        return analyze(self.units, control, variant_col="variant", converted_col="converted", revenue_col="revenue",
                       variants=self.variants, weights=self.weights, alpha=alpha, correction=correction, prior=prior,
                       alternative=alternative, srm_threshold=srm_threshold)

    def __repr__(self):
        counts = self.units["variant"].value_counts().reindex(self.variants, fill_value=0)
        return f"Experiment({self.name!r}, " + ", ".join(f"{k}={v:,}" for k, v in counts.items()) + ")"
