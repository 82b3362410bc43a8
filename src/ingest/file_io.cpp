// file_io.cpp — whole-file reading with transparent gunzip, TextBatch::Clear and reader helpers.
//
// ReadFileToBuffer reads the file into one buffer (a huge-page mapping, see ByteBuffer); when it
// starts with the gzip magic bytes (1f 8b) it is inflated fully into memory with zlib. Concatenated
// gzip members (as written by `cat a.gz b.gz`, pigz, bgzip) are all decoded; trailing zero padding
// is ignored; anything else after the last member, a corrupt stream or a truncated one is an error
// naming the file: `<path>: not a readable gzip file (<reason>)`. A missing file is NotFound
// (`cannot open "<path>": No such file or directory`); a failed allocation is ResourceExhausted;
// other failures are InvalidArgument.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cdp/reader.hpp"
#include "reader_internal.hpp"

namespace cdp {
namespace reader_internal {

std::string TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  // Back off over continuation bytes so a multi-byte character is never split.
  size_t back = 0;
  while (cut > 0 && back < 3 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) {
    --cut;
    ++back;
  }
  return std::string(s.substr(0, cut));
}

std::string_view ArenaCopy(TextBatch* batch, std::string_view s) {
  if (s.empty()) return {};
  constexpr size_t kBlock = 1 << 20;
  auto& owned = batch->owned;
  if (owned.empty() || owned.back().capacity() - owned.back().size() < s.size()) {
    // Blocks are far larger than the small-string buffer, so moving them when `owned` grows keeps
    // their heap data (and every view into it) in place.
    owned.emplace_back();
    owned.back().reserve(std::max(kBlock, s.size()));
  }
  std::string& block = owned.back();
  size_t offset = block.size();
  block.append(s);
  return std::string_view(block.data() + offset, s.size());
}

ByteBuffer::ByteBuffer(std::string s) : str_(std::move(s)) {
  data_ = str_.data();
  size_ = capacity_ = str_.size();
}

ByteBuffer::ByteBuffer(ByteBuffer&& other) noexcept { *this = std::move(other); }

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this == &other) return *this;
  Release();
  mapped_ = other.mapped_;
  size_ = other.size_;
  capacity_ = other.capacity_;
  if (mapped_) {
    data_ = other.data_;
  } else {
    str_ = std::move(other.str_);  // a small string's bytes move with it: re-point data_
    data_ = str_.data();
  }
  other.mapped_ = false;
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
  other.str_.clear();
  return *this;
}

ByteBuffer::~ByteBuffer() { Release(); }

void ByteBuffer::Release() {
  if (mapped_) ::munmap(data_, capacity_);
  mapped_ = false;
  data_ = nullptr;
  size_ = capacity_ = 0;
  str_.clear();
}

bool ByteBuffer::Reserve(size_t capacity) {
  if (capacity <= capacity_) return true;
  // Huge pages only pay off for big buffers; small ones stay on 4 KiB pages.
  const bool huge = capacity >= (size_t{4} << 20);
  const size_t page = huge ? size_t{1} << 21 : size_t{1} << 12;
  size_t length = (capacity + page - 1) / page * page;
  void* p;
  if (mapped_) {
    p = ::mremap(data_, capacity_, length, MREMAP_MAYMOVE);
  } else {
    p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (p == MAP_FAILED) return false;
  if (huge) ::madvise(p, length, MADV_HUGEPAGE);  // advisory: a no-op without THP
  char* bytes = static_cast<char*>(p);
  if (!mapped_ && size_ > 0) std::memcpy(bytes, data_, size_);
  if (!mapped_) str_ = std::string();
  mapped_ = true;
  data_ = bytes;
  capacity_ = length;
  return true;
}

namespace {

absl::Status OpenError(const std::string& path, int err) {
  std::string msg = absl::StrCat("cannot open \"", path, "\": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  return absl::InvalidArgumentError(msg);
}

absl::Status NoMemory(const std::string& path, size_t bytes) {
  return absl::ResourceExhaustedError(
      absl::StrCat("cannot allocate ", bytes, " bytes to read \"", path, "\""));
}

absl::StatusOr<ByteBuffer> ReadRaw(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read \"", path, "\": ", std::strerror(err)));
  }
  ByteBuffer data;
  size_t size = 0;
  // st_size is exact for regular files; pipes and special files grow the buffer as they go.
  size_t want = st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 1 << 16;
  while (true) {
    if (size == data.capacity() && !data.Reserve(std::max(want, data.capacity() * 2))) {
      ::close(fd);
      return NoMemory(path, std::max(want, data.capacity() * 2));
    }
    ssize_t n = ::read(fd, data.data() + size, data.capacity() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read \"", path, "\": ", std::strerror(err)));
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  data.set_size(size);
  return data;
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

absl::Status GzipError(const std::string& path, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": not a readable gzip file (", std::string(reason), ")"));
}

