// cdp/dedupe.hpp — exact event-id dedupe at any age (ingest layer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cdp/event_columns.hpp"
#include "cdp/memory.hpp"

namespace cdp {

/// Index of event ids for exact dedupe at any age: 64-bit hashes with full-string confirmation.
class EventIdIndex {
 public:
  /// Arrival number of a new id, or nullopt when `id` was seen before.
  std::optional<uint32_t> Insert(std::string_view id);
  /// Inserts many ids (faster than one by one: table slots are prefetched). out[i] is the arrival
  /// of ids[i], or UINT32_MAX when it was seen before (earlier in `ids` included).
  void InsertMany(const std::vector<std::string_view>& ids, std::vector<uint32_t>* out);
  bool Contains(std::string_view id) const;
  std::string_view Get(uint32_t arrival) const;
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size()) - 1; }
  /// Forgets every id with arrival >= n (undo of a failed batch).
  void Truncate(uint32_t n);
  size_t MemoryBytes() const;
  void Reserve(size_t ids, size_t bytes);
  /// Overwrites every stored id with zeros and forgets them all (erasure).
  void Wipe();

 private:
  // Keys are StableHash64 values, already well mixed: the table uses them as they are.
  struct PassThrough {
    size_t operator()(uint64_t h) const { return static_cast<size_t>(h); }
  };
  std::basic_string<char, std::char_traits<char>, HugePageAllocator<char>> bytes_;
  std::vector<uint64_t, HugePageAllocator<uint64_t>> offsets_{0};
  absl::flat_hash_map<uint64_t, uint32_t, PassThrough, std::equal_to<uint64_t>,
                      HugePageAllocator<std::pair<const uint64_t, uint32_t>>>
      first_;  // hash -> arrival of the first id with it
  absl::flat_hash_map<std::string, uint32_t> spill_;  // ids whose hash collides with another id
};

}  // namespace cdp
