"""Predictive customer lifetime value: lifetimes-style summaries and BTYD models on the native engine.

``summary_from_transactions`` turns a transaction log into one row per customer (frequency, recency,
T, monetary value; optionally a calibration/holdout split). ``BetaGeo`` (BG/NBD), ``ParetoNBD``,
``BetaGeoBeta`` (BG/BB, discrete opportunities) and ``GammaGamma`` (spend) are fitted by maximum
likelihood (L-BFGS on log parameters from several starts) and mirror lifetimes' fitters: ``fit``
returns self and sets ``params_``, ``summary``, ``log_likelihood_``, ``converged_``.

Example::

    import cdpcore as cdp
    s = cdp.clv.summary_from_transactions(tx, "customer_id", "date", "amount", freq="W")
    bgf = cdp.clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    s["next_12_weeks"] = bgf.conditional_expected_number_of_purchases_up_to_time(12, s["frequency"], s["recency"], s["T"])
"""
import html
import warnings

import numpy as np
import pandas as pd

from . import _core

__all__ = ["summary_from_transactions", "calibration_and_holdout_data", "BetaGeo", "ParetoNBD", "BetaGeoBeta",
           "GammaGamma", "ConvergenceWarning", "plot_frequency_recency_matrix", "plot_probability_alive_matrix",
           "plot_calibration_purchases_vs_holdout_purchases"]

# lifetimes' model time units per month for customer_lifetime_value.
_PERIODS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24, "h": 30.0 * 24}


class ConvergenceWarning(RuntimeWarning):
    """A fit stopped before the optimizer's convergence test passed (see ``model.message_``)."""


