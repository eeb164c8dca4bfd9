// WireStats: one pass over the raw event stream counting what is there.
//
// The wire half of `cancelflow stats`: per event type, how many events and how
// many bytes on the wire (padding included), plus generations and batches.
// It walks batches (batch.go) and decodes each payload with the full spec
// table, as Go's batch reader does, so it also reads the experimental
// AllocFree events of Go 1.23/1.24 traces that Go's flat raw reader rejects.
// Counts equal `go tool trace -d=footprint`'s wherever that tool can read the
// trace; its byte column re-encodes varints minimally, so both are kept.
// Structural checks: batch sizes, events that overrun their batch,
// generation 0, generations going backwards, and (Go 1.26+) a generation not
// closed by its end-of-generation byte.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/trace_buffer.h"
#include "cancelflow/error.h"
#include "wire/event_spec.h"
#include "wire/version.h"

namespace cancelflow::wire {

struct EventTypeStats {
  uint64_t count = 0;
  uint64_t wire_bytes = 0;     // as written (padded varints included)
  uint64_t minimal_bytes = 0;  // as Go's raw.Event.EncodedSize counts them
};

// Per event type counts (a pass keeps one per thread and adds them up).
struct EventCounts {
  uint64_t events = 0;
  std::array<EventTypeStats, 256> by_type{};
  void Add(const EventCounts& other);
};

struct WireStats : EventCounts {
  Version version = Version::kGo126;
  uint64_t file_bytes = 0;
  uint64_t batches = 0;               // EventBatch + ExperimentalBatch
  uint64_t experimental_batches = 0;  // skipped by size
  uint64_t experimental_bytes = 0;
  uint64_t generations = 0;           // distinct batch generation numbers seen, in order
  uint64_t end_of_generation_markers = 0;
  uint64_t max_generation = 0;
  std::optional<Error> error;         // set when the stream stopped early; counts cover what came before
};

struct WireStatsOptions {
  int threads = 1;            // threads decoding per-M batches (>= 1)
  uint64_t window_bytes = 0;  // bytes scanned per window per thread; 0: 8 MiB
  bool exact = false;         // one thread, no fast path: the oracle the fast pass is tested against
};

// Never fails outright on bad data: the error (if any) is in `error`. Fails
// only when the header cannot be read. The result (counts and error) does not
// depend on the options.
Result<WireStats> ComputeWireStats(const TraceBuffer& buf, const WireStatsOptions& opts = {});

// Field-by-field equality (the error compared by code, offset, generation, message).
bool SameWireStats(const WireStats& a, const WireStats& b);

}  // namespace cancelflow::wire
