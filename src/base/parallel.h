// Fork-join helpers for passes that split a trace into independent parts.
//
// INVARIANTS
// - RunParallel(n, fn) calls fn(0) .. fn(n-1) exactly once each and returns
//   after all of them returned; fn(0) runs on the calling thread, the others on
//   threads started for this call. n <= 1 runs inline (no thread is started).
// - fn must not throw (an exception escaping a std::thread terminates).
// - No shared state is added: callers give each part its own output slot.
#pragma once

#include <algorithm>
#include <thread>
#include <vector>

namespace cancelflow {

// Threads to use when the user did not say: one per hardware thread, at least 1.
inline int DefaultThreads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

template <typename Fn>
void RunParallel(int n, Fn&& fn) {
  if (n <= 1) {
    if (n == 1) fn(0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n - 1));
  for (int i = 1; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  fn(0);
  for (auto& t : threads) t.join();
}

}  // namespace cancelflow
