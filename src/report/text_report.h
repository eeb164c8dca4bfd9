// The human-readable report of `cancelflow analyze`: a summary first (N
// cancellations by kind, M findings by rule, data quality), then findings
// grouped by site with their stacks, then the cancellations. ANSI color when
// asked (the CLI asks when stdout is a terminal). Control characters in trace
// strings are escaped so a hostile trace cannot drive the terminal.
#pragma once

#include <string>

#include "cancelflow/analysis.h"

namespace cancelflow::report {

struct TextOptions {
  std::string trace_path;
  bool color = false;
  size_t max_cancellations = 20;  // cancellations listed in detail (all are counted)
  size_t max_woken = 10;          // woken goroutines listed per cancellation (all are counted)
  size_t max_frames = 8;          // frames printed per stack
};

std::string AnalysisToText(const Analysis& a, const TextOptions& o);

// The inert form of a trace string (base/inert_text.h: control characters,
// line breaks, bidi controls and invalid UTF-8 escaped) so it prints as text.
std::string SafeText(std::string_view s);

}  // namespace cancelflow::report
