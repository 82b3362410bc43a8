// Erasure: tombstones keep an erased person out of every ingest path, schema version 3 files
// migrate to 4 (the tombstones table) when opened for writing, and the dictionary keeps no string
// only the erased rows used. Expected counts are worked out by hand from kEvents.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cdp/workspace.hpp"

using namespace cdp;

namespace {

std::string ErasurePath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("cdp_erasure_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm", "-lock"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

// u1 (ann@shop.com, cookie c1, free text "call ann at home") has events 1, 2 and 4; u2 has 3.
const char* kEvents =
    "event_id,ts,type,user_id,email,anonymous_id,note\n"
    "1,2024-01-01T10:00:00Z,page_view,u1,ann@shop.com,,call ann at home\n"
    "2,2024-01-01T10:05:00Z,signup,u1,,c1,\n"
    "3,2024-01-02T09:00:00Z,page_view,u2,bob@shop.com,,\n"
    "4,2024-01-03T09:00:00Z,purchase,,,c1,\n";

int64_t Erased(const IngestReport& r) {
  auto it = r.reasons.find(std::string(kErasedSubject));
  return it == r.reasons.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("erasure removes the person's rows and strings; tombstones reject them on every ingest path") {
  auto ws = Workspace::Open();
  REQUIRE(ws.ok());
  Workspace& w = **ws;
  REQUIRE(w.IngestCsvText(kEvents).ok());
  CHECK(w.Erase("email:nobody@shop.com").status().code() == absl::StatusCode::kNotFound);
  CHECK(w.Erase("fax:123").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(w.events().size() == 4);
  SegmentSpec viewers;
  viewers.name = "viewers", viewers.expression = "count(page_view) >= 1";
  REQUIRE(w.DefineSegment(viewers).ok());
  REQUIRE(w.SetRealtime("viewers", true).ok());
  CHECK(w.RealtimeMembers("viewers")->size() == 2);
  std::vector<SegmentChange> changes;
  w.SetSegmentListener([&](const SegmentChange& c) { changes.push_back(c); });
  auto r = w.Erase("anonymous_id:c1");
  REQUIRE(r.ok());
  CHECK(r->events_removed == 3);
  CHECK(r->identifiers_removed == 3);  // user_id:u1, email:ann@shop.com, anonymous_id:c1
  CHECK(r->links_removed == 2);
  CHECK(r->identifiers_by_type.at("email") == 1);
  CHECK(r->tombstones.size() == 3);
  CHECK(w.events().size() == 1);
  // The person leaves real-time segments without a reported exit (the listener would see them).
  CHECK(*w.RealtimeMembers("viewers") == std::vector<std::string>{"user_id:u2"});
  CHECK(changes.empty());
  // Strings only the erased rows used are gone; the column only they had values in too.
  for (const char* s : {"ann@shop.com", "u1", "c1", "call ann at home", "signup", "purchase"})
    CHECK_MESSAGE(!w.events().dict().Find(s).has_value(), s);
  CHECK(w.events().dict().Find("bob@shop.com").has_value());
  CHECK(w.events().columns().Find("note") == nullptr);
  CHECK(w.Erase("email:ann@shop.com").status().code() == absl::StatusCode::kNotFound);

  // CSV again: 3 rows erased (counted as quarantined, no quarantine row), 1 duplicate.
  auto again = w.IngestCsvText(kEvents);
  REQUIRE(again.ok());
  CHECK(Erased(*again) == 3);
  CHECK(again->quarantined == 3);
  CHECK(again->duplicates == 1);
  CHECK(again->consistent());
  CHECK(w.quarantine().empty());
  CHECK(!w.events().dict().Find("call ann at home").has_value());
  // NDJSON with a differently written email, a push, and a consent decision.
  auto nd = w.IngestNdjsonText("{\"type\":\"x\",\"ts\":\"2024-02-01T00:00:00Z\",\"email\":\" ANN@Shop.com \"}\n");
  REQUIRE(nd.ok());
  CHECK(Erased(*nd) == 1);
  auto push = w.PushEvent("{\"type\":\"x\",\"ts\":\"2024-02-01T00:00:00Z\",\"anonymous_id\":\"c1\"}");
  REQUIRE(push.ok());
  CHECK(*push == PushResult::kQuarantined);
  CHECK(Erased(w.push_report()) == 1);
  CHECK(!w.SetConsent("user_id:u1", "marketing", "granted").ok());
  CHECK(w.events().size() == 1);
  CHECK(w.VerifyAudit().ok);
}

TEST_CASE("a schema version 3 file migrates to 4 when opened for writing; tombstones survive reopening") {
  const std::string path = ErasurePath("v3.cdp");
  {
    auto ws = Workspace::Open(path);
    REQUIRE(ws.ok());
    REQUIRE((*ws)->IngestCsvText(kEvents).ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DROP TABLE tombstones; UPDATE schema_version SET version = 3", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  CHECK(Workspace::Open(path, OpenOptions{.read_only = true}).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // readers do not migrate
  {
    auto ws = Workspace::Open(path);
    REQUIRE(ws.ok());
    auto r = (*ws)->Erase("user_id:u1");
    REQUIRE(r.ok());
    CHECK(r->events_removed == 3);
    CHECK(r->file_compacted);
    auto reader = Workspace::Open(path, OpenOptions{.read_only = true});
    REQUIRE(reader.ok());
    CHECK((*reader)->Erase("user_id:u2").status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK((*reader)->events().size() == 1);
  }
  auto ws = Workspace::Open(path);
  REQUIRE(ws.ok());
  CHECK((*ws)->events().size() == 1);
  CHECK((*ws)->VerifyAudit().ok);
  CHECK((*ws)->audit().back().action == "erase");
  auto again = (*ws)->IngestCsvText(kEvents);
  REQUIRE(again.ok());
  CHECK(Erased(*again) == 3);
  CHECK((*ws)->events().size() == 1);
}
