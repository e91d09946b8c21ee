// HTTP/JSON gateway: wiring only. Reads the environment, builds the route table from the
// services' google.api.http options, serves until SIGTERM/SIGINT, then drains.
#include <chrono>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/log.h"
#include "common/server.h"
#include "gateway/gateway.h"
#include "gateway/http_server.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "gateway/upstream.h"

namespace fx = fangxian;

int main() {
  fx::common::BlockTerminationSignals();
  fx::common::EnvConfig env;

  fx::common::ConfigureLogging(env);

  fx::gateway::HttpServerOptions http;
  http.address = env.HostPort("FX_HTTP_ADDR", "127.0.0.1:8080");
  http.threads = static_cast<int>(env.Int("FX_GATEWAY_THREADS", 2, 1, 64));
  http.max_body_bytes = static_cast<size_t>(env.Int("FX_MAX_BODY_BYTES", 1 << 20, 1, 64 << 20));
  http.read_timeout =
      std::chrono::milliseconds(env.Int("FX_HTTP_READ_TIMEOUT_MS", 10000, 100, 600000));

  fx::gateway::GatewayOptions options;
  options.upstream_timeout =
      std::chrono::milliseconds(env.Int("FX_UPSTREAM_TIMEOUT_MS", 10000, 1, 600000));
  options.stream_max_duration =
      std::chrono::seconds(env.Int("FX_GATEWAY_STREAM_MAX_S", 3600, 1, 7 * 24 * 3600));
  options.sse_keepalive = std::chrono::seconds(env.Int("FX_GATEWAY_SSE_KEEPALIVE_S", 15, 1, 3600));
  options.max_streams = static_cast<int>(env.Int("FX_GATEWAY_MAX_STREAMS", 1000, 1, 1000000));
  const int drain_seconds = static_cast<int>(env.Int("FX_DRAIN_SECONDS", 10, 0, 300));
  const std::string port_file = env.String("FX_PORT_FILE", "");

  std::vector<const google::protobuf::ServiceDescriptor*> descriptors;
  std::vector<fx::gateway::UpstreamSpec> upstream_specs;
  for (const fx::gateway::RoutedService& s : fx::gateway::RoutedServices()) {
    descriptors.push_back(s.descriptor);
    upstream_specs.push_back({s.name, s.descriptor->full_name(), env.HostPort(s.env_var)});
  }
  // Not a production upstream: routed only when its address is given.
  const std::string bench_addr = env.String("FX_BENCH_ADDR", "");
  if (!bench_addr.empty()) {
    const fx::gateway::RoutedService bench = fx::gateway::BenchEchoService();
    descriptors.push_back(bench.descriptor);
    upstream_specs.push_back(
        {bench.name, bench.descriptor->full_name(), env.HostPort(bench.env_var)});
  }
  env.ExitIfInvalid();

  absl::StatusOr<fx::gateway::RouteTable> routes = fx::gateway::RouteTable::Build(descriptors);
  if (!routes.ok()) {
    fx::common::LogError("cannot build the route table", {{"error", routes.status().message()}});
    return 2;
  }
  for (const fx::gateway::Route& r : routes->routes()) {
    fx::common::Log(fx::common::Severity::kDebug, "route",
                    {{"http", r.http_method + " " + r.path.text()}, {"rpc", r.grpc_method}});
  }

  fx::gateway::Upstreams upstreams(upstream_specs);
  fx::gateway::Gateway gateway(&*routes, &upstreams, options);
  fx::gateway::HttpServer server(&gateway, http);
  if (absl::Status s = server.Start(); !s.ok()) {
    fx::common::LogError("cannot start the HTTP server", {{"error", s.message()}});
    return 1;
  }
  fx::common::LogInfo("listening", {{"service", "gateway"},
                                    {"http_port", server.port()},
                                    {"routes", static_cast<int64_t>(routes->routes().size())}});
  if (!port_file.empty() &&
      !fx::common::WritePortFile(port_file,
                                 "{\"http_port\":" + std::to_string(server.port()) + "}")) {
    fx::common::LogError("cannot write the port file", {{"path", port_file}});
    return 1;
  }

  const int sig = fx::common::WaitForTerminationSignal();

  fx::common::LogInfo("draining", {{"signal", sig}, {"drain_seconds", drain_seconds}});
  // In-flight requests finish within the drain window; what is left is cancelled.
  server.Shutdown(std::chrono::seconds(drain_seconds));
  upstreams.CancelAll();
  upstreams.WaitIdle(std::chrono::seconds(5));
  fx::common::LogInfo("stopped", {{"service", "gateway"}});
  return 0;
}
