// Fuzz target over every reader layer: header, flat raw events (with frame
// and data decoding), the batch scanner, and the stats pass. The only
// acceptable outcomes are a value or an Error; sanitizers catch the rest.
// Then the ordered reader (every event) and the full cancellation analysis
// with both report writers, so hostile traces reach every stage.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/go_quote.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "base/trace_buffer.h"
#include "wire/batch.h"
#include "wire/raw_reader.h"
#include "wire/text_format.h"
#include "wire/wire_stats.h"

using namespace cancelflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TraceBuffer buf = TraceBuffer::FromBytes(std::string_view(reinterpret_cast<const char*>(data), size));

  if (auto raw = wire::RawReader::Open(buf)) {
    wire::RawEvent ev;
    std::string sink;
    for (;;) {
      auto more = raw->Next(&ev);
      if (!more || !*more) break;
      if (ev.spec().is_stack) {
        wire::RawFrameIterator it(ev);
        uint64_t f[4];
        while (it.Next(f)) {
        }
      }
      if (ev.data_present) {
        sink.clear();
        AppendGoQuote(ev.data, &sink);
      }
    }
  }

  if (auto scanner = wire::BatchScanner::Open(buf)) {
    wire::Batch b;
    for (;;) {
      auto more = scanner->Next(&b);
      if (!more || !*more) break;
    }
  }

  // The parallel fast wire pass (small windows, so several windows, slices
  // and fallbacks happen) must agree exactly with the sequential one.
  {
    auto exact = wire::ComputeWireStats(buf, {.exact = true});
    auto fast = wire::ComputeWireStats(buf, {.threads = 3, .window_bytes = 512});
    if (exact.has_value() != fast.has_value() || (exact && !wire::SameWireStats(*exact, *fast))) __builtin_trap();
  }

  if (auto reader = Reader::Open(buf)) {
    Event e;
    for (;;) {
      auto more = reader->Next(&e);
      if (!more || !*more) break;
      if (e.kind == EventKind::kStateTransition) (void)GetStateTransition(e);
    }
  }
  if (auto a = Analyze(buf, AnalysisOptions{})) {
    (void)report::AnalysisToJson(*a, report::JsonOptions{"fuzz", -1});
    (void)report::AnalysisToText(*a, report::TextOptions{});
  }

  // The same bytes as Go's text format.
  (void)wire::TextToBinary(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
