// generate.cpp — Generate() and WriteGenerated(): option checks, table set-up and output files.
// The generator itself is split over generate_catalog.cpp (reference data), generate_people.cpp
// (people and their planned activity) and generate_events.cpp (playing activity into events).
#include "cdp/generate.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "generate_internal.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace cdp {
namespace gen {

namespace {
// Asks the kernel for transparent huge pages on a large, not yet touched buffer: first-touch page
// faults dominate filling multi-GB columns on some virtual machines. Purely a speed hint.
// Column vectors allocate large blocks with huge pages (cdp/memory.hpp), so reserving is enough.
void ReserveColumn(Column& c, size_t n) { c.Reserve(n); }
}  // namespace

Generator::Generator(const GenerateOptions& options, GeneratedData* out)
    : o_(options), out_(out), dict_(std::make_shared<StringDictionary>()) {
  // One dictionary for the three tables: customers' user ids and emails have the same codes as
  // in the events.
  out_->events.dict = dict_;
  out_->customers.dict = dict_;
  out_->campaigns.dict = dict_;
  end_ = o_.start + Days(o_.days);
  hours_ = o_.days * 24;
  late_rng_ = Rng(o_.seed, 50, 0);
  junk_rng_ = Rng(o_.seed, 51, 0);
  id_key_ = StreamKey(o_.seed, 52, 0);
  EventRow& t = template_row_;
  t.ts = t.key = 0;
  t.type = t.anon = t.user = t.email = t.phone = t.device = t.channel = t.campaign = t.url =
      t.page = t.device_type = t.search = t.product = t.category = t.order = t.purpose =
          t.consent_status = kNullCode;
  t.scroll = t.quantity = t.score = kNoInt;
  t.person = 0;
  t.x = t.y = t.revenue = std::numeric_limits<double>::quiet_NaN();
  interests_cache_.assign(1u << 16, kNullCode);
}

void Generator::Run() {
  BuildCatalog();
  BuildPeople();
  BucketEpisodes();
  BuildCustomersTable();

  Table& ev = out_->events;
  c_event_id_ = &ev.Add("event_id", ColumnType::kInt64);
  c_type_ = &ev.Add("type", ColumnType::kString);
  c_ts_ = &ev.Add("ts", ColumnType::kInt64);
  c_anon_ = &ev.Add("anonymous_id", ColumnType::kString);
  c_user_ = &ev.Add("user_id", ColumnType::kString);
  c_email_ = &ev.Add("email", ColumnType::kString);
  c_phone_ = &ev.Add("phone", ColumnType::kString);
  c_device_ = &ev.Add("device_id", ColumnType::kString);
  c_channel_ = &ev.Add("channel", ColumnType::kString);
  c_campaign_ = &ev.Add("campaign", ColumnType::kString);
  c_revenue_ = &ev.Add("revenue", ColumnType::kDouble);
  c_url_ = &ev.Add("url", ColumnType::kString);
  c_page_ = &ev.Add("page", ColumnType::kString);
  c_device_type_ = &ev.Add("device_type", ColumnType::kString);
  c_x_ = &ev.Add("x", ColumnType::kDouble);
  c_y_ = &ev.Add("y", ColumnType::kDouble);
  c_scroll_ = &ev.Add("scroll_depth", ColumnType::kInt64);
  c_search_ = &ev.Add("search_query", ColumnType::kString);
  c_product_ = &ev.Add("product_id", ColumnType::kString);
  c_category_ = &ev.Add("category", ColumnType::kString);
  c_quantity_ = &ev.Add("quantity", ColumnType::kInt64);
  c_order_ = &ev.Add("order_id", ColumnType::kString);
  c_score_ = &ev.Add("score", ColumnType::kInt64);
  c_purpose_ = &ev.Add("purpose", ColumnType::kString);
  c_consent_ = &ev.Add("consent_status", ColumnType::kString);
  c_person_ = &ev.Add("true_person_id", ColumnType::kInt64);
  // Table::Add may reallocate the vector of columns: take the pointers again now that all exist.
  size_t k = 0;
  Column** ptrs[] = {&c_event_id_, &c_type_, &c_ts_, &c_anon_, &c_user_, &c_email_, &c_phone_,
                     &c_device_, &c_channel_, &c_campaign_, &c_revenue_, &c_url_, &c_page_,
                     &c_device_type_, &c_x_, &c_y_, &c_scroll_, &c_search_, &c_product_,
                     &c_category_, &c_quantity_, &c_order_, &c_score_, &c_purpose_, &c_consent_,
                     &c_person_};
  for (Column** p : ptrs) *p = &ev.columns[k++];
  // About 5.5 events per planned episode (measured; follow-ups and email add the rest).
  const size_t estimate = static_cast<size_t>(episodes_.size() * 5.5 + o_.customers * 2.0) + 1024;
  for (Column& c : ev.columns) ReserveColumn(c, estimate);
  staged_.reserve(1 << 16);

  int na = 0;
  AdCampaigns(&na);
  ad_clicks_.assign(static_cast<size_t>(o_.days) * static_cast<size_t>(na), 0);
  ad_impressions_.assign(ad_clicks_.size(), 0);
  dynamic_.resize(static_cast<size_t>(hours_));
  email_by_hour_.resize(static_cast<size_t>(hours_));
  for (size_t i = 0; i < cat_.email_campaigns.size(); ++i) {
    const EmailCampaign& c = cat_.email_campaigns[i];
    email_by_hour_[static_cast<size_t>(c.day) * 24 + static_cast<size_t>(c.hour)].push_back(static_cast<int32_t>(i));
  }
  for (int32_t h = 0; h < hours_; ++h) PlayHour(h);
  Flush(std::numeric_limits<Micros>::max());
  std::vector<Episode>().swap(episodes_);
  BuildCampaignsTable();
}

}  // namespace gen

