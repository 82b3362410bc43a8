// cdp/dictionary.hpp — string interning: each distinct string gets a dense int32 code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "cdp/memory.hpp"

namespace cdp {

/// Code of a null string in every dictionary-encoded column.
inline constexpr int32_t kNullCode = -1;

/// Append-only string dictionary. Codes are dense (0..size()-1) in first-seen order and never
/// change; returned views stay valid for the dictionary's lifetime (strings live in an arena).
class StringDictionary {
 public:
  StringDictionary() = default;
  StringDictionary(const StringDictionary&) = delete;
  StringDictionary& operator=(const StringDictionary&) = delete;

  /// Code of `s`, adding it when new.
  int32_t Intern(std::string_view s);
  /// Code of `s` or nullopt when absent.
  std::optional<int32_t> Find(std::string_view s) const;
  /// The string of `code`; `code` must be in [0, size()).
  std::string_view Get(int32_t code) const { return views_[static_cast<size_t>(code)]; }
  int32_t size() const { return static_cast<int32_t>(views_.size()); }
  /// Bytes held (arena + index), for memory accounting.
  size_t MemoryBytes() const;
  /// Exchanges the contents of two dictionaries (views stay valid: they follow their arena).
  void Swap(StringDictionary& other) noexcept;
  /// Overwrites every stored string with zeros and empties the dictionary (erasure).
  void Wipe();

 private:
  std::string_view Store(std::string_view s);
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  size_t arena_bytes_ = 0;
  std::vector<std::string_view, HugePageAllocator<std::string_view>> views_;
  struct Hash {
    size_t operator()(std::string_view s) const;
  };
  absl::flat_hash_map<std::string_view, int32_t, Hash, std::equal_to<std::string_view>,
                      HugePageAllocator<std::pair<const std::string_view, int32_t>>>
      index_;
};

}  // namespace cdp
