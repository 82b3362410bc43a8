"""Segments through the Python API: each segment kind against a pandas recomputation on generated
data, set operations, export, validation, persistence, RFM and k-means on Online Retail."""
import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp
from cdpcore import segments as S

DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def shop():
    data = cdp.generate(customers=3000, days=90, seed=3)
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    ws.import_profiles(data["customers"], ts="signup_ts")
    return ws, ws.profiles(), ws.events()


def members(seg):
    return set(seg.members.tolist())


def ids(mask, profiles):
    return set(profiles.loc[mask, "profile"].astype(int).tolist())


def test_demographic_matches_pandas(shop):
    ws, p, _ = shop
    seg = ws.select(S.demographic(age=(25, 40), gender="female", income=["middle", "upper_middle"]))
    want = p["age"].between(25, 40) & (p["gender"] == "female") & p["income_band"].isin(["middle", "upper_middle"])
    assert members(seg) == ids(want.fillna(False).astype(bool), p)
    assert 0 < seg.size < len(p)


def test_geographic_matches_pandas_and_distance(shop):
    ws, p, _ = shop
    seg = ws.select(S.geographic(countries=["IT", "FR", "DE"]))
    assert members(seg) == ids(p["country"].isin(["IT", "FR", "DE"]), p)
    city = p["city"].dropna().value_counts().index[0]
    assert members(ws.select(S.geographic(cities=[city]))) == ids(p["city"] == city, p)
    # Distance: two people placed by hand. Milan-Rome is 477 km (haversine, mean Earth radius).
    w2 = cdp.Workspace()
    w2.import_profiles(pd.DataFrame({"user_id": ["milan", "rome"], "latitude": [45.4642, 41.9028],
                                     "longitude": [9.19, 12.4964]}))
    near_milan = w2.select(S.geographic(near=(45.4642, 9.19, 50)))
    assert near_milan.to_pandas(["user_id"])["user_id"].tolist() == ["milan"]
    assert w2.select(S.geographic(near=(45.4642, 9.19, 478))).size == 2
    assert w2.select(S.geographic(near=(45.4642, 9.19, 476))).size == 1


def _per_profile(events, mask, clock=None, window=None):
    e = events[mask]
    if window is not None:
        e = e[(e["ts"] > clock - window) & (e["ts"] <= clock)]
    return e.groupby("profile").size()


def test_behavioral_matches_pandas(shop):
    ws, p, ev = shop
    clock = ws.clock()
    assert clock == ev["ts"].max()
    expr = S.behavioral(did="page_view", min_count=3, window="30d", did_not="email_unsubscribe")
    seg = ws.select(expr)
    views = _per_profile(ev, ev["type"] == "page_view", clock, pd.Timedelta(days=30))
    unsub = _per_profile(ev, ev["type"] == "email_unsubscribe", clock, pd.Timedelta(days=30))
    want = set(views[views >= 3].index) - set(unsub.index)
    assert members(seg) == want
    # Recency and revenue aggregates.
    buys = ev[ev["type"] == "purchase"]
    last = buys.groupby("profile")["ts"].max()
    recent = set(last[(clock - last) / DAY <= 14].index)
    assert members(ws.select("recency(purchase) <= 14")) == recent
    spend = buys.groupby("profile")["revenue"].sum()
    assert members(ws.select("sum(purchase.revenue) > 150")) == set(spend[spend > 150].index)


def test_sequence_matches_brute_force(shop):
    ws, _, ev = shop
    seg = ws.select(S.behavioral(then=("add_to_cart", "purchase"), within="2d"))
    want = set()
    e = ev[ev["type"].isin(["add_to_cart", "purchase"])].sort_values(["profile", "ts"])
    for pid, g in e.groupby("profile"):
        us = g["ts"].astype("int64").to_numpy() // 1000  # µs
        carts = us[(g["type"] == "add_to_cart").to_numpy()]
        buys = us[(g["type"] == "purchase").to_numpy()]
        if any(((buys > c) & (buys - c <= 2 * 86_400_000_000)).any() for c in carts):
            want.add(pid)
    assert members(seg) == want and len(want) > 10


