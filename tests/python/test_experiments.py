"""cdpcore.experiments against scipy.stats on the same inputs: the distribution functions, the
two-proportion z-test (statsmodels' pooled formula computed with scipy.stats.norm), Welch's t-test
(scipy.stats.ttest_ind(equal_var=False)), the beta-binomial comparison (scipy.integrate.quad of
scipy.stats.beta, and Evan Miller's closed form), SRM (scipy.stats.chisquare), sample sizes (the
textbook formula), Holm / Benjamini-Hochberg (short independent references and the published BH
1995 example), the assignment hash (an independent pure-Python implementation), the readout, and
every refused input."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from cdpcore import _core
from cdpcore import experiments as ex
from cdpcore.errors import InvalidArgumentError

RNG = np.random.default_rng(20240607)


def special_fn(name, x, a=0.0, b=0.0):
    return _core._exp_special(name, np.ascontiguousarray(np.asarray(x, dtype=np.float64)), float(a), float(b))


# --- Distribution functions -------------------------------------------------------------------

def test_normal_functions_match_scipy():
    x = np.concatenate([-np.logspace(-3, np.log10(37.5), 60), np.logspace(-3, np.log10(37.5), 60)])  # > 1e-300
    np.testing.assert_allclose(special_fn("norm_cdf", x), stats.norm.cdf(x), rtol=1e-12)  # scipy.stats.norm (erfc)
    np.testing.assert_allclose(special_fn("norm_sf", x), stats.norm.sf(x), rtol=1e-12)
    p = np.concatenate([10.0 ** -np.arange(1, 301, 7), np.linspace(0.01, 0.99, 99), 1 - 10.0 ** -np.arange(1, 16)])
    np.testing.assert_allclose(special_fn("norm_ppf", p), stats.norm.ppf(p), rtol=1e-14)


@pytest.mark.parametrize("df", [1, 2.5, 10, 57.3, 1000, 1e5])
def test_student_t_matches_scipy(df):
    t = np.concatenate([-np.logspace(-3, 3, 40), np.logspace(-3, 3, 40)])
    ref = stats.t.sf(t, df)  # scipy.stats.t (cephes stdtr), good to ~1e-14 here
    ok = ref > 1e-300
    np.testing.assert_allclose(special_fn("t_sf", t, df)[ok], ref[ok], rtol=1e-11)
    np.testing.assert_allclose(special_fn("t_two_sided", t, df)[ok], np.minimum(1, 2 * stats.t.sf(np.abs(t), df))[ok],
                               rtol=1e-11)
    # scipy 1.10's t.isf (cephes stdtri) is good to ~3e-9 only; the mpmath check below shows ours is
    # good to ~1e-12 on the same points.
    q = np.array([0.49, 0.3, 0.1, 0.05, 0.025, 0.005, 1e-4, 1e-8])
    np.testing.assert_allclose(special_fn("t_isf", q, df), stats.t.isf(q, df), rtol=5e-9)


def test_student_t_quantile_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    for df in (1, 2.5, 10, 57.3, 65.11213361536137, 1000):
        for q in (0.49, 0.3, 0.1, 0.025, 0.005, 1e-4, 1e-8):
            t = special_fn("t_isf", [q], df)[0]
            exact = mp.betainc(df / 2, 0.5, 0, df / (df + mp.mpf(t) ** 2), regularized=True) / 2  # P(T > t)
            assert float(exact) == pytest.approx(q, rel=1e-11)


@pytest.mark.parametrize("a,b", [(0.5, 0.5), (1, 1), (2, 30), (31, 970), (1000.5, 9000.5), (12000, 3)])
def test_beta_functions_match_scipy(a, b):
    m, sd = a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    x = np.clip(np.concatenate([np.linspace(0.001, 0.999, 41), m + sd * np.linspace(-6, 6, 25)]), 1e-9, 1 - 1e-9)
    np.testing.assert_allclose(special_fn("beta_cdf", x, a, b), stats.beta.cdf(x, a, b), rtol=1e-10, atol=1e-300)
    sf = stats.beta.sf(x, a, b)
    ok = sf > 1e-200  # beyond, scipy 1.10 drifts (0.6% at 1e-265 for (31, 970); see the mpmath test)
    np.testing.assert_allclose(special_fn("beta_sf", x, a, b)[ok], sf[ok], rtol=1e-10)
    np.testing.assert_allclose(special_fn("beta_logpdf", x, a, b), stats.beta.logpdf(x, a, b), rtol=1e-9, atol=1e-12)
    q = np.array([1e-6, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-6])
    np.testing.assert_allclose(special_fn("beta_ppf", q, a, b), stats.beta.ppf(q, a, b), rtol=1e-11)


def test_beta_far_tail_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 400  # the complement 1 - I needs the digits
    for x in (0.52495, 0.5499):
        exact = mp.betainc(31, 970, mp.mpf(x), 1, regularized=True)  # ~1e-265, ~1e-287
        assert special_fn("beta_sf", [x], 31, 970)[0] == pytest.approx(float(exact), rel=1e-11)


def test_beta_large_parameters_more_precise_than_scipy():
    # scipy 1.10's beta at a = 1e6 goes through cephes' lbeta, ~1e-8 relative off (mpmath shows it);
    # against scipy the agreement is therefore ~1e-7, against mpmath ~1e-12.
    a, b = 1_000_001.0, 9_000_000.0
    m, sd = a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    x = m + sd * np.array([-5, -1, 0, 1, 5])
    np.testing.assert_allclose(special_fn("beta_cdf", x, a, b), stats.beta.cdf(x, a, b), rtol=1e-6)
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    for xi, got in zip(x, special_fn("beta_logpdf", x, a, b)):
        X = mp.mpf(xi)
        exact = (a - 1) * mp.log(X) + (b - 1) * mp.log(1 - X) - mp.log(mp.beta(a, b))
        assert got == pytest.approx(float(exact), rel=1e-12, abs=1e-11)


def test_chi_square_survival_matches_scipy():
    x = np.logspace(-3, 3.2, 50)
    for k in (1, 2, 3, 7, 40):
        ref = stats.chi2.sf(x, k)
        ok = ref > 1e-300
        np.testing.assert_allclose(special_fn("chi2_sf", x, k)[ok], ref[ok], rtol=1e-12)


# --- Two-proportion z-test --------------------------------------------------------------------

def ztest_reference(sc, nc, st, nt, alternative="two-sided", alpha=0.05):
    """statsmodels.stats.proportion.proportions_ztest (pooled, value 0) written with scipy.stats.norm,
    plus the unpooled Wald interval (statsmodels' confint_proportions_2indep(method="wald"))."""
    pc, pt = sc / nc, st / nt
    p = (sc + st) / (nc + nt)
    z = (pt - pc) / math.sqrt(p * (1 - p) * (1 / nc + 1 / nt))
    pval = {"two-sided": 2 * stats.norm.sf(abs(z)), "larger": stats.norm.sf(z), "smaller": stats.norm.cdf(z)}[alternative]
    se = math.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt)
    crit = stats.norm.ppf(1 - alpha / 2) if alternative == "two-sided" else stats.norm.ppf(1 - alpha)
    lo = -math.inf if alternative == "smaller" else pt - pc - crit * se
    hi = math.inf if alternative == "larger" else pt - pc + crit * se
    return z, pval, lo, hi


