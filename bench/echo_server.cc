// fx_echo_server: the bare reference for benchmarks. The same gRPC callback API the
// services use, with nothing behind it: no interceptors, no per-call logging, no
// storage. Its throughput on this machine is the ceiling every scenario is compared with.
//
//   FX_GRPC_ADDR  listen address (default 127.0.0.1:0, any free port)
//   FX_PORT_FILE  optional; receives {"grpc_port":N,"metrics_port":-1} once listening
//   FX_LOG_LEVEL  DEBUG, INFO (default), WARNING or ERROR; it logs only start-up anyway
// SIGTERM or SIGINT shuts it down (exit 0).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "common/log.h"
#include "common/server.h"
#include "fangxian/bench/v1/echo.grpc.pb.h"

namespace {

using fangxian::bench::v1::EchoRequest;
using fangxian::bench::v1::EchoResponse;
using fangxian::bench::v1::EchoService;

class EchoServiceImpl final : public EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoRequest* request,
                                 EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main() {
  // As in every server of ours (common/server.cc): Debian's abseil checks each
  // absl::Mutex, gRPC's included, for lock-order cycles unless told not to. The reference
  // must not pay a cost the services do not.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  fangxian::common::BlockTerminationSignals();
  fangxian::common::EnvConfig env;
  const std::string address = env.HostPort("FX_GRPC_ADDR", "127.0.0.1:0");
  const std::string port_file = env.String("FX_PORT_FILE", "");
  fangxian::common::ConfigureLogging(env);
  env.ExitIfInvalid();

  EchoServiceImpl service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    fangxian::common::LogError("cannot listen", {{"address", address}});
    return 1;
  }
  if (!port_file.empty() &&
      !fangxian::common::WritePortFile(
          port_file, "{\"grpc_port\":" + std::to_string(port) + ",\"metrics_port\":-1}")) {
    fangxian::common::LogError("cannot write port file", {{"path", port_file}});
    return 1;
  }
  fangxian::common::LogInfo("listening",
                            {{"service", "fangxian.bench.v1.EchoService"}, {"grpc_port", port}});

  fangxian::common::WaitForTerminationSignal();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}
