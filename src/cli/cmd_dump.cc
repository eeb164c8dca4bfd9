// `cancelflow dump`: print a trace exactly as `go tool trace -d=wire` (and,
// once ordering lands, -d=parsed) prints it, byte for byte on stdout. Errors
// go to stderr with the byte offset and generation.
#include <fmt/format.h>

#include "base/go_quote.h"
#include "base/trace_buffer.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cancelflow/reader.h"
#include "order/go_parsed_format.h"
#include "wire/raw_reader.h"
#include "wire/wire_stats.h"

namespace cancelflow::cli {
namespace {

void AppendUint(std::string* out, uint64_t v) { fmt::format_to(std::back_inserter(*out), "{}", v); }

// raw.Event.String().
void AppendWireEvent(const wire::RawEvent& ev, std::string* out) {
  const wire::EventSpec& spec = ev.spec();
  out->append(spec.name);
  for (size_t i = 0; i < spec.nargs; ++i) {
    out->push_back(' ');
    out->append(spec.args[i]);
    out->push_back('=');
    AppendUint(out, ev.args[i]);
  }
  if (spec.is_stack) {
    static constexpr std::string_view kFields[4] = {"pc=", " func=", " file=", " line="};
    wire::RawFrameIterator it(ev);
    uint64_t f[4];
    while (it.Next(f)) {
      out->append("\n\t");
      for (int i = 0; i < 4; ++i) {
        out->append(kFields[i]);
        AppendUint(out, f[i]);
      }
    }
  }
  if (ev.data_present) {
    out->append("\n\tdata=");
    AppendGoQuote(ev.data, out);
  }
  out->push_back('\n');
}

int DumpWire(const TraceBuffer& buf) {
  auto reader = wire::RawReader::Open(buf);
  if (!reader) {
    PrintError(reader.error().ToString());
    return kExitError;
  }
  Output out;
  wire::RawEvent ev;
  for (;;) {
    auto more = reader->Next(&ev);
    if (!more) {
      out.Flush();
      PrintError(more.error().ToString());
      return kExitError;
    }
    if (!*more) break;
    AppendWireEvent(ev, &out.buf());
    out.MaybeFlush();
  }
  // Go's raw reader sees a flat stream and accepts some malformed traces
  // (oversized or truncated batches, generation 0, reused ids). Print what it
  // prints, then validate the batch structure and report what is wrong.
  out.Flush();
  auto st = wire::ComputeWireStats(buf);
  if (st && st->error) {
    PrintError(st->error->ToString());
    return kExitError;
  }
  return kExitOk;
}

// `go tool trace -d=parsed`: every ordered event's String(). On error, the
// events before it are printed, then the error: exit 3 ("partial") if at
// least one generation was delivered completely, else 2.
int DumpParsed(const TraceBuffer& buf) {
  auto reader = Reader::Open(buf);
  if (!reader) {
    PrintError(reader.error().ToString());
    return kExitError;
  }
  Output out;
  Event ev;
  for (;;) {
    auto more = reader->Next(&ev);
    if (!more) {
      out.Flush();
      PrintError(more.error().ToString());
      return reader->generations_completed() > 0 ? kExitPartial : kExitError;
    }
    if (!*more) break;
    order::AppendGoParsedLine(ev, *reader, &out.buf());
    out.MaybeFlush();
  }
  return kExitOk;
}

}  // namespace

int RunDump(const DumpOptions& opts) {
  auto buf = TraceBuffer::Open(opts.path);
  if (!buf) {
    PrintError(buf.error().message);
    return kExitError;
  }
  if (opts.format == "go-wire") return DumpWire(*buf);
  if (opts.format == "go-parsed") return DumpParsed(*buf);
  PrintError(fmt::format("unknown dump format {:?}; want go-wire or go-parsed", opts.format));
  return kExitError;
}

}  // namespace cancelflow::cli