@pytest.mark.parametrize("sc,nc,st,nt", [(100, 1000, 130, 1000), (1, 20, 5, 37), (4800, 50000, 5100, 50000),
                                         (120000, 1000000, 121500, 1000000)])
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_proportions_ztest_matches_statsmodels_formula(sc, nc, st, nt, alternative):
    r = ex.proportions_ztest((sc, st), (nc, nt), alternative=alternative, alpha=0.1)
    z, p, lo, hi = ztest_reference(sc, nc, st, nt, alternative, 0.1)
    assert r.statistic == pytest.approx(z, rel=1e-13)
    assert r.p_value == pytest.approx(p, rel=1e-12)
    assert r.ci_low == pytest.approx(lo, rel=1e-12)
    assert r.ci_high == pytest.approx(hi, rel=1e-12)
    # Lift interval: delta method on p_t / p_c (hand formula).
    pc, pt = sc / nc, st / nt
    se = math.sqrt(pt * (1 - pt) / nt / pc ** 2 + pt ** 2 * pc * (1 - pc) / nc / pc ** 4)
    crit = stats.norm.ppf(0.95) if alternative == "two-sided" else stats.norm.ppf(0.9)
    if alternative != "smaller":
        assert r.lift_ci_low == pytest.approx(pt / pc - 1 - crit * se, rel=1e-11)


def test_proportions_ztest_unpooled_and_tiny_p():
    r = ex.proportions_ztest((100, 130), (1000, 1000), pooled=False)
    se = math.sqrt(0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000)  # unpooled z by hand
    assert r.statistic == pytest.approx(0.03 / se, rel=1e-13)
    # p near 1e-300: z ~ 37; scipy.stats.norm.sf keeps its relative precision there too.
    r = ex.proportions_ztest((100_000, 116_000), (1_000_000, 1_000_000))
    z, p, _, _ = ztest_reference(100_000, 1_000_000, 116_000, 1_000_000)
    assert 0 < p < 1e-280
    assert r.p_value == pytest.approx(p, rel=1e-12)


