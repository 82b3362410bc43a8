"""Churn propensity: penalized logistic regression, holdout AUC, calibrated probabilities, drivers.

``LogisticRegression`` mirrors ``sklearn.linear_model.LogisticRegression`` (binary, L2): the same
objective ``0.5 ||w||^2 + C * sum(sample_weight * logloss)`` with an unpenalized intercept, fitted
natively by Newton/IRLS (or L-BFGS), plus standard errors from the penalized Hessian.
``ChurnModel`` is the whole workflow on a numeric feature table: stratified train/holdout split,
a standardized fit, holdout ROC AUC, a calibrator (Platt or isotonic) fitted on the holdout, a
reliability table, Brier score and the drivers (log-odds change per standard deviation).

Feature tables must be numeric (int, float, bool); other columns raise ``InvalidArgumentError``
naming them (one-hot encode first, e.g. ``pd.get_dummies(df, columns=[...], dtype=float)``).
Labels are 0/1 or bool.

Example::

    import cdpcore.churn as churn
    m = churn.ChurnModel(C=1.0, calibrate="platt", random_state=0).fit(features, features.pop("churned"))
    m.auc_, m.brier_, m.drivers_.head()
    scores = m.predict_proba(features)
"""
import html
import warnings

import numpy as np
import pandas as pd

from . import _core
from .clv import ConvergenceWarning
from .errors import InvalidArgumentError

__all__ = ["LogisticRegression", "ChurnModel", "roc_auc", "roc_curve", "calibration_table", "ConvergenceWarning"]


def _numeric_matrix(X, who, names_in=None):
    """(float64 C-ordered matrix, column names or None) with clear errors for bad columns."""
    if isinstance(X, pd.DataFrame):
        if names_in is not None:
            missing = [c for c in names_in if c not in X.columns]
            if missing:
                raise InvalidArgumentError(f"{who}: X lacks the feature(s) {missing} the model was fitted with")
            X = X[list(names_in)]
        bad = [c for c in X.columns if not (pd.api.types.is_numeric_dtype(X[c].dtype) or pd.api.types.is_bool_dtype(X[c].dtype))]
        if bad:
            raise InvalidArgumentError(
                f"{who}: column(s) {bad} are not numeric; encode them first, e.g. "
                f"pd.get_dummies(X, columns={bad}, dtype=float)")
        names = [str(c) for c in X.columns]
        arr = np.ascontiguousarray(X.to_numpy(dtype=np.float64, na_value=np.nan))
        if arr.size and not np.isfinite(arr).all():
            row, col = np.argwhere(~np.isfinite(arr))[0]
            raise InvalidArgumentError(f"{who}: feature {names[col]!r} at row {row} (index {X.index[row]!r}) is "
                                       f"{arr[row, col]}; features must be finite (impute or drop missing values)")
        return arr, names
    try:
        arr = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"{who}: X must be numeric ({e})") from None
    if arr.ndim != 2:
        raise InvalidArgumentError(f"{who}: X must be 2-dimensional (n_samples, n_features), got shape {arr.shape}")
    return arr, None


def _labels(y, who, n=None):
    if isinstance(y, pd.Series) and y.dtype == object:
        y = y.to_numpy()
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{who}: labels must be 0/1 or bool, got values such as {np.asarray(y).ravel()[:3]!r}") from None
    arr = np.ascontiguousarray(arr.reshape(-1)) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{who}: labels must be 1-dimensional, got shape {arr.shape}")
    if n is not None and arr.size != n:
        raise InvalidArgumentError(f"{who}: {arr.size} labels for {n} rows")
    return np.ascontiguousarray(arr)


def _vector(v, who, name):
    arr = np.ascontiguousarray(np.asarray(v, dtype=np.float64))
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{who}: {name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def _seed(random_state):
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (1 << 63))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool) and random_state >= 0:
        return int(random_state)
    raise InvalidArgumentError(f"random_state must be an int >= 0 or None, got {random_state!r}")


def _l2(C, who):
    try:
        C = float(C)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{who}: C must be a number > 0, got {C!r}") from None
    if not C > 0:
        raise InvalidArgumentError(f"{who}: C must be > 0 (np.inf for no penalty), got {C}")
    return 0.0 if np.isinf(C) else 1.0 / C


def roc_auc(y_true, y_score):
    """Exact ROC AUC (Mann-Whitney; tied scores count 1/2), as ``sklearn.metrics.roc_auc_score``.

    Example: ``roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # 0.75``
    """
    return float(_core.churn_roc_auc(_vector(y_score, "roc_auc", "y_score"), _labels(y_true, "roc_auc")))


