// Prometheus text-format metrics: request counts by method and code, and a latency
// histogram per method. Recording takes a shared lock and a few relaxed atomics.
#ifndef FANGXIAN_COMMON_METRICS_H_
#define FANGXIAN_COMMON_METRICS_H_

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/strings/string_view.h"

namespace fangxian::common {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // `prefix` names the families: "<prefix>_requests_total", "<prefix>_latency_seconds".
  explicit Metrics(std::string prefix);

  void Record(absl::string_view method, absl::string_view code, double seconds);
  // Adds a gauge rendered at scrape time (e.g. "fx_ready").
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // Adds a counter kept elsewhere, read at scrape time (e.g. "fx_..._total").
  void AddCounter(std::string name, std::string help, std::function<double()> read);

  std::string Render() const;

 private:
  struct MethodStats {
    std::map<std::string, std::atomic<uint64_t>, std::less<>> codes;  // guarded by mu_ for insert
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micros{0};
  };
  struct Gauge {
    std::string help;
    std::function<double()> read;
    bool counter = false;
  };

  const std::string prefix_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<MethodStats>, std::less<>> methods_;
  std::map<std::string, Gauge> gauges_;
};

// Serves GET /metrics (and 404 for anything else) on its own thread, so scraping never
// competes with RPC threads. Port 0 picks a free port.
class MetricsHttpServer {
 public:
  MetricsHttpServer(const Metrics* metrics, std::string host, int port);
  ~MetricsHttpServer();
  bool Start();  // false when the port cannot be bound
  int port() const { return port_; }

 private:
  void Loop();
  const Metrics* metrics_;
  std::string host_;
  int port_;
  int listen_fd_ = -1;
  int wake_fd_[2] = {-1, -1};
  std::unique_ptr<std::thread> thread_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_METRICS_H_
