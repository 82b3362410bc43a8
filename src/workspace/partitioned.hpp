// Private to the workspace: runs a kernel on partitions of whole profiles and merges the partials.
#pragma once

#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "cdp/parallel.hpp"

namespace cdp::workspace_internal {

// Runs kernel(begin, end) -> StatusOr<Partial> on each partition and merges the partials in
// profile order with merge(into, from).
template <typename Kernel, typename MergeFn>
auto Partitioned(const std::vector<int64_t>& off, Kernel kernel, MergeFn merge)
    -> absl::StatusOr<typename std::invoke_result_t<Kernel, int32_t, int32_t>::value_type> {
  using Partial = typename std::invoke_result_t<Kernel, int32_t, int32_t>::value_type;
  const std::vector<int32_t> cut = ProfileCuts(off, DefaultPartitions(off.empty() ? 0 : off.back()));
  std::vector<absl::StatusOr<Partial>> parts(cut.size() - 1, absl::UnknownError("not run"));
  RunParallel(parts.size(), [&](size_t k) { parts[k] = kernel(cut[k], cut[k + 1]); });
  Partial all;
  for (auto& p : parts) {
    if (!p.ok()) return p.status();
    merge(all, std::move(*p));
  }
  return all;
}

template <typename T>
void MergeInto(T& all, T&& part) {
  all.Merge(std::move(part));
}

}  // namespace cdp::workspace_internal
