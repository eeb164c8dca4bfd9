// Live input: a running Go service's net/http/pprof endpoint, read as
// `go tool pprof URL` reads it. One fetch is
//   1. GET BASE/trace?seconds=N      the execution trace of the next N seconds
//   2. GET BASE/goroutineleak?debug=2 the runtime's goroutine leak profile,
//                                     taken at once after the trace ends
// and hands the trace to the normal analysis as a TraceBuffer, with the
// profile (if the server has one) as evidence for the leak-profile join.
//
// INVARIANTS
// - BASE is normalised once (NormalizeLiveUrl): "http://h:p", "http://h:p/",
//   "http://h:p/debug/pprof" and "http://h:p/debug/pprof/" all name
//   "http://h:p/debug/pprof/". Only http:// and https:// URLs are live targets.
// - Timeouts: connecting may take `timeout_ms`; the trace request as a whole
//   N seconds + `timeout_ms`; the profile request `timeout_ms`.
// - Size caps (documented in docs/outputs.md, "Live services"): the trace
//   body at most `max_trace_bytes` (default 256 MiB), the profile at most
//   `max_profile_bytes` (default 64 MiB); a larger body is an error.
// - The trace body must start with Go's trace header ("go 1.NN trace" and
//   NULs to 16 bytes, checked by wire::ParseHeader) before anything analyses it; anything else (an HTML
//   page, a proxy's error) is kNotTrace.
// - A missing leak profile (404: an older Go, or Go 1.26 without
//   GOEXPERIMENT=goroutineleakprofile) is not an error: the fetch succeeds
//   with no profile and `profile_missing` says why. Any other failure of the
//   profile request is reported the same way (the trace stands on its own).
// - Nothing is written to disk here: `--keep-trace` is the caller's, written
//   to a temporary name and renamed once the whole fetch succeeded.
// - `abort` (optional) stops a fetch in progress within about a second
//   (kAborted): `watch` sets it on SIGTERM.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/trace_buffer.h"
#include "cancelflow/leak_profile.h"

namespace cancelflow::live {

struct LiveOptions {
  double seconds = 5;                // the trace window (trace?seconds=N; Go rounds down to whole seconds, min 1)
  long timeout_ms = 10'000;          // connect timeout, and what the trace may take past its window
  uint64_t max_trace_bytes = 256ull << 20;
  uint64_t max_profile_bytes = 64ull << 20;
  const std::atomic<bool>* abort = nullptr;
};

enum class LiveError : uint8_t {
  kNone,
  kBadUrl,      // not an http(s) URL
  kRefused,     // connection refused / unreachable / host not found
  kTimeout,
  kHttpStatus,  // the trace request answered 4xx/5xx (404: is net/http/pprof registered?)
  kNotTrace,    // the trace body is not a Go execution trace
  kTooLarge,
  kAborted,
  kTransport,   // another transport failure (libcurl missing, reset, ...)
};

struct LiveFetch {
  LiveError error = LiveError::kNone;
  std::string message;   // one line: what failed, with the URL
  std::string base_url;  // normalised: http://h:p/debug/pprof/
  std::string trace_url;
  std::string trace_bytes;  // the raw trace (for --keep-trace), moved out by the caller
  std::shared_ptr<const LeakProfile> profile;  // null: none (see profile_missing)
  std::string profile_missing;                 // why there is no profile ("" when there is one)
  double trace_seconds = 0, profile_seconds = 0;  // wall time of each request
  bool ok() const { return error == LiveError::kNone; }
};

// Whether `arg` names a live target (starts with http:// or https://).
bool IsLiveUrl(std::string_view arg);

// "http://h:p[/debug/pprof[/]]" -> "http://h:p/debug/pprof/"; "" when `url`
// is not an http(s) URL. Query strings and fragments are refused ("").
std::string NormalizeLiveUrl(std::string_view url);

// Fetches the trace window and then the leak profile from `url`.
LiveFetch FetchLive(std::string_view url, const LiveOptions& options);

}  // namespace cancelflow::live
