// GoSortFunc: Go's slices.SortFunc (pattern-defeating quicksort), ported
// line by line from $GOROOT/src/slices/zsortanyfunc.go.
//
// Why not std::sort: the reference reader sorts its frontier of batch
// cursors and its CPU samples with slices.SortFunc, which is not stable; when
// keys tie, the resulting permutation decides which M is tried first and in
// which order tied samples come out. Reproducing Go's exact permutation is
// what makes `dump --format=go-parsed` byte-identical in those cases.
// `less(a, b)` must be Go's `cmp(a, b) < 0`.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

namespace cancelflow::gosort {

enum class Hint { kUnknown, kIncreasing, kDecreasing };

template <typename T, typename Less>
void InsertionSort(T* d, ptrdiff_t a, ptrdiff_t b, Less& less) {
  for (ptrdiff_t i = a + 1; i < b; ++i)
    for (ptrdiff_t j = i; j > a && less(d[j], d[j - 1]); --j) std::swap(d[j], d[j - 1]);
}

template <typename T, typename Less>
void SiftDown(T* d, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t first, Less& less) {
  ptrdiff_t root = lo;
  for (;;) {
    ptrdiff_t child = 2 * root + 1;
    if (child >= hi) break;
    if (child + 1 < hi && less(d[first + child], d[first + child + 1])) ++child;
    if (!less(d[first + root], d[first + child])) return;
    std::swap(d[first + root], d[first + child]);
    root = child;
  }
}

template <typename T, typename Less>
void HeapSort(T* d, ptrdiff_t a, ptrdiff_t b, Less& less) {
  const ptrdiff_t first = a, lo = 0, hi = b - a;
  for (ptrdiff_t i = (hi - 1) / 2; i >= 0; --i) SiftDown(d, i, hi, first, less);
  for (ptrdiff_t i = hi - 1; i >= 0; --i) {
    std::swap(d[first], d[first + i]);
    SiftDown(d, lo, i, first, less);
  }
}

template <typename T, typename Less>
ptrdiff_t Partition(T* d, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot, Less& less, bool* already) {
  std::swap(d[a], d[pivot]);
  ptrdiff_t i = a + 1, j = b - 1;
  while (i <= j && less(d[i], d[a])) ++i;
  while (i <= j && !less(d[j], d[a])) --j;
  if (i > j) {
    std::swap(d[j], d[a]);
    *already = true;
    return j;
  }
  std::swap(d[i], d[j]);
  ++i;
  --j;
  for (;;) {
    while (i <= j && less(d[i], d[a])) ++i;
    while (i <= j && !less(d[j], d[a])) --j;
    if (i > j) break;
    std::swap(d[i], d[j]);
    ++i;
    --j;
  }
  std::swap(d[j], d[a]);
  *already = false;
  return j;
}

template <typename T, typename Less>
ptrdiff_t PartitionEqual(T* d, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot, Less& less) {
  std::swap(d[a], d[pivot]);
  ptrdiff_t i = a + 1, j = b - 1;
  for (;;) {
    while (i <= j && !less(d[a], d[i])) ++i;
    while (i <= j && less(d[a], d[j])) --j;
    if (i > j) break;
    std::swap(d[i], d[j]);
    ++i;
    --j;
  }
  return i;
}

template <typename T, typename Less>
bool PartialInsertionSort(T* d, ptrdiff_t a, ptrdiff_t b, Less& less) {
  constexpr int kMaxSteps = 5;
  constexpr ptrdiff_t kShortestShifting = 50;
  ptrdiff_t i = a + 1;
  for (int step = 0; step < kMaxSteps; ++step) {
    while (i < b && !less(d[i], d[i - 1])) ++i;
    if (i == b) return true;
    if (b - a < kShortestShifting) return false;
    std::swap(d[i], d[i - 1]);
    if (i - a >= 2) {
      for (ptrdiff_t j = i - 1; j >= 1; --j) {
        if (!less(d[j], d[j - 1])) break;
        std::swap(d[j], d[j - 1]);
      }
    }
    if (b - i >= 2) {
      for (ptrdiff_t j = i + 1; j < b; ++j) {
        if (!less(d[j], d[j - 1])) break;
        std::swap(d[j], d[j - 1]);
      }
    }
  }
  return false;
}

template <typename T, typename Less>
void BreakPatterns(T* d, ptrdiff_t a, ptrdiff_t b, Less&) {
  const ptrdiff_t length = b - a;
  if (length >= 8) {
    uint64_t random = static_cast<uint64_t>(length);
    const uint64_t modulus = uint64_t{1} << std::bit_width(static_cast<uint64_t>(length));
    for (ptrdiff_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; ++idx) {
      random ^= random << 13;
      random ^= random >> 7;
      random ^= random << 17;
      auto other = static_cast<ptrdiff_t>(random & (modulus - 1));
      if (other >= length) other -= length;
      std::swap(d[idx], d[a + other]);
    }
  }
}

template <typename T, typename Less>
std::pair<ptrdiff_t, ptrdiff_t> Order2(T* d, ptrdiff_t a, ptrdiff_t b, int* swaps, Less& less) {
  if (less(d[b], d[a])) {
    ++*swaps;
    return {b, a};
  }
  return {a, b};
}

template <typename T, typename Less>
ptrdiff_t Median(T* d, ptrdiff_t a, ptrdiff_t b, ptrdiff_t c, int* swaps, Less& less) {
  std::tie(a, b) = Order2(d, a, b, swaps, less);
  std::tie(b, c) = Order2(d, b, c, swaps, less);
  std::tie(a, b) = Order2(d, a, b, swaps, less);
  (void)c;
  return b;
}

template <typename T, typename Less>
std::pair<ptrdiff_t, Hint> ChoosePivot(T* d, ptrdiff_t a, ptrdiff_t b, Less& less) {
  constexpr ptrdiff_t kShortestNinther = 50;
  constexpr int kMaxSwaps = 4 * 3;
  const ptrdiff_t l = b - a;
  int swaps = 0;
  ptrdiff_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
  if (l >= 8) {
    if (l >= kShortestNinther) {
      i = Median(d, i - 1, i, i + 1, &swaps, less);
      j = Median(d, j - 1, j, j + 1, &swaps, less);
      k = Median(d, k - 1, k, k + 1, &swaps, less);
    }
    j = Median(d, i, j, k, &swaps, less);
  }
  if (swaps == 0) return {j, Hint::kIncreasing};
  if (swaps == kMaxSwaps) return {j, Hint::kDecreasing};
  return {j, Hint::kUnknown};
}

template <typename T, typename Less>
void Pdqsort(T* d, ptrdiff_t a, ptrdiff_t b, int limit, Less& less) {
  constexpr ptrdiff_t kMaxInsertion = 12;
  bool was_balanced = true, was_partitioned = true;
  for (;;) {
    const ptrdiff_t length = b - a;
    if (length <= kMaxInsertion) {
      InsertionSort(d, a, b, less);
      return;
    }
    if (limit == 0) {
      HeapSort(d, a, b, less);
      return;
    }
    if (!was_balanced) {
      BreakPatterns(d, a, b, less);
      --limit;
    }
    auto [pivot, hint] = ChoosePivot(d, a, b, less);
    if (hint == Hint::kDecreasing) {
      for (ptrdiff_t i = a, j = b - 1; i < j; ++i, --j) std::swap(d[i], d[j]);
      pivot = (b - 1) - (pivot - a);
      hint = Hint::kIncreasing;
    }
    if (was_balanced && was_partitioned && hint == Hint::kIncreasing) {
      if (PartialInsertionSort(d, a, b, less)) return;
    }
    if (a > 0 && !less(d[a - 1], d[pivot])) {
      a = PartitionEqual(d, a, b, pivot, less);
      continue;
    }
    bool already = false;
    const ptrdiff_t mid = Partition(d, a, b, pivot, less, &already);
    was_partitioned = already;
    const ptrdiff_t left_len = mid - a, right_len = b - mid;
    const ptrdiff_t balance_threshold = length / 8;
    if (left_len < right_len) {
      was_balanced = left_len >= balance_threshold;
      Pdqsort(d, a, mid, limit, less);
      a = mid + 1;
    } else {
      was_balanced = right_len >= balance_threshold;
      Pdqsort(d, mid + 1, b, limit, less);
      b = mid;
    }
  }
}

}  // namespace cancelflow::gosort

namespace cancelflow {

// slices.SortFunc(x, cmp) with less(a, b) == (cmp(a, b) < 0).
template <typename T, typename Less>
void GoSortFunc(T* data, size_t n, Less less) {
  gosort::Pdqsort(data, 0, static_cast<ptrdiff_t>(n), static_cast<int>(std::bit_width(n)), less);
}

}  // namespace cancelflow
