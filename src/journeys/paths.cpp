// Paths: the sequences of elements (event types or a column such as page) people follow in a
// session after or before an anchor, counted; transitions and Sankey data from them.
#include <algorithm>

#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::TypeFlags;

void PathPartial::Merge(PathPartial&& o) {
  if (paths.empty()) {
    paths = std::move(o.paths);
    return;
  }
  for (auto& [k, v] : o.paths) paths[k] += v;
}

namespace {

struct Resolved {
  const Column* column = nullptr;  // nullptr: the event type
  int32_t start = -2, end = -2;    // codes; -2 none, -1 never seen (no path)
  std::vector<uint8_t> include, exclude;
};

absl::StatusOr<Resolved> Resolve(const QueryData& d, const PathOptions& o) {
  Resolved r;
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  if (o.depth < 1 || o.depth > 50) return absl::InvalidArgumentError(Cat("paths: depth must be in 1..50, got ", o.depth));
  if (o.top < 1) return absl::InvalidArgumentError(Cat("paths: top must be positive, got ", o.top));
  if (o.session_gap <= 0) return absl::InvalidArgumentError("paths: session_gap must be positive");
  if (!o.start.empty() && !o.end.empty()) return absl::InvalidArgumentError("paths: give start or end, not both");
  if (o.element != "type") {
    const Column* c = ev.Find(o.element);
    if (c == nullptr) {
      std::vector<std::string_view> names(ev.names.begin(), ev.names.end());
      names.push_back("type");
      std::string near = NearestName(o.element, names, 3);
      return absl::InvalidArgumentError(Cat("paths: element: unknown event field '", o.element, "'",
                                            near.empty() ? "" : Cat("; did you mean '", near, "'?")));
    }
    if (c->type != ColumnType::kString)
      return absl::InvalidArgumentError(Cat("paths: element '", o.element, "' must be a text field (type, page, url, ...), it holds ",
                                            ColumnTypeName(c->type)));
    r.column = c;
  }
  auto code = [&](const std::string& v) -> int32_t {
    if (v.empty()) return -2;
    auto c = dict.Find(v);
    return c ? *c : -1;
  };
  r.start = code(o.start);
  r.end = code(o.end);
  if (r.column == nullptr)  // an anchor that is not an event type is a typo, not an empty result
    for (const std::string* a : {&o.start, &o.end})
      if (!a->empty() && (code(*a) < 0 || std::find(ev.type.begin(), ev.type.end(), code(*a)) == ev.type.end()))
        return absl::InvalidArgumentError(Cat("paths: unknown event type '", *a, "'", [&] {
          std::vector<std::string_view> types;
          std::vector<uint8_t> seen(static_cast<size_t>(dict.size()), 0);
          for (int32_t t : ev.type)
            if (!seen[static_cast<size_t>(t)]) seen[static_cast<size_t>(t)] = 1, types.push_back(dict.Get(t));
          std::string near = NearestName(*a, types, std::max<int>(2, static_cast<int>(a->size()) / 3));
          return near.empty() ? std::string() : Cat("; did you mean '", near, "'?");
        }()));
  r.include = TypeFlags(dict, o.include_types);
  r.exclude = TypeFlags(dict, o.exclude_types);
  return r;
}

}  // namespace

absl::StatusOr<PathPartial> CollectPaths(const QueryData& d, int32_t begin, int32_t end, const PathOptions& o) {
  auto r = Resolve(d, o);
  if (!r.ok()) return r.status();
  PathPartial out;
  if (r->start == -1 || r->end == -1) return out;  // the anchor never occurs
  const EventColumns& ev = *d.events;
  const bool filter_in = !o.include_types.empty();
  std::vector<int32_t> seq, path;
  auto flush = [&] {
    if (seq.empty()) return;
    size_t from = 0, to = seq.size();
    if (r->start >= 0) {
      auto it = std::find(seq.begin(), seq.end(), r->start);
      if (it == seq.end()) return seq.clear();
      from = static_cast<size_t>(it - seq.begin());
      to = std::min(seq.size(), from + static_cast<size_t>(o.depth));
    } else if (r->end >= 0) {
      auto it = std::find(seq.begin(), seq.end(), r->end);
      if (it == seq.end()) return seq.clear();
      to = static_cast<size_t>(it - seq.begin()) + 1;
      from = to > static_cast<size_t>(o.depth) ? to - static_cast<size_t>(o.depth) : 0;
    } else {
      to = std::min(seq.size(), static_cast<size_t>(o.depth));
    }
    path.assign(seq.begin() + static_cast<ptrdiff_t>(from), seq.begin() + static_cast<ptrdiff_t>(to));
    ++out.paths[path];
    seq.clear();
  };
  for (int32_t p = begin; p < end; ++p) {
    Micros last = 0;
    bool any = false;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t i = static_cast<size_t>(row);
      const size_t type = static_cast<size_t>(ev.type[i]);
      if (filter_in ? !(type < r->include.size() && r->include[type]) : (type < r->exclude.size() && r->exclude[type])) continue;
      const int32_t element = r->column ? r->column->str[i] : ev.type[i];
      if (element == kNullCode) continue;
      if (any && ev.ts[i] - last > o.session_gap) flush();
      any = true;
      last = ev.ts[i];
      if (o.collapse_repeats && !seq.empty() && seq.back() == element) continue;
      seq.push_back(element);
    }
    flush();
  }
  return out;
}

