// Input and output plumbing shared by the subcommands: opening the trace,
// running the analysis pass, writing an output file (or stdout), and the
// exit status of a finished analysis. Each prints its own error.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"

namespace cancelflow::cli {

// The trace named on the command line ("-" = stdin), or nullopt after printing why not.
std::optional<TraceBuffer> OpenTrace(const std::string& path);

// One analysis pass with `observers`, or nullopt after printing why not.
std::optional<Analysis> AnalyzeTrace(const TraceBuffer& buf, const AnalysisOptions& options,
                                     const std::vector<EventObserver*>& observers = {});

// kExitPartial (after printing the error) when the trace broke part-way, else kExitOk.
int AnalysisExitStatus(const Analysis& a);

// A file being written ("-" = stdout). Write() and Close() report failure
// once, with the path.
class OutputFile {
 public:
  static std::optional<OutputFile> Create(const std::string& path);
  OutputFile(OutputFile&& o) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(OutputFile&&) = delete;
  ~OutputFile();
  bool Write(std::string_view bytes);
  bool Close();  // flushes stdout, closes a file; false (printed) if anything failed

 private:
  OutputFile(std::string path, std::FILE* f) : path_(std::move(path)), f_(f) {}
  std::string path_;
  std::FILE* f_ = nullptr;
  bool ok_ = true;
  int errno_ = 0;  // the first failure's errno
};

// A progress line on stderr: only when stderr is a terminal and once the
// command has run for a second; Clear() before printing anything else.
class Progress {
 public:
  Progress();
  void Show(const std::string& status);
  void Clear();
  bool enabled() const { return tty_; }  // stderr is a terminal

 private:
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::milliseconds after_{1000};
};

// Whether to color output on `fd` for --color MODE (auto, always, never):
// auto is on for a terminal unless NO_COLOR is set to a non-empty value.
bool UseColor(const std::string& mode, int fd);

// Writes `bytes` to `path` ("-" = stdout).
bool WriteOutput(const std::string& path, std::string_view bytes);

}  // namespace cancelflow::cli
