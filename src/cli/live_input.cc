#include "cli/live_input.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/cli_io.h"
#include "cli/commands.h"

namespace cancelflow::cli {

void AddLiveFlags(CLI::App* cmd, LiveFlags& flags, bool keep_trace) {
  cmd->add_option("--seconds", flags.seconds,
                  "live input (TRACE = http://HOST:PORT/debug/pprof/): the trace window to take, in seconds "
                  "(trace?seconds=N; the leak profile follows at once)")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--timeout", flags.timeout_s,
                  "live input: connect timeout, and how long past the window the trace may take, in seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  if (keep_trace) cmd->add_option("--keep-trace", flags.keep_trace, "live input: also write the fetched trace to FILE");
}

live::LiveOptions LiveOptionsFor(const LiveFlags& flags) {
  live::LiveOptions o;
  o.seconds = flags.seconds;
  o.timeout_ms = static_cast<long>(std::llround(flags.timeout_s * 1000));
  return o;
}

TraceBuffer TakeLiveFetch(live::LiveFetch& fetch, const AnalysisFlags& flags, AnalysisOptions* options) {
  TraceBuffer buf = TraceBuffer::FromBytes(fetch.trace_bytes);
  std::string().swap(fetch.trace_bytes);  // one copy in memory from here on
  if (!options->leak_profile && !flags.no_leak_profile) {
    if (fetch.profile) {
      options->leak_profile = fetch.profile;
    } else {
      options->leak_profile_missing = fetch.profile_missing;
    }
  }
  return buf;
}

bool WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = fmt::format("{}.tmp-{}", path, getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    PrintError(fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int err = ok ? 0 : errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    PrintError(fmt::format("cannot write {}: {}", path, std::strerror(err != 0 ? err : EIO)));
  }
  return ok;
}

std::optional<TraceBuffer> OpenInput(const std::string& path, const LiveFlags& live, const AnalysisFlags& flags,
                                     AnalysisOptions* options) {
  if (!live::IsLiveUrl(path)) return OpenTrace(path);
  live::LiveFetch fetch = live::FetchLive(path, LiveOptionsFor(live));
  if (!fetch.ok()) {
    PrintError(fetch.message);
    return std::nullopt;
  }
  if (!live.keep_trace.empty() && !WriteFileAtomically(live.keep_trace, fetch.trace_bytes)) return std::nullopt;
  if (!fetch.profile && !flags.no_leak_profile && flags.leak_profile.empty()) {
    PrintError(fmt::format("no leak profile: {}; analyzing the trace alone", fetch.profile_missing));
  }
  return TakeLiveFetch(fetch, flags, options);
}

}  // namespace cancelflow::cli
