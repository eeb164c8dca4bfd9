// cancelflow::Reader: port of internal/trace/reader.go (ReadEvent,
// nextGenWithSpill, installGen) plus Event.validateTableIDs and the
// conversion of per-generation ids to global pool ids.
#include "cancelflow/reader.h"

#include <algorithm>
#include <atomic>
#include <optional>

#include <fmt/format.h>

#include "base/go_sort.h"
#include "base/trace_buffer.h"
#include "order/batch_cursor.h"
#include "order/ordering.h"
#include "wire/event_spec.h"
#include "wire/generation.h"
#include "wire/version.h"

namespace cancelflow {

struct Reader::Impl {
  Impl(const TraceBuffer& buf, wire::Version v, size_t header_size)
      : consumed_pages(buf, 4 << 20), version(v), gen_reader(buf, v, header_size, &strings, &stacks), order(v) {}

  Result<bool> Next(Event* out, bool resolve_ids = true);
  Result<size_t> NextBatch(Event* out, size_t cap, bool resolve_ids);
  bool NextMayLoadGeneration() const {
    return order.QueueEmpty() && frontier.empty() && cpu_next == gen.cpu_samples.size();
  }
  Result<bool> ReadEvent(Event* out);
  Result<bool> NextGenWithSpill(Event* out);
  Result<bool> InstallGen(bool have, Event* out);
  order::Step TryAdvance(size_t i);
  Error step_error;  // why the last per-event step (TryAdvance, Advance, AdvanceAndPop, Finalize) failed
  // Per-event steps: false when broken, with the Error in step_error.
  bool AdvanceAndPop(Event* out);
  bool Advance();
  bool Finalize(Event* e, bool resolve_ids = true);
  bool ResolveIds(Event* e, Error* err) const;
  Event SyncEvent(bool with_table, Time ts);
  std::string DumpFrontier();

  void DropConsumedPages();

