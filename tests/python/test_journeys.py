"""Journeys through the Python API on hand-built event sequences (every expectation below is worked
out by hand from the events listed in the test), plus the ChannelAttribution reference table."""
import math
import pathlib

import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp

T0 = pd.Timestamp("2024-03-01 10:00:00", tz="UTC")
SEC = pd.Timedelta(seconds=1)
MIN = pd.Timedelta(minutes=1)
DAY = pd.Timedelta(days=1)
US = pd.Timedelta(microseconds=1)


def workspace(rows, shuffle=False):
    """rows: (user, type, offset Timedelta, extra dict)."""
    recs = []
    for i, r in enumerate(rows):
        user, typ, off = r[:3]
        extra = r[3] if len(r) > 3 else {}
        recs.append({"event_id": f"e{i}", "user_id": user, "type": typ, "ts": T0 + off, **extra})
    df = pd.DataFrame(recs)
    if shuffle:
        df = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    ws = cdp.Workspace()
    rep = ws.ingest(df, progress=False)
    assert rep.accepted == len(df), rep
    return ws


ABC = ["a", "b", "c"]


# --- funnels -------------------------------------------------------------------------------------

def test_ordered_funnel_basics_and_time_to_convert():
    ws = workspace([("u1", "a", 0 * SEC), ("u1", "b", 10 * SEC), ("u1", "c", 30 * SEC),
                    ("u2", "a", 0 * SEC), ("u2", "x", 5 * SEC), ("u2", "b", 20 * SEC),
                    ("u3", "a", 0 * SEC), ("u3", "c", 5 * SEC)])
    f = ws.funnel(ABC)
    # u1 a>b>c; u2 a>b (x between is allowed in ordered); u3 a only (c without b).
    assert f.counts == [3, 2, 1]
    s = f.steps
    assert s["conversion_from_previous"].tolist()[1:] == pytest.approx([2 / 3, 1 / 2])
    assert s["conversion_from_first"].tolist() == pytest.approx([1, 2 / 3, 1 / 3])
    # a->b took 10 s (u1) and 20 s (u2): median 15, mean 15; b->c 20 s; a->c 30 s.
    assert s.loc[1, "median_s_from_previous"] == pytest.approx(15.0)
    assert s.loc[1, "mean_s_from_previous"] == pytest.approx(15.0)
    assert s.loc[2, "median_s_from_previous"] == pytest.approx(20.0)
    assert s.loc[2, "median_s_from_first"] == pytest.approx(30.0)
    assert math.isnan(s.loc[0, "median_s_from_previous"])
    # Drop-off segments: u2 stopped at step 2, u3 at step 1, u1 converted.
    keys = lambda seg: sorted(seg.to_pandas()["key"])  # noqa: E731
    assert keys(f.dropoff(1)) == ["user_id:u3"]
    assert keys(f.dropoff(2)) == ["user_id:u2"]
    assert keys(f.dropoff(3)) == ["user_id:u1"]


def test_equal_timestamps_do_not_advance_and_arrival_order_does_not_matter():
    rows = [("u1", "a", 0 * SEC), ("u1", "b", 0 * SEC), ("u1", "c", 1 * SEC),  # b ties with a: no step 2
            ("u2", "a", 0 * SEC), ("u2", "b", 1 * SEC), ("u2", "c", 1 * SEC),  # c ties with b: stops at 2
            ("u3", "a", 0 * SEC), ("u3", "b", 1 * US), ("u3", "c", 2 * US)]   # one µs apart: converts
    assert workspace(rows).funnel(ABC).counts == [3, 2, 1]
    assert workspace(rows, shuffle=True).funnel(ABC).counts == [3, 2, 1]


def test_window_edge_is_inclusive():
    ws = workspace([("u1", "a", 0 * SEC), ("u1", "b", 7 * DAY),          # exactly the window: counts
                    ("u2", "a", 0 * SEC), ("u2", "b", 7 * DAY + US)])    # one µs later: does not
    assert ws.funnel(["a", "b"], window="7d").counts == [2, 1]
    assert ws.funnel(["a", "b"], window="8d").counts == [2, 2]


