#include "workspace/serialize.hpp"

#include "cdp/json.hpp"
#include "core/strings.hpp"

namespace cdp {

namespace {

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += Cat(i ? "," : "", JsonQuote(v[i]));
  return out + "]";
}

absl::Status ReadList(const JsonValue& doc, std::string_view key, std::vector<std::string>* out) {
  const JsonValue* v = doc.Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (v->kind != JsonValue::Kind::kArray) return absl::DataLossError(Cat("stored setting \"", key, "\" is not a list"));
  out->clear();
  for (const JsonValue& e : v->array) out->push_back(e.ScalarText());
  return absl::OkStatus();
}

}  // namespace

std::string IdentityRulesToJson(const IdentityRules& r) {
  std::string limits = "{";
  for (const auto& [k, v] : r.limits) limits += Cat(limits.size() > 1 ? "," : "", JsonQuote(k), ":", v);
  limits += "}";
  return Cat("{\"priority\":", JsonList(r.priority), ",\"limits\":", limits, ",\"blocked_values\":",
             JsonList(r.blocked_values), ",\"blocked_identifiers\":", JsonList(r.blocked_identifiers),
             ",\"custom_types\":", JsonList(r.custom_types), ",\"max_identifier_bytes\":", r.max_identifier_bytes,
             ",\"default_country\":", JsonQuote(r.default_country), "}");
}

absl::StatusOr<IdentityRules> IdentityRulesFromJson(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.ok() || !doc->is_object())
    return absl::DataLossError(Cat("stored identity rules are not a JSON object: ", doc.status().message()));
  IdentityRules r;
  for (const char* key : {"priority", "blocked_values", "blocked_identifiers", "custom_types"}) {
    std::vector<std::string>* out = std::string_view(key) == "priority"         ? &r.priority
                                    : std::string_view(key) == "blocked_values" ? &r.blocked_values
                                    : std::string_view(key) == "custom_types"   ? &r.custom_types
                                                                                : &r.blocked_identifiers;
    if (auto st = ReadList(*doc, key, out); !st.ok()) return st;
  }
  if (const JsonValue* l = doc->Find("limits"); l && l->is_object()) {
    r.limits.clear();
    for (const auto& [k, v] : l->object) r.limits[k] = static_cast<int>(v.number);
  }
  if (const JsonValue* m = doc->Find("max_identifier_bytes")) r.max_identifier_bytes = static_cast<int>(m->number);
  if (const JsonValue* c = doc->Find("default_country")) r.default_country = c->string;
  return r;
}

std::string TraitSpecToJson(const TraitSpec& s) {
  std::string where = "[";
  for (size_t i = 0; i < s.where.size(); ++i)
    where += Cat(i ? "," : "", "[", JsonQuote(s.where[i].first), ",", JsonQuote(s.where[i].second), "]");
  where += "]";
  return Cat("{\"name\":", JsonQuote(s.name), ",\"agg\":", JsonQuote(TraitAggName(s.agg)), ",\"field\":",
             JsonQuote(s.field), ",\"event_types\":", JsonList(s.event_types), ",\"where\":", where,
             ",\"window_us\":", s.window, "}");
}

absl::StatusOr<TraitSpec> TraitSpecFromJson(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.ok() || !doc->is_object())
    return absl::DataLossError(Cat("stored trait definition is not a JSON object: ", doc.status().message()));
  TraitSpec s;
  if (const JsonValue* v = doc->Find("name")) s.name = v->string;
  const JsonValue* agg = doc->Find("agg");
  auto a = ParseTraitAgg(agg ? agg->string : "");
  if (!a.ok()) return absl::DataLossError(Cat("stored trait \"", s.name, "\": ", a.status().message()));
  s.agg = *a;
  if (const JsonValue* v = doc->Find("field")) s.field = v->string;
  if (auto st = ReadList(*doc, "event_types", &s.event_types); !st.ok()) return st;
  if (const JsonValue* w = doc->Find("where"); w && w->kind == JsonValue::Kind::kArray)
    for (const JsonValue& pair : w->array)
      if (pair.array.size() == 2) s.where.emplace_back(pair.array[0].string, pair.array[1].string);
  if (const JsonValue* v = doc->Find("window_us")) s.window = std::strtoll(v->number_text.c_str(), nullptr, 10);
  return s;
}

std::string SegmentSpecToJson(const SegmentSpec& s) {
  return Cat("{\"name\":", JsonQuote(s.name), ",\"expression\":", JsonQuote(s.expression), ",\"purpose\":",
             JsonQuote(s.purpose), ",\"description\":", JsonQuote(s.description), ",\"realtime\":",
             s.realtime ? "true" : "false", ",\"sensitive_justification\":", JsonQuote(s.sensitive_justification), "}");
}

absl::StatusOr<SegmentSpec> SegmentSpecFromJson(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.ok() || !doc->is_object())
    return absl::DataLossError(Cat("stored segment definition is not a JSON object: ", doc.status().message()));
  SegmentSpec s;
  if (const JsonValue* v = doc->Find("name")) s.name = v->string;
  if (const JsonValue* v = doc->Find("expression")) s.expression = v->string;
  if (const JsonValue* v = doc->Find("purpose")) s.purpose = v->string;
  if (const JsonValue* v = doc->Find("description")) s.description = v->string;
  if (const JsonValue* v = doc->Find("sensitive_justification")) s.sensitive_justification = v->string;
  if (const JsonValue* v = doc->Find("realtime")) s.realtime = v->kind == JsonValue::Kind::kBool && v->boolean;
  if (s.name.empty() || s.expression.empty()) return absl::DataLossError("stored segment has no name or expression");
  return s;
}

}  // namespace cdp