  PageDropper consumed_pages;  // see DropConsumedPages
  wire::Version version;
  StringPool strings;
  StackPool stacks;
  wire::GenerationReader gen_reader;
  wire::Generation gen;
  bool have_gen = false;  // Go's r.gen != nil
  // End offset of the newest generation loaded: progress for another thread
  // (Reader::bytes_loaded), hence atomic; nothing in the ordering reads it.
  std::atomic<uint64_t> bytes_loaded{0};
  std::vector<order::BatchCursor> cursors;
  order::Frontier frontier;
  size_t cpu_next = 0;
  order::Ordering order;
  Time last_ts = 0;
  int syncs = 0;
  bool done = false;
  std::optional<Error> read_gen_err;  // Go 1.26+: reported after the Sync
  std::optional<Error> spill_err;     // < Go 1.26
  bool spill_err_sync = false;
  std::optional<Error> sticky;
  std::vector<SyncDetails> sync_details;
  uint64_t completed = 0;
  bool gen_counted = false;  // `completed` already counts the current generation
  ReaderCounters counters;
};

Event Reader::Impl::SyncEvent(bool with_table, Time ts) {
  // Mirrors syncEvent in event.go.
  Event e;
  e.type = kSyncEventType;
  e.kind = EventKind::kSync;
  e.time = ts;
  e.args[0] = static_cast<uint64_t>(syncs);
  if (with_table) {
    SyncDetails d;
    d.generation = gen.gen;
    d.has_clock_snapshot = gen.has_clock_snapshot;
    if (gen.has_clock_snapshot) {
      d.clock.trace = gen.freq.Mul(gen.snap_time);
      d.clock.mono = gen.snap_mono;
      d.clock.wall_sec = static_cast<int64_t>(gen.snap_sec);
      d.clock.wall_nsec = static_cast<int64_t>(gen.snap_nsec);
    }
    for (const auto& b : gen.exp_batches) {
      d.experimental_batches.push_back(ExperimentalBatch{b.experiment == 1 ? "AllocFree" : "", b.experiment,
                                                         ThreadId(b.thread), b.data});
    }
    sync_details.push_back(std::move(d));
    e.args[1] = sync_details.size();
  }
  return e;
}

std::string Reader::Impl::DumpFrontier() {
  std::string s = fmt::format("[gen={}]", gen.gen);
  for (const order::BatchCursor* bc : frontier) {
    const auto& spec = wire::Spec(bc->ev.type);
    fmt::format_to(std::back_inserter(s), " M {} [{} time={}", bc->m, spec.name, bc->ev.time);
    for (int i = 1; i < spec.nargs; ++i) fmt::format_to(std::back_inserter(s), " {}={}", spec.args[static_cast<size_t>(i)], bc->ev.args[i - 1]);
    s += "]";
  }
  return s;
}

// The deferred half of ReadEvent: validateTableIDs and the conversion to
// global ids (ResolveIds, unless the caller resolves them later), then the
// strictly-increasing time fix-up.
bool Reader::Impl::Finalize(Event* e, bool resolve_ids) {
  if (resolve_ids && !ResolveIds(e, &step_error)) return false;
  if (e->time <= last_ts) e->time = static_cast<Time>(static_cast<uint64_t>(last_ts) + 1);  // Go wraps
  last_ts = e->time;
  return true;
}

// Reads only gen.stacks and gen.strings (see Reader::ResolveIds).
bool Reader::Impl::ResolveIds(Event* e, Error* err) const {
  if (e->type == kSyncEventType) return true;
  if (e->type == wire::kCPUSample) {
    // Go does not validate CPU sample stacks (it checks args[3], always 0).
    uint32_t id = 0;
    if (!gen.stacks.Find(e->args[0], &id)) id = 0;
    e->args[0] = id;
    e->stack = StackId(id);
    return true;
  }
  const wire::IdArgs& ids = wire::IdArgsOf(e->type);
  // Go's validateTableIDs: every stack and string argument must be defined in this generation.
  auto convert = [&](const wire::IdTable& table, const uint8_t* which, int n, const char* what) {
    for (int k = 0; k < n; ++k) {
      uint64_t& a = e->args[which[k]];
      uint32_t id = 0;
      if (!table.Find(a, &id)) [[unlikely]] {
        *err = Error{ErrorCode::kBadReference, gen.end_offset, gen.gen,
                     fmt::format("found invalid {} ID {} for event {}", what, a, wire::Spec(e->type).name)};
        return false;
      }
      a = id;
    }
    return true;
  };
  if (!convert(gen.stacks, ids.stack_args, ids.nstacks, "stack") ||
      !convert(gen.strings, ids.string_args, ids.nstrings, "string")) [[unlikely]] {
    return false;
  }
  if (e->type == wire::kSTWEnd) {
    // The kind smuggled from STWBegin is a string id of the Begin's
    // generation, resolved in this one (as Go does).
    uint32_t id = 0;
    if (!gen.strings.Find(e->args[0], &id)) id = 0;
    e->args[0] = id;
  }
  e->stack = ids.nstacks > 0 ? StackId(static_cast<uint32_t>(e->args[ids.stack_args[0]])) : kNoStack;
  return true;
}

Result<bool> Reader::Impl::Next(Event* out, bool resolve_ids) {
  if (sticky) return tl::unexpected(*sticky);
  if (done) return false;
  auto r = ReadEvent(out);
  if (!r) {
    sticky = r.error();
    return r;
  }
  if (!*r) {
    done = true;
    return false;
  }
  if (!Finalize(out, resolve_ids)) {
    sticky = step_error;
    return tl::unexpected(std::move(step_error));
  }
  ++counters.events;
  return true;
}

Result<size_t> Reader::Impl::NextBatch(Event* out, size_t cap, bool resolve_ids) {
  if (cap == 0) return size_t{0};
  auto first = Next(&out[0], resolve_ids);
  if (!first) return tl::unexpected(first.error());
  if (!*first) return size_t{0};
  size_t n = 1;
  // The common case inlined: pop a queued event, or advance the earliest M
  // and pop what it queued. Everything else (CPU samples, "not yet", the end
  // of a generation) goes through Next, one event at a time.
  while (n < cap && !NextMayLoadGeneration()) {
    Event* e = &out[n];
    bool have = order.Next(e);
    if (!have && cpu_next == gen.cpu_samples.size() && !frontier.empty()) {
      if (!AdvanceAndPop(e)) {
        sticky = std::move(step_error);
        return n;
      }
      have = true;
    }
    if (!have) {
      auto r = Next(e, resolve_ids);
      if (!r) return n;  // sticky: the next call reports it
      if (!*r) return n;
      ++n;
      continue;
    }
    if (!Finalize(e, resolve_ids)) {
      sticky = std::move(step_error);
      return n;
    }
    ++counters.events;
    ++n;
  }
  return n;
}

// Mirrors (*Reader).ReadEvent without the deferred part (see Finalize).
// Returns false only at io.EOF.
Result<bool> Reader::Impl::ReadEvent(Event* out) {
  if (done) return false;
  if (order.Next(out)) return true;

  if (frontier.empty() && cpu_next == gen.cpu_samples.size()) {
    if (have_gen && !gen_counted) {
      ++completed;
      gen_counted = true;
    }
    if (version < wire::Version::kGo126) return NextGenWithSpill(out);
    if (read_gen_err) return tl::unexpected(*read_gen_err);
    std::optional<Error> unused;
    auto r = gen_reader.Next(&gen, &unused);
    if (!r) {
      // Emit the Sync for the current generation, report the error next.
      read_gen_err = r.error();
      have_gen = false;
      gen.Clear();
      ++syncs;
      *out = SyncEvent(false, last_ts);
      return true;
    }
    return InstallGen(*r, out);
  }

  // Inject a CPU sample if it comes next.
  if (cpu_next < gen.cpu_samples.size()) {
    const wire::CpuSample& s = gen.cpu_samples[cpu_next];
    if (frontier.empty() || s.time < frontier[0]->ev.time) {
      // Mirrors cpuSample.asEvent.
      Event e;
      e.type = wire::kCPUSample;
      e.kind = EventKind::kStackSample;
      e.time = s.time;
      e.thread = ThreadId(s.m);
      e.proc = ProcId(s.p);
      e.goroutine = GoId(s.g);
      e.args[0] = s.stack;
      *out = e;
      ++cpu_next;
      ++counters.cpu_samples;
      return true;
    }
  }
  if (frontier.empty()) {
    return tl::unexpected(Error{ErrorCode::kBrokenOrder, gen.end_offset, gen.gen,
                                "broken trace: frontier is empty: " + DumpFrontier() + " " + order.Dump()});
  }
  if (!AdvanceAndPop(out)) return tl::unexpected(std::move(step_error));
  return true;
}

// The end of ReadEvent: Advance, then pop the first queued event into *out
// (written there directly when the queue was empty: Ordering::SetDirect).
bool Reader::Impl::AdvanceAndPop(Event* out) {
  order.SetDirect(out);
  const bool ok = Advance();
  const bool filled = order.TakeDirect();
  if (!ok) return false;
  if (!filled && !order.Next(out)) {
    step_error =
        Error{ErrorCode::kBrokenOrder, 0, gen.gen, "invariant violation: advance successful, but queue is empty"};
    return false;
  }
  return true;
}

// Advance the earliest M's event, or (rare path) sort the frontier (a sorted
// min-heap is still a min-heap) and try the others in time order.
bool Reader::Impl::Advance() {
  order::Step ok = TryAdvance(0);
  if (ok.broken()) return false;
  if (!ok.advanced()) [[unlikely]] {
    ++counters.not_yet;
    ++counters.frontier_sorts;
    GoSortFunc(frontier.data(), frontier.size(),
               [](const order::BatchCursor* a, const order::BatchCursor* b) { return a->ev.time < b->ev.time; });
    bool success = false;
    for (size_t i = 1; i < frontier.size(); ++i) {
      ok = TryAdvance(i);
      if (ok.broken()) return false;
      if (ok.advanced()) {
        success = true;
        break;
      }
    }
    if (!success) {
      step_error = Error{ErrorCode::kBrokenOrder, frontier[0]->ev.offset, gen.gen,
                         "broken trace: failed to advance: frontier: " + DumpFrontier() + " " + order.Dump()};
      return false;
    }
  }
  return true;
}

// Offers frontier[i]'s event to the ordering; if it advanced, moves that
// cursor to its next event. A broken Step leaves the Error in step_error.
order::Step Reader::Impl::TryAdvance(size_t i) {
  order::BatchCursor* bc = frontier[i];
  const order::Step r = order.Advance(&bc->ev, gen, bc->m, gen.gen, &bc->mslot);
  if (!r.advanced()) {
    if (r.broken()) step_error = order.error();
    return r;
  }
  const uint32_t batch = bc->idx;
  switch (bc->NextEvent(gen, &step_error)) {
    case order::BatchCursor::kEvent:
      order::HeapUpdate(&frontier, i);
      break;
    case order::BatchCursor::kEnd:
      order::HeapRemove(&frontier, i);
      break;
    case order::BatchCursor::kBroken:
      return order::Step::Broken();
  }
  if (bc->idx != batch) [[unlikely]] DropConsumedPages();
  return true;
}

// Memory bound within a generation: a cursor that leaves a batch never reads
// it again, so the file pages below the lowest offset of any cursor's current
// batch are done with; once that mark has moved by 4 MB they leave the
// RSS (TraceBuffer::DropPages; a later read, e.g. of an interned string's
// bytes, faults them back in). Batches are flushed when full, so file order
// follows time order closely and the mark follows the ordering: resident
// pages are about one batch per M instead of the whole generation.
void Reader::Impl::DropConsumedPages() {
  uint64_t low = gen.end_offset;
  for (const order::BatchCursor* c : frontier) low = std::min(low, gen.batches[c->idx].offset);
  consumed_pages.Advance(low);
}

// Mirrors (*Reader).nextGenWithSpill.
Result<bool> Reader::Impl::NextGenWithSpill(Event* out) {
  if (spill_err) {
    if (spill_err_sync) return tl::unexpected(*spill_err);
    spill_err_sync = true;
    ++syncs;
    *out = SyncEvent(false, last_ts);
    return true;
  }
  if (have_gen && !gen_reader.has_spill()) {
    done = true;
    ++syncs;
    *out = SyncEvent(false, last_ts);
    return true;
  }
  std::optional<Error> deferred;
  auto r = gen_reader.Next(&gen, &deferred);
  if (!r) {
    spill_err = r.error();
    have_gen = false;
    gen.Clear();
    spill_err_sync = true;
    ++syncs;
    *out = SyncEvent(false, last_ts);
    return true;
  }
  spill_err = std::move(deferred);
  return InstallGen(*r, out);
}

// Mirrors (*Reader).installGen.
Result<bool> Reader::Impl::InstallGen(bool have, Event* out) {
  if (!have) {
    have_gen = false;
    done = true;
    ++syncs;
    *out = SyncEvent(false, last_ts);
    return true;
  }
  have_gen = true;
  gen_counted = false;
  bytes_loaded.store(gen.end_offset, std::memory_order_relaxed);
  // Memory bound: the previous generations' bytes are not read again by the
  // ordering (experimental batch views fault back in if a caller reads them),
  // and reading this generation's batch headers mapped nearly all of its pages
  // (the kernel maps the pages around each faulting one): drop them too; the
  // cursors fault each batch back in when they reach it, and
  // DropConsumedPages drops them again behind the cursors.
  consumed_pages.DropNow(gen.end_offset, gen.start_offset);
  ++counters.generations;
  cpu_next = 0;
  cursors.clear();
  cursors.resize(gen.ms.size());  // stable addresses for this generation
  frontier.clear();
  for (size_t i = 0; i < gen.ms.size(); ++i) {
    order::BatchCursor& bc = cursors[i];
    bc.m = gen.ms[i].m;
    bc.idx = gen.ms[i].begin;
    bc.end = gen.ms[i].end;
    Error err;
    const auto got = bc.NextEvent(gen, &err);
    if (got == order::BatchCursor::kBroken) return tl::unexpected(std::move(err));
    if (got == order::BatchCursor::kEnd) continue;
    order::HeapInsert(&frontier, &bc);
  }
  ++syncs;
  *out = SyncEvent(true, gen.freq.Mul(gen.min_ts));
  return true;
}

// ---- public wrapper ---------------------------------------------------------

Result<Reader> Reader::Open(const TraceBuffer& buf) {
  auto header = wire::ParseHeader(buf);
  if (!header) return tl::unexpected(header.error());
  return Reader(std::make_unique<Impl>(buf, header->version, header->size));
}

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Result<bool> Reader::Next(Event* ev) { return impl_->Next(ev); }
Result<size_t> Reader::NextBatch(Event* out, size_t cap) { return impl_->NextBatch(out, cap, true); }
Result<size_t> Reader::NextBatch(Event* out, size_t cap, IdResolution ids) {
  return impl_->NextBatch(out, cap, ids == IdResolution::kNow);
}
bool Reader::ResolveIds(Event* e, Error* err) const { return impl_->ResolveIds(e, err); }
uint32_t Reader::version() const { return static_cast<uint32_t>(impl_->version); }
const StringPool& Reader::strings() const { return impl_->strings; }
const StackPool& Reader::stacks() const { return impl_->stacks; }
uint64_t Reader::generations_completed() const { return impl_->completed; }
uint64_t Reader::bytes_loaded() const { return impl_->bytes_loaded.load(std::memory_order_relaxed); }
const ReaderCounters& Reader::counters() const { return impl_->counters; }
bool Reader::NextMayLoadGeneration() const {
  // The condition under which ReadEvent reads the next generation (or emits
  // the final Sync); conservative for the done/error states.
  return impl_->NextMayLoadGeneration();
}

const SyncDetails* Reader::Sync(const Event& e) const {
  if (e.type != kSyncEventType || e.args[1] == 0 || e.args[1] > impl_->sync_details.size()) return nullptr;
  return &impl_->sync_details[e.args[1] - 1];
}

ExperimentalEvent Reader::Experimental(const Event& e) const {
  ExperimentalEvent x;
  const wire::EventSpec& spec = wire::Spec(e.type);
  x.name = spec.name;
  x.experiment = spec.experiment == wire::Experiment::kAllocFree ? "AllocFree" : "None";
  x.nargs = spec.nargs > 0 ? spec.nargs - 1 : 0;
  for (int i = 0; i < x.nargs && i < 4; ++i) {
    x.arg_names[i] = spec.args[static_cast<size_t>(i) + 1];
    x.arg_values[i] = e.args[i];
  }
  return x;
}

}  // namespace cancelflow
