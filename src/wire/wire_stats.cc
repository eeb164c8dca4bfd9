#include "wire/wire_stats.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/byte_cursor.h"
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

void Count(WireStats* st, uint8_t type, uint64_t wire_bytes, uint64_t minimal_bytes) {
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
std::optional<Error> CountBatchEvents(const Batch& b, Version v, WireStats* st, IdDefs* ids) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  const bool per_m = !b.IsStrings() && !b.IsStacks() && !b.IsCPUSamples() && !b.IsSync(v);
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

}  // namespace

// The pass reads the file once, front to back: every kDropChunk bytes, the
// pages behind the current batch leave the RSS (see TraceBuffer::DropPages).
constexpr uint64_t kDropChunk = 16 << 20;

Result<WireStats> ComputeWireStats(const TraceBuffer& buf) {
  auto scanner = BatchScanner::Open(buf);
  if (!scanner) return tl::unexpected(scanner.error());
  WireStats st;
  st.version = scanner->version();
  st.file_bytes = buf.size();
  Batch b;
  IdDefs ids;
  uint64_t cur_gen_for_ids = 0;
  auto end_generation = [&]() -> std::optional<Error> {
    if (auto e = CheckDuplicates(&ids.strings, "string", cur_gen_for_ids)) return e;
    if (auto e = CheckDuplicates(&ids.stacks, "stack", cur_gen_for_ids)) return e;
    ids.Clear();
    return std::nullopt;
  };
  uint64_t cur_gen = 0;
  uint64_t dropped = 0;  // file pages before this offset were dropped (flat RSS)
  bool gen_open = false;  // a generation has batches not yet closed by EndOfGeneration
  for (;;) {
    auto more = scanner->Next(&b);
    if (!more) {
      st.error = more.error();
      break;
    }
    if (!*more) break;
    if (b.offset - dropped >= kDropChunk) {
      buf.DropPages(dropped, b.offset);
      dropped = b.offset;
    }
    if (b.IsEndOfGeneration()) {
      if (auto e = end_generation()) {
        st.error = std::move(*e);
        break;
      }
      Count(&st, kEndOfGeneration, 1, 1);
      ++st.end_of_generation_markers;
      gen_open = false;
      continue;
    }
    // Batch header, counted as the raw reader sees it: an EventBatch event
    // (gen m time size), or an ExperimentalBatch event carrying its payload as data.
    const uint64_t header_bytes = b.data_offset - b.offset;
    const uint64_t mins = 1 + static_cast<uint64_t>(UvarintSize(b.gen) + UvarintSize(b.m) + UvarintSize(b.time) +
                                                    UvarintSize(b.size));
    if (b.gen == 0) {
      st.error = Error{ErrorCode::kBadGeneration, b.offset, cur_gen, "invalid generation number 0"};
      break;
    }
    if (b.gen < cur_gen) {
      st.error = Error{ErrorCode::kBadGeneration, b.offset, cur_gen,
                       fmt::format("generations out of order: batch of generation {} after generation {}", b.gen, cur_gen)};
      break;
    }
    if (b.gen != cur_gen) {
      if (auto e = end_generation()) {
        st.error = std::move(*e);
        break;
      }
      ++st.generations;
      cur_gen = b.gen;
      cur_gen_for_ids = b.gen;
    }
    gen_open = true;
    if (b.gen > st.max_generation) st.max_generation = b.gen;
    ++st.batches;
    if (b.exp != Experiment::kNone) {
      ++st.experimental_batches;
      st.experimental_bytes += b.size;
      Count(&st, kExperimentalBatch, header_bytes + b.size, mins + b.size);
      continue;
    }
    Count(&st, kEventBatch, header_bytes, mins);
    if (auto err = CountBatchEvents(b, st.version, &st, &ids)) {
      st.error = std::move(*err);
      break;
    }
  }
  if (!st.error) {
    if (auto e = end_generation()) st.error = std::move(*e);
  }
  if (!st.error && gen_open && st.version >= Version::kGo126) {
    st.error = Error{ErrorCode::kTruncated, buf.size(), cur_gen,
                     "incomplete generation found; trace likely truncated (no end-of-generation marker)"};
  }
  return st;
}

}  // namespace cancelflow::wire
