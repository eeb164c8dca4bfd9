#include "watch/keep_dir.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace cancelflow::watch {

namespace fs = std::filesystem;

std::string KeptTraceName(const std::string& service, const std::string& instance, int64_t unix_ms) {
  std::string name = fmt::format("{}_{}_{}.trace", service, instance, unix_ms);
  for (char& c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (name[0] == '.') name[0] = '_';
  return name;
}

size_t PruneKeepDir(const std::string& dir, uint64_t max_bytes) {
  std::vector<std::tuple<fs::file_time_type, std::string, uint64_t>> files;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2) || it->path().extension() != ".trace") continue;
    const uint64_t size = it->file_size(e2);
    if (e2) continue;
    files.emplace_back(it->last_write_time(e2), it->path().string(), size);
    total += size;
  }
  std::sort(files.begin(), files.end());
  size_t deleted = 0;
  for (const auto& [mtime, path, size] : files) {
    if (total <= max_bytes) break;
    std::error_code e3;
    if (fs::remove(path, e3)) {
      total -= size;
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace cancelflow::watch
