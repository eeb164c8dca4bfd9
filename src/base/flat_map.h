// FlatMap<V>: an open-addressing hash map from uint64 keys to small values.
//
// Used for state keyed by sparse ids (goroutines, threads, tasks, per-
// generation string/stack ids), where std::unordered_map would allocate one
// node per entry. Linear probing over a power-of-two table, backward-shift
// deletion (no tombstones), load factor <= 1/2. Any uint64 is a valid key
// (occupancy is a flag in each slot), so -1 cast to uint64 works.
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
  // Number of slots. Slots move only when it changes (an Insert of a new key
  // grows the table) or on Erase: a caller that never erases may keep value
  // pointers while the capacity stays the same.
  size_t capacity() const { return slots_.size(); }
  bool empty() const { return size_ == 0; }

  void Clear() {
    if (size_ == 0) return;
    for (Entry& e : slots_) e.used = false;
    size_ = 0;
  }

  V* Find(uint64_t key) {
    if (size_ == 0) return nullptr;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      Entry& e = slots_[i];
      if (!e.used) return nullptr;
      if (e.key == key) return &e.val;
    }
  }
  const V* Find(uint64_t key) const { return const_cast<FlatMap*>(this)->Find(key); }

  // Inserts (key, v) if absent. Returns the value slot and whether it was inserted.
  std::pair<V*, bool> Insert(uint64_t key, const V& v) {
    if (V* found = Find(key)) return {found, false};
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      Entry& e = slots_[i];
      if (!e.used) {
        e.used = true;
        e.key = key;
        e.val = v;
        ++size_;
        return {&e.val, true};
      }
    }
  }

  bool Erase(uint64_t key) {
    if (size_ == 0) return false;
    size_t i = Slot(key);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    // Backward-shift deletion.
    size_t j = i;
    for (;;) {
      j = (j + 1) & mask_;
      if (!slots_[j].used) break;
      const size_t home = Slot(slots_[j].key);
      // Move j into i if home is not cyclically in (i, j].
      const bool in_range = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!in_range) {
        slots_[i].key = slots_[j].key;
        slots_[i].val = std::move(slots_[j].val);
        i = j;
      }
    }
    slots_[i].used = false;
    --size_;
    return true;
  }

  template <typename F>
  void ForEach(F&& f) {
    for (Entry& e : slots_)
      if (e.used) f(e.key, e.val);
  }

 private:
  // Key, value and the used flag side by side: a probe touches one cache
  // line, not three arrays (the maps are looked up once or more per event).
  struct Entry {
    uint64_t key = 0;
    V val{};
    bool used = false;
  };

  size_t Slot(uint64_t key) const { return static_cast<size_t>(MixHash64(key)) & mask_; }

  void Grow() {
    const size_t cap = slots_.empty() ? 16 : slots_.size() * 2;
    std::vector<Entry> old(cap);
    old.swap(slots_);
    mask_ = cap - 1;
    size_ = 0;
    for (Entry& e : old) {
      if (!e.used) continue;
      for (size_t k = Slot(e.key);; k = (k + 1) & mask_) {
        if (!slots_[k].used) {
          slots_[k].used = true;
          slots_[k].key = e.key;
          slots_[k].val = std::move(e.val);
          ++size_;
          break;
        }
      }
    }
  }

  std::vector<Entry> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace cancelflow
