// End to end over real HTTP: curl-like requests -> gateway_server -> identity_server ->
// PostgreSQL, and back. Asserts what the caller sees and what was stored.
#include <gtest/gtest.h>

#include <libpq-fe.h>
#include <tuple>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

class GatewayIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ =
        std::make_unique<ServiceUnderTest>("services/identity/identity_server", "e2e", tokens_,
                                           IdentityWithAdminEnv("e2e admin password"));
    ASSERT_TRUE(identity_->WaitUntilServing());
    dsn_ = identity_->dsn();
    // Only identity is up; the other upstreams point at a closed port.
    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server",
        GatewayServerEnv(
            {{"FX_IDENTITY_ADDR",
              "127.0.0.1:" + std::to_string(identity_->process().WaitForPort("grpc_port"))}}));
    http_port_ = gateway_->WaitForPort("http_port");
    token_ = tokens_.Mint("registrar-7", {"info_registrar"}, {"gongyi.dufulu"});
  }

  std::map<std::string, std::string> Auth() const {
    return {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}};
  }

  TestTokens tokens_;
  std::string dsn_;
  std::unique_ptr<ServiceUnderTest> identity_;
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
  const std::string resident_id = JsonString(json, "residentId");
  ASSERT_EQ(resident_id.size(), 36u) << created.body;
  EXPECT_EQ(JsonString(json, "idNumber"), identity::MaskIdNumber(id_number));
  EXPECT_EQ(JsonString(json, "phone"), "138****5678");
  EXPECT_EQ(JsonString(json, "areaCode"), "gongyi.dufulu.longhai");
  EXPECT_EQ(created.body.find(id_number), std::string::npos);

  HttpResponse got = HttpRequest(http_port_, "GET", "/v1/residents/" + resident_id, "", Auth());
  ASSERT_EQ(got.status, 200) << got.body;
  auto got_json = ParseJson(got.body);
  EXPECT_EQ(JsonString(got_json, "name"), "李晓霞");
  EXPECT_EQ(JsonString(got_json, "residentId"), resident_id);
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
  EXPECT_NE(JsonString(err, "message").find("id_number"), std::string::npos) << bad.body;

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
  const std::string access = JsonString(session, "accessToken");
  const std::string refresh = JsonString(session, "refreshToken");
  ASSERT_FALSE(access.empty());
  ASSERT_FALSE(JsonString(session, "accessTokenExpireTime").empty());

  // The token identity issued works through the gateway.
  auto auth = json;
  auth["Authorization"] = "Bearer " + access;
  HttpResponse me =
      HttpRequest(http_port_, "GET", "/v1/staff/" + JsonString(session, "accountId"), "", auth);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(JsonString(ParseJson(me.body), "username"), "admin");

  HttpResponse refreshed = HttpRequest(http_port_, "POST", "/v1/auth/refresh",
                                       R"({"refreshToken":")" + refresh + R"("})", json);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string access2 = JsonString(ParseJson(refreshed.body), "accessToken");
  auth["Authorization"] = "Bearer " + access2;
  EXPECT_EQ(HttpRequest(http_port_, "POST", "/v1/auth/logout", "{}", auth).status, 200);
  HttpResponse after =
      HttpRequest(http_port_, "GET", "/v1/staff/" + JsonString(session, "accountId"), "", auth);
  EXPECT_EQ(after.status, 401) << after.body;

  HttpResponse keys = HttpRequest(http_port_, "GET", "/v1/auth/keys");
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_NE(keys.body.find("\"kid\":\"k1\""), std::string::npos) << keys.body;
}

