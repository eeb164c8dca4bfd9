// The one HTTP client of cancelflow: libcurl's easy interface, opened with
// dlopen on first use. Used by the OTLP exporter (src/export/otlp_http.cc,
// POST) and the live input (src/source/live_target.cc, GET).
//
// INVARIANTS
// - libcurl.so.4 is loaded at most once per process, on the first request;
//   commands that never send a request never load it (http_client.cc says
//   why). A process without libcurl gets an error result, never a crash.
// - One request at a time per call; the call blocks until the response is
//   complete, the timeout fires, the body passes `max_body_bytes`, or
//   `abort` becomes true (checked by libcurl's progress callback, at least
//   once a second and on every received chunk).
// - The body kept is at most `max_body_bytes`: a larger one is an error
//   (kTooLarge) unless `truncate_body` is set (then the rest is read and
//   dropped, for short diagnostic responses).
// - No retries, no redirects followed (a pprof or OTLP endpoint answers
//   directly; a redirect is reported as its 3xx status).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cancelflow::http {

struct Request {
  std::string url;
  std::string method = "GET";  // GET or POST
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;       // POST payload (must outlive the call)
  long connect_timeout_ms = 10'000;
  long total_timeout_ms = 10'000;  // the whole request, connect included
  uint64_t max_body_bytes = 64 * 1024;
  bool truncate_body = false;  // keep the first max_body_bytes and read on, instead of failing
  const std::atomic<bool>* abort = nullptr;  // when it turns true, the request stops (kAborted)
  std::string user_agent = "cancelflow";
};

enum class FetchError : uint8_t {
  kNone,
  kNoLibrary,   // libcurl cannot be loaded
  kRefused,     // nothing listens (connection refused, host unreachable)
  kResolve,     // the host name does not resolve
  kTimeout,     // connect or total timeout
  kTooLarge,    // the body passed max_body_bytes
  kAborted,     // *abort turned true
  kOther,       // any other transport failure (message says which)
};

struct Response {
  FetchError error = FetchError::kNone;
  std::string message;       // the transport failure, one line ("" when error == kNone)
  long status = 0;           // HTTP status (0 when no response came)
  std::string content_type;  // "" when none
  std::string body;          // at most max_body_bytes
  bool ok() const { return error == FetchError::kNone && status >= 200 && status <= 299; }
};

// Performs `request`. Transport failures are in Response::error/message; an
// HTTP error status is a Response with that status (and its body).
Response Fetch(const Request& request);

// The body's first line, trimmed, control characters replaced, at most
// `max` bytes: for one-line error messages quoting a server's answer.
std::string FirstLine(std::string_view body, size_t max = 200);

}  // namespace cancelflow::http
