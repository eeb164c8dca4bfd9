// `cancelflow test [flags] [packages] [-- go test flags]`: go test with one
// execution trace per package, gated on the cancellation analysis.
//
// ALGORITHM: `go list` expands the patterns (default ./...); packages without
// test files print go test's "?" line. go test accepts -trace for one package
// only, and one `go test` process per package costs what `go test ./...` pays
// once: loading the module and package graph, checking the build cache, the
// vet step (1.7x the wall time of `go test ./...` on a module of five small
// packages). So one command builds every package's test binary:
//   go test -c -o BIN/ -ldflags=-s -w [build flags] PKG...
// (-s -w as go test links the binaries it runs; not when the user gives
// -ldflags), and each binary runs as soon as go has moved it into BIN (as
// go test runs the first tests while it links the others), as go test would
// run it: in its package's directory, with PWD and $GOROOT/bin first in PATH, as
//   BIN/NAME.test -test.paniconexit0 -test.v=test2json -test.timeout=10m0s
//                 -test.trace=DIR/<import path>.trace [-test.X=V for the user's test flags]
// with go test's last-ditch SIGQUIT after the timeout plus a minute. Its
// output goes through a port of go test -json's converter
// (report/go_test_events.h) with the lines go test adds after it ("ok", or
// the exit status and "FAIL"), so the events, and the package's time, are
// go test -json's.
// The binaries' names are the import paths' last elements: of several
// packages with one name, the first is built there and the others run as
// below. A package whose binary is missing after the build (a build or vet
// failure: go test -c builds the others), and every package when a flag is
// not one this file can translate (a flag go test handles itself, such as
// -cover, -exec or a profile; a test flag in GOFLAGS), runs as before:
//   go test -json -trace=DIR/<import path>.trace [go test flags] IMPORT/PATH
// which shows go's own message for a build failure. Up to one package runs
// per CPU at a time like go test -p (one with -bench, as go test). A worker
// that sees its package finish analyzes the trace at once, with go test's
// `=== RUN` order (the "run" events) to name the test goroutines
// (AnalysisOptions::test_run_order). The main thread prints each package's
// ok/FAIL block as it completes, then one summary, and writes the reports
// with each package's own test results (JUnit as gotestsum).
// Exit: 2 when go is missing, a package does not build or go test fails to
// run; else 1 when a test failed or a finding fails the gate; else 0.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/lines.h"
#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/gate.h"
#include "cli/go_test_flags.h"
#include "cli/process.h"
#include "cancelflow/pool.h"
#include "report/check_result.h"
#include "report/go_test_events.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTestOutput = 64 * 1024;  // per test, in reports

struct Package {
  std::string import_path;
  std::string dir;  // its source directory: where go test runs its binary
  bool has_tests = false;
  std::string trace, json, stderr_path;
  std::string output;  // the test binary's output, when it runs without go test
  std::string binary;  // its test binary from the shared build ("" = run go test for it)
  // Filled by the worker.
  bool ran = false;            // go test (or the test binary) could be started
  std::string go_error;        // go itself failed (build failure, bad flag): go's message
  std::string result;          // pass, fail, skip (package level)
  double seconds = 0;
  std::string failed_output;   // output of failed tests and package-level lines, as go test prints them
  std::vector<report::GoTestResult> tests;
  std::vector<std::string> run_order;
  std::optional<AnalyzedTrace> analyzed;
  bool analysis_error = false;
};

// Removes a directory when it goes out of scope ("" = nothing).
struct Cleanup {
  std::string dir;
  ~Cleanup() {
    std::error_code e;
    if (!dir.empty()) fs::remove_all(dir, e);
  }
};

