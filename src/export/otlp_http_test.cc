#include "export/otlp_http.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cancelflow::otlp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::SizeIs;

std::optional<OtlpConfig> Config(const std::map<std::string, std::string>& env, std::string_view flag = "") {
  return ConfigFromEnvironment(flag, [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

std::string Res(const OtlpConfig& c, std::string_view key) {
  const auto* v = FindAttribute(c.resource, key);
  return v == nullptr ? "<none>" : std::get<std::string>(*v);
}

TEST(OtlpConfig, NothingConfiguredNoExport) {
  EXPECT_FALSE(Config({}));
  EXPECT_FALSE(Config({{"OTEL_SERVICE_NAME", "x"}, {"OTEL_EXPORTER_OTLP_HEADERS", "a=b"}}));
}

TEST(OtlpConfig, Endpoints) {
  EXPECT_EQ(Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}})->traces_url, "http://c:4318/v1/traces");
  EXPECT_EQ(Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/base/"}})->traces_url, "http://c:4318/base/v1/traces");
  // The signal's own variable is used as is and wins over the base.
  EXPECT_EQ(Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                    {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/custom"}})->traces_url,
            "http://t:9/custom");
  // The flag wins; a bare base gets /v1/traces, a URL with a path is kept.
  EXPECT_EQ(Config({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/x"}}, "http://f:1")->traces_url,
            "http://f:1/v1/traces");
  EXPECT_EQ(Config({}, "http://f:1/")->traces_url, "http://f:1/v1/traces");
  EXPECT_EQ(Config({}, "http://f:1/otlp/v1/traces")->traces_url, "http://f:1/otlp/v1/traces");
}

TEST(OtlpConfig, SdkDisabledStopsTheEnvironmentNotTheFlag) {
  EXPECT_FALSE(Config({{"OTEL_SDK_DISABLED", "true"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}));
  EXPECT_TRUE(Config({{"OTEL_SDK_DISABLED", "true"}}, "http://f:1"));
}

TEST(OtlpConfig, HeadersArePercentDecodedAndTracesHeadersWin) {
  const auto c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"},
                         {"OTEL_EXPORTER_OTLP_HEADERS", " Authorization = Basic%20abc%3D , x-a=1,bad,=novalue"},
                         {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-A=2"}});
  ASSERT_TRUE(c);
  EXPECT_THAT(c->headers, ElementsAre(Pair("Authorization", "Basic abc="), Pair("x-a", "2")));
  EXPECT_THAT(c->warnings, SizeIs(2));
  EXPECT_THAT(c->warnings[0], HasSubstr("OTEL_EXPORTER_OTLP_HEADERS: ignoring \"bad\""));
}

TEST(OtlpConfig, Resource) {
  auto c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}});
  EXPECT_EQ(Res(*c, "service.name"), "cancelflow");
  EXPECT_EQ(Res(*c, "telemetry.sdk.name"), "cancelflow");
  c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"},
              {"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,deployment.environment.name=ci%2Cweb,telemetry.sdk.name=x"}});
  EXPECT_EQ(Res(*c, "service.name"), "from-attrs");
  EXPECT_EQ(Res(*c, "deployment.environment.name"), "ci,web");
  EXPECT_EQ(Res(*c, "telemetry.sdk.name"), "cancelflow");
  EXPECT_EQ(c->resource[0].key, "service.name");
  c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}, {"OTEL_SERVICE_NAME", "svc"},
              {"OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"}});
  EXPECT_EQ(Res(*c, "service.name"), "svc");
}

TEST(OtlpConfig, TimeoutAndProtocol) {
  auto c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}});
  EXPECT_EQ(c->timeout_ms, 10'000);
  c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}, {"OTEL_EXPORTER_OTLP_TIMEOUT", "500"},
              {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "250"}});
  EXPECT_EQ(c->timeout_ms, 250);
  c = Config({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c"}, {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
              {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(c->timeout_ms, 10'000);
  EXPECT_THAT(c->warnings, SizeIs(2));
}

TEST(OtlpConfig, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2c%zz%4"), "a b,%zz%4");
  EXPECT_EQ(TracesUrlFromBase("http://h:1//"), "http://h:1/v1/traces");
}

}  // namespace
}  // namespace cancelflow::otlp
