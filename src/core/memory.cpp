#include "cdp/memory.hpp"

#include <sys/mman.h>

#include <mutex>
#include <utility>
#include <vector>

namespace cdp::memory_internal {

void* AllocateLarge(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without THP the memory is simply 4 KiB pages
#endif
  return p;
}

void FreeLarge(void* p, size_t bytes) { munmap(p, bytes); }

namespace {
constexpr size_t kScratchCacheBytes = size_t{256} << 20;
struct ScratchCache {
  std::mutex mu;
  std::vector<std::pair<size_t, void*>> free;  // (mapped bytes, block)
  size_t cached = 0;
};
ScratchCache& Cache() {
  static ScratchCache* cache = new ScratchCache;  // never destroyed: blocks may be freed at exit
  return *cache;
}
size_t Rounded(size_t bytes) { return (bytes + (size_t{2} << 20) - 1) & ~((size_t{2} << 20) - 1); }
}  // namespace

void* AllocateScratch(size_t bytes) {
  const size_t want = Rounded(bytes);
  ScratchCache& c = Cache();
  {
    std::lock_guard<std::mutex> lock(c.mu);
    // Exact sizes only (2 MiB granularity), so a block is always unmapped with its own size;
    // repeated queries over the same data ask for the same sizes.
    size_t best = c.free.size();
    for (size_t i = 0; i < c.free.size() && best == c.free.size(); ++i)
      if (c.free[i].first == want) best = i;
    if (best != c.free.size()) {
      void* p = c.free[best].second;
      c.cached -= c.free[best].first;
      c.free[best] = c.free.back();
      c.free.pop_back();
      return p;
    }
  }
  return AllocateLarge(want);
}

void FreeScratch(void* p, size_t bytes) {
  const size_t size = Rounded(bytes);  // the block's mapped size
  ScratchCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.cached + size > kScratchCacheBytes) {
    FreeLarge(p, size);
    return;
  }
  c.free.emplace_back(size, p);
  c.cached += size;
}

}  // namespace cdp::memory_internal
