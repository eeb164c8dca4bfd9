#include "report/sarif_writer.h"

#include <nlohmann/json.hpp>

#include "base/inert_text.h"
#include "report/rules.h"
#include "report/text.h"

namespace cancelflow::report {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

std::string UriEscapePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

std::string_view Level(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "warning";
}

ordered Location(const Site& s, std::string_view message) {
  ordered loc = ordered::object();
  ordered phys = ordered::object();
  ordered art = ordered::object();
  if (s.relative) {
    art["uri"] = UriEscapePath(s.file);
    art["uriBaseId"] = "SRCROOT";
  } else if (!s.file.empty() && s.file.front() == '/') {
    art["uri"] = "file://" + UriEscapePath(s.file);
  } else {
    art["uri"] = UriEscapePath(s.file);
  }
  phys["artifactLocation"] = std::move(art);
  if (s.line > 0) phys["region"] = ordered{{"startLine", s.line}};
  if (!s.file.empty()) loc["physicalLocation"] = std::move(phys);
  if (!s.func.empty()) {
    loc["logicalLocations"] = ordered::array({ordered{{"fullyQualifiedName", InertText(s.func)}, {"kind", "function"}}});
  }
  if (!message.empty()) loc["message"] = ordered{{"text", std::string(message)}};
  return loc;
}

// Frames of a stack as a SARIF stack (user frames and others alike).
ordered Stack(const Analysis& a, StackId id, std::string_view message, const std::string& root) {
  ordered frames = ordered::array();
  const auto fs = a.stacks().Frames(id);
  for (size_t i = 0; i < fs.size(); ++i) {
    const Site s = SiteOf(a, id, static_cast<int>(i), root);
    frames.push_back(ordered{{"location", Location(s, "")}});
  }
  return ordered{{"message", {{"text", std::string(message)}}}, {"frames", std::move(frames)}};
}

}  // namespace

std::string WriteSarif(const CheckResult& result, std::string_view tool_version) {
  ordered rules = ordered::array();
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r) {
    const auto rule = static_cast<Rule>(r);
    const RuleDoc& doc = DocOf(rule);
    rules.push_back(ordered{
        {"id", std::string(RuleId(rule))},
        {"name", std::string(doc.name)},
        {"shortDescription", {{"text", std::string(doc.short_description)}}},
        {"fullDescription", {{"text", std::string(doc.full_description)}}},
        {"help", {{"text", std::string(doc.help)}}},
        {"defaultConfiguration", {{"level", std::string(Level(AnalysisOptions{}.severity[r]))}}},
    });
  }
  ordered results = ordered::array();
  for (const auto& t : result.traces) {
    const Analysis& a = t.analysis;
    for (const auto& cf : t.findings) {
      const Finding& f = a.findings[cf.index];
      ordered res = ordered::object();
      res["ruleId"] = std::string(RuleId(f.rule));
      res["ruleIndex"] = static_cast<int>(f.rule);
      res["level"] = std::string(Level(f.severity));
      // Message text is shown by code-scanning UIs and printed by CI tools:
      // trace strings in it are inert (base/inert_text.h), then JSON-encoded.
      std::string text = InertText(f.message);
      if (!f.hint.empty()) text += " " + InertText(f.hint);
      res["message"] = ordered{{"text", text}};
      ordered locs = ordered::array();
      if (!cf.primary.empty()) {
        locs.push_back(Location(cf.primary, cf.block.empty() ? "created here" : "blocked here"));
      }
      res["locations"] = std::move(locs);
      if (!cf.block.empty() && !cf.creation.empty()) {
        ordered rel = Location(cf.creation, "created here");
        rel["id"] = 1;
        res["relatedLocations"] = ordered::array({std::move(rel)});
      }
      ordered stacks = ordered::array();
      if (f.block_stack != kNoStack) stacks.push_back(Stack(a, f.block_stack, "block stack", result.module_root));
      if (f.creation_stack != kNoStack) {
        stacks.push_back(Stack(a, f.creation_stack, "creation stack", result.module_root));
      }
      if (!stacks.empty()) res["stacks"] = std::move(stacks);
      res["partialFingerprints"] = ordered{{"cancelflow/v1", cf.fingerprint}};
      if (cf.suppressed) {
        res["suppressions"] = ordered::array({ordered{{"kind", "external"}, {"justification", "in the baseline"}}});
      }
      ordered props = ordered::object();
      if (!f.goroutines.empty()) props["goroutines"] = f.goroutines.size();
      if (!f.contexts.empty()) props["contexts"] = f.contexts.size();
      if (!f.test.empty()) props["test"] = InertText(f.test);
      props["trace"] = InertText(t.path);
      if (f.context_id != 0) props["context"] = f.context_id;
      if (f.latency.count > 0) {
        props["latency_p50_ns"] = f.latency.p50;
        props["latency_max_ns"] = f.latency.max;
      }
      props["certainty"] = std::string(CertaintyName(f.certainty));
      if (!f.evidence.empty()) props["evidence"] = InertText(f.evidence);
      props["gating"] = cf.fails;
      res["properties"] = std::move(props);
      results.push_back(std::move(res));
    }
  }
  ordered run = ordered::object();
  run["tool"] = ordered{{"driver",
                         {{"name", "cancelflow"},
                          {"version", std::string(tool_version)},
                          {"informationUri", "https://github.com/cancelflow/cancelflow"},
                          {"rules", std::move(rules)}}}};
  if (!result.module_root.empty()) {
    run["originalUriBaseIds"] =
        ordered{{"SRCROOT", {{"uri", "file://" + UriEscapePath(result.module_root) + "/"}}}};
  }
  bool ok = true;
  for (const auto& t : result.traces) ok = ok && !t.analysis.quality.partial;
  run["invocations"] = ordered::array({ordered{{"executionSuccessful", ok}}});
  run["results"] = std::move(results);
  ordered doc = ordered::object();
  doc["$schema"] = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = ordered::array({std::move(run)});
  return doc.dump(2, ' ', true, ordered::error_handler_t::replace) + "\n";
}

}  // namespace cancelflow::report
