"""Regressions for defects found in review of the ingest kernel."""
import tempfile

import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp


def _tmp(text, suffix=".csv"):
    f = tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False)
    f.write(text)
    f.close()
    return f.name


def test_source_column_named_like_a_set_aside_field_is_a_plain_property():
    ws = cdp.Workspace()
    rep = ws.ingest_csv(_tmp("event_id,type,ts,user_id,score_invalid\n1,v,2024-01-01,u,5\n"), progress=False)
    assert rep.accepted == 1 and rep.warnings == {}
    assert ws.events()["src.score_invalid"][0] == 5


def test_failing_progress_callback_stores_nothing():
    ws = cdp.Workspace()
    rows = "".join(f"{i},v,2024-01-01,u{i}\n" for i in range(200_000))
    path = _tmp("event_id,type,ts,user_id\n" + rows)
    calls = []

    def boom(done, total):
        calls.append(done)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ws._ws.ingest_csv(path, {}, boom)
    assert calls and ws.event_count() == 0
    rep = ws.ingest_csv(path, progress=False)          # nothing was remembered either
    assert (rep.accepted, rep.duplicates) == (200_000, 0)


def test_range_check_is_per_cell_when_a_column_has_text():
    plan = {"properties": {"qty": {"min": 0}}}
    ws = cdp.Workspace()
    rep = ws.ingest_csv(_tmp("event_id,type,ts,user_id,qty\n1,v,2024-01-01,u,5\n2,v,2024-01-01,u,7\n"
                             "3,v,2024-01-01,u,lots\n4,v,2024-01-01,u,-1\n"), plan=plan, progress=False)
    assert (rep.accepted, rep.quarantined) == (2, 2), ws.quarantine()["reason"].tolist()


def test_declared_types_are_per_event_type():
    plan = {"events": {"purchase": {"properties": {"value": {"type": "number"}}},
                       "signup": {"properties": {"value": {"type": "string"}}}}}
    ws = cdp.Workspace()
    rep = ws.ingest_csv(_tmp("event_id,type,ts,user_id,value\n1,purchase,2024-01-01,u,9.5\n"
                             "2,signup,2024-01-01,u,newsletter\n3,purchase,2024-01-01,u,free\n"),
                        plan=plan, progress=False)
    assert (rep.accepted, rep.quarantined) == (2, 1)
    assert "purchase.value" in ws.quarantine()["reason"][0]


def test_required_core_fields_are_always_present():
    plan = {"events": {"v": {"required": ["event_id", "ts", "type"]}}}
    rep = cdp.Workspace().ingest_csv(_tmp("event_id,type,ts,user_id\n1,v,2024-01-01,u\n"), plan=plan,
                                     progress=False)
    assert rep.accepted == 1


def test_float_timestamps_use_the_magnitude_rule_and_reject_out_of_range():
    ws = cdp.Workspace()
    # 1704067200000.0 is milliseconds by magnitude: 2024-01-01T00:00:00Z (date -u -d @1704067200).
    rep = ws.ingest({"event_id": ["a", "b"], "type": ["v", "v"], "ts": np.array([1704067200000.0, 1e25]),
                     "user_id": ["u", "u"]}, progress=False)
    assert (rep.accepted, rep.quarantined) == (1, 1)
    assert ws.events()["ts"][0] == pd.Timestamp("2024-01-01", tz="UTC")


def test_generated_event_ids_do_not_depend_on_the_batch():
    ws = cdp.Workspace()
    l1 = '{"type": "v", "ts": "2024-01-01", "user_id": "u"}\n'
    l2 = '{"type": "v", "ts": "2024-01-02", "user_id": "u", "x": 1}\n'
    ws.ingest_ndjson(_tmp(l1 + l2, ".ndjson"), progress=False)
    rep = ws.ingest_ndjson(_tmp(l1, ".ndjson"), progress=False)
    assert (rep.accepted, rep.duplicates) == (0, 1)


def test_nullable_boolean_without_missing_values():
    ws = cdp.Workspace()
    rep = ws.ingest(pd.DataFrame({"ts": pd.to_datetime(["2024-01-01"], utc=True), "type": ["v"],
                                  "user_id": ["u"], "vip": pd.array([True], dtype="boolean")}), progress=False)
    assert rep.accepted == 1 and bool(ws.events()["vip"][0])


def test_source_column_named_profile_key_is_renamed():
    ws = cdp.Workspace()
    ws.ingest_csv(_tmp("event_id,type,ts,user_id,profile_key\n1,v,2024-01-01,u,old\n"), progress=False)
    ev = ws.events()
    assert list(ev.columns).count("profile_key") == 1
    assert ev["profile_key"][0] == "user_id:u" and ev["src.profile_key"][0] == "old"
