// Black-box tests of gateway_server: the real binary in front of an in-test fake
// IdentityService whose replies are chosen by the resident id asked for, so every gRPC
// code the gateway can meet is produced exactly. Requests go over real HTTP/1.1.
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using identity::v1::CreateResidentRequest;
using identity::v1::GetResidentRequest;
using identity::v1::Resident;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kUpstreamTimeoutMs = 2000;
constexpr int kMaxBodyBytes = 4096;
constexpr int kDeadlineSlackMs = 100;

// ---- The fake upstream.

class FakeIdentity final : public identity::v1::IdentityService::Service {
 public:
  // "code-N": fails with gRPC code N. "slow": waits until the caller gives up.
  // "echo": returns what arrived as metadata (name = authorization, area_code =
  // x-request-id, phone = milliseconds left before the deadline). "hold": signals its
  // arrival, then waits for Release().
  grpc::Status GetResident(grpc::ServerContext* ctx, const GetResidentRequest* req,
                           Resident* out) override {
    const std::string& id = req->resident_id();
    int code = 0;
    if (absl::StartsWith(id, "code-") && absl::SimpleAtoi(id.substr(5), &code)) {
      // Like our services, answer with x-request-id: the gateway passes messages of
      // answering services through, and replaces transport errors' messages.
      ctx->AddInitialMetadata("x-request-id", "fake");
      return grpc::Status(static_cast<grpc::StatusCode>(code), "fake says " + id);
    }
    if (id == "slow") {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!ctx->IsCancelled() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return grpc::Status(grpc::StatusCode::CANCELLED, "gave up");
    }
    if (id == "hold") {
      held_.set_value();
      release_.get_future().wait();
    }
    out->set_resident_id(id);
    out->set_area_code(Metadata(ctx, "x-request-id"));
    out->set_name(Metadata(ctx, "authorization"));
    out->set_phone(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      ctx->deadline() - std::chrono::system_clock::now())
                                      .count()));
    return grpc::Status::OK;
  }

  grpc::Status CreateResident(grpc::ServerContext*, const CreateResidentRequest* req,
                              Resident* out) override {
    if (req->resident().name().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "resident.name is required");
    }
    *out = req->resident();
    out->set_resident_id("r-1");
    return grpc::Status::OK;
  }

  std::future<void> Held() { return held_.get_future(); }
  void Release() { release_.set_value(); }

 private:
  static std::string Metadata(grpc::ServerContext* ctx, const std::string& key) {
    auto it = ctx->client_metadata().find(key);
    return it == ctx->client_metadata().end() ? ""
                                              : std::string(it->second.data(), it->second.size());
  }

  std::promise<void> held_;
  std::promise<void> release_;
};

// ---- A small blocking HTTP/1.1 client.

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  google::protobuf::Struct json;  // body parsed, when it is a JSON object
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  double Number(const std::string& field) const { return JsonNumber(json, field); }
  std::string String(const std::string& field) const { return JsonString(json, field); }
};

