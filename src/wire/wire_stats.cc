#include "wire/wire_stats.h"

#include <algorithm>
#include <atomic>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "base/parallel.h"
#include "wire/batch.h"
#include "wire/raw_reader.h"

namespace cancelflow::wire {
namespace {

uint64_t MinimalSize(const RawEvent& ev) {
  uint64_t size = 1;
  for (int i = 0; i < ev.nargs; ++i) size += static_cast<uint64_t>(UvarintSize(ev.args[i]));
  if (ev.spec().is_stack) {
    RawFrameIterator it(ev);
    uint64_t f[4];
    while (it.Next(f)) {
      for (uint64_t v : f) size += static_cast<uint64_t>(UvarintSize(v));
    }
  }
  if (ev.spec().has_data) size += static_cast<uint64_t>(UvarintSize(ev.data.size())) + ev.data.size();
  return size;
}

void Count(EventCounts* st, uint8_t type, uint64_t wire_bytes, uint64_t minimal_bytes) {
  ++st->events;
  auto& t = st->by_type[type];
  ++t.count;
  t.wire_bytes += wire_bytes;
  t.minimal_bytes += minimal_bytes;
}

// String and stack ids defined in the current generation, with the offset of
// each definition, checked for duplicates when the generation ends.
struct IdDefs {
  std::vector<std::pair<uint64_t, uint64_t>> strings, stacks;  // (id, offset)
  void Clear() {
    strings.clear();
    stacks.clear();
  }
};

std::optional<Error> CheckDuplicates(std::vector<std::pair<uint64_t, uint64_t>>* defs, const char* what, uint64_t gen) {
  std::sort(defs->begin(), defs->end());
  for (size_t i = 1; i < defs->size(); ++i) {
    if ((*defs)[i].first == (*defs)[i - 1].first) {
      return Error{ErrorCode::kDuplicateId, (*defs)[i].second, gen,
                   fmt::format("{} id {} defined twice in generation {}", what, (*defs)[i].first, gen)};
    }
  }
  return std::nullopt;
}

// Decodes the events of one batch payload with the full spec table. In a
// per-M event batch every event must be a timed event (batchcursor.go
// readTimedBaseEvent); string, stack, CPU-sample and sync batches hold their
// structural events.
std::optional<Error> CountBatchEvents(const Batch& b, Version v, EventCounts* st, IdDefs* ids) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  const bool per_m = b.IsPerM(v);
  RawEvent ev;
  while (!c.AtEnd()) {
    const uint64_t start = c.offset();
    switch (DecodeRawEvent(&c, kNumSpecs, &ev)) {
      case DecodeStatus::kOk:
        if (per_m && (!ev.spec().timed || ev.nargs == 0)) {
          return Error{ErrorCode::kBadEvent, start, b.gen,
                       fmt::format("found event without a timestamp: type={} in the event batch at byte {}", ev.type,
                                   b.offset)};
        }
        if (ev.type == kString) ids->strings.emplace_back(ev.args[0], start);
        if (ev.type == kStack) ids->stacks.emplace_back(ev.args[0], start);
        Count(st, ev.type, ev.encoded_size, MinimalSize(ev));
        continue;
      case DecodeStatus::kBadType:
        return Error{ErrorCode::kBadEvent, start, b.gen, fmt::format("invalid event type {} in the batch at byte {}", ev.type, b.offset)};
      case DecodeStatus::kCursor:
        if (c.status() == ByteCursor::Status::kOverflow) {
          return Error{ErrorCode::kVarintOverflow, c.error_offset(), b.gen, "varint overflows a 64-bit integer"};
        }
        [[fallthrough]];
      case DecodeStatus::kDataTruncated:
        return Error{ErrorCode::kBadBatch, start, b.gen,
                     fmt::format("event at byte {} runs past the end of its batch (batch at byte {}, {} bytes)", start,
                                 b.offset, b.size)};
    }
  }
  return std::nullopt;
}


// The fast path for the bulk of a trace: the events of one per-M event batch,
// counted without building RawEvents. An event whose type has a fixed number
// of arguments (timed, no stack frames, no data) is measured with one 16-byte
// load: the varints end at the bytes without the continuation bit, so the
// event ends at the nargs-th such byte after the type byte. It stays on the
// fast path only when that end is inside the batch, no varint can reach 10
// bytes (so none can overflow), and no varint is padded (a final zero byte
// after a continuation byte, where the minimal size differs); anything else
// goes through DecodeRawEvent as in CountBatchEvents. Returns false when the
// batch holds an error: the caller then redoes its window with the exact
// sequential code, which finds and words the error.
bool CountPerMBatchFast(const Batch& b, EventCounts* st) {
  const uint8_t* p = b.data;
  const uint8_t* const end = b.data + b.size;
  while (p < end) {
    const uint8_t type = *p;
#if defined(__SSE2__)
    // Reading 16 bytes from p stays inside the buffer: p is before the end of
    // the file, and the TraceBuffer has kPadding (>= 16) readable bytes after it.
    static_assert(TraceBuffer::kPadding >= 16);
    // Timed events carry only argument varints (event_spec.cc checks that no
    // timed type has data or frames): the batch cursor's table serves here.
    const unsigned nargs = TimedArgCount(type);
    if (nargs != 0) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const uint32_t cont = static_cast<uint32_t>(_mm_movemask_epi8(bytes));  // bit i: byte i continues
      const uint32_t ends = (~cont & 0xFFFFu) | 1u;                             // bit i: an item ends at byte i
      uint32_t arg_ends = ends & ~1u;
      for (unsigned k = 1; k < nargs; ++k) arg_ends &= arg_ends - 1;
      if (arg_ends != 0) {
        const unsigned size = static_cast<unsigned>(__builtin_ctz(arg_ends)) + 1;
        if (size <= static_cast<size_t>(end - p) && size - nargs <= 9) {
          const uint32_t zero = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_setzero_si128())));
          const uint32_t padded = zero & ~(ends << 1) & ((1u << size) - 1u) & ~1u;
          if (padded == 0) {
            Count(st, type, size, size);
            p += size;
            continue;
          }
        }
      }
    }
