"""Real-time segments (issue: segmentation): pushed events per second with 20 real-time segments.

A workspace holds CDP_BENCH_RT_BASE generated events (default 100,000); 20 real-time segments are
defined; then CDP_BENCH_RT_PUSH events (default 300) of the same generator are pushed one by one
(ws.push, JSON per event) and timed, with a listener counting entries and exits. The peer is the
same pushes with no real-time segment (ingest cost alone). Goal: >= 1,000,000 events/s.
"""
import datetime
import json
import os
import pathlib
import sys
import time

import numpy as np
import pandas as pd

import cdpcore as cdp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import machine, prepend_results  # noqa: E402

BASE = int(os.environ.get("CDP_BENCH_RT_BASE", "100000"))
PUSH = int(os.environ.get("CDP_BENCH_RT_PUSH", "300"))

SEGMENTS = [f"count(page_view, last={d}d) >= {k}" for d, k in ((1, 1), (3, 2), (7, 3), (14, 5), (30, 8))] + \
           [f"did(purchase, last={d}d)" for d in (1, 7, 14, 30, 60)] + \
           [f"sum(purchase.revenue, last={d}d) > {v}" for d, v in ((30, 50), (60, 100), (90, 200))] + \
           ["did(add_to_cart, last=1d) and not did(purchase, last=1d)", "sequence(add_to_cart, purchase, within=1d)",
            "count(email_open, last=30d) >= 1", "did(email_click, last=14d)", "not did(*, last=30d)",
            "count(*, last=7d) >= 10", "did(signup, last=7d)"]


def events_json(df):
    cols = [c for c in df.columns if c != "true_person_id"]
    out = []
    for row in df[cols].itertuples(index=False):
        d = {}
        for c, v in zip(cols, row):
            if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                continue
            d[c] = v.isoformat() if isinstance(v, pd.Timestamp) else (v.item() if hasattr(v, "item") else v)
        out.append(json.dumps(d))
    return out


def run(with_segments):
    data = cdp.generate(customers=int(BASE / 14.6) + 1, days=60, seed=11)["events"].sort_values("ts")
    base, tail = data.iloc[:-PUSH], data.iloc[-PUSH:]
    ws = cdp.Workspace()
    ws.ingest(base.drop(columns=["true_person_id"]), progress=False)
    changes = [0]
    if with_segments:
        for i, e in enumerate(SEGMENTS):
            ws.segment(f"rt{i}", e)
            ws.set_realtime(f"rt{i}")
        ws.on_segment_change(lambda c: changes.__setitem__(0, changes[0] + 1))
    docs = events_json(tail)
    t0 = time.perf_counter()
    for d in docs:
        ws.push(d)
    t = time.perf_counter() - t0
    return len(docs), t, changes[0], ws.event_count()


def main():
    n, t_rt, changed, total = run(True)
    n0, t_plain, _, _ = run(False)
    rate, rate0 = n / t_rt, n0 / t_plain
    print(f"{n} pushes with {len(SEGMENTS)} real-time segments: {rate:,.0f} events/s ({changed} changes); "
          f"without segments: {rate0:,.0f} events/s")
    text = f"""## {datetime.date.today().isoformat()} — real-time segments: pushed events per second (issue: segmentation)

Machine: {machine()}. Python {sys.version.split()[0]}. `bench/realtime.py`: {total - n:,} stored events, then {n} events pushed one by one (`ws.push`, JSON), same process.

| setup | events/s | goal |
|---|---|---|
| {len(SEGMENTS)} real-time segments, listener attached ({changed:,} entries/exits) | {rate:,.0f} | >= 1,000,000 |
| no real-time segment (push + store only) | {rate0:,.0f} | |

- Goal not met by far: after each accepted push every real-time segment is re-evaluated over all profiles (identity resolution of the new event, then the vectorized query), so a push costs O(events). Reaching the goal needs an incremental path: the pushed event's profile only, per-profile window state, a timer queue for expiries.
"""
    print(f"added to {prepend_results(text)}")


if __name__ == "__main__":
    main()
