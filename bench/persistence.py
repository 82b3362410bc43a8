"""Persistence: save + reopen of a cdpcore workspace file vs pandas to_sql / read_sql into SQLite (issue: persistence).

Goal: save + reopen of 10M events >= 10x faster than pandas `to_sql` + `read_sql` of the same data into SQLite.

Data: cdpcore.generate(customers=N, days=120, seed=7)["events"] -- a DataFrame of ~14.6 events per customer,
26 columns (categoricals, datetime64[ns, UTC], floats, nullable ints). Sizes: 68,500 customers (~1.0M events)
and 685,000 customers (~10.0M events). Generating the data is not timed.

Each side runs in its own subprocess (this script with --side), so memory and allocator state do not mix.

  cdpcore
    memory ingest  ws = cdpcore.Workspace(); ws.ingest(df)   -- the same work without a file (in-memory baseline)
    save           ws = cdpcore.Workspace(path); ws.ingest(df); del ws  -- create the file, ingest (one
                   transaction of columnar BLOB chunks, WAL), close (last connection: WAL checkpoint).
                   ws.save() (derived snapshot tables, resolves identities) is NOT part of it.
    reopen         ws = cdpcore.Workspace(path) (loads dictionaries, event ids, event chunks -- eager),
                   then ws.event_count(). Note: every query, event_count() included, first resolves
                   identities (not persisted by an ingest), so the first event_count() is not free.
    info           ws.events() after that (full DataFrame materialization), timed separately.
  pandas
    save           con = sqlite3.connect(path2); df.to_sql("events", con, index=False, chunksize=100_000);
                   con.commit(); con.close()   (method=None: executemany; default sqlite3 pragmas; the tz-aware
                   datetime is stored as text, pandas' normal behaviour)
    reopen         con = sqlite3.connect(path2); pd.read_sql("SELECT * FROM events", con); con.close()

Ratios (pandas / cdpcore, > 1 = cdpcore faster):
  (a) end-to-end:       (to_sql + read_sql) / (cdp save + cdp reopen)
  (b) persistence-only: (to_sql + read_sql) / (cdp save - cdp memory ingest + cdp reopen)
Files are deleted before every run (path, -wal, -shm, -lock); reads are from a warm OS page cache on both sides.
Timings are the best of --repeat runs per quantity. The installed cdpcore package is copied once at the start
and every side imports that copy (PYTHONPATH), so one run measures one build even if the package is reinstalled.

Run: .venv/bin/python bench/persistence.py  (adds a section to bench/RESULTS.md; --no-write to skip).
     --pandas-max-customers N: measure pandas only up to N customers and extrapolate linearly (labelled).
"""
import argparse
import datetime
import gc
import json
import os
import pathlib
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from run import machine, prepend_results  # noqa: E402

SEED = 7
DAYS = 120
PANDAS_CHUNKSIZE = 100_000
SIZES = (68_500, 685_000)   # ~1.0M and ~10.0M events


# --------------------------------------------------------------------------------------------------
# Helpers

def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024                               # kB -> bytes
    return 0


def reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0); returns the RSS baseline in bytes."""
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status("VmRSS")


def remove(path):
    for suffix in ("", "-wal", "-shm", "-lock", "-journal"):
        try:
            os.remove(str(path) + suffix)
        except FileNotFoundError:
            pass


def size(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def loadavg():
    return list(os.getloadavg())


def library():
    """The imported cdpcore extension: sha256 prefix and mtime (copytree keeps the installed file's mtime)."""
    import hashlib
    import importlib.util
    spec = importlib.util.find_spec("cdpcore._core")
    path = spec.origin
    h = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()[:12]
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M:%S")
    return f"{h} ({mtime})"


def data(customers):
    import cdpcore as cdp
    t0 = time.perf_counter()
    df = cdp.generate(customers=customers, days=DAYS, seed=SEED)["events"]
    return df, time.perf_counter() - t0


# --------------------------------------------------------------------------------------------------
# Sides (each in its own process)

def side_cdp(customers, repeat, directory):
    import cdpcore as cdp
    lib_start = library()
    df, t_data = data(customers)
    path = pathlib.Path(directory) / f"events_{customers}.cdp"
    runs = []
    load = [loadavg()]
    for _ in range(repeat):
        r = {}
        # In-memory baseline: the same ingest without a file.
        gc.collect()
        ws = cdp.Workspace()
        t0 = time.perf_counter()
        rep = ws.ingest(df, progress=False)
        r["mem_ingest_s"] = time.perf_counter() - t0
        accepted = rep.accepted
        t0 = time.perf_counter()
        assert ws.event_count() == accepted
        r["mem_first_count_s"] = time.perf_counter() - t0          # identity resolution, in memory
        del ws, rep
        gc.collect()

        # Save: create the file, ingest, close.
        remove(path)
        gc.collect()
        t0 = time.perf_counter()
        ws = cdp.Workspace(path)
        r["create_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = ws.ingest(df, progress=False)
        r["file_ingest_s"] = time.perf_counter() - t0
        assert rep.accepted == accepted, (rep.accepted, accepted)
        r["db_bytes_open"], r["wal_bytes_open"] = size(path), size(str(path) + "-wal")
        t0 = time.perf_counter()
        del ws, rep
        gc.collect()
        r["close_s"] = time.perf_counter() - t0
        r["db_bytes"], r["wal_bytes"] = size(path), size(str(path) + "-wal")
        r["save_s"] = r["create_s"] + r["file_ingest_s"] + r["close_s"]

        # Reopen: load the file, then a query (which resolves identities first).
        base = reset_peak()
        t0 = time.perf_counter()
        ws = cdp.Workspace(path)
        r["open_s"] = time.perf_counter() - t0
        r["open_peak_bytes"] = _status("VmHWM") - base
        t0 = time.perf_counter()
        n = ws.event_count()
        r["first_count_s"] = time.perf_counter() - t0
        assert n == accepted, (n, accepted)
        t0 = time.perf_counter()
        n2 = ws.event_count()
        r["second_count_s"] = time.perf_counter() - t0
        assert n2 == n
        r["reopen_s"] = r["open_s"] + r["first_count_s"]
        r["reopen_peak_bytes"] = _status("VmHWM") - base
        t0 = time.perf_counter()
        ev = ws.events()
        r["events_s"] = time.perf_counter() - t0
        assert len(ev) == n, (len(ev), n)
        r["events_peak_bytes"] = _status("VmHWM") - base
        del ev, ws
        gc.collect()
        # The first query on the file wrote the identity links' provenance times into it (not done by an
        # ingest); a second reopen of the same file is the steady state.
        r["db_bytes_after_query"] = size(path)
        t0 = time.perf_counter()
        ws = cdp.Workspace(path)
        r["open2_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        assert ws.event_count() == accepted
        r["first_count2_s"] = time.perf_counter() - t0
        r["reopen2_s"] = r["open2_s"] + r["first_count2_s"]
        del ws
        gc.collect()
        remove(path)
        runs.append(r)
        load.append(loadavg())
    best = {k: min(x[k] for x in runs) for k in runs[0]}
    lib_end = library()
    assert lib_end == lib_start, f"cdpcore was reinstalled during the run: {lib_start} -> {lib_end}"
    return {"side": "cdpcore", "library": lib_start, "customers": customers, "rows": len(df), "accepted": int(accepted),
            "data_s": t_data, "repeat": repeat, "best": best, "runs": runs, "load": load}


def side_pandas(customers, repeat, directory):
    df, t_data = data(customers)
    path = pathlib.Path(directory) / f"events_{customers}.sqlite"
    runs = []
    load = [loadavg()]
    for _ in range(repeat):
        r = {}
        remove(path)
        gc.collect()
        t0 = time.perf_counter()
        con = sqlite3.connect(path)
        df.to_sql("events", con, index=False, chunksize=PANDAS_CHUNKSIZE, method=None)
        con.commit()
        con.close()
        r["save_s"] = time.perf_counter() - t0
        r["db_bytes"] = size(path)

        base = reset_peak()
        t0 = time.perf_counter()
        con = sqlite3.connect(path)
        out = pd.read_sql("SELECT * FROM events", con)
        con.close()
        r["reopen_s"] = time.perf_counter() - t0
        r["reopen_peak_bytes"] = _status("VmHWM") - base
        assert out.shape == df.shape, (out.shape, df.shape)
        del out
        gc.collect()
        remove(path)
        runs.append(r)
        load.append(loadavg())
    best = {k: min(x[k] for x in runs) for k in runs[0]}
    return {"side": "pandas", "customers": customers, "rows": len(df), "data_s": t_data, "repeat": repeat,
            "best": best, "runs": runs, "load": load}


def snapshot(directory):
    """Copy the installed cdpcore package into directory/lib so that every side of one run uses the same
    build even if the package is reinstalled meanwhile. Returns (lib dir, "sha256 prefix (mtime)")."""
    import importlib.util
    spec = importlib.util.find_spec("cdpcore")
    src = pathlib.Path(spec.origin).parent
    lib = pathlib.Path(directory) / "lib"
    for _ in range(5):
        before = library()
        shutil.rmtree(lib, ignore_errors=True)
        shutil.copytree(src, lib / "cdpcore", ignore=shutil.ignore_patterns("__pycache__"))
        if library() == before:
            break
        time.sleep(10)
    else:
        raise RuntimeError("cdpcore keeps changing while it is copied")
    return lib, before


def run_side(side, customers, repeat, directory, lib=None):
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--side", side, "--customers", str(customers),
           "--repeat", str(repeat), "--dir", str(directory)]
    env = dict(os.environ)
    if lib is not None:
        env["PYTHONPATH"] = str(lib) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    print(f"[{datetime.datetime.now():%H:%M:%S}] {side} customers={customers:,} repeat={repeat} "
          f"load={os.getloadavg()[0]:.2f}", flush=True)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    res = json.loads(out.strip().splitlines()[-1])
    res["wall_s"] = time.perf_counter() - t0
    b = res["best"]
    print(f"    save {b['save_s']:.3f} s  reopen {b['reopen_s']:.3f} s  (rows {res['rows']:,}; "
          f"process {res['wall_s']:.0f} s)", flush=True)
    return res


# --------------------------------------------------------------------------------------------------
# Main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", choices=("cdp", "pandas"))
    ap.add_argument("--customers", type=int)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dir", default=None, help="where the files go (default: a new temporary directory)")
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="customers, comma-separated")
    ap.add_argument("--repeat-small", type=int, default=3, help="repeats for sizes < 200,000 customers")
    ap.add_argument("--pandas-max-customers", type=int, default=None,
                    help="measure pandas only up to this size; extrapolate linearly above it")
    ap.add_argument("--no-write", action="store_true", help="print only; do not touch RESULTS.md")
    args = ap.parse_args()

    if args.side:
        fn = side_cdp if args.side == "cdp" else side_pandas
        print(json.dumps(fn(args.customers, args.repeat, args.dir)))
        return 0

    directory = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="cdp_persistence_"))
    directory.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    load_start = os.getloadavg()
    results = []
    try:
        lib, installed = snapshot(directory)
        print(f"cdpcore snapshot of the installed package: {installed} -> {lib}", flush=True)
        measured_pd = {}
        for customers in sizes:
            repeat = args.repeat_small if customers < 200_000 else 1
            c = run_side("cdp", customers, repeat, directory, lib)
            if args.pandas_max_customers is None or customers <= args.pandas_max_customers:
                p = run_side("pandas", customers, repeat, directory, lib)
                p["extrapolated"] = False
                measured_pd[customers] = p
            else:
                src = measured_pd[max(measured_pd)]
                f = c["rows"] / src["rows"]
                p = {"side": "pandas", "customers": customers, "rows": c["rows"], "extrapolated": True,
                     "from_rows": src["rows"],
                     "best": {k: v * f for k, v in src["best"].items()}}
            results.append((c, p))
    finally:
        if not args.dir:
            shutil.rmtree(directory, ignore_errors=True)
    load_end = os.getloadavg()

    # ----------------------------------------------------------------------------------------------
    def mib(b):
        return b / 2**20

    def ratio(a, b):
        return f"{a / b:.2f}x" if b > 0 else "n/a"

    lines = [
        f"## {datetime.date.today().isoformat()} — persistence: save + reopen vs pandas to_sql/read_sql (issue: persistence)",
        "",
        f"Machine: {machine()}. Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"SQLite {sqlite3.sqlite_version}, cdpcore extension {results[0][0]['library']} (sha256 prefix, install time; "
        f"a copy of the installed package taken at the start, used by every side). `bench/persistence.py`, data `cdpcore.generate(customers=N, days={DAYS}, "
        f"seed={SEED})[\"events\"]` (26 columns); each side in its own process. Load average "
        f"{load_start[0]:.2f} at start, {load_end[0]:.2f} at end (1-min; other jobs share the 2 cores).",
        "",
        "Timings in seconds (best of the runs shown in the first column).",
        "",
        "| events (runs) | cdp memory ingest | cdp file ingest | cdp close | cdp save | cdp open | cdp 1st event_count | "
        "cdp reopen | cdp events() | pandas to_sql | pandas read_sql | cdp file MB | pandas file MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c, p in results:
        b, q = c["best"], p["best"]
        ext = " (extrapolated)" if p["extrapolated"] else ""
        lines.append(
            f"| {c['accepted']:,} ({c['repeat']}) | {b['mem_ingest_s']:.3f} | {b['file_ingest_s']:.3f} | {b['close_s']:.3f} | "
            f"{b['save_s']:.3f} | {b['open_s']:.3f} | {b['first_count_s']:.3f} | {b['reopen_s']:.3f} | {b['events_s']:.3f} | "
            f"{q['save_s']:.2f}{ext} | {q['reopen_s']:.2f}{ext} | {b['db_bytes'] / 1e6:,.0f} | "
            f"{q['db_bytes'] / 1e6:,.0f}{ext} |")
    lines += [
        "",
        "| events | pandas save+reopen s | (a) end-to-end: cdp save+reopen s | ratio (a) | (b) persistence-only: "
        "cdp save−memory ingest+reopen s | ratio (b) | save only (to_sql / cdp save) | reopen only (read_sql / cdp reopen) | goal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c, p in results:
        b, q = c["best"], p["best"]
        pd_total = q["save_s"] + q["reopen_s"]
        a = b["save_s"] + b["reopen_s"]
        persist = b["save_s"] - b["mem_ingest_s"] + b["reopen_s"]
        ext = " (pandas extrapolated)" if p["extrapolated"] else ""
        lines.append(
            f"| {c['accepted']:,}{ext} | {pd_total:.2f} | {a:.3f} | {ratio(pd_total, a)} | {persist:.3f} | "
            f"{ratio(pd_total, persist)} | {ratio(q['save_s'], b['save_s'])} | {ratio(q['reopen_s'], b['reopen_s'])} | >= 10x |")
    c, p = results[-1]
    b, q = c["best"], p["best"]
    lines += [
        "",
        f"- cdpcore save = `Workspace(path)` + `ws.ingest(df)` (one transaction, WAL, synchronous=NORMAL) + close "
        f"(`del ws`: WAL checkpoint); `ws.save()` not included. Memory ingest = the same `ws.ingest(df)` into "
        f"`Workspace()`. Reopen = `Workspace(path)` (eager load of dictionaries, event ids, event chunks) + the first "
        f"`event_count()`, which resolves identities first (they are not stored by an ingest): the same resolution "
        f"on the in-memory workspace took {b['mem_first_count_s']:.3f} s at {c['accepted']:,} events; a second "
        f"`event_count()` takes {b['second_count_s'] * 1e3:.2f} ms. `events()` (DataFrame of all events, 33 columns) "
        f"is timed after that, not in the ratios.",
        f"- The first query after the first reopen also writes the identity links' provenance times into the file "
        f"(an ingest does not; an in-memory workspace never does): the file grows from {b['db_bytes'] / 1e6:,.0f} MB to "
        f"{b['db_bytes_after_query'] / 1e6:,.0f} MB. A second reopen of that file takes {b['open2_s']:.3f} s open + "
        f"{b['first_count2_s']:.3f} s first event_count = {b['reopen2_s']:.3f} s (not in the ratios).",
        f"- pandas: `df.to_sql(\"events\", sqlite3.connect(path), index=False, chunksize={PANDAS_CHUNKSIZE:,})` "
        f"(method=None; default sqlite3 journal/synchronous) + commit + close; `pd.read_sql(\"SELECT * FROM events\", con)`. "
        f"The tz-aware `ts` is stored as text and read back as text (no parsing timed). pandas stores all "
        f"{p['rows']:,} rows; cdpcore accepts {c['accepted']:,} and quarantines {p['rows'] - c['accepted']:,} "
        f"(no identifier), which it also writes to the file.",
        f"- Files are deleted between runs; both reopens read from a warm OS page cache. Peak RSS growth at "
        f"{c['accepted']:,} events: cdp open +{mib(b['open_peak_bytes']):,.0f} MiB, open + event_count "
        f"+{mib(b['reopen_peak_bytes']):,.0f} MiB, + events() +{mib(b['events_peak_bytes']):,.0f} MiB; pandas read_sql "
        + (f"+{mib(q['reopen_peak_bytes']):,.0f} MiB." if not p["extrapolated"] else "(not measured at this size)."),
        f"- WAL after the ingest, before close: {b['wal_bytes_open'] / 1e6:,.0f} MB beside a {b['db_bytes_open'] / 1e6:,.0f} MB "
        f"database; after close {b['wal_bytes'] / 1e6:,.0f} MB WAL, {b['db_bytes'] / 1e6:,.0f} MB database "
        f"({b['db_bytes'] / c['accepted']:.0f} bytes/event; pandas {q['db_bytes'] / p['rows']:.0f} bytes/row).",
    ]
    libs = sorted({c["library"] for c, _ in results})
    if len(libs) > 1:
        lines.append(f"- WARNING: the cdpcore extension changed between sizes: {', '.join(libs)}.")
    if any(p["extrapolated"] for _, p in results):
        lines.append("- pandas figures marked extrapolated are scaled linearly by rows from the largest measured size.")
    lines.append("")
    text = "\n".join(lines)
    print()
    print(text)
    print(json.dumps([{"cdp": c, "pandas": p} for c, p in results]), file=sys.stderr)
    if not args.no_write:
        print(f"added to {prepend_results(text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
