// What go test prints, replayed from the test2json events (the algorithm and its
// one heuristic, four-space lines as logs: gotest_emulation.h). The replay only
// moves buffered lines; it never invents or drops a line the binary printed,
// except the ones that exist only in -test.v=test2json mode.
#include "cli/gotest_emulation.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include <fmt/format.h>

namespace cancelflow::cli {
namespace {

constexpr size_t kMaxTestOutput = 64 * 1024;  // per test, in reports
constexpr std::string_view kIndent = "    ";  // testing.indent

// The report in a frame line ("    --- FAIL: T (0.00s)\n"): its status and
// the line without the indentation and line end.
struct ReportLine {
  std::string_view status;  // FAIL, PASS, SKIP, BENCH
  std::string_view header;
};

std::optional<ReportLine> ParseReport(std::string_view text) {
  while (text.starts_with(kIndent)) text.remove_prefix(kIndent.size());
  if (text.ends_with('\n')) text.remove_suffix(1);
  for (const std::string_view status : {"FAIL", "PASS", "SKIP", "BENCH"}) {
    if (text.starts_with("--- ") && text.substr(4).starts_with(status) && text.substr(4 + status.size()).starts_with(": ")) {
      return ReportLine{status, text};
    }
  }
  return std::nullopt;
}

// A benchmark or sub-benchmark (test2json's isBenchmarkName on the top-level name).
bool IsBenchmark(std::string_view name) {
  constexpr std::string_view kBenchmark = "Benchmark";
  if (!name.starts_with(kBenchmark)) return false;
  return name.size() == kBenchmark.size() || name[kBenchmark.size()] == '/' ||
         !(name[kBenchmark.size()] >= 'a' && name[kBenchmark.size()] <= 'z');
}

// testing's indenter: four spaces before each line.
void AppendIndented(std::string& to, std::string_view text) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    to += kIndent;
    to += text.substr(0, end);
    text.remove_prefix(end);
  }
}

// The replay of the testing package's printer (see the header).
class Printer {
 public:
  explicit Printer(bool verbose) : verbose_(verbose) {}

  void Run(const std::string& name) {
    Node n;
    n.name = name;
    for (auto it = open_.rbegin(); it != open_.rend(); ++it) {
      const std::string& p = nodes_[*it].name;
      if (name.size() > p.size() && name.starts_with(p) && name[p.size()] == '/') {
        n.parent = static_cast<int>(*it);
        break;
      }
    }
    nodes_.push_back(std::move(n));
    open_.push_back(nodes_.size() - 1);
    latest_[name] = nodes_.size() - 1;
    Update(name, fmt::format("=== RUN   {}\n", name));
  }
  void Update(const std::string& name, std::string_view line) {
    if (!verbose_) return;
    last_name_ = name;
    out_ += line;
  }

  // A benchmark starts (b.Run): without -v, its chatty name line goes and its
  // logs wait for its result line (benchmark.go processBench).
  void Benchmark(const std::string& name) {
    bench_ = name;
    bench_buf_.clear();
  }

  // A line (or a piece of one) that test2json attributes to `test`.
  void Output(const std::string& test, std::string_view text) {
    if (!verbose_ && !bench_.empty() && test == bench_ && BenchmarkOutput(text)) return;
    if (line_start_) {
      const auto n = Open(test);
      log_node_ = text.starts_with(kIndent) && n ? static_cast<int>(*n) : -1;
      if (log_node_ >= 0 && verbose_) {
        // chattyPrinter.Printf.
        if (last_name_.empty()) {
          last_name_ = test;
        } else if (last_name_ != test) {
          out_ += fmt::format("=== NAME  {}\n", test);
          last_name_ = test;
        }
      }
    }
    line_start_ = text.ends_with('\n');
    if (log_node_ >= 0 && !verbose_) {
      nodes_[static_cast<size_t>(log_node_)].buffer += text;
    } else {
      out_ += text;
    }
  }

