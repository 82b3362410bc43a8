// Erasure support of the event store: keep some rows, rebuild the dictionaries and the event-id
// index from them alone, and install the result in place of the old content.
#include <algorithm>
#include <numeric>

#include "cdp/event_store.hpp"

namespace cdp {

CompactedEvents CompactEvents(const EventStore& store, const std::vector<uint8_t>& keep) {
  CompactedEvents out;
  const EventColumns& c = store.columns();
  const size_t n = c.size();
  // Kept rows in arrival order: the order a file load gives, so reopening reproduces it.
  std::vector<uint32_t> rows;
  rows.reserve(n);
  for (size_t r = 0; r < n; ++r)
    if (keep[r]) rows.push_back(static_cast<uint32_t>(r));
  std::sort(rows.begin(), rows.end(), [&c](uint32_t a, uint32_t b) { return c.arrival[a] < c.arrival[b]; });
  out.rows_removed = static_cast<int64_t>(n - rows.size());

  EventColumns& o = out.cols;
  auto gather = [&rows](const auto& from, auto& to) {
    to.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) to[i] = from[rows[i]];
  };
  gather(c.ts, o.ts);
  gather(c.type, o.type);
  gather(c.revenue, o.revenue);
  for (size_t i = 0; i < c.names.size(); ++i) {
    const Column& col = c.columns[i];
    Column kept(col.type);
    switch (col.type) {
      case ColumnType::kInt64: gather(col.i64, kept.i64); break;
      case ColumnType::kDouble: gather(col.f64, kept.f64); break;
      case ColumnType::kBool: gather(col.b, kept.b); break;
      case ColumnType::kString: gather(col.str, kept.str); break;
    }
    // A column only dropped rows had values in goes too (a store built without them lacks it).
    bool had = false, has = false;
    for (size_t r = 0; r < n && !had; ++r) had = !col.IsNull(r);
    for (size_t r = 0; r < kept.size() && !has; ++r) has = !kept.IsNull(r);
    if (had && !has) continue;
    o.names.push_back(c.names[i]);
    o.columns.push_back(std::move(kept));
  }

  // Strings: the codes kept rows use, re-interned in their old order.
  const StringDictionary& dict = store.dict();
  std::vector<int32_t> remap(static_cast<size_t>(dict.size()), kNullCode);
  auto mark = [&remap](const Vec<int32_t>& codes) {
    for (int32_t code : codes)
      if (code >= 0) remap[static_cast<size_t>(code)] = 0;
  };
  mark(o.type);
  for (const Column& col : o.columns)
    if (col.type == ColumnType::kString) mark(col.str);
  for (size_t code = 0; code < remap.size(); ++code)
    if (remap[code] == 0) remap[code] = out.dict->Intern(dict.Get(static_cast<int32_t>(code)));
  out.strings_removed = dict.size() - out.dict->size();
  auto apply = [&remap](Vec<int32_t>& codes) {
    for (int32_t& code : codes)
      if (code >= 0) code = remap[static_cast<size_t>(code)];
  };
  apply(o.type);
  for (Column& col : o.columns)
    if (col.type == ColumnType::kString) apply(col.str);

  // Event ids in arrival order, renumbered densely.
  o.arrival.resize(rows.size());
  std::vector<std::string_view> ids(rows.size());
  size_t id_bytes = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    ids[i] = store.event_id(rows[i]);
    id_bytes += ids[i].size();
  }
  out.ids.Reserve(ids.size(), id_bytes);
  std::vector<uint32_t> arrival;
  out.ids.InsertMany(ids, &arrival);
  for (size_t i = 0; i < rows.size(); ++i) o.arrival[i] = arrival[i];

  // Provisional profile keys, as ingest assigns them: the row's first identifier by field order.
  std::vector<const Column*> id_cols;
  std::vector<std::string_view> id_names;
  for (std::string_view field : kIdentifierFields) {
    const Column* col = o.Find(field);
    if (col != nullptr && col->type == ColumnType::kString) id_cols.push_back(col), id_names.push_back(field);
  }
  o.profile.assign(rows.size(), kNullCode);
  std::string key;
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t k = 0; k < id_cols.size(); ++k) {
      const int32_t code = id_cols[k]->str[i];
      if (code == kNullCode) continue;
      key.assign(id_names[k]);
      key += ':';
      key.append(out.dict->Get(code));
      o.profile[i] = out.keys->Intern(key);
      break;
    }
  return out;
}

void EventStore::Install(CompactedEvents&& c) {
  dict_->Swap(*c.dict);
  c.dict->Wipe();
  keys_.Swap(*c.keys);
  c.keys->Wipe();
  ids_.Wipe();
  ids_ = std::move(c.ids);
  cols_ = std::move(c.cols);
  anchor_.assign(cols_.size(), -1);
  sorted_rows_ = 0;
  profiles_resolved_ = false;
}

}  // namespace cdp
