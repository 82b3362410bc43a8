"""cdpcore demo: generate a synthetic shop, ingest it and the UCI Online Retail file, and show what
happened to every row. Writes demo-output/."""
import json
import os
import pathlib
import sys
import time

import matplotlib
import pandas as pd

import cdpcore as cdp

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("CDP_SHARED_DIR", ROOT.parent / "shared"))
OUT = ROOT / "demo-output"
CUSTOMERS = int(os.environ.get("CDP_DEMO_CUSTOMERS", "50000"))


matplotlib.use("Agg")  # files, no window


def save_plot(ax, name):
    """Writes a result's plot to demo-output/<name>.png."""
    ax.figure.tight_layout()
    ax.figure.savefig(OUT / f"{name}.png", dpi=100)


def section(title):
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def pair_count(sizes):
    return float((sizes * (sizes - 1) / 2).sum())


def identity_section(ws, data):
    section("Identity resolution: cookies, logins, emails, phones, devices -> profiles")
    ident = ws.resolve_identities()
    print(ident)
    # The generator knows who made each event (true_person_id): score the merges against it.
    truth = data["events"][["event_id", "true_person_id"]].astype({"event_id": str})
    m = ws.events()[["event_id", "profile"]].astype({"event_id": str}).merge(truth, on="event_id").dropna()
    both = pair_count(m.groupby(["profile", "true_person_id"]).size())
    precision = both / pair_count(m.groupby("profile").size())
    recall = both / pair_count(m.groupby("true_person_id").size())
    print(f"against the hidden ground truth ({m['true_person_id'].nunique():,} people): merge precision "
          f"{precision:.4f}, recall {recall:.4f} (pairs of events; visitors who clear cookies and never "
          f"log in cannot be linked by any resolver)")

    section("360° profiles: CRM import, computed traits, one person")
    crm = data["customers"].drop(columns=["true_person_id"])
    print(ws.import_profiles(crm, source="crm", ts="signup_ts"))
    ws.define_trait("orders", "count", event_type="purchase")
    ws.define_trait("revenue_90d", "sum", "revenue", event_type="purchase", window="90d")
    ws.define_trait("top_channel", "most_frequent", "channel")
    profiles = ws.profiles()
    print(f"{len(profiles):,} profiles; returning visitors {profiles['returning'].mean():.1%}; "
          f"with a CRM record {profiles['first_name'].notna().sum():,}")
    known = profiles[profiles["first_name"].notna()]
    best = ws.profile(int(known.sort_values(["revenue_90d", "profile"]).iloc[-1]["profile"]))
    print(f"top spender of the last 90 days among CRM customers: {best!r}")
    print(f"  identifiers: {', '.join(best.identifiers)}")
    shown = {k: best.attributes[k] for k in ("first_name", "city", "industry", "company_size") if k in best.attributes}
    print(f"  attributes (CRM): {shown}")
    print(f"  traits: {best.traits}")
    history = ws.merge_history(best.id)
    for row in history.head(5).itertuples():
        print(f"  merged {row.a} + {row.b}  by event {row.event_id} at {row.ts:%Y-%m-%d %H:%M}")
    profiles.head(1000).to_csv(OUT / "profiles_sample.csv", index=False)

    section("Workspace file: every ingest call is one transaction; reopen gives the same answers")
    path = OUT / "shop.cdp"
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    fw = cdp.Workspace(path)
    fw.ingest(data["events"].drop(columns=["true_person_id"]), source="synthetic events", progress=False)
    fw.import_profiles(crm, source="crm", ts="signup_ts")
    before = fw.resolve_identities()
    fw.save()
    del fw
    t1 = time.perf_counter()
    again = cdp.Workspace(path, read_only=True)
    after = again.resolve_identities()
    print(f"wrote {path.name} ({path.stat().st_size / 2**20:,.1f} MiB) in {t1 - t0:.2f} s; reopened read-only in "
          f"{time.perf_counter() - t1:.2f} s: {again.event_count():,} events, {after.profiles:,} profiles "
          f"(before: {before.profiles:,}), integrity {again.integrity_check()}")


