#include "cdp/identity.hpp"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cdp/ingest.hpp"
#include "cdp/normalize.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

constexpr int32_t kUnseen = -1;
constexpr int32_t kBlocked = -2;
constexpr int32_t kInvalid = -3;

Micros WallNow() { return absl::ToUnixMicros(absl::Now()); }

std::string Fold(std::string_view v) {
  v = Strip(v);
  std::string out(v);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

int TypeIndex(const std::vector<std::string>& types, std::string_view name) {
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i] == name) return static_cast<int>(i);
  return -1;
}

absl::Status UnknownType(std::string_view where, std::string_view name, const std::vector<std::string>& types) {
  const std::string near = NearestName(name, types, 2);
  const std::string hint = near.empty() ? "" : Cat(" (did you mean \"", near, "\"?)");
  return absl::InvalidArgumentError(Cat(where, ": unknown identifier type \"", name, "\"", hint,
                                        "; known types: ", Join(types, ", ")));
}

// Dictionary code of an identifier cell; non-string columns (a custom numeric id) use their text.
int32_t CodeAt(const Column& col, size_t row, StringDictionary* dict, const StringDictionary& cdict) {
  if (col.type == ColumnType::kString) return col.str[row];
  if (col.IsNull(row)) return kNullCode;
  std::string text;
  switch (col.type) {
    case ColumnType::kInt64: text = absl::StrFormat("%d", col.i64[row]); break;
    case ColumnType::kDouble: text = ShortestDouble(col.f64[row]); break;
    case ColumnType::kBool: text = col.b[row] ? "true" : "false"; break;
    case ColumnType::kString: break;
  }
  if (dict) return dict->Intern(text);
  auto code = cdict.Find(text);
  return code ? *code : kNullCode;
}

}  // namespace

std::string_view LinkRuleName(LinkRule r) { return r == LinkRule::kManual ? "manual" : "co_occurrence"; }

