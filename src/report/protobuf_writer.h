// ProtoWriter: a hand-rolled protobuf encoder for the Perfetto and pprof
// writers (no libprotobuf link).
//
// ALGORITHM: fields are appended to one std::string in wire format (varint
// tag = field << 3 | wire type, then the value). A nested message is opened
// with BeginMessage, which appends the tag and a one-byte length
// placeholder; EndMessage computes the body length and, when it needs more
// than one varint byte (body >= 128 bytes), shifts the body right to make
// room. Small messages (most TracePackets, pprof Locations) are thus written
// in place without a second pass, and every length is the minimal varint, so
// any conforming decoder (protoc --decode, Go's pprof, trace_processor) reads
// the output.
//
// INVARIANTS
// - Messages nest like brackets: every BeginMessage is closed by the
//   EndMessage of the token it returned, innermost first (DCHECKed).
// - Packed repeated fields are written with their exact byte length
//   computed up front (no placeholder).
// - `string` fields are always inert text (base/inert_text.h), hence valid
//   UTF-8: String() escapes controls, bidi controls and invalid bytes.
// - The writer keeps its buffer capacity across Clear(): one writer is
//   reused for every packet of a stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_cursor.h"

namespace cancelflow::report {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Bytes the varint encoding of v takes (1..10).
inline size_t VarintSize(uint64_t v) { return static_cast<size_t>(UvarintSize(v)); }

// Appends the varint encoding of v to *out.
void AppendVarint(std::string* out, uint64_t v);

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

class ProtoWriter {
 public:
  struct MessageToken {
    size_t length_at;  // offset of the one-byte length placeholder
    uint32_t depth;
  };

  const std::string& data() const { return buf_; }
  std::string& mutable_data() { return buf_; }
  size_t size() const { return buf_.size(); }
  void Clear() {
    buf_.clear();
    depth_ = 0;
  }

  // Scalar fields. Int64 is protobuf's int64 (two's complement varint,
  // 10 bytes for negatives); SInt64 is sint64 (zigzag).
  void Varint(uint32_t field, uint64_t v) {
    Tag(field, WireType::kVarint);
    AppendVarint(&buf_, v);
  }
  void Int64(uint32_t field, int64_t v) { Varint(field, static_cast<uint64_t>(v)); }
  void SInt64(uint32_t field, int64_t v) { Varint(field, ZigZag(v)); }
  void Bool(uint32_t field, bool v) { Varint(field, v ? 1 : 0); }
  void Fixed64(uint32_t field, uint64_t v);
  void Double(uint32_t field, double v);
  void Bytes(uint32_t field, std::string_view v) {
    Tag(field, WireType::kLengthDelimited);
    AppendVarint(&buf_, v.size());
    buf_.append(v);
  }
  // A `string` field: protobuf requires UTF-8, and trace strings are
  // untrusted, so invalid sequences become U+FFFD.
  void String(uint32_t field, std::string_view v);

  // Packed repeated fields (proto3 default for scalars; proto2 [packed=true]).
  void PackedVarint(uint32_t field, std::span<const uint64_t> values);
  void PackedInt64(uint32_t field, std::span<const int64_t> values);
  void PackedFixed64(uint32_t field, std::span<const uint64_t> values);

  // Nested messages.
  [[nodiscard]] MessageToken BeginMessage(uint32_t field);
  void EndMessage(MessageToken token);

  // Appends an already-encoded message body as field `field`.
  void Message(uint32_t field, std::string_view encoded) { Bytes(field, encoded); }

 private:
  void Tag(uint32_t field, WireType type) {
    AppendVarint(&buf_, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
  }

  std::string buf_;
  uint32_t depth_ = 0;
};

}  // namespace cancelflow::report