def segments_section(ws, retail, plan):
    section("Segments: rules over profiles, set operations, validation, activation export")
    eu = ws.segment("eu_buyers", "country in ('IT','FR','DE','ES') and count(purchase, last=30d) >= 1",
                    purpose="marketing", replace=True)
    vip = ws.segment("vip", cdp.segments.economic(min_spend=200), replace=True)
    lapsing = ws.segment("lapsing", "did(purchase) and not did(purchase, last=30d) and count(page_view, last=14d) >= 1",
                         replace=True)
    tiers = cdp.segments.engagement_tiers(ws, window="30d", thresholds=(1, 4))
    for seg in (eu, vip, lapsing, *tiers.values()):
        print(f"  {seg.name:<18} {seg.size:>6,} profiles  {seg.expression}")
    both = eu & vip
    print(f"  eu_buyers & vip: {both.size:,}; eu_buyers | vip: {(eu | vip).size:,}; jaccard {eu.jaccard(vip):.3f}")
    v = ws.validate_segment("vip", period="30d")
    print(f"  {v!r}")
    for row in v.lift.head(4).itertuples():
        if row.value == "mean":
            print(f"    mean {row.column}: {row.segment_share:,.1f} in vip vs {row.population_share:,.1f} overall "
                  f"(lift {row.lift:.2f})")
        else:
            print(f"    {row.column} = {row.value}: {row.segment_share:.1%} of vip vs {row.population_share:.1%} "
                  f"overall (lift {row.lift:.2f})")
    n = vip.to_csv(OUT / "vip_audience.csv", ["email", "phone", "country"])
    print(f"  wrote demo-output/vip_audience.csv ({n:,} rows: profile, key, email, phone, country)")
    try:
        ws.select("count(purchase, last=30d) >= 2 and contry = 'IT'")
    except cdp.InvalidArgumentError as e:
        print("  a typo gets a precise error:\n    " + str(e).replace("\n", "\n    "))

    section("RFM and k-means personas on Online Retail (README anchors: 4,338 / 92.06 / 2 / 674.49)")
    rw = cdp.Workspace()
    mapping = {"ts": "InvoiceDate", "user_id": "CustomerID", "type": "=purchase",
               "revenue": "Quantity*UnitPrice", "country": "Country", "event_id": "@line"}
    rw.ingest_csv(retail, mapping=mapping, plan=plan, progress=False)
    rfm = rw.rfm(order_field="InvoiceNo")
    print(f"  customers {len(rfm):,}; mean recency {rfm['recency'].mean():.2f} days; median frequency "
          f"{rfm['frequency'].median():.0f}; median monetary GBP {rfm['monetary'].median():.3f} "
          f"(reference {rfm.attrs['reference']:%Y-%m-%d})")
    counts = rfm["segment"].value_counts()
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    km = cdp.KMeansSegmenter(n_clusters=4, n_init=10, random_state=0, log_transform=True,
                             standardize=True).fit(rfm[["recency", "frequency", "monetary"]])
    print(f"  k-means k=4 on log+z RFM: inertia {km.inertia_:.2f} (scikit-learn: 3962.64), "
          f"silhouette {km.silhouette():.3f}")
    personas = km.personas()
    for row in personas.itertuples():
        print(f"    {row.name:<32} {row.size:>5,} ({row.share:.0%})  mean R {row.mean_recency:6.1f} d, "
              f"F {row.mean_frequency:5.1f}, M GBP {row.mean_monetary:9,.0f}")
    personas.to_csv(OUT / "online_retail_personas.csv", index=False)
    rfm.to_csv(OUT / "online_retail_rfm.csv", index=False)
    save_plot(cdp.segments.sizes_plot([eu, vip, lapsing, *tiers.values()]), "segment_sizes")
    save_plot(cdp.segments.overlap_plot(ws.overlap(["eu_buyers", "vip", "lapsing"])), "segment_overlap")
    save_plot(km.plot_personas(), "online_retail_personas")


