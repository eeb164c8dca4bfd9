// Analyze's two-thread pipeline (the reader orders on one thread, the other
// resolves stack and string ids and builds the model: Reader::IdResolution::
// kDeferred + Reader::ResolveIds) must give exactly what the one-thread path
// gives (ids resolved inside Reader::NextBatch): the same JSON document,
// including the error, its byte offset and generation, and the partial
// results before it. Checked on every committed trace, every bad input of
// the fuzz corpora and Go's upstream .test traces, and on traces with an
// invalid stack or string id placed after many events (so the failing event
// is chunks away from the start and generations follow it).
#include <gtest/gtest.h>

#include "analysis_test_util.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "wire/text_format.h"

namespace cancelflow {
namespace {

using analysistest::SourceFiles;
using analysistest::TextBatch;

std::string Json(const TraceBuffer& buf, unsigned threads) {
  AnalysisOptions o;
  o.threads = threads;
  return analysistest::AnalysisJson(buf, o);
}

TEST(AnalysisPipeline, SameAsOneThreadOnEveryCorpusFile) {
  size_t n = 0, errors = 0;
  for (const auto& path : analysistest::CommittedTraces()) {
    SCOPED_TRACE(path.string());
    auto buf = TraceBuffer::Open(path.string());
    ASSERT_TRUE(buf.has_value());
    EXPECT_EQ(Json(*buf, 2), Json(*buf, 1));
    ++n;
  }
  // Fuzz inputs (the reader-found ones have no extension).
  for (const auto& path : SourceFiles({"fuzz/corpus/reader", "fuzz/corpus/reader-found", "tests/upstream/x-exp/fuzz-bin"}, "")) {
    SCOPED_TRACE(path.string());
    auto buf = TraceBuffer::Open(path.string());
    ASSERT_TRUE(buf.has_value());
    const std::string one = Json(*buf, 1);
    EXPECT_EQ(Json(*buf, 2), one);
    errors += one.find("\"partial\":true") != std::string::npos || one.rfind("error: ", 0) == 0;
    ++n;
  }
  for (const auto& path : SourceFiles({"tests/upstream/x-exp/tests"}, ".test")) {
    SCOPED_TRACE(path.string());
    auto loaded = wire::LoadGoTestFile(path.string());
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    const TraceBuffer buf = TraceBuffer::FromBytes(loaded->bytes);
    const std::string one = Json(buf, 1);
    EXPECT_EQ(Json(buf, 2), one);
    errors += loaded->test.expect_failure;
    if (loaded->test.expect_failure) {
      EXPECT_NE(one.find("\"partial\":true"), std::string::npos);
    }
    ++n;
  }
  EXPECT_GE(n, 1100u);
  EXPECT_GE(errors, 500u);  // most fuzz inputs are broken: the error paths are compared too
}

// A Go 1.22 generation in which goroutine 1 creates `creates` goroutines (in
// batches of 2000 events), then stops with `stop` as its GoStop line.
std::string Generation(int gen, int creates, int* next_g, const std::string& stop) {
  constexpr uint64_t kNoM = ~uint64_t{0};
  std::string s = TextBatch(gen, kNoM, 0, "Frequency freq=1000000000\n");
  s += TextBatch(gen, kNoM, 0, "Strings\nString id=1\n\tdata=\"chan receive\"\n");
  s += TextBatch(gen, kNoM, 0, "Stacks\nStack id=1 nframes=1\n\tpc=4198400 func=1 file=1 line=10\n");
  // Goroutine 1 runs on M 1 in generation 1; it ended every generation with
  // GoStop, so later ones find it runnable and start it again.
  std::string events = gen == 1 ? "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=2\n"
                                : "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=18446744073709551615 gstatus=1\n"
                                  "GoStart dt=1 g=1 g_seq=1\n";
  int time = 10 * gen;
  for (int i = 0; i < creates; ++i) {
    events += "GoCreate dt=1 new_g=" + std::to_string((*next_g)++) + " new_stack=1 stack=1\n";
    if (i % 2000 == 1999) {
      s += TextBatch(gen, 1, time, events);
      time += 2000 * 2;
      events.clear();
    }
  }
  events += stop;
  s += TextBatch(gen, 1, time, events);
  return s;
}

std::string Trace(const std::vector<std::string>& stops, int creates) {
  std::string s = "Trace Go1.22\n";
  int next_g = 100;
  for (size_t i = 0; i < stops.size(); ++i) s += Generation(static_cast<int>(i) + 1, creates, &next_g, stops[i]);
  return s;
}

TEST(AnalysisPipeline, InvalidIdsFailOnTheSameEventAsOneThread) {
  const std::string ok = "GoStop dt=1 reason_string=1 stack=1\n";
  const std::string bad_stack = "GoStop dt=1 reason_string=1 stack=7\n";
  const std::string bad_string = "GoStop dt=1 reason_string=9 stack=1\n";
  struct Case {
    const char* name;
    std::vector<std::string> stops;
    const char* message;
  };
  const Case cases[] = {
      {"valid", {ok, ok, ok}, nullptr},
      {"stack in gen 1 of 3", {bad_stack, ok, ok}, "found invalid stack ID 7 for event GoStop"},
      {"string in gen 2 of 4", {ok, bad_string, ok, ok}, "found invalid string ID 9 for event GoStop"},
      {"stack in the last gen", {ok, ok, bad_stack}, "found invalid stack ID 7 for event GoStop"},
      // The reader thread fails later on its own (a GoStart that can never
      // advance); the earlier id error is the one reported.
      {"stack, then broken order", {ok, bad_stack + "GoStart dt=1 g=1 g_seq=9\n", ok},
       "found invalid stack ID 7 for event GoStop"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // 150,000 events per generation: the bad event is in the third 65,536-event chunk.
    auto bytes = wire::TextToBinary(Trace(c.stops, 150'000));
    ASSERT_TRUE(bytes) << bytes.error().ToString();
    const TraceBuffer buf = TraceBuffer::FromBytes(*bytes);
    const std::string one = Json(buf, 1);
    EXPECT_EQ(Json(buf, 2), one);
    if (c.message == nullptr) {
      EXPECT_EQ(one.find("\"error\":{"), std::string::npos) << one.substr(0, 2000);
    } else {
      EXPECT_NE(one.find(c.message), std::string::npos) << one.substr(0, 2000);
      EXPECT_NE(one.find("\"partial\":true"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace cancelflow
