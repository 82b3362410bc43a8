// Consent per purpose: the latest consent event of each profile, Global Privacy Control, and the
// regional default for profiles that never answered.
#include <algorithm>
#include <cctype>

#include "absl/strings/cord.h"
#include "cdp/ingest.hpp"  // NearestName
#include "cdp/privacy.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

bool Listed(const std::vector<std::string>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

const Column* TextColumn(const EventColumns& ev, std::string_view name) {
  const Column* c = ev.Find(name);
  return c != nullptr && c->type == ColumnType::kString ? c : nullptr;
}

int32_t CodeOf(const StringDictionary& dict, std::string_view s) { return dict.Find(s).value_or(-1); }

bool Truthy(const Column& c, size_t r, const StringDictionary& dict) {
  if (c.IsNull(r)) return false;
  switch (c.type) {
    case ColumnType::kBool: return c.b[r] == 1;
    case ColumnType::kInt64: return c.i64[r] != 0;
    case ColumnType::kDouble: return c.f64[r] != 0;
    case ColumnType::kString: return ParseConsentState(dict.Get(c.str[r])) == ConsentState::kGranted;
  }
  return false;
}

}  // namespace

absl::Status PrivacyError(std::string_view message) {
  absl::Status st = absl::PermissionDeniedError(std::string(message));
  st.SetPayload(kPrivacyPayload, absl::Cord("privacy"));
  return st;
}

bool IsPrivacyError(const absl::Status& status) { return status.GetPayload(kPrivacyPayload).has_value(); }

std::string_view ConsentStateName(ConsentState s) {
  switch (s) {
    case ConsentState::kGranted: return "granted";
    case ConsentState::kDenied: return "denied";
    default: return "unknown";
  }
}

ConsentState ParseConsentState(std::string_view text) {
  std::string t(Strip(text));
  for (char& c : t) c = AsciiLower(c);
  for (const char* g : {"granted", "grant", "yes", "true", "opt_in", "opt-in", "1", "accepted", "accept"})
    if (t == g) return ConsentState::kGranted;
  for (const char* d : {"denied", "deny", "no", "false", "opt_out", "opt-out", "0", "withdrawn", "rejected", "reject"})
    if (t == d) return ConsentState::kDenied;
  return ConsentState::kUnknown;
}

absl::Status ValidateConsentPolicy(const ConsentPolicy& p) {
  if (p.purposes.empty()) return absl::InvalidArgumentError("privacy policy: no purpose is defined");
  for (const std::string& name : p.purposes) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
        }))
      return absl::InvalidArgumentError(Cat("privacy policy: purpose '", name, "' must be a lowercase name such as marketing"));
    if (std::count(p.purposes.begin(), p.purposes.end(), name) > 1)
      return absl::InvalidArgumentError(Cat("privacy policy: purpose '", name, "' is listed twice"));
  }
  if (p.unknown_region != "opt_in" && p.unknown_region != "opt_out")
    return absl::InvalidArgumentError(Cat("privacy policy: unknown_region must be opt_in or opt_out, got '", p.unknown_region, "'"));
  for (const auto* list : {&p.opt_in_regions, &p.opt_out_regions})
    for (const std::string& r : *list)
      if (!(r.size() == 2 || (r.size() > 3 && r[2] == '-')) || !std::isupper(static_cast<unsigned char>(r[0])))
        return absl::InvalidArgumentError(Cat("privacy policy: region '", r, "' is not an ISO 3166 code such as DE or US-CA"));
  for (const std::string& r : p.opt_in_regions)
    if (Listed(p.opt_out_regions, r))
      return absl::InvalidArgumentError(Cat("privacy policy: region '", r, "' is both opt-in and opt-out"));
  return absl::OkStatus();
}

absl::Status CheckPurpose(const ConsentPolicy& p, std::string_view purpose) {
  if (Listed(p.purposes, purpose)) return absl::OkStatus();
  const std::string near = NearestName(purpose, p.purposes, std::max<int>(2, static_cast<int>(purpose.size()) / 3));
  return absl::InvalidArgumentError(Cat("unknown purpose '", purpose, "'", near.empty() ? "" : Cat("; did you mean '", near, "'?"),
                                        " (purposes: ", Join(p.purposes, ", "), ")"));
}

