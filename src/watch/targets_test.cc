#include "watch/targets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "watch/keep_dir.h"

namespace cancelflow::watch {
namespace {

TEST(ParseFileSd, TargetsAndServiceLabel) {
  std::string error;
  auto t = ParseFileSd(R"([{"targets": ["10.0.0.1:6060", "10.0.0.2:6060"], "labels": {"service": "api", "env": "prod"}},
                           {"targets": ["h:1"]}])",
                       "dflt", &error);
  ASSERT_TRUE(t) << error;
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0].url, "http://10.0.0.1:6060/debug/pprof/");
  EXPECT_EQ((*t)[0].service, "api");
  EXPECT_EQ((*t)[1].instance, "10.0.0.2:6060");
  EXPECT_EQ((*t)[2].service, "dflt");
}

TEST(ParseFileSd, SchemeAndPathLabels) {
  std::string error;
  auto t = ParseFileSd(R"([{"targets": ["h:1"], "labels": {"__scheme__": "https", "__metrics_path__": "/admin/pprof"}}])",
                       "", &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ((*t)[0].url, "https://h:1/admin/pprof/");
  EXPECT_EQ((*t)[0].service, "h:1");  // no service anywhere: host:port
}

TEST(ParseFileSd, MalformedIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseFileSd("{", "", &error));
  EXPECT_FALSE(ParseFileSd(R"({"targets": []})", "", &error));
  EXPECT_FALSE(ParseFileSd(R"([{"labels": {}}])", "", &error));
  EXPECT_FALSE(ParseFileSd(R"([{"targets": [1]}])", "", &error));
  EXPECT_FALSE(ParseFileSd(R"([{"targets": ["h:1"], "labels": {"service": 3}}])", "", &error));
  EXPECT_FALSE(error.empty());
}

TEST(TargetList, RereadsAFileWhenItChanges) {
  const std::string path = ::testing::TempDir() + "/cf_file_sd.json";
  { std::ofstream(path) << R"([{"targets": ["a:1"]}])"; }
  TargetList list({"http://b:2", path, "http://b:2/debug/pprof/"}, "svc");
  std::vector<std::string> problems;
  EXPECT_TRUE(list.Refresh(&problems));
  ASSERT_EQ(list.targets().size(), 2u);  // b:2 once
  EXPECT_EQ(list.targets()[0].instance, "b:2");
  EXPECT_FALSE(list.Refresh(&problems));  // unchanged
  { std::ofstream(path) << R"([{"targets": ["a:1", "c:3"], "labels": {"service": "x"}}])"; }
  struct timespec later[2] = {{0, UTIME_OMIT}, {2'000'000'000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), later, 0), 0);
  EXPECT_TRUE(list.Refresh(&problems));
  ASSERT_EQ(list.targets().size(), 3u);
  EXPECT_EQ(list.targets()[2].service, "x");
  { std::ofstream(path) << "garbage"; }
  later[1].tv_sec += 10;
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), later, 0), 0);
  EXPECT_FALSE(list.Refresh(&problems));  // kept its previous targets
  EXPECT_EQ(list.targets().size(), 3u);
  ASSERT_FALSE(problems.empty());
  std::remove(path.c_str());
}

TEST(KeepDir, PrunesOldestTracesOnly) {
  const std::string dir = ::testing::TempDir() + "/cf_keep";
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 4; ++i) {
    const std::string p = dir + "/" + KeptTraceName("svc", "h:1", 1000 + i);
    { std::ofstream(p) << std::string(100, 'x'); }
    struct timespec t[2] = {{0, UTIME_OMIT}, {1'000'000'000 + i, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), t, 0), 0);
  }
  { std::ofstream(dir + "/notes.txt") << std::string(1000, 'y'); }
  EXPECT_EQ(PruneKeepDir(dir, 250), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/svc_h_1_1000.trace"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/svc_h_1_1003.trace"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/notes.txt"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cancelflow::watch
