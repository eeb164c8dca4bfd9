#include "watch/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace cancelflow::watch {
namespace {

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // the client went away
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void Reply(int fd, int status, std::string_view reason, std::string_view type, std::string_view body) {
  SendAll(fd, fmt::format("HTTP/1.0 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                          status, reason, type, body.size()));
  SendAll(fd, body);
}

}  // namespace

std::unique_ptr<MetricsServer> MetricsServer::Start(const std::string& listen, std::string* error) {
  const size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  const std::string port_text = colon == std::string::npos ? listen : listen.substr(colon + 1);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535 || inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    *error = fmt::format("--listen {}: not HOST:PORT (an IPv4 address and a port)", listen);
    return nullptr;
  }
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = fmt::format("--listen {}: {}", listen, std::strerror(errno));
    return nullptr;
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    *error = fmt::format("--listen {}: {}", listen, std::strerror(errno));
    close(fd);
    return nullptr;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int bound = ntohs(addr.sin_port);
  return std::unique_ptr<MetricsServer>(new MetricsServer(fd, bound, fmt::format("{}:{}", host, bound)));
}

MetricsServer::MetricsServer(int fd, int port, std::string address)
    : fd_(fd), port_(port), address_(std::move(address)) {
  thread_ = std::thread([this] { Serve(); });
}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::Publish(std::string page) {
  std::lock_guard<std::mutex> lock(mu_);
  page_ = std::move(page);
}

void MetricsServer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

void MetricsServer::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Answer(client);
    close(client);
  }
}

void MetricsServer::Answer(int client) {
  std::string req;
  char buf[1024];
  const auto deadline_ms = 5000;
  int waited = 0;
  while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos) {
    if (req.size() > 8192) return Reply(client, 431, "Request Header Fields Too Large", "text/plain", "too large\n");
    pollfd p{client, POLLIN, 0};
    if (stop_ || waited >= deadline_ms) return;
    if (poll(&p, 1, 200) <= 0) {
      waited += 200;
      continue;
    }
    const ssize_t n = recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    req.append(buf, static_cast<size_t>(n));
  }
  const size_t sp1 = req.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? std::string::npos : req.find(' ', sp1 + 1);
  const std::string method = req.substr(0, sp1);
  std::string path = sp2 == std::string::npos ? "" : req.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  if (method != "GET" && method != "HEAD") return Reply(client, 405, "Method Not Allowed", "text/plain", "GET only\n");
  if (path == "/metrics") {
    std::string page;
    {
      std::lock_guard<std::mutex> lock(mu_);
      page = page_;
    }
    return Reply(client, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", method == "HEAD" ? "" : page);
  }
  if (path == "/") return Reply(client, 200, "OK", "text/plain", "cancelflow watch: see /metrics\n");
  Reply(client, 404, "Not Found", "text/plain", "not found\n");
}

}  // namespace cancelflow::watch
