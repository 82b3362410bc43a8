"""Identity resolution and profiles from Python: reports, DataFrames, Profile, unmerge, traits,
CRM import, and the bad-input cases (clear error, nothing lost)."""
import numpy as np
import pandas as pd
import pytest

import cdpcore as cdp

EVENTS = pd.DataFrame({
    "event_id": ["1", "2", "3", "4", "5"],
    "type": ["page_view", "signup", "page_view", "purchase", "page_view"],
    "ts": pd.to_datetime(["2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z", "2024-01-02T09:00:00Z",
                          "2024-01-03T09:00:00Z", "2024-01-03T09:00:00Z"]),
    "user_id": [None, "u1", None, None, None],
    "email": [None, "ann@shop.com", None, "ANN@shop.com ", None],
    "anonymous_id": ["c1", "c1", "c2", "c2", "c3"],
    "revenue": [np.nan, np.nan, np.nan, 25.0, np.nan],
})


@pytest.fixture
def ws():
    w = cdp.Workspace()
    rep = w.ingest(EVENTS, progress=False)
    assert rep.accepted == 5
    return w


def test_resolve_report_and_profiles_frame(ws):
    rep = ws.resolve_identities()
    assert isinstance(rep, cdp.IdentityReport)
    # Hand count: {u1, ann@shop.com, c1, c2} and {c3}; links (u1,ann), (u1,c1), (ann,c2).
    assert (rep.profiles, rep.identifiers, rep.links, rep.merges, rep.conflicts) == (2, 5, 3, 3, 0)
    assert "profiles" in rep._repr_html_()
    df = ws.profiles()
    assert list(df["key"]) == ["user_id:u1", "anonymous_id:c3"]
    assert list(df["events"]) == [4, 1]
    assert df.loc[0, "email"] == "ann@shop.com"
    assert df.loc[0, "first_seen"] == pd.Timestamp("2024-01-01T10:00:00Z")
    ev = ws.events()
    assert list(ev["profile"]) == [0, 0, 0, 0, 1]


def test_profile_lookup_html_and_graph(ws):
    p = ws.profile("email:Ann@Shop.com")
    assert isinstance(p, cdp.Profile)
    assert p.key == "user_id:u1"
    assert sorted(p.identifiers) == ["anonymous_id:c1", "anonymous_id:c2", "email:ann@shop.com", "user_id:u1"]
    assert p.events == 4 and p.sessions == 3 and p.returning
    assert p.recent_events["event_id"].iloc[0] == "4"
    html = p._repr_html_()
    assert "user_id:u1" in html and "Recent events" in html
    g = ws.identity_graph("user_id:u1")
    assert set(g["status"]) == {"merged"}
    assert len(g) == 3
    h = ws.merge_history(p.id)
    assert list(h["event_id"]) == ["2", "2", "4"]  # in application order (ts, event)
    assert h["ts"].iloc[0] == pd.Timestamp("2024-01-01T10:05:00Z")


def test_unmerge_splits_and_moves_events(ws):
    assert ws.unmerge("email:ann@shop.com", "anonymous_id:c2") == 1
    assert ws.resolve_identities().profiles == 3
    assert ws.profile("email:ann@shop.com").key == "user_id:u1"
    # Event 4 carries the email and c2: its anchor is the email, so it stays with u1; event 3 moves.
    assert ws.profile("user_id:u1").events == 3
    assert ws.profile("anonymous_id:c2").events == 1
    assert ws.identity_graph()["status"].value_counts()["removed"] == 1


def test_link_by_hand_and_configure_identity(ws):
    ws.link("anonymous_id:c3", "user_id:u1")
    assert ws.resolve_identities().profiles == 1
    assert ws.merge_history("anonymous_id:c3")["rule"].iloc[-1] == "manual"
    # New rules re-apply the manual link; blocking c3 makes it impossible: clear error, old rules stay.
    with pytest.raises(cdp.InvalidArgumentError, match="the new rules reject an earlier link"):
        ws.configure_identity(block=["c3"])
    assert ws.resolve_identities().profiles == 1
    ws.configure_identity(limits={"email": 1})
    assert ws.resolve_identities().profiles == 1