def test_proportions_ztest_degenerate_counts_are_defined():
    zero = ex.proportions_ztest((0, 0), (500, 400))
    assert (zero.statistic, zero.p_value, zero.diff) == (0.0, 1.0, 0.0)
    assert math.isnan(zero.relative_lift)  # documented: the control rate is 0
    full = ex.proportions_ztest((500, 400), (500, 400))
    assert (full.statistic, full.p_value) == (0.0, 1.0)
    split = ex.proportions_ztest((0, 30), (30, 30))  # pooled variance 0.25: finite z
    assert math.isfinite(split.statistic) and split.p_value < 1e-10


# --- Welch's t-test -------------------------------------------------------------------------

def welch_df(a, b):
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    return (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))  # Welch-Satterthwaite


@pytest.mark.parametrize("alternative,scipy_alt", [("two-sided", "two-sided"), ("larger", "greater"),
                                                   ("smaller", "less")])
@pytest.mark.parametrize("nc,nt,shift", [(12, 9, 0.8), (500, 700, 0.05), (3, 2, 1.0), (20000, 20000, 0.01)])
def test_welch_matches_scipy_ttest_ind(alternative, scipy_alt, nc, nt, shift):
    control = RNG.gamma(2.0, 10.0, nc)
    treatment = RNG.gamma(2.0, 10.0, nt) * (1 + shift)
    ref = stats.ttest_ind(treatment, control, equal_var=False, alternative=scipy_alt)
    r = ex.welch_ttest(control, treatment, alternative=alternative, alpha=0.05)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-11)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    df = welch_df(treatment, control)
    assert r.df == pytest.approx(getattr(ref, "df", df), rel=1e-11)
    # Interval: diff -/+ t_{1-a/2, df} se, scipy.stats.t.ppf (itself good to ~1e-10).
    se = math.sqrt(np.var(control, ddof=1) / nc + np.var(treatment, ddof=1) / nt)
    diff = treatment.mean() - control.mean()
    if alternative == "two-sided":
        assert r.ci_high == pytest.approx(diff + stats.t.ppf(0.975, df) * se, rel=1e-9)
    elif alternative == "larger":
        assert r.ci_low == pytest.approx(diff - stats.t.ppf(0.95, df) * se, rel=1e-9) and r.ci_high == math.inf


def test_welch_from_summary_stats_matches_scipy():
    ref = stats.ttest_ind_from_stats(11, 3, 40, 10, 2, 50, equal_var=False)  # scipy
    r = ex.welch_ttest(mean=(10, 11), std=(2, 3), nobs=(50, 40))
    assert (r.statistic, r.p_value) == (pytest.approx(ref.statistic, rel=1e-13), pytest.approx(ref.pvalue, rel=1e-12))
    assert r.pvalue == r.p_value  # scipy's attribute name works too
    # p near 1e-300 (t = 37 with df ~ 2e5): scipy.stats.t.sf on the same t and df.
    big = ex.welch_ttest(mean=(0, 0.165), std=(1, 1), nobs=(100_000, 100_000))
    assert 0 < big.p_value < 1e-290
    assert big.p_value == pytest.approx(2 * stats.t.sf(big.statistic, big.df), rel=1e-11)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's own warning on constant samples
def test_welch_zero_variance_is_defined():
    same = ex.welch_ttest([5.0, 5.0, 5.0], [5.0, 5.0])
    assert (same.statistic, same.p_value) == (0.0, 1.0)
    differ = ex.welch_ttest([1.0, 1.0, 1.0], [2.0, 2.0, 2.0])
    ref = stats.ttest_ind([2.0, 2.0, 2.0], [1.0, 1.0, 1.0], equal_var=False)  # scipy: inf, 0.0
    assert differ.statistic == ref.statistic == math.inf and differ.p_value == ref.pvalue == 0.0
    assert differ.df == 4  # documented: n_c + n_t - 2


# --- Bayesian beta-binomial -----------------------------------------------------------------

def quad_reference(ac, bc, at, bt):
    """P(T > C), E[max(C - T, 0)], E[max(T - C, 0)] by scipy.integrate.quad of scipy.stats.beta."""
    c, t = stats.beta(ac, bc), stats.beta(at, bt)
    sd = max(c.std(), t.std())
    lo, hi = max(0.0, min(c.mean(), t.mean()) - 40 * sd), min(1.0, max(c.mean(), t.mean()) + 40 * sd)
    kw = dict(epsabs=0, epsrel=1e-12, limit=1000, points=sorted({c.mean(), t.mean()}))
    p = integrate.quad(lambda x: c.pdf(x) * t.sf(x), lo, hi, **kw)[0]
    loss_t = integrate.quad(lambda x: t.cdf(x) * c.sf(x), lo, hi, **kw)[0]
    loss_c = integrate.quad(lambda x: c.cdf(x) * t.sf(x), lo, hi, **kw)[0]
    return p, loss_t, loss_c


def miller_prob(ac, bc, at, bt):
    """Evan Miller's closed form of P(T > C) for integer at (sum of at terms)."""
    return sum(math.exp(special.betaln(ac + i, bc + bt) - math.log(bt + i) - special.betaln(1 + i, bt)
                        - special.betaln(ac, bc)) for i in range(int(at)))


