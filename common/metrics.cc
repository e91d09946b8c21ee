#include "common/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstring>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fangxian::common {

Metrics::Metrics(std::string prefix) : prefix_(std::move(prefix)) {}

void Metrics::Record(absl::string_view method, absl::string_view code, double seconds) {
  MethodStats* stats = nullptr;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = methods_.find(method);
    if (it != methods_.end()) {
      auto c = it->second->codes.find(code);
      if (c != it->second->codes.end()) {
        stats = it->second.get();
        c->second.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  if (stats == nullptr) {
    std::unique_lock<std::shared_mutex> lock(mu_);
    auto& slot = methods_[std::string(method)];
    if (!slot) slot = std::make_unique<MethodStats>();
    stats = slot.get();
    stats->codes[std::string(code)].fetch_add(1, std::memory_order_relaxed);
  }
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  stats->buckets[b].fetch_add(1, std::memory_order_relaxed);
  stats->count.fetch_add(1, std::memory_order_relaxed);
  stats->sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read)};
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read), /*counter=*/true};
}

std::string Metrics::Render() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::string out;
  const std::string requests = prefix_ + "_requests_total";
  const std::string latency = prefix_ + "_latency_seconds";
  absl::StrAppend(&out, "# HELP ", requests, " Requests handled, by method and status code.\n",
                  "# TYPE ", requests, " counter\n");
  for (const auto& [method, stats] : methods_) {
    for (const auto& [code, n] : stats->codes) {
      absl::StrAppend(&out, requests, "{method=\"", method, "\",code=\"", code, "\"} ",
                      n.load(std::memory_order_relaxed), "\n");
    }
  }
  absl::StrAppend(&out, "# HELP ", latency, " Request latency, by method.\n", "# TYPE ", latency,
                  " histogram\n");
  for (const auto& [method, stats] : methods_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += stats->buckets[b].load(std::memory_order_relaxed);
      const std::string le = b < kBuckets.size() ? absl::StrFormat("%g", kBuckets[b]) : "+Inf";
      absl::StrAppend(&out, latency, "_bucket{method=\"", method, "\",le=\"", le, "\"} ",
                      cumulative, "\n");
    }
    absl::StrAppend(&out, latency, "_sum{method=\"", method, "\"} ",
                    absl::StrFormat("%.6f", stats->sum_micros.load() / 1e6), "\n", latency,
                    "_count{method=\"", method, "\"} ", stats->count.load(), "\n");
  }
  for (const auto& [name, gauge] : gauges_) {
    // Counters are whole numbers that grow past %g's six digits.
    absl::StrAppend(&out, "# HELP ", name, " ", gauge.help, "\n# TYPE ", name,
                    gauge.counter ? " counter\n" : " gauge\n", name, " ",
                    gauge.counter ? absl::StrFormat("%.15g", gauge.read())
                                  : absl::StrFormat("%g", gauge.read()),
                    "\n");
  }
  return out;
}

MetricsHttpServer::MetricsHttpServer(const Metrics* metrics, std::string host, int port)
    : metrics_(metrics), host_(std::move(host)), port_(port) {}

MetricsHttpServer::~MetricsHttpServer() {
  if (thread_) {
    const char b = 1;
    (void)::write(wake_fd_[1], &b, 1);
    thread_->join();
  }
  for (int fd : {listen_fd_, wake_fd_[0], wake_fd_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

bool MetricsHttpServer::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return false;
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) return false;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_fd_, O_CLOEXEC) != 0) return false;
  thread_ = std::make_unique<std::thread>([this] { Loop(); });
  return true;
}

void MetricsHttpServer::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // A scrape is tiny: read the request head with a short timeout, answer, close.
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char buf[2048];
    const ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
    absl::string_view req(buf, n > 0 ? static_cast<size_t>(n) : 0);
    std::string body;
    std::string status = "200 OK";
    if (absl::StartsWith(req, "GET /metrics ") || absl::StartsWith(req, "GET /metrics?")) {
      body = metrics_->Render();
    } else {
      status = "404 Not Found";
      body = "not found\n";
    }
    const std::string resp =
        absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: text/plain; version=0.0.4\r\n",
                     "Content-Length: ", body.size(), "\r\nConnection: close\r\n\r\n", body);
    size_t off = 0;
    while (off < resp.size()) {
      const ssize_t w = ::send(fd, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    ::close(fd);
  }
}

}  // namespace fangxian::common
