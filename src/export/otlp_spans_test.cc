#include "export/otlp_spans.h"

#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "export/otlp_encode.h"
#include "report/testing/sample_analysis.h"

namespace cancelflow::otlp {
namespace {

using report::testing::SampleAnalysis;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ULL;

GoroutineInfo G(int64_t id, const std::string& test, Time created, Time ended) {
  GoroutineInfo g;
  g.id = GoId{id};
  g.test = test;
  g.created = created;
  g.ended = ended;
  return g;
}

// The sample (report/testing/sample_analysis.h) with the findings'
// goroutines (7, 9) and a cancellation by goroutine 6 that woke 7 and 9.
Analysis Sample() {
  Analysis a = SampleAnalysis("/src/mod");
  const std::string odd = "TestBuggy_Send/odd<&>\"item\"";
  a.goroutines = {G(6, odd, 2'000'000, 200'000'000), G(7, odd, 3'000'000, -1), G(9, odd, 4'000'000, -1)};
  a.goroutines[1].blocked_since = 60'000'000;
  Cancellation c;
  c.kind = CancelKind::kDeadline;
  c.time = 50'000'000;
  c.canceler = GoId{6};
  c.cause = "context deadline exceeded";
  WokenGoroutine w7, w9;
  w7.goroutine = GoId{7};
  w7.unblocked = 50'000'000;
  w9.goroutine = GoId{9};
  w9.unblocked = 50'000'000;
  w9.responded = 50'400'000;
  c.woken = {w7, w9};
  a.cancellations.push_back(c);
  a.findings[2].goroutines.clear();  // the note: a context finding, outside every test
  a.quality.events = 1234;
  a.quality.bytes = 5678;
  return a;
}

report::CheckResult Result(Analysis a, const std::string& package = "example.com/m/pkg") {
  report::CheckResult r;
  r.module_root = "/src/mod";
  report::AddTrace(r, "out/pkg.trace", std::move(a), {}, {});
  r.traces.back().package = package;
  return r;
}

std::map<std::string, const Span*> ByTestName(const TraceSpans& t) {
  std::map<std::string, const Span*> out;
  for (const Span& s : t.spans)
    if (const auto* v = FindAttribute(s.attributes, "test.name")) out[std::get<std::string>(*v)] = &s;
  return out;
}

std::string Str(const Attributes& a, std::string_view key) {
  const auto* v = FindAttribute(a, key);
  return v == nullptr ? "<none>" : std::get<std::string>(*v);
}

TEST(OtlpSpans, OneSpanPerTestParentedByName) {
  const auto traces = BuildSpans(Result(Sample()), {kNow});
  ASSERT_EQ(traces.size(), 1u);
  const TraceSpans& t = traces[0];
  const Span& root = t.spans[0];
  EXPECT_EQ(root.parent_span_id, 0u);
  EXPECT_EQ(root.name, "example.com/m/pkg");
  const auto tests = ByTestName(t);
  EXPECT_THAT(tests, ::testing::SizeIs(5));
  const Span* parent = tests.at("TestBuggy_Send");
  const Span* odd = tests.at("TestBuggy_Send/odd<&>\"item\"");
  EXPECT_EQ(parent->parent_span_id, root.span_id);
  EXPECT_EQ(odd->parent_span_id, parent->span_id);
  EXPECT_EQ(tests.at("TestControl_OK")->parent_span_id, root.span_id);
  EXPECT_EQ(Str(odd->attributes, "test.package"), "example.com/m/pkg");
  for (const Span& s : t.spans) {
    EXPECT_EQ(s.trace_id, t.trace_id);
    EXPECT_LE(s.start_unix_nano, s.end_unix_nano) << s.name;
  }
  // Only one span per test: the goroutine spans are async.op.
  size_t async = 0;
  for (const Span& s : t.spans) async += s.name == "async.op";
  EXPECT_EQ(t.spans.size(), 1 + 5 + async);
}

TEST(OtlpSpans, StatusErrorForGatingFindingsAndFailedTests) {
  report::CheckResult r = Result(Sample());
  r.traces[0].go_tests = {{"TestBuggy_Send", "pass", 0.2, ""},
                          {"TestBuggy_Send/odd<&>\"item\"", "pass", 0.2, ""},
                          {"TestBuggy_Send/even", "pass", 0.1, ""},
                          {"TestControl_OK", "fail", 0.1, "boom"},
                          {"TestSkipped", "skip", 0, ""}};
  const auto traces = BuildSpans(r, {kNow});
  const auto tests = ByTestName(traces[0]);
  const Span* odd = tests.at("TestBuggy_Send/odd<&>\"item\"");
  EXPECT_EQ(odd->status, StatusCode::kError);
  EXPECT_THAT(odd->status_message, ::testing::HasSubstr("gating finding: ignored-cancel"));
  EXPECT_EQ(tests.at("TestBuggy_Send")->status, StatusCode::kError);
  EXPECT_EQ(tests.at("TestBuggy_Send")->status_message, "a subtest failed");
  EXPECT_EQ(tests.at("TestBuggy_Send/even")->status, StatusCode::kUnset);
  EXPECT_EQ(tests.at("TestControl_OK")->status, StatusCode::kError);
  EXPECT_EQ(tests.at("TestControl_OK")->status_message, "test failed");
  EXPECT_EQ(Str(tests.at("TestSkipped")->attributes, "test.result"), "skip");
}

TEST(OtlpSpans, FindingEventsOnTheirGoroutineSpan) {
  const report::CheckResult r = Result(Sample());
  const TraceSpans t = BuildSpans(r, {kNow})[0];
  const auto tests = ByTestName(t);
  const Span* odd = tests.at("TestBuggy_Send/odd<&>\"item\"");
  const Span* g7 = nullptr;
  for (const Span& s : t.spans) {
    if (s.name != "async.op") continue;
    EXPECT_EQ(s.parent_span_id, odd->span_id);
    if (std::get<int64_t>(*FindAttribute(s.attributes, "goroutine.id")) == 7) g7 = &s;
  }
  ASSERT_NE(g7, nullptr);
  EXPECT_EQ(g7->status, StatusCode::kError);
  std::vector<const SpanEvent*> findings;
  for (const SpanEvent& e : g7->events)
    if (e.name == "finding") findings.push_back(&e);
  ASSERT_EQ(findings.size(), 2u);  // ignored-cancel and leaked-goroutine, both on goroutine 7
  const SpanEvent& e = *findings[0];
  const report::CheckedFinding& cf = r.traces[0].findings[0];
  EXPECT_EQ(Str(e.attributes, "cancelflow.rule"), "ignored-cancel");
  EXPECT_EQ(Str(e.attributes, "cancelflow.fingerprint"), cf.fingerprint);
  EXPECT_EQ(Str(e.attributes, "cancelflow.severity"), "error");
  EXPECT_EQ(Str(e.attributes, "cancelflow.certainty"), "certain");
  EXPECT_EQ(Str(e.attributes, "code.function.name"), "example.com/m/pkg.search.func1");
  EXPECT_EQ(Str(e.attributes, "code.file.path"), "/src/mod/pkg/file.go");
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(e.attributes, "code.line.number")), 27);
  EXPECT_TRUE(std::get<bool>(*FindAttribute(e.attributes, "cancelflow.gating")));
  // At the time goroutine 7 blocked (no wall clock: the trace's end is the export time).
  EXPECT_EQ(e.time_unix_nano, kNow - 500'000'000 + 60'000'000);
  // The note outside every test is on the root span.
  bool note = false;
  for (const SpanEvent& ev : t.spans[0].events) note = note || Str(ev.attributes, "cancelflow.rule") == "late-deadline";
  EXPECT_TRUE(note);
}

