// cancelflow::Reader: a Go execution trace (Go 1.22+) as a stream of ordered
// events, identical to what Go's internal/trace.Reader (golang.org/x/exp/trace)
// returns from ReadEvent.
//
// ALGORITHM (reader.go): read one generation at a time (wire/generation.h);
// put one batch cursor per M into a min-heap keyed by the time of the
// cursor's next event; offer the heap's head to the ordering state machine
// (order/ordering.h); if it is "not yet", sort the heap and offer the others
// in time order; none advancing means the trace is broken. CPU samples are
// interleaved by time. Every generation starts with a Sync event and the
// stream ends with one; output times are forced strictly increasing (+1 ns).
//
// ERRORS: a broken trace yields every event up to the failure, then an
// Error (sticky: Next keeps returning it). `generations_completed()` tells
// how many generations were delivered completely before it (the CLI's
// "partial" exit status).
//
// MEMORY: one generation's index structures (reused, capacity kept) plus the
// global string/frame/stack pools and the per-generation SyncDetails.
// THE TraceBuffer MUST OUTLIVE THE READER.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "cancelflow/error.h"
#include "cancelflow/event.h"
#include "cancelflow/ids.h"
#include "cancelflow/pool.h"

namespace cancelflow {

class TraceBuffer;

struct ClockSnapshot {
  Time trace = 0;         // the trace clock, converted like event times
  uint64_t mono = 0;      // CLOCK_MONOTONIC ns of the traced process
  int64_t wall_sec = 0;   // wall clock (time.Unix(sec, nsec) in Go)
  int64_t wall_nsec = 0;
};

struct ExperimentalBatch {
  std::string_view experiment;  // "AllocFree", or "" for unknown experiment ids
  uint8_t experiment_id = 0;
  ThreadId thread;
  std::string_view data;  // view into the TraceBuffer
};

// What Go's Event.Sync() returns for a Sync event that starts a generation.
struct SyncDetails {
  uint64_t generation = 0;
  bool has_clock_snapshot = false;  // Go 1.25+
  ClockSnapshot clock;
  std::vector<ExperimentalBatch> experimental_batches;
};

// Go's ExperimentalEvent.
struct ExperimentalEvent {
  std::string_view name;
  std::string_view experiment;
  int nargs = 0;
  std::string_view arg_names[4];
  uint64_t arg_values[4] = {};
};

struct ReaderCounters {
  uint64_t generations = 0;
  uint64_t events = 0;
  uint64_t not_yet = 0;         // Advance answered "not yet" (slow path)
  uint64_t frontier_sorts = 0;  // times the frontier was sorted
  uint64_t cpu_samples = 0;
};

class Reader {
 public:
  // Parses the header. Errors: kEmpty, kBadHeader, kUnsupportedVersion.
  static Result<Reader> Open(const TraceBuffer& buf);

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

  // Next event in the reference order: true with *ev filled, false at the
  // end, or the Error that stops the trace.
  Result<bool> Next(Event* ev);

  // The same events as calling Next() repeatedly, written to out[0..n): the
  // first event is read as Next() would; more follow until `cap` events or
  // until NextMayLoadGeneration() would be true. Returns n (0 at the end). An
  // error after some events returns those events; the next call returns the
  // (sticky) error. The hot loop of bulk consumers (`stats`, `analyze`): one
  // call per many events instead of a Result per event.
  Result<size_t> NextBatch(Event* out, size_t cap);

  // Id resolution split off for a second thread (the pipeline of Analyze).
  // NextBatch(out, cap, IdResolution::kDeferred) returns the same events as
  // NextBatch(out, cap) except that their stack and string arguments (and
  // Event::stack) are still the current generation's own ids; ResolveIds()
  // then validates and converts them exactly as NextBatch would have
  // (Go's validateTableIDs), in order, and fails on the same event with the
  // same Error. The caller must treat the first ResolveIds() failure as the
  // trace's error (it comes before anything NextBatch returned later) and
  // stop there. ResolveIds() reads only the current generation's id tables,
  // which change only when a generation is loaded: it may run on another
  // thread concurrently with NextBatch(), for events of the current
  // generation, until the next call made while NextMayLoadGeneration() is true.
  enum class IdResolution : uint8_t { kNow, kDeferred };
  Result<size_t> NextBatch(Event* out, size_t cap, IdResolution ids);
  // True, or false with *err set (the error NextBatch would have returned).
  bool ResolveIds(Event* e, Error* err) const;

  // The loop of bulk consumers: reads the rest of the trace through
  // NextBatch and calls f(const Event&) for every event, in order. Returns
  // the error that stopped the trace (every event before it was delivered),
  // or nullopt at the end.
  template <typename F>
  std::optional<Error> ForEachEvent(F&& f);

  uint32_t version() const;  // the trace version minor (22, 23, 25, 26)
  const StringPool& strings() const;
  const StackPool& stacks() const;
  // For a Sync event: its N (1-based) and details (nullptr for Syncs without
  // a generation table: the final one and the one before an error).
  static int SyncN(const Event& e) { return static_cast<int>(e.args[0]); }
  const SyncDetails* Sync(const Event& e) const;
  ExperimentalEvent Experimental(const Event& e) const;

  uint64_t generations_completed() const;
  // How far into the file the reader has loaded generations (the end offset
  // of the newest one): for a progress display; safe to call from another
  // thread than the one reading.
  uint64_t bytes_loaded() const;
  const ReaderCounters& counters() const;

  // True when the next Next() call may load a generation: intern into the
  // pools and add Sync details. Between such calls (false), strings(),
  // stacks() and Sync() are not modified, so another thread may read them
  // while this one calls Next() (the 2-thread pipeline of Analyze).
  bool NextMayLoadGeneration() const;

  struct Impl;

 private:
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

template <typename F>
std::optional<Error> Reader::ForEachEvent(F&& f) {
  constexpr size_t kBatch = 4096;
  auto events = std::make_unique<Event[]>(kBatch);
  for (;;) {
    auto got = NextBatch(events.get(), kBatch);
    if (!got) return got.error();
    if (*got == 0) return std::nullopt;
    for (size_t i = 0; i < *got; ++i) f(static_cast<const Event&>(events[i]));
  }
}

}  // namespace cancelflow
