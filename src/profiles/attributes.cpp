#include "cdp/attributes.hpp"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_format.h"
#include "core/strings.hpp"

namespace cdp {

namespace {
constexpr std::string_view kTraitPrefix = "traits.";
constexpr std::string_view kSourceColumn = "attribute_source";

// Orders two writes of one attribute: the later (ts, event hash) wins.
bool WriteLess(const AttributeWrite& a, const AttributeWrite& b) {
  if (a.ts != b.ts) return a.ts < b.ts;
  return a.event_hash < b.event_hash;
}

ColumnType Wider(ColumnType a, ColumnType b) {
  if (a == b) return a;
  if ((a == ColumnType::kInt64 && b == ColumnType::kDouble) || (a == ColumnType::kDouble && b == ColumnType::kInt64))
    return ColumnType::kDouble;
  return ColumnType::kString;
}
}  // namespace

void AttributeLog::Clear() {
  writes_.clear();
  names_.clear();
  types_.clear();
  begin_.clear();
  order_.clear();
}

void AttributeLog::AddEvents(const EventColumns& cols, const EventIdIndex& ids, const Vec<int32_t>& anchors,
                             StringDictionary& dict, size_t begin, size_t end) {
  struct Source {
    const Column* col;
    int32_t name;
    size_t name_index;
  };
  std::vector<Source> sources;
  for (size_t i = 0; i < cols.names.size(); ++i) {
    std::string_view n = cols.names[i];
    if (!n.starts_with(kTraitPrefix) || n.size() == kTraitPrefix.size()) continue;
    const int32_t name = dict.Intern(n.substr(kTraitPrefix.size()));
    auto it = std::find(names_.begin(), names_.end(), name);
    size_t idx = static_cast<size_t>(it - names_.begin());
    if (it == names_.end()) {
      names_.push_back(name);
      types_.push_back(cols.columns[i].type);
    }
    sources.push_back(Source{&cols.columns[i], name, idx});
  }
  if (sources.empty()) return;
  const Column* source_col = cols.Find(kSourceColumn);
  std::vector<int32_t> type_source;  // event type code -> "event:<type>" code
  for (size_t r = begin; r < end; ++r) {
    bool any = false;
    for (const Source& s : sources) any = any || !s.col->IsNull(r);
    if (!any) continue;
    const int32_t node = anchors[r];
    if (node < 0) continue;
    int32_t source = kNullCode;
    if (source_col && source_col->type == ColumnType::kString) source = source_col->str[r];
    if (source == kNullCode) {
      const int32_t t = cols.type[r];
      if (static_cast<size_t>(t) >= type_source.size()) type_source.resize(static_cast<size_t>(t) + 1, kNullCode);
      int32_t& m = type_source[static_cast<size_t>(t)];
      if (m == kNullCode) m = dict.Intern(Cat("event:", dict.Get(t)));
      source = m;
    }
    const uint64_t hash = StableHash64(ids.Get(cols.arrival[r]));
    for (const Source& s : sources) {
      if (s.col->IsNull(r)) continue;
      AttributeWrite w;
      w.node = node;
      w.name = s.name;
      w.type = s.col->type;
      switch (s.col->type) {
        case ColumnType::kString: w.str = s.col->str[r]; break;
        case ColumnType::kInt64: w.i64 = s.col->i64[r]; break;
        case ColumnType::kDouble: w.f64 = s.col->f64[r]; break;
        case ColumnType::kBool: w.i64 = s.col->b[r]; break;
      }
      w.ts = cols.ts[r];
      w.event_hash = hash;
      w.event = cols.arrival[r];
      w.source = source;
      types_[s.name_index] = Wider(types_[s.name_index], w.type);
      writes_.push_back(w);
    }
  }
}

void AttributeLog::Index(const ProfileIndex& profiles, const StringDictionary& dict) {
  const int32_t n = profiles.size();
  order_.resize(writes_.size());
  std::iota(order_.begin(), order_.end(), 0u);
  auto profile_of = [&](uint32_t i) { return profiles.OfNode(writes_[i].node); };
  std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    const int32_t pa = profile_of(a), pb = profile_of(b);
    if (pa != pb) return pa < pb;
    const AttributeWrite& x = writes_[a];
    const AttributeWrite& y = writes_[b];
    if (x.name != y.name) return dict.Get(x.name) < dict.Get(y.name);
    if (x.ts != y.ts || x.event_hash != y.event_hash) return WriteLess(x, y);
    return a < b;
  });
  begin_.assign(static_cast<size_t>(n) + 1, 0);
  for (uint32_t i : order_) ++begin_[static_cast<size_t>(profile_of(i)) + 1];
  for (int32_t p = 0; p < n; ++p) begin_[static_cast<size_t>(p) + 1] += begin_[static_cast<size_t>(p)];
}