@pytest.mark.parametrize("sc,nc,st,nt", [(100, 1000, 130, 1000), (3, 40, 7, 38), (0, 50, 2, 50), (20, 20, 19, 20),
                                         (480, 5000, 455, 5000)])
def test_beta_binomial_matches_quadrature_and_closed_form(sc, nc, st, nt):
    r = ex.beta_binomial((sc, st), (nc, nt))
    ac, bc, at, bt = 1 + sc, 1 + nc - sc, 1 + st, 1 + nt - st
    p, loss_t, loss_c = quad_reference(ac, bc, at, bt)
    assert r.prob_beat_control == pytest.approx(p, rel=1e-9, abs=1e-15)
    assert r.prob_beat_control == pytest.approx(miller_prob(ac, bc, at, bt), rel=1e-9, abs=1e-15)
    assert r.expected_loss == pytest.approx(loss_t, rel=1e-8, abs=1e-15)
    assert r.expected_loss_control == pytest.approx(loss_c, rel=1e-8, abs=1e-15)
    # E[max(c - t, 0)] - E[max(t - c, 0)] = E[c] - E[t] (hand).
    assert r.expected_loss - r.expected_loss_control == pytest.approx(ac / (ac + bc) - at / (at + bt), abs=1e-13)
    np.testing.assert_allclose(r.ci_control, stats.beta.ppf([0.025, 0.975], ac, bc), rtol=1e-11)
    np.testing.assert_allclose(r.ci_treatment, stats.beta.ppf([0.025, 0.975], at, bt), rtol=1e-11)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's beta.pdf is infinite at 0 for alpha < 1
@pytest.mark.parametrize("control,treatment", [((0.5, 0.5), (0.5, 0.5)), ((0.3, 0.7), (0.6, 0.2)),
                                               ((2.5, 40.2), (3.1, 35.7)), ((0.5, 1000), (0.5, 10))])
def test_compare_betas_non_integer_parameters(control, treatment):
    r = ex.compare_betas(control, treatment)
    p, loss_t, loss_c = quad_reference(*control, *treatment)  # scipy quad; end singularities for 0.5
    assert r.prob_beat_control == pytest.approx(p, rel=1e-7)
    assert r.expected_loss == pytest.approx(loss_t, rel=1e-7)
    assert r.expected_loss_control == pytest.approx(loss_c, rel=1e-7)


def test_compare_betas_identities_on_skewed_and_extreme_parameters():
    # Exact identities, whatever the parameters: E[max(c - t, 0)] - E[max(t - c, 0)] = E[c] - E[t],
    # and P = 1/2 for identical distributions. Parameters from 1e-3 (mass below 1e-300) to 1e9.
    rng = np.random.default_rng(11)
    cases = [((0.001, 10.001), (0.001, 10.001)), ((587.5, 0.015), (82.25, 0.00177)), ((0.01, 0.01), (0.01, 0.02)),
             ((1e-3, 5), (2, 1e-3))] + [tuple(map(tuple, 10 ** rng.uniform(-3, 9, (2, 2)))) for _ in range(15)]
    for c, t in cases:
        r = ex.compare_betas(c, t)
        mc, mt = c[0] / sum(c), t[0] / sum(t)
        assert 0 <= r.prob_beat_control <= 1 and r.expected_loss >= 0 and r.expected_loss_control >= 0
        assert r.expected_loss - r.expected_loss_control == pytest.approx(mc - mt, rel=1e-8, abs=1e-15)
        assert ex.compare_betas(c, c).prob_beat_control == pytest.approx(0.5, abs=1e-9)


def test_beta_binomial_large_counts_no_overflow():
    # A million trials per arm: scipy.stats.beta there is ~1e-7 relative (cephes lbeta), so the
    # quad reference is compared at 1e-5; the normal approximation of the difference at 1e-2.
    r = ex.beta_binomial((100_000, 101_000), (1_000_000, 1_000_000))
    ac, bc, at, bt = 100_001, 900_001, 101_001, 899_001
    p, loss_t, loss_c = quad_reference(ac, bc, at, bt)
    assert r.prob_beat_control == pytest.approx(p, rel=1e-5)
    assert r.expected_loss == pytest.approx(loss_t, rel=1e-5)
    assert r.expected_loss_control == pytest.approx(loss_c, rel=1e-5)
    mc, mt = ac / (ac + bc), at / (at + bt)
    s = math.sqrt(stats.beta.var(ac, bc) + stats.beta.var(at, bt))
    assert r.prob_beat_control == pytest.approx(stats.norm.cdf((mt - mc) / s), rel=1e-2)
    # A billion trials and rates near 1 (compared as 1 - p internally): still finite and symmetric.
    a = ex.beta_binomial((5, 7), (10 ** 9, 10 ** 9))
    b = ex.beta_binomial((10 ** 9 - 5, 10 ** 9 - 7), (10 ** 9, 10 ** 9))
    assert a.prob_beat_control == pytest.approx(1 - b.prob_beat_control, rel=1e-9)
    assert a.prob_beat_control == pytest.approx(miller_prob(6, 10 ** 9 - 4, 8, 10 ** 9 - 6), rel=1e-6)
    same = ex.beta_binomial((10 ** 8, 10 ** 8), (10 ** 9, 10 ** 9))
    assert same.prob_beat_control == pytest.approx(0.5, abs=1e-9)


