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

Result<bool> RawReader::Next(RawEvent* ev) {
  go_eof_ = false;
  if (cursor_.AtEnd()) return false;
  const uint64_t start = cursor_.offset();
  const uint8_t* start_ptr = cursor_.pos();
  const uint8_t type = cursor_.ReadByte();
  if (type == 0 || type >= spec_count_) {
    return MakeError(ErrorCode::kBadEvent, start, generation_,
                     fmt::format("invalid event type: {} (trace version go 1.{})", type,
                                 static_cast<uint32_t>(version_)));
  }
  const EventSpec& spec = Spec(type);
  ev->type = type;
  ev->offset = start;
  ev->nargs = spec.nargs;
  for (int i = 0; i < spec.nargs; ++i) ev->args[i] = cursor_.ReadUvarint();
  // Inside an event, an argument that cannot start is a truncation for us;
  // Go returns io.EOF and stops silently (see truncated_like_go_eof).
  if (!cursor_.ok()) return tl::unexpected(MakeCursorError(cursor_, start));
  ev->nframes = 0;
  ev->frames_begin = ev->frames_end = nullptr;
  if (spec.is_stack) {
    // Go: len := int(args[1]); a value that is negative as an int reads no frames.
    const uint64_t n = static_cast<int64_t>(ev->args[1]) < 0 ? 0 : ev->args[1];
    ev->frames_begin = cursor_.pos();
    for (uint64_t i = 0; i < n && cursor_.ok(); ++i) {
      for (int f = 0; f < 4; ++f) (void)cursor_.ReadUvarint();
    }
    if (!cursor_.ok()) return tl::unexpected(MakeCursorError(cursor_, start));
    ev->frames_end = cursor_.pos();
    ev->nframes = n;
  }
  ev->data_present = false;
  ev->data = {};
  if (spec.has_data) {
    const uint64_t len = cursor_.ReadUvarint();
    if (!cursor_.ok()) return tl::unexpected(MakeCursorError(cursor_, start));
    // Go: for i := 0; i < int(len); i++ — negative lengths read nothing.
    if (static_cast<int64_t>(len) > 0) {
      if (len > cursor_.Remaining()) {
        go_eof_ = true;  // Go's ReadByte hits io.EOF inside the data
        return MakeError(ErrorCode::kTruncated, start + static_cast<uint64_t>(cursor_.end() - start_ptr), generation_,
                         fmt::format("trace ends inside the {} bytes of data of the event at byte {}", len,
                                     start));
      }
      ev->data = cursor_.ReadBytes(len);
      ev->data_present = true;
    }
  }
  if (type == kEventBatch) generation_ = ev->args[0];
  if (type == kExperimentalBatch) generation_ = ev->args[1];
  ev->encoded_size = static_cast<uint64_t>(cursor_.pos() - start_ptr);
  return true;
}

}  // namespace cancelflow::wire
