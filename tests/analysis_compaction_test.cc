// Dropping the records of goroutines that ended without mattering (ModelState
// "retired" goroutines, AnalysisOptions::compact_goroutines_at) must not change
// any result: on every committed trace, the full JSON document with
// compaction at every opportunity (1) equals the one without compaction (0).
// The model-level check proves compaction actually ran on these inputs.
#include <gtest/gtest.h>

#include "analysis/model_builder.h"
#include "analysis/rules.h"
#include "analysis_test_util.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"

namespace cancelflow {
namespace {

std::string Json(const TraceBuffer& buf, uint64_t compact_at) {
  AnalysisOptions o;
  o.compact_goroutines_at = compact_at;
  return analysistest::AnalysisJson(buf, o);
}

TEST(GoroutineCompaction, ResultsDoNotDependOnIt) {
  const auto files = analysistest::CommittedTraces();
  ASSERT_GE(files.size(), 20u);
  uint64_t compactions = 0, retired = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    auto buf = TraceBuffer::Open(path.string());
    ASSERT_TRUE(buf.has_value());
    EXPECT_EQ(Json(*buf, 1), Json(*buf, 0));

    // The same pass at the model level, to see that compaction happened.
    auto reader = Reader::Open(*buf);
    if (!reader) continue;  // go1.21: unsupported version, an error either way (compared above)
    AnalysisOptions o;
    o.compact_goroutines_at = 1;
    analysis::ModelBuilder builder(o, *reader);
    Event e;
    for (;;) {
      auto more = reader->Next(&e);
      if (!more || !*more) break;
      builder.OnEvent(e);
    }
    const analysis::ModelState m = builder.Finish(-1);
    compactions += m.compactions;
    retired += m.retired_creator.size();
  }
  EXPECT_GT(compactions, 10u);
  EXPECT_GT(retired, 100u);
}

// The detached-context rule walks creator links up from the goroutine that
// created a detached context to one bound to a cancelable context; the walk
// must go through goroutines that ended and were compacted away (only their
// creator link is kept). Model: handler G1 (bound to a cancelable context) ->
// G2 (unbound, ended) -> G3, which created a WithoutCancel context.
TEST(GoroutineCompaction, DetachedContextWalkCrossesRetiredGoroutines) {
  StringPool strings;
  StackPool stacks;
  auto model = [&](bool compact) {
    analysis::ModelState m;
    m.strings = &strings;
    m.stacks = &stacks;
    auto add_go = [&](int64_t id, int64_t creator, uint64_t ctx) -> analysis::GoRecord& {
      analysis::GoRecord& g = m.Get(GoId(id));
      g.info.creator = GoId(creator);
      g.info.created = 1;
      g.info.context_id = ctx;
      return g;
    };
    add_go(1, 0, 100);
    analysis::GoRecord& g2 = add_go(2, 1, 0);
    g2.info.ended = 5;
    m.Retire(g2);
    add_go(3, 2, 0);
    ContextInfo handler;
    handler.id = 100;
    handler.kind = "cancel";
    m.ctx_index.Insert(100, static_cast<uint32_t>(m.contexts.size()));
    m.contexts.push_back(handler);
    ContextInfo detached;
    detached.id = 200;
    detached.kind = "withoutcancel";
    detached.created_by = GoId(3);
    m.ctx_index.Insert(200, static_cast<uint32_t>(m.contexts.size()));
    m.contexts.push_back(detached);
    if (compact) m.CompactRetired();
    analysis::DeriveFacts(m, AnalysisOptions{});  // the walk: ContextInfo::under_cancelable
    return m;
  };
  for (bool compact : {false, true}) {
    SCOPED_TRACE(compact ? "compacted" : "not compacted");
    const analysis::ModelState m = model(compact);
    EXPECT_EQ(m.Find(GoId(2)) == nullptr, compact);
    analysis::FindingSink out;
    analysis::FindDetachedContexts(m, AnalysisOptions{}, &out);
    ASSERT_EQ(out.findings.size(), 1u);
    EXPECT_EQ(out.findings[0].context_id, 200u);
  }
}

}  // namespace
}  // namespace cancelflow
