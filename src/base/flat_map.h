// FlatMap<V>: an open-addressing hash map from uint64 keys to small values.
//
// Used for state keyed by sparse ids (goroutines, threads, tasks, per-
// generation string/stack ids), where std::unordered_map would allocate one
// node per entry. Linear probing over a power-of-two table, backward-shift
// deletion (no tombstones), load factor <= 1/2. Any uint64 is a valid key
// (occupancy is kept in a separate control array), so -1 cast to uint64 works.
//
// INVARIANTS
// - Clear() keeps the capacity: a map reused across generations stops allocating.
// - Pointers returned by Find/Insert are invalidated by the next Insert/Erase.
// - Iteration order is the slot order (deterministic for a given history).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace cancelflow {

inline uint64_t MixHash64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

template <typename V>
class FlatMap {
 public:
  FlatMap() = default;

  size_t size() const { return size_; }
  // Number of slots. Slots move only when it changes (Insert grows the table,
  // even when the key is already present) or on Erase: a caller that never
  // erases may keep value pointers while the capacity stays the same.
  size_t capacity() const { return keys_.size(); }
  bool empty() const { return size_ == 0; }

  void Clear() {
    if (size_ == 0) return;
    std::fill(used_.begin(), used_.end(), uint8_t{0});
    size_ = 0;
  }

  V* Find(uint64_t key) {
    if (size_ == 0) return nullptr;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (!used_[i]) return nullptr;
      if (keys_[i] == key) return &vals_[i];
    }
  }
  const V* Find(uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // Inserts (key, v) if absent. Returns the value slot and whether it was inserted.
  std::pair<V*, bool> Insert(uint64_t key, const V& v) {
    if ((size_ + 1) * 2 > keys_.size()) Grow();
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (!used_[i]) {
        used_[i] = 1;
        keys_[i] = key;
        vals_[i] = v;
        ++size_;
        return {&vals_[i], true};
      }
      if (keys_[i] == key) return {&vals_[i], false};
    }
  }

  bool Erase(uint64_t key) {
    if (size_ == 0) return false;
    size_t i = Slot(key);
    for (;; i = (i + 1) & mask_) {
      if (!used_[i]) return false;
      if (keys_[i] == key) break;
    }
    // Backward-shift deletion.
    size_t j = i;
    for (;;) {
      j = (j + 1) & mask_;
      if (!used_[j]) break;
      const size_t home = Slot(keys_[j]);
      // Move j into i if home is not cyclically in (i, j].
      const bool in_range = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!in_range) {
        keys_[i] = keys_[j];
        vals_[i] = std::move(vals_[j]);
        i = j;
      }
    }
    used_[i] = 0;
    --size_;
    return true;
  }

  template <typename F>
  void ForEach(F&& f) {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (used_[i]) f(keys_[i], vals_[i]);
  }

 private:
  size_t Slot(uint64_t key) const { return static_cast<size_t>(MixHash64(key)) & mask_; }

  void Grow() {
    const size_t cap = keys_.empty() ? 16 : keys_.size() * 2;
    std::vector<uint64_t> keys(cap);
    std::vector<V> vals(cap);
    std::vector<uint8_t> used(cap, 0);
    keys.swap(keys_);
    vals.swap(vals_);
    used.swap(used_);
    mask_ = cap - 1;
    size_ = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!used[i]) continue;
      for (size_t k = Slot(keys[i]);; k = (k + 1) & mask_) {
        if (!used_[k]) {
          used_[k] = 1;
          keys_[k] = keys[i];
          vals_[k] = std::move(vals[i]);
          ++size_;
          break;
        }
      }
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<V> vals_;
  std::vector<uint8_t> used_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace cancelflow
