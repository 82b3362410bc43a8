// cdp/parallel.hpp — partitions of whole profiles and a tiny fork-join runner for the kernels.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace cdp {

/// Partitions worth running for `events` events: 1 below 200,000, else the hardware threads (<= 8).
int DefaultPartitions(int64_t events);
/// Cuts profiles [0, n) into at most `parts` consecutive ranges [cut[k], cut[k + 1]) holding
/// similar numbers of events; `offsets` has n + 1 prefix sums of events per profile.
std::vector<int32_t> ProfileCuts(const std::vector<int64_t>& offsets, int parts);
/// Runs f(k) for every k in [0, n), each on its own thread (the last on the caller's), and joins.
void RunParallel(size_t n, const std::function<void(size_t)>& f);

}  // namespace cdp