def test_bad_identity_input_clear_errors_nothing_lost(ws):
    before = ws.profiles()
    with pytest.raises(cdp.InvalidArgumentError, match=r'unknown identifier type "emial" \(did you mean "email"\?\)'):
        ws.profile("emial:ann@shop.com")
    with pytest.raises(cdp.InvalidArgumentError, match="malformed email"):
        ws.link("email:nobody", "user_id:u1")
    with pytest.raises(cdp.InvalidArgumentError, match="malformed phone"):
        ws.link("phone:12", "user_id:u1")
    with pytest.raises(cdp.InvalidArgumentError, match="longer than max_identifier_bytes = 256"):
        ws.link("user_id:" + "x" * 300, "user_id:u1")
    with pytest.raises(cdp.NotFoundError, match="no identifier user_id:u404"):
        ws.profile("user_id:u404")
    with pytest.raises(cdp.NotFoundError, match="there is no link between user_id:u1 and anonymous_id:c3"):
        ws.unmerge("user_id:u1", "anonymous_id:c3")
    with pytest.raises(cdp.NotFoundError, match="profile 7 does not exist"):
        ws.profile(7)
    with pytest.raises(TypeError):
        ws.profile(1.5)
    with pytest.raises(cdp.InvalidArgumentError, match='limits: email = -2 is negative'):
        ws.configure_identity(limits={"email": -2})
    with pytest.raises(cdp.InvalidArgumentError, match='unknown identifier type "cookie"'):
        ws.configure_identity(priority=["cookie"])
    pd.testing.assert_frame_equal(ws.profiles(), before)
    assert len(ws.events()) == 5


def test_traits_and_crm_import(ws):
    ws.define_trait("orders", "count", event_type="purchase")
    ws.define_trait("spend_30d", "sum", "revenue", event_type="purchase", window="30d")
    ws.define_trait("first_type", "first", "type")
    crm = pd.DataFrame({"user_id": ["u1", None], "email": [None, "zed@shop.com"], "plan": ["pro", "free"],
                        "age": [41, 29], "updated": pd.to_datetime(["2024-01-02", "2024-01-02"], utc=True)})
    rep = ws.import_profiles(crm, source="crm", ts="updated")
    assert (rep.read, rep.accepted, rep.quarantined) == (2, 2, 0)
    p = ws.profile("user_id:u1")
    # Hand values: one purchase of 25 on Jan 3; the clock is Jan 3 so it is inside 30 days.
    assert p.traits == {"orders": "1", "spend_30d": "25", "first_type": "page_view"}
    assert p.attributes["plan"] == "pro" and p.attributes["age"] == "41"
    assert p.attribute_sources["plan"][0] == "crm"
    df = ws.profiles().set_index("key")
    assert df.loc["user_id:u1", "orders"] == 1
    assert df.loc["email:zed@shop.com", "plan"] == "free"
    hist = ws.attribute_history("user_id:u1", "plan")
    assert list(hist["value"]) == ["pro"] and list(hist["source"]) == ["crm"]
    assert list(ws.traits()["name"]) == ["orders", "spend_30d", "first_type"]
    with pytest.raises(cdp.InvalidArgumentError, match="trait aggregation \"median\""):
        ws.define_trait("m", "median", "revenue")
    with pytest.raises(cdp.InvalidArgumentError, match='duration "soon"'):
        ws.define_trait("w", "count", window="soon")
    with pytest.raises(cdp.InvalidArgumentError, match="holds text"):
        ws.define_trait("s", "sum", "type")
    ws.drop_trait("orders")
    with pytest.raises(cdp.NotFoundError, match='trait "orders" is not defined'):
        ws.drop_trait("orders")
    with pytest.raises(cdp.InvalidArgumentError, match='ts column "when" is not in the table'):
        ws.import_profiles(crm, ts="when")
    assert len(ws.events()) == 7


def test_generated_data_resolves_with_high_precision():
    data = cdp.generate(customers=1500, days=60, seed=11)
    ws = cdp.Workspace()
    ws.ingest(data["events"], progress=False)
    rep = ws.resolve_identities()
    assert rep.blocked > 0 and rep.merges > 0
    ev = ws.events()[["profile", "true_person_id"]].dropna()
    # Precision by profile purity: the share of events whose profile's majority person is theirs.
    majority = ev.groupby("profile")["true_person_id"].agg(lambda s: s.value_counts().iloc[0]).sum()
    assert majority / len(ev) >= 0.99