def test_engagement_tiers_partition_everyone(shop):
    ws, p, ev = shop
    tiers = S.engagement_tiers(ws, window="30d", thresholds=(1, 3))
    clock = ws.clock()
    counts = _per_profile(ev, ev["type"].isin(S.ENGAGEMENT_EVENTS), clock, pd.Timedelta(days=30))
    assert members(tiers["high"]) == set(counts[counts >= 3].index)
    assert members(tiers["medium"]) == set(counts[(counts >= 1) & (counts < 3)].index)
    assert tiers["high"].size + tiers["medium"].size + tiers["low"].size == len(p)
    assert (tiers["high"] & tiers["low"]).size == 0


def test_psychographic_economic_b2b_match_pandas(shop):
    ws, p, ev = shop
    seg = ws.select(S.psychographic(interests=["travel", "outdoors"], lifestyles=["tech_enthusiast", "trendsetter"]))
    items = p["interests"].astype(object).fillna("").str.split(";")
    has = items.apply(lambda xs: "travel" in xs or "outdoors" in xs)
    assert members(seg) == ids(has & p["lifestyle"].isin(["tech_enthusiast", "trendsetter"]), p)
    spend = ev[ev["type"] == "purchase"].groupby("profile")["revenue"].agg(["sum", "mean"])
    seg = ws.select(S.economic(income_bands=["high", "upper_middle"], min_spend=100))
    rich = ids(p["income_band"].isin(["high", "upper_middle"]), p)
    assert members(seg) == rich & set(spend[spend["sum"] >= 100].index)
    bargain = ws.select(S.economic(max_avg_order=40))
    assert members(bargain) == set(spend[spend["mean"] <= 40].index)
    seg = ws.select(S.b2b(industries=["finance", "consulting"], company_sizes=["1-10", "11-50"]))
    want = p["industry"].isin(["finance", "consulting"]) & p["company_size"].isin(["1-10", "11-50"])
    assert members(seg) == ids(want, p) and seg.size > 0


def test_set_operations_overlap_and_export(shop, tmp_path):
    ws, p, _ = shop
    a = ws.segment("buyers", "did(purchase)", replace=True)
    b = ws.segment("italy", "country = 'IT'", replace=True)
    assert members(a | b) == members(a) | members(b)
    assert members(a & b) == members(a) & members(b)
    assert members(a - b) == members(a) - members(b)
    assert a.jaccard(b) == pytest.approx(len(members(a) & members(b)) / len(members(a) | members(b)))
    ov = ws.overlap(["buyers", "italy"]).set_index(["segment_a", "segment_b"])
    assert ov.loc[("buyers", "italy"), "both"] == len(members(a) & members(b))
    assert ov.loc[("buyers", "buyers"), "jaccard"] == 1.0
    assert ov.loc[("italy", "buyers"), "share_of_a"] == pytest.approx(len(members(a) & members(b)) / b.size)
    out = (a & b).to_pandas(["email", "country"])
    assert list(out.columns) == ["profile", "key", "email", "country"]
    assert set(out["country"]) == {"IT"} and len(out) == (a & b).size
    n = b.to_csv(tmp_path / "italy.csv", ["email"])
    assert n == b.size and len(pd.read_csv(tmp_path / "italy.csv")) == b.size
    with pytest.raises(cdp.InvalidArgumentError, match="unknown column \"emial\"; did you mean \"email\""):
        b.to_pandas(["emial"])


