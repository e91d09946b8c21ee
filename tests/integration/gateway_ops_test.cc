// Black-box tests of gateway_server's operational front door: CORS for the configured
// origins, per-client rate limits (address and token buckets) in the real Redis (behind a TcpProxy
// the test can cut, to see the local fallback take over), and /metrics (on its own port,
// FX_METRICS_PORT). The upstream is an in-test fake IdentityService that answers every GetResident.
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/redis.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "gateway/rate_limit.h"
#include "tests/support/fake_upstream_gateway.h"
#include "tests/support/http_client.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using identity::v1::GetResidentRequest;
using identity::v1::Resident;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kBurst = 5;
// A loopback address the gateway trusts as a proxy (X-Forwarded-For names the client).
constexpr char kProxy[] = "127.0.0.250";
constexpr char kOrigin[] = "https://app.example.gov.cn";
constexpr char kResidentPath[] = "/v1/residents/r-1";

class FakeIdentity final : public identity::v1::IdentityService::Service {
 public:
  grpc::Status GetResident(grpc::ServerContext*, const GetResidentRequest* req,
                           Resident* out) override {
    out->set_resident_id(req->resident_id());
    return grpc::Status::OK;
  }
};

int RedisPort() {
  const std::string addr = RedisAddr();
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return port;
}

// A bearer token nobody else in this run (or an earlier one) has used: its own bucket.
std::string FreshToken(const std::string& name) {
  static std::atomic<int> n{0};
  return absl::StrCat("Bearer ops-", name, "-", ::getpid(), "-", n++, "-",
                      std::chrono::steady_clock::now().time_since_epoch().count());
}

std::string Header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

// The value of the sample line `series` ("name{labels}") in a /metrics body; -1 if absent.
double Sample(const std::string& body, const std::string& series) {
  const std::string needle = "\n" + series + " ";
  const size_t at = ("\n" + body).find(needle);
  if (at == std::string::npos) return -1;
  const size_t start = at + needle.size() - 1;
  double v = -1;
  if (!absl::SimpleAtod(body.substr(start, body.find('\n', start) - start), &v)) return -1;
  return v;
}

class GatewayOpsTest : public FakeUpstreamGatewayTest<FakeIdentity> {
 protected:
  static void SetUpTestSuite() {
    redis_proxy_ = new TcpProxy(RedisPort(), /*enabled=*/true);
    StartSuite([](int fake_port) {
      return GatewayServerEnv({{"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", fake_port)},
                               {"FX_CORS_ORIGINS", absl::StrCat(kOrigin, ",http://localhost:3000")},
                               {"FX_RATE_LIMIT_RPS", "1"},
                               {"FX_RATE_LIMIT_BURST", std::to_string(kBurst)},
                               {"FX_TRUSTED_PROXIES", kProxy},
                               {"FX_REDIS_ADDR", absl::StrCat("127.0.0.1:", redis_proxy_->port())},
                               {"FX_REDIS_RETRY_MS", "100"},
                               {"FX_METRICS_PORT", "0"}});
    });
    metrics_port_ = gateway_->WaitForPort("metrics_port");
  }
  static void TearDownTestSuite() {
    StopSuite();
    delete redis_proxy_;
    redis_proxy_ = nullptr;
  }

  // Every routed request also takes from its address's bucket: each test (and each step
  // that needs it) sends from a loopback address of its own, whose bucket starts full.
  void SetUp() override { NewAddress(); }

  // Moves this test's requests to the next unused loopback address, clearing what an
  // earlier run may have left in Redis for it. The gateway decides from its own copy of
  // the buckets, so deleting a key it already knows would not refill that copy at once.
  void NewAddress() {
    static int next = 10;
    ASSERT_LT(next, 255);
    from_ = absl::StrCat("127.0.0.", next++);
    ASSERT_TRUE(Redis().Command({"DEL", gateway::RateLimiter::AddressKey(from_)}).ok());
  }

  static common::RedisPool& Redis() {
    static common::RedisPool* redis = [] {
      common::RedisPool::Options options;
      EXPECT_TRUE(common::ParseRedisAddress(RedisAddr(), &options).ok());
      return new common::RedisPool(options);
    }();
    return *redis;
  }

  // The gateway's successful syncs with Redis so far.
  static double Syncs() { return Sample(Scrape().body, "fx_gateway_rate_limit_syncs_total"); }

  // Waits until the gateway has synced its buckets twice more: whatever it had decided
  // before this call has reached Redis.
  static bool WaitForSyncs() {
    const double start = Syncs();
    return Eventually([&] { return Syncs() >= start + 2; });
  }

  HttpResponse Get(const std::string& token,
                   const std::map<std::string, std::string>& extra = {}) const {
    std::map<std::string, std::string> headers = extra;
    headers["Authorization"] = token;
    return HttpRequestFrom(from_, port_, "GET", kResidentPath, "", headers);
  }

  // Spends `token`'s burst; every answer must be a 200.
  void SpendBurst(const std::string& token) const {
    for (int i = 0; i < kBurst; ++i) {
      HttpResponse r = Get(token);
      ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
    }
  }

  // GET /metrics on the metrics port.
  static HttpResponse Scrape() { return HttpRequest(metrics_port_, "GET", "/metrics"); }

  static inline TcpProxy* redis_proxy_ = nullptr;
  std::string from_;  // this test's client address
  static inline int metrics_port_ = 0;
};