class Connection {
 public:
  explicit Connection(int port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::address_v4::loopback(), static_cast<uint16_t>(port)));
    // A bound on every read, so a broken server fails the test instead of hanging it.
    timeval tv{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::map<std::string, std::string>& headers = {}) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.prepare_payload();
    }
    http::write(socket_, req);
    return Read();
  }

  void SendRaw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }

  Reply Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(socket_, buffer_, parser);
    const auto& res = parser.get();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = res.body();
    if (!google::protobuf::util::JsonStringToMessage(r.body, &r.json).ok()) r.json.Clear();
    return r;
  }

  // True when the server closed the connection (EOF) before the read timeout.
  bool ClosedByServer() {
    char c;
    beast::error_code ec;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

Reply Request(int port, const std::string& method, const std::string& target,
              const std::string& body = "",
              const std::map<std::string, std::string>& headers = {}) {
  return Connection(port).Send(method, target, body, headers);
}

// ---- Fixture: one fake upstream and one gateway for the whole suite.

std::map<std::string, std::string> GatewayEnv(int identity, int others) {
  const std::string id = absl::StrCat("127.0.0.1:", identity);
  const std::string rest = absl::StrCat("127.0.0.1:", others);
  return {{"FX_HTTP_ADDR", "127.0.0.1:0"},
          {"FX_IDENTITY_ADDR", id},
          {"FX_CHECKPOINT_ADDR", rest},
          {"FX_QUARANTINE_ADDR", rest},
          {"FX_PUBLICITY_ADDR", rest},
          {"FX_UPSTREAM_TIMEOUT_MS", std::to_string(kUpstreamTimeoutMs)},
          {"FX_MAX_BODY_BYTES", std::to_string(kMaxBodyBytes)},
          {"FX_HTTP_READ_TIMEOUT_MS", "500"},
          {"FX_HTTP_HEADER_TIMEOUT_MS", "500"},
          {"FX_DRAIN_SECONDS", "10"},
          {"FX_LOG_LEVEL", "INFO"}};
}

class GatewayErrorsTest : public FakeUpstreamGatewayTest<FakeIdentity> {
 protected:
  static void SetUpTestSuite() {
    StartSuite([](int fake_port) { return GatewayEnv(fake_port, fake_port); },
               /*health_service=*/true);
  }
  static void TearDownTestSuite() { StopSuite(); }
};

void ExpectErrorBody(const Reply& r, int code) {
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.Number("code"), code) << r.body;
  EXPECT_FALSE(r.String("message").empty()) << r.body;
  ASSERT_TRUE(r.json.fields().count("details")) << r.body;
  EXPECT_TRUE(r.json.fields().at("details").has_list_value()) << r.body;
}

TEST_F(GatewayErrorsTest, EveryGrpcCodeMapsToTheStandardHttpStatus) {
  const std::map<int, int> table = {
      {1, 499}, {2, 500},  {3, 400},  {4, 504},  {5, 404},  {6, 409},  {7, 403},  {8, 429},
      {9, 400}, {10, 409}, {11, 400}, {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401},
  };
  for (const auto& [code, status] : table) {
    SCOPED_TRACE(absl::StrCat("grpc code ", code));
    Reply r = Request(port_, "GET", absl::StrCat("/v1/residents/code-", code));
    EXPECT_EQ(r.status, status) << r.body;
    ExpectErrorBody(r, code);
    EXPECT_EQ(r.String("message"), absl::StrCat("fake says code-", code));
    EXPECT_EQ(r.Header("www-authenticate"), code == 16 ? "Bearer" : "");
    EXPECT_FALSE(r.Header("x-request-id").empty());
  }
}

TEST_F(GatewayErrorsTest, DeadlineExceededIs504) {
  Reply r = Request(port_, "GET", "/v1/residents/slow", "", {{"X-Timeout-Ms", "200"}});
  EXPECT_EQ(r.status, 504) << r.body;
  ExpectErrorBody(r, 4);
}

