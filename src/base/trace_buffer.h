// TraceBuffer: the whole input, mapped read-only, with a padding contract.
//
// INVARIANTS
// - data()[0 .. size()) is the input, unchanged.
// - data()[size() .. size() + kPadding) is readable and zero. Decoders may
//   over-read up to kPadding bytes past the end (simdjson's contract), e.g. to
//   decode a varint without a bounds check per byte; they must still treat
//   bytes past size() as absent.
// - Files are mapped with mmap (zero-copy): an anonymous zero mapping one page
//   longer than the file is reserved first and the file is mapped over its
//   start, so the padding exists even when the file size is a multiple of the
//   page size. Pipes and stdin are read into a heap buffer with the same padding.
//
// THE BUFFER MUST OUTLIVE every view (batch, event, string) taken from it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cancelflow/error.h"

namespace cancelflow {

class TraceBuffer {
 public:
  static constexpr size_t kPadding = 64;

  // Maps `path` ("-" reads standard input). Errors: kIo (missing file,
  // directory, unreadable), never kEmpty (an empty file is a valid buffer).
  static Result<TraceBuffer> Open(const std::string& path);
  // Copies `bytes` into an owned, padded buffer (tests, converted text traces).
  static TraceBuffer FromBytes(std::string_view bytes);

  TraceBuffer() = default;
  TraceBuffer(TraceBuffer&& other) noexcept;
  TraceBuffer& operator=(TraceBuffer&& other) noexcept;
  TraceBuffer(const TraceBuffer&) = delete;
  TraceBuffer& operator=(const TraceBuffer&) = delete;
  ~TraceBuffer();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const uint8_t* end() const { return data_ + size_; }
  bool is_mapped() const { return mapped_len_ != 0; }

  // Memory bound for streaming passes: tells the kernel that the bytes
  // [begin, end) (offsets; shrunk to whole pages) will not be needed soon, so
  // their file pages leave this process's RSS (they stay in the page cache).
  // Contents are unchanged: a later read of the range faults the pages back
  // in from the file. No-op for heap buffers. Safe to call from any thread.
  void DropPages(uint64_t begin, uint64_t end) const;
  // The converse, for parallel passes: map the file pages of [begin, end)
  // now (MADV_POPULATE_READ), so the page faults are taken by the calling
  // thread (several threads can populate slices of a window at once) rather
  // than one by one by whichever thread touches a page first. Best effort;
  // no-op for heap buffers and kernels without it. Safe from any thread.
  void Prefault(uint64_t begin, uint64_t end) const;

 private:
  void Release();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* mapping_ = nullptr;  // munmap target when mapped
  size_t mapped_len_ = 0;
  uint8_t* heap_ = nullptr;  // owned copy when not mapped
};

// The memory bound of a front-to-back pass: the file pages below a mark that
// only moves forward leave the RSS (TraceBuffer::DropPages), in steps of at
// least `step` bytes so that madvise is not called per batch.
class PageDropper {
 public:
  PageDropper(const TraceBuffer& buf, uint64_t step) : buf_(&buf), step_(step) {}
  // The pass will not read below `mark` again.
  void Advance(uint64_t mark) {
    if (mark >= dropped_ + step_) {
      buf_->DropPages(dropped_, mark);
      dropped_ = mark;
    }
  }
  // Drops [dropped(), end) now and restarts the mark at `mark` (<= end): the
  // pages in [mark, end) will be read again and dropped again as Advance
  // passes them.
  void DropNow(uint64_t end, uint64_t mark) {
    if (end > dropped_) buf_->DropPages(dropped_, end);
    dropped_ = std::max(dropped_, mark);
  }

 private:
  const TraceBuffer* buf_;
  uint64_t step_;
  uint64_t dropped_ = 0;  // pages before this offset were dropped
};

}  // namespace cancelflow