std::string_view LinkStatusName(LinkStatus s) {
  switch (s) {
    case LinkStatus::kPending: return "pending";
    case LinkStatus::kMerged: return "merged";
    case LinkStatus::kRedundant: return "redundant";
    case LinkStatus::kConflict: return "conflict";
    case LinkStatus::kRemoved: return "removed";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<IdentityGraph>> IdentityGraph::Create(IdentityRules rules,
                                                                     std::shared_ptr<StringDictionary> dict) {
  std::unique_ptr<IdentityGraph> g(new IdentityGraph());
  for (std::string_view t : kIdentifierFields) g->types_.emplace_back(t);
  for (const std::string& c : rules.custom_types) {
    if (c.empty() || c.find(':') != std::string::npos)
      return absl::InvalidArgumentError(Cat("identity rules: custom_types: \"", c,
                                            "\" is not a valid type name (non-empty, no ':')"));
    for (std::string_view f : kStandardFields)
      if (c == f && TypeIndex(g->types_, c) < 0)
        return absl::InvalidArgumentError(Cat("identity rules: custom_types: \"", c,
                                              "\" is a standard event field, not an identifier"));
    if (TypeIndex(g->types_, c) >= 0)
      return absl::InvalidArgumentError(Cat("identity rules: custom_types: \"", c, "\" is listed twice or is standard"));
    g->types_.push_back(c);
  }
  const int n_types = static_cast<int>(g->types_.size());
  std::vector<bool> seen(static_cast<size_t>(n_types), false);
  for (const std::string& p : rules.priority) {
    int t = TypeIndex(g->types_, p);
    if (t < 0) return UnknownType("identity rules: priority", p, g->types_);
    if (seen[static_cast<size_t>(t)])
      return absl::InvalidArgumentError(Cat("identity rules: priority: \"", p, "\" is listed twice"));
    seen[static_cast<size_t>(t)] = true;
    g->priority_.push_back(t);
  }
  for (int t = 0; t < n_types; ++t)
    if (!seen[static_cast<size_t>(t)]) g->priority_.push_back(t);
  g->rank_.assign(static_cast<size_t>(n_types), 0);
  for (size_t r = 0; r < g->priority_.size(); ++r) g->rank_[static_cast<size_t>(g->priority_[r])] = static_cast<int>(r);
  g->limit_.assign(static_cast<size_t>(n_types), 0);
  g->limited_.assign(static_cast<size_t>(n_types), -1);
  for (const auto& [type, limit] : rules.limits) {
    int t = TypeIndex(g->types_, type);
    if (t < 0) return UnknownType("identity rules: limits", type, g->types_);
    if (limit < 0)
      return absl::InvalidArgumentError(Cat("identity rules: limits: ", type, " = ", limit,
                                            " is negative (use 0 for no limit)"));
    if (limit > 65000)
      return absl::InvalidArgumentError(Cat("identity rules: limits: ", type, " = ", limit,
                                            " is too large (at most 65000; 0 = no limit)"));
    g->limit_[static_cast<size_t>(t)] = limit;
  }
  for (int t = 0; t < n_types; ++t)
    if (g->limit_[static_cast<size_t>(t)] > 0) g->limited_[static_cast<size_t>(t)] = g->n_limited_++;
  if (rules.max_identifier_bytes < 1)
    return absl::InvalidArgumentError(Cat("identity rules: max_identifier_bytes = ", rules.max_identifier_bytes,
                                          " must be at least 1"));
  if (auto cc = CallingCode(rules.default_country); !cc.ok())
    return absl::InvalidArgumentError(Cat("identity rules: default_country: ", cc.status().message()));
  auto note_length = [&g](size_t len) { g->blocked_lengths_ |= len < 64 ? uint64_t{1} << len : 0; };
  for (const std::string& v : rules.blocked_values) {
    std::string f = Fold(v);
    note_length(f.size());
    g->blocked_values_[f] = 1;
  }
  for (const std::string& id : rules.blocked_identifiers) {
    size_t colon = id.find(':');
    if (colon == std::string::npos)
      return absl::InvalidArgumentError(Cat("identity rules: blocked_identifiers: \"", id,
                                            "\" is not type:value (e.g. email:info@shop.com)"));
    std::string type = id.substr(0, colon);
    if (TypeIndex(g->types_, type) < 0) return UnknownType("identity rules: blocked_identifiers", type, g->types_);
    std::string f = Fold(std::string_view(id).substr(colon + 1));
    note_length(f.size());
    g->blocked_values_[Cat(type, ":", f)] = 1;
  }
  g->rules_ = std::move(rules);
  g->dict_ = std::move(dict);
  g->node_of_.resize(static_cast<size_t>(n_types));
  return g;
}

absl::Status SetIdentityRule(IdentityRules* rules, std::string_view key, std::string_view value) {
  auto list = [](std::string_view v) {
    std::vector<std::string> out;
    if (Strip(v).empty()) return out;
    size_t start = 0;
    while (true) {
      size_t comma = v.find(',', start);
      out.emplace_back(Strip(v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return out;
  };
  auto integer = [&](int* out) -> absl::Status {
    std::string v(Strip(value));
    char* end = nullptr;
    long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < INT32_MIN || x > INT32_MAX)
      return absl::InvalidArgumentError(Cat("identity rule \"", key, "\": \"", value, "\" is not an integer"));
    *out = static_cast<int>(x);
    return absl::OkStatus();
  };
  if (key == "priority") {
    rules->priority = list(value);
  } else if (key.starts_with("limit.")) {
    int limit = 0;
    if (auto st = integer(&limit); !st.ok()) return st;
    rules->limits[std::string(key.substr(6))] = limit;
  } else if (key == "blocked_values") {
    rules->blocked_values = list(value);
  } else if (key == "block") {
    rules->blocked_values.emplace_back(value);
  } else if (key == "blocked_identifiers") {
    rules->blocked_identifiers = list(value);
  } else if (key == "custom_types") {
    rules->custom_types = list(value);
  } else if (key == "max_identifier_bytes") {
    return integer(&rules->max_identifier_bytes);
  } else if (key == "default_country") {
    rules->default_country = std::string(Strip(value));
  } else {
    return absl::InvalidArgumentError(Cat("unknown identity rule \"", key,
                                          "\"; known: priority, limit.<type>, blocked_values, block, "
                                          "blocked_identifiers, custom_types, max_identifier_bytes, default_country"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Nodes

int32_t IdentityGraph::NodeFor(int type, int32_t code) {
  Vec<int32_t>& memo = node_of_[static_cast<size_t>(type)];
  if (static_cast<size_t>(code) >= memo.size())
    memo.resize(std::max(static_cast<size_t>(code) + 1, static_cast<size_t>(dict_->size())), kUnseen);
  int32_t& m = memo[static_cast<size_t>(code)];
  if (m != kUnseen) return m;
  std::string_view value = dict_->Get(code);
  if (static_cast<int>(value.size()) > rules_.max_identifier_bytes) return m = kInvalid;
  if (IsBlocked(type, value)) return m = kBlocked;
  const int32_t node = static_cast<int32_t>(node_type_.size());
  node_type_.push_back(static_cast<uint8_t>(type));
  node_value_.push_back(code);
  node_hash_.push_back(StableHash64(value));
  parent_.push_back(node);
  size_.push_back(1);
  raw_parent_.push_back(node);
  counts_.resize(counts_.size() + static_cast<size_t>(n_limited_), 0);
  if (int slot = limited_[static_cast<size_t>(type)]; slot >= 0)
    counts_[static_cast<size_t>(node) * n_limited_ + slot] = 1;
  return m = node;
}

bool IdentityGraph::IsBlocked(int type, std::string_view value) {
  // Folded into a reused buffer (no allocation per new identifier); the typed form is "type:value".
  const std::string& t = types_[static_cast<size_t>(type)];
  value = Strip(value);
  // Most identifiers have a length no blocked value has: no folding, no lookup.
  if (value.size() < 64 && !(blocked_lengths_ >> value.size() & 1)) return false;
  fold_.assign(t);
  fold_ += ':';
  const size_t prefix = fold_.size();
  for (char c : value) fold_ += AsciiLower(c);
  const absl::string_view folded(fold_.data() + prefix, fold_.size() - prefix);
  return blocked_values_.contains(folded) || blocked_values_.contains(absl::string_view(fold_.data(), fold_.size()));
}

int32_t IdentityGraph::NodeIfKnown(int type, int32_t code) const {
  if (code < 0) return kUnseen;
  const Vec<int32_t>& memo = node_of_[static_cast<size_t>(type)];
  return static_cast<size_t>(code) < memo.size() ? memo[static_cast<size_t>(code)] : kUnseen;
}

std::string IdentityGraph::NodeText(int32_t node) const {
  return Cat(types_[node_type_[static_cast<size_t>(node)]], ":", node_value(node));
}

std::vector<int> IdentityGraph::TypeColumns(const EventColumns& cols) const {
  std::vector<int> out(types_.size(), -1);
  for (size_t t = 0; t < types_.size(); ++t) out[t] = cols.Index(types_[t]);
  return out;
}

int32_t IdentityGraph::Anchor(const EventColumns& cols, size_t row) const {
  return Anchor(cols, TypeColumns(cols), row);
}

int32_t IdentityGraph::Anchor(const EventColumns& cols, const std::vector<int>& type_columns, size_t row) const {
  for (int t : priority_) {
    int c = type_columns[static_cast<size_t>(t)];
    if (c < 0) continue;
    int32_t code = CodeAt(cols.columns[static_cast<size_t>(c)], row, nullptr, *dict_);
    if (code == kNullCode) continue;
    int32_t node = NodeIfKnown(t, code);
    if (node >= 0) return node;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Links

bool IdentityGraph::KeyLess(int32_t e, int32_t f) const {
  const IdentityLink& x = links_[static_cast<size_t>(e)];
  const IdentityLink& y = links_[static_cast<size_t>(f)];
  if (x.ts != y.ts) return x.ts < y.ts;
  if (x.event_hash != y.event_hash) return x.event_hash < y.event_hash;
  if (x.sub != y.sub) return x.sub < y.sub;
  return e < f;  // only on a 64-bit event-id hash collision at the same microsecond
}

template <typename V>
void IdentityGraph::SortByKey(V* links) const {
  auto less = [this](int32_t x, int32_t y) { return KeyLess(x, y); };
  if (std::is_sorted(links->begin(), links->end(), less)) return;  // time-ordered input: already in order
  struct Key {
    Micros ts;
    uint64_t hash;
    uint32_t sub;
    int32_t e;
  };
  std::vector<Key> keys(links->size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const IdentityLink& l = links_[static_cast<size_t>((*links)[i])];
    keys[i] = Key{l.ts, l.event_hash, l.sub, (*links)[i]};
  }
  std::sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
    if (x.ts != y.ts) return x.ts < y.ts;
    if (x.hash != y.hash) return x.hash < y.hash;
    if (x.sub != y.sub) return x.sub < y.sub;
    return x.e < y.e;
  });
  for (size_t i = 0; i < keys.size(); ++i) (*links)[i] = keys[i].e;
}

void IdentityGraph::AddLink(int32_t a, int32_t b, Micros ts, uint64_t event_hash, uint32_t event, uint8_t sub,
                            LinkRule rule) {
  const uint64_t key = (static_cast<uint64_t>(std::min(a, b)) << 32) | static_cast<uint32_t>(std::max(a, b));
  auto [it, inserted] = pair_.try_emplace(key, PairSlot{static_cast<int32_t>(links_.size()), 1, ts});
  if (inserted) {
    IdentityLink l;
    l.a = a, l.b = b, l.ts = ts, l.event_hash = event_hash, l.event = event, l.sub = sub, l.rule = rule;
    links_.push_back(l);
    pending_.push_back(it->second.link);
    return;
  }
  PairSlot& slot = it->second;
  if (slot.events < INT32_MAX) ++slot.events;
  if (ts > slot.ts) return;  // the common case: a later occurrence of a known pair
  IdentityLink& l = links_[static_cast<size_t>(slot.link)];
  if (l.status == LinkStatus::kRemoved) return;
  const bool earlier = ts < l.ts || (event_hash < l.event_hash || (event_hash == l.event_hash && sub < l.sub));
  if (!earlier) return;
  // A late event saw this pair first: the link's key moves earlier, so its component is replayed.
  l.a = a, l.b = b, l.ts = ts, l.event_hash = event_hash, l.event = event, l.sub = sub, l.rule = rule;
  slot.ts = ts;
  pending_.push_back(slot.link);
}

int64_t IdentityGraph::link_events(int32_t e) const {
  const IdentityLink& l = links_[static_cast<size_t>(e)];
  const uint64_t key = (static_cast<uint64_t>(std::min(l.a, l.b)) << 32) | static_cast<uint32_t>(std::max(l.a, l.b));
  auto it = pair_.find(key);
  return it == pair_.end() ? 0 : it->second.events;
}

void IdentityGraph::AddEvents(const EventColumns& cols, const EventIdIndex& ids, size_t begin, size_t end,
                              int32_t* anchors) {
  const std::vector<int> tc = TypeColumns(cols);
  struct Present {
    int type;
    const Column* col;
  };
  std::vector<Present> present;  // priority order
  for (int t : priority_)
    if (tc[static_cast<size_t>(t)] >= 0)
      present.push_back(Present{t, &cols.columns[static_cast<size_t>(tc[static_cast<size_t>(t)])]});
  const size_t k = present.size();
  // Room for about one new link per four rows (geometric growth: incremental batches stay cheap).
  const size_t want = links_.size() + (end - begin) / 4;
  if (want > links_.capacity()) {
    links_.reserve(std::max(want, 2 * links_.capacity()));
    pending_.reserve(std::max(want, 2 * pending_.capacity()));
  }
  if (want > pair_.capacity()) pair_.reserve(std::max(want, 2 * pair_.size()));
  // Rows go in blocks: the memo slots and pair-map slots of a block are prefetched before use
  // (they are random accesses into tables far larger than the caches).
  constexpr size_t kBlock = 256;
  std::vector<int32_t> nodes(kBlock * std::max<size_t>(k, 1));
  std::vector<uint8_t> count(kBlock);
  for (size_t b0 = begin; b0 < end; b0 += kBlock) {
    const size_t b1 = std::min(end, b0 + kBlock);
    for (const Present& p : present) {
      if (p.col->type != ColumnType::kString) continue;
      const Vec<int32_t>& memo = node_of_[static_cast<size_t>(p.type)];
      for (size_t row = b0; row < b1; ++row) {
        const int32_t code = p.col->str[row];
        if (code >= 0 && static_cast<size_t>(code) < memo.size()) __builtin_prefetch(&memo[static_cast<size_t>(code)]);
      }
    }
    for (size_t row = b0; row < b1; ++row) {
      int32_t* nr = &nodes[(row - b0) * k];
      uint8_t n = 0;
      for (const Present& p : present) {
        int32_t code = CodeAt(*p.col, row, dict_.get(), *dict_);
        if (code == kNullCode) continue;
        int32_t node = NodeFor(p.type, code);
        if (node == kBlocked) {
          ++blocked_;
          ++blocked_by_code_[code];
          continue;
        }
        if (node == kInvalid) {
          ++invalid_;
          continue;
        }
        nr[n++] = node;
      }
      count[row - b0] = n;
      if (anchors) anchors[row] = n ? nr[0] : -1;
      for (uint8_t j = 1; j < n; ++j)
        pair_.prefetch((static_cast<uint64_t>(std::min(nr[0], nr[j])) << 32) | static_cast<uint32_t>(std::max(nr[0], nr[j])));
    }
    for (size_t row = b0; row < b1; ++row) {
      const uint8_t n = count[row - b0];
      if (n < 2) continue;
      const int32_t* nr = &nodes[(row - b0) * k];
      const uint32_t event = cols.arrival[row];
      const uint64_t hash = StableHash64(ids.Get(event));
      for (uint8_t j = 1; j < n; ++j)
        if (nr[j] != nr[0]) AddLink(nr[0], nr[j], cols.ts[row], hash, event, j, LinkRule::kCoOccurrence);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Union-find

int32_t IdentityGraph::Find(int32_t node) const {
  while (parent_[static_cast<size_t>(node)] != node) {
    int32_t& p = parent_[static_cast<size_t>(node)];
    p = parent_[static_cast<size_t>(p)];  // path halving
    node = p;
  }
  return node;
}

int32_t IdentityGraph::RawFind(int32_t node) {
  while (raw_parent_[static_cast<size_t>(node)] != node) {
    int32_t& p = raw_parent_[static_cast<size_t>(node)];
    p = raw_parent_[static_cast<size_t>(p)];
    node = p;
  }
  return node;
}

void IdentityGraph::Apply(int32_t e, Micros now) {
  IdentityLink& l = links_[static_cast<size_t>(e)];
  const LinkStatus before = l.status;
  int32_t ra = Find(l.a), rb = Find(l.b);
  LinkStatus status;
  int8_t conflict = -1;
  if (ra == rb) {
    status = LinkStatus::kRedundant;
  } else {
    const size_t nl = static_cast<size_t>(n_limited_);
    for (size_t t = 0; t < types_.size() && conflict < 0; ++t) {
      int slot = limited_[t];
      if (slot < 0) continue;
      int total = counts_[static_cast<size_t>(ra) * nl + slot] + counts_[static_cast<size_t>(rb) * nl + slot];
      if (total > limit_[t]) conflict = static_cast<int8_t>(t);
    }
    if (conflict >= 0) {
      status = LinkStatus::kConflict;
    } else {
      if (size_[static_cast<size_t>(ra)] < size_[static_cast<size_t>(rb)]) std::swap(ra, rb);
      parent_[static_cast<size_t>(rb)] = ra;
      size_[static_cast<size_t>(ra)] += size_[static_cast<size_t>(rb)];
      for (size_t s = 0; s < nl; ++s) {
        uint16_t& c = counts_[static_cast<size_t>(ra) * nl + s];
        c = static_cast<uint16_t>(std::min<int>(65535, c + counts_[static_cast<size_t>(rb) * nl + s]));
      }
      status = LinkStatus::kMerged;
      changed_.push_back(ra);
    }
  }
  l.status = status;
  l.conflict_type = conflict;
  if (status != before || l.applied_at == 0) {
    l.applied_at = now;
    status_changed_.push_back(e);
  }
}

int64_t IdentityGraph::Resolve() {
  if (pending_.empty()) return 0;
  const Micros now = WallNow();
  SortByKey(&pending_);
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  const size_t np = pending_.size();
  // A pending link later than every link applied so far cannot change earlier decisions: it is
  // applied directly. One that is not (late data, or a pair re-keyed by a late event) is late when
  // its component holds a later applied link; its component is then replayed in key order.
  std::vector<uint8_t> late(np, 0);
  for (size_t i = 0; i < np; ++i) late[i] = links_[static_cast<size_t>(pending_[i])].status != LinkStatus::kPending;
  const bool candidates = applied_max_ >= 0 && !KeyLess(applied_max_, pending_.front());
  if (candidates) {
    // Latest applied link per raw component touched by a candidate (before this batch joins any).
    absl::flat_hash_map<int32_t, int32_t> comp_max;
    for (size_t i = 0; i < np && !KeyLess(applied_max_, pending_[i]); ++i) {
      const IdentityLink& l = links_[static_cast<size_t>(pending_[i])];
      comp_max.try_emplace(RawFind(l.a), -1);
      comp_max.try_emplace(RawFind(l.b), -1);
    }
    for (size_t e = 0; e < links_.size(); ++e) {
      const IdentityLink& l = links_[e];
      if (l.status == LinkStatus::kPending || l.status == LinkStatus::kRemoved) continue;
      auto it = comp_max.find(RawFind(l.a));
      if (it != comp_max.end() && (it->second < 0 || KeyLess(it->second, static_cast<int32_t>(e))))
        it->second = static_cast<int32_t>(e);
    }
    for (size_t i = 0; i < np && !KeyLess(applied_max_, pending_[i]); ++i) {
      const int32_t e = pending_[i];
      const IdentityLink& l = links_[static_cast<size_t>(e)];
      for (int32_t r : {RawFind(l.a), RawFind(l.b)}) {
        const int32_t m = comp_max[r];
        if (m >= 0 && !KeyLess(m, e)) late[i] = 1;
      }
    }
  }
  std::vector<int32_t> replay;
  for (size_t i = 0; i < np; ++i) {
    const int32_t e = pending_[i];
    const IdentityLink& l = links_[static_cast<size_t>(e)];
    const int32_t ra = RawFind(l.a), rb = RawFind(l.b);
    int32_t root = ra;
    if (ra != rb) {
      root = ra < rb ? ra : rb;  // any deterministic choice; raw components only scope replays
      raw_parent_[static_cast<size_t>(ra == root ? rb : ra)] = root;
    }
    if (late[i]) replay.push_back(root);
    else Apply(e, now);
  }
  if (applied_max_ < 0 || KeyLess(applied_max_, pending_.back())) applied_max_ = pending_.back();
  pending_.clear();
  const int64_t replayed = static_cast<int64_t>(replay.size());
  if (!replay.empty()) Replay(std::move(replay), now);
  return replayed;
}

void IdentityGraph::Replay(std::vector<int32_t> raw_roots, Micros now) {
  const size_t n = node_type_.size();
  std::vector<uint8_t> in(n, 0);
  for (int32_t r : raw_roots) in[static_cast<size_t>(RawFind(r))] = 1;
  int64_t components = 0;
  for (size_t r = 0; r < n; ++r) components += in[r] && raw_parent_[r] == static_cast<int32_t>(r);
  replays_ += components;
  const size_t nl = static_cast<size_t>(n_limited_);
  for (size_t v = 0; v < n; ++v) {
    if (!in[static_cast<size_t>(RawFind(static_cast<int32_t>(v)))]) continue;
    changed_.push_back(static_cast<int32_t>(v));
    parent_[v] = static_cast<int32_t>(v);
    size_[v] = 1;
    for (size_t s = 0; s < nl; ++s) counts_[v * nl + s] = 0;
    if (int slot = limited_[node_type_[v]]; slot >= 0) counts_[v * nl + static_cast<size_t>(slot)] = 1;
  }
  std::vector<int32_t> order;
  for (size_t e = 0; e < links_.size(); ++e) {
    const IdentityLink& l = links_[e];
    if (l.status == LinkStatus::kRemoved) continue;
    if (in[static_cast<size_t>(RawFind(l.a))]) order.push_back(static_cast<int32_t>(e));
  }
  SortByKey(&order);
  for (int32_t e : order) Apply(e, now);
}

// ---------------------------------------------------------------------------------------------
// Identifiers given by users

absl::StatusOr<std::pair<int, std::string>> IdentityGraph::ParseIdentifier(std::string_view text) const {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return absl::InvalidArgumentError(Cat("identifier \"", text,
                                          "\": expected type:value, e.g. \"email:ann@shop.com\" or \"user_id:42\""));
  std::string_view type = Strip(text.substr(0, colon));
  int t = TypeIndex(types_, type);
  if (t < 0) return UnknownType(Cat("identifier \"", text, "\""), type, types_);
  std::string value(Strip(text.substr(colon + 1)));
  if (value.empty()) return absl::InvalidArgumentError(Cat("identifier \"", text, "\": the value is empty"));
  if (static_cast<int>(value.size()) > rules_.max_identifier_bytes)
    return absl::InvalidArgumentError(Cat("identifier \"", text.substr(0, 64), "...\": value is ", value.size(),
                                          " bytes, longer than max_identifier_bytes = ", rules_.max_identifier_bytes));
  if (type == "email") {
    auto e = NormalizeEmail(value);
    if (!e.ok()) return absl::InvalidArgumentError(Cat("identifier \"", text, "\": malformed email: ", e.status().message()));
    value = *e;
  } else if (type == "phone") {
    auto p = NormalizePhone(value, rules_.default_country);
    if (!p.ok()) return absl::InvalidArgumentError(Cat("identifier \"", text, "\": malformed phone: ", p.status().message()));
    value = *p;
  }
  std::string folded = Fold(value);
  if (blocked_values_.contains(folded) || blocked_values_.contains(Cat(type, ":", folded)))
    return absl::InvalidArgumentError(Cat("identifier \"", text, "\" is a blocked value (blocked values never link)"));
  return std::make_pair(t, std::move(value));
}

absl::StatusOr<int32_t> IdentityGraph::Lookup(std::string_view text) const {
  auto parsed = ParseIdentifier(text);
  if (!parsed.ok()) return parsed.status();
  auto code = dict_->Find(parsed->second);
  int32_t node = code ? NodeIfKnown(parsed->first, *code) : kUnseen;
  if (node < 0)
    return absl::NotFoundError(Cat("no identifier ", types_[static_cast<size_t>(parsed->first)], ":", parsed->second,
                                   " in this workspace"));
  return node;
}

absl::Status IdentityGraph::Link(std::string_view a, std::string_view b, Micros ts) {
  auto pa = ParseIdentifier(a);
  if (!pa.ok()) return pa.status();
  auto pb = ParseIdentifier(b);
  if (!pb.ok()) return pb.status();
  if (*pa == *pb) return absl::InvalidArgumentError(Cat("link: \"", a, "\" and \"", b, "\" are the same identifier"));
  int32_t na = NodeFor(pa->first, dict_->Intern(pa->second));
  int32_t nb = NodeFor(pb->first, dict_->Intern(pb->second));
  if (na < 0 || nb < 0) return absl::InvalidArgumentError(Cat("link: \"", na < 0 ? a : b, "\" cannot be linked"));
  if (rank(nb) < rank(na)) std::swap(na, nb);
  const std::string text = Cat("manual:", NodeText(na), "|", NodeText(nb));
  AddLink(na, nb, ts, StableHash64(text), UINT32_MAX, 0, LinkRule::kManual);
  return absl::OkStatus();
}

absl::StatusOr<int32_t> IdentityGraph::LinkBetween(std::string_view a, std::string_view b) const {
  auto na = Lookup(a);
  if (!na.ok()) return na.status();
  auto nb = Lookup(b);
  if (!nb.ok()) return nb.status();
  const uint64_t key = (static_cast<uint64_t>(std::min(*na, *nb)) << 32) | static_cast<uint32_t>(std::max(*na, *nb));
  auto it = pair_.find(key);
  if (it == pair_.end())
    return absl::NotFoundError(Cat("there is no link between ", NodeText(*na), " and ", NodeText(*nb),
                                   " (they never occurred in one event)"));
  return it->second.link;
}

absl::Status IdentityGraph::RemoveLink(std::string_view a, std::string_view b) {
  auto e = LinkBetween(a, b);
  if (!e.ok()) return e.status();
  Resolve();
  IdentityLink& l = links_[static_cast<size_t>(*e)];
  if (l.status == LinkStatus::kRemoved) return absl::OkStatus();
  l.status = LinkStatus::kRemoved;
  l.applied_at = WallNow();
  status_changed_.push_back(*e);
  Replay({RawFind(l.a)}, WallNow());
  return absl::OkStatus();
}

void IdentityGraph::RestoreAppliedAt(std::string_view a, std::string_view b, LinkStatus status, Micros applied_at) {
  auto e = LinkBetween(a, b);
  if (!e.ok()) return;
  IdentityLink& l = links_[static_cast<size_t>(*e)];
  if (l.status == status) l.applied_at = applied_at;
}

absl::StatusOr<int64_t> IdentityGraph::Unmerge(std::string_view a, std::string_view b,
                                               std::vector<std::pair<std::string, std::string>>* removed) {
  auto na = Lookup(a);
  if (!na.ok()) return na.status();
  Resolve();  // statuses must be current
  std::vector<int32_t> remove;
  if (b.empty()) {
    for (size_t e = 0; e < links_.size(); ++e) {
      const IdentityLink& l = links_[e];
      if ((l.a == *na || l.b == *na) && (l.status == LinkStatus::kMerged || l.status == LinkStatus::kRedundant))
        remove.push_back(static_cast<int32_t>(e));
    }
    if (remove.empty())
      return absl::NotFoundError(Cat("unmerge: ", NodeText(*na), " has no links to other identifiers"));
  } else {
    auto nb = Lookup(b);
    if (!nb.ok()) return nb.status();
    const uint64_t key = (static_cast<uint64_t>(std::min(*na, *nb)) << 32) | static_cast<uint32_t>(std::max(*na, *nb));
    auto it = pair_.find(key);
    if (it == pair_.end())
      return absl::NotFoundError(Cat("unmerge: there is no link between ", NodeText(*na), " and ", NodeText(*nb),
                                     " (they never occurred in one event)"));
    const IdentityLink& l = links_[static_cast<size_t>(it->second.link)];
    if (l.status == LinkStatus::kConflict)
      return absl::NotFoundError(Cat("unmerge: the link between ", NodeText(*na), " and ", NodeText(*nb),
                                     " was refused (limit of ", types_[static_cast<size_t>(l.conflict_type)],
                                     " per profile), so there is nothing to remove"));
    if (l.status == LinkStatus::kRemoved)
      return absl::NotFoundError(Cat("unmerge: the link between ", NodeText(*na), " and ", NodeText(*nb),
                                     " was already removed"));
    remove.push_back(it->second.link);
  }
  for (int32_t e : remove) {
    IdentityLink& l = links_[static_cast<size_t>(e)];
    l.status = LinkStatus::kRemoved;
    l.applied_at = WallNow();
    status_changed_.push_back(e);
    if (removed) removed->emplace_back(NodeText(l.a), NodeText(l.b));
  }
  Replay({RawFind(*na)}, WallNow());
  return static_cast<int64_t>(remove.size());
}

void IdentityGraph::FillReport(IdentityReport* report) const {
  report->identifiers = node_count();
  report->links = static_cast<int64_t>(links_.size());
  report->merges = report->conflicts = report->removed = 0;
  report->conflicts_by_type.clear();
  for (const IdentityLink& l : links_) {
    report->merges += l.status == LinkStatus::kMerged;
    report->removed += l.status == LinkStatus::kRemoved;
    if (l.status == LinkStatus::kConflict) {
      ++report->conflicts;
      ++report->conflicts_by_type[types_[static_cast<size_t>(l.conflict_type)]];
    }
  }
  report->blocked = blocked_;
  report->invalid = invalid_;
  report->replays = replays_;
  report->blocked_by_value.clear();
  for (const auto& [code, k] : blocked_by_code_) report->blocked_by_value[std::string(dict_->Get(code))] += k;
}

size_t IdentityGraph::MemoryBytes() const {
  size_t total = 0;
  for (const auto& m : node_of_) total += m.capacity() * sizeof(int32_t);
  total += node_type_.capacity() + node_value_.capacity() * 4 + node_hash_.capacity() * 8 + parent_.capacity() * 4 + size_.capacity() * 4 +
           counts_.capacity() * 2 + raw_parent_.capacity() * 4 +
           links_.capacity() * sizeof(IdentityLink) + pair_.capacity() * (sizeof(uint64_t) + sizeof(int32_t) + 1) +
           pending_.capacity() * 4;
  return total;
}

}  // namespace cdp
