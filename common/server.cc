#include "common/server.h"

#include <unistd.h>

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/interceptors.h"
#include "common/log.h"

namespace fangxian::common {

namespace {

// Linking grpc++_reflection registers its plugin for every server at static
// initialisation, so "off" has to remove it explicitly.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
                                    return p->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

}  // namespace

std::string MetricsHost(const std::string& listen_address) {
  std::string host = listen_address.substr(0, listen_address.rfind(':'));
  if (host == "localhost") return "127.0.0.1";
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1 ? host : "";
}

int ReadMetricsPort(EnvConfig& env, const std::string& listen_address,
                    const std::string& address_var) {
  const int port = static_cast<int>(env.Int("FX_METRICS_PORT", -1, -1, 65535));
  if (port >= 0 && MetricsHost(listen_address).empty()) {
    env.AddError(address_var,
                 "with FX_METRICS_PORT set, the host must be an IPv4 address or localhost");
  }
  return port;
}

std::optional<RedisPool::Options> ReadRedisOptions(EnvConfig& env, absl::Duration default_timeout,
                                                   bool optional) {
  RedisPool::Options o;
  const std::string address =
      optional ? env.HostPort("FX_REDIS_ADDR", "") : env.HostPort("FX_REDIS_ADDR");
  if (!address.empty() && !ParseRedisAddress(address, &o).ok()) {
    env.AddError("FX_REDIS_ADDR", "must be host:port with a port from 1 to 65535");
  }
  o.password = env.Secret("FX_REDIS_PASSWORD", "");
  o.timeout = absl::Milliseconds(
      env.Int("FX_REDIS_TIMEOUT_MS", absl::ToInt64Milliseconds(default_timeout), 1, 60000));
  o.down_backoff = absl::Milliseconds(env.Int("FX_REDIS_RETRY_MS", 1000, 10, 60000));
  if (optional && address.empty()) return std::nullopt;
  return o;
}

std::string ReplicaName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] != '\0' ? host : "replica", "-", getpid());
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

