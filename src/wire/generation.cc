// Generation assembly; see generation.h. Error messages follow Go's text
// (the .test corpus matches them with regexps).
#include "wire/generation.h"

#include <cmath>

#include <fmt/format.h>

#include "base/go_sort.h"

namespace cancelflow::wire {

void IdTable::Clear() {
  if (count_ == 0 && dense_.empty()) return;
  dense_.clear();
  sparse_.Clear();
  count_ = 0;
}

bool IdTable::Insert(uint64_t local, uint32_t global) {
  if (local < kDenseLimit) {
    if (local >= dense_.size()) dense_.resize(static_cast<size_t>(local) + 1, kAbsent);
    uint32_t& slot = dense_[static_cast<size_t>(local)];
    if (slot != kAbsent) return false;
    slot = global;
    ++count_;
    return true;
  }
  if (!sparse_.Insert(local, global).second) return false;
  ++count_;
  return true;
}

void Generation::Clear() {
  gen = 0;
  min_ts = 0;
  freq = Frequency{};
  has_clock_snapshot = false;
  snap_time = snap_mono = snap_sec = snap_nsec = 0;
  batches.clear();
  ms.clear();
  cpu_samples.clear();
  exp_batches.clear();
  strings.Clear();
  stacks.Clear();
  start_offset = end_offset = 0;
}

GenerationReader::GenerationReader(const TraceBuffer& buf, Version v, size_t header_size, StringPool* strings,
                                   StackPool* stacks)
    : version_(v),
      scanned_pages_(buf, 4 << 20),
      cursor_(buf.data() + header_size, buf.end(), header_size),
      strings_(strings),
      stacks_(stacks) {}

Error GenerationReader::Err(ErrorCode code, uint64_t offset, std::string msg) const {
  return Error{code, offset, cur_gen_, std::move(msg)};
}

namespace {

// Go's error text for a failed binary.ReadUvarint.
const char* VarintErrText(ByteCursor::Status s) {
  switch (s) {
    case ByteCursor::Status::kEof: return "EOF";
    case ByteCursor::Status::kTruncated: return "unexpected EOF";
    case ByteCursor::Status::kOverflow: return "binary: varint overflows a 64-bit integer";
    case ByteCursor::Status::kOk: break;
  }
  return "";
}

ErrorCode VarintErrCode(ByteCursor::Status s) {
  return s == ByteCursor::Status::kOverflow ? ErrorCode::kVarintOverflow : ErrorCode::kTruncated;
}

}  // namespace

// Mirrors readBatch in batch.go.
GenerationReader::ReadStatus GenerationReader::ReadBatch(Batch* b, uint64_t* gen, Error* err) {
  *b = Batch{};
  *gen = 0;
  const uint64_t start = cursor_.offset();
  b->offset = start;
  // Memory bound: reading a batch header maps the pages around it, so a scan
  // of a generation's headers would map the whole generation. Batches already
  // scanned leave the RSS every 4 MB (the ordering faults each batch back in
  // when its cursor reaches it).
  scanned_pages_.Advance(start);
  if (cursor_.AtEnd()) return ReadStatus::kEof;
  const uint8_t kind = cursor_.ReadByte();
  if (kind == kEndOfGeneration) {
    b->end_of_generation = true;
    b->data = cursor_.pos() - 1;
    b->size = 1;
    b->data_offset = start;
    return ReadStatus::kOk;
  }
  if (kind != kEventBatch && kind != kExperimentalBatch) {
    *err = Err(ErrorCode::kBadBatch, start, fmt::format("expected batch event, got event {}", kind));
    return ReadStatus::kError;
  }
  if (kind == kExperimentalBatch) {
    // Go returns the bare io.EOF here, which its callers treat as a clean end.
    if (cursor_.AtEnd()) return ReadStatus::kEof;
    b->exp = static_cast<Experiment>(cursor_.ReadByte());
  }
  static constexpr const char* kFields[4] = {"gen", "M ID", "timestamp", "size"};
  uint64_t vals[4];
  for (int i = 0; i < 4; ++i) {
    vals[i] = cursor_.ReadUvarint();
    if (!cursor_.ok()) {
      *err = Err(VarintErrCode(cursor_.status()), cursor_.error_offset(),
                 fmt::format("error reading batch {}: {}", kFields[i], VarintErrText(cursor_.status())));
      return ReadStatus::kError;
    }
  }
  *gen = vals[0];
  b->gen = vals[0];
  b->m = vals[1];
  b->time = vals[2];
  const uint64_t size = vals[3];
  if (size > kMaxBatchSize) {
    *err = Err(ErrorCode::kBadBatch, start, fmt::format("invalid batch size {}, maximum is {}", size, kMaxBatchSize));
    return ReadStatus::kError;
  }
  b->data_offset = cursor_.offset();
  if (size > cursor_.Remaining()) {
    *err = Err(ErrorCode::kTruncated, cursor_.offset() + cursor_.Remaining(),
               fmt::format("failed to read full batch: read {} but wanted {}", cursor_.Remaining(), size));
    return ReadStatus::kError;
  }
  b->data = cursor_.pos();
  b->size = static_cast<uint32_t>(size);
  cursor_.Skip(static_cast<size_t>(size));
  return ReadStatus::kOk;
}

Result<bool> GenerationReader::Next(Generation* g, std::optional<Error>* deferred) {
  g->Clear();
  raw_strings_.clear();
  raw_stacks_.clear();
  stack_pcs_.clear();
  pcs_.Clear();
  seen_strings_.Clear();
  seen_stacks_.Clear();
  event_batches_.clear();
  event_batch_m_.clear();
  m_index_.Clear();
  deferred->reset();
  g->start_offset = cursor_.offset();
  Result<bool> r = version_ >= Version::kGo126 ? NextGo126(g) : NextWithSpill(g, deferred);
  g->end_offset = cursor_.offset();
  return r;
}

// Mirrors readGeneration in generation.go.
Result<bool> GenerationReader::NextGo126(Generation* g) {
  for (;;) {
    Batch b;
    uint64_t gen = 0;
    Error err;
    const ReadStatus st = ReadBatch(&b, &gen, &err);
    if (st == ReadStatus::kEof) {
      if (!event_batches_.empty()) {
        return tl::unexpected(Err(ErrorCode::kTruncated, cursor_.offset(),
                                  "incomplete generation found; trace likely truncated"));
      }
      return false;
    }
    if (st == ReadStatus::kError) return tl::unexpected(std::move(err));
    if (g->gen == 0) {
      g->gen = gen;
      cur_gen_ = gen;
    }
    if (b.IsEndOfGeneration()) break;
    if (gen == 0) {
      return tl::unexpected(Err(ErrorCode::kBadGeneration, b.offset, "invalid generation number 0"));
    }
    if (gen != g->gen) {
      return tl::unexpected(
          Err(ErrorCode::kBadGeneration, b.offset,
              "broken trace: missing end-of-generation event, or generations are interleaved"));
    }
    if (g->min_ts == 0 || b.time < g->min_ts) g->min_ts = b.time;
    if (auto e = ProcessBatch(g, b)) return tl::unexpected(std::move(*e));
  }
  if (auto e = Finish(g)) return tl::unexpected(std::move(*e));
  return true;
}

// Mirrors readGenerationWithSpill in generation.go.
Result<bool> GenerationReader::NextWithSpill(Generation* g, std::optional<Error>* deferred) {
  if (has_spill_) {
    g->gen = spill_gen_;
    cur_gen_ = spill_gen_;
    g->min_ts = spill_.time;
    has_spill_ = false;
    if (auto e = ProcessBatch(g, spill_)) return tl::unexpected(std::move(*e));
  }
  for (;;) {
    Batch b;
    uint64_t gen = 0;
    Error err;
    const ReadStatus st = ReadBatch(&b, &gen, &err);
    if (st == ReadStatus::kEof) break;
    if (st == ReadStatus::kError) {
      if (g->gen != 0) {
        // Possibly the first batch of the next generation: deliver what we have first.
        *deferred = std::move(err);
        break;
      }
      return tl::unexpected(std::move(err));
    }
    if (gen == 0) return tl::unexpected(Err(ErrorCode::kBadGeneration, b.offset, "invalid generation number 0"));
    if (g->gen == 0) {
      g->gen = gen;
      cur_gen_ = gen;
    }
    if (gen == g->gen + 1) {
      spill_ = b;
      spill_gen_ = gen;
      has_spill_ = true;
      break;
    }
    if (gen != g->gen) return tl::unexpected(Err(ErrorCode::kBadGeneration, b.offset, "generations out of order"));
    if (g->min_ts == 0 || b.time < g->min_ts) g->min_ts = b.time;
    if (auto e = ProcessBatch(g, b)) return tl::unexpected(std::move(*e));
  }
  if (auto e = Finish(g)) return tl::unexpected(std::move(*e));
  return true;
}


// Mirrors processBatch in generation.go.
std::optional<Error> GenerationReader::ProcessBatch(Generation* g, const Batch& b) {
  if (b.IsStrings()) return AddStrings(g, b);
  if (b.IsStacks()) return AddStacks(g, b);
  if (b.IsCPUSamples()) return AddCpuSamples(g, b);
  if (b.IsSync(version_)) return SetSyncBatch(g, b);
  if (b.exp != Experiment::kNone) {
    g->exp_batches.push_back(ExperimentalBatchView{static_cast<uint8_t>(b.exp), static_cast<int64_t>(b.m),
                                                   std::string_view(reinterpret_cast<const char*>(b.data), b.size)});
    return std::nullopt;
  }
  if (b.IsEndOfGeneration()) {
    return Err(ErrorCode::kBadGeneration, b.offset,
               "internal error: unexpectedly processing EndOfGeneration; broken trace?");
  }
  auto [idx, inserted] = m_index_.Insert(b.m, static_cast<uint32_t>(g->ms.size()));
  if (inserted) g->ms.push_back(MBatches{static_cast<int64_t>(b.m), 0, 0});
  event_batch_m_.push_back(*idx);
  event_batches_.push_back(b);
  return std::nullopt;
}

// Mirrors addStrings in generation.go.
std::optional<Error> GenerationReader::AddStrings(Generation* /*g*/, const Batch& b) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  c.ReadByte();  // EvStrings
  while (!c.AtEnd()) {
    const uint64_t at = c.offset();
    const uint8_t ev = c.ReadByte();
    if (ev != kString) return Err(ErrorCode::kBadEvent, at, fmt::format("expected string event, got {}", ev));
    const uint64_t id = c.ReadUvarint();
    const uint64_t len = c.ok() ? c.ReadUvarint() : 0;
    if (!c.ok()) return Err(VarintErrCode(c.status()), c.error_offset(), VarintErrText(c.status()));
    if (len > kMaxEventTrailerDataSize) {
      return Err(ErrorCode::kBadEvent, at,
                 fmt::format("invalid string size {}, maximum is {}", len, kMaxEventTrailerDataSize));
    }
    if (len > c.Remaining()) {
      return Err(ErrorCode::kTruncated, c.offset(),
                 fmt::format("failed to read full string: read {} but wanted {}", c.Remaining(), len));
    }
    const std::string_view s = c.ReadBytes(len);
    if (id == 0 || !seen_strings_.Insert(id, 1).second) {
      std::string_view existing;
      for (const auto& r : raw_strings_)
        if (r.id == id) existing = r.s;
      return Err(ErrorCode::kDuplicateId, at,
                 fmt::format("multiple strings with the same ID: id={}, new={}, existing={}", id, s, existing));
    }
    raw_strings_.push_back(RawString{id, s, at});
  }
  return std::nullopt;
}