def test_validation_report(shop):
    ws, p, _ = shop
    ws.segment("it_buyers", "country = 'IT' and did(purchase)", replace=True)
    v = ws.validate_segment("it_buyers", period="30d")
    assert v.size == ws.segment("it_buyers").size and v.population == len(p)
    assert 0.0 < v.stability <= 1.0
    # As of 30 days earlier the members are those who had purchased by then (hand check).
    then = ws.select("country = 'IT' and did(purchase)", as_of=v.period_start)
    now = ws.segment("it_buyers")
    assert v.stability == pytest.approx(then.jaccard(now))
    top = v.lift[v.lift["column"] == "country"].set_index("value")
    # Every member is in IT: its share is 1, lift = 1 / population share of IT.
    assert top.loc["IT", "segment_share"] == 1.0
    assert top.loc["IT", "lift"] == pytest.approx(1.0 / (p["country"] == "IT").mean())


def test_segment_sizes_over_time(shop):
    ws, _, ev = shop
    ws.segment("ever_bought", "did(purchase)", replace=True)
    sizes = ws.segment_sizes("ever_bought", every="30d", periods=3)
    assert list(sizes["as_of"]) == [ws.clock() - pd.Timedelta(days=60), ws.clock() - pd.Timedelta(days=30), ws.clock()]
    # "did(purchase)" as of t = profiles with a purchase at or before t (pandas on the events).
    buys = ev[ev["type"] == "purchase"]
    want = [buys.loc[buys["ts"] <= t, "profile"].nunique() for t in sizes["as_of"]]
    assert sizes["size"].tolist() == want
    assert sizes["size"].is_monotonic_increasing
    with pytest.raises(cdp.InvalidArgumentError, match="periods must be >= 1"):
        ws.segment_sizes("ever_bought", periods=0)


def test_segment_definitions_errors_and_persistence(tmp_path):
    path = tmp_path / "shop.cdp"
    data = cdp.generate(customers=300, days=30, seed=5)
    ws = cdp.Workspace(path)
    ws.ingest(data["events"], progress=False)
    seg = ws.segment("active", "count(*, last=7d) >= 3", purpose="marketing", description="weekly active")
    with pytest.raises(cdp.InvalidArgumentError, match="already exists"):
        ws.segment("active", "did(purchase)")
    with pytest.raises(cdp.InvalidArgumentError, match="purpose \"Marketing!\" must be a lowercase name"):
        ws.segment("x", "did(purchase)", purpose="Marketing!")
    with pytest.raises(cdp.InvalidArgumentError, match="segment \"bad\": line 1, column 18: expected a value after 'and'"):
        ws.segment("bad", "did(purchase) and")
    with pytest.raises(cdp.NotFoundError, match="no segment \"activ\"; did you mean \"active\"?"):
        ws.segment("activ")
    assert list(ws.segments()["name"]) == ["active"]
    size = seg.size
    ws.close()
    with pytest.raises(cdp.InvalidArgumentError, match="the workspace is closed"):
        seg.to_pandas(["email"])
    ws = cdp.Workspace(path)
    again = ws.segment("active")
    assert again.size == size and again.purpose == "marketing" and again.description == "weekly active"
    ws.drop_segment("active")
    assert ws.segments().empty
    ws.close()
    with cdp.Workspace(path, read_only=True) as reader:
        assert reader.segments().empty
        with pytest.raises(cdp.InvalidArgumentError, match="read-only"):
            reader.segment("x", "did(purchase)")


def test_select_reports_warnings_for_unknown_event_types(shop):
    ws, _, _ = shop
    seg = ws.select("did(purchse)")
    assert seg.size == 0
    assert seg.warnings == ["no event has type 'purchse' yet (did you mean 'purchase'?)"]


MAPPING = {"ts": "InvoiceDate", "user_id": "CustomerID", "type": "=purchase", "revenue": "Quantity*UnitPrice",
           "country": "Country", "event_id": "@line"}
PLAN = {"events": {"purchase": {"properties": {"Quantity": {"type": "integer", "min": 1},
                                               "UnitPrice": {"type": "number", "exclusive_min": 0}}}}}


