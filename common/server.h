// Server bootstrap shared by every service: configuration common to all of them, the
// PostgreSQL and Redis pools, the RPC runtime, grpc.health.v1 (SERVING only while the
// database is reachable and migrated), optional reflection, the observability
// interceptor, /metrics, keepalive enforcement, message size limits and a graceful drain
// on SIGTERM. Only main.cc uses it; business logic never reads configuration.
#ifndef FANGXIAN_COMMON_SERVER_H_
#define FANGXIAN_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/metrics.h"
#include "common/migrate.h"
#include "common/pg.h"
#include "common/redis.h"
#include "common/revocation.h"
#include "common/rpc.h"

namespace fangxian::common {

struct ServerConfig {
  std::string grpc_address;           // FX_GRPC_ADDR
  int metrics_port = -1;              // FX_METRICS_PORT (-1: off, 0: any free port)
  bool reflection = false;            // FX_REFLECTION
  int max_message_bytes = 0;          // FX_MAX_MESSAGE_BYTES
  int workers = 0;                    // FX_WORKERS
  int queue_limit = 0;                // FX_QUEUE_LIMIT
  int max_in_flight = 0;              // FX_MAX_IN_FLIGHT
  int max_streams = 0;                // FX_MAX_STREAMS_PER_CONNECTION
  int drain_seconds = 0;              // FX_DRAIN_SECONDS
  int health_interval_ms = 0;         // FX_HEALTH_INTERVAL_MS
  int max_connection_age_s = 0;       // FX_MAX_CONNECTION_AGE_S (0: connections live on)
  std::string port_file;              // FX_PORT_FILE (optional)
  PgPool::Options pg;                 // FX_PG_DSN, FX_PG_POOL_SIZE, FX_PG_STATEMENT_TIMEOUT_MS
  RedisPool::Options redis;           // FX_REDIS_ADDR, _PASSWORD, _TIMEOUT_MS, _RETRY_MS
  std::string token_public_keys;      // FX_TOKEN_PUBLIC_KEYS
  std::string token_audience;         // FX_TOKEN_AUDIENCE
  int revocation_poll_ms = 0;         // FX_REVOCATION_POLL_MS
  absl::Duration token_max_lifetime;  // FX_TOKEN_MAX_TTL_S
};

// Reads FX_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR; default INFO) and applies it.
void ConfigureLogging(EnvConfig& env);

// Reads FX_REDIS_ADDR, FX_REDIS_PASSWORD, FX_REDIS_TIMEOUT_MS (default `default_timeout`)
// and FX_REDIS_RETRY_MS. FX_REDIS_ADDR is required unless `optional`; an optional one left
// unset gives std::nullopt. Problems are recorded in `env`.
std::optional<RedisPool::Options> ReadRedisOptions(EnvConfig& env, absl::Duration default_timeout,
                                                   bool optional = false);

// The host a metrics endpoint listens on for a server listening on `listen_address`
// (host:port): its IPv4 literal, or 127.0.0.1 for localhost; empty when it is neither.
std::string MetricsHost(const std::string& listen_address);

// Reads FX_METRICS_PORT (-1: off, the default; 0: any free port) for a server listening
// on `listen_address`, read from `address_var`, whose host the metrics endpoint shares.
int ReadMetricsPort(EnvConfig& env, const std::string& listen_address,
                    const std::string& address_var);

// Reads the variables above (and FX_LOG_LEVEL). Problems are recorded in `env`.
// `own_public_keys` (identity's signing key) is added to FX_TOKEN_PUBLIC_KEYS, which then
// becomes optional.
ServerConfig ReadServerConfig(EnvConfig& env, int default_port,
                              const std::string& own_public_keys = "");

// The grpc.health.v1 service name for liveness probes: SERVING from the moment the server
// listens until it exits, whatever the database says. "" and each service's own name are
// for readiness: SERVING only while the database is reachable and migrated.
inline constexpr char kLivenessService[] = "liveness";

class ServiceHost {
 public:
  // `service_name`: the full proto service name, used for health status.
  // `schema`: the service's PostgreSQL schema, migrated with `migrations`.
  ServiceHost(ServerConfig config, std::string service_name, std::string schema,
              const std::vector<Migration>* migrations);
  ~ServiceHost();

  PgPool& pg() { return *pg_; }
  RedisPool& redis() { return *redis_; }
  RpcRuntime& runtime() { return *runtime_; }
  RevocationList& revocations() { return *revocations_; }
  // The /metrics registry, for a service's own series (registered before Run).
  Metrics& metrics() { return *metrics_; }
  const std::string& token_public_keys() const { return config_.token_public_keys; }

  // Runs once after the migrations succeed and before the service reports SERVING
  // (e.g. creating the first admin account). A failure is retried like the migrations.
  void OnDatabaseReady(std::function<absl::Status()> hook) { on_ready_ = std::move(hook); }

  // Serves `services` until SIGTERM or SIGINT, then drains. Returns the exit status.
  int Run(const std::vector<grpc::Service*>& services);

 private:
  void ReadinessLoop();
  void SetReadiness(bool ready);

  ServerConfig config_;
  const std::string service_name_;
  const std::string schema_;
  const std::vector<Migration>* migrations_;
  std::unique_ptr<PgPool> pg_;
  std::unique_ptr<PgPool> health_pg_;  // readiness checks and migrations only
  std::unique_ptr<RedisPool> redis_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RpcRuntime> runtime_;
  std::unique_ptr<RevocationList> revocations_;
  std::function<absl::Status()> on_ready_;
  std::unique_ptr<grpc::Server> server_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// Waits for SIGTERM or SIGINT (blocked first with BlockTerminationSignals) and returns
// which one arrived.
int WaitForTerminationSignal();

// Writes `json` to `path` atomically (a temporary file renamed over it), so a watcher
// never reads half a file. Used for FX_PORT_FILE.
bool WritePortFile(const std::string& path, const std::string& json);

// Blocks SIGTERM/SIGINT in this thread and every thread started after it, so the main
// thread can wait for them with sigwait. Call first thing in main().
void BlockTerminationSignals();

// This process's name among the replicas of a service: "<host name>-<pid>" (the pod name
// on Kubernetes). Used as a Redis Stream consumer name.
std::string ReplicaName();

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_SERVER_H_
