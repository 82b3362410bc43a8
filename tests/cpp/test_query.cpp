// The expression language: error messages with positions, and evaluation semantics on a small
// hand-made workspace whose expected members are worked out by hand in each comment.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdp/workspace.hpp"

using namespace cdp;

namespace {

// Four customers; the latest event (u3's purchase) sets the clock: 2024-03-10T00:00:00Z.
// Profile ids follow first events: u1 = 0, u2 = 1, u3 = 2, u4 = 3.
constexpr const char* kEvents = R"(
{"type":"identify","user_id":"u1","ts":"2023-12-01T00:00:00Z","traits":{"country":"IT","age":30,"interests":"travel;gaming"}}
{"type":"identify","user_id":"u2","ts":"2023-12-02T00:00:00Z","traits":{"country":"FR","age":45,"interests":"cooking"}}
{"type":"identify","user_id":"u3","ts":"2023-12-03T00:00:00Z","traits":{"country":"DE"}}
{"type":"identify","user_id":"u4","ts":"2023-12-04T00:00:00Z","traits":{"country":"IT","age":25}}
{"type":"purchase","user_id":"u1","ts":"2024-01-01T00:00:00Z","revenue":50,"channel":"email"}
{"type":"add_to_cart","user_id":"u1","ts":"2024-03-01T10:00:00Z","channel":"web"}
{"type":"purchase","user_id":"u1","ts":"2024-03-01T12:00:00Z","revenue":70,"channel":"web"}
{"type":"page_view","user_id":"u2","ts":"2024-02-15T00:00:00Z","channel":"web"}
{"type":"purchase","user_id":"u2","ts":"2024-02-20T00:00:00Z","revenue":200,"channel":"web"}
{"type":"unsubscribe","user_id":"u2","ts":"2024-03-01T00:00:00Z","channel":"email"}
{"type":"add_to_cart","user_id":"u3","ts":"2024-03-09T00:00:00Z","channel":"web"}
{"type":"purchase","user_id":"u3","ts":"2024-03-10T00:00:00Z","revenue":10,"channel":"web"}
{"type":"add_to_cart","user_id":"u4","ts":"2024-03-05T00:00:00Z","channel":"app"}
{"type":"purchase","user_id":"u4","ts":"2024-03-05T00:00:00Z","revenue":5,"channel":"app"}
)";

std::unique_ptr<Workspace> Shop() {
  auto ws = *Workspace::Open();
  auto rep = ws->IngestNdjsonText(kEvents);
  REQUIRE(rep.ok());
  REQUIRE(rep->accepted == 14);
  return ws;
}

std::vector<int32_t> Members(Workspace& ws, const std::string& expr, Micros as_of = INT64_MIN) {
  auto r = ws.Select(expr, "", as_of);
  if (!r.ok()) FAIL_CHECK(expr << ": " << r.status().message());
  return r.ok() ? r->members : std::vector<int32_t>{-1};
}

using V = std::vector<int32_t>;

}  // namespace

TEST_CASE("query: profile ids and clock of the test shop") {
  auto ws = Shop();
  CHECK(*ws->FindProfile("user_id:u1") == 0);
  CHECK(*ws->FindProfile("user_id:u4") == 3);
  CHECK(FormatTimestamp(ws->Clock()) == "2024-03-10T00:00:00Z");
}

TEST_CASE("query: attributes, lists, between, Kleene logic") {
  auto ws = Shop();
  CHECK(Members(*ws, "country in ('IT','FR')") == V{0, 1, 3});
  CHECK(Members(*ws, "country not in ('IT')") == V{1, 2});
  CHECK(Members(*ws, "age between 25 and 40") == V{0, 3});  // u3 has no age: null, not a member
  // not(null) stays null: u3 is in neither the segment nor its negation.
  CHECK(Members(*ws, "not (age between 25 and 40)") == V{1});
  CHECK(Members(*ws, "age not between 25 and 40") == V{1});
  CHECK(Members(*ws, "age is null") == V{2});
  CHECK(Members(*ws, "age is not null and age >= 30") == V{0, 1});
  // null or true = true; null and true = null.
  CHECK(Members(*ws, "age > 26 or country = 'DE'") == V{0, 1, 2});
  CHECK(Members(*ws, "age > 26 and country = 'DE'") == V{});
  CHECK(Members(*ws, "age * 2 > 55 OR FALSE") == V{0, 1});  // keywords are case-insensitive
}

