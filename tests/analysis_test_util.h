// Shared by the analysis tests: the inputs (files under the source tree,
// hand-written raw-text batches) and the result as one comparable string.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "report/json_report.h"
#include "wire/text_format.h"

namespace cancelflow::analysistest {

// Regular files under the given source-tree directories (recursively) whose
// name ends in `ext`; ext "" takes every file but *.md. Sorted.
inline std::vector<std::filesystem::path> SourceFiles(std::initializer_list<const char*> dirs, std::string_view ext) {
  const std::filesystem::path root(CANCELFLOW_SOURCE_DIR);
  std::vector<std::filesystem::path> files;
  for (const char* dir : dirs) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir, ec))
      if (e.is_regular_file() && (ext.empty() ? e.path().extension() != ".md" : e.path().extension() == ext))
        files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The committed traces: every supported Go version and the examples.
inline std::vector<std::filesystem::path> CommittedTraces() {
  return SourceFiles({"tests/corpus/traces", "examples/traces"}, ".trace");
}

// The full JSON document of Analyze with `o`, or "error: ..." when it fails.
inline std::string AnalysisJson(const TraceBuffer& buf, const AnalysisOptions& o) {
  auto a = Analyze(buf, o);
  if (!a) return "error: " + a.error().ToString();
  return report::AnalysisToJson(*a, report::JsonOptions{"t", -1});
}

// One batch in Go's raw text form (wire/text_format.h) for a "Trace Go1.22"
// trace, its size computed from `content` (event and table lines).
inline std::string TextBatch(int gen, uint64_t m, int64_t time, const std::string& content) {
  auto bytes = wire::TextToBinary("Trace Go1.22\n" + content);
  EXPECT_TRUE(bytes) << bytes.error().ToString();
  const size_t size = bytes ? bytes->size() - 16 : 0;  // the 16-byte header
  return "EventBatch gen=" + std::to_string(gen) + " m=" + std::to_string(m) + " time=" + std::to_string(time) +
         " size=" + std::to_string(size) + "\n" + content;
}

}  // namespace cancelflow::analysistest
