// OTLP/protobuf encoding of the span model (otlp_spans.h) as an
// ExportTraceServiceRequest, and decoding of the ExportTraceServiceResponse's
// partial_success, with report::ProtoWriter (no libprotobuf link).
//
// Field numbers are opentelemetry-proto's (v1.x, stable since 1.0):
//   collector/trace/v1/trace_service.proto
//     ExportTraceServiceRequest  { repeated ResourceSpans resource_spans = 1; }
//     ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
//     ExportTracePartialSuccess  { int64 rejected_spans = 1; string error_message = 2; }
//   trace/v1/trace.proto
//     ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
//     ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2; }
//     Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4;
//            string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7;
//            fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
//            repeated Event events = 11; uint32 dropped_events_count = 12; Status status = 15; }
//     Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
//     Status { string message = 2; StatusCode code = 3; }
//   common/v1/common.proto
//     KeyValue { string key = 1; AnyValue value = 2; }
//     AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
//                double double_value = 4; ArrayValue array_value = 5; }
//     ArrayValue { repeated AnyValue values = 1; }
//     InstrumentationScope { string name = 1; string version = 2; }
//   resource/v1/resource.proto
//     Resource { repeated KeyValue attributes = 1; }
// tests/export/otlp_e2e.py decodes the output with the upstream generated
// modules (PyPI opentelemetry-proto), so a wrong number here fails a test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "export/otlp_spans.h"

namespace cancelflow::otlp {

// One request: the resource, one scope ("cancelflow", `version`), the spans of `trace`.
std::string EncodeExportRequest(const Attributes& resource, const TraceSpans& trace, std::string_view version);

struct PartialSuccess {
  int64_t rejected_spans = 0;
  std::string error_message;
};
// The response's partial_success (an empty body is a full success); nullopt
// when the body is not a valid ExportTraceServiceResponse.
std::optional<PartialSuccess> DecodeExportResponse(std::string_view body);

}  // namespace cancelflow::otlp
