"""cdpcore.clv: the CLV anchors of ../shared/datasets/README.md through Python, lifetimes' documented
outputs, the transaction summary against an independent pandas recomputation, the fits against
scipy.optimize on the same likelihoods, and the refused inputs."""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

import cdpcore as cdp
from cdpcore import clv


@pytest.fixture(scope="module")
def cdnow(shared):
    s = pd.read_csv(shared / "datasets/cdnow/cdnow_customers_summary_with_transactions.csv", index_col=0)
    return s.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="module")
def cdnow_tx(shared):
    cols = ["master_id", "id", "date", "cds", "amount"]
    tx = pd.read_csv(shared / "datasets/cdnow/CDNOW_sample.txt", sep=r"\s+", header=None, names=cols)
    tx["date"] = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d")
    return tx


@pytest.fixture(scope="module")
def bgf(cdnow):
    return clv.BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


# --- Anchors ------------------------------------------------------------------------------------

def test_bgnbd_anchors(bgf, cdnow):
    # lifetimes docs/Quickstart.md bgf.summary (README anchors table) and LL -9582.4256 on this file.
    np.testing.assert_allclose(bgf.params_[["r", "alpha", "a", "b"]], [0.242593, 4.413532, 0.792886, 2.425752], rtol=2e-6)
    assert bgf.log_likelihood_ == pytest.approx(-9582.4256, abs=1e-4)
    assert bgf.converged_ and list(bgf.summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    # Hardie's sheet via lifetimes' test: E[Y(39)] = 1.226 (abs 0.001); README: 1.22591.
    assert bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86) == pytest.approx(1.22591, abs=1e-5)
    # lifetimes' test (decimal=3) against Hardie's sheet.
    t = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]
    np.testing.assert_allclose(bgf.expected_number_of_purchases_up_to_time(t),
                               [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], atol=1.5e-3)
    # lifetimes docs/Quickstart.md: the five best customers' expected purchases in the next week.
    nxt = bgf.predict(1, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(nxt.loc[[509, 841, 1981, 157, 1516]],
                               [0.424877, 0.474738, 0.486526, 0.662396, 0.710623], atol=1e-6)
    # R BTYD via lifetimes' test, params 0.243 / 4.414 / 0.793 / 2.426.
    given = clv.BetaGeo()
    given.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert given.probability_of_n_purchases_up_to_time(2, 10) == pytest.approx(1.07869e-07, rel=1e-5)
    assert given.probability_of_n_purchases_up_to_time(39, 0) == pytest.approx(0.5737864, abs=1e-7)
    # Hardie note 027 / pymc-marketing: a=.8, b=2.5, r=.25, alpha=4, T=40.
    given.params_ = pd.Series({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
    np.testing.assert_allclose(given.log_likelihood([0, 200], [0, 38], 40), [-0.59947382, 100.7957], atol=1e-6)


def test_pareto_nbd_anchors(cdnow):
    m = clv.ParetoNBD().fit(cdnow[["frequency", "recency", "T"]])
    # README: "here 0.553275/10.57761/0.606213/11.66791, LL -9594.9739".
    np.testing.assert_allclose(m.params_, [0.553275, 10.57761, 0.606213, 11.66791], rtol=1e-5)
    assert m.log_likelihood_ == pytest.approx(-9594.9739, abs=5e-4)
    # BTYD walkthrough via lifetimes' tests: E[Y(52)] 25.46 (abs 0.01), P(alive) 0.9979.
    assert m.conditional_expected_number_of_purchases_up_to_time(52, 26, 30.86, 31) == pytest.approx(25.46, abs=0.01)
    assert m.conditional_probability_alive(26, 30.86, 31) == pytest.approx(0.9979, abs=1e-4)


def test_gamma_gamma_and_clv_match_lifetimes_docs(bgf, cdnow):
    rep = cdnow[cdnow["frequency"] > 0]
    ggf = clv.GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    # README: "here -4055.923 at MLE 6.2488/3.7446/15.4477".
    np.testing.assert_allclose(ggf.params_, [6.2488, 3.7446, 15.4477], rtol=2e-5)
    assert ggf.log_likelihood_ == pytest.approx(-4055.923, abs=1e-3)
    em = ggf.conditional_expected_average_profit(cdnow["frequency"], cdnow["monetary_value"])
    # Hardie note 025 sheet (2 dp, lifetimes' test atol 0.1) and lifetimes docs/Quickstart.md (6 dp;
    # its optimizer stopped ~2e-5 from the MLE).
    np.testing.assert_allclose(em.head(10), [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17],
                               atol=0.01)
    np.testing.assert_allclose(em.head(10), [24.658619, 18.911489, 35.170981, 35.170981, 35.170981, 71.462843,
                                             18.911489, 35.170981, 27.282408, 35.170981], atol=5e-5)
    assert em.mean() == pytest.approx(35.2529588256, abs=5e-5)
    # lifetimes docs/Quickstart.md CLV (time=12, discount 0.01; those docs stepped 30 time units per
    # month, i.e. freq="D").
    value = ggf.customer_lifetime_value(bgf, cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"],
                                        time=12, discount_rate=0.01, freq="D")
    np.testing.assert_allclose(value.head(10), [140.096211, 18.943467, 38.180574, 38.180574, 38.180574, 1003.868107,
                                                28.109683, 38.180574, 167.418216, 38.180574], rtol=2e-6)
    assert isinstance(value, pd.Series) and value.index.equals(cdnow.index)


def test_bgbb_donations(shared):
    d = pd.read_csv(shared / "datasets/lifetimes_misc/donations.csv")
    m = clv.BetaGeoBeta().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    # lifetimes_misc README: FHS (2010) alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, LL -33,225.6.
    np.testing.assert_allclose(m.params_, [1.204, 0.750, 0.657, 2.783], atol=5e-4)
    assert m.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    table = m.expected_number_of_transactions_in_first_n_periods(6)
    assert table["model"].sum() == pytest.approx(11104)  # every donor has some count in 0..6
    assert m.conditional_probability_alive(0, 6, 6, 6) == pytest.approx(1.0)  # bought in the last period


def _bgnbd_nll(logp, x, tx, T):
    r, alpha, a, b = np.exp(logp)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx)
    return -np.sum(a1 + a2 + np.where(x > 0, np.logaddexp(a3, a4), a3))


def _bgbb_nll(logp, x, tx, n, w):
    al, be, ga, de = np.exp(logp)
    lab, lgd = special.betaln(al, be), special.betaln(ga, de)
    ll = special.betaln(al + x, be + n - x) - lab + special.betaln(ga, de + n) - lgd
    for i in range(int(n.max())):
        term = special.betaln(al + x, be + tx - x + i) - lab + special.betaln(ga + 1, de + tx + i) - lgd
        ll = np.where(i < n - tx, np.logaddexp(ll, term), ll)
    return -np.sum(w * ll)


def test_fits_match_scipy_on_the_same_likelihood(bgf, cdnow, shared):
    # scipy as a peer: the same BG/NBD likelihood written in numpy, minimized by Nelder-Mead then BFGS.
    args = (cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy())
    nm = optimize.minimize(_bgnbd_nll, np.zeros(4), args=args, method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000})
    peer = optimize.minimize(_bgnbd_nll, nm.x, args=args, method="BFGS", options={"gtol": 1e-8})
    np.testing.assert_allclose(bgf.params_, np.exp(peer.x), rtol=1e-4)
    assert -peer.fun == pytest.approx(bgf.log_likelihood_, abs=1e-6)
    # Standard errors: inverse Hessian of the peer likelihood (finite differences) in natural scale.
    d = pd.read_csv(shared / "datasets/lifetimes_misc/donations.csv")
    bgbb = clv.BetaGeoBeta().fit(d)
    dargs = tuple(d[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    peer = optimize.minimize(_bgbb_nll, np.zeros(4), args=dargs, method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000})
    np.testing.assert_allclose(bgbb.params_, np.exp(peer.x), rtol=1e-4)
    assert -peer.fun == pytest.approx(bgbb.log_likelihood_, abs=1e-5)


def test_hypergeometric_predictions_match_scipy_hyp2f1(bgf, cdnow):
    # scipy.special.hyp2f1 as the peer for the series (lifetimes' formulas written with it).
    r, alpha, a, b = bgf.params_[["r", "alpha", "a", "b"]]
    t = np.array([0.5, 39.0, 78.0, 520.0])
    peer = (a + b - 1) / (a - 1) * (1 - special.hyp2f1(r, b, a + b - 1, t / (alpha + t)) * (alpha / (alpha + t)) ** r)
    np.testing.assert_allclose(bgf.expected_number_of_purchases_up_to_time(t), peer, rtol=1e-10)
    x, tx, T = cdnow["frequency"].to_numpy(), cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()
    z = 52.0 / (alpha + T + 52.0)
    num = (a + b + x - 1) / (a - 1) * (1 - special.hyp2f1(r + x, b + x, a + b + x - 1, z) * ((alpha + T) / (alpha + T + 52)) ** (r + x))
    den = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    np.testing.assert_allclose(bgf.predict(52, x, tx, T), num / den, rtol=1e-8)
    # Pareto/NBD per-customer log-likelihood (lifetimes' _conditional_log_likelihood) at given parameters.
    pn = clv.ParetoNBD()
    for params in ([0.55, 10.6, 0.61, 11.7], [0.55, 14.0, 0.61, 3.2]):
        pn.params_ = pd.Series(dict(zip(["r", "alpha", "s", "beta"], params)))
        pr, pa, ps, pb = params
        big, t2 = (pb, pr + x) if pa < pb else (pa, ps + 1)
        m = pr + ps + x
        a0 = (special.hyp2f1(m, t2, m + 1, abs(pa - pb) / (big + tx)) / (big + tx) ** m
              - special.hyp2f1(m, t2, m + 1, abs(pa - pb) / (big + T)) / (big + T) ** m)
        ll = (special.gammaln(pr + x) - special.gammaln(pr) + pr * np.log(pa) + ps * np.log(pb)
              + np.log((pa + T) ** -(pr + x) * (pb + T) ** -ps + ps / m * a0))
        np.testing.assert_allclose(pn.log_likelihood(x, tx, T), ll, rtol=1e-9)


# --- Summary from transactions ---------------------------------------------------------------------

def _pandas_summary(tx, freq, mult, cal_end, obs_end):
    """lifetimes' rules recomputed with plain pandas groupby (independent of the native kernel)."""
    unit = np.timedelta64(1, freq)
    t = tx.assign(period=tx["date"].dt.to_period(freq))
    cal = t[t["date"] <= cal_end]
    per = cal.groupby(["id", "period"])["amount"].sum().reset_index().sort_values(["id", "period"])
    g = per.groupby("id")
    start = g["period"].min().dt.start_time
    out = pd.DataFrame({"frequency_cal": g.size().astype(float) - 1,
                        "recency_cal": (g["period"].max().dt.start_time - start) / unit / mult,
                        "T_cal": (pd.Period(cal_end, freq).start_time - start) / unit / mult})
    repeat = per[per.groupby("id").cumcount() > 0].groupby("id")["amount"].mean()
    out["monetary_value_cal"] = repeat.reindex(out.index).fillna(0.0)
    hold = t[(t["date"] > cal_end) & (t["date"] <= obs_end)]
    out["frequency_holdout"] = hold.groupby("id")["period"].nunique().reindex(out.index).fillna(0).astype(float)
    out["monetary_value_holdout"] = hold.groupby("id")["amount"].mean().reindex(out.index).fillna(0.0)
    out["duration_holdout"] = (pd.Period(obs_end, freq) - pd.Period(cal_end, freq)).n / mult
    return out


@pytest.mark.parametrize("freq,mult", [("D", 7), ("W", 1), ("D", 1)])
def test_summary_matches_pandas_recomputation(cdnow_tx, freq, mult):
    cal, end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    shuffled = cdnow_tx.sample(frac=1.0, random_state=0)  # the native sort, not the file order
    got = clv.summary_from_transactions(shuffled, "id", "date", "amount", freq=freq, freq_multiplier=mult,
                                        calibration_period_end=cal, observation_period_end=end)
    want = _pandas_summary(cdnow_tx, freq, mult, cal, end)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_names=False, rtol=1e-12)
    assert got.attrs["rows_used"] + got.attrs["rows_after_end"] + got.attrs["rows_holdout_only"] == len(cdnow_tx)


def test_summary_reproduces_published_files(cdnow_tx, cdnow, shared):
    # CDNOW_sample in weeks measured in days -> the published calibration summary (2-dp file).
    s = clv.summary_from_transactions(cdnow_tx, "id", "date", "amount", freq="D", freq_multiplier=7,
                                      calibration_period_end="1997-09-30", observation_period_end="1998-06-30")
    np.testing.assert_array_equal(s["frequency_cal"], cdnow["frequency"])
    for mine, theirs in (("recency_cal", "recency"), ("T_cal", "T"), ("monetary_value_cal", "monetary_value")):
        np.testing.assert_allclose(s[mine], cdnow[theirs], atol=0.005 + 1e-9)
    # README zero-class row: the 1,411 x = 0 customers made 334 holdout customer-days (193 buyers).
    zero = s[s["frequency_cal"] == 0]
    assert (len(zero), zero["frequency_holdout"].sum(), (zero["frequency_holdout"] > 0).sum()) == (1411, 334, 193)
    assert s["frequency_holdout"].sum() == 1882
    # lifetimes docs/Quickstart.md on example_transactions.csv (daily; obs end 2014-12-31).
    ex = pd.read_csv(shared / "datasets/lifetimes_misc/example_transactions.csv", parse_dates=["date"])
    summ = clv.summary_from_transactions(ex, "id", "date", freq="D", observation_period_end="2014-12-31")
    np.testing.assert_array_equal(summ.head(5).to_numpy(), [[0, 0, 298], [0, 0, 224], [6, 142, 292], [0, 0, 147],
                                                            [2, 9, 183]])
    ch = clv.calibration_and_holdout_data(ex, "id", "date", calibration_period_end="2014-09-01",
                                          observation_period_end="2014-12-31")
    np.testing.assert_array_equal(ch.head(5).to_numpy(), [[0, 0, 177, 0, 121], [0, 0, 103, 0, 121],
                                                          [6, 142, 171, 0, 121], [0, 0, 26, 0, 121], [2, 9, 62, 0, 121]])
    # lifetimes docs: BG/NBD on that summary gives a 1.85, alpha 1.86, b 3.18, r 0.16.
    m = clv.BetaGeo().fit(summ)
    np.testing.assert_allclose(m.params_[["a", "alpha", "b", "r"]], [1.85, 1.86, 3.18, 0.16], atol=0.005)


def test_summary_string_keys_and_timezones():
    tx = pd.DataFrame({"cust": ["b", "a", "b", "b"],
                       "ts": pd.to_datetime(["2024-01-01 23:30", "2024-01-02", "2024-01-02 00:10", "2024-01-09"]),
                       "amount": [1.0, 2.0, 3.0, 4.0]})
    s = clv.summary_from_transactions(tx, "cust", "ts", "amount", freq="D", observation_period_end="2024-01-10")
    assert list(s.index) == ["a", "b"]
    assert s.loc["b"].tolist() == [2.0, 8.0, 9.0, 3.5]  # days Jan 1, 2, 9; repeat totals 3 and 4
    local = tx.assign(ts=tx["ts"].dt.tz_localize("Europe/Rome"))  # wall times, as pandas' to_period
    pd.testing.assert_frame_equal(clv.summary_from_transactions(local, "cust", "ts", "amount", freq="D",
                                                                observation_period_end="2024-01-10"), s)


# --- Bad input, warnings, plots -----------------------------------------------------------------------

def test_bad_input_is_refused_with_the_reason(cdnow):
    with pytest.raises(cdp.InvalidArgumentError, match=r"recency \(5\) is larger than T \(4\) at row 0"):
        clv.BetaGeo().fit([1], [5], [4])
    with pytest.raises(ValueError, match="frequency at row 1 is negative"):
        clv.ParetoNBD().fit([0, -1], [0, 0], [3, 3])
    with pytest.raises(ValueError, match="frequency has 2 values but recency has 1"):
        clv.BetaGeo().fit([0, 1], [0], [3, 3])
    with pytest.raises(ValueError, match="no customers"):
        clv.BetaGeo().fit([], [], [])
    with pytest.raises(ValueError, match="not fitted yet"):
        clv.BetaGeo().expected_number_of_purchases_up_to_time(1)
    with pytest.warns(clv.ConvergenceWarning, match="did not converge"):
        m = clv.BetaGeo(max_iter=2).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert not m.converged_
    tx = pd.DataFrame({"id": [1, 2], "date": pd.to_datetime(["2024-01-01", None]), "v": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'date' is missing or not a date at row 1"):
        clv.summary_from_transactions(tx, "id", "date")
    with pytest.raises(ValueError, match="'nope' is not a column"):
        clv.summary_from_transactions(tx, "nope", "date")
    with pytest.raises(ValueError, match="calibration_end .* must be before observation_end"):
        clv.summary_from_transactions(tx.dropna(), "id", "date", calibration_period_end="2025-01-01")


def test_plots_return_axes(bgf, cdnow_tx):
    import matplotlib
    matplotlib.use("Agg")
    assert bgf.plot_frequency_recency_matrix(T=1).get_title().startswith("Expected number")
    assert clv.plot_probability_alive_matrix(bgf).get_ylabel() == "Customer's recency"
    ch = clv.summary_from_transactions(cdnow_tx, "id", "date", freq="D", freq_multiplier=7,
                                       calibration_period_end="1997-09-30", observation_period_end="1998-06-30")
    ax = clv.plot_calibration_purchases_vs_holdout_purchases(bgf, ch, n=5)
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    assert set(lines) == {"frequency_holdout", "model_predictions"} and len(lines["model_predictions"]) == 5
    assert "log-likelihood" in bgf._repr_html_()
