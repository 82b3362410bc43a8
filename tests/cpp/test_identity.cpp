// Identity resolution: rules, provenance, late links, unmerge, order independence, ground truth.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>

#include "cdp/generate.hpp"
#include "cdp/workspace.hpp"
#include "table_text.hpp"
#include "generated_source.hpp"

using namespace cdp;
using cdp::testing::GeneratedSource;
using cdp::testing::Source;
using cdp::testing::TableText;

namespace {

std::unique_ptr<Workspace> Open() { return *Workspace::Open(); }

// Ingests CSV text whose header is `event_id,ts,type,user_id,email,anonymous_id,...`.
void Ingest(Workspace& ws, const std::string& csv) {
  auto rep = ws.IngestCsvText(csv);
  REQUIRE(rep.ok());
  REQUIRE(rep->quarantined == 0);
}

// The profiles as sets of identifiers, e.g. {{"anonymous_id:c1","user_id:u1"}, ...}.
std::set<std::set<std::string>> Partition(Workspace& ws) {
  std::set<std::set<std::string>> out;
  const ProfileIndex& p = ws.profiles();
  for (int32_t i = 0; i < p.size(); ++i) {
    std::set<std::string> ids;
    for (int32_t node : p.nodes(i)) ids.insert(ws.identity().NodeText(node));
    out.insert(ids);
  }
  return out;
}

std::string ProfileKeyOf(Workspace& ws, const std::string& identifier) {
  auto p = ws.FindProfile(identifier);
  REQUIRE(p.ok());
  return ws.identity().NodeText(ws.profiles().key_node(*p));
}


}  // namespace

TEST_CASE("identifiers that co-occur in an event form one profile; events follow their anchor") {
  auto ws = Open();
  Ingest(*ws,
         "event_id,ts,type,user_id,email,anonymous_id\n"
         "1,2024-01-01T10:00:00Z,page_view,,,c1\n"
         "2,2024-01-01T10:05:00Z,signup,u1,ann@shop.com,c1\n"
         "3,2024-01-02T09:00:00Z,page_view,,,c2\n"
         "4,2024-01-03T09:00:00Z,page_view,,ANN@shop.com ,c2\n"
         "5,2024-01-03T09:00:00Z,page_view,,,c3\n");
  auto rep = ws->ResolveIdentities();
  REQUIRE(rep.ok());
  // Hand count: c1-u1, c1-ann (via event 2's anchor u1), c2-ann => {u1, ann, c1, c2}; {c3}.
  CHECK(rep->profiles == 2);
  CHECK(rep->identifiers == 5);
  CHECK(rep->links == 3);  // (u1,ann), (u1,c1), (ann,c2)
  CHECK(rep->merges == 3);
  CHECK(rep->conflicts == 0);
  auto expected = std::set<std::set<std::string>>{
      {"user_id:u1", "email:ann@shop.com", "anonymous_id:c1", "anonymous_id:c2"}, {"anonymous_id:c3"}};
  CHECK(Partition(*ws) == expected);
  // Profile 0 has the earliest first event; its canonical key is its user_id (highest priority).
  CHECK(ProfileKeyOf(*ws, "anonymous_id:c2") == "user_id:u1");
  CHECK(*ws->FindProfile("email:Ann@Shop.com") == 0);
  CHECK(*ws->FindProfile("anonymous_id:c3") == 1);
  auto view = ws->Profile(0);
  REQUIRE(view.ok());
  CHECK(view->events == 4);
  // Sessions: 10:00, 10:05 (same), next day, two days later -> 3 sessions, returning.
  CHECK(view->sessions == 3);
  CHECK(view->returning);
  CHECK(view->recent_events.rows() == 4);
  CHECK(view->recent_events.CellText(0, 0) == "4");  // newest first
  // The events table carries dense profile ids, sorted by (profile, ts).
  Table ev = ws->EventsTable();
  int pc = ev.Index("profile");
  REQUIRE(pc >= 0);
  std::vector<std::string> profile_col;
  for (size_t r = 0; r < ev.rows(); ++r) profile_col.push_back(ev.CellText(static_cast<size_t>(pc), r));
  CHECK(profile_col == std::vector<std::string>{"0", "0", "0", "0", "1"});
}

