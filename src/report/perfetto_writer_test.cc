// PerfettoWriter on real traces (events from the Reader) with hand-built
// Analysis results, decoded by protoc: tracks, slices, nesting, flows from
// each cancel to every goroutine it woke, context tracks, bounds.
#include "report/perfetto_writer.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/testing/perfetto_decode.h"
#include "report/testing/trace_fixture.h"

namespace cancelflow::report {
namespace {

using testing::DecodedTrace;

struct Written {
  PerfettoStats stats;
  DecodedTrace trace;
};

Written WriteAndDecode(PerfettoWriter& w, const Analysis& a, const std::string& name) {
  std::string bytes;
  Written out;
  out.stats = w.Write(a, [&](std::string_view chunk) { bytes.append(chunk); });
  EXPECT_EQ(out.stats.bytes, bytes.size());
  const std::string path = testing::TempPath(name);
  EXPECT_TRUE(testing::WriteFile(path, bytes));
  out.trace = testing::DecodePerfetto(path);
  EXPECT_TRUE(out.trace.ok) << out.trace.error;
  return out;
}

// Structural checks every output must pass.
void ExpectWellFormed(const DecodedTrace& t, const PerfettoStats& stats) {
  EXPECT_EQ(t.packets_without_sequence, 0u);
  EXPECT_EQ(t.tracks.size(), stats.tracks);
  std::set<uint64_t> uuids;
  std::set<int64_t> pids;
  for (const auto& tr : t.tracks) {
    EXPECT_NE(tr.uuid, 0u);
    EXPECT_TRUE(uuids.insert(tr.uuid).second) << "duplicate track " << tr.uuid;
    if (tr.is_process) pids.insert(tr.pid);
  }
  for (const auto& tr : t.tracks) {
    if (tr.parent) {
      EXPECT_TRUE(uuids.count(tr.parent)) << tr.name;
    }
    if (tr.is_thread) {
      EXPECT_TRUE(pids.count(tr.pid)) << "thread without process: " << tr.name;
    }
  }
  uint64_t last_ts = 0, begins = 0, instants = 0;
  std::map<uint64_t, int> depth;
  for (const auto& e : t.events) {
    EXPECT_TRUE(uuids.count(e.track)) << "event on undeclared track: " << e.name;
    EXPECT_GE(e.ts, last_ts) << "events out of order";
    last_ts = e.ts;
    if (e.type == "TYPE_SLICE_BEGIN") {
      ++depth[e.track];
      ++begins;
      EXPECT_FALSE(e.name.empty());
    } else if (e.type == "TYPE_SLICE_END") {
      EXPECT_GT(depth[e.track]--, 0) << "end without begin on track " << e.track;
    } else {
      EXPECT_EQ(e.type, "TYPE_INSTANT");
      ++instants;
    }
  }
  for (const auto& [track, d] : depth) EXPECT_EQ(d, 0) << "unclosed slice on track " << track;
  EXPECT_EQ(begins, stats.slices);
  EXPECT_EQ(instants, stats.instants);
}

// The writer's tids sit above every pid (pid_max, 2^22): tid = 2^22 + goroutine id.
const testing::DecodedTrack* ThreadOf(const DecodedTrace& t, int64_t goid) {
  for (const auto& tr : t.tracks)
    if (tr.is_thread && tr.tid == (int64_t{1} << 22) + goid) return &tr;
  return nullptr;
}

// Goroutines created by g1 in the trace, in creation order.
std::vector<GoId> CreatedBy(const testing::Pass& p, GoId creator) {
  std::vector<GoId> out;
  for (const Event& e : p.events) {
    if (e.kind != EventKind::kStateTransition || e.goroutine != creator) continue;
    const StateTransition st = GetStateTransition(e);
    if (st.resource.kind == ResourceKind::kGoroutine && st.go_from() == GoState::kNotExist)
      out.push_back(GoId(st.resource.id));
  }
  return out;
}

TEST(PerfettoWriter, GoroutineTimelineOfARealTrace) {
  PerfettoWriter w;
  auto pass = testing::RunPass("examples/traces/cancel-demo.trace", {&w});
  ASSERT_TRUE(pass);
  auto out = WriteAndDecode(w, *pass->analysis, "timeline.pftrace");
  ExpectWellFormed(out.trace, out.stats);
  // g1 is main.main, grouped under a process track for its start function.
  const auto* g1 = ThreadOf(out.trace, 1);
  ASSERT_NE(g1, nullptr);
  EXPECT_THAT(g1->name, ::testing::HasSubstr("g1"));
  // Goroutines created in the trace are named by start function and grouped by creation site.
  const auto created = CreatedBy(*pass, GoId(1));
  ASSERT_FALSE(created.empty());
  const testing::DecodedTrack* child = nullptr;
  for (GoId g : created) {
    const auto* t = ThreadOf(out.trace, g.value());
    if (t && t->name.rfind("main.", 0) == 0) child = t;
  }
  ASSERT_NE(child, nullptr) << "no goroutine of g1 named main.*";
  bool group_named = false;
  for (const auto& tr : out.trace.tracks)
    if (tr.is_process && tr.pid == child->pid) group_named = tr.name.find(" <- main.main ") != std::string::npos;
  EXPECT_TRUE(group_named) << "group of " << child->name;
  // Running and blocked slices; blocked ones are named by reason and carry the user frame.
  std::set<std::string> names;
  bool blocked_with_site = false;
  for (const auto& e : out.trace.events) {
    if (e.type != "TYPE_SLICE_BEGIN") continue;
    names.insert(e.name);
    if (e.name != "running" && e.name != "syscall" && e.categories == std::vector<std::string>{"sched"} &&
        e.args.count("site") && e.args.at("site").find(".go:") != std::string::npos)
      blocked_with_site = true;
  }
  EXPECT_TRUE(names.count("running"));
  EXPECT_TRUE(blocked_with_site);
  EXPECT_TRUE(names.count("chan receive") || names.count("select") || names.count("sync")) << ::testing::PrintToString(names);
  EXPECT_EQ(out.stats.dropped_total_cap + out.stats.dropped_goroutine_cap, 0u);
}

// A blocked slice's site is the analysis's user frame in the one site form
// ("func (file.go:42)"), so the packages the analysis counts as user code
// (user_packages, the packages under test) count here too.
TEST(PerfettoWriter, BlockedSitesFollowTheAnalysisUserPackages) {
  auto sites = [](const std::vector<std::string>& user_packages) {
    PerfettoWriter w;
    auto pass = testing::RunPass("examples/traces/cancel-demo.trace", {&w});
    EXPECT_TRUE(pass);
    pass->analysis->user_packages = user_packages;
    auto out = WriteAndDecode(w, *pass->analysis, "sites.pftrace");
    std::set<std::string> found;
    for (const auto& e : out.trace.events)
      if (e.type == "TYPE_SLICE_BEGIN" && e.categories == std::vector<std::string>{"sched"} && e.args.count("site"))
        found.insert(e.args.at("site"));
    return found;
  };
  auto in_main = [](const std::set<std::string>& found) {
    size_t n = 0;
    for (const std::string& site : found) n += site.rfind("main.", 0) == 0;
    return n;
  };
  const std::set<std::string> plain = sites({});
  ASSERT_FALSE(plain.empty());
  for (const std::string& site : plain) EXPECT_THAT(site, ::testing::MatchesRegex(R"(\S+ \(\S+\.(go|s):[0-9]+\))")) << site;
  EXPECT_GT(in_main(plain), 0u);  // user frames below the runtime's wait frames
  // With runtime counted as user code, those sites are the runtime's wait frames.
  EXPECT_LT(in_main(sites({"runtime."})), in_main(plain));
}

TEST(PerfettoWriter, CancellationFlowsReachEveryWokenGoroutine) {
  PerfettoWriter w;
  auto pass = testing::RunPass("examples/traces/cancel-demo.trace", {&w});
  ASSERT_TRUE(pass);
  const auto created = CreatedBy(*pass, GoId(1));
  ASSERT_GE(created.size(), 2u);
  Analysis& a = *pass->analysis;
  const Time t0 = a.quality.start + (a.quality.end - a.quality.start) / 2;
  Cancellation c;
  c.index = 0;
  c.kind = CancelKind::kExplicit;
  c.time = t0;
  c.canceler = GoId(1);
  c.cause = "shutdown";
  for (size_t i = 0; i < 2; ++i) {
    WokenGoroutine wg;
    wg.goroutine = created[i];
    wg.unblocked = t0 + 10 + static_cast<Time>(i);
    wg.started = t0 + 20;
    wg.stopped = i == 0 ? t0 + 30 : -1;
    wg.outcome = i == 0 ? WakeOutcome::kExited : WakeOutcome::kRunning;
    c.woken.push_back(wg);
  }
  a.cancellations.push_back(c);
  Finding f;
  f.rule = Rule::kIgnoredCancel;
  f.message = "ignored the cancel";
  f.goroutines = {created[1]};
  f.cancellation = 0;
  a.findings.push_back(f);
  GoroutineInfo gi;
  gi.id = created[1];
  a.goroutines.push_back(gi);

  auto out = WriteAndDecode(w, a, "flows.pftrace");
  ExpectWellFormed(out.trace, out.stats);
  EXPECT_EQ(out.stats.flows, 2u);
  const auto* canceler = ThreadOf(out.trace, 1);
  ASSERT_NE(canceler, nullptr);
  const testing::DecodedEvent* cancel = nullptr;
  for (const auto& e : out.trace.events)
    if (e.name == "cancel (explicit)") cancel = &e;
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(cancel->track, canceler->uuid);
  EXPECT_EQ(cancel->ts, static_cast<uint64_t>(t0));
  EXPECT_EQ(cancel->args.at("cause"), "shutdown");
  ASSERT_EQ(cancel->flows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto* woken = ThreadOf(out.trace, created[i].value());
    ASSERT_NE(woken, nullptr);
    const testing::DecodedEvent* term = nullptr;
    for (const auto& e : out.trace.events)
      if (e.track == woken->uuid && !e.terminating_flows.empty()) term = &e;
    ASSERT_NE(term, nullptr) << "no terminating flow on " << woken->name;
    EXPECT_EQ(term->terminating_flows, std::vector<uint64_t>{cancel->flows[i]});
    EXPECT_EQ(term->ts, static_cast<uint64_t>(t0 + 10 + static_cast<Time>(i)));
    EXPECT_EQ(term->name, i == 0 ? "woken by cancel" : "ignored cancel");
    EXPECT_EQ(term->args.at("outcome"), i == 0 ? "exited" : "running");
  }
  // The ignoring goroutine also carries the finding.
  const auto* ignorer = ThreadOf(out.trace, created[1].value());
  bool finding = false;
  for (const auto& e : out.trace.events)
    if (e.track == ignorer->uuid && e.name == "finding: ignored-cancel") finding = e.args.at("rule") == "ignored-cancel";
  EXPECT_TRUE(finding);
  // Flow ids are unique per arrow.
  std::set<uint64_t> ids;
  for (const auto& e : out.trace.events)
    for (uint64_t id : e.flows) EXPECT_TRUE(ids.insert(id).second);
}

TEST(PerfettoWriter, ContextTracksNestLikeTheContextTree) {
  PerfettoWriter w;
  auto pass = testing::RunPass("examples/traces/cancel-demo.trace", {&w});
  ASSERT_TRUE(pass);
  Analysis& a = *pass->analysis;
  const Time s = a.quality.start;
  ContextInfo root;
  root.id = 7;
  root.kind = "cancel";
  root.created = s + 100;
  root.done = s + 1000;
  root.canceled = s + 1000;
  root.done_by = "cancel";
  root.created_at = {"main.main", "main.go", 12};
  ContextInfo child;
  child.id = 8;
  child.parent = 7;
  child.kind = "timeout";
  child.created = s + 200;
  child.done = -1;
  a.contexts = {root, child};
  auto out = WriteAndDecode(w, a, "contexts.pftrace");
  ExpectWellFormed(out.trace, out.stats);
  const testing::DecodedTrack *troot = nullptr, *tchild = nullptr, *tall = nullptr;
  for (const auto& tr : out.trace.tracks) {
    if (tr.name == "ctx 7 cancel (main.main)") troot = &tr;
    if (tr.name == "ctx 8 timeout") tchild = &tr;
    if (tr.name == "contexts") tall = &tr;
  }
  ASSERT_TRUE(troot && tchild && tall);
  EXPECT_EQ(troot->parent, tall->uuid);
  EXPECT_EQ(tchild->parent, troot->uuid);
  int slices = 0;
  for (const auto& e : out.trace.events) {
    if (e.track == troot->uuid && e.type == "TYPE_SLICE_BEGIN") {
      ++slices;
      EXPECT_EQ(e.ts, static_cast<uint64_t>(s + 100));
      EXPECT_EQ(e.args.at("done by"), "cancel");
    }
    if (e.track == tchild->uuid && e.type == "TYPE_SLICE_BEGIN") {
      ++slices;
      EXPECT_EQ(e.args.at("state"), "not done at trace end");
    }
    if (e.track == troot->uuid && e.type == "TYPE_SLICE_END") {
      EXPECT_EQ(e.ts, static_cast<uint64_t>(s + 1000));
    }
  }
  EXPECT_EQ(slices, 2);
}

TEST(PerfettoWriter, RegionsTasksLogsAndGC) {
  PerfettoWriter w;
  auto pass = testing::RunPass("tests/corpus/traces/go1.23/annotations.trace", {&w});
  ASSERT_TRUE(pass);
  auto out = WriteAndDecode(w, *pass->analysis, "annotations.pftrace");
  ExpectWellFormed(out.trace, out.stats);
  std::map<uint64_t, const testing::DecodedTrack*> by_uuid;
  for (const auto& tr : out.trace.tracks) by_uuid[tr.uuid] = &tr;
  int regions = 0, logs = 0, tasks = 0, stw = 0;
  for (const auto& e : out.trace.events) {
    if (e.type == "TYPE_SLICE_END") continue;
    const auto* tr = by_uuid.at(e.track);
    if (e.categories == std::vector<std::string>{"region"}) {
      ++regions;
      EXPECT_THAT(tr->name, ::testing::EndsWith(" regions"));
      EXPECT_NE(by_uuid.at(tr->parent)->is_thread, false);
    }
    if (e.categories == std::vector<std::string>{"log"}) {
      ++logs;
      EXPECT_TRUE(tr->is_thread);
      EXPECT_TRUE(e.args.count("message"));
    }
    if (e.categories == std::vector<std::string>{"task"}) {
      ++tasks;
      EXPECT_THAT(tr->name, ::testing::StartsWith("task "));
    }
    if (e.name.rfind("stop-the-world (", 0) == 0) {
      ++stw;
      EXPECT_EQ(tr->name, "STW");
    }
  }
  EXPECT_GT(regions, 0);
  EXPECT_GT(logs, 0);
  EXPECT_GT(tasks, 0);
  EXPECT_GT(stw, 0);
}

TEST(PerfettoWriter, BoundsDropTheMiddleAndCountIt) {
  PerfettoOptions small;
  small.max_slices_per_goroutine = 4;
  small.max_records = 60;
  small.merge_gap_ns = 0;
  PerfettoWriter w(small);
  PerfettoWriter full;
  auto pass = testing::RunPass("tests/corpus/traces/go1.22/basic.trace", {&w, &full});
  ASSERT_TRUE(pass);
  auto out = WriteAndDecode(w, *pass->analysis, "bounded.pftrace");
  ExpectWellFormed(out.trace, out.stats);
  auto all = WriteAndDecode(full, *pass->analysis, "unbounded.pftrace");
  ExpectWellFormed(all.trace, all.stats);
  EXPECT_GT(out.stats.dropped_goroutine_cap, 0u);
  EXPECT_GT(out.stats.dropped_total_cap, 0u);
  EXPECT_LT(out.stats.slices, all.stats.slices);
  EXPECT_LT(out.stats.bytes, all.stats.bytes);
  // At most 4 state slices per goroutine track, and a marker where slices were dropped.
  std::map<uint64_t, int> per_track;
  bool marker = false;
  for (const auto& e : out.trace.events) {
    if (e.type == "TYPE_SLICE_BEGIN" && e.categories == std::vector<std::string>{"sched"}) ++per_track[e.track];
    if (e.name.find(" slices dropped") != std::string::npos) marker = true;
  }
  for (const auto& [track, n] : per_track) EXPECT_LE(n, 4) << track;
  EXPECT_TRUE(marker);
  // Past max_records every goroutine still keeps its latest state slice: as
  // many goroutine tracks have state slices as without the caps.
  std::set<uint64_t> all_tracks;
  for (const auto& e : all.trace.events) {
    if (e.type == "TYPE_SLICE_BEGIN" && e.categories == std::vector<std::string>{"sched"}) all_tracks.insert(e.track);
  }
  EXPECT_GT(out.stats.latest_only_goroutines, 0u);
  EXPECT_EQ(per_track.size(), all_tracks.size());
  // The bounds instant reports the counts.
  bool meta = false;
  for (const auto& e : out.trace.events) {
    if (e.name != "cancelflow output bounds") continue;
    meta = true;
    EXPECT_EQ(e.args.at("dropped_goroutine_cap"), std::to_string(out.stats.dropped_goroutine_cap));
    EXPECT_EQ(e.args.at("dropped_total_cap"), std::to_string(out.stats.dropped_total_cap));
  }
  EXPECT_TRUE(meta);
}

}  // namespace
}  // namespace cancelflow::report
