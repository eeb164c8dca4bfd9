// `cancelflow text2bin IN OUT`: converts Go's raw text trace format (or a
// `.test` txtar file from Go's corpus) into a binary trace, like Go's
// `gotraceraw text2bytes`. Used by tests to feed Go's upstream corpus to both
// cancelflow and `go tool trace`.
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "base/trace_buffer.h"
#include "cli/commands.h"
#include "wire/text_format.h"

namespace cancelflow::cli {

int RunText2Bin(const Text2BinOptions& opts) {
  auto in = TraceBuffer::Open(opts.in);
  if (!in) {
    PrintError(in.error().message);
    return kExitError;
  }
  std::string_view text(reinterpret_cast<const char*>(in->data()), in->size());
  std::string trace_text;
  if (text.substr(0, 3) == "-- ") {
    auto test = wire::ParseGoTestFile(text);
    if (!test) {
      PrintError(fmt::format("{}: {}", opts.in, test.error().message));
      return kExitError;
    }
    trace_text = std::move(test->trace_text);
    text = trace_text;
  }
  auto bin = wire::TextToBinary(text);
  if (!bin) {
    PrintError(fmt::format("{}: {}", opts.in, bin.error().message));
    return kExitError;
  }
  std::ofstream out(opts.out, std::ios::binary | std::ios::trunc);
  out.write(bin->data(), static_cast<std::streamsize>(bin->size()));
  if (!out) {
    PrintError(fmt::format("cannot write {}", opts.out));
    return kExitError;
  }
  return kExitOk;
}

}  // namespace cancelflow::cli
