// `cancelflow watch [--every 15m] [--seconds 5] [--listen 127.0.0.1:9464] TARGET...`:
// services in production. Each round, each target in turn: the live fetch
// of analyze (a trace window, then the leak profile: cli/live_input,
// source/live_target), the analysis with the options every command resolves
// (ResolveAnalysisOptions), the OTLP export if configured, and the target's
// series on /metrics (report/metrics_writer: WriteWatchMetrics).
//
// INVARIANTS
// - Spread: the targets of a round start at even offsets over --every (one
//   trace at a time; a round whose fetches take longer than --every starts
//   the next at once and says so). Never all instances traced at once.
// - A target that fails (refused, timeout, HTTP error, not a trace, a trace
//   that does not analyze) is counted in cancelflow_watch_errors_total{kind},
//   logged in one line, and the round goes on; nothing a target sends can
//   stop the loop.
// - Bounded memory: a round keeps nothing of a target but its series (the
//   latest round's findings, capped at --max-series in all; counters; one
//   histogram per service). The trace and the analysis are freed, and freed
//   heap returned to the system (malloc_trim), before the next target.
// - No trace is kept unless --keep DIR; then at most --keep-max-mb of
//   *.trace files stay there (oldest deleted first).
// - SIGTERM/SIGINT: the fetch in progress is aborted within about a second
//   (libcurl's progress callback), the /metrics thread is joined, exit 0.
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/live_input.h"
#include "export/otlp_http.h"
#include "report/check_result.h"
#include "report/metrics_writer.h"
#include "watch/keep_dir.h"
#include "watch/metrics_server.h"
#include "watch/targets.h"

namespace cancelflow::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

