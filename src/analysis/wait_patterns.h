// Wait patterns: where a goroutine waits, and which function waited, from a
// block stack (function names, leaf first) and the trace's block reason.
//
// Pure functions, like stack_patterns.h; the only place that knows the names
// of the runtime's and package sync's blocking internals.
//
// RULES
// - The trace's reason is coarse ("sync" covers Mutex, RWMutex, WaitGroup
//   and the runtime's own semaphores; "forever" covers nil channels and
//   `select {}`): the stack decides, anchored on the exported method frames
//   (sync.(*Mutex).Lock, ...) that every Go release keeps.
// - The runtime's own waits (a GC cycle, the sweeper, a debug call, a
//   stop-the-world) are kRuntime whatever the reason: they end by themselves
//   and never make a user goroutine a leak.
#pragma once

#include <span>
#include <string_view>

#include "cancelflow/analysis.h"

namespace cancelflow::analysis {

// The wait of a goroutine blocked with trace reason `reason` ("" for a status
// record, which has none) at the stack `funcs` (empty when unknown).
WaitKind ClassifyWait(std::string_view reason, std::span<const std::string_view> funcs);

// The function that waited: the first frame of a block stack that is not the
// runtime's (runtime.*, internal/*, sync.runtime_*), -1 if none. A goroutine
// woken by a cancel has returned from it when a later stack no longer holds
// this frame with the same callers (docs/findings.md, "Response").
int WaitingFrame(std::span<const std::string_view> funcs);

}  // namespace cancelflow::analysis
