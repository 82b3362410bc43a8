"""Erasure (GDPR Art. 17 / CCPA delete) by any identifier, on generated data in a workspace file.

The ground truth is the generator's hidden true_person_id: erasing a person must leave exactly
what a workspace built from the same data without that person's rows holds (every aggregate is
recomputed, not patched), and no byte of the person's identifiers may remain in the .cdp file or its
WAL. Re-ingesting the original data keeps them out (tombstones), counted under "erased_subject".
"""
import json
import os

import pandas as pd
import pytest

import cdpcore as cdp

SEED = 11
ID_COLUMNS = ["user_id", "email", "phone", "device_id", "anonymous_id"]


@pytest.fixture(scope="module")
def data():
    d = cdp.generate(customers=500, seed=SEED)
    return d["events"], d["customers"]


def build(events, customers, path=None):
    ws = cdp.Workspace(path) if path else cdp.Workspace()
    rep = ws.ingest(events, progress=False)
    ws.import_profiles(customers, source="crm", ts="signup_ts")
    return ws, rep


def file_bytes(path):
    out = b""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            with open(str(path) + suffix, "rb") as f:
                out += f.read()
    return out


def pick_person(ws, events, customers):
    """A person with email, phone, user_id and a device id whose rows all resolve into one profile
    that holds nobody else's rows, whose identifiers no other row carries, and whose identifier
    values occur in nobody else's data (so a byte scan for them is meaningful)."""
    stored = ws.events(columns=["profile", "true_person_id", "traits.true_person_id"] + ID_COLUMNS)
    ids = ws.identifiers()
    for _, c in customers.dropna(subset=["email", "phone", "user_id"]).iterrows():
        person = int(c["true_person_id"])
        mine = events["true_person_id"] == person
        if events.loc[mine, "device_id"].isna().all():
            continue
        rows = stored[(stored["true_person_id"] == person) | (stored["traits.true_person_id"] == person)]
        if len(rows) != mine.sum() + 1 or rows["profile"].isna().any() or rows["profile"].nunique() != 1:
            continue  # some rows quarantined or unassigned, or the person is split over profiles
        p = int(rows["profile"].iloc[0])
        in_p = stored[stored["profile"] == p]
        if len(in_p) != len(rows):
            continue  # the profile also holds someone else's rows (a shared family computer)
        values = ids[ids["profile"] == p]
        outside = stored[stored["profile"] != p]
        if any(outside[t].isin(values.loc[values["type"] == t, "value"]).any() for t in ID_COLUMNS):
            continue
        # None of the values may occur inside anybody else's text (user ids like u47 vs u471).
        other = "\n".join(pd.concat([events.loc[~mine, c].astype(str) for c in events.columns
                                     if str(events[c].dtype) == "category"]).tolist()).lower()
        other += "\n".join(customers.loc[customers["true_person_id"] != person].astype(str).values.ravel()).lower()
        if any(v.lower() in other for v in values["value"]):
            continue
        return person, p, values
    pytest.fail("no suitable person in the generated data")


def comparable(ws):
    prof = ws.profiles().drop(columns=["profile"]).sort_values("key").reset_index(drop=True)
    summary = ws.summary()
    return {
        "summary": {k: summary[k] for k in ("events", "profiles", "first_ts", "last_ts", "by_type")},
        "revenue": round(summary["revenue"], 6),
        "events": ws.event_count(),
        "profiles": prof,
        "retention": ws.retention(period="week").table.reset_index(drop=True),
        "rfm": ws.rfm().drop(columns=["profile"]).sort_values("key").reset_index(drop=True),
        "segment": len(ws.segment("active", "count(page_view) >= 3", replace=True)),
        "sessions": len(ws.sessions()),
    }


def assert_same(a, b):
    assert a["summary"] == b["summary"]
    assert a["revenue"] == pytest.approx(b["revenue"])
    assert a["events"] == b["events"]
    pd.testing.assert_frame_equal(a["profiles"], b["profiles"])
    pd.testing.assert_frame_equal(a["retention"], b["retention"])
    pd.testing.assert_frame_equal(a["rfm"], b["rfm"])
    assert a["segment"] == b["segment"]
    assert a["sessions"] == b["sessions"]


