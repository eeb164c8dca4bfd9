// Trace versions and the 16-byte file header ("go 1.NN trace\0\0\0").
//
// Mirrors internal/trace/version: v2 traces are Go 1.22 (22), Go 1.23 and
// 1.24 (23), Go 1.25 (25) and Go 1.26+ (26). v1 traces (11, 19, 21; Go <= 1.21)
// are recognized and rejected with an explicit "unsupported" error.
#pragma once

#include <cstdint>
#include <string>

#include "base/trace_buffer.h"
#include "cancelflow/error.h"

namespace cancelflow::wire {

enum class Version : uint32_t {
  kGo122 = 22,
  kGo123 = 23,  // also written by Go 1.24
  kGo125 = 25,
  kGo126 = 26,  // also written by Go 1.27
};

inline constexpr size_t kHeaderSize = 16;

// Number of entries of Go's spec table a version may use (Version.Specs() length).
int VersionSpecCount(Version v);

// The Go release that writes version v ("Go 1.23/1.24").
const char* VersionGoReleases(Version v);

struct Header {
  Version version;
  size_t size;  // bytes consumed (always kHeaderSize for well-formed files)
};

// Parses the header at the start of `buf`. Errors: kEmpty, kBadHeader,
// kUnsupportedVersion (with a message naming the supported Go versions).
Result<Header> ParseHeader(const TraceBuffer& buf);
Result<Header> ParseHeader(const uint8_t* data, size_t size);

}  // namespace cancelflow::wire
