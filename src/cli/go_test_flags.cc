#include "cli/go_test_flags.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <utility>

#include <fmt/format.h>

namespace cancelflow::cli {
namespace {

bool IsGoBool(std::string_view v) {
  static constexpr std::string_view kBools[] = {"1", "0", "t", "f", "T", "F", "true", "false", "TRUE", "FALSE", "True", "False"};
  return std::find(std::begin(kBools), std::end(kBools), v) != std::end(kBools);
}

// A decimal integer as Go's flag package reads it (a leading 0 would be octal: left to go test).
bool IsGoInt(std::string_view v) {
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  return !v.empty() && (v == "0" || v[0] != '0') &&
         std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Build flags that go test -c takes as go test does (the others, and -n, -x,
// -work, -C, -o, -c, -exec, -cover*, make go test run the package).
constexpr std::string_view kBuildBoolFlags[] = {"a", "race", "msan", "asan", "trimpath", "modcacherw", "buildvcs"};
constexpr std::string_view kBuildValueFlags[] = {"p",    "asmflags", "gcflags", "ldflags",  "mod", "modfile",
                                                 "overlay", "pgo",   "tags",    "toolexec", "vet"};

template <size_t N>
bool In(const std::string_view (&set)[N], std::string_view name) {
  return std::find(std::begin(set), std::end(set), name) != std::end(set);
}

}  // namespace

std::optional<FlagArg> SplitFlag(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-') return std::nullopt;
  std::string_view name = arg.substr(arg[1] == '-' ? 2 : 1);
  if (name.empty() || name[0] == '-' || name[0] == '=') return std::nullopt;
  FlagArg f{name, std::nullopt};
  if (const size_t eq = name.find('='); eq != std::string_view::npos) {
    f.name = name.substr(0, eq);
    f.value = name.substr(eq + 1);
  }
  return f;
}

// The go test flags that also decide which packages and files go list sees
// (-tags, -mod, -modfile), with their values.
std::vector<std::string> ListFlags(const std::vector<std::string>& go_flags) {
  std::vector<std::string> out;
  for (size_t i = 0; i < go_flags.size(); ++i) {
    if (go_flags[i] == "--") break;
    const auto f = SplitFlag(go_flags[i]);
    if (!f || (f->name != "tags" && f->name != "mod" && f->name != "modfile")) continue;
    out.push_back(go_flags[i]);
    if (!f->value && i + 1 < go_flags.size()) out.push_back(go_flags[++i]);
  }
  return out;
}

// A Go duration ("10m", "1h2m3.5s", "300ms", "0") in nanoseconds, as
// time.ParseDuration; nullopt if it is not one.
std::optional<double> ParseGoDuration(std::string_view s) {
  if (s == "0") return 0.0;
  if (s.empty()) return std::nullopt;
  const bool negative = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  static const std::pair<std::string_view, double> kUnits[] = {{"ns", 1}, {"us", 1e3}, {"\u00b5s", 1e3}, {"\u03bcs", 1e3},
                                                               {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  if (s.empty()) return std::nullopt;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
    const std::string num(s.substr(0, n));
    if (num.empty() || num == "." || std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
    s.remove_prefix(n);
    size_t u = 0;
    while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.') ++u;
    const std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    const auto it = std::find_if(std::begin(kUnits), std::end(kUnits), [&](const auto& k) { return k.first == unit; });
    if (it == std::end(kUnits)) return std::nullopt;
    total += std::strtod(num.c_str(), nullptr) * it->second;
  }
  return negative ? -total : total;
}

// time.Duration.String for durations of a second or more ("11m0s", "1h0m30.5s").
std::string FormatGoDuration(double ns) {
  const auto total = static_cast<uint64_t>(ns);
  const uint64_t h = total / 3600'000'000'000, m = total / 60'000'000'000 % 60, sec_ns = total % 60'000'000'000;
  std::string frac = fmt::format("{:09d}", sec_ns % 1'000'000'000);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = h > 0 ? fmt::format("{}h{}m", h, m) : m > 0 ? fmt::format("{}m", m) : "";
  return out + fmt::format("{}{}{}s", sec_ns / 1'000'000'000, frac.empty() ? "" : ".", frac);
}

DirectRun ClassifyFlags(const std::vector<std::string>& go_flags, const char* goflags_env) {
  DirectRun run;
  const DirectRun unusable;
  // go test adds GOFLAGS' test flags to the binary's; go test -c ignores them.
  if (goflags_env != nullptr) {
    std::string_view rest(goflags_env);
    while (!rest.empty()) {
      const size_t sp = rest.find_first_of(" \t\n");
      const std::string_view field = rest.substr(0, sp);
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      if (field.empty()) continue;
      const auto f = SplitFlag(field);
      if (!f || field.find_first_of("'\"") != std::string_view::npos ||
          !(In(kBuildBoolFlags, f->name) || In(kBuildValueFlags, f->name))) {
        return unusable;
      }
    }
  }
  for (size_t i = 0; i < go_flags.size(); ++i) {
    const std::string& arg = go_flags[i];
    if (arg == "-args" || arg == "--args") {
      run.test.insert(run.test.end(), go_flags.begin() + static_cast<ptrdiff_t>(i) + 1, go_flags.end());
      break;
    }
    const auto f = SplitFlag(arg);
    if (!f) return unusable;
    const std::string name(f->name);
    if (In(kBuildBoolFlags, name)) {
      run.build.push_back(arg);
      continue;
    }
    // Test flags that are booleans: -v and -json are what -test.v=test2json already is.
    if (name == "v" || name == "json" || name == "short" || name == "failfast" || name == "benchmem" || name == "fullpath") {
      if (f->value && !(name == "v" && *f->value == "test2json") && !IsGoBool(*f->value)) return unusable;
      const bool on = !f->value || (*f->value != "0" && f->value->front() != 'f' && f->value->front() != 'F');
      if (name != "v" && name != "json") run.test.push_back(fmt::format("-test.{}={}", name, on));
      continue;
    }
    const bool test_value = name == "count" || name == "parallel" || name == "cpu" || name == "run" || name == "skip" ||
                            name == "bench" || name == "benchtime" || name == "list" || name == "timeout" ||
                            name == "shuffle";
    if (!test_value && !In(kBuildValueFlags, name)) return unusable;
    std::string value;
    if (f->value) {
      value = std::string(*f->value);
    } else if (i + 1 < go_flags.size()) {
      value = go_flags[++i];
    } else {
      return unusable;
    }
    if (!test_value) {
      run.ldflags = run.ldflags || name == "ldflags";
      run.build.push_back(fmt::format("-{}={}", name, value));
      continue;
    }
    // Values go test itself would reject stay with go test, for its message.
    bool ok = true;
    if (name == "count" || name == "parallel") ok = IsGoInt(value);
    if (name == "cpu") {
      for (size_t a = 0; ok && a <= value.size();) {
        const size_t b = std::min(value.find(',', a), value.size());
        ok = IsGoInt(std::string_view(value).substr(a, b - a));
        a = b + 1;
      }
    }
    if (name == "shuffle") ok = value == "on" || value == "off" || IsGoInt(value);
    if (name == "timeout") {
      const auto d = ParseGoDuration(value);
      ok = d.has_value();
      run.timeout_set = true;
      run.timeout_ns = d.value_or(0);
    }
    if (!ok) return unusable;
    run.bench = run.bench || (name == "bench" && !value.empty());
    run.test.push_back(fmt::format("-test.{}={}", name, value));
  }
  run.usable = true;
  return run;
}

GoTestOutputMode OutputMode(const std::vector<std::string>& go_flags) {
  GoTestOutputMode mode;
  bool stream = false;
  for (size_t i = 0; i < go_flags.size(); ++i) {
    const std::string& arg = go_flags[i];
    if (arg == "-args" || arg == "--args") break;
    const auto f = SplitFlag(arg);
    if (!f) continue;
    if (f->name == "v") {
      mode.verbose = !f->value || *f->value == "test2json" ||
                     (IsGoBool(*f->value) && f->value->front() != '0' && f->value->front() != 'f' && f->value->front() != 'F');
    } else if (f->name == "bench" || f->name == "fuzz") {
      const std::string_view value = f->value ? *f->value : i + 1 < go_flags.size() ? std::string_view(go_flags[++i]) : "";
      stream = !value.empty();
    }
  }
  mode.show_passed = mode.verbose || stream;
  return mode;
}

// go's name for a package's test binary: the import path's last element, or
// the one before a major version (example.com/mod/v2 -> mod.test).
std::string TestBinaryName(std::string_view import_path) {
  auto last = [](std::string_view p) { return p.substr(p.rfind('/') == std::string_view::npos ? 0 : p.rfind('/') + 1); };
  std::string_view elem = last(import_path);
  const bool version = elem.size() >= 2 && elem[0] == 'v' && elem[1] != '0' && !(elem[1] == '1' && elem.size() == 2) &&
                       std::all_of(elem.begin() + 1, elem.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (version && elem.size() != import_path.size()) elem = last(import_path.substr(0, import_path.size() - elem.size() - 1));
  return std::string(elem) + ".test";
}

}  // namespace cancelflow::cli
