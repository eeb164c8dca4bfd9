#include "base/byte_cursor.h"

#include <gtest/gtest.h>

#include <vector>

namespace cancelflow {
namespace {

ByteCursor Cursor(const std::vector<uint8_t>& b) { return ByteCursor(b.data(), b.data() + b.size()); }

TEST(ByteCursor, OneByteVarint) {
  std::vector<uint8_t> b = {0x05, 0x7f};
  auto c = Cursor(b);
  EXPECT_EQ(c.ReadUvarint(), 5u);
  EXPECT_EQ(c.ReadUvarint(), 127u);
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE(c.AtEnd());
}

TEST(ByteCursor, PaddedTenByteVarintIsAccepted) {
  // The runtime reserves 10 bytes for batch sizes: 0x80|v ... 0x00.
  std::vector<uint8_t> b = {0x9a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto c = Cursor(b);
  EXPECT_EQ(c.ReadUvarint(), 26u);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.offset(), 10u);
}

TEST(ByteCursor, MaxUint64) {
  std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  auto c = Cursor(b);
  EXPECT_EQ(c.ReadUvarint(), ~uint64_t{0});
  EXPECT_TRUE(c.ok());
}

TEST(ByteCursor, OverflowInTenthByte) {
  std::vector<uint8_t> b = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  auto c = Cursor(b);
  c.ReadUvarint();
  EXPECT_EQ(c.status(), ByteCursor::Status::kOverflow);
  EXPECT_EQ(c.error_offset(), 0u);
}

TEST(ByteCursor, OverflowElevenBytes) {
  std::vector<uint8_t> b(11, 0x80);
  auto c = Cursor(b);
  c.ReadUvarint();
  EXPECT_EQ(c.status(), ByteCursor::Status::kOverflow);
}

TEST(ByteCursor, TruncatedVarintVsCleanEof) {
  std::vector<uint8_t> b = {0x01, 0x80};
  auto c = Cursor(b);
  EXPECT_EQ(c.ReadUvarint(), 1u);
  c.ReadUvarint();
  EXPECT_EQ(c.status(), ByteCursor::Status::kTruncated);
  EXPECT_EQ(c.error_offset(), 1u);

  std::vector<uint8_t> one = {0x01};
  auto d = Cursor(one);
  d.ReadUvarint();
  d.ReadUvarint();
  EXPECT_EQ(d.status(), ByteCursor::Status::kEof);
}

TEST(ByteCursor, ErrorIsSticky) {
  std::vector<uint8_t> b = {0x80};
  auto c = Cursor(b);
  c.ReadUvarint();
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.ReadByte(), 0u);
  EXPECT_EQ(c.ReadUvarint(), 0u);
  EXPECT_EQ(c.status(), ByteCursor::Status::kTruncated);
}

TEST(ByteCursor, ReadBytesPastEndIsTruncation) {
  std::vector<uint8_t> b = {1, 2, 3};
  auto c = Cursor(b);
  EXPECT_EQ(c.ReadBytes(2), std::string_view("\x01\x02", 2));
  EXPECT_TRUE(c.ReadBytes(5).empty());
  EXPECT_EQ(c.status(), ByteCursor::Status::kTruncated);
}

TEST(DecodeUvarint, MatchesGoBinaryUvarint) {
  uint64_t v = 0;
  std::vector<uint8_t> b = {0xac, 0x02};
  EXPECT_EQ(DecodeUvarint(b.data(), b.data() + 2, &v), 2);
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(DecodeUvarint(b.data(), b.data() + 1, &v), 0);  // too short
  std::vector<uint8_t> o(10, 0xff);
  EXPECT_EQ(DecodeUvarint(o.data(), o.data() + o.size(), &v), -1);
}

TEST(EncodeUvarint, RoundTrips) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 35, ~uint64_t{0}}) {
    uint8_t buf[10];
    int n = EncodeUvarint(v, buf);
    EXPECT_EQ(n, UvarintSize(v));
    uint64_t back = 0;
    EXPECT_EQ(DecodeUvarint(buf, buf + n, &back), n);
    EXPECT_EQ(back, v);
  }
}

}  // namespace
}  // namespace cancelflow
