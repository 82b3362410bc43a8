"""The bad-input table: every case gives a clear message, the counts add up, and what was stored
before is intact."""
import gzip
import json

import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp

BASE = "event_id,type,ts,user_id,revenue\nb1,page_view,2024-01-01T00:00:00Z,u1,\nb2,purchase,2024-01-02T00:00:00Z,u1,9.5\n"
HEADER = "event_id,type,ts,user_id,revenue\n"


@pytest.fixture
def ws():
    w = cdp.Workspace()
    rep = w.ingest_csv(_write_tmp(BASE), progress=False)
    assert (rep.read, rep.accepted) == (2, 2)
    return w


_TMP = {}


def _write_tmp(text, suffix=".csv", binary=False):
    import tempfile
    f = tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False)
    f.write(text if binary else text.encode("utf-8") if isinstance(text, str) else text)
    f.close()
    return f.name


def _intact(ws, extra=0):
    ev = ws.events()
    assert {"b1", "b2"} <= set(ev["event_id"].astype(str))
    assert len(ev) == 2 + extra


PLAN = {"allow_unplanned_events": False,
        "events": {"purchase": {"required": ["revenue", "sku"],
                                "properties": {"revenue": {"type": "number", "min": 0},
                                               "sku": {"type": "string", "enum": ["A", "B"]},
                                               "qty": {"type": "integer", "min": 1, "max": 99}},
                                "additional_properties": False},
                   "page_view": {}}}

# (id, csv body after HEADER or full text, options, expected code, message fragment)
ROW_CASES = [
    ("unterminated quote", HEADER + 'x1,page_view,2024-01-03,"u2,\n', {}, "unterminated_quote", "unterminated"),
    ("wrong field count", HEADER + "x1,page_view,2024-01-03,u2,1,extra\n", {}, "wrong_field_count", "expected 5"),
    ("too few fields", HEADER + "x1,page_view,2024-01-03\n", {}, "wrong_field_count", "expected 5"),
    ("invalid utf-8", (HEADER + "x1,page_view,2024-01-03,u\xff2,\n").encode("latin-1"), {}, "invalid_utf8", "invalid UTF-8"),
    ("bad month", HEADER + "x1,page_view,2024-13-03,u2,\n", {}, "bad_timestamp", "month"),
    ("garbage timestamp", HEADER + "x1,page_view,yesterday,u2,\n", {}, "bad_timestamp", "yesterday"),
    ("ambiguous slash date", HEADER + "x1,page_view,01/02/2024,u2,\n", {}, "ambiguous_timestamp", "ambiguous"),
    ("DST gap", HEADER + "x1,page_view,2024-03-31 02:30:00,u2,\n", {"time_zone": "Europe/Rome"},
     "bad_timestamp", "does not exist"),
    ("DST overlap", HEADER + "x1,page_view,2024-10-27 02:30:00,u2,\n", {"time_zone": "Europe/Rome"},
     "ambiguous_timestamp", "ambiguous"),
    ("missing timestamp", HEADER + "x1,page_view,,u2,\n", {}, "missing_timestamp", "missing timestamp"),
    ("NaN revenue", HEADER + "x1,purchase,2024-01-03,u2,NaN\n", {}, "bad_revenue", "not a finite number"),
    ("inf revenue", HEADER + "x1,purchase,2024-01-03,u2,inf\n", {}, "bad_revenue", "not a finite number"),
    ("text revenue", HEADER + "x1,purchase,2024-01-03,u2,ten\n", {}, "bad_revenue", "not a number"),
    ("huge field", HEADER + "x1,page_view,2024-01-03,u2," + "9" * 3000 + "\n", {"max_field_bytes": 1000},
     "field_too_large", "exceeds"),
    ("no identifier", HEADER + "x1,page_view,2024-01-03,,\n", {}, "missing_identifier", "no identifier"),
    ("no event type", HEADER + "x1,,2024-01-03,u2,\n", {}, "missing_type", "missing event type"),
    ("empty event id", HEADER + ",page_view,2024-01-03,u2,\n", {}, "missing_event_id", "missing event_id"),
]


