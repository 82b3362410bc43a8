// Journey kernels: partial results over partitions merge to the whole; a hand-built case per kernel.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cdp/generate.hpp"
#include "cdp/journeys.hpp"
#include "cdp/workspace.hpp"
#include "generated_source.hpp"
#include "table_text.hpp"

using namespace cdp;
using cdp::testing::Source;
using cdp::testing::TableText;

namespace {

struct Shop {
  std::unique_ptr<Workspace> ws;
  std::vector<int64_t> offsets;
  QueryData data;
};

// A generated shop, resolved, with the query view of its sorted events.
Shop MakeShop() {
  GenerateOptions o;
  o.customers = 1500;
  o.days = 60;
  o.seed = 21;
  auto gen = Generate(o);
  REQUIRE(gen.ok());
  auto src = Source(gen->events);
  Shop s;
  s.ws = *Workspace::Open();
  REQUIRE(s.ws->IngestColumns(src.batch, cdp::testing::GeneratedIngestOptions()).ok());
  REQUIRE(s.ws->ResolveIdentities().ok());
  const EventStore& store = s.ws->events();
  const int32_t n = s.ws->profiles().size();
  s.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (int32_t p : store.columns().profile)
    if (p >= 0) ++s.offsets[static_cast<size_t>(p) + 1];
  for (size_t i = 1; i < s.offsets.size(); ++i) s.offsets[i] += s.offsets[i - 1];
  s.data.profiles = n;
  s.data.events = &store.columns();
  s.data.event_dict = &store.dict();
  s.data.event_begin = s.offsets.data();
  return s;
}

}  // namespace

TEST_CASE("journeys: kernels on partitions merge to the result on all profiles") {
  Shop s = MakeShop();
  const int32_t n = s.data.profiles;
  REQUIRE(n > 1000);
  FunnelOptions fo;
  fo.steps = {{"page_view", "", ""}, {"add_to_cart", "", ""}, {"checkout", "", ""}, {"purchase", "revenue > 20", ""}};
  fo.window = Days(7);
  fo.breakdown = "device_type";
  fo.trend = "week";
  fo.exclusions = {{"return", "", 1, 0}};
  auto plan = PlanFunnel(fo, s.ws->Schema(), s.data.event_dict[0], *s.data.events);
  REQUIRE(plan.ok());
  auto funnel_text = [&](FunnelPartial&& p) {
    FunnelResult r = FinishFunnel(*plan, std::move(p));
    return TableText(r.steps_table) + TableText(r.breakdown_table) + TableText(r.trend_table);
  };
  auto whole = RunFunnel(*plan, s.data, 0, n);
  REQUIRE(whole.ok());
  CHECK(whole->counts[0] > whole->counts[3]);
  CHECK(whole->counts[3] > 0);
  const std::string want = funnel_text(*std::move(whole));
  PathOptions po;
  po.element = "page";
  po.start = "home";
  auto paths_whole = CollectPaths(s.data, 0, n, po);
  REQUIRE(paths_whole.ok());
  auto path_text = [&](PathPartial&& p) {
    auto r = FinishPaths(s.data, po, std::move(p));
    REQUIRE(r.ok());
    return TableText(r->top_paths) + TableText(r->transitions) + TableText(r->sankey_links);
  };
  const std::string want_paths = path_text(*std::move(paths_whole));
  auto sess_whole = Sessionize(s.data, 0, n, {});
  REQUIRE(sess_whole.ok());
  const std::string want_sessions = TableText(SessionTable(s.data, *sess_whole));
  auto heat_whole = RunHeatmap(s.data, 0, n, {});
  REQUIRE(heat_whole.ok());
  const std::string want_heat = TableText(FinishHeatmap(s.data, {}, *std::move(heat_whole)).cells);
  for (int32_t cut : {1, n / 3, n / 2, n - 1}) {
    CAPTURE(cut);
    auto a = RunFunnel(*plan, s.data, 0, cut), b = RunFunnel(*plan, s.data, cut, n);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    a->Merge(*std::move(b));
    CHECK(funnel_text(*std::move(a)) == want);
    auto pa = CollectPaths(s.data, 0, cut, po), pb = CollectPaths(s.data, cut, n, po);
    pa->Merge(*std::move(pb));
    CHECK(path_text(*std::move(pa)) == want_paths);
    auto sa = Sessionize(s.data, 0, cut, {}), sb = Sessionize(s.data, cut, n, {});
    sa->Append(*sb);
    CHECK(TableText(SessionTable(s.data, *sa)) == want_sessions);
    auto ha = RunHeatmap(s.data, 0, cut, {}), hb = RunHeatmap(s.data, cut, n, {});
    ha->Merge(*std::move(hb));
    CHECK(TableText(FinishHeatmap(s.data, {}, *std::move(ha)).cells) == want_heat);
  }
  // The workspace's own (threaded) funnel agrees with the single-range kernel.
  auto ws_funnel = s.ws->Funnel(fo);
  REQUIRE(ws_funnel.ok());
  CHECK(TableText(ws_funnel->steps_table) + TableText(ws_funnel->breakdown_table) + TableText(ws_funnel->trend_table) == want);
}

TEST_CASE("journeys: sessions at the 30-minute edge and funnels on a hand-built stream") {
  auto ws = *Workspace::Open();
  // u1: views at 0, 30 min (same session), 60 min + 1 µs (new session), then a cart 1 s later.
  const std::string csv =
      "event_id,user_id,type,ts\n"
      "1,u1,page_view,2024-03-01T10:00:00Z\n"
      "2,u1,page_view,2024-03-01T10:30:00Z\n"
      "3,u1,page_view,2024-03-01T11:00:00.000001Z\n"
      "4,u1,add_to_cart,2024-03-01T11:00:01.000001Z\n"
      "5,u2,page_view,2024-03-01T10:00:00Z\n"
      "6,u2,add_to_cart,2024-03-01T10:00:00Z\n";
  REQUIRE(ws->IngestCsvText(csv).ok());
  auto t = ws->Sessions();
  REQUIRE(t.ok());
  const Column* pv = t->Find("page_views");
  REQUIRE(pv != nullptr);
  REQUIRE(t->rows() == 3);  // u1: 2 sessions, u2: 1
  CHECK(pv->i64[0] + pv->i64[1] + pv->i64[2] == 4);
  const Column* dur = t->Find("duration_s");
  CHECK(dur->f64[0] == doctest::Approx(1800.0));  // u1's first session: 10:00 to 10:30
  FunnelOptions fo;
  fo.steps = {{"page_view", "", ""}, {"add_to_cart", "", ""}};
  auto f = ws->Funnel(fo);
  REQUIRE(f.ok());
  // u2's cart has the same timestamp as its view: not a later step.
  CHECK(f->counts == std::vector<int64_t>{2, 1});
  CHECK(f->median_from_previous_s[1] == doctest::Approx(1.0));
  fo.steps.clear();
  CHECK(ws->Funnel(fo).status().message() == "funnel: the step list is empty; give at least one event type");
  fo.steps = {{"page_view", "", ""}, {"add_to_kart", "", ""}};
  CHECK(ws->Funnel(fo).status().message() == "funnel: step 2: unknown event type 'add_to_kart'; did you mean 'add_to_cart'?");
}
