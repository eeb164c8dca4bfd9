// The targets of `cancelflow watch`: live services named on the command
// line (http://HOST:PORT/debug/pprof/) or listed in Prometheus file_sd JSON
// files ([{"targets": ["host:port", ...], "labels": {"service": "x", ...}}]).
//
// INVARIANTS
// - A target is identified by its normalised URL (live::NormalizeLiveUrl);
//   the list has no duplicates and keeps the order of the arguments (a
//   file's targets in the file's order).
// - Its labels: `service` from the file_sd group's "service" label, else the
//   --service flag, else host:port; `instance` is always host:port.
// - file_sd targets are "host:port" (scheme http, path /debug/pprof/); a
//   "__scheme__" label of "https" and a "__metrics_path__" label are honoured
//   as Prometheus does for scraping (the pprof base path).
// - A file is re-read when its mtime changes (Refresh); a file that cannot
//   be read or parsed keeps its previous targets and reports why, once per
//   change.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cancelflow::watch {

struct Target {
  std::string url;       // normalised: http://h:p/debug/pprof/
  std::string service;
  std::string instance;  // host:port
};

// Parses file_sd JSON. nullopt and *error on malformed input.
std::optional<std::vector<Target>> ParseFileSd(std::string_view json, const std::string& default_service,
                                               std::string* error);

// A target from a URL argument; nullopt when it is not a live URL.
std::optional<Target> TargetFromUrl(std::string_view url, const std::string& default_service);

class TargetList {
 public:
  // `args`: URLs and file_sd paths. Files are read by the first Refresh().
  TargetList(std::vector<std::string> args, std::string default_service);
  // Re-reads the file_sd files whose mtime changed. Returns true when the
  // list changed; appends one line per problem to *problems.
  bool Refresh(std::vector<std::string>* problems);
  const std::vector<Target>& targets() const { return targets_; }

 private:
  struct Source {
    std::string arg;
    bool is_file = false;
    timespec mtime{-1, 0};
    std::vector<Target> targets;
  };
  std::vector<Source> sources_;
  std::string default_service_;
  std::vector<Target> targets_;
};

}  // namespace cancelflow::watch