def roc_curve(y_true, y_score):
    """(fpr, tpr, thresholds) at every distinct score, thresholds descending from +inf (sklearn's
    ``roc_curve(drop_intermediate=False)``, whose first threshold is max + 1 in 1.2).

    Example: ``fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])``
    """
    r = _core.churn_roc_curve(_vector(y_score, "roc_curve", "y_score"), _labels(y_true, "roc_curve"))
    return np.asarray(r["fpr"]), np.asarray(r["tpr"]), np.asarray(r["thresholds"])


def calibration_table(y_true, y_prob, bins=10, strategy="uniform"):
    """Reliability table: one row per non-empty bin (``bin_lower``, ``bin_upper``, ``count``,
    ``mean_predicted``, ``observed_rate``), the bins of ``sklearn.calibration.calibration_curve``;
    ``attrs`` hold the whole-sample ``brier``, ``log_loss`` and expected calibration error ``ece``.

    Example: ``calibration_table(y, p, bins=10).attrs["brier"]``
    """
    r = _core.churn_calibration(_vector(y_prob, "calibration", "y_prob"), _labels(y_true, "calibration"), int(bins), str(strategy))
    df = pd.DataFrame({"bin_lower": r["bin_lower"], "bin_upper": r["bin_upper"], "count": np.asarray(r["count"], dtype=np.int64),
                       "mean_predicted": r["mean_predicted"], "observed_rate": r["observed_rate"]})
    df.attrs.update({"brier": float(r["brier"]), "log_loss": float(r["log_loss"]), "ece": float(r["ece"]), "rows": int(r["rows"])})
    return df


