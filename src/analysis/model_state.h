// ModelState: what the analysis pass remembers about a trace, and the rules'
// only input.
//
// The pass (analyze.cc) feeds ordered events into ModelBuilder, which keeps
// one GoRecord per goroutine (created during the trace or seen in a status
// event), the cancellations it recognised, the instrumented contexts and the
// tests. Each rule (rule_*.cc) is then a pure function of the finished state
// that appends findings.
//
// WHEN EACH FACT EXISTS
// - During the pass (ModelBuilder::OnEvent): lifecycle, stacks, wakes and
//   responses, site counts per block stack, records. Nothing that depends on
//   the end of the trace or on the packages under test.
// - ModelBuilder::Finish: trace_end, user_packages, the cancellations' user
//   frames, wait_sites, the runner tests' names, each goroutine's end state,
//   wait, end_stack, `where`, `wait_site` and test_end, the scope.
// - DeriveFacts (model_facts.cc), last step of Finish: everything the rules
//   read that is derived from the above — each goroutine's complete test
//   name (GoroutineInfo::test), group key, candidacy, in flight / on its way
//   out, when its context was done, nil-Done wait in package context, user
//   frames of its sites; each context's under_cancelable.
// - Rules read facts only: they walk no stacks, match no Go function names
//   (stack_patterns owns those) and recompute nothing the model holds.
//
// INVARIANTS
// - Memory is O(live goroutines + goroutines that matter + cancellations +
//   contexts + distinct stacks), not O(events): nothing per event is kept.
//   A goroutine that ended without mattering to any rule or output (see
//   Matters) is "retired": its record leaves `gs` at the next compaction and
//   only its creator link (for the detached-context rule's ancestor walk) and
//   its creation stack (for PackagesUnderTest) are kept, ~40 bytes instead of
//   ~440.
// - `gs` is in first-seen order (compaction keeps the order); `gindex` maps
//   GoId -> index into `gs`.
// - A WokenGoroutine is "open" until the goroutine stops (exits or blocks);
//   GoRecord::open_woken points at the one still waiting for its outcome.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/flat_map.h"
#include "cancelflow/analysis.h"

namespace cancelflow::analysis {

struct WokenRef {
  int32_t cancellation = -1;  // index into ModelState::cancellations
  uint32_t woken = 0;         // index into Cancellation::woken
  bool valid() const { return cancellation >= 0; }
};

// The goroutines one finding groups share a key: their entry function, the
// waiting site at the end, their marker test (by name: the first test of
// ModelState::tests with that name) and their state at the end (a finding
// states its representative's, so it is every member's: a goroutine running
// at the end is not grouped with those blocked where it last blocked). A bug
// several testing.tRunner tests hit stays one finding (Finding::tests names
// them all).
struct GroupKey {
  uint32_t start_func = 0;  // StringId value
  uint64_t wait_site = UINT64_MAX;
  int32_t test = -1;
  GoState end_state = GoState::kUndetermined;
  auto operator<=>(const GroupKey&) const = default;
};

struct GoRecord {
  GoroutineInfo info;
  GoState state = GoState::kUndetermined;
  Time last_change = -1;          // its last creation, block or wake-up (first status, if from before the trace)
  uint32_t block_repeats = 0;     // consecutive blocks at the same stack (2+: a loop, not on its way out)
  StackId last_stack;             // its own stack at its last block, stop or syscall
  // The response to a cancel wake (docs/findings.md, "Response"): the wake
  // still waiting for one, and the block stack it was woken from.
  WokenRef pending_response;
  StackId wait_stack;             // kNoStack: unknown (its next stop settles the response)
  bool pending_is_callback = false;  // an AfterFunc callback: it responds by returning
  WokenRef slowest_response;      // the wake it took longest to respond to
  bool timer_goroutine = false;   // started by a context deadline timer
  int32_t timer_cancellation = -1;  // the deadline Cancellation it carries
  WokenRef open_woken;            // woken by a cancel, outcome not yet known
  WokenRef last_woken;            // the most recent cancellation that woke it
  // Instrumentation records about this goroutine.
  bool go_exit_record = false;
  bool overdue_record = false;
  Time overdue_at = -1;
  Time exit_record_time = -1;
  int32_t test = -1;              // index into ModelState::tests
  int32_t runner_test = -1;       // index into ModelState::runner_tests (the tRunner ancestor)
  bool canceler = false;          // ran a cancel that woke goroutines (Cancellation::canceler)
  bool test_main = false;         // a test's own goroutine (Test::goroutine)
  bool test_runner = false;       // a testing.tRunner goroutine (a test's own goroutine, markers or not)
  bool retired = false;           // ended without mattering; dropped at the next compaction
  bool propagate_cancel = false;  // started by context.propagateCancel for a custom parent (SetStartFunc)
  // It ended after the test it belongs to had ended: how long after (set at
  // its end when that is more than `grace_ns`, else -1). goleak's test-scope
  // leak even though it exits later (docs/findings.md); it makes the record
  // matter, so it is kept.
  Time outlived_test_ns = -1;

