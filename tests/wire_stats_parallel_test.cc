// The parallel fast wire pass (`stats`) against the exact sequential pass, on
// every committed trace and bad input: the committed version corpus and
// examples (valid, several generations), Go's FuzzReader inputs, our bad-input
// seeds and the 1069 fuzzer-found inputs (most of them broken, so the
// window fallback and every error path are exercised). Same counts, same
// error (code, offset, generation, message), for several thread counts and
// window sizes, including windows smaller than a batch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/trace_buffer.h"
#include "wire/wire_stats.h"

namespace cancelflow {
namespace {

std::vector<std::filesystem::path> Inputs() {
  const std::filesystem::path root(CANCELFLOW_SOURCE_DIR);
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"tests/corpus/traces", "examples/traces", "tests/upstream/x-exp/fuzz-bin", "fuzz/corpus/reader",
                          "fuzz/corpus/reader-found"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir, ec))
      if (e.is_regular_file() && e.path().extension() != ".md" && e.path().extension() != ".txt")
        files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(WireStatsParallel, MatchesExactPassOnEveryInput) {
  const auto files = Inputs();
  ASSERT_GE(files.size(), 1000u);  // the corpora are committed; fewer would make this vacuous
  size_t with_error = 0, valid_multi_window = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    auto buf = TraceBuffer::Open(path.string());
    ASSERT_TRUE(buf.has_value());
    auto exact = wire::ComputeWireStats(*buf, {.exact = true});
    for (const wire::WireStatsOptions opts : {wire::WireStatsOptions{.threads = 1},
                                              wire::WireStatsOptions{.threads = 2},
                                              wire::WireStatsOptions{.threads = 3, .window_bytes = 4096},
                                              wire::WireStatsOptions{.threads = 4, .window_bytes = 1}}) {
      auto fast = wire::ComputeWireStats(*buf, opts);
      ASSERT_EQ(exact.has_value(), fast.has_value()) << "threads " << opts.threads;
      if (!exact) {
        EXPECT_EQ(exact.error().ToString(), fast.error().ToString());
        continue;
      }
      EXPECT_TRUE(wire::SameWireStats(*exact, *fast))
          << "threads " << opts.threads << " window " << opts.window_bytes << ": " << fast->events << " events vs "
          << exact->events << "; error " << (fast->error ? fast->error->ToString() : "none") << " vs "
          << (exact->error ? exact->error->ToString() : "none");
    }
    if (exact && exact->error) ++with_error;
    if (exact && !exact->error && buf->size() > 3 * 4096) ++valid_multi_window;
  }
  // Both sides of the comparison are exercised.
  EXPECT_GE(with_error, 500u);
  EXPECT_GE(valid_multi_window, 5u);
}

}  // namespace
}  // namespace cancelflow