def _to_micros(value, datetime_format=None, name="date"):
    if value is None:
        return None
    ts = pd.to_datetime(value, format=datetime_format)
    if pd.isna(ts):
        raise ValueError(f"{name} {value!r} is not a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # wall time, as pandas' to_period
    return int(ts.value // 1000)


def _first_bad(mask):
    return int(np.flatnonzero(np.asarray(mask))[0])


def summary_from_transactions(df, customer_id_col, datetime_col, monetary_value_col=None, freq="W",
                              observation_period_end=None, calibration_period_end=None, freq_multiplier=1,
                              include_first_transaction=False, datetime_format=None):
    """One row per customer from a transaction log, with lifetimes' conventions: purchases in one
    period (``freq``: "H", "D", "W" (Monday-Sunday), "M", "Y") merge; frequency = repeat periods,
    recency = first to last purchase period, T = first purchase period to the end, in periods /
    ``freq_multiplier``; monetary_value = mean of the repeat periods' totals (the first excluded).
    With ``calibration_period_end`` the columns are ``*_cal`` plus ``frequency_holdout``,
    ``monetary_value_holdout`` (mean holdout transaction) and ``duration_holdout``; customers whose
    first purchase is in the holdout are left out, as in lifetimes. Runs natively (one sort, one
    pass); ``df.attrs["rows_*"]`` count the transactions used and ignored.

    Example: ``summary_from_transactions(tx, "id", "date", "amount", freq="D", freq_multiplier=7,
    calibration_period_end="1997-09-30", observation_period_end="1998-06-30")``
    """
    for col in (customer_id_col, datetime_col, monetary_value_col):
        if col is not None and col not in df.columns:
            raise ValueError(f"{col!r} is not a column of the transactions")
    ids = df[customer_id_col]
    if ids.isna().any():
        raise ValueError(f"{customer_id_col!r} is missing at row {_first_bad(ids.isna())}")
    uniques = None
    if pd.api.types.is_integer_dtype(ids.dtype) and not pd.api.types.is_bool_dtype(ids.dtype):
        keys = ids.to_numpy(dtype=np.int64)
    else:
        codes, uniques = pd.factorize(ids, sort=False)
        keys = codes.astype(np.int64)
    ts = df[datetime_col]
    if not pd.api.types.is_datetime64_any_dtype(ts.dtype):
        ts = pd.to_datetime(ts, format=datetime_format)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    if ts.isna().any():
        raise ValueError(f"{datetime_col!r} is missing or not a date at row {_first_bad(ts.isna())}")
    ns = ts.to_numpy(dtype="datetime64[ns]").view(np.int64)
    amount = None
    if monetary_value_col is not None:
        amount = pd.to_numeric(df[monetary_value_col], errors="raise").to_numpy(dtype=np.float64)
    r = _core.clv_summary(keys, ns, "ns", amount, str(freq), float(freq_multiplier),
                          _to_micros(observation_period_end, datetime_format, "observation_period_end"),
                          _to_micros(calibration_period_end, datetime_format, "calibration_period_end"),
                          bool(include_first_transaction))
    index = pd.Index(r["customer"] if uniques is None else uniques.take(r["customer"]), name=customer_id_col)
    split = r["has_holdout"]
    suffix = "_cal" if split else ""
    cols = {"frequency" + suffix: r["frequency"], "recency" + suffix: r["recency"], "T" + suffix: r["T"]}
    if amount is not None:
        cols["monetary_value" + suffix] = r["monetary"]
    if split:
        cols["frequency_holdout"] = r["frequency_holdout"]
        if amount is not None:
            cols["monetary_value_holdout"] = r["monetary_holdout"]
        cols["duration_holdout"] = np.full(len(index), r["duration_holdout"])
    out = pd.DataFrame(cols, index=index)
    if uniques is not None:
        try:
            out = out.sort_index()
        except TypeError:  # keys of mixed types: first-appearance order
            pass
    out.attrs.update({k: r[k] for k in ("rows", "rows_used", "rows_after_end", "rows_holdout_only")})
    return out


def calibration_and_holdout_data(transactions, customer_id_col, datetime_col, calibration_period_end,
                                 observation_period_end=None, freq="D", freq_multiplier=1, datetime_format=None,
                                 monetary_value_col=None, include_first_transaction=False):
    """lifetimes' name for ``summary_from_transactions`` with a calibration split (default freq "D").

    Example: ``calibration_and_holdout_data(tx, "id", "date", "1997-09-30", "1998-06-30", freq="W")``
    """
    return summary_from_transactions(transactions, customer_id_col, datetime_col, monetary_value_col, freq,
                                     observation_period_end, calibration_period_end, freq_multiplier,
                                     include_first_transaction, datetime_format)


def _column(values):
    return None if values is None else np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))


def _broadcast(*values):
    """Broadcasts the arguments; returns flat float arrays, the shape, and a Series index to reuse."""
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in values])
    shape = arrays[0].shape
    index = next((v.index for v in values if isinstance(v, pd.Series) and v.shape == shape), None)
    return [np.ascontiguousarray(a.reshape(-1)) for a in arrays], shape, index


def _shaped(flat, shape, index):
    if shape == ():
        return float(flat[0])
    out = np.asarray(flat).reshape(shape)
    return pd.Series(out, index=index) if index is not None else out


