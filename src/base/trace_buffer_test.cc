#include "base/trace_buffer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace cancelflow {
namespace {

std::string TempPath(const std::string& name) {
  return (testing::TempDir().empty() ? std::string("/tmp/") : testing::TempDir()) + name + std::to_string(getpid());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(TraceBuffer, MapsFileWithZeroPadding) {
  // A page-sized file: the padding must come from the extra reserved page.
  const long page = sysconf(_SC_PAGESIZE);
  std::string bytes(static_cast<size_t>(page), 'x');
  const std::string path = TempPath("tb_page");
  WriteFile(path, bytes);
  auto tb = TraceBuffer::Open(path);
  ASSERT_TRUE(tb.has_value()) << tb.error().message;
  EXPECT_TRUE(tb->is_mapped());
  ASSERT_EQ(tb->size(), bytes.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(tb->data()), tb->size()), bytes);
  for (size_t i = 0; i < TraceBuffer::kPadding; ++i) EXPECT_EQ(tb->data()[tb->size() + i], 0);
  std::remove(path.c_str());
}

TEST(TraceBuffer, EmptyFileIsAnEmptyBuffer) {
  const std::string path = TempPath("tb_empty");
  WriteFile(path, "");
  auto tb = TraceBuffer::Open(path);
  ASSERT_TRUE(tb.has_value());
  EXPECT_EQ(tb->size(), 0u);
  EXPECT_EQ(tb->data()[0], 0);
  std::remove(path.c_str());
}

TEST(TraceBuffer, MissingFileAndDirectoryAreIoErrors) {
  auto missing = TraceBuffer::Open("/nonexistent/cancelflow/trace.out");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  auto dir = TraceBuffer::Open("/");
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code, ErrorCode::kIo);
}

TEST(TraceBuffer, FromBytesIsPaddedAndMovable) {
  TraceBuffer a = TraceBuffer::FromBytes("abc");
  TraceBuffer b = std::move(a);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.data()[3], 0);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is defined
}

}  // namespace
}  // namespace cancelflow
