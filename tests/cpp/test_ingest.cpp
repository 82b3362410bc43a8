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
