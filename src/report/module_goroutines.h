// The cancelflow Go module's own goroutines: the AfterFunc and watchdog
// goroutines of package ctxtrace (every instrumented context runs one when it
// is done) and the flight recorder's. They are instrumentation, not the
// program: views mark them so nobody reads them as user goroutines. The
// goroutines ctxtrace.Go starts run user code (start function
// ctxtrace.Go.funcN) and are not marked. Which goroutines these are is the
// analysis's one list (analysis/stack_patterns.h).
#pragma once

#include <string_view>

#include "analysis/stack_patterns.h"

namespace cancelflow::report {

inline constexpr std::string_view kModuleMark = "[cancelflow module]";

inline bool IsModuleGoroutine(std::string_view start_func) { return analysis::IsInstrumentationGoroutine(start_func); }

}  // namespace cancelflow::report
