// The gRPC side of the gateway: one channel per upstream service (common::UpstreamChannel:
// DNS round-robin), created once, and asynchronous calls (no thread waits for a reply).
// Unary calls complete on the gateway's own completion-queue threads: the thread that
// polls the connection and reads an answer also runs its `done`, with no hand-off to
// another thread (the callback API would add one). Server-streaming calls use the
// generic callback API. Reads are retried on UNAVAILABLE by gRPC itself, within a
// budget, from each channel's service config.
#ifndef FANGXIAN_GATEWAY_UPSTREAM_H_
#define FANGXIAN_GATEWAY_UPSTREAM_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace fangxian::gateway {

// Specs with the same name and address share one channel and one readiness check.
struct UpstreamSpec {
  std::string name;     // short name for logs and /readyz: "identity"
  std::string service;  // full proto service name routed to it
  std::string address;  // host:port
};

struct UpstreamOptions {
  // RPCs ("/pkg.Service/Method") that may be sent again when an attempt fails with
  // UNAVAILABLE: idempotent reads only (RouteTable::ReadMethods). Never writes: an
  // attempt that failed may still have been carried out.
  std::vector<std::string> retryable_methods;
  int retry_max_attempts = 3;  // 1: no retries; gRPC allows at most 5
  // Threads completing unary calls, each with its own completion queue
  // (FX_GATEWAY_UPSTREAM_THREADS).
  int completion_threads = 1;
};

// The gRPC service config of a channel serving `methods` (see UpstreamOptions): a
// retryPolicy (UNAVAILABLE only, `max_attempts`, exponential backoff 50 ms .. 500 ms) for
// them and retryThrottling as the budget: each failed attempt takes a token from 10, each
// success returns 0.1, and below 5 no retry is made, so an upstream that keeps failing
// sees about one attempt per request. "" when there is nothing to retry. Reads that are
// expensive or audited per call (ExportResidents) are left out: see kNeverRetried.
std::string RetryServiceConfig(const std::vector<std::string>& methods, int max_attempts);

struct CallOptions {
  std::string request_id;
  std::string authorization;  // passed through as "authorization" metadata when set
  std::chrono::system_clock::time_point deadline;
};

// Receives the events of one server-streaming call, on gRPC threads; must not block.
class StreamListener {
 public:
  virtual ~StreamListener() = default;
  // One serialized response message. The next one is read only after UpstreamStream::Next,
  // so a slow HTTP client slows the upstream down (gRPC flow control) instead of
  // filling the gateway's memory.
  virtual void OnMessage(std::string bytes) = 0;
  // Once, last: how the call ended (a transport failure reads as a plain UNAVAILABLE).
  virtual void OnEnd(const grpc::Status& status) = 0;
};

// A running server-streaming call. Safe to use from any thread, also after it ended.
class UpstreamStream {
 public:
  virtual ~UpstreamStream() = default;
  // Starts the call and reads the first message. Call exactly once.
  virtual void Start() = 0;
  // Reads the next message; call once after each OnMessage.
  virtual void Next() = 0;
  // Cancels the call (TryCancel); OnEnd follows with CANCELLED unless it already ran.
  virtual void Cancel() = 0;
};

class Upstreams {
 public:
  // `done` receives the call's status and, when OK, the serialized response.
  using Done = std::function<void(const grpc::Status&, std::string response)>;

  explicit Upstreams(const std::vector<UpstreamSpec>& specs,
                     const UpstreamOptions& options = UpstreamOptions());
  ~Upstreams();  // cancels what is still running and waits for it
  Upstreams(const Upstreams&) = delete;
  Upstreams& operator=(const Upstreams&) = delete;

  // Starts a unary call of `grpc_method` ("/pkg.Service/Method") on the channel of
  // `service`. `done` runs exactly once, on a completion thread; it must not block.
  void Call(const std::string& service, const std::string& grpc_method, std::string request_bytes,
            const CallOptions& options, Done done);

  // A server-streaming call of `grpc_method` on the channel of `service`, to be started
  // with Start() (so the caller can keep the handle before any event arrives). `listener`
  // is kept until its OnEnd has run. Null when no upstream serves `service`.
  std::shared_ptr<UpstreamStream> Stream(const std::string& service, const std::string& grpc_method,
                                         std::string request_bytes, const CallOptions& options,
                                         std::shared_ptr<StreamListener> listener);

  // grpc.health.v1.Health/Check (service "") on every upstream at once; `done` gets the
  // names of the upstreams that did not answer SERVING before `timeout`.
  void CheckHealth(std::chrono::milliseconds timeout,
                   std::function<void(std::vector<std::string> not_ready)> done);

  // Cancels every call (unary and streaming) still running (their Done sees CANCELLED) and waits,
  // bounded, until all callbacks have run. Used at shutdown once the drain window is over.
  void CancelAll();
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  struct Channel {
    UpstreamSpec spec;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<grpc::GenericStub> stub;
  };
  struct Pending;
  class StreamCall;
  struct Completions {
    grpc::CompletionQueue cq;
    std::thread thread;
  };

  void Start(Channel& ch, const std::string& grpc_method, std::string request_bytes,
             const CallOptions& options, Done done);
  void Finish(Pending* p, const grpc::Status& status);

  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<std::unique_ptr<Completions>> completions_;
  std::atomic<size_t> next_completions_{0};
  std::map<std::string, Channel*> by_service_;

  std::mutex mu_;
  std::condition_variable idle_;
  std::set<Pending*> pending_;
  std::set<StreamCall*> streams_;
};

// True when `bytes` is a grpc.health.v1.HealthCheckResponse saying SERVING. Exposed for
// tests.
bool IsServingHealthResponse(const std::string& bytes);

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_UPSTREAM_H_
