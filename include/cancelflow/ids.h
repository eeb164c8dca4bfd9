// Strong id types shared by the whole public API.
//
// Resource ids (goroutine, proc, thread) keep Go's int64 values, with -1 for
// "none" (NoGoroutine, NoProc, NoThread in internal/trace/resources.go).
// Table ids (string, frame, stack) index cancelflow's global pools: they are
// interned across generations, so two events with the same StackId have the
// same frames, and analysis code compares ids, never strings. Id 0 is the
// empty string / empty stack.
#pragma once

#include <cstdint>
#include <functional>

namespace cancelflow {

template <typename Tag, typename T>
class StrongId {
 public:
  using ValueType = T;
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  friend constexpr bool operator==(StrongId a, StrongId b) = default;
  friend constexpr auto operator<=>(StrongId a, StrongId b) = default;

 private:
  T v_{};
};

struct GoIdTag {};
struct ProcIdTag {};
struct ThreadIdTag {};
struct StringIdTag {};
struct FrameIdTag {};
struct StackIdTag {};
struct TaskIdTag {};

using GoId = StrongId<GoIdTag, int64_t>;
using ProcId = StrongId<ProcIdTag, int64_t>;
using ThreadId = StrongId<ThreadIdTag, int64_t>;
using StringId = StrongId<StringIdTag, uint32_t>;  // global string pool index; 0 = ""
using FrameId = StrongId<FrameIdTag, uint32_t>;    // global frame pool index
using StackId = StrongId<StackIdTag, uint32_t>;    // global stack pool index; 0 = no/empty stack
using TaskId = StrongId<TaskIdTag, uint64_t>;

inline constexpr GoId kNoGoroutine{-1};
inline constexpr ProcId kNoProc{-1};
inline constexpr ThreadId kNoThread{-1};
inline constexpr TaskId kNoTask{~uint64_t{0}};
inline constexpr TaskId kBackgroundTask{0};
inline constexpr StackId kNoStack{0};
inline constexpr StringId kEmptyString{0};

// Time in nanoseconds, as Go's trace.Time (int64, monotonic clock of the traced machine).
using Time = int64_t;

}  // namespace cancelflow

template <typename Tag, typename T>
struct std::hash<cancelflow::StrongId<Tag, T>> {
  size_t operator()(cancelflow::StrongId<Tag, T> id) const noexcept { return std::hash<T>()(id.value()); }
};