TEST_CASE("query: arithmetic and functions") {
  auto ws = Shop();
  CHECK(Members(*ws, "age * 2 > 55") == V{0, 1});  // 60, 90 (u4: 50)
  CHECK(Members(*ws, "age / 0 > 1 or age - 20 = 5") == V{3});  // x / 0 is null
  CHECK(Members(*ws, "has(interests, 'GAMING')") == V{0});  // list item, case-insensitive
  CHECK(Members(*ws, "contains(interests, 'ook')") == V{1});
  CHECK(Members(*ws, "contains(lower(country), 'i')") == V{0, 3});
  CHECK(Members(*ws, "starts_with(key, 'user_id:u') and ends_with(key, '4')") == V{3});
  CHECK(Members(*ws, "length(country) = 2 and upper(lower(country)) = 'FR'") == V{1});
  CHECK(Members(*ws, "coalesce(age, 99) > 50") == V{2});
  CHECK(Members(*ws, "round(age / 7) = 4 and abs(-age) = 30") == V{0});  // 30/7 = 4.29
  CHECK(Members(*ws, "log(age) > 3.7") == V{1});  // ln 45 = 3.81, ln 30 = 3.40
  // Haversine on the mean Earth radius: Rome (41.9028, 12.4964) - Milan (45.4642, 9.19) = 477 km.
  CHECK(Members(*ws, "distance_km(41.9028, 12.4964, 45.4642, 9.19) between 476 and 478 and profile = 0") == V{0});
}

TEST_CASE("query: event aggregates and exact windows") {
  auto ws = Shop();
  // Window (clock - 30d, clock] = (2024-02-09, 2024-03-10]: u1 03-01, u2 02-20, u3 03-10, u4 03-05.
  CHECK(Members(*ws, "count(purchase, last=30d) >= 1") == V{0, 1, 2, 3});
  // clock - 19d = 2024-02-20T00:00:00 exactly: the window is open at its start, so u2's purchase
  // at that instant is out; with 20d it is in.
  CHECK(Members(*ws, "did(purchase, last=19d)") == V{0, 2, 3});
  CHECK(Members(*ws, "did(purchase, last=20d)") == V{0, 1, 2, 3});
  // The window includes the clock itself (u3's purchase is at the clock).
  CHECK(Members(*ws, "did(purchase, last=1h)") == V{2});
  CHECK(Members(*ws, "sum(purchase.revenue) > 100") == V{0, 1});  // 120, 200, 10, 5
  CHECK(Members(*ws, "sum(revenue) = 120") == V{0});               // any event type
  CHECK(Members(*ws, "sum(purchase.revenue, where=channel = 'email') = 50") == V{0});
  CHECK(Members(*ws, "sum(purchase, field=revenue) = 120 and sum('purchase', field=revenue) = 120") == V{0});
  CHECK(Members(*ws, "count(purchase.channel) = 2 and count(purchase, field=channel) = 2") == V{0});
  // A coordinate that is null gives a null distance (not a member either way).
  CHECK(Members(*ws, "distance_km(age, 0, 0, 0) >= 0") == V{0, 1, 3});
  CHECK(Members(*ws, "avg(purchase.revenue) > 60") == V{1});  // 60, 200, 10, 5
  CHECK(Members(*ws, "min(purchase.revenue) < 10 or max(purchase.revenue) >= 200") == V{1, 3});
  CHECK(Members(*ws, "count_distinct(purchase.channel) = 2") == V{0});
  // Events per profile: u1 4, u2 4, u3 3, u4 3 (identify included); purchases + carts: 3, 1, 2, 2.
  CHECK(Members(*ws, "count(*) = 4") == V{0, 1});
  CHECK(Members(*ws, "count(*, where=type in ('purchase', 'add_to_cart')) = 2") == V{2, 3});
  CHECK(Members(*ws, "not did(unsubscribe, last=90d)") == V{0, 2, 3});
  CHECK(Members(*ws, "did(purchase, since='2024-03-01', until='2024-03-06')") == V{0, 3});
  // Days since the last purchase: u1 8.5, u2 19, u3 0, u4 5.
  CHECK(Members(*ws, "recency(purchase) <= 9") == V{0, 2, 3});
  CHECK(Members(*ws, "last_time(purchase) - first_time(purchase) > 30d") == V{0});  // 60.5 days
  CHECK(Members(*ws, "first_seen < '2023-12-02'") == V{0});
  CHECK(Members(*ws, "first_seen < date('2023-12-02') + 1d") == V{0, 1});
  // Days since last seen: u1 8.5, u2 9 (unsubscribe), u3 0, u4 5 (not > 5).
  CHECK(Members(*ws, "days_since(last_seen) > 5") == V{0, 1});
  CHECK(Members(*ws, "now() - last_seen >= 9d") == V{1});
  CHECK(Members(*ws, "days(now() - first_seen) > 98") == V{0, 1});  // 100, 99, 98, 97 days
  CHECK(Members(*ws, "count(nosuchtype) = 0 and profile < 2") == V{0, 1});
}

