// Generation assembly: everything the ordering stage needs from one
// generation, read in one pass over its batches.
//
// Mirrors internal/trace/generation.go: readGeneration (Go 1.26+, ends at the
// EndOfGeneration byte), readGenerationWithSpill (older traces: a generation
// ends at the first batch of generation N+1, which is kept as the "spill" and
// becomes the first batch of the next call), processBatch, addStrings,
// addStacks, addCPUSamples, setSyncBatch, addExperimentalBatch,
// validateStackStrings and fixUpCPUSamples.
//
// ALGORITHM
// 1. Read batches (batch.go readBatch semantics, including which truncations
//    Go sees as a clean io.EOF) and route them by kind: strings, stacks, CPU
//    samples, sync (frequency + Go 1.25 clock snapshot), experimental, or a
//    per-M event batch (grouped by M in first-seen M order, file order within
//    an M). Track the minimum batch timestamp.
// 2. Check the frequency (and, for Go 1.25+, the clock snapshot) exists;
//    validate that every stack frame's func/file string exists.
// 3. Intern strings, frames (pc -> frame, first definition in the generation
//    wins) and stacks into the global pools, and keep per-generation tables
//    local id -> global id for the events of this generation.
// 4. Convert CPU sample times with the frequency and sort them by time (Go's
//    pdqsort, so equal times come out in Go's order).
//
// INVARIANTS
// - Batches are views into the TraceBuffer (which must outlive the reader);
//   nothing is copied except the per-generation index structures, which are
//   cleared (capacity kept) when the next generation is read.
// - Errors carry the byte offset of the failing batch/record and the generation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/byte_cursor.h"
#include "base/flat_map.h"
#include "base/trace_buffer.h"
#include "cancelflow/error.h"
#include "cancelflow/pool.h"
#include "wire/batch.h"
#include "wire/version.h"

namespace cancelflow::wire {

// Go's frequency type: nanoseconds per trace tick, as a float64.
struct Frequency {
  double ns_per_tick = 0;
  // When ns_per_tick is exactly 2^shift (Linux amd64: 64 ns per tick), -1
  // otherwise. Then for t < 2^53 float64(t) is exact and so is the product,
  // and Mul is a shift with the same result.
  int shift = -1;
  void Set(double ns);
  // frequency.mul in base.go: Time(float64(t) * float64(f)). Go converts an
  // out-of-range float to int64 as amd64 CVTTSD2SQ does (INT64_MIN).
  int64_t Mul(uint64_t t) const;  // inline below: called for every event
};
inline int64_t GoFloat64ToInt64(double d) {
  // Go on amd64 uses CVTTSD2SQ: truncation, and the "integer indefinite"
  // value INT64_MIN for NaN and out-of-range inputs.
  if (!(d < 9223372036854775808.0 && d >= -9223372036854775808.0)) [[unlikely]] return INT64_MIN;
  return static_cast<int64_t>(d);
}
inline int64_t Frequency::Mul(uint64_t t) const {
  if (shift >= 0 && t < (uint64_t{1} << 53)) [[likely]] return static_cast<int64_t>(t << shift);
  return GoFloat64ToInt64(static_cast<double>(t) * ns_per_tick);
}
inline void Frequency::Set(double ns) {
  ns_per_tick = ns;
  shift = -1;
  for (int k = 0; k <= 10; ++k)
    if (ns == static_cast<double>(1 << k)) shift = k;
}

// Per-generation id -> global id table (Go's dataTable, compactified).
class IdTable {
 public:
  void Clear();
  // Returns false if `local` is already present (Go's insert error); id 0 is always present.
  bool Insert(uint64_t local, uint32_t global);
  // Go's dataTable.get: id 0 is always present and maps to 0.
  bool Find(uint64_t local, uint32_t* global) const {
    if (local < dense_.size()) {
      const uint32_t g = dense_[static_cast<size_t>(local)];
      if (g == kAbsent) return false;
      *global = g;
      return true;
    }
    const uint32_t* g = sparse_.Find(local);
    if (g == nullptr) return false;
    *global = *g;
    return true;
  }
  size_t size() const { return count_; }

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  static constexpr uint64_t kDenseLimit = 1 << 16;
  std::vector<uint32_t> dense_;
  FlatMap<uint32_t> sparse_;
  size_t count_ = 0;
};

struct CpuSample {
  int64_t m = -1;
  int64_t p = -1;
  int64_t g = -1;
  int64_t time = 0;    // converted (ns) after assembly
  uint64_t stack = 0;  // local stack id
};

struct ExperimentalBatchView {
  uint8_t experiment = 0;
  int64_t thread = -1;
  std::string_view data;
};

// Event batches of one M: [begin, end) into Generation::batches.
struct MBatches {
  int64_t m = -1;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Generation {
  uint64_t gen = 0;
  uint64_t min_ts = 0;  // raw ticks
  Frequency freq;
  bool has_clock_snapshot = false;
  uint64_t snap_time = 0;  // raw ticks
  uint64_t snap_mono = 0;
  uint64_t snap_sec = 0;
  uint64_t snap_nsec = 0;
  std::vector<Batch> batches;  // per-M event batches, grouped by M (see ms)
  std::vector<MBatches> ms;    // in first-seen order (Go's batchMs)
  std::vector<CpuSample> cpu_samples;
  std::vector<ExperimentalBatchView> exp_batches;
  IdTable strings;  // local string id -> global StringId
  IdTable stacks;   // local stack id -> global StackId
  uint64_t start_offset = 0;  // byte offset of the generation's first batch
  uint64_t end_offset = 0;    // byte offset just past it

  void Clear();
};

class GenerationReader {
 public:
  // `buf` and the pools must outlive the reader.
  GenerationReader(const TraceBuffer& buf, Version v, size_t header_size, StringPool* strings, StackPool* stacks);