// Mirrors addStacks in generation.go.
std::optional<Error> GenerationReader::AddStacks(Generation* /*g*/, const Batch& b) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  c.ReadByte();  // EvStacks
  while (!c.AtEnd()) {
    const uint64_t at = c.offset();
    const uint8_t ev = c.ReadByte();
    if (ev != kStack) return Err(ErrorCode::kBadEvent, at, fmt::format("expected stack event, got {}", ev));
    const uint64_t id = c.ReadUvarint();
    const uint64_t nframes = c.ok() ? c.ReadUvarint() : 0;
    if (!c.ok()) return Err(VarintErrCode(c.status()), c.error_offset(), VarintErrText(c.status()));
    if (nframes > kMaxFramesPerStack) {
      return Err(ErrorCode::kBadEvent, at,
                 fmt::format("invalid stack size {}, maximum is {}", nframes, kMaxFramesPerStack));
    }
    const auto begin = static_cast<uint32_t>(stack_pcs_.size());
    for (uint64_t i = 0; i < nframes; ++i) {
      static constexpr const char* kNames[4] = {"PC", "funcID", "fileID", "line"};
      uint64_t f[4];
      for (int k = 0; k < 4; ++k) {
        f[k] = c.ReadUvarint();
        if (!c.ok()) {
          return Err(VarintErrCode(c.status()), c.error_offset(),
                     fmt::format("reading frame {}'s {} for stack {}: {}", i + 1, kNames[k], id,
                                 VarintErrText(c.status())));
        }
      }
      stack_pcs_.push_back(f[0]);
      pcs_.Insert(f[0], PcFrame{f[1], f[2], f[3]});  // first definition wins
    }
    if (id == 0 || !seen_stacks_.Insert(id, 1).second) {
      return Err(ErrorCode::kDuplicateId, at, fmt::format("multiple trace.stacks with the same ID: id={}", id));
    }
    raw_stacks_.push_back(RawStack{id, begin, static_cast<uint32_t>(nframes), at});
  }
  return std::nullopt;
}

