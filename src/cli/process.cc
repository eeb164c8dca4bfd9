#include "cli/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

extern char** environ;

namespace cancelflow::cli {

namespace {

// Our environment with `overrides` (NAME=value) replacing or added to it.
std::vector<std::string> MergeEnv(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || std::string_view(o).starts_with(name);
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

// Waits for `pid` to exit without reaping it, so that a timer that signals
// it cannot hit a reused pid.
int WaitExited(pid_t pid) {
  siginfo_t info{};
  while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                         const std::string& stderr_path, const ProcessOptions& options) {
  ProcessResult r;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  std::vector<char*> env;
  if (!options.dir.empty() || !options.env.empty()) {
    std::vector<std::string> overrides = options.env;
    if (!options.dir.empty()) overrides.push_back("PWD=" + options.dir);
    env_strings = MergeEnv(overrides);
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (options.merge_stderr) {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  // The path of argv[0] is looked up before the chdir (glibc >= 2.29).
  if (!options.dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, options.dir.c_str());
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), env.empty() ? environ : env.data());
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) {
    r.spawn_error = std::strerror(err);
    return r;
  }

  std::mutex mu;
  std::condition_variable cv;
  bool exited = false;
  std::thread timer;
  if (options.kill_after.count() > 0) {
    timer = std::thread([&] {
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, options.kill_after, [&] { return exited; })) return;
      r.timed_out = true;
      kill(pid, SIGQUIT);
      if (cv.wait_for(lock, options.kill_grace, [&] { return exited; })) return;
      kill(pid, SIGKILL);
    });
  }
  const int wait_err = WaitExited(pid);
  if (timer.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu);
      exited = true;
    }
    cv.notify_all();
    timer.join();
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      r.spawn_error = std::strerror(wait_err != 0 ? wait_err : errno);
      return r;
    }
  }
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + r.signal;
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace cancelflow::cli
