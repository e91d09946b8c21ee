// End to end over real HTTP: curl-like requests -> gateway_server -> identity_server ->
// PostgreSQL, and back. Asserts what the caller sees and what was stored.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

google::protobuf::Struct ParseJson(const std::string& body) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &s).ok()) << body;
  return s;
}

std::string Field(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

class GatewayIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dsn_ = CreateScratchDatabase("e2e");
    std::map<std::string, std::string> env = IdentityKeysEnv();
    env["FX_GRPC_ADDR"] = "127.0.0.1:0";
    env["FX_PG_DSN"] = dsn_;
    env["FX_REDIS_ADDR"] = RedisAddr();
    env["FX_TOKEN_PUBLIC_KEYS"] = tokens_.public_keys();
    env["FX_BOOTSTRAP_ADMIN_USERNAME"] = "admin";
    env["FX_BOOTSTRAP_ADMIN_PASSWORD"] = "e2e admin password";
    env["FX_BOOTSTRAP_ADMIN_AREA"] = "gongyi";
    identity_ = std::make_unique<ChildProcess>("services/identity/identity_server", env);
    const int identity_port = identity_->WaitForPort("grpc_port");
    ASSERT_EQ(WaitForHealth(*LocalChannel(identity_port), "SERVING"), "SERVING");
    // Only identity is up; the other upstreams point at a closed port.
    const std::string closed = "127.0.0.1:" + std::to_string(FreePort());
    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server",
        std::map<std::string, std::string>{
            {"FX_HTTP_ADDR", "127.0.0.1:0"},
            {"FX_IDENTITY_ADDR", "127.0.0.1:" + std::to_string(identity_port)},
            {"FX_CHECKPOINT_ADDR", closed},
            {"FX_QUARANTINE_ADDR", closed},
            {"FX_PUBLICITY_ADDR", closed}});
    http_port_ = gateway_->WaitForPort("http_port");
    token_ = tokens_.Mint("registrar-7", {"info_registrar"}, {"gongyi.dufulu"});
  }

  std::map<std::string, std::string> Auth() const {
    return {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  }

  TestTokens tokens_;
  std::string dsn_;
  std::unique_ptr<ChildProcess> identity_;
  std::unique_ptr<ChildProcess> gateway_;
  int http_port_ = 0;
  std::string token_;
};

TEST_F(GatewayIdentityTest, CreateAndReadAResidentOverHttp) {
  const std::string id_number =
      "41018119900307123" + std::string(1, identity::IdCheckCharacter("41018119900307123"));
  const std::string body = R"({"name":"李晓霞","idNumber":")" + id_number +
                           R"(","phone":"13812345678","areaCode":"gongyi.dufulu.longhai"})";
  auto headers = Auth();
  headers["X-Request-Id"] = "e2e-create-1";
  HttpResponse created = HttpRequest(http_port_, "POST", "/v1/residents", body, headers);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.headers["x-request-id"], "e2e-create-1");
  EXPECT_NE(created.headers["content-type"].find("application/json"), std::string::npos);
  auto json = ParseJson(created.body);
  const std::string resident_id = Field(json, "residentId");
  ASSERT_EQ(resident_id.size(), 36u) << created.body;
  EXPECT_EQ(Field(json, "idNumber"), identity::MaskIdNumber(id_number));
  EXPECT_EQ(Field(json, "phone"), "138****5678");
  EXPECT_EQ(Field(json, "areaCode"), "gongyi.dufulu.longhai");
  EXPECT_EQ(created.body.find(id_number), std::string::npos);

  HttpResponse got = HttpRequest(http_port_, "GET", "/v1/residents/" + resident_id, "", Auth());
  ASSERT_EQ(got.status, 200) << got.body;
  auto got_json = ParseJson(got.body);
  EXPECT_EQ(Field(got_json, "name"), "李晓霞");
  EXPECT_EQ(Field(got_json, "residentId"), resident_id);
  EXPECT_FALSE(got.headers["x-request-id"].empty());

  // What was stored: one row, created by the token's subject, ID number not in clear.
  PGconn* c = PQconnectdb(dsn_.c_str());
  PGresult* r = PQexecParams(
      c,
      "SELECT name, area_code, created_by, position($2 in encode(id_number_sealed,'escape')) "
      "FROM identity.residents WHERE resident_id = $1",
      2, nullptr, std::vector<const char*>{resident_id.c_str(), id_number.c_str()}.data(), nullptr,
      nullptr, 0);
  ASSERT_EQ(PQntuples(r), 1) << PQerrorMessage(c);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "李晓霞");
  EXPECT_STREQ(PQgetvalue(r, 0, 1), "gongyi.dufulu.longhai");
  EXPECT_STREQ(PQgetvalue(r, 0, 2), "registrar-7");
  EXPECT_STREQ(PQgetvalue(r, 0, 3), "0");
  PQclear(r);
  PQfinish(c);
}

