// Black-box tests of the gateway's front door against bad input (issue 7, "Bad input"):
// the real gateway_server in front of in-test fake upstreams (IdentityService, and bench's
// EchoService for event streams), driven over raw TCP so a request can be sent in parts,
// slowly, pipelined or oversized. Each test checks the status the bad client gets AND that
// a well-behaved client is served (200) while the bad request is still in progress.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "fangxian/bench/v1/echo.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "tests/support/fake_upstream_gateway.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kHeaderTimeoutMs = 300;
constexpr int kReadTimeoutMs = 300;
constexpr int kMaxBodyBytes = 1 << 20;
constexpr auto kWait = std::chrono::seconds(10);

// ---- Fake upstreams.

class FakeIdentity final : public identity::v1::IdentityService::Service {
 public:
  grpc::Status GetResident(grpc::ServerContext*, const identity::v1::GetResidentRequest* req,
                           identity::v1::Resident* out) override {
    out->set_resident_id(req->resident_id());
    return grpc::Status::OK;
  }
  grpc::Status CreateResident(grpc::ServerContext*, const identity::v1::CreateResidentRequest* req,
                              identity::v1::Resident* out) override {
    *out = req->resident();
    out->set_resident_id("r-1");
    return grpc::Status::OK;
  }
};

class FakeEcho final : public bench::v1::EchoService::Service {
 public:
  grpc::Status StreamEcho(grpc::ServerContext*, const bench::v1::StreamEchoRequest* req,
                          grpc::ServerWriter<bench::v1::StreamEchoResponse>* writer) override {
    bench::v1::StreamEchoResponse out;
    out.set_text(req->text());
    for (int i = 0; i < req->count(); ++i) {
      out.set_index(i);
      writer->Write(out);
    }
    return grpc::Status::OK;
  }
};

// ---- A raw HTTP/1.x client: sends any bytes, in any pieces; reads responses with a
// deadline (Beast's parser), including close-delimited ones.

class RawClient {
 public:
  explicit RawClient(int port) : fd_(ConnectLoopback(port)) {}
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // False once the server no longer takes bytes (it closed, or reset the connection).
  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // The next response; status 0 when none came whole within `timeout`.
  HttpResponse Read(std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 << 20);
    HttpResponse out;
    while (!parser.is_done()) {
      boost::beast::error_code ec;
      if (!pending_.empty()) {
        const size_t used = parser.put(boost::asio::buffer(pending_), ec);
        pending_.erase(0, used);
        if (ec && ec != http::error::need_more) return out;
        if (parser.is_done() || (used > 0 && !pending_.empty())) continue;
      }
      const int got = Fill(deadline);
      if (got < 0) return out;
      if (got == 0) {  // end of stream: ends a close-delimited body
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return out;
      }
    }
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      out.headers[absl::AsciiStrToLower(std::string(f.name_string()))] = std::string(f.value());
    }
    out.headers[":version"] = std::to_string(res.version());
    out.body = res.body();
    return out;
  }

  // True when the server ends the connection (EOF or reset) within `timeout`, with no
  // further bytes.
  bool ClosedByServer(std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const size_t before = pending_.size();
    while (true) {
      const int got = Fill(deadline);
      if (got == 0 || got == -2) return pending_.size() == before;
      if (got < 0) return false;
    }
  }

 private:
  // Appends what arrives by `deadline`: >0 bytes read, 0 end of stream, -1 nothing in
  // time, -2 connection reset.
  int Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return -1;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return -2;
    pending_.append(buf, static_cast<size_t>(n));
    return static_cast<int>(n);
  }

  int fd_;
  std::string pending_;
};

std::string Get(const std::string& target, const std::string& extra_headers = "") {
  return absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: gw\r\n", extra_headers, "\r\n");
}

std::string Post(const std::string& target, const std::string& body) {
  return absl::StrCat("POST ", target,
                      " HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                      "Content-Length: ",
                      body.size(), "\r\n\r\n", body);
}

// ---- Fixture: the fakes and one gateway for the whole suite.

