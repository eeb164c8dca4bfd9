// Lane shrinking: focus windows stay at full resolution while merging
// elsewhere can still meet the budget; past that, everything merges.
#include "report/timeline_spans.h"

#include <gtest/gtest.h>

namespace cancelflow::report {
namespace {

// n spans of 10 ns each, alternating running and blocked, from time 0.
std::vector<Span> Spans(int n) {
  std::vector<Span> s;
  for (int i = 0; i < n; ++i) s.push_back({i * 10, i * 10 + 10, 0, 1, i % 2 ? kBlocked : kRunning});
  return s;
}

void ExpectOrderedAndWhole(const std::vector<Span>& s, Time end, uint32_t raw) {
  uint32_t total = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_LE(s[i].begin, s[i].end);
    if (i > 0) {
      EXPECT_EQ(s[i - 1].end, s[i].begin);
    }
    total += s[i].merged;
  }
  EXPECT_EQ(s.front().begin, 0);
  EXPECT_EQ(s.back().end, end);
  EXPECT_EQ(total, raw);  // every raw span is accounted for
}

TEST(TimelineSpans, FocusWindowsStayWholeWhileElsewhereCanShrink) {
  std::vector<Span> s = Spans(100);
  const std::vector<Window> focus{{500, 540}};  // spans 49..54 touch it
  const uint64_t folded = MergeTo(&s, focus, 20);
  EXPECT_LE(s.size(), 20u);
  EXPECT_EQ(folded, 100u - s.size());
  ExpectOrderedAndWhole(s, 1000, 100);
  size_t near = 0;
  for (const Span& x : s) {
    if (x.end >= 500 && x.begin <= 540) {
      EXPECT_EQ(x.merged, 1u) << x.begin;
      ++near;
    }
  }
  EXPECT_GE(near, 4u);
  EXPECT_GT(s.front().merged, 1u);  // far from the window: merged
}

TEST(TimelineSpans, AllFocusStillMeetsTheCap) {
  std::vector<Span> s = Spans(64);
  MergeTo(&s, {{0, 1000}}, 8);
  EXPECT_LE(s.size(), 8u);
  ExpectOrderedAndWhole(s, 640, 64);
}

TEST(TimelineSpans, MergedSpanKeepsTheLongerHalf) {
  std::vector<Span> s{{0, 5, 0, 1, kRunning}, {5, 30, 7, 1, kBlocked}};
  MergePairs(&s, {}, false);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].state, kBlocked);
  EXPECT_EQ(s[0].reason, 7u);
  EXPECT_EQ(s[0].merged, 2u);
  EXPECT_EQ(s[0].begin, 0);
  EXPECT_EQ(s[0].end, 30);
}

// The one state-to-span mapping (HTML lanes, Perfetto slices): blocked spans
// carry the transition's reason and stack; runnable and gone open none.
TEST(TimelineSpans, SpanOfEachGoroutineState) {
  auto to = [](GoState s) {
    StateTransition st;
    st.resource = ResourceId{ResourceKind::kGoroutine, 1};
    st.from = static_cast<uint8_t>(GoState::kRunnable);
    st.to = static_cast<uint8_t>(s);
    st.reason = StringId(7);
    st.stack = StackId(9);
    return SpanOf(st);
  };
  EXPECT_EQ(to(GoState::kRunning).state, kRunning);
  EXPECT_EQ(to(GoState::kRunning).reason, StringId());
  EXPECT_EQ(to(GoState::kSyscall).state, kSyscall);
  const SpanStart blocked = to(GoState::kWaiting);
  EXPECT_EQ(blocked.state, kBlocked);
  EXPECT_EQ(blocked.reason, StringId(7));
  EXPECT_EQ(blocked.stack, StackId(9));
  EXPECT_EQ(to(GoState::kRunnable).state, kNone);
  EXPECT_EQ(to(GoState::kNotExist).state, kNone);
}

}  // namespace
}  // namespace cancelflow::report