  // common.flushToParent for the report of `test`.
  void Report(const std::string& test, const ReportLine& r) {
    if (!verbose_ && !bench_.empty() && test.starts_with(bench_) && r.status == "FAIL") {
      // A failed benchmark: its header, then everything it logged.
      out_ += r.header;
      out_ += '\n';
      out_ += bench_buf_;
      bench_buf_.clear();
      return;
    }
    const auto n = Open(test);
    if (!n) {  // a report of no running test: printed as it came
      out_ += r.header;
      out_ += '\n';
      return;
    }
    line_start_ = true;
    Node& node = nodes_[*n];
    open_.erase(std::find(open_.begin(), open_.end(), *n));
    node.reported = true;
    if (!verbose_ && r.status != "FAIL") return;
    std::string block(r.header);
    block += '\n';
    block += node.buffer;
    node.buffer.clear();
    if (node.parent < 0) {
      Update(test, block);
      if (!verbose_) out_ += block;
    } else {
      AppendIndented(nodes_[static_cast<size_t>(node.parent)].buffer, block);
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  // Output of the running benchmark without -v; false when it is printed as any other line.
  bool BenchmarkOutput(std::string_view text) {
    if (line_start_) {
      bench_line_.clear();
      if (text.size() == bench_.size() + 1 && text.starts_with(bench_) && text.back() == '\n') return true;
      bench_log_ = text.starts_with(kIndent);
    }
    line_start_ = text.ends_with('\n');
    if (bench_log_) {
      bench_buf_ += text;
      return true;
    }
    out_ += text;
    bench_line_ += text;
    if (!line_start_ || !bench_line_.starts_with(bench_)) return true;
    const size_t tab = bench_line_.find('\t');
    if (tab != std::string::npos && !bench_buf_.empty()) {
      // The result line, then what the benchmark logged (B.trimOutput: ten lines at most).
      std::string_view name = std::string_view(bench_line_).substr(0, tab);
      while (name.ends_with(' ')) name.remove_suffix(1);
      out_ += fmt::format("--- BENCH: {}\n", name);
      size_t lines = 0, j = 0;
      for (; j < bench_buf_.size(); ++j) {
        if (bench_buf_[j] == '\n' && ++lines >= 10) break;
      }
      out_ += j < bench_buf_.size() ? bench_buf_.substr(0, j) + "\n\t... [output truncated]\n" : bench_buf_;
      bench_buf_.clear();
    }
    return true;
  }

  struct Node {
    std::string name;
    int parent = -1;  // -1: a top-level test
    std::string buffer;
    bool reported = false;
  };
  std::optional<size_t> Open(const std::string& test) const {
    if (test.empty()) return std::nullopt;
    const auto it = latest_.find(test);
    if (it == latest_.end() || nodes_[it->second].reported) return std::nullopt;
    return it->second;
  }

  bool verbose_;
  std::vector<Node> nodes_;
  std::vector<size_t> open_;               // running tests, in RUN order
  std::map<std::string, size_t> latest_;   // name -> its latest run (-count runs a test again)
  std::string last_name_;                  // chattyPrinter.lastName
  std::string out_;
  bool line_start_ = true;
  int log_node_ = -1;  // the test whose log line is being written, or -1
  std::string bench_;       // the running benchmark ("" = none)
  std::string bench_buf_;   // its logs since its last result line
  std::string bench_line_;  // the line being written for it
  bool bench_log_ = false;  // that line is a log line
};

}  // namespace

GoTestResults ReadGoTestResults(const std::vector<GoTestEvent>& events) {
  GoTestResults r;
  for (const auto& ev : events) {
    const std::string &action = ev.action, &test = ev.test;
    if (ev.failed_build || action == "build-fail") r.build_failed = true;
    if (action == "build-output") {
      r.build_output += ev.output;
    } else if (action == "output") {
      if (!test.empty()) {
        for (auto& t : r.tests) {
          if (t.name == test && t.output.size() < kMaxTestOutput) t.output += ev.output;
        }
      }
    } else if (action == "run" && !test.empty()) {
      r.run_order.push_back(test);
      r.tests.push_back({test, "", 0, ""});
    } else if (action == "pass" || action == "fail" || action == "skip") {
      const double elapsed = ev.elapsed.value_or(0.0);
      if (test.empty()) {
        r.result = action;
        r.seconds = elapsed;
      } else {
        for (auto it = r.tests.rbegin(); it != r.tests.rend(); ++it) {
          if (it->name == test && it->result.empty()) {
            it->result = action;
            it->seconds = elapsed;
            break;
          }
        }
      }
    }
  }
  if (r.result == "fail") {
    for (auto& t : r.tests) {
      if (t.result.empty()) t.result = "fail";
    }
  }
  return r;
}

std::string EmulateTestOutput(const std::vector<GoTestEvent>& events, bool verbose) {
  Printer p(verbose);
  for (const auto& ev : events) {
    if (ev.action == "run" && IsBenchmark(ev.test)) {
      // A benchmark's `=== RUN` is for test2json only; with -v its logs go straight to stdout.
      p.Benchmark(ev.test);
    } else if (ev.action == "run" && !ev.test.empty()) {
      p.Run(ev.test);
    } else if ((ev.action == "pause" || ev.action == "cont") && !ev.test.empty()) {
      p.Update(ev.test, fmt::format("=== {}{}\n", ev.action == "pause" ? "PAUSE " : "CONT  ", ev.test));
    } else if (ev.action == "output") {
      if (!ev.frame) {
        p.Output(ev.test, ev.output);
      } else if (const auto r = ParseReport(ev.output)) {
        p.Report(ev.test, *r);
      }
      // Other frame lines (RUN, PAUSE, CONT) come from their own events.
    }
  }
  return p.Take();
}

BinaryExit SplitGoTestTrailer(std::vector<GoTestEvent>& events, std::string_view import_path) {
  BinaryExit exit;
  // From the end: the ok/FAIL line, then (before it) a line end, the exit
  // error and "*** Test killed", all package-level output.
  auto last_output = [&]() -> GoTestEvent* {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->action == "output") return it->test.empty() ? &*it : nullptr;
    }
    return nullptr;
  };
  auto drop = [&](GoTestEvent* e) { events.erase(events.begin() + (e - events.data())); };
  GoTestEvent* e = last_output();
  if (e == nullptr) return exit;
  const bool ok = e->output.starts_with(fmt::format("ok  \t{}\t", import_path));
  if (!ok && !e->output.starts_with(fmt::format("FAIL\t{}\t", import_path))) return exit;
  exit.ok = ok;
  exit.final_line = e->output;
  drop(e);
  if (ok) return exit;
  e = last_output();
  if (e != nullptr && e->output == "\n") {
    drop(e);
    e = last_output();
  }
  if (e != nullptr && (e->output.starts_with("exit status ") || e->output.starts_with("signal: "))) {
    exit.exit_error = e->output.substr(0, e->output.size() - (e->output.ends_with('\n') ? 1 : 0));
    exit.exited = e->output.starts_with("exit status ");
    drop(e);
    e = last_output();
  }
  if (e != nullptr && e->output.starts_with("*** Test killed")) {
    exit.killed = e->output;
    drop(e);
  }
  return exit;
}

std::string GoTestPackageBlock(std::string_view import_path, std::string_view output, bool show_passed,
                               const BinaryExit& exit) {
  const std::string t = fmt::format("{:.3f}s", exit.seconds);
  const bool newline = output.empty() || output.ends_with('\n');
  std::string block;
  if (exit.ok) {
    if (show_passed) block += output;
    if (!newline) block += '\n';
    if (!exit.final_line.empty()) return block + exit.final_line;
    constexpr std::string_view kNoTests = "testing: warning: no tests to run\n";
    const bool norun = output.starts_with(kNoTests) || output.find(fmt::format("\n{}", kNoTests)) != std::string_view::npos;
    return block + fmt::format("ok  \t{}\t{}{}\n", import_path, t, norun ? " [no tests to run]" : "");
  }
  block += output;
  block += exit.killed;
  if (!exit.exit_error.empty() && (!exit.exited || output.empty())) {
    block += exit.exit_error;
    block += '\n';
  } else if (!newline) {
    block += '\n';
  }
  if (!exit.final_line.empty()) return block + exit.final_line;
  return block + fmt::format("FAIL\t{}\t{}\n", import_path, t);
}

}  // namespace cancelflow::cli
