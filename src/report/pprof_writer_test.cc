// PprofWriter: placeholder until the pprof tests are written.
#include "report/pprof_writer.h"

#include <gtest/gtest.h>

namespace cancelflow::report {
namespace {
TEST(PprofWriter, Gzip) {
  std::string gz;
  ASSERT_TRUE(Gzip("hello", &gz));
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}
}  // namespace
}  // namespace cancelflow::report
