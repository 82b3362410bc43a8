// Profiles: attributes (last write wins, history, sources, CRM import) and computed traits
// (hand-computed values, incremental refresh equal to a full recomputation).
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>

#include "cdp/workspace.hpp"
#include "table_text.hpp"

using namespace cdp;
using cdp::testing::TableText;

namespace {

std::unique_ptr<Workspace> Open() { return *Workspace::Open(); }

void IngestNd(Workspace& ws, const std::string& ndjson) {
  auto rep = ws.IngestNdjsonText(ndjson);
  REQUIRE(rep.ok());
  REQUIRE(rep->quarantined == 0);
}

void IngestCsv(Workspace& ws, const std::string& csv) {
  auto rep = ws.IngestCsvText(csv);
  REQUIRE(rep.ok());
  REQUIRE(rep->quarantined == 0);
}

std::string Attr(const ProfileView& v, const std::string& name) {
  for (const auto& a : v.attributes)
    if (a.name == name) return a.value + "@" + a.source;
  return "<none>";
}

std::string Trait(const ProfileView& v, const std::string& name) {
  for (const auto& [n, value] : v.traits)
    if (n == name) return value;
  return "<none>";
}


}  // namespace

TEST_CASE("attributes: the latest write by time wins whatever the arrival order, history keeps all") {
  const std::string late =
      R"({"event_id":"i2","type":"identify","ts":"2024-02-01T00:00:00Z","user_id":"u1","traits":{"plan":"pro","age":41}})" "\n";
  const std::string early =
      R"({"event_id":"i1","type":"identify","ts":"2024-01-01T00:00:00Z","user_id":"u1","traits":{"plan":"free","city":"Rome"}})" "\n";
  for (int order = 0; order < 2; ++order) {
    auto ws = Open();
    IngestNd(*ws, order == 0 ? early + late : late + early);
    auto p = ws->FindProfile("user_id:u1");
    REQUIRE(p.ok());
    auto v = ws->Profile(*p);
    REQUIRE(v.ok());
    CHECK(Attr(*v, "plan") == "pro@event:identify");
    CHECK(Attr(*v, "city") == "Rome@event:identify");
    CHECK(Attr(*v, "age") == "41@event:identify");
    auto h = ws->AttributeHistory(*p, "plan");
    REQUIRE(h.ok());
    REQUIRE(h->rows() == 2);
    CHECK(h->CellText(1, 0) == "free");
    CHECK(h->CellText(1, 1) == "pro");
    CHECK(h->CellText(5, 0) == "false");  // current flag
    CHECK(h->CellText(5, 1) == "true");
    Table profiles = ws->ProfilesTable();
    CHECK(profiles.CellText(static_cast<size_t>(profiles.Index("plan")), 0) == "pro");
    CHECK(profiles.Find("age")->type == ColumnType::kInt64);
  }
}

TEST_CASE("attributes follow identifiers through a merge and an unmerge") {
  auto ws = Open();
  IngestNd(*ws,
           R"({"event_id":"1","type":"identify","ts":"2024-01-01T00:00:00Z","anonymous_id":"c1","traits":{"color":"red"}})" "\n"
           R"({"event_id":"2","type":"identify","ts":"2024-01-02T00:00:00Z","user_id":"u1","traits":{"color":"blue","tier":"gold"}})" "\n");
  CHECK(ws->ResolveIdentities()->profiles == 2);
  CHECK(Attr(*ws->Profile(*ws->FindProfile("anonymous_id:c1")), "color") == "red@event:identify");
  IngestNd(*ws, R"({"event_id":"3","type":"login","ts":"2024-01-03T00:00:00Z","anonymous_id":"c1","user_id":"u1"})" "\n");
  auto merged = ws->Profile(*ws->FindProfile("anonymous_id:c1"));
  CHECK(Attr(*merged, "color") == "blue@event:identify");  // Jan 2 beats Jan 1
  CHECK(Attr(*merged, "tier") == "gold@event:identify");
  REQUIRE(ws->Unmerge("user_id:u1", "anonymous_id:c1").ok());
  auto split = ws->Profile(*ws->FindProfile("anonymous_id:c1"));
  CHECK(Attr(*split, "color") == "red@event:identify");
  CHECK(Attr(*split, "tier") == "<none>");
}