TEST_F(GatewayIdentityTest, ErrorsCarryTheStandardHttpStatusAndJsonBody) {
  const std::string id_number = "41018119900307124";  // wrong check character
  HttpResponse bad = HttpRequest(
      http_port_, "POST", "/v1/residents",
      R"({"name":"x","idNumber":")" + id_number + R"(","areaCode":"gongyi.dufulu"})", Auth());
  EXPECT_EQ(bad.status, 400);
  auto err = ParseJson(bad.body);
  EXPECT_EQ(err.fields().at("code").number_value(), 3);
  EXPECT_NE(Field(err, "message").find("id_number"), std::string::npos) << bad.body;

  HttpResponse unauth =
      HttpRequest(http_port_, "GET", "/v1/residents/123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(ParseJson(unauth.body).fields().at("code").number_value(), 16);

  HttpResponse missing = HttpRequest(
      http_port_, "GET", "/v1/residents/123e4567-e89b-12d3-a456-426614174000", "", Auth());
  EXPECT_EQ(missing.status, 404);

  HttpResponse malformed = HttpRequest(http_port_, "POST", "/v1/residents", "{\"name\":", Auth());
  EXPECT_EQ(malformed.status, 400);
  HttpResponse no_route = HttpRequest(http_port_, "GET", "/v1/nothing-here", "", Auth());
  EXPECT_EQ(no_route.status, 404);

  // The checkpoint upstream is down: 503, and the gateway stays up.
  HttpResponse down = HttpRequest(
      http_port_, "GET", "/v1/checkpoints/123e4567-e89b-12d3-a456-426614174000", "", Auth());
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find("checkpoint service is unavailable"), std::string::npos) << down.body;
  EXPECT_EQ(down.body.find("127.0.0.1"), std::string::npos) << down.body;
  EXPECT_EQ(HttpRequest(http_port_, "GET", "/healthz").status, 200);
  EXPECT_EQ(HttpRequest(http_port_, "GET", "/readyz").status, 503);
}

TEST_F(GatewayIdentityTest, LogInRefreshAndLogOutOverHttp) {
  const std::map<std::string, std::string> json = {{"Content-Type", "application/json"}};
  HttpResponse bad = HttpRequest(http_port_, "POST", "/v1/auth/login",
                                 R"({"username":"admin","password":"wrong password!"})", json);
  EXPECT_EQ(bad.status, 401) << bad.body;
  HttpResponse login = HttpRequest(http_port_, "POST", "/v1/auth/login",
                                   R"({"username":"admin","password":"e2e admin password"})", json);
  ASSERT_EQ(login.status, 200) << login.body;
  auto session = ParseJson(login.body);
  const std::string access = Field(session, "accessToken");
  const std::string refresh = Field(session, "refreshToken");
  ASSERT_FALSE(access.empty());
  ASSERT_FALSE(Field(session, "accessTokenExpireTime").empty());

  // The token identity issued works through the gateway.
  auto auth = json;
  auth["Authorization"] = "Bearer " + access;
  HttpResponse me =
      HttpRequest(http_port_, "GET", "/v1/staff/" + Field(session, "accountId"), "", auth);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Field(ParseJson(me.body), "username"), "admin");

  HttpResponse refreshed = HttpRequest(http_port_, "POST", "/v1/auth/refresh",
                                       R"({"refreshToken":")" + refresh + R"("})", json);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string access2 = Field(ParseJson(refreshed.body), "accessToken");
  auth["Authorization"] = "Bearer " + access2;
  EXPECT_EQ(HttpRequest(http_port_, "POST", "/v1/auth/logout", "{}", auth).status, 200);
  HttpResponse after =
      HttpRequest(http_port_, "GET", "/v1/staff/" + Field(session, "accountId"), "", auth);
  EXPECT_EQ(after.status, 401) << after.body;

  HttpResponse keys = HttpRequest(http_port_, "GET", "/v1/auth/keys");
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_NE(keys.body.find("\"kid\":\"k1\""), std::string::npos) << keys.body;
}

}  // namespace
}  // namespace fangxian::testing
