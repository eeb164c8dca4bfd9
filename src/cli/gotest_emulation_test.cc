// What go test prints, rebuilt from -test.v=test2json output. The expected
// texts are what the same tests print under `go test` and `go test -v`
// (Go 1.26): tests/gate/fidelity checks the whole path against go itself.
#include "cli/gotest_emulation.h"

#include <gtest/gtest.h>

namespace cancelflow::cli {
namespace {

std::vector<GoTestEvent> Events(std::string_view framed) {
  std::vector<GoTestEvent> events;
  Test2Json c(&events);
  c.Write(framed);
  c.Exited(false);
  c.Close(0);
  return events;
}

// Two failing tests with logs, one with a passing and a failing subtest, a
// skipped one: -test.v=test2json output.
constexpr std::string_view kTwoFailures =
    "\x16=== RUN   TestA\n    a_test.go:5: log of A\n    a_test.go:6: error of A\n\x16--- FAIL: TestA (0.00s)\n"
    "\x16=== NAME  \n"
    "\x16=== RUN   TestB\n"
    "\x16=== RUN   TestB/ok\n    a_test.go:10: log of ok\n\x16--- PASS: TestB/ok (0.00s)\n\x16=== NAME  TestB\n"
    "\x16=== RUN   TestB/bad\n    a_test.go:12: error of bad\n        second line\n\x16--- FAIL: TestB/bad (0.00s)\n"
    "\x16=== NAME  TestB\n    a_test.go:14: log of B after its subtests\n\x16--- FAIL: TestB (0.00s)\n\x16=== NAME  \n"
    "\x16=== RUN   TestC\n    a_test.go:20: skipping\n\x16--- SKIP: TestC (0.00s)\n\x16=== NAME  \n"
    "\x16" "FAIL\n";

TEST(EmulateTestOutput, HeadersBeforeTheirLogsWithoutV) {
  EXPECT_EQ(EmulateTestOutput(Events(kTwoFailures), false),
            "--- FAIL: TestA (0.00s)\n    a_test.go:5: log of A\n    a_test.go:6: error of A\n"
            "--- FAIL: TestB (0.00s)\n"
            "    --- FAIL: TestB/bad (0.00s)\n        a_test.go:12: error of bad\n            second line\n"
            "    a_test.go:14: log of B after its subtests\n"
            "FAIL\n");
}

TEST(EmulateTestOutput, VerboseNestsSubtestReportsAndNamesTheTestThatLogs) {
  EXPECT_EQ(EmulateTestOutput(Events(kTwoFailures), true),
            "=== RUN   TestA\n    a_test.go:5: log of A\n    a_test.go:6: error of A\n--- FAIL: TestA (0.00s)\n"
            "=== RUN   TestB\n=== RUN   TestB/ok\n    a_test.go:10: log of ok\n"
            "=== RUN   TestB/bad\n    a_test.go:12: error of bad\n        second line\n"
            "=== NAME  TestB\n    a_test.go:14: log of B after its subtests\n"
            "--- FAIL: TestB (0.00s)\n    --- PASS: TestB/ok (0.00s)\n    --- FAIL: TestB/bad (0.00s)\n"
            "=== RUN   TestC\n    a_test.go:20: skipping\n--- SKIP: TestC (0.00s)\n"
            "FAIL\n");
}

TEST(EmulateTestOutput, PanicAndPrintedLinesComeOutAtOnce) {
  constexpr std::string_view kPanic =
      "\x16=== RUN   TestP\n    p_test.go:3: before\nprinted by the test\n\x16--- FAIL: TestP (0.00s)\n"
      "panic: boom [recovered, repanicked]\n\ngoroutine 7 [running]:\n";
  EXPECT_EQ(EmulateTestOutput(Events(kPanic), false),
            "printed by the test\n--- FAIL: TestP (0.00s)\n    p_test.go:3: before\n"
            "panic: boom [recovered, repanicked]\n\ngoroutine 7 [running]:\n");
}

TEST(EmulateTestOutput, BenchmarkLogsFollowTheirResultWithoutV) {
  std::string framed = "\x16=== RUN   BenchmarkB\nBenchmarkB\n";
  std::string logs;
  for (int i = 1; i <= 12; ++i) logs += "    b_test.go:5: line " + std::to_string(i) + "\n";
  const std::string result = "BenchmarkB-2   \t     100\t        12.0 ns/op\n";
  framed += logs + result + "\x16=== NAME  \n\x16PASS\n";
  EXPECT_EQ(EmulateTestOutput(Events(framed), true), "BenchmarkB\n" + logs + result + "PASS\n");
  // B.trimOutput: ten lines, then a mark.
  std::string ten = logs.substr(0, logs.find("line 10\n") + 7);
  EXPECT_EQ(EmulateTestOutput(Events(framed), false),
            result + "--- BENCH: BenchmarkB-2\n" + ten + "\n\t... [output truncated]\nPASS\n");
}

BinaryExit Exit(bool ok, std::string killed, std::string exit_error, double seconds) {
  BinaryExit e;
  e.ok = ok;
  e.killed = std::move(killed);
  e.exit_error = std::move(exit_error);
  e.seconds = seconds;
  return e;
}

TEST(GoTestPackageBlock, AsGoTestEndsAPackage) {
  const BinaryExit ok = Exit(true, "", "", 0.0123);
  EXPECT_EQ(GoTestPackageBlock("m/p", "PASS\n", false, ok), "ok  \tm/p\t0.012s\n");
  EXPECT_EQ(GoTestPackageBlock("m/p", "=== RUN   T\n--- PASS: T (0.00s)\nPASS\n", true, ok),
            "=== RUN   T\n--- PASS: T (0.00s)\nPASS\nok  \tm/p\t0.012s\n");
  EXPECT_EQ(GoTestPackageBlock("m/p", "testing: warning: no tests to run\nPASS\n", false, ok),
            "ok  \tm/p\t0.012s [no tests to run]\n");
  // os.Exit(3) in a test: without -v nothing was printed, so go shows the exit status.
  const BinaryExit exit3 = Exit(false, "", "exit status 3", 0.0123);
  EXPECT_EQ(GoTestPackageBlock("m/p", "", false, exit3), "exit status 3\nFAIL\tm/p\t0.012s\n");
  EXPECT_EQ(GoTestPackageBlock("m/p", "=== RUN   TestExit\n", true, exit3), "=== RUN   TestExit\nFAIL\tm/p\t0.012s\n");
  const BinaryExit killed = Exit(false, "*** Test killed with quit: ran too long (11m0s).\n", "exit status 2", 660);
  EXPECT_EQ(GoTestPackageBlock("m/p", "goroutine 1", false, killed),
            "goroutine 1*** Test killed with quit: ran too long (11m0s).\n\nFAIL\tm/p\t660.000s\n");
}

TEST(SplitGoTestTrailer, TakesGoTestsLinesOff) {
  std::vector<GoTestEvent> events{{"output", "", "PASS\n", std::nullopt, false},
                                  {"output", "", "exit status 1\n", std::nullopt, false},
                                  {"output", "", "FAIL\tm/p\t0.010s\n", std::nullopt, false},
                                  {"fail", "", "", 0.01, false}};
  const BinaryExit exit = SplitGoTestTrailer(events, "m/p");
  EXPECT_FALSE(exit.ok);
  EXPECT_EQ(exit.exit_error, "exit status 1");
  EXPECT_EQ(exit.final_line, "FAIL\tm/p\t0.010s\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].output, "PASS\n");
}

}  // namespace
}  // namespace cancelflow::cli
