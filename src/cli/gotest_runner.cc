// The go test runner of `cancelflow test` (algorithm, scheduling and invariants:
// gotest_runner.h). Every package leaves RunPackages through `done` exactly once,
// whatever failed on the way (a thrown exception becomes the package's go_error).
#include "cli/gotest_runner.h"

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
#include <thread>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/lines.h"
#include "cli/analysis_options.h"
#include "cli/commands.h"
#include "cli/gotest_leak_profile.h"
#include "cli/process.h"
#include "cli/test2json.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kAnalysisNice = 10;  // the analysis threads' nice value (tests keep 0)

// Package indices in the order they were pushed; Pop blocks until one comes
// or the queue is closed.
class IndexQueue {
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
void BuildTestBinaries(std::vector<Package>& pkgs, const std::vector<size_t>& todo, const RunnerOptions& o,
                       IndexQueue& queue) {
  std::vector<std::string> argv{"go", "test", "-c", "-o", o.bin_dir + "/"};
  if (!o.direct.ldflags) argv.push_back("-ldflags=-s -w");
  if (!o.overlay.empty()) argv.push_back("-overlay=" + o.overlay);
  argv.insert(argv.end(), o.direct.build.begin(), o.direct.build.end());
  std::map<std::string, size_t> pending;  // binary name -> package
  for (const size_t i : todo) {
    // A package named by its files (go test x_test.go) has no import path to build by.
    const bool buildable = !o.bin_dir.empty() && pkgs[i].import_path != "command-line-arguments" &&
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
    for (fs::directory_iterator it(o.bin_dir, ec), end; !ec && it != end; it.increment(ec)) {
      const auto found = pending.find(it->path().filename().string());
      if (found == pending.end()) continue;
      pkgs[found->second].binary = it->path().string();
      queue.Push(found->second);
      pending.erase(found);
    }
  };
  struct stat st {};
  const bool early = stat(o.bin_dir.c_str(), &st) == 0 && (st.st_mode & S_ISGID) == 0;
  std::atomic<bool> built{false};
  // go's messages are not shown here: the packages they concern run under go test.
  std::thread go([&] {
    RunProcess(argv, o.log_base + ".out", o.log_base + ".err");
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

// What go test prints for the package, from its events; the kept .output
// file holds the same.
void EmulateGoTest(Package& p, const std::vector<GoTestEvent>& events, const BinaryExit& exit, const RunnerOptions& o) {
  p.go = ReadGoTestResults(events);
  if (p.go.build_failed || (p.go.result.empty() && !p.go.build_output.empty())) {
    p.go_error = p.go.build_output;
    return;
  }
  p.printed = GoTestPackageBlock(p.import_path, EmulateTestOutput(events, o.verbose), o.show_passed, exit);
  if (FILE* f = std::fopen(p.output.c_str(), "wb")) {
    std::fwrite(p.printed.data(), 1, p.printed.size(), f);
    std::fclose(f);
  }
}

void RunGoTest(Package& p, const RunnerOptions& o);

// Runs the package's test binary as go test would, with -test.v=test2json
// (cmd/go/internal/test runTestActor), and converts its output to go test
// -json's events.
void RunBinary(Package& p, const RunnerOptions& o) {
  const DirectRun& run = o.direct;
  std::vector<std::string> argv{p.binary, "-test.paniconexit0", "-test.v=test2json"};
  if (!run.timeout_set) argv.push_back("-test.timeout=10m0s");
  argv.push_back("-test.trace=" + p.trace);
  argv.insert(argv.end(), run.test.begin(), run.test.end());
  ProcessOptions options;
  options.dir = p.dir;
  options.merge_stderr = true;
  if (!p.leak_profile.empty()) options.env.push_back(fmt::format("{}={}", kLeakProfileEnv, p.leak_profile));
  if (!o.goroot.empty()) {
    const char* path = std::getenv("PATH");
    options.env.push_back(fmt::format("PATH={}/bin{}{}", o.goroot, path != nullptr && *path ? ":" : "", path ? path : ""));
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
  const auto t0 = std::chrono::steady_clock::now();
  const ProcessResult r = RunProcess(argv, p.raw, "", options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.exit_code < 0) {
    // A binary that cannot be started (a noexec temporary directory): go test knows its way.
    p.binary.clear();
    RunGoTest(p, o);
    return;
  }
  p.ran = true;
  std::string out = ReadFile(p.raw);
  if (p.generated_test_main) out = HideGeneratedTestMain(out, !p.has_xtest);
  std::vector<GoTestEvent> events;
  Test2Json convert(&events);
  convert.Write(out);
  BinaryExit exit;
  exit.ok = r.exit_code == 0;
  exit.seconds = seconds;
  if (!exit.ok) {
    if (r.timed_out) exit.killed = fmt::format("*** Test killed with quit: ran too long ({}).\n", FormatGoDuration(kill_ns));
    // exec.ExitError's text; Go's signal names are glibc's in lower case.
    exit.exited = r.signal == 0;
    std::string sig = r.signal != 0 ? strsignal(r.signal) : "";
    if (!sig.empty()) sig[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(sig[0])));
    exit.exit_error = r.signal != 0 ? "signal: " + sig : fmt::format("exit status {}", r.exit_code);
    // What go test -json adds: the converter sees a FAIL line whatever the binary printed.
    convert.Write(fmt::format("{}\x16" "FAIL\t{}\t{:.3f}s\n", out.empty() || out.ends_with('\n') ? "" : "\n",
                              p.import_path, seconds));
  }
  convert.Exited(exit.ok);
  convert.Close(seconds);
  if (!exit.ok) {
    // The FAIL line written above is go test's, not the binary's.
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->action == "output") {
        events.erase(std::next(it).base());
        break;
      }
    }
  }
  EmulateGoTest(p, events, exit, o);
  if (p.go.result.empty() && p.go_error.empty()) {
    p.go_error = fmt::format("{} exited with status {} without a result\n", p.binary, r.exit_code);
  }
}

// Runs the package under go test itself (see the file comment for when).
void RunGoTest(Package& p, const RunnerOptions& o) {
  std::vector<std::string> argv{"go", "test", "-json", "-trace=" + p.trace};
  if (!o.overlay.empty()) argv.push_back("-overlay=" + o.overlay);
  argv.insert(argv.end(), o.go_flags.begin(), o.go_flags.end());
  argv.push_back(p.import_path);
  ProcessOptions options;
  if (!p.leak_profile.empty()) options.env.push_back(fmt::format("{}={}", kLeakProfileEnv, p.leak_profile));
  const ProcessResult r = RunProcess(argv, p.raw, p.stderr_path, options);
  if (r.exit_code < 0) {
    p.go_error = "cannot run go: " + r.spawn_error + "\n";
    return;
  }
  p.ran = true;
  std::vector<GoTestEvent> events = DecodeGoTestJson(ReadFile(p.raw));
  if (p.generated_test_main) {
    std::vector<size_t> at;
    std::vector<std::string> lines;
    for (size_t k = 0; k < events.size(); ++k) {
      if (events[k].action != "output") continue;
      at.push_back(k);
      lines.push_back(events[k].output);
    }
    const std::vector<bool> keep = HideGeneratedTestMain(lines, !p.has_xtest);
    std::vector<bool> drop(events.size(), false);
    for (size_t k = 0; k < at.size(); ++k) {
      events[at[k]].output = std::move(lines[k]);
      drop[at[k]] = !keep[k];
    }
    size_t k = 0;
    std::erase_if(events, [&](const GoTestEvent&) { return drop[k++]; });
  }
  const BinaryExit exit = SplitGoTestTrailer(events, p.import_path);
  EmulateGoTest(p, events, exit, o);
  const std::string err = ReadFile(p.stderr_path);
  if (p.go_error.empty() && p.go.result.empty()) {
    p.go_error = err.empty() ? fmt::format("go test exited with status {} without a result\n", r.exit_code) : err;
  }
  p.go_stderr = err;
}

// The trace of a package whose tests ran: analyzed, or why not.
void AnalyzePackageTrace(Package& p, const AnalysisOptions& analysis) {
  if (!p.go_error.empty()) return;
  std::error_code ec;
  if (!fs::exists(p.trace, ec)) {
    // A test binary that exits early (os.Exit in a test, a crash before
    // the trace was flushed) leaves no trace.
    if (p.go.result != "fail") p.go_error = "no trace was written\n" + p.go_stderr;
    return;
  }
  if (!p.leak_profile.empty() && fs::exists(p.leak_profile, ec)) {
    // The profile its test binary wrote beside the trace (cli/gotest_leak_profile.h).
    AnalysisOptions with_profile = analysis;
    if (LoadLeakProfileInto(p.leak_profile, with_profile)) {
      p.analyzed = AnalyzeTraceFile(p.trace, with_profile, p.go.run_order, &p.analysis_error);
      if (p.analyzed) return;
    }
    // A profile that does not join (the error is printed) is a cancelflow
    // error (exit 2), but the package keeps its trace-only findings.
    p.analysis_error = true;
    p.leak_profile_error = true;
    bool error = false;
    p.analyzed = AnalyzeTraceFile(p.trace, analysis, p.go.run_order, &error);
    return;
  }
  p.analyzed = AnalyzeTraceFile(p.trace, analysis, p.go.run_order, &p.analysis_error);
}

}  // namespace

std::optional<GoListResult> ListPackages(const std::vector<std::string>& patterns, const std::vector<std::string>& go_flags,
                                         const std::string& scratch) {
  std::vector<std::string> argv{"go", "list", "-f",
                                "{{.ImportPath}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}\t{{context.GOROOT}}\t{{.Name}}\t"
                                "{{join .TestGoFiles \"/\"}}/{{join .XTestGoFiles \"/\"}}\t{{.Dir}}"};
  for (auto& f : ListFlags(go_flags)) argv.push_back(std::move(f));
  argv.push_back("--");
  argv.insert(argv.end(), patterns.begin(), patterns.end());
  const std::string out = scratch + "/go-list.out", err = scratch + "/go-list.err";
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
  GoListResult listed;
  const std::string text = ReadFile(out);
  for (const std::string_view line : SplitLines(text)) {
    size_t tab[6];
    bool ok = true;
    for (size_t k = 0, from = 0; k < 6 && ok; from = tab[k++] + 1) {
      tab[k] = line.find('\t', from);
      ok = tab[k] != std::string::npos;
    }
    if (!ok) continue;
    Package p;
    p.import_path = line.substr(0, tab[0]);
    p.has_xtest = line.substr(tab[1] + 1, tab[2] - tab[1] - 1) != "0";
    p.has_tests = line.substr(tab[0] + 1, tab[1] - tab[0] - 1) != "0" || p.has_xtest;
    listed.goroot = line.substr(tab[2] + 1, tab[3] - tab[2] - 1);
    p.name = line.substr(tab[3] + 1, tab[4] - tab[3] - 1);
    p.dir = line.substr(tab[5] + 1);
    // Test file names, "/"-separated: no file name holds a "/".
    std::vector<std::string> test_files;
    for (std::string_view files = line.substr(tab[4] + 1, tab[5] - tab[4] - 1); !files.empty();) {
      const size_t slash = std::min(files.find('/'), files.size());
      if (slash > 0) test_files.emplace_back(files.substr(0, slash));
      files.remove_prefix(std::min(slash + 1, files.size()));
    }
    const TestFileFacts facts = ScanTestFiles(p.dir, test_files);
    p.own_test_main = facts.test_main;
    p.runnable_examples = facts.runnable_examples;
    listed.pkgs.push_back(std::move(p));
  }
  return listed;
}

void RunPackages(std::vector<Package>& pkgs, const std::vector<size_t>& todo, const RunnerOptions& options,
                 const std::function<void(size_t)>& done) {
  IndexQueue ready, finished;
  // main() catches what third-party code throws, but not on these threads.
  auto guarded = [&](Package& p, auto&& step) {
    try {
      step();
    } catch (const std::exception& e) {
      p.go_error = fmt::format("cancelflow: {}: {}\n", p.import_path, e.what());
    }
  };
  auto test = [&] {
    while (const auto i = ready.Pop()) {
      Package& p = pkgs[*i];
      std::error_code ec;
      if (!p.leak_profile.empty()) fs::remove(p.leak_profile, ec);  // an earlier run's, in a kept directory
      guarded(p, [&] { p.binary.empty() ? RunGoTest(p, options) : RunBinary(p, options); });
      finished.Push(*i);
    }
  };
  auto analyze = [&] {
    // Below the test binaries: an analysis takes the CPU the tests leave, so
    // it does not stretch the longest package's run (the threads it starts
    // inherit this). Lowering one's own priority needs no privilege.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kAnalysisNice);
    while (const auto i = finished.Pop()) {
      Package& p = pkgs[*i];
      guarded(p, [&] { AnalyzePackageTrace(p, options.analysis); });
      done(*i);
    }
  };
  std::vector<std::thread> testers, analyzers;
  for (size_t w = 0; w < std::min(options.parallel, todo.size()); ++w) testers.emplace_back(test);
  for (size_t w = 0; w < std::min(options.analyses, todo.size()); ++w) analyzers.emplace_back(analyze);
  try {
    BuildTestBinaries(pkgs, todo, options, ready);
  } catch (const std::exception&) {
    // (Only allocation can fail there.) What was not queued runs under go test.
    for (const size_t i : todo) {
      if (!ready.Pushed(i)) ready.Push(i);
    }
  }
  ready.Close();
  for (auto& t : testers) t.join();
  finished.Close();
  for (auto& t : analyzers) t.join();
}

}  // namespace cancelflow::cli