#endif
    ByteCursor c(p, end, b.data_offset + static_cast<uint64_t>(p - b.data));
    RawEvent ev;
    if (DecodeRawEvent(&c, kNumSpecs, &ev) != DecodeStatus::kOk || !ev.spec().timed || ev.nargs == 0) return false;
    Count(st, ev.type, ev.encoded_size, MinimalSize(ev));
    p = c.pos();
  }
  return true;
}

// The sequential state machine of the pass: one call per batch, in file
// order. With `events_counted`, the events of a per-M batch were already
// counted elsewhere (the parallel fast path) and only the batch itself is.
class WirePass {
 public:
  WirePass(const TraceBuffer& buf, Version v) {
    st_.version = v;
    st_.file_bytes = buf.size();
  }

  std::optional<Error> Batch(const wire::Batch& b, bool events_counted) {
    if (b.IsEndOfGeneration()) {
      if (auto e = EndGeneration()) return e;
      Count(&st_, kEndOfGeneration, 1, 1);
      ++st_.end_of_generation_markers;
      gen_open_ = false;
      return std::nullopt;
    }
    // Batch header, counted as the raw reader sees it: an EventBatch event
    // (gen m time size), or an ExperimentalBatch event carrying its payload as data.
    const uint64_t header_bytes = b.data_offset - b.offset;
    const uint64_t mins = 1 + static_cast<uint64_t>(UvarintSize(b.gen) + UvarintSize(b.m) + UvarintSize(b.time) +
                                                    UvarintSize(b.size));
    if (b.gen == 0) return Error{ErrorCode::kBadGeneration, b.offset, cur_gen_, "invalid generation number 0"};
    if (b.gen < cur_gen_) {
      return Error{ErrorCode::kBadGeneration, b.offset, cur_gen_,
                   fmt::format("generations out of order: batch of generation {} after generation {}", b.gen, cur_gen_)};
    }
    if (b.gen != cur_gen_) {
      if (auto e = EndGeneration()) return e;
      ++st_.generations;
      cur_gen_ = b.gen;
    }
    gen_open_ = true;
    if (b.gen > st_.max_generation) st_.max_generation = b.gen;
    ++st_.batches;
    if (b.exp != Experiment::kNone) {
      ++st_.experimental_batches;
      st_.experimental_bytes += b.size;
      Count(&st_, kExperimentalBatch, header_bytes + b.size, mins + b.size);
      return std::nullopt;
    }
    Count(&st_, kEventBatch, header_bytes, mins);
    if (events_counted) return std::nullopt;
    return CountBatchEvents(b, st_.version, &st_, &ids_);
  }

