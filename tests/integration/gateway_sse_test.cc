// Black-box tests of Server-Sent Events in gateway_server: the real binary routes bench's
// EchoService (FX_BENCH_ADDR) to an in-test fake whose StreamEcho is steered by the
// request's text, so every way a stream can go is produced exactly and the upstream's
// view (cancellation) can be observed. Requests go over real HTTP/1.1.
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fangxian/bench/v1/echo.grpc.pb.h"
#include "fangxian/checkpoint/v1/alerts.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tests/support/fake_upstream_gateway.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/sse_client.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using bench::v1::StreamEchoRequest;
using bench::v1::StreamEchoResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kWait = std::chrono::seconds(10);

// What the test can observe of one named upstream call.
struct Signals {
  std::promise<void> arrived;
  std::promise<void> cancelled;
  std::shared_future<void> arrived_future = arrived.get_future().share();
  std::shared_future<void> cancelled_future = cancelled.get_future().share();
  // "step" calls send their next message only when the test allows it.
  std::mutex mu;
  std::condition_variable cv;
  int allowed = 0;
};

// ---- The fake upstream.

class FakeEcho final : public bench::v1::EchoService::Service {
 public:
  // By text: "fail-N" fails with gRPC code N before any message; "fail-N-after-K" sends K
  // messages, then fails with N. "hold-<name>" sends one message, "quiet-<name>" none, and
  // both then wait until the call is cancelled (recorded under <name>). "step-<name>" sends
  // `count` messages, each only after Allow(<name>). Any other text: `count` messages,
  // `interval_ms` apart.
  grpc::Status StreamEcho(grpc::ServerContext* ctx, const StreamEchoRequest* req,
                          grpc::ServerWriter<StreamEchoResponse>* writer) override {
    // Like our services, answer with x-request-id (the gateway passes their messages on).
    ctx->AddInitialMetadata("x-request-id", "fake");
    const std::string& text = req->text();
    std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('-', 1));
    const std::string name = parts.size() > 1 ? parts[1] : "";
    StreamEchoResponse out;
    out.set_text(text);
    if (parts[0] == "fail") {
      std::vector<std::string> f = absl::StrSplit(name, '-');
      int code = 0;
      int after = 0;
      if (f.size() == 3) absl::SimpleAtoi(f[2], &after);
      absl::SimpleAtoi(f[0], &code);
      for (int i = 0; i < after; ++i) {
        out.set_index(i);
        writer->Write(out);
      }
      return grpc::Status(static_cast<grpc::StatusCode>(code), "fake says " + text);
    }
    if (parts[0] == "hold" || parts[0] == "quiet") {
      Signals& s = Get(name);
      if (parts[0] == "hold") writer->Write(out);
      s.arrived.set_value();
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (ctx->IsCancelled()) s.cancelled.set_value();
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    if (parts[0] == "step") {
      Signals& s = Get(name);
      s.arrived.set_value();
      for (int i = 0; i < req->count(); ++i) {
        std::unique_lock<std::mutex> lock(s.mu);
        if (!s.cv.wait_for(lock, kWait, [&] { return s.allowed > i; })) {
          return grpc::Status(grpc::StatusCode::ABORTED, "the test did not allow the next one");
        }
        out.set_index(i);
        writer->Write(out);
      }
      return grpc::Status::OK;
    }
    for (int i = 0; i < req->count() && !ctx->IsCancelled(); ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(req->interval_ms()));
      out.set_index(i);
      writer->Write(out);
    }
    return grpc::Status::OK;
  }

  // The signals of the calls named `name`; made on first use, so the test can take them
  // before it starts the call.
  Signals& Get(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<Signals>& s = signals_[name];
    if (s == nullptr) s = std::make_unique<Signals>();
    return *s;
  }

  void Allow(const std::string& name) {
    Signals& s = Get(name);
    std::lock_guard<std::mutex> lock(s.mu);
    ++s.allowed;
    s.cv.notify_all();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Signals>> signals_;
};

// ---- Fixture: one fake upstream and one gateway for the suite; some tests start their
// own gateway with other limits.

