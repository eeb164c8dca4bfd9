// Timeline spans: a goroutine's state over time (the one state-to-span
// mapping of the timeline writers, HTML lanes and Perfetto slices), and how
// an HTML lane is shrunk to a span budget.
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

// The span a goroutine state transition opens: running, blocked (with the
// transition's block reason and stack), syscall; kNone for states that are
// not drawn (runnable time is a gap, not a span; not-existing ends the
// goroutine). Only for transitions of goroutines.
struct SpanStart {
  SpanState state = kNone;
  StringId reason;  // kBlocked: the block reason
  StackId stack;    // kBlocked: the block stack
};
SpanStart SpanOf(const StateTransition& st);

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
