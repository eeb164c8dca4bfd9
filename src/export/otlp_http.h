// OTLP/HTTP export: where to send (the --otlp flag and OpenTelemetry's
// standard environment variables) and the libcurl sender.
//
// CONFIGURATION (https://opentelemetry.io/docs/specs/otel/protocol/exporter/):
//   --otlp URL                           a base URL ("http://host:4318", no path or "/")
//                                        gets /v1/traces appended; a URL with a path is used as is
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   the full traces URL, used as is
//   OTEL_EXPORTER_OTLP_ENDPOINT          base URL: "/v1/traces" appended (after one "/")
//   OTEL_EXPORTER_OTLP_HEADERS           k=v,k2=v2 (keys and values percent-decoded,
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS      whitespace trimmed); the traces one wins per key
//   OTEL_EXPORTER_OTLP_TIMEOUT           milliseconds per request (default 10000);
//   OTEL_EXPORTER_OTLP_TRACES_TIMEOUT      the traces one wins
//   OTEL_SERVICE_NAME                    service.name (wins over OTEL_RESOURCE_ATTRIBUTES)
//   OTEL_RESOURCE_ATTRIBUTES             k=v,... as resource attributes (percent-decoded)
//   OTEL_SDK_DISABLED=true               no export from the environment (the flag still exports)
// The flag wins over the endpoint variables. Without a flag or an endpoint
// variable nothing is exported. Only http/protobuf is spoken: another
// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL is a warning, and protobuf is sent.
// Malformed list entries are skipped with a warning (the spec's "log and ignore").
//
// SENDING: one POST per OTLP trace (per analyzed trace file), Content-Type
// application/x-protobuf, with the configured timeout for the whole request
// (connect included). No retries: the export runs once at the end of a CI
// command, and a retry loop would hold the job. A failure (refused, timeout,
// non-2xx, a partial success rejecting spans) is one line on stderr; it
// never changes an exit status or a local report.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export/otlp_spans.h"
#include "report/check_result.h"

namespace cancelflow::otlp {

struct OtlpConfig {
  std::string traces_url;
  std::vector<std::pair<std::string, std::string>> headers;
  Attributes resource;  // service.name first, then OTEL_RESOURCE_ATTRIBUTES, telemetry.sdk.*
  long timeout_ms = 10'000;
  std::vector<std::string> warnings;  // one line each, for stderr
};

using Getenv = std::function<const char*(const char*)>;

// The export configuration, or nullopt when no export is configured.
// `flag_url`: --otlp ("" = not given). `getenv` is std::getenv in the CLI.
std::optional<OtlpConfig> ConfigFromEnvironment(std::string_view flag_url, const Getenv& getenv);

// "k=v,k2=v2" (W3C baggage-like, percent-decoded); malformed entries are
// reported in *warnings (with `what` naming the variable) and skipped.
std::vector<std::pair<std::string, std::string>> ParseKeyValueList(std::string_view list, std::string_view what,
                                                                   std::vector<std::string>* warnings);
std::string PercentDecode(std::string_view s);
// The traces URL for a base endpoint: base + "/v1/traces".
std::string TracesUrlFromBase(std::string_view base);

// Encodes and sends every trace of `result`. Returns "" on success, else the
// one-line description of what failed (the first failure, and how many of
// the requests failed).
std::string Export(const report::CheckResult& result, const OtlpConfig& config, uint64_t now_unix_ns);

// Whether --otlp or the environment configures an export (cheap: reads the
// environment only), so a command builds a CheckResult only when it will be sent.
bool ExportConfigured(std::string_view flag_url);

// The CLI's entry: configures from --otlp and the environment and exports.
// Returns the lines to print on stderr (configuration warnings, the failure),
// none when all went well or nothing is configured. Never fails the command.
// `resource`: attributes that replace (or join) the configured resource's,
// e.g. `watch` names each watched service (service.name, service.instance.id).
std::vector<std::string> ExportIfConfigured(const report::CheckResult& result, std::string_view flag_url,
                                            const Attributes& resource = {});

}  // namespace cancelflow::otlp
