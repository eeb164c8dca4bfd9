#include "cancelflow/leak_profile.h"

#include <gtest/gtest.h>

#include <string>

namespace cancelflow {
namespace {

const std::string kDir = std::string(CANCELFLOW_SOURCE_DIR) + "/tests/corpus/traces/go1.26/";

TEST(LeakProfile, ReadsTheDebug2TextGoWrites) {
  auto p = LoadLeakProfile(kDir + "leakprofile.goroutineleak");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->form, LeakProfile::Form::kText);
  EXPECT_EQ(p->leaked(), 3u);  // the three fetch workers
  int leaked = 0, pool = 0;
  for (const auto& g : p->goroutines) {
    EXPECT_GT(g.goid, 0);
    EXPECT_EQ(g.state.find("leaked"), std::string::npos) << g.state;
    if (g.leaked) {
      ++leaked;
      EXPECT_EQ(g.state, "chan send");
      ASSERT_FALSE(g.funcs.empty());
      EXPECT_EQ(g.funcs.front(), "main.fetch.func1");
    }
    if (!g.funcs.empty() && g.funcs.front() == "main.poolWorker") {
      ++pool;
      EXPECT_FALSE(g.leaked);
      EXPECT_EQ(g.state, "chan receive");
    }
  }
  EXPECT_EQ(leaked, 3);
  EXPECT_EQ(pool, 2);
}

TEST(LeakProfile, ReadsTheProtobufForm) {
  auto p = LoadLeakProfile(kDir + "leakprofile.goroutineleak.pb.gz");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->form, LeakProfile::Form::kProto);
  EXPECT_TRUE(p->goroutines.empty());
  EXPECT_EQ(p->leaked(), 3u);
  ASSERT_EQ(p->leaked_stacks.size(), 1u);
  bool fetch = false;
  for (const auto& f : p->leaked_stacks[0].funcs) fetch = fetch || f == "main.fetch.func1";
  EXPECT_TRUE(fetch);
}

TEST(LeakProfile, HeaderVariants) {
  auto p = ParseLeakProfile(
      "goroutine 7 gp=0xc000007a40 m=nil [select (leaked), 3 minutes, locked to thread]:\n"
      "main.f(0x1)\n\t/x/main.go:3 +0x1\n"
      "created by main.g in goroutine 1\n\t/x/main.go:9 +0x2\n\n"
      "goroutine 9 [running]:\nmain.main()\n\t/x/main.go:1 +0x1\n...additional frames elided...\n");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ASSERT_EQ(p->goroutines.size(), 2u);
  EXPECT_EQ(p->goroutines[0].goid, 7);
  EXPECT_TRUE(p->goroutines[0].leaked);
  EXPECT_EQ(p->goroutines[0].state, "select");
  EXPECT_EQ(p->goroutines[0].funcs, std::vector<std::string>{"main.f"});
  EXPECT_FALSE(p->goroutines[1].leaked);
}

TEST(LeakProfile, BadInputIsAnErrorNotACrash) {
  for (const char* bad : {"", "goroutineleak profile: total 3\n", "goroutine x [chan send]:\n",
                          "goroutine 5 chan send\n", "\x1f\x8b\x08\x00garbage", "random text\n"}) {
    auto p = ParseLeakProfile(bad);
    ASSERT_FALSE(p.has_value()) << bad;
    EXPECT_EQ(p.error().code, ErrorCode::kBadText) << bad;
  }
  EXPECT_EQ(LoadLeakProfile("/nonexistent/profile").error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace cancelflow
