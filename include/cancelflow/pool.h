// Global pools: strings, frames and stacks interned across generations.
//
// Go's reader resolves string and stack ids per generation (the same string
// has a different id in every generation). cancelflow interns them once into
// these pools while a generation is loaded, so every Event carries global ids
// (StringId, StackId) that stay valid for the life of the Reader, and two
// equal ids always mean equal content.
//
// INVARIANTS
// - Id 0 is the empty string / the empty stack; both exist from construction.
// - Interning is exact: Intern(a) == Intern(b) iff a == b byte for byte
//   (stacks: same frame sequence; frames: same pc, func, file and line).
// - string_views returned stay valid until the pool is destroyed (string
//   storage is chunked and never moves); Frame references and frame spans
//   stay valid until the next InternFrame/InternStack call.
// - The pools only grow: memory is proportional to the distinct strings,
//   frames and stacks of the trace (not to its length).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "cancelflow/ids.h"

namespace cancelflow {

class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  StringId Intern(std::string_view s);
  std::string_view Get(StringId id) const { return views_[id.value()]; }
  size_t size() const { return views_.size(); }

 private:
  void Rehash();
  std::vector<std::string_view> views_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> table_;  // open addressing over ids; UINT32_MAX = empty
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_cap_ = 0;
};

// One stack frame, as Go's trace.StackFrame but with interned names.
struct Frame {
  uint64_t pc = 0;
  StringId func;
  StringId file;
  uint64_t line = 0;
  friend bool operator==(const Frame&, const Frame&) = default;
};

class StackPool {
 public:
  StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  FrameId InternFrame(const Frame& f);
  StackId InternStack(std::span<const FrameId> frames);

  const Frame& GetFrame(FrameId id) const { return frames_[id.value()]; }
  // Frames of a stack, leaf first (the order of the trace).
  std::span<const FrameId> Frames(StackId id) const {
    const auto& r = stacks_[id.value()];
    return std::span<const FrameId>(stack_frames_.data() + r.begin, r.len);
  }
  size_t num_frames() const { return frames_.size(); }
  size_t num_stacks() const { return stacks_.size(); }

 private:
  struct Range {
    uint32_t begin;
    uint32_t len;
  };
  std::vector<Frame> frames_;
  std::vector<uint64_t> frame_hashes_;
  std::vector<uint32_t> frame_table_;
  std::vector<Range> stacks_;
  std::vector<uint64_t> stack_hashes_;
  std::vector<uint32_t> stack_table_;
  std::vector<FrameId> stack_frames_;
};

}  // namespace cancelflow
