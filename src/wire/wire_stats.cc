#include "wire/wire_stats.h"

#include "base/byte_cursor.h"
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

}  // namespace

Result<WireStats> ComputeWireStats(const TraceBuffer& buf) {
  auto reader = RawReader::Open(buf);
  if (!reader) return tl::unexpected(reader.error());
  WireStats st;
  st.version = reader->version();
  st.file_bytes = buf.size();
  RawEvent ev;
  uint64_t last_gen = 0;
  for (;;) {
    auto more = reader->Next(&ev);
    if (!more) {
      st.error = more.error();
      break;
    }
    if (!*more) break;
    ++st.events;
    auto& t = st.by_type[ev.type];
    ++t.count;
    t.wire_bytes += ev.encoded_size;
    t.minimal_bytes += MinimalSize(ev);
    if (ev.type == kEventBatch || ev.type == kExperimentalBatch) {
      ++st.batches;
      const uint64_t gen = ev.type == kEventBatch ? ev.args[0] : ev.args[1];
      if (ev.type == kExperimentalBatch) {
        ++st.experimental_batches;
        st.experimental_bytes += ev.data.size();
      }
      if (gen != last_gen) {
        ++st.generations;
        last_gen = gen;
      }
      if (gen > st.max_generation) st.max_generation = gen;
    } else if (ev.type == kEndOfGeneration) {
      ++st.end_of_generation_markers;
    }
  }
  return st;
}

}  // namespace cancelflow::wire
