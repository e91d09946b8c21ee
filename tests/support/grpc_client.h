// Small helpers for tests that call our services over real gRPC.
#ifndef FANGXIAN_TESTS_SUPPORT_GRPC_CLIENT_H_
#define FANGXIAN_TESTS_SUPPORT_GRPC_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace fangxian::testing {

std::shared_ptr<grpc::Channel> LocalChannel(int port);

// A context with a 10 s deadline and, if given, "authorization: Bearer <token>".
std::unique_ptr<grpc::ClientContext> CallContextWith(const std::string& token);

// grpc.health.v1 Check; returns the status name ("SERVING", "NOT_SERVING", or the error
// code name when the call fails).
std::string HealthStatus(grpc::Channel& channel, const std::string& service = "");

// Polls HealthStatus until it equals `want` (bounded by `timeout`); returns the last seen.
std::string WaitForHealth(grpc::Channel& channel, const std::string& want,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20),
                          const std::string& service = "");

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_GRPC_CLIENT_H_
