// The OTLP span model: what cancelflow's analysis looks like as OpenTelemetry
// traces (docs/outputs.md, "OTLP"). Pure: no I/O, no clock reads (the export
// time is an input), unit-tested in otlp_spans_test.cc.
//
// SHAPE (one OTLP trace per analyzed trace file, i.e. per tested package):
//   root span            test traces: "<import path>" (test.package); other
//                        traces: "cancelflow.analysis <file name>"; covers
//                        the trace's first to last event
//   ├─ test span         one per Go test and subtest ("TestX", "TestX/sub"),
//   │   │                parented by name (a subtest under its parent; a
//   │   │                missing parent is made), test.name / test.package /
//   │   │                test.result; status ERROR when go test failed it or
//   │   │                a gating finding is attributed to it (or, as go
//   │   │                test does, to one of its subtests)
//   │   └─ async.op      one per goroutine the test started that a finding or
//   │                    a cancellation names (goroutine.id, code.function.name)
//   └─ async.op          the same for goroutines outside every test
// Span events:
//   cancel.call          on the canceler's span (its async.op, else its
//                        test's, else the root): kind, cause, and the woken
//                        goroutines with their time to respond
//   finding              on the representative goroutine's async.op span,
//                        else its test's span, else the root: rule, severity,
//                        certainty, fingerprint, gating, message and
//                        code.function.name / code.file.path / code.line.number
//                        (OpenTelemetry semantic conventions) of its site
//
// TIMESTAMPS: trace nanoseconds + the trace's wall offset
// (DataQuality::wall_offset_ns, from the Go 1.25+ clock snapshot). A trace
// without one is anchored so that its last event is at the export time
// (`now_unix_ns`), and every span says which with `cancelflow.clock`
// ("trace-clock-snapshot" or "anchored-at-export"). Unknown times (-1) become
// the enclosing span's bounds. Times are clamped so a child never starts
// before 0 and every span ends at or after it starts.
//
// INVARIANTS
// - IDs are deterministic: the trace id hashes the trace's identity (its
//   package, size, event count, first and last event times and wall offset,
//   never its path or the export time), span ids hash the trace id with the
//   test name or goroutine id. Re-exporting the same trace gives the same ids,
//   so a backend deduplicates instead of showing it twice. IDs are never 0.
// - Every cap is counted, never silent:
//     kMaxAsyncOpsPerParent async.op spans under one test (or the root);
//       the rest are counted in `cancelflow.async_ops.dropped` on that span
//       (findings and cancellations first, then by goroutine id);
//     kMaxEventsPerSpan events on one span; the rest counted in the span's
//       dropped_events_count (OTLP's own field);
//     kMaxWokenPerCancel woken goroutines listed per cancel.call event;
//       `cancel.woken.count` is the total.
// - Strings come from the trace and are untrusted: the encoder makes them
//   inert UTF-8 (ProtoWriter::String).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "report/check_result.h"

namespace cancelflow::otlp {

inline constexpr size_t kMaxAsyncOpsPerParent = 32;
inline constexpr size_t kMaxEventsPerSpan = 128;
inline constexpr size_t kMaxWokenPerCancel = 32;

// An attribute value: OTLP's AnyValue, restricted to what cancelflow sends.
using AttributeValue = std::variant<std::string, int64_t, bool, double, std::vector<int64_t>>;
struct Attribute {
  std::string key;
  AttributeValue value;
};
using Attributes = std::vector<Attribute>;

struct SpanEvent {
  uint64_t time_unix_nano = 0;
  std::string name;
  Attributes attributes;
};

enum class StatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };  // OTLP's Status.StatusCode

using TraceId = std::array<uint8_t, 16>;

struct Span {
  TraceId trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0: a root span
  std::string name;
  uint64_t start_unix_nano = 0, end_unix_nano = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  uint32_t dropped_events = 0;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
};

// The spans of one analyzed trace: one OTLP trace (all share trace_id),
// parents before children.
struct TraceSpans {
  TraceId trace_id{};
  std::vector<Span> spans;
};

struct SpanModelOptions {
  uint64_t now_unix_ns = 0;  // the export time: anchors traces without a clock snapshot
};

// One TraceSpans per trace of `result`, in its order.
std::vector<TraceSpans> BuildSpans(const report::CheckResult& result, const SpanModelOptions& options);

// Lowercase hex of a trace id / span id (for logs and tests).
std::string Hex(const TraceId& id);
std::string Hex(uint64_t span_id);

// The attribute `key` of a span or event, nullptr when absent (tests, encoders).
const AttributeValue* FindAttribute(const Attributes& attrs, std::string_view key);

}  // namespace cancelflow::otlp
