// Go's Event.String(), byte for byte: what `go tool trace -d=parsed` prints
// (one fmt.Println(ev.String()) per event).
//
// Strings are quoted with strconv.Quote rules (AppendGoQuote); the Sync
// clock snapshot's wall time is formatted like time.Time.Format(RFC3339Nano)
// in the process's local zone, as Go does (Go's time.Local comes from $TZ or
// /etc/localtime; we use the C library's localtime_r, which reads the same
// sources, so TZ unset on a UTC machine prints "...Z").
#pragma once

#include <cstdint>
#include <string>

#include "cancelflow/event.h"
#include "cancelflow/reader.h"

namespace cancelflow::order {

// Appends ev.String() followed by "\n" (fmt.Println).
void AppendGoParsedLine(const Event& ev, const Reader& reader, std::string* out);

// time.Unix(sec, nsec).Format(time.RFC3339Nano) in the local zone.
void AppendRFC3339Nano(int64_t sec, int64_t nsec, std::string* out);

}  // namespace cancelflow::order
