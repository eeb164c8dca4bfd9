#include "wire/text_format.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "base/trace_buffer.h"
#include "base/go_quote.h"
#include "wire/event_spec.h"

namespace cancelflow::wire {
namespace {

// unicode.IsSpace for the runes that can appear in these files (ASCII and
// the Latin-1/Unicode spaces Go recognizes).
size_t SpaceWidth(std::string_view s) {
  const auto c = static_cast<uint8_t>(s[0]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') return 1;
  if (c < 0x80) return 0;
  int width = 1;
  char32_t r = GoDecodeRune(s, &width);
  if (r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
      r == 0x202F || r == 0x205F || r == 0x3000) {
    return static_cast<size_t>(width);
  }
  return 0;
}

size_t RuneWidth(std::string_view s) {
  int width = 1;
  (void)GoDecodeRune(s, &width);
  return static_cast<size_t>(width);
}

// raw.readToken: skips leading spaces; '#' starts a comment (no token).
std::string_view ReadToken(std::string_view s, std::string_view* rest) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '#') {
      *rest = {};
      return {};
    }
    size_t w = SpaceWidth(s.substr(i));
    if (w == 0) break;
    i += w;
  }
  if (i == s.size()) {
    *rest = {};
    return {};
  }
  size_t j = i;
  while (j < s.size() && s[j] != '#' && SpaceWidth(s.substr(j)) == 0) j += RuneWidth(s.substr(j));
  *rest = s.substr(j);
  return s.substr(i, j - i);
}

bool OnlySpaces(std::string_view s) {
  while (!s.empty()) {
    size_t w = SpaceWidth(s);
    if (w == 0) return false;
    s.remove_prefix(w);
  }
  return true;
}

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // Next non-blank, non-comment line; false at end.
  bool Next(std::string_view* line) {
    while (pos_ < text_.size()) {
      size_t nl = text_.find('\n', pos_);
      size_t end = nl == std::string_view::npos ? text_.size() : nl;
      std::string_view l = text_.substr(pos_, end - pos_);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);  // bufio.ScanLines drops a trailing \r
      pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
      ++line_no_;
      std::string_view rest;
      if (ReadToken(l, &rest).empty()) continue;
      *line = l;
      return true;
    }
    return false;
  }
  uint64_t line_no() const { return line_no_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint64_t line_no_ = 0;
};

Error TextError(uint64_t line, std::string msg) {
  return Error{ErrorCode::kBadText, line, kNoGeneration, fmt::format("line {}: {}", line, msg)};
}

// raw.readArgs: exactly `names` as name=uint64 tokens, then only spaces.
bool ReadArgs(std::string_view s, const std::string_view* names, int n, std::vector<uint64_t>* out,
              std::string* err) {
  for (int i = 0; i < n; ++i) {
    std::string_view rest;
    std::string_view tok = ReadToken(s, &rest);
    if (tok.empty()) {
      *err = "no argument";
      return false;
    }
    size_t eq = tok.find('=');
    if (eq == std::string_view::npos) {
      *err = fmt::format("malformed argument: {}", GoQuote(tok));
      return false;
    }
    std::string_view name = tok.substr(0, eq), val = tok.substr(eq + 1);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), v);
    if (ec != std::errc() || p != val.data() + val.size() || val.empty()) {
      *err = fmt::format("failed to parse argument value {} for arg {}", GoQuote(val), GoQuote(name));
      return false;
    }
    if (name != names[i]) {
      *err = fmt::format("expected argument {}, but got {}", GoQuote(names[i]), GoQuote(name));
      return false;
    }
    out->push_back(v);
    s = rest;
  }
  if (!OnlySpaces(s)) {
    *err = fmt::format("encountered unexpected non-space at the end of an event: {}", GoQuote(s));
    return false;
  }
  return true;
}

}  // namespace

