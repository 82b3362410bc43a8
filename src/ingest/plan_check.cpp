// Tracking-plan checks of one row's values (see TrackingPlan in cdp/ingest.hpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "core/strings.hpp"
#include "ingest/ingest_internal.hpp"

namespace cdp::internal {

// Value of a named field/property of row r as text and number, for plan checks.
bool IsNullAt(const NamedValue& v, size_t r) {
  if (v.revenue) return std::isnan((*v.revenue)[r]);
  return v.col == nullptr || v.col->IsNull(r);
}

std::string TextAt(const NamedValue& v, size_t r, const StringDictionary& dict) {
  if (v.revenue) return ShortestDouble((*v.revenue)[r]);
  const Column& c = *v.col;
  switch (c.type) {
    case ColumnType::kInt64: return Cat(c.i64[r]);
    case ColumnType::kDouble: return ShortestDouble(c.f64[r]);
    case ColumnType::kBool: return c.b[r] ? "true" : "false";
    case ColumnType::kString: return std::string(dict.Get(c.str[r]));
  }
  return "";
}

static bool NumberAt(const NamedValue& v, size_t r, double* out) {
  if (v.revenue) return *out = (*v.revenue)[r], true;
  const Column& c = *v.col;
  if (c.type == ColumnType::kInt64) return *out = static_cast<double>(c.i64[r]), true;
  if (c.type == ColumnType::kDouble) return *out = c.f64[r], true;
  return false;
}

// Empty string when `spec` holds for row r, else the violation.
std::string CheckSpec(const PropertySpec& spec, std::string_view name, const NamedValue& v, size_t r,
                      const StringDictionary& dict, std::string_view type_name) {
  if (IsNullAt(v, r)) return "";
  double x;
  bool numeric = NumberAt(v, r, &x);
  // A text column (one odd value in the batch makes it text) still holds numbers cell by cell.
  if (!numeric && v.col != nullptr && v.col->type == ColumnType::kString)
    numeric = ParseDoubleStrict(dict.Get(v.col->str[r]), &x);
  if ((spec.type == PropertySpec::Type::kInteger || spec.type == PropertySpec::Type::kNumber) &&
      (!numeric || (spec.type == PropertySpec::Type::kInteger && x != std::floor(x))))
    return Cat(type_name, ".", name, " = \"", Truncate(TextAt(v, r, dict), 60), "\" is not ",
               spec.type == PropertySpec::Type::kInteger ? "an integer" : "a number");
  if (spec.type == PropertySpec::Type::kBoolean && v.col != nullptr && v.col->type != ColumnType::kBool)
    return Cat(type_name, ".", name, " = \"", Truncate(TextAt(v, r, dict), 60), "\" is not true or false");
  if (!spec.allowed.empty()) {
    std::string t = TextAt(v, r, dict);
    bool found = std::find(spec.allowed.begin(), spec.allowed.end(), t) != spec.allowed.end();
    if (!found && numeric) {
      for (const std::string& a : spec.allowed) {
        double y;
        if (ParseDoubleStrict(a, &y) && y == x) found = true;
      }
    }
    if (!found)
      return Cat(type_name, ".", name, " = \"", Truncate(t, 60), "\" is not one of ",
                          Join(spec.allowed, ", "));
  }
  if ((spec.has_min || spec.has_max) && !numeric)
    return Cat(type_name, ".", name, " = \"", Truncate(TextAt(v, r, dict), 60),
                        "\" is not a number (it has a range in the plan)");
  if (spec.has_min && (spec.exclusive_min ? !(x > spec.min) : !(x >= spec.min)))
    return Cat(type_name, ".", name, " = ", TextAt(v, r, dict), " is below ",
                        spec.exclusive_min ? "the exclusive minimum " : "the minimum ", spec.min);
  if (spec.has_max && (spec.exclusive_max ? !(x < spec.max) : !(x <= spec.max)))
    return Cat(type_name, ".", name, " = ", TextAt(v, r, dict), " is above ",
                        spec.exclusive_max ? "the exclusive maximum " : "the maximum ", spec.max);
  return "";
}

PropertySpec::Type DeclaredType(const TrackingPlan* plan, std::string_view name) {
  // The column is parsed as the declared type only when every spec naming the property agrees;
  // otherwise it is typed from the data and each row is checked against its own event's spec.
  if (plan == nullptr) return PropertySpec::Type::kAny;
  PropertySpec::Type found = PropertySpec::Type::kAny;
  bool conflict = false;
  auto see = [&](const std::map<std::string, PropertySpec, std::less<>>& specs) {
    auto it = specs.find(name);
    if (it == specs.end() || it->second.type == PropertySpec::Type::kAny) return;
    if (found != PropertySpec::Type::kAny && found != it->second.type) conflict = true;
    found = it->second.type;
  };
  see(plan->properties);
  for (const auto& [type, ev] : plan->events) see(ev.properties);
  return conflict ? PropertySpec::Type::kAny : found;
}

}  // namespace cdp::internal
