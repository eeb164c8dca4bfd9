// Why samples are kept until the end: which samples are "post-cancel" is
// only known once the analysis has found the cancellations and who they
// woke. CPU samples are rare (100 Hz per running thread) and unblocks are
// 16 bytes each, so keeping them, bounded, is cheaper than a second pass.
//
// Field numbers follow proto/profile.proto (same numbers as upstream
// google/pprof proto/profile.proto).
#include "report/pprof_writer.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "base/flat_map.h"
#include "cancelflow/reader.h"
#include "report/protobuf_writer.h"

namespace cancelflow::report {

namespace {

namespace pp {
// Profile
constexpr uint32_t kSampleType = 1;
constexpr uint32_t kSample = 2;
constexpr uint32_t kMapping = 3;
constexpr uint32_t kLocation = 4;
constexpr uint32_t kFunction = 5;
constexpr uint32_t kStringTable = 6;
constexpr uint32_t kDurationNanos = 10;
constexpr uint32_t kPeriodType = 11;
constexpr uint32_t kPeriod = 12;
constexpr uint32_t kComment = 13;
constexpr uint32_t kDefaultSampleType = 14;
// ValueType
constexpr uint32_t kVtType = 1;
constexpr uint32_t kVtUnit = 2;
// Sample
constexpr uint32_t kSLocationId = 1;
constexpr uint32_t kSValue = 2;
constexpr uint32_t kSLabel = 3;
// Label
constexpr uint32_t kLKey = 1;
constexpr uint32_t kLStr = 2;
constexpr uint32_t kLNum = 3;
// Mapping
constexpr uint32_t kMId = 1;
constexpr uint32_t kMMemoryStart = 2;
constexpr uint32_t kMMemoryLimit = 3;
constexpr uint32_t kMFilename = 5;
constexpr uint32_t kMHasFunctions = 7;
constexpr uint32_t kMHasFilenames = 8;
constexpr uint32_t kMHasLineNumbers = 9;
// Location
constexpr uint32_t kLocId = 1;
constexpr uint32_t kLocMappingId = 2;
constexpr uint32_t kLocAddress = 3;
constexpr uint32_t kLocLine = 4;
// Line
constexpr uint32_t kLineFunctionId = 1;
constexpr uint32_t kLineLine = 2;
// Function
constexpr uint32_t kFnId = 1;
constexpr uint32_t kFnName = 2;
constexpr uint32_t kFnSystemName = 3;
constexpr uint32_t kFnFilename = 4;
}  // namespace pp

constexpr int kNumValues = PostCancelSample::kNumValues;

struct TimedStack {
  GoId g;
  Time time;
  StackId stack;
  Time since = -1;  // unblocks: when the wait began
};

struct Window {
  GoId g;
  Time begin, end;
  StackId wall_stack;
  std::string rule, context, cause, kind;
};

class StringTable {
 public:
  StringTable() { Index(""); }
  int64_t Index(std::string_view s) {
    auto [it, inserted] = map_.try_emplace(std::string(s), static_cast<int64_t>(strings_.size()));
    if (inserted) strings_.emplace_back(s);
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, int64_t> map_;
  std::vector<std::string> strings_;
};

}  // namespace

struct PprofWriter::Impl {
  PprofOptions opts;
  std::vector<TimedStack> cpu;       // CPU samples of goroutines
  std::vector<TimedStack> unblocks;  // wait stack at each unblock
  FlatMap<uint32_t> block_stack;     // goid -> StackId of its current block
  FlatMap<Time> block_since;         // goid -> when its current block began
  FlatMap<uint32_t> last_stack;      // goid -> the latest stack it showed (any event)
  uint64_t dropped = 0;
  uint64_t cpu_seen = 0;
  Time first = -1, last = 0;
  const StringPool* strings = nullptr;

  bool Room() {
    if (cpu.size() + unblocks.size() < opts.max_records) return true;
    ++dropped;
    return false;
  }

