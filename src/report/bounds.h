// The writers' bounds policy: what a report keeps of a trace of any size,
// and how it says what it left out (docs/outputs.md, "Bounds policy").
//
// Every writer whose output grows with the trace (Perfetto, HTML, pprof, the
// capped JSON document of the HTML page) has caps in its options, counts
// what each cap leaves out, and reports those counts in two places: in its
// own output (Perfetto: the "cancelflow output bounds" instant; HTML: the
// timeline's and flame graph's drop counters and the JSON's "truncated";
// pprof: its drop counters) and, when any cap was hit, in one "caps hit"
// line of the command's summary, written by CapsHitLine from the writer's
// caps record. Nothing is dropped silently.
//
// Strings are cut at a UTF-8 boundary (Utf8Prefix), so a cut string stays
// valid UTF-8; each writer counts the strings it cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cancelflow::report {

// The length of the longest prefix of s of at most max_bytes bytes that does
// not end inside a UTF-8 sequence (s itself when it is short enough).
inline size_t Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues a sequence
  return n;
}

}  // namespace cancelflow::report
