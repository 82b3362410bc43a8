#include "cdp/dedupe.hpp"

namespace cdp {

std::string_view EventIdIndex::Get(uint32_t a) const {
  return std::string_view(bytes_.data() + offsets_[a], offsets_[a + 1] - offsets_[a]);
}

std::optional<uint32_t> EventIdIndex::Insert(std::string_view id) {
  const uint32_t next = size();
  const uint64_t h = StableHash64(id);
  auto [it, inserted] = first_.try_emplace(h, next);
  if (!inserted) {
    if (Get(it->second) == id) return std::nullopt;
    auto [sit, sinserted] = spill_.try_emplace(std::string(id), next);
    if (!sinserted) return std::nullopt;
  }
  bytes_.append(id.data(), id.size());
  offsets_.push_back(bytes_.size());
  return next;
}

bool EventIdIndex::Contains(std::string_view id) const {
  auto it = first_.find(StableHash64(id));
  if (it == first_.end()) return false;
  if (Get(it->second) == id) return true;
  return spill_.contains(std::string(id));
}

void EventIdIndex::Truncate(uint32_t n) {
  for (uint32_t a = n; a < size(); ++a) {
    std::string_view id = Get(a);
    auto it = first_.find(StableHash64(id));
    if (it != first_.end() && it->second == a) {
      first_.erase(it);
    } else {
      spill_.erase(std::string(id));
    }
  }
  offsets_.resize(n + 1);
  bytes_.resize(offsets_.back());
}

void EventIdIndex::Reserve(size_t ids, size_t bytes) {
  offsets_.reserve(offsets_.size() + ids);
  bytes_.reserve(bytes_.size() + bytes);
  first_.reserve(first_.size() + ids);
}

size_t EventIdIndex::MemoryBytes() const {
  return bytes_.capacity() + offsets_.capacity() * sizeof(uint64_t) +
         first_.capacity() * (sizeof(uint64_t) + sizeof(uint32_t) + 1) +
         spill_.capacity() * (sizeof(std::string) + sizeof(uint32_t) + 1);
}

}  // namespace cdp
