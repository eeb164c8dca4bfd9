// Analyze: one pass of the ordered reader through ModelBuilder (and the
// caller's observers), then every rule over the finished model.
//
// INVARIANTS: the model is finished (ModelBuilder::Finish: every fact,
// test names included) before the first rule runs; the rules only append
// findings; nothing here changes a finding but their order (SortFindings, a
// total order on content) and which goroutines are kept for the reports.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <set>

#include <fmt/format.h>

#include "analysis/model_builder.h"
#include "analysis/rules.h"
#include "base/trace_buffer.h"
#include "cancelflow/analysis.h"
#include "cancelflow/reader.h"

namespace cancelflow {

std::string_view RuleId(Rule r) {
  switch (r) {
    case Rule::kLeakedGoroutine: return "leaked-goroutine";
    case Rule::kIgnoredCancel: return "ignored-cancel";
    case Rule::kSlowCancel: return "slow-cancel";
    case Rule::kCancelNotCalled: return "cancel-not-called";
    case Rule::kDetachedContext: return "detached-context";
    case Rule::kLateDeadline: return "late-deadline";
    case Rule::kCount: break;
  }
  return "?";
}

std::optional<Rule> RuleFromId(std::string_view id) {
  for (int r = 0; r < static_cast<int>(Rule::kCount); ++r)
    if (RuleId(static_cast<Rule>(r)) == id) return static_cast<Rule>(r);
  return std::nullopt;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "?";
}


std::string_view WakeOutcomeName(WakeOutcome o) {
  switch (o) {
    case WakeOutcome::kExited: return "exited";
    case WakeOutcome::kBlockedAgain: return "blocked";
    case WakeOutcome::kRunning: return "running";
    case WakeOutcome::kNotStarted: return "not-started";
  }
  return "?";
}

const GoroutineInfo* Analysis::Goroutine(GoId id) const {
  auto it = std::lower_bound(goroutines.begin(), goroutines.end(), id,
                             [](const GoroutineInfo& g, GoId v) { return g.id < v; });
  return it != goroutines.end() && it->id == id ? &*it : nullptr;
}

namespace {

// Hands ordered events from the reader thread to the analysis thread in
// chunks. Bounded: at most kMaxChunks chunks of kChunkEvents events exist
// (3 x 65536 x 72 bytes = 14 MB; large chunks keep the
// hand-over cost low: with 4096-event chunks the two-thread pass was 50% slower than
// `stats`, with these 19-29% on the 119 MB stress trace). Before a Next() call that may load a
// generation (the only time the reader writes the pools, the generation's id
// tables and Sync details the consumer reads), the producer waits until the
// consumer has finished every event handed over, so the consumer never reads
// them while they change.
//
// The reader thread orders; the analysis thread resolves each event's stack
// and string ids (Reader::ResolveIds, ~12% of the reader thread's time moved
// to the less loaded side) before the model sees it. A resolution error is
// the trace's error at that event, exactly where the one-thread reader
// reports it: the consumer stops there, stops the producer and drops what
// it produced after that event (including any later error of its own).
class EventPipe {
 public:
  static constexpr size_t kChunkEvents = 65536;
  static constexpr size_t kMaxChunks = 3;

  explicit EventPipe(Reader* reader) : reader_(reader) {}

  // Reader thread. Returns the error that stopped the reader, if any.
  std::optional<Error> Produce() {
    std::optional<Error> error;
    Chunk chunk = TakeFree();
    while (chunk.events != nullptr) {
      if (reader_->NextMayLoadGeneration()) {
        Hand(&chunk);
        WaitDrained();
        if (chunk.events == nullptr || Stopped()) break;
      }
      auto got = reader_->NextBatch(chunk.events.get() + chunk.size, kChunkEvents - chunk.size,
                                    Reader::IdResolution::kDeferred);
      if (!got) {
        error = got.error();
        break;
      }
      if (*got == 0) break;
      chunk.size += *got;
      if (chunk.size == kChunkEvents) Hand(&chunk);
    }
    if (chunk.events != nullptr) Hand(&chunk);
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
    return error;
  }

  // Analysis thread: resolves the ids of every event and calls f for it, in
  // order, until the producer closes or an event's ids do not resolve (that
  // error is returned).
  template <typename F>
  std::optional<Error> Consume(F&& f) {
    std::optional<Error> error;
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return !full_.empty() || closed_; });
      if (full_.empty()) return error;
      Chunk chunk = std::move(full_.front());
      full_.pop_front();
      busy_ = true;
      lock.unlock();
      if (!error) {
        Error err;
        for (size_t i = 0; i < chunk.size; ++i) {
          Event& e = chunk.events[i];
          if (!reader_->ResolveIds(&e, &err)) [[unlikely]] {
            error = std::move(err);
            break;
          }
          f(e);
        }
      }
      chunk.size = 0;
      lock.lock();
      busy_ = false;
      if (error) stopped_ = true;
      free_.push_back(std::move(chunk));
      cv_.notify_all();
    }
  }

 private:
  // A fixed array the reader fills in place (NextBatch), `size` events used.
  struct Chunk {
    std::unique_ptr<Event[]> events;
    size_t size = 0;
  };

  bool Stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

  // A free chunk, or one without an array once the consumer has stopped.
  Chunk TakeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || allocated_ < kMaxChunks || stopped_; });
    if (stopped_) return Chunk{};
    if (free_.empty()) {
      ++allocated_;
      return Chunk{std::make_unique<Event[]>(kChunkEvents), 0};
    }
    Chunk c = std::move(free_.back());
    free_.pop_back();
    return c;
  }

  void Hand(Chunk* chunk) {
    if (chunk->size == 0) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(std::move(*chunk));
      cv_.notify_all();
    }
    *chunk = TakeFree();
  }

  void WaitDrained() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return full_.empty() && !busy_; });
  }

  Reader* reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> full_;
  std::vector<Chunk> free_;
  size_t allocated_ = 0;
  bool busy_ = false;
  bool closed_ = false;
  bool stopped_ = false;  // the consumer hit an error: the producer stops
};

}  // namespace