// Mirrors addCPUSamples in generation.go.
std::optional<Error> GenerationReader::AddCpuSamples(Generation* g, const Batch& b) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  c.ReadByte();  // EvCPUSamples
  while (!c.AtEnd()) {
    const uint64_t at = c.offset();
    const uint8_t ev = c.ReadByte();
    if (ev != kCPUSample) return Err(ErrorCode::kBadEvent, at, fmt::format("expected CPU sample event, got {}", ev));
    uint64_t v[5];
    for (auto& x : v) x = c.ReadUvarint();
    if (!c.ok()) return Err(VarintErrCode(c.status()), c.error_offset(), VarintErrText(c.status()));
    CpuSample s;
    s.time = static_cast<int64_t>(v[0]);
    s.m = static_cast<int64_t>(v[1]);
    s.p = static_cast<int64_t>(v[2]);
    s.g = v[3] == 0 ? -1 : static_cast<int64_t>(v[3]);
    s.stack = v[4];
    g->cpu_samples.push_back(s);
  }
  return std::nullopt;
}

// Mirrors setSyncBatch in generation.go.
std::optional<Error> GenerationReader::SetSyncBatch(Generation* g, const Batch& b) {
  ByteCursor c(b.data, b.data + b.size, b.data_offset);
  if (version_ >= Version::kGo125) c.ReadByte();  // EvSync
  uint64_t last_ts = b.time;
  while (!c.AtEnd()) {
    const uint64_t at = c.offset();
    const uint8_t ev = c.ReadByte();
    if (ev == kFrequency) {
      if (g->freq.ns_per_tick != 0) return Err(ErrorCode::kBadGeneration, at, "found multiple frequency events");
      const uint64_t f = c.ReadUvarint();
      if (!c.ok()) return Err(VarintErrCode(c.status()), c.error_offset(), VarintErrText(c.status()));
      g->freq.Set(1.0 / (static_cast<double>(f) / 1e9));
    } else if (ev == kClockSnapshot && version_ >= Version::kGo125) {
      if (g->has_clock_snapshot) return Err(ErrorCode::kBadGeneration, at, "found multiple clock snapshot events");
      g->has_clock_snapshot = true;
      uint64_t v[4];
      for (auto& x : v) x = c.ReadUvarint();
      if (!c.ok()) return Err(VarintErrCode(c.status()), c.error_offset(), VarintErrText(c.status()));
      last_ts += v[0];
      g->snap_time = last_ts;
      g->snap_mono = v[1];
      g->snap_sec = v[2];
      g->snap_nsec = v[3];
    } else {
      return Err(ErrorCode::kBadEvent, at, fmt::format("expected frequency or clock snapshot event, got {}", ev));
    }
  }
  return std::nullopt;
}

