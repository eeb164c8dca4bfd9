#include "wire/raw_reader.h"

#include <fmt/format.h>

namespace cancelflow::wire {

Result<RawReader> RawReader::Open(const TraceBuffer& buf) {
  auto header = ParseHeader(buf);
  if (!header) return tl::unexpected(header.error());
  return RawReader(buf, header->version, header->size);
}

RawReader::RawReader(const TraceBuffer& buf, Version v, size_t header_size)
    : cursor_(buf.data() + header_size, buf.end(), header_size),
      version_(v),
      spec_count_(VersionSpecCount(v)) {}

Error RawReader::MakeCursorError(const ByteCursor& c, uint64_t event_offset) {
  const auto what = c.status();
  // Go's raw reader treats io.EOF from ReadUvarint (nothing read) and from
  // ReadByte inside data as the clean end of the stream.
  go_eof_ = what == ByteCursor::Status::kEof;
  if (what == ByteCursor::Status::kOverflow) {
    return Error{ErrorCode::kVarintOverflow, c.error_offset(), generation_,
                 fmt::format("varint overflows a 64-bit integer in event at byte {}", event_offset)};
  }
  return Error{ErrorCode::kTruncated, c.error_offset(), generation_,
               fmt::format("trace ends in the middle of an event that starts at byte {}", event_offset)};
}

DecodeStatus DecodeRawEvent(ByteCursor* c, int spec_count, RawEvent* ev) {
  const uint8_t* start_ptr = c->pos();
  ev->offset = c->offset();
  const uint8_t type = c->ReadByte();
  if (!c->ok()) return DecodeStatus::kCursor;
  ev->type = type;
  if (type == 0 || type >= spec_count) return DecodeStatus::kBadType;
  const EventSpec& spec = Spec(type);
  ev->nargs = spec.nargs;
  for (int i = 0; i < spec.nargs; ++i) ev->args[i] = c->ReadUvarint();
  if (!c->ok()) return DecodeStatus::kCursor;
  ev->nframes = 0;
  ev->frames_begin = ev->frames_end = nullptr;
  if (spec.is_stack) {
    // Go: len := int(args[1]); a value that is negative as an int reads no frames.
    const uint64_t n = static_cast<int64_t>(ev->args[1]) < 0 ? 0 : ev->args[1];
    ev->frames_begin = c->pos();
    for (uint64_t i = 0; i < n && c->ok(); ++i) {
      for (int f = 0; f < 4; ++f) (void)c->ReadUvarint();
    }
    if (!c->ok()) return DecodeStatus::kCursor;
    ev->frames_end = c->pos();
    ev->nframes = n;
  }
  ev->data_present = false;
  ev->data = {};
  if (spec.has_data) {
    const uint64_t len = c->ReadUvarint();
    if (!c->ok()) return DecodeStatus::kCursor;
    // Go: for i := 0; i < int(len); i++ — negative lengths read nothing.
    if (static_cast<int64_t>(len) > 0) {
      if (len > c->Remaining()) return DecodeStatus::kDataTruncated;
      ev->data = c->ReadBytes(len);
      ev->data_present = true;
    }
  }
  ev->encoded_size = static_cast<uint64_t>(c->pos() - start_ptr);
  return DecodeStatus::kOk;
}

Result<bool> RawReader::Next(RawEvent* ev) {
  go_eof_ = false;
  if (cursor_.AtEnd()) return false;
  const uint64_t start = cursor_.offset();
  switch (DecodeRawEvent(&cursor_, spec_count_, ev)) {
    case DecodeStatus::kOk:
      break;
    case DecodeStatus::kBadType:
      return MakeError(ErrorCode::kBadEvent, start, generation_,
                       fmt::format("invalid event type: {} (trace version go 1.{})", ev->type,
                                   static_cast<uint32_t>(version_)));
    case DecodeStatus::kCursor:
      // Inside an event, an argument that cannot start is a truncation for
      // us; Go returns io.EOF and stops silently (see truncated_like_go_eof).
      return tl::unexpected(MakeCursorError(cursor_, start));
    case DecodeStatus::kDataTruncated:
      go_eof_ = true;  // Go's ReadByte hits io.EOF inside the data
      return MakeError(ErrorCode::kTruncated, cursor_.offset() + cursor_.Remaining(), generation_,
                       fmt::format("trace ends inside the data of the event at byte {}", start));
  }
  if (ev->type == kEventBatch) generation_ = ev->args[0];
  if (ev->type == kExperimentalBatch) generation_ = ev->args[1];
  return true;
}

}  // namespace cancelflow::wire
