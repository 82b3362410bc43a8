"""make bench: cdpcore against its peers, side by side in one process; ratios go to bench/RESULTS.md.

Benchmarks (issue: foundation):
  1. CSV ingest of a generated file vs pandas.read_csv + to_datetime on the same file (goal >= 2x).
  2. numpy-column ingest vs a memcpy (np.copy) of the same arrays (goal <= 3x).
  3. resident bytes per event of the core columns (goal <= 40).
Size: CDP_BENCH_EVENTS (default 10,000,000). Data lives in bench/data/ (not committed).
"""
import datetime
import gc
import os
import pathlib
import platform
import sys
import time

import numpy as np
import pandas as pd

import cdpcore as cdp

ROOT = pathlib.Path(__file__).resolve().parent
DATA = ROOT / "data"
EVENTS = int(os.environ.get("CDP_BENCH_EVENTS", "10000000"))
EVENTS_PER_CUSTOMER = 14.6   # measured: 1,462,306 events for 100,000 customers at 120 days


def timed(fn, repeat=1):
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def prepend_results(text):
    """Put a section at the top of bench/RESULTS.md (newest first, after the file's header)."""
    results = ROOT / "RESULTS.md"
    old = results.read_text() if results.exists() else "# cdpcore benchmark results\n\nNewest first. `make bench` prepends a section.\n"
    head, sep, rest = old.partition("\n## ")
    results.write_text(head.rstrip("\n") + "\n\n" + text + ("\n## " + rest if sep else ""))
    return results


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def main():
    DATA.mkdir(exist_ok=True)
    rows = []
    customers = int(EVENTS / EVENTS_PER_CUSTOMER) + 1
    csv = DATA / f"events_{customers}.csv"
    if not csv.exists():
        t, _ = timed(lambda: cdp.generate_files(DATA / "tmp", customers=customers, days=120, seed=7))
        (DATA / "tmp" / "events.csv").rename(csv)
        print(f"generated {csv.name} in {t:.1f} s")

    # 1. CSV ingest vs pandas on the same file.
    ws = cdp.Workspace()
    t_cdp, rep = timed(lambda: ws.ingest_csv(csv, epoch_unit="us", progress=False))
    n = rep.read
    mem = ws.memory()
    del ws
    gc.collect()

    def pandas_read():
        df = pd.read_csv(csv, low_memory=False)
        df["ts"] = pd.to_datetime(df["ts"], unit="us", utc=True)
        return len(df)

    t_pd, n_pd = timed(pandas_read)
    assert n_pd == n, (n_pd, n)
    rows.append(("CSV ingest, %d rows, %.0f MB" % (n, csv.stat().st_size / 1e6),
                 "pandas.read_csv + to_datetime", t_cdp, t_pd, t_pd / t_cdp, ">= 2x faster"))
    gc.collect()

    # 2. numpy columns vs memcpy of the same bytes.
    rng = np.random.default_rng(7)
    m = n
    cols = {
        "event_id": np.arange(m, dtype=np.int64),
        "type": pd.Categorical.from_codes(rng.integers(0, 20, m, dtype=np.int32),
                                          categories=[f"type_{i}" for i in range(20)]),
        "ts": (np.int64(1_704_067_200_000_000_000) + np.sort(rng.integers(0, 120 * 86400 * 10**9, m))).view("datetime64[ns]"),
        "user_id": pd.Categorical.from_codes(rng.integers(0, m // 15, m, dtype=np.int32),
                                             categories=[f"u{i}" for i in range(m // 15)]),
        "revenue": np.where(rng.random(m) < 0.05, rng.lognormal(3, 1, m), np.nan),
    }
    arrays = [np.asarray(v.codes if isinstance(v, pd.Categorical) else v) for v in cols.values()]
    nbytes = sum(a.nbytes for a in arrays)
    t_copy, _ = timed(lambda: [np.copy(a) for a in arrays], repeat=3)
    ws = cdp.Workspace()
    df = pd.DataFrame(cols)
    t_np, rep2 = timed(lambda: ws.ingest(df, progress=False))
    assert rep2.accepted == m
    rows.append((f"numpy-column ingest, {m} events ({nbytes / 1e6:.0f} MB)", "np.copy of the same arrays",
                 t_np, t_copy, t_np / t_copy, "<= 3x a memcpy"))
    del ws, df
    gc.collect()

    # 4. Generator speed: the native generator into numpy columns (no peer; the goal is 10M+ in seconds).
    t_gen, raw = timed(lambda: cdp._core.generate(customers, 120, 7, 0.15, 0.01, 0.30, 1.0))
    n_gen = raw["events"]["rows"]
    del raw
    gc.collect()

    core = mem["core_bytes"] / max(mem["events"], 1)
    total = mem["total_bytes"] / max(mem["events"], 1)

    today = datetime.date.today().isoformat()
    lines = [
        f"## {today} — foundation benchmarks",
        "",
        f"Machine: {machine()}. Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}.",
        "",
        "| benchmark | peer | cdpcore s | peer s | ratio | goal |",
        "|---|---|---|---|---|---|",
    ]
    for name, peer, a, b, ratio, goal in rows:
        r = f"{ratio:.2f}x faster" if "faster" in goal else f"{ratio:.2f}x the memcpy"
        lines.append(f"| {name} | {peer} | {a:.3f} | {b:.3f} | {r} | {goal} |")
    lines += ["", f"Generator: {n_gen:,} events ({customers:,} customers, 120 days) as numpy columns in "
              f"{t_gen:.1f} s ({n_gen / t_gen / 1e6:.2f} M events/s).", "",
              f"Memory after the CSV ingest of {mem['events']:,} events: core columns (ts, type, profile, "
              f"revenue, arrival) {core:.1f} bytes/event (goal <= 40); everything (all columns, dictionary, "
              f"event-id index) {total:.1f} bytes/event.", ""]
    text = "\n".join(lines)
    print(text)
    prepend_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
