// Workspace files: round trip to identical query results, dedupe across sessions, one writer /
// many readers, schema versions (newer refused, older migrated), files that are not workspaces.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cdp/workspace.hpp"
#include "table_text.hpp"

using namespace cdp;
using cdp::testing::TableText;

namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("cdp_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm", "-lock"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}


const char* kEvents =
    "event_id,ts,type,user_id,email,anonymous_id,revenue,channel\n"
    "1,2024-01-01T10:00:00Z,page_view,,,c1,,web\n"
    "2,2024-01-01T10:05:00Z,signup,u1,ann@shop.com,c1,,web\n"
    "3,2024-01-02T09:00:00Z,page_view,,,c2,,email\n"
    "4,2024-01-03T09:00:00Z,purchase,,ann@shop.com,c2,25.5,email\n"
    "5,2024-01-03T09:00:00Z,page_view,,,c3,,social\n"
    "6,not-a-time,page_view,,,c3,,social\n"
    "1,2024-01-01T10:00:00Z,page_view,,,c1,,web\n";

// Everything a user can query, as text.
std::string Everything(Workspace& ws) {
  std::string out = TableText(ws.EventsTable()) + TableText(ws.ProfilesTable()) + TableText(ws.IdentityLinks(-1)) +
                    TableText(ws.QuarantineTable()) + TableText(ws.AttributesTable()) + TableText(ws.AuditTable());
  auto rep = ws.ResolveIdentities();
  out += std::to_string(rep->profiles) + "/" + std::to_string(rep->merges) + "/" + std::to_string(rep->removed);
  return out;
}

}  // namespace

TEST_CASE("a workspace file reopens with identical query results and dedupes across sessions") {
  const std::string path = TempPath("roundtrip.cdp");
  std::string before;
  {
    auto ws = Workspace::Open(path);
    REQUIRE(ws.ok());
    auto rep = (*ws)->IngestCsvText(kEvents);
    REQUIRE(rep.ok());
    CHECK(rep->accepted == 5);
    CHECK(rep->quarantined == 1);
    CHECK(rep->duplicates == 1);
    REQUIRE((*ws)->PushEvent(R"({"event_id":"p1","type":"identify","ts":"2024-01-04T00:00:00Z","user_id":"u1","traits":{"plan":"pro"}})").ok());
    REQUIRE((*ws)->Link("anonymous_id:c3", "email:zed@shop.com").ok());
    REQUIRE((*ws)->Unmerge("email:ann@shop.com", "anonymous_id:c2").ok());
    TraitSpec spend;
    spend.name = "spend", spend.agg = TraitAgg::kSum, spend.field = "revenue";
    REQUIRE((*ws)->DefineTrait(spend).ok());
    IdentityRules rules;
    rules.limits["email"] = 2;
    REQUIRE((*ws)->ConfigureIdentity(rules).ok());
    REQUIRE((*ws)->Save().ok());
    before = Everything(**ws);
    CHECK(*(*ws)->IntegrityCheck() == "ok");
  }
  auto ws = Workspace::Open(path);
  REQUIRE(ws.ok());
  CHECK(Everything(**ws) == before);
  // The same file again: every row is a duplicate of a stored event (dedupe across sessions).
  auto again = (*ws)->IngestCsvText(kEvents);
  REQUIRE(again.ok());
  CHECK(again->accepted == 0);
  CHECK(again->duplicates == 6);
  CHECK(again->quarantined == 1);
  CHECK((*ws)->EventsTable().rows() == 6);
  CHECK((*ws)->identity_rules().limits.at("email") == 2);
  CHECK((*ws)->traits().specs().size() == 1);
}

TEST_CASE("one writer, many readers: a second writer is refused, readers see committed data") {
  const std::string path = TempPath("lock.cdp");
  auto writer = Workspace::Open(path);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->IngestCsvText(kEvents).ok());
  auto second = Workspace::Open(path);
  CHECK(second.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(second.status().message()).find("is open for writing in another process") != std::string::npos);
  OpenOptions ro;
  ro.read_only = true;
  auto reader = Workspace::Open(path, ro);
  REQUIRE(reader.ok());
  CHECK((*reader)->EventsTable().rows() == 5);
  auto denied = (*reader)->IngestCsvText(kEvents);
  CHECK(denied.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(denied.status().message()) == "ingest: workspace \"" + path + "\" is open read-only");
  CHECK((*reader)->Link("user_id:u1", "anonymous_id:c3").code() == absl::StatusCode::kFailedPrecondition);
  // The writer's later commit is visible to a new reader.
  REQUIRE((*writer)->PushEvent(R"({"event_id":"p9","type":"v","ts":"2024-02-01T00:00:00Z","user_id":"u9"})").ok());
  auto reader2 = Workspace::Open(path, ro);
  REQUIRE(reader2.ok());
  CHECK((*reader2)->EventsTable().rows() == 6);
  writer->reset();  // closing the writer releases the lock
  CHECK(Workspace::Open(path).ok());
  CHECK(Workspace::Open(TempPath("missing.cdp"), ro).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("schema versions: a newer file is refused, an older one is migrated") {
  const std::string path = TempPath("schema.cdp");
  {
    auto ws = Workspace::Open(path);
    REQUIRE(ws.ok());
    REQUIRE((*ws)->IngestCsvText(kEvents).ok());
  }
  auto exec = [&](const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  };
  exec("UPDATE schema_version SET version = 99");
  auto newer = Workspace::Open(path);
  CHECK(newer.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(newer.status().message()).find("has schema version 99, written by a newer cdpcore") !=
        std::string::npos);
  // Version 1 had no link_times and no audit table.
  exec("DROP TABLE link_times; DROP TABLE audit; UPDATE schema_version SET version = 1");
  OpenOptions ro;
  ro.read_only = true;
  auto reader = Workspace::Open(path, ro);
  CHECK(reader.status().code() == absl::StatusCode::kFailedPrecondition);  // readers do not migrate
  auto migrated = Workspace::Open(path);
  REQUIRE(migrated.ok());
  CHECK((*migrated)->EventsTable().rows() == 5);
  REQUIRE((*migrated)->Link("user_id:u1", "anonymous_id:c3").ok());  // writes the new tables
  CHECK((*migrated)->audit().back().action == "link");
}

TEST_CASE("files that are not workspaces are refused with a clear error") {
  const std::string text = TempPath("notes.cdp");
  std::ofstream(text) << "just some text, long enough to not look like an empty database file at all\n";
  auto a = Workspace::Open(text);
  CHECK(a.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(a.status().message()).find("is not a cdpcore workspace") != std::string::npos);
  const std::string other = TempPath("other.sqlite");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto b = Workspace::Open(other);
  CHECK(b.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(b.status().message()).find("but not a cdpcore workspace") != std::string::npos);
  CHECK(Workspace::Open(":memory:", OpenOptions{.read_only = true}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}
