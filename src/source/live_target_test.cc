#include "source/live_target.h"

#include <gtest/gtest.h>

#include "source/http_client.h"

namespace cancelflow::live {
namespace {

TEST(NormalizeLiveUrl, AcceptsTheFormsGoToolPprofAccepts) {
  EXPECT_EQ(NormalizeLiveUrl("http://127.0.0.1:6060"), "http://127.0.0.1:6060/debug/pprof/");
  EXPECT_EQ(NormalizeLiveUrl("http://127.0.0.1:6060/"), "http://127.0.0.1:6060/debug/pprof/");
  EXPECT_EQ(NormalizeLiveUrl("http://127.0.0.1:6060/debug/pprof"), "http://127.0.0.1:6060/debug/pprof/");
  EXPECT_EQ(NormalizeLiveUrl("http://127.0.0.1:6060/debug/pprof/"), "http://127.0.0.1:6060/debug/pprof/");
  EXPECT_EQ(NormalizeLiveUrl("https://svc:443/admin/pprof//"), "https://svc:443/admin/pprof/");
}

TEST(NormalizeLiveUrl, RefusesWhatIsNotABaseUrl) {
  EXPECT_EQ(NormalizeLiveUrl("trace.out"), "");
  EXPECT_EQ(NormalizeLiveUrl("ftp://h:1/"), "");
  EXPECT_EQ(NormalizeLiveUrl("http://"), "");
  EXPECT_EQ(NormalizeLiveUrl("http://h:1/debug/pprof/trace?seconds=5"), "");
  EXPECT_EQ(NormalizeLiveUrl("http://h 1:2/"), "");
  EXPECT_FALSE(IsLiveUrl("-"));
  EXPECT_TRUE(IsLiveUrl("https://h/"));
}

TEST(FetchLive, BadUrlIsAnErrorWithoutARequest) {
  const LiveFetch f = FetchLive("http://", LiveOptions{});
  EXPECT_EQ(f.error, LiveError::kBadUrl);
  EXPECT_FALSE(f.message.empty());
}

TEST(FirstLine, OneInertLine) {
  EXPECT_EQ(http::FirstLine("  404 page not found\nmore"), "404 page not found");
  EXPECT_EQ(http::FirstLine("a\tb\x01"), "a?b?");
  EXPECT_EQ(http::FirstLine(std::string(500, 'x'), 10), std::string(10, 'x'));
}

}  // namespace
}  // namespace cancelflow::live
