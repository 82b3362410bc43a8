// Workspace: consent per purpose (policy, recording decisions, enforcement for purpose-bound
// results) on profile partitions.
#include <algorithm>

#include <cmath>
#include <cstdlib>

#include "absl/time/clock.h"
#include "cdp/json.hpp"
#include "store/workspace_file.hpp"
#include "cdp/privacy.hpp"
#include "cdp/workspace.hpp"
#include "core/strings.hpp"
#include "workspace/partitioned.hpp"

namespace cdp {

absl::Status Workspace::ConfigurePrivacy(const ConsentPolicy& policy) {
  if (auto st = ValidateConsentPolicy(policy); !st.ok()) return st;
  for (const SegmentSpec& s : segments_)
    if (!s.purpose.empty() && !CheckPurpose(policy, s.purpose).ok())
      return absl::InvalidArgumentError(Cat("privacy policy: segment \"", s.name, "\" uses purpose '", s.purpose,
                                            "', which the new policy does not define"));
  policy_ = policy;
  return absl::OkStatus();
}

absl::Status Workspace::SetConsent(std::string_view identifier, std::string_view purpose, std::string_view status,
                                   Micros ts, std::string_view source, std::string_view policy_version) {
  if (auto st = Writable("set_consent"); !st.ok()) return st;
  if (auto st = CheckPurpose(policy_, purpose); !st.ok()) return PrefixStatus(st, "set_consent: ");
  const ConsentState state = ParseConsentState(status);
  if (state == ConsentState::kUnknown)
    return absl::InvalidArgumentError(Cat("set_consent: status '", status, "' is neither granted nor denied"));
  const size_t colon = identifier.find(':');
  const std::string_view type = colon == std::string_view::npos ? std::string_view() : identifier.substr(0, colon);
  const std::string_view value = colon == std::string_view::npos ? std::string_view() : identifier.substr(colon + 1);
  const bool known = type == "anonymous_id" || std::find(std::begin(kIdentifierFields), std::end(kIdentifierFields), type) !=
                                                   std::end(kIdentifierFields);
  if (!known || Strip(value).empty())
    return absl::InvalidArgumentError(Cat("set_consent: identifier '", identifier,
                                          "' must be type:value with type user_id, email, phone, device_id or anonymous_id"));
  if (ts == INT64_MIN) ts = absl::ToUnixMicros(absl::Now());
  const std::string event_id = Cat("consent:", identifier, ":", purpose, ":", ts);
  const std::string state_text(ConsentStateName(state));
  const std::vector<std::pair<std::string, std::string>> text = {
      {"event_id", event_id}, {"type", policy_.consent_event}, {std::string(type), std::string(value)},
      {policy_.purpose_column, std::string(purpose)}, {policy_.status_column, state_text},
      {"consent_source", std::string(source)}, {"policy_version", std::string(policy_version)}};
  std::vector<Cell> cells(text.size());
  SourceBatch batch;
  batch.rows = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    cells[i].text = text[i].second, cells[i].present = !text[i].second.empty(), cells[i].quoted = true;
    batch.columns.push_back(SourceColumn{.name = text[i].first, .kind = SourceColumn::Kind::kText, .cells = &cells[i]});
  }
  batch.columns.push_back(SourceColumn{.name = "ts", .kind = SourceColumn::Kind::kInt64, .i64 = &ts,
                                       .unit = EpochUnit::kMicros});
  auto r = IngestColumnsAs(batch, {}, "consent");
  if (!r.ok()) return r.status();
  if (r->reasons.count(std::string(kErasedSubject)) > 0)
    return absl::NotFoundError(Cat("set_consent: ", identifier, " belongs to an erased person; nothing was recorded"));
  if (r->accepted != 1)
    return absl::InvalidArgumentError(Cat("set_consent: the consent event was not stored (",
                                          r->duplicates ? "the same decision at the same time is already recorded" : "quarantined",
                                          ")"));
  return absl::OkStatus();
}

std::vector<uint8_t> Workspace::ConsentRegimes() {
  std::vector<std::string> only;
  for (const auto& f : Schema().profile_fields)
    if (f.name == policy_.country_field || f.name == policy_.region_field) only.push_back(f.name);
  const Table places = ProfileColumns(&only);
  auto text = [&](const std::string& name) {
    const Column* c = places.Find(name);
    return c != nullptr && c->type == ColumnType::kString ? c : nullptr;
  };
  std::vector<uint8_t> out = cdp::ConsentRegimes(policy_, places, text(policy_.country_field), text(policy_.region_field));
  // Without country or region columns the table has no rows: every profile gets the default.
  out.resize(static_cast<size_t>(profiles_.size()), policy_.unknown_region == "opt_out");
  return out;
}

