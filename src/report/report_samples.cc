// Writes the gate's reports for the hand-built sample analysis (hostile
// strings included) into a directory, for the schema/XML validation tests:
//   report_samples OUTDIR  ->  OUTDIR/sample.sarif, sample.xml, sample-baseline.sarif
#include <cstdio>
#include <fstream>
#include <string>

#include "report/junit_writer.h"
#include "report/sarif_writer.h"
#include "report/testing/sample_analysis.h"

namespace {

bool Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cancelflow;
  using namespace cancelflow::report;
  if (argc != 2) {
    std::fprintf(stderr, "usage: report_samples OUTDIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  CheckConfig config;
  config.fail_on = Severity::kNote;
  CheckResult r;
  r.module_root = "/src/my mod";
  AddTrace(r, "t.trace", testing::SampleAnalysis("/src/my mod"), config, {});
  CheckResult suppressed;
  suppressed.module_root = "";
  AddTrace(suppressed, "t.trace", testing::SampleAnalysis("/src/my mod"), config,
           {r.traces[0].findings[0].fingerprint});
  const bool ok = Write(dir + "/sample.sarif", WriteSarif(r, "0.1.0")) && Write(dir + "/sample.xml", WriteJUnit(r)) &&
                  Write(dir + "/sample-baseline.sarif", WriteSarif(suppressed, "0.1.0"));
  return ok ? 0 : 1;
}
