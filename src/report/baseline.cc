#include "report/baseline.h"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace cancelflow::report {

using nlohmann::json;

Result<std::set<std::string>> ParseBaseline(std::string_view text) {
  auto bad = [](std::string m) { return MakeError(ErrorCode::kUsage, 0, kNoGeneration, "baseline: " + m); };
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  const auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() != 1) return bad("\"version\" must be 1");
  const auto fs = j.find("findings");
  if (fs == j.end() || !fs->is_array()) return bad("\"findings\" must be an array");
  std::set<std::string> out;
  for (const auto& e : *fs) {
    if (!e.is_object()) return bad("each finding must be an object");
    const auto fp = e.find("fingerprint");
    if (fp == e.end() || !fp->is_string()) return bad("each finding needs a \"fingerprint\" string");
    out.insert(fp->get<std::string>());
  }
  return out;
}

Result<std::set<std::string>> LoadBaseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, 0, kNoGeneration, "cannot read baseline " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto r = ParseBaseline(ss.str());
  if (!r) r.error().message = path + ": " + r.error().message;
  return r;
}

std::string WriteBaseline(const CheckResult& result) {
  struct Entry {
    std::string rule, title, location;
    uint64_t count = 0;
  };
  std::map<std::string, Entry> entries;
  for (const auto& t : result.traces) {
    for (const auto& cf : t.findings) {
      const Finding& f = t.analysis.findings[cf.index];
      Entry& e = entries[cf.fingerprint];
      if (e.rule.empty()) {
        e.rule = std::string(RuleId(f.rule));
        e.title = cf.title;
        if (!cf.primary.file.empty()) e.location = cf.primary.file + ":" + std::to_string(cf.primary.line);
      }
      e.count += f.count() == 0 ? 1 : f.count();
    }
  }
  json arr = json::array();
  for (const auto& [fp, e] : entries) {
    json o = json::object();
    o["fingerprint"] = fp;
    o["rule"] = e.rule;
    o["title"] = e.title;
    o["location"] = e.location;
    o["count"] = e.count;
    arr.push_back(std::move(o));
  }
  json j = json::object();
  j["version"] = 1;
  j["tool"] = "cancelflow";
  j["findings"] = std::move(arr);
  // error_handler::replace: invalid UTF-8 from the trace never throws.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace cancelflow::report
