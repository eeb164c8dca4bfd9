// Which Go test a finding belongs to, in traces without ctxtracetest marks
// (plain `go test -trace`).
//
// ALGORITHM: go test runs every test and subtest on its own goroutine whose
// start function is testing.tRunner, created by the goroutine that called
// t.Run (the parent test's goroutine; top-level tests: the main goroutine).
// TestGoroutines observes every GoCreate of the analysis pass and keeps, per
// goroutine, its creator and whether it is a tRunner goroutine. A finding's
// goroutine belongs to the nearest tRunner goroutine up its creator chain.
//
// Naming that goroutine:
//  - with the `=== RUN` order (go test -json "run" actions): t.Run prints
//    "=== RUN" and then starts the goroutine, both on the parent's goroutine,
//    so the n-th RUN name under parent P is the n-th tRunner goroutine created
//    by P's goroutine. Exact for subtests, t.Parallel and -count.
//  - without it (`check` on a trace alone): the test function's frame in the
//    creation stacks up the chain (pkg.TestX or its closures pkg.TestX.funcN),
//    which names the top-level test only.
// ctxtracetest marks (Finding::test already set) always win.
//
// The same frames give the package's import path (Go's function names are
// IMPORT/PATH.Func), which names the JUnit suite of `check`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/flat_map.h"
#include "cancelflow/analysis.h"
#include "cancelflow/event.h"

namespace cancelflow::report {

class TestGoroutines final : public EventObserver {
 public:
  void OnEvent(const Event& e, const Reader& reader) override;

  // Sets Finding::test (and GoroutineInfo::test) where it is empty and the
  // goroutine descends from a test goroutine. `run_order`: test names in
  // `=== RUN` order, or empty (then names come from frames).
  void Attribute(Analysis& a, const std::vector<std::string>& run_order) const;

  // The import path of the tested package, from the first test function
  // frame seen in a creation stack ("" if none).
  const std::string& import_path() const { return import_path_; }

 private:
  struct G {
    int64_t creator = -1;
    uint32_t test_func = 0;  // index into test_funcs_ of the creation stack's test function (0: none)
    bool trunner = false;
  };
  const G* Find(int64_t id) const { return gs_.Find(static_cast<uint64_t>(id)); }
  // The nearest tRunner goroutine up the creator chain of `id` (itself
  // excluded), or -1.
  int64_t TestGoroutineOf(int64_t id) const;
  // The test function (top-level test name) of the first creation stack up
  // the chain of `id` that has one, or "".
  const std::string& TestFuncOf(int64_t id) const;

  FlatMap<G> gs_;
  std::vector<int64_t> trunners_;      // in creation order
  FlatMap<uint32_t> stack_test_func_;  // StackId value -> index into test_funcs_
  std::vector<std::string> test_funcs_{""};
  std::string import_path_;
};

// "example.com/m/pkg.TestX.func1" -> {"example.com/m/pkg", "TestX"}; the
// package of an external test package (pkg_test) is pkg's. Empty when the
// function is not a test function or one of its closures.
struct TestFunc {
  std::string import_path;
  std::string test;
};
TestFunc ParseTestFunc(std::string_view func);

}  // namespace cancelflow::report
