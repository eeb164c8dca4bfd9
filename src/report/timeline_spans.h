// Timeline spans of the HTML report: a goroutine's state over time, and how
// a lane is shrunk to a span budget.
//
// Why spans are merged instead of dropped: a busy goroutine's early spans
// matter as much as its late ones (a cancel can come at any time), and at
// report zoom a merged span still shows where the goroutine ran or waited.
// Merging adjacent pairs halves a lane at a time, so the cost stays O(n)
// amortized and the lane always covers the goroutine's whole life.
//
// INVARIANTS
// - spans are in time order and do not overlap; merging keeps that.
// - a merged span keeps the state and reason of its longer half and counts
//   the raw spans it stands for (`merged`).
// - focus windows (sorted, disjoint) are left at full resolution while
//   merging elsewhere can still shrink the lane; past that, everything merges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cancelflow/event.h"

namespace cancelflow::report {

enum SpanState : uint8_t { kNone = 0, kRunning = 1, kBlocked = 2, kSyscall = 3 };

struct Span {
  Time begin = 0, end = 0;
  uint32_t reason = 0;  // StringId value (blocked)
  uint32_t merged = 1;  // raw spans it stands for
  SpanState state = kNone;
};

struct Window {
  Time begin = 0, end = 0;
};

// Halves `spans` by merging adjacent pairs. Pairs with a span that touches a
// focus window are left alone unless `all`. Returns the raw spans folded.
uint64_t MergePairs(std::vector<Span>* spans, const std::vector<Window>& focus, bool all);

// Brings `spans` to at most `cap` (>= 1) spans: merges outside the focus
// windows first, everywhere when that is not enough. Returns the raw spans
// folded.
uint64_t MergeTo(std::vector<Span>* spans, const std::vector<Window>& focus, size_t cap);

}  // namespace cancelflow::report
