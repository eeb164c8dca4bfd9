// Sites: a stack frame as a source location, its short form, and the user
// frame as the analysis decides it (user_packages included).
#include <memory>

#include <gtest/gtest.h>

#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

struct Pools {
  std::shared_ptr<StringPool> strings = std::make_shared<StringPool>();
  std::shared_ptr<StackPool> stacks = std::make_shared<StackPool>();
  StackId Stack(std::initializer_list<std::pair<const char*, uint64_t>> frames) {  // leaf first
    std::vector<FrameId> ids;
    uint64_t pc = 0x1000;
    for (const auto& [fn, line] : frames)
      ids.push_back(stacks->InternFrame(Frame{pc++, strings->Intern(fn), strings->Intern("/src/app/x.go"), line}));
    return stacks->InternStack(ids);
  }
};

TEST(Sites, SiteAtAndShortSite) {
  Pools p;
  const StackId s = p.Stack({{"runtime.chanrecv1", 10}, {"main.worker", 42}});
  Analysis a(p.strings, p.stacks);
  const SourceSite site = SiteAt(a, s, 1);
  EXPECT_EQ(site.func, "main.worker");
  EXPECT_EQ(site.file, "/src/app/x.go");
  EXPECT_EQ(site.line, 42);
  EXPECT_EQ(ShortSite(site), "main.worker (x.go:42)");
  EXPECT_TRUE(SiteAt(a, s, 2).empty());
  EXPECT_TRUE(SiteAt(a, s, -1).empty());
  EXPECT_TRUE(SiteAt(a, kNoStack, 0).empty());
  EXPECT_EQ(ShortSite(SiteAt(*p.stacks, *p.strings, s, 0)), "runtime.chanrecv1 (x.go:10)");
}

TEST(Sites, FirstUserFrameFollowsUserPackages) {
  Pools p;
  const StackId s = p.Stack({{"runtime.gopark", 1}, {"net/http.(*conn).serve", 2}, {"main.main", 3}});
  Analysis a(p.strings, p.stacks);
  EXPECT_EQ(a.FirstUserFrame(s), 2);
  a.user_packages = {"net/http."};  // e.g. a `go test -trace` of net/http
  EXPECT_EQ(a.FirstUserFrame(s), 1);
  EXPECT_EQ(a.FirstUserFrame(p.Stack({{"runtime.gopark", 1}})), -1);
}

}  // namespace
}  // namespace cancelflow