std::vector<std::pair<std::string, std::string>> SensitiveColumnsUsed(const ConsentPolicy& p, std::string_view purpose,
                                                                      const std::vector<std::string>& columns) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!Listed(p.targeting_purposes, purpose)) return out;
  for (const std::string& c : columns)
    for (const auto& [name, category] : p.sensitive)
      if (c == name || c == Cat("traits.", name)) out.emplace_back(c, category);
  return out;
}

std::vector<uint8_t> ConsentRegimes(const ConsentPolicy& p, const Table& t, const Column* country, const Column* region) {
  const size_t n = t.rows();
  std::vector<uint8_t> out(n, p.unknown_region == "opt_out");
  for (size_t i = 0; i < n; ++i) {
    if (country == nullptr || country->IsNull(i)) continue;
    std::string cc(t.dict->Get(country->str[i]));
    for (char& c : cc) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (region != nullptr && !region->IsNull(i)) {
      std::string sub = Cat(cc, "-", t.dict->Get(region->str[i]));
      for (char& c : sub) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (Listed(p.opt_out_regions, sub)) { out[i] = 1; continue; }
      if (Listed(p.opt_in_regions, sub)) { out[i] = 0; continue; }
    }
    if (Listed(p.opt_out_regions, cc)) out[i] = 1;
    else if (Listed(p.opt_in_regions, cc)) out[i] = 0;
  }
  return out;
}

