// Interning pools. Each pool is a vector of values plus an open-addressing
// table of value indexes keyed by a 64-bit hash (kept beside each value so
// rehashing never re-reads the value). Load factor <= 1/2.
#include <cstring>

#include "base/flat_map.h"
#include "cancelflow/pool.h"

namespace cancelflow {
namespace {

constexpr uint32_t kEmpty = UINT32_MAX;

uint64_t HashBytes(const void* data, size_t n) {
  // FNV-1a over 8-byte words, then a final mix; strings here are short.
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    h = (h ^ *p++) * 0x100000001b3ULL;
    --n;
  }
  return MixHash64(h);
}

// Rebuilds `table` (size 2*n rounded to a power of two) from `hashes`.
void Rebuild(std::vector<uint32_t>* table, const std::vector<uint64_t>& hashes) {
  size_t cap = 16;
  while (cap < hashes.size() * 2 + 2) cap *= 2;
  table->assign(cap, kEmpty);
  const size_t mask = cap - 1;
  for (size_t id = 0; id < hashes.size(); ++id) {
    size_t i = static_cast<size_t>(hashes[id]) & mask;
    while ((*table)[i] != kEmpty) i = (i + 1) & mask;
    (*table)[i] = static_cast<uint32_t>(id);
  }
}

// Finds the id whose hash is h and for which eq(id) holds, or returns the
// empty slot index where it should go (as ~slot in *slot_out, id kEmpty).
template <typename Eq>
uint32_t Lookup(const std::vector<uint32_t>& table, const std::vector<uint64_t>& hashes, uint64_t h, Eq&& eq,
                size_t* slot_out) {
  const size_t mask = table.size() - 1;
  for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
    const uint32_t id = table[i];
    if (id == kEmpty) {
      *slot_out = i;
      return kEmpty;
    }
    if (hashes[id] == h && eq(id)) return id;
  }
}

}  // namespace

StringPool::StringPool() {
  views_.emplace_back();
  hashes_.push_back(HashBytes("", 0));
  Rebuild(&table_, hashes_);
}

StringId StringPool::Intern(std::string_view s) {
  if (s.empty()) return StringId(0);
  const uint64_t h = HashBytes(s.data(), s.size());
  size_t slot = 0;
  const uint32_t found = Lookup(table_, hashes_, h, [&](uint32_t id) { return views_[id] == s; }, &slot);
  if (found != kEmpty) return StringId(found);
  // Copy the bytes into stable chunked storage.
  if (chunk_cap_ - chunk_used_ < s.size()) {
    const size_t cap = s.size() > (64u << 10) ? s.size() : (64u << 10);
    chunks_.push_back(std::make_unique<char[]>(cap));
    chunk_cap_ = cap;
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  const auto id = static_cast<uint32_t>(views_.size());
  views_.emplace_back(dst, s.size());
  hashes_.push_back(h);
  if (hashes_.size() * 2 > table_.size()) {
    Rebuild(&table_, hashes_);
  } else {
    table_[slot] = id;
  }
  return StringId(id);
}

StackPool::StackPool() {
  stacks_.push_back(Range{0, 0});
  stack_hashes_.push_back(HashBytes("", 0));
  Rebuild(&stack_table_, stack_hashes_);
  Rebuild(&frame_table_, frame_hashes_);
}

FrameId StackPool::InternFrame(const Frame& f) {
  uint64_t words[4] = {f.pc, f.func.value(), f.file.value(), f.line};
  const uint64_t h = HashBytes(words, sizeof(words));
  size_t slot = 0;
  const uint32_t found = Lookup(frame_table_, frame_hashes_, h, [&](uint32_t id) { return frames_[id] == f; }, &slot);
  if (found != kEmpty) return FrameId(found);
  const auto id = static_cast<uint32_t>(frames_.size());
  frames_.push_back(f);
  frame_hashes_.push_back(h);
  if (frame_hashes_.size() * 2 > frame_table_.size()) {
    Rebuild(&frame_table_, frame_hashes_);
  } else {
    frame_table_[slot] = id;
  }
  return FrameId(id);
}

StackId StackPool::InternStack(std::span<const FrameId> frames) {
  if (frames.empty()) return StackId(0);
  const uint64_t h = HashBytes(frames.data(), frames.size_bytes());
  size_t slot = 0;
  const uint32_t found = Lookup(
      stack_table_, stack_hashes_, h,
      [&](uint32_t id) {
        const Range& r = stacks_[id];
        return r.len == frames.size() &&
               std::memcmp(stack_frames_.data() + r.begin, frames.data(), frames.size_bytes()) == 0;
      },
      &slot);
  if (found != kEmpty) return StackId(found);
  const auto id = static_cast<uint32_t>(stacks_.size());
  stacks_.push_back(Range{static_cast<uint32_t>(stack_frames_.size()), static_cast<uint32_t>(frames.size())});
  stack_frames_.insert(stack_frames_.end(), frames.begin(), frames.end());
  stack_hashes_.push_back(h);
  if (stack_hashes_.size() * 2 > stack_table_.size()) {
    Rebuild(&stack_table_, stack_hashes_);
  } else {
    stack_table_[slot] = id;
  }
  return StackId(id);
}

}  // namespace cancelflow
