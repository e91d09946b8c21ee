// The RPC runtime over a real in-process gRPC server (loopback, no database): what a
// handler sees of its call, propagation onto outgoing calls, and load shedding.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_split.h"
#include "common/interceptors.h"
#include "common/rpc.h"
#include "fangxian/bench/v1/echo.grpc.pb.h"
#include "tests/support/test_env.h"

namespace fangxian::common {
namespace {

using bench::v1::EchoRequest;
using bench::v1::EchoResponse;
using bench::v1::EchoService;

std::string Meta(const grpc::ServerContextBase& ctx, const std::string& key) {
  auto it = ctx.client_metadata().find(key);
  if (it == ctx.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Answers with "<request id>|<authorization>|<ms to deadline>" of the call it received.
class Downstream final : public EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest*,
                                 EchoResponse* out) override {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        ctx->deadline() - std::chrono::system_clock::now());
    out->set_payload(Meta(*ctx, kRequestIdKey) + "|" + Meta(*ctx, "authorization") + "|" +
                     std::to_string(left.count()));
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
};

// The service under test: authenticates through the runtime, then calls Downstream with
// PrepareOutgoing and returns what Downstream saw. "block" waits for the test's signal.
class Frontend final : public EchoService::CallbackService {
 public:
  Frontend(RpcRuntime& rt, std::shared_ptr<grpc::Channel> down, std::shared_future<void> gate)
      : rt_(rt), down_(EchoService::NewStub(down)), gate_(std::move(gate)) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* out) override {
    return rt_.Unary(ctx, AuthRule{{"grid_worker"}}, [this, req, out](const CallContext& call) {
      if (req->payload() == "block") {
        ++blocked;
        gate_.wait();
        return absl::OkStatus();
      }
      grpc::ClientContext down_ctx;
      PrepareOutgoing(call, &down_ctx);
      EchoRequest down_req;
      return FromGrpcStatus(down_->Echo(&down_ctx, down_req, out));
    });
  }

  std::atomic<int> blocked{0};  // handlers currently waiting on the gate

 private:
  RpcRuntime& rt_;
  std::unique_ptr<EchoService::Stub> down_;
  std::shared_future<void> gate_;
};

std::unique_ptr<grpc::Server> Serve(grpc::Service* service, Metrics* metrics, int* port) {
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  b.RegisterService(service);
  if (metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
    f.push_back(std::make_unique<ObservabilityInterceptorFactory>(metrics));
    b.experimental().SetInterceptorCreators(std::move(f));
  }
  return b.BuildAndStart();
}

class RpcRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    down_server_ = Serve(&downstream_, nullptr, &down_port_);
    auto verifier = TokenVerifier::Create(tokens_.public_keys(), "fangxian");
    ASSERT_TRUE(verifier.ok());
    runtime_ = std::make_unique<RpcRuntime>(std::make_shared<const TokenVerifier>(*verifier),
                                            /*workers=*/1, /*queue_limit=*/1);
    runtime_->set_ready(true);
    frontend_ =
        std::make_unique<Frontend>(*runtime_,
                                   grpc::CreateChannel("127.0.0.1:" + std::to_string(down_port_),
                                                       grpc::InsecureChannelCredentials()),
                                   gate_.get_future().share());
    server_ = Serve(frontend_.get(), &metrics_, &port_);
    stub_ = EchoService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                     grpc::InsecureChannelCredentials()));
    token_ = tokens_.Mint("gw-1", {"grid_worker"}, {"gongyi"});
  }

  void TearDown() override {
    if (!released_) gate_.set_value();
    server_->Shutdown();
    down_server_->Shutdown();
  }

  grpc::Status Call(const std::string& token, const std::string& payload, EchoResponse* out,
                    const std::string& request_id = "",
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    if (!request_id.empty()) ctx.AddMetadata(kRequestIdKey, request_id);
    EchoRequest req;
    req.set_payload(payload);
    return stub_->Echo(&ctx, req, out);
  }

  testing::TestTokens tokens_;
  Downstream downstream_;
  int down_port_ = 0;
  std::unique_ptr<grpc::Server> down_server_;
  Metrics metrics_{"fx_test"};
  std::unique_ptr<RpcRuntime> runtime_;
  std::promise<void> gate_;
  bool released_ = false;
  std::unique_ptr<Frontend> frontend_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<EchoService::Stub> stub_;
  std::string token_;
};

