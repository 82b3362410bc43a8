// Ingest pipeline through the Workspace: mapping, plan, normalization, dedupe, quarantine.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "cdp/workspace.hpp"

using namespace cdp;

#ifndef CDP_SHARED_DIR
#define CDP_SHARED_DIR "../shared"
#endif

namespace {
std::unique_ptr<Workspace> NewWorkspace() {
  auto ws = Workspace::Open();
  REQUIRE(ws.ok());
  return *std::move(ws);
}

IngestOptions Mapped(std::initializer_list<std::pair<const std::string, std::string>> m) {
  IngestOptions o;
  for (const auto& [k, v] : m) o.mapping[k] = v;
  return o;
}
}  // namespace

TEST_CASE("Online Retail: every row accounted for, cleaning matches the data set README") {
  auto ws = NewWorkspace();
  IngestOptions o = Mapped({{"ts", "InvoiceDate"}, {"user_id", "CustomerID"}, {"type", "=purchase"},
                            {"revenue", "Quantity*UnitPrice"}, {"country", "Country"}});
  o.plan_json = R"({"events": {"purchase": {"properties": {
      "Quantity": {"type": "integer", "min": 1},
      "UnitPrice": {"type": "number", "exclusive_min": 0}}}}})";
  auto rep = ws->IngestCsv(CDP_SHARED_DIR "/datasets/online_retail/online_retail_uci.csv.gz", o);
  REQUIRE_MESSAGE(rep.ok(), rep.status().ToString());
  // Source: datasets/online_retail/README.md: 541,909 rows; 135,080 without CustomerID;
  // CustomerID present + Quantity>0 + UnitPrice>0 leaves 397,884 rows / 4,338 customers.
  CHECK(rep->read == 541909);
  CHECK(rep->consistent());
  CHECK(rep->reasons["missing_identifier"] == 135080);
  CHECK(rep->accepted + rep->duplicates == 397884);
  CHECK(rep->quarantined == 541909 - 397884);
  CHECK(rep->reasons["plan_violation"] == rep->quarantined - 135080);
  CHECK(rep->duplicates > 0);  // the file has exact duplicate lines; the row hash removes them
  const EventStore& s = ws->events();
  CHECK(s.size() == static_cast<size_t>(rep->accepted));
  std::set<int32_t> profiles(s.columns().profile.begin(), s.columns().profile.end());
  CHECK(profiles.size() == 4338);
  // Re-ingesting the same file adds nothing: every accepted row is now a duplicate.
  auto again = ws->IngestCsv(CDP_SHARED_DIR "/datasets/online_retail/online_retail_uci.csv.gz", o);
  REQUIRE(again.ok());
  CHECK(again->accepted == 0);
  CHECK(again->duplicates == rep->accepted + rep->duplicates);
  CHECK(ws->events().size() == static_cast<size_t>(rep->accepted));
}

TEST_CASE("normalization: email, phone, country, UTM; invalid fields set aside with a warning") {
  auto ws = NewWorkspace();
  std::string csv =
      "event_id,type,ts,email,phone,country,url,user_id\n"
      "1,page_view,2024-05-01T10:00:00Z,  Ann@Example.COM ,06 1234 5678,Italy,"
      "https://shop.example/p?utm_source=news&utm_medium=email&utm_campaign=spring%20sale,\n"
      "2,page_view,2024-05-01T10:01:00Z,not-an-email,,Narnia,,u2\n"
      "3,page_view,2024-05-01T10:02:00Z,also bad,,,,\n";
  IngestOptions o;
  o.default_country = "IT";
  auto rep = ws->IngestCsvText(csv, o);
  REQUIRE(rep.ok());
  CHECK(rep->accepted == 2);  // row 3 has no valid identifier left
  CHECK(rep->reasons["missing_identifier"] == 1);
  CHECK(rep->warnings["invalid_email"] == 1);
  CHECK(rep->warnings["invalid_country"] == 1);
  Table t = ws->EventsTable();
  // Rows sorted by profile key code: email:ann@example.com was seen first.
  auto text = [&](std::string_view col) {
    int i = t.Index(col);
    REQUIRE_MESSAGE(i >= 0, col);
    return t.CellText(static_cast<size_t>(i), 0);
  };
  CHECK(text("email") == "ann@example.com");
  CHECK(text("phone") == "+390612345678");  // Italy keeps the leading 0 after +39
  CHECK(text("country") == "IT");
  CHECK(text("utm_source") == "news");
  CHECK(text("utm_medium") == "email");
  CHECK(text("utm_campaign") == "spring sale");
  CHECK(text("profile_key") == "email:ann@example.com");
  CHECK(t.CellText(static_cast<size_t>(t.Index("email_invalid")), 1) == "not-an-email");
  CHECK(t.CellText(static_cast<size_t>(t.Index("country_invalid")), 1) == "Narnia");
  CHECK(t.CellText(static_cast<size_t>(t.Index("profile_key")), 1) == "user_id:u2");
}