absl::StatusOr<GeneratedData> Generate(const GenerateOptions& options) {
  const GenerateOptions& o = options;
  if (o.customers < 1 || o.customers > 100'000'000)
    return absl::InvalidArgumentError(absl::StrCat("customers must be in [1, 100000000], got ", o.customers));
  if (o.days < 1 || o.days > 3660)
    return absl::InvalidArgumentError(absl::StrCat("days must be in [1, 3660], got ", o.days));
  auto share = [](const char* name, double v) -> absl::Status {
    if (!(v >= 0.0 && v <= 1.0))
      return absl::InvalidArgumentError(absl::StrCat(name, " must be in [0, 1], got ", v));
    return absl::OkStatus();
  };
  if (absl::Status s = share("b2b_share", o.b2b_share); !s.ok()) return s;
  if (absl::Status s = share("junk_id_rate", o.junk_id_rate); !s.ok()) return s;
  if (absl::Status s = share("churn_share", o.churn_share); !s.ok()) return s;
  if (!(o.events_scale > 0.0 && o.events_scale <= 1000.0))
    return absl::InvalidArgumentError(absl::StrCat("events_scale must be in (0, 1000], got ", o.events_scale));
  // The window must stay inside int64 microseconds.
  constexpr Micros kLimit = Days(int64_t{100'000} * 365);
  if (o.start < -kLimit || o.start > kLimit)
    return absl::InvalidArgumentError(absl::StrCat("start out of range: ", o.start));
  GeneratedData data;
  gen::Generator g(options, &data);
  g.Run();
  return data;
}

absl::Status WriteGenerated(const GeneratedData& data, const std::string& dir,
                            const std::string& format) {
  std::string ext;
  if (format == "csv" || format == "csv.gz" || format == "ndjson" || format == "ndjson.gz") {
    ext = format;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("format must be csv, ndjson, csv.gz or ndjson.gz, got '", format, "'"));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create directory '", dir, "': ", ec.message()));
  const bool csv = format.rfind("csv", 0) == 0;
  const std::pair<const Table*, const char*> tables[] = {
      {&data.events, "events"}, {&data.customers, "customers"}, {&data.campaigns, "campaigns"}};
  for (const auto& [table, name] : tables) {
    std::string path = (std::filesystem::path(dir) / (std::string(name) + "." + ext)).string();
    absl::Status s = csv ? WriteCsv(*table, path) : WriteNdjson(*table, path);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace cdp
