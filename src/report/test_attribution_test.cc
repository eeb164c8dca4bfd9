#include "report/test_attribution.h"

#include <gtest/gtest.h>

namespace cancelflow::report {
namespace {

TEST(ParseTestFunc, TestFunctionsAndTheirClosures) {
  TestFunc f = ParseTestFunc("example.com/m/pkg.TestX");
  EXPECT_EQ(f.import_path, "example.com/m/pkg");
  EXPECT_EQ(f.test, "TestX");
  f = ParseTestFunc("example.com/m/pkg.TestParallel.func2.1");
  EXPECT_EQ(f.import_path, "example.com/m/pkg");
  EXPECT_EQ(f.test, "TestParallel");
  // An external test package belongs to the package it tests.
  f = ParseTestFunc("example.com/m/v2/pkg_test.Test_underscore");
  EXPECT_EQ(f.import_path, "example.com/m/v2/pkg");
  EXPECT_EQ(f.test, "Test_underscore");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.Test").test, "Test");
  EXPECT_EQ(ParseTestFunc("pkg.FuzzParse").test, "FuzzParse");
  EXPECT_EQ(ParseTestFunc("pkg.FuzzParse").import_path, "pkg");
}

TEST(ParseTestFunc, NotTests) {
  // go test's rule: after "Test", end of name or not a lower-case letter.
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.Testify").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.search.func1").test, "");
  EXPECT_EQ(ParseTestFunc("testing.tRunner").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/m/pkg.(*T).TestLike").test, "");
  EXPECT_EQ(ParseTestFunc("").test, "");
  EXPECT_EQ(ParseTestFunc("a/b/c").test, "");
  EXPECT_EQ(ParseTestFunc("example.com/Test.dir/pkg.f").test, "");
}

}  // namespace
}  // namespace cancelflow::report