TEST_CASE("query: sequences need strictly later steps within the window") {
  auto ws = Shop();
  // u1: cart 03-01 10:00 -> purchase 12:00 (2h); u3: cart 03-09 -> purchase 03-10 (exactly 1d,
  // within is inclusive); u4: cart and purchase at the same instant (not "then").
  CHECK(Members(*ws, "sequence(add_to_cart, purchase, within=1d)") == V{0, 2});
  CHECK(Members(*ws, "sequence(add_to_cart, purchase, within=23h)") == V{0});
  CHECK(Members(*ws, "sequence(add_to_cart, purchase)") == V{0, 2});
  CHECK(Members(*ws, "sequence(identify, purchase, add_to_cart)") == V{0});  // u1 only: purchase 01-01 then cart 03-01
  CHECK(Members(*ws, "sequence(page_view, purchase, unsubscribe, within=15d)") == V{1});  // 02-15 .. 03-01 = 15d
  CHECK(Members(*ws, "sequence(page_view, purchase, unsubscribe, within=14d)") == V{});
}

TEST_CASE("query: evaluation as of a past time") {
  auto ws = Shop();
  auto feb1 = TimeParser::Create()->Parse("2024-02-01");
  CHECK(Members(*ws, "did(purchase)", *feb1) == V{0});
  // The window ends at the as-of time: (2024-01-02, 2024-02-01] holds no purchase.
  CHECK(Members(*ws, "did(purchase, last=30d)", *feb1) == V{});
  // clock - 31d is u1's purchase instant, outside the open start; 32d takes it in.
  CHECK(Members(*ws, "did(purchase, last=31d)", *feb1) == V{});
  CHECK(Members(*ws, "did(purchase, last=32d)", *feb1) == V{0});
}

TEST_CASE("query: partitions evaluate independently and concatenate") {
  auto ws = Shop();
  const std::string expr = "count(purchase, last=30d) >= 1 and (age > 26 or country = 'DE')";
  auto q = ws->CompileQuery(expr);
  REQUIRE(q.ok());
  Table cols = ws->ProfilesTable();
  const EventStore& store = ws->events();
  std::vector<int64_t> off = {0};
  for (int32_t p = 0; p < ws->profiles().size(); ++p) off.push_back(off.back() + ws->profiles().activity(p).events());
  QueryData d;
  d.profiles = ws->profiles().size();
  d.profile_columns = &cols;
  d.events = &store.columns();
  d.event_dict = &store.dict();
  d.event_begin = off.data();
  d.clock = ws->Clock();
  std::vector<uint8_t> all, a, b;
  REQUIRE(q->Evaluate(d, 0, 4, &all).ok());
  REQUIRE(q->Evaluate(d, 0, 1, &a).ok());
  REQUIRE(q->Evaluate(d, 1, 4, &b).ok());
  a.insert(a.end(), b.begin(), b.end());
  CHECK(a == all);
  CHECK(all == std::vector<uint8_t>{1, 1, 1, 0});
  CHECK(q->Evaluate(d, 2, 5, &a).code() == absl::StatusCode::kInvalidArgument);
}

namespace {
struct Bad {
  const char* expr;
  int line, column;
  const char* message;
};
}  // namespace

