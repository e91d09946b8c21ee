// A gateway_server in front of an in-test fake upstream, shared by a whole test suite:
// the fake (a grpc::Service whose replies the test steers) listens on a free loopback
// port, and the gateway is started with the environment built for that port.
#ifndef FANGXIAN_TESTS_SUPPORT_FAKE_UPSTREAM_GATEWAY_H_
#define FANGXIAN_TESTS_SUPPORT_FAKE_UPSTREAM_GATEWAY_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "tests/support/process.h"

namespace fangxian::testing {

template <typename Fake>
class FakeUpstreamGatewayTest : public ::testing::Test {
 protected:
  using Env = std::map<std::string, std::string>;

  // Call from SetUpTestSuite. `env(fake_port)`: the gateway's environment.
  // `health_service`: the fake also serves grpc.health.v1 (for /readyz).
  static void StartSuite(const std::function<Env(int fake_port)>& env,
                         bool health_service = false) {
    if (health_service) grpc::EnableDefaultHealthCheckService(true);
    fake_ = new Fake;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &fake_port_);
    builder.RegisterService(fake_);
    upstream_ = builder.BuildAndStart().release();
    ASSERT_NE(upstream_, nullptr);
    gateway_ = new ChildProcess("gateway/gateway_server", env(fake_port_));
    port_ = gateway_->WaitForPort("http_port");
  }

  // Call from TearDownTestSuite.
  static void StopSuite() {
    delete gateway_;
    gateway_ = nullptr;
    if (upstream_ != nullptr) upstream_->Shutdown(std::chrono::system_clock::now());
    delete upstream_;
    upstream_ = nullptr;
    delete fake_;
    fake_ = nullptr;
  }

  static inline Fake* fake_ = nullptr;
  static inline grpc::Server* upstream_ = nullptr;
  static inline int fake_port_ = 0;
  static inline ChildProcess* gateway_ = nullptr;
  static inline int port_ = 0;  // the gateway's HTTP port
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_FAKE_UPSTREAM_GATEWAY_H_
