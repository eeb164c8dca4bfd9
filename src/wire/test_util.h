// Helpers for wire-level tests: build trace bytes by hand.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "base/byte_cursor.h"

namespace cancelflow::wire::wiretest {

inline std::string Header(int minor) {
  std::string h = "go 1." + std::to_string(minor) + " trace";
  h.append(3, '\0');
  return h;
}

inline void PutUvarint(std::string* out, uint64_t v) { AppendUvarint(out, v); }

// An event: type byte then varint args.
inline std::string Ev(uint8_t type, std::initializer_list<uint64_t> args) {
  std::string s(1, static_cast<char>(type));
  for (uint64_t a : args) PutUvarint(&s, a);
  return s;
}

// A plain EventBatch wrapping `payload`, with a 10-byte padded size like the runtime writes.
inline std::string Batch(uint64_t gen, uint64_t m, uint64_t time, const std::string& payload) {
  std::string s(1, '\x01');
  PutUvarint(&s, gen);
  PutUvarint(&s, m);
  PutUvarint(&s, time);
  uint64_t size = payload.size();
  for (int i = 0; i < 9; ++i) {
    s.push_back(static_cast<char>(0x80 | (size & 0x7f)));
    size >>= 7;
  }
  s.push_back(static_cast<char>(size));
  return s + payload;
}

}  // namespace cancelflow::wire::wiretest