// ---- CORS

TEST_F(GatewayOpsTest, PreflightFromAListedOriginIsAnsweredWithTheRouteMethods) {
  HttpResponse r = HttpRequest(port_, "OPTIONS", kResidentPath, "",
                               {{"Origin", kOrigin},
                                {"Access-Control-Request-Method", "GET"},
                                {"Access-Control-Request-Headers", "authorization"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Header(r, "access-control-allow-origin"), kOrigin);
  EXPECT_THAT(Header(r, "access-control-allow-methods"), HasSubstr("GET"));
  EXPECT_THAT(Header(r, "access-control-allow-methods"), Not(HasSubstr("POST")));
  EXPECT_EQ(Header(r, "access-control-allow-headers"),
            "Authorization, Content-Type, X-Request-Id, X-Timeout-Ms, Last-Event-ID");
  EXPECT_EQ(Header(r, "access-control-max-age"), "600");
  EXPECT_EQ(Header(r, "vary"), "Origin");
  EXPECT_TRUE(r.body.empty());

  // A collection path lists its own methods (create and list).
  HttpResponse list =
      HttpRequest(port_, "OPTIONS", "/v1/residents", "",
                  {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(list.status, 204);
  EXPECT_THAT(Header(list, "access-control-allow-methods"), HasSubstr("POST"));
}

TEST_F(GatewayOpsTest, PreflightFromAnUnlistedOriginGetsNoCorsHeaders) {
  HttpResponse r =
      HttpRequest(port_, "OPTIONS", kResidentPath, "",
                  {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_TRUE(IsHttpError(r, 403, 7));
  EXPECT_EQ(Header(r, "access-control-allow-origin"), "");
  EXPECT_EQ(Header(r, "access-control-allow-methods"), "");
  EXPECT_EQ(Header(r, "vary"), "Origin");
}

TEST_F(GatewayOpsTest, PreflightOfAnUnknownPathIs404) {
  HttpResponse r = HttpRequest(port_, "OPTIONS", "/v1/nothing-here", "",
                               {{"Origin", kOrigin}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_TRUE(IsHttpError(r, 404, 5));
}

TEST_F(GatewayOpsTest, ActualRequestFromAListedOriginMayBeReadByThePage) {
  HttpResponse r = Get(FreshToken("cors"), {{"Origin", kOrigin}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Header(r, "access-control-allow-origin"), kOrigin);
  EXPECT_EQ(Header(r, "access-control-expose-headers"), "X-Request-Id, Retry-After");
  EXPECT_EQ(Header(r, "vary"), "Origin");
}

TEST_F(GatewayOpsTest, ActualRequestFromAnUnlistedOriginIsServedWithoutCorsHeaders) {
  HttpResponse r = Get(FreshToken("cors-unlisted"), {{"Origin", "https://evil.example"}});
  ASSERT_EQ(r.status, 200) << r.body;  // the browser, not the gateway, withholds it
  EXPECT_EQ(Header(r, "access-control-allow-origin"), "");
  EXPECT_EQ(Header(r, "access-control-expose-headers"), "");
  EXPECT_EQ(Header(r, "vary"), "Origin");
}

TEST_F(GatewayOpsTest, ErrorAnswersCarryCorsHeadersToo) {
  HttpResponse r = HttpRequest(port_, "GET", "/v1/nothing-here", "", {{"Origin", kOrigin}});
  EXPECT_TRUE(IsHttpError(r, 404, 5));
  EXPECT_EQ(Header(r, "access-control-allow-origin"), kOrigin);
}

TEST_F(GatewayOpsTest, RefusalsOfTheHttpServerCarryCorsHeadersOnceTheHeaderIsRead) {
  // A path the server refuses before any route is looked at.
  HttpResponse path = HttpRequest(port_, "GET", "/v1/residents/a%2Fb", "", {{"Origin", kOrigin}});
  EXPECT_TRUE(IsHttpError(path, 400, 3));
  EXPECT_EQ(Header(path, "access-control-allow-origin"), kOrigin);
  // A body over the limit (1 MiB), refused as soon as its Content-Length is read.
  HttpResponse big =
      HttpRequest(port_, "POST", "/v1/residents", std::string(2 << 20, 'x'), {{"Origin", kOrigin}});
  EXPECT_TRUE(IsHttpError(big, 413, 8));
  EXPECT_EQ(Header(big, "access-control-allow-origin"), kOrigin);
  EXPECT_EQ(Header(big, "access-control-expose-headers"), "X-Request-Id, Retry-After");
  // Not for an unlisted origin.
  HttpResponse other =
      HttpRequest(port_, "GET", "/v1/residents/a%2Fb", "", {{"Origin", "https://evil.example"}});
  EXPECT_TRUE(IsHttpError(other, 400, 3));
  EXPECT_EQ(Header(other, "access-control-allow-origin"), "");
}

// ---- Rate limits

TEST_F(GatewayOpsTest, AfterTheBurstATokenGets429WithRetryAfter) {
  const std::string token = FreshToken("burst");
  SpendBurst(token);
  HttpResponse r = Get(token, {{"Origin", kOrigin}});
  EXPECT_TRUE(IsHttpError(r, 429, 8, "too many requests"));
  EXPECT_EQ(Header(r, "retry-after"), "1");  // 1 token a second
  // The page can read Retry-After.
  EXPECT_EQ(Header(r, "access-control-allow-origin"), kOrigin);
}

TEST_F(GatewayOpsTest, TwoTokensHaveSeparateBucketsKeptInRedisUnderAHash) {
  const std::string a = FreshToken("a");
  const std::string b = FreshToken("b");
  SpendBurst(a);
  EXPECT_EQ(Get(a).status, 429);
  NewAddress();  // the address is drained too; b's own bucket is full
  EXPECT_EQ(Get(b).status, 200);
  EXPECT_EQ(Get(a).status, 429);

  // The bucket reaches the shared Redis at the next sync, under the token's hash, drained,
  // with a TTL.
  ASSERT_TRUE(WaitForSyncs());
  const std::string key = gateway::RateLimiter::TokenKey(a);
  absl::StatusOr<common::RedisReply> ttl = Redis().Command({"PTTL", key});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_EQ((*ttl)->type, REDIS_REPLY_INTEGER);
  EXPECT_GT((*ttl)->integer, 0) << key;
  absl::StatusOr<common::RedisReply> tokens = Redis().Command({"HGET", key, "t"});
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ((*tokens)->type, REDIS_REPLY_STRING);
  double level = 99;
  ASSERT_TRUE(absl::SimpleAtod(std::string((*tokens)->str, (*tokens)->len), &level));
  EXPECT_LT(level, 1) << "the burst spent through the gateway is in the shared bucket";
  absl::StatusOr<common::RedisReply> keys = Redis().Command({"KEYS", "fx:gateway:v1:rl:*ops-a-*"});
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)->elements, 0u) << "a raw token is part of a key";
}

TEST_F(GatewayOpsTest, InventingATokenPerRequestDoesNotEscapeTheAddressBucket) {
  for (int i = 0; i < kBurst; ++i) {
    HttpResponse r = Get(FreshToken("random"));
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
  }
  const std::string refused = FreshToken("random");
  HttpResponse r = Get(refused);
  EXPECT_TRUE(IsHttpError(r, 429, 8, "too many requests"));
  EXPECT_EQ(Header(r, "retry-after"), "1");
  // Nor without a token, on the same address.
  EXPECT_TRUE(IsHttpError(HttpRequestFrom(from_, port_, "GET", kResidentPath), 429, 8));

  // A refusal writes no bucket: invented tokens cannot fill Redis either.
  ASSERT_TRUE(WaitForSyncs());
  absl::StatusOr<common::RedisReply> exists =
      Redis().Command({"EXISTS", gateway::RateLimiter::TokenKey(refused)});
  ASSERT_TRUE(exists.ok()) << exists.status();
  EXPECT_EQ((*exists)->integer, 0);
  absl::StatusOr<common::RedisReply> ttl =
      Redis().Command({"PTTL", gateway::RateLimiter::AddressKey(from_)});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT((*ttl)->integer, 0);
}

TEST_F(GatewayOpsTest, BehindATrustedProxyEachForwardedClientHasItsOwnBucket) {
  // Documentation addresses, cleared of what an earlier run may have left.
  const std::string a = "198.51.100.7";
  const std::string b = "198.51.100.8";
  for (const std::string& client : {a, b, std::string(kProxy)}) {
    ASSERT_TRUE(Redis().Command({"DEL", gateway::RateLimiter::AddressKey(client)}).ok());
  }
  // A fresh token per request: only the address's bucket can refuse.
  auto via_proxy = [&](const std::string& forwarded_for) {
    std::map<std::string, std::string> headers = {{"Authorization", FreshToken("xff")}};
    if (!forwarded_for.empty()) headers["X-Forwarded-For"] = forwarded_for;
    return HttpRequestFrom(kProxy, port_, "GET", kResidentPath, "", headers);
  };
  for (int i = 0; i < kBurst; ++i) ASSERT_EQ(via_proxy("10.9.9.9, " + a).status, 200) << i;
  EXPECT_TRUE(IsHttpError(via_proxy("10.9.9.9, " + a), 429, 8)) << "the client, not the proxy";
  EXPECT_EQ(via_proxy(b).status, 200) << "another client behind the same proxy";
  EXPECT_EQ(via_proxy("").status, 200) << "the proxy's own requests";
  // From a peer that is not trusted the header is ignored: keyed by the peer.
  std::map<std::string, std::string> forged = {{"Authorization", FreshToken("xff")},
                                               {"X-Forwarded-For", a}};
  EXPECT_EQ(HttpRequestFrom(from_, port_, "GET", kResidentPath, "", forged).status, 200);
}

TEST_F(GatewayOpsTest, OwnEndpointsAreNotLimited) {
  for (int i = 0; i < 3 * kBurst; ++i) {
    ASSERT_EQ(HttpRequest(port_, "GET", "/healthz").status, 200) << i;
    ASSERT_EQ(HttpRequest(port_, "GET", "/openapi.json").status, 200) << i;
  }
}

TEST_F(GatewayOpsTest, SpendingThroughTheGatewayIsSyncedWithTheSharedBucket) {
  // Another replica has drained this address's shared bucket: once this gateway syncs
  // the address (its first request here), it refuses it too.
  ASSERT_TRUE(Redis()
                  .Command({"HSET", gateway::RateLimiter::AddressKey(from_), "t", "-5", "u",
                            "99999999999999999"})
                  .ok());
  EXPECT_EQ(Get(FreshToken("shared")).status, 200) << "a bucket not seen before starts full";
  // A fresh token per request: only the address's bucket can refuse. Drained here alone
  // (five requests), it would ask to wait a second; the shared level (-5 less what was
  // spent here, at 1 token a second) asks for six or more.
  HttpResponse r;
  EXPECT_TRUE(Eventually([&] {
    r = Get(FreshToken("shared"));
    int wait = 0;
    return r.status == 429 && absl::SimpleAtoi(Header(r, "retry-after"), &wait) && wait >= 6;
  })) << r.status
      << " " << Header(r, "retry-after");
}

TEST_F(GatewayOpsTest, WithRedisCutTheLocalLimiterStillServesAndStillLimits) {
  redis_proxy_->SetEnabled(false);
  // The gateway finds out at its next sync with something to send; from then on it
  // decides alone. Each probe comes from an address and with a token of its own.
  const double local_before = Sample(Scrape().body, "fx_gateway_rate_limit_local_total");
  ASSERT_TRUE(Eventually([&] {
    NewAddress();
    Get(FreshToken("probe"));
    return Sample(Scrape().body, "fx_gateway_rate_limit_local_total") > local_before;
  }));
  NewAddress();
  const double local_start = Sample(Scrape().body, "fx_gateway_rate_limit_local_total");
  const std::string token = FreshToken("cut");
  SpendBurst(token);  // served, not failed
  HttpResponse r = Get(token);
  EXPECT_TRUE(IsHttpError(r, 429, 8));
  EXPECT_EQ(Header(r, "retry-after"), "1");
  const std::string metrics = Scrape().body;
  EXPECT_EQ(Sample(metrics, "fx_redis_up"), 0) << metrics;
  EXPECT_GE(Sample(metrics, "fx_gateway_rate_limit_local_total"), local_start + kBurst + 1)
      << metrics;

  // Redis back: after the pool's back-off, decisions are taken in Redis again.
  redis_proxy_->SetEnabled(true);
  const std::string after = FreshToken("after");
  EXPECT_TRUE(Eventually([&] {
    Get(after);
    return Sample(Scrape().body, "fx_redis_up") == 1;
  }));
}

// ---- Metrics

TEST_F(GatewayOpsTest, MetricsCountRequestsByRouteMethodAndStatusClass) {
  const std::string token = FreshToken("metrics");
  ASSERT_EQ(Get(token).status, 200);
  ASSERT_EQ(HttpRequest(port_, "GET", "/v1/nothing/at/all").status, 404);
  HttpResponse r = Scrape();
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(Header(r, "content-type"), HasSubstr("text/plain; version=0.0.4"));
  const std::string& m = r.body;
  EXPECT_GE(Sample(m,
                   "fx_gateway_http_requests_total{method=\"GET "
                   "/v1/residents/{resident_id}\",code=\"2xx\"}"),
            1)
      << m;
  EXPECT_GE(Sample(m, "fx_gateway_http_requests_total{method=\"unmatched\",code=\"4xx\"}"), 1) << m;
  EXPECT_GE(Sample(m,
                   "fx_gateway_http_latency_seconds_count{method=\"GET "
                   "/v1/residents/{resident_id}\"}"),
            1)
      << m;
  EXPECT_THAT(m, HasSubstr("fx_gateway_http_latency_seconds_bucket{method=\"GET "
                           "/v1/residents/{resident_id}\",le=\"+Inf\"}"));
  // The scrape is not an API request: nothing is in flight.
  EXPECT_EQ(Sample(m, "fx_gateway_inflight_requests"), 0) << m;
  EXPECT_EQ(Sample(m, "fx_gateway_connections_refused_total"), 0) << m;
  EXPECT_THAT(m, HasSubstr("# TYPE fx_gateway_connections_refused_total counter"));
  EXPECT_EQ(Sample(m, "fx_gateway_open_streams"), 0) << m;
  EXPECT_GE(Sample(m, "fx_gateway_rate_limited_total"), 0) << m;
  EXPECT_THAT(m, HasSubstr("# TYPE fx_gateway_rate_limited_total counter"));
  // Client-chosen paths never become label values.
  EXPECT_THAT(m, Not(HasSubstr("nothing/at/all")));
  EXPECT_THAT(m, Not(HasSubstr("r-1")));

  // A refusal is counted.
  const double before = Sample(m, "fx_gateway_rate_limited_total");
  NewAddress();
  SpendBurst(token + "-spent");
  EXPECT_EQ(Get(token + "-spent").status, 429);
  EXPECT_EQ(Sample(Scrape().body, "fx_gateway_rate_limited_total"), before + 1);
}

TEST_F(GatewayOpsTest, MetricsAreNotServedOnTheApiPort) {
  EXPECT_TRUE(IsHttpError(HttpRequest(port_, "GET", "/metrics"), 404, 5));
  EXPECT_EQ(Scrape().status, 200);
}

}  // namespace
}  // namespace fangxian::testing
