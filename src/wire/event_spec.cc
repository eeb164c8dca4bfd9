#include "wire/event_spec.h"

namespace cancelflow::wire {
namespace {

constexpr EventSpec MakeSpec(std::string_view name, bool timed, bool has_data, bool is_stack, uint8_t exp,
                             EventType start, std::initializer_list<std::string_view> args,
                             std::initializer_list<uint8_t> stacks, std::initializer_list<uint8_t> strings) {
  EventSpec s;
  s.name = name;
  s.timed = timed;
  s.has_data = has_data;
  s.is_stack = is_stack;
  s.experiment = static_cast<Experiment>(exp);
  s.start_ev = start;
  for (auto a : args) s.args[s.nargs++] = a;
  for (auto i : stacks) s.stack_ids[s.nstacks++] = i;
  for (auto i : strings) s.string_ids[s.nstrings++] = i;
  return s;
}

constexpr std::array<EventSpec, kNumSpecs> BuildSpecs() {
  std::array<EventSpec, kNumSpecs> specs{};
#define CF_ARGS(...) {__VA_ARGS__}
#define CF_STACKS(...) {__VA_ARGS__}
#define CF_STRINGS(...) {__VA_ARGS__}
#define CF_EVENT(Name, code, timed, has_data, is_stack, exp, start, args, stacks, strings) \
  specs[code] = MakeSpec(#Name, timed, has_data, is_stack, exp, start, args, stacks, strings);
#include "wire/events.def"
#undef CF_EVENT
#undef CF_ARGS
#undef CF_STACKS
#undef CF_STRINGS
  return specs;
}

constexpr std::array<EventSpec, kNumSpecs> kSpecs = BuildSpecs();
static_assert(kSpecs[kGoCreate].nstacks == 2 && kSpecs[kGoCreate].stack_ids[0] == 3);
static_assert(kSpecs[kUserLog].nstrings == 2);
static_assert(kSpecs[kGoroutineStackFree].name == "GoroutineStackFree");

}  // namespace

const std::array<EventSpec, kNumSpecs>& AllSpecs() { return kSpecs; }

namespace {
constexpr std::array<IdArgs, 256> BuildIdArgs() {
  std::array<IdArgs, 256> t{};
  for (size_t i = 0; i < kSpecs.size(); ++i) {
    const EventSpec& s = kSpecs[i];
    IdArgs& a = t[i];
    // Spec arg 0 is the timestamp for timed events; ids are never there.
    a.nstacks = s.nstacks;
    for (size_t k = 0; k < s.nstacks; ++k) a.stack_args[k] = static_cast<uint8_t>(s.stack_ids[k] - 1);
    a.nstrings = s.nstrings;
    for (size_t k = 0; k < s.nstrings; ++k) a.string_args[k] = static_cast<uint8_t>(s.string_ids[k] - 1);
  }
  return t;
}
}  // namespace

constexpr std::array<IdArgs, 256> kIdArgs = BuildIdArgs();

namespace {
constexpr std::array<uint8_t, 256> BuildTimedArgCount() {
  std::array<uint8_t, 256> t{};
  for (size_t i = 0; i < kSpecs.size(); ++i)
    if (kSpecs[i].timed && kSpecs[i].nargs > 0) t[i] = kSpecs[i].nargs;
  return t;
}
}  // namespace

constexpr std::array<uint8_t, 256> kTimedArgCount = BuildTimedArgCount();

// Timed events are a type byte and argument varints only: the batch cursor
// and the wire pass's fast path (wire_stats.cc) measure them with
// kTimedArgCount alone.
constexpr bool TimedEventsHaveOnlyArgs() {
  for (const EventSpec& s : kSpecs)
    if (s.timed && (s.has_data || s.is_stack)) return false;
  return true;
}
static_assert(TimedEventsHaveOnlyArgs());

}  // namespace cancelflow::wire
