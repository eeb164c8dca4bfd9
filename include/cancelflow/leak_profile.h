// The runtime's goroutine leak profile (Go 1.27+, or Go 1.26 with
// GOEXPERIMENT=goroutineleakprofile): goroutines blocked on a channel,
// select, Mutex, RWMutex, WaitGroup or Cond that nothing runnable can reach.
// It is evidence from outside the trace: the analysis joins it to the trace's
// goroutines (docs/findings.md, "Leaks proven by the runtime").
//
// Two forms are read:
//   - text, debug=2 (`WriteTo(w, 2)`, `/debug/pprof/goroutineleak?debug=2`):
//     every goroutine of the process with its goroutine id, its state (a
//     leaked one says "(leaked)") and its stack; joined by goroutine id (trace
//     goroutine ids are runtime goids);
//   - protobuf (`WriteTo(w, 0)`, gzipped pprof Profile): the stacks of leaked
//     goroutines with counts, no ids; joined by stacks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cancelflow/error.h"

namespace cancelflow {

struct LeakProfileGoroutine {
  int64_t goid = -1;
  std::string state;                // "chan send", "select", "running", ... without "(leaked)"
  bool leaked = false;
  std::vector<std::string> funcs;   // leaf first; "created by" excluded
};

struct LeakProfileStack {
  std::vector<std::string> funcs;   // leaf first
  int64_t count = 0;                // leaked goroutines with this stack
};

struct LeakProfile {
  enum class Form : uint8_t { kText, kProto };
  Form form = Form::kText;
  std::string path;                          // where it was read from ("" = given as bytes)
  // Taken just after the trace ended rather than at its end (a live service:
  // /debug/pprof/goroutineleak fetched after trace?seconds=N). Goroutines that
  // started, ran or moved in between are counted (`after_trace`), not
  // reported as a profile from another process.
  bool taken_after_trace = false;
  std::vector<LeakProfileGoroutine> goroutines;  // text form: every goroutine listed
  std::vector<LeakProfileStack> leaked_stacks;   // protobuf form: the leaked stacks
  uint64_t leaked() const;                   // leaked goroutines in the profile
};

// Parses either form (gzip magic: protobuf; else the debug=2 text). Errors:
// kBadText with the byte offset of what could not be read.
Result<LeakProfile> ParseLeakProfile(std::string_view bytes);
// Reads and parses a file. Errors: kIo, kBadText.
Result<LeakProfile> LoadLeakProfile(const std::string& path);

}  // namespace cancelflow
