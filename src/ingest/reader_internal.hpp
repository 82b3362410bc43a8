// reader_internal.hpp — helpers shared by the CSV and NDJSON readers (not a public header).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cdp/reader.hpp"

namespace cdp::reader_internal {

/// Longest byte length of RowError::value.
inline constexpr size_t kMaxErrorValueBytes = 200;

/// `s` cut to at most `max_bytes`, never splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string_view s, size_t max_bytes = kMaxErrorValueBytes);

/// Copies `s` into the batch's `owned` arena and returns a view that stays valid until the batch
/// is cleared (the arena is a list of large blocks that never reallocate).
std::string_view ArenaCopy(TextBatch* batch, std::string_view s);

/// A mutable byte buffer holding a whole (decompressed) file. Large buffers are anonymous
/// mappings advised for transparent huge pages: first-touch page faults dominate the cost of
/// filling a fresh 4 KiB-page buffer (several times the parse time in a VM), and growing uses
/// mremap instead of a copy. It can also adopt a std::string (FromString).
class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(std::string s);
  ByteBuffer(ByteBuffer&& other) noexcept;
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer();

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view view() const { return std::string_view(data_, size_); }
  size_t capacity() const { return capacity_; }
  /// Makes room for `capacity` bytes keeping the content (new bytes are uninitialized).
  bool Reserve(size_t capacity);
  void set_size(size_t size) { size_ = size; }

 private:
  void Release();
  std::string str_;  // adopted string, when not mapped
  bool mapped_ = false;
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;  // mapped: length of the mapping
};

/// Reads a whole file, gunzipping it when it starts with the gzip magic bytes (see file_io.cpp for
/// the error messages). ReadFileMaybeGzip is this plus a copy into a std::string.
absl::StatusOr<ByteBuffer> ReadFileToBuffer(const std::string& path);

}  // namespace cdp::reader_internal
