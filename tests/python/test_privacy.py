"""Privacy: consent per purpose with regional defaults and GPC, enforcement in purpose-bound
segments, recorded decisions, the tamper-evident audit chain, and keyed pseudonyms (RFC 4231
HMAC-SHA256 test vectors). Every expectation is worked out by hand from the rows listed here."""
import sqlite3

import pandas as pd
import pytest

import cdpcore as cdp

T0 = pd.Timestamp("2024-05-01 10:00", tz="UTC")


def at(minutes):
    return T0 + pd.Timedelta(minutes=minutes)


ROWS = [  # user, type, minute, extra
    ("u1", "page_view", 0, {"traits.country": "DE"}),                      # EU, never answered
    ("u2", "page_view", 0, {"traits.country": "US"}),                      # US, never answered
    ("u3", "page_view", 0, {"traits.country": "US", "gpc": True}),         # US with Global Privacy Control
    ("u4", "consent", 1, {"traits.country": "DE", "purpose": "marketing", "consent_status": "granted"}),
    ("u4", "consent", 2, {"purpose": "marketing", "consent_status": "denied"}),   # withdrawn later
    ("u5", "consent", 1, {"traits.country": "FR", "purpose": "marketing", "consent_status": "denied"}),
    ("u5", "consent", 2, {"purpose": "marketing", "consent_status": "granted"}),  # given later
    ("u6", "page_view", 0, {}),                                             # region unknown
]


def workspace(path=None):
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": at(m), **x}
                       for i, (u, t, m, x) in enumerate(ROWS)])
    ws = cdp.Workspace(path) if path else cdp.Workspace()
    ws.ingest(df, progress=False)
    return ws


def allowed(ws, purpose):
    c = ws.consent(purpose)
    return sorted(c.loc[c["allowed"], "key"].str.replace("user_id:", "", regex=False))


def test_consent_states_regional_defaults_and_gpc():
    ws = workspace()
    # marketing: granted u5; denied u4; unknown u1 (DE: opt-in -> no), u2, u3 (US: opt-out -> yes), u6 (unknown -> opt-in).
    assert allowed(ws, "marketing") == ["u2", "u3", "u5"]
    # sale_of_data: u3 sent GPC, so the US default does not apply to it.
    assert allowed(ws, "sale_of_data") == ["u2"]
    c = ws.consent("marketing").set_index("key")
    assert c.loc["user_id:u4", "state"] == "denied" and c.loc["user_id:u5", "state"] == "granted"
    assert c.loc["user_id:u6", "default"] == "opt_in" and c.loc["user_id:u2", "default"] == "opt_out"
    one = ws.consent_of("user_id:u5").set_index("purpose")
    assert one.loc["marketing", "state"] == "granted" and one.loc["marketing", "events"] == 2
    assert one.loc["analytics", "basis"] == "opt-in region default" and not one.loc["analytics", "effective"]
    gpc = ws.consent_of("user_id:u3").set_index("purpose")
    assert gpc.loc["sale_of_data", "basis"] == "global privacy control" and gpc.loc["marketing", "effective"]


def test_purpose_bound_segments_exclude_profiles_without_consent():
    ws = workspace()
    seg = ws.select("count(*) >= 1", purpose="marketing")
    assert seg.size == 3 and seg.excluded == 3  # u1, u4, u6 left out
    ws.segment("everyone", "count(*) >= 1", purpose="marketing")
    assert ws.segment("everyone").size == 3
    assert ws.select("count(*) >= 1").size == 6  # no purpose: analysis over everyone
    with pytest.raises(cdp.InvalidArgumentError, match="unknown purpose 'marketng'; did you mean 'marketing'"):
        ws.select("count(*) >= 1", purpose="marketng")
    with pytest.raises(cdp.InvalidArgumentError, match="unknown purpose 'profiling'"):
        ws.segment("x", "count(*) >= 1", purpose="profiling")


def test_set_consent_records_and_audits():
    ws = workspace()
    ws.set_consent("user_id:u1", "marketing", "granted", T0 + pd.Timedelta(hours=1), source="preference centre",
                   policy_version="2024-05")
    assert allowed(ws, "marketing") == ["u1", "u2", "u3", "u5"]
    row = ws.consent_of("user_id:u1").set_index("purpose").loc["marketing"]
    assert (row.state, row.source, row.policy_version) == ("granted", "preference centre", "2024-05")
    assert ws.audit()["action"].iloc[-1] == "consent" and ws.verify_audit()["ok"]
    with pytest.raises(cdp.InvalidArgumentError, match="status 'maybe' is neither granted nor denied"):
        ws.set_consent("user_id:u1", "marketing", "maybe")
    with pytest.raises(cdp.InvalidArgumentError, match="unknown purpose"):
        ws.set_consent("user_id:u1", "newsletters", "granted")
    with pytest.raises(cdp.InvalidArgumentError, match="must be type:value"):
        ws.set_consent("u1", "marketing", "granted")
    assert len(ws.events()) == len(ROWS) + 1  # nothing else was stored by the refused calls