TEST_F(RpcRuntimeTest, RequestIdCredentialsAndDeadlineReachDownstreamCalls) {
  EchoResponse out;
  ASSERT_TRUE(Call(token_, "", &out, "req-42", std::chrono::milliseconds(3000)).ok());
  std::vector<std::string> parts = absl::StrSplit(out.payload(), '|');
  ASSERT_EQ(parts.size(), 3u) << out.payload();
  EXPECT_EQ(parts[0], "req-42");
  EXPECT_EQ(parts[1], "Bearer " + token_);
  const int left_ms = std::stoi(parts[2]);
  EXPECT_GT(left_ms, 0);
  // Never longer than the caller's own deadline (the default would be 30 s); gRPC's
  // clock conversions may add a few milliseconds.
  EXPECT_LE(left_ms, 3100);

  // Without a request id, the interceptor makes one and the handler propagates it.
  ASSERT_TRUE(Call(token_, "", &out).ok());
  parts = absl::StrSplit(out.payload(), '|');
  EXPECT_EQ(parts[0].size(), 32u) << out.payload();
}

TEST_F(RpcRuntimeTest, RefusesUnauthenticatedWrongRoleAndNotReady) {
  EchoResponse out;
  EXPECT_EQ(Call("", "", &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(tokens_.Mint("v", {"volunteer"}, {"gongyi"}), "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  runtime_->set_ready(false);
  EXPECT_EQ(Call(token_, "", &out).error_code(), grpc::StatusCode::UNAVAILABLE);
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find("code=\"UNAUTHENTICATED\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("code=\"UNAVAILABLE\"} 1"), std::string::npos) << text;
}

TEST_F(RpcRuntimeTest, ShedsLoadWhenTheWorkQueueIsFull) {
  // One worker and a queue of one: the first call occupies the worker, the second waits,
  // the third is refused at once.
  EchoResponse a, b, c;
  grpc::ClientContext ca, cb;
  ca.AddMetadata("authorization", "Bearer " + token_);
  cb.AddMetadata("authorization", "Bearer " + token_);
  EchoRequest block;
  block.set_payload("block");
  std::promise<grpc::Status> da, db;
  // Polls a condition, bounded (no timing assumptions).
  auto wait_for = [](const std::function<bool()>& cond) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!cond() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return cond();
  };
  stub_->async()->Echo(&ca, &block, &a, [&](grpc::Status s) { da.set_value(s); });
  ASSERT_TRUE(wait_for([&] { return frontend_->blocked.load() == 1; }));
  stub_->async()->Echo(&cb, &block, &b, [&](grpc::Status s) { db.set_value(s); });
  ASSERT_TRUE(wait_for([&] { return runtime_->queued() == 1; }));
  EXPECT_EQ(Call(token_, "block", &c).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  gate_.set_value();
  released_ = true;
  EXPECT_TRUE(da.get_future().get().ok());
  EXPECT_TRUE(db.get_future().get().ok());
}

// UnaryDeferred: the handler returns at once and hands `done` to another thread, which
// finishes the call later (the group commit's shape).
class DeferredEcho final : public EchoService::CallbackService {
 public:
  explicit DeferredEcho(RpcRuntime& rt) : rt_(rt) {}
  ~DeferredEcho() override {
    for (std::thread& t : threads_) t.join();
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* out) override {
    return rt_.UnaryDeferred(
        ctx, AuthRule{{"grid_worker"}}, [this, req, out](const CallContext& call, auto done) {
          ++handled;
          const std::string payload = req->payload();
          if (payload == "drop") return;  // every copy of done goes away uncalled
          if (payload == "throw") throw std::runtime_error("bug");
          std::lock_guard<std::mutex> lock(mu_);
          threads_.emplace_back([this, payload, out, done, subject = call.principal.subject] {
            if (payload == "fail") {
              done(absl::FailedPreconditionError("refused later"));
              // Ignored: the first answer stands, and the loser's fill never runs (the
              // call may be finished and its response gone).
              done.Complete([&] {
                ++late_fills;
                out->set_payload("late");
                return absl::OkStatus();
              });
              return;
            }
            done.Complete([&] {
              out->set_payload(subject + ":" + payload);
              return absl::OkStatus();
            });
          });
        });
  }

  std::atomic<int> handled{0};
  std::atomic<int> late_fills{0};

 private:
  RpcRuntime& rt_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

TEST(RpcRuntimeDeferredTest, CallsFinishWhenDoneIsCalledFromAnotherThreadAndOnlyOnce) {
  testing::TestTokens tokens;
  auto verifier = TokenVerifier::Create(tokens.public_keys(), "fangxian");
  ASSERT_TRUE(verifier.ok());
  RpcRuntime runtime(std::make_shared<const TokenVerifier>(*verifier), /*workers=*/2,
                     /*queue_limit=*/8);
  runtime.set_ready(true);
  DeferredEcho service(runtime);
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(&service, nullptr, &port);
  auto stub = EchoService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  const std::string token = tokens.Mint("gw-1", {"grid_worker"}, {"gongyi"});
  auto call = [&](const std::string& tok, const std::string& payload, EchoResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!tok.empty()) ctx.AddMetadata("authorization", "Bearer " + tok);
    EchoRequest req;
    req.set_payload(payload);
    return stub->Echo(&ctx, req, out);
  };

  EchoResponse out;
  grpc::Status st = call(token, "hello", &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.payload(), "gw-1:hello");

  st = call(token, "fail", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(st.error_message(), "refused later");
  EXPECT_EQ(service.late_fills.load(), 0);

  // A dropped completion or an exception ends the call INTERNAL instead of never.
  EXPECT_EQ(call(token, "drop", &out).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(call(token, "throw", &out).error_code(), grpc::StatusCode::INTERNAL);

  // Authentication, roles and readiness come first: the handler never runs.
  const int handled = service.handled.load();
  EXPECT_EQ(call("", "hello", &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call(tokens.Mint("v", {"volunteer"}, {"gongyi"}), "hello", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  runtime.set_ready(false);
  EXPECT_EQ(call(token, "hello", &out).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(service.handled.load(), handled);
  server->Shutdown();
}

// Fast paths that throw on the gRPC thread (a bug): the call ends INTERNAL, the server
// lives on. The payload picks the fast path: "immediate" (UnaryWithFastPath), "deferred"
// (UnaryDeferredWithFastPath, before taking the completion) or "taken" (after taking it).
class ThrowingFastPaths final : public EchoService::CallbackService {
 public:
  explicit ThrowingFastPaths(RpcRuntime& rt) : rt_(rt) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* out) override {
    const AuthRule rule{{"grid_worker"}};
    const std::string payload = req->payload();
    if (payload == "immediate" || payload == "immediate-ok") {
      return rt_.UnaryWithFastPath(
          ctx, rule,
          [payload, out](const CallContext&) -> std::optional<absl::Status> {
            if (payload == "immediate") throw std::runtime_error("bug");
            out->set_payload("fast");
            return absl::OkStatus();
          },
          [](const CallContext&) { return absl::OkStatus(); });
    }
    return rt_.UnaryDeferredWithFastPath(
        ctx, rule,
        [payload](const CallContext&, auto take) -> bool {
          if (payload == "deferred") throw 42;  // not even a std::exception
          auto done = take();
          throw std::runtime_error("bug after take");
          return true;
        },
        [](const CallContext&, auto done) { done(absl::OkStatus()); });
  }

 private:
  RpcRuntime& rt_;
};

TEST(RpcRuntimeFastPathTest, AThrowingFastPathEndsTheCallInternalAndTheServerLivesOn) {
  testing::TestTokens tokens;
  auto verifier = TokenVerifier::Create(tokens.public_keys(), "fangxian");
  ASSERT_TRUE(verifier.ok());
  RpcRuntime runtime(std::make_shared<const TokenVerifier>(*verifier), /*workers=*/1,
                     /*queue_limit=*/4);
  runtime.set_ready(true);
  ThrowingFastPaths service(runtime);
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(&service, nullptr, &port);
  auto stub = EchoService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  const std::string token = tokens.Mint("gw-1", {"grid_worker"}, {"gongyi"});
  auto call = [&](const std::string& payload, EchoResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Bearer " + token);
    EchoRequest req;
    req.set_payload(payload);
    return stub->Echo(&ctx, req, out);
  };
  EchoResponse out;
  for (const std::string payload : {"immediate", "deferred", "taken"}) {
    const grpc::Status st = call(payload, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL) << payload;
    EXPECT_EQ(st.error_message(), "internal error") << payload;
  }
  ASSERT_TRUE(call("immediate-ok", &out).ok());
  EXPECT_EQ(out.payload(), "fast");
  server->Shutdown();
}

// Admission control. "park" calls are held unanswered until Release(), on the fast path
// ("park-fast", the completion taken on the gRPC thread) or on a worker ("park-slow");
// anything else is answered at once on a worker.
class ParkingEcho final : public EchoService::CallbackService {
 public:
  explicit ParkingEcho(RpcRuntime& rt) : rt_(rt) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* out) override {
    const std::string payload = req->payload();
    return rt_.UnaryDeferredWithFastPath(
        ctx, AuthRule{{"grid_worker"}},
        [this, payload](const CallContext&, auto take) {
          if (payload != "park-fast") return false;
          Park(take());
          return true;
        },
        [this, payload, out](const CallContext&, CallCompletion done) {
          handled.fetch_add(1);
          if (payload == "park-slow") return Park(std::move(done));
          done.Complete([out] {
            out->set_payload("answered");
            return absl::OkStatus();
          });
        });
  }

  void WaitParked(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return parked_.size() >= n; });
  }
  void Release() {
    std::vector<CallCompletion> parked;
    {
      std::lock_guard lock(mu_);
      parked.swap(parked_);
    }
    for (const CallCompletion& done : parked) done(absl::OkStatus());
  }
  std::atomic<int> handled{0};

 private:
  void Park(CallCompletion done) {
    std::lock_guard lock(mu_);
    parked_.push_back(std::move(done));
    cv_.notify_all();
  }
  RpcRuntime& rt_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<CallCompletion> parked_;
};

TEST(RpcRuntimeInFlightTest, CallsOverTheLimitAreRefusedAtOnceUntilSlotsAreGivenBack) {
  testing::TestTokens tokens;
  auto verifier = TokenVerifier::Create(tokens.public_keys(), "fangxian");
  ASSERT_TRUE(verifier.ok());
  RpcRuntime runtime(std::make_shared<const TokenVerifier>(*verifier), /*workers=*/2,
                     /*queue_limit=*/8);
  runtime.set_ready(true);
  runtime.set_max_in_flight(2);
  ParkingEcho service(runtime);
  int port = 0;
  std::unique_ptr<grpc::Server> server = Serve(&service, nullptr, &port);
  auto stub = EchoService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  const std::string token = tokens.Mint("gw-1", {"grid_worker"}, {"gongyi"});
  auto call = [&](const std::string& payload) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", "Bearer " + token);
    EchoRequest req;
    req.set_payload(payload);
    EchoResponse out;
    return stub->Echo(&ctx, req, &out);
  };

  // Two calls hold both slots: one parked by its fast path, one by its worker.
  auto fast = std::async(std::launch::async, call, "park-fast");
  service.WaitParked(1);
  auto slow = std::async(std::launch::async, call, "park-slow");
  service.WaitParked(2);
  EXPECT_EQ(runtime.in_flight(), 2);

  // A third is refused at once, before its handler runs, naming what to do.
  const int handled = service.handled.load();
  grpc::Status refused = call("hello");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("retry with backoff"), std::string::npos)
      << refused.error_message();
  EXPECT_EQ(service.handled.load(), handled);

  // Answering the parked calls gives their slots back, and calls are admitted again.
  service.Release();
  EXPECT_TRUE(fast.get().ok());
  EXPECT_TRUE(slow.get().ok());
  EXPECT_EQ(runtime.in_flight(), 0);
  EXPECT_TRUE(call("hello").ok());
  EXPECT_TRUE(call("hello").ok());
  EXPECT_EQ(runtime.in_flight(), 0);
  server->Shutdown();
}

}  // namespace
}  // namespace fangxian::common
