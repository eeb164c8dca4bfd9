// Finding fingerprints (FindingFingerprint in cancelflow/analysis.h): the one
// identity every report, the baseline, SARIF and the metrics share. It is
// computed once, by Analyze(), and stored in Finding::fingerprint.
// Invariant: the inputs are names only (rule, functions, block reason), never
// ids, lines, paths, counts or times, so a fingerprint survives unrelated
// edits, other checkouts, other tests and other instances of a service.
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "cancelflow/analysis.h"

namespace cancelflow {
namespace {

void Mix(uint64_t& h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  h ^= 0xff;  // field separator (0xff never occurs in UTF-8)
  h *= 1099511628211ULL;
}

}  // namespace

std::string FindingFingerprint(const Analysis& a, const Finding& f) {
  uint64_t h = 14695981039346656037ULL;
  Mix(h, "cancelflow/v1");
  Mix(h, RuleId(f.rule));
  Mix(h, a.Str(f.start_func));
  Mix(h, SiteAt(a, f.creation_stack, f.creation_user_frame).func);
  Mix(h, SiteAt(a, f.block_stack, f.block_user_frame).func);
  Mix(h, a.Str(f.block_reason));
  Mix(h, f.context_site.func);  // context rules: the function that created the context
  return fmt::format("{:016x}", h);
}

}  // namespace cancelflow
