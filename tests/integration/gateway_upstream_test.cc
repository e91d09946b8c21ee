// Black-box tests of gateway_server's upstream calls: retries (reads only, on UNAVAILABLE,
// within a budget) and deadline classes (a default per class, X-Timeout-Ms up to the
// maximum). The real binary over real HTTP, in front of an in-test fake IdentityService
// that fails attempts on demand and counts them, and that reports the deadline it got.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "tests/support/fake_upstream_gateway.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using identity::v1::CreateResidentRequest;
using identity::v1::GetResidentRequest;
using identity::v1::Resident;
using ::testing::HasSubstr;

// gRPC rounds the deadline it sends up to its wire units; the fake reads it a little later.
constexpr int kSlackMs = 150;

// The resident id (reads) or name (writes) steers the fake:
//   "flaky-…": the first attempt fails with UNAVAILABLE, later ones succeed;
//   "down-…":  every attempt fails with UNAVAILABLE;
//   "answered-…": fails with UNAVAILABLE after sending response headers (x-request-id,
//              as our services' interceptor does);
//   anything else succeeds, with the milliseconds left before the deadline in `phone`.
// The UNAVAILABLEs of "flaky-" and "down-" are Trailers-Only answers (no headers first),
// like those of a transport failure, a proxy or a gRPC server shutting down: by gRPC's
// rules (gRFC A6) only those can be retried; once headers arrived the call is committed.
// Attempts are counted per id.
class FakeIdentity final : public identity::v1::IdentityService::Service {
 public:
  grpc::Status GetResident(grpc::ServerContext* ctx, const GetResidentRequest* req,
                           Resident* out) override {
    return Answer(ctx, req->resident_id(), out);
  }

  grpc::Status CreateResident(grpc::ServerContext* ctx, const CreateResidentRequest* req,
                              Resident* out) override {
    return Answer(ctx, req->resident().name(), out);
  }

  int Attempts(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_[id];
  }

 private:
  grpc::Status Answer(grpc::ServerContext* ctx, const std::string& id, Resident* out) {
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      attempt = ++attempts_[id];
    }
    if ((absl::StartsWith(id, "flaky-") && attempt == 1) || absl::StartsWith(id, "down-")) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake is unavailable");
    }
    ctx->AddInitialMetadata("x-request-id", "fake");
    if (absl::StartsWith(id, "answered-")) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake answered unavailable");
    }
    out->set_resident_id(id);
    out->set_phone(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      ctx->deadline() - std::chrono::system_clock::now())
                                      .count()));
    return grpc::Status::OK;
  }

  std::mutex mu_;
  std::map<std::string, int> attempts_;
};

std::map<std::string, std::string> GatewayEnv(int fake_port,
                                              const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env =
      GatewayServerEnv({{"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", fake_port)}});
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

// Milliseconds the upstream had for the call answered in `r`.
int LeftMs(const HttpResponse& r) {
  int left = -1;
  EXPECT_TRUE(absl::SimpleAtoi(JsonString(ParseJson(r.body), "phone"), &left)) << r.body;
  return left;
}

class GatewayUpstreamTest : public FakeUpstreamGatewayTest<FakeIdentity> {
 protected:
  static void SetUpTestSuite() {
    StartSuite([](int fake_port) {
      return GatewayEnv(fake_port, {{"FX_GATEWAY_DEADLINE_READ_MS", "1500"},
                                    {"FX_GATEWAY_DEADLINE_WRITE_MS", "2500"},
                                    {"FX_GATEWAY_DEADLINE_MAX_MS", "4000"}});
    });
  }
  static void TearDownTestSuite() { StopSuite(); }

  static HttpResponse Create(int port, const std::string& name,
                             const std::map<std::string, std::string>& headers = {}) {
    return HttpRequest(port, "POST", "/v1/residents", absl::StrCat(R"({"name":")", name, "\"}"),
                       headers);
  }
};

TEST_F(GatewayUpstreamTest, ReadFailingOnceWithUnavailableIsRetriedAndSucceeds) {
  HttpResponse r = HttpRequest(port_, "GET", "/v1/residents/flaky-read");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonString(ParseJson(r.body), "residentId"), "flaky-read");
  EXPECT_EQ(fake_->Attempts("flaky-read"), 2);
}

TEST_F(GatewayUpstreamTest, WriteFailingWithUnavailableIsNeverRetried) {
  HttpResponse r = Create(port_, "flaky-write");
  EXPECT_TRUE(IsHttpError(r, 503, 14, "unavailable"));
  EXPECT_EQ(fake_->Attempts("flaky-write"), 1);
  // The client decides: sent again, it succeeds.
  EXPECT_EQ(Create(port_, "flaky-write").status, 200);
  EXPECT_EQ(fake_->Attempts("flaky-write"), 2);
}

// A service that answered (its headers arrived) has decided: gRPC does not send the call
// again, and its own message reaches the client.
TEST_F(GatewayUpstreamTest, UnavailableAnsweredAfterHeadersIsNotRetried) {
  HttpResponse r = HttpRequest(port_, "GET", "/v1/residents/answered-read");
  EXPECT_TRUE(IsHttpError(r, 503, 14, "fake answered unavailable"));
  EXPECT_EQ(fake_->Attempts("answered-read"), 1);
}