TEST(OtlpSpans, CancelCallOnTheCancelersSpan) {
  const TraceSpans t = BuildSpans(Result(Sample()), {kNow})[0];
  const SpanEvent* cancel = nullptr;
  const Span* on = nullptr;
  for (const Span& s : t.spans)
    for (const SpanEvent& e : s.events)
      if (e.name == "cancel.call") cancel = &e, on = &s;
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(on->name, "async.op");
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(on->attributes, "goroutine.id")), 6);
  EXPECT_EQ(Str(cancel->attributes, "cancel.kind"), "deadline");
  EXPECT_EQ(Str(cancel->attributes, "cancel.cause"), "context deadline exceeded");
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(cancel->attributes, "cancel.woken.count")), 2);
  EXPECT_EQ(std::get<std::vector<int64_t>>(*FindAttribute(cancel->attributes, "cancel.woken.goroutine_ids")),
            (std::vector<int64_t>{7, 9}));
  EXPECT_EQ(std::get<std::vector<int64_t>>(*FindAttribute(cancel->attributes, "cancel.woken.response_ns")),
            (std::vector<int64_t>{-1, 400'000}));
}

TEST(OtlpSpans, IdsAreDeterministicAndNameTheTrace) {
  const auto a = BuildSpans(Result(Sample()), {kNow})[0];
  const auto b = BuildSpans(Result(Sample()), {kNow + 12345})[0];  // re-exported later
  EXPECT_EQ(a.trace_id, b.trace_id);
  ASSERT_EQ(a.spans.size(), b.spans.size());
  std::set<uint64_t> ids;
  for (size_t i = 0; i < a.spans.size(); ++i) {
    EXPECT_EQ(a.spans[i].span_id, b.spans[i].span_id);
    EXPECT_NE(a.spans[i].span_id, 0u);
    ids.insert(a.spans[i].span_id);
  }
  EXPECT_EQ(ids.size(), a.spans.size());
  Analysis other = Sample();
  other.quality.events += 1;  // another run of the same package
  EXPECT_NE(BuildSpans(Result(std::move(other)), {kNow})[0].trace_id, a.trace_id);
  EXPECT_EQ(Hex(a.trace_id).size(), 32u);
}

TEST(OtlpSpans, WallClockFromTheTraceElseAnchoredAtExport) {
  Analysis with_clock = Sample();
  with_clock.quality.wall_offset_ns = 1'600'000'000'000'000'000LL;
  const auto t = BuildSpans(Result(std::move(with_clock)), {kNow})[0];
  EXPECT_EQ(t.spans[0].start_unix_nano, 1'600'000'000'000'000'000ULL);
  EXPECT_EQ(t.spans[0].end_unix_nano, 1'600'000'000'500'000'000ULL);
  EXPECT_EQ(Str(t.spans[0].attributes, "cancelflow.clock"), "trace-clock-snapshot");
  EXPECT_EQ(ByTestName(t).at("TestControl_OK")->start_unix_nano, 1'600'000'000'300'000'000ULL);

  const auto u = BuildSpans(Result(Sample()), {kNow})[0];
  EXPECT_EQ(u.spans[0].end_unix_nano, kNow);
  EXPECT_EQ(Str(u.spans[0].attributes, "cancelflow.clock"), "anchored-at-export");
}

TEST(OtlpSpans, TestsWithoutMarksTakeTheirRunnerGoroutinesTimes) {
  Analysis a = Sample();
  a.tests.clear();
  a.runner_tests = {{"TestA", "", 10'000'000, 90'000'000, GoId{20}}, {"TestA/sub", "", 20'000'000, 30'000'000, GoId{21}}};
  report::CheckResult r = Result(std::move(a));
  r.traces[0].go_tests = {{"TestA", "fail", 0.08, ""}, {"TestA/sub", "fail", 0.01, ""}, {"TestB", "pass", 0, ""}};
  const auto t = BuildSpans(r, {kNow})[0];
  const auto tests = ByTestName(t);
  const uint64_t base = kNow - 500'000'000;
  EXPECT_EQ(tests.at("TestA")->start_unix_nano, base + 10'000'000);
  EXPECT_EQ(tests.at("TestA/sub")->end_unix_nano, base + 30'000'000);
  EXPECT_EQ(tests.at("TestA/sub")->parent_span_id, tests.at("TestA")->span_id);
  EXPECT_EQ(tests.at("TestA/sub")->status, StatusCode::kError);
  // TestB is in go test's results only: the root's bounds.
  EXPECT_EQ(tests.at("TestB")->start_unix_nano, t.spans[0].start_unix_nano);
}

TEST(OtlpSpans, AsyncOpsAndEventsAreCappedAndCounted) {
  Analysis a = Sample();
  Finding f = a.findings[1];
  f.goroutines.clear();
  a.goroutines.clear();
  for (int64_t i = 100; i < 100 + static_cast<int64_t>(kMaxAsyncOpsPerParent) + 8; ++i) {
    f.goroutines.push_back(GoId{i});
    a.goroutines.push_back(G(i, "TestControl_OK", 300'000'000, 350'000'000));
  }
  f.test = "TestControl_OK";
  a.findings = {f};
  a.cancellations.clear();
  for (size_t i = 0; i < kMaxEventsPerSpan + 5; ++i) {
    Cancellation c;
    c.index = static_cast<uint32_t>(i);
    c.time = 1'000;
    c.canceler = kNoGoroutine;  // on the root span
    a.cancellations.push_back(c);
  }
  const auto t = BuildSpans(Result(std::move(a)), {kNow})[0];
  const Span* control = ByTestName(t).at("TestControl_OK");
  size_t async = 0;
  for (const Span& s : t.spans) async += s.name == "async.op" && s.parent_span_id == control->span_id;
  EXPECT_EQ(async, kMaxAsyncOpsPerParent);
  EXPECT_EQ(std::get<int64_t>(*FindAttribute(control->attributes, "cancelflow.async_ops.dropped")), 8);
  EXPECT_EQ(t.spans[0].events.size(), kMaxEventsPerSpan);
  EXPECT_EQ(t.spans[0].dropped_events, 5u);
}

TEST(OtlpSpans, NonTestTraceHasOneRootNamedByTheFile) {
  Analysis a = Sample();
  a.tests.clear();
  for (auto& g : a.goroutines) g.test.clear();
  for (auto& f : a.findings) {
    f.test.clear();
    f.tests.clear();
  }
  a.quality.scope = TraceScope::kWindow;
  const auto t = BuildSpans(Result(std::move(a), ""), {kNow})[0];
  EXPECT_EQ(t.spans[0].name, "cancelflow.analysis pkg.trace");
  EXPECT_EQ(Str(t.spans[0].attributes, "cancelflow.trace.scope"), "window");
  EXPECT_TRUE(ByTestName(t).empty());
  for (size_t i = 1; i < t.spans.size(); ++i) {
    EXPECT_EQ(t.spans[i].name, "async.op");
    EXPECT_EQ(t.spans[i].parent_span_id, t.spans[0].span_id);
  }
}

TEST(OtlpEncode, ResponsePartialSuccess) {
  EXPECT_EQ(DecodeExportResponse("")->rejected_spans, 0);
  // partial_success { rejected_spans: 3 error_message: "no" }
  const std::string body("\x0a\x06\x08\x03\x12\x02no", 8);
  const auto p = DecodeExportResponse(body);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rejected_spans, 3);
  EXPECT_EQ(p->error_message, "no");
  EXPECT_FALSE(DecodeExportResponse(std::string("\x0a\x09\x08", 3)));  // truncated
}

TEST(OtlpEncode, RequestStartsWithResourceSpans) {
  const auto t = BuildSpans(Result(Sample()), {kNow})[0];
  const std::string req = EncodeExportRequest({{"service.name", std::string("svc")}}, t, "1.0");
  ASSERT_GT(req.size(), 100u);
  EXPECT_EQ(req[0], '\x0a');  // field 1, length-delimited
  EXPECT_NE(req.find("svc"), std::string::npos);
  EXPECT_NE(req.find("cancel.call"), std::string::npos);
}

}  // namespace
}  // namespace cancelflow::otlp
