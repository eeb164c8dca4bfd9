// BatchCursor and the frontier min-heap: port of internal/trace/batchcursor.go.
//
// A cursor walks one M's event batches of a generation in file order and
// holds the M's next event, with its time converted like Go's: at the start
// of each batch (and whenever the previous event's time came out as exactly
// 0) the base is mul(batch.time); each event's time is mul(dt) + previous.
// The heap code is Go's, including tie-breaking, so the frontier order is the
// reference's order.
//
// INVARIANTS: heap[0] has the minimum ev.time; cursors point into the
// Generation passed to NextEvent, which must stay alive and unchanged while
// the cursor is in use.
#pragma once

#include <cstdint>
#include <vector>

#include "cancelflow/error.h"
#include "order/ordering.h"
#include "wire/generation.h"

namespace cancelflow::order {

struct BatchCursor {
  int64_t m = -1;
  int64_t last_ts = 0;
  uint32_t idx = 0;  // next batch, index into Generation::batches
  uint32_t end = 0;
  uint32_t data_off = 0;
  BaseEvent ev;

  // Mirrors (*batchCursor).nextEvent: false at the end of the M's batches.
  Result<bool> NextEvent(const wire::Generation& g);
};

using Frontier = std::vector<BatchCursor*>;

// heapInsert, heapUpdate, heapRemove from batchcursor.go.
void HeapInsert(Frontier* heap, BatchCursor* bc);
void HeapUpdate(Frontier* heap, size_t i);
void HeapRemove(Frontier* heap, size_t i);

}  // namespace cancelflow::order