absl::StatusOr<ByteBuffer> Gunzip(const std::string& path, std::string_view in) {
  // The last 4 bytes hold the uncompressed size mod 2^32: a good first guess for the buffer.
  size_t hint = 0;
  if (in.size() >= 18) {
    const unsigned char* t = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
    hint = t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<size_t>(t[3]) << 24);
    hint = std::min(hint, in.size() * 1032);  // deflate cannot expand more than ~1032:1
  }
  ByteBuffer out;
  size_t first = std::max({hint + 1, in.size() * 3, static_cast<size_t>(1 << 16)});
  if (!out.Reserve(first)) return NoMemory(path, first);
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return GzipError(path, "zlib initialization failed");
  size_t in_pos = 0, out_pos = 0;
  constexpr size_t kChunk = 1u << 30;  // avail_in/avail_out are 32-bit
  absl::Status status;
  while (true) {
    if (out_pos == out.capacity() && !out.Reserve(out.capacity() * 2)) {
      status = NoMemory(path, out.capacity() * 2);
      break;
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
    zs.avail_in = static_cast<uInt>(std::min(kChunk, in.size() - in_pos));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    zs.avail_out = static_cast<uInt>(std::min(kChunk, out.capacity() - out_pos));
    uInt given_in = zs.avail_in, given_out = zs.avail_out;
    int ret = inflate(&zs, Z_NO_FLUSH);
    in_pos += given_in - zs.avail_in;
    out_pos += given_out - zs.avail_out;
    if (ret == Z_STREAM_END) {
      std::string_view rest = in.substr(in_pos);
      if (rest.empty()) break;
      if (IsGzip(rest)) {  // another member follows
        inflateReset(&zs);
        continue;
      }
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;
      status = GzipError(path, "unexpected data after the end of the gzip stream");
      break;
    }
    if (ret == Z_OK) continue;
    if (ret == Z_BUF_ERROR && in_pos == in.size()) {
      status = GzipError(path, "truncated: unexpected end of compressed data");
      break;
    }
    if (ret == Z_BUF_ERROR && out_pos == out.capacity()) continue;  // output full: grow, retry
    status = GzipError(path, zs.msg != nullptr ? zs.msg : "corrupt compressed data");
    break;
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  out.set_size(out_pos);
  return out;
}

}  // namespace

absl::StatusOr<ByteBuffer> ReadFileToBuffer(const std::string& path) {
  absl::StatusOr<ByteBuffer> raw = ReadRaw(path);
  if (!raw.ok() || !IsGzip(raw->view())) return raw;
  return Gunzip(path, raw->view());
}

}  // namespace reader_internal

absl::StatusOr<std::string> ReadFileMaybeGzip(const std::string& path) {
  absl::StatusOr<reader_internal::ByteBuffer> data = reader_internal::ReadFileToBuffer(path);
  if (!data.ok()) return data.status();
  return std::string(data->view());
}

void TextBatch::Clear() {
  // Keeps `names` and the number of columns (an empty batch with the same columns) and the
  // capacity of every vector, so a reader can refill the batch without allocating.
  for (auto& column : columns) column.clear();
  lines.clear();
  raw.clear();
  errors.clear();
  owned.clear();
}

}  // namespace cdp
