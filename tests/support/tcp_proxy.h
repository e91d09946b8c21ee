// A loopback TCP forwarder for fault tests: the system under test is pointed at the
// proxy's port, and the test decides when the real server behind it is reachable.
// Disabled: connections are accepted and closed at once (like a server that is down).
#ifndef FANGXIAN_TESTS_SUPPORT_TCP_PROXY_H_
#define FANGXIAN_TESTS_SUPPORT_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fangxian::testing {

class TcpProxy {
 public:
  explicit TcpProxy(int target_port, bool enabled);
  ~TcpProxy();

  int port() const { return port_; }
  // Enabling lets new connections through; disabling also cuts the open ones.
  void SetEnabled(bool enabled);

 private:
  void AcceptLoop();
  void Pump(int client);

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> enabled_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_TCP_PROXY_H_
