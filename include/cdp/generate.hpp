// cdp/generate.hpp — deterministic synthetic customer data (the built-in demo data set).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "cdp/table.hpp"
#include "cdp/time.hpp"

namespace cdp {

struct GenerateOptions {
  int64_t customers = 10'000;     ///< people (visitors); about half register (customers table)
  int32_t days = 120;             ///< length of the window [start, start + days)
  uint64_t seed = 7;
  Micros start = 1'704'067'200'000'000;  ///< 2024-01-01T00:00:00Z
  double b2b_share = 0.15;        ///< customers who buy for a company
  /// Share of events in which one identifier is replaced by a junk value: "undefined", "null", "",
  /// "0", "test@test.com" or the zeroed advertising id "00000000-0000-0000-0000-000000000000".
  double junk_id_rate = 0.01;
  double churn_share = 0.30;      ///< customers who stop being active part-way through
  /// Multiplies the rate of repeat visits, ad impressions and social activity per customer. At 1.0
  /// the data set has about 14-15 events per customer for 120 days (~147k events at the defaults);
  /// the first visit and its consent events do not scale.
  double events_scale = 1.0;
};

/// The generated data set. Same options (incl. seed) give identical tables (byte-identical files),
/// on a given platform: randomness comes from the library's own generator, not <random>.
/// The three tables share one string dictionary, so a user id has the same code everywhere.
struct GeneratedData {
  /// One row per event. Columns: event_id (int64, unique: 24 bits of the seed above the row
  /// number), type, ts (int64 µs UTC), anonymous_id (first-party cookie), user_id, email, phone, device_id, channel, campaign,
  /// revenue (double; purchase: order value, return: negative refund, else null), url, page,
  /// device_type, x, y (click position, 0..1 of the viewport), scroll_depth (0..100),
  /// search_query, product_id, category, quantity, order_id, score (nps 0..10, csat 1..5),
  /// purpose, consent_status ("granted"/"denied"), true_person_id (hidden ground truth: the person
  /// who made the event; int64).
  /// Identity traps on purpose: junk identifiers (see junk_id_rate), case/whitespace variants of
  /// emails, national and international phone formats (~3% too short), cleared cookies, and family
  /// computers whose cookie is shared by two people (not counted in junk_id_rate).
  /// Rows are sorted by ts except ~0.5% late arrivals, placed up to two days later.
  Table events;
  /// CRM import, one row per customer who registered: user_id, email (canonical lowercase), phone
  /// (international format or null), first_name, age, gender, income_band, country (ISO alpha-2),
  /// city, interests (';'-separated), lifestyle, company, industry, company_size (null for
  /// consumers), acquisition_channel, signup_ts (int64 µs; before `start` for existing customers),
  /// true_person_id.
  Table customers;
  /// Campaign cost table, one row per day and active ad campaign: date (int64 µs, day start),
  /// channel (paid_search, social, display), campaign, impressions (platform-reported, never fewer
  /// than the tracked ad_impression events), clicks (equal to the ad_click events of that day and
  /// campaign), cost (double).
  Table campaigns;
};

/// Generates the data set. Event types: page_view, search, click, scroll, add_to_cart, checkout,
/// purchase, return, identify, signup, email_sent, email_open, email_click, email_unsubscribe,
/// social_like, social_share, social_comment, ad_impression, ad_click, nps_response,
/// csat_response, complaint, consent. Events are ordered by time, except a small share that
/// arrive late (to exercise out-of-order ingestion).
absl::StatusOr<GeneratedData> Generate(const GenerateOptions& options);

/// Writes events.csv, customers.csv, campaigns.csv (format "csv") or events.ndjson etc. ("ndjson")
/// into `dir` (created if missing). "csv.gz" and "ndjson.gz" write gzip-compressed files.
absl::Status WriteGenerated(const GeneratedData& data, const std::string& dir,
                            const std::string& format = "csv");

}  // namespace cdp
