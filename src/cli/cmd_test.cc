// `cancelflow test [flags] [packages] [-- go test flags]`: go test with one
// execution trace per package, gated on the cancellation analysis.
//
// ALGORITHM: `go list` expands the patterns (default ./...); packages without
// test files print go test's "?" line. Every other package runs as its own
//   go test -json -trace=DIR/<import path>.trace [go test flags] IMPORT/PATH
// (go test accepts -trace for one package only), up to one per CPU at a time
// like go test -p; the build cache is shared, so this builds each package once
// as `go test ./...` does. A worker that sees its go test finish analyzes the
// trace at once, with go test's `=== RUN` order (the "run" events) to name
// the test goroutines (AnalysisOptions::test_run_order). The main thread prints
// each package's ok/FAIL block as it completes, then one summary, and writes
// the reports with each package's own test results (JUnit as gotestsum).
// Exit: 2 when go is missing, a package does not build or go test fails to
// run; else 1 when a test failed or a finding fails the gate; else 0.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_io.h"
#include "cli/commands.h"
#include "cli/gate.h"
#include "cli/process.h"
#include "cancelflow/pool.h"
#include "report/check_result.h"

namespace cancelflow::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTestOutput = 64 * 1024;  // per test, in reports

struct Package {
  std::string import_path;
  bool has_tests = false;
  std::string trace, json, stderr_path;
  // Filled by the worker.
  bool ran = false;            // go test could be started
  std::string go_error;        // go itself failed (build failure, bad flag): go's message
  std::string result;          // pass, fail, skip (package level)
  double seconds = 0;
  std::string failed_output;   // output of failed tests and package-level lines, as go test prints them
  std::vector<report::GoTestResult> tests;
  std::vector<std::string> run_order;
  std::optional<AnalyzedTrace> analyzed;
  bool analysis_error = false;
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
void ParseEvents(const std::string& text, Package& p) {
  std::vector<std::pair<std::string, std::string>> outputs;  // (test, line) in order
  std::string build_output;
  bool failed_build = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + start, nl - start);
    start = nl + 1;
    nlohmann::json ev = nlohmann::json::parse(line, nullptr, false);
    if (!ev.is_object()) {
      build_output += std::string(line) + "\n";  // not an event: go's own message
      continue;
    }
    auto str = [&](const char* key) {
      auto it = ev.find(key);
      return it != ev.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string action = str("Action"), test = str("Test"), output = str("Output");
    if (ev.contains("FailedBuild")) failed_build = true;
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
      auto el = ev.find("Elapsed");
      const double elapsed = el != ev.end() && el->is_number() ? el->get<double>() : 0.0;
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

// The go test flags that also decide which packages and files go list sees
// (-tags, -mod, -modfile), with their values.
std::vector<std::string> ListFlags(const std::vector<std::string>& go_flags) {
  std::vector<std::string> out;
  for (size_t i = 0; i < go_flags.size(); ++i) {
    std::string_view f = go_flags[i];
    if (f == "--") break;
    const std::string_view name = f.substr(f.find_first_not_of('-') == std::string_view::npos ? f.size() : f.find_first_not_of('-'));
    const std::string_view key = name.substr(0, name.find('='));
    if (key != "tags" && key != "mod" && key != "modfile") continue;
    out.emplace_back(f);
    if (name.find('=') == std::string_view::npos && i + 1 < go_flags.size()) out.push_back(go_flags[++i]);
  }
  return out;
}

// go list: the packages of `patterns`; nullopt after printing go's error.
std::optional<std::vector<Package>> ListPackages(const std::vector<std::string>& patterns,
                                                 const std::vector<std::string>& go_flags, const std::string& dir) {
  std::vector<std::string> argv{"go", "list", "-f", "{{.ImportPath}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}"};
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
  std::vector<Package> pkgs;
  const std::string text = ReadFile(out);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    Package p;
    p.import_path = line.substr(0, t1);
    p.has_tests = line.substr(t1 + 1, t2 - t1 - 1) != "0" || line.substr(t2 + 1) != "0";
    pkgs.push_back(std::move(p));
  }
  return pkgs;
}

void RunPackage(Package& p, const std::vector<std::string>& go_flags, const AnalysisOptions& analysis) {
  std::vector<std::string> argv{"go", "test", "-json", "-trace=" + p.trace};
  argv.insert(argv.end(), go_flags.begin(), go_flags.end());
  argv.push_back(p.import_path);
  const ProcessResult r = RunProcess(argv, p.json, p.stderr_path);
  if (r.exit_code < 0) {
    p.go_error = "cannot run go: " + r.spawn_error + "\n";
    return;
  }
  p.ran = true;
  ParseEvents(ReadFile(p.json), p);
  const std::string err = ReadFile(p.stderr_path);
  if (p.go_error.empty() && p.result.empty()) {
    p.go_error = err.empty() ? fmt::format("go test exited with status {} without a result\n", r.exit_code) : err;
  }
  if (!p.go_error.empty()) return;
  std::error_code ec;
  if (!fs::exists(p.trace, ec)) {
    // A test binary that exits early (os.Exit in a test, a crash before
    // the trace was flushed) leaves no trace.
    if (p.result != "fail") p.go_error = "no trace was written\n" + err;
    return;
  }
  p.analyzed = AnalyzeTraceFile(p.trace, analysis, p.run_order, &p.analysis_error);
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
  std::string root = gate_opts.module_root.empty() ? report::FindModuleRoot({"."}) : gate_opts.module_root;
  const auto gate = LoadGate(gate_opts, root);
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
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      if (!dir.empty()) fs::remove_all(dir, e);
    }
  } cleanup{opts.keep_traces.empty() ? dir : ""};

  const std::vector<std::string> patterns = opts.packages.empty() ? std::vector<std::string>{"./..."} : opts.packages;
  auto listed = ListPackages(patterns, opts.go_flags, dir);
  if (!listed) return kExitError;
  std::vector<Package>& pkgs = *listed;
  std::vector<size_t> todo;
  for (size_t i = 0; i < pkgs.size(); ++i) {
    Package& p = pkgs[i];
    const std::string base = dir + "/" + TraceName(p.import_path);
    p.trace = base + ".trace";
    p.json = base + ".json";
    p.stderr_path = base + ".stderr";
    if (p.has_tests) todo.push_back(i);
  }

  // Workers run go test and analyze; the main thread prints in completion order.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<size_t> finished;
  std::atomic<size_t> next{0};
  const size_t workers = std::min<size_t>(
      todo.size(), opts.parallel > 0 ? static_cast<size_t>(opts.parallel)
                                     : std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t k = next++; k < todo.size(); k = next++) {
        // main() catches what third-party code throws, but not on this thread.
        try {
          RunPackage(pkgs[todo[k]], opts.go_flags, gate->config.analysis);
        } catch (const std::exception& e) {
          pkgs[todo[k]].go_error = fmt::format("cancelflow: {}: {}\n", pkgs[todo[k]].import_path, e.what());
        }
        std::lock_guard<std::mutex> lock(mu);
        finished.push_back(todo[k]);
        cv.notify_one();
      }
    });
  }
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
  for (auto& t : threads) t.join();

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
