// HtmlWriter: the self-contained HTML report (`cancelflow html`, `analyze --html`).
//
// ALGORITHM: two passes over the trace.
// 1. An EventObserver on the analysis pass: it forwards every event to an
//    embedded PprofWriter (whose post-cancel samples become the flame graph),
//    keeps the first logs, regions and tasks, and counts per goroutine the
//    spans it opens (running, blocked, syscall).
// 2. PlanLanes(analysis) chooses the lanes, after the analysis, in tiers:
//    the goroutines each finding names (its first 20), the canceler and the
//    first 20 woken goroutines of each cancellation a finding cites, every
//    other goroutine the analysis names, then the busiest. The caller (the
//    CLI: `cancelflow html`, `analyze --html`) then reads the trace again,
//    as a stage of its own pipeline, and gives every event to OnLaneEvent,
//    which keeps the state spans of the chosen goroutines only (runnable
//    time is left as a gap), so a goroutine first seen at the end of a huge
//    trace has its lane like any other. Around each cancellation its
//    canceler and woken goroutines stay at full resolution (5 ms before to
//    50 ms after, at most 64 windows per lane); elsewhere short spans are
//    merged to fit the caps. The writer never opens the trace itself.
// It emits one HTML file: the template, CSS and JS of
// src/report/html_assets (embedded in the binary at build time by
// cmake/embed_assets.cmake) and one `<script type="application/json"
// id="cf-data">` holding AnalysisToJson's document (docs/json-schema.md)
// plus two extra top-level keys:
//   "timeline": {start_ns, end_ns, reasons[], lanes[{g, name, spans[[begin,
//                end, state, reason, merged]]}], bounds + drop counters}
//                (span times relative to start_ns; state 1 running,
//                2 blocked, 3 syscall; reason indexes reasons[]; merged = how
//                many raw spans the span stands for), annotations[[time, g,
//                "log"|"region"|"task", category/type, message]]}
//   "flame":    {metric "cpu"|"wall"|"none", frames[{func, file, line}],
//                samples[[value, [frame index, root first], goroutine,
//                label]], drop counters}
// The JS draws the timeline (canvas, cancellation arrows from the cancels
// and woken lists) and the flame graph from it; nothing is fetched.
//
// SECURITY: every trace string is untrusted. The only place trace data enters
// the file is the JSON, with <, >, &, U+2028 and U+2029 escaped as \uXXXX
// (so no "</script>" or "<!--" can appear) and invalid UTF-8 replaced; the
// JS inserts strings with textContent only. A CSP meta tag forbids any
// network use (default-src 'none').
//
// BOUNDS (HtmlOptions; docs/outputs.md):
// - memory: the first pass keeps a counter per goroutine; the second keeps
//   at most max_lanes lanes of max_spans_per_lane spans (past that, adjacent
//   pairs outside the focus windows are merged: the span keeps the state of
//   its longer half and counts what it stands for).
// - in the file: at most max_lanes lanes and max_output_spans spans (lanes
//   merged further to fit); at most max_flame_samples flame samples (the
//   heaviest) of at most
//   max_flame_depth frames (the root-most). Every drop is counted in the
//   JSON and shown in the page.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cancelflow/analysis.h"
#include "report/bounds.h"

namespace cancelflow::report {

struct HtmlOptions {
  std::string trace_path;
  uint32_t max_spans_per_lane = 2'000;
  uint32_t max_lanes = 200;
  uint64_t max_output_spans = 60'000;
  uint32_t max_annotations = 5'000;  // logs, region and task beginnings (the first ones)
  uint32_t max_flame_samples = 5'000;
  uint32_t max_flame_depth = 64;
  // The embedded analysis document (analyze --json's, capped to what the page
  // shows): rows of the cancellations table, context tree nodes, finding
  // cards; woken goroutines per cancellation (max_lanes: no more can have a
  // lane); its bytes; and every string of the page's data.
  size_t max_cancellations = 2'000;
  size_t max_contexts = 3'000;
  size_t max_findings = 1'000;
  size_t max_data_bytes = 8u << 20;
  size_t max_string = 1'024;
};

struct HtmlStats {
  uint64_t lanes = 0;
  uint64_t lanes_dropped = 0;    // goroutines not drawn because of the caps
  uint64_t lanes_empty = 0;      // goroutines not drawn: never ran, blocked or in a syscall
  uint64_t spans = 0;            // spans written
  uint64_t spans_merged = 0;     // raw spans folded into merged ones
  uint64_t flame_samples = 0;
  uint64_t strings_cut = 0;      // timeline/flame strings longer than max_string
  uint64_t flame_samples_dropped = 0;
  uint64_t annotations_dropped = 0;  // logs, regions, tasks past max_annotations
  uint64_t bytes = 0;

  // The caps record (report/bounds.h). The embedded analysis document says
  // what its own caps left out in its "truncated" member.
  CapsRecord Caps() const {
    return {{{lanes_dropped, "goroutine lanes"},
             {flame_samples_dropped, "flame stacks"},
             {annotations_dropped, "logs, regions and tasks"},
             {strings_cut, "strings cut"}}};
  }
};

class HtmlWriter final : public EventObserver {
 public:
  explicit HtmlWriter(const HtmlOptions& options = {});
  ~HtmlWriter() override;
  HtmlWriter(const HtmlWriter&) = delete;
  HtmlWriter& operator=(const HtmlWriter&) = delete;

  // The analysis pass.
  void OnEvent(const Event& e, const Reader& reader) override;

  // The timeline's second read of the trace, which the caller drives, after
  // the analysis pass and before Write:
  //   1. PlanLanes(analysis) chooses the lanes; false when there are none
  //      (then skip 2 and 3);
  //   2. every ordered event of a new Reader on the same trace buffer goes
  //      to OnLaneEvent, with that Reader's pools (the read may stop where
  //      the analysis's read stopped: the trace broke there);
  //   3. EndLanes(that Reader's strings), while its pools are alive: closes
  //      the open spans at the end of the trace and names the block reasons.
  // Without 2 and 3 (the trace could not be read again) the lanes are empty.
  bool PlanLanes(const Analysis& analysis);
  void OnLaneEvent(const Event& e, const StringPool& strings, const StackPool& stacks);
  void EndLanes(const StringPool& strings);

  // The whole HTML document (call once, after the lanes' read).
  std::string Write(const Analysis& analysis, HtmlStats* stats = nullptr);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// `json` made safe inside <script>: <, >, &, U+2028, U+2029 become \uXXXX.
// Valid only for JSON text (these characters can only occur inside strings).
std::string EscapeJsonForScript(std::string_view json);

}  // namespace cancelflow::report
