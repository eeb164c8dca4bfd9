// Human descriptions of the rules, for SARIF's rule metadata and docs.
#pragma once

#include <string_view>

#include "cancelflow/analysis.h"

namespace cancelflow::report {

struct RuleDoc {
  std::string_view name;  // PascalCase, SARIF reportingDescriptor.name
  std::string_view short_description;
  std::string_view full_description;
  std::string_view help;
};

const RuleDoc& DocOf(Rule r);

}  // namespace cancelflow::report