bool WritePortFile(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << json << "\n";
    if (!f.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

void ConfigureLogging(EnvConfig& env) {
  Severity level = Severity::kInfo;
  if (!ParseSeverity(env.String("FX_LOG_LEVEL", "INFO"), &level)) {
    env.AddError("FX_LOG_LEVEL", "must be DEBUG, INFO, WARNING or ERROR");
  }
  SetMinSeverity(level);
}

ServerConfig ReadServerConfig(EnvConfig& env, int default_port,
                              const std::string& own_public_keys) {
  ServerConfig c;
  ConfigureLogging(env);
  c.grpc_address = env.HostPort("FX_GRPC_ADDR", absl::StrCat("127.0.0.1:", default_port));
  c.metrics_port = ReadMetricsPort(env, c.grpc_address, "FX_GRPC_ADDR");
  c.reflection = env.Bool("FX_REFLECTION", false);
  c.max_message_bytes = static_cast<int>(env.Int("FX_MAX_MESSAGE_BYTES", 4 << 20, 1024, 64 << 20));
  c.workers = static_cast<int>(env.Int("FX_WORKERS", 16, 1, 1024));
  c.queue_limit = static_cast<int>(env.Int("FX_QUEUE_LIMIT", 2048, 1, 1 << 20));
  c.max_in_flight = static_cast<int>(env.Int("FX_MAX_IN_FLIGHT", 1024, 1, 1 << 20));
  c.max_streams = static_cast<int>(env.Int("FX_MAX_STREAMS_PER_CONNECTION", 2048, 1, 1 << 20));
  c.drain_seconds = static_cast<int>(env.Int("FX_DRAIN_SECONDS", 10, 0, 300));
  c.health_interval_ms = static_cast<int>(env.Int("FX_HEALTH_INTERVAL_MS", 2000, 50, 60000));
  c.max_connection_age_s = static_cast<int>(env.Int("FX_MAX_CONNECTION_AGE_S", 0, 0, 86400));
  c.port_file = env.String("FX_PORT_FILE", "");
  c.pg.dsn = env.Secret("FX_PG_DSN");
  // libpq reads the password from PGPASSWORD when the DSN has none (the Kubernetes
  // manifests do that); read here only so a placeholder is refused like any secret.
  env.Secret("PGPASSWORD", "");
  c.pg.size = static_cast<int>(env.Int("FX_PG_POOL_SIZE", 8, 1, 256));
  c.pg.statement_timeout =
      absl::Milliseconds(env.Int("FX_PG_STATEMENT_TIMEOUT_MS", 5000, 10, 600000));
  c.redis = *ReadRedisOptions(env, absl::Milliseconds(200));
  if (own_public_keys.empty()) {
    c.token_public_keys = env.String("FX_TOKEN_PUBLIC_KEYS");
  } else {
    const std::string others = env.String("FX_TOKEN_PUBLIC_KEYS", "");
    c.token_public_keys = others.empty() ? own_public_keys : others + "," + own_public_keys;
  }
  c.token_audience = env.String("FX_TOKEN_AUDIENCE", "fangxian");
  c.revocation_poll_ms = static_cast<int>(env.Int("FX_REVOCATION_POLL_MS", 1000, 50, 60000));
  c.token_max_lifetime = absl::Seconds(env.Int("FX_TOKEN_MAX_TTL_S", 86400, 60, 7 * 86400));
  if (!c.token_public_keys.empty()) {
    auto v = TokenVerifier::Create(c.token_public_keys, c.token_audience, c.token_max_lifetime);
    if (!v.ok()) env.AddError("FX_TOKEN_PUBLIC_KEYS", std::string(v.status().message()));
  }
  return c;
}

ServiceHost::ServiceHost(ServerConfig config, std::string service_name, std::string schema,
                         const std::vector<Migration>* migrations)
    : config_(std::move(config)),
      service_name_(std::move(service_name)),
      schema_(std::move(schema)),
      migrations_(migrations) {
  // Debian's abseil checks every absl::Mutex (gRPC's included) for lock-order cycles,
  // which costs a graph update per lock on the hot paths; a released binary ignores them.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (sodium_init() < 0) {
    LogError("libsodium failed to initialise");
    std::exit(1);
  }
  pg_ = std::make_unique<PgPool>(config_.pg);
  PgPool::Options health_pg = config_.pg;
  health_pg.size = 1;
  health_pg.acquire_timeout = absl::Seconds(1);
  health_pg_ = std::make_unique<PgPool>(health_pg);
  redis_ = std::make_unique<RedisPool>(config_.redis);
  metrics_ = std::make_unique<Metrics>("fx_grpc_server");
  auto verifier = TokenVerifier::Create(config_.token_public_keys, config_.token_audience,
                                        config_.token_max_lifetime);
  if (!verifier.ok()) {  // validated in ReadServerConfig; unreachable in practice
    LogError("invalid token configuration", {{"error", verifier.status().ToString()}});
    std::exit(2);
  }
  runtime_ =
      std::make_unique<RpcRuntime>(std::make_shared<const TokenVerifier>(std::move(*verifier)),
                                   config_.workers, static_cast<size_t>(config_.queue_limit));
  revocations_ = std::make_unique<RevocationList>(redis_.get(),
                                                  absl::Milliseconds(config_.revocation_poll_ms));
  runtime_->set_revocations(revocations_.get());
  runtime_->set_max_in_flight(config_.max_in_flight);
  metrics_->AddGauge("fx_rpc_in_flight", "RPCs in progress (admitted, not yet answered).",
                     [this] { return static_cast<double>(runtime_->in_flight()); });
  metrics_->AddGauge("fx_ready", "1 while the service is SERVING.",
                     [this] { return runtime_->ready() ? 1.0 : 0.0; });
  metrics_->AddGauge("fx_redis_up", "1 while Redis answers.",
                     [this] { return redis_->up() ? 1.0 : 0.0; });
  metrics_->AddGauge("fx_worker_queue", "RPCs waiting for a worker.",
                     [this] { return static_cast<double>(runtime_->queued()); });
}

ServiceHost::~ServiceHost() = default;

// Only the readiness names: the overload without a name would flip liveness too.
void ServiceHost::SetReadiness(bool ready) {
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("", ready);
  health->SetServingStatus(service_name_, ready);
}

void ServiceHost::ReadinessLoop() {
  bool migrated = false;
  bool was_ready = false;
  absl::Duration backoff = absl::Milliseconds(100);
  const absl::Duration interval = absl::Milliseconds(config_.health_interval_ms);
  std::string last_problem;
  for (;;) {
    // Its own connection: a pool busy with slow queries must not make a healthy
    // database look unreachable.
    absl::Status st = migrated ? health_pg_->Ping() : Migrate(*health_pg_, schema_, *migrations_);
    if (st.ok() && !migrated && on_ready_) st = on_ready_();
    if (st.ok()) migrated = true;
    const bool ready = st.ok();
    if (ready && !was_ready) {
      LogInfo("database reachable; SERVING", {{"service", service_name_}});
    } else if (!ready) {
      // Unreachable (with libpq's reason) or a real failure such as a broken migration;
      // logged when it starts and whenever the reason changes, not on every retry.
      const bool unreachable = absl::IsUnavailable(st) || absl::IsDeadlineExceeded(st);
      const std::string problem =
          unreachable ? health_pg_->last_connect_error() : std::string(st.message());
      if (was_ready || problem != last_problem) {
        Log(unreachable ? Severity::kWarning : Severity::kError,
            unreachable ? "database unreachable; NOT_SERVING" : "database not usable; NOT_SERVING",
            {{"service", service_name_},
             {"error", problem.empty() ? std::string(st.message()) : problem}});
      }
      last_problem = problem;
    }
    if (ready) last_problem.clear();
    was_ready = ready;
    runtime_->set_ready(ready);
    SetReadiness(ready);
    // While down, retry with exponential back-off (capped); while up, check periodically.
    const absl::Duration wait = ready ? interval : backoff;
    backoff = ready ? absl::Milliseconds(100) : std::min(backoff * 2, absl::Seconds(5));
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this] { return stopping_; })) {
      return;
    }
  }
}