TEST_CASE("a failed file stores nothing and earlier data is intact") {
  auto ws = NewWorkspace();
  auto first = ws->IngestCsvText("event_id,type,ts,user_id\na,view,2024-01-01,u1\n");
  REQUIRE(first.ok());
  CHECK(first->accepted == 1);
  // Mapping names a missing column: an error with a suggestion, nothing stored.
  IngestOptions o = Mapped({{"ts", "tss"}});
  auto bad = ws->IngestCsvText("event_id,type,ts,user_id\nb,view,2024-01-01,u1\n", o);
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()).find("did you mean \"ts\"") != std::string::npos);
  CHECK(ws->events().size() == 1);
  // The id of the failed file's row was not remembered: ingesting it properly now works.
  auto ok = ws->IngestCsvText("event_id,type,ts,user_id\nb,view,2024-01-01,u1\n");
  REQUIRE(ok.ok());
  CHECK(ok->accepted == 1);
}

TEST_CASE("mutated inputs never crash and the counts always add up") {
  // 3,000 random byte-level mutations of a valid file (insert / delete / replace bytes with
  // delimiters, quotes, newlines, high bytes), each ingested as CSV and as NDJSON.
  const std::string csv =
      "event_id,type,ts,user_id,email,phone,country,url,revenue,qty\n"
      "1,purchase,2024-05-01T10:00:00Z,u1,A@b.co,+39 06 1234 5678,Italy,/p?utm_source=x,10.5,2\n"
      "2,view,2024-05-01 10:01,u2,,,FR,,,\n"
      "3,view,1714557600,u3,c@d.org,555-0100,USA,https://a.b/c,,1\n";
  const std::string ndjson =
      "{\"event_id\":\"1\",\"type\":\"view\",\"ts\":\"2024-05-01\",\"user_id\":\"u\",\"p\":{\"a\":1}}\n"
      "{\"event_id\":\"2\",\"type\":\"buy\",\"ts\":1714557600,\"email\":\"X@Y.io\",\"revenue\":3.5}\n";
  const char alphabet[] = {',', '"', '\n', '\r', '\\', '{', '}', ':', 'a', '0', '-', ' ', '\xff', '\xc3', '\0'};
  uint64_t state = 12345;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  auto mutate = [&](std::string s) {
    int edits = 1 + static_cast<int>(next() % 6);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = next() % s.size();
      char c = alphabet[next() % sizeof alphabet];
      switch (next() % 3) {
        case 0: s.insert(s.begin() + static_cast<long>(pos), c); break;
        case 1: s.erase(pos, 1 + next() % 3); break;
        default: s[pos] = c;
      }
    }
    return s;
  };
  auto ws = NewWorkspace();
  int64_t stored = 0;
  for (int i = 0; i < 3000; ++i) {
    auto r1 = ws->IngestCsvText(mutate(csv));
    if (r1.ok()) {
      CHECK(r1->consistent());
      stored += r1->accepted;
    }
    auto r2 = ws->IngestNdjsonText(mutate(ndjson));
    if (r2.ok()) {
      CHECK(r2->consistent());
      stored += r2->accepted;
    }
    auto p = ws->PushEvent(mutate(ndjson.substr(0, ndjson.find('\n'))));
    if (p.ok() && *p == PushResult::kAccepted) ++stored;
  }
  CHECK(ws->events().size() == static_cast<size_t>(stored));
  Table t = ws->EventsTable();
  CHECK(t.rows() == static_cast<size_t>(stored));
}