std::map<std::string, std::string> GatewayEnv(int bench_port,
                                              const std::map<std::string, std::string>& extra) {
  // The production upstreams are required; nothing listens there and these tests do not
  // call them.
  std::map<std::string, std::string> env = {
      {"FX_BENCH_ADDR", absl::StrCat("127.0.0.1:", bench_port)},
      {"FX_GATEWAY_SSE_KEEPALIVE_S", "60"},
      {"FX_DRAIN_SECONDS", "20"},
      {"FX_LOG_LEVEL", "INFO"}};
  for (const auto& [k, v] : extra) env[k] = v;
  return GatewayServerEnv(env);
}

class GatewaySseTest : public FakeUpstreamGatewayTest<FakeEcho> {
 protected:
  static void SetUpTestSuite() {
    StartSuite([](int fake_port) { return GatewayEnv(fake_port, {}); });
  }
  static void TearDownTestSuite() { StopSuite(); }
};

TEST_F(GatewaySseTest, MessagesAreEventsWithCanonicalJsonAndTheStreamEnds) {
  SseClient c(port_, "/v1/echo:stream?text=hi&count=3&intervalMs=10",
              {{"X-Request-Id", "sse-req-1"}});
  ASSERT_TRUE(c.ReadHeader(kWait));
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.Header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(c.Header("cache-control"), "no-cache");
  EXPECT_EQ(c.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(c.Header("x-request-id"), "sse-req-1");
  for (int i = 0; i < 3; ++i) {
    std::optional<SseEvent> e = c.NextEvent(kWait);
    ASSERT_TRUE(e.has_value()) << "event " << i;
    EXPECT_EQ(e->event, "");
    EXPECT_EQ(e->id, std::to_string(i + 1));
    EXPECT_THAT(e->data, Not(HasSubstr("\n")));
    google::protobuf::Struct json = ParseJson(e->data);
    EXPECT_EQ(JsonString(json, "text"), "hi");
    // Canonical JSON omits the default: index 0 is absent.
    EXPECT_EQ(JsonNumber(json, "index"), i == 0 ? -1 : i) << e->data;
  }
  EXPECT_FALSE(c.NextEvent(kWait).has_value());
  EXPECT_TRUE(c.ended()) << "the response ends (last chunk) when the upstream ends OK";
}

// The upstream sends its next message only after the test saw the previous one: each
// event must reach the client on its own, while the stream is still open.
TEST_F(GatewaySseTest, EachMessageIsFlushedAsItArrives) {
  SseClient c(port_, "/v1/echo:stream?text=step-flush&count=3");
  ASSERT_EQ(fake_->Get("flush").arrived_future.wait_for(kWait), std::future_status::ready);
  fake_->Allow("flush");
  ASSERT_TRUE(c.ReadHeader(kWait));
  ASSERT_EQ(c.status, 200);
  for (int i = 0; i < 3; ++i) {
    std::optional<SseEvent> e = c.NextEvent(kWait);
    ASSERT_TRUE(e.has_value()) << "event " << i << " did not arrive on its own";
    EXPECT_EQ(e->id, std::to_string(i + 1));
    // Until the test allows the last message, the upstream call is still running.
    if (i < 2) {
      EXPECT_FALSE(c.ended());
    }
    fake_->Allow("flush");
  }
  EXPECT_FALSE(c.NextEvent(kWait).has_value());
  EXPECT_TRUE(c.ended());
}

TEST_F(GatewaySseTest, AnErrorBeforeTheFirstMessageIsAnOrdinaryJsonError) {
  const std::map<int, int> table = {{16, 401}, {7, 403}, {3, 400}, {5, 404}, {14, 503}};
  for (const auto& [code, http_status] : table) {
    SCOPED_TRACE(absl::StrCat("grpc code ", code));
    SseClient c(port_, absl::StrCat("/v1/echo:stream?text=fail-", code));
    ASSERT_TRUE(c.ReadHeader(kWait));
    EXPECT_EQ(c.status, http_status);
    EXPECT_EQ(c.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(c.Header("www-authenticate"), code == 16 ? "Bearer" : "");
    EXPECT_FALSE(c.Header("x-request-id").empty());
    google::protobuf::Struct body = ParseJson(c.ReadBody(kWait));
    EXPECT_EQ(JsonNumber(body, "code"), code);
    EXPECT_EQ(JsonString(body, "message"), absl::StrCat("fake says fail-", code));
  }
}

TEST_F(GatewaySseTest, BadQueryIs400) {
  HttpResponse r = HttpRequest(port_, "GET", "/v1/echo:stream?count=many");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(JsonNumber(ParseJson(r.body), "code"), 3);
}

TEST_F(GatewaySseTest, AnErrorAfterMessagesIsAnErrorEvent) {
  SseClient c(port_, "/v1/echo:stream?text=fail-9-after-2");
  ASSERT_TRUE(c.ReadHeader(kWait));
  ASSERT_EQ(c.status, 200);
  for (int i = 0; i < 2; ++i) {
    std::optional<SseEvent> e = c.NextEvent(kWait);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->event, "");
  }
  std::optional<SseEvent> error = c.NextEvent(kWait);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->event, "error");
  google::protobuf::Struct body = ParseJson(error->data);
  EXPECT_EQ(JsonNumber(body, "code"), 9);
  EXPECT_EQ(JsonString(body, "message"), "fake says fail-9-after-2");
  EXPECT_FALSE(c.NextEvent(kWait).has_value());
  EXPECT_TRUE(c.ended());
}