std::string TraceName(const std::string& import_path) {
  std::string s = import_path;
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

bool IsProgressLine(std::string_view line) {
  return line.starts_with("=== RUN") || line.starts_with("=== PAUSE") || line.starts_with("=== CONT") ||
         line.starts_with("=== NAME");
}

// Reads go test -json's events into the package.
void ParseEvents(const std::vector<report::GoTestEvent>& events, Package& p) {
  std::vector<std::pair<std::string, std::string>> outputs;  // (test, line) in order
  std::string build_output;
  bool failed_build = false;
  for (const auto& ev : events) {
    const std::string &action = ev.action, &test = ev.test, &output = ev.output;
    if (ev.failed_build) failed_build = true;
    if (action == "build-output") {
      build_output += output;
    } else if (action == "build-fail") {
      failed_build = true;
    } else if (action == "output") {
      outputs.emplace_back(test, output);
      if (!test.empty()) {
        for (auto& t : p.tests) {
          if (t.name == test && t.output.size() < kMaxTestOutput) t.output += output;
        }
      }
    } else if (action == "run" && !test.empty()) {
      p.run_order.push_back(test);
      p.tests.push_back({test, "", 0, ""});
    } else if (action == "pass" || action == "fail" || action == "skip") {
      const double elapsed = ev.elapsed.value_or(0.0);
      if (test.empty()) {
        p.result = action;
        p.seconds = elapsed;
      } else {
        for (auto it = p.tests.rbegin(); it != p.tests.rend(); ++it) {
          if (it->name == test && it->result.empty()) {
            it->result = action;
            it->seconds = elapsed;
            break;
          }
        }
      }
    }
  }
  if (failed_build || (p.result.empty() && !build_output.empty())) {
    p.go_error = build_output;
    return;
  }
  // What go test prints for a failed package: its failed tests' output and
  // the package's own lines (a panic, TestMain), without the progress lines.
  if (p.result != "fail") return;
  // A test that started but never ended in a failed package is the one the
  // binary died in (os.Exit, a fatal error, the timeout): it failed.
  for (auto& t : p.tests) {
    if (t.result.empty()) t.result = "fail";
  }
  std::vector<std::string> failed;
  for (const auto& t : p.tests) {
    if (t.result == "fail") failed.push_back(t.name);
  }
  for (const auto& [test, out] : outputs) {
    if (IsProgressLine(out)) continue;
    if (test.empty() ? (out.starts_with("FAIL\t") || out.starts_with("ok  \t"))
                     : std::find(failed.begin(), failed.end(), test) == failed.end()) {
      continue;
    }
    p.failed_output += out;
  }
}

struct Listed {
  std::vector<Package> pkgs;
  std::string goroot;
};

// go list: the packages of `patterns`; nullopt after printing go's error.
std::optional<Listed> ListPackages(const std::vector<std::string>& patterns, const std::vector<std::string>& go_flags,
                                   const std::string& dir) {
  std::vector<std::string> argv{"go", "list", "-f",
                                "{{.ImportPath}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}\t{{context.GOROOT}}\t{{.Dir}}"};
  for (auto& f : ListFlags(go_flags)) argv.push_back(std::move(f));
  argv.push_back("--");
  argv.insert(argv.end(), patterns.begin(), patterns.end());
  const std::string out = dir + "/go-list.out", err = dir + "/go-list.err";
  const ProcessResult r = RunProcess(argv, out, err);
  if (r.exit_code < 0) {
    PrintError(fmt::format("cannot run go: {} (is Go installed and on PATH? https://go.dev/dl/)", r.spawn_error));
    return std::nullopt;
  }
  if (r.exit_code != 0) {
    std::string msg = ReadFile(err);
    std::fputs(msg.c_str(), stderr);
    PrintError(fmt::format("go list failed (exit status {})", r.exit_code));
    return std::nullopt;
  }
  Listed listed;
  const std::string text = ReadFile(out);
  for (const std::string_view line : SplitLines(text)) {
    size_t tab[4];
    bool ok = true;
    for (size_t k = 0, from = 0; k < 4 && ok; from = tab[k++] + 1) {
      tab[k] = line.find('\t', from);
      ok = tab[k] != std::string::npos;
    }
    if (!ok) continue;
    Package p;
    p.import_path = line.substr(0, tab[0]);
    p.has_tests = line.substr(tab[0] + 1, tab[1] - tab[0] - 1) != "0" || line.substr(tab[1] + 1, tab[2] - tab[1] - 1) != "0";
    listed.goroot = line.substr(tab[2] + 1, tab[3] - tab[2] - 1);
    p.dir = line.substr(tab[3] + 1);
    listed.pkgs.push_back(std::move(p));
  }
  return listed;
}

// Packages ready to run, in the order they became ready.
class ReadyQueue {
 public:
  void Push(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(i);
    pushed_.push_back(i);
    cv_.notify_one();
  }
  bool Pushed(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::find(pushed_.begin(), pushed_.end(), i) != pushed_.end();
  }
  void Close() {  // no more will come
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // The next package; nullopt once closed and empty.
  std::optional<size_t> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty() || closed_; });
    if (ready_.empty()) return std::nullopt;
    const size_t i = ready_.front();
    ready_.pop_front();
    return i;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<size_t> ready_;
  std::vector<size_t> pushed_;
  bool closed_ = false;
};

