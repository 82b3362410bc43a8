"""Ingest workflows through the Python API."""
import gzip
import tempfile

import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp


def _tmp(data, suffix=".csv"):
    f = tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False)
    f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    f.close()
    return f.name


ROWS = [("e1", "page_view", "2024-03-01T10:00:00Z", "u1", ""),
        ("e2", "purchase", "2024-03-01T10:05:00Z", "u1", "12.5"),
        ("e3", "page_view", "2024-03-02T08:00:00Z", "u2", "")]


def _csv(delim=",", header=True, crlf=False, bom=False):
    nl = "\r\n" if crlf else "\n"
    lines = ([delim.join(["event_id", "type", "ts", "user_id", "revenue"])] if header else [])
    lines += [delim.join(r) for r in ROWS]
    text = nl.join(lines) + nl
    return ("\ufeff" if bom else "") + text


@pytest.mark.parametrize("variant", ["comma", "semicolon", "tab", "crlf", "bom", "gzip", "no header"])
def test_csv_dialects_give_the_same_events(variant):
    ws = cdp.Workspace()
    kw = {}
    if variant == "semicolon":
        path, kw = _tmp(_csv(";")), {"delimiter": ";"}
    elif variant == "tab":
        path, kw = _tmp(_csv("\t")), {"delimiter": "\t"}
    elif variant == "crlf":
        path = _tmp(_csv(crlf=True))
    elif variant == "bom":
        path = _tmp(_csv(bom=True))
    elif variant == "gzip":
        path = _tmp(gzip.compress(_csv().encode()), ".csv.gz")
    elif variant == "no header":
        path, kw = _tmp(_csv(header=False)), {"header": False,
                                              "columns": ["event_id", "type", "ts", "user_id", "revenue"]}
    else:
        path = _tmp(_csv())
    rep = ws.ingest_csv(path, progress=False, **kw)
    assert (rep.read, rep.accepted, rep.quarantined) == (3, 3, 0), rep
    ev = ws.events()
    assert list(ev["event_id"].astype(str)) == ["e1", "e2", "e3"]   # sorted by (profile, ts)
    # 2024-03-01T10:05:00Z: `date -u -d 2024-03-01T10:05:00Z +%s` = 1709287500
    assert ev["ts"][1] == pd.Timestamp(1709287500, unit="s", tz="UTC")
    assert ev["revenue"][1] == 12.5 and np.isnan(ev["revenue"][0])


def test_whitespace_delimited():
    ws = cdp.Workspace()
    text = "event_id  type   ts          user_id\n e1   view  20240301    u1\n"
    rep = ws.ingest_csv(_tmp(text), delimiter="whitespace", progress=False)
    assert rep.accepted == 1
    # YYYYMMDD 20240301 = 2024-03-01T00:00:00Z = 1709251200 s (date -u -d 2024-03-01 +%s)
    assert ws.events()["ts"][0] == pd.Timestamp(1709251200, unit="s", tz="UTC")


def test_epoch_units_and_offsets():
    ws = cdp.Workspace()
    text = ("event_id,type,ts,user_id\n"
            "s,view,1709251200,u1\n"            # seconds
            "ms,view,1709251200000,u1\n"        # milliseconds
            "us,view,1709251200000000,u1\n"     # microseconds
            "off,view,2024-03-01T01:00:00+01:00,u1\n")
    rep = ws.ingest_csv(_tmp(text), progress=False)
    assert rep.accepted == 4
    assert set(ws.events()["ts"]) == {pd.Timestamp(1709251200, unit="s", tz="UTC")}


def test_ndjson_nested_objects_flatten():
    ws = cdp.Workspace()
    text = ('{"event_id":"n1","type":"click","ts":"2024-03-01T00:00:00Z","anonymous_id":"c1",'
            '"page":{"url":"/home","x":0.25},"tags":["a","b"]}\n\n'
            '{"event_id":"n2","type":"click","ts":"2024-03-01T00:00:01Z","anonymous_id":"c1","page":{"x":0.5}}\n')
    rep = ws.ingest_ndjson(_tmp(text, ".ndjson"), progress=False)
    assert (rep.read, rep.accepted) == (2, 2)
    ev = ws.events()
    assert list(ev["page.x"]) == [0.25, 0.5]
    assert ev["page.url"][0] == "/home" and pd.isna(ev["page.url"][1])
    assert ev["tags"][0] == '["a","b"]'