TEST_CASE("blocked values never link and events with only blocked identifiers have no profile") {
  auto ws = Open();
  Ingest(*ws,
         "event_id,ts,type,user_id,email,anonymous_id\n"
         "1,2024-01-01T10:00:00Z,page_view,undefined,,c1\n"
         "2,2024-01-01T11:00:00Z,page_view,undefined,,c2\n"
         "3,2024-01-01T12:00:00Z,page_view,,test@test.com,c3\n"
         "4,2024-01-01T13:00:00Z,page_view,,TEST@test.com,c4\n"
         "5,2024-01-01T14:00:00Z,page_view,0,,\n");
  auto rep = ws->ResolveIdentities();
  REQUIRE(rep.ok());
  CHECK(rep->profiles == 4);  // c1..c4 stay apart
  CHECK(rep->merges == 0);
  CHECK(rep->blocked == 5);
  CHECK(rep->blocked_by_value["undefined"] == 2);
  CHECK(rep->blocked_by_value["test@test.com"] == 2);
  CHECK(rep->events_unassigned == 1);
  Table ev = ws->EventsTable();
  // The unassigned event sorts last, with a null profile.
  CHECK(ev.CellText(static_cast<size_t>(ev.Index("event_id")), 4) == "5");
  CHECK(ev.CellText(static_cast<size_t>(ev.Index("profile")), 4) == "");
  // Extending the block list per type.
  IdentityRules rules;
  rules.blocked_identifiers = {"anonymous_id:c1"};
  REQUIRE(ws->ConfigureIdentity(rules).ok());
  CHECK(ws->ResolveIdentities()->profiles == 3);
  CHECK(ws->FindProfile("anonymous_id:c1").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a link that would exceed a type's limit is a conflict, with the earlier link kept") {
  // A family computer: cookie c1 used by u1 at 10:00 and by u2 at 12:00; one user_id per profile.
  auto ws = Open();
  Ingest(*ws,
         "event_id,ts,type,user_id,anonymous_id\n"
         "e2,2024-01-01T12:00:00Z,login,u2,c1\n"
         "e1,2024-01-01T10:00:00Z,login,u1,c1\n"
         "e3,2024-01-01T13:00:00Z,page_view,,c1\n");
  auto rep = ws->ResolveIdentities();
  REQUIRE(rep.ok());
  CHECK(rep->merges == 1);
  CHECK(rep->conflicts == 1);
  CHECK(rep->conflicts_by_type["user_id"] == 1);
  CHECK(ProfileKeyOf(*ws, "anonymous_id:c1") == "user_id:u1");  // e1 is earlier, whatever the arrival order
  CHECK(ProfileKeyOf(*ws, "user_id:u2") == "user_id:u2");
  Table links = ws->IdentityLinks(-1);
  REQUIRE(links.rows() == 2);
  // Links come in application order: e1's merge, then e2's conflict.
  CHECK(links.CellText(2, 0) == "merged");
  CHECK(links.CellText(5, 0) == "e1");
  CHECK(links.CellText(2, 1) == "conflict");
  CHECK(links.CellText(7, 1) == "user_id");
  // Lifting the limit merges them.
  IdentityRules rules;
  rules.limits["user_id"] = 0;
  REQUIRE(ws->ConfigureIdentity(rules).ok());
  CHECK(ws->ResolveIdentities()->profiles == 1);
}

TEST_CASE("merge provenance records the event, identifiers, rule and time") {
  auto ws = Open();
  Ingest(*ws, "event_id,ts,type,user_id,email\nev-7,2024-03-01T08:00:00Z,signup,u9,z@shop.com\n");
  auto p = ws->FindProfile("user_id:u9");
  REQUIRE(p.ok());
  Table h = ws->IdentityLinks(*p, true);
  REQUIRE(h.rows() == 1);
  CHECK(h.CellText(0, 0) == "user_id:u9");
  CHECK(h.CellText(1, 0) == "email:z@shop.com");
  CHECK(h.CellText(3, 0) == "co_occurrence");
  CHECK(h.CellText(4, 0) == "1709280000000000");  // 2024-03-01T08:00:00Z in µs
  CHECK(h.CellText(5, 0) == "ev-7");
  CHECK(h.columns[8].i64[0] > 1'700'000'000'000'000);  // applied_at: wall clock of the resolution
}

TEST_CASE("a late event that links two profiles merges them and reassigns their events") {
  auto ws = Open();
  Ingest(*ws,
         "event_id,ts,type,user_id,anonymous_id\n"
         "1,2024-01-05T10:00:00Z,purchase,u1,\n"
         "2,2024-01-01T10:00:00Z,page_view,,c9\n");
  CHECK(ws->ResolveIdentities()->profiles == 2);
  CHECK(ws->Profile(*ws->FindProfile("user_id:u1"))->events == 1);
  Ingest(*ws, "event_id,ts,type,user_id,anonymous_id\n3,2024-01-03T10:00:00Z,login,u1,c9\n");
  auto rep = ws->ResolveIdentities();
  CHECK(rep->profiles == 1);
  auto view = ws->Profile(*ws->FindProfile("anonymous_id:c9"));
  CHECK(view->key == "user_id:u1");
  CHECK(view->events == 3);
  CHECK(view->first_seen == 1704103200000000);  // 2024-01-01T10:00:00Z
}

TEST_CASE("unmerge splits a profile exactly as if the link never existed") {
  const std::string header = "event_id,ts,type,user_id,email,anonymous_id,device_id\n";
  const std::string common =
      "1,2024-01-01T10:00:00Z,page_view,,,shared,\n"
      "2,2024-01-01T10:01:00Z,login,u1,a@x.com,shared,\n"
      "3,2024-01-02T10:00:00Z,page_view,,,c2,d2\n"
      "4,2024-01-02T10:01:00Z,login,,b@x.com,c2,\n";
  const std::string linking = "5,2024-01-03T10:00:00Z,page_view,,b@x.com,shared,\n";
  auto with = Open();
  Ingest(*with, header + common + linking);
  CHECK(with->ResolveIdentities()->profiles == 1);
  auto removed = with->Unmerge("anonymous_id:shared", "email:b@x.com");
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  // The reference: the same events except the one that linked them.
  auto without = Open();
  Ingest(*without, header + common);
  CHECK(Partition(*with) == Partition(*without));
  CHECK(with->ResolveIdentities()->profiles == 2);
  CHECK(with->ResolveIdentities()->removed == 1);
  // Event 5 is anchored on email b@x.com, so it moves with b's profile.
  CHECK(with->Profile(*with->FindProfile("email:b@x.com"))->events == 3);
  CHECK(with->Profile(*with->FindProfile("user_id:u1"))->events == 2);
  // The removed pair does not link again when it re-occurs.
  Ingest(*with, header + "6,2024-01-04T10:00:00Z,page_view,,b@x.com,shared,\n");
  CHECK(with->ResolveIdentities()->profiles == 2);
  // Detaching an identifier removes all its links.
  auto detached = with->Unmerge("device_id:d2");
  REQUIRE(detached.ok());
  CHECK(*detached == 1);
  CHECK(with->ResolveIdentities()->profiles == 3);
}

TEST_CASE("manual links merge profiles and survive a change of rules") {
  auto ws = Open();
  Ingest(*ws, "event_id,ts,type,user_id,email\n1,2024-01-01T00:00:00Z,v,u1,\n2,2024-01-01T00:00:00Z,v,,p@x.com\n");
  REQUIRE(ws->Link("user_id:u1", "email:P@X.com").ok());
  CHECK(ws->ResolveIdentities()->profiles == 1);
  Table h = ws->IdentityLinks(0, true);
  CHECK(h.CellText(3, 0) == "manual");
  IdentityRules rules;
  rules.limits["email"] = 2;
  REQUIRE(ws->ConfigureIdentity(rules).ok());
  CHECK(ws->ResolveIdentities()->profiles == 1);
}

TEST_CASE("bad identifiers give clear errors and change nothing") {
  auto ws = Open();
  Ingest(*ws, "event_id,ts,type,user_id,email\n1,2024-01-01T00:00:00Z,v,u1,a@x.com\n");
  const std::string before = TableText(ws->ProfilesTable());
  auto expect = [&](absl::Status st, absl::StatusCode code, std::string_view fragment) {
    CHECK(st.code() == code);
    const std::string msg(st.message());
    CHECK_MESSAGE(msg.find(fragment) != std::string::npos, msg);
  };
  expect(ws->Link("emial:a@x.com", "user_id:u1"), absl::StatusCode::kInvalidArgument,
         "unknown identifier type \"emial\" (did you mean \"email\"?)");
  expect(ws->Link("email:not-an-email", "user_id:u1"), absl::StatusCode::kInvalidArgument, "malformed email");
  expect(ws->Link("phone:12", "user_id:u1"), absl::StatusCode::kInvalidArgument, "malformed phone");
  expect(ws->Link("user_id:" + std::string(300, 'x'), "user_id:u1"), absl::StatusCode::kInvalidArgument,
         "longer than max_identifier_bytes = 256");
  expect(ws->Link("u1", "user_id:u1"), absl::StatusCode::kInvalidArgument, "expected type:value");
  expect(ws->Link("user_id:undefined", "user_id:u1"), absl::StatusCode::kInvalidArgument, "blocked value");
  expect(ws->Unmerge("user_id:u1", "email:b@x.com").status(), absl::StatusCode::kNotFound,
         "no identifier email:b@x.com");
  Ingest(*ws, "event_id,ts,type,user_id,email\n2,2024-01-01T00:00:00Z,v,u2,b@x.com\n");
  expect(ws->Unmerge("user_id:u1", "email:b@x.com").status(), absl::StatusCode::kNotFound,
         "there is no link between user_id:u1 and email:b@x.com");
  expect(ws->Unmerge("user_id:u1", "email:a@x.com").status(), absl::StatusCode::kOk, "");
  expect(ws->Unmerge("user_id:u1", "email:a@x.com").status(), absl::StatusCode::kNotFound, "already removed");
  expect(ws->Profile(99).status(), absl::StatusCode::kNotFound, "profile 99 does not exist");
  IdentityRules bad;
  bad.priority = {"user_id", "cookie"};
  expect(ws->ConfigureIdentity(bad), absl::StatusCode::kInvalidArgument, "unknown identifier type \"cookie\"");
  bad = IdentityRules{};
  bad.limits["email"] = -1;
  expect(ws->ConfigureIdentity(bad), absl::StatusCode::kInvalidArgument, "is negative");
  IdentityRules keyed;
  expect(SetIdentityRule(&keyed, "limits.email", "3"), absl::StatusCode::kInvalidArgument, "unknown identity rule");
  expect(SetIdentityRule(&keyed, "limit.email", "three"), absl::StatusCode::kInvalidArgument, "not an integer");
  // Nothing lost: the events and the first profile are still there.
  CHECK(ws->EventsTable().rows() == 2);
  CHECK(ws->ResolveIdentities()->profiles == 3);
  (void)before;
}

TEST_CASE("random order and batch splits give the same graph, profiles and event order") {
  // 40 people, each with 1 user id, 1-2 emails and 1-4 cookies; some cookies are shared (family
  // computers) and some events carry junk, so limits and blocked values are exercised.
  std::mt19937 rng(11);
  std::vector<std::string> rows;
  int id = 0;
  for (int person = 0; person < 40; ++person) {
    int cookies = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < 12; ++k) {
      std::string cookie = "c" + std::to_string(person) + "_" + std::to_string(rng() % cookies);
      if (rng() % 15 == 0) cookie = "c" + std::to_string((person + 1) % 40) + "_0";  // shared computer
      std::string user = rng() % 3 == 0 ? "u" + std::to_string(person) : "";
      if (rng() % 20 == 0) user = "undefined";
      std::string email = rng() % 4 == 0 ? "p" + std::to_string(person) + "_" + std::to_string(rng() % 2) + "@x.com" : "";
      int minute = static_cast<int>(rng() % 5000);
      char ts[32];
      std::snprintf(ts, sizeof ts, "2024-01-%02dT%02d:%02d:00Z", 1 + minute / 1440, (minute / 60) % 24, minute % 60);
      rows.push_back(std::to_string(id++) + "," + ts + ",v," + user + "," + email + "," + cookie + "\n");
    }
  }
  std::string reference_events, reference_links, reference_profiles;
  for (int trial = 0; trial < 6; ++trial) {
    std::shuffle(rows.begin(), rows.end(), rng);
    auto ws = Open();
    size_t pos = 0;
    while (pos < rows.size()) {
      size_t len = std::min<size_t>(rows.size() - pos, 1 + rng() % 120);
      std::string csv = "event_id,ts,type,user_id,email,anonymous_id\n";
      for (size_t i = pos; i < pos + len; ++i) csv += rows[i];
      Ingest(*ws, csv);
      if (rng() % 2) REQUIRE(ws->ResolveIdentities().ok());  // incremental resolutions in between
      pos += len;
    }
    auto rep = ws->ResolveIdentities();
    REQUIRE(rep.ok());
    if (trial == 0) {
      CHECK(rep->conflicts > 0);  // the data exercise the limit
      CHECK(rep->blocked > 0);
    }
    std::string events = TableText(ws->EventsTable());
    std::string links = TableText(ws->IdentityLinks(-1), {"applied_at", "events"});
    std::string profiles = TableText(ws->ProfilesTable());
    if (trial == 0) {
      reference_events = events, reference_links = links, reference_profiles = profiles;
    } else {
      CHECK(events == reference_events);
      CHECK(links == reference_links);
      CHECK(profiles == reference_profiles);
    }
  }
}


TEST_CASE("ground truth: merge precision and recall on the generator's data with junk identifiers") {
  GenerateOptions o;
  o.customers = 4000;
  o.days = 90;
  o.seed = 3;
  auto data = Generate(o);
  REQUIRE(data.ok());
  GeneratedSource src = Source(data->events);
  auto ws = Open();
  auto rep = ws->IngestColumns(src.batch, cdp::testing::GeneratedIngestOptions());
  REQUIRE(rep.ok());
  auto ident = ws->ResolveIdentities();
  REQUIRE(ident.ok());
  Table ev = ws->EventsTable();
  const Column& profile = *ev.Find("profile");
  const Column& person = *ev.Find("true_person_id");
  // Pairwise over events: pairs in one profile that are one person / pairs in one profile (precision),
  // / pairs of one person (recall). Events without a profile count as singletons.
  std::map<std::pair<int64_t, int64_t>, int64_t> cell;
  std::map<int64_t, int64_t> by_profile, by_person;
  for (size_t r = 0; r < ev.rows(); ++r) {
    int64_t p = profile.i64[r] == kNullInt64 ? -1 - static_cast<int64_t>(r) : profile.i64[r];
    ++cell[{p, person.i64[r]}];
    ++by_profile[p];
    ++by_person[person.i64[r]];
  }
  auto pairs = [](int64_t n) { return static_cast<double>(n) * static_cast<double>(n - 1) / 2; };
  double both = 0, same_profile = 0, same_person = 0;
  for (const auto& [k, n] : cell) both += pairs(n);
  for (const auto& [k, n] : by_profile) same_profile += pairs(n);
  for (const auto& [k, n] : by_person) same_person += pairs(n);
  const double precision = both / same_profile, recall = both / same_person;
  // Linkable recall: the best any resolver can do from the evidence. Events of one person are
  // linkable when a chain of that person's own events joins their (non-blocked) identifiers; a
  // visitor who clears cookies and never logs in leaves unlinkable pieces.
  const IdentityRules defaults;
  std::set<std::string> blocked;
  for (const std::string& v : defaults.blocked_values) blocked.insert(v);
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& x) -> std::string {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return x;
    return it->second = find(it->second);
  };
  std::vector<std::string> first_id(ev.rows());
  for (size_t r = 0; r < ev.rows(); ++r) {
    std::string prev;
    for (std::string_view type : kIdentifierFields) {
      std::string v = ev.CellText(static_cast<size_t>(ev.Index(type)), r);
      std::string folded = v;
      for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (v.empty() || blocked.contains(folded)) continue;
      std::string node = std::to_string(person.i64[r]) + "/" + std::string(type) + ":" + v;
      parent.try_emplace(node, node);
      if (!prev.empty()) parent[find(node)] = find(prev);
      else first_id[r] = node;
      prev = node;
    }
  }
  std::map<std::pair<int64_t, std::string>, int64_t> cell_linkable;
  std::map<std::string, int64_t> by_cluster;
  for (size_t r = 0; r < ev.rows(); ++r) {
    if (first_id[r].empty()) continue;
    int64_t p = profile.i64[r] == kNullInt64 ? -1 - static_cast<int64_t>(r) : profile.i64[r];
    const std::string c = find(first_id[r]);
    ++cell_linkable[{p, c}];
    ++by_cluster[c];
  }
  double both_linkable = 0, same_cluster = 0;
  for (const auto& [k, n] : cell_linkable) both_linkable += pairs(n);
  for (const auto& [k, n] : by_cluster) same_cluster += pairs(n);
  const double linkable_recall = both_linkable / same_cluster;
  MESSAGE("events ", ev.rows(), " persons ", by_person.size(), " linkable clusters ", by_cluster.size(),
          " profiles ", ident->profiles, " merges ", ident->merges, " conflicts ", ident->conflicts, " blocked ",
          ident->blocked, " precision ", precision, " recall ", recall, " linkable recall ", linkable_recall);
  CHECK(ident->blocked > 0);
  CHECK(precision >= 0.99);
  CHECK(linkable_recall >= 0.99);
}
