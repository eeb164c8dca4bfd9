// The result of cancellation analysis: what every report writer reads.
//
// cancelflow::Analyze (src/analysis) runs one pass over the ordered events of
// a trace and returns an Analysis: the cancellations it saw (who canceled,
// why, who woke up and how fast), the instrumented context tree when the Go
// module's records are present, the findings (rule violations) and
// data-quality counters. Writers (text, JSON, HTML, Perfetto, pprof, JUnit,
// SARIF) never reach back into parsing: everything they print is here, or in
// the pools this result keeps alive.
//
// CONVENTIONS
// - Times are trace nanoseconds (Event.time). -1 means "unknown / never".
// - Stacks are StackIds into `stacks()`, leaf first; names are StringIds into
//   `strings()`. Frame indexes ("user_frame") index the stack's frames; -1 = none.
// - Strings that come from the trace (function names, log text, causes, test
//   names) are untrusted: writers must escape them for their format.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cancelflow/error.h"
#include "cancelflow/event.h"
#include "cancelflow/ids.h"
#include "cancelflow/leak_profile.h"
#include "cancelflow/pool.h"

namespace cancelflow {

// ---- Rules and severities --------------------------------------------------

enum class Rule : uint8_t {
  kLeakedGoroutine,  // "leaked-goroutine"
  kIgnoredCancel,    // "ignored-cancel"
  kSlowCancel,       // "slow-cancel"
  kCancelNotCalled,  // "cancel-not-called"
  kDetachedContext,  // "detached-context"
  kLateDeadline,     // "late-deadline"
  kCount
};
std::string_view RuleId(Rule r);                    // the stable id, e.g. "leaked-goroutine"
std::optional<Rule> RuleFromId(std::string_view id);

enum class Severity : uint8_t { kNote, kWarning, kError };
std::string_view SeverityName(Severity s);  // "note", "warning", "error"

// What the trace covers, which decides what being alive at its end means
// (docs/findings.md, "Trace scope"):
//   kProgram  the whole program: tracing began as it started (trace.Start first thing in main)
//   kTest     a whole `go test -trace` run: tests begin and end inside the trace
//   kWindow   trace.Start/Stop taken while work ran: goroutines existed before it, work goes on after it
//   kFlight   a flight-recorder snapshot: the last seconds before WriteTo
enum class TraceScope : uint8_t { kProgram, kTest, kWindow, kFlight };
std::string_view TraceScopeName(TraceScope s);  // "program", "test", "window", "flight"
std::optional<TraceScope> TraceScopeFromName(std::string_view name);

// How sure a finding is, from the kind of evidence it rests on. A finding's
// severity is its rule's severity when certain, at most a warning when likely.
// How sure a finding is (docs/findings.md, "Certainty"): proven by the
// runtime (its goroutine leak profile, or a wait nothing can ever end),
// certain by the trace's evidence for its scope, or likely (a warning at most,
// which fails the gate only with "fail_on_likely").
enum class Certainty : uint8_t { kLikely, kCertain, kProven };
std::string_view CertaintyName(Certainty c);  // "likely", "certain", "proven"

// Where a goroutine waits, as Go names it (the wait reasons of a goroutine
// dump), decided from the trace's block reason and the block stack.
enum class WaitKind : uint8_t {
  kNone,            // not waiting
  kUnknown,         // waiting, reason unknown (a status record without a stack)
  kChanReceive, kChanSend, kSelect,
  kChanReceiveNil,  // "chan receive (nil chan)": blocked forever
  kChanSendNil,     // "chan send (nil chan)": blocked forever
  kSelectNoCases,   // "select (no cases)": blocked forever
  kMutexLock, kRWMutexRLock, kRWMutexLock, kWaitGroupWait, kCondWait,
  kSemacquire,      // another sync wait (a runtime semaphore)
  kSleep,           // time.Sleep
  kIOWait,          // the network poller
  kSyscall,         // in a system call
  kRuntime,         // the runtime's own waits (GC, sweeper, debug call): never a leak by itself
  kOther,
};
std::string_view WaitKindName(WaitKind w);  // "chan receive", "sync.Mutex.Lock", "select (no cases)", ...
inline bool BlockedForever(WaitKind w) {
  return w == WaitKind::kChanReceiveNil || w == WaitKind::kChanSendNil || w == WaitKind::kSelectNoCases;
}

// Thresholds and switches; defaults are documented in docs/findings.md.
struct AnalysisOptions {
  Time grace_ns = 100'000'000;             // ignored-cancel: still working this long after the cancel;
                                           // leaks: in flight / outliving a test by at most this much
  std::optional<TraceScope> scope;         // --scope: overrides the scope decided from the trace
  // Window and flight traces: a group of goroutines blocked at one site is a
  // likely leak when at least this many joined it during the trace and none
  // ever left it (docs/findings.md).
  uint32_t growth_min_joined = 3;
  Time slow_cancel_ns = 100'000'000;       // slow-cancel: exited, but later than this after the cancel
  Time late_deadline_ns = 50'000'000;      // late-deadline: fired this much later than requested
  Time burst_gap_ns = 1'000'000;           // events of one cancel call are at most this far apart
  // Standard packages (net/http, context, ...) are plumbing, not user code:
  // their goroutines are not reported and their frames are not "user frames"
  // — except the packages listed here (prefixes such as "net/http.") and,
  // when detect_packages_under_test is set, the packages whose tests ran in
  // the trace (`go test -trace` of net/http makes net/http user code).
  std::vector<std::string> user_packages;
  bool detect_packages_under_test = true;
  // Test names in go test's `=== RUN` order (go test -json "run" actions):
  // names the tests of a trace without ctxtracetest marks exactly, subtests
  // included (GoroutineInfo::test, Finding::test). Without it a goroutine is
  // named by the top-level test function its testing.tRunner ancestor runs.
  // A finding several tests hit stays one (Finding::tests names them all;
  // each GoroutineInfo::test names its own).
  std::vector<std::string> test_run_order;
  // Memory on goroutine churn: the records of goroutines that ended without
  // mattering are dropped once there are this many of them and they are at
  // least half of all records (0: never). Results do not depend on it (tests
  // compare 1 with 0).
  uint64_t compact_goroutines_at = 4096;
  // 1: read and analyze on the calling thread. Otherwise a 2-stage pipeline:
  // a second thread orders the events while this one resolves their ids and
  // builds the model. Results do not depend on it (tests compare 1 with 2).
  unsigned threads = 2;
  Severity severity[static_cast<int>(Rule::kCount)] = {
      Severity::kError, Severity::kError, Severity::kWarning, Severity::kWarning, Severity::kWarning,
      Severity::kNote};
  // Rules turned off (.cancelflow.json "rules": {"id": "off"}): their findings
  // are dropped by the analysis, so every command reports the same ones.
  bool rule_enabled[static_cast<int>(Rule::kCount)] = {true, true, true, true, true, true};
  bool enabled(Rule r) const { return rule_enabled[static_cast<int>(r)]; }
  // Where the options came from, for the reports only (the analysis does not
  // read them): the config file read ("" = none), and the settings given as
  // command-line flags, which override it ("grace", "slow_cancel", "scope").
  std::string config_file;
  std::vector<std::string> set_by_flags;
  // The runtime's goroutine leak profile taken at the trace's end (--leak-profile),
  // joined to the trace's goroutines; null: none.
  std::shared_ptr<const LeakProfile> leak_profile;
  // No profile although one was looked for (a live service without
  // /debug/pprof/goroutineleak): why, copied to DataQuality::leak_profile.missing
  // so every report says the findings rest on the trace alone.
  std::string leak_profile_missing;
  // The module's source, when at hand: its root (absolute, holding go.mod;
  // "" = none). Source lines are evidence for facts the trace cannot show
  // (a receive on ctx.Done(), a select's cases); only `.go` files under it
  // are read (evidence/source_lines.h).
  std::string source_root;
};

// ---- Goroutines --------------------------------------------------------------

// What the analysis knows about one goroutine (only goroutines a finding or a
// cancellation refers to are kept in Analysis::goroutines).
struct GoroutineInfo {
  GoId id;
  // Entry function. For a goroutine created before the trace: the outermost
  // frame of the first stack the trace gives for it ("" until one is seen).
  StringId start_func;
  StackId creation_stack;       // the creator's stack at GoCreate (kNoStack if unknown)
  GoId creator = kNoGoroutine;
  Time created = -1;            // -1: existed when the trace (or flight-recorder window) began
  Time ended = -1;              // GoDestroy time, -1 if alive at the end of the trace
  GoState end_state = GoState::kUndetermined;  // state at the end of the trace
  StringId block_reason;        // last block reason ("chan receive", "select", "sync", ...)
  StackId block_stack;          // last block stack (GoBlock or GoStatusStack), leaf first
  Time blocked_since = -1;      // when the last block began
  uint64_t context_id = 0;      // instrumented context it is bound to (0 = none)
  std::string name;             // name given to ctxtrace.Go/Bind ("" otherwise)
  std::string test;             // the Go test it ran under, when the trace has test markers
  bool system = false;          // a runtime/system goroutine (runtime.*, runtime/trace.*, ...)
  bool instrumentation = false; // started by cancelflow's Go module for itself (watchdog, AfterFunc hooks)
  WaitKind wait = WaitKind::kNone;  // at the end of the trace (kNone unless blocked / in a syscall)
  StackId end_stack;            // where it is at the end: its block stack, or the last stack seen since it last ran
  Time test_end = -1;           // end of the test it belongs to (-1: none, or the test did not end)
  bool before_trace() const { return created < 0; }
};

// ---- Cancellations -----------------------------------------------------------

// Who canceled: a CancelFunc call, a deadline timer, or a parent's
// cancellation. How it was heard (an AfterFunc callback) is
// Cancellation::via_afterfunc, not a kind. kAfterFunc is kept for the enum's
// stability and never produced.
enum class CancelKind : uint8_t { kExplicit, kDeadline, kParent, kAfterFunc };
std::string_view CancelKindName(CancelKind k);  // "explicit", "deadline", "parent", "afterfunc"

// How a woken goroutine responded.
enum class WakeOutcome : uint8_t {
  kExited,        // it returned (GoDestroy) after waking
  kBlockedAgain,  // it blocked on something else (see next_block_*)
  kRunning,       // still running or runnable at the end of the trace
  kNotStarted,    // never ran after being woken (trace ended first)
};
std::string_view WakeOutcomeName(WakeOutcome o);  // "exited", "blocked", "running", "not-started"

struct WokenGoroutine {
  GoId goroutine;
  int depth = 0;         // 0: waited on the canceled context itself; 1: on a child; ...
  bool via_afterfunc = false;  // an AfterFunc callback goroutine started by the cancel
  Time unblocked = -1;   // the GoUnblock (or GoCreate for AfterFunc)
  Time started = -1;     // first GoStart after it
  Time stopped = -1;     // GoDestroy or next GoBlock after starting
  WakeOutcome outcome = WakeOutcome::kNotStarted;
  StringId next_block_reason;
  StackId next_block_stack;
  // When it responded to the cancellation (docs/findings.md, "Response"):
  // it exited, the function that waited returned (the waiting user frame is
  // gone from a later stack), or it went back to the same wait. -1: it had
  // not responded when the trace ended.
  Time responded = -1;
  // Time to next block: from the cancel to stopping (exit or next block); -1 if it never stopped.
  Time latency() const { return stopped < 0 || unblocked < 0 ? -1 : stopped - unblocked; }
  // Time to respond: from the cancel to the response; -1 if it never responded.
  Time response_latency() const { return responded < 0 || unblocked < 0 ? -1 : responded - unblocked; }
};

struct Cancellation {
  uint32_t index = 0;     // position in Analysis::cancellations
  CancelKind kind = CancelKind::kExplicit;
  Time time = -1;         // the first event of the cancel (deadline: the timer goroutine's creation)
  GoId canceler = kNoGoroutine;  // the goroutine that ran cancel (deadline: the timer goroutine)
  StackId canceler_stack;        // its stack at the first event, leaf first
  int caller_frame = -1;         // first frame below the context internals
  int user_frame = -1;           // first user frame (not runtime/std)
  uint64_t context_id = 0;       // instrumented context, 0 if unknown
  std::string cause;             // cause recorded by the Go module, "" if unknown
  bool via_afterfunc = false;    // heard through an AfterFunc callback the cancel started
  std::vector<WokenGoroutine> woken;
};

// ---- Instrumented contexts (Go module records) ----------------------------------

// A source location: a frame of a stack, or a site an instrumentation record
// names. SiteAt and ShortSite (below) are the one place a stack frame becomes
// a site, for the analysis's messages and every report.
struct SourceSite {
  std::string func, file;  // file as in the trace (absolute)
  int64_t line = 0;
  bool empty() const { return func.empty() && file.empty(); }
};

struct ContextInfo {
  uint64_t id = 0;
  uint64_t parent = 0;          // 0: root or uninstrumented parent (see parent_kind)
  std::string kind;             // cancel, cancelcause, timeout, deadline, withoutcancel, afterfunc, test
  std::string parent_kind;      // ctx, background, todo, detached, foreign, uncancelable
  std::string parent_type;
  int64_t deadline_unix_ns = 0, timeout_ns = 0, parent_deadline_unix_ns = 0;
  SourceSite created_at;
  Time created = -1;
  GoId created_by = kNoGoroutine;
  Time canceled = -1;           // first cancel call (own CancelFunc)
  SourceSite cancel_site;
  std::string cancel_cause;
  Time done = -1;               // when it became done
  std::string done_by;          // cancel, deadline, parent, external
  std::string err, cause;
  bool cancel_called = false;
  std::string leak_reason;      // unreachable, test_end, flush ("" = not reported as leaked)
  std::vector<GoId> bound;      // goroutines bound with ctxtrace.Go/Bind
  std::string test;
  // Its creator works for a cancelable context: the goroutine that created it,
  // or one that created that goroutine (transitively), is bound to a context
  // that can be canceled (set when the model is finished).
  bool under_cancelable = false;
};

// ---- Findings ----------------------------------------------------------------------

struct LatencyStats {
  uint32_t count = 0;
  Time p50 = -1, p90 = -1, p99 = -1, max = -1;
};

// One finding groups goroutines with the same rule, creation site and block site.
struct Finding {
  Rule rule = Rule::kLeakedGoroutine;
  Severity severity = Severity::kError;
  std::string message;  // one line: what is wrong
  std::string hint;     // one line: how to fix it
  std::vector<GoId> goroutines;     // goroutine rules: every goroutine in the group
  std::vector<uint64_t> contexts;   // context rules: every instrumented context in the group
  // Goroutines (goroutine rules) or contexts (context rules) in the group.
  size_t count() const { return contexts.empty() ? goroutines.size() : contexts.size(); }
  // The representative goroutine's sites (first of `goroutines`).
  StringId start_func;
  StackId creation_stack;
  int creation_user_frame = -1;
  StringId block_reason;
  StackId block_stack;
  int block_user_frame = -1;
  int64_t cancellation = -1;  // index into Analysis::cancellations, -1 if none
  uint64_t context_id = 0;    // instrumented context, 0 if none
  SourceSite context_site;    // context rules: where the context was created (from the records)
  // Every Go test its goroutines (goroutine rules) or its context (context
  // rules) belong to: sorted, no duplicates, no "". A bug several tests hit
  // is one finding naming them all.
  std::vector<std::string> tests;
  std::string test;           // compatibility: the test of its first goroutine (or its context), "" if none
  LatencyStats latency;       // slow-cancel / ignored-cancel: time to respond (from the cancel) of the group
  // The evidence the finding rests on, one sentence, and how certain it makes it.
  std::string evidence;
  Certainty certainty = Certainty::kCertain;
  WaitKind wait = WaitKind::kNone;  // where the representative goroutine is at the end
  // Stable identity across runs, traces and machines (FindingFingerprint):
  // what baselines, SARIF, the metrics and every report match findings by.
  std::string fingerprint;
};

// ---- Data quality ------------------------------------------------------------------

struct DataQuality {
  std::string trace_version;      // "go 1.26"
  uint64_t bytes = 0;
  uint64_t events = 0;
  uint64_t generations = 0;
  Time start = -1, end = -1;      // first and last event time
  bool partial = false;           // the trace broke; results cover what came before
  std::optional<Error> error;
  bool starts_mid_execution = false;  // flight recorder or late trace.Start: goroutines existed before
  TraceScope scope = TraceScope::kProgram;  // what the trace covers (AnalysisOptions::scope overrides)
  std::string scope_reason;                 // how it was decided, one sentence
  uint64_t goroutines_before_trace = 0;     // user goroutines that existed when the trace began
  uint64_t instrumentation_records = 0;
  uint64_t records_unknown_version = 0;
  uint64_t records_malformed = 0;
  uint64_t goroutines_seen = 0;
  uint64_t unblocks_without_stack = 0;  // wake-ups by the runtime (timers, netpoller): not attributable
  // The goroutine leak profile joined to the trace (AnalysisOptions::leak_profile).
  struct LeakProfileJoin {
    bool present = false;
    std::string path, form;     // form: "debug=2" (joined by goroutine id) or "protobuf" (joined by stacks)
    uint64_t listed = 0;        // goroutines the profile lists (debug=2 only)
    uint64_t leaked = 0;        // goroutines it marks leaked
    uint64_t joined = 0;        // of those listed, found alive at the end of the trace
    uint64_t leaked_joined = 0; // of those leaked, found blocked at the end of the trace
    uint64_t not_in_trace = 0;  // listed but never seen in the trace (started after it, or the runtime's)
    uint64_t ambiguous = 0;     // protobuf: leaked stacks matching more goroutines than their count (not proven)
    uint64_t after_trace = 0;   // taken_after_trace: goroutines that started, ran or moved after the trace ended
    // When no profile was joined although one was looked for
    // (AnalysisOptions::leak_profile_missing): why, one sentence; else "".
    std::string missing;
  } leak_profile;
  // Wall clock (Unix ns) = trace time + wall_offset_ns, from the trace's
  // first clock snapshot (Go 1.25+ traces); nullopt when it has none.
  std::optional<int64_t> wall_offset_ns;
};

// ---- The result -------------------------------------------------------------------

struct Test {
  std::string name;
  std::string result;  // pass, fail, skip ("" if the end was not seen)
  Time start = -1, end = -1;
  GoId goroutine = kNoGoroutine;
};

class Analysis {
 public:
  Analysis(std::shared_ptr<const StringPool> strings, std::shared_ptr<const StackPool> stacks)
      : strings_(std::move(strings)), stacks_(std::move(stacks)) {}

