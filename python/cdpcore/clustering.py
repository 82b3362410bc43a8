"""Clustering segments: KMeansSegmenter (scikit-learn conventions), silhouette, elbow, personas."""
import html

import numpy as np
import pandas as pd

from . import _core


def _matrix(X):
    names = list(X.columns) if isinstance(X, pd.DataFrame) else None
    arr = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {arr.shape}")
    return arr, names


# Words for persona names: (feature, high word, low word). Other features read "high-<name>".
_WORDS = {
    "monetary": ("high-value", "low-value"), "revenue": ("high-value", "low-value"),
    "spend": ("high-value", "low-value"), "clv": ("high-value", "low-value"),
    "frequency": ("frequent", "occasional"), "orders": ("frequent", "occasional"),
    "recency": ("lapsed", "recent"), "days_since": ("lapsed", "recent"),
    "sessions": ("engaged", "light"), "events": ("active", "quiet"),
}


_SHORT = {"r": "recency", "f": "frequency", "m": "monetary"}


def _word(feature, high):
    feature = _SHORT.get(feature.lower(), feature)
    for key, (hi, lo) in _WORDS.items():
        if key in feature.lower():
            return hi if high else lo
    return f"{'high' if high else 'low'}-{feature}"


class KMeansSegmenter:
    """k-means clustering of customers (greedy k-means++ seeding, Lloyd iterations with
    Hamerly's bounds), mirroring ``sklearn.cluster.KMeans``: ``fit(X)`` sets ``labels_``,
    ``inertia_``, ``cluster_centers_``, ``n_iter_``. ``log_transform`` applies log1p (negative
    values are an error) and ``standardize`` z-scores each feature (population std) before
    clustering; centers are in that transformed space, as in a scikit-learn pipeline.

    Example: ``KMeansSegmenter(n_clusters=4, n_init=10, random_state=0, log_transform=True,
    standardize=True).fit(rfm[["recency", "frequency", "monetary"]]).personas()``
    """

    def __init__(self, n_clusters=8, *, n_init=10, max_iter=300, tol=1e-4, random_state=None,
                 standardize=False, log_transform=False, n_threads=0):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.standardize = standardize
        self.log_transform = log_transform
        self.n_threads = n_threads

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in ("n_clusters", "n_init", "max_iter", "tol", "random_state",
                                             "standardize", "log_transform", "n_threads")}

    def set_params(self, **params):
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"unknown parameter {k!r} of KMeansSegmenter")
            setattr(self, k, v)
        return self

    def _seed(self):
        if self.random_state is None:
            return int(np.random.SeedSequence().entropy % (1 << 63))
        if isinstance(self.random_state, (int, np.integer)) and not isinstance(self.random_state, bool):
            if self.random_state < 0:
                raise ValueError(f"random_state must be >= 0, got {self.random_state}")
            return int(self.random_state)
        raise TypeError(f"random_state must be an int or None, got {type(self.random_state).__name__}")

    def _transform_fit(self, X):
        if self.log_transform:
            if (X < 0).any():
                col = int(np.where((X < 0).any(axis=0))[0][0])
                raise ValueError(f"log_transform: feature {self._name(col)!r} has negative values")
            X = np.log1p(X)
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            scale = X.std(axis=0)
            self.scale_ = np.where(scale > 0, scale, 1.0)
            X = (X - self.mean_) / self.scale_
        return np.ascontiguousarray(X)

    def _transform(self, X):
        if self.log_transform:
            X = np.log1p(X)
        if self.standardize:
            X = (X - self.mean_) / self.scale_
        return np.ascontiguousarray(X)

    def _name(self, i):
        names = getattr(self, "feature_names_in_", None)
        return names[i] if names is not None else f"x{i}"

    def fit(self, X, y=None):
        """Clusters the rows of X (DataFrame or 2-D array). Returns self."""
        arr, names = _matrix(X)
        self.feature_names_in_ = np.asarray(names, dtype=object) if names is not None else None
        self.n_features_in_ = arr.shape[1]
        self._X = arr
        Z = self._transform_fit(arr)
        r = _core.kmeans(Z, int(self.n_clusters), int(self.n_init), int(self.max_iter), float(self.tol),
                         self._seed(), int(self.n_threads))
        self.cluster_centers_ = np.asarray(r["centers"])
        self.labels_ = np.asarray(r["labels"], dtype=np.int32)
        self.inertia_ = float(r["inertia"])
        self.n_iter_ = int(r["n_iter"])
        self.run_inertia_ = np.asarray(r["run_inertia"])
        self._Z = Z
        return self

    def fit_predict(self, X, y=None):
        return self.fit(X).labels_

    def predict(self, X):
        """Nearest center of each row of X (transformed like the training data)."""
        self._check_fitted()
        arr, _ = _matrix(X)
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {arr.shape[1]} features, the model was fitted with {self.n_features_in_}")
        return np.asarray(_core.kmeans_predict(self._transform(arr), self.cluster_centers_), dtype=np.int32)

    def _check_fitted(self):
        if not hasattr(self, "labels_"):
            raise ValueError("this KMeansSegmenter is not fitted yet: call fit(X) first")

    def silhouette(self, sample_size=None, random_state=0):
        """Mean silhouette of the fitted clustering (exact, or on a random sample of points).

        Example: ``seg.silhouette(sample_size=10_000)``
        """
        self._check_fitted()
        return float(_core.silhouette(self._Z, self.labels_, int(sample_size or 0), int(random_state)))

    def personas(self, top=3):
        """One row per cluster: size, share, feature means (original units), the features that set
        it apart (lift = cluster mean / overall mean, by z-distance) and a generated name.

        Example: ``seg.personas()[["name", "size", "share"]]``
        """
        self._check_fitted()
        X, Z = self._X, self._Z
        names = [self._name(i) for i in range(X.shape[1])]
        overall = X.mean(axis=0)
        # Distance in the clustering space (log / standardized when set): skewed features such as
        # spend would otherwise be judged by their outliers.
        z_mean, z_sd = Z.mean(axis=0), Z.std(axis=0)
        z_sd = np.where(z_sd > 0, z_sd, 1.0)
        rows = []
        for c in range(self.n_clusters):
            member = self.labels_ == c
            means = X[member].mean(axis=0) if member.any() else np.full(X.shape[1], np.nan)
            z = ((Z[member].mean(axis=0) if member.any() else z_mean) - z_mean) / z_sd
            order = np.argsort(-np.abs(np.nan_to_num(z)))[:top]
            distinct = [f"{names[i]} {'+' if z[i] > 0 else '-'}{abs(z[i]):.1f}sd (x{means[i] / overall[i]:.2f})"
                        if overall[i] != 0 else f"{names[i]} {z[i]:+.1f}sd" for i in order]
            # Up to three words, strongest first, for features at least half a standard deviation
            # from the average (the weakest cluster gets "typical").
            words = [_word(names[i], z[i] > 0) for i in order[:3] if abs(z[i]) >= 0.5]
            label = " ".join(words) + " customers" if words else "typical customers"
            row = {"cluster": c, "name": label, "size": int(member.sum()), "share": float(member.mean()),
                   "distinguishing": "; ".join(distinct)}
            row.update({f"mean_{n}": float(m) for n, m in zip(names, means)})
            rows.append(row)
        df = pd.DataFrame(rows)
        # Names repeat when two clusters lean the same way: number them.
        dup = df["name"].duplicated(keep=False)
        df.loc[dup, "name"] = df.loc[dup, "name"] + " (" + (df.loc[dup].groupby("name").cumcount() + 1).astype(str) + ")"
        return df

    def plot(self, ax=None, x=0, y=1):
        """Scatter of two features (transformed space) colored by cluster, with the centers."""
        import matplotlib.pyplot as plt
        self._check_fitted()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 5))
        Z = self._Z
        idx = np.arange(Z.shape[0])
        if idx.size > 20_000:
            idx = np.random.default_rng(0).choice(idx, 20_000, replace=False)
        ax.scatter(Z[idx, x], Z[idx, y], c=self.labels_[idx], s=4, cmap="tab10", alpha=0.6)
        ax.scatter(self.cluster_centers_[:, x], self.cluster_centers_[:, y], c="black", marker="x", s=80)
        ax.set_xlabel(self._name(x))
        ax.set_ylabel(self._name(y))
        return ax

    def plot_personas(self, ax=None):
        """Bar chart of cluster sizes labelled with the persona names; returns the Axes.

        Example: ``KMeansSegmenter(4, random_state=0).fit(X).plot_personas()``
        """
        import matplotlib.pyplot as plt
        p = self.personas()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.45 * max(3, len(p)) + 1))
        ax.barh([f"{c}: {n}" for c, n in zip(p["cluster"], p["name"])], p["size"], color="#4c72b0")
        for y, (size, share) in enumerate(zip(p["size"], p["share"])):
            ax.text(size, y, f" {share:.0%}", va="center", fontsize=8)
        ax.set_xlabel("profiles")
        ax.invert_yaxis()
        return ax

    def __repr__(self):
        return (f"KMeansSegmenter(n_clusters={self.n_clusters}, n_init={self.n_init}, random_state={self.random_state}"
                f"{', log_transform=True' if self.log_transform else ''}{', standardize=True' if self.standardize else ''})")

    def _repr_html_(self):
        if not hasattr(self, "labels_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        return f"<p>{html.escape(repr(self))}: inertia {self.inertia_:.2f}, {self.n_iter_} iterations</p>" + \
            self.personas()[["cluster", "name", "size", "share", "distinguishing"]].to_html(index=False)


def elbow(X, ks=range(2, 11), **params):
    """Inertia (and silhouette on up to 10,000 points) for each k: a DataFrame for the elbow plot.

    Example: ``cdpcore.clustering.elbow(features, ks=range(2, 9), standardize=True, random_state=0)``
    """
    rows = []
    for k in ks:
        m = KMeansSegmenter(n_clusters=k, **params).fit(X)
        sil = m.silhouette(sample_size=10_000) if k > 1 else float("nan")
        rows.append({"k": k, "inertia": m.inertia_, "silhouette": sil, "n_iter": m.n_iter_})
    return pd.DataFrame(rows)
