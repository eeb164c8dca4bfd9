// CHECK / DCHECK: assertions for program bugs (never for bad input).
//
// Bad trace data is reported through cancelflow::Error (see result.h) or a
// data-quality counter; a failed CHECK means cancelflow itself is wrong, so it
// aborts with the location.
#pragma once

#include <cstdio>
#include <cstdlib>

#define CF_CHECK(cond)                                                                   \
  do {                                                                                   \
    if (!(cond)) [[unlikely]] {                                                          \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

#ifdef NDEBUG
#define CF_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define CF_DCHECK(cond) CF_CHECK(cond)
#endif
