// Running a child process (go list, go test) with its output in files.
#pragma once

#include <string>
#include <vector>

namespace cancelflow::cli {

struct ProcessResult {
  int exit_code = -1;      // the child's exit status; 128+N when killed by signal N
  std::string spawn_error; // set when the program could not be started (exit_code -1)
};

// Runs argv[0] (looked up in PATH) with stdout and stderr written to the
// given files, stdin from /dev/null, and waits for it.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                         const std::string& stderr_path);

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace cancelflow::cli