TEST_F(GatewaySseTest, ClientDisconnectCancelsTheUpstreamCall) {
  Signals& s = fake_->Get("leave");
  {
    SseClient c(port_, "/v1/echo:stream?text=hold-leave");
    ASSERT_TRUE(c.ReadHeader(kWait));
    ASSERT_EQ(c.status, 200);
    ASSERT_TRUE(c.NextEvent(kWait).has_value());
  }  // the client closes its socket
  EXPECT_EQ(s.cancelled_future.wait_for(kWait), std::future_status::ready)
      << "the upstream never saw the cancellation";
}

// A client that leaves before anything was sent (no header yet) cancels too.
TEST_F(GatewaySseTest, ClientDisconnectBeforeTheFirstEventCancelsTheUpstreamCall) {
  Signals& s = fake_->Get("early");
  {
    SseClient c(port_, "/v1/echo:stream?text=quiet-early");
    ASSERT_EQ(s.arrived_future.wait_for(kWait), std::future_status::ready);
  }
  EXPECT_EQ(s.cancelled_future.wait_for(kWait), std::future_status::ready)
      << "the upstream never saw the cancellation";
}

// A stream without messages still opens (header and a keep-alive comment) about a second
// after the start, long before the keep-alive interval (60 s here).
TEST_F(GatewaySseTest, AQuietStreamOpensWithoutWaitingForAMessage) {
  const auto start = std::chrono::steady_clock::now();
  SseClient c(port_, "/v1/echo:stream?text=quiet-open");
  ASSERT_TRUE(c.ReadHeader(kWait));
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.Header("content-type"), "text/event-stream; charset=utf-8");
  std::optional<SseEvent> e = c.Next(kWait);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->comment, "keep-alive");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  c.Close();
  EXPECT_EQ(fake_->Get("open").cancelled_future.wait_for(kWait), std::future_status::ready);
}

TEST_F(GatewaySseTest, TimeoutHeaderEndsTheStreamWithADeadlineEvent) {
  SseClient c(port_, "/v1/echo:stream?text=hold-deadline", {{"X-Timeout-Ms", "300"}});
  ASSERT_TRUE(c.ReadHeader(kWait));
  ASSERT_EQ(c.status, 200);
  ASSERT_TRUE(c.NextEvent(kWait).has_value());
  std::optional<SseEvent> error = c.NextEvent(kWait);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->event, "error");
  EXPECT_EQ(JsonNumber(ParseJson(error->data), "code"), 4);
  EXPECT_FALSE(c.NextEvent(kWait).has_value());
  EXPECT_TRUE(c.ended());
}

