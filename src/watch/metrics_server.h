// The /metrics endpoint of `cancelflow watch`: a minimal HTTP/1.0 server on
// one thread, serving the latest page that the watch loop published.
//
// INVARIANTS
// - Only GET /metrics (and GET /, a one-line index) are answered; anything
//   else is 404 or 405. One connection at a time; a request must arrive
//   within 5 s and is read up to 8 KiB (then 431); each answer closes the
//   connection. A slow or hostile client delays a scrape, never the loop.
// - The page is swapped under a mutex (Publish); a scrape sees a whole page.
// - Stop() returns after the thread has exited (it polls its stop flag every
//   200 ms); the destructor stops it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace cancelflow::watch {

class MetricsServer {
 public:
  // Listens on "HOST:PORT" (IPv4 address or "localhost"; port 0: any free
  // port). nullptr and *error when it cannot.
  static std::unique_ptr<MetricsServer> Start(const std::string& listen, std::string* error);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void Publish(std::string page);
  void Stop();
  int port() const { return port_; }
  std::string address() const { return address_; }

 private:
  MetricsServer(int fd, int port, std::string address);
  void Serve();
  void Answer(int client);

  int fd_;
  int port_;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string page_ = "# EOF\n";
  std::thread thread_;
};

}  // namespace cancelflow::watch
