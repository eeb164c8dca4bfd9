// The JSON document of `cancelflow analyze --json` (schema: docs/json-schema.md).
// Every string from the trace goes through the JSON encoder's escaping.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cancelflow/analysis.h"

namespace cancelflow::report {

inline constexpr int kJsonSchemaVersion = 1;

struct JsonOptions {
  std::string trace_path;
  int indent = 2;  // -1: compact
  // Caps for a document that only feeds a view (the HTML report); analyze
  // --json keeps everything. What a cap leaves out is counted in a
  // "truncated" member, present only when something was left out.
  size_t max_cancellations = SIZE_MAX;
  size_t max_woken_per_cancellation = SIZE_MAX;
  size_t max_contexts = SIZE_MAX;
  size_t max_findings = SIZE_MAX;
  size_t max_goroutines = SIZE_MAX;
  size_t max_tests = SIZE_MAX;
  // Past this many bytes written, no further array element is added (each
  // element is written whole, so the document ends at most one element
  // later); strings longer than max_string bytes are cut (a marker says how
  // much). Both count in "truncated".
  size_t max_bytes = SIZE_MAX;
  size_t max_string = SIZE_MAX;
  // When set, cancellations are written in this order (indices; the caps
  // apply to it), e.g. those a finding cites first; empty: analysis order.
  std::vector<uint32_t> cancellation_order = {};
};

// Cuts every string in v longer than max_bytes (at a UTF-8 boundary) and
// appends "…(N bytes cut)"; returns how many strings were cut.
uint64_t TruncateStrings(nlohmann::json& v, size_t max_bytes);

using JsonSink = std::function<void(std::string_view)>;

// Streams the document to `sink` in chunks of about 64 KiB, one array element
// at a time: memory is one element (one cancellation without its woken
// goroutines, one woken goroutine, one context, ...) plus the chunk, never
// the document. Strings are JSON-escaped with non-ASCII as \u escapes;
// invalid UTF-8 becomes U+FFFD.
void WriteAnalysisJson(const Analysis& a, const JsonOptions& o, const JsonSink& sink);

// Indices of the cancellations a finding cites, in order, then of the
// others, in order; at most `cap` of them. Views that keep only some
// cancellations keep these first.
std::vector<uint32_t> CancellationsCitedFirst(const Analysis& a, size_t cap = SIZE_MAX);

// The whole document as a string (tests, small analyses).
std::string AnalysisToJson(const Analysis& a, const JsonOptions& o);

}  // namespace cancelflow::report
