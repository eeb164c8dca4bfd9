// PprofWriter: what goroutines did after they were canceled, and where the
// leaked ones sit, as a gzipped pprof profile (`go tool pprof FILE`).
//
// ALGORITHM: an EventObserver on the analysis pass keeps, bounded by
// max_records, the CPU samples (EventKind::kStackSample: goroutine, time,
// stack) and the wait stack of every unblock (Waiting -> Runnable: the
// goroutine's last block stack). Write(analysis) then builds post-cancel
// windows, one per goroutine:
//   - woken by a cancellation: [WokenGoroutine::unblocked, stopped) (time
//     to next block), or up to the goroutine's end / the trace end when it
//     never stopped; for a goroutine of a slow-cancel finding, up to its
//     response (WokenGoroutine::responded: time to respond);
//   - otherwise, bound to an instrumented context (ctxtrace.Go/Bind) that
//     became done: [ContextInfo::done, goroutine end or trace end).
// and emits, with labels rule / context / cause / cancel_kind / goroutine:
//   post_cancel_cpu_samples, post_cancel_cpu   each CPU sample inside a window
//                                              (period assumed: cpu_period_ns)
//   post_cancel_wall                           window length, on the goroutine's
//                                              wait stack when it was woken (else
//                                              its last block stack, last stack
//                                              seen, creation stack)
//   leaked_goroutines                          one per goroutine of a
//                                              leaked-goroutine / ignored-cancel
//                                              finding; stack = block stack,
//                                              then creation stack
// Samples with equal stack and window are merged (values summed).
// default_sample_type is the first non-empty of cpu, wall, leaked.
//
// INVARIANTS
// - Every Sample has one value per sample_type (4); unused values are 0.
// - Location ids are 1 + dense index of the distinct FrameIds used; one
//   Function per distinct (function name, file); one Mapping (id 1) with
//   has_functions/filenames/line_numbers set, so pprof never tries to
//   symbolize.
// - Past max_records, CPU samples and unblock stacks are counted as dropped
//   (PprofStats), not stored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cancelflow/analysis.h"
#include "report/bounds.h"

namespace cancelflow::report {

struct PprofOptions {
  uint64_t max_records = 4'000'000;  // CPU samples + unblock stacks kept during the pass
  Time cpu_period_ns = 10'000'000;   // runtime/pprof's default 100 Hz (the trace does not say)
};

struct PprofStats {
  uint64_t cpu_samples_seen = 0;
  uint64_t post_cancel_cpu_samples = 0;
  uint64_t windows = 0;
  uint64_t leaked_goroutines = 0;
  uint64_t samples = 0;  // pprof Samples written (after merging)
  uint64_t dropped_records = 0;  // CPU samples and unblock stacks past max_records
  uint64_t bytes = 0;    // gzipped size

  // The caps record (report/bounds.h).
  CapsRecord Caps() const { return {{{dropped_records, "CPU samples and unblock stacks (max_records)"}}}; }
};

// One aggregated sample of the profile: a stack (leaf first) and its values
// (post_cancel_cpu_samples, post_cancel_cpu ns, post_cancel_wall ns,
// leaked_goroutines), with its labels. The HTML report's flame graph reads these.
struct PostCancelSample {
  static constexpr int kNumValues = 4;
  std::vector<FrameId> frames;  // leaf first
  int64_t values[kNumValues] = {};
  std::vector<std::pair<std::string, std::string>> labels;
  int64_t goroutine = -1;
};

class PprofWriter final : public EventObserver {
 public:
  explicit PprofWriter(const PprofOptions& options = {});
  ~PprofWriter() override;
  PprofWriter(const PprofWriter&) = delete;
  PprofWriter& operator=(const PprofWriter&) = delete;

  void OnEvent(const Event& e, const Reader& reader) override;

  // The merged samples of the profile (what Encode writes), after the pass.
  std::vector<PostCancelSample> Samples(const Analysis& analysis, PprofStats* stats);
  // Encodes the profile (uncompressed protobuf) into *proto.
  PprofStats Encode(const Analysis& analysis, std::string* proto);
  // Encode + gzip into *gz. Returns false only if zlib fails.
  bool Write(const Analysis& analysis, std::string* gz, PprofStats* stats = nullptr);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// gzip (RFC 1952) of `data`, appended to *out. False if zlib fails.
bool Gzip(std::string_view data, std::string* out);

}  // namespace cancelflow::report
