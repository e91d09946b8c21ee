// HTTP/JSON gateway: wiring only. Reads the environment, builds the route table from the
// services' google.api.http options, serves until SIGTERM/SIGINT, then drains.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/config.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/redis.h"
#include "common/server.h"
#include "gateway/api_descriptors.h"
#include "gateway/gateway.h"
#include "gateway/http_server.h"
#include "gateway/openapi.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "gateway/upstream.h"

namespace fx = fangxian;

namespace {

// Descriptors kept free for everything but client connections: upstream channels, Redis,
// the metrics endpoint, log and refused connections on their way out.
constexpr int64_t kDescriptorHeadroom = 256;

// FX_HTTP_MAX_CONNECTIONS must fit under RLIMIT_NOFILE, or the cap never triggers and
// accept() fails instead; lowered (with a warning naming both numbers) when it does not.
int FitConnectionCap(int requested) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return requested;
  const int64_t fits =
      std::max<int64_t>(1, static_cast<int64_t>(limit.rlim_cur) - kDescriptorHeadroom);
  if (requested <= fits) return requested;
  fx::common::LogWarning("FX_HTTP_MAX_CONNECTIONS lowered to fit RLIMIT_NOFILE",
                         {{"FX_HTTP_MAX_CONNECTIONS", static_cast<int64_t>(requested)},
                          {"RLIMIT_NOFILE", static_cast<int64_t>(limit.rlim_cur)},
                          {"max_connections", fits}});
  return static_cast<int>(fits);
}

}  // namespace