  // ---- Facts for the rules: set when the model is finished ----
  // Finish:
  StackId where;                   // the stack a finding shows: end_stack, else its last block stack
  uint64_t wait_site = UINT64_MAX;  // WaitSite(where): the waiting frame (ModelState::wait_sites key)
  // DeriveFacts:
  GroupKey group;                  // goroutines with equal keys are one finding (with the rule's evidence)
  bool candidate = false;          // a goroutine rule may judge it (see DeriveFacts)
  // Caught in flight by the end of the trace: alive, and it was created,
  // blocked or woke less than `grace_ns` before the trace ended (being
  // preempted and resumed while running does not count) — unless it blocked
  // at the same stack twice or more in a row: a loop (a sleep or poll loop)
  // is not on its way out. The trace cannot tell whether it is about to
  // return, so in a whole-program trace it is not evidence of a leak, just as
  // ignored-cancel waits `grace_ns` after the cancel.
  bool in_flight = false;
  // Runnable or running at the end, and created, blocked or woke less than
  // `grace_ns` before it (a loop included): the test-scope reading of in flight.
  bool on_its_way_out = false;
  // Blocked forever receiving from a nil channel that is a context's Done():
  // in package context's code, or (nil_done_from_source) the source line of
  // its waiting frame reads `<-x.Done()`.
  bool nil_done_wait = false;
  bool nil_done_from_source = false;
  // Where its creator got the context, when the evidence shows it: the `go`
  // statement's source line passes context.Background()/TODO()/WithoutCancel
  // ("" = not shown).
  std::string context_origin;
  // Judged like user work although its start function is in `net` or
  // `net/...` (IsNetGoroutine): a server or client a test left open, in a
  // test's trace (in windows and snapshots they are normal life).
  bool net_goroutine = false;
  // For the hint (the fix follows the evidence): waiting in a select that has
  // a ctx.Done() case already (a cancel woke it from that wait before, or the
  // select's source lists `case <-x.Done()`): its owner never stopped it;
  // waiting in a listener's Accept: a server nobody closed.
  bool select_has_done_case = false;
  bool accept_wait = false;
  Time done_at = -1;               // its context was done (done record), else the watchdog's overdue record; -1
  int creation_user_frame = -1;    // FirstUserFrame of info.creation_stack
  int where_user_frame = -1;       // FirstUserFrame of where
  int wait_user_frame = -1;        // FirstUserFrame of wait_stack (the wait a cancel woke it from)
  // JoinLeakProfile (after Finish, before the rules): the runtime's goroutine
  // leak profile on it: not listed (or no profile), listed alive and not
  // leaked, or leaked.
  enum class InProfile : uint8_t { kNotListed, kAlive, kLeaked };
  InProfile in_profile = InProfile::kNotListed;
};

// Whether a goroutine's record can matter once it has ended: to a rule
// (rule_slow_cancel: woken by a cancel, or overdue + exit records), or to the
// output (cancellations name their canceler and woken goroutines, contexts
// their bound goroutines, tests their goroutine). Otherwise only its creator
// link and creation stack are still read.
bool Matters(const GoRecord& g);

// A test seen without markers: a testing.tRunner goroutine (docs/findings.md,
// "Trace scope"). Goroutines it creates, transitively, belong to it.
struct RunnerTest {
  GoId goroutine = kNoGoroutine;
  Time start = -1, end = -1;   // its creation and GoDestroy
  StringId function;           // the test function (the frame tRunner called), once a stack shows it
  int32_t parent = -1;         // the test whose goroutine ran t.Run (index), -1 for top-level tests
  std::string name;            // "TestX/sub" (Finish: NameRunnerTests), "" if unknown
};

// Goroutines blocked at one stack (a "site") over the trace: how many were
// already there when the trace began, joined it during the trace (blocked
// there), and left it (were woken there). The growth evidence of window and
// flight traces (rule_leaked_goroutine.cc).
struct SiteCounts {
  uint32_t present_at_start = 0;
  uint32_t joined = 0;
  uint32_t left = 0;
  bool forever = false;  // a goroutine blocked here with reason "forever" (a nil channel, select {})
};

// What the first generation says about how tracing began (DecideScope).
struct ScopeFacts {
  uint64_t first_generation = 0;
  bool start_seen = false;            // runtime.StartTrace's stop-the-world is in the trace
  bool started_by_test_main = false;  // ... called from testing.(*M).before (`go test -trace`)
  bool started_by_flight_recorder = false;  // ... from (*FlightRecorder).Start
  GoId starter = kNoGoroutine;        // the goroutine that started it
  bool runner_tests = false;          // testing.tRunner goroutines were created in the trace
};

// Burst tracking: consecutive cancel events of one goroutine that belong to
// the same cancel call.
struct OpenBurst {
  int32_t cancellation = -1;
  Time last = -1;
};

struct ModelState {
  const StringPool* strings = nullptr;
  const StackPool* stacks = nullptr;

