// Unit tests of the hand-rolled protobuf encoder: exact bytes for the
// encodings the writers rely on (checked against the protobuf spec's
// examples), nested-length fix-up across the one-byte boundary, packed
// fields, and a protoc round trip.
#include "report/protobuf_writer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/testing/trace_fixture.h"

namespace cancelflow::report {
namespace {

std::string Hex(std::string_view s) {
  std::string out;
  char b[4];
  for (char ch : s) {
    std::snprintf(b, sizeof b, "%02x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
    out += b;
  }
  return out;
}

TEST(ProtoWriter, VarintsMatchTheSpec) {
  std::string s;
  AppendVarint(&s, 0);
  AppendVarint(&s, 1);
  AppendVarint(&s, 127);
  AppendVarint(&s, 128);
  AppendVarint(&s, 300);
  EXPECT_EQ(Hex(s), "00017f8001ac02");
  s.clear();
  AppendVarint(&s, ~uint64_t{0});
  EXPECT_EQ(Hex(s), "ffffffffffffffffff01");
  for (uint64_t v : {0ULL, 127ULL, 128ULL, 16383ULL, 16384ULL, ~0ULL}) {
    s.clear();
    AppendVarint(&s, v);
    EXPECT_EQ(s.size(), VarintSize(v)) << v;
  }
}

TEST(ProtoWriter, ScalarFields) {
  ProtoWriter w;
  w.Varint(1, 150);  // the spec's "08 96 01"
  EXPECT_EQ(Hex(w.data()), "089601");
  w.Clear();
  w.String(2, "testing");  // "12 07 74 65 73 74 69 6e 67"
  EXPECT_EQ(Hex(w.data()), "120774657374696e67");
  w.Clear();
  w.Int64(3, -1);  // int64: ten-byte two's complement
  EXPECT_EQ(Hex(w.data()), "18ffffffffffffffffff01");
  w.Clear();
  w.SInt64(3, -1);  // sint64: zigzag 1
  EXPECT_EQ(Hex(w.data()), "1801");
  w.Clear();
  w.Fixed64(47, 0x0102030405060708ULL);  // tag (47<<3|1) = 377 = f9 02
  EXPECT_EQ(Hex(w.data()), "f9020807060504030201");
  w.Clear();
  w.Bool(7, true);
  EXPECT_EQ(Hex(w.data()), "3801");
  EXPECT_EQ(ZigZag(0), 0u);
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
  EXPECT_EQ(ZigZag(INT64_MIN), ~uint64_t{0});
}

TEST(ProtoWriter, PackedFields) {
  ProtoWriter w;
  const std::vector<uint64_t> v{3, 270, 86942};  // the spec's packed example: 22 06 03 8e 02 9e a7 05
  w.PackedVarint(4, v);
  EXPECT_EQ(Hex(w.data()), "2206038e029ea705");
  w.Clear();
  const std::vector<int64_t> n{1, -1};
  w.PackedInt64(2, n);
  EXPECT_EQ(Hex(w.data()), "120b01ffffffffffffffffff01");
  w.Clear();
  const std::vector<uint64_t> f{1};
  w.PackedFixed64(5, f);
  EXPECT_EQ(Hex(w.data()), "2a080100000000000000");
  w.Clear();
  w.PackedVarint(4, std::vector<uint64_t>{});  // empty: nothing written
  EXPECT_EQ(w.size(), 0u);
}

TEST(ProtoWriter, NestedMessageLengthsAcrossOneByteBoundary) {
  for (size_t body : {0u, 1u, 125u, 126u, 127u, 128u, 300u, 16383u, 16384u, 70000u}) {
    ProtoWriter w;
    w.Varint(1, 7);
    auto outer = w.BeginMessage(2);
    auto inner = w.BeginMessage(3);
    w.Bytes(4, std::string(body, 'x'));
    w.EndMessage(inner);
    w.Varint(5, 9);
    w.EndMessage(outer);
    // Expected: build the same bytes bottom-up.
    std::string inner_body;
    inner_body += '\x22';
    AppendVarint(&inner_body, body);
    inner_body += std::string(body, 'x');
    std::string outer_body = "\x1a";
    AppendVarint(&outer_body, inner_body.size());
    outer_body += inner_body;
    outer_body += "\x28\x09";
    std::string want = "\x08\x07\x12";
    AppendVarint(&want, outer_body.size());
    want += outer_body;
    EXPECT_EQ(w.data(), want) << body;
  }
}

TEST(ProtoWriter, ProtocDecodesIt) {
  // A Perfetto packet with a nested descriptor, decoded by protoc with the
  // project's schema.
  ProtoWriter pkt;
  pkt.Varint(10, 1);
  auto td = pkt.BeginMessage(60);
  pkt.Varint(1, 42);
  pkt.String(2, std::string(200, 'n'));
  pkt.EndMessage(td);
  ProtoWriter trace;
  trace.Message(1, pkt.data());
  const std::string path = testing::TempPath("protowriter.pb");
  ASSERT_TRUE(testing::WriteFile(path, trace.data()));
  int status = 0;
  const std::string out = testing::RunCommand(std::string(PROTOC_EXECUTABLE) + " --proto_path=" + CANCELFLOW_SOURCE_DIR +
                                                  "/proto --decode=perfetto.protos.Trace perfetto_trace_subset.proto < " + path,
                                              &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("uuid: 42"), std::string::npos) << out;
  EXPECT_NE(out.find("name: \"" + std::string(200, 'n') + "\""), std::string::npos) << out;
  EXPECT_NE(out.find("trusted_packet_sequence_id: 1"), std::string::npos) << out;
}

}  // namespace
}  // namespace cancelflow::report

namespace cancelflow::report {
namespace {

TEST(ProtoWriter, StringsAreInertValidUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  ProtoWriter w;
  w.String(1, "a\xff" "b");  // inert text: the invalid byte is shown as \xff
  EXPECT_EQ(w.data(), std::string("\x0a\x06" "a\\xff" "b"));
  w.Clear();
  w.String(1, "\x1b]0;t\x07\n");
  EXPECT_EQ(w.data(), std::string("\x0a\x0e" "\\x1b]0;t\\x07\\n"));
  w.Clear();
  w.Bytes(1, "a\xff");  // bytes fields are left alone
  EXPECT_EQ(w.data(), std::string("\x0a\x02" "a\xff"));
}

}  // namespace
}  // namespace cancelflow::report