  const StringPool& strings() const { return *strings_; }
  const StackPool& stacks() const { return *stacks_; }
  std::string_view Str(StringId id) const { return strings_->Get(id); }

  std::vector<Cancellation> cancellations;
  std::vector<ContextInfo> contexts;  // empty without instrumentation records
  std::vector<Finding> findings;      // sorted (SortFindings): severity desc, rule, sites, message, then ids
  std::vector<GoroutineInfo> goroutines;  // sorted by id; those referenced above
  std::vector<Test> tests;
  // Tests seen as testing.tRunner goroutines (with or without ctxtracetest
  // marks), in creation order: name ("" when it could not be told: neither
  // go test's run order nor a stack named it), start = the goroutine's
  // creation, end = its exit (-1: still running at the end), goroutine.
  // `result` is always "" (go test's results are not in the trace).
  std::vector<Test> runner_tests;
  DataQuality quality;
  AnalysisOptions options;  // what the analysis ran with (thresholds, scope, rules, provenance)
  // The import path of the tested package: the first test function seen on
  // a testing.tRunner goroutine (a `go test` trace), else "".
  std::string tested_package;

  // What counts as user code besides what is not the runtime, the standard
  // library or cancelflow's own: AnalysisOptions::user_packages, then the
  // packages whose tests ran in the trace (prefixes such as "net/http.").
  std::vector<std::string> user_packages;