class _Fitter:
    _kind = ""
    _names = ()

    def __init__(self, penalizer_coef=0.0, initial_params=None, max_iter=500):
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params
        self.max_iter = max_iter

    def get_params(self, deep=True):
        return {"penalizer_coef": self.penalizer_coef, "initial_params": self.initial_params, "max_iter": self.max_iter}

    def _options(self):
        init = self.initial_params
        if isinstance(init, dict):
            init = [init[k] for k in self._names]
        if init is not None:
            init = np.atleast_2d(np.asarray(init, dtype=np.float64)).tolist()
        return {"penalizer_coef": float(self.penalizer_coef), "initial": init, "max_iterations": int(self.max_iter)}

    def _run_fit(self, frequency=None, recency=None, T=None, monetary=None, weights=None):
        r = _core.clv_fit(self._kind, _column(frequency), _column(recency), _column(T), _column(monetary),
                          _column(weights), self._options())
        names = r["names"]
        self.params_ = pd.Series(r["params"], index=names, dtype=float)
        self.standard_errors_ = pd.Series(r["se"], index=names, dtype=float)
        self.variance_matrix_ = pd.DataFrame(r["covariance"], index=names, columns=names)
        self.log_likelihood_ = float(r["log_likelihood"])
        self.converged_ = bool(r["converged"])
        self.message_ = r["message"]
        self.n_iter_ = int(r["iterations"])
        self.gradient_norm_ = float(r["gradient_norm"])
        self.start_log_likelihoods_ = np.asarray(r["start_log_likelihoods"])
        self.n_customers_ = float(r["customers"])
        self.fit_seconds_ = float(r["seconds"])
        self.warnings_ = list(r["warnings"])
        for w in self.warnings_:
            warnings.warn(w, ConvergenceWarning if "converge" in w else RuntimeWarning, stacklevel=3)
        return self

    @property
    def summary(self):
        """coef, se(coef) and the Wald 95% bounds of each parameter (lifetimes' columns).

        Example: ``BetaGeo().fit(s["frequency"], s["recency"], s["T"]).summary``
        """
        self._check_fitted()
        se = self.standard_errors_
        return pd.DataFrame({"coef": self.params_, "se(coef)": se, "lower 95% bound": self.params_ - 1.96 * se,
                             "upper 95% bound": self.params_ + 1.96 * se})

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit(...) first")

    def _params(self):
        self._check_fitted()
        return [float(self.params_[k]) for k in self._names]

    def __repr__(self):
        if not hasattr(self, "params_"):
            return f"<cdpcore.clv.{type(self).__name__}: not fitted>"
        ps = ", ".join(f"{k}: {v:.2f}" for k, v in self.params_.items())
        return f"<cdpcore.clv.{type(self).__name__}: fitted with {self.n_customers_:.0f} customers, {ps}>"

    def _repr_html_(self):
        if not hasattr(self, "params_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        state = "converged" if self.converged_ else "NOT converged"
        return (f"<p>{html.escape(type(self).__name__)}: log-likelihood {self.log_likelihood_:.4f}, {state} "
                f"({self.n_iter_} iterations)</p>" + self.summary.to_html(float_format=lambda v: f"{v:.6g}"))


def _frame_columns(frame, names):
    for cols in (names, [c + "_cal" for c in names]):
        if all(c in frame.columns for c in cols):
            return [frame[c] for c in cols]
    raise ValueError(f"the DataFrame needs columns {names} (or their _cal versions)")


class _TransactionModel(_Fitter):
    """Shared predictions of the purchase-count models (time t in the units of recency and T)."""

    def fit(self, frequency, recency=None, T=None, weights=None):
        """Fits by maximum likelihood; returns self. Takes arrays, or one summary DataFrame.

        Example: ``BetaGeo().fit(summary["frequency"], summary["recency"], summary["T"]).params_``
        """
        if isinstance(frequency, pd.DataFrame) and recency is None:
            frame = frequency
            frequency, recency, T = _frame_columns(frame, ["frequency", "recency", "T"])
            if weights is None and "weights" in frame.columns:
                weights = frame["weights"]
        self._run_fit(frequency, recency, T, None, weights)
        self.data_ = pd.DataFrame({"frequency": np.asarray(frequency, dtype=float),
                                   "recency": np.asarray(recency, dtype=float), "T": np.asarray(T, dtype=float)})
        return self

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """E[purchases in the next t | frequency, recency, T] for each customer.

        Example: ``bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)  # 1.226``
        """
        params = self._params()
        (tt, f, r, age), shape, index = _broadcast(t, frequency, recency, T)
        out = np.empty(tt.size)
        for u in np.unique(tt):
            sel = slice(None) if tt.size and (tt == u).all() else tt == u
            out[sel] = _core.clv_conditional_expected(self._kind, params, float(u), f[sel], r[sel], age[sel])
        return _shaped(out, shape, index)

    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, t):
        """E[X(t)]: repeat purchases in (0, t] of a new customer.

        Example: ``bgf.expected_number_of_purchases_up_to_time([1, 39, 78])``
        """
        (tt,), shape, index = _broadcast(t)
        return _shaped(_core.clv_expected(self._kind, self._params(), tt), shape, index)

    def conditional_probability_alive(self, frequency, recency, T):
        """P(the customer is still active at T | frequency, recency, T).

        Example: ``bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])``
        """
        return self._alive(frequency, recency, T, 0.0)

    def _alive(self, frequency, recency, T, future):
        (f, r, age), shape, index = _broadcast(frequency, recency, T)
        return _shaped(_core.clv_alive(self._kind, self._params(), f, r, age, float(future)), shape, index)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n) for a new customer.

        Example: ``bgf.probability_of_n_purchases_up_to_time(39, 0)  # 0.5738 on CDNOW``
        """
        return _core.clv_probability_n(self._kind, self._params(), float(t), int(n))

    def log_likelihood(self, frequency, recency, T):
        """Log-likelihood of each customer's history under the fitted parameters.

        Example: ``bgf.log_likelihood(summary["frequency"], summary["recency"], summary["T"]).sum()``
        """
        (f, r, age), shape, index = _broadcast(frequency, recency, T)
        return _shaped(_core.clv_loglik(self._kind, self._params(), f, r, age, None), shape, index)

    def _possible(self, freq, rec):
        """Histories the model admits (NaN cells in the matrices otherwise)."""
        return freq <= rec if self._kind == "bgbb" else (freq > 0) | (rec == 0)

    def _grid(self, max_frequency, max_recency):
        self._check_fitted()
        if max_frequency is None:
            max_frequency = int(self.data_["frequency"].max())
        if max_recency is None:
            max_recency = int(self.data_["T"].max())
        rec, freq = np.meshgrid(np.arange(max_recency + 1), np.arange(max_frequency + 1), indexing="ij")
        return freq, rec, max_recency

    def conditional_expected_number_of_purchases_matrix(self, t=1, max_frequency=None, max_recency=None):
        """Matrix [recency, frequency] of expected purchases in the next t for customers of age max_recency.

        Example: ``bgf.conditional_expected_number_of_purchases_matrix(t=1).shape  # (T_max + 1, x_max + 1)``
        """
        freq, rec, age = self._grid(max_frequency, max_recency)
        ok = self._possible(freq, rec)
        z = np.full(freq.shape, np.nan)
        z[ok] = self.conditional_expected_number_of_purchases_up_to_time(t, freq[ok], rec[ok], age)
        return z

    def conditional_probability_alive_matrix(self, max_frequency=None, max_recency=None):
        """Matrix [recency, frequency] of P(alive) for customers of age max_recency.

        Example: ``bgf.conditional_probability_alive_matrix()[30, 2]``
        """
        freq, rec, age = self._grid(max_frequency, max_recency)
        ok = self._possible(freq, rec)
        z = np.full(freq.shape, np.nan)
        z[ok] = self._alive(freq[ok], rec[ok], np.full(ok.sum(), age), 0.0)
        return z

    def plot_frequency_recency_matrix(self, T=1, max_frequency=None, max_recency=None, ax=None, **kwargs):
        """Heat map of expected purchases in the next T by historical frequency and recency; returns the Axes.

        Example: ``bgf.plot_frequency_recency_matrix(T=4)``
        """
        z = self.conditional_expected_number_of_purchases_matrix(T, max_frequency, max_recency)
        return _heatmap(z, f"Expected number of future purchases for {T} unit{'s' if T != 1 else ''} of time,\n"
                        "by frequency and recency of a customer", ax, **kwargs)

    def plot_probability_alive_matrix(self, max_frequency=None, max_recency=None, ax=None, **kwargs):
        """Heat map of P(alive) by historical frequency and recency; returns the Axes.

        Example: ``bgf.plot_probability_alive_matrix()``
        """
        z = self.conditional_probability_alive_matrix(max_frequency, max_recency)
        return _heatmap(z, "Probability customer is alive,\nby frequency and recency of a customer", ax, **kwargs)

    def plot_calibration_purchases_vs_holdout_purchases(self, calibration_holdout_matrix, kind="frequency_cal", n=7,
                                                        ax=None, **kwargs):
        """Mean holdout purchases, actual vs predicted, grouped by ``kind`` (a calibration column or
        "time_since_last_purchase"); returns the Axes.

        Example: ``bgf.fit(ch["frequency_cal"], ch["recency_cal"], ch["T_cal"]).plot_calibration_purchases_vs_holdout_purchases(ch)``
        """
        s = calibration_holdout_matrix.copy()
        s["model_predictions"] = self.conditional_expected_number_of_purchases_up_to_time(
            s["duration_holdout"], s["frequency_cal"], s["recency_cal"], s["T_cal"])
        if kind == "time_since_last_purchase":
            s[kind] = s["T_cal"] - s["recency_cal"]
        means = s.groupby(kind)[["frequency_holdout", "model_predictions"]].mean().iloc[:n]
        ax = means.plot(ax=ax, **kwargs)
        ax.set_title("Actual purchases in holdout period vs predicted purchases")
        ax.set_xlabel(kind.replace("_", " "))
        ax.set_ylabel("average of purchases in holdout period")
        return ax


def _heatmap(z, title, ax=None, **kwargs):
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(z, aspect="auto", origin="upper", **kwargs)
    ax.figure.colorbar(image, ax=ax)
    ax.set_title(title)
    ax.set_xlabel("Customer's historical frequency")
    ax.set_ylabel("Customer's recency")
    return ax


class BetaGeo(_TransactionModel):
    """BG/NBD (Fader, Hardie & Lee 2005), lifetimes' ``BetaGeoFitter``: parameters r, alpha, a, b.

    Example: ``BetaGeo().fit(s["frequency"], s["recency"], s["T"]).params_  # CDNOW: 0.2426, 4.4135, 0.7929, 2.4258``
    """
    _kind, _names = "bgnbd", ("r", "alpha", "a", "b")


class ParetoNBD(_TransactionModel):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987), lifetimes' ``ParetoNBDFitter``: r, alpha, s, beta.

    Example: ``ParetoNBD().fit(s["frequency"], s["recency"], s["T"]).conditional_probability_alive(26, 30.86, 31)``
    """
    _kind, _names = "pareto_nbd", ("r", "alpha", "s", "beta")