def test_policy_configuration():
    ws = workspace()
    ws.configure_privacy(opt_out_regions=["US", "DE"], opt_in_regions=["FR"], unknown_region="opt_out")
    assert allowed(ws, "marketing") == ["u1", "u2", "u3", "u5", "u6"]
    with pytest.raises(cdp.InvalidArgumentError, match="region 'Germany' is not an ISO 3166 code"):
        ws.configure_privacy(opt_in_regions=["Germany"])
    with pytest.raises(cdp.InvalidArgumentError, match="region 'US' is both opt-in and opt-out"):
        ws.configure_privacy(opt_in_regions=["US"], opt_out_regions=["US"])
    with pytest.raises(cdp.InvalidArgumentError, match="unknown setting"):
        ws.configure_privacy(regions=["US"])
    ws.segment("m", "count(*) >= 1", purpose="marketing")
    with pytest.raises(cdp.InvalidArgumentError, match="segment \"m\" uses purpose 'marketing'"):
        ws.configure_privacy(purposes=["analytics"])


def test_audit_chain_detects_edits(tmp_path):
    path = str(tmp_path / "shop.cdp")
    ws = workspace(path)
    ws.set_consent("user_id:u1", "marketing", "granted")
    v = ws.verify_audit()
    assert v["ok"] and v["entries"] == 2
    ws.close()
    with sqlite3.connect(path) as db:  # an edit behind the engine's back
        db.execute("UPDATE audit SET detail = replace(detail, '\"accepted\":8', '\"accepted\":7') WHERE seq = 1")
    ws = cdp.Workspace(path)
    v = ws.verify_audit()
    assert not v["ok"] and v["first_bad"] == 0 and "entry 1 of 2" in v["message"]
    ws.close()
    with sqlite3.connect(path) as db:  # removing an entry breaks the next one
        db.execute("DELETE FROM audit WHERE seq = 1")
    assert cdp.Workspace(path, read_only=True).verify_audit()["first_bad"] == 0


def test_hmac_sha256_rfc4231_and_pseudonyms():
    # RFC 4231 test case 1 (key 0x0b x 20, "Hi There") and case 2 (key "Jefe").
    assert cdp.privacy.hmac_sha256(b"\x0b" * 20, b"Hi There") == \
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert cdp.privacy.hmac_sha256(b"Jefe", b"what do ya want for nothing?") == \
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    k1 = cdp.privacy.PseudonymKey("k1", b"0123456789abcdef-secret")
    k2 = cdp.privacy.PseudonymKey("k2", b"another secret of 16+ bytes")
    p = cdp.privacy.pseudonymize(["ann@shop.com", "ann@shop.com", None], k1)
    assert p[0] == p[1] and p[2] is None and p[0].startswith("k1:") and len(p[0]) == 3 + 32
    assert p[0] == "k1:" + cdp.privacy.hmac_sha256(k1.secret, "ann@shop.com")[:32]
    assert cdp.privacy.pseudonymize(["ann@shop.com"], k2)[0] != p[0]  # rotation: another key, another value
    expired = cdp.privacy.PseudonymKey("k0", b"0123456789abcdef-old", expires="2020-01-01")
    with pytest.raises(cdp.InvalidArgumentError, match="pseudonym key 'k0' expired"):
        cdp.privacy.pseudonymize(["x"], expired)
    with pytest.raises(cdp.InvalidArgumentError, match="at least 16 are needed"):
        cdp.privacy.pseudonymize(["x"], cdp.privacy.PseudonymKey("k", b"short"))
    ws = workspace()
    out = ws.pseudonymize(ws.profiles(), ["key"], k1)
    assert out["key"].str.startswith("k1:").all() and (out["profile"] == ws.profiles()["profile"]).all()


