#include "report/test_attribution.h"

#include <map>

#include "cancelflow/reader.h"

namespace cancelflow::report {

namespace {

bool IsTestName(std::string_view name, std::string_view prefix) {
  // go test's rule (isTest): the prefix, then end or a non-lowercase rune.
  if (name.substr(0, prefix.size()) != prefix) return false;
  return name.size() == prefix.size() || !(name[prefix.size()] >= 'a' && name[prefix.size()] <= 'z');
}

// Creator chains are short; a bound stops a corrupt cycle.
constexpr int kMaxDepth = 256;

}  // namespace

TestFunc ParseTestFunc(std::string_view func) {
  const size_t slash = func.rfind('/');
  const size_t dot = func.find('.', slash == std::string_view::npos ? 0 : slash + 1);
  if (dot == std::string_view::npos) return {};
  std::string_view pkg = func.substr(0, dot);
  std::string_view rest = func.substr(dot + 1);
  const std::string_view name = rest.substr(0, rest.find('.'));
  if (!IsTestName(name, "Test") && !IsTestName(name, "Fuzz")) return {};
  if (pkg.size() > 5 && pkg.substr(pkg.size() - 5) == "_test") pkg.remove_suffix(5);
  return {std::string(pkg), std::string(name)};
}

void TestGoroutines::OnEvent(const Event& e, const Reader& reader) {
  if (e.kind != EventKind::kStateTransition) return;
  const StateTransition st = GetStateTransition(e);
  if (st.resource.kind != ResourceKind::kGoroutine || st.go_from() != GoState::kNotExist || !st.has_stack) return;
  const StackPool& stacks = reader.stacks();
  G g;
  g.creator = e.goroutine == kNoGoroutine ? -1 : e.goroutine.value();
  const auto start = stacks.Frames(st.stack);
  g.trunner = !start.empty() && reader.strings().Get(stacks.GetFrame(start.front()).func) == "testing.tRunner";
  if (e.stack != kNoStack) {
    auto [slot, inserted] = stack_test_func_.Insert(e.stack.value(), 0);
    if (inserted) {
      for (const FrameId fid : stacks.Frames(e.stack)) {
        TestFunc tf = ParseTestFunc(reader.strings().Get(stacks.GetFrame(fid).func));
        if (tf.test.empty()) continue;
        if (import_path_.empty()) import_path_ = tf.import_path;
        test_funcs_.push_back(std::move(tf.test));
        // Insert may have moved the slot: look it up again.
        *stack_test_func_.Find(e.stack.value()) = static_cast<uint32_t>(test_funcs_.size() - 1);
        break;
      }
    }
    g.test_func = *stack_test_func_.Find(e.stack.value());
  }
  gs_.Insert(static_cast<uint64_t>(st.resource.id), g);
  if (g.trunner) trunners_.push_back(st.resource.id);
}

int64_t TestGoroutines::TestGoroutineOf(int64_t id) const {
  const G* g = Find(id);
  for (int depth = 0; g != nullptr && depth < kMaxDepth; ++depth) {
    const G* c = Find(g->creator);
    if (c != nullptr && c->trunner) return g->creator;
    g = c;
  }
  return -1;
}

const std::string& TestGoroutines::TestFuncOf(int64_t id) const {
  const G* g = Find(id);
  for (int depth = 0; g != nullptr && depth < kMaxDepth; ++depth) {
    if (g->test_func != 0) return test_funcs_[g->test_func];
    g = Find(g->creator);
  }
  return test_funcs_[0];
}

void TestGoroutines::Attribute(Analysis& a, const std::vector<std::string>& run_order) const {
  // Name the tRunner goroutines from the RUN order (see the header).
  std::map<int64_t, std::string> names;
  if (!run_order.empty()) {
    std::map<int64_t, std::vector<int64_t>> children;  // parent test goroutine (-1: root) -> children
    for (const int64_t t : trunners_) children[TestGoroutineOf(t)].push_back(t);
    std::map<int64_t, size_t> next;            // parent -> next unnamed child
    std::map<std::string, int64_t> latest;     // test name -> its latest goroutine
    for (const auto& name : run_order) {
      const size_t slash = name.rfind('/');
      int64_t parent = -1;
      if (slash != std::string::npos) {
        auto it = latest.find(name.substr(0, slash));
        if (it == latest.end()) continue;
        parent = it->second;
      }
      auto ch = children.find(parent);
      if (ch == children.end()) continue;
      size_t& n = next[parent];
      if (n >= ch->second.size()) continue;
      const int64_t g = ch->second[n++];
      names[g] = name;
      latest[name] = g;
    }
  }
  auto test_of = [&](GoId id) -> std::string {
    if (!run_order.empty()) {
      const G* self = Find(id.value());
      auto it = names.find(self != nullptr && self->trunner ? id.value() : TestGoroutineOf(id.value()));
      if (it != names.end()) return it->second;
    }
    return TestFuncOf(id.value());
  };
  for (auto& f : a.findings) {
    if (!f.test.empty() || f.goroutines.empty()) continue;
    f.test = test_of(f.goroutines.front());
  }
  for (auto& g : a.goroutines) {
    if (g.test.empty()) g.test = test_of(g.id);
  }
}

}  // namespace cancelflow::report
