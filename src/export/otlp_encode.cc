#include "export/otlp_encode.h"

#include <type_traits>

#include "base/byte_cursor.h"
#include "report/protobuf_writer.h"

namespace cancelflow::otlp {
namespace {

using report::ProtoWriter;

void WriteValue(ProtoWriter& w, uint32_t field, const AttributeValue& value) {
  const auto v = w.BeginMessage(field);  // AnyValue
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          w.String(1, x);
        } else if constexpr (std::is_same_v<T, bool>) {
          w.Bool(2, x);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w.Int64(3, x);
        } else if constexpr (std::is_same_v<T, double>) {
          w.Double(4, x);
        } else {
          const auto arr = w.BeginMessage(5);  // ArrayValue
          for (const int64_t n : x) {
            const auto item = w.BeginMessage(1);
            w.Int64(3, n);
            w.EndMessage(item);
          }
          w.EndMessage(arr);
        }
      },
      value);
  w.EndMessage(v);
}

void WriteAttributes(ProtoWriter& w, uint32_t field, const Attributes& attrs) {
  for (const Attribute& a : attrs) {
    const auto kv = w.BeginMessage(field);
    w.String(1, a.key);
    WriteValue(w, 2, a.value);
    w.EndMessage(kv);
  }
}

// Span ids as 8 bytes, least significant first (Hex() prints the same order).
std::string_view IdBytes(uint64_t id, char (&buf)[8]) {
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(id >> (8 * i));
  return {buf, 8};
}

void WriteSpan(ProtoWriter& w, const Span& s) {
  const auto m = w.BeginMessage(2);  // ScopeSpans.spans
  w.Bytes(1, std::string_view(reinterpret_cast<const char*>(s.trace_id.data()), s.trace_id.size()));
  char buf[8];
  w.Bytes(2, IdBytes(s.span_id, buf));
  if (s.parent_span_id != 0) w.Bytes(4, IdBytes(s.parent_span_id, buf));
  w.String(5, s.name);
  w.Varint(6, 1);  // SPAN_KIND_INTERNAL
  w.Fixed64(7, s.start_unix_nano);
  w.Fixed64(8, s.end_unix_nano);
  WriteAttributes(w, 9, s.attributes);
  for (const SpanEvent& e : s.events) {
    const auto ev = w.BeginMessage(11);
    w.Fixed64(1, e.time_unix_nano);
    w.String(2, e.name);
    WriteAttributes(w, 3, e.attributes);
    w.EndMessage(ev);
  }
  if (s.dropped_events > 0) w.Varint(12, s.dropped_events);
  if (s.status != StatusCode::kUnset) {
    const auto st = w.BeginMessage(15);
    if (!s.status_message.empty()) w.String(2, s.status_message);
    w.Varint(3, static_cast<uint64_t>(s.status));
    w.EndMessage(st);
  }
  w.EndMessage(m);
}

// Skips one field of wire type `type`; false if the data is malformed.
bool SkipField(ByteCursor& c, uint64_t type) {
  switch (type) {
    case 0: c.ReadUvarint(); break;
    case 1: c.Skip(8); break;
    case 2: c.Skip(c.ReadUvarint()); break;
    case 5: c.Skip(4); break;
    default: return false;
  }
  return c.ok();
}

}  // namespace

std::string EncodeExportRequest(const Attributes& resource, const TraceSpans& trace, std::string_view version) {
  ProtoWriter w;
  const auto rs = w.BeginMessage(1);  // ExportTraceServiceRequest.resource_spans
  const auto res = w.BeginMessage(1);  // ResourceSpans.resource
  WriteAttributes(w, 1, resource);
  w.EndMessage(res);
  const auto ss = w.BeginMessage(2);  // ResourceSpans.scope_spans
  const auto scope = w.BeginMessage(1);
  w.String(1, "cancelflow");
  w.String(2, version);
  w.EndMessage(scope);
  for (const Span& s : trace.spans) WriteSpan(w, s);
  w.EndMessage(ss);
  w.EndMessage(rs);
  return std::move(w.mutable_data());
}

std::optional<PartialSuccess> DecodeExportResponse(std::string_view body) {
  PartialSuccess out;
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  ByteCursor c(p, p + body.size());
  while (!c.AtEnd()) {
    const uint64_t tag = c.ReadUvarint();
    if (!c.ok()) return std::nullopt;
    if (tag != (1 << 3 | 2)) {
      if (!SkipField(c, tag & 7)) return std::nullopt;
      continue;
    }
    const std::string_view msg = c.ReadBytes(c.ReadUvarint());
    if (!c.ok()) return std::nullopt;
    const auto* q = reinterpret_cast<const uint8_t*>(msg.data());
    ByteCursor m(q, q + msg.size());
    while (!m.AtEnd()) {
      const uint64_t t = m.ReadUvarint();
      if (t == (1 << 3 | 0)) {
        out.rejected_spans = static_cast<int64_t>(m.ReadUvarint());
      } else if (t == (2 << 3 | 2)) {
        out.error_message = std::string(m.ReadBytes(m.ReadUvarint()));
      } else if (!SkipField(m, t & 7)) {
        return std::nullopt;
      }
      if (!m.ok()) return std::nullopt;
    }
  }
  return out;
}

}  // namespace cancelflow::otlp