def test_export_subject_is_complete(tmp_path):
    g = cdp.generate(customers=300, seed=2)
    ws = cdp.Workspace()
    ws.ingest(g["events"], progress=False)
    ws.import_profiles(g["customers"].drop(columns=["true_person_id"]), ts="signup_ts")
    ws.segment("buyers", "did(purchase)")
    ws.segment("never", "count(*) > 1000000")
    prof = ws.profiles().sort_values("events").iloc[-1]
    key = prof["key"]
    doc = ws.export_subject(key)
    t = doc["tables"]
    view = ws.profile(key, recent=0)
    # Against what the workspace holds for the same person.
    assert [r["identifier"] for r in t["identifiers"]] == view.identifiers
    assert len(t["events"]) == prof["events"] == (ws.events(columns=["profile"])["profile"] == prof["profile"]).sum()
    assert {r["name"]: r["value"] for r in t["attributes"]} == view.attributes
    assert [r["purpose"] for r in t["consent"]] == list(cdp.privacy.PURPOSES)
    in_buyers = prof["profile"] in set(ws.segment("buyers").members.tolist())
    assert [r["segment"] for r in t["segments"]] == (["buyers"] if in_buyers else [])
    assert len(t["links"]) == len(ws.identity_graph(key))
    assert ws.audit()["action"].iloc[-1] == "export" and "@" not in ws.audit()["detail"].iloc[-1]
    out = tmp_path / "subject"
    ws.export_subject(key, path=str(out), format="csv")
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in t] + ["subject.json"])
    assert len(pd.read_csv(out / "events.csv")) == len(t["events"])
    with pytest.raises(cdp.NotFoundError):
        ws.export_subject("email:nobody@nowhere.test")


def test_sensitive_attributes_need_a_recorded_justification():
    rows = [("a", "page_view", 0, {"traits.religion": "x", "traits.gender": "f", "traits.country": "US"}),
            ("b", "page_view", 0, {"traits.religion": "y", "traits.gender": "m", "traits.country": "US"}),
            ("c", "page_view", 0, {"traits.gender": "m", "traits.country": "US"})]
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": at(m), **x}
                       for i, (u, t, m, x) in enumerate(rows)])
    ws = cdp.Workspace()
    ws.ingest(df, progress=False)
    with pytest.raises(cdp.PrivacyError, match="purpose marketing may not target people on the sensitive attribute "
                                               "'religion' \\(religion\\)"):
        ws.segment("by_faith", "religion = 'x'", purpose="marketing")
    with pytest.raises(cdp.PrivacyError, match="select: purpose advertising"):
        ws.select("religion = 'x' or gender = 'm'", purpose="advertising")
    assert ws.select("religion = 'x'", purpose="analytics").size == 1  # analysis is not targeting
    s = ws.segment("by_faith", "religion = 'x'", purpose="marketing",
                   sensitive_justification="faith-based charity newsletter the members asked for")
    assert s.size == 1
    last = ws.audit().iloc[-1]
    assert last["action"] == "override" and "charity newsletter" in last["detail"] and "religion" in last["detail"]
    # Fairness: members {a} vs population {a, b, c} on gender: f 1/1 vs 1/3 (ratio 3), m 0/1 vs 2/3 (ratio 0).
    f = ws.fairness("by_faith", ["gender"]).set_index("value")
    assert f.loc["f", "ratio"] == pytest.approx(3.0) and f.loc["m", "ratio"] == 0.0 and f.loc["m", "flag"]
    assert f.loc["m", "population"] == 2 and f.loc["f", "members"] == 1


def test_aggregation_threshold_suppresses_small_groups():
    rows = [(f"u{i}", "nps_response", i, {"score": 10 if i % 2 else 3, "traits.country": "IT" if i < 5 else "FR"})
            for i in range(6)]
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": at(m), **x}
                       for i, (u, t, m, x) in enumerate(rows)])
    ws = cdp.Workspace()
    ws.ingest(df, progress=False)
    ws.configure_privacy(min_group_size=3)
    with pytest.warns(RuntimeWarning, match="1 rows over fewer than 3 .* are suppressed"):
        t = ws.nps(by="country").table.set_index("group")
    # FR has one response (u5): suppressed; IT has five: u0..u4 score 3, 10, 3, 10, 3 -> P 2, D 3 -> NPS -20.
    assert t.loc["FR", "suppressed"] and pd.isna(t.loc["FR", "nps"]) and pd.isna(t.loc["FR", "responses"])
    assert not t.loc["IT", "suppressed"] and t.loc["IT", "nps"] == pytest.approx(-20.0)


def test_noisy_counts_spend_a_persisted_budget(tmp_path):
    path = str(tmp_path / "dp.cdp")
    ws = workspace(path)
    ws.configure_privacy(epsilon_budget=0.25)
    r = ws.noisy_count("count(*) >= 1", epsilon=0.1)
    assert r["spent"] == pytest.approx(0.1) and r["remaining"] == pytest.approx(0.15)
    assert abs(r["count"] - 6) < 200  # Laplace(10): |noise| < 200 with probability 1 - e^-20
    ws.noisy_count("count(*) >= 1", epsilon=0.1)
    with pytest.raises(cdp.PrivacyError, match="privacy budget is spent: 0.2 of epsilon 0.25 used, this query needs 0.1"):
        ws.noisy_count("count(*) >= 1", epsilon=0.1)
    ws.close()
    ws = cdp.Workspace(path)  # the spent budget survives a reopen
    ws.configure_privacy(epsilon_budget=0.25)
    with pytest.raises(cdp.PrivacyError, match="0.2 of epsilon 0.25 used"):
        ws.noisy_count("count(*) >= 1", epsilon=0.1)
    assert ws.noisy_count("count(*) >= 1", epsilon=0.05)["remaining"] == pytest.approx(0.0)
    with pytest.raises(cdp.InvalidArgumentError, match="epsilon must be a positive number"):
        ws.noisy_count("count(*) >= 1", epsilon=0)


