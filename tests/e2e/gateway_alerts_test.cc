// End to end over real HTTP: the command centre's live alert screen. An EventSource-style
// GET /v1/alerts:stream with a bearer token -> gateway_server (Server-Sent Events) ->
// checkpoint_server's AlertService.StreamAlerts; alerts raised through checkpoint's alert
// writer (alert + outbox in one transaction, relayed to the Redis Stream) arrive as events.
// The subdistrict admin signs in through identity over HTTP; another community's admin
// (a token signed by the test key, which checkpoint also trusts) never sees them.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "services/checkpoint/alert_writer.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/grpc_client.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/sse_client.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using checkpoint::AlertKind;
using checkpoint::NewAlert;

constexpr auto kWait = std::chrono::seconds(15);
constexpr char kLonghai[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin.north";

class GatewayAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ =
        std::make_unique<ServiceUnderTest>("services/identity/identity_server", "e2ealertsid",
                                           tokens_, IdentityWithAdminEnv("e2e admin password"));
    ASSERT_TRUE(identity_->WaitUntilServing());
    const std::string identity_addr =
        absl::StrCat("127.0.0.1:", identity_->process().WaitForPort("grpc_port"));

    checkpoint_ = std::make_unique<ServiceUnderTest>(
        "services/checkpoint/checkpoint_server", "e2ealerts", tokens_,
        std::map<std::string, std::string>{
            {"FX_TOKEN_PUBLIC_KEYS",
             absl::StrCat(IdentityPublicKeys(), ",", tokens_.public_keys())},
            {"FX_IDENTITY_ADDR", identity_addr},
            {"FX_OUTBOX_POLL_MS", "20"}});
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    const int checkpoint_port = checkpoint_->process().WaitForPort("grpc_port");

    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server",
        GatewayServerEnv({{"FX_IDENTITY_ADDR", identity_addr},
                          {"FX_CHECKPOINT_ADDR", absl::StrCat("127.0.0.1:", checkpoint_port)}}));
    http_port_ = gateway_->WaitForPort("http_port");

    common::PgPool::Options pg;
    pg.dsn = checkpoint_->dsn();
    pg.size = 2;
    pg_ = std::make_unique<common::PgPool>(pg);
    longhai_gate_ = AddCheckpoint(kLonghai);
    yimin_gate_ = AddCheckpoint(kYimin);
  }

  std::string AddCheckpoint(const std::string& area) {
    return InsertCheckpoint([this](const std::string& sql) { return checkpoint_->Query(sql); },
                            area);
  }

  // A fever alert raised as the passage log raises it; returns its id.
  std::string RaiseFever(const std::string& checkpoint_id, const std::string& area) {
    NewAlert a;
    a.kind = AlertKind::kFever;
    a.checkpoint_id = checkpoint_id;
    a.area_codes = {area};
    a.temperature_celsius = 38.9;
    a.detail = "fever at the gate";
    a.raised_at = absl::Now();
    std::vector<std::string> ids;
    absl::Status s = pg_->Transaction(
        [&](common::PgConn& conn) { return checkpoint::InsertAlerts(conn, {a}, &ids); });
    EXPECT_TRUE(s.ok()) << s;
    return ids.empty() ? "" : ids[0];
  }

  // Signs in through the gateway; returns the access token.
  std::string Login(const std::string& username, const std::string& password) {
    HttpResponse r = HttpRequest(
        http_port_, "POST", "/v1/auth/login",
        absl::StrCat(R"({"username":")", username, R"(","password":")", password, R"("})"),
        {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return JsonString(ParseJson(r.body), "accessToken");
  }

  // The next alert event about this test's checkpoints. Other tests' servers publish to
  // the same stream of the shared test Redis, and the command centre sees all of gongyi.
  std::optional<SseEvent> NextOwnAlert(SseClient& c) {
    for (;;) {
      std::optional<SseEvent> e = c.NextEvent(kWait);
      if (!e) return e;
      const std::string checkpoint = JsonString(ParseJson(e->data), "checkpointId");
      if (checkpoint == longhai_gate_ || checkpoint == yimin_gate_) return e;
    }
  }

  // Opens the alert stream. `since` replays what was raised after it, so an alert raised
  // while the subscription is being set up is not lost (and is never sent twice).
  std::unique_ptr<SseClient> Subscribe(const std::string& token, absl::Time since) {
    auto c = std::make_unique<SseClient>(
        http_port_,
        "/v1/alerts:stream?since=" + google::protobuf::util::TimeUtil::ToString(
                                         google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
                                             absl::ToUnixMicros(since))),
        std::map<std::string, std::string>{{"Authorization", "Bearer " + token}});
    return c;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<common::PgPool> pg_;
  int http_port_ = 0;
  std::string longhai_gate_;
  std::string yimin_gate_;
};

TEST_F(GatewayAlertsTest, RaisedAlertsArriveAsEventsOnlyWithinTheSubscribersScope) {
  const absl::Time since = absl::Now() - absl::Seconds(5);
  const std::string admin = Login("admin", "e2e admin password");
  ASSERT_FALSE(admin.empty());
  const std::string yimin_admin =
      tokens_.Mint("admin-yimin", {"community_admin"}, {"gongyi.dufulu.yimin"});

  std::unique_ptr<SseClient> command_centre = Subscribe(admin, since);
  std::unique_ptr<SseClient> yimin = Subscribe(yimin_admin, since);
  // The header comes with the first event or a keep-alive about a second in.
  ASSERT_TRUE(command_centre->ReadHeader(kWait));
  ASSERT_EQ(command_centre->status, 200);
  EXPECT_EQ(command_centre->Header("content-type"), "text/event-stream; charset=utf-8");
  ASSERT_TRUE(yimin->ReadHeader(kWait));
  ASSERT_EQ(yimin->status, 200);

  const std::string longhai_alert = RaiseFever(longhai_gate_, kLonghai);
  ASSERT_FALSE(longhai_alert.empty());
  std::optional<SseEvent> e = NextOwnAlert(*command_centre);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->event, "");
  google::protobuf::Struct alert = ParseJson(e->data);
  EXPECT_EQ(JsonString(alert, "alertId"), longhai_alert);
  EXPECT_EQ(JsonString(alert, "kind"), "ALERT_KIND_FEVER");
  EXPECT_EQ(JsonString(alert, "checkpointId"), longhai_gate_);

  // Yimin's admin gets yimin's alert, raised after longhai's, as its first event: it
  // never saw longhai's.
  const std::string yimin_alert = RaiseFever(yimin_gate_, kYimin);
  std::optional<SseEvent> y = NextOwnAlert(*yimin);
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(JsonString(ParseJson(y->data), "alertId"), yimin_alert);
  std::optional<SseEvent> next = NextOwnAlert(*command_centre);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(JsonString(ParseJson(next->data), "alertId"), yimin_alert);
}

TEST_F(GatewayAlertsTest, RefusalsBeforeTheStreamOpensAreJsonErrors) {
  HttpResponse anonymous = HttpRequest(http_port_, "GET", "/v1/alerts:stream");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.headers["www-authenticate"], "Bearer");
  EXPECT_EQ(ParseJson(anonymous.body).fields().at("code").number_value(), 16);

  // Asking for another community's area is refused, not silently narrowed.
  const std::string yimin_admin =
      tokens_.Mint("admin-yimin", {"community_admin"}, {"gongyi.dufulu.yimin"});
  HttpResponse outside =
      HttpRequest(http_port_, "GET", "/v1/alerts:stream?areaCode=gongyi.dufulu.longhai", "",
                  {{"Authorization", "Bearer " + yimin_admin}});
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_EQ(ParseJson(outside.body).fields().at("code").number_value(), 7);
}

}  // namespace
}  // namespace fangxian::testing
