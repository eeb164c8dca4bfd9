// Running a child process (go list, go test, a test binary) with its output in files.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace cancelflow::cli {

struct ProcessResult {
  int exit_code = -1;      // the child's exit status; 128+N when killed by signal N
  int signal = 0;          // N when killed by signal N
  bool timed_out = false;  // stopped by ProcessOptions::kill_after
  std::string spawn_error; // set when the program could not be started (exit_code -1)
};

struct ProcessOptions {
  std::string dir;               // working directory ("" = ours); PWD is set to it
  std::vector<std::string> env;  // NAME=value entries that replace or add to ours
  bool merge_stderr = false;     // stderr into the stdout file (stderr_path unused)
  // When > 0: SIGQUIT after this long (a Go program prints its goroutines and
  // exits), SIGKILL `kill_grace` later, as go test does with a wedged binary.
  std::chrono::milliseconds kill_after{0}, kill_grace{0};
};

// Runs argv[0] (looked up in PATH) with stdout and stderr written to the
// given files, stdin from /dev/null, and waits for it.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                         const std::string& stderr_path, const ProcessOptions& options = {});

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace cancelflow::cli