class BetaGeoBeta(_TransactionModel):
    """BG/BB (Fader, Hardie & Shang 2010) for discrete opportunities, lifetimes'
    ``BetaGeoBetaBinomFitter``: alpha, beta, gamma, delta; rows may be aggregated with weights.

    Example: ``BetaGeoBeta().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"]).params_``
    """
    _kind, _names = "bgbb", ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency, recency=None, n_periods=None, weights=None):
        """Fits on (frequency, recency, n_periods[, weights]); returns self.

        Example: ``BetaGeoBeta().fit(donations["frequency"], donations["recency"], donations["periods"], donations["weights"])``
        """
        if isinstance(frequency, pd.DataFrame) and recency is None:
            frame = frequency
            frequency, recency = frame["frequency"], frame["recency"]
            n_periods = frame["n_periods"] if "n_periods" in frame.columns else frame["periods"]
            weights = frame["weights"] if weights is None and "weights" in frame.columns else weights
        return super().fit(frequency, recency, n_periods, weights)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future | history).

        Example: ``bgbb.conditional_probability_alive(0, 3, 4, 6)``
        """
        return self._alive(frequency, recency, n_periods, m_periods_in_future)

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """Expected number of customers with x = 0..n transactions in the first n opportunities
        (model column, as lifetimes), from P(X(n) = x) times the fitted customer count.

        Example: ``bgbb.expected_number_of_transactions_in_first_n_periods(6)``
        """
        probs = [self.probability_of_n_purchases_up_to_time(n, x) for x in range(int(n) + 1)]
        return pd.DataFrame({"model": np.asarray(probs) * self.n_customers_},
                            index=pd.Index(range(int(n) + 1), name="frequency"))


class GammaGamma(_Fitter):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; note 025), lifetimes' ``GammaGammaFitter``:
    p, q, v. Fit on customers with frequency > 0.

    Example: ``GammaGamma().fit(rep["frequency"], rep["monetary_value"]).conditional_expected_average_profit(2, 22.35)``
    """
    _kind, _names = "gamma_gamma", ("p", "q", "v")

    def fit(self, frequency, monetary_value=None, weights=None):
        """Fits on repeat customers' frequency and mean spend; returns self.

        Example: ``GammaGamma().fit(s.loc[s.frequency > 0, "frequency"], s.loc[s.frequency > 0, "monetary_value"])``
        """
        if isinstance(frequency, pd.DataFrame) and monetary_value is None:
            frequency, monetary_value = _frame_columns(frequency, ["frequency", "monetary_value"])
        self._run_fit(frequency, None, None, monetary_value, weights)
        self.data_ = pd.DataFrame({"frequency": np.asarray(frequency, dtype=float),
                                   "monetary_value": np.asarray(monetary_value, dtype=float)})
        return self

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """E[mean spend | frequency, mean spend]; customers with frequency 0 get the population mean.

        Example: ``ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])``
        """
        if frequency is None:
            frequency, monetary_value = self.data_["frequency"], self.data_["monetary_value"]
        (f, m), shape, index = _broadcast(frequency, monetary_value)
        return _shaped(_core.clv_expected_profit(self._params(), f, m), shape, index)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T, monetary_value, time=12,
                                discount_rate=0.01, freq="W"):
        """Discounted CLV over ``time`` months: sum over months of expected purchases in the month
        (BetaGeo or ParetoNBD, time unit ``freq``) times E[spend], divided by (1 + discount_rate)^month.

        Example: ``ggf.customer_lifetime_value(bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12)``
        """
        if not isinstance(transaction_prediction_model, (BetaGeo, ParetoNBD)):
            raise ValueError("transaction_prediction_model must be a fitted BetaGeo or ParetoNBD")
        if freq not in _PERIODS_PER_MONTH:
            raise ValueError(f"freq must be one of {sorted(_PERIODS_PER_MONTH)}, got {freq!r}")
        (f, r, age, m), shape, index = _broadcast(frequency, recency, T, monetary_value)
        out = _core.clv_lifetime_value(transaction_prediction_model._kind, transaction_prediction_model._params(),
                                       self._params(), f, r, age, m, int(time), float(discount_rate),
                                       _PERIODS_PER_MONTH[freq])
        return _shaped(out, shape, index)


