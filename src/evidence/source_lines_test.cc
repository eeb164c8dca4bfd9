#include "evidence/source_lines.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cancelflow::evidence {
namespace {

namespace fs = std::filesystem;

TEST(SourceLinesTest, ReceivesFromDone) {
  EXPECT_TRUE(ReceivesFromDone("\t<-ctx.Done()"));
  EXPECT_TRUE(ReceivesFromDone("\tcase <-s.ctx.Done():"));
  EXPECT_TRUE(ReceivesFromDone("<- r.Context().Done()"));
  EXPECT_FALSE(ReceivesFromDone("\t<-ch"));
  EXPECT_FALSE(ReceivesFromDone("\tctx.Done()"));
  EXPECT_FALSE(ReceivesFromDone("\t<-x.DoneCh"));
  EXPECT_FALSE(ReceivesFromDone("\t<-x.Done(other)"));
  EXPECT_FALSE(ReceivesFromDone(""));
}

TEST(SourceLinesTest, UncancelableContextIn) {
  EXPECT_EQ(UncancelableContextIn("\tgo worker(context.Background(), ch)"), "context.Background()");
  EXPECT_EQ(UncancelableContextIn("go w(context.TODO())"), "context.TODO()");
  EXPECT_EQ(UncancelableContextIn("go w(context.WithoutCancel(ctx))"), "context.WithoutCancel(...)");
  EXPECT_EQ(UncancelableContextIn("go w(ctx)"), "");
}

TEST(SourceLinesTest, ReadsOnlyGoFilesUnderTheRoot) {
  const fs::path root = fs::temp_directory_path() / "cancelflow_source_lines_test";
  fs::remove_all(root);
  fs::create_directories(root / "pkg");
  std::ofstream(root / "go.mod") << "module example.com/m\n\ngo 1.26\n";
  std::ofstream(root / "pkg" / "a.go") << "package pkg\n\t<-ctx.Done()\n";
  std::ofstream(root / "secret.txt") << "x\n";
  SourceLines src(root.string());
  ASSERT_TRUE(src.available());
  EXPECT_EQ(src.Line((root / "pkg" / "a.go").string(), 2), "\t<-ctx.Done()");
  EXPECT_EQ(src.Line("example.com/m/pkg/a.go", 1), "package pkg");  // -trimpath
  EXPECT_EQ(src.Line("example.com/m/pkg/a.go", 3), std::nullopt);
  EXPECT_EQ(src.Line("example.com/m/pkg/a.go", 0), std::nullopt);
  EXPECT_EQ(src.Line((root / "secret.txt").string(), 1), std::nullopt);
  EXPECT_EQ(src.Line("example.com/m/../m/pkg/a.go", 1), std::nullopt);
  EXPECT_EQ(src.Line("/etc/x.go", 1), std::nullopt);
  EXPECT_EQ(src.Line("other.org/m/pkg/a.go", 1), std::nullopt);
  SourceLines none("");
  EXPECT_FALSE(none.available());
  EXPECT_EQ(none.Line((root / "pkg" / "a.go").string(), 2), std::nullopt);
  fs::remove_all(root);
}

}  // namespace
}  // namespace cancelflow::evidence