def journeys_section(ws, shared):
    section("Journeys: sessions, funnel, paths, stages, attribution, heatmap")
    s = ws.sessions().summary()
    print(f"  {s['sessions']:,} sessions of {s['profiles']:,} profiles; bounce rate {s['bounce_rate']:.1%}; "
          f"{s['pages_per_session']:.2f} pages/session; average {s['avg_duration_s']:.0f} s")
    f = ws.funnel(["page_view", "add_to_cart", "checkout", "purchase"], window="7d")
    print("  funnel page_view > add_to_cart > checkout > purchase (7 days, ordered):")
    for row in f.steps.itertuples():
        med = "" if row.step == 1 else f", median {row.median_s_from_previous:,.0f} s from the previous step"
        print(f"    {row.label:<12} {row.count:>7,}  {row.conversion_from_first:6.1%} of step 1{med}")
    lost = f.dropoff(2)
    print(f"  carted but never checked out: {lost.size:,} profiles (a segment for a reminder campaign)")
    b = ws.funnel(["page_view", "purchase"], window="7d", breakdown="device_type").breakdown
    conv = b[b.step == 2].set_index("value")["conversion_from_first"].sort_values(ascending=False)
    print("  conversion by device at entry: " + ", ".join(f"{k} {v:.1%}" for k, v in conv.items()))
    p = ws.paths(start="home", element="page", depth=4, top=5)
    print("  top paths from the home page:")
    for row in p.top.itertuples():
        print(f"    {row.count:>6,} ({row.share:5.1%})  {row.path}")
    st = ws.stages()
    print("  journey stages now: " + ", ".join(f"{r.stage} {r.current:,}" for r in st.summary.itertuples()))
    a = ws.attribution(models=["first", "last", "linear", "position", "time_decay", "markov"])
    print(f"  attribution of {a.total_conversions:,.0f} purchases (30-day lookback, one touch per session):")
    print("    " + a.to_pandas().round(1).to_string().replace("\n", "\n    "))
    h = ws.heatmap("product")
    reach = h.scroll.set_index("depth")["share"]
    print(f"  product pages: {h.clicks:,} clicks, {len(h.rage_clicks):,} rage-click bursts; scroll reach "
          + ", ".join(f"{d}% {v:.0%}" for d, v in reach.items()))
    ca = pd.read_csv(shared / "datasets/attribution/ChannelAttribution_Data.csv", sep=";")
    r = cdp.attribution_from_paths(ca.path, ca.total_conversions, ca.total_conversion_value, ca.total_null,
                                   models=["first", "last", "linear", "markov"])
    top = r.to_pandas().sort_values("markov", ascending=False).head(4)
    print("  ChannelAttribution example paths (10,000 paths): exact Markov vs heuristics, top channels:")
    print("    " + top.round(2).to_string().replace("\n", "\n    "))
    for name, result in (("funnel", f), ("paths", p), ("attribution", a), ("heatmap_product", h), ("stages", st)):
        save_plot(result.plot(), name)


def metrics_section(retail_ws):
    section("Metrics: monthly cohort retention on Online Retail")
    r = retail_ws.retention(period="month", cohort="first_purchase", mode="on", periods=6)
    first = r.counts.iloc[0]
    print(f"  2010-12 cohort: {int(first.iloc[0]):,} customers; active in months +1..+3: "
          + ", ".join(f"{int(v):,}" for v in first.iloc[1:4]) + " (README: 885; 324, 286, 340)")
    c = r.curve()
    print("  retention curve (all cohorts old enough): " + ", ".join(f"+{int(k)} {v:.1%}" for k, v in zip(c.offset, c.rate)))
    save_plot(r.plot(), "retention_online_retail")


