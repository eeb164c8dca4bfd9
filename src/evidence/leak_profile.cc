// Reading the goroutine leak profile (cancelflow/leak_profile.h).
// The text form is Go's goroutine dump (runtime/traceback.go goroutineheader):
//   goroutine 8 [chan send (leaked)]:
//   main.fetch.func1()
//   \t/path/main.go:38 +0x3d
//   created by main.fetch in goroutine 1
//   \t/path/main.go:38 +0x6e
//   <blank line>
// optionally "goroutine 8 gp=0x.. m=nil [..., 2 minutes, locked to thread]:".
// The protobuf form is a gzipped perftools.profiles.Profile; only the fields
// needed for stacks are read (sample.location_id, sample.value,
// location.line.function_id, function.name, string_table), with a bounds-
// checked varint reader: a malformed profile is an error, never a crash.
#include "cancelflow/leak_profile.h"

#include <zlib.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace cancelflow {
namespace {

tl::unexpected<Error> Bad(uint64_t offset, std::string message) {
  return MakeError(ErrorCode::kBadText, offset, kNoGeneration, "leak profile: " + std::move(message));
}

Result<LeakProfile> ParseText(std::string_view s) {
  LeakProfile p;
  p.form = LeakProfile::Form::kText;
  size_t pos = 0;
  LeakProfileGoroutine* cur = nullptr;
  bool expect_file = false;  // the line after a function line is its file:line
  bool created_by = false;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(pos, nl - pos);
    const uint64_t offset = pos;
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      cur = nullptr;
      expect_file = created_by = false;
      continue;
    }
    if (line.substr(0, 10) == "goroutine ") {
      std::string_view rest = line.substr(10);
      int64_t goid = -1;
      const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), goid);
      if (ec != std::errc() || goid <= 0) return Bad(offset, "a goroutine header without a goroutine id");
      const size_t open = line.find(" [");
      const size_t close = line.rfind("]:");
      if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return Bad(offset, "a goroutine header without [state]:");
      std::string_view state = line.substr(open + 2, close - open - 2);
      state = state.substr(0, state.find(','));  // ", 2 minutes", ", locked to thread"
      LeakProfileGoroutine g;
      g.goid = goid;
      constexpr std::string_view kLeaked = " (leaked)";
      const size_t lk = state.find(kLeaked);
      if (lk != std::string_view::npos) {
        g.leaked = true;
        g.state = std::string(state.substr(0, lk)) + std::string(state.substr(lk + kLeaked.size()));
      } else {
        g.state = std::string(state);
      }
      p.goroutines.push_back(std::move(g));
      cur = &p.goroutines.back();
      expect_file = created_by = false;
      continue;
    }
    if (cur == nullptr) {
      // Text before the first goroutine (a debug=1 profile starts "goroutineleak profile: total N").
      return Bad(offset, "not a debug=2 goroutine dump (use ?debug=2, WriteTo(w, 2), or the .pb.gz form)");
    }
    if (line[0] == '\t') {
      expect_file = false;
      continue;
    }
    if (expect_file) return Bad(offset, "a function line without its file line");
    if (line.substr(0, 11) == "created by ") {
      created_by = true;
      expect_file = true;
      continue;
    }
    if (line.substr(0, 3) == "...") continue;  // "...additional frames elided..."
    if (!created_by) {
      std::string_view func = line;
      if (const size_t paren = func.rfind('('); paren != std::string_view::npos && paren > 0) func = func.substr(0, paren);
      cur->funcs.emplace_back(func);
    }
    expect_file = true;
  }
  if (p.goroutines.empty()) return Bad(0, "no goroutines in it");
  return p;
}

// ---- protobuf ---------------------------------------------------------------

struct Cursor {
  std::string_view b;
  size_t i = 0;
  bool ok = true;
  bool done() const { return !ok || i >= b.size(); }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= b.size()) break;
      const uint8_t c = static_cast<uint8_t>(b[i++]);
      v |= static_cast<uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return v;
    }
    ok = false;
    return 0;
  }
  std::string_view Bytes() {
    const uint64_t n = Varint();
    if (!ok || n > b.size() - i) {
      ok = false;
      return {};
    }
    std::string_view v = b.substr(i, n);
    i += n;
    return v;
  }
  void Skip(uint32_t wire) {
    switch (wire) {
      case 0: Varint(); break;
      case 1: i + 8 <= b.size() ? void(i += 8) : void(ok = false); break;
      case 2: Bytes(); break;
      case 5: i + 4 <= b.size() ? void(i += 4) : void(ok = false); break;
      default: ok = false;
    }
  }
};

// Calls f(field, wire, cursor) for each field; f reads or skips the value.
template <typename F>
bool Fields(std::string_view msg, F f) {
  Cursor c{msg};
  while (!c.done()) {
    const uint64_t key = c.Varint();
    if (!c.ok) break;
    f(static_cast<uint32_t>(key >> 3), static_cast<uint32_t>(key & 7), c);
  }
  return c.ok;
}

