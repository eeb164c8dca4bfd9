// Every scenario of go/scenarios gets exactly its expected findings, with and
// without instrumentation (docs/scenarios.md, "Matching is strict"):
// - each expected finding matches exactly `count` candidates (goroutines for
//   goroutine rules, contexts for context rules) by start function regexp
//   and site function;
// - per rule, the number of candidates equals the sum of the expected counts
//   (so any unexpected finding fails), unless the rule is tolerated.
// The traces come from `go/scenarios/run.sh DIR` (a CTest fixture); DIR is
// passed in CANCELFLOW_SCENARIO_DIR.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "analysis/model_state.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Candidate {
  std::string start, site;  // goroutine rules
  bool is_context = false;  // context rules: site = the context's creation function
};

std::string CreationSite(const Analysis& a, const GoroutineInfo& g) {
  for (FrameId f : a.stacks().Frames(g.creation_stack)) {
    std::string_view fn = a.Str(a.stacks().GetFrame(f).func);
    if (!analysis::IsLibraryFunc(fn)) return std::string(fn);
  }
  return "";
}

std::map<std::string, std::vector<Candidate>> Candidates(const Analysis& a) {
  std::map<std::string, std::vector<Candidate>> out;
  for (const Finding& f : a.findings) {
    auto& v = out[std::string(RuleId(f.rule))];
    for (GoId g : f.goroutines) {
      const GoroutineInfo* gi = a.Goroutine(g);
      if (gi == nullptr) continue;
      v.push_back({std::string(a.Str(gi->start_func)), CreationSite(a, *gi), false});
    }
    for (size_t i = 0; i < f.contexts.size(); ++i) v.push_back({"", f.context_site.func, true});
  }
  return out;
}

bool Matches(const json& want, const Candidate& c) {
  if (!c.is_context) {
    if (want.contains("goroutine_func_re")) {
      if (!std::regex_search(c.start, std::regex(want["goroutine_func_re"].get<std::string>()))) return false;
    } else if (want.contains("goroutine_func") && want["goroutine_func"].get<std::string>() != c.start) {
      return false;
    }
  }
  return !want.contains("site_func") || want["site_func"].get<std::string>().empty() ||
         want["site_func"].get<std::string>() == c.site;
}

void CheckTrace(const fs::path& trace, const json& want, const std::vector<std::string>& tolerated) {
  SCOPED_TRACE(trace.filename().string());
  auto buf = TraceBuffer::Open(trace.string());
  ASSERT_TRUE(buf.has_value()) << buf.error().message;
  auto a = Analyze(*buf, AnalysisOptions{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_FALSE(a->quality.partial);
  auto got = Candidates(*a);
  std::map<std::string, size_t> want_total;
  for (const json& w : want) {
    const std::string rule = w["rule"];
    want_total[rule] += w["count"].get<size_t>();
    size_t n = 0;
    for (const Candidate& c : got[rule]) n += Matches(w, c);
    EXPECT_EQ(n, w["count"].get<size_t>()) << "expected finding " << w.dump();
  }
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) {
    const std::string rule(RuleId(static_cast<Rule>(r)));
    if (std::find(tolerated.begin(), tolerated.end(), rule) != tolerated.end()) continue;
    std::string desc;
    for (const Candidate& c : got[rule]) desc += " [" + c.start + " @ " + c.site + "]";
    EXPECT_EQ(got[rule].size(), want_total[rule]) << rule << " reported:" << desc;
  }
}

TEST(Scenarios, EveryScenarioGetsExactlyItsExpectedFindings) {
  const char* dir = std::getenv("CANCELFLOW_SCENARIO_DIR");
  if (dir == nullptr) GTEST_SKIP() << "CANCELFLOW_SCENARIO_DIR not set (run through CTest)";
  size_t scenarios = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().string().ends_with(".expect.json")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    std::ifstream in(p);
    json expect = json::parse(in);
    ASSERT_EQ(expect["schema"], 1);
    const std::string name = expect["scenario"];
    std::vector<std::string> tolerated = expect.value("tolerated", std::vector<std::string>{});
    json plain = expect["findings"];
    json instrumented = plain;
    for (const json& f : expect["instrumented_extra"]) instrumented.push_back(f);
    for (const json& f : expect.value("plain_only", json::array())) plain.push_back(f);
    CheckTrace(fs::path(dir) / (name + ".trace"), plain, tolerated);
    CheckTrace(fs::path(dir) / (name + ".instrumented.trace"), instrumented, tolerated);
    ++scenarios;
  }
  EXPECT_GE(scenarios, 17u);
}

}  // namespace
}  // namespace cancelflow
