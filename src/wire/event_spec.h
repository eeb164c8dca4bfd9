// The wire spec as data: for every v2 event type, its name, argument names,
// which arguments are stack or string ids, and its flags. Mirrors Go's
// internal/trace/tracev2 (events.go + spec.go); the rows live in events.def.
//
// Version rules (internal/trace/version/version.go): a trace of version v may
// contain only event types below VersionSpecCount(v); within that range a type
// with an empty name is still "valid" to the raw reader (it has no arguments).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cancelflow::wire {

enum EventType : uint8_t {
  kNone = 0,
#define CF_EVENT(Name, code, ...) k##Name = code,
#include "wire/events.def"
#undef CF_EVENT
};

inline constexpr int kMaxTimedEventArgs = 5;  // including dt
inline constexpr uint64_t kMaxBatchSize = 64 << 10;
inline constexpr uint64_t kMaxFramesPerStack = 128;
inline constexpr uint64_t kMaxEventTrailerDataSize = 1 << 10;
inline constexpr uint8_t kMaxEvent = 127;              // experimental types are (127, 137)
inline constexpr uint8_t kMaxExperimentalEvent = 137;
inline constexpr int kNumSpecs = kMaxExperimentalEvent;  // length of Go's specs array

enum class Experiment : uint8_t { kNone = 0, kAllocFree = 1 };

struct EventSpec {
  std::string_view name;
  uint8_t nargs = 0;
  std::array<std::string_view, kMaxTimedEventArgs> args{};
  uint8_t nstacks = 0;
  std::array<uint8_t, 2> stack_ids{};  // arg indexes holding stack ids; [0] is the event's main stack
  uint8_t nstrings = 0;
  std::array<uint8_t, 2> string_ids{};  // arg indexes holding string ids
  EventType start_ev = kNone;
  bool timed = false;
  bool has_data = false;
  bool is_stack = false;
  Experiment experiment = Experiment::kNone;
};

// The full table (Go 1.26 superset), indexed by type code; unused codes have an empty spec.
const std::array<EventSpec, kNumSpecs>& AllSpecs();

inline const EventSpec& Spec(uint8_t type) { return AllSpecs()[type < kNumSpecs ? type : 0]; }

// The arguments of a type holding stack and string ids, as indexes into the
// arguments after the timestamp (Go's args[i-1] for spec arg i): a compact
// copy of the spec's stack_ids/string_ids for the per-event id conversion.
struct IdArgs {
  uint8_t nstacks = 0;
  uint8_t stack_args[2] = {};
  uint8_t nstrings = 0;
  uint8_t string_args[2] = {};
};
extern const std::array<IdArgs, 256> kIdArgs;
inline const IdArgs& IdArgsOf(uint8_t type) { return kIdArgs[type]; }

// For each type byte: the spec's argument count (timestamp included) when it
// is a timed event with arguments, 0 otherwise (the batch cursor's check).
extern const std::array<uint8_t, 256> kTimedArgCount;
inline unsigned TimedArgCount(uint8_t type) { return kTimedArgCount[type]; }

inline bool IsExperimental(uint8_t type) { return type > kMaxEvent && type < kMaxExperimentalEvent; }

}  // namespace cancelflow::wire
