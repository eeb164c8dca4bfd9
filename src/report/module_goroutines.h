// The cancelflow Go module's own goroutines: the AfterFunc and watchdog
// goroutines of package ctxtrace (every instrumented context runs one when it
// is done) and the flight recorder's. They are instrumentation, not the
// program: views mark them so nobody reads them as user goroutines. The
// goroutines ctxtrace.Go starts run user code (start function
// ctxtrace.Go.funcN) and are not marked.
#pragma once

#include <string_view>

namespace cancelflow::report {

inline constexpr std::string_view kModuleMark = "[cancelflow module]";

inline bool IsModuleGoroutine(std::string_view start_func) {
  constexpr std::string_view kCtxtrace = "github.com/cancelflow/cancelflow/go/ctxtrace.";
  constexpr std::string_view kGoClosure = "github.com/cancelflow/cancelflow/go/ctxtrace.Go.func";
  constexpr std::string_view kFlightrec = "github.com/cancelflow/cancelflow/go/flightrec.";
  return (start_func.starts_with(kCtxtrace) && !start_func.starts_with(kGoClosure)) ||
         start_func.starts_with(kFlightrec);
}

}  // namespace cancelflow::report