def plot_frequency_recency_matrix(model, T=1, max_frequency=None, max_recency=None, ax=None, **kwargs):
    """lifetimes.plotting's form of ``model.plot_frequency_recency_matrix``.

    Example: ``cdp.clv.plot_frequency_recency_matrix(bgf, T=4)``
    """
    return model.plot_frequency_recency_matrix(T, max_frequency, max_recency, ax=ax, **kwargs)


def plot_probability_alive_matrix(model, max_frequency=None, max_recency=None, ax=None, **kwargs):
    """lifetimes.plotting's form of ``model.plot_probability_alive_matrix``.

    Example: ``cdp.clv.plot_probability_alive_matrix(bgf)``
    """
    return model.plot_probability_alive_matrix(max_frequency, max_recency, ax=ax, **kwargs)


def plot_calibration_purchases_vs_holdout_purchases(model, calibration_holdout_matrix, kind="frequency_cal", n=7,
                                                    ax=None, **kwargs):
    """lifetimes.plotting's form of ``model.plot_calibration_purchases_vs_holdout_purchases``.

    Example: ``cdp.clv.plot_calibration_purchases_vs_holdout_purchases(bgf, cal_holdout)``
    """
    return model.plot_calibration_purchases_vs_holdout_purchases(calibration_holdout_matrix, kind, n, ax=ax, **kwargs)