TEST_F(GatewayUpstreamTest, EachDeadlineClassHasItsDefault) {
  const int read = LeftMs(HttpRequest(port_, "GET", "/v1/residents/echo-read"));
  EXPECT_GT(read, 1000);
  EXPECT_LE(read, 1500 + kSlackMs);
  const int write = LeftMs(Create(port_, "echo-write"));
  EXPECT_GT(write, 2000);
  EXPECT_LE(write, 2500 + kSlackMs);
}

TEST_F(GatewayUpstreamTest, TimeoutHeaderSetsTheDeadlineUpToTheMaximum) {
  // Lower than the default, higher than it, and beyond the maximum (capped).
  const int lowered =
      LeftMs(HttpRequest(port_, "GET", "/v1/residents/echo-header", "", {{"X-Timeout-Ms", "300"}}));
  EXPECT_GT(lowered, 0);
  EXPECT_LE(lowered, 300 + kSlackMs);
  const int raised = LeftMs(
      HttpRequest(port_, "GET", "/v1/residents/echo-header", "", {{"X-Timeout-Ms", "3500"}}));
  EXPECT_GT(raised, 3000);
  EXPECT_LE(raised, 3500 + kSlackMs);
  const int capped = LeftMs(Create(port_, "echo-header", {{"X-Timeout-Ms", "600000"}}));
  EXPECT_GT(capped, 3500);
  EXPECT_LE(capped, 4000 + kSlackMs);
}

TEST_F(GatewayUpstreamTest, MalformedTimeoutHeaderIs400) {
  for (const char* bad : {"soon", "0", "-1", "1.5", "99999999999999999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(IsHttpError(
        HttpRequest(port_, "GET", "/v1/residents/echo-bad", "", {{"X-Timeout-Ms", bad}}), 400, 3,
        "X-Timeout-Ms"));
  }
  EXPECT_EQ(fake_->Attempts("echo-bad"), 0) << "a bad header never reaches the upstream";
}

// The budget (retryThrottling) belongs to the channel: a gateway of its own starts full.
TEST_F(GatewayUpstreamTest, RetriesStopWhenTheBudgetIsSpent) {
  ChildProcess gateway("gateway/gateway_server", GatewayEnv(fake_port_, {}));
  const int port = gateway.WaitForPort("http_port");
  EXPECT_TRUE(IsHttpError(HttpRequest(port, "GET", "/v1/residents/down-budget"), 503, 14));
  EXPECT_EQ(fake_->Attempts("down-budget"), 3) << "maxAttempts while the budget lasts";
  for (int i = 0; i < 9; ++i) {
    EXPECT_TRUE(IsHttpError(HttpRequest(port, "GET", "/v1/residents/down-budget"), 503, 14));
  }
  // 10 requests: without a budget 30 attempts; with it, retries stop after ~5 failures.
  EXPECT_LE(fake_->Attempts("down-budget"), 15);
  EXPECT_GE(fake_->Attempts("down-budget"), 10);
  EXPECT_EQ(gateway.Terminate(), 0);
}

TEST_F(GatewayUpstreamTest, RetriesCanBeTurnedOff) {
  ChildProcess gateway("gateway/gateway_server",
                       GatewayEnv(fake_port_, {{"FX_GATEWAY_RETRY_MAX_ATTEMPTS", "1"}}));
  const int port = gateway.WaitForPort("http_port");
  EXPECT_TRUE(IsHttpError(HttpRequest(port, "GET", "/v1/residents/flaky-off"), 503, 14));
  EXPECT_EQ(fake_->Attempts("flaky-off"), 1);
  EXPECT_EQ(gateway.Terminate(), 0);
}

// FX_UPSTREAM_TIMEOUT_MS (the one deadline before deadline classes) still works: it is
// the default of reads and writes when their own variables are not set.
TEST_F(GatewayUpstreamTest, OlderUpstreamTimeoutIsTheDefaultOfReadsAndWrites) {
  ChildProcess gateway("gateway/gateway_server",
                       GatewayEnv(fake_port_, {{"FX_UPSTREAM_TIMEOUT_MS", "2000"}}));
  const int port = gateway.WaitForPort("http_port");
  for (const HttpResponse& r :
       {HttpRequest(port, "GET", "/v1/residents/echo-legacy"), Create(port, "echo-legacy")}) {
    const int left = LeftMs(r);
    EXPECT_GT(left, 1500);
    EXPECT_LE(left, 2000 + kSlackMs);
  }
  EXPECT_EQ(gateway.Terminate(), 0);
}

TEST_F(GatewayUpstreamTest, MaximumBelowADefaultStopsStartUp) {
  ChildProcess gateway("gateway/gateway_server",
                       GatewayEnv(fake_port_, {{"FX_GATEWAY_DEADLINE_MAX_MS", "1000"}}));
  EXPECT_EQ(gateway.WaitExit(std::chrono::seconds(20)), 2);
  EXPECT_THAT(gateway.Stderr(), HasSubstr("FX_GATEWAY_DEADLINE_MAX_MS"));
}

}  // namespace
}  // namespace fangxian::testing
