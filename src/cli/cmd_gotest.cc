// `cancelflow test [flags] [packages] [-- go test flags]`: go test with one
// execution trace per package, gated on the cancellation analysis.
//
// This file is the command: options, directories, the gate, what is printed
// and the exit status. The runner (cli/gotest_runner.h) lists, builds, runs
// and analyzes the packages; the emulation (cli/gotest_emulation.h) rebuilds
// what go test prints for each.
//
// OUTPUT: stdout carries exactly the lines `go test [-v] PACKAGES` prints, in
// its order (go list's: a package's block once it and every package before it
// are done), and go test's last "FAIL" when a package failed; cancelflow's own
// lines are told apart by their start: "    cancelflow: " under a package's
// block (its findings, each with its tests; in a stable order: by test, rule,
// fingerprint) and "cancelflow: " for the findings summary at the end. The
// per-run summary goes to stderr.
// Exit: 2 when go is missing, a package does not build or go test fails to
// run; else 1 when a test failed or a finding fails the gate; else 0.

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/inert_text.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/gate.h"
#include "cli/go_test_flags.h"
#include "cli/gotest_leak_profile.h"
#include "cli/gotest_runner.h"
#include "report/check_result.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

// Removes a directory when it goes out of scope ("" = nothing).
struct Cleanup {
  std::string dir;
  ~Cleanup() {
    std::error_code e;
    if (!dir.empty()) fs::remove_all(dir, e);
  }
};

// The analysis options every package's trace is analyzed with: the gate
// config's. (The one place where `test` decides them.)
AnalysisOptions TestAnalysisOptions(const TestOptions& /*opts*/, const Gate& gate) { return gate.config.analysis; }

std::string TraceName(const std::string& import_path) {
  std::string s = import_path;
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

// A new directory named `prefix`-XXXXXX in `parent`, or "" after printing why not.
std::string MakeTempDir(const fs::path& parent, const char* prefix) {
  std::string tmpl = (parent / fmt::format("{}-XXXXXX", prefix)).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    PrintError(fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno)));
    return "";
  }
  return tmpl;
}

