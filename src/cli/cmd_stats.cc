// `cancelflow stats`: the fastest full pass over a trace. Prints the trace
// version, generations, batches and per-event-type counts and bytes.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/trace_buffer.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "wire/wire_stats.h"

namespace cancelflow::cli {

int RunStats(const StatsOptions& opts) {
  auto buf = TraceBuffer::Open(opts.path);
  if (!buf) {
    PrintError(buf.error().message);
    return kExitError;
  }
  auto st = wire::ComputeWireStats(*buf);
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
  return kExitOk;
}

}  // namespace cancelflow::cli