int ServiceHost::Run(const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  if (config_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  if (!config_.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  int port = 0;
  builder.AddListeningPort(config_.grpc_address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(config_.max_message_bytes);
  builder.SetMaxSendMessageSize(config_.max_message_bytes);
  // Keepalive enforcement: clients may ping at most every 10 s, and only with calls open;
  // abusive pingers get GOAWAY. The server pings idle connections every 2 minutes.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config_.max_streams);
  // Behind a headless Service clients balance over the replicas they resolved; an aged
  // connection is closed (GOAWAY) so they resolve again and find replicas added since.
  // Calls in flight, streams included, finish on the old connection (no grace limit).
  if (config_.max_connection_age_s > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, config_.max_connection_age_s * 1000);
  }
  for (grpc::Service* s : services) builder.RegisterService(s);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ObservabilityInterceptorFactory>(metrics_.get()));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) {
    LogError("cannot listen", {{"address", config_.grpc_address}});
    return 1;
  }
  SetReadiness(false);
  // For liveness probes: SERVING while the process answers at all, whatever the database
  // says; readiness ("" and the service's own name) follows the database.
  server_->GetHealthCheckService()->SetServingStatus(std::string(kLivenessService), true);

  std::unique_ptr<MetricsHttpServer> metrics_http;
  int metrics_port = -1;
  if (config_.metrics_port >= 0) {
    metrics_http = std::make_unique<MetricsHttpServer>(
        metrics_.get(), MetricsHost(config_.grpc_address), config_.metrics_port);
    if (!metrics_http->Start()) {
      LogError("cannot listen for metrics", {{"port", config_.metrics_port}});
      return 1;
    }
    metrics_port = metrics_http->port();
  }
  LogInfo("listening", {{"service", service_name_},
                        {"grpc_port", port},
                        {"metrics_port", metrics_port},
                        {"reflection", config_.reflection}});
  if (!config_.port_file.empty() &&
      !WritePortFile(config_.port_file, absl::StrCat("{\"grpc_port\":", port,
                                                     ",\"metrics_port\":", metrics_port, "}"))) {
    LogError("cannot write the port file", {{"path", config_.port_file}});
    return 1;
  }

  std::thread readiness([this] { ReadinessLoop(); });

  const int sig = WaitForTerminationSignal();
  LogInfo("draining", {{"signal", sig}, {"drain_seconds", config_.drain_seconds}});
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  readiness.join();
  runtime_->set_ready(false);
  SetReadiness(false);
  // Refuse new calls, let in-flight ones finish within the drain window, then cancel.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(config_.drain_seconds));
  server_->Wait();
  // Background work calls started (cache refreshes) may still be queued or running; it
  // uses the service's objects, which main() destroys once Run returns.
  runtime_->StopWorkers();
  LogInfo("stopped", {{"service", service_name_}});
  return 0;
}

}  // namespace fangxian::common
