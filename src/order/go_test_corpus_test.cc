// Go's own golden ordering tests (internal/trace/testdata/tests/*.test):
// each file holds a raw-text trace and the expected verdict. The reader must
// reach the end for SUCCESS, and fail with a message matching the regexp for
// FAILURE.
//
// The directory is ${CANCELFLOW_SOURCE_DIR}/tests/upstream/x-exp/tests, or
// $CANCELFLOW_GO_TESTS_DIR, falling back to $(go env GOROOT)'s copy.
// libstdc++ 12's <regex> trips a bogus -Wmaybe-uninitialized under
// -fsanitize builds (std::function move in regex_automaton.h).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/trace_buffer.h"
#include "cancelflow/reader.h"
#include "wire/text_format.h"

namespace cancelflow {
namespace {

namespace fs = std::filesystem;

std::string GoRoot() {
  if (const char* r = std::getenv("GOROOT"); r != nullptr && *r != '\0') return r;
  std::string out;
  if (FILE* p = popen("go env GOROOT 2>/dev/null", "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

fs::path TestsDir() {
  if (const char* d = std::getenv("CANCELFLOW_GO_TESTS_DIR"); d != nullptr && *d != '\0') return d;
  fs::path p = fs::path(CANCELFLOW_SOURCE_DIR) / "tests/upstream/x-exp/tests";
  if (fs::is_directory(p)) return p;
  const std::string goroot = GoRoot();
  if (!goroot.empty()) return fs::path(goroot) / "src/internal/trace/testdata/tests";
  return p;
}

std::vector<fs::path> TestFiles() {
  std::vector<fs::path> files;
  const fs::path dir = TestsDir();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Outcome {
  bool ok = false;
  std::string error;
  uint64_t events = 0;
};

Outcome ReadAll(const std::string& bytes) {
  Outcome o;
  TraceBuffer buf = TraceBuffer::FromBytes(bytes);
  auto r = Reader::Open(buf);
  if (!r) {
    o.error = r.error().message;
    return o;
  }
  Event ev;
  for (;;) {
    auto more = r->Next(&ev);
    if (!more) {
      o.error = more.error().message;
      return o;
    }
    if (!*more) break;
    ++o.events;
  }
  o.ok = true;
  return o;
}

class GoTestCorpus : public ::testing::TestWithParam<fs::path> {};

TEST_P(GoTestCorpus, VerdictMatches) {
  auto loaded = wire::LoadGoTestFile(GetParam().string());
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  const wire::GoTestFile& test = loaded->test;
  const std::string& bytes = loaded->bytes;
  // For differential runs: CANCELFLOW_WRITE_TEST_TRACES=DIR keeps the binary traces.
  if (const char* d = std::getenv("CANCELFLOW_WRITE_TEST_TRACES"); d != nullptr && *d != '\0') {
    std::ofstream(fs::path(d) / (GetParam().stem().string() + ".trace"), std::ios::binary) << bytes;
  }
  const Outcome o = ReadAll(bytes);
  if (!test.expect_failure) {
    EXPECT_TRUE(o.ok) << "unexpected error: " << o.error;
    EXPECT_GT(o.events, 0u);
  } else {
    ASSERT_FALSE(o.ok) << "expected failure matching " << test.error_pattern;
    const std::regex re(test.error_pattern, std::regex::ECMAScript);
    EXPECT_TRUE(std::regex_search(o.error, re)) << "error " << o.error << " does not match " << test.error_pattern;
  }
}

std::string Name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string s = info.param.stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Go, GoTestCorpus, ::testing::ValuesIn(TestFiles()), Name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoTestCorpus);

// Go's FuzzReader corpus as binary files with the reference verdict
// (tests/upstream/x-exp/fuzz-bin/VERDICTS.txt: "name.bin accept|reject").
// Accept = the reader reaches the end without an error. v1 traces (Go <=
// 1.21) are rejected by cancelflow by design and skipped when Go accepts them.
TEST(GoFuzzCorpus, VerdictsMatch) {
  fs::path dir = fs::path(CANCELFLOW_SOURCE_DIR) / "tests/upstream/x-exp/fuzz-bin";
  if (const char* d = std::getenv("CANCELFLOW_GO_FUZZ_BIN_DIR"); d != nullptr && *d != '\0') dir = d;
  std::ifstream verdicts(dir / "VERDICTS.txt");
  if (!verdicts) GTEST_SKIP() << "no " << (dir / "VERDICTS.txt");
  std::string name, verdict;
  int checked = 0;
  while (verdicts >> name >> verdict) {
    std::ifstream in(dir / name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    const Outcome o = ReadAll(bytes);
    const bool v1 = bytes.rfind("go 1.11 trace", 0) == 0 || bytes.rfind("go 1.19 trace", 0) == 0 ||
                    bytes.rfind("go 1.21 trace", 0) == 0;
    if (v1 && verdict == "accept") continue;
    EXPECT_EQ(o.ok ? "accept" : "reject", verdict) << name << ": " << o.error;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(GoTestCorpusDir, HasFiles) { EXPECT_FALSE(TestFiles().empty()) << "no .test files in " << TestsDir(); }

}  // namespace
}  // namespace cancelflow
