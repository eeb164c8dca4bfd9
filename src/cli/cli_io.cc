#include "cli/cli_io.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <unistd.h>

#include <fmt/format.h>

#include "cancelflow/reader.h"
#include "cli/commands.h"

namespace cancelflow::cli {

std::optional<TraceBuffer> OpenTrace(const std::string& path) {
  auto buf = TraceBuffer::Open(path);
  if (!buf) {
    PrintError(buf.error().message);
    return std::nullopt;
  }
  return std::move(*buf);
}

namespace {

// "N of M MB read" on a terminal while a long analysis runs (Progress shows
// nothing before a second has passed, or when stderr is not a terminal).
class ProgressObserver : public EventObserver {
 public:
  ProgressObserver(Progress* progress, uint64_t total) : progress_(progress), total_(total) {}
  void OnEvent(const Event&, const Reader& reader) override {
    if (++events_ % 65536 != 0) return;
    progress_->Show(fmt::format("{} of {} MB read", reader.bytes_loaded() >> 20, total_ >> 20));
  }

 private:
  Progress* progress_;
  uint64_t total_;
  uint64_t events_ = 0;
};

}  // namespace

std::optional<Analysis> AnalyzeTrace(const TraceBuffer& buf, const AnalysisOptions& options,
                                     const std::vector<EventObserver*>& observers) {
  Progress progress;
  ProgressObserver shown(&progress, buf.size());
  std::vector<EventObserver*> all = observers;
  if (progress.enabled()) all.push_back(&shown);
  auto a = Analyze(buf, options, all);
  progress.Clear();
  if (!a) {
    PrintError(a.error().ToString());
    return std::nullopt;
  }
  return std::move(*a);
}

int AnalysisExitStatus(const Analysis& a) {
  if (!a.quality.partial) return kExitOk;
  PrintError(fmt::format("trace is partial: {}", a.quality.error ? a.quality.error->ToString() : "?"));
  return kExitPartial;
}

std::optional<OutputFile> OutputFile::Create(const std::string& path) {
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    PrintError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    return std::nullopt;
  }
  return OutputFile(path, f);
}

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)), f_(std::exchange(o.f_, nullptr)), ok_(o.ok_), errno_(o.errno_) {}

OutputFile::~OutputFile() {
  if (f_ != nullptr) Close();
}

bool OutputFile::Write(std::string_view bytes) {
  if (ok_ && f_ != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) {
    ok_ = false;
    errno_ = errno;
  }
  return ok_;
}

bool OutputFile::Close() {
  if (f_ == nullptr) return ok_;
  errno = 0;
  const bool closed = (f_ == stdout ? std::fflush(f_) : std::fclose(f_)) == 0;
  if (!closed && errno_ == 0) errno_ = errno;
  ok_ = closed && ok_;
  f_ = nullptr;
  if (!ok_) PrintError(fmt::format("cannot write {}: {}", path_, std::strerror(errno_ != 0 ? errno_ : EIO)));
  return ok_;
}

Progress::Progress() : tty_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {
  // CANCELFLOW_PROGRESS_AFTER_MS: how long a command runs before it shows
  // progress (default 1000; the tests set 0).
  if (const char* after = std::getenv("CANCELFLOW_PROGRESS_AFTER_MS"); after != nullptr && after[0] != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(after, &end, 10);
    if (*end == '\0' && ms >= 0) after_ = std::chrono::milliseconds(ms);
  }
}

void Progress::Show(const std::string& status) {
  if (!tty_ || std::chrono::steady_clock::now() - start_ < after_) return;
  std::fprintf(stderr, "\r\033[Kcancelflow: %s", status.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

bool UseColor(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org: set and not empty
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fd) != 0;
}

bool WriteOutput(const std::string& path, std::string_view bytes) {
  auto f = OutputFile::Create(path);
  if (!f) return false;
  f->Write(bytes);
  return f->Close();
}

}  // namespace cancelflow::cli
