// Segments layer: set operations, RFM scores and names, k-means and silhouette on hand-made data.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "cdp/kmeans.hpp"
#include "cdp/segments.hpp"

using namespace cdp;

TEST_CASE("segments: set operations and Jaccard on sorted member lists") {
  const std::vector<int32_t> a = {1, 3, 5, 7}, b = {3, 4, 5};
  CHECK(SegmentUnion(a, b) == std::vector<int32_t>{1, 3, 4, 5, 7});
  CHECK(SegmentIntersection(a, b) == std::vector<int32_t>{3, 5});
  CHECK(SegmentDifference(a, b) == std::vector<int32_t>{1, 7});
  CHECK(Jaccard(a, b) == doctest::Approx(2.0 / 5.0));  // |{3,5}| / |{1,3,4,5,7}|
  CHECK(Jaccard({}, {}) == 1.0);
  SegmentResult x{"x", a}, y{"y", b};
  Table t = OverlapTable({x, y});
  REQUIRE(t.rows() == 4);
  CHECK(t.CellText(4, 1) == "2");  // x-y: both
  CHECK(t.Find("share_of_a")->f64[1] == doctest::Approx(0.5));        // 2 of x's 4
  CHECK(t.Find("share_of_a")->f64[2] == doctest::Approx(2.0 / 3.0));  // 2 of y's 3
}