  void OnEvent(const Event& e, const Reader& reader) {
    if (first < 0) first = e.time;
    last = e.time;
    strings = &reader.strings();
    if (e.goroutine != kNoGoroutine && e.stack != kNoStack) {
      auto [slot, inserted] = last_stack.Insert(static_cast<uint64_t>(e.goroutine.value()), e.stack.value());
      if (!inserted) *slot = e.stack.value();
    }
    if (e.kind == EventKind::kStackSample) {
      ++cpu_seen;
      if (e.goroutine != kNoGoroutine && Room()) cpu.push_back(TimedStack{e.goroutine, e.time, e.stack});
      return;
    }
    if (e.kind != EventKind::kStateTransition) return;
    const StateTransition st = GetStateTransition(e);
    if (st.resource.kind != ResourceKind::kGoroutine) return;
    const uint64_t g = static_cast<uint64_t>(st.resource.id);
    if (st.go_to() == GoState::kWaiting) {
      auto [slot, inserted] = block_stack.Insert(g, st.stack.value());
      if (!inserted) *slot = st.stack.value();
      auto [since, fresh] = block_since.Insert(g, e.time);
      if (!fresh) *since = e.time;
    } else if (st.go_from() == GoState::kWaiting && st.go_to() == GoState::kRunnable) {
      const uint32_t* s = block_stack.Find(g);
      const Time* since = block_since.Find(g);
      if (s && Room()) unblocks.push_back(TimedStack{GoId(st.resource.id), e.time, StackId(*s), since ? *since : -1});
      block_stack.Erase(g);
      block_since.Erase(g);
    } else if (st.go_to() == GoState::kNotExist) {
      block_stack.Erase(g);
      block_since.Erase(g);
    }
  }
};

PprofWriter::PprofWriter(const PprofOptions& options) : impl_(std::make_unique<Impl>()) { impl_->opts = options; }
PprofWriter::~PprofWriter() = default;
void PprofWriter::OnEvent(const Event& e, const Reader& reader) { impl_->OnEvent(e, reader); }

std::vector<PostCancelSample> PprofWriter::Samples(const Analysis& a, PprofStats* stats_out) {
  Impl& im = *impl_;
  PprofStats stats;
  stats.cpu_samples_seen = im.cpu_seen;
  stats.dropped_records = im.dropped;
  const Time end = std::max(im.last, a.quality.end);

  // ---- Labels per goroutine: the first finding that names it.
  std::unordered_map<int64_t, const Finding*> finding_of;
  for (const Finding& f : a.findings)
    for (GoId g : f.goroutines) finding_of.try_emplace(g.value(), &f);
  auto rule_of = [&](GoId g) -> std::string {
    auto it = finding_of.find(g.value());
    return it == finding_of.end() ? std::string("none") : std::string(RuleId(it->second->rule));
  };
  auto goroutine_end = [&](GoId g) -> Time {
    const GoroutineInfo* info = a.Goroutine(g);
    return info && info->ended >= 0 ? info->ended : end;
  };
  // The wait stack of g at its last unblock at or before t (unblocks are in time order).
  std::sort(im.unblocks.begin(), im.unblocks.end(), [](const TimedStack& x, const TimedStack& y) {
    return x.g != y.g ? x.g < y.g : x.time < y.time;
  });
  auto wait_stack = [&](GoId g, Time t) -> StackId {
    auto it = std::upper_bound(im.unblocks.begin(), im.unblocks.end(), TimedStack{g, t, {}},
                               [](const TimedStack& x, const TimedStack& y) {
                                 return x.g != y.g ? x.g < y.g : x.time < y.time;
                               });
    if (it == im.unblocks.begin() || (it - 1)->g != g) return kNoStack;
    return (it - 1)->stack;
  };

  // Where to put a window's wall time when the wait stack is unknown (e.g. a
  // goroutine that spins and never blocks): its last block stack, else the
  // last stack it showed, else its creation stack.
  auto fallback_stack = [&](GoId g) -> StackId {
    const GoroutineInfo* info = a.Goroutine(g);
    if (info && info->block_stack != kNoStack) return info->block_stack;
    if (const uint32_t* s = im.last_stack.Find(static_cast<uint64_t>(g.value()))) return StackId(*s);
    return info ? info->creation_stack : kNoStack;
  };

  // ---- Post-cancel windows, at most one per goroutine.
  std::vector<Window> windows;
  FlatMap<uint32_t> window_of;  // goid -> index
  for (const Cancellation& c : a.cancellations) {
    for (const WokenGoroutine& w : c.woken) {
      if (w.unblocked < 0) continue;
      if (!window_of.Insert(static_cast<uint64_t>(w.goroutine.value()), static_cast<uint32_t>(windows.size())).second)
        continue;
      Window win;
      win.g = w.goroutine;
      win.begin = w.unblocked;
      win.end = w.stopped >= 0 ? w.stopped : goroutine_end(w.goroutine);
      // A slow-cancel finding measures the time to respond: its goroutines'
      // windows end at the response (waits on the way, e.g. a time.Sleep,
      // are post-cancel time), so the profile and the finding tell one
      // number. Other windows end at the next block (time to next block).
      if (const auto f = finding_of.find(w.goroutine.value());
          f != finding_of.end() && f->second->rule == Rule::kSlowCancel) {
        win.end = std::max(win.end, w.responded >= 0 ? w.responded : goroutine_end(w.goroutine));
      }
      win.wall_stack = wait_stack(w.goroutine, w.unblocked);
      if (win.wall_stack == kNoStack) win.wall_stack = w.next_block_stack;
      if (win.wall_stack == kNoStack) win.wall_stack = fallback_stack(w.goroutine);
      win.rule = rule_of(w.goroutine);
      win.context = c.context_id ? fmt::format("ctx {}", c.context_id) : fmt::format("cancel #{}", c.index);
      win.cause = c.cause.empty() ? std::string(CancelKindName(c.kind)) : c.cause;
      win.kind = std::string(CancelKindName(c.kind));
      windows.push_back(std::move(win));
    }
  }
  for (const ContextInfo& ctx : a.contexts) {
    if (ctx.done < 0) continue;
    for (GoId g : ctx.bound) {
      const Time gend = goroutine_end(g);
      if (gend <= ctx.done) continue;
      if (!window_of.Insert(static_cast<uint64_t>(g.value()), static_cast<uint32_t>(windows.size())).second) continue;
      Window win;
      win.g = g;
      win.begin = ctx.done;
      win.end = gend;
      win.wall_stack = wait_stack(g, ctx.done);
      if (win.wall_stack == kNoStack) win.wall_stack = fallback_stack(g);
      win.rule = rule_of(g);
      win.context = fmt::format("ctx {}", ctx.id);
      win.cause = !ctx.cause.empty() ? ctx.cause : !ctx.err.empty() ? ctx.err : ctx.done_by;
      win.kind = ctx.done_by.empty() ? std::string("done") : ctx.done_by;
      windows.push_back(std::move(win));
    }
  }
  stats.windows = windows.size();

  // ---- Samples, merged by (stack, window) / (stack, goroutine finding).
  using Agg = PostCancelSample;
  std::vector<Agg> aggs;
  std::unordered_map<uint64_t, uint32_t> agg_index;
  auto frames_of = [&](StackId s) {
    auto f = a.stacks().Frames(s);
    return std::vector<FrameId>(f.begin(), f.end());
  };
  auto window_agg = [&](uint32_t wi, StackId stack) -> Agg& {
    const uint64_t key = (static_cast<uint64_t>(wi) << 32) | stack.value();
    auto [it, inserted] = agg_index.try_emplace(key, static_cast<uint32_t>(aggs.size()));
    if (inserted) {
      const Window& w = windows[wi];
      Agg ag;
      ag.frames = frames_of(stack);
      ag.labels = {{"rule", w.rule}, {"context", w.context}, {"cause", w.cause}, {"cancel_kind", w.kind}};
      ag.goroutine = w.g.value();
      aggs.push_back(std::move(ag));
    }
    return aggs[it->second];
  };
  for (const TimedStack& s : im.cpu) {
    const uint32_t* wi = window_of.Find(static_cast<uint64_t>(s.g.value()));
    if (!wi) continue;
    const Window& w = windows[*wi];
    if (s.time < w.begin || s.time >= w.end) continue;
    Agg& ag = window_agg(*wi, s.stack);
    ag.values[0] += 1;
    ag.values[1] += im.opts.cpu_period_ns;
    ++stats.post_cancel_cpu_samples;
  }
  // Wall time where it was spent: each wait that overlaps the window goes to
  // that wait's stack (a time.Sleep after the wake counts at time.Sleep),
  // including a wait still open when the trace ends; the rest (running or
  // runnable) stays on the stack the goroutine was woken at.
  const auto by_goroutine = [](const TimedStack& x, const TimedStack& y) {
    return x.g != y.g ? x.g < y.g : x.time < y.time;
  };
  for (uint32_t wi = 0; wi < windows.size(); ++wi) {
    const Window& w = windows[wi];
    if (w.end <= w.begin) continue;
    Time waited = 0;
    auto spend = [&](Time from, Time to, StackId stack) {
      from = std::max(from, w.begin);
      to = std::min(to, w.end);
      if (from < 0 || to <= from || stack == kNoStack) return;
      window_agg(wi, stack).values[2] += to - from;
      waited += to - from;
    };
    for (auto it = std::upper_bound(im.unblocks.begin(), im.unblocks.end(), TimedStack{w.g, w.begin, {}}, by_goroutine);
         it != im.unblocks.end() && it->g == w.g && it->since < w.end; ++it) {
      spend(it->since, it->time, it->stack);
    }
    const uint64_t key = static_cast<uint64_t>(w.g.value());
    if (const uint32_t* open = im.block_stack.Find(key)) {
      if (const Time* since = im.block_since.Find(key)) spend(*since, w.end, StackId(*open));
    }
    if (w.end - w.begin > waited) window_agg(wi, w.wall_stack).values[2] += w.end - w.begin - waited;
  }
  for (const Finding& f : a.findings) {
    if (f.rule != Rule::kLeakedGoroutine && f.rule != Rule::kIgnoredCancel) continue;
    for (GoId g : f.goroutines) {
      const GoroutineInfo* info = a.Goroutine(g);
      Agg ag;
      ag.frames = frames_of(info ? info->block_stack : f.block_stack);
      auto creation = frames_of(info ? info->creation_stack : f.creation_stack);
      ag.frames.insert(ag.frames.end(), creation.begin(), creation.end());
      ag.values[3] = 1;
      ag.labels = {{"rule", std::string(RuleId(f.rule))},
                   {"block_reason", std::string(a.Str(info ? info->block_reason : f.block_reason))}};
      if (f.context_id) ag.labels.emplace_back("context", fmt::format("ctx {}", f.context_id));
      if (!f.test.empty()) ag.labels.emplace_back("test", f.test);
      ag.labels.emplace_back("fingerprint", f.fingerprint);
      ag.goroutine = g.value();
      aggs.push_back(std::move(ag));
      ++stats.leaked_goroutines;
    }
  }

  *stats_out = stats;
  return aggs;
}

PprofStats PprofWriter::Encode(const Analysis& a, std::string* proto) {
  Impl& im = *impl_;
  PprofStats stats;
  const std::vector<PostCancelSample> aggs = Samples(a, &stats);
  const Time end = std::max(im.last, a.quality.end);
  const Time start = im.first >= 0 ? im.first : std::max<Time>(a.quality.start, 0);
  using Agg = PostCancelSample;

  // ---- Tables.
  StringTable st;
  ProtoWriter w;
  const char* types[kNumValues][2] = {{"post_cancel_cpu_samples", "count"},
                                      {"post_cancel_cpu", "nanoseconds"},
                                      {"post_cancel_wall", "nanoseconds"},
                                      {"leaked_goroutines", "count"}};
  for (auto& t : types) {
    auto m = w.BeginMessage(pp::kSampleType);
    w.Int64(pp::kVtType, st.Index(t[0]));
    w.Int64(pp::kVtUnit, st.Index(t[1]));
    w.EndMessage(m);
  }

  FlatMap<uint32_t> loc_of;  // FrameId -> location id
  std::vector<FrameId> locs;
  std::unordered_map<uint64_t, uint32_t> fn_of;  // func << 32 | file -> function id
  std::vector<std::pair<StringId, StringId>> fns;
  uint64_t max_pc = 0;
  auto location = [&](FrameId f) -> uint64_t {
    auto [slot, inserted] = loc_of.Insert(f.value(), static_cast<uint32_t>(locs.size() + 1));
    if (inserted) locs.push_back(f);
    return *slot;
  };
  // Synthetic location for empty stacks: function "[no stack]".
  bool need_no_stack = false;
  std::vector<uint64_t> loc_ids;
  for (const Agg& ag : aggs) {
    for (FrameId f : ag.frames) location(f);
    need_no_stack |= ag.frames.empty();
  }
  const uint64_t no_stack_loc = locs.size() + 1;
  for (const Agg& ag : aggs) {
    auto m = w.BeginMessage(pp::kSample);
    loc_ids.clear();
    for (FrameId f : ag.frames) loc_ids.push_back(*loc_of.Find(f.value()));
    if (loc_ids.empty()) loc_ids.push_back(no_stack_loc);
    w.PackedVarint(pp::kSLocationId, loc_ids);
    w.PackedInt64(pp::kSValue, std::span<const int64_t>(ag.values, kNumValues));
    for (const auto& [k, v] : ag.labels) {
      auto l = w.BeginMessage(pp::kSLabel);
      w.Int64(pp::kLKey, st.Index(k));
      w.Int64(pp::kLStr, st.Index(v));
      w.EndMessage(l);
    }
    if (ag.goroutine >= 0) {
      auto l = w.BeginMessage(pp::kSLabel);
      w.Int64(pp::kLKey, st.Index("goroutine"));
      w.Int64(pp::kLNum, ag.goroutine);
      w.EndMessage(l);
    }
    w.EndMessage(m);
    ++stats.samples;
  }

  for (size_t i = 0; i < locs.size(); ++i) {
    const Frame& fr = a.stacks().GetFrame(locs[i]);
    max_pc = std::max(max_pc, fr.pc);
    const uint64_t key = (static_cast<uint64_t>(fr.func.value()) << 32) | fr.file.value();
    auto [it, inserted] = fn_of.try_emplace(key, static_cast<uint32_t>(fns.size() + 1));
    if (inserted) fns.emplace_back(fr.func, fr.file);
    auto m = w.BeginMessage(pp::kLocation);
    w.Varint(pp::kLocId, i + 1);
    w.Varint(pp::kLocMappingId, 1);
    if (fr.pc) w.Varint(pp::kLocAddress, fr.pc);
    auto line = w.BeginMessage(pp::kLocLine);
    w.Varint(pp::kLineFunctionId, it->second);
    w.Int64(pp::kLineLine, static_cast<int64_t>(fr.line));
    w.EndMessage(line);
    w.EndMessage(m);
  }
  if (need_no_stack) {
    auto m = w.BeginMessage(pp::kLocation);
    w.Varint(pp::kLocId, no_stack_loc);
    w.Varint(pp::kLocMappingId, 1);
    auto line = w.BeginMessage(pp::kLocLine);
    w.Varint(pp::kLineFunctionId, fns.size() + 1);
    w.EndMessage(line);
    w.EndMessage(m);
  }
  for (size_t i = 0; i < fns.size(); ++i) {
    auto m = w.BeginMessage(pp::kFunction);
    w.Varint(pp::kFnId, i + 1);
    const int64_t name = st.Index(a.Str(fns[i].first));
    w.Int64(pp::kFnName, name);
    w.Int64(pp::kFnSystemName, name);
    w.Int64(pp::kFnFilename, st.Index(a.Str(fns[i].second)));
    w.EndMessage(m);
  }
  if (need_no_stack) {
    auto m = w.BeginMessage(pp::kFunction);
    w.Varint(pp::kFnId, fns.size() + 1);
    w.Int64(pp::kFnName, st.Index("[no stack]"));
    w.EndMessage(m);
  }
  {
    auto m = w.BeginMessage(pp::kMapping);
    w.Varint(pp::kMId, 1);
    w.Varint(pp::kMMemoryStart, 0);
    w.Varint(pp::kMMemoryLimit, max_pc + 1);
    w.Int64(pp::kMFilename, st.Index("go-trace"));
    w.Bool(pp::kMHasFunctions, true);
    w.Bool(pp::kMHasFilenames, true);
    w.Bool(pp::kMHasLineNumbers, true);
    w.EndMessage(m);
  }
  w.Int64(pp::kDurationNanos, std::max<Time>(end - start, 0));
  {
    auto m = w.BeginMessage(pp::kPeriodType);
    w.Int64(pp::kVtType, st.Index("cpu"));
    w.Int64(pp::kVtUnit, st.Index("nanoseconds"));
    w.EndMessage(m);
  }
  w.Int64(pp::kPeriod, im.opts.cpu_period_ns);
  w.Int64(pp::kComment, st.Index("cancelflow: a post-cancel window runs from the wake-up to the goroutine's next "
                                  "block or exit (time to next block), or to its response for a slow-cancel "
                                  "goroutine (time to respond)"));
  w.Int64(pp::kComment, st.Index(fmt::format("cancelflow: {} post-cancel windows, {} of {} CPU samples in them, "
                                             "{} leaked goroutines; CPU period assumed {} ns",
                                             stats.windows, stats.post_cancel_cpu_samples, stats.cpu_samples_seen,
                                             stats.leaked_goroutines, im.opts.cpu_period_ns)));
  if (stats.dropped_records)
    w.Int64(pp::kComment, st.Index(fmt::format("cancelflow: {} CPU samples / unblocks dropped (max_records {})",
                                               stats.dropped_records, im.opts.max_records)));
  // The default view is what the profile is about: leaked goroutines when
  // there are some and no post-cancel work worth a look (no CPU sample after a
  // cancel and no slow-cancel finding: the wall windows are then only the
  // microseconds goroutines took to wake and block again); else the work.
  const bool slow_cancel = std::any_of(a.findings.begin(), a.findings.end(),
                                       [](const Finding& f) { return f.rule == Rule::kSlowCancel; });
  const bool post_cancel_work = stats.post_cancel_cpu_samples > 0 || slow_cancel;
  const char* def = stats.leaked_goroutines > 0 && !post_cancel_work ? "leaked_goroutines"
                    : stats.post_cancel_cpu_samples                  ? "post_cancel_cpu"
                    : stats.windows                                  ? "post_cancel_wall"
                                                                     : "leaked_goroutines";
  w.Int64(pp::kDefaultSampleType, st.Index(def));
  for (const std::string& s : st.strings()) w.String(pp::kStringTable, s);

  *proto = std::move(w.mutable_data());
  return stats;
}

bool Gzip(std::string_view data, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  const size_t base = out->size();
  out->resize(base + deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + base);
  zs.avail_out = static_cast<uInt>(out->size() - base);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return false;
  out->resize(base + written);
  return true;
}

bool PprofWriter::Write(const Analysis& analysis, std::string* gz, PprofStats* stats) {
  std::string proto;
  PprofStats s = Encode(analysis, &proto);
  gz->clear();
  if (!Gzip(proto, gz)) return false;
  s.bytes = gz->size();
  if (stats) *stats = s;
  return true;
}

}  // namespace cancelflow::report