absl::StatusOr<PathResult> FinishPaths(const QueryData& d, const PathOptions& o, PathPartial&& all) {
  const StringDictionary& dict = *d.event_dict;
  PathResult r;
  std::vector<std::pair<std::vector<int32_t>, int64_t>> paths(all.paths.begin(), all.paths.end());
  auto text = [&](const std::vector<int32_t>& p) {
    std::string s;
    for (size_t i = 0; i < p.size(); ++i) {
      if (i) s += " > ";
      s += dict.Get(p[i]);
    }
    return s;
  };
  std::vector<std::string> texts;
  texts.reserve(paths.size());
  for (auto& [p, c] : paths) {
    r.paths += c;
    texts.push_back(text(p));
  }
  std::vector<size_t> order(paths.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return paths[a].second != paths[b].second ? paths[a].second > paths[b].second : texts[a] < texts[b];
  });
  const size_t top = std::min(order.size(), static_cast<size_t>(o.top));
  {
    Table& t = r.top_paths;
    Column& rank = t.Add("rank", ColumnType::kInt64);
    Column& path = t.Add("path", ColumnType::kString);
    Column& steps = t.Add("steps", ColumnType::kInt64);
    Column& count = t.Add("count", ColumnType::kInt64);
    Column& share = t.Add("share", ColumnType::kDouble);
    for (size_t i = 0; i < top; ++i) {
      const auto& [p, c] = paths[order[i]];
      rank.i64.push_back(static_cast<int64_t>(i) + 1);
      t.AppendString(path, texts[order[i]]);
      steps.i64.push_back(static_cast<int64_t>(p.size()));
      count.i64.push_back(c);
      share.f64.push_back(static_cast<double>(c) / static_cast<double>(r.paths));
    }
  }
  {  // transitions over every path
    absl::flat_hash_map<std::pair<int32_t, int32_t>, int64_t> tr;
    absl::flat_hash_map<int32_t, int64_t> out_of;
    for (auto& [p, c] : paths)
      for (size_t i = 0; i + 1 < p.size(); ++i) {
        tr[{p[i], p[i + 1]}] += c;
        out_of[p[i]] += c;
      }
    std::vector<std::pair<std::pair<int32_t, int32_t>, int64_t>> rows(tr.begin(), tr.end());
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return std::pair(dict.Get(a.first.first), dict.Get(a.first.second)) < std::pair(dict.Get(b.first.first), dict.Get(b.first.second));
    });
    Table& t = r.transitions;
    Column& from = t.Add("from", ColumnType::kString);
    Column& to = t.Add("to", ColumnType::kString);
    Column& count = t.Add("count", ColumnType::kInt64);
    Column& share = t.Add("share_of_from", ColumnType::kDouble);
    for (const auto& [key, c] : rows) {
      t.AppendString(from, dict.Get(key.first));
      t.AppendString(to, dict.Get(key.second));
      count.i64.push_back(c);
      share.f64.push_back(static_cast<double>(c) / static_cast<double>(out_of[key.first]));
    }
  }
  {  // Sankey of the top paths: nodes are (step, element)
    absl::flat_hash_map<std::pair<int32_t, int32_t>, int64_t> node_id;
    std::vector<std::pair<int32_t, int32_t>> nodes;
    std::vector<int64_t> node_count;
    absl::flat_hash_map<std::pair<int64_t, int64_t>, int64_t> links;
    for (size_t i = 0; i < top; ++i) {
      const auto& [p, c] = paths[order[i]];
      int64_t prev = -1;
      for (size_t s = 0; s < p.size(); ++s) {
        auto [it, fresh] = node_id.try_emplace({static_cast<int32_t>(s), p[s]}, static_cast<int64_t>(nodes.size()));
        if (fresh) nodes.emplace_back(static_cast<int32_t>(s), p[s]), node_count.push_back(0);
        node_count[static_cast<size_t>(it->second)] += c;
        if (prev >= 0) links[{prev, it->second}] += c;
        prev = it->second;
      }
    }
    Table& n = r.sankey_nodes;
    Column& id = n.Add("id", ColumnType::kInt64);
    Column& step = n.Add("step", ColumnType::kInt64);
    Column& label = n.Add("label", ColumnType::kString);
    Column& count = n.Add("count", ColumnType::kInt64);
    for (size_t i = 0; i < nodes.size(); ++i) {
      id.i64.push_back(static_cast<int64_t>(i));
      step.i64.push_back(nodes[i].first + 1);
      n.AppendString(label, dict.Get(nodes[i].second));
      count.i64.push_back(node_count[i]);
    }
    std::vector<std::pair<std::pair<int64_t, int64_t>, int64_t>> rows(links.begin(), links.end());
    std::sort(rows.begin(), rows.end());
    Table& l = r.sankey_links;
    Column& src = l.Add("source", ColumnType::kInt64);
    Column& dst = l.Add("target", ColumnType::kInt64);
    Column& lc = l.Add("count", ColumnType::kInt64);
    for (const auto& [key, c] : rows) {
      src.i64.push_back(key.first);
      dst.i64.push_back(key.second);
      lc.i64.push_back(c);
    }
  }
  return r;
}

}  // namespace cdp
