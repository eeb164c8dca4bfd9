// go test's flags on their way to go list, go test -c and the test binaries.
#include "cli/go_test_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cancelflow::cli {
namespace {

using ::testing::ElementsAre;

TEST(SplitFlag, FormsOfAFlag) {
  auto f = SplitFlag("-count=1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "count");
  EXPECT_EQ(*f->value, "1");
  f = SplitFlag("--race");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "race");
  EXPECT_FALSE(f->value);
  EXPECT_FALSE(SplitFlag("./..."));
  EXPECT_FALSE(SplitFlag("-"));
  EXPECT_FALSE(SplitFlag("---x"));
  EXPECT_FALSE(SplitFlag("-=1"));
}

TEST(ListFlags, OnlyThoseThatChangeWhatGoListSees) {
  EXPECT_THAT(ListFlags({"-count=1", "-tags", "integration", "-race", "-mod=mod", "--", "-tags=x"}),
              ElementsAre("-tags", "integration", "-mod=mod"));
}

TEST(GoDuration, ParseAndFormatAsGo) {
  EXPECT_EQ(ParseGoDuration("10m"), 600e9);
  EXPECT_EQ(ParseGoDuration("1h2m3.5s"), 3723.5e9);
  EXPECT_EQ(ParseGoDuration("300ms"), 300e6);
  EXPECT_EQ(ParseGoDuration("0"), 0.0);
  EXPECT_FALSE(ParseGoDuration("10"));    // Go requires a unit
  EXPECT_FALSE(ParseGoDuration("1x"));
  EXPECT_FALSE(ParseGoDuration(""));
  EXPECT_FALSE(ParseGoDuration("1..5s"));
  EXPECT_EQ(FormatGoDuration(600e9), "10m0s");
  EXPECT_EQ(FormatGoDuration(660e9), "11m0s");
  EXPECT_EQ(FormatGoDuration(3630.5e9), "1h0m30.5s");
  EXPECT_EQ(FormatGoDuration(1e9), "1s");
}

TEST(ClassifyFlags, BuildAndTestFlagsSortedOut) {
  const DirectRun r = ClassifyFlags({"-race", "-count=1", "-run", "TestX", "-v", "-short", "-tags=a,b", "-timeout=30s",
                                     "-args", "-custom", "x"},
                                    nullptr);
  ASSERT_TRUE(r.usable);
  EXPECT_THAT(r.build, ElementsAre("-race", "-tags=a,b"));
  EXPECT_THAT(r.test, ElementsAre("-test.count=1", "-test.run=TestX", "-test.short=true", "-test.timeout=30s",
                                  "-custom", "x"));
  EXPECT_TRUE(r.timeout_set);
  EXPECT_EQ(r.timeout_ns, 30e9);
  EXPECT_FALSE(r.bench);
  EXPECT_FALSE(r.ldflags);
  // Defaults: go test's 10m timeout.
  const DirectRun d = ClassifyFlags({}, nullptr);
  ASSERT_TRUE(d.usable);
  EXPECT_FALSE(d.timeout_set);
  EXPECT_EQ(d.timeout_ns, 600e9);
  EXPECT_TRUE(ClassifyFlags({"-bench=."}, nullptr).bench);
  EXPECT_TRUE(ClassifyFlags({"-ldflags", "-X main.v=1"}, nullptr).ldflags);
}

TEST(ClassifyFlags, LeftToGoTestWhenNotTranslatable) {
  EXPECT_FALSE(ClassifyFlags({"-cover"}, nullptr).usable);         // go test instruments and merges itself
  EXPECT_FALSE(ClassifyFlags({"-coverprofile=c.out"}, nullptr).usable);
  EXPECT_FALSE(ClassifyFlags({"-exec", "sudo"}, nullptr).usable);
  EXPECT_FALSE(ClassifyFlags({"-count=x"}, nullptr).usable);       // go test's own message
  EXPECT_FALSE(ClassifyFlags({"-count=010"}, nullptr).usable);     // octal: left to go
  EXPECT_FALSE(ClassifyFlags({"-timeout=5"}, nullptr).usable);
  EXPECT_FALSE(ClassifyFlags({"-cpu=1,x"}, nullptr).usable);
  EXPECT_FALSE(ClassifyFlags({"-run"}, nullptr).usable);           // a value is missing
  EXPECT_FALSE(ClassifyFlags({"./pkg"}, nullptr).usable);          // not a flag
  // GOFLAGS: build flags are fine, a test flag there is go test's business.
  EXPECT_TRUE(ClassifyFlags({}, "-mod=mod -trimpath").usable);
  EXPECT_FALSE(ClassifyFlags({}, "-count=1").usable);
  EXPECT_FALSE(ClassifyFlags({}, "-tags='a b'").usable);
}

TEST(TestBinaryName, LastElementOrTheOneBeforeAMajorVersion) {
  EXPECT_EQ(TestBinaryName("example.com/m/pkg"), "pkg.test");
  EXPECT_EQ(TestBinaryName("example.com/mod/v2"), "mod.test");
  EXPECT_EQ(TestBinaryName("example.com/mod/v1"), "v1.test");
  EXPECT_EQ(TestBinaryName("example.com/mod/v0"), "v0.test");
  EXPECT_EQ(TestBinaryName("context"), "context.test");
}

}  // namespace
}  // namespace cancelflow::cli

namespace cancelflow::cli {
namespace {

TEST(OutputMode, VerboseAndStreamedOutput) {
  auto mode = [](std::vector<std::string> flags) {
    const GoTestOutputMode m = OutputMode(flags);
    return std::make_pair(m.verbose, m.show_passed);
  };
  EXPECT_EQ(mode({}), std::make_pair(false, false));
  EXPECT_EQ(mode({"-count=1", "-v"}), std::make_pair(true, true));
  EXPECT_EQ(mode({"--v=true"}), std::make_pair(true, true));
  EXPECT_EQ(mode({"-v", "-v=false"}), std::make_pair(false, false));
  EXPECT_EQ(mode({"-bench", "."}), std::make_pair(false, true));
  EXPECT_EQ(mode({"-bench="}), std::make_pair(false, false));
  EXPECT_EQ(mode({"-run", "X", "-args", "-v"}), std::make_pair(false, false));
}

}  // namespace
}  // namespace cancelflow::cli
