// SortFindings: one total order on the findings' content, whatever order the
// rules produced them in (the rules iterate maps and the model's goroutines,
// whose order follows the trace's event order).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/rules.h"

namespace cancelflow::analysis {
namespace {

Finding Make(Severity s, Rule r, std::string message, std::vector<int64_t> goroutines) {
  Finding f;
  f.severity = s;
  f.rule = r;
  f.message = std::move(message);
  for (int64_t g : goroutines) f.goroutines.push_back(GoId(g));
  return f;
}

std::string Order(const std::vector<Finding>& v) {
  std::string out;
  for (const Finding& f : v) {
    out += f.message;
    for (GoId g : f.goroutines) out += "," + std::to_string(g.value());
    out += ";";
  }
  return out;
}

TEST(SortFindings, TotalOrderOnContentWhateverTheInputOrder) {
  // No stacks: the sites are "?" for every finding (frames -1), so the
  // message and then the goroutine ids decide among equal ones.
  std::vector<Finding> v = {
      Make(Severity::kWarning, Rule::kSlowCancel, "2 goroutines responded late", {4, 5}),
      Make(Severity::kError, Rule::kLeakedGoroutine, "1 goroutine leaked: blocked in select", {9}),
      Make(Severity::kError, Rule::kLeakedGoroutine, "1 goroutine leaked: blocked in select", {3}),
      Make(Severity::kError, Rule::kLeakedGoroutine, "1 goroutine leaked: blocked in chan send", {7}),
      Make(Severity::kError, Rule::kIgnoredCancel, "1 goroutine did not respond", {8}),
      Make(Severity::kNote, Rule::kLateDeadline, "late", {}),
  };
  const std::string want =
      "1 goroutine leaked: blocked in chan send,7;"  // errors first; rule order: leaked-goroutine (0) first
      "1 goroutine leaked: blocked in select,3;"     // equal content: the lower goroutine ids first
      "1 goroutine leaked: blocked in select,9;"
      "1 goroutine did not respond,8;"
      "2 goroutines responded late,4,5;"
      "late;";
  ModelState m;  // SiteOf reads no stack for a frame of -1
  std::sort(v.begin(), v.end(), [](const Finding& a, const Finding& b) { return Order({a}) < Order({b}); });
  int permutations = 0;
  do {
    std::vector<Finding> w = v;
    SortFindings(m, &w);
    ASSERT_EQ(Order(w), want) << "input order " << Order(v);
    ++permutations;
  } while (std::next_permutation(v.begin(), v.end(),
                                 [](const Finding& a, const Finding& b) { return Order({a}) < Order({b}); }));
  EXPECT_EQ(permutations, 720);
}

}  // namespace
}  // namespace cancelflow::analysis
