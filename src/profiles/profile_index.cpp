#include "cdp/profiles.hpp"

#include <algorithm>
#include <numeric>

namespace cdp {

ProfileIndex ProfileIndex::Build(const IdentityGraph& graph, const EventColumns& cols, const EventIdIndex& ids,
                                 Vec<int32_t>* row_profile) {
  ProfileIndex px;
  const int32_t n_nodes = graph.node_count();
  std::vector<int32_t> root(static_cast<size_t>(n_nodes));
  for (int32_t v = 0; v < n_nodes; ++v) root[static_cast<size_t>(v)] = graph.Find(v);
  // Members of each root in (rank, value) order; the first one is the canonical key.
  std::vector<int32_t> order(static_cast<size_t>(n_nodes));
  std::iota(order.begin(), order.end(), 0);
  auto member_less = [&](int32_t x, int32_t y) {
    if (graph.rank(x) != graph.rank(y)) return graph.rank(x) < graph.rank(y);
    return graph.node_value(x) < graph.node_value(y);
  };
  std::sort(order.begin(), order.end(), [&](int32_t x, int32_t y) {
    int32_t rx = root[static_cast<size_t>(x)], ry = root[static_cast<size_t>(y)];
    if (rx != ry) return rx < ry;
    return member_less(x, y);
  });
  // First event of each root: (ts, event id).
  const size_t n = cols.size();
  std::vector<int64_t> first_row(static_cast<size_t>(n_nodes), -1);
  const std::vector<int> tc = graph.TypeColumns(cols);
  row_profile->resize(n);
  std::vector<int32_t> row_root(n);
  for (size_t r = 0; r < n; ++r) {
    int32_t anchor = graph.Anchor(cols, tc, r);
    int32_t rt = anchor < 0 ? -1 : root[static_cast<size_t>(anchor)];
    row_root[r] = rt;
    if (rt < 0) continue;
    int64_t& f = first_row[static_cast<size_t>(rt)];
    if (f < 0 || cols.ts[r] < cols.ts[static_cast<size_t>(f)] ||
        (cols.ts[r] == cols.ts[static_cast<size_t>(f)] &&
         ids.Get(cols.arrival[r]) < ids.Get(cols.arrival[static_cast<size_t>(f)])))
      f = static_cast<int64_t>(r);
  }
  // Roots with their canonical key node (order is grouped by root, members sorted).
  struct Root {
    int32_t root, key, begin, end;
  };
  std::vector<Root> roots;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    const int32_t rt = root[static_cast<size_t>(order[i])];
    while (j < order.size() && root[static_cast<size_t>(order[j])] == rt) ++j;
    roots.push_back(Root{rt, order[i], static_cast<int32_t>(i), static_cast<int32_t>(j)});
    i = j;
  }
  std::sort(roots.begin(), roots.end(), [&](const Root& x, const Root& y) {
    int64_t fx = first_row[static_cast<size_t>(x.root)], fy = first_row[static_cast<size_t>(y.root)];
    if ((fx < 0) != (fy < 0)) return fx >= 0;  // profiles with events first
    if (fx >= 0 && fx != fy) {
      Micros tx = cols.ts[static_cast<size_t>(fx)], ty = cols.ts[static_cast<size_t>(fy)];
      if (tx != ty) return tx < ty;
      std::string_view ix = ids.Get(cols.arrival[static_cast<size_t>(fx)]);
      std::string_view iy = ids.Get(cols.arrival[static_cast<size_t>(fy)]);
      if (ix != iy) return ix < iy;
    }
    if (graph.rank(x.key) != graph.rank(y.key)) return graph.rank(x.key) < graph.rank(y.key);
    return graph.node_value(x.key) < graph.node_value(y.key);
  });
  std::vector<int32_t> dense(static_cast<size_t>(n_nodes), -1);
  px.node_profile_.assign(static_cast<size_t>(n_nodes), -1);
  px.member_begin_.push_back(0);
  for (size_t p = 0; p < roots.size(); ++p) {
    const Root& rt = roots[p];
    dense[static_cast<size_t>(rt.root)] = static_cast<int32_t>(p);
    px.key_node_.push_back(rt.key);
    for (int32_t i = rt.begin; i < rt.end; ++i) {
      px.members_.push_back(order[static_cast<size_t>(i)]);
      px.node_profile_[static_cast<size_t>(order[static_cast<size_t>(i)])] = static_cast<int32_t>(p);
    }
    px.member_begin_.push_back(static_cast<int64_t>(px.members_.size()));
  }
  for (size_t r = 0; r < n; ++r) {
    int32_t p = row_root[r] < 0 ? -1 : dense[static_cast<size_t>(row_root[r])];
    (*row_profile)[r] = p;
    px.unassigned_ += p < 0;
  }
  return px;
}

void ProfileIndex::ComputeActivity(const EventColumns& sorted, Micros session_gap) {
  activity_.assign(static_cast<size_t>(size()), Activity{});
  const size_t n = sorted.size();
  for (size_t r = 0; r < n;) {
    const int32_t p = sorted.profile[r];
    size_t e = r + 1;
    int32_t sessions = 1;
    while (e < n && sorted.profile[e] == p) {
      sessions += sorted.ts[e] - sorted.ts[e - 1] > session_gap;
      ++e;
    }
    if (p >= 0 && p < size()) {
      Activity& a = activity_[static_cast<size_t>(p)];
      a.row_begin = static_cast<int64_t>(r);
      a.row_end = static_cast<int64_t>(e);
      a.first_seen = sorted.ts[r];
      a.last_seen = sorted.ts[e - 1];
      a.sessions = sessions;
    }
    r = e;
  }
}

}  // namespace cdp
