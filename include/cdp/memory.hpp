// cdp/memory.hpp — an allocator for large, randomly accessed tables (dedupe index, dictionaries).
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace cdp {

namespace memory_internal {
/// Blocks of at least this size come from mmap with transparent huge pages requested.
inline constexpr size_t kHugeThreshold = size_t{2} << 20;
void* AllocateLarge(size_t bytes);
void FreeLarge(void* p, size_t bytes);
}  // namespace memory_internal

/// std::allocator for small blocks; blocks >= 2 MiB are mmap'ed and marked MADV_HUGEPAGE, which
/// cuts page faults and TLB misses for hash tables of millions of entries. Stateless.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= memory_internal::kHugeThreshold)
      return static_cast<T*>(memory_internal::AllocateLarge(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes >= memory_internal::kHugeThreshold) {
      memory_internal::FreeLarge(p, bytes);
    } else {
      std::allocator<T>().deallocate(p, n);
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const noexcept {
    return false;
  }
};

/// Vector for column data: large columns get huge pages (fewer page faults when they are filled).
template <typename T>
using Vec = std::vector<T, HugePageAllocator<T>>;

}  // namespace cdp