Result<std::string> TextToBinary(std::string_view text) {
  LineReader lines(text);
  std::string_view line, rest;
  if (!lines.Next(&line)) return tl::unexpected(TextError(lines.line_no(), "missing header"));
  if (ReadToken(line, &rest) != "Trace") return tl::unexpected(TextError(lines.line_no(), "failed to parse header"));
  std::string_view gover = ReadToken(rest, &rest);
  if (gover.substr(0, 4) != "Go1.") {
    return tl::unexpected(TextError(lines.line_no(), "failed to parse header Go version"));
  }
  uint64_t minor = 0;
  auto vs = gover.substr(4);
  auto [p, ec] = std::from_chars(vs.data(), vs.data() + vs.size(), minor);
  if (ec != std::errc() || p != vs.data() + vs.size()) {
    return tl::unexpected(TextError(lines.line_no(), "failed to parse header Go version"));
  }
  std::string out = fmt::format("go 1.{} trace", minor);
  out.append(3, '\0');
  auto header = ParseHeader(reinterpret_cast<const uint8_t*>(out.data()), out.size());
  if (!header) {
    return tl::unexpected(TextError(lines.line_no(), fmt::format("unknown or unsupported Go version 1.{}", minor)));
  }
  if (!OnlySpaces(rest)) {
    return tl::unexpected(TextError(lines.line_no(), "encountered unexpected non-space at the end of the header"));
  }
  const int nspecs = VersionSpecCount(header->version);
  std::vector<uint64_t> args;
  std::string err;
  static constexpr std::string_view kFrameFields[4] = {"pc", "func", "file", "line"};
  while (lines.Next(&line)) {
    std::string_view name = ReadToken(line, &rest);
    int type = -1;
    for (int t = 1; t < nspecs; ++t) {
      if (!Spec(static_cast<uint8_t>(t)).name.empty() && Spec(static_cast<uint8_t>(t)).name == name) {
        type = t;
        break;
      }
    }
    if (type < 0) return tl::unexpected(TextError(lines.line_no(), fmt::format("unidentified event: {}", name)));
    const EventSpec& spec = Spec(static_cast<uint8_t>(type));
    args.clear();
    if (!ReadArgs(rest, spec.args.data(), spec.nargs, &args, &err)) {
      return tl::unexpected(TextError(lines.line_no(), fmt::format("reading args for {}: {}", name, err)));
    }
    out.push_back(static_cast<char>(type));
    for (uint64_t a : args) AppendUvarint(&out, a);
    if (spec.is_stack) {
      const uint64_t n = static_cast<int64_t>(args[1]) < 0 ? 0 : args[1];
      for (uint64_t i = 0; i < n; ++i) {
        if (!lines.Next(&line)) return tl::unexpected(TextError(lines.line_no(), "unexpected EOF while reading stack"));
        args.clear();
        if (!ReadArgs(line, kFrameFields, 4, &args, &err)) return tl::unexpected(TextError(lines.line_no(), err));
        for (uint64_t a : args) AppendUvarint(&out, a);
      }
    }
    if (spec.has_data) {
      if (!lines.Next(&line)) {
        return tl::unexpected(TextError(lines.line_no(), fmt::format("unexpected EOF while reading data for {}", name)));
      }
      size_t eq = line.find('=');
      std::string_view key = eq == std::string_view::npos ? line : line.substr(0, eq);
      while (!key.empty() && SpaceWidth(key) > 0) key.remove_prefix(SpaceWidth(key));
      while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
      if (eq == std::string_view::npos || key != "data") {
        return tl::unexpected(TextError(lines.line_no(), fmt::format("malformed data: {}", GoQuote(line))));
      }
      std::string_view val = line.substr(eq + 1);
      while (!val.empty() && (val.front() == ' ' || val.front() == '\t')) val.remove_prefix(1);
      while (!val.empty() && (val.back() == ' ' || val.back() == '\t')) val.remove_suffix(1);
      std::string data;
      if (!GoUnquote(val, &data)) {
        return tl::unexpected(TextError(lines.line_no(), fmt::format("failed to parse data: {}", GoQuote(line))));
      }
      AppendUvarint(&out, data.size());
      out.append(data);
    }
  }
  return out;
}

Result<GoTestFile> ParseGoTestFile(std::string_view txtar) {
  // txtar: a comment, then files introduced by lines "-- NAME --".
  struct Section {
    std::string_view name, body;
  };
  std::vector<Section> sections;
  size_t pos = 0;
  Section* cur = nullptr;
  size_t body_start = 0;
  while (pos <= txtar.size()) {
    size_t nl = txtar.find('\n', pos);
    size_t end = nl == std::string_view::npos ? txtar.size() : nl;
    std::string_view l = txtar.substr(pos, end - pos);
    if (l.size() >= 6 && l.substr(0, 3) == "-- " && l.substr(l.size() - 3) == " --") {
      if (cur != nullptr) cur->body = txtar.substr(body_start, pos - body_start);
      std::string_view name = l.substr(3, l.size() - 6);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      sections.push_back({name, {}});
      cur = &sections.back();
      body_start = nl == std::string_view::npos ? txtar.size() : nl + 1;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (cur != nullptr) cur->body = txtar.substr(body_start);
  if (sections.size() != 2 || sections[0].name != "expect" || sections[1].name != "trace") {
    return MakeError(ErrorCode::kBadText, 0, kNoGeneration, "malformed test: want sections \"expect\" and \"trace\"");
  }
  GoTestFile f;
  std::string_view first = sections[0].body.substr(0, sections[0].body.find('\n'));
  if (first.substr(0, 7) == "SUCCESS") {
    f.expect_failure = false;
  } else if (first.substr(0, 8) == "FAILURE ") {
    f.expect_failure = true;
    if (!GoUnquote(first.substr(8), &f.error_pattern)) {
      return MakeError(ErrorCode::kBadText, 0, kNoGeneration, "malformed FAILURE pattern");
    }
  } else {
    return MakeError(ErrorCode::kBadText, 0, kNoGeneration, "bad expectation header line");
  }
  f.trace_text = std::string(sections[1].body);
  return f;
}

Result<GoTestTrace> LoadGoTestFile(const std::string& path) {
  auto file = TraceBuffer::Open(path);
  if (!file) return tl::unexpected(file.error());
  auto test = ParseGoTestFile(std::string_view(reinterpret_cast<const char*>(file->data()), file->size()));
  if (!test) return tl::unexpected(test.error());
  auto bytes = TextToBinary(test->trace_text);
  if (!bytes) return tl::unexpected(bytes.error());
  return GoTestTrace{std::move(*test), std::move(*bytes)};
}

}  // namespace cancelflow::wire
