#include "base/trace_buffer.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include <fmt/format.h>

namespace cancelflow {
namespace {

Error IoError(const std::string& path, const char* what, int err) {
  return Error{ErrorCode::kIo, 0, kNoGeneration,
               fmt::format("cannot {} {}: {}", what, path, std::strerror(err))};
}

// Reads everything from fd into a padded heap buffer (pipes, stdin, /proc files).
bool ReadAll(int fd, uint8_t** out, size_t* out_size) {
  size_t cap = 1 << 16, len = 0;
  auto* buf = static_cast<uint8_t*>(std::malloc(cap + TraceBuffer::kPadding));
  if (buf == nullptr) return false;
  for (;;) {
    if (len == cap) {
      cap *= 2;
      auto* grown = static_cast<uint8_t*>(std::realloc(buf, cap + TraceBuffer::kPadding));
      if (grown == nullptr) {
        std::free(buf);
        return false;
      }
      buf = grown;
    }
    ssize_t n = ::read(fd, buf + len, cap - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::free(buf);
      return false;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  std::memset(buf + len, 0, TraceBuffer::kPadding);
  *out = buf;
  *out_size = len;
  return true;
}

}  // namespace

Result<TraceBuffer> TraceBuffer::Open(const std::string& path) {
  TraceBuffer tb;
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(IoError(path, "open", errno));
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) return tl::unexpected(IoError(path, "stat", errno));
  if (S_ISDIR(st.st_mode)) return tl::unexpected(IoError(path, "read", EISDIR));

  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const size_t size = static_cast<size_t>(st.st_size);
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t file_pages = (size + page - 1) / page * page;
    const size_t total = file_pages + page;  // at least one zero page of padding
    void* reserve = ::mmap(nullptr, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reserve == MAP_FAILED) return tl::unexpected(IoError(path, "map", errno));
    void* file = ::mmap(reserve, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (file == MAP_FAILED) {
      int err = errno;
      ::munmap(reserve, total);
      return tl::unexpected(IoError(path, "map", err));
    }
    ::madvise(file, size, MADV_SEQUENTIAL);
    tb.mapping_ = reserve;
    tb.mapped_len_ = total;
    tb.data_ = static_cast<const uint8_t*>(file);
    tb.size_ = size;
    return tb;
  }

  uint8_t* buf = nullptr;
  size_t len = 0;
  if (!ReadAll(fd, &buf, &len)) return tl::unexpected(IoError(path, "read", errno ? errno : ENOMEM));
  tb.heap_ = buf;
  tb.data_ = buf;
  tb.size_ = len;
  return tb;
}

TraceBuffer TraceBuffer::FromBytes(std::string_view bytes) {
  TraceBuffer tb;
  tb.heap_ = static_cast<uint8_t*>(std::malloc(bytes.size() + kPadding));
  if (tb.heap_ == nullptr) throw std::bad_alloc();
  if (!bytes.empty()) std::memcpy(tb.heap_, bytes.data(), bytes.size());
  std::memset(tb.heap_ + bytes.size(), 0, kPadding);
  tb.data_ = tb.heap_;
  tb.size_ = bytes.size();
  return tb;
}

TraceBuffer::TraceBuffer(TraceBuffer&& other) noexcept { *this = std::move(other); }

TraceBuffer& TraceBuffer::operator=(TraceBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_len_ = std::exchange(other.mapped_len_, 0);
    heap_ = std::exchange(other.heap_, nullptr);
  }
  return *this;
}

TraceBuffer::~TraceBuffer() { Release(); }

void TraceBuffer::DropPages(uint64_t begin, uint64_t end) const {
  if (mapped_len_ == 0 || end > size_ || begin >= end) return;
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t first = (begin + page - 1) / page * page;
  const uint64_t last = end / page * page;
  if (first >= last) return;
  ::madvise(const_cast<uint8_t*>(data_) + first, static_cast<size_t>(last - first), MADV_DONTNEED);
}

void TraceBuffer::Prefault(uint64_t begin, uint64_t end) const {
#if defined(MADV_POPULATE_READ)
  if (mapped_len_ == 0) return;
  end = std::min<uint64_t>(end, size_);
  if (begin >= end) return;
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t first = begin / page * page;
  // Errors (old kernels: EINVAL) only mean the pages fault in on first touch.
  (void)::madvise(const_cast<uint8_t*>(data_) + first, static_cast<size_t>(end - first), MADV_POPULATE_READ);
#else
  (void)begin;
  (void)end;
#endif
}

void TraceBuffer::Release() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapped_len_);
  std::free(heap_);
  mapping_ = nullptr;
  mapped_len_ = 0;
  heap_ = nullptr;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace cancelflow
