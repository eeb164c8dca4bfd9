// Source lines: evidence from the module's source files, when they are at
// hand, for facts a trace cannot show (what a blocked receive waits on, the
// cases of a select, what a `go` statement passes).
//
// CONTRACT
// - Only `.go` files inside the module root are read: a frame's file as the
//   trace names it (untrusted) is either an absolute path under the root, or
//   a -trimpath path "<module path>/<rel>" (the module path from the root's
//   go.mod). Anything else ("..", other directories) reads nothing.
// - Reads are bounded (files up to 4 MiB, lines up to 4 KiB are cut) and
//   cached per file; a missing or unreadable file is "no evidence", never an
//   error: the analysis then says less, it does not fail.
// - Lines are returned as read (untrusted text): callers match patterns on
//   them and every writer escapes what it prints.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cancelflow::evidence {

class SourceLines {
 public:
  // `module_root`: absolute directory holding go.mod ("" = no source at hand).
  explicit SourceLines(std::string module_root);

  bool available() const { return !root_.empty(); }
  // Line `line` (1-based) of `file` as the trace names it; nullopt when the
  // file is not readable under the contract above or has no such line.
  std::optional<std::string_view> Line(std::string_view file, int64_t line);

 private:
  const std::vector<std::string>* Load(std::string_view file);

  std::string root_;
  std::string module_path_;  // from go.mod, "" if none
  std::map<std::string, std::unique_ptr<std::vector<std::string>>, std::less<>> files_;  // null: unreadable
};

// Patterns the analysis reads in source lines (pure, unit-tested).
// `<-x.Done()` / `<-ctx.Done()` / `case <-s.ctx.Done():` anywhere in the line.
bool ReceivesFromDone(std::string_view line);
// The context a `go` statement or call passes when it names one that can
// never be canceled: "context.Background()", "context.TODO()" or
// "context.WithoutCancel(...)", else "".
std::string_view UncancelableContextIn(std::string_view line);

}  // namespace cancelflow::evidence
