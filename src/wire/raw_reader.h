// RawReader: the trace as a flat stream of wire events, header excluded.
//
// Mirrors Go's internal/trace/raw.Reader, which is what `go tool trace
// -d=wire` and `-d=footprint` use: batch headers are just events
// (EventBatch gen m time size) followed inline by the batch's events, with no
// batch structure enforced. ExperimentalBatch carries its payload as data.
//
// ALGORITHM: read a type byte; reject 0 and types at or beyond the version's
// spec count; read the spec's argument varints; a Stack event is followed by
// nframes x (pc, func, file, line) varints; a HasData event by a length and
// that many bytes.
//
// INVARIANTS
// - Zero-copy and allocation-free: a RawEvent holds views into the buffer;
//   frames are validated on read and decoded again on demand.
// - "Clean end" follows the reference exactly: end of input at an event
//   boundary ends the stream. Where the reference also stops silently (end of
//   input right at the start of an argument or inside string data, which Go's
//   raw reader reports as io.EOF), we stop with kTruncated so the caller can
//   tell: `truncated_like_go_eof()` says the reference would have ended cleanly.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/byte_cursor.h"
#include "base/trace_buffer.h"
#include "cancelflow/error.h"
#include "wire/event_spec.h"
#include "wire/version.h"

namespace cancelflow::wire {

struct RawEvent {
  uint8_t type = kNone;
  uint8_t nargs = 0;
  uint64_t args[kMaxTimedEventArgs] = {};
  // Stack events: the frames as they appear on the wire.
  uint64_t nframes = 0;  // frames actually present (0 when args[1] is negative as a Go int)
  const uint8_t* frames_begin = nullptr;
  const uint8_t* frames_end = nullptr;
  // HasData events. `data_present` is false when Go's reader yields nil data
  // (length 0), which `-d=wire` does not print.
  bool data_present = false;
  std::string_view data;
  uint64_t offset = 0;        // byte offset of the type byte
  uint64_t encoded_size = 0;  // bytes on the wire, including padding of varints

  const EventSpec& spec() const { return Spec(type); }
};

// Decodes the frames of a Stack RawEvent; call Next until it returns false.
class RawFrameIterator {
 public:
  explicit RawFrameIterator(const RawEvent& ev) : cursor_(ev.frames_begin, ev.frames_end), left_(ev.nframes) {}
  // Frame fields in wire order: pc, func string id, file string id, line.
  bool Next(uint64_t frame[4]) {
    if (left_ == 0) return false;
    for (int i = 0; i < 4; ++i) frame[i] = cursor_.ReadUvarint();
    --left_;
    return cursor_.ok();
  }

 private:
  ByteCursor cursor_;
  uint64_t left_;
};

enum class DecodeStatus : uint8_t {
  kOk,
  kBadType,        // type 0 or not below spec_count (ev->type is set)
  kCursor,         // the cursor failed: see its status and error_offset
  kDataTruncated,  // a HasData length runs past the end of the span
};

// Decodes one event at the cursor (the shared core of RawReader and of
// batch-wise decoding). `spec_count` bounds the valid types: the version's
// count for the flat raw stream, kNumSpecs for events inside batches (Go's
// batch reader uses the full table, so Go 1.23 traces may carry experimental
// AllocFree events there).
DecodeStatus DecodeRawEvent(ByteCursor* c, int spec_count, RawEvent* ev);

class RawReader {
 public:
  // `buf` must outlive the reader. Fails on a bad header.
  static Result<RawReader> Open(const TraceBuffer& buf);

  Version version() const { return version_; }

  // Reads the next event. Returns true with *ev filled, false at the clean end
  // of the stream, or an Error.
  Result<bool> Next(RawEvent* ev);

  // After Next returned kTruncated: true when Go's raw reader would have
  // reported a clean io.EOF at this point rather than an error.
  bool truncated_like_go_eof() const { return go_eof_; }

  uint64_t offset() const { return cursor_.offset(); }

 private:
  RawReader(const TraceBuffer& buf, Version v, size_t header_size);
  Error MakeCursorError(const ByteCursor& c, uint64_t event_offset);

  ByteCursor cursor_;
  Version version_ = Version::kGo126;
  int spec_count_ = 0;
  uint64_t generation_ = kNoGeneration;  // last EventBatch gen seen, for error messages
  bool go_eof_ = false;
};

}  // namespace cancelflow::wire
