#include "cdp/dictionary.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/hash/hash.h"

namespace cdp {

size_t StringDictionary::Hash::operator()(std::string_view s) const {
  // abseil's own string hash (Debian's abseil does not hash std::string_view natively).
  return absl::Hash<absl::string_view>()(absl::string_view(s.data(), s.size()));
}

std::string_view StringDictionary::Store(std::string_view s) {
  if (s.empty()) return std::string_view();
  if (blocks_.empty() || block_used_ + s.size() > block_size_) {
    // Blocks grow geometrically; a huge string gets a block of its own.
    size_t next = std::max<size_t>(block_size_ == 0 ? 4096 : std::min<size_t>(block_size_ * 2, 1 << 20),
                                   s.size());
    blocks_.push_back(std::make_unique<char[]>(next));
    block_size_ = next;
    block_used_ = 0;
    arena_bytes_ += next;
  }
  char* dst = blocks_.back().get() + block_used_;
  std::memcpy(dst, s.data(), s.size());
  block_used_ += s.size();
  return std::string_view(dst, s.size());
}

int32_t StringDictionary::Intern(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  std::string_view stored = Store(s);
  int32_t code = static_cast<int32_t>(views_.size());
  views_.push_back(stored);
  index_.emplace(stored, code);
  return code;
}

std::optional<int32_t> StringDictionary::Find(std::string_view s) const {
  auto it = index_.find(s);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

size_t StringDictionary::MemoryBytes() const {
  return arena_bytes_ + views_.capacity() * sizeof(std::string_view) +
         index_.capacity() * (sizeof(std::string_view) + sizeof(int32_t) + 1);
}

void StringDictionary::Swap(StringDictionary& other) noexcept {
  blocks_.swap(other.blocks_);
  std::swap(block_used_, other.block_used_);
  std::swap(block_size_, other.block_size_);
  std::swap(arena_bytes_, other.arena_bytes_);
  views_.swap(other.views_);
  index_.swap(other.index_);
}

void StringDictionary::Wipe() {
  // Through a volatile pointer, so the stores are not dropped as dead before the blocks are freed.
  for (std::string_view v : views_) {
    volatile char* p = const_cast<char*>(v.data());
    for (size_t i = 0; i < v.size(); ++i) p[i] = 0;
  }
  index_.clear();
  views_.clear();
  views_.shrink_to_fit();
  blocks_.clear();
  block_used_ = block_size_ = arena_bytes_ = 0;
}

}  // namespace cdp
