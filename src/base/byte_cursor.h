// ByteCursor: a bounds-checked reader over a byte span with a sticky error.
//
// Decoders read a whole event (type byte + N varints) and check `ok()` once,
// instead of once per varint (the LLVM DataExtractor pattern). After the first
// failure every read returns 0 and the cursor stops moving, so `error_offset()`
// names the byte where decoding first went wrong.
//
// Varints follow Go's encoding/binary.Uvarint exactly: 7 bits per byte,
// little-endian groups, at most 10 bytes, the 10th byte must be 0 or 1;
// non-minimal (padded) encodings are accepted, as the runtime writes padded
// batch sizes.
//
// The cursor never reads outside [begin, end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cancelflow {

inline constexpr int kMaxVarintLen64 = 10;

class ByteCursor {
 public:
  enum class Status : uint8_t {
    kOk,
    kEof,        // the span ended exactly at the start of a read (clean end)
    kTruncated,  // the span ended in the middle of a value
    kOverflow,   // a varint does not fit in 64 bits
  };

  ByteCursor() = default;
  ByteCursor(const uint8_t* begin, const uint8_t* end, uint64_t base_offset = 0)
      : begin_(begin), pos_(begin), end_(end), base_offset_(base_offset) {}

  bool ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }
  bool AtEnd() const { return pos_ >= end_; }
  size_t Remaining() const { return static_cast<size_t>(end_ - pos_); }
  const uint8_t* pos() const { return pos_; }
  const uint8_t* end() const { return end_; }
  // Offset of the next byte, in the coordinates of the whole input.
  uint64_t offset() const { return base_offset_ + static_cast<uint64_t>(pos_ - begin_); }
  // Where the first failure happened (valid when !ok()).
  uint64_t error_offset() const { return error_offset_; }

  uint8_t ReadByte() {
    if (status_ != Status::kOk) return 0;
    if (pos_ >= end_) {
      Fail(Status::kEof, pos_);
      return 0;
    }
    return *pos_++;
  }

  uint64_t ReadUvarint() {
    if (status_ != Status::kOk) return 0;
    if (pos_ < end_ && *pos_ < 0x80) [[likely]] {
      return *pos_++;
    }
    return ReadUvarintSlow();
  }

  // Returns a view of the next n bytes and skips them.
  std::string_view ReadBytes(uint64_t n) {
    if (status_ != Status::kOk) return {};
    if (n > Remaining()) {
      // Even at the very end of input this is a truncation: a length prefix
      // promised these bytes.
      Fail(Status::kTruncated, pos_);
      return {};
    }
    std::string_view v(reinterpret_cast<const char*>(pos_), static_cast<size_t>(n));
    pos_ += n;
    return v;
  }

  void Skip(size_t n) { (void)ReadBytes(n); }

 private:
  uint64_t ReadUvarintSlow() {
    const uint8_t* start = pos_;
    uint64_t x = 0;
    unsigned shift = 0;
    for (int i = 0; i < kMaxVarintLen64; ++i) {
      if (pos_ >= end_) {
        Fail(i == 0 ? Status::kEof : Status::kTruncated, start);
        return 0;
      }
      uint8_t b = *pos_++;
      if (b < 0x80) {
        if (i == kMaxVarintLen64 - 1 && b > 1) {
          Fail(Status::kOverflow, start);
          return 0;
        }
        return x | static_cast<uint64_t>(b) << shift;
      }
      x |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
    }
    Fail(Status::kOverflow, start);
    return 0;
  }

  void Fail(Status s, const uint8_t* at) {
    status_ = s;
    error_offset_ = base_offset_ + static_cast<uint64_t>(at - begin_);
  }

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t base_offset_ = 0;
  uint64_t error_offset_ = 0;
  Status status_ = Status::kOk;
};

// Decodes one varint from [p, end) like Go's binary.Uvarint: returns the number
// of bytes used, 0 if the span is too short, -1 on overflow.
inline int DecodeUvarint(const uint8_t* p, const uint8_t* end, uint64_t* out) {
  if (p < end && *p < 0x80) [[likely]] {  // most trace varints are one byte
    *out = *p;
    return 1;
  }
  uint64_t x = 0;
  unsigned shift = 0;
  for (int i = 0; i < kMaxVarintLen64; ++i) {
    if (p + i >= end) return 0;
    uint8_t b = p[i];
    if (b < 0x80) {
      if (i == kMaxVarintLen64 - 1 && b > 1) return -1;
      *out = x | static_cast<uint64_t>(b) << shift;
      return i + 1;
    }
    x |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
  }
  return -1;
}

// Appends the minimal varint encoding of v to out (at least 10 bytes free); returns bytes written.
inline int EncodeUvarint(uint64_t v, uint8_t* out) {
  int n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<uint8_t>(v) | 0x80;
    v >>= 7;
  }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

// Appends the minimal varint encoding of v to *out.
inline void AppendUvarint(std::string* out, uint64_t v) {
  uint8_t buf[kMaxVarintLen64];
  const int n = EncodeUvarint(v, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

inline int UvarintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace cancelflow
