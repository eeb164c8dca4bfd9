// Micro-benchmarks of the wire layer: varint decoding (one-byte fast path and
// long varints) and scanning a synthetic trace as flat events and as batches.
// Run: build/release/bench/wire_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "base/byte_cursor.h"
#include "base/trace_buffer.h"
#include "wire/batch.h"
#include "wire/raw_reader.h"

namespace cancelflow {
namespace {

std::vector<uint8_t> EncodeMany(uint64_t max, size_t n) {
  std::mt19937_64 rng(42);
  std::vector<uint8_t> out;
  uint8_t buf[10];
  for (size_t i = 0; i < n; ++i) {
    int len = EncodeUvarint(rng() % max, buf);
    out.insert(out.end(), buf, buf + len);
  }
  return out;
}

void BM_Varint(benchmark::State& state) {
  const auto bytes = EncodeMany(static_cast<uint64_t>(state.range(0)), 1 << 16);
  for (auto _ : state) {
    ByteCursor c(bytes.data(), bytes.data() + bytes.size());
    uint64_t sum = 0;
    while (!c.AtEnd()) sum += c.ReadUvarint();
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * (1 << 16));
}
BENCHMARK(BM_Varint)->Arg(128)->Arg(1 << 14)->Arg(1 << 30)->ArgName("max");

// A synthetic trace: `batches` per-M batches of ~64 KiB of typical events.
std::string SyntheticTrace(int batches) {
  std::string t = "go 1.26 trace";
  t.append(3, '\0');
  std::mt19937_64 rng(7);
  uint8_t buf[10];
  auto put = [&](std::string* s, uint64_t v) {
    int n = EncodeUvarint(v, buf);
    s->append(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  };
  for (int b = 0; b < batches; ++b) {
    std::string payload;
    while (payload.size() < 60000) {
      switch (rng() % 4) {
        case 0: payload.push_back(16); put(&payload, rng() % 200); put(&payload, rng() % 5000); put(&payload, rng() % 100); break;
        case 1: payload.push_back(20); put(&payload, rng() % 200); put(&payload, rng() % 20); put(&payload, rng() % 3000); break;
        case 2: payload.push_back(21); put(&payload, rng() % 200); put(&payload, rng() % 5000); put(&payload, rng() % 100); put(&payload, rng() % 3000); break;
        default: payload.push_back(37); put(&payload, rng() % 200); put(&payload, rng() % (1ull << 30)); break;
      }
    }
    t.push_back(1);
    put(&t, 1);
    put(&t, 100 + static_cast<uint64_t>(b % 8));
    put(&t, 1000);
    put(&t, payload.size());
    t += payload;
  }
  return t;
}

void BM_RawReaderScan(benchmark::State& state) {
  TraceBuffer buf = TraceBuffer::FromBytes(SyntheticTrace(64));
  int64_t events = 0;
  for (auto _ : state) {
    auto r = wire::RawReader::Open(buf);
    wire::RawEvent ev;
    while (r->Next(&ev).value_or(false)) ++events;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_RawReaderScan);

void BM_BatchScan(benchmark::State& state) {
  TraceBuffer buf = TraceBuffer::FromBytes(SyntheticTrace(64));
  for (auto _ : state) {
    auto s = wire::BatchScanner::Open(buf);
    wire::Batch b;
    int n = 0;
    while (s->Next(&b).value_or(false)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_BatchScan);

}  // namespace
}  // namespace cancelflow

BENCHMARK_MAIN();
