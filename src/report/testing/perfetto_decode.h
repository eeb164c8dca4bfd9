// Decodes a Perfetto trace written by PerfettoWriter with protoc (text
// format, proto/perfetto_trace_subset.proto) into plain structs, so tests
// check what a real protobuf decoder sees rather than our own bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/testing/trace_fixture.h"

namespace cancelflow::report::testing {

struct DecodedEvent {
  uint64_t ts = 0;
  std::string type;  // TYPE_SLICE_BEGIN, TYPE_SLICE_END, TYPE_INSTANT
  uint64_t track = 0;
  std::string name;
  std::vector<std::string> categories;
  std::vector<uint64_t> flows, terminating_flows;
  std::map<std::string, std::string> args;  // debug annotations, values as printed
};

struct DecodedTrack {
  uint64_t uuid = 0, parent = 0;
  std::string name;
  bool is_process = false, is_thread = false;
  int64_t pid = 0, tid = 0;
};

struct DecodedTrace {
  bool ok = false;
  std::string error;
  std::vector<DecodedTrack> tracks;
  std::vector<DecodedEvent> events;
  uint64_t packets = 0;
  uint64_t packets_without_sequence = 0;

  const DecodedTrack* Track(uint64_t uuid) const {
    for (const auto& t : tracks)
      if (t.uuid == uuid) return &t;
    return nullptr;
  }
};

inline std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

inline DecodedTrace DecodePerfetto(const std::string& path) {
  DecodedTrace t;
  int status = 0;
  const std::string text = RunCommand(std::string(PROTOC_EXECUTABLE) + " --proto_path=" + CANCELFLOW_SOURCE_DIR +
                                          "/proto --decode=perfetto.protos.Trace perfetto_trace_subset.proto < " +
                                          path + " 2>&1",
                                      &status);
  if (status != 0) {
    t.error = text.substr(0, 2000);
    return t;
  }
  std::vector<std::string> stack;
  DecodedEvent ev;
  DecodedTrack tr;
  bool has_seq = false;
  std::string da_name, da_value;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) continue;
    if (line.back() == '{') {
      std::string name(line.substr(0, line.size() - 2));
      stack.push_back(name);
      if (stack.size() == 1) {
        ev = DecodedEvent{};
        tr = DecodedTrack{};
        has_seq = false;
      }
      if (name == "debug_annotations") da_name.clear(), da_value.clear();
      continue;
    }
    if (line == "}") {
      if (stack.empty()) return t;
      const std::string closing = stack.back();
      stack.pop_back();
      if (closing == "debug_annotations") ev.args[da_name] = da_value;
      if (stack.empty()) {
        ++t.packets;
        if (!has_seq) ++t.packets_without_sequence;
      }
      if (stack.size() == 1 && closing == "track_event") t.events.push_back(ev);
      if (stack.size() == 1 && closing == "track_descriptor") t.tracks.push_back(tr);
      continue;
    }
    const size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string key(line.substr(0, colon));
    const std::string_view val = line.substr(colon + 2);
    const std::string where = stack.empty() ? "" : stack.back();
    auto num = [&] { return std::stoull(std::string(val)); };
    if (where == "packet") {
      if (key == "timestamp") ev.ts = num();
      if (key == "trusted_packet_sequence_id") has_seq = true;
    } else if (where == "track_event") {
      if (key == "type") ev.type = std::string(val);
      if (key == "track_uuid") ev.track = num();
      if (key == "name") ev.name = Unquote(val);
      if (key == "categories") ev.categories.push_back(Unquote(val));
      if (key == "flow_ids") ev.flows.push_back(num());
      if (key == "terminating_flow_ids") ev.terminating_flows.push_back(num());
    } else if (where == "debug_annotations") {
      if (key == "name") {
        da_name = Unquote(val);
      } else {
        da_value = Unquote(val);
      }
    } else if (where == "track_descriptor") {
      if (key == "uuid") tr.uuid = num();
      if (key == "parent_uuid") tr.parent = num();
      if (key == "name") tr.name = Unquote(val);
    } else if (where == "process") {
      tr.is_process = true;
      if (key == "pid") tr.pid = std::stoll(std::string(val));
      if (key == "process_name") tr.name = Unquote(val);
    } else if (where == "thread") {
      tr.is_thread = true;
      if (key == "pid") tr.pid = std::stoll(std::string(val));
      if (key == "tid") tr.tid = std::stoll(std::string(val));
      if (key == "thread_name") tr.name = Unquote(val);
    }
  }
  t.ok = stack.empty();
  if (!t.ok) t.error = "unbalanced protoc output";
  return t;
}

}  // namespace cancelflow::report::testing