  std::vector<GoRecord> gs;
  FlatMap<uint32_t> gindex;
  std::vector<Cancellation> cancellations;
  FlatMap<OpenBurst> bursts;  // canceler GoId -> its open burst
  std::vector<ContextInfo> contexts;
  FlatMap<uint32_t> ctx_index;  // context id -> index into contexts
  std::vector<Test> tests;
  std::vector<uint64_t> leak_records;  // context ids with a `leak` record, in order
  std::vector<RunnerTest> runner_tests;
  std::string tested_package;          // import path of the first test function seen (Finish)
  FlatMap<SiteCounts> sites;           // block StackId -> counts (during the pass)
  FlatMap<SiteCounts> wait_sites;      // waiting frame (FrameId) -> counts of every stack that waits there (Finish)
  ScopeFacts scope_facts;
  DataQuality quality;
  Time trace_end = -1;
  // wall clock (Unix ns) = trace time + wall_offset, from a Go 1.25+ clock snapshot.
  bool wall_offset_known = false;
  int64_t wall_offset = 0;

  // Package prefixes ("net/http.") that count as user code although they are
  // standard plumbing: the packages under test in a `go test` trace and
  // AnalysisOptions::user_packages (docs/findings.md).
  std::vector<std::string> user_packages;
  bool IsUser(std::string_view func) const;
  // A goroutine started by the user's work (not IsPlumbingGoroutine), or by
  // one of user_packages.
  bool IsUserGoroutine(std::string_view start) const;

  // Retired goroutines (see the invariants): what is kept of them.
  uint64_t retired_in_gs = 0;           // retired records still in gs
  uint64_t compactions = 0;             // CompactRetired calls (for tests)
  FlatMap<int64_t> retired_creator;     // GoId -> creator GoId
  std::vector<StackId> retired_creation_stacks;  // distinct, for PackagesUnderTest
  std::vector<bool> retired_stack_seen;          // by StackId value
  // Marks an ended goroutine that does not matter as retired.
  void Retire(GoRecord& g);
  // Drops retired records from gs (order kept) and rebuilds gindex; call
  // only where no GoRecord reference is held (between events).
  void CompactRetired();

  GoRecord* Find(GoId g) {
    const uint32_t* i = gindex.Find(static_cast<uint64_t>(g.value()));
    return i == nullptr ? nullptr : &gs[*i];
  }
  const GoRecord* Find(GoId g) const { return const_cast<ModelState*>(this)->Find(g); }
  GoRecord& Get(GoId g);  // finds or creates
  ContextInfo* Context(uint64_t id) {
    const uint32_t* i = ctx_index.Find(id);
    return i == nullptr ? nullptr : &contexts[*i];
  }
  const ContextInfo* Context(uint64_t id) const { return const_cast<ModelState*>(this)->Context(id); }
  // Whether goroutine g works for a cancelable context: it, or a goroutine
  // that created it (transitively, through retired goroutines too), is bound
  // to a context that is not WithoutCancel (or to an uninstrumented one).
  bool UnderCancelableContext(GoId g) const;
  // The woken goroutine a (valid) WokenRef points at.
  WokenGoroutine& Woken(WokenRef r) { return cancellations[static_cast<size_t>(r.cancellation)].woken[r.woken]; }
  const WokenGoroutine& Woken(WokenRef r) const { return const_cast<ModelState*>(this)->Woken(r); }

  // Function names of a stack, leaf first (views into the string pool).
  std::vector<std::string_view> Funcs(StackId s) const;
  std::string_view Str(StringId s) const { return strings->Get(s); }
};

// Is this a function of Go's runtime, standard plumbing or cancelflow's own
// instrumentation rather than user code? (The definition the scenario
// expectations use: docs/scenarios.md.) ModelState::IsUser refines it with
// the packages under test.
bool IsLibraryFunc(std::string_view func);
// The packages whose tests ran in the trace: for every creation stack with a
// frame called by testing.tRunner (the test function), its package
// ("net/http_test." and "net/http.").
std::vector<std::string> PackagesUnderTest(const ModelState& m);
// Index of the first user frame of a stack, -1 if none.
int FirstUserFrame(const ModelState& m, StackId s);
// The site a goroutine waits at: the FrameId of the waiting frame of a block
// stack (wait_patterns.h), UINT64_MAX if none. Stacks with other callers
// that wait at the same place share it.
uint64_t WaitSite(const ModelState& m, StackId s);
// Decides quality.scope and quality.scope_reason from the scope facts and the
// goroutines that existed before the trace (ModelBuilder::Finish).
void DecideScope(ModelState& m, const AnalysisOptions& o);
// The facts the rules read (see WHEN EACH FACT EXISTS), from the finished
// model: the last step of ModelBuilder::Finish (model_facts.cc).
void DeriveFacts(ModelState& m, const AnalysisOptions& o);

// Joins the runtime's goroutine leak profile (leak_profile_join.cc): sets
// GoRecord::in_profile and DataQuality::leak_profile; an error when the
// profile cannot belong to the trace.
std::optional<Error> JoinLeakProfile(const LeakProfile& p, ModelState& m);

}  // namespace cancelflow::analysis
