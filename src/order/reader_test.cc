// Unit tests of the ordering stage on hand-built traces (Go's raw text
// format, go122-* style), timestamp conversion, the frontier heap, Go's sort,
// the interning pools and the Go-compatible formatting.
// GCC 12 at -O3 reports a bogus -Wrestrict inside std::string's operator+
// (GCC bug 105329); these tests build text traces by concatenation.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/go_sort.h"
#include "base/trace_buffer.h"
#include "cancelflow/reader.h"
#include "order/batch_cursor.h"
#include "order/go_parsed_format.h"
#include "wire/event_spec.h"
#include "wire/generation.h"
#include "wire/text_format.h"

namespace cancelflow {
namespace {

struct ReadRun {
  std::vector<Event> events;
  std::string parsed;  // go-parsed text
  bool ok = false;
  Error error;
  uint64_t completed = 0;
};

ReadRun ReadText(const std::string& text) {
  ReadRun run;
  auto bytes = wire::TextToBinary(text);
  EXPECT_TRUE(bytes) << bytes.error().ToString();
  if (!bytes) return run;
  TraceBuffer buf = TraceBuffer::FromBytes(*bytes);
  auto r = Reader::Open(buf);
  EXPECT_TRUE(r);
  if (!r) return run;
  Event ev;
  for (;;) {
    auto more = r->Next(&ev);
    if (!more) {
      run.error = more.error();
      run.completed = r->generations_completed();
      return run;
    }
    if (!*more) break;
    run.events.push_back(ev);
    order::AppendGoParsedLine(ev, *r, &run.parsed);
  }
  run.completed = r->generations_completed();
  run.ok = true;
  return run;
}

// One batch in raw text form, with its size computed from the content.
std::string B(int gen, uint64_t m, int time, const std::string& content) {
  auto bytes = wire::TextToBinary("Trace Go1.26\n" + content);
  EXPECT_TRUE(bytes) << bytes.error().ToString() << "\n" << content;
  const size_t size = bytes ? bytes->size() - 16 : 0;
  return "EventBatch gen=" + std::to_string(gen) + " m=" + std::to_string(m) + " time=" + std::to_string(time) +
         " size=" + std::to_string(size) + "\n" + content;
}
constexpr uint64_t kNoM = ~uint64_t{0};

// A generation prologue for Go 1.22 traces: frequency 1 GHz, no strings/stacks.
std::string Gen122(int gen) {
  return B(gen, kNoM, 0, "Frequency freq=1000000000\n");
}

// ---- ordering: "not yet" is retried, "broken" stops ------------------------

TEST(Ordering, GoStartWaitsForCreateOnAnotherM) {
  // M 2's GoStart has the earlier timestamp but its goroutine is created on
  // M 1 later: ordering must deliver GoCreate first.
  const std::string text = "Trace Go1.22\n" + Gen122(1) +
                           B(1, 1, 10,
                             "ProcStatus dt=1 p=0 pstatus=1\n"
                             "GoStatus dt=1 g=1 m=1 gstatus=2\n"
                             "GoCreate dt=10 new_g=5 new_stack=0 stack=0\n") +
                           B(1, 2, 5,
                             "ProcStatus dt=1 p=1 pstatus=1\n"
                             "GoStart dt=1 g=5 g_seq=1\n"
                             "GoStop dt=1 reason_string=0 stack=0\n");
  ReadRun run = ReadText(text);
  ASSERT_TRUE(run.ok) << run.error.ToString();
  std::vector<uint8_t> types;
  for (const Event& e : run.events) types.push_back(e.type);
  const std::vector<uint8_t> want = {kSyncEventType, wire::kProcStatus, wire::kProcStatus, wire::kGoStatus,
                                     wire::kGoCreate, wire::kGoStart, wire::kGoStop, kSyncEventType};
  EXPECT_EQ(types, want) << run.parsed;
  // Output times are strictly increasing (+1 ns fix-up).
  for (size_t i = 1; i < run.events.size(); ++i) EXPECT_GT(run.events[i].time, run.events[i - 1].time);
}

TEST(Ordering, BadSequenceIsBrokenNotRetriedForever) {
  // GoStart with g_seq=2 can never advance: the reader reports a broken trace
  // (kBrokenOrder) after delivering everything that could be ordered.
  const std::string text = "Trace Go1.22\n" + Gen122(1) +
                           B(1, 1, 10,
                             "ProcStatus dt=1 p=0 pstatus=1\n"
                             "GoStatus dt=1 g=7 m=18446744073709551615 gstatus=1\n"
                             "GoStart dt=1 g=7 g_seq=2\n");
  ReadRun run = ReadText(text);
  ASSERT_FALSE(run.ok);
  EXPECT_EQ(run.error.code, ErrorCode::kBrokenOrder);
  EXPECT_NE(run.error.message.find("failed to advance"), std::string::npos) << run.error.message;
  EXPECT_EQ(run.error.generation, 1u);
  ASSERT_GE(run.events.size(), 3u);  // Sync, ProcStatus, GoStatus
  EXPECT_EQ(run.events.back().type, wire::kGoStatus);
  EXPECT_EQ(run.completed, 0u);
}

TEST(Ordering, ContextViolationIsAnError) {
  // GoStop without a running goroutine: "expected a goroutine but didn't have one".
  const std::string text = "Trace Go1.22\n" + Gen122(1) +
                           B(1, 1, 10,
                             "ProcStatus dt=1 p=0 pstatus=1\n"
                             "GoStop dt=1 reason_string=0 stack=0\n");
  ReadRun run = ReadText(text);
  ASSERT_FALSE(run.ok);
  EXPECT_EQ(run.error.code, ErrorCode::kBrokenOrder);
  EXPECT_NE(run.error.message.find("expected a goroutine"), std::string::npos) << run.error.message;
}

TEST(Ordering, GoSwitchQueuesThreeEvents) {
  // Mirrors advanceGoSwitch: GoSwitch (unblock of g 3), synthetic GoBlock of
  // the current goroutine, synthetic GoStart of g 3, all at the same time.
  const std::string text = "Trace Go1.23\n" + Gen122(1) +
                           B(1, 1, 10,
                             "ProcStatus dt=1 p=0 pstatus=1\n"
                             "GoStatus dt=1 g=1 m=1 gstatus=2\n"
                             "GoStatus dt=1 g=3 m=18446744073709551615 gstatus=4\n"
                             "GoSwitch dt=1 g=3 g_seq=1\n");
  ReadRun run = ReadText(text);
  ASSERT_TRUE(run.ok) << run.error.ToString();
  ASSERT_EQ(run.events.size(), 8u) << run.parsed;
  EXPECT_EQ(run.events[4].type, wire::kGoSwitch);
  EXPECT_EQ(run.events[5].type, wire::kGoBlock);
  EXPECT_EQ(run.events[6].type, wire::kGoStart);
  EXPECT_EQ(run.events[6].goroutine, kNoGoroutine);
  const StateTransition st = GetStateTransition(run.events[4]);
  EXPECT_EQ(st.resource.id, 3);
  EXPECT_EQ(st.go_from(), GoState::kWaiting);
  EXPECT_EQ(st.go_to(), GoState::kRunnable);
  EXPECT_EQ(GetStateTransition(run.events[6]).go_to(), GoState::kRunning);
}

TEST(Ordering, TaskEndCarriesNameAcrossGenerations) {
  // The task begins in generation 1 and ends in generation 2, whose string
  // table does not have the name: TaskEnd still reports the type (global id).
  const std::string text =
      "Trace Go1.22\n" + Gen122(1) + B(1, kNoM, 0, "Strings\nString id=1\n\tdata=\"job\"\n") +
      B(1, 1, 10,
        "ProcStatus dt=1 p=0 pstatus=1\n"
        "GoStatus dt=1 g=1 m=1 gstatus=2\n"
        "UserTaskBegin dt=1 task=9 parent_task=0 name_string=1 stack=0\n") +
      Gen122(2) +
      B(2, 1, 20,
        "ProcStatus dt=1 p=0 pstatus=1\n"
        "GoStatus dt=1 g=1 m=1 gstatus=2\n"
        "UserTaskEnd dt=1 task=9 stack=0\n");
  ReadRun run = ReadText(text);
  ASSERT_TRUE(run.ok) << run.error.ToString();
  EXPECT_NE(run.parsed.find("TaskBegin Time=13 ID=9 Parent=18446744073709551615 Type=\"job\""), std::string::npos)
      << run.parsed;
  EXPECT_NE(run.parsed.find("TaskEnd Time=23 ID=9 Parent=18446744073709551615 Type=\"job\""), std::string::npos)
      << run.parsed;
}

// ---- truncation -------------------------------------------------------------

std::string Gen126(int gen, int base) {
  return B(gen, kNoM, base, "Sync\nFrequency freq=1000000000\nClockSnapshot dt=1 mono=99 sec=1740755049 nsec=123\n") +
         B(gen, 1, base + 5, "ProcStatus dt=1 p=0 pstatus=1\n");
}

TEST(Truncation, Go126MissingEndOfGenerationIsDetected) {
  const std::string complete = "Trace Go1.26\n" + Gen126(1, 10) + "EndOfGeneration\n" + Gen126(2, 30) +
                               "EndOfGeneration\n";
  ReadRun ok = ReadText(complete);
  ASSERT_TRUE(ok.ok) << ok.error.ToString();
  EXPECT_EQ(ok.completed, 2u);

  const std::string truncated = "Trace Go1.26\n" + Gen126(1, 10) + "EndOfGeneration\n" + Gen126(2, 30);
  ReadRun run = ReadText(truncated);
  ASSERT_FALSE(run.ok);
  EXPECT_EQ(run.error.code, ErrorCode::kTruncated);
  EXPECT_EQ(run.error.generation, 2u);
  EXPECT_EQ(run.completed, 1u);  // generation 1 was delivered completely
  // Gen 1: Sync, ProcStatus; then the Sync Go emits before the error.
  ASSERT_EQ(run.events.size(), 3u) << run.parsed;
  EXPECT_EQ(run.events.back().type, kSyncEventType);
  EXPECT_NE(run.error.ToString().find("generation 2"), std::string::npos);
}

// ---- timestamps ---------------------------------------------------------------

TEST(Timestamps, ConversionIsGoExact) {
  wire::Frequency f;
  f.Set(1.0 / (15625000.0 / 1e9));  // Linux: 64 ns per tick
  EXPECT_EQ(f.shift, 6);
  EXPECT_EQ(f.Mul(1), 64);
  EXPECT_EQ(f.Mul(40974283943602ULL), 2622354172390528LL);
  // The shift fast path and the float path agree below 2^53, and above it the
  // float path (where float64(t) rounds) is taken.
  wire::Frequency slow;
  slow.ns_per_tick = f.ns_per_tick;  // shift -1: always the float path
  for (uint64_t t : {uint64_t{0}, uint64_t{12345}, (uint64_t{1} << 53) - 1, uint64_t{1} << 53,
                     (uint64_t{1} << 53) + 1, (uint64_t{1} << 57) + 3, (uint64_t{1} << 60) + 1, ~uint64_t{0}}) {
    EXPECT_EQ(f.Mul(t), slow.Mul(t)) << t;
  }
  EXPECT_EQ(f.Mul((uint64_t{1} << 53) + 1), static_cast<int64_t>(uint64_t{1} << 59));  // rounded like Go
  f.Set(1.0 / (3.0 / 1e9));  // truncation toward zero per conversion
  EXPECT_EQ(f.shift, -1);
  EXPECT_EQ(f.Mul(1), 333333333);
  EXPECT_EQ(f.Mul(2), 666666666);
  EXPECT_EQ(wire::GoFloat64ToInt64(1e300), INT64_MIN);  // amd64 CVTTSD2SQ
  EXPECT_EQ(wire::GoFloat64ToInt64(-1.9), -1);
}

// ---- frontier heap ------------------------------------------------------------

TEST(Heap, TiesFollowGoHeapOrder) {
  order::BatchCursor c[4];
  const int64_t times[4] = {5, 3, 3, 1};
  order::Frontier h;
  for (int i = 0; i < 4; ++i) {
    c[i].ev.time = times[i];
    order::HeapInsert(&h, &c[i]);
  }
  // Computed by hand from batchcursor.go heapInsert/heapSiftUp.
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0], &c[3]);
  EXPECT_EQ(h[1], &c[1]);
  EXPECT_EQ(h[2], &c[2]);
  EXPECT_EQ(h[3], &c[0]);
  order::HeapRemove(&h, 0);
  EXPECT_EQ(h[0], &c[1]);  // the first-inserted of the tied cursors
  c[1].ev.time = 9;
  order::HeapUpdate(&h, 0);
  EXPECT_EQ(h[0], &c[2]);
}

