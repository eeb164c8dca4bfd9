// SARIF 2.1.0 (OASIS) for code scanning (GitHub code scanning, VS Code SARIF
// viewer). One run for the whole check; one result per finding:
//   - ruleId/ruleIndex into tool.driver.rules (all rules, with their default level);
//   - level from the finding's severity (error, warning, note);
//   - locations[0]: the user frame of the block site (where the goroutine is
//     stuck), else of the creation site, as a path relative to the module
//     root with uriBaseId "SRCROOT" (originalUriBaseIds gives the root as a
//     file:// URI), or an absolute file:// URI outside the root;
//   - relatedLocations: the creation site;
//   - partialFingerprints["cancelflow/v1"]: the baseline fingerprint;
//   - suppressions [{kind: external}] for baselined findings;
//   - properties: goroutine count, test, trace, context id.
// Validated against the official schema in tests (tests/schemas/).
#pragma once

#include <string>

#include "report/check_result.h"

namespace cancelflow::report {

std::string WriteSarif(const CheckResult& result, std::string_view tool_version);

// Percent-encodes a path for a URI reference (keeps unreserved characters and '/').
std::string UriEscapePath(std::string_view path);

}  // namespace cancelflow::report
