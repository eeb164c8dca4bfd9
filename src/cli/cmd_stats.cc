// `cancelflow stats`: the fastest full pass over a trace. Prints the trace
// version, generations, batches and per-event-type counts and bytes (the
// wire pass, which checks the trace's structure: batches, event encoding,
// generations, duplicate string/stack ids). Per-M batches are decoded on
// --threads threads; the output does not depend on the thread count.
//
// With --ordered it also runs the reference's ReadEvent loop (the full
// ordering pass, which also checks the scheduling semantics) and prints its
// counts by kind. The two passes are independent reads of the same mmapped
// buffer: the wire pass runs on other threads while this one orders, so wall
// time is max(wire, ordered). The output is the same as running them one
// after the other (the ordered pass's result is discarded when the wire pass
// fails).
#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "base/parallel.h"
#include "base/trace_buffer.h"
#include "cancelflow/reader.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "wire/wire_stats.h"

namespace cancelflow::cli {

namespace {

// The ordered pass: the reference's ReadEvent loop, counting events by kind.
struct OrderedPass {
  std::optional<Reader> reader;
  std::optional<Error> open_error;
  std::array<uint64_t, 16> by_kind{};
  uint64_t ordered = 0;
  std::optional<Error> error;
  double secs = 0;
};

OrderedPass RunOrderedPass(const TraceBuffer& buf) {
  OrderedPass r;
  auto opened = Reader::Open(buf);
  if (!opened) {
    r.open_error = opened.error();
    return r;
  }
  r.reader.emplace(std::move(*opened));
  const auto t0 = std::chrono::steady_clock::now();
  r.error = r.reader->ForEachEvent([&](const Event& e) {
    ++r.by_kind[static_cast<size_t>(e.kind) & 15];
    ++r.ordered;
  });
  r.secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

int RunStats(const StatsOptions& opts) {
  auto buf = TraceBuffer::Open(opts.path);
  if (!buf) {
    PrintError(buf.error().message);
    return kExitError;
  }
  const int threads = opts.threads > 0 ? opts.threads : DefaultThreads();
  std::optional<Result<wire::WireStats>> wire_result;
  std::optional<OrderedPass> ord;
  if (opts.ordered) {
    // The ordering pass is one thread; the wire pass gets the others.
    std::thread wire_thread([&] { wire_result.emplace(wire::ComputeWireStats(*buf, {.threads = std::max(1, threads - 1)})); });
    ord.emplace(RunOrderedPass(*buf));
    wire_thread.join();
  } else {
    wire_result.emplace(wire::ComputeWireStats(*buf, {.threads = threads}));
  }
  auto& st = *wire_result;
  if (!st) {
    PrintError(st.error().ToString());
    return kExitError;
  }
  Output out;
  auto& o = out.buf();
  auto it = std::back_inserter(o);
  fmt::format_to(it, "trace:        {} ({} bytes, go 1.{} trace, written by {})\n", opts.path, st->file_bytes,
                 static_cast<uint32_t>(st->version), wire::VersionGoReleases(st->version));
  fmt::format_to(it, "generations:  {}\n", st->generations);
  fmt::format_to(it, "batches:      {} ({} experimental, {} bytes skipped)\n", st->batches,
                 st->experimental_batches, st->experimental_bytes);
  fmt::format_to(it, "events:       {}\n", st->events);
  std::vector<int> types;
  for (int t = 0; t < 256; ++t)
    if (st->by_type[static_cast<size_t>(t)].count > 0) types.push_back(t);
  std::stable_sort(types.begin(), types.end(), [&](int a, int b) {
    return st->by_type[static_cast<size_t>(a)].wire_bytes > st->by_type[static_cast<size_t>(b)].wire_bytes;
  });
  fmt::format_to(it, "\n{:<22} {:>12} {:>7} {:>12} {:>7}\n", "event", "bytes", "%", "count", "%");
  const double total_bytes = static_cast<double>(std::max<uint64_t>(st->file_bytes, 1));
  const double total_events = static_cast<double>(std::max<uint64_t>(st->events, 1));
  for (int t : types) {
    const auto& s = st->by_type[static_cast<size_t>(t)];
    fmt::format_to(it, "{:<22} {:>12} {:>6.2f}% {:>12} {:>6.2f}%\n", wire::Spec(static_cast<uint8_t>(t)).name,
                   s.wire_bytes, 100.0 * static_cast<double>(s.wire_bytes) / total_bytes, s.count,
                   100.0 * static_cast<double>(s.count) / total_events);
  }
  if (st->error) {
    out.Flush();
    PrintError(st->error->ToString());
    return kExitError;
  }

  if (!ord) return kExitOk;
  if (!ord->reader) {
    out.Flush();
    PrintError(ord->open_error->ToString());
    return kExitError;
  }
  Reader* reader = &*ord->reader;
  const auto& by_kind = ord->by_kind;
  const uint64_t ordered = ord->ordered;
  const double secs = ord->secs;
  std::optional<Error>& order_error = ord->error;
  const auto& c = reader->counters();
  fmt::format_to(it, "\nordered:      {} events in {} generations ({} complete), {:.3f} s, {:.0f} events/s, {:.1f} MB/s\n",
                 ordered, c.generations, reader->generations_completed(), secs,
                 secs > 0 ? static_cast<double>(ordered) / secs : 0.0,
                 secs > 0 ? static_cast<double>(st->file_bytes) / secs / 1e6 : 0.0);
  fmt::format_to(it, "ordering:     {} not-yet retries, {} CPU samples, {} strings, {} frames, {} stacks interned\n",
                 c.not_yet, c.cpu_samples, reader->strings().size(), reader->stacks().num_frames(),
                 reader->stacks().num_stacks());
  fmt::format_to(it, "\n{:<22} {:>12} {:>7}\n", "kind", "count", "%");
  const double total_ordered = static_cast<double>(std::max<uint64_t>(ordered, 1));
  for (size_t k = 0; k < by_kind.size(); ++k) {
    if (by_kind[k] == 0) continue;
    fmt::format_to(it, "{:<22} {:>12} {:>6.2f}%\n", EventKindName(static_cast<EventKind>(k)), by_kind[k],
                   100.0 * static_cast<double>(by_kind[k]) / total_ordered);
  }
  if (order_error) {
    out.Flush();
    PrintError(order_error->ToString());
    return reader->generations_completed() > 0 ? kExitPartial : kExitError;
  }
  return kExitOk;
}

}  // namespace cancelflow::cli
