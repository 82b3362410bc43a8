// Touchpoints: each profile's marketing touches before each conversion, as attribution journeys.
#include <algorithm>
#include <cmath>

#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::StringColumn;
using journeys_internal::TypeCode;
using journeys_internal::TypeFlags;

void TouchpointPartial::Merge(TouchpointPartial&& o) {
  AttributionInput& a = input;
  const AttributionInput& b = o.input;
  if (a.path_begin.empty()) a.path_begin.push_back(0);
  const int64_t base = a.path_begin.back();
  for (size_t i = 1; i < b.path_begin.size(); ++i) a.path_begin.push_back(base + b.path_begin[i]);
  auto cat = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
  cat(channel_codes, o.channel_codes), cat(a.touch_ts, b.touch_ts), cat(a.conversions, b.conversions);
  cat(a.values, b.values), cat(a.nulls, b.nulls), cat(a.conversion_ts, b.conversion_ts);
  conversions_without_touch += o.conversions_without_touch;
}

absl::StatusOr<TouchpointPartial> CollectTouchpoints(const QueryData& d, int32_t begin, int32_t end,
                                                     const TouchpointOptions& o, const Query* conversion_where) {
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  if (o.lookback <= 0) return absl::InvalidArgumentError("attribution: lookback must be positive");
  if (o.session_gap <= 0) return absl::InvalidArgumentError("attribution: session_gap must be positive");
  const Column* channel = StringColumn(ev, o.channel_column);
  if (channel == nullptr)
    return absl::InvalidArgumentError(Cat("attribution: the events have no text column '", o.channel_column, "' to take channels from"));
  const int32_t conversion = TypeCode(dict, o.conversion);
  const std::vector<uint8_t> touch = TypeFlags(dict, o.touch_types), excluded = TypeFlags(dict, o.exclude_types);
  const bool per_session = o.touch_types.empty();
  TouchpointPartial out;
  AttributionInput& in = out.input;
  in.path_begin.push_back(0);
  std::vector<uint8_t> pass;
  if (conversion_where != nullptr && begin < end)
    if (auto st = conversion_where->EvaluateEvents(d, d.event_begin[begin], d.event_begin[end], &pass); !st.ok()) return st;
  const int64_t rb = begin < end ? d.event_begin[begin] : 0;
  std::vector<std::pair<Micros, int32_t>> touches;
  auto emit = [&](Micros at, double conv, double value, double null) {
    size_t first = 0;
    if (conv > 0)
      while (first < touches.size() && at - touches[first].first > o.lookback) ++first;
    if (first == touches.size()) {
      out.conversions_without_touch += conv > 0;
      touches.clear();
      return;
    }
    for (size_t i = first; i < touches.size(); ++i) {
      out.channel_codes.push_back(touches[i].second);
      in.touch_ts.push_back(touches[i].first);
    }
    in.path_begin.push_back(static_cast<int64_t>(out.channel_codes.size()));
    in.conversions.push_back(conv);
    in.values.push_back(value);
    in.nulls.push_back(null);
    in.conversion_ts.push_back(at);
    touches.clear();
  };
  for (int32_t p = begin; p < end; ++p) {
    touches.clear();
    Micros last = 0;
    bool any = false, session_has_touch = false;
    for (int64_t row = d.event_begin[p]; row < d.event_begin[p + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      const size_t type = static_cast<size_t>(ev.type[r]);
      const Micros ts = ev.ts[r];
      if (ev.type[r] == conversion && (pass.empty() || pass[static_cast<size_t>(row - rb)])) {
        const double rev = ev.revenue[r];
        emit(ts, 1.0, std::isnan(rev) ? 0.0 : rev, 0.0);
        continue;
      }
      if (per_session) {
        if (type < excluded.size() && excluded[type]) continue;
        if (!any || ts - last > o.session_gap) session_has_touch = false;
        any = true;
        last = ts;
        if (session_has_touch || channel->str[r] == kNullCode) continue;
        session_has_touch = true;
      } else if (!(type < touch.size() && touch[type]) || channel->str[r] == kNullCode) {
        continue;
      }
      touches.emplace_back(ts, channel->str[r]);
    }
    if (o.include_non_converting && !touches.empty()) emit(touches.back().first, 0.0, 0.0, 1.0);
  }
  return out;
}

AttributionInput FinishTouchpoints(const QueryData& d, TouchpointPartial&& all) {
  AttributionInput in = std::move(all.input);
  if (in.path_begin.empty()) in.path_begin.push_back(0);
  std::vector<int32_t> codes = all.channel_codes;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::sort(codes.begin(), codes.end(), [&](int32_t a, int32_t b) { return d.event_dict->Get(a) < d.event_dict->Get(b); });
  absl::flat_hash_map<int32_t, int32_t> index;
  for (int32_t c : codes) {
    index[c] = static_cast<int32_t>(in.channels.size());
    in.channels.emplace_back(d.event_dict->Get(c));
  }
  in.touches.resize(all.channel_codes.size());
  for (size_t i = 0; i < all.channel_codes.size(); ++i) in.touches[i] = index[all.channel_codes[i]];
  return in;
}

}  // namespace cdp
