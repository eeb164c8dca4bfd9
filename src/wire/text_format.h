// Go's raw text trace format and the txtar `.test` files of Go's own corpus.
//
// Mirrors internal/trace/raw (TextReader + Writer) and testtrace.ParseFile:
//   Trace Go1.22
//   EventBatch gen=1 m=0 time=0 size=15
//   Stack id=1 nframes=1
//   	pc=1 func=2 file=3 line=4
//   String id=1
//   	data="quoted"
// Tokens are separated by Unicode spaces; '#' starts a comment; blank lines
// are skipped. Each event line must list exactly its spec's argument names,
// in order. Conversion writes minimal varints (as raw.Writer does).
#pragma once

#include <string>
#include <string_view>

#include "cancelflow/error.h"
#include "wire/version.h"

namespace cancelflow::wire {

// Converts raw text (starting with the "Trace Go1.NN" line) to binary trace
// bytes, header included. Errors are kBadText with the 1-based line number in
// `offset`.
Result<std::string> TextToBinary(std::string_view text);

// A parsed Go `.test` file (txtar with "expect" and "trace" sections).
struct GoTestFile {
  bool expect_failure = false;
  std::string error_pattern;  // unquoted regexp for FAILURE, empty for SUCCESS
  std::string trace_text;     // the "trace" section, raw text format
};

Result<GoTestFile> ParseGoTestFile(std::string_view txtar);

// A `.test` file read from disk: its expectation and its trace converted to
// binary bytes (ParseGoTestFile + TextToBinary; the tests' way in).
struct GoTestTrace {
  GoTestFile test;
  std::string bytes;
};
Result<GoTestTrace> LoadGoTestFile(const std::string& path);

}  // namespace cancelflow::wire
