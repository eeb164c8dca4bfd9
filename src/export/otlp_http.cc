// One request at a time through the shared HTTP client
// (src/source/http_client.h: libcurl, opened with dlopen on the first
// request, so commands that do not export never load it); the whole export
// is bounded by (requests x timeout), which the caller can lower.
#include "export/otlp_http.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "export/otlp_encode.h"
#include "source/http_client.h"

namespace cancelflow::otlp {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Env(const Getenv& getenv, const char* name) {
  const char* v = getenv(name);
  return v == nullptr ? std::string() : std::string(Trim(v));
}

// A URL's path: what follows "scheme://authority" ("" when none).
std::string_view UrlPath(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t slash = url.find_first_of("/?#", from);
  return slash == std::string_view::npos ? std::string_view() : url.substr(slash);
}

}  // namespace

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseKeyValueList(std::string_view list, std::string_view what,
                                                                   std::vector<std::string>* warnings) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string key = eq == std::string_view::npos ? std::string() : PercentDecode(Trim(item.substr(0, eq)));
    if (key.empty()) {
      warnings->push_back(fmt::format("{}: ignoring \"{}\" (not key=value)", what, item));
      continue;
    }
    out.emplace_back(key, PercentDecode(Trim(item.substr(eq + 1))));
  }
  return out;
}

std::string TracesUrlFromBase(std::string_view base) {
  std::string url(base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/v1/traces";
}

std::optional<OtlpConfig> ConfigFromEnvironment(std::string_view flag_url, const Getenv& getenv) {
  OtlpConfig c;
  const std::string flag(Trim(flag_url));
  const bool disabled = Env(getenv, "OTEL_SDK_DISABLED") == "true";
  if (!flag.empty()) {
    const std::string_view path = UrlPath(flag);
    c.traces_url = path.empty() || path == "/" ? TracesUrlFromBase(flag) : flag;
  } else if (disabled) {
    return std::nullopt;
  } else if (std::string t = Env(getenv, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); !t.empty()) {
    c.traces_url = t;
  } else if (std::string b = Env(getenv, "OTEL_EXPORTER_OTLP_ENDPOINT"); !b.empty()) {
    c.traces_url = TracesUrlFromBase(b);
  } else {
    return std::nullopt;
  }

  for (const char* var : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}) {
    if (const std::string p = Env(getenv, var); !p.empty() && p != "http/protobuf") {
      c.warnings.push_back(fmt::format("{}={}: only http/protobuf is supported; sending http/protobuf", var, p));
    }
  }
  for (const char* var : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    for (auto& [k, v] : ParseKeyValueList(Env(getenv, var), var, &c.warnings)) {
      bool replaced = false;
      for (auto& h : c.headers) {
        if (h.first.size() == k.size() &&
            std::equal(k.begin(), k.end(), h.first.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); })) {
          h.second = v;
          replaced = true;
        }
      }
      if (!replaced) c.headers.emplace_back(std::move(k), std::move(v));
    }
  }
  for (const char* var : {"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"}) {
    const std::string t = Env(getenv, var);
    if (t.empty()) continue;
    char* end = nullptr;
    const long ms = std::strtol(t.c_str(), &end, 10);
    if (end == t.c_str() || *end != '\0' || ms <= 0) {
      c.warnings.push_back(fmt::format("{}={}: not a positive number of milliseconds; ignored", var, t));
    } else {
      c.timeout_ms = ms;
    }
  }

  // Resource: service.name, then the user's attributes, then the SDK's.
  std::string service = "cancelflow";
  Attributes user;
  for (auto& [k, v] : ParseKeyValueList(Env(getenv, "OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES", &c.warnings)) {
    if (k == "service.name") {
      service = v;
      continue;
    }
    bool replaced = false;
    for (Attribute& a : user) {
      if (a.key == k) {
        a.value = v;
        replaced = true;
      }
    }
    if (!replaced) user.push_back(Attribute{k, v});
  }
  if (const std::string s = Env(getenv, "OTEL_SERVICE_NAME"); !s.empty()) service = s;
  c.resource.push_back(Attribute{"service.name", service});
  for (Attribute& a : user) {
    if (a.key.rfind("telemetry.sdk.", 0) != 0) c.resource.push_back(std::move(a));
  }
  c.resource.push_back(Attribute{"telemetry.sdk.name", std::string("cancelflow")});
  c.resource.push_back(Attribute{"telemetry.sdk.language", std::string("cpp")});
  return c;
}

