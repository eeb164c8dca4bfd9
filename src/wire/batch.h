// Batches: the unit the runtime writes and the reference reader reads.
//
// Mirrors internal/trace/batch.go (readBatch and the is*Batch predicates):
//   EventBatch        := 0x01 gen m time size bytes[size]
//   ExperimentalBatch := 0x31 exp(u8) gen m time size bytes[size]
//   EndOfGeneration   := 0x34                      (Go 1.26+, a bare byte)
// `size` may be a padded (non-minimal) varint and must be <= 64 KiB.
//
// INVARIANTS
// - A Batch is a view: `data` points into the TraceBuffer, which must outlive it.
// - BatchScanner never reads outside the buffer; every error names the byte
//   offset where the malformed batch starts or where reading failed, and the
//   generation of the last good batch.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/byte_cursor.h"
#include "base/trace_buffer.h"
#include "cancelflow/error.h"
#include "wire/event_spec.h"
#include "wire/version.h"

namespace cancelflow::wire {

inline constexpr uint64_t kNoThread = ~uint64_t{0};

struct Batch {
  uint64_t gen = 0;       // 0 only for EndOfGeneration
  uint64_t m = kNoThread; // thread id as written (kNoThread for M-less batches)
  uint64_t time = 0;      // base timestamp, trace clock ticks
  const uint8_t* data = nullptr;
  uint32_t size = 0;
  Experiment exp = Experiment::kNone;
  bool end_of_generation = false;
  uint64_t offset = 0;       // offset of the batch's first byte
  uint64_t data_offset = 0;  // offset of data[0]

  uint8_t first() const { return size > 0 ? data[0] : 0; }
  bool plain() const { return exp == Experiment::kNone && size > 0; }
  bool IsStrings() const { return plain() && first() == kStrings; }
  bool IsStacks() const { return plain() && first() == kStacks; }
  bool IsCPUSamples() const { return plain() && first() == kCPUSamples; }
  bool IsSync(Version v) const {
    return plain() && ((first() == kFrequency && v < Version::kGo125) || (first() == kSync && v >= Version::kGo125));
  }
  bool IsEndOfGeneration() const { return end_of_generation; }
  // A per-M event batch: not the end marker, not experimental, not one of the
  // structural batches above (it holds only timed events).
  bool IsPerM(Version v) const {
    return !end_of_generation && exp == Experiment::kNone && !IsStrings() && !IsStacks() && !IsCPUSamples() &&
           !IsSync(v);
  }
};

class BatchScanner {
 public:
  // Positions the scanner after the header. `buf` must outlive the scanner.
  static Result<BatchScanner> Open(const TraceBuffer& buf);
  BatchScanner(const TraceBuffer& buf, Version v, size_t start);

  Version version() const { return version_; }
  uint64_t offset() const { return cursor_.offset(); }
  bool AtEnd() const { return cursor_.AtEnd(); }

  // Reads the next batch: true with *b filled, false at a clean end of input
  // (between batches), or an Error (kBadBatch, kTruncated, kVarintOverflow).
  Result<bool> Next(Batch* b);

 private:
  ByteCursor cursor_;
  Version version_;
  uint64_t last_gen_ = kNoGeneration;
};

}  // namespace cancelflow::wire