class GatewayBadInputTest : public FakeUpstreamGatewayTest<FakeIdentity> {
 protected:
  static std::map<std::string, std::string> Env(int identity_port,
                                                std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = GatewayServerEnv({
        {"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", identity_port)},
        {"FX_BENCH_ADDR", absl::StrCat("127.0.0.1:", echo_port_)},
        {"FX_HTTP_HEADER_TIMEOUT_MS", std::to_string(kHeaderTimeoutMs)},
        {"FX_HTTP_READ_TIMEOUT_MS", std::to_string(kReadTimeoutMs)},
        {"FX_MAX_BODY_BYTES", std::to_string(kMaxBodyBytes)},
        {"FX_RATE_LIMIT_RPS", "0"},  // these tests send bursts from one address
    });
    for (auto& [k, v] : extra) env[k] = v;
    return env;
  }

  static void SetUpTestSuite() {
    echo_ = new FakeEcho;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &echo_port_);
    builder.RegisterService(echo_);
    echo_server_ = builder.BuildAndStart().release();
    ASSERT_NE(echo_server_, nullptr);
    StartSuite([](int fake_port) { return Env(fake_port); });
  }

  static void TearDownTestSuite() {
    StopSuite();
    echo_server_->Shutdown(std::chrono::system_clock::now());
    delete echo_server_;
    delete echo_;
  }

  // A well-behaved client, on its own connection, gets its answer.
  static void ExpectOthersServed(int port = port_) {
    HttpResponse r = HttpRequest(port, "GET", "/v1/residents/good");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(r.body, HasSubstr("\"residentId\":\"good\""));
  }

  // Sends `request` up to `split`, checks that others are served meanwhile, sends the
  // rest and returns the answer.
  static HttpResponse SendInTwoParts(RawClient& c, const std::string& request,
                                     size_t split = std::string::npos) {
    if (split == std::string::npos) split = request.size() / 2;
    EXPECT_TRUE(c.Send(request.substr(0, split)));
    ExpectOthersServed();
    c.Send(request.substr(split));  // the server may have answered already
    return c.Read();
  }

  static HttpResponse SendInTwoParts(const std::string& request) {
    RawClient c(port_);
    return SendInTwoParts(c, request);
  }

  static inline FakeEcho* echo_ = nullptr;
  static inline grpc::Server* echo_server_ = nullptr;
  static inline int echo_port_ = 0;
};

TEST_F(GatewayBadInputTest, MalformedJsonIs400) {
  HttpResponse r = SendInTwoParts(Post("/v1/residents", R"({"name": "a", "areaCode": )"));
  EXPECT_TRUE(IsHttpError(r, 400, 3, "not valid JSON"));
}

TEST_F(GatewayBadInputTest, JsonNested100000LevelsIs400) {
  const std::string body =
      absl::StrCat(R"({"name":)", std::string(100000, '['), std::string(100000, ']'), "}");
  HttpResponse r = SendInTwoParts(Post("/v1/residents", body));
  EXPECT_TRUE(IsHttpError(r, 400, 3, "not valid JSON"));
  EXPECT_EQ(gateway_->WaitExit(std::chrono::milliseconds(0)), -1) << "gateway exited";
}

TEST_F(GatewayBadInputTest, WrongFieldTypesAre400) {
  for (const char* body : {R"({"name":{"a":1}})", R"({"name":"a","visitor":[true]})",
                           R"({"name":"a","createTime":"yesterday"})", R"(["name"])"}) {
    SCOPED_TRACE(body);
    HttpResponse r = SendInTwoParts(Post("/v1/residents", body));
    EXPECT_TRUE(IsHttpError(r, 400, 3, "not valid JSON"));
  }
}

TEST_F(GatewayBadInputTest, UnknownFieldsAre400) {
  HttpResponse r = SendInTwoParts(Post("/v1/residents", R"({"name":"a","nmae":"b"})"));
  EXPECT_TRUE(IsHttpError(r, 400, 3, "nmae"));
  HttpResponse q = SendInTwoParts(Get("/v1/residents/r1?colour=red"));
  EXPECT_TRUE(IsHttpError(q, 400, 3, "unknown query parameter"));
}

TEST_F(GatewayBadInputTest, NonUtf8BytesAre400) {
  // In a JSON string of the body.
  HttpResponse body = SendInTwoParts(Post("/v1/residents", "{\"name\":\"\xff\xfe\"}"));
  EXPECT_TRUE(IsHttpError(body, 400, 3));
  // Percent-encoded in the query and in a path variable.
  HttpResponse query = SendInTwoParts(Get("/v1/residents?areaCode=gongyi&namePrefix=%FF%FE"));
  EXPECT_TRUE(IsHttpError(query, 400, 3, "UTF-8"));
  HttpResponse path = SendInTwoParts(Get("/v1/residents/%C3%28"));
  EXPECT_TRUE(IsHttpError(path, 400, 3, "UTF-8"));
  // Raw in the request target (Beast's parser lets bytes over 0x7F through).
  HttpResponse raw = SendInTwoParts(Get("/v1/residents/\xff"));
  EXPECT_TRUE(IsHttpError(raw, 400, 3, "UTF-8"));
}

