"""cdpcore.churn against scikit-learn 1.2 on the same inputs: logistic regression coefficients
(breast cancer data bundled with sklearn, and a synthetic set with known coefficients), ROC AUC
with ties, ROC curve, calibration_curve, Brier score, log loss, isotonic and Platt calibrators;
then the ChurnModel workflow and every refused input."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import calibration as skcal
from sklearn import linear_model, metrics
from sklearn.datasets import load_breast_cancer
from sklearn.isotonic import IsotonicRegression
from sklearn.preprocessing import StandardScaler

import cdpcore.churn as churn
from cdpcore.errors import InvalidArgumentError


def sk_logit(X, y, **kw):
    """The reference fit: sklearn 1.2's LogisticRegression(tol=1e-10, max_iter=10000) with its
    Newton solver "newton-cholesky" (new in 1.2). Its default "lbfgs" stops on scipy's relative
    function-change test (ftol = 64 eps) with a gradient near 3e-4 on these data, so it only
    agrees to ~1e-4 (checked separately below)."""
    kw.setdefault("solver", "newton-cholesky")
    kw.setdefault("tol", 1e-10)
    kw.setdefault("max_iter", 10000)
    return linear_model.LogisticRegression(**kw).fit(X, y)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(float), X


@pytest.fixture(scope="module")
def synthetic():
    # Known coefficients: y ~ Bernoulli(sigmoid(0.3 + X @ beta)), X standard normal with one
    # correlated pair, n = 5000.
    rng = np.random.default_rng(42)
    n = 5000
    X = rng.standard_normal((n, 4))
    X[:, 3] = 0.6 * X[:, 0] + 0.8 * X[:, 3]
    beta = np.array([1.0, -0.5, 0.25, 0.0])
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ beta)))).astype(float)
    return X, y, beta


@pytest.mark.parametrize("C", [1.0, 0.1, 10.0])
@pytest.mark.parametrize("solver", ["irls", "lbfgs"])
def test_breast_cancer_coefficients_match_sklearn(cancer, C, solver):
    Z, y, _ = cancer
    # expected: sklearn.linear_model.LogisticRegression(C, solver="newton-cholesky", tol=1e-10, max_iter=10000)
    ref = sk_logit(Z, y, C=C)
    m = churn.LogisticRegression(C=C, solver=solver, tol=1e-10, max_iter=10000).fit(Z, y)
    assert m.converged_
    tol = 1e-9 if solver == "irls" else 1e-6  # our L-BFGS stops on a relative gradient of 1e-10
    assert np.abs(m.coef_ - ref.coef_).max() <= tol
    assert abs(m.intercept_[0] - ref.intercept_[0]) <= tol
    np.testing.assert_allclose(m.predict_proba(Z), ref.predict_proba(Z), rtol=0, atol=tol)
    assert (m.predict(Z) == ref.predict(Z)).all()


def test_breast_cancer_against_sklearn_lbfgs_and_gradients(cancer):
    # sklearn's default lbfgs (tol=1e-10, max_iter=10000) stops early: agreement ~1e-4, and our
    # solution has the smaller gradient of the shared objective 0.5 ||w||^2 + C sum logloss.
    Z, y, _ = cancer

    def gradient(w, b, C):
        r = 1 / (1 + np.exp(-(Z @ w + b))) - y
        return np.abs(np.r_[w + C * (Z.T @ r), C * r.sum()]).max()

    for C in (1.0, 0.1, 10.0):
        ref = sk_logit(Z, y, C=C, solver="lbfgs")  # expected: sklearn lbfgs, same data
        m = churn.LogisticRegression(C=C).fit(Z, y)
        assert np.abs(m.coef_ - ref.coef_).max() < 1e-3
        assert gradient(m.coef_[0], m.intercept_[0], C) < 1e-12 < gradient(ref.coef_[0], ref.intercept_[0], C)


def test_synthetic_known_coefficients_match_sklearn_and_truth(synthetic):
    X, y, beta = synthetic
    ref = sk_logit(X, y, C=1.0)  # expected: sklearn, same data
    m = churn.LogisticRegression(C=1.0).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, atol=1e-7)
    # Unpenalized: sklearn's penalty=None (1.2); and the truth within 4 standard errors.
    free = churn.LogisticRegression(C=np.inf).fit(X, y)
    ref_free = sk_logit(X, y, penalty=None)
    np.testing.assert_allclose(free.coef_, ref_free.coef_, atol=1e-7)
    assert (np.abs(free.coef_[0] - beta) < 4 * free.standard_errors_).all()
    assert abs(free.intercept_[0] - 0.3) < 4 * free.intercept_standard_error_


def test_standard_errors_are_the_inverse_hessian(synthetic):
    # Expected: the textbook covariance (X1' W X1 + diag(l2, .., l2, 0))^-1, W = p(1 - p), by numpy.
    X, y, _ = synthetic
    for C in (np.inf, 0.5):
        m = churn.LogisticRegression(C=C).fit(X, y)
        X1 = np.column_stack([X, np.ones(len(X))])
        p = m.predict_proba(X)[:, 1]
        H = X1.T @ (X1 * (p * (1 - p))[:, None])
        H[np.arange(4), np.arange(4)] += 0 if np.isinf(C) else 1 / C
        cov = np.linalg.inv(H)
        np.testing.assert_allclose(m.covariance_, cov, rtol=1e-9)
        np.testing.assert_allclose(m.standard_errors_, np.sqrt(np.diag(cov))[:4], rtol=1e-9)
        # log-likelihood: minus sklearn's log_loss times n (unnormalized).
        assert m.log_likelihood_ == pytest.approx(-metrics.log_loss(y, p, normalize=False), rel=1e-12)


def test_standardize_equals_a_scaler_pipeline(cancer):
    _, y, X = cancer
    scaler = StandardScaler().fit(X)
    ref = sk_logit(scaler.transform(X), y, C=0.5)  # expected: Pipeline(StandardScaler, LogisticRegression(C=0.5))
    m = churn.LogisticRegression(C=0.5, standardize=True).fit(X, y)
    np.testing.assert_allclose(m.coef_per_sd_, ref.coef_[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(m.coef_[0], ref.coef_[0] / scaler.scale_, rtol=1e-8)
    assert m.intercept_[0] == pytest.approx(ref.intercept_[0] - (ref.coef_[0] * scaler.mean_ / scaler.scale_).sum(), abs=1e-8)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(scaler.transform(X)), atol=1e-8)


def test_sample_weight_and_no_intercept_match_sklearn(synthetic):
    X, y, _ = synthetic
    w = np.random.default_rng(3).uniform(0.2, 3.0, len(y))
    ref = sk_logit(X, y, C=0.3)
    ref.fit(X, y, sample_weight=w)  # expected: sklearn with the same sample_weight
    m = churn.LogisticRegression(C=0.3).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, atol=1e-7)
    ref0 = sk_logit(X, y, C=2.0, fit_intercept=False)  # expected: sklearn fit_intercept=False
    m0 = churn.LogisticRegression(C=2.0, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(m0.coef_, ref0.coef_, atol=1e-7)
    assert m0.intercept_[0] == 0.0


def test_dataframe_input_keeps_feature_names(synthetic):
    X, y, _ = synthetic
    df = pd.DataFrame(X, columns=["orders", "days_since", "sessions", "spend"])
    m = churn.LogisticRegression().fit(df, pd.Series(y.astype(bool)))
    assert list(m.feature_names_in_) == ["orders", "days_since", "sessions", "spend"]
    # Columns are picked by name at predict time.
    shuffled = df[["spend", "orders", "sessions", "days_since"]]
    np.testing.assert_allclose(m.predict_proba(shuffled), m.predict_proba(X))
    assert list(m.summary.index) == ["orders", "days_since", "sessions", "spend", "intercept"]
    assert "converged" in m._repr_html_()


def test_roc_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(7)
    y = (rng.random(2000) < 0.3).astype(float)
    score = np.round(rng.random(2000) + 0.3 * y, 1)  # rounding to 0.1: many ties
    assert churn.roc_auc(y, score) == pytest.approx(metrics.roc_auc_score(y, score), abs=1e-14)  # expected: sklearn
    assert churn.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75  # sklearn's docstring example
    fpr, tpr, thr = churn.roc_curve(y, score)
    sk_fpr, sk_tpr, sk_thr = metrics.roc_curve(y, score, drop_intermediate=False)  # expected: sklearn
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thr[1:], sk_thr[1:])  # sklearn 1.2 starts at max + 1, we at +inf
    assert np.isinf(thr[0])


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_table_matches_calibration_curve_brier_log_loss(strategy):
    rng = np.random.default_rng(11)
    p = rng.beta(2, 5, 3000)
    p[:20] = np.round(p[:20], 1)  # some on bin edges
    y = (rng.random(3000) < p).astype(float)
    t = churn.calibration_table(y, p, bins=10, strategy=strategy)
    prob_true, prob_pred = skcal.calibration_curve(y, p, n_bins=10, strategy=strategy)  # expected: sklearn
    np.testing.assert_allclose(t["observed_rate"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(t["mean_predicted"], prob_pred, rtol=1e-12)
    assert t["count"].sum() == 3000
    assert t.attrs["brier"] == pytest.approx(metrics.brier_score_loss(y, p), rel=1e-12)  # expected: sklearn
    assert t.attrs["log_loss"] == pytest.approx(metrics.log_loss(y, p), rel=1e-12)  # expected: sklearn


def test_isotonic_and_platt_calibrators_match_sklearn():
    rng = np.random.default_rng(5)
    score = np.round(rng.normal(size=800), 2)  # ties merge as sklearn's _make_unique does
    y = (rng.random(800) < 1 / (1 + np.exp(-2 * score))).astype(float)
    from cdpcore import _core
    c = _core.churn_fit_calibrator(score, y, "isotonic")
    grid = np.linspace(-4, 4, 301)
    ref = IsotonicRegression(out_of_bounds="clip").fit(score, y)  # expected: sklearn
    out = _core.churn_apply_calibrator(c["method"], c["a"], c["b"], c["x"], c["y"], grid)
    np.testing.assert_allclose(out, ref.predict(grid), atol=1e-12)
    np.testing.assert_allclose(c["x"], ref.X_thresholds_)
    platt = _core.churn_fit_calibrator(score, y, "platt")
    A, B = skcal._sigmoid_calibration(score, y)  # expected: sklearn's Platt fit (P = expit(-(A f + B)))
    # sklearn stops BFGS at its default gtol 1e-5 (measured agreement ~1e-7).
    assert platt["a"] == pytest.approx(-A, abs=1e-5)
    assert platt["b"] == pytest.approx(-B, abs=1e-5)


@pytest.fixture(scope="module")
def profiles():
    rng = np.random.default_rng(0)
    n = 4000
    df = pd.DataFrame({
        "days_since_last": rng.exponential(30, n),
        "orders": rng.poisson(3, n).astype(np.int64),
        "sessions": rng.poisson(10, n).astype(float),
        "newsletter": rng.random(n) < 0.4,
    }, index=pd.Index([f"c{i}" for i in range(n)], name="customer"))
    eta = -1.0 + 0.04 * df["days_since_last"] - 0.3 * df["orders"] - 0.5 * df["newsletter"]
    df["churned"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


@pytest.mark.parametrize("calibrate", ["platt", "isotonic", None])
def test_churn_model_holdout_auc_drivers_calibration(profiles, calibrate):
    m = churn.ChurnModel(C=1.0, holdout=0.25, calibrate=calibrate, random_state=0).fit(profiles, "churned")
    assert m.n_holdout_ == 1000 and m.n_train_ == 3000
    # Holdout AUC equals sklearn's on the same holdout scores (expected: roc_auc_score).
    hold = profiles.loc[m.holdout_index_]
    score = m.model_.decision_function(hold.drop(columns="churned"))
    assert m.auc_ == pytest.approx(metrics.roc_auc_score(hold["churned"], score), abs=1e-14)
    assert 0.75 < m.auc_ < 0.95
    # Drivers sorted by |effect per SD|; the truth: days_since_last strongest, sessions ~0.
    assert list(m.drivers_.columns) == ["feature", "coef_per_sd", "odds_ratio", "std_err", "z", "p_value"]
    assert m.drivers_["feature"].iloc[0] == "days_since_last"
    assert m.drivers_["coef_per_sd"].abs().is_monotonic_decreasing
    np.testing.assert_allclose(m.drivers_["odds_ratio"], np.exp(m.drivers_["coef_per_sd"]))
    assert m.drivers_.set_index("feature").loc["sessions", "p_value"] > 0.001
    p = m.predict_proba(profiles.drop(columns="churned"))
    assert isinstance(p, pd.Series) and p.index.equals(profiles.index) and p.between(0, 1).all()
    assert m.calibration_["count"].sum() == 1000
    assert m.brier_ == pytest.approx(metrics.brier_score_loss(m.holdout_labels_, m.holdout_probabilities_))
    assert m.brier_ < 0.25
    assert "holdout_auc" in m._repr_html_()
    import matplotlib
    matplotlib.use("Agg")
    axes = m.plot()
    assert len(axes) == 2


def test_churn_model_same_seed_same_split_and_label_series_aligned(profiles):
    feats = profiles.drop(columns="churned")
    a = churn.ChurnModel(random_state=3).fit(feats, profiles["churned"])
    b = churn.ChurnModel(random_state=3).fit(feats, profiles["churned"].iloc[::-1])  # aligned by index
    assert a.holdout_index_.equals(b.holdout_index_)
    assert a.auc_ == b.auc_


def test_non_convergence_and_separation_warn():
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([0, 0, 1, 1])
    with pytest.warns(churn.ConvergenceWarning, match="separated"):
        m = churn.LogisticRegression(C=np.inf).fit(X, y)
    assert not m.converged_ and np.isfinite(m.coef_).all()
    with pytest.warns(churn.ConvergenceWarning, match="did not converge"):
        churn.LogisticRegression(max_iter=1).fit(np.random.default_rng(0).normal(size=(50, 2)), np.arange(50) % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert churn.LogisticRegression(C=1.0).fit(X, y).converged_  # the penalty keeps it finite: no warning


def test_bad_input_is_refused_with_the_reason(profiles):
    X = np.array([[0.0], [1.0], [2.0]])
    with pytest.raises(InvalidArgumentError, match="feature 0 at row 1 is NaN; features must be finite"):
        churn.LogisticRegression().fit(np.array([[0.0], [np.nan], [2.0]]), [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="feature 0 at row 2 is inf"):
        churn.LogisticRegression().fit(np.array([[0.0], [1.0], [np.inf]]), [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="label at row 1 is 2; labels must be 0 or 1"):
        churn.LogisticRegression().fit(X, [0, 2, 0])
    with pytest.raises(InvalidArgumentError, match="all labels are 1; logistic regression needs both classes"):
        churn.LogisticRegression().fit(X, [1, 1, 1])
    with pytest.raises(InvalidArgumentError, match="no rows"):
        churn.LogisticRegression().fit(np.empty((0, 2)), [])
    with pytest.raises(InvalidArgumentError, match="2 labels for 3 rows"):
        churn.LogisticRegression().fit(X, [0, 1])
    with pytest.raises(InvalidArgumentError, match="labels must be 0/1 or bool"):
        churn.LogisticRegression().fit(X, ["yes", "no", "yes"])
    with pytest.raises(InvalidArgumentError, match="C must be > 0"):
        churn.LogisticRegression(C=0).fit(X, [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="unknown solver 'sag'"):
        churn.LogisticRegression(solver="sag").fit(X, [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="sample_weight at row 0 is -1"):
        churn.LogisticRegression().fit(X, [0, 1, 0], sample_weight=[-1, 1, 1])
    m = churn.LogisticRegression().fit(X, [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="X has 2 features, the model was fitted with 1"):
        m.predict_proba(np.ones((2, 2)))
    with pytest.raises(InvalidArgumentError, match="not fitted yet"):
        churn.LogisticRegression().predict(X)
    df = profiles.assign(plan=["gold"] * len(profiles))
    with pytest.raises(InvalidArgumentError, match=r"column\(s\) \['plan'\] are not numeric; encode them first"):
        churn.ChurnModel().fit(df, "churned")
    holes = profiles.copy()
    holes.iloc[5, 0] = np.nan
    with pytest.raises(InvalidArgumentError, match="feature 'days_since_last' at row 5 \\(index 'c5'\\) is nan"):
        churn.ChurnModel().fit(holes, "churned")
    with pytest.raises(InvalidArgumentError, match="'gone' is not a column"):
        churn.ChurnModel().fit(profiles, "gone")
    with pytest.raises(InvalidArgumentError, match="calibrate must be 'platt', 'isotonic' or None"):
        churn.ChurnModel(calibrate="beta").fit(profiles, "churned")
    with pytest.raises(InvalidArgumentError, match="holdout fraction must be in \\(0, 1\\), got 1.5"):
        churn.ChurnModel(holdout=1.5).fit(profiles, "churned")
    with pytest.raises(InvalidArgumentError, match="class 1 has 1 row\\(s\\)"):
        churn.ChurnModel().fit(X, [0, 1, 0])
    with pytest.raises(InvalidArgumentError, match="roc_auc: all labels are 0"):
        churn.roc_auc([0, 0], [0.1, 0.2])
    with pytest.raises(InvalidArgumentError, match="roc_auc: score at row 1 is not finite"):
        churn.roc_auc([0, 1], [0.1, np.nan])
    with pytest.raises(InvalidArgumentError, match="roc_auc: 3 scores for 2 labels"):
        churn.roc_auc([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(InvalidArgumentError, match="probability at row 0 is 1.2; it must be in \\[0, 1\\]"):
        churn.calibration_table([1, 0], [1.2, 0.1])