# --- SRM, sample sizes, adjustments ---------------------------------------------------------

@pytest.mark.parametrize("counts,weights", [([5000, 5200], None), ([3300, 3350, 3210], None),
                                            ([9000, 1100], [0.9, 0.1]), ([40, 0, 35], [1, 1, 2])])
def test_srm_matches_scipy_chisquare(counts, weights):
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=float)
    expected = np.sum(counts) * w / w.sum()
    ref = stats.chisquare(counts, f_exp=expected)  # scipy
    r = ex.srm_test(counts, weights)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-13)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    assert r.df == len(counts) - 1 and r.mismatch == (ref.pvalue < 0.001)
    np.testing.assert_allclose(r.expected, expected, rtol=1e-14)


def test_srm_flags_a_broken_split():
    r = ex.srm_test([50_000, 48_500])
    assert r.mismatch and r.p_value == pytest.approx(stats.chisquare([50_000, 48_500]).pvalue, rel=1e-12)


def fleiss_n(p1, p2, alpha, power, r=1.0, two_sided=True):
    """Textbook sample size (Fleiss, Statistical Methods for Rates and Proportions, no continuity
    correction; for r = 1 the formula of the task)."""
    za = stats.norm.ppf(1 - alpha / 2) if two_sided else stats.norm.ppf(1 - alpha)
    zb = stats.norm.ppf(power)
    pbar = (p1 + r * p2) / (1 + r)
    return (za * math.sqrt(pbar * (1 - pbar) * (1 + 1 / r)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / r)) ** 2 \
        / (p2 - p1) ** 2


@pytest.mark.parametrize("p1,mde,alpha,power,ratio", [(0.10, 0.02, 0.05, 0.8, 1.0), (0.03, 0.005, 0.01, 0.9, 1.0),
                                                      (0.5, -0.1, 0.05, 0.8, 2.0), (0.2, 0.01, 0.1, 0.95, 0.5)])
def test_sample_size_proportions_textbook(p1, mde, alpha, power, ratio):
    r = ex.sample_size_proportions(p1, mde, alpha=alpha, power=power, ratio=ratio)
    n = fleiss_n(p1, p1 + mde, alpha, power, ratio)
    assert r.n_control_exact == pytest.approx(n, rel=1e-12)
    assert r.n_control == math.ceil(n) and r.n_treatment == math.ceil(ratio * n)
    assert r.total == r.n_control + r.n_treatment


def test_sample_size_known_values_and_options():
    assert ex.sample_size_proportions(0.10, 0.02).n_control == 3841  # classic 10% -> 12% at 80% power
    rel = ex.sample_size_proportions(0.10, 0.2, relative=True)
    assert rel.n_control == 3841 and rel.rate_treatment == pytest.approx(0.12)
    one = ex.sample_size_proportions(0.10, 0.02, alternative="larger")
    assert one.n_control_exact == pytest.approx(fleiss_n(0.1, 0.12, 0.05, 0.8, two_sided=False), rel=1e-12)
    m = ex.sample_size_means(std=10, mde=2)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert m.n_control_exact == pytest.approx(z ** 2 * 2 * 100 / 4, rel=1e-12) and m.n_control == 393
    m2 = ex.sample_size_means(std=10, mde=2, ratio=2, std_treatment=15)
    assert m2.n_control_exact == pytest.approx(z ** 2 * (100 + 225 / 2) / 4, rel=1e-12)


