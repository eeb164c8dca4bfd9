#include "order/batch_cursor.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "wire/event_spec.h"

namespace cancelflow::order {

Result<bool> BatchCursor::NextEvent(const wire::Generation& g) {
  // Batches should have at least one event, but accept empty ones.
  while (idx < end && g.batches[idx].size == data_off) {
    ++idx;
    data_off = 0;
    last_ts = 0;
  }
  if (idx == end) return false;
  const wire::Batch& b = g.batches[idx];
  if (last_ts == 0) last_ts = g.freq.Mul(b.time);

  // readTimedBaseEvent.
  const uint8_t* p = b.data + data_off;
  const uint8_t* lim = b.data + b.size;
  const uint64_t at = b.data_offset + data_off;
  const uint8_t typ = p[0];
  auto fail = [&](std::string msg) {
    return tl::unexpected(Error{ErrorCode::kBadEvent, at, g.gen, std::move(msg)});
  };
  if (typ >= wire::kNumSpecs) return fail(fmt::format("found invalid event type: {}", typ));
  const wire::EventSpec& spec = wire::Spec(typ);
  if (spec.nargs == 0 || !spec.timed) return fail(fmt::format("found event without a timestamp: type={}", typ));
  ev.type = typ;
  ev.offset = at;
  size_t n = 1;
  uint64_t ts = 0;
  int nb = DecodeUvarint(p + n, lim, &ts);
  if (nb <= 0) return fail("found invalid uvarint for timestamp");
  n += static_cast<size_t>(nb);
  for (int i = 0; i < spec.nargs - 1; ++i) {
    uint64_t arg = 0;
    nb = DecodeUvarint(p + n, lim, &arg);
    if (nb <= 0) return fail("found invalid uvarint");
    ev.args[i] = arg;
    n += static_cast<size_t>(nb);
  }
  // Go's Time arithmetic wraps (int64).
  ev.time = static_cast<int64_t>(static_cast<uint64_t>(g.freq.Mul(ts)) + static_cast<uint64_t>(last_ts));
  last_ts = ev.time;
  data_off += static_cast<uint32_t>(n);
  return true;
}

namespace {

size_t SiftUp(Frontier& h, size_t i) {
  while (i > 0 && h[(i - 1) / 2]->ev.time > h[i]->ev.time) {
    std::swap(h[(i - 1) / 2], h[i]);
    i = (i - 1) / 2;
  }
  return i;
}

size_t Min3(const Frontier& b, size_t i0, size_t i1, size_t i2) {
  size_t min_idx = i0;
  int64_t min_t = INT64_MAX;
  if (i0 < b.size()) min_t = b[i0]->ev.time;
  if (i1 < b.size() && b[i1]->ev.time < min_t) {
    min_t = b[i1]->ev.time;
    min_idx = i1;
  }
  if (i2 < b.size() && b[i2]->ev.time < min_t) {
    min_idx = i2;
  }
  return min_idx;
}

size_t SiftDown(Frontier& h, size_t i) {
  for (;;) {
    const size_t m = Min3(h, i, 2 * i + 1, 2 * i + 2);
    if (m == i) break;
    std::swap(h[i], h[m]);
    i = m;
  }
  return i;
}

}  // namespace

void HeapInsert(Frontier* heap, BatchCursor* bc) {
  heap->push_back(bc);
  SiftUp(*heap, heap->size() - 1);
}

void HeapUpdate(Frontier* heap, size_t i) {
  if (SiftUp(*heap, i) != i) return;
  SiftDown(*heap, i);
}

void HeapRemove(Frontier* heap, size_t i) {
  Frontier& h = *heap;
  while (i > 0) {
    std::swap(h[(i - 1) / 2], h[i]);
    i = (i - 1) / 2;
  }
  std::swap(h[0], h.back());
  h.pop_back();
  SiftDown(h, 0);
}

}  // namespace cancelflow::order
