// `analyze --json` carries every field docs/json-schema.md lists, with the
// right types, on real traces (plain and instrumented).
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "report/json_report.h"

namespace cancelflow {
namespace {

using nlohmann::json;

void HasKeys(const json& j, std::initializer_list<const char*> keys, const std::string& where) {
  ASSERT_TRUE(j.is_object()) << where;
  for (const char* k : keys) EXPECT_TRUE(j.contains(k)) << where << " lacks \"" << k << "\"";
}

json AnalyzeToJson(const std::string& rel) {
  const std::string path = std::string(CANCELFLOW_SOURCE_DIR) + "/" + rel;
  auto buf = TraceBuffer::Open(path);
  EXPECT_TRUE(buf.has_value());
  auto a = Analyze(*buf, AnalysisOptions{});
  EXPECT_TRUE(a.has_value());
  return json::parse(report::AnalysisToJson(*a, report::JsonOptions{path, -1}));
}

TEST(JsonReport, MatchesTheDocumentedSchema) {
  const json d = AnalyzeToJson("tests/corpus/traces/go1.26/ctxcancel.trace");
  EXPECT_EQ(d["schema_version"], 1);
  HasKeys(d, {"schema_version", "tool", "trace", "data_quality", "summary", "cancellations", "contexts", "findings", "tests",
              "goroutines", "options"},
          "doc");
  HasKeys(d["options"], {"grace_ns", "slow_cancel_ns", "late_deadline_ns", "burst_gap_ns", "scope", "rules",
                         "user_packages", "config_file", "set_by_flags", "summary"},
          "options");
  EXPECT_EQ(d["options"]["rules"].size(), 6u);
  HasKeys(d["trace"], {"path", "version", "bytes", "events", "generations", "start_ns", "end_ns", "duration_ns", "scope",
                       "scope_reason"},
          "trace");
  EXPECT_EQ(d["trace"]["scope"], "program");
  HasKeys(d["data_quality"], {"partial", "error", "starts_mid_execution", "instrumented", "instrumentation_records",
                              "records_unknown_version", "records_malformed", "goroutines_seen", "goroutines_before_trace",
                              "unblocks_without_stack"},
          "data_quality");
  HasKeys(d["summary"], {"cancellations", "cancellations_by_kind", "findings", "findings_by_rule"}, "summary");
  EXPECT_EQ(d["summary"]["findings_by_rule"].size(), 6u);
  ASSERT_FALSE(d["cancellations"].empty());
  for (const json& c : d["cancellations"]) {
    HasKeys(c, {"id", "kind", "time_ns", "canceler", "context_id", "cause", "via_afterfunc", "slowest_latency_ns",
                "slowest_response_ns", "woken"},
            "cancellation");
    EXPECT_NE(c["kind"], "afterfunc");
    HasKeys(c["canceler"], {"goroutine", "start_func", "stack", "user_frame"}, "canceler");
    EXPECT_TRUE(c["time_ns"].is_number_integer());
    for (const json& w : c["woken"]) {
      HasKeys(w, {"goroutine", "start_func", "depth", "via_afterfunc", "unblocked_ns", "started_ns", "stopped_ns",
                  "wake_latency_ns", "latency_ns", "responded_ns", "response_latency_ns", "outcome", "next_block"},
              "woken");
    }
  }
  ASSERT_FALSE(d["findings"].empty());
  for (const json& f : d["findings"]) {
    HasKeys(f, {"rule", "severity", "message", "hint", "count", "goroutines", "contexts", "start_func", "creation",
                "block", "context_site", "cancellation", "context_id", "test", "latency", "evidence", "certainty", "wait", "fingerprint"},
            "finding");
    EXPECT_EQ(f["fingerprint"].get<std::string>().size(), 16u) << f.dump();
    EXPECT_FALSE(f["evidence"].get<std::string>().empty()) << f.dump();
    HasKeys(f["creation"], {"stack", "user_frame"}, "creation");
    HasKeys(f["block"], {"reason", "stack", "user_frame"}, "block");
    EXPECT_FALSE(f["block"]["stack"].empty()) << f.dump();
    for (const json& fr : f["block"]["stack"]) HasKeys(fr, {"func", "file", "line"}, "frame");
  }
  // Every goroutine a finding names is in the goroutines table.
  std::set<int64_t> listed;
  for (const json& g : d["goroutines"]) {
    HasKeys(g, {"id", "start_func", "origin", "created_ns", "ended_ns", "end_state", "wait", "block", "name", "test",
                "instrumentation"},
            "goroutine");
    listed.insert(g["id"].get<int64_t>());
  }
  for (const json& f : d["findings"])
    for (const json& id : f["goroutines"]) EXPECT_TRUE(listed.count(id.get<int64_t>())) << id;
}

TEST(JsonReport, HostileStringsStayValidJson) {
  // cancel-demo.trace logs a message with a NUL, a quote, a newline, <script> and invalid UTF-8.
  const json d = AnalyzeToJson("examples/traces/cancel-demo.trace");
  EXPECT_TRUE(d.is_object());
}

}  // namespace
}  // namespace cancelflow
