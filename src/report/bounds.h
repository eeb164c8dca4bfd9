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
// The caps record: a writer's stats give Caps(), one CapCount per cap in a
// fixed order (the order the summary line lists them); CapsHitLine turns it
// into the line. The caps themselves (their values) are in the writer's
// options and docs/outputs.md.
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

// One cap of a writer: what it left out (`count`), named as the summary
// line says it ("flows", "strings cut").
struct CapCount {
  uint64_t count = 0;
  std::string_view what;
};

// A writer's caps record.
struct CapsRecord {
  std::vector<CapCount> caps;
  bool Hit() const {
    for (const CapCount& c : caps)
      if (c.count > 0) return true;
    return false;
  }
};

// The summary's "caps hit" line: "; caps hit: 0 cancellations, 3 flows, ..."
// (every cap of the record, so the line always reads the same) when any cap
// left something out, else "".
std::string CapsHitLine(const CapsRecord& record);

// The length of the longest prefix of s of at most max_bytes bytes that does
// not end inside a UTF-8 sequence (s itself when it is short enough).
inline size_t Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues a sequence
  return n;
}

}  // namespace cancelflow::report
