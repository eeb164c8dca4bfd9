// A line-by-line port of cmd/internal/test2json (see test2json.h). Invariant:
// the events equal `go tool test2json`'s for the same bytes, whatever the
// chunking of the input (a benchmark's name line aside), less what test2json.h lists.
#include "cli/test2json.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/lines.h"

namespace cancelflow::cli {

namespace {

// Whether `line` is the `=== RUN/PAUSE/CONT` line or a `--- X:` report of `test`.
bool IsFrameOf(std::string_view line, std::string_view test) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  for (const std::string_view update : {"=== RUN   ", "=== PAUSE ", "=== CONT  "}) {
    if (line.starts_with(update) && line.substr(update.size()) == test) return true;
  }
  while (line.starts_with("    ")) line.remove_prefix(4);
  for (const std::string_view report : {"--- PASS: ", "--- FAIL: ", "--- SKIP: ", "--- BENCH: "}) {
    if (line.starts_with(report) && line.substr(report.size()).starts_with(test) &&
        (line.size() == report.size() + test.size() || line.substr(report.size() + test.size()).starts_with(" ("))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<GoTestEvent> DecodeGoTestJson(std::string_view text) {
  std::vector<GoTestEvent> events;
  for (const std::string_view line : SplitLines(text)) {
    nlohmann::json ev = nlohmann::json::parse(line, nullptr, false);
    if (!ev.is_object()) {
      events.push_back({"build-output", "", std::string(line) + "\n", std::nullopt, false});
      continue;
    }
    auto str = [&](const char* key) {
      auto it = ev.find(key);
      return it != ev.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    GoTestEvent e{str("Action"), str("Test"), str("Output"), std::nullopt, ev.contains("FailedBuild")};
    auto el = ev.find("Elapsed");
    if (el != ev.end() && el->is_number()) e.elapsed = el->get<double>();
    if (e.action == "output" && !e.test.empty()) e.frame = IsFrameOf(e.output, e.test);
    events.push_back(std::move(e));
  }
  return events;
}

namespace {

// The sizes of test2json's buffers: they decide where long lines are cut.
constexpr size_t kInBuffer = 4096, kOutBuffer = 1024;
constexpr char kMarker = 0x16;  // ^V, before the framing lines of -test.v=test2json

constexpr std::array<std::string_view, 9> kUpdates = {"=== RUN   ", "=== PAUSE ", "=== CONT  ", "=== NAME  ", "=== PASS  ",
                                                      "=== FAIL  ", "=== SKIP  ", "=== ATTR  ", "=== ARTIFACTS "};
constexpr std::array<std::string_view, 4> kReports = {"--- PASS: ", "--- FAIL: ", "--- SKIP: ", "--- BENCH: "};

// indexEOL: the end of the line at the start of b, and the width of its
// terminator (a ^V past the first byte starts a new line and is kept).
std::pair<ptrdiff_t, size_t> IndexEOL(std::string_view b) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '\n') return {static_cast<ptrdiff_t>(i), 1};
    if (b[i] == kMarker && i > 0) return {static_cast<ptrdiff_t>(i), 0};
  }
  return {-1, 0};
}

// isBenchmarkName. (Go asks unicode.IsLower of the rune after "Benchmark";
// this asks it of ASCII only.)
bool IsBenchmarkName(std::string_view b) {
  constexpr std::string_view kBenchmark = "Benchmark";
  if (!b.starts_with(kBenchmark)) return false;
  if (b.size() == kBenchmark.size()) return true;
  const unsigned char r = static_cast<unsigned char>(b[kBenchmark.size()]);
  return !(r >= 'a' && r <= 'z');
}

// trimUTF8: the length of b without a UTF-8 sequence cut at its end.
size_t TrimUTF8(std::string_view b) {
  for (size_t i = 1; i < 4 && i <= b.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(b[b.size() - i]);
    if ((c & 0xc0) != 0x80) {
      if (((c & 0xe0) == 0xc0 && i < 2) || ((c & 0xf0) == 0xe0 && i < 3) || ((c & 0xf8) == 0xf0 && i < 4)) {
        return b.size() - i;
      }
      break;
    }
  }
  return b.size();
}

std::string_view TrimRightSpaces(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// strings.Cut(s, " ").
std::pair<std::string_view, std::string_view> CutSpace(std::string_view s) {
  const size_t i = s.find(' ');
  if (i == std::string_view::npos) return {s, {}};
  return {s.substr(0, i), s.substr(i + 1)};
}

}  // namespace

Test2Json::Test2Json(std::vector<GoTestEvent>* out) : out_(out) {
  input_.cap = kInBuffer;
  output_.cap = kOutBuffer;
  input_.b.reserve(kInBuffer);
  output_.b.reserve(kOutBuffer);
}

void Test2Json::Write(std::string_view bytes) { BufferWrite(input_, bytes); }

void Test2Json::Exited(bool ok) {
  if (ok) {
    if (result_ != "skip") result_ = "pass";
  } else {
    result_ = "fail";
  }
}

void Test2Json::Close(double elapsed) {
  BufferFlush(input_);
  BufferFlush(output_);
  if (result_.empty()) return;
  GoTestEvent e{result_, "", "", std::round(elapsed * 1000) / 1000, false};
  WriteEvent(std::move(e));
}

// lineBuffer.write. The input buffer's whole lines go to handleInputLine and
// its pieces to the output buffer; the output buffer's lines and pieces both
// become output events (writeOutputEvent).
void Test2Json::BufferWrite(LineBuffer& l, std::string_view b) {
  const bool input = &l == &input_;
  auto line = [&](std::string_view s) {
    if (input) {
      HandleInputLine(s);
    } else {
      WriteOutputEvent(s);
    }
  };
  auto part = [&](std::string_view s) {
    if (input) {
      OutputWrite(s);
    } else {
      WriteOutputEvent(s);
    }
  };
  while (!b.empty()) {
    const size_t m = std::min(l.cap - l.b.size(), b.size());
    l.b.append(b.substr(0, m));
    b.remove_prefix(m);
    // The callbacks never touch `l` (the input buffer's feed the output
    // buffer, whose callbacks append events), so views into l.b stay valid.
    const std::string_view buf = l.b;
    size_t i = 0;
    while (i < buf.size()) {
      const auto [j, w] = IndexEOL(buf.substr(i));
      if (j < 0) {
        // A benchmark's name is shown before its result arrives.
        if (!l.mid) {
          const size_t tab = buf.find('\t', i);
          if (tab != std::string_view::npos && IsBenchmarkName(TrimRightSpaces(buf.substr(i, tab - i)))) {
            part(buf.substr(i, tab - i + 1));
            l.mid = true;
            i = tab + 1;
          }
        }
        break;
      }
      const size_t e = i + static_cast<size_t>(j) + w;
      if (l.mid) {
        part(buf.substr(i, e - i));  // the end of a partial line
        l.mid = false;
      } else {
        line(buf.substr(i, e - i));
      }
      i = e;
    }
    if (i == 0 && l.b.size() == l.cap) {  // a full buffer without a line end
      const size_t t = TrimUTF8(l.b);
      part(buf.substr(0, t));
      l.b.erase(0, t);
      l.mid = true;
    }
    if (i > 0) l.b.erase(0, i);
  }
}

// lineBuffer.flush.
void Test2Json::BufferFlush(LineBuffer& l) {
  if (l.b.empty()) return;
  const std::string rest = std::move(l.b);
  l.b.clear();
  if (&l == &input_) {
    OutputWrite(rest);
  } else {
    WriteOutputEvent(rest);
  }
}

void Test2Json::OutputWrite(std::string_view b) { BufferWrite(output_, b); }

void Test2Json::WriteFrame(std::string_view line) {
  frame_ = true;
  OutputWrite(line);
  frame_ = false;
}

// Converter.handleInputLine.
void Test2Json::HandleInputLine(std::string_view line) {
  if (line.empty()) return;
  bool saw_marker = false;
  if (need_marker_ && line[0] != kMarker) {
    OutputWrite(line);
    return;
  }
  if (line[0] == kMarker) {
    BufferFlush(output_);
    saw_marker = true;
    line.remove_prefix(1);
  }
  std::string_view trim = line;
  if (!trim.empty() && trim.back() == '\n') {
    trim.remove_suffix(1);
    if (!trim.empty() && trim.back() == '\r') trim.remove_suffix(1);
  }
  // "=== NAME" with no name: go test 1.20's output for a package-level line.
  if (trim == "=== NAME") {
    line = "=== NAME  \n";
    trim = line.substr(0, line.size() - 1);
  }
  if (trim == "PASS" || trim == "FAIL" || trim.starts_with("FAIL\t")) {
    FlushReport(0);
    test_name_.clear();
    need_marker_ = saw_marker;
    OutputWrite(line);
    result_ = trim == "PASS" ? "pass" : "fail";
    return;
  }
  if (line.starts_with("?   \t") && trim.ends_with("\t[no test files]") && report_.empty()) result_ = "skip";

  const std::string_view orig_line = line;
  bool ok = false;
  size_t indent = 0;
  for (const auto magic : kUpdates) {
    if (line.starts_with(magic)) {
      ok = true;
      break;
    }
  }
  if (!ok) {
    while (line.starts_with("    ")) {
      line.remove_prefix(4);
      ++indent;
    }
    for (const auto magic : kReports) {
      if (line.starts_with(magic)) {
        ok = true;
        break;
      }
    }
  }
  if (!ok) {
    // Output indented under a report belongs to that test.
    if (indent > 0 && indent <= report_.size()) test_name_ = report_[indent - 1].test;
    OutputWrite(orig_line);
    return;
  }

  auto [action_view, name_view] = CutSpace(line.substr(4));
  if (action_view.ends_with(':')) action_view.remove_suffix(1);
  std::string action(action_view);
  for (char& ch : action) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string_view name = TrimSpace(name_view);

  GoTestEvent e{action, "", "", std::nullopt, false};
  if (line[0] == '-') {  // a PASS, FAIL, SKIP or BENCH report
    if (const size_t i = name.find(" ("); i != std::string_view::npos) {
      if (name.ends_with("s)")) {
        const std::string num(name.substr(i + 2, name.size() - i - 4));
        char* end = nullptr;
        const double t = std::strtod(num.c_str(), &end);
        if (!num.empty() && end == num.c_str() + num.size()) e.elapsed = t;
      }
      name = name.substr(0, i);
    }
    if (report_.size() < indent) {
      OutputWrite(orig_line);
      return;
    }
    need_marker_ = saw_marker;
    FlushReport(indent);
    e.test = std::string(name);
    test_name_ = e.test;
    report_.push_back(std::move(e));
    WriteFrame(orig_line);
    return;
  }
  if (action == "artifacts" || action == "attr") name = CutSpace(name).first;
  need_marker_ = saw_marker;
  FlushReport(0);
  test_name_ = std::string(name);
  if (action == "name") return;
  if (action == "pause") WriteFrame(orig_line);
  WriteEvent(std::move(e));
  if (action != "pause") WriteFrame(orig_line);
}

// Converter.flushReport: the reports nested deeper than `depth`, innermost first.
void Test2Json::FlushReport(size_t depth) {
  test_name_.clear();
  while (report_.size() > depth) {
    GoTestEvent e = std::move(report_.back());
    report_.pop_back();
    WriteEvent(std::move(e));
  }
}

void Test2Json::WriteOutputEvent(std::string_view out) {
  GoTestEvent e{"output", "", std::string(out), std::nullopt, false};
  e.frame = frame_;
  WriteEvent(std::move(e));
}

void Test2Json::WriteEvent(GoTestEvent e) {
  if (e.test.empty()) e.test = test_name_;
  out_->push_back(std::move(e));
}

}  // namespace cancelflow::cli
