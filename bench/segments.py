"""Segments vs peers (issue: segmentation), each side in the same process on the same data.

  1. A 5-condition segment over ~1M profiles / ~10M events: ws.select(expr) vs the same filter in
     pandas (groupby/isin over the events and profiles DataFrames, its best in-memory case; the
     frames are built before timing). Goal >= 20x.
  2. k-means on 1M x 8 points, k = 8, n_init = 10, same data: cdp.KMeansSegmenter vs
     sklearn.cluster.KMeans (lloyd). Goal: >= 1x the speed at <= sklearn's inertia.
Size: CDP_BENCH_EVENTS (default 10,000,000); CDP_BENCH_KMEANS_POINTS (default 1,000,000).
"""
import datetime
import os
import pathlib
import sys
import time

import numpy as np
import pandas as pd

import cdpcore as cdp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import machine, prepend_results, timed  # noqa: E402

EVENTS = int(os.environ.get("CDP_BENCH_EVENTS", "10000000"))
POINTS = int(os.environ.get("CDP_BENCH_KMEANS_POINTS", "1000000"))
EVENTS_PER_CUSTOMER = 14.6

EXPR = ("country in ('IT','FR','DE','ES','GB') and age between 25 and 55 and count(page_view, last=30d) >= 2 "
        "and not did(email_unsubscribe, last=90d) and sum(purchase.revenue) > 50")


def pandas_segment(ev, prof, clock):
    """The same five conditions over pandas frames; returns sorted profile ids."""
    d30, d90 = clock - pd.Timedelta(days=30), clock - pd.Timedelta(days=90)
    pv = ev[(ev["type"] == "page_view") & (ev["ts"] > d30)].groupby("profile").size()
    unsub = ev.loc[(ev["type"] == "email_unsubscribe") & (ev["ts"] > d90), "profile"].unique()
    rev = ev[ev["type"] == "purchase"].groupby("profile")["revenue"].sum()
    p = prof.set_index("profile")
    mask = (p["country"].isin(["IT", "FR", "DE", "ES", "GB"]) & p["age"].between(25, 55)
            & (pv.reindex(p.index, fill_value=0) >= 2) & ~p.index.isin(unsub)
            & (rev.reindex(p.index, fill_value=0) > 50))
    return np.sort(p.index[mask.fillna(False).astype(bool)].to_numpy())


def segment_bench():
    customers = int(EVENTS / EVENTS_PER_CUSTOMER) + 1
    t_gen, data = timed(lambda: cdp.generate(customers=customers, days=120, seed=7))
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    ws.import_profiles(data["customers"], ts="signup_ts")
    rep = ws.resolve_identities()
    n_events = ws.event_count()
    del data
    ev = ws.events(columns=["profile", "type", "ts", "revenue"])
    prof = ws.profiles()[["profile", "country", "age"]]
    clock = ws.clock()
    t_cdp, seg = timed(lambda: ws.select(EXPR), repeat=3)
    t_pd, want = timed(lambda: pandas_segment(ev, prof, clock), repeat=3)
    assert np.array_equal(seg.members.astype(np.int64), want.astype(np.int64)), "results differ"
    return {"events": n_events, "profiles": rep.profiles, "members": seg.size, "cdp": t_cdp, "pandas": t_pd}


def kmeans_bench():
    from sklearn.cluster import KMeans
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 4, size=(8, 8))
    X = centers[rng.integers(0, 8, POINTS)] + rng.normal(0, 1.5, size=(POINTS, 8))
    t_cdp, ours = timed(lambda: cdp.KMeansSegmenter(n_clusters=8, n_init=10, random_state=0).fit(X))
    t_sk, theirs = timed(lambda: KMeans(n_clusters=8, n_init=10, random_state=0, algorithm="lloyd").fit(X))
    return {"points": POINTS, "cdp": t_cdp, "sklearn": t_sk, "cdp_inertia": ours.inertia_,
            "sk_inertia": theirs.inertia_, "cdp_iter": ours.n_iter_, "sk_iter": theirs.n_iter_}


def main():
    import sklearn
    seg = segment_bench()
    print(f"segment: cdp {seg['cdp']:.3f} s, pandas {seg['pandas']:.3f} s, {seg['pandas'] / seg['cdp']:.1f}x")
    km = kmeans_bench()
    print(f"kmeans: cdp {km['cdp']:.2f} s ({km['cdp_inertia']:.1f}), sklearn {km['sklearn']:.2f} s ({km['sk_inertia']:.1f})")
    today = datetime.date.today().isoformat()
    text = f"""## {today} — segments: rule segment vs pandas, k-means vs scikit-learn (issue: segmentation)

Machine: {machine()}. Python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}, scikit-learn {sklearn.__version__}. `bench/segments.py`, both sides in one process, best of 3 (segment) / 1 run (k-means).

| benchmark | data | cdpcore s | peer s | ratio (peer / cdpcore) | goal |
|---|---|---|---|---|---|
| 5-condition segment | {seg['profiles']:,} profiles, {seg['events']:,} events, {seg['members']:,} members | {seg['cdp']:.3f} | pandas {seg['pandas']:.3f} | {seg['pandas'] / seg['cdp']:.1f}x | >= 20x |
| k-means k=8, n_init=10 | {km['points']:,} x 8 | {km['cdp']:.2f} (inertia {km['cdp_inertia']:,.1f}, {km['cdp_iter']} iter) | sklearn lloyd {km['sklearn']:.2f} (inertia {km['sk_inertia']:,.1f}, {km['sk_iter']} iter) | {km['sklearn'] / km['cdp']:.2f}x | >= 1x at <= inertia |

- Segment: `{EXPR}`. cdpcore: `ws.select(expr)` after identity resolution (compile, profile columns, one vectorized pass per aggregate). pandas: the same conditions on `ws.events(columns=["profile", "type", "ts", "revenue"])` and `ws.profiles()` (type categorical, ts datetime64), frames built before timing; both give the same members (asserted).
- k-means: 8 Gaussian blobs in 8-D (seed 0); both with random_state=0 and their own k-means++ seeding; sklearn's threads from OpenMP, cdpcore's from std::thread (both use the 2 cores). Both stop runs by the same tol rule; cdpcore then continues its best run to a Lloyd fixed point (its iteration count includes those).
"""
    print(f"added to {prepend_results(text)}")


if __name__ == "__main__":
    main()
