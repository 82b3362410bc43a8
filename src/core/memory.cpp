#include "cdp/memory.hpp"

#include <sys/mman.h>

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

}  // namespace cdp::memory_internal