// (Deadline classes and the maximum: gateway_upstream_test.cc.)
TEST_F(GatewayErrorsTest, TimeoutHeaderSetsTheDeadlineUpToTheMaximum) {
  Reply lowered = Request(port_, "GET", "/v1/residents/echo", "", {{"X-Timeout-Ms", "300"}});
  ASSERT_EQ(lowered.status, 200) << lowered.body;
  int left = 0;
  ASSERT_TRUE(absl::SimpleAtoi(lowered.String("phone"), &left)) << lowered.body;
  // gRPC sends the timeout rounded up to its wire units: allow a little slack.
  EXPECT_LE(left, 300 + kDeadlineSlackMs);
  EXPECT_GT(left, 0);

  // Above the default (FX_UPSTREAM_TIMEOUT_MS here), capped at FX_GATEWAY_DEADLINE_MAX_MS
  // (30000 by default).
  Reply raised = Request(port_, "GET", "/v1/residents/echo", "", {{"X-Timeout-Ms", "600000"}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  ASSERT_TRUE(absl::SimpleAtoi(raised.String("phone"), &left)) << raised.body;
  EXPECT_LE(left, 30000 + kDeadlineSlackMs);
  EXPECT_GT(left, kUpstreamTimeoutMs + kDeadlineSlackMs);

  Reply bad = Request(port_, "GET", "/v1/residents/echo", "", {{"X-Timeout-Ms", "soon"}});
  EXPECT_EQ(bad.status, 400);
  ExpectErrorBody(bad, 3);
}

TEST_F(GatewayErrorsTest, SuccessUsesCanonicalJsonAndPassesCredentialsAndRequestId) {
  Reply r = Request(port_, "GET", "/v1/residents/echo", "",
                    {{"Authorization", "Bearer tok-123"}, {"X-Request-Id", "my-req.1_A"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("\"residentId\":\"echo\""));
  EXPECT_THAT(r.body, HasSubstr("\"areaCode\""));
  EXPECT_THAT(r.body, Not(HasSubstr("resident_id")));
  EXPECT_EQ(r.String("name"), "Bearer tok-123") << "authorization metadata upstream";
  EXPECT_EQ(r.String("areaCode"), "my-req.1_A") << "x-request-id metadata upstream";
  EXPECT_EQ(r.Header("x-request-id"), "my-req.1_A");
}

TEST_F(GatewayErrorsTest, InvalidOrMissingRequestIdIsReplaced) {
  for (const std::map<std::string, std::string>& headers :
       std::vector<std::map<std::string, std::string>>{
           {}, {{"X-Request-Id", "bad id!"}}, {{"X-Request-Id", std::string(129, 'a')}}}) {
    Reply r = Request(port_, "GET", "/v1/residents/echo", "", headers);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string id = r.Header("x-request-id");
    EXPECT_EQ(id.size(), 32u) << id;
    EXPECT_EQ(r.String("areaCode"), id) << "the generated id went upstream";
  }
}

TEST_F(GatewayErrorsTest, CreateResidentTranscodesTheBody) {
  Reply r = Request(port_, "POST", "/v1/residents",
                    R"({"name":"张三","areaCode":"gongyi.dufulu","id_number":"110"})",
                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.String("residentId"), "r-1");
  EXPECT_EQ(r.String("name"), "张三");
  EXPECT_EQ(r.String("areaCode"), "gongyi.dufulu");
  EXPECT_EQ(r.String("idNumber"), "110");

  // The upstream's own INVALID_ARGUMENT passes through.
  Reply invalid = Request(port_, "POST", "/v1/residents", "{}");
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  ExpectErrorBody(invalid, 3);
  EXPECT_EQ(invalid.String("message"), "resident.name is required");
}

TEST_F(GatewayErrorsTest, UnknownRouteIs404) {
  for (const char* target : {"/v1/nothing", "/", "/v1/residents/a/b", "/v1/residents/"}) {
    Reply r = Request(port_, "GET", target);
    EXPECT_EQ(r.status, 404) << target;
    ExpectErrorBody(r, 5);
  }
}

TEST_F(GatewayErrorsTest, WrongMethodIs405WithAllow) {
  Reply r = Request(port_, "DELETE", "/v1/residents");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, POST");  // SearchResidents, CreateResident
  ExpectErrorBody(r, 12);

  Reply get = Request(port_, "POST", "/v1/residents/r1", "{}");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("allow"), "GET, PATCH");  // GetResident, UpdateResident
}

TEST_F(GatewayErrorsTest, BadInputIs400) {
  const struct {
    const char* method;
    const char* target;
    const char* body;
  } cases[] = {
      {"POST", "/v1/residents", R"({"name":)"},                    // malformed JSON
      {"POST", "/v1/residents", "not json at all"},                // malformed JSON
      {"POST", "/v1/residents", R"({"name":{"a":1}})"},            // wrong type
      {"POST", "/v1/residents", R"({"createTime":"yesterday"})"},  // wrong type
      {"POST", "/v1/residents", R"({"name":"a","nmae":"b"})"},     // unknown field
      {"GET", "/v1/residents/r1?unknown=1", ""},                   // unknown query parameter
      {"GET", "/v1/residents/r1?resident_id=r2", ""},              // shadows the path
      {"GET", "/v1/residents/%zz", ""},                            // bad escape: no route
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.method, " ", c.target, " ", c.body));
    Reply r = Request(port_, c.method, c.target, c.body);
    if (std::string(c.target) == "/v1/residents/%zz") {
      EXPECT_EQ(r.status, 404);
      continue;
    }
    EXPECT_EQ(r.status, 400) << r.body;
    ExpectErrorBody(r, 3);
  }
}

TEST_F(GatewayErrorsTest, OversizedBodyIs413) {
  const std::string big = absl::StrCat(R"({"name":")", std::string(kMaxBodyBytes, 'x'), "\"}");
  Reply r = Request(port_, "POST", "/v1/residents", big);
  EXPECT_EQ(r.status, 413);
  ExpectErrorBody(r, 8);
  EXPECT_FALSE(r.Header("x-request-id").empty());
}

