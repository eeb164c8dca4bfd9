// The JSON document of `cancelflow analyze --json` (schema: docs/json-schema.md).
// Every string from the trace goes through the JSON encoder's escaping.
#pragma once

#include <string>

#include "cancelflow/analysis.h"

namespace cancelflow::report {

inline constexpr int kJsonSchemaVersion = 1;

struct JsonOptions {
  std::string trace_path;
  int indent = 2;  // -1: compact
};

std::string AnalysisToJson(const Analysis& a, const JsonOptions& o);

}  // namespace cancelflow::report