// One `go test -c` for the packages in `todo` whose test binary names are
// unique (the first of several with one name), into `bin_dir`. Each package
// goes into `queue` once it can run: with Package::binary set as soon as go
// has written its binary (go test also runs the first tests while it links
// the others), or without, to run under go test: at once when it is not in
// the build, after the build when its binary is missing (go test -c builds
// every package it can when some fail; go test then shows the failure).
// A binary is complete once its name appears: go moves it there from its
// work directory, which is on the same file system (bin_dir is where go's
// work directories go), unless the directory is setgid (then go copies it
// and the binaries are taken after the build).
void BuildTestBinaries(std::vector<Package>& pkgs, const std::vector<size_t>& todo, const DirectRun& run,
                       const std::string& bin_dir, const std::string& log_base, ReadyQueue& queue) {
  std::vector<std::string> argv{"go", "test", "-c", "-o", bin_dir + "/"};
  if (!run.ldflags) argv.push_back("-ldflags=-s -w");
  argv.insert(argv.end(), run.build.begin(), run.build.end());
  std::map<std::string, size_t> pending;  // binary name -> package
  for (const size_t i : todo) {
    // A package named by its files (go test x_test.go) has no import path to build by.
    const bool buildable = !bin_dir.empty() && pkgs[i].import_path != "command-line-arguments" &&
                           !pkgs[i].import_path.starts_with("-");
    if (buildable && pending.emplace(TestBinaryName(pkgs[i].import_path), i).second) {
      argv.push_back(pkgs[i].import_path);
    } else {
      queue.Push(i);
    }
  }
  if (pending.empty()) return;
  auto scan = [&] {
    std::error_code ec;
    for (fs::directory_iterator it(bin_dir, ec), end; !ec && it != end; it.increment(ec)) {
      const auto found = pending.find(it->path().filename().string());
      if (found == pending.end()) continue;
      pkgs[found->second].binary = it->path().string();
      queue.Push(found->second);
      pending.erase(found);
    }
  };
  struct stat st {};
  const bool early = stat(bin_dir.c_str(), &st) == 0 && (st.st_mode & S_ISGID) == 0;
  std::atomic<bool> built{false};
  // go's messages are not shown here: the packages they concern run under go test.
  std::thread go([&] {
    RunProcess(argv, log_base + ".out", log_base + ".err");
    built = true;
  });
  struct Join {
    std::thread& t;
    ~Join() { t.join(); }
  };
  {
    const Join join{go};
    while (!built) {
      if (early) scan();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  scan();
  for (const auto& [name, i] : pending) queue.Push(i);
}

// The trace of a package whose tests ran: analyzed, or why not.
void AnalyzePackageTrace(Package& p, const std::string& err, const AnalysisOptions& analysis) {
  std::error_code ec;
  if (!fs::exists(p.trace, ec)) {
    // A test binary that exits early (os.Exit in a test, a crash before
    // the trace was flushed) leaves no trace.
    if (p.result != "fail") p.go_error = "no trace was written\n" + err;
    return;
  }
  p.analyzed = AnalyzeTraceFile(p.trace, analysis, p.run_order, &p.analysis_error);
}

// Runs the package's test binary as go test -json would and converts its
// output to go test -json's events (cmd/go/internal/test runTestActor).
void RunGoTest(Package& p, const std::vector<std::string>& go_flags, const AnalysisOptions& analysis);

void RunBinary(Package& p, const DirectRun& run, const std::string& goroot, const std::vector<std::string>& go_flags,
               const AnalysisOptions& analysis) {
  std::vector<std::string> argv{p.binary, "-test.paniconexit0", "-test.v=test2json"};
  if (!run.timeout_set) argv.push_back("-test.timeout=10m0s");
  argv.push_back("-test.trace=" + p.trace);
  argv.insert(argv.end(), run.test.begin(), run.test.end());
  ProcessOptions options;
  options.dir = p.dir;
  options.merge_stderr = true;
  if (!goroot.empty()) {
    const char* path = std::getenv("PATH");
    options.env.push_back(fmt::format("PATH={}/bin{}{}", goroot, path != nullptr && *path ? ":" : "", path ? path : ""));
  }
  // go test's backup alarm: the binary stops itself at -test.timeout; one
  // that is wedged gets SIGQUIT a minute (or a tenth of the timeout) later.
  double kill_ns = 0;
  if (run.timeout_ns > 0 && !run.bench) {
    const double wait_delay = std::max(5e9, run.timeout_ns / 10);
    kill_ns = run.timeout_ns + std::max(60e9, wait_delay);
    options.kill_after = std::chrono::milliseconds(static_cast<int64_t>(kill_ns / 1e6));
    options.kill_grace = std::chrono::milliseconds(static_cast<int64_t>(wait_delay / 1e6));
  }
  const std::string output_path = p.output;
  const auto t0 = std::chrono::steady_clock::now();
  const ProcessResult r = RunProcess(argv, output_path, "", options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.exit_code < 0) {
    // A binary that cannot be started (a noexec temporary directory): go test knows its way.
    p.binary.clear();
    RunGoTest(p, go_flags, analysis);
    return;
  }
  p.ran = true;
  const std::string out = ReadFile(output_path);
  std::vector<report::GoTestEvent> events;
  report::Test2Json convert(&events);
  convert.Write(out);
  const std::string t = fmt::format("{:.3f}s", seconds);
  const bool newline = out.empty() || out.back() == '\n';
  if (r.exit_code == 0) {
    const bool norun = out.starts_with("testing: warning: no tests to run\n") ||
                       out.find("\ntesting: warning: no tests to run\n") != std::string::npos;
    convert.Write(fmt::format("{}ok  \t{}\t{}{}\n", newline ? "" : "\n", p.import_path, t, norun ? " [no tests to run]" : ""));
  } else {
    if (r.timed_out) convert.Write(fmt::format("*** Test killed with quit: ran too long ({}).\n", FormatGoDuration(kill_ns)));
    if (r.signal != 0 || out.empty()) {
      // exec.ExitError's text; Go's signal names are glibc's in lower case.
      std::string sig = r.signal != 0 ? strsignal(r.signal) : "";
      if (!sig.empty()) sig[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sig[0])));
      convert.Write(r.signal != 0 ? "signal: " + sig + "\n" : fmt::format("exit status {}\n", r.exit_code));
    } else if (!newline) {
      convert.Write("\n");
    }
    convert.Write(fmt::format("\x16" "FAIL\t{}\t{}\n", p.import_path, t));
  }
  convert.Exited(r.exit_code == 0);
  convert.Close(seconds);
  ParseEvents(events, p);
  if (p.result.empty()) p.go_error = fmt::format("{} exited with status {} without a result\n", p.binary, r.exit_code);
  if (!p.go_error.empty()) return;
  AnalyzePackageTrace(p, "", analysis);
}

