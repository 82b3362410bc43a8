// Partitions of whole profiles and a fork-join runner.
#include "cdp/parallel.hpp"

#include <algorithm>
#include <thread>

namespace cdp {

int DefaultPartitions(int64_t events) {
  if (events < 200'000) return 1;
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

std::vector<int32_t> ProfileCuts(const std::vector<int64_t>& offsets, int parts) {
  const int32_t n = offsets.empty() ? 0 : static_cast<int32_t>(offsets.size() - 1);
  const int64_t events = n > 0 ? offsets.back() : 0;
  std::vector<int32_t> cut = {0};
  for (int k = 1; k < parts; ++k)
    cut.push_back(std::clamp(static_cast<int32_t>(std::upper_bound(offsets.begin(), offsets.end(), events * k / parts) - offsets.begin() - 1),
                             cut.back(), n));
  cut.push_back(n);
  return cut;
}

void RunParallel(size_t n, const std::function<void(size_t)>& f) {
  std::vector<std::thread> pool;
  for (size_t k = 0; k + 1 < n; ++k) pool.emplace_back(f, k);
  if (n > 0) f(n - 1);
  for (auto& t : pool) t.join();
}

}  // namespace cdp
