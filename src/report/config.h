// The gate configuration (`cancelflow check --config .cancelflow.json`):
// analysis thresholds, per-rule severity (or "off"), and the severity from
// which a finding fails the gate. The format is documented in docs/ci.md;
// unknown keys are errors, so a typo never silently disables a check.
#pragma once

#include <string>
#include <string_view>

#include "cancelflow/analysis.h"
#include "cancelflow/error.h"

namespace cancelflow::report {

struct CheckConfig {
  AnalysisOptions analysis;  // thresholds, per-rule severities and rules turned off
  // Findings at or above this severity (and not in the baseline) fail the gate.
  Severity fail_on = Severity::kWarning;
  bool fail_never = false;  // "fail_on": "never": report only, exit 0
  // "fail_on_likely": likely findings (trace evidence that cannot be certain,
  // docs/findings.md "Certainty") fail the gate too; by default they are reported only.
  bool fail_on_likely = false;

  bool enabled(Rule r) const { return analysis.enabled(r); }
  bool Fails(Severity s, Certainty c = Certainty::kCertain) const {
    return !fail_never && s >= fail_on && (c != Certainty::kLikely || fail_on_likely);
  }
};

// Parses the JSON text of a config file. Errors: kUsage with a message naming the key.
Result<CheckConfig> ParseConfig(std::string_view json_text);
// Reads and parses a config file. Errors: kIo, kUsage.
Result<CheckConfig> LoadConfig(const std::string& path);

// Parses a Go-style duration ("100ms", "1.5s", "250us", "0"). Returns -1 when malformed.
Time ParseDuration(std::string_view s);

// Severity from "note"/"warning"/"error".
std::optional<Severity> SeverityFromName(std::string_view name);

}  // namespace cancelflow::report
