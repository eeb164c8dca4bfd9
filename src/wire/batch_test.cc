#include "wire/batch.h"

#include <gtest/gtest.h>

#include "wire/test_util.h"

namespace cancelflow::wire {
namespace {

using wiretest::Batch;
using wiretest::Ev;
using wiretest::Header;

TEST(BatchScanner, ReadsBatchesAndEndOfGeneration) {
  std::string t = Header(26) + Batch(1, 5, 10, Ev(kProcStop, {1})) + Batch(1, kNoThread, 9, Ev(kStrings, {})) +
                  std::string(1, static_cast<char>(kEndOfGeneration));
  TraceBuffer buf = TraceBuffer::FromBytes(t);
  auto s = BatchScanner::Open(buf);
  ASSERT_TRUE(s.has_value());
  wire::Batch b;
  ASSERT_TRUE(s->Next(&b).value());
  EXPECT_EQ(b.gen, 1u);
  EXPECT_EQ(b.m, 5u);
  EXPECT_EQ(b.time, 10u);
  EXPECT_EQ(b.size, 2u);
  EXPECT_EQ(b.offset, 16u);
  ASSERT_TRUE(s->Next(&b).value());
  EXPECT_TRUE(b.IsStrings());
  EXPECT_EQ(b.m, kNoThread);
  ASSERT_TRUE(s->Next(&b).value());
  EXPECT_TRUE(b.IsEndOfGeneration());
  EXPECT_FALSE(s->Next(&b).value());
}

TEST(BatchScanner, ExperimentalBatchIsSkippedBySize) {
  std::string t = Header(23) + std::string("\x31\x01", 2);
  wiretest::PutUvarint(&t, 2);  // gen
  wiretest::PutUvarint(&t, 3);  // m
  wiretest::PutUvarint(&t, 4);  // time
  wiretest::PutUvarint(&t, 3);  // size
  t += "xyz";
  t += Batch(2, 3, 5, Ev(kProcStop, {1}));
  TraceBuffer buf = TraceBuffer::FromBytes(t);
  auto s = BatchScanner::Open(buf);
  wire::Batch b;
  ASSERT_TRUE(s->Next(&b).value());
  EXPECT_EQ(b.exp, Experiment::kAllocFree);
  EXPECT_EQ(b.size, 3u);
  ASSERT_TRUE(s->Next(&b).value());
  EXPECT_EQ(b.exp, Experiment::kNone);
}

TEST(BatchScanner, OversizedBatch) {
  std::string t = Header(26) + "\x01";
  wiretest::PutUvarint(&t, 1);
  wiretest::PutUvarint(&t, 1);
  wiretest::PutUvarint(&t, 1);
  wiretest::PutUvarint(&t, kMaxBatchSize + 1);
  TraceBuffer buf = TraceBuffer::FromBytes(t);
  auto s = BatchScanner::Open(buf);
  wire::Batch b;
  auto r = s->Next(&b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadBatch);
  EXPECT_EQ(r.error().offset, 16u);
  EXPECT_EQ(r.error().generation, 1u);
}

TEST(BatchScanner, TruncatedBatchData) {
  std::string t = Header(26) + Batch(3, 1, 1, Ev(kProcStop, {1}) + Ev(kProcStop, {1}));
  t.pop_back();
  TraceBuffer buf = TraceBuffer::FromBytes(t);
  auto s = BatchScanner::Open(buf);
  wire::Batch b;
  auto r = s->Next(&b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(r.error().generation, 3u);
}

TEST(BatchScanner, NotABatch) {
  TraceBuffer buf = TraceBuffer::FromBytes(Header(26) + "\x0b");
  auto s = BatchScanner::Open(buf);
  wire::Batch b;
  auto r = s->Next(&b);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kBadBatch);
}

}  // namespace
}  // namespace cancelflow::wire