TEST_CASE("rfm: scores follow the tie rule, names follow the map") {
  // score = 1 + floor(5 * strictly_worse / n), n = 10 (hand computed per value).
  const std::vector<double> f = {1, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(RankScores(f, 5, true) == std::vector<int8_t>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  // Recency: lower is better; worse = customers with a strictly larger recency. n = 4:
  // 0 -> 3 worse -> 1 + 15/4 = 4; 10 -> 1 worse -> 2; 20 -> 0 worse -> 1.
  CHECK(RankScores({0, 10, 10, 20}, 5, false) == std::vector<int8_t>{4, 2, 2, 1});
  CHECK(RfmSegmentName(5, 5, 5) == "Champions");
  CHECK(RfmSegmentName(1, 1, 1) == "Lost");
  CHECK(RfmSegmentName(5, 1, 1) == "New");
  CHECK(RfmSegmentName(3, 2, 3) == "Need attention");    // fm = round-half-up(2.5) = 3
  CHECK(RfmSegmentName(1, 5, 4) == "Can't lose them");   // fm = 5
  CHECK(RfmSegmentName(2, 3, 4) == "At risk");           // fm = 4
  CHECK(RfmSegmentName(4, 2, 1) == "Potential loyalist");  // fm = 2 (1.5 rounds up)
  CHECK(RfmSegmentNames().size() == 11);
}

TEST_CASE("kmeans: separated groups, hand-computed inertia, prediction, determinism") {
  // Three pairs: centers (0, 0.5), (10, 0.5), (0.5, 10); each point is 0.5 from its center.
  const std::vector<double> x = {0, 0, 0, 1, 10, 0, 10, 1, 0, 10, 1, 10};
  KMeansOptions o;
  o.n_clusters = 3, o.n_init = 5, o.random_state = 7;
  auto r = FitKMeans(x.data(), 6, 2, o);
  REQUIRE(r.ok());
  CHECK(r->inertia == doctest::Approx(1.5));  // 6 points x 0.5^2
  CHECK(r->labels[0] == r->labels[1]);
  CHECK(r->labels[2] == r->labels[3]);
  CHECK(r->labels[4] == r->labels[5]);
  CHECK(r->labels[0] != r->labels[2]);
  CHECK(r->labels[2] != r->labels[4]);
  const std::vector<double> probe = {9, 0.4};
  CHECK(PredictKMeans(probe.data(), 1, 2, r->centers)[0] == r->labels[2]);
  auto again = FitKMeans(x.data(), 6, 2, o);
  CHECK(again->labels == r->labels);
  CHECK(again->run_inertia == r->run_inertia);
}

TEST_CASE("kmeans: a large random set ends at a Lloyd fixed point") {
  // Every point at its nearest center and every center the mean of its points.
  std::vector<double> x;
  uint64_t s = 12345;
  auto next = [&s] { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return static_cast<double>(s >> 11) / 9007199254740992.0; };
  for (int i = 0; i < 60'000; ++i) x.push_back(next() * 10), x.push_back(next() * 10), x.push_back(next());
  KMeansOptions o;
  o.n_clusters = 6, o.n_init = 2, o.random_state = 3;
  auto r = FitKMeans(x.data(), 60'000, 3, o);
  REQUIRE(r.ok());
  CHECK(PredictKMeans(x.data(), 60'000, 3, r->centers) == r->labels);
  std::vector<double> mean(18, 0.0);
  std::vector<int> count(6, 0);
  double inertia = 0;
  for (int i = 0; i < 60'000; ++i) {
    const int j = r->labels[static_cast<size_t>(i)];
    ++count[static_cast<size_t>(j)];
    for (int f = 0; f < 3; ++f) {
      mean[static_cast<size_t>(j * 3 + f)] += x[static_cast<size_t>(i * 3 + f)];
      const double dlt = x[static_cast<size_t>(i * 3 + f)] - r->centers[static_cast<size_t>(j * 3 + f)];
      inertia += dlt * dlt;
    }
  }
  for (int j = 0; j < 6; ++j)
    for (int f = 0; f < 3; ++f)
      CHECK(mean[static_cast<size_t>(j * 3 + f)] / count[static_cast<size_t>(j)] ==
            doctest::Approx(r->centers[static_cast<size_t>(j * 3 + f)]).epsilon(1e-12));
  CHECK(inertia == doctest::Approx(r->inertia).epsilon(1e-12));
}

TEST_CASE("silhouette: hand computation on two 1-D pairs") {
  // {0, 1} and {10, 11}: s(0) = (10.5 - 1) / 10.5, s(1) = (9.5 - 1) / 9.5, symmetric for the other pair.
  const std::vector<double> x = {0, 1, 10, 11};
  auto s = Silhouette(x.data(), 4, 1, {0, 0, 1, 1});
  REQUIRE(s.ok());
  CHECK(*s == doctest::Approx((9.5 / 10.5 + 8.5 / 9.5) / 2));
  CHECK(Silhouette(x.data(), 4, 1, {0, 0, 0, 0}).status().message() ==
        "silhouette: needs 2 to n_samples - 1 clusters, found 1");
}

TEST_CASE("kmeans: bad input is refused with the reason") {
  const std::vector<double> x = {0, 1, NAN, 3};
  KMeansOptions o;
  o.n_clusters = 5;
  CHECK(FitKMeans(x.data(), 4, 1, o).status().message() == "kmeans: n_samples=4 should be >= n_clusters=5");
  o.n_clusters = 2;
  CHECK(FitKMeans(x.data(), 4, 1, o).status().message() ==
        "kmeans: value at row 2, feature 0 is not finite (NaN or infinite); drop or fill it first");
  o.n_init = 0;
  CHECK(FitKMeans(x.data(), 4, 1, o).status().message() == "kmeans: n_init must be >= 1, got 0");
}

// --- Real-time segments ------------------------------------------------------------------------

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "cdp/workspace.hpp"

namespace {
std::string Event(const std::string& id, const std::string& user, const std::string& type, cdp::Micros ts) {
  return "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"type\":\"" + type + "\",\"ts\":" +
         std::to_string(ts) + "}";
}
std::vector<std::string> BatchKeys(cdp::Workspace& ws, const std::string& expr) {
  auto r = ws.Select(expr);
  REQUIRE(r.ok());
  std::vector<std::string> keys;
  for (int32_t p : r->members) keys.push_back(ws.identity().NodeText(ws.profiles().key_node(p)));
  std::sort(keys.begin(), keys.end());
  return keys;
}
}  // namespace

TEST_CASE("realtime: a window member exits at the exact microsecond, via advance_to") {
  auto ws = *cdp::Workspace::Open();
  const cdp::Micros t0 = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
  REQUIRE(*ws->PushEvent(Event("e1", "u1", "purchase", t0)) == cdp::PushResult::kAccepted);
  REQUIRE(ws->DefineSegment({"recent", "did(purchase, last=30d)"}).ok());
  std::vector<cdp::SegmentChange> seen;
  ws->SetSegmentListener([&](const cdp::SegmentChange& c) { seen.push_back(c); });
  REQUIRE(ws->SetRealtime("recent", true).ok());
  CHECK(*ws->RealtimeMembers("recent") == std::vector<std::string>{"user_id:u1"});
  CHECK(seen.empty());  // the members at the start are not news
  // (clock - 30d, clock] holds t0 until the clock reaches t0 + 30d exactly.
  REQUIRE(ws->AdvanceTo(t0 + cdp::Days(30) - 1).ok());
  CHECK(seen.empty());
  REQUIRE(ws->AdvanceTo(t0 + cdp::Days(45)).ok());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].segment == "recent");
  CHECK(seen[0].key == "user_id:u1");
  CHECK(!seen[0].entered);
  CHECK(seen[0].ts == t0 + cdp::Days(30));
  CHECK(ws->Clock() == t0 + cdp::Days(45));
  // A new purchase (pushed with its own time, after the clock) brings u1 back at once.
  REQUIRE(*ws->PushEvent(Event("e2", "u1", "purchase", t0 + cdp::Days(46))) == cdp::PushResult::kAccepted);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].entered);
  CHECK(seen[1].ts == t0 + cdp::Days(46));
  CHECK(ws->AdvanceTo(t0).message().find("is before the clock") != std::string_view::npos);
  CHECK(ws->SetRealtime("nosuch", true).code() == absl::StatusCode::kNotFound);
}

TEST_CASE("realtime: membership from enter/exit changes equals batch evaluation after every step") {
  // Random streams: 8 users, purchases and views at random times over 60 days, pushed in random
  // order (late events included), with random advances of the clock in between.
  const std::string expr = "count(purchase, last=10d) >= 2 or (did(view, last=3d) and not did(purchase, last=20d))";
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed);
    auto ws = *cdp::Workspace::Open();
    const cdp::Micros base = 1'700'000'000'000'000;
    REQUIRE(*ws->PushEvent(Event("seed", "u0", "view", base)) == cdp::PushResult::kAccepted);
    REQUIRE(ws->DefineSegment({"rt", expr}).ok());
    std::set<std::string> tracked;
    int changes = 0;
    ws->SetSegmentListener([&](const cdp::SegmentChange& c) {
      ++changes;
      if (c.entered) CHECK(tracked.insert(c.key).second);
      else CHECK(tracked.erase(c.key) == 1);
    });
    REQUIRE(ws->SetRealtime("rt", true).ok());
    const auto start = ws->RealtimeMembers("rt");
    REQUIRE(start.ok());
    tracked.insert(start->begin(), start->end());
    for (int step = 0; step < 60; ++step) {
      if (rng() % 4 == 0) {
        REQUIRE(ws->AdvanceTo(ws->Clock() + static_cast<cdp::Micros>(rng() % cdp::Days(6))).ok());
      } else {
        const std::string user = "u" + std::to_string(rng() % 8);
        const std::string type = rng() % 2 ? "purchase" : "view";
        const cdp::Micros ts = base + static_cast<cdp::Micros>(rng() % cdp::Days(60));
        REQUIRE(ws->PushEvent(Event("s" + std::to_string(seed) + "e" + std::to_string(step), user, type, ts)).ok());
      }
      const std::vector<std::string> batch = BatchKeys(*ws, expr);
      CHECK(std::vector<std::string>(tracked.begin(), tracked.end()) == batch);
    }
    CHECK(changes > 0);
  }
}