@pytest.fixture(scope="module")
def retail_rfm(shared):
    ws = cdp.Workspace()
    ws.ingest_csv(shared / "datasets/online_retail/online_retail_uci.csv.gz", mapping=MAPPING, plan=PLAN,
                  progress=False)
    return ws.rfm(order_field="InvoiceNo")


def test_rfm_online_retail_matches_readme(retail_rfm):
    r = retail_rfm
    # README (datasets/online_retail): 4,338 customers; reference 2011-12-10: mean R 92.06 d,
    # median F 2 invoices, median M 674.49 GBP. Equal line items stay distinct (event_id "@line").
    assert len(r) == 4338
    assert str(r.attrs["reference"]) == "2011-12-10 00:00:00+00:00"
    assert r["recency"].mean() == pytest.approx(92.06, abs=0.005)
    assert r["frequency"].median() == 2
    # The median is the mean of the two middle customers, 674.485 exactly (pandas on the cleaned
    # CSV gives 674.485 too): the README's 674.49 rounds it half up.
    assert r["monetary"].median() == pytest.approx(674.485, abs=1e-6)
    # Tie rule: equal values score the same; scores are quintiles of "strictly worse" counts.
    for value_col, score in (("recency", "r"), ("frequency", "f"), ("monetary", "m")):
        assert r.groupby(value_col)[score].nunique().max() == 1
    n = len(r)
    worse = (r["frequency"].to_numpy()[None, :] < r["frequency"].to_numpy()[:, None]).sum(axis=1)
    assert (r["f"].to_numpy() == 1 + (5 * worse) // n).all()
    assert set(r["segment"]) == set(S_RFM_NAMES)
    champions = r[r["segment"] == "Champions"]
    assert (champions["r"] >= 4).all() and ((champions["f"] + champions["m"] + 1) // 2 >= 4).all()


S_RFM_NAMES = ["Champions", "Loyal", "Potential loyalist", "New", "Promising", "Need attention", "About to sleep",
               "At risk", "Can't lose them", "Hibernating", "Lost"]


def test_kmeans_on_online_retail_rfm_matches_sklearn_inertia(retail_rfm):
    X = retail_rfm[["recency", "frequency", "monetary"]]
    # datasets/README.md: sklearn KMeans on Online Retail RFM (log+zscore, k=4, n_init=10) 3962.64.
    for seed in (0, 1, 2):
        km = cdp.KMeansSegmenter(n_clusters=4, n_init=10, random_state=seed, log_transform=True,
                                 standardize=True).fit(X)
        assert km.inertia_ <= 3962.645
        assert km.labels_.shape == (4338,) and km.cluster_centers_.shape == (4, 3)
        assert (km.predict(X) == km.labels_).all()
    # Inertia recomputed by hand from labels and centers.
    Z = np.log1p(X.to_numpy(float))
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    assert ((Z - km.cluster_centers_[km.labels_]) ** 2).sum() == pytest.approx(km.inertia_, rel=1e-12)
    # Same seed, same result.
    again = cdp.KMeansSegmenter(n_clusters=4, n_init=10, random_state=2, log_transform=True, standardize=True).fit(X)
    assert again.inertia_ == km.inertia_ and (again.labels_ == km.labels_).all()
    # Silhouette equals a brute-force computation (every pairwise distance).
    D = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2))
    s = []
    for i in range(len(Z)):
        own = km.labels_ == km.labels_[i]
        a = D[i, own].sum() / (own.sum() - 1)
        b = min(D[i, km.labels_ == c].mean() for c in range(4) if c != km.labels_[i])
        s.append((b - a) / max(a, b))
    assert km.silhouette() == pytest.approx(np.mean(s), rel=1e-12)
    assert abs(km.silhouette(sample_size=2000, random_state=1) - np.mean(s)) < 0.03
    personas = km.personas()
    assert personas["size"].sum() == 4338 and personas["name"].is_unique
    assert personas["name"].str.contains("customers").all()


