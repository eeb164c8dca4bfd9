// Source lines (evidence/source_lines.h). Why so guarded: a trace is
// untrusted input and names files; reading only `.go` files under the module
// root keeps an analysis from reading (and matching patterns on) anything the
// user did not point it at.
#include "evidence/source_lines.h"

#include <fstream>
#include <sstream>

namespace cancelflow::evidence {
namespace {

constexpr std::streamsize kMaxFile = 4 << 20;
constexpr size_t kMaxLine = 4096;

bool SafeRelative(std::string_view rel) {
  if (rel.empty() || rel.front() == '/' || !rel.ends_with(".go")) return false;
  size_t pos = 0;
  while (pos <= rel.size()) {
    size_t slash = rel.find('/', pos);
    if (slash == std::string_view::npos) slash = rel.size();
    const std::string_view part = rel.substr(pos, slash - pos);
    if (part.empty() || part == "." || part == "..") return false;
    pos = slash + 1;
  }
  return rel.find('\0') == std::string_view::npos;
}

std::string ReadModulePath(const std::string& root) {
  std::ifstream in(root + "/go.mod");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = line;
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (!l.starts_with("module")) continue;
    l.remove_prefix(6);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t' || l.front() == '"')) l.remove_prefix(1);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r' || l.back() == '"')) l.remove_suffix(1);
    return std::string(l);
  }
  return {};
}

}  // namespace

SourceLines::SourceLines(std::string module_root) : root_(std::move(module_root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (!root_.empty()) module_path_ = ReadModulePath(root_);
}

const std::vector<std::string>* SourceLines::Load(std::string_view file) {
  if (auto it = files_.find(file); it != files_.end()) return it->second.get();
  std::string rel;
  if (file.starts_with(root_ + "/")) {
    rel = std::string(file.substr(root_.size() + 1));
  } else if (!module_path_.empty() && file.starts_with(module_path_ + "/")) {
    rel = std::string(file.substr(module_path_.size() + 1));
  }
  std::unique_ptr<std::vector<std::string>> lines;
  if (SafeRelative(rel)) {
    std::ifstream in(root_ + "/" + rel, std::ios::binary);
    in.seekg(0, std::ios::end);
    const std::streamsize size = in ? static_cast<std::streamsize>(in.tellg()) : -1;
    if (size >= 0 && size <= kMaxFile) {
      in.seekg(0);
      lines = std::make_unique<std::vector<std::string>>();
      std::string line;
      while (std::getline(in, line)) {
        if (line.size() > kMaxLine) line.resize(kMaxLine);
        lines->push_back(std::move(line));
      }
    }
  }
  auto* out = lines.get();
  files_.emplace(std::string(file), std::move(lines));
  return out;
}

std::optional<std::string_view> SourceLines::Line(std::string_view file, int64_t line) {
  if (root_.empty() || line < 1) return std::nullopt;
  const std::vector<std::string>* lines = Load(file);
  if (lines == nullptr || static_cast<uint64_t>(line) > lines->size()) return std::nullopt;
  return std::string_view((*lines)[static_cast<size_t>(line - 1)]);
}

bool ReceivesFromDone(std::string_view line) {
  for (size_t at = line.find("<-"); at != std::string_view::npos; at = line.find("<-", at + 2)) {
    // `<-` then an operand made of identifiers, dots and calls, ending in .Done()
    size_t i = at + 2;
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    int depth = 0;
    while (i < line.size()) {
      const char c = line[i];
      const bool ident = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (ident || c == '.') {
        ++i;
      } else if (c == '(') {
        ++depth;
        ++i;
      } else if (c == ')' && depth > 0) {
        --depth;
        ++i;
      } else {
        break;
      }
    }
    if (depth == 0 && i > start && line.substr(start, i - start).ends_with(".Done()")) return true;
  }
  return false;
}

std::string_view UncancelableContextIn(std::string_view line) {
  for (std::string_view c : {"context.Background()", "context.TODO()", "context.WithoutCancel("}) {
    if (line.find(c) != std::string_view::npos) return c == "context.WithoutCancel(" ? "context.WithoutCancel(...)" : c;
  }
  return {};
}

}  // namespace cancelflow::evidence
