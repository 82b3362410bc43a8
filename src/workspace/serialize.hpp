// Private to the workspace layer: JSON forms of settings kept in a workspace file.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cdp/identity.hpp"
#include "cdp/segments.hpp"
#include "cdp/traits.hpp"

namespace cdp {

std::string IdentityRulesToJson(const IdentityRules& rules);
absl::StatusOr<IdentityRules> IdentityRulesFromJson(std::string_view json);
std::string TraitSpecToJson(const TraitSpec& spec);
absl::StatusOr<TraitSpec> TraitSpecFromJson(std::string_view json);
std::string SegmentSpecToJson(const SegmentSpec& spec);
absl::StatusOr<SegmentSpec> SegmentSpecFromJson(std::string_view json);

}  // namespace cdp