// Sleeps until `t` or a stop signal, in steps of 100 ms.
void WaitUntil(Clock::time_point t) {
  while (!g_stop.load() && Clock::now() < t) {
    std::this_thread::sleep_for(std::min<Clock::duration>(t - Clock::now(), std::chrono::milliseconds(100)));
  }
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Resident set size of this process in MiB (/proc/self/statm), for the round log.
double RssMiB() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string_view ErrorKind(live::LiveError e) {
  switch (e) {
    case live::LiveError::kNone: return "none";
    case live::LiveError::kBadUrl: return "bad_url";
    case live::LiveError::kRefused: return "refused";
    case live::LiveError::kTimeout: return "timeout";
    case live::LiveError::kHttpStatus: return "http_status";
    case live::LiveError::kNotTrace: return "not_trace";
    case live::LiveError::kTooLarge: return "too_large";
    case live::LiveError::kAborted: return "aborted";
    case live::LiveError::kTransport: return "transport";
  }
  return "other";
}

void Log(const std::string& line) {
  const std::string out = "cancelflow watch: " + InertText(line) + "\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

class Watcher {
 public:
  Watcher(const WatchOptions& opts, report::CheckConfig config, watch::MetricsServer* server)
      : opts_(opts), config_(std::move(config)), server_(server), targets_(opts.targets, opts.service) {
    metrics_.max_finding_series = opts.max_series;
  }

  // Rounds until --rounds or a stop signal.
  void Run(Clock::duration every) {
    for (uint64_t round = 1; !g_stop.load() && (opts_.rounds == 0 || round <= opts_.rounds); ++round) {
      const Clock::time_point start = Clock::now();
      RefreshTargets();
      const size_t n = targets_.targets().size();
      uint64_t errors = 0;
      for (size_t i = 0; i < n && !g_stop.load(); ++i) {
        WaitUntil(start + every * static_cast<int64_t>(i) / static_cast<int64_t>(n));
        if (g_stop.load()) break;
        if (!RunTarget(i)) ++errors;
      }
      const double took = std::chrono::duration<double>(Clock::now() - start).count();
      Log(fmt::format("round {}: {} target(s), {} error(s), {:.2f} s, rss {:.1f} MiB{}", round, n, errors, took, RssMiB(),
                      n == 0 ? " (no targets)" : ""));
      if (opts_.rounds != 0 && round == opts_.rounds) break;
      const bool overran = Clock::now() > start + every && n > 0;
      if (overran && !overran_) {  // said when it starts, not every round
        Log(fmt::format("round {} took longer than --every: the next rounds start at once while this lasts", round));
      }
      overran_ = overran;
      WaitUntil(start + every);
    }
  }

 private:
  void Publish() {
    server_->Publish(report::WriteWatchMetrics(metrics_, report::MetricsRunInfo{CANCELFLOW_VERSION, UnixNow()}));
  }

  // Re-reads the file_sd files; the state of targets that stay is kept.
  void RefreshTargets() {
    std::vector<std::string> problems;
    const bool changed = targets_.Refresh(&problems);
    for (const auto& p : problems) Log(p);
    if (!changed && metrics_.targets.size() == targets_.targets().size()) return;
    std::map<std::string, report::WatchTargetState> old;
    for (size_t i = 0; i < metrics_.targets.size() && i < urls_.size(); ++i) old[urls_[i]] = std::move(metrics_.targets[i]);
    metrics_.targets.clear();
    urls_.clear();
    for (const watch::Target& t : targets_.targets()) {
      auto it = old.find(t.url);
      report::WatchTargetState s = it != old.end() ? std::move(it->second) : report::WatchTargetState{};
      s.service = t.service;
      s.instance = t.instance;
      metrics_.targets.push_back(std::move(s));
      urls_.push_back(t.url);
    }
    if (changed) Log(fmt::format("{} target(s)", metrics_.targets.size()));
    Publish();
  }

  // One target's fetch, analysis, export and series. False when it failed.
  bool RunTarget(size_t i) {
    const watch::Target target = targets_.targets()[i];
    report::WatchTargetState& state = metrics_.targets[i];
    const Clock::time_point t0 = Clock::now();
    ++state.rounds;
    const std::string who = fmt::format("{} {}", target.service, target.instance);
    auto fail = [&](std::string_view kind, const std::string& why) {
      ++state.errors[std::string(kind)];
      state.up = false;
      state.round_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      Log(fmt::format("{}: error ({}): {}", who, kind, why));
      Publish();
      return false;
    };

    live::LiveOptions lo = LiveOptionsFor(opts_.live);
    lo.abort = &g_stop;
    live::LiveFetch fetch = live::FetchLive(target.url, lo);
    if (fetch.error == live::LiveError::kAborted && g_stop.load()) {
      --state.rounds;  // stopped by a signal: not this target's failure
      Log(fmt::format("{}: fetch aborted: stopping", who));
      return true;
    }
    if (!fetch.ok()) return fail(ErrorKind(fetch.error), fetch.message);
    if (!opts_.keep_dir.empty()) {
      const auto ms = static_cast<int64_t>(UnixNow() * 1000);
      if (WriteFileAtomically(opts_.keep_dir + "/" + watch::KeptTraceName(target.service, target.instance, ms),
                              fetch.trace_bytes)) {
        const auto cap = static_cast<uint64_t>(opts_.keep_max_mb * 1024 * 1024);
        if (const size_t n = watch::PruneKeepDir(opts_.keep_dir, cap)) {
          Log(fmt::format("--keep {}: deleted {} old trace(s) (--keep-max-mb {:g})", opts_.keep_dir, n, opts_.keep_max_mb));
        }
      }
    }
    const bool has_profile = fetch.profile != nullptr;
    report::CheckResult result;
    {
      AnalysisOptions options = config_.analysis;
      TraceBuffer buf = TakeLiveFetch(fetch, opts_.analysis, &options);
      fetch = live::LiveFetch{};
      auto a = Analyze(buf, options);
      if (!a) return fail("analysis", fmt::format("{}: {}", target.url, a.error().ToString()));
      if (a->quality.partial) ++state.errors["partial"];  // analysed up to the break, and counted
      report::AddTrace(result, target.url, std::move(*a), config_, {});
    }
    const uint64_t dropped = report::UpdateWatchTarget(metrics_, i, result);
    if (dropped > 0) {
      Log(fmt::format("{}: {} finding series dropped: the cap of {} series (--max-series) is reached", who, dropped,
                      metrics_.max_finding_series));
    }
    state.up = true;
    state.last_success_unix = UnixNow();
    std::map<std::string, size_t> rules;
    for (const auto& cf : result.traces.front().findings) {
      ++rules[std::string(RuleId(result.traces.front().analysis.findings[cf.index].rule))];
    }
    std::string summary;
    for (const auto& [rule, n] : rules) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, rule);
    ExportOtlp(result, opts_.otlp,
               {otlp::Attribute{"service.name", target.service}, otlp::Attribute{"service.instance.id", target.instance}});
    state.round_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    Log(fmt::format("{}: {} finding(s){}{}, {:.2f} s", who, result.total, summary.empty() ? "" : " (" + summary + ")",
                    has_profile ? "" : ", no leak profile", state.round_seconds));
    result = report::CheckResult{};
    malloc_trim(0);  // the round's trace and analysis go back to the system: RSS stays flat
    Publish();
    return true;
  }

  const WatchOptions& opts_;
  report::CheckConfig config_;
  watch::MetricsServer* server_;
  watch::TargetList targets_;
  report::WatchMetrics metrics_;
  std::vector<std::string> urls_;  // metrics_.targets[i] is urls_[i]
  bool overran_ = false;            // the previous round took longer than --every
};

}  // namespace

std::optional<double> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  const std::string number(text.substr(0, i));
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v)) return std::nullopt;
  const std::string_view unit = text.substr(i);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else return std::nullopt;
  return v * scale;
}

int RunWatch(const WatchOptions& opts) {
  const auto every = ParseDurationSeconds(opts.every);
  if (!every || *every < 0.1 || *every > 7 * 24 * 3600) {
    PrintError(fmt::format("--every {}: not a duration from 100ms to 168h (e.g. 15m, 30s, 500ms)", opts.every));
    return kExitError;
  }
  auto resolved = ResolveAnalysisOptions(opts.analysis, "", {});
  if (!resolved) return kExitError;
  if (!opts.keep_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opts.keep_dir, ec);
    if (ec) {
      PrintError(fmt::format("--keep {}: {}", opts.keep_dir, ec.message()));
      return kExitError;
    }
  }
  std::string error;
  auto server = watch::MetricsServer::Start(opts.listen, &error);
  if (!server) {
    PrintError(error);
    return kExitError;
  }
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Log(fmt::format("serving http://{}/metrics; every {}, {} s windows", server->address(), opts.every, opts.live.seconds));

  Watcher watcher(opts, std::move(resolved->config), server.get());
  watcher.Run(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*every)));
  server->Stop();
  Log(g_stop.load() ? "stopped by signal" : "done");
  return kExitOk;
}

}  // namespace cancelflow::cli