def test_erasure_removes_every_byte_and_equals_a_recomputation(tmp_path, data):
    events, customers = data
    path = tmp_path / "shop.cdp"
    ws, first = build(events, customers, path)
    person, p, values = pick_person(ws, events, customers)
    email = values.loc[values["type"] == "email", "value"].iloc[0]
    secret_values = list(values["value"])
    person_event_ids = [str(e) for e in events.loc[events["true_person_id"] == person, "event_id"]]
    # Things that name the person outside their events: a manual link (audited with the email), a
    # quarantined row holding the email, a segment and a trait (derived).
    ws.link(f"email:{email}", "device_id:crm-device-7")
    bad = pd.DataFrame({"event_id": ["bad-1"], "type": ["page_view"], "ts": ["not a time"], "email": [email]})
    assert ws.ingest(bad, progress=False).quarantined == 1
    ws.define_trait("views", "count", event_type="page_view")
    ws.segment("active", "count(page_view) >= 3")
    ws.save()  # snapshot tables for SQL tools name the person too
    assert email.encode() in file_bytes(path)
    assert any(email in d for d in ws.audit()["detail"])
    audit_before = len(ws.audit())

    rep = ws.erase(f"email: {email.upper()} ")  # normalized like ingest
    n_person = int((events["true_person_id"] == person).sum()) + 1  # + the CRM identify event
    assert rep["events_removed"] == n_person
    assert rep["identifiers_removed"] == len(values) + 1  # + the manually linked device
    assert rep["identifiers_by_type"]["email"] == (values["type"] == "email").sum()
    assert rep["quarantine_removed"] == 1 and rep["operations_removed"] == 1
    assert rep["links_removed"] >= len(values) - 1 and rep["audit_redacted"] == 1
    assert rep["file_compacted"] and rep["strings_removed"] > 0
    assert len(rep["tombstones"]) == rep["identifiers_removed"] and rep["profile_key_hash"] in rep["tombstones"]

    # (1) No byte of the person's identifiers (as stored, and lowercased) or event ids remains.
    raw = file_bytes(path)
    for v in secret_values + ["crm-device-7"] + person_event_ids:
        assert v.encode() not in raw, v
        assert v.lower().encode() not in raw.lower(), v
    assert not any(v in d for d in ws.audit()["detail"] for v in secret_values)

    # (2) Every aggregate equals a workspace built without the person (ground truth).
    ws2, _ = build(events[events["true_person_id"] != person], customers[customers["true_person_id"] != person])
    ws2.define_trait("views", "count", event_type="page_view")
    after = comparable(ws)
    assert_same(after, comparable(ws2))
    assert "first_name" in ws.profiles().columns  # CRM attributes of everyone else stay
    with pytest.raises(cdp.NotFoundError):
        ws.profile(f"email:{email}")

    # (6) The chain still verifies; the erase entry names only hashes and counts.
    assert ws.verify_audit()["ok"]
    log = ws.audit()
    entry = log[log["action"] == "erase"].iloc[-1]
    detail = json.loads(entry["detail"])
    assert detail["profile_key"] == rep["profile_key_hash"] and detail["events"] == n_person
    assert not any(v.lower() in entry["detail"].lower() for v in secret_values)
    assert len(log) >= audit_before + 1

    # (3) Reopening gives the same state.
    ws.close()
    ws = cdp.Workspace(path)
    assert_same(comparable(ws), after)
    assert ws.verify_audit()["ok"]

    # (4) Re-ingesting the original data keeps the person out and counts them; the rest are
    # duplicates as before. Nothing of them is stored, not even in quarantine.
    again = ws.ingest(events, progress=False)
    mine = int((events["true_person_id"] == person).sum())
    assert again.erased == mine and again.reasons["erased_subject"] == mine
    assert again.accepted == 0 and again.consistent and again.quarantined == first.quarantined + mine
    assert again.duplicates == first.accepted + first.duplicates - mine
    crm = ws.import_profiles(customers, source="crm", ts="signup_ts")
    assert crm.erased == 1 and crm.accepted == 0
    assert not any(email in r for r in ws.quarantine()["record"])
    assert ws.event_count() == after["events"]
    raw = file_bytes(path)
    for v in secret_values:
        assert v.lower().encode() not in raw.lower(), v
    with pytest.raises(cdp.NotFoundError, match="already erased"):
        ws.erase(f"email:{email}")

    # (5) An identifier nobody holds: NotFound, nothing changes.
    count, log_len = ws.event_count(), len(ws.audit())
    with pytest.raises(cdp.NotFoundError, match="nobody holds email:nobody@example.org"):
        ws.erase("email:nobody@example.org")
    assert ws.event_count() == count and len(ws.audit()) == log_len
    with pytest.raises(cdp.InvalidArgumentError):
        ws.erase("not an identifier")
    ws.close()


def test_push_and_consent_of_an_erased_person_are_rejected_in_memory():
    ws = cdp.Workspace()
    ws.ingest(pd.DataFrame({"event_id": ["a", "b", "c"], "type": ["page_view"] * 3,
                            "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
                            "user_id": ["u1", "u1", "u2"], "email": ["Ann@Shop.com", None, "bob@shop.com"]}),
              progress=False)
    rep = ws.erase("user_id:u1")
    assert rep["events_removed"] == 2 and rep["identifiers_by_type"] == {"email": 1, "user_id": 1}
    assert ws.event_count() == 1 and len(ws.profiles()) == 1
    assert ws.push('{"type": "page_view", "ts": "2024-02-01T00:00:00Z", "email": " ANN@shop.com"}') == "quarantined"
    assert ws.push_report().erased == 1 and len(ws.quarantine()) == 0
    assert ws.push('{"type": "page_view", "ts": "2024-02-01T00:00:00Z", "user_id": "u3"}') == "accepted"
    with pytest.raises(cdp.NotFoundError, match="belongs to an erased person"):
        ws.set_consent("email:ann@shop.com", "marketing", "granted")
    assert ws.event_count() == 2 and ws.verify_audit()["ok"]


def test_a_read_only_workspace_refuses_to_erase(tmp_path):
    path = tmp_path / "ro.cdp"
    ws = cdp.Workspace(path)
    ws.ingest(pd.DataFrame({"event_id": ["a"], "type": ["page_view"],
                            "ts": pd.to_datetime(["2024-01-01"], utc=True), "user_id": ["u1"]}), progress=False)
    reader = cdp.Workspace(path, read_only=True)
    with pytest.raises(cdp.InvalidArgumentError, match="read-only"):
        reader.erase("user_id:u1")
    assert reader.event_count() == 1
    reader.close()
    ws.close()