def kpi_section(ws, data):
    section("KPIs on the synthetic shop")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the notes are printed below
        k = ws.kpis(data["campaigns"], by=["channel"], attribution="last")
    t = k.table
    print("  paid channels, last-touch credit (cost table joined with the events):")
    print("    channel        cost    conv   new     CTR      CPC     CPA     CAC    ROAS")
    for r in t[t["cost"].notna()].itertuples():
        print(f"    {r.channel:<12}{r.cost:>8,.0f}{r.conversions:>8.0f}{r.new_customers:>6.0f}{r.ctr:>8.2%}"
              f"{r.cpc:>9.2f}{r.cpa:>8.2f}{r.cac:>8.2f}{r.roas:>8.2f}")
    print(f"  blended: cost {k.totals['cost']:,.0f}, CAC {k.totals['cac']:.2f}, ROAS {k.totals['roas']:.2f}; "
          f"{k.unattributed_conversions:,} of {k.conversions:,} purchases had no campaign touch in 30 days")
    web = ws.web_metrics(period="all").table.iloc[0]
    au = ws.active_users().table.iloc[-1]
    print(f"  web: {int(web.visitors):,} visitors, {int(web.sessions):,} sessions, bounce {web.bounce_rate:.1%}, "
          f"{web.pages_per_session:.2f} pages/session, {web.avg_session_duration_s:.0f} s; last day DAU {int(au.dau):,}, "
          f"MAU {int(au.mau):,}, stickiness {au.stickiness:.1%}")
    em = ws.email_metrics().table.iloc[-1]
    print(f"  email: {int(em.delivered):,} delivered, open {em.open_rate:.1%}, CTR {em.click_rate:.2%}, "
          f"click-to-open {em.click_to_open:.1%}, unsubscribe {em.unsubscribe_rate:.2%}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        nps = ws.nps().table.iloc[0]
        csat = ws.csat().table.iloc[0]
    print(f"  NPS {nps.nps:+.1f} (95% CI {nps.nps_low:+.1f}..{nps.nps_high:+.1f}, n={int(nps.responses):,}); "
          f"CSAT {csat.csat:.1f}% ({csat.csat_low:.1f}..{csat.csat_high:.1f}, n={int(csat.responses):,})")
    m = ws.churn("45d", random_state=0)
    top = m.drivers_.iloc[0]
    print(f"  churn (no activity in the last 45 days): rate {m.churn_rate_:.1%}, holdout AUC {m.auc_:.3f}, "
          f"Brier {m.brier_:.3f}; strongest driver {top.feature} (odds x{top.odds_ratio:.2f} per SD)")
    exp = ws.experiment("checkout_v2", exposure="checkout", window="14d", salt="demo")
    a = exp.analyze(correction="holm")
    n = a.variants.set_index("variant")["n"]
    print(f"  experiment checkout_v2 (exposure: checkout; no effect planted, so an A/A check): "
          + ", ".join(f"{k} {int(v):,}" for k, v in n.items())
          + f"; SRM p={a.srm.p_value:.3f}")
    for r in a.table.itertuples():
        print(f"    {r.metric:<11} control {r.control:.4g} vs {r.value:.4g}: lift {r.lift:+.1%} "
              f"[{r.lift_ci_low:+.1%}, {r.lift_ci_high:+.1%}], p={r.p_value:.3f} (Holm {r.p_adjusted:.3f})"
              + ("" if r.prob_beat_control != r.prob_beat_control else f", P(beat control) {r.prob_beat_control:.1%}"))
    save_plot(a.plot(), "experiment_lift")
    save_plot(k.plot(metric="roas"), "roas_by_channel")


def clv_section(retail_ws):
    section("CLV on Online Retail: BG/NBD + Gamma-Gamma, 12 months at 1%/month")
    ev = retail_ws.events(columns=["profile_key", "ts", "revenue"])
    s = cdp.clv.summary_from_transactions(ev, "profile_key", "ts", "revenue", freq="D")
    bg = cdp.clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    rep = s[s["frequency"] > 0]
    gg = cdp.clv.GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    clv = gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                     time=12, discount_rate=0.01, freq="D")
    p = ", ".join(f"{k} {v:.4g}" for k, v in bg.params_.items())
    print(f"  {len(s):,} customers; BG/NBD {p} (converged: {bg.converged_})")
    print(f"  mean 12-month CLV GBP {clv.mean():,.2f}; top decile holds {clv.nlargest(len(clv) // 10).sum() / clv.sum():.0%} of it")


def privacy_section(ws):
    section("Privacy: consent, purpose-bound segments, access export, erasure, audit")
    for purpose in ("analytics", "marketing", "sale_of_data"):
        c = ws.consent(purpose)
        print(f"  {purpose:<13} granted {int((c['state'] == 'granted').sum()):>6,}  denied {int((c['state'] == 'denied').sum()):>6,}"
              f"  unknown {int((c['state'] == 'unknown').sum()):>6,}  -> may be used: {int(c['allowed'].sum()):>6,}")
    seg = ws.select("did(purchase)", purpose="marketing")
    print(f"  buyers for a marketing campaign: {seg.size:,} (left out for lack of consent: {seg.excluded:,})")
    person = ws.profiles().sort_values("events").iloc[-1]["key"]
    doc = ws.export_subject(person, OUT / "subject_export.json")
    print(f"  access export of one person: {', '.join(f'{k} {len(v)}' for k, v in doc['tables'].items())}")
    r = ws.erase(person)
    print(f"  erased them: {r['events_removed']:,} events, {r['identifiers_removed']} identifiers, "
          f"{r['links_removed']} links; audit chain intact: {ws.verify_audit()['ok']}")


