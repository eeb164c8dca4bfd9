// HtmlWriter: the script-safe JSON escaping, the embedded assets, and a real
// trace's report (timeline lanes, cancel data, flame samples, bounds). The
// rendering itself is tested in a browser by tests/html.
#include "report/html_writer.h"

#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/trace_buffer.h"
#include "report/json_report.h"
#include "report/module_goroutines.h"
#include "report/testing/sample_analysis.h"
#include "report/testing/trace_fixture.h"

namespace cancelflow::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json DataOf(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"cf-data\">";
  const size_t b = html.find(open);
  EXPECT_NE(b, std::string::npos);
  const size_t e = html.find("</script>", b);
  return nlohmann::json::parse(html.substr(b + open.size(), e - b - open.size()));
}

// What the CLI does after the analysis pass (cli/cmd_html.cc, ReadHtmlLanes):
// the writer plans its lanes, a second read of the trace fills them, then
// the document is written.
std::string WriteWithLanes(HtmlWriter& w, const Analysis& a, const TraceBuffer& buf, HtmlStats* st) {
  if (w.PlanLanes(a)) {
    auto r = Reader::Open(buf);
    EXPECT_TRUE(r);
    if (r) {
      EXPECT_FALSE(r->ForEachEvent([&](const Event& e) { w.OnLaneEvent(e, r->strings(), r->stacks()); }));
      w.EndLanes(r->strings());
    }
  }
  return w.Write(a, st);
}

TEST(HtmlWriter, EscapesForScript) {
  EXPECT_EQ(EscapeJsonForScript(R"({"a":"</script><!--&"})"),
            R"({"a":"\u003c/script\u003e\u003c!--\u0026"})");
  EXPECT_EQ(EscapeJsonForScript("\"\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\""), "\"\\u2028\\u2029\xe2\x80\xa7\"");
  // Still the same JSON value.
  const std::string raw = nlohmann::json("<img src=x onerror=alert(1)> \xe2\x80\xa8 &amp;").dump();
  EXPECT_EQ(nlohmann::json::parse(EscapeJsonForScript(raw)), nlohmann::json::parse(raw));
}

TEST(HtmlWriter, ReportOfBlockedSend) {
  HtmlOptions o;
  o.trace_path = "</script><script>alert(1)</script>";
  HtmlWriter w(o);
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/examples/traces/blocked-send.trace");
  ASSERT_TRUE(buf);
  auto a = Analyze(*buf, AnalysisOptions{}, {&w});  // the real analysis: cancellations, findings
  ASSERT_TRUE(a);
  HtmlStats st;
  const std::string html = WriteWithLanes(w, *a, *buf, &st);
  EXPECT_EQ(st.bytes, html.size());
  EXPECT_THAT(html, HasSubstr("Content-Security-Policy"));
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
  EXPECT_THAT(html, Not(HasSubstr("/*CF_")));  // every marker replaced
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  // Exactly the two script elements of the template; the hostile path is data.
  size_t scripts = 0;
  for (size_t p = html.find("<script"); p != std::string::npos; p = html.find("<script", p + 1)) ++scripts;
  EXPECT_EQ(scripts, 2u);
  const nlohmann::json d = DataOf(html);
  EXPECT_EQ(d["trace"]["path"], o.trace_path);
  EXPECT_EQ(d["schema_version"], 1);
  ASSERT_TRUE(d.contains("timeline"));
  ASSERT_TRUE(d.contains("flame"));
  EXPECT_GT(d["timeline"]["lanes"].size(), 0u);
  EXPECT_EQ(d["timeline"]["lanes"].size(), st.lanes);
  EXPECT_GT(d["cancellations"].size(), 0u);
  // Every canceler and woken goroutine has a lane (they come first).
  std::set<int64_t> lanes;
  for (const auto& l : d["timeline"]["lanes"]) {
    lanes.insert(l["g"].get<int64_t>());
    int64_t prev = -1;
    for (const auto& s : l["spans"]) {
      EXPECT_LE(s[0].get<int64_t>(), s[1].get<int64_t>());
      EXPECT_GE(s[0].get<int64_t>(), prev);
      prev = s[1].get<int64_t>();
    }
  }
  for (const auto& c : d["cancellations"]) {
    EXPECT_TRUE(lanes.count(c["canceler"]["goroutine"].get<int64_t>()));
    for (const auto& wk : c["woken"]) EXPECT_TRUE(lanes.count(wk["goroutine"].get<int64_t>()));
  }
  EXPECT_NE(d["flame"]["metric"], "none");
  EXPECT_GT(d["flame"]["samples"].size(), 0u);
}

TEST(HtmlWriter, BoundsAreCountedNotSilent) {
  HtmlOptions o;
  o.max_lanes = 2;
  o.max_output_spans = 8;
  o.max_spans_per_lane = 4;
  HtmlWriter w(o);
  auto pass = testing::RunPass("tests/corpus/traces/go1.26/manygen.trace", {&w});
  ASSERT_TRUE(pass);
  HtmlStats st;
  const nlohmann::json d = DataOf(WriteWithLanes(w, *pass->analysis, pass->buf, &st));
  EXPECT_EQ(d["timeline"]["lanes"].size(), 2u);
  EXPECT_GT(d["timeline"]["lanes_dropped"].get<uint64_t>(), 0u);
  EXPECT_GT(d["timeline"]["spans_merged"].get<uint64_t>(), 0u);
  for (const auto& l : d["timeline"]["lanes"]) EXPECT_LE(l["spans"].size(), 16u);
}