int main() {
  // As common::ServiceHost does for the services: Debian's abseil checks every
  // absl::Mutex (gRPC's too) for lock-order cycles under one global lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  fx::common::BlockTerminationSignals();
  fx::common::EnvConfig env;

  fx::common::ConfigureLogging(env);

  fx::gateway::HttpServerOptions http;
  http.address = env.HostPort("FX_HTTP_ADDR", "127.0.0.1:8080");
  http.threads = static_cast<int>(env.Int("FX_GATEWAY_THREADS", 2, 1, 64));
  http.max_body_bytes = static_cast<size_t>(env.Int("FX_MAX_BODY_BYTES", 1 << 20, 1, 64 << 20));
  http.read_timeout =
      std::chrono::milliseconds(env.Int("FX_HTTP_READ_TIMEOUT_MS", 10000, 100, 600000));
  http.header_timeout =
      std::chrono::milliseconds(env.Int("FX_HTTP_HEADER_TIMEOUT_MS", 10000, 100, 600000));
  http.max_header_fields = static_cast<size_t>(env.Int("FX_HTTP_MAX_HEADERS", 100, 1, 10000));
  http.max_connections =
      FitConnectionCap(static_cast<int>(env.Int("FX_HTTP_MAX_CONNECTIONS", 10000, 1, 1000000)));
  // /metrics on its own port (as the services serve it), never on the API port.
  const int metrics_port = fx::common::ReadMetricsPort(env, http.address, "FX_HTTP_ADDR");

  fx::gateway::GatewayOptions options;
  // Deadline classes. The older FX_UPSTREAM_TIMEOUT_MS (one deadline for every unary
  // call) and FX_GATEWAY_STREAM_MAX_S stay as aliases: the defaults when the new
  // variables are not set.
  fx::gateway::DeadlinePolicy deadlines;
  const bool legacy_unary = !env.String("FX_UPSTREAM_TIMEOUT_MS", "").empty();
  const int64_t legacy_unary_ms = env.Int("FX_UPSTREAM_TIMEOUT_MS", 10000, 1, 600000);
  const int64_t legacy_stream_s = env.Int("FX_GATEWAY_STREAM_MAX_S", 3600, 1, 7 * 24 * 3600);
  deadlines.read = std::chrono::milliseconds(
      env.Int("FX_GATEWAY_DEADLINE_READ_MS", legacy_unary ? legacy_unary_ms : 5000, 1, 600000));
  deadlines.write = std::chrono::milliseconds(
      env.Int("FX_GATEWAY_DEADLINE_WRITE_MS", legacy_unary ? legacy_unary_ms : 10000, 1, 600000));
  deadlines.stream = std::chrono::milliseconds(env.Int(
      "FX_GATEWAY_DEADLINE_STREAM_MS", legacy_stream_s * 1000, 1, int64_t{7} * 24 * 3600 * 1000));
  const bool max_given = !env.String("FX_GATEWAY_DEADLINE_MAX_MS", "").empty();
  deadlines.max =
      std::chrono::milliseconds(env.Int("FX_GATEWAY_DEADLINE_MAX_MS", 30000, 1, 600000));
  if (!max_given) {
    deadlines.max = std::max({deadlines.max, deadlines.read, deadlines.write});
  } else if (deadlines.max < std::max(deadlines.read, deadlines.write)) {
    env.AddError("FX_GATEWAY_DEADLINE_MAX_MS",
                 "must be at least FX_GATEWAY_DEADLINE_READ_MS and FX_GATEWAY_DEADLINE_WRITE_MS");
  }
  fx::gateway::UpstreamOptions upstream_options;
  upstream_options.retry_max_attempts =
      static_cast<int>(env.Int("FX_GATEWAY_RETRY_MAX_ATTEMPTS", 3, 1, 5));
  upstream_options.completion_threads =
      static_cast<int>(env.Int("FX_GATEWAY_UPSTREAM_THREADS", 1, 1, 64));
  options.sse_keepalive = std::chrono::seconds(env.Int("FX_GATEWAY_SSE_KEEPALIVE_S", 15, 1, 3600));
  options.max_streams = static_cast<int>(env.Int("FX_GATEWAY_MAX_STREAMS", 1000, 1, 1000000));
  // CORS and per-client rate limits (gateway/README.md).
  if (absl::StatusOr<fx::gateway::Cors> cors =
          fx::gateway::Cors::Parse(env.String("FX_CORS_ORIGINS", ""));
      cors.ok()) {
    options.cors = *std::move(cors);
  } else {
    env.AddError("FX_CORS_ORIGINS", std::string(cors.status().message()));
  }
  if (absl::StatusOr<fx::gateway::TrustedProxies> proxies =
          fx::gateway::TrustedProxies::Parse(env.String("FX_TRUSTED_PROXIES", ""));
      proxies.ok()) {
    options.trusted_proxies = *std::move(proxies);
  } else {
    env.AddError("FX_TRUSTED_PROXIES", std::string(proxies.status().message()));
  }
  fx::gateway::RateLimitOptions rate_limit;
  rate_limit.per_second = static_cast<double>(env.Int("FX_RATE_LIMIT_RPS", 50, 0, 1000000));
  rate_limit.burst = static_cast<double>(env.Int("FX_RATE_LIMIT_BURST", 100, 0, 10000000));
  rate_limit.sync_interval =
      std::chrono::milliseconds(env.Int("FX_RATE_LIMIT_SYNC_MS", 20, 1, 10000));
  const bool rate_limited = rate_limit.per_second > 0 && rate_limit.burst > 0;
  // Redis as the services read it (common/server.cc), but optional: without it each
  // replica limits on its own. A short default timeout: a sync that waits holds back
  // what the replicas learn of each other.
  const std::optional<fx::common::RedisPool::Options> redis =
      fx::common::ReadRedisOptions(env, absl::Milliseconds(50), /*optional=*/true);
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

  absl::StatusOr<fx::gateway::RouteTable> routes =
      fx::gateway::RouteTable::Build(descriptors, deadlines);
  if (!routes.ok()) {
    fx::common::LogError("cannot build the route table", {{"error", routes.status().message()}});
    return 2;
  }
  for (const fx::gateway::Route& r : routes->routes()) {
    fx::common::Log(fx::common::Severity::kDebug, "route",
                    {{"http", r.http_method + " " + r.path.text()}, {"rpc", r.grpc_method}});
  }

  fx::gateway::OpenApiOptions openapi_options;
  openapi_options.public_methods = fx::gateway::PublicMethods();
  absl::StatusOr<std::unique_ptr<google::protobuf::DescriptorPool>> comments =
      fx::gateway::CommentsPool(fx::gateway::ApiDescriptorSet());
  if (!comments.ok()) {  // a build problem: the embedded set is made from our own protos
    fx::common::LogError("cannot read the embedded proto comments",
                         {{"error", comments.status().message()}});
    return 2;
  }
  openapi_options.comments = comments->get();
  absl::StatusOr<std::string> openapi = fx::gateway::OpenApiDocument(*routes, openapi_options);
  if (!openapi.ok()) {
    fx::common::LogError("cannot build the OpenAPI document",
                         {{"error", openapi.status().message()}});
    return 2;
  }
  options.openapi_json = *std::move(openapi);

  // Only reads are retried (on UNAVAILABLE, within a budget): see upstream.h.
  upstream_options.retryable_methods = routes->ReadMethods();
  fx::gateway::Upstreams upstreams(upstream_specs, upstream_options);
  std::unique_ptr<fx::common::RedisPool> redis_pool;
  std::unique_ptr<fx::gateway::RateLimiter> rate_limiter;
  if (rate_limited) {
    if (redis.has_value()) {
      redis_pool = std::make_unique<fx::common::RedisPool>(*redis);
    } else {
      fx::common::LogWarning("FX_REDIS_ADDR is not set: each gateway replica rate-limits alone");
    }
    rate_limiter = std::make_unique<fx::gateway::RateLimiter>(rate_limit, redis_pool.get());
    rate_limiter->StartSync();
    options.rate_limiter = rate_limiter.get();
  }
  fx::gateway::Gateway gateway(&*routes, &upstreams, options);
  fx::gateway::HttpServer server(&gateway, http);
  gateway.metrics().AddCounter(
      "fx_gateway_connections_refused_total",
      "Connections answered 503 and closed because FX_HTTP_MAX_CONNECTIONS were open.",
      [&server] { return static_cast<double>(server.refused_connections()); });
  if (absl::Status s = server.Start(); !s.ok()) {
    fx::common::LogError("cannot start the HTTP server", {{"error", s.message()}});
    return 1;
  }
  std::unique_ptr<fx::common::MetricsHttpServer> metrics_http;
  int metrics_bound = -1;
  if (metrics_port >= 0) {
    metrics_http = std::make_unique<fx::common::MetricsHttpServer>(
        &gateway.metrics(), fx::common::MetricsHost(http.address), metrics_port);
    if (!metrics_http->Start()) {
      fx::common::LogError("cannot listen for metrics", {{"port", metrics_port}});
      return 1;
    }
    metrics_bound = metrics_http->port();
  }
  fx::common::LogInfo("listening", {{"service", "gateway"},
                                    {"http_port", server.port()},
                                    {"metrics_port", metrics_bound},
                                    {"max_connections", http.max_connections},
                                    {"routes", static_cast<int64_t>(routes->routes().size())}});
  if (!port_file.empty() &&
      !fx::common::WritePortFile(port_file,
                                 "{\"http_port\":" + std::to_string(server.port()) +
                                     ",\"metrics_port\":" + std::to_string(metrics_bound) + "}")) {
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
