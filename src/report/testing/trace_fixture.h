// Test helpers for the report writers: run a trace file through the Reader,
// feeding observers (as Analyze does), and build an Analysis by hand on the
// Reader's pools; decode protobuf output with protoc.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"

namespace cancelflow::report::testing {

struct Pass {
  TraceBuffer buf;
  std::optional<Reader> reader;
  std::vector<Event> events;  // every event (for picking ids in tests)
  std::unique_ptr<Analysis> analysis;
};

// Reads `path` (relative to the source tree) once, feeding `observers`.
inline std::unique_ptr<Pass> RunPass(const std::string& path, const std::vector<EventObserver*>& observers) {
  auto pass = std::make_unique<Pass>();
  auto buf = TraceBuffer::Open(std::string(CANCELFLOW_SOURCE_DIR) + "/" + path);
  EXPECT_TRUE(buf) << path;
  if (!buf) return nullptr;
  pass->buf = std::move(*buf);
  auto r = Reader::Open(pass->buf);
  EXPECT_TRUE(r) << path;
  if (!r) return nullptr;
  pass->reader.emplace(std::move(*r));
  Event e;
  for (;;) {
    auto more = pass->reader->Next(&e);
    EXPECT_TRUE(more) << path;
    if (!more || !*more) break;
    pass->events.push_back(e);
    for (EventObserver* o : observers) o->OnEvent(e, *pass->reader);
  }
  // Borrow the Reader's pools (the Pass outlives the Analysis).
  auto strings = std::shared_ptr<const StringPool>(&pass->reader->strings(), [](const StringPool*) {});
  auto stacks = std::shared_ptr<const StackPool>(&pass->reader->stacks(), [](const StackPool*) {});
  pass->analysis = std::make_unique<Analysis>(strings, stacks);
  if (!pass->events.empty()) {
    pass->analysis->quality.start = pass->events.front().time;
    pass->analysis->quality.end = pass->events.back().time;
  }
  return pass;
}

// Runs `cmd` and returns its standard output; *status gets the exit status.
inline std::string RunCommand(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *status = -1;
    return out;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

inline std::string TempPath(const std::string& name) {
  return std::string(::testing::TempDir()) + "/" + name;
}

inline bool WriteFile(const std::string& path, std::string_view data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace cancelflow::report::testing