void ConsentPartial::Merge(ConsentPartial&& o) {
  auto cat = [](auto& a, auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  cat(state, o.state), cat(gpc, o.gpc), cat(allowed, o.allowed);
  for (size_t i = 0; i < 3; ++i) counts[i] += o.counts[i];
  allowed_count += o.allowed_count;
}

absl::StatusOr<ConsentPartial> RunConsent(const QueryData& d, int32_t begin, int32_t end, const ConsentPolicy& p,
                                          std::string_view purpose, const std::vector<uint8_t>& regimes) {
  if (auto st = CheckPurpose(p, purpose); !st.ok()) return st;
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  const int32_t type = CodeOf(dict, p.consent_event);
  const int32_t target = CodeOf(dict, purpose);
  const Column* purpose_col = TextColumn(ev, p.purpose_column);
  const Column* status_col = TextColumn(ev, p.status_column);
  const Column* gpc_col = ev.Find(p.gpc_column);
  // Status codes -> state, filled lazily (few distinct texts).
  absl::flat_hash_map<int32_t, ConsentState> states;
  const bool gpc_applies = purpose == p.gpc_purpose;
  ConsentPartial out;
  const size_t n = static_cast<size_t>(end - begin);
  out.state.assign(n, 0), out.gpc.assign(n, 0), out.allowed.assign(n, 0);
  for (int32_t pr = begin; pr < end; ++pr) {
    const size_t i = static_cast<size_t>(pr - begin);
    ConsentState s = ConsentState::kUnknown;
    bool gpc = false;
    for (int64_t row = d.event_begin[pr]; row < d.event_begin[pr + 1]; ++row) {
      const size_t r = static_cast<size_t>(row);
      if (gpc_col != nullptr && !gpc && Truthy(*gpc_col, r, dict)) gpc = true;
      if (type < 0 || ev.type[r] != type || purpose_col == nullptr || status_col == nullptr) continue;
      if (purpose_col->str[r] != target || target < 0 || status_col->str[r] == kNullCode) continue;
      auto it = states.find(status_col->str[r]);
      if (it == states.end()) it = states.emplace(status_col->str[r], ParseConsentState(dict.Get(status_col->str[r]))).first;
      if (it->second != ConsentState::kUnknown) s = it->second;  // events are in time order: the latest wins
    }
    const bool opt_out_region = static_cast<size_t>(pr) < regimes.size() && regimes[static_cast<size_t>(pr)] != 0;
    const bool allowed = s == ConsentState::kGranted ||
                         (s == ConsentState::kUnknown && opt_out_region && !(gpc && gpc_applies));
    out.state[i] = static_cast<int8_t>(s), out.gpc[i] = gpc, out.allowed[i] = allowed;
    ++out.counts[static_cast<size_t>(s)];
    out.allowed_count += allowed;
  }
  return out;
}

Table ConsentOfProfile(const QueryData& d, int32_t pr, const ConsentPolicy& p, bool opt_out_region) {
  const EventColumns& ev = *d.events;
  const StringDictionary& dict = *d.event_dict;
  const int32_t type = CodeOf(dict, p.consent_event);
  const Column* purpose_col = TextColumn(ev, p.purpose_column);
  const Column* status_col = TextColumn(ev, p.status_column);
  const Column* source_col = TextColumn(ev, "consent_source");
  const Column* version_col = TextColumn(ev, "policy_version");
  const Column* gpc_col = ev.Find(p.gpc_column);
  struct Latest {
    ConsentState state = ConsentState::kUnknown;
    Micros since = kNullInt64;
    std::string source, version;
    int64_t events = 0;
  };
  std::vector<Latest> latest(p.purposes.size());
  bool gpc = false;
  for (int64_t row = d.event_begin[pr]; row < d.event_begin[pr + 1]; ++row) {
    const size_t r = static_cast<size_t>(row);
    if (gpc_col != nullptr && Truthy(*gpc_col, r, dict)) gpc = true;
    if (type < 0 || ev.type[r] != type || purpose_col == nullptr || status_col == nullptr) continue;
    if (purpose_col->str[r] == kNullCode || status_col->str[r] == kNullCode) continue;
    const auto it = std::find(p.purposes.begin(), p.purposes.end(), dict.Get(purpose_col->str[r]));
    if (it == p.purposes.end()) continue;
    Latest& l = latest[static_cast<size_t>(it - p.purposes.begin())];
    const ConsentState s = ParseConsentState(dict.Get(status_col->str[r]));
    ++l.events;
    if (s == ConsentState::kUnknown) continue;
    l.state = s, l.since = ev.ts[r];
    l.source = source_col != nullptr && !source_col->IsNull(r) ? std::string(dict.Get(source_col->str[r])) : "event";
    l.version = version_col != nullptr && !version_col->IsNull(r) ? std::string(dict.Get(version_col->str[r])) : "";
  }
  Table t;
  Column& purpose = t.Add("purpose", ColumnType::kString);
  Column& state = t.Add("state", ColumnType::kString);
  Column& effective = t.Add("effective", ColumnType::kBool);
  Column& basis = t.Add("basis", ColumnType::kString);
  Column& since = t.Add("since", ColumnType::kInt64);
  Column& source = t.Add("source", ColumnType::kString);
  Column& version = t.Add("policy_version", ColumnType::kString);
  Column& events = t.Add("events", ColumnType::kInt64);
  for (size_t i = 0; i < p.purposes.size(); ++i) {
    const Latest& l = latest[i];
    t.AppendString(purpose, p.purposes[i]);
    t.AppendString(state, ConsentStateName(l.state));
    const bool gpc_blocks = gpc && p.purposes[i] == p.gpc_purpose;
    const bool ok = l.state == ConsentState::kGranted || (l.state == ConsentState::kUnknown && opt_out_region && !gpc_blocks);
    effective.b.push_back(ok ? 1 : 0);
    t.AppendString(basis, l.state != ConsentState::kUnknown ? "consent"
                          : !opt_out_region                  ? "opt-in region default"
                          : gpc_blocks                       ? "global privacy control"
                                                             : "opt-out region default");
    since.i64.push_back(l.since);
    if (l.state == ConsentState::kUnknown) source.AppendNull();
    else t.AppendString(source, l.source);
    if (l.version.empty()) version.AppendNull();
    else t.AppendString(version, l.version);
    events.i64.push_back(l.events);
  }
  return t;
}

}  // namespace cdp