def main():
    OUT.mkdir(exist_ok=True)
    ws = cdp.Workspace()

    section(f"Synthetic shop: {CUSTOMERS:,} customers, 120 days (seed 7)")
    t0 = time.perf_counter()
    data = cdp.generate(customers=CUSTOMERS, days=120, seed=7)
    events = data["events"]
    print(f"generated {len(events):,} events, {len(data['customers']):,} CRM rows, "
          f"{len(data['campaigns']):,} campaign-cost rows in {time.perf_counter() - t0:.2f} s")
    # The generator's hidden ground truth is for testing identity resolution, not for ingest.
    rep = ws.ingest(events.drop(columns=["true_person_id"]), source="synthetic events")
    print(rep)
    identity_section(ws, data)

    section("UCI Online Retail (541,909 invoice lines)")
    retail = SHARED / "datasets/online_retail/online_retail_uci.csv.gz"
    plan = {"events": {"purchase": {"properties": {
        "Quantity": {"type": "integer", "min": 1,
                     "description": "returns and cancellations have Quantity <= 0"},
        "UnitPrice": {"type": "number", "exclusive_min": 0}}}}}
    mapping = {"ts": "InvoiceDate", "user_id": "CustomerID", "type": "=purchase",
               "revenue": "Quantity*UnitPrice", "country": "Country"}
    retail_ws = cdp.Workspace()
    rep2 = retail_ws.ingest_csv(retail, mapping=mapping, plan=plan)
    print(rep2)
    q = retail_ws.quarantine()
    invoice = q["record"].map(lambda r: json.loads(r).get("InvoiceNo") or "")
    cancelled = invoice.str.startswith("C")
    no_customer = q["code"] == "missing_identifier"
    nonpositive = q["code"] == "plan_violation"
    print("what happened to each kind of row:")
    print(f"  no CustomerID (can't be tied to a person) -> quarantined 'missing_identifier': {no_customer.sum():>8,}")
    print(f"  cancellations (InvoiceNo 'C...', Quantity < 0) with a customer -> 'plan_violation': "
          f"{(cancelled & nonpositive).sum():>8,}")
    print(f"  other Quantity <= 0 or UnitPrice <= 0 with a customer -> 'plan_violation':     "
          f"{(~cancelled & nonpositive).sum():>8,}")
    print(f"  exact duplicate lines (same content) -> counted as duplicates:                 {rep2.duplicates:>8,}")
    print(f"  kept as purchase events:                                                       {rep2.accepted:>8,}")
    ev = retail_ws.events()
    print(f"  customers: {ev['user_id'].nunique():,}   revenue: GBP {ev['revenue'].sum():,.2f}   "
          f"countries: {ev['country'].nunique()} (set aside as not a country: "
          f"{rep2.warnings.get('invalid_country', 0):,} rows)")

    segments_section(ws, retail, plan)
    journeys_section(ws, SHARED)
    metrics_section(retail_ws)
    kpi_section(ws, data)
    clv_section(retail_ws)
    privacy_section(ws)

    section("Writing demo-output/")
    summary = {"synthetic": rep.to_dict(), "online_retail": rep2.to_dict(),
               "synthetic_summary": ws.summary(partitions=4), "memory": ws.memory()}
    (OUT / "ingest_reports.json").write_text(json.dumps(summary, indent=2, default=str))
    q.head(1000).to_csv(OUT / "online_retail_quarantine_sample.csv", index=False)
    ws.events().head(1000).to_csv(OUT / "synthetic_events_sample.csv", index=False)
    data["campaigns"].to_csv(OUT / "campaign_costs.csv", index=False)
    by_type = ws.summary()["by_type"]
    print("synthetic events by type: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_type.items(), key=lambda kv: -kv[1])))
    for p in sorted(OUT.iterdir()):
        print(f"  {p.relative_to(ROOT)}  ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
