"""Workspace files from Python: round trip, crash safety (SIGKILL at random points during ingest,
during identity merges and during save) and the one-writer / many-readers contract, tested with
real processes."""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import cdpcore as cdp

BATCH = 3000  # rows per committed batch in the child processes

# The child: appends batches to a workspace file forever, printing each batch number once its
# ingest call has returned (committed). Modes add identity operations or snapshot saves.
CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import cdpcore as cdp
    path, mode, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ws = cdp.Workspace(path)
    k = ws.event_count() // batch
    while True:
        i = np.arange(batch)
        data = {"event_id": [f"{k}-{j}" for j in i], "type": ["page_view"] * batch,
                "ts": 1_704_067_200_000_000 + (k * batch + i) * 1_000_000,
                "user_id": [f"u{(k * 7 + j) % 400}" if j % 3 == 0 else None for j in i],
                "anonymous_id": [f"c{(k * 13 + j) % 900}" for j in i]}
        ws.ingest(data, epoch_unit="us", progress=False)
        print(f"batch {k}", flush=True)
        if mode == "merge":
            ws.resolve_identities()
            ws.link(f"anonymous_id:m{k}", f"user_id:u{k % 400}")
            print(f"link {k}", flush=True)
            if k % 2:
                ws.unmerge(f"anonymous_id:m{k}", f"user_id:u{k % 400}")
                print(f"unmerge {k}", flush=True)
        elif mode == "save":
            ws.save()
            print(f"save {k}", flush=True)
        k += 1
""")


def _child(tmp_path, path, mode):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen([sys.executable, str(script), str(path), mode, str(BATCH)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _acked(out, word):
    return [int(line.split()[1]) for line in out.splitlines() if line.startswith(word + " ")]


@pytest.mark.parametrize("mode", ["ingest", "merge", "save"])
def test_sigkill_at_random_points_keeps_exactly_the_committed_batches(tmp_path, mode):
    rng = random.Random(f"crash-{mode}")
    path = tmp_path / f"{mode}.cdp"
    acked_batches = 0
    for trial in range(6):
        proc = _child(tmp_path, path, mode)
        time.sleep(rng.uniform(0.6, 1.6))  # the interpreter starts in ~0.4 s; then batches commit
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        batches = _acked(out, "batch")
        assert "Traceback" not in err, err
        if batches:
            acked_batches = batches[-1] + 1
        try:
            ws = cdp.Workspace(path, read_only=True)
        except cdp.NotFoundError:  # killed before the file or its schema was committed
            assert acked_batches == 0
            continue
        n = ws.event_count()
        assert ws.integrity_check() == "ok"
        # Exactly whole committed batches: the acknowledged ones, plus at most the one whose commit
        # landed just before the kill (its acknowledgement not printed yet).
        assert n % BATCH == 0, (trial, n)
        assert acked_batches <= n // BATCH <= acked_batches + 1, (trial, n, acked_batches)
        acked_batches = n // BATCH
        ev = ws.events()
        assert ev["event_id"].nunique() == n
        assert set(ev["event_id"].str.split("-").str[0].astype(int)) == set(range(n // BATCH))
        if mode == "merge":
            links = _acked(out, "link")
            manual = ws.identity_graph()
            manual = manual[manual["rule"] == "manual"]
            # Every acknowledged link is there (with its unmerge when acknowledged).
            for k in links:
                row = manual[manual["a"] == f"user_id:u{k % 400}"]
                row = row[row["b"] == f"anonymous_id:m{k}"]
                assert len(row) == 1
            for k in _acked(out, "unmerge"):
                row = manual[manual["b"] == f"anonymous_id:m{k}"]
                assert list(row["status"]) == ["removed"]
            assert ws.resolve_identities().profiles > 0
        if mode == "save" and _acked(out, "save"):
            assert ws.identifiers()["profile"].notna().all()
        del ws


def test_one_writer_many_readers_across_processes(tmp_path):
    path = tmp_path / "shared.cdp"
    proc = _child(tmp_path, path, "ingest")
    try:
        deadline = time.time() + 30
        while not os.path.exists(path) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.8)
        with pytest.raises(cdp.InvalidArgumentError, match="is open for writing in another process"):
            cdp.Workspace(path)
        seen = []
        for _ in range(6):
            r = cdp.Workspace(path, read_only=True)
            n = r.event_count()
            assert n % BATCH == 0       # a reader sees whole committed batches only
            assert r.integrity_check() == "ok"
            with pytest.raises(cdp.InvalidArgumentError, match="is open read-only"):
                r.push({"event_id": "x", "type": "v", "ts": "2024-01-01T00:00:00Z", "user_id": "u"})
            seen.append(n)
            time.sleep(0.2)
        assert seen == sorted(seen) and seen[-1] > 0
    finally:
        proc.kill()
        proc.communicate()
    # The writer died: its lock went with it.
    ws = cdp.Workspace(path)
    assert ws.event_count() >= seen[-1]


def test_round_trip_gives_identical_frames(tmp_path):
    path = tmp_path / "shop.cdp"
    data = cdp.generate(customers=400, days=30, seed=5)
    ws = cdp.Workspace(path)
    ws.ingest(data["events"], progress=False)
    ws.import_profiles(data["customers"], ts="signup_ts")
    ws.define_trait("orders", "count", event_type="purchase")
    rep = ws.resolve_identities()
    ws.save()
    frames = {name: getattr(ws, name)() for name in ("events", "profiles", "identity_graph", "quarantine",
                                                     "attributes", "audit", "identifiers")}
    assert list(frames["audit"]["action"]) == ["ingest", "import_profiles", "define_trait", "save"]
    del ws
    again = cdp.Workspace(path)
    # replays and seconds describe this session's work, not the data.
    session = {"seconds": 0, "replays": 0}
    assert again.resolve_identities().to_dict() | session == rep.to_dict() | session
    for name, df in frames.items():
        pd.testing.assert_frame_equal(getattr(again, name)(), df, check_categorical=False, obj=name)
    # Dedupe across sessions: the same events again are all duplicates.
    rep2 = again.ingest(data["events"], progress=False)
    assert rep2.duplicates == rep2.read - rep2.quarantined and rep2.accepted == 0
