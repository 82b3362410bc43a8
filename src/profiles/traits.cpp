#include "cdp/traits.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "core/strings.hpp"

namespace cdp {

namespace {

constexpr std::pair<std::string_view, TraitAgg> kAggNames[] = {
    {"count", TraitAgg::kCount},       {"sum", TraitAgg::kSum},
    {"avg", TraitAgg::kAvg},           {"mean", TraitAgg::kAvg},
    {"min", TraitAgg::kMin},           {"max", TraitAgg::kMax},
    {"first", TraitAgg::kFirst},       {"last", TraitAgg::kLast},
    {"most_frequent", TraitAgg::kMostFrequent}, {"mode", TraitAgg::kMostFrequent},
    {"distinct_count", TraitAgg::kDistinctCount}, {"nunique", TraitAgg::kDistinctCount}};

bool Numeric(TraitAgg a) {
  return a == TraitAgg::kSum || a == TraitAgg::kAvg || a == TraitAgg::kMin || a == TraitAgg::kMax;
}

// The field of a trait, resolved against the store's columns.
struct Field {
  enum Kind { kNone, kRevenue, kTs, kType, kColumn, kMissing } kind = kNone;
  const Column* col = nullptr;
  ColumnType type = ColumnType::kInt64;
  bool IsNull(const EventColumns& c, size_t r) const {
    switch (kind) {
      case kNone: return false;
      case kRevenue: return std::isnan(c.revenue[r]);
      case kTs: return false;
      case kType: return false;
      case kColumn: return col->IsNull(r);
      case kMissing: return true;
    }
    return true;
  }
  double Number(const EventColumns& c, size_t r) const {
    switch (kind) {
      case kRevenue: return c.revenue[r];
      case kTs: return static_cast<double>(c.ts[r]);
      case kColumn:
        switch (col->type) {
          case ColumnType::kInt64: return static_cast<double>(col->i64[r]);
          case ColumnType::kDouble: return col->f64[r];
          case ColumnType::kBool: return col->b[r];
          case ColumnType::kString: break;
        }
        break;
      default: break;
    }
    return 0;
  }
  // A 64-bit key equal for equal values (string code, integer, double bits).
  int64_t Key(const EventColumns& c, size_t r) const {
    switch (kind) {
      case kRevenue: return std::bit_cast<int64_t>(c.revenue[r] == 0 ? 0.0 : c.revenue[r]);
      case kTs: return c.ts[r];
      case kType: return c.type[r];
      case kColumn:
        switch (col->type) {
          case ColumnType::kInt64: return col->i64[r];
          case ColumnType::kDouble: return std::bit_cast<int64_t>(col->f64[r] == 0 ? 0.0 : col->f64[r]);
          case ColumnType::kBool: return col->b[r];
          case ColumnType::kString: return col->str[r];
        }
        break;
      default: break;
    }
    return 0;
  }
};

struct Condition {
  const Column* col = nullptr;  // null: never matches (column absent)
  int32_t code = kNullCode;     // string columns: the value's code (absent: never matches)
  std::string text;             // other columns: compared as text
  bool never = false;
};

bool Matches(const Condition& w, size_t r) {
  if (w.never || w.col == nullptr || w.col->IsNull(r)) return false;
  switch (w.col->type) {
    case ColumnType::kString: return w.col->str[r] == w.code;
    case ColumnType::kInt64: return Cat(w.col->i64[r]) == w.text;
    case ColumnType::kDouble: return ShortestDouble(w.col->f64[r]) == w.text;
    case ColumnType::kBool: return (w.col->b[r] ? "true" : "false") == w.text;
  }
  return false;
}

struct Prepared {
  Field field;
  std::vector<int32_t> types;  // empty: any; codes (absent names dropped; all absent: never)
  bool never = false;
  std::vector<Condition> where;
  ColumnType out = ColumnType::kInt64;
};

Prepared Prepare(const TraitSpec& s, const EventColumns& cols, const StringDictionary& dict) {
  Prepared p;
  if (s.field.empty()) p.field.kind = Field::kNone;
  else if (s.field == "revenue") p.field.kind = Field::kRevenue, p.field.type = ColumnType::kDouble;
  else if (s.field == "ts") p.field.kind = Field::kTs, p.field.type = ColumnType::kInt64;
  else if (s.field == "type") p.field.kind = Field::kType, p.field.type = ColumnType::kString;
  else if (const Column* c = cols.Find(s.field)) p.field.kind = Field::kColumn, p.field.col = c, p.field.type = c->type;
  else p.field.kind = Field::kMissing, p.field.type = ColumnType::kDouble;
  for (const std::string& t : s.event_types)
    if (auto code = dict.Find(t)) p.types.push_back(*code);
  p.never = !s.event_types.empty() && p.types.empty();
  for (const auto& [name, value] : s.where) {
    Condition w;
    w.col = cols.Find(name);
    if (w.col && w.col->type == ColumnType::kString) {
      auto code = dict.Find(value);
      if (code) w.code = *code;
      else w.never = true;
    }
    w.text = value;
    p.where.push_back(std::move(w));
  }
  switch (s.agg) {
    case TraitAgg::kCount:
    case TraitAgg::kDistinctCount: p.out = ColumnType::kInt64; break;
    case TraitAgg::kSum:
    case TraitAgg::kAvg:
    case TraitAgg::kMin:
    case TraitAgg::kMax: p.out = ColumnType::kDouble; break;
    default: p.out = p.field.type; break;
  }
  return p;
}

void CopyCell(const Column& from, size_t i, Column* to, size_t j) {
  switch (to->type) {
    case ColumnType::kInt64: to->i64[j] = from.i64[i]; break;
    case ColumnType::kDouble: to->f64[j] = from.f64[i]; break;
    case ColumnType::kBool: to->b[j] = from.b[i]; break;
    case ColumnType::kString: to->str[j] = from.str[i]; break;
  }
}

// Writes the field value of row r into cell p of `out` (same type).
void SetFromRow(const Field& f, const EventColumns& c, size_t r, Column* out, size_t p) {
  switch (f.kind) {
    case Field::kRevenue: out->f64[p] = c.revenue[r]; return;
    case Field::kTs: out->i64[p] = c.ts[r]; return;
    case Field::kType: out->str[p] = c.type[r]; return;
    case Field::kColumn: CopyCell(*f.col, r, out, p); return;
    default: return;
  }
}

}  // namespace

absl::StatusOr<TraitAgg> ParseTraitAgg(std::string_view name) {
  for (const auto& [n, a] : kAggNames)
    if (n == name) return a;
  return absl::InvalidArgumentError(Cat("trait aggregation \"", name,
                                        "\": expected one of count, sum, avg, min, max, first, last, "
                                        "most_frequent, distinct_count"));
}

std::string_view TraitAggName(TraitAgg agg) {
  for (const auto& [n, a] : kAggNames)
    if (a == agg) return n;
  return "?";
}

absl::Status TraitSet::Define(TraitSpec spec, const EventColumns& cols) {
  if (spec.name.empty()) return absl::InvalidArgumentError("trait: the name is empty");
  for (std::string_view r : kProfileBuiltins)
    if (spec.name == r)
      return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": the name is a built-in profile column"));
  for (const TraitSpec& s : specs_)
    if (s.name == spec.name)
      return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\" is already defined (drop it first)"));
  if (spec.field.empty() && spec.agg != TraitAgg::kCount)
    return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": ", TraitAggName(spec.agg), " needs a field"));
  if (spec.window < 0)
    return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": the window is negative"));
  if (Numeric(spec.agg) && !spec.field.empty()) {
    const Column* c = cols.Find(spec.field);
    if (spec.field == "type" || (c != nullptr && c->type == ColumnType::kString))
      return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": ", TraitAggName(spec.agg), " needs a numeric field; \"",
                                            spec.field, "\" holds text"));
  }
  for (const auto& [col, value] : spec.where)
    if (col.empty()) return absl::InvalidArgumentError(Cat("trait \"", spec.name, "\": a where condition has no column"));
  specs_.push_back(std::move(spec));
  values_.emplace_back(ColumnType::kInt64);
  fresh_.push_back(true);
  return absl::OkStatus();
}