  const GoroutineInfo* Goroutine(GoId id) const;
  bool instrumented() const { return quality.instrumentation_records > 0; }
  // Index of the first user frame of `stack` (by user_packages, as the
  // analysis decided its findings' user frames), -1 if none.
  int FirstUserFrame(StackId stack) const;

 private:
  std::shared_ptr<const StringPool> strings_;
  std::shared_ptr<const StackPool> stacks_;
};

// ---- Sites --------------------------------------------------------------------------

// The frame of `stack` at index `frame` (leaf first) as a source location;
// empty when the stack has no such frame (frame < 0: none).
SourceSite SiteAt(const StackPool& stacks, const StringPool& strings, StackId stack, int frame);
SourceSite SiteAt(const Analysis& a, StackId stack, int frame);
// One frame as a source location.
SourceSite SiteAt(const Analysis& a, FrameId frame);
// "main.worker (worker.go:42)": the function, then the file's base name and
// the line; the short form of a site in messages and timelines.
std::string ShortSite(const SourceSite& s);

// Stable fingerprint of a finding: 16 hex digits of FNV-1a over the rule id,
// the goroutine's start function, the function names (not lines, not paths:
// those change with unrelated edits and checkouts) of the creation and block
// user frames, the block reason and, for context rules, the function that
// created the context. Goroutine ids, counts, timings and test names are left
// out, so the same bug seen in another test, run or instance matches.
// Analyze() sets Finding::fingerprint with it.
std::string FindingFingerprint(const Analysis& a, const Finding& f);

// ---- Running it -----------------------------------------------------------------

class Reader;
class TraceBuffer;

// Sees every ordered event of the analysis pass, in order, so that writers
// needing the full timeline (Perfetto, pprof) share the one pass. OnEvent
// must not keep references to the event; `reader` gives the pools.
class EventObserver {
 public:
  virtual ~EventObserver() = default;
  virtual void OnEvent(const Event& e, const Reader& reader) = 0;
};

// Reads the whole trace once and analyzes it. Fails only when nothing can be
// read (not a trace, unsupported version); a trace that breaks part-way gives
// an Analysis with quality.partial = true and quality.error set.
// `buf` must outlive the call (not the result).
Result<Analysis> Analyze(const TraceBuffer& buf, const AnalysisOptions& options,
                         const std::vector<EventObserver*>& observers = {});

}  // namespace cancelflow
