// Tracking plan parsing (see cdp/ingest.hpp for the JSON form).
#include <cmath>

#include "core/strings.hpp"
#include "cdp/ingest.hpp"

namespace cdp {
namespace {

absl::Status PlanError(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(Cat("plan: ", where, ": ", what));
}

absl::StatusOr<PropertySpec> ParseSpec(const JsonValue& v, const std::string& where) {
  if (!v.is_object()) return PlanError(where, "expected an object like {\"type\": \"number\"}");
  PropertySpec spec;
  for (const auto& [key, val] : v.object) {
    const std::string at = Cat(where, ".", key);
    if (key == "type") {
      if (val.kind != JsonValue::Kind::kString)
        return PlanError(at, "expected a string");
      if (val.string == "string") spec.type = PropertySpec::Type::kString;
      else if (val.string == "integer") spec.type = PropertySpec::Type::kInteger;
      else if (val.string == "number") spec.type = PropertySpec::Type::kNumber;
      else if (val.string == "boolean") spec.type = PropertySpec::Type::kBoolean;
      else if (val.string == "any") spec.type = PropertySpec::Type::kAny;
      else
        return PlanError(at, Cat("expected one of string, integer, number, boolean; got \"",
                                          val.string, "\""));
    } else if (key == "enum") {
      if (val.kind != JsonValue::Kind::kArray || val.array.empty())
        return PlanError(at, "expected a non-empty array of allowed values");
      for (const JsonValue& e : val.array) {
        if (e.kind == JsonValue::Kind::kArray || e.kind == JsonValue::Kind::kObject ||
            e.kind == JsonValue::Kind::kNull)
          return PlanError(at, "allowed values must be strings, numbers or booleans");
        spec.allowed.push_back(e.ScalarText());
      }
    } else if (key == "min" || key == "max" || key == "exclusive_min" || key == "exclusive_max") {
      if (val.kind != JsonValue::Kind::kNumber || !std::isfinite(val.number))
        return PlanError(at, "expected a finite number");
      if (key == "min" || key == "exclusive_min") {
        spec.has_min = true;
        spec.min = val.number;
        spec.exclusive_min = key == "exclusive_min";
      } else {
        spec.has_max = true;
        spec.max = val.number;
        spec.exclusive_max = key == "exclusive_max";
      }
    } else if (key == "description") {
      // documentation only
    } else {
      return PlanError(at, "unknown key (expected type, enum, min, max, exclusive_min, exclusive_max, "
                           "description)");
    }
  }
  if (spec.has_min && spec.has_max && spec.min > spec.max)
    return PlanError(where, "min is greater than max");
  return spec;
}

absl::Status ParseSpecs(const JsonValue& v, const std::string& where,
                        std::map<std::string, PropertySpec, std::less<>>* out) {
  if (!v.is_object()) return PlanError(where, "expected an object of property -> spec");
  for (const auto& [name, spec_json] : v.object) {
    auto spec = ParseSpec(spec_json, Cat(where, ".", name));
    if (!spec.ok()) return spec.status();
    (*out)[name] = *std::move(spec);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrackingPlan> TrackingPlan::Parse(std::string_view json) {
  auto doc = ParseJson(json);
  if (!doc.ok()) return absl::InvalidArgumentError(Cat("plan: not valid JSON: ", doc.status().message()));
  if (!doc->is_object()) return PlanError("top level", "expected a JSON object");
  TrackingPlan plan;
  for (const auto& [key, val] : doc->object) {
    if (key == "allow_unplanned_events") {
      if (val.kind != JsonValue::Kind::kBool) return PlanError(key, "expected true or false");
      plan.allow_unplanned_events = val.boolean;
    } else if (key == "properties") {
      if (auto st = ParseSpecs(val, "properties", &plan.properties); !st.ok()) return st;
    } else if (key == "events") {
      if (!val.is_object()) return PlanError("events", "expected an object of event type -> spec");
      for (const auto& [type, ev] : val.object) {
        const std::string where = Cat("events.", type);
        if (!ev.is_object()) return PlanError(where, "expected an object");
        EventSpec spec;
        for (const auto& [k, v] : ev.object) {
          if (k == "required") {
            if (v.kind != JsonValue::Kind::kArray) return PlanError(where + ".required", "expected an array of names");
            for (const JsonValue& n : v.array) {
              if (n.kind != JsonValue::Kind::kString)
                return PlanError(where + ".required", "expected property names as strings");
              spec.required.push_back(n.string);
            }
          } else if (k == "properties") {
            if (auto st = ParseSpecs(v, where + ".properties", &spec.properties); !st.ok()) return st;
          } else if (k == "additional_properties") {
            if (v.kind != JsonValue::Kind::kBool)
              return PlanError(where + ".additional_properties", "expected true or false");
            spec.additional_properties = v.boolean;
          } else if (k == "description") {
          } else {
            return PlanError(Cat(where, ".", k),
                             "unknown key (expected required, properties, additional_properties)");
          }
        }
        plan.events[type] = std::move(spec);
      }
    } else if (key == "description" || key == "version") {
    } else {
      return PlanError(key, "unknown key (expected allow_unplanned_events, properties, events)");
    }
  }
  return plan;
}

}  // namespace cdp
