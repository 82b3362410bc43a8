"""Monthly cohort retention vs pandas (issue: metrics), both sides in one process on the same data.

~10M generated events (CDP_BENCH_EVENTS), cohorts by the month of each profile's first event (the
person's own actions: email_sent and ad_impression left out), active profiles per month offset.
cdpcore: ws.retention(period="month", cohort="first_event", periods=4) (also computes revenue and
lifecycle). pandas: the frame from ws.events(columns=["profile", "type", "ts"]) built before timing
(already sorted by profile and time), month numbers, groupby("profile").transform("first"),
drop_duplicates of (profile, offset), groupby size. Goal >= 20x. Counts asserted equal.
"""
import datetime
import os
import pathlib
import sys

import numpy as np
import pandas as pd

import cdpcore as cdp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import machine, prepend_results, timed  # noqa: E402

EVENTS = int(os.environ.get("CDP_BENCH_EVENTS", "10000000"))
EXCLUDED = ["email_sent", "ad_impression"]


def pandas_retention(ev):
    """{(cohort month number, offset): active profiles}."""
    ev = ev[~ev["type"].isin(EXCLUDED)]
    ts = ev["ts"]
    month = (ts.dt.year * 12 + ts.dt.month - 1).to_numpy()
    frame = pd.DataFrame({"profile": ev["profile"].to_numpy(), "month": month})
    frame["cohort"] = frame.groupby("profile", sort=False)["month"].transform("first")
    frame["offset"] = frame["month"] - frame["cohort"]
    pairs = frame.drop_duplicates(["profile", "offset"])
    return pairs.groupby(["cohort", "offset"]).size().to_dict()


def main():
    customers = int(EVENTS / 14.6) + 1
    data = cdp.generate(customers=customers, days=120, seed=7)
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    del data
    rep = ws.resolve_identities()
    n_events = ws.event_count()
    ev = ws.events(columns=["profile", "type", "ts"])
    ev = ev[ev["profile"].notna()]
    ev = ev.assign(profile=ev["profile"].astype(np.int64))
    ws.retention(period="month", cohort="first_event", periods=4)  # first call: resolution caches
    t_cdp, r = timed(lambda: ws.retention(period="month", cohort="first_event", periods=4), repeat=3)
    t_pd, want = timed(lambda: pandas_retention(ev), repeat=3)
    t = r.table
    month = lambda s: s.dt.tz_convert("UTC").dt.year * 12 + s.dt.tz_convert("UTC").dt.month - 1  # noqa: E731
    got = {(int(c), int(o)): int(a) for c, o, a in zip(month(t["cohort"]), t["offset"], t["active"]) if a > 0}
    assert got == {k: int(v) for k, v in want.items()}, "retention counts differ"
    text = f"""## {datetime.date.today().isoformat()} — monthly cohort retention vs pandas (issue: metrics)

Machine: {machine()}. Python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}. `bench/retention.py`, both sides in one process, best of 3.

| benchmark | peer | cdpcore s | peer s | ratio | goal |
|---|---|---|---|---|---|
| monthly cohort retention, {n_events:,} events, {rep.profiles:,} profiles | pandas groupby/transform/drop_duplicates | {t_cdp:.3f} | {t_pd:.3f} | {t_pd / t_cdp:.1f}x faster | >= 20x faster |

Counts per (cohort, offset) equal on both sides ({len(want)} cells; the 2024-01 cohort: {r.counts.iloc[0].tolist()}). cdpcore uses 2 threads and also computes revenue per cell and the lifecycle table; pandas gets the events frame built before timing.
"""
    print(text)
    print(f"added to {prepend_results(text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