TEST(HtmlWriter, LanesStayWholeAroundCancellations) {
  // Tight span caps merge the lanes (the caps bite: spans_merged), except
  // from 5 ms before each cancellation to 50 ms after on its canceler's and
  // woken goroutines' lanes (timeline_spans_test.cc tests the merging itself).
  HtmlOptions o;
  o.max_spans_per_lane = 16;
  o.max_output_spans = 16 * 4;
  HtmlWriter w(o);
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.26/windowloop.trace");
  ASSERT_TRUE(buf);
  auto a = Analyze(*buf, AnalysisOptions{}, {&w});
  ASSERT_TRUE(a);
  ASSERT_GT(a->cancellations.size(), 0u);
  const nlohmann::json d = DataOf(WriteWithLanes(w, *a, *buf, nullptr));
  EXPECT_GT(d["timeline"]["spans_merged"].get<uint64_t>(), 0u);
  const int64_t start = d["timeline"]["start_ns"].get<int64_t>();
  std::map<int64_t, const nlohmann::json*> lane;
  for (const auto& l : d["timeline"]["lanes"]) lane[l["g"].get<int64_t>()] = &l;
  size_t checked = 0;
  for (const auto& c : d["cancellations"]) {
    const int64_t t = c["time_ns"].get<int64_t>() - start;
    std::vector<int64_t> gs{c["canceler"]["goroutine"].get<int64_t>()};
    for (const auto& wk : c["woken"]) gs.push_back(wk["goroutine"].get<int64_t>());
    for (const int64_t g : gs) {
      ASSERT_TRUE(lane.count(g)) << g;
      for (const auto& sp : (*lane[g])["spans"]) {
        const int64_t b = sp[0].get<int64_t>(), e = sp[1].get<int64_t>();
        if (e < t - 5'000'000 || b > t + 50'000'000) continue;
        EXPECT_EQ(sp[4].get<int>(), 1) << "g" << g << " span [" << b << ", " << e << "] near the cancel at " << t;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST(HtmlWriter, EmbeddedAnalysisIsCappedAndSaysSo) {
  // cancel-demo: 2 cancellations waking 5 goroutines. Caps of 1 cancellation,
  // 2 woken each (max_lanes) and 8-byte strings leave things out: the
  // document says how many, and the counts the page shows stay whole.
  HtmlOptions o;
  o.trace_path = "a-long-trace-path.trace";
  o.max_cancellations = 1;
  o.max_lanes = 2;
  o.max_string = 8;
  HtmlWriter w(o);
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/examples/traces/cancel-demo.trace");
  ASSERT_TRUE(buf);
  auto a = Analyze(*buf, AnalysisOptions{}, {&w});
  ASSERT_TRUE(a);
  ASSERT_EQ(a->cancellations.size(), 2u);
  const nlohmann::json d = DataOf(WriteWithLanes(w, *a, *buf, nullptr));
  ASSERT_EQ(d["cancellations"].size(), 1u);
  const auto& c = d["cancellations"][0];
  EXPECT_LE(c["woken"].size(), 2u);
  EXPECT_EQ(c["woken_count"].get<size_t>(), a->cancellations[0].woken.size());
  ASSERT_TRUE(d.contains("truncated"));
  EXPECT_EQ(d["truncated"]["cancellations"], 1);
  // Woken goroutines left out of the embedded cancellation (the cancellation
  // left out whole counts under "cancellations" only).
  EXPECT_EQ(d["truncated"]["woken"].get<size_t>(), a->cancellations[0].woken.size() - c["woken"].size());
  EXPECT_GT(d["truncated"]["strings_cut"].get<uint64_t>(), 0u);
  EXPECT_THAT(d["trace"]["path"].get<std::string>(), HasSubstr("bytes cut"));
  EXPECT_EQ(d["summary"]["cancellations"], 2);  // the summary counts everything
}

TEST(CancellationsCitedFirst, CitedThenInOrder) {
  // What the HTML table and the Perfetto cancel instants keep under their
  // caps: a cancellation a finding cites is never the one left out.
  testing::SampleBuilder b;
  Analysis a = b.Make();
  a.cancellations.resize(4);
  Finding f;
  f.cancellation = 2;
  a.findings.push_back(f);
  EXPECT_EQ(CancellationsCitedFirst(a), (std::vector<uint32_t>{2, 0, 1, 3}));
  EXPECT_EQ(CancellationsCitedFirst(a, 2), (std::vector<uint32_t>{2, 0}));
  JsonOptions o;
  o.indent = -1;
  o.max_cancellations = 1;
  o.cancellation_order = CancellationsCitedFirst(a, 1);
  const nlohmann::json d = nlohmann::json::parse(AnalysisToJson(a, o));
  ASSERT_EQ(d["cancellations"].size(), 1u);
  EXPECT_EQ(d["truncated"]["cancellations"], 3);
}

TEST(ModuleGoroutines, OnlyTheModulesOwn) {
  EXPECT_TRUE(IsModuleGoroutine("github.com/cancelflow/cancelflow/go/ctxtrace.instrument.func1"));
  EXPECT_TRUE(IsModuleGoroutine("github.com/cancelflow/cancelflow/go/ctxtrace.(*binding).ctxDone-fm"));
  EXPECT_TRUE(IsModuleGoroutine("github.com/cancelflow/cancelflow/go/flightrec.(*Recorder).loop"));
  // ctxtrace.Go runs the user's function; ctxtracetest is another package.
  EXPECT_FALSE(IsModuleGoroutine("github.com/cancelflow/cancelflow/go/ctxtrace.Go.func1"));
  EXPECT_FALSE(IsModuleGoroutine("github.com/cancelflow/cancelflow/go/ctxtracetest.T.func1"));
  EXPECT_FALSE(IsModuleGoroutine("main.main.func1"));
  EXPECT_FALSE(IsModuleGoroutine(""));
}

}  // namespace
}  // namespace cancelflow::report