class LogisticRegression:
    """Binary logistic regression with an L2 penalty, scikit-learn's conventions: minimizes
    ``0.5 * ||w||^2 + C * sum(sample_weight * logloss)`` (intercept unpenalized; ``C=np.inf``: no
    penalty). ``standardize`` z-scores features first (the penalty then applies per standard
    deviation, as ``Pipeline(StandardScaler(), LogisticRegression())``); ``coef_`` is always on the
    original scale. Solver "irls" (Newton, default) or "lbfgs". Labels are 0/1 or bool. A fit that
    does not converge warns ``ConvergenceWarning`` and sets ``converged_ = False``.

    Example: ``LogisticRegression(C=1.0).fit(X, y).predict_proba(X)[:, 1]``
    """

    _params = ("C", "fit_intercept", "max_iter", "tol", "standardize", "solver")

    def __init__(self, C=1.0, fit_intercept=True, max_iter=100, tol=1e-8, standardize=False, solver="irls"):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.standardize = standardize
        self.solver = solver

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn's estimator protocol).

        Example: ``LogisticRegression(C=0.5).get_params()["C"]``
        """
        return {k: getattr(self, k) for k in self._params}

    def set_params(self, **params):
        """Sets constructor parameters; returns self.

        Example: ``LogisticRegression().set_params(C=0.1)``
        """
        for k, v in params.items():
            if k not in self._params:
                raise InvalidArgumentError(f"unknown parameter {k!r} of LogisticRegression")
            setattr(self, k, v)
        return self

    def fit(self, X, y, sample_weight=None):
        """Fits on X (DataFrame or 2-D array) and 0/1 labels y; returns self.

        Example: ``LogisticRegression(C=0.5, standardize=True).fit(df[["orders", "days_since"]], df["churned"])``
        """
        arr, names = _numeric_matrix(X, "LogisticRegression")
        labels = _labels(y, "LogisticRegression", arr.shape[0])
        sw = None if sample_weight is None else _vector(sample_weight, "LogisticRegression", "sample_weight")
        r = _core.logit_fit(arr, labels, sw, _l2(self.C, "LogisticRegression"), bool(self.fit_intercept),
                            bool(self.standardize), int(self.max_iter), float(self.tol), str(self.solver))
        self.feature_names_in_ = np.asarray(names, dtype=object) if names is not None else None
        self.n_features_in_ = arr.shape[1]
        self.classes_ = np.array([0, 1])
        self.coef_ = np.asarray(r["coef"]).reshape(1, -1)
        self.intercept_ = np.array([r["intercept"]])
        self.n_iter_ = np.array([r["n_iter"]], dtype=np.int32)
        self.converged_ = bool(r["converged"])
        self.message_ = r["message"]
        self.standard_errors_ = np.asarray(r["standard_errors"])
        self.intercept_standard_error_ = float(r["intercept_standard_error"])
        self.covariance_ = np.asarray(r["covariance"])
        self.log_likelihood_ = float(r["log_likelihood"])
        self.objective_ = float(r["objective"])
        self.mean_ = np.asarray(r["means"])
        self.scale_ = np.asarray(r["scales"])
        self.coef_per_sd_ = np.asarray(r["coef_per_sd"])
        self.warnings_ = list(r["warnings"])
        for w in self.warnings_:
            warnings.warn(w, ConvergenceWarning if ("converge" in w or "separated" in w) else RuntimeWarning, stacklevel=2)
        return self

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise InvalidArgumentError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) first")

    def _matrix(self, X):
        self._check_fitted()
        names = self.feature_names_in_ if isinstance(X, pd.DataFrame) else None
        arr, _ = _numeric_matrix(X, "LogisticRegression", names)
        if arr.shape[1] != self.n_features_in_:
            raise InvalidArgumentError(f"LogisticRegression: X has {arr.shape[1]} features, the model was fitted with "
                                       f"{self.n_features_in_}")
        return arr

    def decision_function(self, X):
        """Log-odds ``X @ coef_ + intercept_`` of each row.

        Example: ``LogisticRegression().fit(X, y).decision_function(X[:5])``
        """
        return np.asarray(_core.logit_decision(self._matrix(X), self.coef_[0], float(self.intercept_[0])))

    def predict_proba(self, X):
        """(n, 2) probabilities of class 0 and class 1, as scikit-learn.

        Example: ``LogisticRegression().fit(X, y).predict_proba(X)[:, 1]``
        """
        p1 = np.asarray(_core.logit_proba(self._matrix(X), self.coef_[0], float(self.intercept_[0])))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X):
        """0/1 label of each row (1 where the log-odds are > 0).

        Example: ``LogisticRegression().fit(X, y).predict(X)``
        """
        return (self.decision_function(X) > 0).astype(np.int64)

    def _names(self):
        if self.feature_names_in_ is not None:
            return [str(n) for n in self.feature_names_in_]
        return [f"x{i}" for i in range(self.n_features_in_)]

    @property
    def summary(self):
        """coef, standard error (penalized Hessian), Wald z, p-value and 95% bounds per term.

        Example: ``LogisticRegression(C=np.inf).fit(X, y).summary``
        """
        self._check_fitted()
        from math import erfc, sqrt
        coef = np.append(self.coef_[0], self.intercept_[0]) if self.fit_intercept else self.coef_[0]
        se = np.append(self.standard_errors_, self.intercept_standard_error_) if self.fit_intercept else self.standard_errors_
        with np.errstate(divide="ignore", invalid="ignore"):
            z = coef / se
        p = np.array([erfc(abs(v) / sqrt(2)) if np.isfinite(v) else np.nan for v in z])
        index = self._names() + (["intercept"] if self.fit_intercept else [])
        return pd.DataFrame({"coef": coef, "std err": se, "z": z, "p_value": p, "[0.025": coef - 1.959963984540054 * se,
                             "0.975]": coef + 1.959963984540054 * se}, index=index)

    def __repr__(self):
        return f"LogisticRegression(C={self.C}, standardize={self.standardize}, solver={self.solver!r})"

    def _repr_html_(self):
        if not hasattr(self, "coef_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        state = "converged" if self.converged_ else "NOT converged"
        return (f"<p>{html.escape(repr(self))}: log-likelihood {self.log_likelihood_:.4f}, {state} "
                f"({int(self.n_iter_[0])} iterations)</p>" + self.summary.to_html(float_format=lambda v: f"{v:.6g}"))


def _sigmoid(eta):
    out = np.empty_like(eta)
    pos = eta >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-eta[pos]))
    e = np.exp(eta[~pos])
    out[~pos] = e / (1.0 + e)
    return out


class ChurnModel:
    """Churn propensity from a numeric feature table: stratified train/holdout split
    (``holdout`` share, ``random_state``), a standardized L2 logistic regression on the train part
    (``C`` as scikit-learn), the holdout ROC AUC ``auc_``, a calibrator fitted on the holdout
    (``calibrate``: "platt", "isotonic" or None), and ``drivers_``: the log-odds change, odds ratio,
    Wald z and p-value per standard deviation of each feature, largest effect first.

    ``calibration_``, ``brier_`` and ``log_loss_`` describe the holdout probabilities the model will
    hand out, evaluated honestly: the holdout is halved (stratified) and each half is calibrated by a
    calibrator fitted on the other half; ``predict_proba`` then uses one fitted on the whole holdout.
    Non-numeric columns are an error (one-hot encode them first); bool columns count as 0/1.

    Example: ``ChurnModel(calibrate="isotonic", random_state=1).fit(df, "churned").drivers_.head()``
    """

    _params = ("C", "holdout", "calibrate", "random_state", "bins", "max_iter", "tol")

    def __init__(self, C=1.0, holdout=0.25, calibrate="platt", random_state=0, bins=10, max_iter=100, tol=1e-8):
        self.C = C
        self.holdout = holdout
        self.calibrate = calibrate
        self.random_state = random_state
        self.bins = bins
        self.max_iter = max_iter
        self.tol = tol

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn's estimator protocol).

        Example: ``ChurnModel(holdout=0.3).get_params()["holdout"]``
        """
        return {k: getattr(self, k) for k in self._params}

    def set_params(self, **params):
        """Sets constructor parameters; returns self.

        Example: ``ChurnModel().set_params(C=0.1)``
        """
        for k, v in params.items():
            if k not in self._params:
                raise InvalidArgumentError(f"unknown parameter {k!r} of ChurnModel")
            setattr(self, k, v)
        return self

    def _inputs(self, features, churned):
        if isinstance(churned, str) and isinstance(features, pd.DataFrame):
            if churned not in features.columns:
                raise InvalidArgumentError(f"ChurnModel: {churned!r} is not a column of the features")
            return features.drop(columns=[churned]), features[churned]
        if isinstance(churned, pd.Series) and isinstance(features, pd.DataFrame) and not churned.index.equals(features.index):
            if len(churned) == len(features) and churned.index.sort_values().equals(features.index.sort_values()) \
                    and features.index.is_unique:
                churned = churned.reindex(features.index)
            else:
                raise InvalidArgumentError("ChurnModel: the index of churned does not match the features' index")
        return features, churned

    def fit(self, features, churned):
        """Fits on ``features`` (numeric DataFrame or 2-D array) and 0/1 ``churned`` (array, Series
        aligned by index, or the name of a column of ``features``); returns self.

        Example: ``ChurnModel(holdout=0.3).fit(profiles[["orders", "days_since_last", "sessions"]], profiles["churned"])``
        """
        if self.calibrate not in ("platt", "isotonic", None):
            raise InvalidArgumentError(f"ChurnModel: calibrate must be 'platt', 'isotonic' or None, got {self.calibrate!r}")
        features, churned = self._inputs(features, churned)
        X, names = _numeric_matrix(features, "ChurnModel")
        y = _labels(churned, "ChurnModel", X.shape[0])
        seed = _seed(self.random_state)
        train, hold = _core.churn_split(y, float(self.holdout), seed)
        frame = pd.DataFrame(X, columns=names) if names is not None else X
        rows = (lambda idx: frame.iloc[idx]) if names is not None else (lambda idx: frame[idx])
        self.model_ = LogisticRegression(C=self.C, standardize=True, max_iter=self.max_iter, tol=self.tol)
        self.model_.fit(rows(train), y[train])
        self.feature_names_in_ = self.model_.feature_names_in_
        self.n_features_in_ = X.shape[1]
        score = self.model_.decision_function(rows(hold))
        y_hold = y[hold]
        self.auc_ = roc_auc(y_hold, score)
        self.train_auc_ = roc_auc(y[train], self.model_.decision_function(rows(train)))
        self.roc_ = roc_curve(y_hold, score)
        raw = _sigmoid(score)
        self.calibrator_ = None
        if self.calibrate is None:
            evaluated = raw
        else:
            try:
                a, b = _core.churn_split(y_hold, 0.5, seed + 1)
            except InvalidArgumentError as e:
                raise InvalidArgumentError(
                    f"ChurnModel: the holdout is too small to fit and evaluate a calibrator ({e}); use a larger "
                    f"holdout or calibrate=None") from None
            evaluated = np.empty_like(raw)
            for fit_on, apply_to in ((a, b), (b, a)):
                c = _core.churn_fit_calibrator(score[fit_on], y_hold[fit_on], self.calibrate)
                evaluated[apply_to] = _core.churn_apply_calibrator(c["method"], c["a"], c["b"], c["x"], c["y"], score[apply_to])
            self.calibrator_ = _core.churn_fit_calibrator(score, y_hold, self.calibrate)
        self.calibration_ = calibration_table(y_hold, evaluated, self.bins)
        self.brier_ = self.calibration_.attrs["brier"]
        self.log_loss_ = self.calibration_.attrs["log_loss"]
        self.brier_uncalibrated_ = calibration_table(y_hold, raw, self.bins).attrs["brier"]
        self.holdout_probabilities_ = evaluated
        self.holdout_labels_ = y_hold
        self.holdout_index_ = features.index[hold] if isinstance(features, pd.DataFrame) else hold
        self.n_train_, self.n_holdout_ = int(train.size), int(hold.size)
        self.churn_rate_ = float(y.mean())
        d = _core.churn_drivers(self.model_.coef_[0], self.model_.scale_, self.model_.standard_errors_,
                                self.model_._names(), 0)
        self.drivers_ = pd.DataFrame({"feature": d["feature"], "coef_per_sd": d["coef_per_sd"], "odds_ratio": d["odds_ratio"],
                                      "std_err": d["standard_error"], "z": d["z"], "p_value": d["p_value"]})
        return self

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise InvalidArgumentError("this ChurnModel is not fitted yet: call fit(features, churned) first")

    def predict_proba(self, features):
        """Calibrated churn probability of each row: a Series named "churn_probability" (indexed like
        a DataFrame input; columns picked by name, extra ones ignored) or an array.

        Example: ``ChurnModel().fit(train_df, "churned").predict_proba(current_df).nlargest(100)``
        """
        self._check_fitted()
        score = self.model_.decision_function(features)
        c = self.calibrator_
        prob = _sigmoid(score) if c is None else \
            np.asarray(_core.churn_apply_calibrator(c["method"], c["a"], c["b"], c["x"], c["y"], score))
        if isinstance(features, pd.DataFrame):
            return pd.Series(prob, index=features.index, name="churn_probability")
        return prob

    def summary(self):
        """One-row DataFrame: rows, churn rate, train and holdout AUC, Brier score, log loss.

        Example: ``ChurnModel().fit(df, "churned").summary()``
        """
        self._check_fitted()
        return pd.DataFrame([{"rows": self.n_train_ + self.n_holdout_, "train": self.n_train_, "holdout": self.n_holdout_,
                              "churn_rate": self.churn_rate_, "train_auc": self.train_auc_, "holdout_auc": self.auc_,
                              "brier": self.brier_, "brier_uncalibrated": self.brier_uncalibrated_,
                              "log_loss": self.log_loss_, "calibration": self.calibrate or "none",
                              "converged": self.model_.converged_}])

    def plot(self, ax=None):
        """ROC curve (holdout) and reliability diagram side by side; returns the two Axes.

        Example: ``ChurnModel().fit(df, "churned").plot()``
        """
        import matplotlib.pyplot as plt
        self._check_fitted()
        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(10, 4.5))
        roc, rel = ax
        fpr, tpr, _ = self.roc_
        roc.plot(fpr, tpr, color="#4c72b0", label=f"model (AUC {self.auc_:.3f})")
        roc.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance")
        roc.set_xlabel("false positive rate")
        roc.set_ylabel("true positive rate")
        roc.set_title("ROC curve (holdout)")
        roc.legend(loc="lower right")
        t = self.calibration_
        rel.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
        rel.plot(t["mean_predicted"], t["observed_rate"], marker="o", color="#dd8452",
                 label=f"{self.calibrate or 'uncalibrated'} (Brier {self.brier_:.3f})")
        rel.set_xlabel("mean predicted probability")
        rel.set_ylabel("observed churn rate")
        rel.set_title("Reliability (holdout)")
        rel.legend(loc="upper left")
        return ax

    def __repr__(self):
        return f"ChurnModel(C={self.C}, holdout={self.holdout}, calibrate={self.calibrate!r}, random_state={self.random_state})"

    def _repr_html_(self):
        if not hasattr(self, "model_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        fmt = lambda v: f"{v:.4g}"  # noqa: E731
        return (f"<p>{html.escape(repr(self))}</p>" + self.summary().to_html(index=False, float_format=fmt)
                + "<p>Top drivers (per standard deviation)</p>" + self.drivers_.head(10).to_html(index=False, float_format=fmt)
                + "<p>Reliability (holdout)</p>" + self.calibration_.to_html(index=False, float_format=fmt))
