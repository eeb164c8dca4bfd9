// go test's event stream (`go help test`, `go doc test2json`) for `cancelflow
// test` (cli/gotest_runner.h, cli/gotest_emulation.h): the events of
// `go test -json`, read either from its JSON lines or, for a test binary run
// directly with -test.v=test2json, converted from the binary's framed output
// by a port of Go's own converter (cmd/internal/test2json).
//
// The port follows test2json.go line by line (the names of its functions are
// in the comments) so that the events are the ones `go test -json` writes for
// the same output: the same attribution of output to tests, the same report
// nesting for subtests, the same chunking of long lines. What it leaves out:
// the Time of each event, the "start" event, and the artifacts/attr keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cancelflow::cli {

struct GoTestEvent {
  std::string action;  // run, pause, cont, pass, fail, skip, output, bench, build-output, build-fail, ...
  std::string test;    // "" for package-level events
  std::string output;  // for output events
  std::optional<double> elapsed;
  bool failed_build = false;  // FailedBuild set (a package-level fail after a build failure)
  // An output event that is a framing line (=== RUN/PAUSE/CONT, --- PASS/FAIL/SKIP/BENCH),
  // not output of the test: what test2json recognized (not a field of go's JSON).
  bool frame = false;
};

// `go test -json` output: one event per JSON line. A line that is not a JSON
// object (go's own message on stderr merged in, a panic in go itself) becomes
// a "build-output" event carrying the line, as go test -json reports them.
// `frame` is inferred: an output event of a test whose text is that test's
// `=== RUN/PAUSE/CONT` line or its `--- X:` report.
std::vector<GoTestEvent> DecodeGoTestJson(std::string_view text);

// cmd/internal/test2json.Converter: feed it the test binary's combined
// stdout and stderr (Write, any chunking), then what go test writes after
// the binary exits (the "ok"/"FAIL" line, via Write), then Exited and Close.
class Test2Json {
 public:
  explicit Test2Json(std::vector<GoTestEvent>* out);
  void Write(std::string_view bytes);
  // Converter.Exited: the package passed (unless it skipped) or failed.
  void Exited(bool ok);
  // Converter.Close: flushes, then the package's result with `elapsed`
  // seconds (go test: since the converter started; rounded to 1 ms here).
  void Close(double elapsed);

 private:
  // test2json's lineBuffer: complete lines go to `line`, pieces of long or
  // unfinished lines to `part`.
  struct LineBuffer {
    std::string b;
    size_t cap = 0;
    bool mid = false;
  };
  void BufferWrite(LineBuffer& l, std::string_view b);
  void BufferFlush(LineBuffer& l);
  void HandleInputLine(std::string_view line);
  void OutputWrite(std::string_view b);
  void WriteFrame(std::string_view line);  // OutputWrite of a framing line
  void FlushReport(size_t depth);
  void WriteOutputEvent(std::string_view out);
  void WriteEvent(GoTestEvent e);

  std::vector<GoTestEvent>* out_;
  std::string test_name_;
  std::vector<GoTestEvent> report_;  // pending test results, nested for subtests
  std::string result_;
  LineBuffer input_, output_;
  bool need_marker_ = false;
  bool frame_ = false;  // the output being written is a framing line
};

}  // namespace cancelflow::cli