// The checkpoint story over HTTP: areas, a resident, a household, a pass resolved at a
// gate in another community, and the audit trail an auditor reads.
TEST_F(GatewayIdentityTest, AreasHouseholdsPassesAndAuditOverHttp) {
  const std::string admin = tokens_.Mint("admin-9", {"subdistrict_admin"}, {"gongyi"});
  auto as = [](const std::string& token) {
    return std::map<std::string, std::string>{{"Authorization", "Bearer " + token},
                                              {"Content-Type", "application/json"}};
  };
  for (const auto& [parent, code, level] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"gongyi", "dufulu", "AREA_LEVEL_SUBDISTRICT"},
           {"gongyi.dufulu", "longhai", "AREA_LEVEL_COMMUNITY"},
           {"gongyi.dufulu.longhai", "jingyuan", "AREA_LEVEL_COMPOUND"}}) {
    HttpResponse r = HttpRequest(http_port_, "POST", "/v1/areas",
                                 R"({"parentPath":")" + parent + R"(","code":")" + code +
                                     R"(","name":"区域","level":")" + level + R"("})",
                                 as(admin));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpResponse area =
      HttpRequest(http_port_, "GET", "/v1/areas/gongyi.dufulu.longhai.jingyuan", "", as(admin));
  ASSERT_EQ(area.status, 200) << area.body;

  const std::string first17 = "41018119750612123";
  const std::string id_number = first17 + std::string(1, identity::IdCheckCharacter(first17));
  HttpResponse created = HttpRequest(http_port_, "POST", "/v1/residents",
                                     R"({"name":"赵丽","idNumber":")" + id_number +
                                         R"(","areaCode":"gongyi.dufulu.longhai.jingyuan"})",
                                     as(admin));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string resident_id = JsonString(ParseJson(created.body), "residentId");

  HttpResponse household = HttpRequest(
      http_port_, "POST", "/v1/households",
      R"({"areaCode":"gongyi.dufulu.longhai.jingyuan","room":"1-101","headResidentId":")" +
          resident_id + R"("})",
      as(admin));
  ASSERT_EQ(household.status, 200) << household.body;
  const std::string card = JsonString(ParseJson(household.body), "cardNumber");
  ASSERT_FALSE(card.empty());

  HttpResponse pass =
      HttpRequest(http_port_, "POST", "/v1/residents/" + resident_id + "/pass", "{}", as(admin));
  ASSERT_EQ(pass.status, 200) << pass.body;
  const std::string token = JsonString(ParseJson(pass.body), "token");
  const std::string gate = tokens_.Mint("gate-3", {"code_verifier"}, {"gongyi.dufulu.yimin"});
  HttpResponse who = HttpRequest(http_port_, "POST", "/v1/passes/resolve",
                                 R"({"token":")" + token + R"("})", as(gate));
  ASSERT_EQ(who.status, 200) << who.body;
  auto summary = ParseJson(who.body);
  EXPECT_EQ(JsonString(summary, "name"), "赵丽");
  EXPECT_EQ(JsonString(summary, "householdCardNumber"), card);
  EXPECT_EQ(JsonString(summary, "idNumber"), identity::MaskIdNumber(id_number));
  EXPECT_EQ(who.body.find(id_number), std::string::npos);
  HttpResponse forged = HttpRequest(http_port_, "POST", "/v1/passes/resolve",
                                    R"({"token":"fxp1.AAAA.BBBB"})", as(gate));
  EXPECT_EQ(forged.status, 400) << forged.body;

  const std::string auditor = tokens_.Mint("aud-3", {"auditor"}, {"gongyi.dufulu"});
  HttpResponse audit = HttpRequest(
      http_port_, "GET", "/v1/audit-entries?subjectType=resident&subjectId=" + resident_id, "",
      as(auditor));
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("resident.pass_issue"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("resident.create"), std::string::npos) << audit.body;
  EXPECT_EQ(HttpRequest(http_port_, "GET", "/v1/audit-entries", "", as(gate)).status, 403);
  // Another community's admin gets 404 for the resident, exactly like a missing one.
  const std::string other =
      tokens_.Mint("yimin-admin", {"community_admin"}, {"gongyi.dufulu.yimin"});
  HttpResponse hidden =
      HttpRequest(http_port_, "GET", "/v1/residents/" + resident_id, "", as(other));
  HttpResponse missing = HttpRequest(
      http_port_, "GET", "/v1/residents/123e4567-e89b-12d3-a456-426614174000", "", as(other));
  EXPECT_EQ(hidden.status, 404) << hidden.body;
  EXPECT_EQ(JsonString(ParseJson(hidden.body), "message"),
            JsonString(ParseJson(missing.body), "message"));
}

}  // namespace
}  // namespace fangxian::testing
