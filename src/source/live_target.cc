// Why the profile comes second and at once: the leak-profile join reads the
// goroutines' states at the end of the trace, so the profile must be taken
// as close to that end as possible. The pprof handler writes the trace as
// it goes and ends the response when the window closes; the profile request
// follows the last byte. Goroutines that start or block in between are the
// join's "after the trace" (LeakProfile::taken_after_trace), not mismatches.
#include "source/live_target.h"

#include <chrono>

#include <fmt/format.h>

#include "source/http_client.h"
#include "wire/version.h"

namespace cancelflow::live {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

LiveError FromFetchError(http::FetchError e) {
  switch (e) {
    case http::FetchError::kNone: return LiveError::kNone;
    case http::FetchError::kRefused:
    case http::FetchError::kResolve: return LiveError::kRefused;
    case http::FetchError::kTimeout: return LiveError::kTimeout;
    case http::FetchError::kTooLarge: return LiveError::kTooLarge;
    case http::FetchError::kAborted: return LiveError::kAborted;
    default: return LiveError::kTransport;
  }
}

}  // namespace

bool IsLiveUrl(std::string_view arg) { return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0; }

std::string NormalizeLiveUrl(std::string_view url) {
  if (!IsLiveUrl(url) || url.find_first_of("?#") != std::string_view::npos) return "";
  const size_t authority = url.find("://") + 3;
  const size_t slash = url.find('/', authority);
  const std::string_view host = url.substr(authority, slash == std::string_view::npos ? url.size() - authority : slash - authority);
  if (host.empty()) return "";
  for (const char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "";
  }
  std::string_view path = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string base(url.substr(0, authority));
  base += host;
  // No path: the default mount of net/http/pprof. A path is used as given
  // (a service may mount the handlers elsewhere).
  base += path.empty() ? "/debug/pprof" : std::string(path);
  return base + "/";
}

LiveFetch FetchLive(std::string_view url, const LiveOptions& options) {
  LiveFetch f;
  f.base_url = NormalizeLiveUrl(url);
  if (f.base_url.empty()) {
    f.error = LiveError::kBadUrl;
    f.message = fmt::format("{}: not a live target (http://HOST:PORT/debug/pprof/)", url);
    return f;
  }
  const long seconds = std::max(1L, static_cast<long>(options.seconds));
  f.trace_url = fmt::format("{}trace?seconds={}", f.base_url, seconds);

  http::Request req;
  req.url = f.trace_url;
  req.connect_timeout_ms = options.timeout_ms;
  req.total_timeout_ms = seconds * 1000 + options.timeout_ms;
  req.max_body_bytes = options.max_trace_bytes;
  req.abort = options.abort;
  auto start = std::chrono::steady_clock::now();
  http::Response r = http::Fetch(req);
  f.trace_seconds = SecondsSince(start);
  if (r.error != http::FetchError::kNone) {
    f.error = FromFetchError(r.error);
    switch (f.error) {
      case LiveError::kRefused: f.message = fmt::format("{}: cannot connect: {}", f.trace_url, r.message); break;
      case LiveError::kTimeout:
        f.message = fmt::format("{}: timed out after {:.1f} s (--timeout {:g} s past the {} s window): {}", f.trace_url,
                                f.trace_seconds, static_cast<double>(options.timeout_ms) / 1000, seconds, r.message);
        break;
      case LiveError::kTooLarge:
        f.message = fmt::format("{}: the trace is larger than the cap of {} MiB", f.trace_url, options.max_trace_bytes >> 20);
        break;
      case LiveError::kAborted: f.message = fmt::format("{}: aborted", f.trace_url); break;
      default: f.message = fmt::format("{}: {}", f.trace_url, r.message);
    }
    return f;
  }
  if (r.status < 200 || r.status > 299) {
    f.error = LiveError::kHttpStatus;
    const std::string said = http::FirstLine(r.body);
    f.message = fmt::format("{}: HTTP {}{}{}", f.trace_url, r.status, said.empty() ? "" : " (" + said + ")",
                            r.status == 404 ? "; is net/http/pprof registered?" : "");
    return f;
  }
  if (auto header = wire::ParseHeader(reinterpret_cast<const uint8_t*>(r.body.data()), r.body.size()); !header) {
    f.error = LiveError::kNotTrace;
    const std::string said = http::FirstLine(r.body, 60);
    f.message = fmt::format("{}: {} ({} bytes{}{})", f.trace_url, header.error().message, r.body.size(),
                            said.empty() ? "" : ", starting ", said.empty() ? "" : "\"" + said + "\"");
    return f;
  }
  f.trace_bytes = std::move(r.body);

  // The leak profile, at once.
  req.url = f.base_url + "goroutineleak?debug=2";
  req.total_timeout_ms = options.timeout_ms;
  req.max_body_bytes = options.max_profile_bytes;
  start = std::chrono::steady_clock::now();
  r = http::Fetch(req);
  f.profile_seconds = SecondsSince(start);
  if (r.error == http::FetchError::kAborted) {
    f.error = LiveError::kAborted;
    f.message = fmt::format("{}: aborted", req.url);
    return f;
  }
  if (r.error != http::FetchError::kNone) {
    f.profile_missing = fmt::format("{}: {}", req.url, r.message);
  } else if (r.status == 404) {
    f.profile_missing = fmt::format("{} answered 404: the service has no goroutine leak profile (Go 1.27+, or "
                                    "Go 1.26 with GOEXPERIMENT=goroutineleakprofile)", req.url);
  } else if (r.status < 200 || r.status > 299) {
    f.profile_missing = fmt::format("{}: HTTP {}", req.url, r.status);
  } else if (auto p = ParseLeakProfile(r.body); !p) {
    f.profile_missing = fmt::format("{}: not a leak profile: {}", req.url, p.error().message);
  } else {
    p->path = req.url;
    p->taken_after_trace = true;
    f.profile = std::make_shared<const LeakProfile>(std::move(*p));
  }
  return f;
}

}  // namespace cancelflow::live