absl::StatusOr<ConsentPartial> Workspace::ConsentFor(std::string_view purpose, const std::vector<uint8_t>& regimes) {
  if (auto st = CheckPurpose(policy_, purpose); !st.ok()) return st;
  auto d = EventData();
  if (!d.ok()) return d.status();
  return workspace_internal::Partitioned(
      EventOffsets(), [&](int32_t b, int32_t e) { return RunConsent(*d, b, e, policy_, purpose, regimes); },
      workspace_internal::MergeInto<ConsentPartial>);
}

absl::StatusOr<std::vector<uint8_t>> Workspace::ConsentAllowed(std::string_view purpose) {
  if (auto st = CheckPurpose(policy_, purpose); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  auto all = ConsentFor(purpose, ConsentRegimes());
  if (!all.ok()) return all.status();
  return std::move(all->allowed);
}

absl::StatusOr<Table> Workspace::ConsentTable(std::string_view purpose) {
  if (auto st = CheckPurpose(policy_, purpose); !st.ok()) return st;
  if (auto st = EnsureResolved(); !st.ok()) return st;
  const std::vector<uint8_t> regimes = ConsentRegimes();
  auto all = ConsentFor(purpose, regimes);
  if (!all.ok()) return all.status();
  const int32_t profiles = profiles_.size();
  Table t;
  Column& profile = t.Add("profile", ColumnType::kInt64);
  Column& key = t.Add("key", ColumnType::kString);
  Column& state = t.Add("state", ColumnType::kString);
  Column& region = t.Add("default", ColumnType::kString);
  Column& gpc = t.Add("gpc", ColumnType::kBool);
  Column& allowed = t.Add("allowed", ColumnType::kBool);
  for (int32_t p = 0; p < profiles; ++p) {
    const size_t i = static_cast<size_t>(p);
    profile.i64.push_back(p);
    t.AppendString(key, identity_->NodeText(profiles_.key_node(p)));
    t.AppendString(state, ConsentStateName(static_cast<ConsentState>(all->state[i])));
    t.AppendString(region, regimes[i] ? "opt_out" : "opt_in");
    gpc.b.push_back(static_cast<int8_t>(all->gpc[i]));
    allowed.b.push_back(static_cast<int8_t>(all->allowed[i]));
  }
  return t;
}

double Workspace::EpsilonSpent() {
  if (!epsilon_spent_) {
    epsilon_spent_ = 0.0;
    if (file_) {
      auto v = file_->GetMeta("epsilon_spent");
      if (v.ok() && !v->empty()) epsilon_spent_ = std::strtod(v->c_str(), nullptr);
    }
  }
  return *epsilon_spent_;
}

absl::StatusOr<Workspace::NoisyCountResult> Workspace::NoisyCount(std::string_view expression, double epsilon) {
  if (!(epsilon > 0 && std::isfinite(epsilon)))
    return absl::InvalidArgumentError(Cat("noisy_count: epsilon must be a positive number, got ", epsilon));
  if (file_ && file_->read_only())
    return PrivacyError("noisy_count: a read-only handle cannot charge the privacy budget; use the writer");
  const double spent = EpsilonSpent();
  if (spent + epsilon > policy_.epsilon_budget + 1e-12)
    return PrivacyError(Cat("noisy_count: the privacy budget is spent: ", spent, " of epsilon ", policy_.epsilon_budget,
                            " used, this query needs ", epsilon));
  auto seg = Select(expression);
  if (!seg.ok()) return seg.status();
  NoisyCountResult r;
  r.count = LaplaceNoisyCount(static_cast<int64_t>(seg->members.size()), epsilon);
  r.epsilon = epsilon, r.spent = spent + epsilon, r.remaining = policy_.epsilon_budget - r.spent;
  const AuditEntry audit{absl::ToUnixMicros(absl::Now()), "noisy_count",
                         Cat("{\"expression\":", JsonQuote(expression), ",\"epsilon\":", ShortestDouble(epsilon),
                             ",\"spent\":", ShortestDouble(r.spent), "}")};
  if (file_ && !file_->read_only()) {
    if (auto st = PersistMeta("epsilon_spent", ShortestDouble(r.spent), audit); !st.ok()) return st;
  } else if (auto st = RecordAudit(audit); !st.ok()) {
    return st;
  }
  epsilon_spent_ = r.spent;
  return r;
}

absl::StatusOr<Table> Workspace::ConsentOf(std::string_view identifier) {
  auto p = FindProfile(identifier);
  if (!p.ok()) return p.status();
  auto d = EventData();
  if (!d.ok()) return d.status();
  return ConsentOfProfile(*d, *p, policy_, ConsentRegimes()[static_cast<size_t>(*p)] != 0);
}

}  // namespace cdp
