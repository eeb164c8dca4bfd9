// Hand-built analysis results for the report tests: a trace with test
// markers (a parent test with a failing subtest, a passing control, a
// skipped test) and findings of several rules, with hostile strings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cancelflow/analysis.h"

namespace cancelflow::report::testing {

class SampleBuilder {
 public:
  SampleBuilder() : strings_(std::make_shared<StringPool>()), stacks_(std::make_shared<StackPool>()) {}

  StringId Str(std::string_view s) { return strings_->Intern(s); }
  // Frames leaf first: {func, file, line}.
  StackId Stack(const std::vector<std::tuple<std::string, std::string, uint64_t>>& frames) {
    std::vector<FrameId> ids;
    uint64_t pc = 0x1000;
    for (const auto& [fn, file, line] : frames) {
      ids.push_back(stacks_->InternFrame(Frame{pc++, Str(fn), Str(file), line}));
    }
    return stacks_->InternStack(ids);
  }
  Analysis Make() { return Analysis(strings_, stacks_); }

 private:
  std::shared_ptr<StringPool> strings_;
  std::shared_ptr<StackPool> stacks_;
};

// A finding of `rule` blocked in `block_func` at root/pkg/file.go:line, created by `creator`.
inline Finding MakeFinding(SampleBuilder& b, Rule rule, const std::string& root, const std::string& start,
                           const std::string& block_func, uint64_t block_line, const std::string& creator,
                           uint64_t creation_line, const std::string& test) {
  Finding f;
  f.rule = rule;
  f.severity = AnalysisOptions{}.severity[static_cast<int>(rule)];
  f.message = "goroutine " + start + " is still blocked after its context was canceled";
  f.hint = "select on ctx.Done()";
  f.goroutines = {GoId{7}, GoId{9}};
  f.start_func = b.Str(start);
  f.block_reason = b.Str("chan send");
  f.block_stack = b.Stack({{"runtime.chansend1", "/usr/lib/go/src/runtime/chan.go", 161},
                           {block_func, root + "/pkg/file.go", block_line},
                           {"runtime.goexit", "/usr/lib/go/src/runtime/asm_amd64.s", 1700}});
  f.block_user_frame = 1;
  f.creation_stack = b.Stack({{creator, root + "/pkg/file.go", creation_line},
                              {"testing.tRunner", "/usr/lib/go/src/testing/testing.go", 1934}});
  f.creation_user_frame = 0;
  f.test = test;
  return f;
}

// The standard sample: module root `root`.
inline Analysis SampleAnalysis(const std::string& root) {
  SampleBuilder b;
  Analysis a = b.Make();
  a.tests = {
      {"TestBuggy_Send", "pass", 1'000'000, 251'000'000, GoId{5}},
      {"TestBuggy_Send/odd<&>\"item\"", "pass", 2'000'000, 200'000'000, GoId{6}},
      {"TestBuggy_Send/even", "pass", 2'000'000, 100'000'000, GoId{8}},
      {"TestControl_OK", "pass", 300'000'000, 400'000'000, GoId{10}},
      {"TestSkipped", "skip", 400'000'000, 400'100'000, GoId{11}},
  };
  a.findings.push_back(MakeFinding(b, Rule::kIgnoredCancel, root, "example.com/m/pkg.search.func1",
                                   "example.com/m/pkg.search.func1", 27, "example.com/m/pkg.search", 24,
                                   "TestBuggy_Send/odd<&>\"item\""));
  a.findings.push_back(MakeFinding(b, Rule::kLeakedGoroutine, root, "example.com/m/pkg.search.func1",
                                   "example.com/m/pkg.search.func1", 27, "example.com/m/pkg.search", 24,
                                   "TestBuggy_Send/odd<&>\"item\""));
  // A note outside any test, with hostile text: control characters, invalid UTF-8, XML and annotation syntax.
  Finding note = MakeFinding(b, Rule::kLateDeadline, "/elsewhere", "weird.fn", "weird.fn\x01\xff", 3,
                             "weird.creator", 2, "");
  note.message = "line1\nline2 ::error:: 100% <b>&amp;</b> \x02 \xc3\x28 done, ok";
  a.findings.push_back(std::move(note));
  for (Finding& f : a.findings) f.fingerprint = FindingFingerprint(a, f);  // as Analyze() does
  a.quality.start = 0;
  a.quality.end = 500'000'000;
  a.quality.trace_version = "go 1.26";
  return a;
}

}  // namespace cancelflow::report::testing