namespace {

// One POST; "" on success, else what went wrong.
std::string Post(const OtlpConfig& config, const std::string& payload, int64_t spans) {
  http::Request req;
  req.url = config.traces_url;
  req.method = "POST";
  req.headers.emplace_back("Content-Type", "application/x-protobuf");
  req.headers.insert(req.headers.end(), config.headers.begin(), config.headers.end());
  req.body = payload;
  req.connect_timeout_ms = req.total_timeout_ms = config.timeout_ms;
  req.max_body_bytes = 64 * 1024;  // a response is a few bytes; keep at most 64 KiB
  req.truncate_body = true;
  req.user_agent = "cancelflow-otlp";
  const http::Response r = http::Fetch(req);
  if (r.error != http::FetchError::kNone) return r.message;
  const long status = r.status;
  const std::string& type = r.content_type;
  const std::string& body = r.body;
  if (status < 200 || status > 299) {
    const std::string detail = http::FirstLine(body);
    return fmt::format("HTTP {}{}", status, detail.empty() || type.find("protobuf") != std::string::npos ? "" : ": " + detail);
  }
  if (type.find("protobuf") != std::string::npos || type.empty()) {
    const auto partial = DecodeExportResponse(body);
    if (!partial) return fmt::format("HTTP {} with a response that is not an ExportTraceServiceResponse", status);
    if (partial->rejected_spans > 0 || !partial->error_message.empty()) {
      return fmt::format("partial success: {} of {} span(s) rejected{}", partial->rejected_spans, spans,
                         partial->error_message.empty() ? "" : ": " + partial->error_message);
    }
  }
  return "";
}

}  // namespace

std::string Export(const report::CheckResult& result, const OtlpConfig& config, uint64_t now_unix_ns) {
  const std::vector<TraceSpans> traces = BuildSpans(result, SpanModelOptions{now_unix_ns});
  std::string first;
  size_t failed = 0, spans = 0;
  for (const TraceSpans& t : traces) {
    spans += t.spans.size();
    const std::string err = Post(config, EncodeExportRequest(config.resource, t, CANCELFLOW_VERSION), static_cast<int64_t>(t.spans.size()));
    if (err.empty()) continue;
    if (failed++ == 0) first = err;
  }
  if (failed == 0) return "";
  return fmt::format("OTLP export to {} failed ({} of {} request(s), {} span(s) in all): {}", config.traces_url, failed,
                     traces.size(), spans, first);
}

bool ExportConfigured(std::string_view flag_url) {
  return ConfigFromEnvironment(flag_url, [](const char* name) { return std::getenv(name); }).has_value();
}

std::vector<std::string> ExportIfConfigured(const report::CheckResult& result, std::string_view flag_url,
                                            const Attributes& resource) {
  auto config = ConfigFromEnvironment(flag_url, [](const char* name) { return std::getenv(name); });
  if (!config) return {};
  for (const Attribute& r : resource) {
    auto same = std::find_if(config->resource.begin(), config->resource.end(), [&](const Attribute& a) { return a.key == r.key; });
    if (same != config->resource.end()) {
      same->value = r.value;
    } else {
      config->resource.push_back(r);
    }
  }
  std::vector<std::string> lines;
  for (const std::string& w : config->warnings) lines.push_back("OTLP: " + w);
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  if (std::string err = Export(result, *config, static_cast<uint64_t>(now.count())); !err.empty()) lines.push_back(std::move(err));
  return lines;
}

}  // namespace cancelflow::otlp