TEST(GoSort, SortsLikeSlicesSortFunc) {
  std::mt19937 rng(1);
  for (int n : {0, 1, 5, 12, 13, 50, 51, 200, 5000}) {
    std::vector<int> v(static_cast<size_t>(n));
    for (int& x : v) x = static_cast<int>(rng() % 20);
    GoSortFunc(v.data(), v.size(), [](int a, int b) { return a < b; });
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end())) << n;
  }
  // Insertion sort (n <= 12) is stable: ties keep their order.
  std::vector<std::pair<int, int>> p = {{2, 0}, {1, 1}, {2, 2}, {1, 3}};
  GoSortFunc(p.data(), p.size(), [](auto a, auto b) { return a.first < b.first; });
  EXPECT_EQ(p, (std::vector<std::pair<int, int>>{{1, 1}, {1, 3}, {2, 0}, {2, 2}}));
}

// ---- interning ---------------------------------------------------------------

TEST(Pools, InterningIsExact) {
  StringPool s;
  EXPECT_EQ(s.Intern(""), kEmptyString);
  const StringId a = s.Intern("main.main");
  const StringId b = s.Intern(std::string("main.") + "main");
  EXPECT_EQ(a, b);
  EXPECT_NE(s.Intern("main.mai"), a);
  EXPECT_EQ(s.Get(a), "main.main");
  for (int i = 0; i < 10000; ++i) s.Intern("s" + std::to_string(i));  // rehashes keep views valid
  EXPECT_EQ(s.Get(a), "main.main");
  EXPECT_EQ(s.Intern("s77"), s.Intern("s77"));

  StackPool st;
  const FrameId f1 = st.InternFrame(Frame{0x10, a, s.Intern("a.go"), 3});
  const FrameId f2 = st.InternFrame(Frame{0x20, a, s.Intern("a.go"), 4});
  EXPECT_EQ(st.InternFrame(Frame{0x10, a, s.Intern("a.go"), 3}), f1);
  const FrameId fs1[] = {f1, f2};
  const FrameId fs2[] = {f2, f1};
  const StackId k1 = st.InternStack(fs1);
  EXPECT_EQ(st.InternStack(fs1), k1);
  EXPECT_NE(st.InternStack(fs2), k1);
  EXPECT_EQ(st.InternStack({}), kNoStack);
  ASSERT_EQ(st.Frames(k1).size(), 2u);
  EXPECT_EQ(st.GetFrame(st.Frames(k1)[1]).pc, 0x20u);
}