  // After the last batch (clean end of input).
  std::optional<Error> Finish(uint64_t file_size) {
    if (auto e = EndGeneration()) return e;
    if (gen_open_ && st_.version >= Version::kGo126) {
      return Error{ErrorCode::kTruncated, file_size, cur_gen_,
                   "incomplete generation found; trace likely truncated (no end-of-generation marker)"};
    }
    return std::nullopt;
  }

  WireStats& stats() { return st_; }

 private:
  std::optional<Error> EndGeneration() {
    if (auto e = CheckDuplicates(&ids_.strings, "string", cur_gen_)) return e;
    if (auto e = CheckDuplicates(&ids_.stacks, "stack", cur_gen_)) return e;
    ids_.Clear();
    return std::nullopt;
  }

  WireStats st_;
  IdDefs ids_;
  uint64_t cur_gen_ = 0;
  bool gen_open_ = false;  // a generation has batches not yet closed by EndOfGeneration
};

// Counts the per-M batches of `window` on `threads` threads (contiguous
// slices of about equal bytes, one EventCounts each). False if any batch
// holds an error.
bool CountWindowParallel(const std::vector<Batch>& window, Version v, int threads, std::vector<EventCounts>* parts) {
  std::vector<const Batch*> per_m;
  uint64_t bytes = 0;
  for (const Batch& b : window) {
    if (b.IsPerM(v)) {
      per_m.push_back(&b);
      bytes += b.size;
    }
  }
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(per_m.size())));
  // Slice boundaries: slice i ends where the running byte count reaches (i+1)/n of the total.
  std::vector<size_t> cut(static_cast<size_t>(n) + 1, per_m.size());
  cut[0] = 0;
  uint64_t run = 0;
  int slice = 1;
  for (size_t i = 0; i < per_m.size() && slice < n; ++i) {
    run += per_m[i]->size;
    if (run * static_cast<uint64_t>(n) >= bytes * static_cast<uint64_t>(slice)) cut[static_cast<size_t>(slice++)] = i + 1;
  }
  parts->assign(static_cast<size_t>(n), EventCounts{});
  std::atomic<bool> ok{true};
  RunParallel(n, [&](int i) {
    EventCounts& out = (*parts)[static_cast<size_t>(i)];
    for (size_t k = cut[static_cast<size_t>(i)]; k < cut[static_cast<size_t>(i) + 1]; ++k) {
      if (!CountPerMBatchFast(*per_m[k], &out)) {
        ok.store(false, std::memory_order_relaxed);
        return;
      }
    }
  });
  return ok.load();
}

}  // namespace

void EventCounts::Add(const EventCounts& o) {
  events += o.events;
  for (size_t t = 0; t < by_type.size(); ++t) {
    by_type[t].count += o.by_type[t].count;
    by_type[t].wire_bytes += o.by_type[t].wire_bytes;
    by_type[t].minimal_bytes += o.by_type[t].minimal_bytes;
  }
}

