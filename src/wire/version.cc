#include "wire/version.h"

#include <fmt/format.h>

#include "wire/event_spec.h"

namespace cancelflow::wire {

int VersionSpecCount(Version v) {
  switch (v) {
    case Version::kGo122: return kUserLog + 1;
    case Version::kGo123: return kExperimentalBatch + 1;
    case Version::kGo125: return kClockSnapshot + 1;
    case Version::kGo126: return kNumSpecs;
  }
  return 0;
}

const char* VersionGoReleases(Version v) {
  switch (v) {
    case Version::kGo122: return "Go 1.22";
    case Version::kGo123: return "Go 1.23/1.24";
    case Version::kGo125: return "Go 1.25";
    case Version::kGo126: return "Go 1.26+";
  }
  return "?";
}

Result<Header> ParseHeader(const TraceBuffer& buf) { return ParseHeader(buf.data(), buf.size()); }

Result<Header> ParseHeader(const uint8_t* data, size_t size) {
  if (size == 0) {
    return MakeError(ErrorCode::kEmpty, 0, kNoGeneration, "empty input: not a Go execution trace");
  }
  // The reference parses the header with fmt.Fscanf("go 1.%d trace\x00\x00\x00").
  // We accept exactly the canonical form: "go 1." digits " trace" NUL NUL NUL.
  std::string_view s(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kPrefix = "go 1.";
  constexpr std::string_view kSuffix = std::string_view(" trace\0\0\0", 9);
  auto bad = [&](uint64_t at) {
    return MakeError(ErrorCode::kBadHeader, at, kNoGeneration,
                     "bad file format: not a Go execution trace (expected header \"go 1.NN trace\")");
  };
  if (s.substr(0, kPrefix.size()) != kPrefix) return bad(0);
  size_t i = kPrefix.size();
  uint64_t minor = 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 9) {
    minor = minor * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return bad(i);
  if (s.substr(i, kSuffix.size()) != kSuffix) {
    return s.size() < i + kSuffix.size()
               ? MakeError(ErrorCode::kTruncated, s.size(), kNoGeneration, "trace header is truncated")
               : bad(i);
  }
  const size_t consumed = i + kSuffix.size();
  switch (minor) {
    case 22: return Header{Version::kGo122, consumed};
    case 23: return Header{Version::kGo123, consumed};
    case 25: return Header{Version::kGo125, consumed};
    case 26: return Header{Version::kGo126, consumed};
    case 11:
    case 19:
    case 21:
      return MakeError(ErrorCode::kUnsupportedVersion, 0, kNoGeneration,
                       fmt::format("unsupported trace version go 1.{}: this is the old (v1) format written by "
                                   "Go 1.21 and earlier; cancelflow reads traces written by Go 1.22 and later "
                                   "(trace versions go 1.22, 1.23, 1.25, 1.26)",
                                   minor));
    default:
      return MakeError(ErrorCode::kUnsupportedVersion, 0, kNoGeneration,
                       fmt::format("unknown or unsupported trace version go 1.{}: cancelflow reads traces "
                                   "written by Go 1.22 and later (trace versions go 1.22, 1.23, 1.25, 1.26)",
                                   minor));
  }
}

}  // namespace cancelflow::wire