def test_dataframe_ingest_zero_copy_types_and_dedupe():
    ws = cdp.Workspace()
    n = 1000
    df = pd.DataFrame({
        "event_id": [f"id{i}" for i in range(n)],
        "type": pd.Categorical(["view", "purchase"] * (n // 2)),
        "ts": pd.to_datetime(1709251200 + np.arange(n), unit="s", utc=True),
        "user_id": [f"u{i % 10}" for i in range(n)],
        "revenue": np.where(np.arange(n) % 2 == 1, 2.0, np.nan),
        "qty": np.arange(n, dtype=np.int64),
        "vip": np.arange(n) % 3 == 0,
    })
    rep = ws.ingest(df, progress=False)
    assert (rep.read, rep.accepted) == (n, n)
    ev = ws.events()
    assert len(ev) == n
    # Sum of revenue: 500 purchases x 2.0 (hand calculation)
    assert ev["revenue"].sum() == pytest.approx(1000.0)
    assert ev["qty"].sum() == n * (n - 1) // 2
    assert ev["vip"].sum() == len(range(0, n, 3))
    # Same frame again: all duplicates, nothing added.
    rep2 = ws.ingest(df, progress=False)
    assert (rep2.accepted, rep2.duplicates) == (0, n)
    s1, s4 = ws.summary(1), ws.summary(4)
    assert s1 == s4
    assert s1["profiles"] == 10 and s1["by_type"] == {"view": 500, "purchase": 500}


def test_numpy_dict_ingest_with_epoch_seconds():
    ws = cdp.Workspace()
    rep = ws.ingest({"event_id": np.array(["a", "b"], dtype=object), "type": ["view", "view"],
                     "ts": np.array([1709251200, 1709251260], dtype=np.int64), "device_id": ["d1", "d1"]},
                    epoch_unit="s", progress=False)
    assert rep.accepted == 2
    assert ws.events()["ts"][1] == pd.Timestamp(1709251260, unit="s", tz="UTC")


def test_push_accepted_duplicate():
    ws = cdp.Workspace()
    ev = {"event_id": "p1", "type": "page_view", "ts": "2024-01-01T10:00:00Z", "user_id": "u1", "plan": "gold"}
    assert ws.push(ev) == "accepted"
    assert ws.push(ev) == "duplicate"
    rep = ws.push_report()
    assert (rep.read, rep.accepted, rep.duplicates) == (2, 1, 1)
    assert ws.events()["plan"][0] == "gold"


def test_report_html_and_text():
    ws = cdp.Workspace()
    rep = ws.ingest_csv(_tmp(_csv() + "bad,view,notatime,u1,\n"), progress=False)
    html = rep._repr_html_()
    assert "<table>" in html and "bad_timestamp" in html
    assert "quarantined 1" in repr(rep).replace("=", " ")
    assert "bad_timestamp" in str(rep)
    assert ws.reports[-1] is rep


def test_property_type_inference_and_widening():
    ws = cdp.Workspace()
    ws.ingest_csv(_tmp("event_id,type,ts,user_id,code,n\n1,v,2024-01-01,u,007,5\n"), progress=False)
    ws.ingest_csv(_tmp("event_id,type,ts,user_id,code,n\n2,v,2024-01-02,u,8,5.5\n"), progress=False)
    ev = ws.events()
    assert list(ev["code"]) == ["007", "8"]          # leading zero keeps it text
    assert list(ev["n"]) == [5.0, 5.5]                # int widened to double


def test_epoch_unit_option_applies_to_numeric_columns():
    # 1709251200000 read as milliseconds is 2024-03-01T00:00:00Z; by magnitude alone it would also
    # be ms, so use a value whose magnitude says seconds: 1709251200 ms = 1970-01-20T18:47:31.2Z.
    ws = cdp.Workspace()
    ws.ingest({"event_id": ["a"], "type": ["v"], "ts": np.array([1709251200], dtype=np.int64),
               "user_id": ["u"]}, epoch_unit="ms", progress=False)
    assert ws.events()["ts"][0] == pd.Timestamp(1709251200, unit="ms", tz="UTC")


def test_constant_revenue_must_be_a_number():
    with pytest.raises(cdp.InvalidArgumentError, match="constant revenue must be a finite number"):
        cdp.Workspace().ingest({"ts": [1], "type": ["v"], "user_id": ["u"]}, mapping={"revenue": "=ten"})