absl::Status TraitSet::Drop(std::string_view name) {
  for (size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].name == name) {
      specs_.erase(specs_.begin() + static_cast<std::ptrdiff_t>(i));
      values_.erase(values_.begin() + static_cast<std::ptrdiff_t>(i));
      fresh_.erase(fresh_.begin() + static_cast<std::ptrdiff_t>(i));
      return absl::OkStatus();
    }
  return absl::NotFoundError(Cat("trait \"", name, "\" is not defined"));
}

void TraitSet::Refresh(const EventColumns& sorted, const StringDictionary& dict, const ProfileIndex& profiles,
                       const std::vector<uint8_t>& dirty, bool all) {
  const int32_t n = profiles.size();
  Micros clock = INT64_MIN;
  for (int32_t p = 0; p < n; ++p)
    if (profiles.activity(p).events() > 0) clock = std::max(clock, profiles.activity(p).last_seen);
  last_recomputed_ = 0;
  absl::flat_hash_map<int32_t, int32_t> old_of_key;  // key node -> previous profile id
  bool have_old = false;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const TraitSpec& s = specs_[i];
    Prepared prep = Prepare(s, sorted, dict);
    const bool full = all || fresh_[i] || values_[i].type != prep.out || (s.window > 0 && clock != clock_);
    if (!full && !have_old) {
      for (size_t p = 0; p < key_nodes_.size(); ++p) old_of_key[key_nodes_[p]] = static_cast<int32_t>(p);
      have_old = true;
    }
    Column out(prep.out);
    out.Resize(static_cast<size_t>(n));
    for (int32_t p = 0; p < n; ++p) {
      if (!full && !dirty[static_cast<size_t>(p)]) {
        auto it = old_of_key.find(profiles.key_node(p));
        if (it != old_of_key.end()) {
          CopyCell(values_[i], static_cast<size_t>(it->second), &out, static_cast<size_t>(p));
          continue;
        }
      }
      ++last_recomputed_;
      // Compute from the profile's rows.
      const ProfileIndex::Activity& a = profiles.activity(p);
      const Field& f = prep.field;
      int64_t count = 0;
      double sum = 0, lo = 0, hi = 0;
      int64_t first = -1, last = -1;
      absl::flat_hash_map<int64_t, std::pair<int64_t, size_t>> freq;  // key -> (count, a row)
      absl::flat_hash_set<int64_t> distinct;
      const Micros from = s.window > 0 ? clock - s.window : INT64_MIN;
      for (int64_t rr = a.row_begin; rr < a.row_end; ++rr) {
        const size_t r = static_cast<size_t>(rr);
        if (prep.never) break;
        if (sorted.ts[r] <= from) continue;
        if (!prep.types.empty() && std::find(prep.types.begin(), prep.types.end(), sorted.type[r]) == prep.types.end())
          continue;
        bool ok = true;
        for (const Condition& w : prep.where) ok = ok && Matches(w, r);
        if (!ok || f.IsNull(sorted, r)) continue;
        ++count;
        if (Numeric(s.agg)) {
          double v = f.Number(sorted, r);
          sum += v;
          lo = count == 1 ? v : std::min(lo, v);
          hi = count == 1 ? v : std::max(hi, v);
        }
        if (first < 0) first = rr;
        last = rr;
        if (s.agg == TraitAgg::kMostFrequent) {
          auto& e = freq[f.Key(sorted, r)];
          if (e.first++ == 0) e.second = r;
        } else if (s.agg == TraitAgg::kDistinctCount) {
          distinct.insert(f.Key(sorted, r));
        }
      }
      const size_t cell = static_cast<size_t>(p);
      switch (s.agg) {
        case TraitAgg::kCount: out.i64[cell] = count; break;
        case TraitAgg::kDistinctCount: out.i64[cell] = static_cast<int64_t>(distinct.size()); break;
        case TraitAgg::kSum: out.f64[cell] = sum; break;
        case TraitAgg::kAvg: if (count) out.f64[cell] = sum / static_cast<double>(count); break;
        case TraitAgg::kMin: if (count) out.f64[cell] = lo; break;
        case TraitAgg::kMax: if (count) out.f64[cell] = hi; break;
        case TraitAgg::kFirst: if (first >= 0) SetFromRow(f, sorted, static_cast<size_t>(first), &out, cell); break;
        case TraitAgg::kLast: if (last >= 0) SetFromRow(f, sorted, static_cast<size_t>(last), &out, cell); break;
        case TraitAgg::kMostFrequent: {
          // Highest count; ties go to the smallest value (text order for strings).
          const std::pair<int64_t, size_t>* best = nullptr;
          int64_t best_key = 0;
          for (const auto& [key, e] : freq) {
            bool better = best == nullptr || e.first > best->first;
            if (!better && e.first == best->first) {
              if (f.type == ColumnType::kString)
                better = dict.Get(static_cast<int32_t>(key)) < dict.Get(static_cast<int32_t>(best_key));
              else
                better = f.Number(sorted, e.second) < f.Number(sorted, best->second);
            }
            if (better) best = &e, best_key = key;
          }
          if (best) SetFromRow(f, sorted, best->second, &out, cell);
          break;
        }
      }
    }
    values_[i] = std::move(out);
    fresh_[i] = false;
  }
  key_nodes_.resize(static_cast<size_t>(n));
  for (int32_t p = 0; p < n; ++p) key_nodes_[static_cast<size_t>(p)] = profiles.key_node(p);
  clock_ = clock;
}

void TraitSet::AddColumns(Table* t, const StringDictionary& dict, const std::vector<std::string>* only) const {
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (only && std::find(only->begin(), only->end(), specs_[i].name) == only->end()) continue;
    const Column& v = values_[i];
    Column& c = t->Add(specs_[i].name, v.type);
    if (v.type != ColumnType::kString) {
      c = v;
      continue;
    }
    c.str.resize(v.str.size());
    for (size_t r = 0; r < v.str.size(); ++r)
      c.str[r] = v.str[r] == kNullCode ? kNullCode : t->dict->Intern(dict.Get(v.str[r]));
  }
}

}  // namespace cdp
