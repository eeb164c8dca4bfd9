// Micro-benchmarks of the ordered reader and the analysis pass over a real
// trace: $CF_BENCH_TRACE (e.g. a stress trace from bench/compare.sh), else a
// small corpus trace. Items/s = ordered events per second.
// Run: build/release/bench/reader_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"

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

void BM_Analyze(benchmark::State& state) {
  for (auto _ : state) {
    auto a = Analyze(Trace(), AnalysisOptions{}, {});
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Trace().size()));
}
BENCHMARK(BM_Analyze)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cancelflow

BENCHMARK_MAIN();
