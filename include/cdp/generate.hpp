// cdp/generate.hpp — deterministic synthetic customer data (the built-in demo data set).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

struct GenerateOptions {
  int64_t customers = 10'000;
  int32_t days = 120;
  uint64_t seed = 7;
  Micros start = 1'704'067'200'000'000;  ///< 2024-01-01T00:00:00Z
  double b2b_share = 0.15;        ///< customers who buy for a company
  double junk_id_rate = 0.01;     ///< events carrying a junk identifier ("undefined", test@test.com)
  double churn_share = 0.30;      ///< customers who stop being active part-way through
  double events_scale = 1.0;      ///< multiplies activity per customer (bigger data sets)
};

/// The generated data set. Same options (incl. seed) give identical tables.
struct GeneratedData {
  /// One row per event. Columns: event_id, type, ts (int64 µs UTC), anonymous_id, user_id, email,
  /// phone, device_id, channel, campaign, revenue, url, page, device_type, x, y, scroll_depth,
  /// search_query, product_id, category, quantity, order_id, score, purpose, consent_status,
  /// true_person_id (hidden ground truth: the person who made the event).
  Table events;
  /// CRM import, one row per customer who registered: user_id, email, phone, first_name, age, gender,
  /// income_band, country, city, interests, lifestyle, company, industry, company_size,
  /// acquisition_channel, signup_ts, true_person_id.
  Table customers;
  /// Campaign cost table: date (int64 µs, day start), channel, campaign, impressions, clicks, cost.
  Table campaigns;
};

/// Generates the data set. Event types: page_view, search, click, scroll, add_to_cart, checkout,
/// purchase, return, identify, signup, email_sent, email_open, email_click, email_unsubscribe,
/// social_like, social_share, social_comment, ad_impression, ad_click, nps_response,
/// csat_response, complaint, consent. Events are ordered by time, except a small share that
/// arrive late (to exercise out-of-order ingestion).
absl::StatusOr<GeneratedData> Generate(const GenerateOptions& options);

/// Writes events.csv, customers.csv, campaigns.csv (format "csv") or events.ndjson etc. ("ndjson")
/// into `dir` (created if missing).
absl::Status WriteGenerated(const GeneratedData& data, const std::string& dir,
                            const std::string& format = "csv");

}  // namespace cdp
