#include "wire/batch.h"

#include <fmt/format.h>

namespace cancelflow::wire {

Result<BatchScanner> BatchScanner::Open(const TraceBuffer& buf) {
  auto header = ParseHeader(buf);
  if (!header) return tl::unexpected(header.error());
  return BatchScanner(buf, header->version, header->size);
}

BatchScanner::BatchScanner(const TraceBuffer& buf, Version v, size_t start)
    : cursor_(buf.data() + start, buf.end(), start), version_(v) {}

Result<bool> BatchScanner::Next(Batch* b) {
  if (cursor_.AtEnd()) return false;
  const uint64_t start = cursor_.offset();
  const uint8_t kind = cursor_.ReadByte();
  *b = Batch{};
  b->offset = start;
  if (kind == kEndOfGeneration) {
    // The reference accepts this byte for every version (batch.go readBatch).
    b->end_of_generation = true;
    b->data = cursor_.pos() - 1;
    b->size = 1;
    b->data_offset = start;
    return true;
  }
  if (kind != kEventBatch && kind != kExperimentalBatch) {
    return MakeError(ErrorCode::kBadBatch, start, last_gen_,
                     fmt::format("expected batch event, got event {}", kind));
  }
  if (kind == kExperimentalBatch) b->exp = static_cast<Experiment>(cursor_.ReadByte());
  b->gen = cursor_.ReadUvarint();
  b->m = cursor_.ReadUvarint();
  b->time = cursor_.ReadUvarint();
  const uint64_t size = cursor_.ReadUvarint();
  if (!cursor_.ok()) {
    const bool overflow = cursor_.status() == ByteCursor::Status::kOverflow;
    return MakeError(overflow ? ErrorCode::kVarintOverflow : ErrorCode::kTruncated, cursor_.error_offset(),
                     last_gen_,
                     fmt::format("{} in the header of the batch at byte {}",
                                 overflow ? "varint overflows a 64-bit integer" : "trace ends", start));
  }
  if (size > kMaxBatchSize) {
    return MakeError(ErrorCode::kBadBatch, start, b->gen,
                     fmt::format("invalid batch size {}, maximum is {}", size, kMaxBatchSize));
  }
  b->data_offset = cursor_.offset();
  if (size > cursor_.Remaining()) {
    return MakeError(ErrorCode::kTruncated, cursor_.offset() + cursor_.Remaining(), b->gen,
                     fmt::format("failed to read full batch at byte {}: read {} but wanted {}", start,
                                 cursor_.Remaining(), size));
  }
  b->data = cursor_.pos();
  b->size = static_cast<uint32_t>(size);
  cursor_.Skip(static_cast<size_t>(size));
  last_gen_ = b->gen;
  return true;
}

}  // namespace cancelflow::wire
