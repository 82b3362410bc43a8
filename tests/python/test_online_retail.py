"""Online Retail (UCI) through the Python API: the anchors of its README."""
import cdpcore as cdp

PLAN = {"events": {"purchase": {"properties": {"Quantity": {"type": "integer", "min": 1},
                                               "UnitPrice": {"type": "number", "exclusive_min": 0}}}}}
MAPPING = {"ts": "InvoiceDate", "user_id": "CustomerID", "type": "=purchase",
           "revenue": "Quantity*UnitPrice", "country": "Country"}


def test_online_retail_cleaning_matches_readme(shared):
    ws = cdp.Workspace()
    rep = ws.ingest_csv(shared / "datasets/online_retail/online_retail_uci.csv.gz", mapping=MAPPING, plan=PLAN,
                        progress=False)
    # README: 541,909 rows; CustomerID NA on 135,080; cleaned 397,884 rows / 4,338 customers.
    assert rep.read == 541_909
    assert rep.consistent
    assert rep.reasons["missing_identifier"] == 135_080
    assert rep.accepted + rep.duplicates == 397_884
    ev = ws.events()
    assert ev["user_id"].nunique() == 4_338
    assert str(ev["ts"].min()) == "2010-12-01 08:26:00+00:00"   # README: 2010-12-01 08:26 .. 2011-12-09 12:50
    assert str(ev["ts"].max()) == "2011-12-09 12:50:00+00:00"
    # Countries normalized to ISO alpha-2; non-countries set aside with a warning.
    assert "GB" in set(ev["country"].astype(str))
    assert rep.warnings.get("invalid_country", 0) > 0
    q = ws.quarantine()
    neg = q[q["code"] == "plan_violation"]
    assert neg["reason"].str.contains("Quantity").any()
    assert neg["reason"].str.contains("UnitPrice").any()


def test_online_retail_monthly_cohorts_match_readme(shared):
    ws = cdp.Workspace()
    ws.ingest_csv(shared / "datasets/online_retail/online_retail_uci.csv.gz", mapping=MAPPING, plan=PLAN, progress=False)
    r = ws.retention(period="month", cohort="first_purchase", mode="on", periods=3)
    # README: the 2010-12 acquisition cohort has 885 customers; active in months +1, +2, +3: 324, 286, 340.
    first = r.counts.iloc[0]
    assert str(r.counts.index[0]) == "2010-12"
    assert first.tolist() == [885, 324, 286, 340]
    assert r.sizes.sum() == 4_338                      # every cleaned customer in exactly one cohort
    assert r.rates.iloc[0, 1] == 324 / 885
