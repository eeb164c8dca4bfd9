#include "watch/targets.h"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "source/live_target.h"

namespace cancelflow::watch {

std::optional<Target> TargetFromUrl(std::string_view url, const std::string& default_service) {
  Target t;
  t.url = live::NormalizeLiveUrl(url);
  if (t.url.empty()) return std::nullopt;
  const size_t from = t.url.find("://") + 3;
  t.instance = t.url.substr(from, t.url.find('/', from) - from);
  t.service = default_service.empty() ? t.instance : default_service;
  return t;
}

std::optional<std::vector<Target>> ParseFileSd(std::string_view text, const std::string& default_service,
                                               std::string* error) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array()) {
    *error = "not a file_sd list ([{\"targets\": [\"host:port\"], \"labels\": {...}}])";
    return std::nullopt;
  }
  std::vector<Target> out;
  for (const auto& group : doc) {
    if (!group.is_object() || !group.contains("targets") || !group["targets"].is_array()) {
      *error = "a group without a \"targets\" list";
      return std::nullopt;
    }
    std::string scheme = "http", path = "/debug/pprof/", service = default_service;
    if (group.contains("labels")) {
      const auto& labels = group["labels"];
      if (!labels.is_object()) {
        *error = "\"labels\" is not an object";
        return std::nullopt;
      }
      for (const auto& [k, v] : labels.items()) {
        if (!v.is_string()) {
          *error = fmt::format("label \"{}\" is not a string", k);
          return std::nullopt;
        }
        if (k == "service") service = v.get<std::string>();
        if (k == "__scheme__") scheme = v.get<std::string>();
        if (k == "__metrics_path__") path = v.get<std::string>();
      }
    }
    for (const auto& hp : group["targets"]) {
      if (!hp.is_string() || hp.get<std::string>().empty()) {
        *error = "a target that is not a \"host:port\" string";
        return std::nullopt;
      }
      auto t = TargetFromUrl(fmt::format("{}://{}{}{}", scheme, hp.get<std::string>(), path.empty() || path[0] != '/' ? "/" : "", path),
                             service);
      if (!t) {
        *error = fmt::format("target \"{}\" does not make a URL", hp.get<std::string>());
        return std::nullopt;
      }
      out.push_back(std::move(*t));
    }
  }
  return out;
}

TargetList::TargetList(std::vector<std::string> args, std::string default_service)
    : default_service_(std::move(default_service)) {
  for (auto& a : args) {
    Source s;
    s.is_file = !live::IsLiveUrl(a);
    if (!s.is_file) {
      if (auto t = TargetFromUrl(a, default_service_)) s.targets.push_back(std::move(*t));
    }
    s.arg = std::move(a);
    sources_.push_back(std::move(s));
  }
}

bool TargetList::Refresh(std::vector<std::string>* problems) {
  bool changed = targets_.empty();
  for (Source& s : sources_) {
    if (!s.is_file) {
      if (s.targets.empty() && s.mtime.tv_sec == -1) {
        problems->push_back(fmt::format("{}: not a live target (http://HOST:PORT/debug/pprof/)", s.arg));
        s.mtime.tv_sec = 0;  // said once
      }
      continue;
    }
    struct stat st {};
    if (stat(s.arg.c_str(), &st) != 0) {
      if (s.mtime.tv_sec != -2) problems->push_back(fmt::format("{}: cannot read the file_sd file", s.arg));
      s.mtime = timespec{-2, 0};
      continue;
    }
    if (st.st_mtim.tv_sec == s.mtime.tv_sec && st.st_mtim.tv_nsec == s.mtime.tv_nsec) continue;
    s.mtime = st.st_mtim;
    std::ifstream in(s.arg, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    auto parsed = ParseFileSd(text.str(), default_service_, &error);
    if (!parsed) {
      problems->push_back(fmt::format("{}: {}; keeping its previous targets", s.arg, error));
      continue;
    }
    s.targets = std::move(*parsed);
    changed = true;
  }
  if (!changed) return false;
  std::vector<Target> all;
  std::set<std::string> seen;
  for (const Source& s : sources_) {
    for (const Target& t : s.targets) {
      if (seen.insert(t.url).second) all.push_back(t);
    }
  }
  const bool differs = all.size() != targets_.size() ||
                       !std::equal(all.begin(), all.end(), targets_.begin(), [](const Target& a, const Target& b) {
                         return a.url == b.url && a.service == b.service;
                       });
  targets_ = std::move(all);
  return differs;
}

}  // namespace cancelflow::watch