@pytest.mark.parametrize("name,text,opts,code,fragment", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_row_is_quarantined(ws, name, text, opts, code, fragment):
    path = _write_tmp(text, binary=isinstance(text, bytes))
    rep = ws.ingest_csv(path, progress=False, **opts)
    assert rep.read == rep.accepted + rep.quarantined + rep.duplicates
    assert rep.quarantined == 1 and rep.accepted == 0, rep
    assert rep.reasons == {code: 1}
    q = ws.quarantine()
    assert len(q) == 1
    assert q.loc[0, "code"] == code
    assert fragment in q.loc[0, "reason"], q.loc[0, "reason"]
    assert q.loc[0, "source"] == path
    assert q.loc[0, "line"] == 2  # the header is line 1
    _intact(ws)


PLAN_CASES = [
    ("plan required missing", "p1,purchase,2024-01-03,u2,5,,\n", "requires \"sku\""),
    ("plan enum", "p1,purchase,2024-01-03,u2,5,Z,\n", "is not one of A, B"),
    ("plan below minimum", "p1,purchase,2024-01-03,u2,-5,A,\n", "below the minimum 0"),
    ("plan above maximum", "p1,purchase,2024-01-03,u2,5,A,100\n", "above the maximum 99"),
    ("plan wrong type", "p1,purchase,2024-01-03,u2,5,A,two\n", "expected an integer"),
    ("plan unplanned event", "p1,refund,2024-01-03,u2,5,A,\n", "not in the tracking plan"),
]


@pytest.mark.parametrize("name,row,fragment", PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_plan_violation_is_quarantined(ws, name, row, fragment):
    text = "event_id,type,ts,user_id,revenue,sku,qty\n" + row
    rep = ws.ingest_csv(_write_tmp(text), plan=PLAN, progress=False)
    assert rep.consistent and rep.quarantined == 1 and rep.reasons == {"plan_violation": 1}, rep
    assert fragment in ws.quarantine().loc[0, "reason"]
    _intact(ws)


def test_plan_additional_property_refused(ws):
    text = "event_id,type,ts,user_id,revenue,sku,coupon\np1,purchase,2024-01-03,u2,5,A,X\n"
    rep = ws.ingest_csv(_write_tmp(text), plan=PLAN, progress=False)
    assert rep.reasons == {"plan_violation": 1}
    assert 'property "coupon" is not allowed for purchase' in ws.quarantine().loc[0, "reason"]
    _intact(ws)


FILE_CASES = [
    ("missing file", lambda w: w.ingest_csv("/nonexistent/dir/events.csv", progress=False),
     cdp.NotFoundError, "events.csv"),
    ("empty file", lambda w: w.ingest_csv(_write_tmp(""), progress=False), cdp.InvalidArgumentError, "empty"),
    ("unreadable gzip", lambda w: w.ingest_csv(_write_tmp(gzip.compress(BASE.encode())[:40], ".csv.gz", True),
                                               progress=False), cdp.Error, "gzip"),
    ("mapping to a missing column", lambda w: w.ingest_csv(_write_tmp(HEADER), mapping={"ts": "timestamp"},
                                                         progress=False),
     cdp.InvalidArgumentError, 'no such column'),
    ("mapping typo suggests", lambda w: w.ingest_csv(_write_tmp(HEADER), mapping={"user_id": "usr_id"},
                                                   progress=False),
     cdp.InvalidArgumentError, 'did you mean "user_id"'),
    ("unknown field", lambda w: w.ingest_csv(_write_tmp(HEADER), mapping={"timestamp": "ts"}, progress=False),
     cdp.InvalidArgumentError, 'unknown field "timestamp"'),
    ("plan is not JSON", lambda w: w.ingest_csv(_write_tmp(BASE), plan="{not json", progress=False),
     cdp.InvalidArgumentError, "plan: not valid JSON"),
    ("plan bad type name", lambda w: w.ingest_csv(_write_tmp(BASE), plan={"properties": {"x": {"type": "float"}}},
                                                  progress=False),
     cdp.InvalidArgumentError, "expected one of string, integer, number, boolean"),
    ("bad time zone", lambda w: w.ingest_csv(_write_tmp(BASE), time_zone="Mars/Olympus", progress=False),
     cdp.InvalidArgumentError, "Mars/Olympus"),
    ("bad default country", lambda w: w.ingest_csv(_write_tmp(BASE), default_country="XX", progress=False),
     cdp.InvalidArgumentError, "default_country"),
    ("duplicate header", lambda w: w.ingest_csv(_write_tmp("a,a\n1,2\n"), progress=False),
     cdp.InvalidArgumentError, '"a"'),
    ("no timestamp column", lambda w: w.ingest_csv(_write_tmp("event_id,type\n1,x\n"), progress=False),
     cdp.InvalidArgumentError, "no timestamp"),
    ("ragged dict columns", lambda w: w.ingest({"ts": [1, 2], "type": ["a"]}), ValueError, "different lengths"),
]


@pytest.mark.parametrize("name,call,exc,fragment", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_call_raises_and_stores_nothing(ws, name, call, exc, fragment):
    with pytest.raises(exc) as info:
        call(ws)
    assert fragment in str(info.value), str(info.value)
    assert isinstance(info.value, Exception)
    _intact(ws)
    assert len(ws.quarantine()) == 0


def test_header_only_file_reads_nothing(ws):
    rep = ws.ingest_csv(_write_tmp(HEADER), progress=False)
    assert (rep.read, rep.accepted, rep.quarantined, rep.duplicates) == (0, 0, 0, 0)
    _intact(ws)


def test_duplicate_ids_in_one_batch_and_across_files(ws):
    text = HEADER + "d1,page_view,2024-01-03,u2,\nd1,page_view,2024-01-03,u2,\nb1,page_view,2024-01-01T00:00:00Z,u1,\n"
    rep = ws.ingest_csv(_write_tmp(text), progress=False)
    assert (rep.read, rep.accepted, rep.duplicates) == (3, 1, 2)
    _intact(ws, extra=1)


def test_bad_json_lines_are_quarantined(ws):
    lines = ['{"event_id": "j1", "type": "page_view", "ts": "2024-01-03", "ctx": {"user": {"id": "u2"}}}',
             '{"event_id": "j2", "type": ',
             '[1, 2, 3]',
             '{"event_id": "j3", "type": "page_view", "ts": "2024-01-03", "ctx": {"user": {"id": "u9"}}}']
    rep = ws.ingest_ndjson(_write_tmp("\n".join(lines) + "\n", ".ndjson"), mapping={"user_id": "ctx.user.id"},
                           progress=False)
    assert rep.consistent and rep.read == 4 and rep.accepted == 2 and rep.quarantined == 2, rep
    q = ws.quarantine()
    assert set(q["line"]) == {2, 3}
    assert all(code == "bad_json" for code in q["code"])
    _intact(ws, extra=2)


def test_dataframe_with_infinite_revenue(ws):
    df = pd.DataFrame({"event_id": ["f1", "f2"], "type": ["purchase", "purchase"],
                       "ts": pd.to_datetime(["2024-01-03", "2024-01-04"], utc=True),
                       "user_id": ["u5", "u5"], "revenue": [np.inf, 3.0]})
    rep = ws.ingest(df, progress=False)
    assert (rep.accepted, rep.quarantined) == (1, 1)
    assert rep.reasons == {"bad_revenue": 1}
    _intact(ws, extra=1)


def test_push_bad_json_is_quarantined(ws):
    assert ws.push('{"event_id": "q1", "type": "view"') == "quarantined"
    assert ws.push({"event_id": "q2", "type": "view", "ts": "2024-02-01T00:00:00Z"}) == "quarantined"
    rep = ws.push_report()
    assert rep.consistent and rep.reasons == {"bad_json": 1, "missing_identifier": 1}
    _intact(ws)