TEST_F(GatewaySseTest, AccessLogHasOneLinePerStreamWithoutTheQuery) {
  {
    SseClient c(port_, "/v1/echo:stream?text=logged-secret&count=1",
                {{"Authorization", "Bearer sse-secret-token"}});
    ASSERT_TRUE(c.ReadHeader(kWait));
    while (c.NextEvent(kWait)) {
    }
  }
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (gateway_->Stderr().find("\"path\":\"/v1/echo:stream\"") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string log = gateway_->Stderr();
  EXPECT_THAT(log, HasSubstr("\"path\":\"/v1/echo:stream\""));
  EXPECT_THAT(log, Not(HasSubstr("logged-secret")));
  EXPECT_THAT(log, Not(HasSubstr("sse-secret-token")));
}

// ---- With a gateway of its own.

// Without messages, keep-alive comments flow (and the header goes out with the first).
TEST_F(GatewaySseTest, IdleStreamsGetKeepAliveComments) {
  ChildProcess gw("gateway/gateway_server",
                  GatewayEnv(fake_port_, {{"FX_GATEWAY_SSE_KEEPALIVE_S", "1"}}));
  const int port = gw.WaitForPort("http_port");
  SseClient c(port, "/v1/echo:stream?text=quiet-idle");
  ASSERT_TRUE(c.ReadHeader(kWait));
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.Header("content-type"), "text/event-stream; charset=utf-8");
  for (int i = 0; i < 2; ++i) {
    std::optional<SseEvent> e = c.Next(kWait);
    ASSERT_TRUE(e.has_value());
    EXPECT_TRUE(e->is_comment());
    EXPECT_EQ(e->comment, "keep-alive");
  }
  c.Close();
  EXPECT_EQ(fake_->Get("idle").cancelled_future.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(gw.Terminate(), 0);
}

TEST_F(GatewaySseTest, StreamsOverTheLimitAre503AndFreedSlotsAreReused) {
  ChildProcess gw("gateway/gateway_server",
                  GatewayEnv(fake_port_, {{"FX_GATEWAY_MAX_STREAMS", "1"}}));
  const int port = gw.WaitForPort("http_port");
  auto first = std::make_unique<SseClient>(port, "/v1/echo:stream?text=hold-limit");
  ASSERT_TRUE(first->ReadHeader(kWait));
  ASSERT_EQ(first->status, 200);
  ASSERT_TRUE(first->NextEvent(kWait).has_value());

  HttpResponse over = HttpRequest(port, "GET", "/v1/echo:stream?text=x&count=1");
  EXPECT_EQ(over.status, 503) << over.body;
  EXPECT_EQ(JsonNumber(ParseJson(over.body), "code"), 14);
  EXPECT_EQ(over.headers["retry-after"], "5");
  // Unary routes are not limited.
  EXPECT_EQ(HttpRequest(port, "GET", "/healthz").status, 200);

  first.reset();  // leaves: its slot is freed once the upstream call has ended
  ASSERT_EQ(fake_->Get("limit").cancelled_future.wait_for(kWait), std::future_status::ready);
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (status != 200 && std::chrono::steady_clock::now() < until) {
    status = HttpRequest(port, "GET", "/v1/echo:stream?text=x&count=1").status;
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(gw.Terminate(), 0);
}

TEST_F(GatewaySseTest, DrainEndsOpenStreamsWellWithinTheDrainWindow) {
  ChildProcess gw("gateway/gateway_server", GatewayEnv(fake_port_, {}));
  const int port = gw.WaitForPort("http_port");
  SseClient c(port, "/v1/echo:stream?text=hold-drain");
  ASSERT_TRUE(c.ReadHeader(kWait));
  ASSERT_EQ(c.status, 200);
  ASSERT_TRUE(c.NextEvent(kWait).has_value());

  const auto start = std::chrono::steady_clock::now();
  std::future<int> exit_status = std::async(std::launch::async, [&gw] { return gw.Terminate(); });
  std::optional<SseEvent> error = c.NextEvent(kWait);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->event, "error");
  EXPECT_EQ(JsonNumber(ParseJson(error->data), "code"), 14);
  EXPECT_FALSE(c.NextEvent(kWait).has_value());
  EXPECT_TRUE(c.ended());
  EXPECT_EQ(exit_status.get(), 0) << gw.Stderr();
  // FX_DRAIN_SECONDS is 20: the stream did not hold the drain.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(fake_->Get("drain").cancelled_future.wait_for(kWait), std::future_status::ready);
}

// ---- Resuming: Last-Event-ID and time ids, on a fake AlertService (a request with a
// Timestamp `since`, messages with a Timestamp `raise_time`).

class FakeAlerts final : public checkpoint::v1::AlertService::Service {
 public:
  // Sends two alerts: the first raised at kRaised, the second without a raise_time.
  grpc::Status StreamAlerts(grpc::ServerContext*, const checkpoint::v1::StreamAlertsRequest* req,
                            grpc::ServerWriter<checkpoint::v1::Alert>* writer) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = *req;
    }
    checkpoint::v1::Alert alert;
    alert.set_alert_id("a1");
    google::protobuf::util::TimeUtil::FromString(kRaised, alert.mutable_raise_time());
    // A later Timestamp ending in _time: the first one declared gives the id.
    google::protobuf::util::TimeUtil::FromString("2026-03-05T09:00:00Z",
                                                 alert.mutable_acknowledge_time());
    writer->Write(alert);
    alert.Clear();
    alert.set_alert_id("a2");
    writer->Write(alert);
    return grpc::Status::OK;
  }

  // The request of the last call.
  checkpoint::v1::StreamAlertsRequest last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

  static constexpr char kRaised[] = "2026-03-05T08:00:00.123456Z";

 private:
  std::mutex mu_;
  checkpoint::v1::StreamAlertsRequest last_;
};