// The pass reads the file front to back in windows of about kWindowPerThread
// bytes per thread. For each window the batch headers are scanned in order;
// the per-M batches (nearly all the bytes) are counted in parallel on the fast
// path; then the WirePass state machine takes every batch in file order,
// skipping the events already counted. If anything in the window is wrong,
// the window is redone from a copy of the state taken before it, fully
// sequentially, so counts and the error are exactly those of a one-thread
// front-to-back pass. After each window its file pages leave the RSS
// (TraceBuffer::DropPages), so memory is bounded by the window, not the file.
constexpr uint64_t kWindowPerThread = 8 << 20;

Result<WireStats> ComputeWireStats(const TraceBuffer& buf, const WireStatsOptions& opts) {
  auto scanner = BatchScanner::Open(buf);
  if (!scanner) return tl::unexpected(scanner.error());
  const Version v = scanner->version();
  WirePass pass(buf, v);
  const int threads = std::max(1, opts.threads);
  const uint64_t window_bytes =
      (opts.window_bytes > 0 ? opts.window_bytes : kWindowPerThread) * static_cast<uint64_t>(threads);
  std::vector<Batch> window;
  std::vector<EventCounts> parts;
  PageDropper pages(buf, 16 << 20);  // flat RSS
  for (;;) {
    window.clear();
    std::optional<Error> scan_error;
    bool at_end = false;
    const uint64_t window_start = scanner->offset();
    if (threads > 1) {
      // Map the window's pages on every thread first: the header scan below
      // is sequential and would otherwise take all the page faults alone.
      const uint64_t slice = (window_bytes + kMaxBatchSize) / static_cast<uint64_t>(threads) + 1;
      RunParallel(threads, [&](int i) {
        const uint64_t from = window_start + slice * static_cast<uint64_t>(i);
        buf.Prefault(from, from + slice);
      });
    }
    Batch b;
    while (scanner->offset() - window_start < window_bytes) {
      auto more = scanner->Next(&b);
      if (!more) {
        scan_error = more.error();
        break;
      }
      if (!*more) {
        at_end = true;
        break;
      }
      window.push_back(b);
    }
    const WirePass before = pass;
    bool ok = !opts.exact && CountWindowParallel(window, v, threads, &parts);
    std::optional<Error> error;
    if (ok) {
      for (const Batch& wb : window) {
        if ((error = pass.Batch(wb, wb.IsPerM(v)))) break;
      }
      ok = !error;
    }
    if (ok) {
      for (const EventCounts& part : parts) pass.stats().Add(part);
    } else {
      pass = before;  // redo the window exactly, one batch after the other
      error.reset();
      for (const Batch& wb : window) {
        if ((error = pass.Batch(wb, false))) break;
      }
    }
    pages.Advance(scanner->offset());
    if (error) {
      pass.stats().error = std::move(error);
      break;
    }
    if (scan_error) {
      pass.stats().error = std::move(scan_error);
      break;
    }
    if (at_end) {
      pass.stats().error = pass.Finish(buf.size());
      break;
    }
  }
  return std::move(pass.stats());
}

bool SameWireStats(const WireStats& a, const WireStats& b) {
  for (size_t t = 0; t < a.by_type.size(); ++t) {
    const auto &x = a.by_type[t], &y = b.by_type[t];
    if (x.count != y.count || x.wire_bytes != y.wire_bytes || x.minimal_bytes != y.minimal_bytes) return false;
  }
  if (a.error.has_value() != b.error.has_value()) return false;
  if (a.error && (a.error->code != b.error->code || a.error->offset != b.error->offset ||
                  a.error->generation != b.error->generation || a.error->message != b.error->message)) {
    return false;
  }
  return a.events == b.events && a.version == b.version && a.file_bytes == b.file_bytes && a.batches == b.batches &&
         a.experimental_batches == b.experimental_batches && a.experimental_bytes == b.experimental_bytes &&
         a.generations == b.generations && a.end_of_generation_markers == b.end_of_generation_markers &&
         a.max_generation == b.max_generation;
}

}  // namespace cancelflow::wire