  Version version() const { return version_; }
  bool has_spill() const { return has_spill_; }

  // Reads the next generation into *g (cleared first).
  // - Returns true: *g is valid. For traces before Go 1.26, *deferred may be
  //   set: an error hit while reading past the generation's end (Go's
  //   spillErr), to report after the generation has been consumed.
  // - Returns false: no more generations.
  // - Returns an Error: the generation cannot be read.
  Result<bool> Next(Generation* g, std::optional<Error>* deferred);

 private:
  enum class ReadStatus { kOk, kEof, kError };
  ReadStatus ReadBatch(Batch* b, uint64_t* gen, Error* err);
  Result<bool> NextGo126(Generation* g);
  Result<bool> NextWithSpill(Generation* g, std::optional<Error>* deferred);
  std::optional<Error> ProcessBatch(Generation* g, const Batch& b);
  std::optional<Error> AddStrings(Generation* g, const Batch& b);
  std::optional<Error> AddStacks(Generation* g, const Batch& b);
  std::optional<Error> AddCpuSamples(Generation* g, const Batch& b);
  std::optional<Error> SetSyncBatch(Generation* g, const Batch& b);
  std::optional<Error> Finish(Generation* g);
  Error Err(ErrorCode code, uint64_t offset, std::string msg) const;

  Version version_;
  PageDropper scanned_pages_;  // the header scan's memory bound
  ByteCursor cursor_;
  StringPool* strings_;
  StackPool* stacks_;
  uint64_t cur_gen_ = 0;  // for error messages

  // Spill state (< Go 1.26).
  bool has_spill_ = false;
  Batch spill_;
  uint64_t spill_gen_ = 0;

  // Per-generation scratch, reused.
  struct RawString {
    uint64_t id;
    std::string_view s;
    uint64_t offset;
  };
  struct RawStack {
    uint64_t id;
    uint32_t begin;
    uint32_t len;
    uint64_t offset;
  };
  struct PcFrame {
    uint64_t func = 0;
    uint64_t file = 0;
    uint64_t line = 0;
  };
  std::vector<RawString> raw_strings_;
  std::vector<RawStack> raw_stacks_;
  std::vector<uint64_t> stack_pcs_;
  FlatMap<PcFrame> pcs_;
  FlatMap<uint8_t> seen_strings_;
  FlatMap<uint8_t> seen_stacks_;
  std::vector<Batch> event_batches_;      // file order
  std::vector<uint32_t> event_batch_m_;   // index into ms of each event batch
  FlatMap<uint32_t> m_index_;
  std::vector<FrameId> frame_scratch_;
};

}  // namespace cancelflow::wire