TEST_CASE("CRM import: rows become identify events; identifiers link, columns become attributes") {
  auto ws = Open();
  IngestCsv(*ws, "event_id,ts,type,email,anonymous_id\n1,2024-01-05T00:00:00Z,page_view,ann@x.com,c1\n");
  // A CRM table as columns: user_id, email, age (int), city, updated (epoch seconds).
  std::vector<Cell> user(3), email(3), city(3);
  const char* users[] = {"u1", "u2", nullptr};
  const char* emails[] = {"ANN@x.com", "bob@x.com", nullptr};
  const char* cities[] = {"Rome", "Oslo", "Lima"};
  for (int i = 0; i < 3; ++i) {
    if (users[i]) user[static_cast<size_t>(i)].text = users[i], user[static_cast<size_t>(i)].present = true;
    if (emails[i]) email[static_cast<size_t>(i)].text = emails[i], email[static_cast<size_t>(i)].present = true;
    city[static_cast<size_t>(i)].text = cities[i], city[static_cast<size_t>(i)].present = true;
  }
  const int64_t ages[] = {34, 51, 20};
  const int64_t updated[] = {1704067200, 1704067200, 1704067200};  // 2024-01-01T00:00:00Z
  SourceBatch b;
  b.rows = 3;
  auto text = [](std::string name, const std::vector<Cell>& cells) {
    SourceColumn c;
    c.name = std::move(name);
    c.kind = SourceColumn::Kind::kText;
    c.cells = cells.data();
    return c;
  };
  b.columns.push_back(text("user_id", user));
  b.columns.push_back(text("email", email));
  b.columns.push_back(text("city", city));
  SourceColumn age;
  age.name = "age", age.kind = SourceColumn::Kind::kInt64, age.i64 = ages;
  b.columns.push_back(age);
  SourceColumn up;
  up.name = "updated", up.kind = SourceColumn::Kind::kInt64, up.i64 = updated, up.unit = EpochUnit::kSeconds;
  b.columns.push_back(up);
  ImportOptions opt;
  opt.ts_column = "updated";
  auto rep = ws->ImportProfiles(b, opt);
  REQUIRE(rep.ok());
  CHECK(rep->read == 3);
  CHECK(rep->accepted == 2);
  CHECK(rep->quarantined == 1);  // the third row has no identifier
  CHECK(rep->reasons["missing_identifier"] == 1);
  auto p = ws->FindProfile("anonymous_id:c1");
  REQUIRE(p.ok());
  auto v = ws->Profile(*p);
  CHECK(v->key == "user_id:u1");  // the CRM row linked u1 to ann@x.com, and ann@x.com to c1
  CHECK(Attr(*v, "city") == "Rome@crm");
  CHECK(Attr(*v, "age") == "34@crm");
  CHECK(ws->ResolveIdentities()->profiles == 2);
  // Bad arguments: nothing is stored.
  opt.ts_column = "missing";
  CHECK(ws->ImportProfiles(b, opt).status().message() == "import_profiles: ts column \"missing\" is not in the table");
  CHECK(ws->EventsTable().rows() == 3);
}

