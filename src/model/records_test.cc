#include "model/records.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace cancelflow::model {
namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(CANCELFLOW_SOURCE_DIR) + "/docs/records.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The schema sync test: docs/records.md is the single source of truth; the
// rows between <!-- records:begin --> and <!-- records:end --> must equal
// records.def, record for record (the Go side has the same test).
TEST(RecordSchema, MatchesDocsRecordsMd) {
  const std::string doc = ReadDoc();
  const size_t b = doc.find("<!-- records:begin -->"), e = doc.find("<!-- records:end -->");
  ASSERT_NE(b, std::string::npos) << "docs/records.md has no records table";
  ASSERT_NE(e, std::string::npos);
  std::istringstream table(doc.substr(b, e - b));
  std::map<std::string, std::pair<std::string, std::string>> rows;  // record -> (carrier, fields)
  std::string line;
  while (std::getline(table, line)) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| record", 0) == 0 || line.rfind("|---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream cs(line.substr(1));
    std::string cell;
    while (std::getline(cs, cell, '|')) {
      const auto first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    ASSERT_GE(cells.size(), 3u) << line;
    rows[cells[0]] = {cells[1], cells[2]};
  }
  ASSERT_EQ(rows.size(), static_cast<size_t>(RecordType::kCount)) << "records in docs vs records.def";
  for (int t = 0; t < static_cast<int>(RecordType::kCount); ++t) {
    const RecordSchema& s = Schema(static_cast<RecordType>(t));
    auto it = rows.find(std::string(s.name));
    ASSERT_NE(it, rows.end()) << s.name << " is in records.def but not in docs/records.md";
    EXPECT_EQ(it->second.first, s.carrier) << s.name;
    EXPECT_EQ(it->second.second, s.fields) << s.name;
  }
}

TEST(DecodeRecord, Ctx) {
  Record r;
  ASSERT_EQ(DecodeRecord("cancelflow/v1/ctx",
                         "id=7 parent=3 ancestor=3 parent_kind=ctx parent_type=\"\" kind=timeout deadline_ns=1700000000000000000 "
                         "timeout_ns=50000000 parent_deadline_ns=0 func=\"main.handle\" file=\"/src/a b=c.go\" line=42",
                         &r),
            Outcome::kOk);
  EXPECT_EQ(r.type, RecordType::kCtx);
  EXPECT_EQ(r.Int("id"), 7);
  EXPECT_EQ(r.Str("kind"), "timeout");
  EXPECT_EQ(r.Int("timeout_ns"), 50000000);
  EXPECT_EQ(r.Str("file"), "/src/a b=c.go");
  EXPECT_EQ(r.Int("line"), 42);
}

TEST(DecodeRecord, QuotedStringsWithEscapes) {
  Record r;
  ASSERT_EQ(DecodeRecord("cancelflow/v1/cancel",
                         "id=1 noop=false cause=\"boom \\\"x\\\"\\n<script>\" func=\"main.f\" file=\"f.go\" line=-1", &r),
            Outcome::kOk);
  EXPECT_EQ(r.Str("cause"), "boom \"x\"\n<script>");
  EXPECT_FALSE(r.Bool("noop"));
  EXPECT_EQ(r.Int("line"), -1);
}

TEST(DecodeRecord, VersionsAndUnknownsAreCountedNotFatal) {
  Record r;
  EXPECT_EQ(DecodeRecord("app/log", "x", &r), Outcome::kNotARecord);
  EXPECT_EQ(DecodeRecord("cancelflow/v2/ctx", "anything", &r), Outcome::kUnknownVersion);
  EXPECT_EQ(DecodeRecord("cancelflow/vx/ctx", "", &r), Outcome::kUnknownVersion);
  EXPECT_EQ(DecodeRecord("cancelflow/v1/teleport", "", &r), Outcome::kUnknownRecord);
}

TEST(DecodeRecord, Malformed) {
  Record r;
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "id=1", &r), Outcome::kMalformed);            // missing field
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "gid=1 id=1", &r), Outcome::kMalformed);      // order
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "id=1 gid=x", &r), Outcome::kMalformed);      // value
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "id=1 gid=2 extra=3", &r), Outcome::kMalformed);
  EXPECT_EQ(DecodeRecord("cancelflow/v1/done", "id=1 by=cancel err=\"unterminated cause=\"\"", &r), Outcome::kMalformed);
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "id=1  gid=2", &r), Outcome::kMalformed);     // two spaces
  EXPECT_EQ(DecodeRecord("cancelflow/v1/afterfunc_run", "id=1 gid=2", &r), Outcome::kOk);
}

}  // namespace
}  // namespace cancelflow::model