def test_k_anonymity_and_generalization():
    df = pd.DataFrame({"age": [23, 27, 31, 36, 38, 81], "postcode": ["SW1A 1AA", "SW1A 2BB", "EC1A 1BB",
                                                                    "EC1A 7XX", "EC1A 9ZZ", "N1 1AA"]})
    raw = cdp.privacy.k_anonymity(df, ["age", "postcode"], k=2)
    assert raw["k"] == 1 and raw["rows_below"] == 6  # every row unique
    g = pd.DataFrame({"age": cdp.privacy.age_band(df["age"]), "postcode": cdp.privacy.truncate_postcode(df["postcode"])})
    assert g["age"].tolist() == ["20-29", "20-29", "30-39", "30-39", "30-39", "80+"]
    assert g["postcode"].tolist() == ["SW1", "SW1", "EC1", "EC1", "EC1", "N11"]
    gen = cdp.privacy.k_anonymity(g, ["age", "postcode"], k=2)
    # Classes: (20-29, SW1) x2, (30-39, EC1) x3, (80+, N11) x1.
    assert (gen["k"], gen["classes"], gen["classes_below"], gen["rows_below"]) == (1, 3, 1, 1)
    with pytest.raises(cdp.InvalidArgumentError, match="no column"):
        cdp.privacy.k_anonymity(df, ["zip"])


def test_enforce_retention_deletes_expired_raw_events(tmp_path):
    path = str(tmp_path / "ttl.cdp")
    rows = [("u1", "page_view", "2024-01-10", {"url": "https://shop.test/secret-page-1"}),
            ("u1", "page_view", "2024-03-20", {}), ("u1", "purchase", "2024-01-15", {"revenue": 30.0}),
            ("u2", "page_view", "2024-02-01", {}), ("u2", "purchase", "2024-03-01", {"revenue": 5.0}),
            ("u2", "page_view", "2024-03-30", {})]
    df = pd.DataFrame([{"event_id": f"e{i}", "user_id": u, "type": t, "ts": pd.Timestamp(ts, tz="UTC"), **x}
                       for i, (u, t, ts, x) in enumerate(rows)])
    ws = cdp.Workspace(path)
    ws.ingest(df, progress=False)
    # As of 2024-04-01: page views keep 30 days (before 03-02 expire: 01-10, 02-01); purchases 60 days
    # (before 2024-02-01 expire: 01-15).
    r = ws.enforce_retention({"page_view": "30d", "purchase": "60d"}, now="2024-04-01")
    assert r["events_removed"] == 3 and r["removed_by_type"] == {"page_view": 2, "purchase": 1}
    agg = r["aggregates"].set_index(["type", r["aggregates"]["month"].dt.strftime("%Y-%m")])
    assert agg.loc[("purchase", "2024-01"), "revenue"] == 30.0 and agg.loc[("page_view", "2024-02"), "events"] == 1
    assert len(ws.events()) == 3 and ws.verify_audit()["ok"] and ws.audit()["action"].iloc[-1] == "retention"
    ws.close()
    data = (tmp_path / "ttl.cdp").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("ttl.cdp-wal"))
    assert b"secret-page-1" not in data  # the expired event's strings left the file
    ws = cdp.Workspace(path)
    assert sorted(ws.events()["ts"].dt.strftime("%m-%d")) == ["03-01", "03-20", "03-30"]
    with pytest.raises(cdp.InvalidArgumentError, match="unknown event type 'pageview'; did you mean 'page_view'"):
        ws.enforce_retention({"pageview": "30d"})
    with pytest.raises(cdp.InvalidArgumentError, match="not a duration"):
        ws.enforce_retention({"page_view": "a month"})


def test_consent_for_an_erased_person_is_refused():
    ws = workspace()
    ws.erase("user_id:u1")
    with pytest.raises(cdp.NotFoundError, match="user_id:u1 belongs to an erased person; nothing was recorded"):
        ws.set_consent("user_id:u1", "marketing", "granted")
    assert "user_id:u1" not in set(ws.profiles()["key"])
