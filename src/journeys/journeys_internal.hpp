// Helpers shared by the journey kernels: event type codes, url pieces, column lookups.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/event_columns.hpp"
#include "cdp/query.hpp"

namespace cdp::journeys_internal {

/// Code of an event type, or -1 when no event has it.
int32_t TypeCode(const StringDictionary& dict, std::string_view type);
/// Membership by type code: flags[code] = 1 for the named types (unknown names are ignored). The
/// vector ends at the largest named code (the dictionary holds every string, so sizing it by the
/// dictionary would cost megabytes per call): check `code < flags.size()` before reading.
std::vector<uint8_t> TypeFlags(const StringDictionary& dict, const std::vector<std::string>& types);

/// A string column of the events by name (nullptr when absent or not a string column).
const Column* StringColumn(const EventColumns& ev, std::string_view name);

/// Path of a url without scheme, host, query or fragment ("/p/P1"); "/" when empty. Text without
/// "://" is taken as a path already.
std::string_view UrlPath(std::string_view url);
/// Host of a url, lowercase-insensitive comparison is the caller's ("" when none).
std::string_view UrlHost(std::string_view url);
/// Value of query parameter `name` of a url, percent-decoded ('+' is a space); "" when absent.
std::string UrlParam(std::string_view url, std::string_view name);

/// Rows of profiles [begin, end): [event_begin[begin], event_begin[end]).
inline int64_t RowOf(const QueryData& d, int32_t p) { return d.event_begin[p]; }

}  // namespace cdp::journeys_internal