def test_kmeans_bad_input():
    with pytest.raises(cdp.InvalidArgumentError, match="n_samples=2 should be >= n_clusters=3"):
        cdp.KMeansSegmenter(n_clusters=3).fit(np.zeros((2, 2)))
    with pytest.raises(cdp.InvalidArgumentError, match="value at row 1, feature 0 is not finite"):
        cdp.KMeansSegmenter(n_clusters=1).fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="log_transform: feature 'a' has negative values"):
        cdp.KMeansSegmenter(n_clusters=1, log_transform=True).fit(pd.DataFrame({"a": [1.0, -2.0]}))
    with pytest.raises(ValueError, match="not fitted"):
        cdp.KMeansSegmenter().predict(np.zeros((1, 1)))


def test_kmeans_elbow_decreases():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.3, size=(200, 2)) for c in ((0, 0), (5, 5), (0, 5))])
    el = cdp.clustering.elbow(X, ks=range(1, 6), random_state=0)
    assert el["inertia"].is_monotonic_decreasing
    # Three well separated blobs: k=3 has the best silhouette.
    assert el.loc[el["silhouette"].idxmax(), "k"] == 3


def test_plots_draw_what_they_show(shop):
    import matplotlib
    matplotlib.use("Agg")
    ws, _, _ = shop
    a = ws.segment("plot_buyers", "did(purchase)", replace=True)
    b = ws.segment("plot_it", "country = 'IT'", replace=True)
    ax = S.sizes_plot([a, b])
    assert [round(p.get_width()) for p in ax.patches] == [a.size, b.size]
    ax = S.overlap_plot(ws.overlap(["plot_buyers", "plot_it"]))
    assert ax.images[0].get_array().shape == (2, 2)
    v = ws.validate_segment("plot_it")
    ax = v.plot(top=5)
    assert len(ax.patches) == min(5, len(v.lift))
    X = np.random.default_rng(1).normal(size=(300, 2))
    km = cdp.KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    ax = km.plot_personas()
    assert sorted(round(p.get_width()) for p in ax.patches) == sorted(np.bincount(km.labels_).tolist())
    assert km.plot().collections[0].get_offsets().shape == (300, 2)


def test_realtime_segment_callbacks_and_exact_expiry():
    ws = cdp.Workspace()
    ws.push({"event_id": "e1", "user_id": "u1", "type": "purchase", "ts": "2024-03-01T12:00:00Z"})
    ws.segment("recent", "did(purchase, last=30d)")
    changes = []
    ws.on_segment_change(changes.append)
    ws.set_realtime("recent")
    assert ws.realtime_members("recent") == ["user_id:u1"] and changes == []
    ws.push({"event_id": "e2", "user_id": "u2", "type": "purchase", "ts": "2024-03-05T00:00:00Z"})
    assert [(c["key"], c["entered"]) for c in changes] == [("user_id:u2", True)]
    assert changes[0]["ts"] == pd.Timestamp("2024-03-05T00:00:00Z")
    ws.advance_to("2024-04-30")
    # u1 leaves when the clock reaches 2024-03-01T12:00 + 30 days, u2 at 2024-03-05 + 30 days.
    assert [(c["key"], c["entered"], str(c["ts"])) for c in changes[1:]] == [
        ("user_id:u1", False, "2024-03-31 12:00:00+00:00"), ("user_id:u2", False, "2024-04-04 00:00:00+00:00")]
    assert ws.clock() == pd.Timestamp("2024-04-30T00:00:00Z")
    assert ws.segment("recent").size == 0 and ws.realtime_members("recent") == []
    with pytest.raises(cdp.InvalidArgumentError, match="is before the clock"):
        ws.advance_to("2024-04-01")
    with pytest.raises(TypeError, match="expected a callable"):
        ws.on_segment_change(3)