std::vector<const AttributeWrite*> AttributeLog::History(int32_t profile, int32_t name) const {
  std::vector<const AttributeWrite*> out;
  if (profile < 0 || static_cast<size_t>(profile) + 1 >= begin_.size()) return out;
  for (int64_t k = begin_[static_cast<size_t>(profile)]; k < begin_[static_cast<size_t>(profile) + 1]; ++k) {
    const AttributeWrite& w = writes_[order_[static_cast<size_t>(k)]];
    if (name == kNullCode || w.name == name) out.push_back(&w);
  }
  return out;
}

std::vector<const AttributeWrite*> AttributeLog::Current(int32_t profile) const {
  std::vector<const AttributeWrite*> all = History(profile), out;
  for (size_t i = 0; i < all.size(); ++i)
    if (i + 1 == all.size() || all[i + 1]->name != all[i]->name) out.push_back(all[i]);  // last of each name
  return out;
}

std::string AttributeLog::ValueText(const AttributeWrite& w, const StringDictionary& dict) const {
  switch (w.type) {
    case ColumnType::kString: return w.str == kNullCode ? "" : std::string(dict.Get(w.str));
    case ColumnType::kInt64: return absl::StrFormat("%d", w.i64);
    case ColumnType::kDouble: return ShortestDouble(w.f64);
    case ColumnType::kBool: return w.i64 ? "true" : "false";
  }
  return "";
}

void AttributeLog::AddColumns(Table* t, const StringDictionary& dict, int32_t profiles,
                              const std::vector<std::string>* only, const std::vector<std::string>& reserved) const {
  std::vector<Column*> out(names_.size(), nullptr);
  std::vector<size_t> by_name(names_.size());
  std::iota(by_name.begin(), by_name.end(), size_t{0});
  std::sort(by_name.begin(), by_name.end(), [&](size_t a, size_t b) { return dict.Get(names_[a]) < dict.Get(names_[b]); });
  bool any = false;
  for (size_t k : by_name) {
    std::string name(dict.Get(names_[k]));
    while (t->Index(name) >= 0 || std::find(reserved.begin(), reserved.end(), name) != reserved.end())
      name = Cat("attr.", name);  // never shadow a built-in column
    if (only && std::find(only->begin(), only->end(), name) == only->end()) continue;
    any = true;
    Column& c = t->Add(name, types_[k]);
    c.Resize(static_cast<size_t>(profiles));
    out[k] = &c;
  }
  if (!any) return;
  for (int32_t p = 0; p < profiles; ++p) {
    for (const AttributeWrite* w : Current(p)) {
      const size_t k = static_cast<size_t>(std::find(names_.begin(), names_.end(), w->name) - names_.begin());
      if (out[k] == nullptr) continue;
      Column& c = *out[k];
      switch (c.type) {
        case ColumnType::kString:
          c.str[static_cast<size_t>(p)] = t->dict->Intern(ValueText(*w, dict));
          break;
        case ColumnType::kInt64: c.i64[static_cast<size_t>(p)] = w->i64; break;
        case ColumnType::kDouble:
          c.f64[static_cast<size_t>(p)] = w->type == ColumnType::kInt64 ? static_cast<double>(w->i64) : w->f64;
          break;
        case ColumnType::kBool: c.b[static_cast<size_t>(p)] = static_cast<int8_t>(w->i64); break;
      }
    }
  }
}

}  // namespace cdp