def ref_adjust(p, method):
    """Short independent references: Holm step-down, BH / BY step-up, Bonferroni."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    out = np.empty(m)
    if method == "bonferroni":
        return np.minimum(1, m * p)
    if method == "holm":
        running = 0.0
        for k, i in enumerate(order):
            running = max(running, min(1.0, (m - k) * p[i]))
            out[i] = running
        return out
    c = sum(1 / k for k in range(1, m + 1)) if method == "by" else 1.0
    running = 1.0
    for k in range(m - 1, -1, -1):
        i = order[k]
        running = min(running, c * m * p[i] / (k + 1))
        out[i] = running
    return out


@pytest.mark.parametrize("method", ["holm", "bh", "by", "bonferroni"])
def test_adjust_pvalues_match_reference(method):
    for size in (1, 2, 7, 50):
        p = RNG.uniform(0, 0.2, size) ** 2
        np.testing.assert_allclose(ex.adjust_pvalues(p, method), ref_adjust(p, method), rtol=1e-15)
    ties = np.array([0.01, 0.01, 0.04, 0.04, 0.5])
    np.testing.assert_allclose(ex.adjust_pvalues(ties, method), ref_adjust(ties, method), rtol=1e-15)


def test_adjust_pvalues_published_bh_example():
    # Benjamini & Hochberg (1995), section 4: 15 p-values; BH at q = 0.05 rejects the 4 smallest,
    # Bonferroni-type step-down (Holm) rejects 3.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.000]
    assert int((ex.adjust_pvalues(p, "bh") <= 0.05).sum()) == 4
    assert int((ex.adjust_pvalues(p, "holm") <= 0.05).sum()) == 3
    s = ex.adjust_pvalues(pd.Series(p, index=[f"m{i}" for i in range(15)]), "fdr_bh")
    assert list(s.index[:2]) == ["m0", "m1"]


# --- Assignment ---------------------------------------------------------------------------------

_M = (1 << 64) - 1


def _ref_hash(salt, experiment, unit):
    """The documented algorithm, independently: FNV-1a 64 then MurmurHash3 fmix64."""
    h = 0xcbf29ce484222325
    for byte in f"{salt}:{experiment}:{unit}".encode("utf-8"):
        h = ((h ^ byte) * 0x100000001b3) & _M
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & _M
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & _M
    return h ^ (h >> 33)


def _ref_assign(salt, experiment, unit, weights):
    u = (_ref_hash(salt, experiment, unit) >> 11) / 2.0 ** 53
    cum, c = [], 0.0
    for w in weights:
        c += w
        cum.append(c)
    return next((i for i, ci in enumerate(cum[:-1]) if u < ci / c), len(weights) - 1)


def test_reference_hash_is_fnv1a():
    def fnv(data):
        h = 0xcbf29ce484222325
        for byte in data:
            h = ((h ^ byte) * 0x100000001b3) & _M
        return h
    assert fnv(b"a") == 0xaf63dc4c8601ec8c and fnv(b"foobar") == 0x85944171f73967e8  # published FNV test vectors


def test_assignment_matches_independent_implementation():
    # Fixed expected values (also in tests/cpp/test_experiments.cpp).
    assert _core.exp_hash("s1", "checkout", "user-1") == _ref_hash("s1", "checkout", "user-1") == 0x1ac396dcffee6b3b
    units = [f"user-{i}" for i in range(1500)] + ["", "héllo", "日本", "a:b"]
    for weights in ([1, 1], [0.5, 0.3, 0.2], [0, 3, 0, 1], [1e-9, 1]):
        names = [f"v{i}" for i in range(len(weights))]
        got = ex.assign(units, "checkout", names, weights, salt="s1")
        want = [names[_ref_assign("s1", "checkout", u, weights)] for u in units]
        assert list(got) == want
    ints = np.arange(-500, 500)
    got = ex.assign(ints, "e", ["a", "b", "c"], [1, 2, 3], salt="z")
    assert list(got) == [["a", "b", "c"][_ref_assign("z", "e", int(i), [1, 2, 3])] for i in ints]
    np.testing.assert_array_equal(ex.bucket(["user-1", 7], "checkout", salt="s1"),
                                  [(_ref_hash("s1", "checkout", u) >> 11) / 2.0 ** 53 for u in ("user-1", "7")])


def test_assignment_is_sticky_and_follows_the_weights():
    units = pd.Series([f"p{i}" for i in range(100_000)], index=np.arange(100_000) * 3)
    a = ex.assign(units, "exp", ["control", "treatment"], [0.8, 0.2], salt="2024")
    assert a.index.equals(units.index) and a.name == "exp"
    b = ex.assign(units.iloc[::-1], "exp", ["control", "treatment"], [0.8, 0.2], salt="2024")
    assert (b.sort_index() == a).all()  # order and batch do not matter
    assert ex.assign("p17", "exp", ["control", "treatment"], [0.8, 0.2], salt="2024") == a.iloc[17]
    counts = a.value_counts()
    assert not ex.srm_test([counts["control"], counts["treatment"]], [0.8, 0.2]).mismatch
    # Ramp-up of the last variant only moves units into it.
    ramp = ex.assign(units, "exp", ["control", "treatment"], [0.6, 0.4], salt="2024")
    assert (ramp[a == "treatment"] == "treatment").all()
    # Another salt or experiment reshuffles independently.
    other = ex.assign(units, "exp2", ["control", "treatment"], [0.8, 0.2], salt="2024")
    assert abs((other[a == "treatment"] == "treatment").mean() - 0.2) < 0.02


def test_assignment_of_a_million_keys_is_native_and_balanced():
    units = np.arange(1_000_000, dtype=np.int64)
    got = ex.assign(units, "big", ["a", "b", "c"], [0.5, 0.25, 0.25], salt="s")  # one native call
    counts = pd.Series(got).value_counts().reindex(["a", "b", "c"]).to_numpy()
    assert not ex.srm_test(counts, [0.5, 0.25, 0.25]).mismatch
    assert list(got[:50]) == [["a", "b", "c"][_ref_assign("s", "big", i, [0.5, 0.25, 0.25])] for i in range(50)]


def test_assignment_refuses_bad_input():
    with pytest.raises(InvalidArgumentError, match="sum to 0"):
        ex.assign(["a"], "e", ["x", "y"], [0, 0])
    with pytest.raises(InvalidArgumentError, match="weight 1 must be finite and >= 0"):
        ex.assign(["a"], "e", ["x", "y"], [1, -1])
    with pytest.raises(InvalidArgumentError, match="2 variants but 3 weights"):
        ex.assign(["a"], "e", ["x", "y"], [1, 1, 1])
    with pytest.raises(InvalidArgumentError, match="index 1 is missing"):
        ex.assign(np.array(["a", None], dtype=object), "e")
    with pytest.raises(InvalidArgumentError, match="floats"):
        ex.assign(np.array([1.0, np.nan]), "e")


# --- Readout ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def experiment_data():
    n = 60_000
    df = pd.DataFrame({"user": np.arange(n)})
    df["variant"] = ex.assign(df["user"], "readout", ["control", "B", "C"], salt="t")
    rate = df["variant"].map({"control": 0.10, "B": 0.12, "C": 0.10}).to_numpy()
    df["converted"] = (RNG.random(n) < rate).astype(int)
    df["revenue"] = df["converted"] * RNG.gamma(2.0, 20.0, n)
    return df


def test_analyze_matches_the_individual_tests(experiment_data):
    df = experiment_data
    res = ex.analyze(df, revenue_col="revenue", correction="holm")
    t = res.table.set_index(["variant", "metric"])
    assert list(res.table["variant"]) == ["B", "B", "C", "C"] and res.control == "control"
    g = df.groupby("variant")
    conv, n = g["converted"].sum(), g.size()
    z, p, lo, hi = ztest_reference(conv["control"], n["control"], conv["B"], n["B"])
    assert t.loc[("B", "conversion"), "statistic"] == pytest.approx(z, rel=1e-12)
    assert t.loc[("B", "conversion"), "ci_low"] == pytest.approx(lo, rel=1e-11)
    w = stats.ttest_ind(df.loc[df.variant == "C", "revenue"], df.loc[df.variant == "control", "revenue"],
                        equal_var=False)
    assert t.loc[("C", "revenue"), "p_value"] == pytest.approx(w.pvalue, rel=1e-9)
    np.testing.assert_allclose(res.table["p_adjusted"], ref_adjust(res.table["p_value"], "holm"), rtol=1e-15)
    assert bool(t.loc[("B", "conversion"), "significant"]) and t.loc[("B", "conversion"), "prob_beat_control"] > 0.99
    assert math.isnan(t.loc[("B", "revenue"), "prob_beat_control"])
    assert not res.srm.mismatch and list(res.variants["variant"]) == ["control", "B", "C"]
    html = res._repr_html_()
    assert "Sample ratio as planned" in html and "prob_beat_control" in html


def test_analyze_summary_input_equals_unit_rows(experiment_data):
    df = experiment_data
    g = df.groupby("variant")
    summary = pd.DataFrame({"n": g.size(), "conversions": g["converted"].sum(), "revenue_mean": g["revenue"].mean(),
                            "revenue_std": g["revenue"].std(ddof=1)})
    a = ex.analyze(df, revenue_col="revenue", correction="bh", variants=["control", "B", "C"]).table
    b = ex.analyze(summary, revenue_col="revenue", correction="bh", variants=["control", "B", "C"]).table
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_analyze_flags_srm_and_plots(experiment_data):
    df = experiment_data
    skewed = pd.concat([df, df[df.variant == "B"].iloc[:2000]])  # duplicated B units: a broken split
    res = ex.analyze(skewed)
    assert res.srm.mismatch and "Sample-ratio mismatch" in res._repr_html_()
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = ex.analyze(df, revenue_col="revenue").plot()
    assert len(ax.get_yticklabels()) == 4


def test_analyze_refuses_bad_input(experiment_data):
    df = experiment_data.head(1000).copy()
    with pytest.raises(InvalidArgumentError, match="control 'X' is not a variant"):
        ex.analyze(df, control="X")
    bad = df.copy()
    bad.loc[bad.index[3], "converted"] = 2
    with pytest.raises(InvalidArgumentError, match="must be 0/1"):
        ex.analyze(bad)
    miss = df.copy()
    miss.loc[miss.index[5], "revenue"] = np.nan
    with pytest.raises(InvalidArgumentError, match="missing or not finite at row 5"):
        ex.analyze(miss, revenue_col="revenue")
    with pytest.raises(InvalidArgumentError, match="at least 2 variants"):
        ex.analyze(df[df.variant == "B"])
    with pytest.raises(InvalidArgumentError, match="correction"):
        ex.analyze(df, correction="sidak")


# --- Refused input --------------------------------------------------------------------------

@pytest.mark.parametrize("call,message", [
    (lambda: ex.proportions_ztest((11, 1), (10, 10)), r"control has more successes \(11\) than trials \(10\)"),
    (lambda: ex.proportions_ztest((-1, 1), (10, 10)), "negative count"),
    (lambda: ex.proportions_ztest((0, 1), (0, 10)), "0 trials"),
    (lambda: ex.proportions_ztest((1.5, 1), (10, 10)), "whole number"),
    (lambda: ex.proportions_ztest((1, 2, 3), (10, 10, 10)), "pair"),
    (lambda: ex.proportions_ztest((1, 1), (10, 10), alpha=0), r"alpha must be in \(0, 1\)"),
    (lambda: ex.proportions_ztest((1, 1), (10, 10), alternative="bigger"), "alternative must be"),
    (lambda: ex.welch_ttest([1.0], [1.0, 2.0]), "fewer than 2 samples"),
    (lambda: ex.welch_ttest([1.0, np.nan], [1.0, 2.0]), "not finite"),
    (lambda: ex.welch_ttest(mean=(1, 1), std=(-1, 1), nobs=(5, 5)), "std must be finite and >= 0"),
    (lambda: ex.welch_ttest([1.0, 2.0]), "both samples"),
    (lambda: ex.beta_binomial((5, 1), (4, 10)), "more successes"),
    (lambda: ex.beta_binomial((1, 1), (10, 10), prior=(0, 1)), "finite and > 0"),
    (lambda: ex.srm_test([10]), "at least 2 variants"),
    (lambda: ex.srm_test([10, -1]), "negative"),
    (lambda: ex.srm_test([0, 0]), "no units"),
    (lambda: ex.srm_test([10, 10], [1, 0]), "weight 1 must be finite and > 0"),
    (lambda: ex.srm_test([10, 10], [1, 1, 1]), "2 counts but 3 weights"),
    (lambda: ex.sample_size_proportions(0.95, 0.1), r"outside \(0, 1\)"),
    (lambda: ex.sample_size_proportions(0.1, 0), "mde must be finite and not 0"),
    (lambda: ex.sample_size_proportions(0.1, 0.01, power=1), "power"),
    (lambda: ex.sample_size_means(0, 1), "std must be finite and > 0"),
    (lambda: ex.adjust_pvalues([0.1, 1.5]), r"p-value 1 must be in \[0, 1\]"),
    (lambda: ex.adjust_pvalues([0.1, np.nan]), r"p-value 1 must be in \[0, 1\]"),
    (lambda: ex.adjust_pvalues([0.1], "sidak"), "adjustment must be"),
])
def test_bad_input_raises_clear_errors(call, message):
    with pytest.raises(InvalidArgumentError, match=message):
        call()


def test_workspace_experiment_exposure_conversion_window():
    import cdpcore as cdp
    t0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")
    d = pd.Timedelta
    rows = [  # (user, type, time, revenue)
        ("u1", "checkout", t0, None), ("u1", "purchase", t0 + d(days=2), 30.0), ("u1", "purchase", t0 + d(days=3), 5.0),
        ("u2", "checkout", t0, None), ("u2", "purchase", t0 + d(days=20), 40.0),   # after the 14-day window
        ("u3", "purchase", t0 - d(days=1), 10.0), ("u3", "checkout", t0, None),    # purchase before exposure
        ("u4", "page_view", t0, None),                                            # never exposed
    ]
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": ts, "revenue": r}
                       for i, (u, t, ts, r) in enumerate(rows)])
    ws = cdp.Workspace()
    ws.ingest(df, progress=False)
    e = ws.experiment("exp1", exposure="checkout", salt="s")
    u = e.units.set_index("key")
    assert sorted(u.index) == ["user_id:u1", "user_id:u2", "user_id:u3"]
    # Converted by hand: u1 (two purchases within 14 days, revenue 35); u2 and u3 not.
    assert u["converted"].to_dict() == {"user_id:u1": 1, "user_id:u2": 0, "user_id:u3": 0}
    assert u.loc["user_id:u1", "revenue"] == 35.0 and u.loc["user_id:u2", "revenue"] == 0.0
    # Sticky: the same variant as the hash assignment of the profile key.
    assert u["variant"].tolist() == list(ex.assign(list(u.index), "exp1", salt="s"))
    with pytest.raises(InvalidArgumentError, match="unknown exposure event type 'chekout'"):
        ws.experiment("exp1", exposure="chekout")