Result<Analysis> Analyze(const TraceBuffer& buf, const AnalysisOptions& options,
                         const std::vector<EventObserver*>& observers) {
  auto opened = Reader::Open(buf);
  if (!opened) return tl::unexpected(opened.error());
  // The pools must outlive this call: the Analysis shares ownership of the
  // reader that holds them.
  auto reader = std::make_shared<Reader>(std::move(*opened));
  analysis::ModelBuilder builder(options, *reader);
  std::optional<Error> error;
  auto deliver = [&](const Event& e) {
    builder.OnEvent(e);
    for (EventObserver* o : observers) o->OnEvent(e, *reader);
  };
  if (options.threads == 1) {
    // The same events through the reader's one-thread path (ids resolved in NextBatch).
    error = reader->ForEachEvent(deliver);
  } else {
    // 2-stage pipeline: a worker thread runs the ordered reader, this one
    // resolves ids and runs the model builder and observers (see EventPipe).
    EventPipe pipe(reader.get());
    std::optional<Error> producer_error;
    std::thread producer([&] { producer_error = pipe.Produce(); });
    error = pipe.Consume(deliver);
    producer.join();
    if (!error) error = std::move(producer_error);
  }
  // The model with every fact the rules read (model_state.h): trace_end is
  // the last event's time.
  analysis::ModelState m = builder.Finish(-1);

  Analysis a(std::shared_ptr<const StringPool>(reader, &reader->strings()),
             std::shared_ptr<const StackPool>(reader, &reader->stacks()));
  m.quality.trace_version = fmt::format("go 1.{}", reader->version());
  m.quality.bytes = buf.size();
  if (error) {
    m.quality.partial = true;
    m.quality.error = error;
  }

  // Evidence from outside the trace, joined before the rules read it.
  if (!options.leak_profile) m.quality.leak_profile.missing = options.leak_profile_missing;
  if (options.leak_profile) {
    if (auto mismatch = analysis::JoinLeakProfile(*options.leak_profile, m)) return tl::unexpected(std::move(*mismatch));
  }

  // Strongest rule first: a goroutine is reported once (rules.h).
  analysis::FindingSink sink;
  analysis::FindCancelsNotCalled(m, options, &sink);
  analysis::FindDetachedContexts(m, options, &sink);
  analysis::FindIgnoredCancels(m, options, &sink);
  analysis::FindLeakedGoroutines(m, options, &sink);
  analysis::FindSlowCancels(m, options, &sink);
  analysis::FindLateDeadlines(m, options, &sink);
  std::vector<Finding> findings = std::move(sink.findings);
  analysis::SortFindings(m, &findings);
  // Rules the options turn off report nothing, in every command.
  std::erase_if(findings, [&](const Finding& f) { return !options.enabled(f.rule); });

  // Keep the goroutines that findings and cancellations refer to.
  std::set<int64_t> keep;
  for (const Finding& f : findings)
    for (GoId g : f.goroutines) keep.insert(g.value());
  for (const Cancellation& c : m.cancellations) {
    keep.insert(c.canceler.value());
    for (const WokenGoroutine& w : c.woken) keep.insert(w.goroutine.value());
  }
  for (const ContextInfo& c : m.contexts)
    for (GoId g : c.bound) keep.insert(g.value());
  for (const analysis::GoRecord& g : m.gs)
    if (keep.count(g.info.id.value())) a.goroutines.push_back(g.info);
  std::sort(a.goroutines.begin(), a.goroutines.end(),
            [](const GoroutineInfo& x, const GoroutineInfo& y) { return x.id < y.id; });

  a.findings = std::move(findings);
  for (Finding& f : a.findings) f.fingerprint = FindingFingerprint(a, f);
  a.options = options;
  a.cancellations = std::move(m.cancellations);
  a.contexts = std::move(m.contexts);
  a.tests = std::move(m.tests);
  a.runner_tests.reserve(m.runner_tests.size());
  for (const analysis::RunnerTest& t : m.runner_tests) a.runner_tests.push_back(Test{t.name, "", t.start, t.end, t.goroutine});
  a.quality = std::move(m.quality);
  a.user_packages = m.user_packages;
  if (m.wall_offset_known) a.quality.wall_offset_ns = m.wall_offset;
  a.tested_package = std::move(m.tested_package);
  return a;
}

}  // namespace cancelflow