def test_repeated_steps_need_distinct_later_events():
    ws = workspace([("u1", "pv", 0 * SEC), ("u1", "pv", 10 * SEC), ("u1", "buy", 20 * SEC),
                    ("u2", "pv", 0 * SEC), ("u2", "buy", 10 * SEC)])
    # pv > pv > buy: u1 completes; u2 has one pv, so it never reaches step 2.
    assert ws.funnel(["pv", "pv", "buy"]).counts == [2, 1, 1]


def test_best_attempt_over_every_step1_occurrence():
    # PostHog / Mixpanel "optimized re-entry": the first attempt stalls, a later one converts.
    ws = workspace([("u1", "a", 0 * SEC), ("u1", "b", 1 * SEC),
                    ("u1", "a", 40 * DAY), ("u1", "b", 40 * DAY + SEC), ("u1", "c", 40 * DAY + 2 * SEC)])
    f = ws.funnel(ABC)
    assert f.counts == [1, 1, 1]
    assert f.steps.loc[2, "median_s_from_first"] == pytest.approx(2.0)  # from the attempt that converted


def test_strict_order_allows_nothing_between_steps():
    ws = workspace([("u1", "a", 0 * SEC), ("u1", "b", 1 * SEC), ("u1", "x", 2 * SEC), ("u1", "c", 3 * SEC),
                    ("u2", "a", 0 * SEC), ("u2", "b", 1 * SEC), ("u2", "c", 2 * SEC)])
    assert ws.funnel(ABC, order="strict").counts == [2, 2, 1]   # x breaks u1 after b
    assert ws.funnel(ABC, order="ordered").counts == [2, 2, 2]


def test_any_order_counts_distinct_steps_within_the_window():
    ws = workspace([("u1", "c", 0 * SEC), ("u1", "a", 10 * SEC), ("u1", "b", 20 * SEC),
                    ("u2", "b", 0 * SEC), ("u2", "a", 40 * DAY)])    # a falls outside b's window
    assert ws.funnel(ABC, order="any").counts == [2, 1, 1]
    assert ws.funnel(ABC, order="ordered").counts == [2, 1, 0]  # u1: a>b; u2: a alone


def test_exclusion_disqualify_and_truncate():
    rows = [("u1", "a", 0 * SEC), ("u1", "x", 1 * SEC), ("u1", "b", 2 * SEC), ("u1", "c", 3 * SEC),
            ("u2", "a", 0 * SEC), ("u2", "b", 1 * SEC), ("u2", "x", 2 * SEC), ("u2", "c", 3 * SEC),
            ("u3", "a", 0 * SEC), ("u3", "b", 1 * SEC), ("u3", "c", 2 * SEC), ("u3", "x", 3 * SEC)]
    ws = workspace(rows)
    # x anywhere between step 1 and 3: u1 and u2 are void (PostHog removes them from the funnel);
    # u3's x comes after c and does not count.
    f = ws.funnel(ABC, exclusions=["x"])
    assert f.counts == [1, 1, 1] and f.disqualified == 2
    # Only between steps 2 and 3: u1's x (between 1 and 2) is fine.
    f = ws.funnel(ABC, exclusions=[{"event": "x", "from_step": 2, "to_step": 3}])
    assert f.counts == [2, 2, 2] and f.disqualified == 1
    # truncate: steps after the exclusion do not count (u1 stops at a, u2 at b).
    f = ws.funnel(ABC, exclusions=["x"], exclusion_mode="truncate")
    assert f.counts == [3, 2, 1] and f.disqualified == 0


def test_totals_count_every_sequential_attempt():
    # Mixpanel "totals": a new attempt starts after the previous one completes or its window ends.
    ws = workspace([("u1", "a", 0 * SEC), ("u1", "b", 1 * SEC), ("u1", "c", 2 * SEC),
                    ("u1", "a", 3 * SEC), ("u1", "b", 4 * SEC),
                    ("u1", "a", 10 * DAY)])
    assert ws.funnel(ABC, count="totals", window="1d").counts == [3, 2, 1]
    assert ws.funnel(ABC, count="profiles", window="1d").counts == [1, 1, 1]