// Findings in an order that does not depend on the run: by their first test,
// rule and fingerprint.
void SortFindings(report::CheckedTrace& t) {
  auto key = [&](const report::CheckedFinding& cf) {
    return std::make_tuple(cf.tests.empty() ? std::string() : cf.tests.front(), RuleId(t.analysis.findings[cf.index].rule),
                           cf.fingerprint);
  };
  std::stable_sort(t.findings.begin(), t.findings.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

// Sets Package::leak_profile (X.goroutineleak beside trace X.trace, in `dir`)
// for the packages in `todo` when the toolchain has the profile, and writes
// the overlay that gives a TestMain to those without one; returns the
// overlay's path ("" = none).
std::string LeakProfileOverlay(std::vector<Package>& pkgs, const std::vector<size_t>& todo,
                               const LeakProfileToolchain& toolchain, const std::vector<std::string>& go_flags,
                               const std::string& scratch, const std::string& dir) {
  if (!toolchain.available || todo.empty()) return "";
  // go takes one -overlay: the user's own stays theirs (their packages then
  // have no profile without the helper; MissingLeakProfiles says so).
  const char* goflags = std::getenv("GOFLAGS");
  bool user_overlay = goflags != nullptr && std::string_view(goflags).find("-overlay") != std::string_view::npos;
  for (const auto& f : go_flags) user_overlay = user_overlay || f.starts_with("-overlay") || f.starts_with("--overlay");
  std::vector<LeakProfileOverlayEntry> entries;
  for (const size_t i : todo) {
    Package& p = pkgs[i];
    p.leak_profile = fmt::format("{}/{}.goroutineleak", dir, TraceName(p.import_path));
    // A package named by its files (go test x_test.go) takes no other file.
    const bool by_files = p.import_path == "command-line-arguments" || p.import_path.starts_with("-");
    if (!p.own_test_main && !p.runnable_examples && !by_files && !user_overlay && !p.name.empty()) {
      entries.push_back({p.dir, p.name});
      p.generated_test_main = true;
    }
  }
  const std::string overlay = entries.empty() ? "" : WriteLeakProfileOverlay(entries, scratch);
  if (overlay.empty()) {
    for (const size_t i : todo) pkgs[i].generated_test_main = false;
  }
  return overlay;
}

// The stderr lines naming the packages whose test binary wrote no leak
// profile, and why; one line when the toolchain has none.
std::string MissingLeakProfiles(const std::vector<Package>& pkgs, const std::vector<size_t>& todo,
                                const LeakProfileToolchain& toolchain) {
  if (todo.empty()) return "";
  if (!toolchain.available) {
    return toolchain.note == "--no-leak-profile"
               ? ""
               : fmt::format("cancelflow test: no leak profile: {}; leaks rest on trace evidence only\n", toolchain.note);
  }
  std::string out;
  for (const size_t i : todo) {
    const Package& p = pkgs[i];
    std::error_code ec;
    if (p.leak_profile.empty() || !p.analyzed || fs::exists(p.leak_profile, ec)) continue;
    std::string why;
    if (p.own_test_main) {
      why = "it has its own TestMain; call ctxtracetest.RunWithLeakProfile(m) there instead of m.Run() "
            "(github.com/cancelflow/cancelflow/go/ctxtracetest)";
    } else if (p.runnable_examples) {
      why = "its examples run on the main goroutine, whose stack an added TestMain would change; a TestMain of "
            "yours calling ctxtracetest.RunWithLeakProfile(m) adds the profile (and that frame)";
    } else if (p.go.result == "fail") {
      why = "its test binary stopped before writing it";
    } else {
      why = "its test binary wrote none";
    }
    out += fmt::format("cancelflow test: no leak profile: {}: {}\n", InertText(p.import_path), why);
  }
  return out;
}

// "    cancelflow: TestX/sub: rule: message" per finding, under the package's block.
std::string PackageFindingLines(const report::CheckedTrace& t) {
  std::string out;
  for (const auto& cf : t.findings) {
    const Finding& f = t.analysis.findings[cf.index];
    std::string tests;
    for (const auto& name : cf.tests) tests += (tests.empty() ? "" : ", ") + name;
    out += fmt::format("    cancelflow: {}{}{}: {}{}\n", tests, tests.empty() ? "" : ": ", RuleId(f.rule), f.message,
                       cf.suppressed ? " [baseline]" : cf.fails ? "" : " [not gating]");
  }
  return out;
}

// Each line of `text` after "cancelflow: ".
std::string Prefixed(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out += "cancelflow: ";
    out += text.substr(0, end);
    text.remove_prefix(end);
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace

int RunTest(const TestOptions& opts) {
  const GateOptions& gate_opts = opts.gate;
  const auto gate = LoadGate(gate_opts, opts.analysis, {});
  const std::string root = gate ? gate->module_root : std::string();
  if (!gate) return kExitError;
  if (!opts.analysis.leak_profile.empty()) {
    PrintError("test collects a leak profile from each test binary; --leak-profile names one file (use check or "
               "analyze on a kept trace and its profile)");
    return kExitError;
  }

  // A scratch directory where go keeps its work directories (GOTMPDIR, else
  // TMPDIR: a /tmp mounted noexec is why GOTMPDIR exists), for the test
  // binaries (renamed in from go's work directory) and the raw outputs;
  // removed at the end. The traces and what go test printed per package go
  // there too, or to --keep-traces.
  std::error_code ec;
  const char* gotmpdir = std::getenv("GOTMPDIR");
  const std::string scratch =
      MakeTempDir(gotmpdir != nullptr && *gotmpdir != 0 ? fs::path(gotmpdir) : fs::temp_directory_path(ec), "cancelflow-test");
  if (scratch.empty()) return kExitError;
  const Cleanup cleanup{scratch};
  std::string dir = opts.keep_traces.empty() ? scratch : opts.keep_traces;
  if (fs::create_directories(dir, ec); ec) {
    PrintError(fmt::format("cannot create {}: {}", dir, ec.message()));
    return kExitError;
  }
  dir = fs::absolute(dir, ec).lexically_normal().string();

  // The leak profile (cli/gotest_leak_profile.h): the toolchain decides
  // GOEXPERIMENT before go lists or builds anything.
  LeakProfileToolchain toolchain;
  if (opts.analysis.no_leak_profile) {
    toolchain.note = "--no-leak-profile";
  } else {
    toolchain = DetectLeakProfileToolchain(scratch);
    if (!toolchain.goexperiment.empty()) setenv("GOEXPERIMENT", toolchain.goexperiment.c_str(), 1);
  }
  const std::vector<std::string> patterns = opts.packages.empty() ? std::vector<std::string>{"./..."} : opts.packages;
  auto listed = ListPackages(patterns, opts.go_flags, scratch);
  if (!listed) return kExitError;
  std::vector<Package>& pkgs = listed->pkgs;
  std::vector<size_t> todo;
  for (size_t i = 0; i < pkgs.size(); ++i) {
    Package& p = pkgs[i];
    const std::string name = TraceName(p.import_path);
    p.trace = fmt::format("{}/{}.trace", dir, name);
    p.output = fmt::format("{}/{}.output", dir, name);
    p.raw = fmt::format("{}/{}.raw", scratch, name);
    p.stderr_path = fmt::format("{}/{}.stderr", scratch, name);
    if (p.has_tests) todo.push_back(i);
  }
  const std::string overlay = LeakProfileOverlay(pkgs, todo, toolchain, opts.go_flags, scratch, dir);

  RunnerOptions run;
  run.go_flags = opts.go_flags;
  run.direct = ClassifyFlags(opts.go_flags, std::getenv("GOFLAGS"));
  const GoTestOutputMode mode = OutputMode(opts.go_flags);
  run.verbose = mode.verbose;
  run.show_passed = mode.show_passed;
  run.goroot = listed->goroot;
  run.log_base = scratch + "/go-test-c";
  run.overlay = overlay;
  run.parallel = run.direct.bench ? 1
                 : opts.parallel > 0 ? static_cast<size_t>(opts.parallel)
                                     : std::max(1u, std::thread::hardware_concurrency());
  run.analyses = 1;
  run.analysis = TestAnalysisOptions(opts, *gate);
  if (run.direct.usable && !todo.empty()) {
    run.bin_dir = scratch + "/bin";
    if (fs::create_directory(run.bin_dir, ec); ec) {
      PrintError(fmt::format("cannot create {}: {}", run.bin_dir, ec.message()));
      return kExitError;
    }
  }

  // The runner's threads test and analyze; this one prints in go list's order.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<bool> complete(pkgs.size(), false);
  for (size_t i = 0; i < pkgs.size(); ++i) complete[i] = !pkgs[i].has_tests;
  std::thread runner([&] {
    RunPackages(pkgs, todo, run, [&](size_t i) {
      std::lock_guard<std::mutex> lock(mu);
      complete[i] = true;
      cv.notify_one();
    });
  });

  bool error = false, test_failed = false;
  report::CheckResult result;
  result.module_root = root;
  Progress progress;
  for (size_t next = 0; next < pkgs.size();) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return complete[next]; });
      if (!complete[next]) {
        lock.unlock();
        size_t done = 0;
        for (const size_t i : todo) done += complete[i];
        progress.Show(fmt::format("{}/{} packages tested", done, todo.size()));
        continue;
      }
    }
    progress.Clear();
    Package& p = pkgs[next++];
    if (!p.has_tests) {
      std::printf("?   \t%s\t[no test files]\n", p.import_path.c_str());
      std::fflush(stdout);
      continue;
    }
    if (!p.go_error.empty()) {
      error = true;
      std::fputs(p.go_error.c_str(), stderr);
      std::printf("FAIL\t%s [%s]\n", p.import_path.c_str(), p.ran ? "build failed" : "go test did not run");
      std::fflush(stdout);
      PrintError(fmt::format("{}: go test failed to build or run the tests", p.import_path));
      continue;
    }
    const bool failed = p.go.result == "fail";
    // A test binary that crashed (a panic, a timeout) leaves a trace cut
    // short: the failure is the test's, reported as such, not an error.
    error = error || (p.analysis_error && !failed);
    test_failed = test_failed || failed;
    std::string out = p.printed;
    // A package whose trace could not be analyzed (its test binary
    // crashed before writing one) still reports its Go tests.
    Analysis empty(std::make_shared<StringPool>(), std::make_shared<StackPool>());
    report::AddTrace(result, p.trace, p.analyzed ? std::move(p.analyzed->analysis) : std::move(empty), gate->config,
                     gate->baseline);
    report::CheckedTrace& t = result.traces.back();
    t.package = p.import_path;
    t.go_tests = std::move(p.go.tests);
    SortFindings(t);
    out += PackageFindingLines(t);
    if (!p.analyzed) {
      out += "    cancelflow: no usable trace: the test binary stopped before writing it\n";
    } else if (p.leak_profile_error) {
      out += "    cancelflow: its leak profile does not join its trace (error above): findings rest on the trace alone\n";
    } else if (p.analysis_error) {
      out += "    cancelflow: the trace is cut short (the test binary stopped): findings cover what it recorded\n";
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }
  progress.Clear();
  runner.join();

  // go test's last line when a package failed (a failure scrolled away stays visible).
  size_t failed_pkgs = 0;
  for (const auto& p : pkgs) failed_pkgs += p.go.result == "fail" || !p.go_error.empty();
  if (failed_pkgs > 0) std::puts("FAIL");
  if (!gate_opts.quiet && result.total > 0) {
    std::string text = "findings:\n";
    for (const auto& t : result.traces) text += FindingsText(t, t.package);
    text = Prefixed(text);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!WriteGateReports(result, gate_opts)) error = true;
  const std::string missing = MissingLeakProfiles(pkgs, todo, toolchain);
  std::fputs(missing.c_str(), stderr);
  if (!opts.keep_traces.empty()) std::fprintf(stderr, "cancelflow test: traces kept in %s\n", dir.c_str());
  std::fprintf(stderr,
               "cancelflow test: %zu package(s) tested, %zu failed; %zu finding(s): %zu failing, %zu baselined, %zu "
               "not gating%s\n",
               todo.size(), failed_pkgs, result.total, result.failing, result.suppressed,
               result.total - result.failing - result.suppressed, error ? "; errors (exit 2)" : "");
  if (error) return kExitError;
  return test_failed || report::Verdict(result) ? kExitFindings : kExitOk;
}

}  // namespace cancelflow::cli
