// Config parsing: nlohmann::json in its non-throwing mode (parse with
// allow_exceptions = false, every access type-checked first), so the library
// keeps its no-exceptions rule.
#include "report/config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace cancelflow::report {
namespace {

using nlohmann::json;

tl::unexpected<Error> Bad(std::string message) {
  return MakeError(ErrorCode::kUsage, 0, kNoGeneration, "config: " + std::move(message));
}

}  // namespace

std::optional<Severity> SeverityFromName(std::string_view name) {
  if (name == "note") return Severity::kNote;
  if (name == "warning") return Severity::kWarning;
  if (name == "error") return Severity::kError;
  return std::nullopt;
}

Time ParseDuration(std::string_view s) {
  if (s == "0") return 0;
  // number (digits with optional fraction) followed by a unit
  size_t i = 0;
  double value = 0;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    value = value * 10 + (s[i] - '0');
    ++i;
    digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      digits = true;
    }
  }
  if (!digits) return -1;
  const std::string_view unit = s.substr(i);
  double mult = 0;
  if (unit == "ns") mult = 1;
  else if (unit == "us" || unit == "µs") mult = 1e3;
  else if (unit == "ms") mult = 1e6;
  else if (unit == "s") mult = 1e9;
  else if (unit == "m") mult = 60e9;
  else return -1;
  const double ns = std::round(value * mult);
  if (!(ns < 9.2e18)) return -1;
  return static_cast<Time>(ns);
}

Result<CheckConfig> ParseConfig(std::string_view json_text) {
  const json j = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false,
                             /*ignore_comments=*/true);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (!j.is_object()) return Bad("the top level must be an object");
  CheckConfig c;
  for (const auto& [key, value] : j.items()) {
    if (key == "version") {
      if (!value.is_number_integer() || value.get<int64_t>() != 1) return Bad("\"version\" must be 1");
    } else if (key == "fail_on") {
      if (!value.is_string()) return Bad("\"fail_on\" must be a string");
      const std::string s = value.get<std::string>();
      if (s == "never") {
        c.fail_never = true;
      } else if (auto sev = SeverityFromName(s)) {
        c.fail_on = *sev;
      } else {
        return Bad("\"fail_on\" must be note, warning, error or never, not \"" + s + "\"");
      }
    } else if (key == "fail_on_likely") {
      if (!value.is_boolean()) return Bad("\"fail_on_likely\" must be true or false");
      c.fail_on_likely = value.get<bool>();
    } else if (key == "user_packages") {
      if (!value.is_array()) return Bad("\"user_packages\" must be a list of package path prefixes");
      for (const auto& p : value) {
        if (!p.is_string() || p.get<std::string>().empty()) return Bad("\"user_packages\" entries must be non-empty strings");
        std::string prefix = p.get<std::string>();
        if (prefix.back() != '.' && prefix.back() != '/') prefix += '.';
        c.analysis.user_packages.push_back(std::move(prefix));
      }
    } else if (key == "thresholds") {
      if (!value.is_object()) return Bad("\"thresholds\" must be an object");
      for (const auto& [tk, tv] : value.items()) {
        Time* dst = nullptr;
        if (tk == "grace") dst = &c.analysis.grace_ns;
        else if (tk == "slow_cancel") dst = &c.analysis.slow_cancel_ns;
        else if (tk == "late_deadline") dst = &c.analysis.late_deadline_ns;
        else if (tk == "burst_gap") dst = &c.analysis.burst_gap_ns;
        else return Bad("unknown threshold \"" + tk + "\" (grace, slow_cancel, late_deadline, burst_gap)");
        if (!tv.is_string()) return Bad("threshold \"" + tk + "\" must be a duration string like \"100ms\"");
        const Time ns = ParseDuration(tv.get<std::string>());
        if (ns < 0) return Bad("threshold \"" + tk + "\": bad duration \"" + tv.get<std::string>() + "\"");
        *dst = ns;
      }
    } else if (key == "rules") {
      if (!value.is_object()) return Bad("\"rules\" must be an object");
      for (const auto& [rk, rv] : value.items()) {
        const auto rule = RuleFromId(rk);
        if (!rule) return Bad("unknown rule \"" + rk + "\"");
        if (!rv.is_string()) return Bad("rule \"" + rk + "\" must be note, warning, error or off");
        const std::string s = rv.get<std::string>();
        const int r = static_cast<int>(*rule);
        if (s == "off") {
          c.analysis.rule_enabled[r] = false;
        } else if (auto sev = SeverityFromName(s)) {
          c.analysis.rule_enabled[r] = true;
          c.analysis.severity[r] = *sev;
        } else {
          return Bad("rule \"" + rk + "\" must be note, warning, error or off, not \"" + s + "\"");
        }
      }
    } else if (key == "$schema" || key == "comment") {
      // informative
    } else {
      return Bad("unknown key \"" + key + "\"");
    }
  }
  return c;
}

Result<CheckConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, 0, kNoGeneration, "cannot read config " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto c = ParseConfig(ss.str());
  if (!c) c.error().message = path + ": " + c.error().message;
  return c;
}

}  // namespace cancelflow::report
