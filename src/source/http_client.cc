// Why libcurl's easy interface and one request at a time: an OTLP export is
// a handful of requests at the end of a command, and a live fetch is two
// requests in a row (the trace window, then the leak profile); the multi
// interface would add concurrency for nothing.
//
// Why dlopen: linking libcurl brings ~30 shared libraries (TLS, HTTP/2,
// LDAP, Kerberos, ...) that the dynamic loader maps at every start, ~4 ms
// per command measured (`cancelflow version` 2.1 -> 6.9 ms median), a cost
// every `analyze`, `stats` and `dump` of a file would pay. So the binary
// does not link it: libcurl.so.4 is opened on the first request only
// (Debian package libcurl4, which the -dev package used to build pulls in).
#include "source/http_client.h"

#include <dlfcn.h>

#include <algorithm>
#include <mutex>
#include <type_traits>

#include <curl/curl.h>
#include <fmt/format.h>

namespace cancelflow::http {
namespace {

// The libcurl functions the client calls, from libcurl.so.4 (see the top).
struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// libcurl, loaded and initialized once; nullptr (and *error) when it cannot be.
const CurlApi* Curl(std::string* error) {
  static CurlApi api;
  static std::string load_error;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      load_error = fmt::format("cannot load libcurl (Debian package libcurl4): {}", dlerror());
      return;
    }
    bool ok = true;
    auto sym = [&](auto& fn, const char* name) {
      void* p = dlsym(lib, name);
      ok = ok && p != nullptr;
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    };
    sym(api.global_init, "curl_global_init");
    sym(api.easy_init, "curl_easy_init");
    sym(api.easy_setopt, "curl_easy_setopt");
    sym(api.easy_perform, "curl_easy_perform");
    sym(api.easy_getinfo, "curl_easy_getinfo");
    sym(api.easy_cleanup, "curl_easy_cleanup");
    sym(api.easy_strerror, "curl_easy_strerror");
    sym(api.slist_append, "curl_slist_append");
    sym(api.slist_free_all, "curl_slist_free_all");
    if (!ok || api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) load_error = "libcurl.so.4 is unusable";
  });
  if (!load_error.empty()) {
    *error = load_error;
    return nullptr;
  }
  return &api;
}

struct Sink {
  std::string* body;
  uint64_t max;
  bool truncate;
  bool too_large = false;
};

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  auto* sink = static_cast<Sink*>(out);
  const size_t bytes = size * n;
  const uint64_t room = sink->body->size() < sink->max ? sink->max - sink->body->size() : 0;
  if (bytes > room && !sink->truncate) {
    sink->too_large = true;
    return 0;  // CURLE_WRITE_ERROR: stop reading
  }
  sink->body->append(data, static_cast<size_t>(std::min<uint64_t>(bytes, room)));
  return bytes;
}

int Progress(void* abort, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(abort)->load(std::memory_order_relaxed) ? 1 : 0;
}

FetchError Classify(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT: return FetchError::kRefused;
    case CURLE_COULDNT_RESOLVE_HOST: return FetchError::kResolve;
    case CURLE_OPERATION_TIMEDOUT: return FetchError::kTimeout;
    case CURLE_ABORTED_BY_CALLBACK: return FetchError::kAborted;
    default: return FetchError::kOther;
  }
}

}  // namespace

std::string FirstLine(std::string_view body, size_t max) {
  const size_t nl = body.find_first_of("\r\n");
  std::string_view line = body.substr(0, nl);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  std::string out(line.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

Response Fetch(const Request& request) {
  Response r;
  const CurlApi* c = Curl(&r.message);
  if (c == nullptr) {
    r.error = FetchError::kNoLibrary;
    return r;
  }
  CURL* curl = c->easy_init();
  if (curl == nullptr) {
    r.error = FetchError::kOther;
    r.message = "libcurl could not start";
    return r;
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers) headers = c->slist_append(headers, (k + ": " + v).c_str());
  Sink sink{&r.body, request.max_body_bytes, request.truncate_body};
  char errbuf[CURL_ERROR_SIZE] = {};
  c->easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (headers != nullptr) c->easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (request.method == "POST") {
    c->easy_setopt(curl, CURLOPT_POST, 1L);
    c->easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    c->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  c->easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.total_timeout_ms);
  c->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  c->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  c->easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  c->easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  c->easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  c->easy_setopt(curl, CURLOPT_USERAGENT, request.user_agent.c_str());
  if (request.abort != nullptr) {
    c->easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    c->easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
    c->easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(request.abort));
  }
  const CURLcode rc = c->easy_perform(curl);
  c->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  char* content_type = nullptr;
  c->easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) r.content_type = content_type;
  if (headers != nullptr) c->slist_free_all(headers);
  c->easy_cleanup(curl);

  if (sink.too_large) {
    r.error = FetchError::kTooLarge;
    r.message = fmt::format("the response is larger than {} bytes", request.max_body_bytes);
    r.body.clear();
  } else if (rc != CURLE_OK) {
    r.error = Classify(rc);
    r.message = errbuf[0] != '\0' ? std::string(errbuf) : std::string(c->easy_strerror(rc));
    if (r.error == FetchError::kAborted) r.message = "aborted";
  }
  return r;
}

}  // namespace cancelflow::http