class GatewaySseResumeTest : public FakeUpstreamGatewayTest<FakeAlerts> {
 protected:
  static void SetUpTestSuite() {
    StartSuite([](int fake_port) {
      return GatewayEnv(FreePort(),
                        {{"FX_CHECKPOINT_ADDR", absl::StrCat("127.0.0.1:", fake_port)}});
    });
  }
  static void TearDownTestSuite() { StopSuite(); }

  // The ids of the events of one stream, after it ended.
  std::vector<std::string> Ids(const std::string& target,
                               const std::map<std::string, std::string>& headers) {
    SseClient c(port_, target, headers);
    EXPECT_TRUE(c.ReadHeader(kWait));
    EXPECT_EQ(c.status, 200);
    std::vector<std::string> ids;
    while (std::optional<SseEvent> e = c.NextEvent(kWait)) {
      if (!e->is_comment()) ids.push_back(e->id);
    }
    return ids;
  }
};

TEST_F(GatewaySseResumeTest, EventIdsAreRaiseTimesAndLastEventIdResumesFromThem) {
  // The event of a message with a raise_time has it as its id; one without, its number.
  EXPECT_EQ(Ids("/v1/alerts:stream", {}), (std::vector<std::string>{FakeAlerts::kRaised, "2"}));
  EXPECT_FALSE(fake_->last().has_since());

  // A browser reconnecting sends the last id back: it becomes `since`, replacing the
  // since of the URL it first opened.
  Ids("/v1/alerts:stream?since=2026-03-05T07:00:00Z", {{"Last-Event-ID", FakeAlerts::kRaised}});
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(fake_->last().since()), FakeAlerts::kRaised);

  // An id that is not a time (a running number) leaves the request as it was.
  Ids("/v1/alerts:stream?since=2026-03-05T07:00:00Z", {{"Last-Event-ID", "2"}});
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(fake_->last().since()),
            "2026-03-05T07:00:00Z");
  Ids("/v1/alerts:stream", {{"Last-Event-ID", "2"}});
  EXPECT_FALSE(fake_->last().has_since());
}

// Streams of messages without a Timestamp ending in _time keep running numbers, and a
// request without a `since` field ignores Last-Event-ID.
TEST_F(GatewaySseTest, WithoutATimeFieldIdsStayRunningNumbers) {
  SseClient c(port_, "/v1/echo:stream?text=plain&count=2&intervalMs=1",
              {{"Last-Event-ID", FakeAlerts::kRaised}});
  ASSERT_TRUE(c.ReadHeader(kWait));
  ASSERT_EQ(c.status, 200);
  std::vector<std::string> ids;
  while (std::optional<SseEvent> e = c.NextEvent(kWait)) {
    if (!e->is_comment()) ids.push_back(e->id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2"}));
}

}  // namespace
}  // namespace fangxian::testing
