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

void EventIdIndex::InsertMany(const std::vector<std::string_view>& ids, std::vector<uint32_t>* out) {
  const size_t n = ids.size();
  std::vector<uint64_t> hashes(n);
  for (size_t i = 0; i < n; ++i) hashes[i] = StableHash64(ids[i]);
  out->assign(n, UINT32_MAX);
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) first_.prefetch(hashes[i + kAhead]);
    const uint32_t next = size();
    auto [it, inserted] = first_.try_emplace(hashes[i], next);
    if (!inserted) {
      if (Get(it->second) == ids[i]) continue;
      auto [sit, sinserted] = spill_.try_emplace(std::string(ids[i]), next);
      if (!sinserted) continue;
    }
    bytes_.append(ids[i].data(), ids[i].size());
    offsets_.push_back(bytes_.size());
    (*out)[i] = next;
  }
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

void EventIdIndex::Wipe() {
  // The whole capacity: ids undone by Truncate linger past size(). Volatile stores are kept.
  bytes_.resize(bytes_.capacity());
  volatile char* p = bytes_.data();
  for (size_t i = 0; i < bytes_.size(); ++i) p[i] = 0;
  *this = EventIdIndex();
}

size_t EventIdIndex::MemoryBytes() const {
  return bytes_.capacity() + offsets_.capacity() * sizeof(uint64_t) +
         first_.capacity() * (sizeof(uint64_t) + sizeof(uint32_t) + 1) +
         spill_.capacity() * (sizeof(std::string) + sizeof(uint32_t) + 1);
}

}  // namespace cdp
