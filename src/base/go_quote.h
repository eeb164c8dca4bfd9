// Go-compatible string quoting: strconv.Quote and the rune rules behind it.
//
// `go tool trace -d=wire` prints string data with strconv.Quote and
// `-d=parsed` prints names with %q; to be byte-identical we reproduce Go's
// UTF-8 decoding (invalid bytes become \xNN, one at a time) and its IsPrint
// table (generated from Go's own strconv by tools/gen-isprint).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cancelflow {

// Decodes one rune like Go's utf8.DecodeRuneInString: returns the rune and
// sets *width; invalid or truncated input yields (0xFFFD, 1). s must be non-empty.
char32_t GoDecodeRune(std::string_view s, int* width);

// strconv.IsPrint.
bool GoIsPrint(char32_t r);

// Appends strconv.Quote(s) to *out.
void AppendGoQuote(std::string_view s, std::string* out);
std::string GoQuote(std::string_view s);

// strconv.Unquote for double-quoted and back-quoted Go string literals:
// false when `quoted` is not a valid literal.
bool GoUnquote(std::string_view quoted, std::string* out);

// Appends the UTF-8 encoding of r (invalid runes become U+FFFD, as Go's utf8.AppendRune).
void AppendUtf8(char32_t r, std::string* out);

}  // namespace cancelflow
