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

namespace memory_internal {
/// Scratch blocks: taken from / returned to a process-wide cache of mapped blocks, so buffers
/// that queries allocate and free again and again are faulted in once. The cache keeps at most
/// 256 MiB; a block is reused for a request of the same size (rounded up to 2 MiB).
void* AllocateScratch(size_t bytes);
void FreeScratch(void* p, size_t bytes);
}  // namespace memory_internal

/// Allocator for short-lived large buffers (query evaluation): blocks >= 256 KiB come from the
/// scratch cache above. Stateless.
template <typename T>
struct ScratchAllocator {
  using value_type = T;
  static constexpr size_t kThreshold = size_t{256} << 10;
  ScratchAllocator() noexcept = default;
  template <typename U>
  ScratchAllocator(const ScratchAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kThreshold) return static_cast<T*>(memory_internal::AllocateScratch(bytes));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes >= kThreshold) memory_internal::FreeScratch(p, bytes);
    else std::allocator<T>().deallocate(p, n);
  }
  template <typename U>
  bool operator==(const ScratchAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const ScratchAllocator<U>&) const noexcept {
    return false;
  }
};
template <typename T>
using ScratchVec = std::vector<T, ScratchAllocator<T>>;

}  // namespace cdp
