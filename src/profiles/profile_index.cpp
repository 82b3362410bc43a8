#include "cdp/profiles.hpp"

#include <algorithm>
#include <numeric>

namespace cdp {

ProfileIndex ProfileIndex::Build(const IdentityGraph& graph, const EventColumns& cols, const EventIdIndex& ids,
                                 const Vec<int32_t>& anchors, Vec<int32_t>* row_profile) {
  ProfileIndex px;
  const size_t n_nodes = static_cast<size_t>(graph.node_count());
  Vec<int32_t> root(n_nodes);
  for (size_t v = 0; v < n_nodes; ++v) root[v] = graph.Find(static_cast<int32_t>(v));
  // Members grouped by root (counting sort), each group in (rank, value) order: the first member
  // is the canonical key.
  Vec<uint32_t> group(n_nodes + 1, 0);
  for (size_t v = 0; v < n_nodes; ++v) ++group[static_cast<size_t>(root[v]) + 1];
  for (size_t v = 1; v <= n_nodes; ++v) group[v] += group[v - 1];
  Vec<int32_t> order(n_nodes);
  {
    Vec<uint32_t> next(group.begin(), group.end() - 1);
    for (size_t v = 0; v < n_nodes; ++v) order[static_cast<size_t>(next[static_cast<size_t>(root[v])]++)] = static_cast<int32_t>(v);
  }
  // Members by (type priority, value hash, value): deterministic, and strings are read only on
  // a 64-bit hash tie.
  auto member_less = [&](int32_t x, int32_t y) {
    if (graph.rank(x) != graph.rank(y)) return graph.rank(x) < graph.rank(y);
    if (graph.node_hash(x) != graph.node_hash(y)) return graph.node_hash(x) < graph.node_hash(y);
    return graph.node_value(x) < graph.node_value(y);
  };
  // First event of each root: (ts, event id), kept per root in one array (one random access per row).
  const size_t n = cols.size();
  struct First {
    Micros ts = INT64_MAX;
    int64_t row = -1;
  };
  Vec<First> first(n_nodes);
  for (size_t r = 0; r < n; ++r) {
    const int32_t anchor = anchors[r];
    if (anchor < 0) continue;
    First& f = first[static_cast<size_t>(root[static_cast<size_t>(anchor)])];
    const Micros ts = cols.ts[r];
    if (ts < f.ts || (ts == f.ts && (f.row < 0 || ids.Get(cols.arrival[r]) < ids.Get(cols.arrival[static_cast<size_t>(f.row)])))) {
      f.ts = ts;
      f.row = static_cast<int64_t>(r);
    }
  }
  struct Root {
    Micros first_ts;
    int64_t first_row;
    int32_t root, key;
    int64_t begin, end;
  };
  std::vector<Root> roots;
  for (size_t r = 0; r < n_nodes; ++r) {
    const int64_t b = group[r], e = group[r + 1];  // uint32: at most 2^32 identifiers
    if (b == e) continue;
    if (e - b > 1) std::sort(order.begin() + b, order.begin() + e, member_less);
    roots.push_back(Root{first[r].ts, first[r].row, static_cast<int32_t>(r), order[static_cast<size_t>(b)], b, e});
  }
  std::sort(roots.begin(), roots.end(), [&](const Root& x, const Root& y) {
    if ((x.first_row < 0) != (y.first_row < 0)) return x.first_row >= 0;  // profiles with events first
    if (x.first_row >= 0 && x.first_row != y.first_row) {
      if (x.first_ts != y.first_ts) return x.first_ts < y.first_ts;
      std::string_view ix = ids.Get(cols.arrival[static_cast<size_t>(x.first_row)]);
      std::string_view iy = ids.Get(cols.arrival[static_cast<size_t>(y.first_row)]);
      if (ix != iy) return ix < iy;
    }
    return member_less(x.key, y.key);
  });
  px.node_profile_.assign(n_nodes, -1);
  px.key_node_.reserve(roots.size());
  px.members_.reserve(n_nodes);
  px.member_begin_.reserve(roots.size() + 1);
  px.member_begin_.push_back(0);
  for (size_t p = 0; p < roots.size(); ++p) {
    const Root& rt = roots[p];
    px.key_node_.push_back(rt.key);
    for (int64_t i = rt.begin; i < rt.end; ++i) {
      const int32_t node = order[static_cast<size_t>(i)];
      px.members_.push_back(node);
      px.node_profile_[static_cast<size_t>(node)] = static_cast<int32_t>(p);
    }
    px.member_begin_.push_back(static_cast<int64_t>(px.members_.size()));
  }
  row_profile->resize(n);
  for (size_t r = 0; r < n; ++r) {
    const int32_t anchor = anchors[r];
    const int32_t p = anchor < 0 ? -1 : px.node_profile_[static_cast<size_t>(anchor)];
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
