#include "order/batch_cursor.h"

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "wire/event_spec.h"

namespace cancelflow::order {

bool BatchCursor::EnterBatch(const wire::Generation& g) {
  // Batches should have at least one event, but accept empty ones.
  while (pos == lim) {
    if (started) {
      ++idx;
      last_ts = 0;
    }
    started = true;
    if (idx == end) return false;
    const wire::Batch& b = g.batches[idx];
    pos = b.data;
    lim = b.data + b.size;
  }
  return true;
}

BatchCursor::Got BatchCursor::BadEvent(const wire::Generation& g, Error* err) const {
  const uint8_t typ = pos[0];
  *err = Error{ErrorCode::kBadEvent, Offset(g), g.gen,
               typ >= wire::kNumSpecs ? fmt::format("found invalid event type: {}", typ)
                                      : fmt::format("found event without a timestamp: type={}", typ)};
  return kBroken;
}

BatchCursor::Got BatchCursor::BadVarint(const wire::Generation& g, bool timestamp, Error* err) const {
  *err = Error{ErrorCode::kBadEvent, Offset(g), g.gen,
               timestamp ? "found invalid uvarint for timestamp" : "found invalid uvarint"};
  return kBroken;
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
