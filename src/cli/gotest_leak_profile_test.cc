// The leak profile collection of `cancelflow test`: which toolchains have the
// profile and what GOEXPERIMENT they build with, and which packages already
// declare TestMain. tests/gate/test_leakprofile.py runs the whole path on
// a fixture module with go itself.
#include "cli/gotest_leak_profile.h"

#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

namespace cancelflow::cli {

// The command's error printer lives in main.cc, which this test does not link.
void PrintError(const std::string& message) { std::fprintf(stderr, "cancelflow: %s\n", message.c_str()); }

namespace {

namespace fs = std::filesystem;

TEST(LeakProfileToolchain, Go127HasItAsIs) {
  for (const char* v : {"go1.27.3", "go1.27rc1", "go1.28", "devel go1.27-0123abcd Mon Jan 1 00:00:00 2026 +0000"}) {
    const LeakProfileToolchain t = LeakProfileToolchainFrom(v, "");
    EXPECT_TRUE(t.available) << v;
    EXPECT_EQ(t.goexperiment, "") << v;
  }
  EXPECT_EQ(LeakProfileToolchainFrom("go1.27.3", "jsonv2").goexperiment, "");
}

TEST(LeakProfileToolchain, Go126AddsTheExperimentKeepingTheUsers) {
  EXPECT_EQ(LeakProfileToolchainFrom("go1.26.8", "").goexperiment, "goroutineleakprofile");
  EXPECT_EQ(LeakProfileToolchainFrom("go1.26.8", "jsonv2,greenteagc").goexperiment,
            "jsonv2,greenteagc,goroutineleakprofile");
  // Already on: GOEXPERIMENT stays as the user set it.
  const LeakProfileToolchain on = LeakProfileToolchainFrom("go1.26.8", "jsonv2,goroutineleakprofile");
  EXPECT_TRUE(on.available);
  EXPECT_EQ(on.goexperiment, "");
}

TEST(LeakProfileToolchain, OlderGoOrTurnedOffHasNone) {
  for (const auto& [v, e] : {std::pair<const char*, const char*>{"go1.25.4", ""}, {"go1.9", ""}, {"", ""},
                             {"garbage", ""}, {"go1.26.8", "nogoroutineleakprofile"},
                             {"go1.27.3", "jsonv2,nogoroutineleakprofile"}}) {
    const LeakProfileToolchain t = LeakProfileToolchainFrom(v, e);
    EXPECT_FALSE(t.available) << v << " " << e;
    EXPECT_FALSE(t.note.empty()) << v << " " << e;
    EXPECT_EQ(t.goexperiment, "") << v << " " << e;
  }
  // "goroutineleakprofilex" is another name, not the experiment.
  EXPECT_EQ(LeakProfileToolchainFrom("go1.26.1", "goroutineleakprofilex").goexperiment,
            "goroutineleakprofilex,goroutineleakprofile");
}

class ScanTestFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("cf-testmain-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    FILE* f = std::fopen((dir_ + "/" + name).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  std::string dir_;
};

TEST_F(ScanTestFilesTest, FindsItInAnyTestFile) {
  Write("a_test.go", "package a\n\nfunc TestA(t *testing.T) {}\n");
  Write("b_test.go", "package a_test\n\nfunc TestMain(m *testing.M) { os.Exit(m.Run()) }\n");
  EXPECT_FALSE(ScanTestFiles(dir_, {"a_test.go"}).test_main);
  EXPECT_TRUE(ScanTestFiles(dir_, {"a_test.go", "b_test.go"}).test_main);
}

TEST_F(ScanTestFilesTest, NotACallOrAComment) {
  Write("a_test.go",
        "package a\n\n// func TestMain(m *testing.M) is not needed here\nfunc TestMainly(t *testing.T) {}\n"
        "func helper() { TestMain(nil) }\n");
  EXPECT_FALSE(ScanTestFiles(dir_, {"a_test.go"}).test_main);
  EXPECT_FALSE(ScanTestFiles(dir_, {"missing_test.go"}).test_main);
}

// Examples with an output comment run on the main goroutine: no TestMain for them.
TEST_F(ScanTestFilesTest, RunnableExamples) {
  Write("a_test.go", "package a_test\n\nfunc ExampleA() {\n\tfmt.Println(1)\n\t// Output: 1\n}\n");
  Write("b_test.go", "package a_test\n\nfunc ExampleB() {\n\tfmt.Println(1)\n}\n");  // compiled, never run
  Write("c_test.go", "package a_test\n\nfunc ExampleC() {\n\t// unordered OUTPUT:\n}\n");
  EXPECT_TRUE(ScanTestFiles(dir_, {"a_test.go"}).runnable_examples);
  EXPECT_FALSE(ScanTestFiles(dir_, {"b_test.go"}).runnable_examples);
  EXPECT_TRUE(ScanTestFiles(dir_, {"c_test.go"}).runnable_examples);
  EXPECT_FALSE(ScanTestFiles(dir_, {"a_test.go"}).test_main);
}

TEST(GeneratedTestMain, IsInTheExternalTestPackageAndWritesBeforeTheTraceStops) {
  const std::string text = GeneratedTestMain("chanleak");
  EXPECT_NE(text.find("\npackage chanleak_test\n"), std::string::npos);
  EXPECT_NE(text.find(std::string("cancelflowos.Getenv(\"") + kLeakProfileEnv + "\")"), std::string::npos);
  // finish writes the profile, then stops the trace; it runs after m.Run (or
  // from the -timeout alarm), before the exit.
  const size_t profile = text.find("p.WriteTo(f, 2)"), stop = text.find("cancelflowtrace.Stop()"),
               alarm = text.find("cancelflowtime.AfterFunc(d-margin, finish)"), run = text.find("code := m.Run()"),
               finish = text.find("\tfinish()\n"), exit = text.find("cancelflowos.Exit(code)");
  for (const size_t at : {profile, stop, alarm, run, finish, exit}) ASSERT_NE(at, std::string::npos);
  EXPECT_LT(profile, stop);
  EXPECT_LT(alarm, run);
  EXPECT_LT(run, finish);
  EXPECT_LT(finish, exit);
}

// A -timeout's traceback (Go 1.26, the fidelity module's timeout package),
// with the generated TestMain, becomes go test's own.
TEST(HideGeneratedTestMain, GivesBackGoTestsTraceback) {
  const std::string with =
      "panic: test timed out after 1s\n"
      "\n"
      "goroutine 1 [chan receive]:\n"
      "testing.(*M).Run(0xc000138000)\n"
      "\t/usr/local/go/src/testing/testing.go:2443 +0x6b5\n"
      "example.com/fidelity/timeout_test.TestMain(0xc000138000)\n"
      "\t/m/timeout/zz_cancelflow_leakprofile_test.go:41 +0x1e5\n"
      "main.main()\n"
      "\t_testmain.go:52 +0x9b\n"
      "\n"
      "goroutine 7 [trace reader (blocked)]:\n"
      "runtime.ReadTrace()\n"
      "\t/usr/local/go/src/runtime/trace.go:893 +0x5b\n"
      "runtime/trace.(*traceMultiplexer).startLocked.func1()\n"
      "\t/usr/local/go/src/runtime/trace/subscribe.go:167 +0x6b\n"
      "created by runtime/trace.(*traceMultiplexer).startLocked in goroutine 1\n"
      "\t/usr/local/go/src/runtime/trace/subscribe.go:157 +0x77\n"
      "\n"
      "goroutine 8 [sleep]:\n"
      "time.Sleep(0x3b9aca00)\n";
  const std::string want =
      "panic: test timed out after 1s\n"
      "\n"
      "goroutine 1 [chan receive]:\n"
      "testing.(*M).Run(0xc000138000)\n"
      "\t/usr/local/go/src/testing/testing.go:2443 +0x6b5\n"
      "main.main()\n"
      "\t_testmain.go:48 +0x9b\n"
      "\n"
      "goroutine 8 [sleep]:\n"
      "time.Sleep(0x3b9aca00)\n";
  EXPECT_EQ(HideGeneratedTestMain(with, /*added_xtest=*/true), want);
  // A package that had an external test package already: only the "reflect" import moved main.
  EXPECT_NE(HideGeneratedTestMain(with, false).find("_testmain.go:50 "), std::string::npos);
  // The goroutine of the TestMain's -timeout closure goes too (were it still running).
  const std::string closure =
      "goroutine 1 [chan receive]:\nmain.main()\n\t_testmain.go:52 +0x9b\n"
      "\n"
      "goroutine 9 [runnable]:\n"
      "runtime/trace.Stop()\n\t/usr/local/go/src/runtime/trace/trace.go:160 +0x1b\n"
      "example.com/fidelity/timeout_test.TestMain.func1.1()\n"
      "\t/m/timeout/zz_cancelflow_leakprofile_test.go:70 +0x1e5\n"
      "example.com/fidelity/timeout_test.TestMain.func1()\n"
      "\t/m/timeout/zz_cancelflow_leakprofile_test.go:52 +0x1e5\n"
      "created by time.goFunc\n\t/usr/local/go/src/time/sleep.go:215 +0x2d\n"
      "\n"
      "goroutine 8 [sleep]:\n";
  EXPECT_EQ(HideGeneratedTestMain(closure, true),
            "goroutine 1 [chan receive]:\nmain.main()\n\t_testmain.go:48 +0x9b\n\ngoroutine 8 [sleep]:\n");
  // The user's own TestMain frame stays.
  const std::string own = "example.com/x.TestMain(0xc000138000)\n\t/m/x/main_test.go:9 +0x1e\n";
  EXPECT_EQ(HideGeneratedTestMain(own, true), own);
}

}  // namespace
}  // namespace cancelflow::cli
