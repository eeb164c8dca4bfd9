// Why the one-byte placeholder: protozero reserves four redundant varint
// bytes per nested message, which is legal protobuf but grows small packets
// by ~20%. Perfetto packets and pprof table entries are nearly all under 128
// bytes, so the shift in EndMessage almost never runs, and when it does it
// moves only the body of that message.
#include "report/protobuf_writer.h"

#include <cstring>

#include "base/check.h"
#include "base/inert_text.h"

namespace cancelflow::report {

void AppendVarint(std::string* out, uint64_t v) { AppendUvarint(out, v); }

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // > U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void ProtoWriter::String(uint32_t field, std::string_view v) {
  // Every string here is shown by a UI (Perfetto) or printed to a terminal
  // (go tool pprof -top): inert text, which is also valid UTF-8.
  if (IsInertText(v)) {
    Bytes(field, v);
    return;
  }
  Bytes(field, InertText(v));
}

void ProtoWriter::Fixed64(uint32_t field, uint64_t v) {
  Tag(field, WireType::kFixed64);
  char tmp[8];
  for (int i = 0; i < 8; ++i) tmp[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  buf_.append(tmp, 8);
}

void ProtoWriter::Double(uint32_t field, double v) {
  uint64_t bits;
  static_assert(sizeof(bits) == sizeof(v));
  std::memcpy(&bits, &v, sizeof(bits));
  Fixed64(field, bits);
}

void ProtoWriter::PackedVarint(uint32_t field, std::span<const uint64_t> values) {
  if (values.empty()) return;
  size_t len = 0;
  for (uint64_t v : values) len += VarintSize(v);
  Tag(field, WireType::kLengthDelimited);
  AppendVarint(&buf_, len);
  for (uint64_t v : values) AppendVarint(&buf_, v);
}

void ProtoWriter::PackedInt64(uint32_t field, std::span<const int64_t> values) {
  if (values.empty()) return;
  size_t len = 0;
  for (int64_t v : values) len += VarintSize(static_cast<uint64_t>(v));
  Tag(field, WireType::kLengthDelimited);
  AppendVarint(&buf_, len);
  for (int64_t v : values) AppendVarint(&buf_, static_cast<uint64_t>(v));
}

void ProtoWriter::PackedFixed64(uint32_t field, std::span<const uint64_t> values) {
  if (values.empty()) return;
  Tag(field, WireType::kLengthDelimited);
  AppendVarint(&buf_, values.size() * 8);
  for (uint64_t v : values) {
    char tmp[8];
    for (int i = 0; i < 8; ++i) tmp[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    buf_.append(tmp, 8);
  }
}

ProtoWriter::MessageToken ProtoWriter::BeginMessage(uint32_t field) {
  Tag(field, WireType::kLengthDelimited);
  const size_t at = buf_.size();
  buf_.push_back('\0');
  return MessageToken{at, ++depth_};
}

void ProtoWriter::EndMessage(MessageToken token) {
  CF_DCHECK(token.depth == depth_);
  --depth_;
  const size_t body_at = token.length_at + 1;
  const size_t len = buf_.size() - body_at;
  if (len < 0x80) {
    buf_[token.length_at] = static_cast<char>(len);
    return;
  }
  const size_t n = VarintSize(len);
  buf_.resize(buf_.size() + n - 1);
  char* base = buf_.data();
  std::memmove(base + body_at + n - 1, base + body_at, len);
  std::string enc;
  AppendVarint(&enc, len);
  std::memcpy(base + token.length_at, enc.data(), n);
}

}  // namespace cancelflow::report
