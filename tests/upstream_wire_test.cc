// Go's upstream text-format corpus (trace/testdata/tests/*.test from the
// golang.org/x/exp module, committed under tests/upstream/x-exp): every file
// converts to bytes with our raw text reader, and the wire layer (flat raw
// events and batch scanning) reads every one of them to a clean end.
// Whether a trace is *valid* (the SUCCESS/FAILURE verdict) is the ordering
// layer's job and is tested there.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/trace_buffer.h"
#include "wire/batch.h"
#include "wire/raw_reader.h"
#include "wire/text_format.h"

namespace cancelflow {
namespace {

std::filesystem::path CorpusDir() { return std::filesystem::path(CANCELFLOW_SOURCE_DIR) / "tests/upstream/x-exp/tests"; }

std::vector<std::filesystem::path> TestFiles() {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir(), ec))
    if (e.path().extension() == ".test") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(UpstreamCorpus, IsPresent) {
  // The corpus is committed; an empty directory would make the test below vacuous.
  EXPECT_GE(TestFiles().size(), 20u) << CorpusDir();
}

TEST(UpstreamCorpus, WireLayerReadsEveryTestFile) {
  for (const auto& path : TestFiles()) {
    SCOPED_TRACE(path.filename().string());
    auto loaded = wire::LoadGoTestFile(path.string());
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    TraceBuffer buf = TraceBuffer::FromBytes(loaded->bytes);

    auto raw = wire::RawReader::Open(buf);
    ASSERT_TRUE(raw.has_value()) << raw.error().ToString();
    wire::RawEvent ev;
    size_t events = 0;
    for (;;) {
      auto more = raw->Next(&ev);
      ASSERT_TRUE(more.has_value()) << more.error().ToString();
      if (!*more) break;
      ++events;
    }
    EXPECT_GT(events, 0u);

    // Batch structure: every SUCCESS trace scans cleanly. (One FAILURE trace,
    // go122-fail-first-gen-first, ends in a batch whose data is missing; Go
    // defers that error until the previous generation is consumed.)
    auto scanner = wire::BatchScanner::Open(buf);
    ASSERT_TRUE(scanner.has_value());
    wire::Batch b;
    size_t batches = 0;
    for (;;) {
      auto more = scanner->Next(&b);
      if (!more) {
        EXPECT_TRUE(loaded->test.expect_failure) << more.error().ToString();
        break;
      }
      if (!*more) break;
      ++batches;
    }
    EXPECT_GT(batches, 0u);
  }
}

}  // namespace
}  // namespace cancelflow
