// The live input of analyze, html, check, perfetto and pprof (and the rounds
// of `watch`): a TRACE argument that is an http(s) URL is a running service's
// /debug/pprof/ endpoint (src/source/live_target.h fetches it). This stage
// turns a fetch into what every command analyses: a TraceBuffer, and the
// leak profile (or the reason there is none) in the analysis options.
//
// INVARIANTS
// - The flags are registered once (AddLiveFlags) and mean the same on every
//   command: --seconds N (window, default 5), --timeout S (connect timeout,
//   and how long past the window the trace may take; default 10),
//   --keep-trace FILE (the fetched trace, written to a temporary name beside
//   FILE and renamed once complete: never a half-written file).
// - A failed fetch prints one line ("cancelflow: URL: what failed") and
//   yields nullopt; the caller exits 2 before writing any report.
// - --leak-profile FILE wins over the service's profile; --no-leak-profile
//   skips it. Otherwise the service's profile is joined, or
//   AnalysisOptions::leak_profile_missing says why there is none.
#pragma once

#include <optional>
#include <string>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cli/analysis_options.h"
#include "source/live_target.h"

namespace CLI {
class App;
}

namespace cancelflow::cli {

struct LiveFlags {
  double seconds = 5;       // --seconds
  double timeout_s = 10;    // --timeout
  std::string keep_trace;   // --keep-trace FILE ("" = none)
};

// `keep_trace`: also --keep-trace (not for `watch`, which has --keep DIR).
void AddLiveFlags(CLI::App* cmd, LiveFlags& flags, bool keep_trace = true);

// The fetch options for `flags` (caps at their documented defaults).
live::LiveOptions LiveOptionsFor(const LiveFlags& flags);

// A successful fetch into the analysis: its trace as a buffer, its profile
// (unless `flags` gave one or refused it) or the reason it has none.
TraceBuffer TakeLiveFetch(live::LiveFetch& fetch, const AnalysisFlags& flags, AnalysisOptions* options);

// The input named on the command line: a file ("-" = stdin; OpenTrace) or a
// live URL (fetched, kept if asked, its profile put in *options). nullopt
// after printing why not.
std::optional<TraceBuffer> OpenInput(const std::string& path, const LiveFlags& live, const AnalysisFlags& flags,
                                     AnalysisOptions* options);

// Writes `bytes` to `path` through a temporary file in the same directory,
// renamed when complete; false after printing why not (nothing left behind).
bool WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace cancelflow::cli
