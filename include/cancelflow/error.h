// The error half of cancelflow's value-or-error results.
//
// An Error means "this input cannot be read past here". It always says where:
// the byte offset in the input and, when known, the generation being read.
// Tests assert on `code`, never on `message`.
#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

namespace cancelflow {

enum class ErrorCode : uint8_t {
  kOk = 0,
  kIo,                  // cannot open/read/map the input (missing file, directory, ...)
  kEmpty,               // zero-length input
  kBadHeader,           // not a Go execution trace
  kUnsupportedVersion,  // a Go trace version we do not read (v1 <= Go 1.21, or unknown)
  kTruncated,           // input ends in the middle of something
  kVarintOverflow,      // a varint longer than 10 bytes or above 2^64-1
  kBadBatch,            // malformed batch header (kind, size)
  kBadEvent,            // unknown event type or malformed event
  kBadGeneration,       // generation 0, generations out of order, missing tables
  kDuplicateId,         // a string or stack id defined twice in one generation
  kBadReference,        // an event refers to a string/stack id that does not exist
  kBrokenOrder,         // the ordering state machine found an impossible transition
  kBadText,             // malformed Go raw text format (.test files)
  kUsage,               // bad command line
  kProfileMismatch,     // evidence from outside the trace (a leak profile) cannot belong to it
};

// A stable, lower-case name for the code ("truncated", "bad-batch", ...).
const char* ErrorCodeName(ErrorCode code);

inline constexpr uint64_t kNoGeneration = 0;

struct Error {
  ErrorCode code = ErrorCode::kOk;
  uint64_t offset = 0;                 // byte offset in the input where the problem was found
  uint64_t generation = kNoGeneration;  // generation number being read, 0 if none yet
  std::string message;                 // one line, no trailing newline

  // "<message> (at byte <offset>, generation <gen>)".
  std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> MakeError(ErrorCode code, uint64_t offset, uint64_t generation,
                                       std::string message) {
  return tl::unexpected<Error>(Error{code, offset, generation, std::move(message)});
}

}  // namespace cancelflow
