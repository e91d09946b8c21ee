#include "tests/support/grpc_client.h"

#include <thread>

#include "common/status.h"

namespace fangxian::testing {

std::shared_ptr<grpc::Channel> LocalChannel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

std::unique_ptr<grpc::ClientContext> CallContextWith(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

std::string HealthStatus(grpc::Channel& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = stub->Check(&ctx, req, &resp);
  if (!st.ok()) return std::string(common::CodeName(st.error_code()));
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

std::string WaitForHealth(grpc::Channel& channel, const std::string& want,
                          std::chrono::milliseconds timeout, const std::string& service) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  do {
    seen = HealthStatus(channel, service);
    if (seen == want) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));  // polling a condition
  } while (std::chrono::steady_clock::now() < until);
  return seen;
}

}  // namespace fangxian::testing