// The end of readGeneration: invariants, validateStackStrings, interning,
// per-M grouping, fixUpCPUSamples.
std::optional<Error> GenerationReader::Finish(Generation* g) {
  const uint64_t at = cursor_.offset();
  if (g->freq.ns_per_tick == 0) return Err(ErrorCode::kBadGeneration, at, "no frequency event found");
  if (version_ >= Version::kGo125 && !g->has_clock_snapshot) {
    return Err(ErrorCode::kBadGeneration, at, "no clock snapshot event found");
  }

  // Strings: intern into the global pool.
  g->strings.Insert(0, 0);
  for (const auto& r : raw_strings_) g->strings.Insert(r.id, strings_->Intern(r.s).value());

  // validateStackStrings, then intern frames and stacks.
  g->stacks.Insert(0, 0);
  for (const auto& st : raw_stacks_) {
    frame_scratch_.clear();
    for (uint32_t i = 0; i < st.len; ++i) {
      const uint64_t pc = stack_pcs_[st.begin + i];
      const PcFrame* f = pcs_.Find(pc);
      if (f == nullptr) {
        return Err(ErrorCode::kBadReference, st.offset, fmt::format("found unknown pc {:x} for stack {}", pc, st.id));
      }
      uint32_t func = 0, file = 0;
      if (!g->strings.Find(f->func, &func)) {
        return Err(ErrorCode::kBadReference, st.offset,
                   fmt::format("found invalid func string ID {} for stack {}", f->func, st.id));
      }
      if (!g->strings.Find(f->file, &file)) {
        return Err(ErrorCode::kBadReference, st.offset,
                   fmt::format("found invalid file string ID {} for stack {}", f->file, st.id));
      }
      frame_scratch_.push_back(stacks_->InternFrame(Frame{pc, StringId(func), StringId(file), f->line}));
    }
    g->stacks.Insert(st.id, stacks_->InternStack(frame_scratch_).value());
  }

  // Group event batches by M (counting sort keeps file order within an M).
  for (uint32_t idx : event_batch_m_) ++g->ms[idx].end;
  uint32_t off = 0;
  for (auto& mb : g->ms) {
    const uint32_t n = mb.end;
    mb.begin = mb.end = off;
    off += n;
  }
  g->batches.resize(event_batches_.size());
  for (size_t i = 0; i < event_batches_.size(); ++i) {
    MBatches& mb = g->ms[event_batch_m_[i]];
    g->batches[mb.end++] = event_batches_[i];
  }

  // fixUpCPUSamples.
  for (auto& s : g->cpu_samples) s.time = g->freq.Mul(static_cast<uint64_t>(s.time));
  GoSortFunc(g->cpu_samples.data(), g->cpu_samples.size(),
             [](const CpuSample& a, const CpuSample& b) { return a.time < b.time; });
  return std::nullopt;
}

}  // namespace cancelflow::wire