TEST(Pools, StacksAreSharedAcrossGenerations) {
  // The same stack under different per-generation ids (1, then 5) gets one
  // global StackId; string ids differ per generation too.
  auto gen = [&](int g, int sid, int s1, int s2) {
    const std::string id = std::to_string(sid);
    return Gen122(g) +
           B(g, kNoM, 0,
             "Strings\nString id=" + std::to_string(s1) + "\n\tdata=\"main.f\"\nString id=" + std::to_string(s2) +
                 "\n\tdata=\"f.go\"\n") +
           B(g, kNoM, 0,
             "Stacks\nStack id=" + id + " nframes=1\n\tpc=4096 func=" + std::to_string(s1) +
                 " file=" + std::to_string(s2) + " line=7\n") +
           B(g, 1, 10 * g,
             std::string("ProcStatus dt=1 p=0 pstatus=1\n") +
                 (g == 1 ? "GoStatus dt=1 g=1 m=1 gstatus=2\n"
                         : "GoStatus dt=1 g=1 m=18446744073709551615 gstatus=4\n"
                           "GoUnblock dt=1 g=1 g_seq=1 stack=0\nGoStart dt=1 g=1 g_seq=2\n") +
                 "GoBlock dt=1 reason_string=0 stack=" + id + "\n");
  };
  ReadRun run = ReadText("Trace Go1.22\n" + gen(1, 1, 1, 2) + gen(2, 5, 3, 4));
  ASSERT_TRUE(run.ok) << run.error.ToString();
  std::vector<StackId> stacks;
  for (const Event& e : run.events)
    if (e.type == wire::kGoBlock) stacks.push_back(e.stack);
  ASSERT_EQ(stacks.size(), 2u) << run.parsed;
  EXPECT_NE(stacks[0], kNoStack);
  EXPECT_EQ(stacks[0], stacks[1]);
  EXPECT_NE(run.parsed.find("Stack=\n\tmain.f @ 0x1000\n\t\tf.go:7\n"), std::string::npos) << run.parsed;
}

// ---- formatting ----------------------------------------------------------------

TEST(Format, RFC3339NanoLikeGo) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "UTC", 1);
  tzset();
  std::string s;
  order::AppendRFC3339Nano(1740755049, 123, &s);
  EXPECT_EQ(s, "2025-02-28T15:04:09.000000123Z");
  s.clear();
  order::AppendRFC3339Nano(1740755049, 0, &s);
  EXPECT_EQ(s, "2025-02-28T15:04:09Z");
  s.clear();
  order::AppendRFC3339Nano(-1, 1500000000, &s);
  EXPECT_EQ(s, "1970-01-01T00:00:00.5Z");
  setenv("TZ", "Asia/Kolkata", 1);
  tzset();
  s.clear();
  order::AppendRFC3339Nano(1740755049, 120000000, &s);
  EXPECT_EQ(s, "2025-02-28T20:34:09.12+05:30");
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

}  // namespace
}  // namespace cancelflow
