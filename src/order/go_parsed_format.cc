// Port of Event.String (event.go), printStack, Value.String,
// ResourceID.String and time.Time.Format(RFC3339Nano).
#include "order/go_parsed_format.h"

#include <ctime>

#include <fmt/format.h>

#include "base/go_quote.h"
#include "wire/event_spec.h"

namespace cancelflow::order {
namespace {

void AppendInt(std::string* out, int64_t v) { fmt::format_to(std::back_inserter(*out), "{}", v); }
void AppendUint(std::string* out, uint64_t v) { fmt::format_to(std::back_inserter(*out), "{}", v); }

void AppendValueUint(std::string* out, uint64_t v) {
  out->append("Value{Uint64(");
  AppendUint(out, v);
  out->append(")}");
}

void AppendResource(std::string* out, ResourceId r) {
  switch (r.kind) {
    case ResourceKind::kNone: out->append("None"); return;
    case ResourceKind::kGoroutine: out->append("Goroutine("); break;
    case ResourceKind::kProc: out->append("Proc("); break;
    case ResourceKind::kThread: out->append("Thread("); break;
  }
  AppendInt(out, r.id);
  out->push_back(')');
}

// printStack(w, "\t", frames).
void AppendStack(const Reader& r, StackId id, std::string* out) {
  for (FrameId fid : r.stacks().Frames(id)) {
    const Frame& f = r.stacks().GetFrame(fid);
    out->push_back('\t');
    out->append(r.strings().Get(f.func));
    fmt::format_to(std::back_inserter(*out), " @ 0x{:x}\n\t\t", f.pc);
    out->append(r.strings().Get(f.file));
    out->push_back(':');
    AppendUint(out, f.line);
    out->push_back('\n');
  }
}

void Quote(const Reader& r, StringId id, std::string* out) { AppendGoQuote(r.strings().Get(id), out); }

// days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

}  // namespace

void AppendRFC3339Nano(int64_t sec, int64_t nsec, std::string* out) {
  // time.Unix normalization.
  if (nsec < 0 || nsec >= 1000000000) {
    const int64_t n = nsec / 1000000000;
    sec += n;
    nsec -= n * 1000000000;
    if (nsec < 0) {
      nsec += 1000000000;
      --sec;
    }
  }
  long offset = 0;
  const auto tt = static_cast<time_t>(sec);
  std::tm tm{};
  if (localtime_r(&tt, &tm) != nullptr) offset = tm.tm_gmtoff;
  const auto local = static_cast<int64_t>(static_cast<uint64_t>(sec) + static_cast<uint64_t>(offset));
  int64_t days = local / 86400;
  int64_t rem = local % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  auto it = std::back_inserter(*out);
  if (year < 0) {
    fmt::format_to(it, "-{:04}", -year);
  } else {
    fmt::format_to(it, "{:04}", year);
  }
  fmt::format_to(it, "-{:02}-{:02}T{:02}:{:02}:{:02}", month, day, rem / 3600, rem / 60 % 60, rem % 60);
  if (nsec != 0) {
    char frac[10];
    fmt::format_to_n(frac, 9, "{:09}", nsec);
    int n = 9;
    while (n > 0 && frac[n - 1] == '0') --n;
    out->push_back('.');
    out->append(frac, static_cast<size_t>(n));
  }
  if (offset == 0) {
    out->push_back('Z');
  } else {
    const long a = offset < 0 ? -offset : offset;
    fmt::format_to(it, "{}{:02}:{:02}", offset < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  }
}

void AppendGoParsedLine(const Event& e, const Reader& r, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "M={} P={} G={} {} Time={}", e.thread.value(), e.proc.value(), e.goroutine.value(),
                 EventKindName(e.kind), e.time);
  switch (e.kind) {
    case EventKind::kMetric: {
      const MetricInfo m = GetMetric(e);
      out->append(" Name=");
      AppendGoQuote(MetricNameString(m.name), out);
      out->append(" Value=");
      AppendValueUint(out, m.value);
      break;
    }
    case EventKind::kLabel: {
      const LabelInfo l = GetLabel(e);
      out->append(" Label=");
      Quote(r, l.label, out);
      out->append(" Resource=");
      AppendResource(out, l.resource);
      break;
    }
    case EventKind::kRangeBegin:
    case EventKind::kRangeActive:
    case EventKind::kRangeEnd: {
      const RangeInfo ri = GetRange(e);
      out->append(" Name=");
      switch (ri.name) {
        case RangeName::kStopTheWorld: {
          std::string name = "stop-the-world (";
          name.append(r.strings().Get(ri.stw_kind));
          name.push_back(')');
          AppendGoQuote(name, out);
          break;
        }
        case RangeName::kGCMarkPhase: AppendGoQuote("GC concurrent mark phase", out); break;
        case RangeName::kGCSweep: AppendGoQuote("GC incremental sweep", out); break;
        case RangeName::kGCMarkAssist: AppendGoQuote("GC mark assist", out); break;
      }
      out->append(" Scope=");
      AppendResource(out, ri.scope);
      if (e.kind == EventKind::kRangeEnd) {
        out->append(" Attributes=[");
        if (ri.has_attributes) {
          out->append("\"bytes swept\"=");
          AppendValueUint(out, ri.bytes_swept);
          out->append(" \"bytes reclaimed\"=");
          AppendValueUint(out, ri.bytes_reclaimed);
        }
        out->push_back(']');
      }
      break;
    }
    case EventKind::kTaskBegin:
    case EventKind::kTaskEnd: {
      const TaskInfo t = GetTask(e);
      fmt::format_to(it, " ID={} Parent={} Type=", t.id.value(), t.parent.value());
      Quote(r, t.type, out);
      break;
    }
    case EventKind::kRegionBegin:
    case EventKind::kRegionEnd: {
      const RegionInfo ri = GetRegion(e);
      fmt::format_to(it, " Task={} Type=", ri.task.value());
      Quote(r, ri.type, out);
      break;
    }
    case EventKind::kLog: {
      const LogInfo l = GetLog(e);
      fmt::format_to(it, " Task={} Category=", l.task.value());
      Quote(r, l.category, out);
      out->append(" Message=");
      Quote(r, l.message, out);
      break;
    }
    case EventKind::kStateTransition: {
      const StateTransition s = GetStateTransition(e);
      if (s.resource.kind == ResourceKind::kGoroutine) {
        fmt::format_to(it, " GoID={} {}->{}", s.resource.id, GoStateName(s.go_from()), GoStateName(s.go_to()));
      } else if (s.resource.kind == ResourceKind::kProc) {
        fmt::format_to(it, " ProcID={} {}->{}", s.resource.id, ProcStateName(s.proc_from()),
                       ProcStateName(s.proc_to()));
      }
      out->append(" Reason=");
      Quote(r, s.reason, out);
      if (s.has_stack) {
        out->append("\nTransitionStack=\n");
        AppendStack(r, s.stack, out);
      }
      break;
    }
    case EventKind::kExperimental: {
      const ExperimentalEvent x = r.Experimental(e);
      out->append(" Name=");
      out->append(x.name);
      out->append(" Args=[");
      for (int i = 0; i < x.nargs; ++i) {
        if (i != 0) out->append(", ");
        out->append(x.arg_names[i]);
        out->push_back('=');
        AppendValueUint(out, x.arg_values[i]);
      }
      out->push_back(']');
      break;
    }
    case EventKind::kSync: {
      fmt::format_to(it, " N={}", Reader::SyncN(e));
      if (const SyncDetails* d = r.Sync(e); d != nullptr && d->has_clock_snapshot) {
        fmt::format_to(it, " Trace={} Mono={} Wall=", d->clock.trace, d->clock.mono);
        AppendRFC3339Nano(d->clock.wall_sec, d->clock.wall_nsec, out);
      }
      break;
    }
    default: break;
  }
  // Event.Stack(): CPU samples always have one (possibly empty); others when non-zero.
  if (e.kind == EventKind::kStackSample || (e.kind != EventKind::kSync && e.stack != kNoStack)) {
    out->append("\nStack=\n");
    AppendStack(r, e.stack, out);
  }
  out->push_back('\n');
}

}  // namespace cancelflow::order
