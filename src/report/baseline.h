// Baseline files: the findings a team accepts for now, so the gate can be
// adopted on existing code and only new findings fail it.
//
// Format (JSON, written by `cancelflow check --write-baseline FILE`):
//   {"version": 1, "tool": "cancelflow",
//    "findings": [{"fingerprint": "9f3c0a17b2d4e611", "rule": "leaked-goroutine",
//                  "title": "...", "location": "pkg/file.go:42", "count": 1}, ...]}
// Only "fingerprint" is read back; the other fields are for humans reviewing
// the file. Entries are sorted by fingerprint and deduplicated, so
// rewriting a baseline for the same findings gives the same bytes.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "cancelflow/error.h"
#include "report/check_result.h"

namespace cancelflow::report {

// Parses a baseline file's text. Errors: kUsage.
Result<std::set<std::string>> ParseBaseline(std::string_view json_text);
// Reads a baseline file. Errors: kIo, kUsage.
Result<std::set<std::string>> LoadBaseline(const std::string& path);
// The baseline of every finding of `result` (suppressed ones included).
std::string WriteBaseline(const CheckResult& result);

}  // namespace cancelflow::report
