// A buffered stdout writer: commands format into a string and flush in large
// chunks, so printing millions of events costs no syscall per event.
#pragma once

#include <cstdio>
#include <string>

namespace cancelflow::cli {

class Output {
 public:
  explicit Output(std::FILE* f = stdout) : f_(f) { buf_.reserve(kFlushAt + 4096); }
  ~Output() { Flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  std::string& buf() { return buf_; }
  void MaybeFlush() {
    if (buf_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
    std::fflush(f_);
  }

 private:
  static constexpr size_t kFlushAt = 1 << 16;
  std::FILE* f_;
  std::string buf_;
};

}  // namespace cancelflow::cli