// Runs the package under go test itself (see the file comment for when).
void RunGoTest(Package& p, const std::vector<std::string>& go_flags, const AnalysisOptions& analysis) {
  std::vector<std::string> argv{"go", "test", "-json", "-trace=" + p.trace};
  argv.insert(argv.end(), go_flags.begin(), go_flags.end());
  argv.push_back(p.import_path);
  const ProcessResult r = RunProcess(argv, p.json, p.stderr_path);
  if (r.exit_code < 0) {
    p.go_error = "cannot run go: " + r.spawn_error + "\n";
    return;
  }
  p.ran = true;
  ParseEvents(report::DecodeGoTestJson(ReadFile(p.json)), p);
  const std::string err = ReadFile(p.stderr_path);
  if (p.go_error.empty() && p.result.empty()) {
    p.go_error = err.empty() ? fmt::format("go test exited with status {} without a result\n", r.exit_code) : err;
  }
  if (!p.go_error.empty()) return;
  AnalyzePackageTrace(p, err, analysis);
}

// "TestX/sub: rule: message" per finding, indented under the package line.
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

}  // namespace

int RunTest(const TestOptions& opts) {
  const GateOptions& gate_opts = opts.gate;
  const auto gate = LoadGate(gate_opts, opts.analysis, {});
  const std::string root = gate ? gate->module_root : std::string();
  if (!gate) return kExitError;

  // The trace directory: kept, or a temporary one removed at the end.
  std::string dir = opts.keep_traces;
  std::error_code ec;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path(ec) / "cancelflow-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      PrintError(fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno)));
      return kExitError;
    }
    dir = tmpl;
  } else if (fs::create_directories(dir, ec); ec) {
    PrintError(fmt::format("cannot create {}: {}", dir, ec.message()));
    return kExitError;
  }
  dir = fs::absolute(dir, ec).lexically_normal().string();
  Cleanup cleanup{opts.keep_traces.empty() ? dir : ""};

  const std::vector<std::string> patterns = opts.packages.empty() ? std::vector<std::string>{"./..."} : opts.packages;
  auto listed = ListPackages(patterns, opts.go_flags, dir);
  if (!listed) return kExitError;
  std::vector<Package>& pkgs = listed->pkgs;
  std::vector<size_t> todo;
  for (size_t i = 0; i < pkgs.size(); ++i) {
    Package& p = pkgs[i];
    const std::string base = dir + "/" + TraceName(p.import_path);
    p.trace = base + ".trace";
    p.json = base + ".json";
    p.stderr_path = base + ".stderr";
    p.output = base + ".output";
    if (p.has_tests) todo.push_back(i);
  }

  // The test binaries: built by one go test -c into a directory of their
  // own (never among kept traces) where go keeps its work directories
  // (GOTMPDIR, else TMPDIR: a /tmp mounted noexec is why GOTMPDIR exists),
  // removed at the end.
  const DirectRun direct = ClassifyFlags(opts.go_flags, std::getenv("GOFLAGS"));
  Cleanup bin_cleanup;
  if (direct.usable && !todo.empty()) {
    const char* gotmpdir = std::getenv("GOTMPDIR");
    std::string tmpl = ((gotmpdir != nullptr && *gotmpdir != 0 ? fs::path(gotmpdir) : fs::temp_directory_path(ec)) /
                        "cancelflow-bin-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      PrintError(fmt::format("cannot create a temporary directory {}: {}", tmpl, std::strerror(errno)));
      return kExitError;
    }
    bin_cleanup.dir = tmpl;
  }

  // A driver thread builds the binaries and queues the packages as they can
  // run; workers run them (or go test) and analyze; the main thread prints
  // in completion order.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<size_t> finished;
  ReadyQueue queue;
  const size_t workers = std::min<size_t>(
      todo.size(), direct.bench ? 1
                   : opts.parallel > 0 ? static_cast<size_t>(opts.parallel)
                                       : std::max(1u, std::thread::hardware_concurrency()));
  auto work = [&] {
    while (const auto i = queue.Pop()) {
      Package& p = pkgs[*i];
      // main() catches what third-party code throws, but not on this thread.
      try {
        if (!p.binary.empty()) {
          RunBinary(p, direct, listed->goroot, opts.go_flags, gate->config.analysis);
        } else {
          RunGoTest(p, opts.go_flags, gate->config.analysis);
        }
      } catch (const std::exception& e) {
        p.go_error = fmt::format("cancelflow: {}: {}\n", p.import_path, e.what());
      }
      std::lock_guard<std::mutex> lock(mu);
      finished.push_back(*i);
      cv.notify_one();
    }
  };
  std::thread driver([&] {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(work);
    try {
      BuildTestBinaries(pkgs, todo, direct, bin_cleanup.dir, dir + "/go-test-c", queue);
    } catch (const std::exception&) {
      // (Only allocation can fail there.) What was not queued runs under go test.
      for (const size_t i : todo) {
        if (!queue.Pushed(i)) queue.Push(i);
      }
    }
    queue.Close();
    for (auto& t : threads) t.join();
  });
  for (const auto& p : pkgs) {
    if (!p.has_tests) std::printf("?   \t%s\t[no test files]\n", p.import_path.c_str());
  }
  std::fflush(stdout);

  bool error = false, test_failed = false;
  report::CheckResult result;
  result.module_root = root;
  Progress progress;
  for (size_t done = 0; done < todo.size();) {
    std::vector<size_t> batch;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return !finished.empty(); });
      batch.swap(finished);
    }
    if (!batch.empty()) progress.Clear();
    for (const size_t i : batch) {
      ++done;
      Package& p = pkgs[i];
      if (!p.go_error.empty()) {
        error = true;
        std::fputs(p.go_error.c_str(), stderr);
        std::printf("FAIL\t%s [%s]\n", p.import_path.c_str(), p.ran ? "build failed" : "go test did not run");
        PrintError(fmt::format("{}: go test failed to build or run the tests", p.import_path));
        continue;
      }
      const bool failed = p.result == "fail";
      // A test binary that crashed (a panic, a timeout) leaves a trace cut
      // short: the failure is the test's, reported as such, not an error.
      error = error || (p.analysis_error && !failed);
      test_failed = test_failed || failed;
      std::string out = p.failed_output;
      out += fmt::format("{}\t{}\t{:.3f}s\n", failed ? "FAIL" : "ok  ", p.import_path, p.seconds);
      // A package whose trace could not be analyzed (its test binary
      // crashed before writing one) still reports its Go tests.
      Analysis empty(std::make_shared<StringPool>(), std::make_shared<StackPool>());
      report::AddTrace(result, p.trace, p.analyzed ? std::move(p.analyzed->analysis) : std::move(empty), gate->config,
                       gate->baseline);
      report::CheckedTrace& t = result.traces.back();
      t.package = p.import_path;
      t.go_tests = std::move(p.tests);
      out += PackageFindingLines(t);
      if (!p.analyzed) {
        out += "    cancelflow: no usable trace: the test binary stopped before writing it\n";
      } else if (p.analysis_error) {
        out += "    cancelflow: the trace is cut short (the test binary stopped): findings cover what it recorded\n";
      }
      std::fputs(out.c_str(), stdout);
      std::fflush(stdout);
    }
    progress.Show(fmt::format("{}/{} packages tested", done, todo.size()));
  }
  progress.Clear();
  driver.join();

  // Reports list packages in go list's order, whatever order they finished in.
  std::stable_sort(result.traces.begin(), result.traces.end(), [&](const auto& a, const auto& b) {
    auto pos = [&](const std::string& pkg) {
      for (size_t i = 0; i < pkgs.size(); ++i) {
        if (pkgs[i].import_path == pkg) return i;
      }
      return pkgs.size();
    };
    return pos(a.package) < pos(b.package);
  });
  if (!gate_opts.quiet && result.total > 0) {
    std::string text = "\ncancelflow findings:\n";
    for (const auto& t : result.traces) text += FindingsText(t, t.package);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!WriteGateReports(result, gate_opts)) error = true;
  if (!opts.keep_traces.empty()) std::fprintf(stderr, "cancelflow test: traces kept in %s\n", dir.c_str());
  size_t failed_pkgs = 0;
  for (const auto& p : pkgs) failed_pkgs += p.result == "fail" || !p.go_error.empty();
  std::fprintf(stderr,
               "cancelflow test: %zu package(s) tested, %zu failed; %zu finding(s): %zu failing, %zu baselined, %zu "
               "not gating%s\n",
               todo.size(), failed_pkgs, result.total, result.failing, result.suppressed,
               result.total - result.failing - result.suppressed, error ? "; errors (exit 2)" : "");
  if (error) return kExitError;
  return test_failed || report::Verdict(result) ? kExitFindings : kExitOk;
}

}  // namespace cancelflow::cli
