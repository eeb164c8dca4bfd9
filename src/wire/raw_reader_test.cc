#include "wire/raw_reader.h"

#include <gtest/gtest.h>

#include <deque>

#include "wire/test_util.h"

namespace cancelflow::wire {
namespace {

using wiretest::Batch;
using wiretest::Ev;
using wiretest::Header;

// Reads every event of `bytes`; returns the final result of Next. *go_eof
// receives truncated_like_go_eof() after the last call.
// RawEvents are views into their TraceBuffer, so every buffer made here
// lives until the test binary exits.
const TraceBuffer& Keep(const std::string& bytes) {
  static std::deque<TraceBuffer> buffers;
  buffers.push_back(TraceBuffer::FromBytes(bytes));
  return buffers.back();
}

Result<bool> ReadAll(const std::string& bytes, std::vector<RawEvent>* out, bool* go_eof = nullptr) {
  const TraceBuffer& buf = Keep(bytes);
  auto reader = RawReader::Open(buf);
  if (!reader) return tl::unexpected(reader.error());
  RawEvent ev;
  for (;;) {
    auto more = reader->Next(&ev);
    if (go_eof) *go_eof = reader->truncated_like_go_eof();
    if (!more) return more;
    if (!*more) return true;  // clean end
    out->push_back(ev);
  }
}

TEST(RawReader, DecodesBatchesAsFlatEvents) {
  std::string t = Header(26) + Batch(1, 7, 100, Ev(kProcStart, {3, 1, 1}) + Ev(kGoStart, {2, 5, 1})) +
                  std::string(1, static_cast<char>(kEndOfGeneration));
  std::vector<RawEvent> evs;
  ASSERT_TRUE(ReadAll(t, &evs).value());
  ASSERT_EQ(evs.size(), 4u);
  EXPECT_EQ(evs[0].type, kEventBatch);
  EXPECT_EQ(evs[0].args[3], 8u);  // size
  EXPECT_EQ(evs[0].encoded_size, 1u + 1 + 1 + 1 + 10);
  EXPECT_EQ(evs[1].type, kProcStart);
  EXPECT_EQ(evs[2].args[1], 5u);
  EXPECT_EQ(evs[3].type, kEndOfGeneration);
}

TEST(RawReader, StackFramesAndStringData) {
  std::string stack = Ev(kStack, {1, 2});
  for (uint64_t v : {10u, 1u, 2u, 30u, 11u, 3u, 4u, 31u}) wiretest::PutUvarint(&stack, v);
  std::string str = Ev(kString, {1});
  wiretest::PutUvarint(&str, 3);
  str += "a\"b";
  std::string t = Header(26) + stack + str;
  std::vector<RawEvent> evs;
  ASSERT_TRUE(ReadAll(t, &evs).value());
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].nframes, 2u);
  RawFrameIterator it(evs[0]);
  uint64_t f[4];
  ASSERT_TRUE(it.Next(f));
  EXPECT_EQ(f[0], 10u);
  EXPECT_EQ(f[3], 30u);
  ASSERT_TRUE(it.Next(f));
  EXPECT_EQ(f[2], 4u);
  EXPECT_FALSE(it.Next(f));
  EXPECT_TRUE(evs[1].data_present);
  EXPECT_EQ(evs[1].data, "a\"b");
}

TEST(RawReader, ZeroLengthDataIsNotPresent) {
  std::string t = Header(26) + Ev(kString, {1, 0});
  std::vector<RawEvent> evs;
  ASSERT_TRUE(ReadAll(t, &evs).value());
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_FALSE(evs[0].data_present);
}

TEST(RawReader, VersionLimitsEventTypes) {
  // GoSwitch (45) does not exist in Go 1.22 traces.
  std::vector<RawEvent> evs;
  auto r = ReadAll(Header(22) + Ev(kGoSwitch, {1, 2, 3}), &evs);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadEvent);
  EXPECT_EQ(r.error().offset, 16u);
  evs.clear();
  EXPECT_TRUE(ReadAll(Header(23) + Ev(kGoSwitch, {1, 2, 3}), &evs).value());
}

TEST(RawReader, TypeZeroIsInvalid) {
  std::vector<RawEvent> evs;
  auto r = ReadAll(Header(26) + std::string(1, '\0'), &evs);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadEvent);
}

TEST(RawReader, TruncationInsideAnEventIsReportedWithOffset) {
  std::string full = Header(26) + Batch(4, 1, 1, Ev(kProcStart, {300, 1, 1}));
  std::vector<RawEvent> evs;
  bool go_eof = true;
  // Cut in the middle of the two-byte dt varint of ProcStart.
  auto r = ReadAll(full.substr(0, full.size() - 3), &evs, &go_eof);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(r.error().generation, 4u);
  EXPECT_FALSE(go_eof);  // Go: unexpected EOF
  // Cut right after the type byte: Go's raw reader sees io.EOF and stops quietly.
  evs.clear();
  r = ReadAll(full.substr(0, full.size() - 4), &evs, &go_eof);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(go_eof);
}

TEST(RawReader, VarintOverflow) {
  std::string t = Header(26) + std::string(1, static_cast<char>(kProcStop)) + std::string(10, '\xff');
  std::vector<RawEvent> evs;
  auto r = ReadAll(t, &evs);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kVarintOverflow);
}

TEST(RawReader, BadHeaders) {
  for (const auto& [bytes, code] : std::vector<std::pair<std::string, ErrorCode>>{
           {"", ErrorCode::kEmpty},
           {"not a trace at all", ErrorCode::kBadHeader},
           {Header(21), ErrorCode::kUnsupportedVersion},
           {Header(19), ErrorCode::kUnsupportedVersion},
           {Header(99), ErrorCode::kUnsupportedVersion},
           {Header(26).substr(0, 10), ErrorCode::kTruncated},
       }) {
    TraceBuffer buf = TraceBuffer::FromBytes(bytes);
    auto r = RawReader::Open(buf);
    ASSERT_FALSE(r.has_value()) << bytes;
    EXPECT_EQ(r.error().code, code) << bytes;
  }
}

TEST(RawReader, UnsupportedVersionMessageNamesSupportedGoVersions) {
  TraceBuffer buf = TraceBuffer::FromBytes(Header(21));
  auto r = RawReader::Open(buf);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("Go 1.22 and later"), std::string::npos);
}

}  // namespace
}  // namespace cancelflow::wire
