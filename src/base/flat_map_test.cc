// FlatMap against std::unordered_map under random inserts, finds, erases
// and clears, with keys crowded into few home slots (long probe chains,
// wrap-around, backward-shift deletion) and extreme keys (0, -1).
#include "base/flat_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace cancelflow {
namespace {

TEST(FlatMap, MatchesUnorderedMapUnderRandomOperations) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    FlatMap<uint32_t> m;
    std::unordered_map<uint64_t, uint32_t> want;
    const uint64_t range = round % 2 == 0 ? 64 : 5000;  // dense collisions vs. growth
    for (int op = 0; op < 20000; ++op) {
      uint64_t key = rng() % range;
      if (key == 1) key = ~uint64_t{0};
      const auto v = static_cast<uint32_t>(rng());
      switch (rng() % 8) {
        case 0:
        case 1:
        case 2: {
          const size_t cap = m.capacity();
          auto [slot, inserted] = m.Insert(key, v);
          auto [it, want_inserted] = want.emplace(key, v);
          ASSERT_EQ(inserted, want_inserted);
          ASSERT_EQ(*slot, it->second);
          if (!inserted) {
            ASSERT_EQ(m.capacity(), cap);  // a present key never grows the table
          }
          break;
        }
        case 3:
        case 4: {
          ASSERT_EQ(m.Erase(key), want.erase(key) == 1);
          break;
        }
        case 5: {
          if (rng() % 500 == 0) {
            m.Clear();
            want.clear();
          }
          break;
        }
        default: {
          const uint32_t* got = m.Find(key);
          auto it = want.find(key);
          ASSERT_EQ(got != nullptr, it != want.end());
          if (got != nullptr) {
            ASSERT_EQ(*got, it->second);
          }
        }
      }
      ASSERT_EQ(m.size(), want.size());
    }
    size_t seen = 0;
    m.ForEach([&](uint64_t k, uint32_t& v) {
      ++seen;
      auto it = want.find(k);
      ASSERT_NE(it, want.end());
      EXPECT_EQ(v, it->second);
    });
    EXPECT_EQ(seen, want.size());
  }
}

}  // namespace
}  // namespace cancelflow