TEST_CASE("computed traits: hand-computed values over a filter and a window") {
  auto ws = Open();
  // u1: purchases of 10 (Jan 1), 30 (Mar 1), 20 (Mar 20); views on Mar 25 (channel email, email,
  // web). Clock = latest event = Mar 30 (u2's view). 30d window: (Feb 29, Mar 30].
  IngestCsv(*ws,
            "event_id,ts,type,user_id,revenue,channel\n"
            "1,2024-01-01T00:00:00Z,purchase,u1,10,web\n"
            "2,2024-03-01T00:00:00Z,purchase,u1,30,email\n"
            "3,2024-03-20T00:00:00Z,purchase,u1,20,web\n"
            "4,2024-03-25T00:00:00Z,page_view,u1,,email\n"
            "5,2024-03-25T00:00:01Z,page_view,u1,,email\n"
            "6,2024-03-25T00:00:02Z,page_view,u1,,web\n"
            "7,2024-03-30T00:00:00Z,page_view,u2,,social\n");
  auto define = [&](std::string name, TraitAgg agg, std::string field, std::vector<std::string> types, Micros window,
                    std::vector<std::pair<std::string, std::string>> where = {}) {
    TraitSpec s;
    s.name = std::move(name), s.agg = agg, s.field = std::move(field), s.event_types = std::move(types);
    s.window = window, s.where = std::move(where);
    REQUIRE(ws->DefineTrait(s).ok());
  };
  define("purchases", TraitAgg::kCount, "", {"purchase"}, 0);
  define("revenue_30d", TraitAgg::kSum, "revenue", {"purchase"}, Days(30));
  define("avg_order", TraitAgg::kAvg, "revenue", {"purchase"}, 0);
  define("min_order", TraitAgg::kMin, "revenue", {"purchase"}, 0);
  define("max_order", TraitAgg::kMax, "revenue", {"purchase"}, 0);
  define("first_channel", TraitAgg::kFirst, "channel", {}, 0);
  define("last_channel", TraitAgg::kLast, "channel", {}, 0);
  define("top_channel", TraitAgg::kMostFrequent, "channel", {}, 0);
  define("channels", TraitAgg::kDistinctCount, "channel", {}, 0);
  define("web_purchases", TraitAgg::kCount, "", {"purchase"}, 0, {{"channel", "web"}});
  auto u1 = ws->Profile(*ws->FindProfile("user_id:u1"));
  REQUIRE(u1.ok());
  CHECK(Trait(*u1, "purchases") == "3");
  // (Feb 29, Mar 30] holds Mar 1 (30) and Mar 20 (20): 50. 30d before Mar 30 is Feb 29.
  CHECK(Trait(*u1, "revenue_30d") == "50");
  CHECK(Trait(*u1, "avg_order") == "20");  // (10+30+20)/3
  CHECK(Trait(*u1, "min_order") == "10");
  CHECK(Trait(*u1, "max_order") == "30");
  CHECK(Trait(*u1, "first_channel") == "web");
  CHECK(Trait(*u1, "last_channel") == "web");
  CHECK(Trait(*u1, "top_channel") == "email");  // email 3 (events 2,4,5), web 3 (1,3,6): tie -> "email" < "web"
  CHECK(Trait(*u1, "channels") == "2");
  CHECK(Trait(*u1, "web_purchases") == "2");
  auto u2 = ws->Profile(*ws->FindProfile("user_id:u2"));
  CHECK(Trait(*u2, "purchases") == "0");
  CHECK(Trait(*u2, "revenue_30d") == "0");
  CHECK(Trait(*u2, "avg_order") == "");  // nothing to average: null
  // A later event moves the clock: Apr 15 leaves only Mar 20 in the window (Mar 16, Apr 15].
  IngestCsv(*ws, "event_id,ts,type,user_id,revenue,channel\n8,2024-04-15T00:00:00Z,page_view,u2,,web\n");
  CHECK(Trait(*ws->Profile(*ws->FindProfile("user_id:u1")), "revenue_30d") == "20");
  // Bad definitions.
  TraitSpec bad;
  bad.name = "x", bad.agg = TraitAgg::kSum, bad.field = "channel";
  CHECK(ws->DefineTrait(bad).message() == "trait \"x\": sum needs a numeric field; \"channel\" holds text");
  bad.field = "";
  CHECK(ws->DefineTrait(bad).message() == "trait \"x\": sum needs a field");
  bad.name = "purchases", bad.agg = TraitAgg::kCount;
  CHECK(ws->DefineTrait(bad).message() == "trait \"purchases\" is already defined (drop it first)");
  bad.name = "events";
  CHECK(ws->DefineTrait(bad).message() == "trait \"events\": the name is a built-in profile column");
  CHECK(ParseTraitAgg("median").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ParseDuration("90d").value() == Days(90));
  CHECK(ParseDuration("30 min").value() == Minutes(30));
  CHECK_FALSE(ParseDuration("-3d").ok());
  CHECK_FALSE(ParseDuration("3 fortnights").ok());
}

