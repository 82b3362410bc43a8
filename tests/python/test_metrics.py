"""Metrics on hand-built events: cohort retention (on / on_or_after), cohorts by property, lifecycle.
Every expectation is counted by hand from the events listed in the test."""
import math

import pandas as pd
import pytest

import cdpcore as cdp


def workspace(rows):
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": pd.Timestamp(ts, tz="UTC"), **extra}
                       for i, (u, t, ts, extra) in enumerate(rows)])
    ws = cdp.Workspace()
    ws.ingest(df, progress=False)
    return ws


ROWS = [  # u1: Jan, Feb, Apr; u2: Jan, Mar; u3: Feb, Mar
    ("u1", "purchase", "2024-01-05", {"revenue": 10.0, "traits.country": "IT"}),
    ("u1", "purchase", "2024-02-10", {"revenue": 20.0}),
    ("u1", "purchase", "2024-04-01", {"revenue": 5.0}),
    ("u2", "purchase", "2024-01-31 23:30", {"revenue": 7.0, "traits.country": "FR"}),
    ("u2", "purchase", "2024-03-02", {"revenue": 3.0}),
    ("u3", "page_view", "2024-01-20", {"traits.country": "IT"}),
    ("u3", "purchase", "2024-02-03", {"revenue": 4.0}),
    ("u3", "purchase", "2024-03-15", {"revenue": 6.0}),
]


def test_monthly_retention_on_and_on_or_after():
    ws = workspace(ROWS)
    r = ws.retention(period="month", cohort="first_purchase", periods=3)
    c = r.counts
    # Jan cohort {u1, u2}: +1 u1 (Feb), +2 u2 (Mar), +3 u1 (Apr). Feb cohort {u3}: +1 u3 (Mar).
    assert c.loc[pd.Period("2024-01", "M")].tolist() == [2, 1, 1, 1]
    # Data end in April: the Feb cohort's +3 (May) is not observed yet.
    feb = c.loc[pd.Period("2024-02", "M")].tolist()
    assert feb[:3] == [1, 1, 0] and math.isnan(feb[3])
    rev = r.revenue.loc[pd.Period("2024-01", "M")].tolist()
    assert rev == [17.0, 20.0, 3.0, 5.0]
    # on_or_after: Jan cohort at +1 -> u1 (Feb, Apr) and u2 (Mar) both active later: 2.
    r2 = ws.retention(period="month", cohort="first_purchase", mode="on_or_after", periods=3)
    assert r2.counts.loc[pd.Period("2024-01", "M")].tolist() == [2, 2, 2, 1]
    # Cohort by first event of any type: u3 enters in January with its page view.
    r3 = ws.retention(period="month", cohort="first_event", periods=2)
    assert r3.counts.loc[pd.Period("2024-01", "M")].tolist() == [3, 2, 2]


def test_time_zone_moves_events_across_month_ends():
    ws = workspace(ROWS)
    # u2's first purchase is 2024-01-31 23:30 UTC = 2024-02-01 00:30 in +01:00.
    r = ws.retention(period="month", cohort="first_purchase", periods=1, time_zone="+01:00")
    assert r.sizes.tolist() == [1, 2]


def test_cohorts_by_property_and_lifecycle():
    ws = workspace(ROWS)
    r = ws.retention(period="month", cohort="country", event="purchase", periods=2)
    # Offsets from each profile's first event: IT = {u1 (Jan), u3 (Jan, page view)}, FR = {u2}.
    it = r.counts.loc["IT"].tolist()
    assert r.sizes["IT"] == 2 and it == [1, 2, 1]   # +0: u1; +1: u1, u3; +2: u3
    lc = ws.retention(period="month", cohort="first_purchase", periods=3).lifecycle.set_index("period")
    feb = lc.loc[pd.Timestamp("2024-02-01", tz="UTC")]
    # Feb: u3 new, u1 returning, u2 dormant (active Jan, not Feb).
    assert (feb["new"], feb["returning"], feb["resurrecting"], feb["dormant"]) == (1, 1, 0, -1)
    mar = lc.loc[pd.Timestamp("2024-03-01", tz="UTC")]
    # Mar: u2 resurrecting, u3 returning, u1 dormant.
    assert (mar["new"], mar["returning"], mar["resurrecting"], mar["dormant"]) == (0, 1, 1, -1)


def test_retention_bad_input():
    ws = workspace(ROWS)
    with pytest.raises(cdp.InvalidArgumentError, match="period must be day, week or month"):
        ws.retention(period="year")
    with pytest.raises(cdp.InvalidArgumentError, match="mode must be on or on_or_after"):
        ws.retention(mode="after")
    with pytest.raises(cdp.InvalidArgumentError, match="'contry' is neither a profile column nor a segment; did you mean 'country'"):
        ws.retention(cohort="contry")
    with pytest.raises(cdp.InvalidArgumentError, match="unknown event type 'purchse'"):
        ws.retention(event="purchse")


def test_retention_empty_cohorts_are_an_error():
    ws = workspace([("u1", "page_view", "2024-01-05", {}), ("u2", "page_view", "2024-02-05", {})])
    # No purchase at all: every cohort of first_purchase would be empty.
    with pytest.raises(cdp.InvalidArgumentError, match="cohort 'first_purchase': no event has type 'purchase'"):
        ws.retention(cohort="first_purchase")