TEST_F(GatewayErrorsTest, OversizedHeaderIs431) {
  Reply r =
      Request(port_, "GET", "/v1/residents/echo", "", {{"X-Padding", std::string(20 * 1024, 'p')}});
  EXPECT_EQ(r.status, 431);
}

TEST_F(GatewayErrorsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(port_);
  for (int i = 0; i < 3; ++i) {
    Reply r = c.Send("GET", "/v1/residents/echo");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.Header("connection"), "close");
  }
  EXPECT_EQ(c.Send("GET", "/v1/residents/code-5").status, 404);
  EXPECT_EQ(c.Send("GET", "/healthz").status, 200);
}

TEST_F(GatewayErrorsTest, SlowClientIsDisconnected) {
  Connection c(port_);
  c.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  EXPECT_EQ(c.Read().status, 408);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(GatewayErrorsTest, GarbageIs400) {
  Connection c(port_);
  c.SendRaw("THIS IS NOT HTTP\r\n\r\n");
  Reply r = c.Read();
  EXPECT_EQ(r.status, 400);
}

TEST_F(GatewayErrorsTest, HealthAndReadiness) {
  Reply health = Request(port_, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.String("status"), "ok");
  Reply ready = Request(port_, "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST_F(GatewayErrorsTest, LogsCarryNeitherTokensNorQueries) {
  Request(port_, "GET", "/v1/residents/echo?secret_query=1", "",
          {{"Authorization", "Bearer very-secret-token"}});
  const std::string log = gateway_->Stderr();
  EXPECT_THAT(log, HasSubstr("\"path\":\"/v1/residents/echo\""));
  EXPECT_THAT(log, Not(HasSubstr("very-secret-token")));
  EXPECT_THAT(log, Not(HasSubstr("secret_query")));
}

// Header bytes gRPC refuses in metadata (tabs, non-ASCII) must be turned away by the
// gateway: passed on, they would make gRPC abort the whole process.
TEST_F(GatewayErrorsTest, UnsendableAuthorizationIs401AndTheGatewayStaysUp) {
  for (const std::string& value :
       {std::string("Bearer a\tb"), std::string("Bearer \xC3\xA9"), std::string(9000, 'a')}) {
    Reply r = Request(port_, "GET", "/v1/residents/echo", "", {{"Authorization", value}});
    EXPECT_EQ(r.status, 401) << r.body;
    ExpectErrorBody(r, 16);
  }
  EXPECT_EQ(gateway_->WaitExit(std::chrono::milliseconds(0)), -1) << "gateway exited";
  EXPECT_EQ(Request(port_, "GET", "/healthz").status, 200);
}

TEST_F(GatewayErrorsTest, StillServingAfterAllBadInput) {
  Request(port_, "POST", "/v1/residents", "{\"name\":", {{"Content-Type", "application/json"}});
  Request(port_, "POST", "/v1/residents", std::string(2 << 20, 'x'));
  Request(port_, "GET", "/v1/residents/echo", "", {{"Authorization", "Bearer \x01"}});
  Request(port_, "DELETE", "/v1/residents/echo");
  Request(port_, "GET", "/no/such/route");
  EXPECT_EQ(gateway_->WaitExit(std::chrono::milliseconds(0)), -1) << "gateway exited";
  EXPECT_EQ(Request(port_, "GET", "/healthz").status, 200);
  EXPECT_EQ(Request(port_, "GET", "/v1/residents/echo").status, 200);
}

TEST_F(GatewayErrorsTest, JsonErrorsDoNotEchoTheBody) {
  Reply r = Request(port_, "POST", "/v1/residents",
                    R"({"name":"x","idNumber":"410181199003071236" "areaCode":"a"})",
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.body.find("410181199003071236"), std::string::npos) << r.body;
}

// A second gateway whose identity upstream is down (nothing listens on its port).
TEST_F(GatewayErrorsTest, DownUpstreamIs503AndNotReady) {
  ChildProcess other("gateway/gateway_server", GatewayEnv(FreePort(), fake_port_));
  const int port = other.WaitForPort("http_port");
  Reply r = Request(port, "GET", "/v1/residents/r1");
  EXPECT_EQ(r.status, 503) << r.body;
  ExpectErrorBody(r, 14);
  EXPECT_EQ(r.String("message"), "the identity service is unavailable; retry later");

  Reply ready = Request(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_THAT(ready.body, HasSubstr("\"identity\""));
  EXPECT_THAT(ready.body, Not(HasSubstr("checkpoint")));
  EXPECT_EQ(other.Terminate(), 0);
}

// AreaService runs inside identity_server: it is routed over identity's channel, and
// /readyz checks and names that upstream once, not once per service.
TEST_F(GatewayErrorsTest, ServicesOfOneUpstreamShareItsChannelAndReadiness) {
  // The fake identity has no AreaService: the call reached it and it said UNIMPLEMENTED.
  EXPECT_EQ(Request(port_, "GET", "/v1/areas/gongyi.dufulu").status, 501);

  ChildProcess other("gateway/gateway_server", GatewayEnv(FreePort(), fake_port_));
  const int port = other.WaitForPort("http_port");
  Reply area = Request(port, "GET", "/v1/areas/gongyi.dufulu");
  EXPECT_EQ(area.status, 503) << area.body;
  EXPECT_EQ(area.String("message"), "the identity service is unavailable; retry later");
  Reply ready = Request(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  size_t named = 0;
  for (size_t at = ready.body.find("\"identity\""); at != std::string::npos;
       at = ready.body.find("\"identity\"", at + 1)) {
    ++named;
  }
  EXPECT_EQ(named, 1u) << ready.body;
  EXPECT_EQ(other.Terminate(), 0);
}

// SIGTERM lets an in-flight request finish, then the process exits 0.
TEST_F(GatewayErrorsTest, GracefulDrainFinishesInFlightRequests) {
  ChildProcess other("gateway/gateway_server", GatewayEnv(fake_port_, fake_port_));
  const int port = other.WaitForPort("http_port");
  std::future<void> held = fake_->Held();
  std::future<Reply> reply =
      std::async(std::launch::async, [port] { return Request(port, "GET", "/v1/residents/hold"); });
  ASSERT_EQ(held.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  std::future<int> exit_status =
      std::async(std::launch::async, [&other] { return other.Terminate(); });
  // Release the upstream only once the gateway has started draining.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (other.Stderr().find("\"draining\"") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fake_->Release();
  Reply r = reply.get();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(exit_status.get(), 0) << other.Stderr();
}

}  // namespace
}  // namespace fangxian::testing
