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

#include "base/byte_cursor.h"
#include "cancelflow/error.h"
#include "order/ordering.h"
#include "wire/event_spec.h"
#include "wire/generation.h"

namespace cancelflow::order {

struct BatchCursor {
  int64_t m = -1;
  int64_t last_ts = 0;
  uint32_t idx = 0;  // current batch, index into Generation::batches
  uint32_t end = 0;
  bool started = false;          // batch idx has been entered
  const uint8_t* pos = nullptr;  // next event in batch idx; == lim when it is consumed
  const uint8_t* lim = nullptr;
  BaseEvent ev;
  Ordering::MSlotHint mslot;  // this M's state slot in the Ordering (see Ordering::Advance)

  // Mirrors (*batchCursor).nextEvent: kEvent with `ev` filled, kEnd at the
  // end of the M's batches, kBroken with *err set. The common case (an event
  // with a timed type inside the current batch) is inline; entering a batch
  // and every error are out of line.
  enum Got : uint8_t { kEvent, kEnd, kBroken };
  Got NextEvent(const wire::Generation& g, Error* err) {
    if (pos == lim) [[unlikely]] {
      if (!EnterBatch(g)) return kEnd;
    }
    if (last_ts == 0) last_ts = g.freq.Mul(g.batches[idx].time);
    // readTimedBaseEvent.
    const uint8_t* p = pos;
    const unsigned nargs = wire::TimedArgCount(p[0]);
    if (nargs == 0) [[unlikely]] return BadEvent(g, err);
    uint64_t ts = 0;
    int nb = DecodeUvarint(p + 1, lim, &ts);
    if (nb <= 0) [[unlikely]] return BadVarint(g, true, err);
    size_t n = 1 + static_cast<size_t>(nb);
    for (unsigned i = 0; i + 1 < nargs; ++i) {
      nb = DecodeUvarint(p + n, lim, &ev.args[i]);
      if (nb <= 0) [[unlikely]] return BadVarint(g, false, err);
      n += static_cast<size_t>(nb);
    }
    ev.type = p[0];
    ev.offset = Offset(g);
    // Go's Time arithmetic wraps (int64).
    ev.time = static_cast<int64_t>(static_cast<uint64_t>(g.freq.Mul(ts)) + static_cast<uint64_t>(last_ts));
    last_ts = ev.time;
    pos = p + n;
    return kEvent;
  }

 private:
  bool EnterBatch(const wire::Generation& g);  // false at the end of the M's batches
  uint64_t Offset(const wire::Generation& g) const {
    const wire::Batch& b = g.batches[idx];
    return b.data_offset + static_cast<uint64_t>(pos - b.data);
  }
  Got BadEvent(const wire::Generation& g, Error* err) const;
  Got BadVarint(const wire::Generation& g, bool timestamp, Error* err) const;
};

using Frontier = std::vector<BatchCursor*>;

// heapInsert, heapUpdate, heapRemove from batchcursor.go.
void HeapInsert(Frontier* heap, BatchCursor* bc);
void HeapUpdate(Frontier* heap, size_t i);
void HeapRemove(Frontier* heap, size_t i);

}  // namespace cancelflow::order