TEST_F(GatewayBadInputTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  RawClient c(port_);
  const std::string body = R"({"name": "a", "areaCode": )";
  ASSERT_TRUE(
      c.Send(absl::StrCat("POST /v1/residents HTTP/1.1\r\nHost: gw\r\n"
                          "Expect: 100-continue\r\nContent-Length: ",
                          body.size(), "\r\n\r\n")));
  // The interim answer comes while the body is held back; then the body is read.
  EXPECT_EQ(c.Read().status, 100);
  ASSERT_TRUE(c.Send(body));
  EXPECT_TRUE(IsHttpError(c.Read(), 400, 3, "not valid JSON"));

  // Too large a body is refused at once, never invited.
  RawClient big(port_);
  ASSERT_TRUE(
      big.Send("POST /v1/residents HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\n"
               "Content-Length: 10485760\r\n\r\n"));
  EXPECT_TRUE(IsHttpError(big.Read(), 413, 8, "larger than"));
}

TEST_F(GatewayBadInputTest, TenMegabyteBodyIs413AndTheClientReadsIt) {
  // Content-Length: refused as soon as the header is read, while the client still sends.
  RawClient c(port_);
  const size_t size = 10 << 20;
  ASSERT_TRUE(c.Send(absl::StrCat(
      "POST /v1/residents HTTP/1.1\r\nHost: gw\r\nContent-Length: ", size, "\r\n\r\n")));
  const std::string piece(1 << 20, 'x');
  ASSERT_TRUE(c.Send(piece));
  ExpectOthersServed();
  for (size_t sent = piece.size(); sent < size; sent += piece.size()) {
    ASSERT_TRUE(c.Send(piece)) << "reset after " << sent << " bytes";
  }
  HttpResponse r = c.Read();
  EXPECT_TRUE(IsHttpError(r, 413, 8, "larger than"));
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(GatewayBadInputTest, TenMegabyteChunkedBodyIs413AndTheClientReadsIt) {
  RawClient c(port_);
  ASSERT_TRUE(
      c.Send("POST /v1/residents HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = absl::StrCat("10000\r\n", std::string(0x10000, 'x'), "\r\n");
  for (int i = 0; i < 160; ++i) {  // 160 x 64 KiB = 10 MiB
    ASSERT_TRUE(c.Send(chunk)) << "reset after " << i << " chunks";
    if (i == 40) ExpectOthersServed();  // past the limit, still uploading
  }
  ASSERT_TRUE(c.Send("0\r\n\r\n"));
  HttpResponse r = c.Read();
  EXPECT_TRUE(IsHttpError(r, 413, 8, "larger than"));
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(GatewayBadInputTest, ThousandHeadersAre431) {
  std::string headers;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&headers, "X-H", i, ": v\r\n");
  ASSERT_LT(headers.size(), 16u * 1024) << "under the size limit: the count is what is refused";
  HttpResponse r = SendInTwoParts(Get("/v1/residents/good", headers));
  EXPECT_TRUE(IsHttpError(r, 431, 3, "more than 100 fields"));

  // 90 fields (under the default 100) are served.
  std::string fewer;
  for (int i = 0; i < 90; ++i) absl::StrAppend(&fewer, "X-H", i, ": v\r\n");
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/v1/residents/ok", fewer)));
  EXPECT_EQ(c.Read().status, 200);
}

TEST_F(GatewayBadInputTest, DotSegmentsAndEncodedSlashesInAPathAre400) {
  for (const char* target :
       {"/v1/residents/..", "/v1/residents/../residents/r1", "/v1/residents/%2E%2E",
        "/v1/residents/.%2e", "/v1/residents/..%2Fadmin", "/v1/residents/a%2Fb",
        "/v1/residents/a%2fb", "/v1/residents/a%5Cb", "/v1/areas/%2E"}) {
    SCOPED_TRACE(target);
    HttpResponse r = SendInTwoParts(Get(target));
    EXPECT_TRUE(IsHttpError(r, 400, 3, "path segment"));
  }
  // Dots and escapes that are not a traversal still reach the upstream.
  HttpResponse dots = HttpRequest(port_, "GET", "/v1/residents/a..b");
  EXPECT_EQ(dots.status, 200);
  EXPECT_THAT(dots.body, HasSubstr("\"residentId\":\"a..b\""));
  HttpResponse percent = HttpRequest(port_, "GET", "/v1/residents/a%252Fb");
  EXPECT_EQ(percent.status, 200);
  EXPECT_THAT(percent.body, HasSubstr("\"residentId\":\"a%2Fb\""));
}

TEST_F(GatewayBadInputTest, PathPolicyKeepsTheConnection) {
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/v1/residents/%2E%2E")));
  EXPECT_TRUE(IsHttpError(c.Read(), 400, 3));
  ASSERT_TRUE(c.Send(Get("/v1/residents/next")));
  HttpResponse r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"residentId\":\"next\""));
}

TEST_F(GatewayBadInputTest, UnknownRouteIs404) {
  HttpResponse r = SendInTwoParts(Get("/v1/nothing/here"));
  EXPECT_TRUE(IsHttpError(r, 404, 5, "no route"));
}

TEST_F(GatewayBadInputTest, WrongMethodIs405WithAllow) {
  HttpResponse r = SendInTwoParts("DELETE /v1/residents HTTP/1.1\r\nHost: gw\r\n\r\n");
  EXPECT_TRUE(IsHttpError(r, 405, 12));
  EXPECT_EQ(r.headers["allow"], "GET, POST");
}

TEST_F(GatewayBadInputTest, Http10IsAnsweredInKindAndClosed) {
  RawClient c(port_);
  HttpResponse r = SendInTwoParts(c, "GET /v1/residents/old HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers[":version"], "10");
  EXPECT_THAT(r.body, HasSubstr("\"residentId\":\"old\""));
  EXPECT_TRUE(c.ClosedByServer()) << "HTTP/1.0 without keep-alive";

  // With Connection: keep-alive, a 1.0 client may send a second request.
  RawClient kept(port_);
  ASSERT_TRUE(kept.Send("GET /v1/residents/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_EQ(kept.Read().status, 200);
  ASSERT_TRUE(kept.Send("GET /v1/residents/b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  HttpResponse second = kept.Read();
  EXPECT_EQ(second.status, 200);
  EXPECT_THAT(second.body, HasSubstr("\"residentId\":\"b\""));
}

TEST_F(GatewayBadInputTest, EventStreamToHttp10IsCloseDelimited) {
  RawClient c(port_);
  HttpResponse r = SendInTwoParts(c, "GET /v1/echo:stream?text=old&count=2 HTTP/1.0\r\n\r\n", 20);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers[":version"], "10");
  EXPECT_EQ(r.headers.count("transfer-encoding"), 0u) << "no chunked encoding in HTTP/1.0";
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  EXPECT_THAT(r.body, HasSubstr("id: 1\ndata: {\"text\":\"old\"}\n\n"));
  EXPECT_THAT(r.body, HasSubstr("id: 2\ndata: {\"text\":\"old\",\"index\":1}\n\n"));
  EXPECT_THAT(r.body, Not(HasSubstr("\r\n0\r\n"))) << r.body;
}

TEST_F(GatewayBadInputTest, PipelinedRequestsAreAnsweredInOrder) {
  RawClient c(port_);
  const std::string requests =
      absl::StrCat(Get("/v1/residents/first"), Get("/v1/nothing"),
                   Post("/v1/residents", R"({"name":"Zhang"})"), Get("/v1/residents/last"));
  // The second half starts inside the second request.
  HttpResponse first = SendInTwoParts(c, requests, Get("/v1/residents/first").size() + 10);
  EXPECT_EQ(first.status, 200);
  EXPECT_THAT(first.body, HasSubstr("\"residentId\":\"first\""));
  EXPECT_TRUE(IsHttpError(c.Read(), 404, 5));
  HttpResponse created = c.Read();
  EXPECT_EQ(created.status, 200);
  EXPECT_THAT(created.body, HasSubstr("\"name\":\"Zhang\""));
  HttpResponse last = c.Read();
  EXPECT_EQ(last.status, 200);
  EXPECT_THAT(last.body, HasSubstr("\"residentId\":\"last\""));
}

// A client trickling its header (a byte every 100 ms: faster than the header timeout, so
// only a deadline on the whole header stops it) gets 408 and is disconnected.
TEST_F(GatewayBadInputTest, HeaderSentOneByteAtATimeIs408) {
  RawClient c(port_);
  const std::string request = Get("/v1/residents/slow", "X-Padding: 0123456789\r\n");
  std::atomic<bool> stop{false};
  std::atomic<size_t> sent{0};
  const auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    while (!stop && sent < request.size()) {
      if (!c.Send(request.substr(sent, 1))) return;
      ++sent;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client's pace
    }
  });
  ExpectOthersServed();
  HttpResponse r = c.Read();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  stop = true;
  sender.join();
  EXPECT_TRUE(IsHttpError(r, 408, 4, "header did not arrive within 300 ms"));
  EXPECT_LT(sent.load(), request.size()) << "the whole header went through";
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(r.headers["connection"], "close");
}

TEST_F(GatewayBadInputTest, BodyThatStopsArrivingIs408) {
  RawClient c(port_);
  ASSERT_TRUE(c.Send("POST /v1/residents HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n{"));
  ExpectOthersServed();
  HttpResponse r = c.Read();
  EXPECT_TRUE(IsHttpError(r, 408, 4, "body did not arrive"));
  EXPECT_TRUE(c.ClosedByServer());
}

TEST_F(GatewayBadInputTest, IdleConnectionIsClosedWithoutAnAnswer) {
  RawClient idle(port_);
  ASSERT_TRUE(idle.connected());
  ExpectOthersServed();
  EXPECT_TRUE(idle.ClosedByServer()) << "closed silently after the header timeout";

  // Likewise between keep-alive requests.
  RawClient kept(port_);
  ASSERT_TRUE(kept.Send(Get("/v1/residents/a")));
  EXPECT_EQ(kept.Read().status, 200);
  EXPECT_TRUE(kept.ClosedByServer());
}

// A second gateway that takes 3 connections: the 4th gets 503 and is closed within about
// 100 ms (not lingering like a served one), counted in a metric rather than logged; the 3
// keep being served; once one closes, a new client is served again.
TEST_F(GatewayBadInputTest, ConnectionsOverTheCapGet503) {
  ChildProcess gateway("gateway/gateway_server",
                       Env(fake_port_, {{"FX_HTTP_MAX_CONNECTIONS", "3"},
                                        {"FX_HTTP_HEADER_TIMEOUT_MS", "30000"},
                                        {"FX_METRICS_PORT", "0"}}));
  const int port = gateway.WaitForPort("http_port");
  const int metrics_port = gateway.WaitForPort("metrics_port");
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(port));
    ASSERT_TRUE(held.back()->Send(Get("/v1/residents/held")));
    ASSERT_EQ(held.back()->Read().status, 200) << "connection " << i;
  }
  RawClient over(port);
  HttpResponse refused = over.Read();
  EXPECT_TRUE(IsHttpError(refused, 503, 14, "too many open connections"));
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_TRUE(over.ClosedByServer());
  // The descriptor goes soon: whatever the client still sends is soon refused (a served
  // connection drains for 2 s).
  const auto refused_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(Eventually([&over] { return !over.Send(std::string(1024, 'x')); },
                         std::chrono::milliseconds(1500)));
  EXPECT_LT(std::chrono::steady_clock::now() - refused_at, std::chrono::milliseconds(1500));
  const std::string metrics = HttpRequest(metrics_port, "GET", "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("\nfx_gateway_connections_refused_total 1\n")) << metrics;
  EXPECT_THAT(gateway.Stderr(), Not(HasSubstr("\"status\":503"))) << "not access-logged";

  for (auto& c : held) {
    ASSERT_TRUE(c->Send(Get("/v1/residents/still")));
    EXPECT_EQ(c->Read().status, 200);
  }
  held.pop_back();  // closes one
  EXPECT_TRUE(Eventually([port] { return HttpRequest(port, "GET", "/healthz").status == 200; }));
  EXPECT_EQ(gateway.Terminate(), 0);
}

TEST_F(GatewayBadInputTest, LogsCarryNoQueryStrings) {
  SendInTwoParts(Get("/v1/residents/%2E%2E?token=very-secret"));
  SendInTwoParts(Get("/v1/residents/x?secret_query=1", std::string(20000, 'x') + ": y\r\n"));
  const std::string log = gateway_->Stderr();
  EXPECT_THAT(log, Not(HasSubstr("very-secret")));
  EXPECT_THAT(log, Not(HasSubstr("secret_query")));
}

}  // namespace
}  // namespace fangxian::testing