TEST_CASE("traits updated incrementally equal a full recomputation; clean profiles are not recomputed") {
  std::mt19937 rng(5);
  std::vector<std::string> rows;
  for (int i = 0; i < 600; ++i) {
    int person = static_cast<int>(rng() % 50);
    std::string user = rng() % 3 == 0 ? "u" + std::to_string(person) : "";
    std::string cookie = "c" + std::to_string(person) + "_" + std::to_string(rng() % 2);
    const char* types[] = {"page_view", "purchase", "email_open"};
    const char* type = types[rng() % 3];
    std::string revenue = std::string(type) == "purchase" ? std::to_string(1 + rng() % 100) : "";
    int minute = static_cast<int>(rng() % 40000);
    char ts[32];
    std::snprintf(ts, sizeof ts, "2024-01-%02dT%02d:%02d:00Z", 1 + minute / 1440, (minute / 60) % 24, minute % 60);
    const char* channels[] = {"web", "email", "social"};
    rows.push_back(std::to_string(i) + "," + ts + "," + type + "," + user + "," + cookie + "," + revenue + "," +
                   channels[rng() % 3] + "\n");
  }
  const std::string header = "event_id,ts,type,user_id,anonymous_id,revenue,channel\n";
  auto define_all = [](Workspace& ws) {
    auto def = [&](std::string name, TraitAgg agg, std::string field, std::vector<std::string> types, Micros w) {
      TraitSpec s;
      s.name = std::move(name), s.agg = agg, s.field = std::move(field), s.event_types = std::move(types), s.window = w;
      REQUIRE(ws.DefineTrait(s).ok());
    };
    def("n", TraitAgg::kCount, "", {}, 0);
    def("rev7", TraitAgg::kSum, "revenue", {"purchase"}, Days(7));
    def("avg", TraitAgg::kAvg, "revenue", {"purchase"}, 0);
    def("last", TraitAgg::kLast, "channel", {}, 0);
    def("mode", TraitAgg::kMostFrequent, "channel", {"email_open"}, 0);
    def("k", TraitAgg::kDistinctCount, "channel", {}, Days(10));
  };
  // Incremental: traits defined first, then batches with resolutions in between.
  auto inc = Open();
  define_all(*inc);
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t len = std::min<size_t>(rows.size() - pos, 1 + rng() % 80);
    std::string csv = header;
    for (size_t i = pos; i < pos + len; ++i) csv += rows[i];
    IngestCsv(*inc, csv);
    if (rng() % 2) REQUIRE(inc->ResolveIdentities().ok());
    pos += len;
  }
  // Full: everything ingested, then traits defined (computed from scratch).
  auto full = Open();
  std::string csv = header;
  for (const std::string& r : rows) csv += r;
  IngestCsv(*full, csv);
  define_all(*full);
  CHECK(TableText(inc->ProfilesTable()) == TableText(full->ProfilesTable()));
  // A late event of one profile, inside every window: only that profile is recomputed, for the
  // traits without a window (the clock does not move).
  const int64_t profiles = inc->ResolveIdentities()->profiles;
  IngestCsv(*inc, header + "late1,2024-01-02T00:00:00Z,page_view,,c7_0,,web\n");
  (void)inc->ResolveIdentities();
  CHECK(inc->traits().last_recomputed() == 6);  // 1 profile x 6 traits
  CHECK(profiles > 20);
  IngestCsv(*full, header + "late1,2024-01-02T00:00:00Z,page_view,,c7_0,,web\n");
  CHECK(TableText(inc->ProfilesTable()) == TableText(full->ProfilesTable()));
}
