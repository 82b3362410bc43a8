// Heatmaps: clicks binned on a grid per page, scroll-depth reach, rage and dead clicks.
#include <algorithm>
#include <cmath>

#include "cdp/journeys.hpp"
#include "core/strings.hpp"
#include "journeys/journeys_internal.hpp"

namespace cdp {

using journeys_internal::StringColumn;
using journeys_internal::TypeCode;

void HeatmapPartial::Merge(HeatmapPartial&& o) {
  if (grid.empty()) {
    *this = std::move(o);
    return;
  }
  for (size_t i = 0; i < grid.size(); ++i) grid[i] += o.grid[i];
  for (size_t i = 0; i < reached.size(); ++i) reached[i] += o.reached[i];
  clicks += o.clicks, page_views += o.page_views, dead_clicks += o.dead_clicks;
  rage_row.insert(rage_row.end(), o.rage_row.begin(), o.rage_row.end());
  rage_count.insert(rage_count.end(), o.rage_count.begin(), o.rage_count.end());
}

namespace {

struct HeatmapColumns {
  const Column *page = nullptr, *vw = nullptr, *vh = nullptr;
  const Column *x = nullptr, *y = nullptr, *scroll = nullptr;
  int32_t page_code = -1;  // -1: every page
  int32_t click = -1, scroll_type = -1, page_view = -1;
};

double Number(const Column* c, size_t row) {
  if (c == nullptr || c->IsNull(row)) return NAN;
  return c->type == ColumnType::kDouble ? c->f64[row] : c->type == ColumnType::kInt64 ? static_cast<double>(c->i64[row]) : NAN;
}

absl::StatusOr<HeatmapColumns> Columns(const QueryData& d, const HeatmapOptions& o) {
  if (o.grid_x < 1 || o.grid_y < 1 || o.grid_x > 1000 || o.grid_y > 1000)
    return absl::InvalidArgumentError(Cat("heatmap: grid must be 1..1000 cells per side, got ", o.grid_x, " x ", o.grid_y));
  if (!(o.viewport_width > 0) || !(o.viewport_height > 0)) return absl::InvalidArgumentError("heatmap: the viewport size must be positive");
  if (o.rage_clicks < 2) return absl::InvalidArgumentError(Cat("heatmap: rage_clicks must be at least 2, got ", o.rage_clicks));
  if (o.rage_window <= 0 || o.dead_after <= 0 || !(o.rage_radius_px > 0))
    return absl::InvalidArgumentError("heatmap: rage_window, rage_radius_px and dead_after must be positive");
  const EventColumns& ev = *d.events;
  HeatmapColumns c;
  auto number = [&](const std::string& name, const Column** out) -> absl::Status {
    const Column* col = ev.Find(name);
    if (col != nullptr && col->type != ColumnType::kDouble && col->type != ColumnType::kInt64)
      return absl::InvalidArgumentError(Cat("heatmap: column '", name, "' must be numeric, it holds ", ColumnTypeName(col->type)));
    *out = col;
    return absl::OkStatus();
  };
  for (auto [name, out] : {std::pair{&o.x_column, &c.x}, {&o.y_column, &c.y}, {&o.scroll_column, &c.scroll},
                           {&o.viewport_width_column, &c.vw}, {&o.viewport_height_column, &c.vh}})
    if (auto st = number(*name, out); !st.ok()) return st;
  c.page = StringColumn(ev, o.page_column);
  if (!o.page.empty()) {
    if (c.page == nullptr) return absl::InvalidArgumentError(Cat("heatmap: the events have no text column '", o.page_column, "'"));
    auto code = d.event_dict->Find(o.page);
    c.page_code = code ? *code : -3;  // -3: a page no event has (empty result)
  }
  c.click = TypeCode(*d.event_dict, o.click_type);
  c.scroll_type = TypeCode(*d.event_dict, o.scroll_type);
  c.page_view = TypeCode(*d.event_dict, o.page_view_type);
  return c;
}

}  // namespace

absl::StatusOr<HeatmapPartial> RunHeatmap(const QueryData& d, int32_t begin, int32_t end, const HeatmapOptions& o) {
  auto cols = Columns(d, o);
  if (!cols.ok()) return cols.status();
  const HeatmapColumns& c = *cols;
  const EventColumns& ev = *d.events;
  HeatmapPartial out;
  out.grid.assign(static_cast<size_t>(o.grid_x) * static_cast<size_t>(o.grid_y), 0);
  out.reached.assign(4, 0);
  if (c.page_code == -3) return out;
  auto on_page = [&](size_t r) { return c.page_code < 0 || (c.page != nullptr && c.page->str[r] == c.page_code); };
  auto px = [&](size_t r, const Column* coord, const Column* size, double fallback) {
    const double v = Number(coord, r);
    if (std::isnan(v)) return v;
    if (v > 1.0) return v;  // already pixels
    const double s = Number(size, r);
    return v * (std::isnan(s) ? fallback : s);
  };
  for (int32_t p = begin; p < end; ++p) {
    const int64_t r0 = d.event_begin[p], r1 = d.event_begin[p + 1];
    int depth = -1;  // deepest scroll of the open page view (-1: none open)
    auto close_view = [&] {
      if (depth < 0) return;
      for (int k = 0; k < 4; ++k) out.reached[static_cast<size_t>(k)] += depth >= 25 * (k + 1);
      depth = -1;
    };
    int64_t next_other = r0;  // first non-click event after the current row (dead clicks; r0: not yet found)
    int64_t skip_until = r0;  // rows inside a reported rage burst
    for (int64_t row = r0; row < r1; ++row) {
      const size_t r = static_cast<size_t>(row);
      const int32_t type = ev.type[r];
      if (type == c.page_view) {
        close_view();
        if (on_page(r)) depth = 0, ++out.page_views;
        continue;
      }
      if (type == c.scroll_type && depth >= 0) {
        const double v = Number(c.scroll, r);
        if (!std::isnan(v)) depth = std::max(depth, static_cast<int>(std::min(100.0, v)));
        continue;
      }
      if (type != c.click || !on_page(r)) continue;
      const double x = Number(c.x, r), y = Number(c.y, r);
      ++out.clicks;
      if (!std::isnan(x) && !std::isnan(y) && x >= 0 && y >= 0 && x <= 1 && y <= 1) {
        const size_t bx = std::min(static_cast<size_t>(x * o.grid_x), static_cast<size_t>(o.grid_x - 1));
        const size_t by = std::min(static_cast<size_t>(y * o.grid_y), static_cast<size_t>(o.grid_y - 1));
        ++out.grid[by * static_cast<size_t>(o.grid_x) + bx];
      }
      // Dead: no non-click event of the profile within dead_after.
      if (next_other <= row) {
        next_other = row + 1;
        while (next_other < r1 && ev.type[static_cast<size_t>(next_other)] == c.click) ++next_other;
      }
      if (next_other >= r1 || ev.ts[static_cast<size_t>(next_other)] - ev.ts[r] > o.dead_after) ++out.dead_clicks;
      // Rage: at least rage_clicks clicks within rage_window and rage_radius_px of this one.
      if (row < skip_until) continue;
      const double x0 = px(r, c.x, c.vw, o.viewport_width), y0 = px(r, c.y, c.vh, o.viewport_height);
      if (std::isnan(x0) || std::isnan(y0)) continue;
      int32_t n = 1;
      int64_t last = row;
      for (int64_t j = row + 1; j < r1 && ev.ts[static_cast<size_t>(j)] - ev.ts[r] <= o.rage_window; ++j) {
        const size_t q = static_cast<size_t>(j);
        if (ev.type[q] != c.click) continue;
        const double dx = px(q, c.x, c.vw, o.viewport_width) - x0, dy = px(q, c.y, c.vh, o.viewport_height) - y0;
        if (dx * dx + dy * dy <= o.rage_radius_px * o.rage_radius_px) ++n, last = j;
      }
      if (n >= o.rage_clicks) {
        out.rage_row.push_back(row);
        out.rage_count.push_back(n);
        skip_until = last + 1;
      }
    }
    close_view();
  }
  return out;
}

HeatmapResult FinishHeatmap(const QueryData& d, const HeatmapOptions& o, HeatmapPartial&& all) {
  const EventColumns& ev = *d.events;
  HeatmapResult r;
  r.clicks = all.clicks;
  r.page_views = all.page_views;
  r.dead_clicks = all.dead_clicks;
  r.dead_click_share = all.clicks > 0 ? static_cast<double>(all.dead_clicks) / static_cast<double>(all.clicks) : NAN;
  r.grid.assign(static_cast<size_t>(o.grid_y), std::vector<int64_t>(static_cast<size_t>(o.grid_x), 0));
  int64_t binned = 0;
  for (int64_t v : all.grid) binned += v;
  Table& cells = r.cells;
  Column& xb = cells.Add("x_bin", ColumnType::kInt64);
  Column& yb = cells.Add("y_bin", ColumnType::kInt64);
  Column& x0 = cells.Add("x0", ColumnType::kDouble);
  Column& y0 = cells.Add("y0", ColumnType::kDouble);
  Column& clicks = cells.Add("clicks", ColumnType::kInt64);
  Column& share = cells.Add("share", ColumnType::kDouble);
  for (int y = 0; y < o.grid_y; ++y)
    for (int x = 0; x < o.grid_x; ++x) {
      const int64_t v = all.grid[static_cast<size_t>(y) * static_cast<size_t>(o.grid_x) + static_cast<size_t>(x)];
      r.grid[static_cast<size_t>(y)][static_cast<size_t>(x)] = v;
      xb.i64.push_back(x), yb.i64.push_back(y);
      x0.f64.push_back(static_cast<double>(x) / o.grid_x), y0.f64.push_back(static_cast<double>(y) / o.grid_y);
      clicks.i64.push_back(v);
      share.f64.push_back(binned > 0 ? static_cast<double>(v) / static_cast<double>(binned) : NAN);
    }
  Table& s = r.scroll;
  Column& depth = s.Add("depth", ColumnType::kInt64);
  Column& views = s.Add("page_views", ColumnType::kInt64);
  Column& reached = s.Add("reached", ColumnType::kInt64);
  Column& sshare = s.Add("share", ColumnType::kDouble);
  for (int k = 0; k < 4; ++k) {
    depth.i64.push_back(25 * (k + 1));
    views.i64.push_back(all.page_views);
    reached.i64.push_back(all.reached[static_cast<size_t>(k)]);
    sshare.f64.push_back(all.page_views > 0 ? static_cast<double>(all.reached[static_cast<size_t>(k)]) / static_cast<double>(all.page_views) : NAN);
  }
  Table& rage = r.rage_clicks;
  Column& profile = rage.Add("profile", ColumnType::kInt64);
  Column& ts = rage.Add("ts", ColumnType::kInt64);
  Column& page = rage.Add("page", ColumnType::kString);
  Column& rx = rage.Add("x", ColumnType::kDouble);
  Column& ry = rage.Add("y", ColumnType::kDouble);
  Column& n = rage.Add("clicks", ColumnType::kInt64);
  const Column* page_col = StringColumn(ev, o.page_column);
  const Column* xc = ev.Find(o.x_column);
  const Column* yc = ev.Find(o.y_column);
  for (size_t i = 0; i < all.rage_row.size(); ++i) {
    const size_t row = static_cast<size_t>(all.rage_row[i]);
    const int64_t* pos = std::upper_bound(d.event_begin, d.event_begin + d.profiles + 1, static_cast<int64_t>(row));
    profile.i64.push_back(pos - d.event_begin - 1);
    ts.i64.push_back(ev.ts[row]);
    if (page_col != nullptr && page_col->str[row] != kNullCode) rage.AppendString(page, d.event_dict->Get(page_col->str[row]));
    else page.str.push_back(kNullCode);
    rx.f64.push_back(Number(xc, row));
    ry.f64.push_back(Number(yc, row));
    n.i64.push_back(all.rage_count[i]);
  }
  return r;
}

}  // namespace cdp
