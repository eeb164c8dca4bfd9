// DeriveFacts: the facts the rules read, computed once from the finished
// model (model_state.h, "WHEN EACH FACT EXISTS"), so that no rule walks a
// stack, matches a Go function name or recomputes what another rule or the
// builder already decided.
//
// INPUT (set by ModelBuilder::Finish before this runs): trace_end,
// user_packages, the runner tests' names, and per goroutine its end state,
// wait, end_stack, where and wait_site.
// OUTPUT, per goroutine (GoRecord): info.test (marker test, else its
// testing.tRunner ancestor's test), group, candidate, in_flight,
// on_its_way_out, done_at, nil_done_wait (and nil_done_from_source,
// context_origin), net_goroutine, select_has_done_case, accept_wait and the
// user frames of its sites; per context (ContextInfo): under_cancelable.
// SOURCE LINES (evidence/source_lines.h, when AnalysisOptions::source_root is
// set): read only for goroutines alive at the end blocked on a nil channel
// (is it a Done()?) or in a select (does it have a Done() case?), at their
// waiting user frame, and for the creation line of the former.
// COST: O(goroutines + contexts), one stack walk per distinct stack (cached)
// and one creator-chain walk per context; source files are read once each.
#include <map>

#include "analysis/model_state.h"
#include "analysis/stack_patterns.h"
#include "evidence/source_lines.h"

namespace cancelflow::analysis {

namespace {

// Lines [line, line + n) of a frame's file, joined with '\n' ("" when the source is not at hand).
std::string SourceAt(const ModelState& m, evidence::SourceLines& src, StackId s, int frame, int n) {
  if (!src.available() || frame < 0) return {};
  const SourceSite site = SiteAt(*m.stacks, *m.strings, s, frame);
  std::string out;
  for (int i = 0; i < n; ++i) {
    const auto l = src.Line(site.file, site.line + i);
    if (!l) break;
    out.append(*l).push_back('\n');
  }
  return out;
}

// The cases of the select statement that starts in `text` (its first line is
// the `select {` line a block stack names), up to its closing brace.
std::string_view SelectBody(std::string_view text) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return text.substr(0, i);
  }
  return text;
}

bool AnyLineReceivesFromDone(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    if (evidence::ReceivesFromDone(text.substr(pos, nl - pos))) return true;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

void DeriveFacts(ModelState& m, const AnalysisOptions& o) {
  evidence::SourceLines source(o.source_root);
  // Marker tests by name: goroutines of two runs of one test (-count=2) group together.
  std::map<std::string_view, int32_t> first_named;
  for (size_t i = 0; i < m.tests.size(); ++i) first_named.emplace(m.tests[i].name, static_cast<int32_t>(i));
  FlatMap<int32_t> user_frames;  // StackId -> FirstUserFrame
  auto user_frame = [&](StackId s) -> int {
    if (s == kNoStack) return -1;
    if (const int32_t* k = user_frames.Find(s.value())) return *k;
    const int k = FirstUserFrame(m, s);
    user_frames.Insert(s.value(), k);
    return k;
  };
  for (GoRecord& g : m.gs) {
    GoroutineInfo& gi = g.info;
    // Before the rules: the group key below keeps the marker test only, so a
    // bug several testing.tRunner tests hit stays one finding.
    const std::string* marker = g.test >= 0 ? &m.tests[static_cast<size_t>(g.test)].name : nullptr;
    g.group = GroupKey{gi.start_func.value(), g.wait_site,
                       marker == nullptr || marker->empty() ? -1 : first_named.at(*marker), gi.end_state};
    if (gi.test.empty() && g.runner_test >= 0) gi.test = m.runner_tests[static_cast<size_t>(g.runner_test)].name;

    // Candidacy: the builder folded the runtime's, main's, the tracer's and
    // the instrumentation's goroutines into `system`. Of the rest, user work
    // (or one of user_packages), ctxtrace.Go's goroutines (they run the
    // user's function) and context.propagateCancel's (cancel-not-called).
    const std::string_view start = m.Str(gi.start_func);
    // In a test's trace, servers and clients the test left open are judged
    // like any other goroutine (goleak); elsewhere they are normal life.
    g.net_goroutine = m.quality.scope == TraceScope::kTest && IsNetGoroutine(start);
    g.candidate = !gi.system && gi.start_func != kEmptyString &&
                  (m.IsUserGoroutine(start) || g.propagate_cancel || IsCtxtraceGoGoroutine(start) || g.net_goroutine);

    // In flight: see GoRecord. Creations, blocks and wake-ups count as a
    // change (last_change); being preempted and resumed while running does not.
    const bool alive = gi.ended < 0;
    const bool changed_recently = g.last_change >= 0 && m.trace_end - g.last_change < o.grace_ns;
    const bool created_recently = gi.created >= 0 && m.trace_end - gi.created < o.grace_ns;
    // A loop that keeps blocking at the same place is not on its way out.
    g.in_flight = alive && (created_recently || (g.block_repeats < 2 && changed_recently));
    g.on_its_way_out = (gi.end_state == GoState::kRunnable || gi.end_state == GoState::kRunning) && changed_recently;

    const ContextInfo* c = m.Context(gi.context_id);
    g.done_at = c != nullptr && c->done >= 0 ? c->done : g.overdue_at;

    g.nil_done_wait = gi.wait == WaitKind::kChanReceiveNil &&
                      (InContextPackage(m.Funcs(gi.block_stack)) || InContextPackage(m.Funcs(gi.creation_stack)));

    g.creation_user_frame = user_frame(gi.creation_stack);
    g.where_user_frame = user_frame(g.where);
    g.wait_user_frame = user_frame(g.wait_stack);

    // Evidence for the detached-context rule and the hints.
    if (alive && gi.end_state == GoState::kWaiting) {
      if (gi.wait == WaitKind::kChanReceiveNil && g.candidate) {
        // A single-case select compiles to a plain receive: its `case` is on
        // the line after `select {`.
        const std::string text = SourceAt(m, source, g.where, g.where_user_frame, 2);
        const size_t nl = text.find('\n');
        const std::string_view first = std::string_view(text).substr(0, nl);
        if (evidence::ReceivesFromDone(first) ||
            (first.find("select") != std::string_view::npos && AnyLineReceivesFromDone(text))) {
          g.nil_done_from_source = !g.nil_done_wait;
          g.nil_done_wait = true;
        }
        if (g.nil_done_wait) {
          const std::string creation = SourceAt(m, source, gi.creation_stack, g.creation_user_frame, 1);
          const std::string_view passed = evidence::UncancelableContextIn(creation);
          if (!passed.empty()) {
            g.context_origin = std::string(passed) + " passed at " +
                               ShortSite(SiteAt(*m.stacks, *m.strings, gi.creation_stack, g.creation_user_frame));
          }
        }
      }
      if (gi.wait == WaitKind::kSelect) {
        // A cancel woke it before from a wait at this very site: that select has the Done() case.
        g.select_has_done_case = g.last_woken.valid() && g.wait_stack != kNoStack && WaitSite(m, g.wait_stack) == g.wait_site;
        if (!g.select_has_done_case && g.candidate) {
          g.select_has_done_case =
              AnyLineReceivesFromDone(SelectBody(SourceAt(m, source, g.where, g.where_user_frame, 64)));
        }
      }
      g.accept_wait = gi.wait == WaitKind::kIOWait && IsAcceptWait(m.Funcs(g.where));
    }
  }
  for (ContextInfo& c : m.contexts) c.under_cancelable = m.UnderCancelableContext(c.created_by);
}

}  // namespace cancelflow::analysis