// Packed or unpacked repeated varints.
void Varints(uint32_t wire, Cursor& c, std::vector<uint64_t>* out) {
  if (wire == 2) {
    Cursor in{c.Bytes()};
    while (!in.done()) out->push_back(in.Varint());
    c.ok = c.ok && in.ok;
  } else if (wire == 0) {
    out->push_back(c.Varint());
  } else {
    c.Skip(wire);
  }
}

bool Gunzip(std::string_view in, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out->append(buf, sizeof buf - z.avail_out);
    if (out->size() > (256u << 20)) rc = Z_MEM_ERROR;  // a profile is small; refuse a bomb
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END;
}

Result<LeakProfile> ParseProto(std::string_view gz) {
  std::string raw;
  if (!Gunzip(gz, &raw)) return Bad(0, "gzip data that does not decompress");
  struct Sample {
    std::vector<uint64_t> locations, values;
  };
  std::vector<Sample> samples;
  std::unordered_map<uint64_t, std::vector<uint64_t>> location_functions;  // location id -> function ids (leaf first)
  std::unordered_map<uint64_t, uint64_t> function_name;                    // function id -> string index
  std::vector<std::string_view> strings;
  const bool ok = Fields(raw, [&](uint32_t field, uint32_t wire, Cursor& c) {
    if (wire != 2) return c.Skip(wire);
    const std::string_view m = c.Bytes();
    if (field == 2) {  // Sample
      Sample s;
      c.ok = c.ok && Fields(m, [&](uint32_t f, uint32_t w, Cursor& d) {
        if (f == 1) Varints(w, d, &s.locations);
        else if (f == 2) Varints(w, d, &s.values);
        else d.Skip(w);
      });
      samples.push_back(std::move(s));
    } else if (field == 4) {  // Location
      uint64_t id = 0;
      std::vector<uint64_t> funcs;
      c.ok = c.ok && Fields(m, [&](uint32_t f, uint32_t w, Cursor& d) {
        if (f == 1 && w == 0) {
          id = d.Varint();
        } else if (f == 4 && w == 2) {  // Line
          const std::string_view line = d.Bytes();
          d.ok = d.ok && Fields(line, [&](uint32_t lf, uint32_t lw, Cursor& e) {
            if (lf == 1 && lw == 0) funcs.push_back(e.Varint());
            else e.Skip(lw);
          });
        } else {
          d.Skip(w);
        }
      });
      location_functions[id] = std::move(funcs);
    } else if (field == 5) {  // Function
      uint64_t id = 0, name = 0;
      c.ok = c.ok && Fields(m, [&](uint32_t f, uint32_t w, Cursor& d) {
        if (f == 1 && w == 0) id = d.Varint();
        else if (f == 2 && w == 0) name = d.Varint();
        else d.Skip(w);
      });
      function_name[id] = name;
    } else if (field == 6) {
      strings.push_back(m);
    }
  });
  if (!ok) return Bad(0, "a protobuf profile that does not decode");
  LeakProfile p;
  p.form = LeakProfile::Form::kProto;
  for (const Sample& s : samples) {
    LeakProfileStack st;
    st.count = s.values.empty() ? 0 : static_cast<int64_t>(s.values.front());
    for (const uint64_t loc : s.locations) {
      auto it = location_functions.find(loc);
      if (it == location_functions.end()) return Bad(0, "a sample refers to a location that does not exist");
      // A location's lines are innermost first (inlined calls).
      for (const uint64_t fid : it->second) {
        auto fn = function_name.find(fid);
        if (fn == function_name.end() || fn->second >= strings.size())
          return Bad(0, "a location refers to a function that does not exist");
        st.funcs.emplace_back(strings[fn->second]);
      }
    }
    if (st.count > 0) p.leaked_stacks.push_back(std::move(st));
  }
  return p;
}

}  // namespace

uint64_t LeakProfile::leaked() const {
  uint64_t n = 0;
  for (const auto& g : goroutines) n += g.leaked ? 1 : 0;
  for (const auto& s : leaked_stacks) n += static_cast<uint64_t>(s.count);
  return n;
}

Result<LeakProfile> ParseLeakProfile(std::string_view bytes) {
  if (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f && static_cast<uint8_t>(bytes[1]) == 0x8b)
    return ParseProto(bytes);
  return ParseText(bytes);
}

Result<LeakProfile> LoadLeakProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, 0, kNoGeneration, "leak profile: cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto p = ParseLeakProfile(ss.str());
  if (!p) {
    Error e = p.error();
    e.message = path + ": " + e.message;
    return tl::unexpected(e);
  }
  p->path = path;
  return p;
}

}  // namespace cancelflow
