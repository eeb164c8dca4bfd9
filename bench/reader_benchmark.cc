// Micro-benchmarks of the wire pass (`stats`), the ordered reader and the
// analysis pass over a real trace: $CF_BENCH_TRACE (e.g. a stress trace from
// bench/compare.sh), else a small corpus trace. Items/s = events per second
// (wire events for BM_WireStats, ordered events for the others). Wall-clock
// (real) time for the multi-threaded ones.
// Run: build/release/bench/reader_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"
#include "wire/wire_stats.h"

namespace cancelflow {
namespace {

const TraceBuffer& Trace() {
  static const TraceBuffer buf = [] {
    const char* env = std::getenv("CF_BENCH_TRACE");
    auto b = TraceBuffer::Open(env != nullptr ? env : CF_BENCH_DEFAULT_TRACE);
    if (!b) std::abort();
    return std::move(*b);
  }();
  return buf;
}

void BM_OrderedPass(benchmark::State& state) {
  int64_t events = 0;
  for (auto _ : state) {
    auto r = Reader::Open(Trace());
    if (!r) std::abort();
    Event e;
    for (;;) {
      auto more = r->Next(&e);
      if (!more || !*more) break;
      ++events;
    }
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Trace().size()));
}
BENCHMARK(BM_OrderedPass)->Unit(benchmark::kMillisecond);

// The same events through Reader::NextBatch (Reader::ForEachEvent), as
// `stats --ordered` and `analyze --threads 1` read them.
void BM_OrderedPassBatch(benchmark::State& state) {
  int64_t n = 0;
  for (auto _ : state) {
    auto r = Reader::Open(Trace());
    if (!r) std::abort();
    (void)r->ForEachEvent([&](const Event&) { ++n; });
  }
  state.SetItemsProcessed(n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Trace().size()));
}
BENCHMARK(BM_OrderedPassBatch)->Unit(benchmark::kMillisecond);

// `stats`: the wire pass on 1, 2 and 4 threads (the fast path), and the exact
// sequential pass it is tested against.
void BM_WireStats(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  int64_t events = 0;
  for (auto _ : state) {
    auto st = threads == 0 ? wire::ComputeWireStats(Trace(), {.exact = true})
                           : wire::ComputeWireStats(Trace(), {.threads = threads});
    if (!st) std::abort();
    events += static_cast<int64_t>(st->events);
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Trace().size()));
}
BENCHMARK(BM_WireStats)->ArgName("threads")->Arg(0)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Analyze(benchmark::State& state) {
  for (auto _ : state) {
    auto a = Analyze(Trace(), AnalysisOptions{}, {});
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Trace().size()));
}
BENCHMARK(BM_Analyze)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cancelflow

BENCHMARK_MAIN();
