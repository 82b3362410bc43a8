// file_io.cpp — whole-file reading with transparent gunzip, TextBatch::Clear and reader helpers.
//
// ReadFileMaybeGzip reads the file into one buffer; when it starts with the gzip magic bytes
// (1f 8b) it is inflated fully into memory with zlib. Concatenated gzip members (as written by
// `cat a.gz b.gz`, pigz, bgzip) are all decoded; trailing zero padding is ignored; anything else
// after the last member, a corrupt stream or a truncated one is an error naming the file:
// `<path>: not a readable gzip file (<reason>)`. A missing file is NotFound
// (`cannot open "<path>": No such file or directory`); other failures are InvalidArgument.
#include <fcntl.h>
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

}  // namespace reader_internal

void TextBatch::Clear() {
  // Keeps `names` and the number of columns (an empty batch with the same columns) and the
  // capacity of every vector, so a reader can refill the batch without allocating.
  for (auto& column : columns) column.clear();
  lines.clear();
  raw.clear();
  errors.clear();
  owned.clear();
}

namespace {

absl::Status OpenError(const std::string& path, int err) {
  std::string msg = absl::StrCat("cannot open \"", path, "\": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  return absl::InvalidArgumentError(msg);
}

absl::StatusOr<std::string> ReadRaw(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno);
  struct stat st{};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read \"", path, "\": ", std::strerror(err)));
  }
  std::string data;
  size_t size = 0;
  // st_size is exact for regular files; pipes and special files grow the buffer as they go.
  data.resize(st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 1 << 16);
  while (true) {
    if (size == data.size()) data.resize(data.size() * 2);
    ssize_t n = ::read(fd, data.data() + size, data.size() - size);
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
  data.resize(size);
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

absl::StatusOr<std::string> Gunzip(const std::string& path, std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return GzipError(path, "zlib initialization failed");
  // The last 4 bytes hold the uncompressed size mod 2^32: a good first guess for the buffer.
  size_t hint = 0;
  if (in.size() >= 18) {
    const unsigned char* t = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
    hint = t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<size_t>(t[3]) << 24);
    hint = std::min(hint, in.size() * 1032);  // deflate cannot expand more than ~1032:1
  }
  std::string out;
  out.resize(std::max({hint + 1, in.size() * 3, static_cast<size_t>(1 << 16)}));
  size_t in_pos = 0, out_pos = 0;
  constexpr size_t kChunk = 1u << 30;  // avail_in/avail_out are 32-bit
  absl::Status status;
  while (true) {
    if (out_pos == out.size()) out.resize(out.size() * 2);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
    zs.avail_in = static_cast<uInt>(std::min(kChunk, in.size() - in_pos));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    zs.avail_out = static_cast<uInt>(std::min(kChunk, out.size() - out_pos));
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
    if (ret == Z_BUF_ERROR && out_pos == out.size()) continue;  // output full: grow and retry
    status = GzipError(path, zs.msg != nullptr ? zs.msg : "corrupt compressed data");
    break;
  }
  inflateEnd(&zs);
  if (!status.ok()) return status;
  out.resize(out_pos);
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadFileMaybeGzip(const std::string& path) {
  absl::StatusOr<std::string> raw = ReadRaw(path);
  if (!raw.ok() || !IsGzip(*raw)) return raw;
  return Gunzip(path, *raw);
}

}  // namespace cdp