TEST_CASE("query: malformed expressions give line, column, caret and what was expected") {
  auto ws = Shop();
  const Bad cases[] = {
      {"country =", 1, 10, "expected a value after '=', found end of input"},
      {"country = 'IT", 1, 11, "unterminated string: expected a closing '"},
      {"contry = 'IT'", 1, 1, "unknown attribute 'contry'; did you mean 'country'?"},
      {"count(purchase", 1, 15, "expected ',' or ')' in count(), found end of input"},
      {"count(purchase) >=", 1, 19, "expected a value after '>=', found end of input"},
      {"age > 'x'", 1, 5, "cannot compare a number with a string"},
      {"age between 20 40", 1, 16, "expected 'and' in 'between ... and ...', found the number 40"},
      {"country in 'IT'", 1, 12, "expected '(' after 'in'"},
      {"country in ('IT', 3)", 1, 19, "this list item is a number but the value tested is a string"},
      {"did(purchase, last=30)", 1, 20, "expected a duration such as 30d after last=, found the number 30"},
      {"did(purchase, last=30x)", 1, 20, "bad duration '30x'"},
      {"did(purchase, lats=30d)", 1, 15, "unknown option 'lats' of did()"},
      {"sum(purchase) > 1", 1, 1, "sum() needs a field, e.g. sum(purchase.revenue)"},
      {"sequence(purchase, *)", 1, 20, "sequence() steps are event types; '*' (any type) is not a step"},
      {"did(purchase, field=revenue)", 1, 15, "unknown option 'field' of did()"},
      {"sum(purchase.revenu) > 1", 1, 5, "unknown event field 'revenu' in sum(); did you mean 'revenue'?"},
      {"age > 1 and", 1, 12, "expected a value after 'and', found end of input"},
      {"(age > 1", 1, 9, "expected ')' to close the '(', found end of input"},
      {"age > 1)", 1, 8, "unbalanced ')': no '(' before it"},
      {"age", 1, 1, "the expression must be a condition (boolean), but it is a number"},
      {"age > 1 < 2", 1, 9, "comparisons cannot be chained"},
      {"foo(age) > 1", 1, 1, "unknown function 'foo'"},
      {"cout(purchase) > 1", 1, 1, "unknown function 'cout'; did you mean 'count'?"},
      {"age = null", 1, 5, "a comparison with null is never true: use 'is null' or 'is not null'"},
      {"age is nul", 1, 8, "expected 'null' after 'is', found 'nul'"},
      {"age > 1 && age < 5", 1, 9, "unexpected '&': use 'and', 'or', 'not'"},
      {"country = 'IT' or 5", 1, 19, "'or' needs conditions on both sides, but this is a number"},
      {"not age", 1, 5, "'not' needs a condition, but this is a number"},
      {"sequence(purchase, within=7d)", 1, 1, "sequence() needs at least two event types in order"},
      {"did(purchase, within=7d)", 1, 15, "within= is an option of sequence() only"},
      {"first_seen > 'yesterday'", 1, 14, "expected a timestamp such as '2024-03-01', found 'yesterday'"},
      {"last_seen - first_seen > 30", 1, 24, "cannot compare a duration with a number; write durations with a unit"},
      {"count(purchase, where=revenue) > 0", 1, 23, "where= needs a condition on the event, found a number"},
      {"count(purchase, where=chanel = 'x') > 0", 1, 23, "unknown event field 'chanel'; did you mean 'channel'?"},
      {"did(purchase, where=did(x))", 1, 21, "did() cannot be used in a condition on one event (where=, funnel steps)"},
      {"country = 'IT'\n  and agee > 3", 2, 7, "unknown attribute 'agee'; did you mean 'age'?"},
      {"revenue > 3", 1, 1, "'revenue' is an event field: aggregate it"},
      {"purchase", 1, 1, "'purchase' is an event type: use did(purchase) or count(purchase)"},
      {"age > 1 $", 1, 9, "unexpected character '$'"},
      {"lower(age) = 'x'", 1, 7, "argument 1 of lower() must be a string, found a number"},
      {"has(interests, country)", 1, 16, "argument 2 of has() must be a literal string"},
      {"did()", 1, 5, "did() needs an event type, e.g. did(purchase)"},
      {"count(purchase,) > 1", 1, 16, "expected an argument after ',' in count()"},
      {"`age > 1", 1, 1, "unterminated quoted name: expected a closing '`'"},
      {"age > 1 and or", 1, 13, "expected a value after 'and', found the keyword 'or'"},
      {"did(purchase) = 1", 1, 15, "cannot compare a boolean with a number"},
  };
  CHECK(std::size(cases) >= 30);
  for (const Bad& c : cases) {
    auto q = ws->CompileQuery(c.expr);
    REQUIRE_MESSAGE(!q.ok(), c.expr);
    const std::string msg(q.status().message());
    CHECK_MESSAGE(q.status().code() == absl::StatusCode::kInvalidArgument, c.expr);
    const std::string where = "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ";
    CHECK_MESSAGE(msg.rfind(where, 0) == 0, c.expr << " -> " << msg);
    CHECK_MESSAGE(msg.find(c.message) != std::string::npos, c.expr << " -> " << msg);
    // The caret sits under the reported column of the quoted line.
    const size_t caret = msg.rfind('^');
    const size_t line_start = msg.rfind('\n', caret) + 1;
    CHECK_MESSAGE(caret - line_start == static_cast<size_t>(2 + c.column - 1), c.expr << " -> " << msg);
  }
  auto empty = ws->CompileQuery("   ");
  CHECK(empty.status().message() == "empty expression: expected a condition such as did(purchase)");
}

TEST_CASE("query: warnings for event types no event has") {
  auto ws = Shop();
  auto q = ws->CompileQuery("did(purchse)");
  REQUIRE(q.ok());
  REQUIRE(q->warnings().size() == 1);
  CHECK(q->warnings()[0] == "no event has type 'purchse' yet (did you mean 'purchase'?)");
}
