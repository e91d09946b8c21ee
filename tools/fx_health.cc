// fx_health ADDRESS [SERVICE] [--timeout-ms N]
// Asks a server's grpc.health.v1 service for SERVICE ("" = the whole server) and prints
// the answer. Exit status: 0 SERVING, 1 any other answer (NOT_SERVING, or an error from
// the server such as NOT_FOUND for an unknown name), 2 no answer or bad usage.
// The Kubernetes probes use the kubelet's own gRPC client; this is for people and scripts
// (`kubectl exec deploy/identity -- fx_health 127.0.0.1:50051 liveness`) and the
// manifests' consistency test.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: fx_health ADDRESS [SERVICE] [--timeout-ms N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address;
  std::string service;
  int timeout_ms = 1000;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--timeout-ms") {
      if (i + 1 >= argc || !absl::SimpleAtoi(argv[++i], &timeout_ms) || timeout_ms <= 0) {
        return Usage();
      }
    } else if (positional == 0) {
      address = arg;
      ++positional;
    } else if (positional == 1) {
      service = arg;
      ++positional;
    } else {
      return Usage();
    }
  }
  if (address.empty()) return Usage();

  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::printf("%s: %s\n", address.c_str(), status.error_message().c_str());
    const bool answered = status.error_code() != grpc::StatusCode::UNAVAILABLE &&
                          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED;
    return answered ? 1 : 2;
  }
  std::printf("%s\n",
              grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()).c_str());
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}