def test_step_filters_breakdown_and_trend():
    ws = workspace([("u1", "view", 0 * SEC, {"channel": "email"}), ("u1", "buy", 5 * SEC, {"revenue": 80.0}),
                    ("u2", "view", DAY, {"channel": "social"}), ("u2", "buy", DAY + 5 * SEC, {"revenue": 20.0}),
                    ("u3", "view", 2 * DAY, {"channel": "email"})])
    f = ws.funnel(["view", ("buy", "revenue > 50")], breakdown="channel", trend="day")
    assert f.counts == [3, 1]
    b = f.breakdown.set_index(["value", "step"])["count"]
    assert b[("email", 1)] == 2 and b[("email", 2)] == 1
    assert b[("social", 1)] == 1 and b[("social", 2)] == 0
    t = f.trend
    assert t["period"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert t.loc[t.step == 2, "count"].tolist() == [1, 0, 0]


def test_funnel_bad_input_has_clear_errors():
    ws = workspace([("u1", "purchase", 0 * SEC), ("u1", "page_view", SEC)])
    with pytest.raises(cdp.InvalidArgumentError, match="step list is empty"):
        ws.funnel([])
    with pytest.raises(cdp.InvalidArgumentError, match="unknown event type 'purchse'; did you mean 'purchase'"):
        ws.funnel(["page_view", "purchse"])
    with pytest.raises(cdp.InvalidArgumentError, match="window"):
        ws.funnel(["page_view", "purchase"], window=-5)
    with pytest.raises(cdp.InvalidArgumentError, match="order must be ordered, strict or any"):
        ws.funnel(["page_view", "purchase"], order="loose")
    with pytest.raises(cdp.InvalidArgumentError, match="step 2 condition"):
        ws.funnel(["page_view", ("purchase", "revenue >")])
    with pytest.raises(cdp.InvalidArgumentError, match="breakdown: unknown event field"):
        ws.funnel(["page_view", "purchase"], breakdown="chanel")
    with pytest.raises(cdp.InvalidArgumentError, match="from_step"):
        ws.funnel(["page_view", "purchase"], exclusions=[{"event": "page_view", "from_step": 2, "to_step": 2}])
    assert ws.funnel(["purchase", "page_view"]).counts == [1, 1]  # nothing stored was lost


def test_funnel_matches_pandas_on_generated_data():
    data = cdp.generate(customers=1500, days=60, seed=11)
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    f = ws.funnel(["page_view", "add_to_cart", "checkout", "purchase"], window="7d")
    ev = ws.events(columns=["profile", "type", "ts"])
    ev = ev[ev.profile >= 0]
    steps = ["page_view", "add_to_cart", "checkout", "purchase"]
    # Brute force: every step-1 occurrence, greedy earliest strictly later next step within 7 days.
    want = [0, 0, 0, 0]
    for _, g in ev.groupby("profile"):
        t = g["ts"].to_numpy()
        typ = g["type"].astype(str).to_numpy()
        best = 0
        for i in np.flatnonzero(typ == steps[0]):
            reached, cur = 1, t[i]
            for s in steps[1:]:
                nxt = np.flatnonzero((typ == s) & (t > cur))
                if nxt.size == 0 or t[nxt[0]] - t[i] > np.timedelta64(7, "D"):
                    break
                cur, reached = t[nxt[0]], reached + 1
            best = max(best, reached)
        for k in range(best):
            want[k] += 1
    assert f.counts == want


# --- sessions ------------------------------------------------------------------------------------

def test_sessions_split_at_the_gap_edge_and_report_pages():
    url = "https://shop.example.com"
    ws = workspace([("u1", "page_view", 0 * MIN, {"url": f"{url}/?utm_source=google&utm_medium=cpc&utm_campaign=spring"}),
                    ("u1", "page_view", 30 * MIN, {"url": f"{url}/p/1"}),              # exactly 30 min: same session
                    ("u1", "page_view", 60 * MIN + US, {"url": f"{url}/p/2"}),         # 30 min + 1 µs: new session
                    ("u1", "email_sent", 61 * MIN),                                      # not the person's action
                    ("u2", "page_view", 0 * MIN, {"url": f"{url}/blog", "referrer": "https://www.google.com/search?q=x"}),
                    ("u2", "click", 1 * MIN, {"url": f"{url}/blog"})])
    s = ws.sessions()
    df = s.to_pandas().sort_values(["profile", "session"]).reset_index(drop=True)
    assert len(df) == 3
    first = df.iloc[0]
    assert first["page_views"] == 2 and not first["bounce"] and first["duration_s"] == pytest.approx(1800.0)
    assert (first["source"], first["medium"], first["campaign"], first["channel"]) == ("google", "cpc", "spring", "paid_search")
    assert first["entry_page"] == "/" and first["exit_page"] == "/p/1"
    second = df.iloc[1]
    assert second["page_views"] == 1 and second["bounce"] and second["events"] == 1
    assert (second["source"], second["medium"]) == ("(direct)", "(none)")
    third = df.iloc[2]
    assert (third["source"], third["medium"], third["channel"]) == ("google", "organic", "organic")
    assert third["events"] == 2 and third["bounce"]
    summ = s.summary()
    assert summ["sessions"] == 3 and summ["bounces"] == 2 and summ["page_views"] == 4
    assert len(ws.sessions(gap="2h")) == 2


def test_sessions_split_at_local_midnight_and_on_campaign_change():
    # 23:50 and 00:10 in +02:00 are 21:50 and 22:10 UTC: one day in UTC, two days locally.
    base = pd.Timestamp("2024-03-01 21:50", tz="UTC") - T0
    ws = workspace([("u1", "page_view", base), ("u1", "page_view", base + 20 * MIN)])
    assert len(ws.sessions()) == 1
    assert len(ws.sessions(split_at_midnight=True)) == 1   # UTC midnight not crossed
    assert len(ws.sessions(split_at_midnight=True, time_zone="+02:00")) == 2
    ws = workspace([("u1", "page_view", 0 * MIN, {"campaign": "spring"}), ("u1", "page_view", 5 * MIN, {"campaign": "spring"}),
                    ("u1", "page_view", 10 * MIN, {"campaign": "summer"})])
    assert len(ws.sessions()) == 1
    assert len(ws.sessions(split_on_campaign=True)) == 2
    with pytest.raises(cdp.InvalidArgumentError, match="time_zone"):
        ws.sessions(split_at_midnight=True, time_zone="Mars/Olympus")


# --- paths, stages, heatmaps --------------------------------------------------------------------

def test_paths_top_transitions_and_sankey():
    rows = []
    for u in ("u1", "u2"):
        rows += [(u, "home", 0 * SEC), (u, "product", 10 * SEC), (u, "cart", 20 * SEC)]
    rows += [("u3", "home", 0 * SEC), ("u3", "home", 5 * SEC), ("u3", "search", 10 * SEC),
             ("u3", "home", 2 * DAY), ("u3", "product", 2 * DAY + SEC)]   # second session
    ws = workspace(rows)
    p = ws.paths(start="home", depth=3)
    top = p.top.set_index("path")["count"]
    assert top["home > product > cart"] == 2 and top["home > search"] == 1 and top["home > product"] == 1
    assert p.total == 4
    tr = p.transitions.set_index(["from", "to"])
    assert tr.loc[("home", "product"), "count"] == 3
    assert tr.loc[("home", "product"), "share_of_from"] == pytest.approx(3 / 4)
    assert ws.paths(end="cart", depth=2).top.set_index("path")["count"]["product > cart"] == 2
    n = p.sankey_nodes
    assert n.loc[n.step == 1, "count"].sum() == 4
    with pytest.raises(cdp.InvalidArgumentError, match="unknown event type 'hme'; did you mean 'home'"):
        ws.paths(start="hme")


def test_stages_furthest_stage_and_transitions():
    ws = workspace([("u1", "page_view", 0 * DAY), ("u1", "add_to_cart", 1 * DAY), ("u1", "purchase", 3 * DAY),
                    ("u1", "purchase", 10 * DAY),
                    ("u2", "page_view", 0 * DAY), ("u2", "add_to_cart", 2 * DAY),
                    ("u3", "page_view", 0 * DAY)])
    model = [{"name": "aware", "event": "*"}, {"name": "consider", "event": "add_to_cart"},
             {"name": "buy", "event": "purchase"}, {"name": "repeat", "event": "purchase", "min_count": 2}]
    st = ws.stages(model)
    cur = st.profiles.set_index("profile")["stage"]
    assert sorted(cur.tolist()) == ["aware", "consider", "repeat"]
    s = st.summary.set_index("stage")
    assert s.loc["aware", "entered"] == 3 and s.loc["repeat", "current"] == 1
    # Days in "consider" before buying: u1 2 days; in "aware": u1 1 day, u2 2 days -> median 1.5.
    assert s.loc["consider", "median_days_in_stage"] == pytest.approx(2.0)
    assert s.loc["aware", "median_days_in_stage"] == pytest.approx(1.5)
    tr = st.transitions.set_index(["from", "to"])["count"]
    assert tr[("(start)", "aware")] == 3 and tr[("consider", "buy")] == 1 and tr[("buy", "repeat")] == 1
    with pytest.raises(cdp.InvalidArgumentError, match="unknown event type 'purchas'"):
        ws.stages([{"name": "buy", "event": "purchas"}])


def test_heatmap_grid_scroll_rage_and_dead_clicks():
    pg = {"page": "product"}
    rows = [("u1", "page_view", 0 * SEC, pg),
            ("u1", "click", 1 * SEC, {**pg, "x": 0.02, "y": 0.02}),                     # cell (0, 0)
            ("u1", "click", 1.2 * SEC, {**pg, "x": 0.021, "y": 0.02}),                  # rage burst: 3 clicks
            ("u1", "click", 1.4 * SEC, {**pg, "x": 0.022, "y": 0.021}),                 # within 1 s and 30 px
            ("u1", "scroll", 2 * SEC, {**pg, "scroll_depth": 60}),
            ("u1", "click", 5 * SEC, {**pg, "x": 0.95, "y": 0.55}),                     # cell (19, 11)
            ("u1", "add_to_cart", 5.5 * SEC, pg),                                        # the click did something
            ("u1", "page_view", 60 * SEC, {"page": "cart"}),
            ("u2", "page_view", 0 * SEC, pg),
            ("u2", "scroll", 3 * SEC, {**pg, "scroll_depth": 100})]
    h = workspace(rows).heatmap("product")
    assert h.clicks == 4 and h.page_views == 2
    assert h.grid[0, 0] == 3 and h.grid[11, 19] == 1 and h.grid.sum() == 4
    assert len(h.rage_clicks) == 1 and h.rage_clicks["clicks"].iloc[0] == 3
    # Dead clicks (no non-click event within 3 s): clicks at 1.0, 1.2, 1.4 s are followed by the scroll at 2.0 s (< 3 s): not dead; the click at
    # 5 s is followed by add_to_cart at 5.5 s: not dead.
    assert h.dead_clicks == 0
    reach = h.scroll.set_index("depth")["reached"]
    assert reach[25] == 2 and reach[50] == 2 and reach[75] == 1 and reach[100] == 1
    h2 = workspace(rows).heatmap("product", dead_after="400ms")
    # With 0.4 s: the click at 1.4 s waits 0.6 s for the scroll -> dead; 1.0 and 1.2 s too (1.0, 0.8 s);
    # the click at 5 s is answered in 0.5 s -> dead.
    assert h2.dead_clicks == 4


# --- attribution --------------------------------------------------------------------------------

README_TABLE = {  # ../shared/datasets/attribution/README.md (ChannelAttribution 2.2.4 heuristic_models)
    "alpha": (6308, 8447, 7574.718593751, 19121.2723558, 28414.2142744, 24524.709568834),
    "beta": (2831, 989, 2083.500144589, 12235.5917444, 3850.0209873, 8954.266716608),
    "delta": (1, 5, 1.725, 6.119, 10.972, 4.40405),
    "epsilon": (99, 531, 272.170437720, 412.3012429, 2202.6122893, 1106.270065267),
    "eta": (3164, 4167, 3539.951157101, 11909.4762130, 16754.2038001, 13783.497050920),
    "gamma": (165, 92, 121.041639020, 718.9779918, 506.0139918, 569.417357891),
    "iota": (4606, 3355, 3857.096221018, 19597.2612770, 13487.9742714, 15988.988995024),
    "kappa": (74, 230, 137.964077922, 305.7432500, 1069.3842500, 599.747786255),
    "lambda": (902, 1207, 1035.257572286, 3735.6021649, 5249.9499854, 4430.316169428),
    "mi": (2, 2, 2.222222222, 5.2730000, 5.2730000, 6.081444444),
    "theta": (1606, 653, 1022.801393904, 6652.3493474, 2799.0919876, 4295.743619487),
    "zeta": (27, 107, 136.551540466, 103.0040000, 453.2607500, 539.528763053),
}
EXACT_MARKOV = {"alpha": 0.558399, "iota": 0.405835, "eta": 0.349026, "beta": 0.264039, "theta": 0.206010,
                "lambda": 0.134022, "epsilon": 0.062639, "zeta": 0.039811, "kappa": 0.028663, "gamma": 0.017880,
                "delta": 0.000482, "mi": 0.000180}


def test_attribution_from_paths_reproduces_channelattribution(shared):
    df = pd.read_csv(shared / "datasets" / "attribution" / "ChannelAttribution_Data.csv", sep=";")
    r = cdp.attribution_from_paths(df["path"], df["total_conversions"], df["total_conversion_value"],
                                   df["total_null"], models=["first", "last", "linear", "markov"])
    conv, val = r.to_pandas("conversions"), r.to_pandas("value")
    for ch, (fc, lc, lin, fv, lv, linv) in README_TABLE.items():
        assert conv.loc[ch, "first"] == pytest.approx(fc, abs=1e-6)
        assert conv.loc[ch, "last"] == pytest.approx(lc, abs=1e-6)
        assert conv.loc[ch, "linear"] == pytest.approx(lin, abs=1e-6)
        assert val.loc[ch, "first"] == pytest.approx(fv, abs=1e-6)
        assert val.loc[ch, "last"] == pytest.approx(lv, abs=1e-6)
        assert val.loc[ch, "linear"] == pytest.approx(linv, abs=1e-6)
        assert r.removal_effects[ch] == pytest.approx(EXACT_MARKOV[ch], abs=1e-6)
    assert r.base_conversion_probability == pytest.approx(19785 / (19785 + 68602), abs=1e-12)
    assert conv["markov"].sum() == pytest.approx(19785, abs=1e-6)


def test_workspace_attribution_on_hand_built_journeys():
    # u1: email (day 0), social (day 2), purchase 100 (day 3): first email, last social, linear 50/50.
    # u2: social (day 0), purchase 40 (day 40): the touch is outside the 30-day lookback -> no path.
    # u3: email (day 0), no purchase: a null journey for Markov.
    ws = workspace([("u1", "page_view", 0 * DAY, {"channel": "email"}), ("u1", "page_view", 2 * DAY, {"channel": "social"}),
                    ("u1", "purchase", 3 * DAY, {"revenue": 100.0}),
                    ("u2", "page_view", 0 * DAY, {"channel": "social"}), ("u2", "purchase", 40 * DAY, {"revenue": 40.0}),
                    ("u3", "page_view", 0 * DAY, {"channel": "email"})])
    r = ws.attribution(models=["first", "last", "linear", "markov"])
    conv, val = r.to_pandas("conversions"), r.to_pandas("value")
    assert conv.loc["email", "first"] == 1 and conv.loc["social", "last"] == 1
    assert conv.loc["email", "linear"] == pytest.approx(0.5) and val.loc["social", "linear"] == pytest.approx(50.0)
    assert r.total_conversions == 1 and r.total_value == pytest.approx(100.0)
    # Markov: start -> email (2 journeys); email -> social (1), email -> null (1); social -> conv.
    # P = 1/2; removing email: 0; removing social: 0 -> both removal effects 1, split 0.5/0.5.
    assert r.removal_effects["email"] == pytest.approx(1.0) and r.removal_effects["social"] == pytest.approx(1.0)
    assert r.base_conversion_probability == pytest.approx(0.5)
    with pytest.raises(cdp.InvalidArgumentError, match="unknown conversion event type 'purchse'"):
        ws.attribution(conversion="purchse")


def test_journey_plots_render(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    data = cdp.generate(customers=400, days=30, seed=5)
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    for result in (ws.sessions(), ws.funnel(["page_view", "add_to_cart", "purchase"]), ws.paths(element="page"),
                   ws.stages(), ws.heatmap("product"), ws.attribution()):
        ax = result.plot()
        out = tmp_path / f"{type(result).__name__}.png"
        ax.figure.savefig(out)
        assert out.stat().st_size > 5000, type(result).__name__
        assert "<table" in result._repr_html_()
