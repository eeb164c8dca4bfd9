// Inert text: the one escaping function every report applies to untrusted
// trace strings (goroutine, task, region and function names, log keys and
// values, cancel causes, file names) before any format-specific escaping.
//
// A trace is untrusted input: any program can write any bytes into it. Printed
// raw, a newline forges a line (a GitHub workflow command such as
// `::error file=x::` or `::add-mask::` in CI logs), ESC/CSI/OSC sequences
// clear the screen or set the window title, NUL and BEL reach the terminal,
// and bidi overrides reorder what the reader sees. The rule, after Go's
// strconv.Quote (whose IsPrint table base/go_quote.cc already carries):
//
//   * a rune that Go's strconv.IsPrint accepts passes unchanged, so ordinary
//     names (function names, file paths, Go test names) stay byte-identical;
//   * every other rune is written as a Go escape: \n \r \t for the three line
//     and tab controls, \xNN for the other C0 controls and DEL, \uNNNN or
//     \UNNNNNNNN for the rest: C1 controls (U+0080–U+009F), line and paragraph
//     separators (U+2028, U+2029), format characters including the bidi
//     embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
//     marks (U+200E, U+200F, U+061C) and zero-width characters, private use
//     and unassigned code points;
//   * each byte of invalid UTF-8 is written as \xNN.
//
// Invariants of the output: valid UTF-8, no byte below 0x20, no DEL, no C1
// control, no bidi control, no line break of any kind. Backslashes are not
// doubled (printable text must stay identical), so the escaping is not
// reversible: it is for display, not for data (JSON and protobuf outputs keep
// the data and use their own encodings).
#pragma once

#include <string>
#include <string_view>

namespace cancelflow {

// Appends the inert form of s to *out.
void AppendInertText(std::string_view s, std::string* out);
std::string InertText(std::string_view s);

// Like InertText, but each '\n' of s is kept as a line break: for a writer's
// own multi-line text (a JUnit body, an annotation message) whose trace
// strings were already made inert one by one. Never apply it to a raw trace
// string: its newlines would survive.
std::string InertLines(std::string_view s);

// Whether s is already inert (InertText(s) == s), without allocating.
bool IsInertText(std::string_view s);

}  // namespace cancelflow
