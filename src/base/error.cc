#include "cancelflow/error.h"

#include <fmt/format.h>

namespace cancelflow {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kEmpty: return "empty";
    case ErrorCode::kBadHeader: return "bad-header";
    case ErrorCode::kUnsupportedVersion: return "unsupported-version";
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kVarintOverflow: return "varint-overflow";
    case ErrorCode::kBadBatch: return "bad-batch";
    case ErrorCode::kBadEvent: return "bad-event";
    case ErrorCode::kBadGeneration: return "bad-generation";
    case ErrorCode::kDuplicateId: return "duplicate-id";
    case ErrorCode::kBadReference: return "bad-reference";
    case ErrorCode::kBrokenOrder: return "broken-order";
    case ErrorCode::kBadText: return "bad-text";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kProfileMismatch: return "profile-mismatch";
  }
  return "unknown";
}

std::string Error::ToString() const {
  if (generation == kNoGeneration) {
    return fmt::format("{} (at byte {})", message, offset);
  }
  return fmt::format("{} (at byte {}, generation {})", message, offset, generation);
}

}  // namespace cancelflow
