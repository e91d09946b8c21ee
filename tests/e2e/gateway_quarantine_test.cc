// End to end over real HTTP: quarantine as the web front ends and the gates see it. Every
// call goes through gateway_server (JSON transcoding, bearer pass-through) to the real
// identity_server, checkpoint_server and quarantine_server, each on its own scratch
// database, sharing the test Redis:
//   1. every quarantine service answers its HTTP mapping (persons of interest and pass
//      status, isolation orders, health check-ins, "love knocking" requests, violations,
//      sweeps), with the JSON error answers of bad input (400 naming the field), refusals
//      (403), unknown ids (404), duplicates (409) and steps out of order
//      (FAILED_PRECONDITION, 400);
//   2. the cross-service flow of issue 5: a fever at the gate reaches quarantine through the
//      alert stream and turns the pass yellow, which the next scan sees; an isolation order
//      turns the household red, the red pass going out is denied and reported as leaving
//      isolation; releasing the order and closing the referral bring the pass back to
//      green, and the gate admits again.
// Checkpoint and quarantine share an alert stream of their own (FX_ALERT_STREAM), so tests
// running in parallel never read each other's alerts.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/redis.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/identity/id_number.h"
#include "tests/support/direct_stores.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using google::protobuf::Struct;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kAdminPassword[] = "e2e admin password";
constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

// A valid ID number (GB 11643) from its first 17 characters.
std::string IdNumber(const std::string& first17) {
  return first17 + std::string(1, identity::IdCheckCharacter(first17));
}

// A China calendar day `offset` days from today, "YYYY-MM-DD".
std::string ChinaDay(int offset = 0) {
  return common::IsoDate(common::ChinaToday(absl::Now()) + offset);
}

class GatewayQuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisAt();
    identity_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "e2eqid",
                                                   tokens_, IdentityWithAdminEnv(kAdminPassword));
    ASSERT_TRUE(identity_->WaitUntilServing());
    const std::string identity_addr =
        absl::StrCat("127.0.0.1:", identity_->process().WaitForPort("grpc_port"));

    // Both trust identity's key (the admin signs in there; checkpoint forwards the
    // operator's token to quarantine) and the test key (tokens minted here).
    const std::string keys = absl::StrCat(IdentityPublicKeys(), ",", tokens_.public_keys());
    alert_stream_ = "fx:test:e2e:alerts:" + NewUuid();
    quarantine_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "e2eq", tokens_,
        std::map<std::string, std::string>{{"FX_TOKEN_PUBLIC_KEYS", keys},
                                           {"FX_IDENTITY_ADDR", identity_addr},
                                           {"FX_ALERT_STREAM", alert_stream_},
                                           {"FX_EVENTS_POLL_MS", "20"},
                                           {"FX_OUTBOX_POLL_MS", "20"}});
    ASSERT_TRUE(quarantine_->WaitUntilServing());
    const std::string quarantine_addr =
        absl::StrCat("127.0.0.1:", quarantine_->process().WaitForPort("grpc_port"));

    checkpoint_ = std::make_unique<ServiceUnderTest>(
        "services/checkpoint/checkpoint_server", "e2eqcp", tokens_,
        std::map<std::string, std::string>{
            {"FX_TOKEN_PUBLIC_KEYS", keys},
            {"FX_IDENTITY_ADDR", identity_addr},
            {"FX_QUARANTINE_ADDR", quarantine_addr},
            {"FX_ALERT_STREAM", alert_stream_},
            {"FX_OUTBOX_POLL_MS", "20"},
            // No in-process memory of passes and colours: each scan reads the colour
            // quarantine published (Redis, else GetPassStatus).
            {"FX_PASSAGE_LOCAL_CACHE_MS", "0"},
            // No unstaffed-post alerts: the alerts are exactly what the passages raised.
            {"FX_UNSTAFFED_GRACE_S", "86400"}});
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    const std::string checkpoint_addr =
        absl::StrCat("127.0.0.1:", checkpoint_->process().WaitForPort("grpc_port"));

    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server", GatewayServerEnv({{"FX_IDENTITY_ADDR", identity_addr},
                                                    {"FX_CHECKPOINT_ADDR", checkpoint_addr},
                                                    {"FX_QUARANTINE_ADDR", quarantine_addr},
                                                    {"FX_LOG_LEVEL", "WARNING"}}));
    http_port_ = gateway_->WaitForPort("http_port");
    SetScene();
  }

  void TearDown() override {
    if (redis_ && !alert_stream_.empty()) redis_->Del(alert_stream_);
  }

  // One request through the gateway, as `token` (empty: anonymous).
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return HttpRequest(http_port_, method, target, body, headers);
  }

  // A call that must succeed; its JSON body (empty, with a failure recorded, otherwise).
  Struct Ok(const std::string& method, const std::string& target, const std::string& token,
            const std::string& body = "") {
    HttpResponse r = Call(method, target, token, body);
    EXPECT_EQ(r.status, 200) << method << " " << target << ": " << r.body;
    return r.status == 200 ? ParseJson(r.body) : Struct();
  }

  // A resident registered in jingyuan by the admin; returns the resident id.
  std::string AddResident(const std::string& name, const std::string& first17) {
    const Struct r = Ok("POST", "/v1/residents", admin_,
                        absl::StrCat(R"({"name":")", name, R"(","idNumber":")", IdNumber(first17),
                                     R"(","areaCode":")", kJingyuan, R"("})"));
    EXPECT_EQ(JsonString(r, "residentId").size(), 36u);
    return JsonString(r, "residentId");
  }

  // The scene in identity, set over HTTP by the bootstrap admin (subdistrict_admin over
  // gongyi): the areas; Zhang (head) and Li in one household of jingyuan, Zhang with a
  // pass; Wang, a returnee, in no household.
  void SetScene() {
    const Struct login =
        Ok("POST", "/v1/auth/login", "",
           absl::StrCat(R"({"username":"admin","password":")", kAdminPassword, R"("})"));
    admin_ = JsonString(login, "accessToken");
    admin_id_ = JsonString(login, "accountId");
    ASSERT_FALSE(admin_.empty());
    for (const auto& [parent, code, level] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"gongyi", "dufulu", "AREA_LEVEL_SUBDISTRICT"},
             {"gongyi.dufulu", "longhai", "AREA_LEVEL_COMMUNITY"},
             {kLonghai, "jingyuan", "AREA_LEVEL_COMPOUND"},
             {"gongyi.dufulu", "yimin", "AREA_LEVEL_COMMUNITY"}}) {
      Ok("POST", "/v1/areas", admin_,
         absl::StrCat(R"({"parentPath":")", parent, R"(","code":")", code,
                      R"(","name":"区域","level":")", level, R"("})"));
    }
    zhang_ = AddResident("张建国", "41018119800517123");
    li_ = AddResident("李红", "41018119820811234");
    wang_ = AddResident("王磊", "41018119900307123");
    household_ =
        JsonString(Ok("POST", "/v1/households", admin_,
                      absl::StrCat(R"({"areaCode":")", kJingyuan,
                                   R"(","room":"3-201","headResidentId":")", zhang_, R"("})")),
                   "householdId");
    ASSERT_EQ(household_.size(), 36u);
    Ok("POST", "/v1/households/" + household_ + "/members", admin_,
       R"({"residentId":")" + li_ + R"("})");
    zhang_pass_ =
        JsonString(Ok("POST", "/v1/residents/" + zhang_ + "/pass", admin_, "{}"), "token");
    ASSERT_FALSE(zhang_pass_.empty());
  }

  // A new lower-case UUID (staff account ids are UUIDs).
  std::string NewUuid() { return identity_->Query("SELECT gen_random_uuid()::text").at(0); }

  // GetPassStatus through the gateway, as the admin (who sees the reasons).
  Struct PassStatus(const std::string& resident) {
    return Ok("GET", "/v1/pass-status/" + resident, admin_);
  }
  // The colour and the reason codes, "PASS_COLOUR_YELLOW fever_referral".
  std::string ColourAndReasons(const std::string& resident) {
    const Struct s = PassStatus(resident);
    std::string out = JsonString(s, "colour");
    for (const Struct& r : JsonObjects(s, "reasons"))
      absl::StrAppend(&out, " ", JsonString(r, "code"));
    return out;
  }
  // The shared entry checkpoints read (docs/caching.md, "Pass colour"): "green", "yellow",
  // "red", or "" when missing.
  std::string CachedColour(const std::string& resident) {
    return redis_->Get("fx:quarantine:v1:pass:" + resident).value_or("");
  }

  TestTokens tokens_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string alert_stream_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> quarantine_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::unique_ptr<ChildProcess> gateway_;
  int http_port_ = 0;
  std::string admin_;
  std::string admin_id_;
  std::string zhang_, li_, wang_;
  std::string household_;
  std::string zhang_pass_;
};

TEST_F(GatewayQuarantineTest, EveryQuarantineServiceAnswersThroughTheGateway) {
  const std::string yimin_admin = tokens_.Mint("admin-yimin", {"community_admin"}, {kYimin});
  // Staff token subjects are identity account ids (UUIDs).
  const std::string grid_worker_id = NewUuid();
  const std::string grid_worker = tokens_.Mint(grid_worker_id, {"grid_worker"}, {kJingyuan});

  // ---- QuarantineService: a returnee reported by himself, and his pass.
  const std::string returnee =
      absl::StrCat(R"({"residentId":")", wang_,
                   R"(","category":"CATEGORY_RETURNEE","source":"SOURCE_SELF_REPORT",)",
                   R"("areaCode":")", kJingyuan, R"(","originRegion":"外省某市","arrivalDate":")",
                   ChinaDay(-2), R"(","travelMode":"TRAVEL_MODE_TRAIN"})");
  const Struct person = Ok("POST", "/v1/persons-of-interest", admin_, returnee);
  const std::string person_id = JsonString(person, "personId");
  ASSERT_EQ(person_id.size(), 36u);
  EXPECT_EQ(JsonString(person, "category"), "CATEGORY_RETURNEE");
  EXPECT_EQ(JsonString(person, "source"), "SOURCE_SELF_REPORT");
  EXPECT_EQ(JsonString(person, "riskLevel"), "RISK_LEVEL_LOW");
  EXPECT_EQ(JsonString(person, "state"), "EPISODE_STATE_OPEN");
  EXPECT_EQ(JsonString(person, "arrivalDate"), ChinaDay(-2));
  EXPECT_EQ(JsonString(person, "createdBy"), admin_id_);
  // The same episode again: 409, naming the open record.
  EXPECT_TRUE(
      IsHttpError(Call("POST", "/v1/persons-of-interest", admin_, returnee), 409, 6, person_id));
  // Fever referrals come only from checkpoint alerts; a future arrival is a typo.
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/persons-of-interest", admin_,
           absl::StrCat(R"({"residentId":")", li_,
                        R"(","category":"CATEGORY_FEVER_REFERRAL","source":"SOURCE_CHECKPOINT",)",
                        R"("areaCode":")", kJingyuan, R"("})")),
      400, 3, "category"));
  EXPECT_TRUE(IsHttpError(
      Call(
          "POST", "/v1/persons-of-interest", admin_,
          absl::StrCat(R"({"residentId":")", li_,
                       R"(","category":"CATEGORY_RETURNEE","source":"SOURCE_SWEEP",)",
                       R"("areaCode":")", kJingyuan, R"(","arrivalDate":")", ChinaDay(3), R"("})")),
      400, 3, "arrival_date"));
  // Another community's admin may not record here: identity does not show them the
  // resident, so they cannot tell the resident exists (404); nor may they list here (403).
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/persons-of-interest", yimin_admin,
           absl::StrCat(R"({"residentId":")", li_, R"(","category":"CATEGORY_CLOSE_CONTACT",)",
                        R"("source":"SOURCE_SWEEP","areaCode":")", kJingyuan,
                        R"(","contactDate":")", ChinaDay(-1), R"("})")),
      404, 5, "resident_id"));
  EXPECT_TRUE(IsHttpError(
      Call("GET", absl::StrCat("/v1/persons-of-interest?areaCode=", kLonghai), yimin_admin), 403,
      7));
  EXPECT_EQ(JsonString(Ok("GET", "/v1/persons-of-interest/" + person_id, admin_), "originRegion"),
            "外省某市");
  EXPECT_TRUE(IsHttpError(Call("GET", absl::StrCat("/v1/persons-of-interest/", kUnknownId), admin_),
                          404, 5));
  const Struct listed =
      Ok("GET",
         absl::StrCat("/v1/persons-of-interest?areaCode=", kLonghai, "&category=CATEGORY_RETURNEE"),
         admin_);
  ASSERT_EQ(JsonObjects(listed, "persons").size(), 1u);
  EXPECT_EQ(JsonString(JsonObjects(listed, "persons")[0], "personId"), person_id);
  EXPECT_EQ(JsonString(Ok("POST", "/v1/persons-of-interest/" + person_id + ":setRiskLevel", admin_,
                          R"({"riskLevel":"RISK_LEVEL_HIGH"})"),
                       "riskLevel"),
            "RISK_LEVEL_HIGH");
  // Within the observation window: yellow, and the admin of the area sees why.
  const Struct wang_pass = PassStatus(wang_);
  EXPECT_EQ(JsonString(wang_pass, "colour"), "PASS_COLOUR_YELLOW");
  ASSERT_EQ(JsonObjects(wang_pass, "reasons").size(), 1u);
  EXPECT_EQ(JsonString(JsonObjects(wang_pass, "reasons")[0], "code"), "returnee_window");
  EXPECT_FALSE(JsonString(JsonObjects(wang_pass, "reasons")[0], "detail").empty());
  // Someone quarantine knows nothing of is green, without an update time.
  const Struct li_pass = PassStatus(li_);
  EXPECT_EQ(JsonString(li_pass, "colour"), "PASS_COLOUR_GREEN");
  EXPECT_FALSE(JsonHas(li_pass, "updateTime"));
  EXPECT_TRUE(
      IsHttpError(Call("GET", "/v1/pass-status/not-a-uuid", admin_), 400, 3, "resident_id"));
  EXPECT_TRUE(IsHttpError(Call("GET", "/v1/pass-status/" + li_, ""), 401, 16));

  // ---- IsolationService: the household of Zhang and Li isolated from today.
  const Struct order = Ok("POST", "/v1/isolation-orders", admin_,
                          absl::StrCat(R"({"householdId":")", household_, R"(","startDate":")",
                                       ChinaDay(), R"(","reason":"密切接触者家庭"})"));
  const std::string order_id = JsonString(order, "orderId");
  ASSERT_EQ(order_id.size(), 36u) << order.DebugString();
  EXPECT_EQ(JsonString(order, "areaCode"), kJingyuan);
  EXPECT_EQ(JsonString(order, "state"), "ISOLATION_ORDER_STATE_ACTIVE");
  EXPECT_EQ(JsonNumber(order, "periodDays"), 14);
  EXPECT_EQ(JsonNumber(order, "checkinsPerDay"), 2);
  EXPECT_EQ(JsonString(order, "endDate"), ChinaDay(14));
  EXPECT_EQ(JsonObjects(order, "members").size(), 2u);
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/isolation-orders", admin_,
                               absl::StrCat(R"({"householdId":")", household_, R"(","startDate":")",
                                            ChinaDay(), R"(","reason":"again"})")),
                          409, 6, order_id));
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/isolation-orders", admin_,
                               absl::StrCat(R"({"householdId":")", kUnknownId, R"(","startDate":")",
                                            ChinaDay(), R"(","reason":"unknown household"})")),
                          404, 5));
  EXPECT_EQ(JsonString(Ok("GET", "/v1/isolation-orders/" + order_id, admin_), "householdId"),
            household_);
  const Struct active = Ok("GET",
                           absl::StrCat("/v1/isolation-orders?areaCode=", kLonghai,
                                        "&state=ISOLATION_ORDER_STATE_ACTIVE"),
                           admin_);
  ASSERT_EQ(JsonObjects(active, "orders").size(), 1u);
  const Struct extended = Ok("POST", "/v1/isolation-orders/" + order_id + ":change-period", admin_,
                             R"({"periodDays":21,"reason":"同住人复检阳性"})");
  EXPECT_EQ(JsonNumber(extended, "periodDays"), 21);
  EXPECT_EQ(JsonString(extended, "endDate"), ChinaDay(21));
  ASSERT_EQ(JsonObjects(extended, "changes").size(), 1u);
  EXPECT_EQ(JsonString(JsonObjects(extended, "changes")[0], "changedBy"), admin_id_);
  // Ending before starting.
  EXPECT_TRUE(
      IsHttpError(Call("POST", "/v1/isolation-orders/" + order_id + ":change-period", admin_,
                       absl::StrCat(R"({"endDate":")", ChinaDay(-1), R"(","reason":"typo"})")),
                  400, 3, "end_date"));
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_RED isolation_order");
  EXPECT_EQ(ColourAndReasons(li_), "PASS_COLOUR_RED isolation_order");

  // ---- HealthCheckInService: Li's check-in, recorded by the admin.
  const Struct check_in =
      Ok("POST", "/v1/residents/" + li_ + "/check-ins", admin_, R"({"temperatureCelsius":36.6})");
  EXPECT_EQ(JsonString(check_in, "orderId"), order_id);
  EXPECT_EQ(JsonString(check_in, "chinaDay"), ChinaDay());
  EXPECT_DOUBLE_EQ(JsonNumber(check_in, "temperatureCelsius"), 36.6);
  EXPECT_FALSE(JsonHas(check_in, "abnormal"));
  EXPECT_EQ(JsonString(check_in, "recordedBy"), admin_id_);
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/residents/" + li_ + "/check-ins", admin_, R"({"temperatureCelsius":45})"),
      400, 3, "temperature_celsius"));
  // Check-in for someone not isolated.
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/residents/" + wang_ + "/check-ins", admin_,
                               R"({"temperatureCelsius":36.6})"),
                          400, 9));
  const Struct check_ins =
      Ok("GET",
         absl::StrCat("/v1/residents/", li_, "/check-ins?fromDate=", ChinaDay(),
                      "&toDate=", ChinaDay()),
         admin_);
  ASSERT_EQ(JsonObjects(check_ins, "checkIns").size(), 1u);
  EXPECT_EQ(JsonString(JsonObjects(check_ins, "checkIns")[0], "checkInId"),
            JsonString(check_in, "checkInId"));

  // ---- ServiceRequestService: the household asks for groceries; a volunteer delivers.
  const Struct request =
      Ok("POST", "/v1/service-requests", admin_,
         absl::StrCat(
             R"({"householdId":")", household_,
             R"(","kind":"SERVICE_REQUEST_KIND_PURCHASE","items":"大米一袋、青菜两斤",)",
             R"("contactName":"张建国","deliveryAddress":"靖园3-201","phone":"13800138000"})"));
  const std::string request_id = JsonString(request, "requestId");
  ASSERT_EQ(request_id.size(), 36u) << request.DebugString();
  EXPECT_EQ(JsonString(request, "status"), "SERVICE_REQUEST_STATUS_OPEN");
  EXPECT_EQ(JsonString(request, "orderId"), order_id);
  const std::string volunteer_id = NewUuid();
  EXPECT_EQ(JsonString(Ok("POST", "/v1/service-requests/" + request_id + ":assign", admin_,
                          R"({"volunteerId":")" + volunteer_id + R"("})"),
                       "status"),
            "SERVICE_REQUEST_STATUS_ASSIGNED");
  const std::string volunteer = tokens_.Mint(volunteer_id, {"volunteer"}, {kJingyuan});
  const Struct assignments = Ok("GET", "/v1/volunteer/assignments", volunteer);
  ASSERT_EQ(JsonObjects(assignments, "assignments").size(), 1u);
  const Struct view = JsonObjects(assignments, "assignments")[0];
  EXPECT_EQ(JsonString(view, "requestId"), request_id);
  EXPECT_EQ(JsonString(view, "phone"), "13800138000");
  EXPECT_FALSE(JsonHas(view, "householdId"));  // only what the delivery needs
  const Struct started =
      Ok("POST", "/v1/service-requests/" + request_id + ":start", volunteer, "{}");
  EXPECT_EQ(JsonString(started, "status"), "SERVICE_REQUEST_STATUS_IN_PROGRESS");
  // Another volunteer cannot tell the request exists.
  const std::string other_volunteer = tokens_.Mint(NewUuid(), {"volunteer"}, {kJingyuan});
  EXPECT_TRUE(
      IsHttpError(Call("GET", "/v1/volunteer/assignments/" + request_id, other_volunteer), 404, 5));

  // ---- ViolationService: Wang's concealment, reported for review.
  const Struct violation =
      Ok("POST", "/v1/violations", admin_,
         absl::StrCat(R"({"residentId":")", wang_, R"(","areaCode":")", kJingyuan,
                      R"(","kind":"VIOLATION_KIND_CONCEALMENT","description":"隐瞒外省旅居史"})"));
  const std::string violation_id = JsonString(violation, "violationId");
  ASSERT_EQ(violation_id.size(), 36u) << violation.DebugString();
  EXPECT_EQ(JsonString(violation, "status"), "VIOLATION_STATUS_REPORTED");
  EXPECT_EQ(JsonString(violation, "recordedBy"), admin_id_);
  // Only officers record; an outcome needs a confirmed violation first.
  EXPECT_TRUE(
      IsHttpError(Call("POST", "/v1/violations", grid_worker,
                       absl::StrCat(R"({"residentId":")", wang_, R"(","areaCode":")", kJingyuan,
                                    R"(","kind":"VIOLATION_KIND_CONCEALMENT","description":"x"})")),
                  403, 7));
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/violations/" + violation_id + ":setOutcome", admin_,
                               R"({"outcome":"VIOLATION_OUTCOME_WARNING"})"),
                          400, 9));
  const Struct violations = Ok("GET", "/v1/violations?residentId=" + wang_, grid_worker);
  ASSERT_EQ(JsonObjects(violations, "violations").size(), 1u);
  EXPECT_EQ(JsonString(JsonObjects(violations, "violations")[0], "kind"),
            "VIOLATION_KIND_CONCEALMENT");

  // ---- SweepService: a sweep of jingyuan, its first round and a visit.
  const Struct sweep = Ok("POST", "/v1/sweeps", admin_,
                          absl::StrCat(R"({"name":"第一轮全域排查","areaCode":")", kJingyuan,
                                       R"(","teams":[{"name":"第一组","memberSubjects":[")",
                                       grid_worker_id, R"("]}]})"));
  const std::string sweep_id = JsonString(sweep, "sweepId");
  ASSERT_EQ(sweep_id.size(), 36u) << sweep.DebugString();
  EXPECT_FALSE(JsonHas(sweep, "currentRound"));
  const Struct round = Ok("POST", "/v1/sweeps/" + sweep_id + "/rounds", admin_, R"({"round":1})");
  EXPECT_EQ(JsonNumber(round, "round"), 1);
  EXPECT_EQ(JsonNumber(round, "households"), 1);
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/sweeps/" + sweep_id + "/rounds", admin_, R"({"round":1})"), 409, 6));
  const std::string visits = "/v1/sweeps/" + sweep_id + "/rounds/1/visits";
  const Struct visit = Ok("POST", visits, grid_worker,
                          absl::StrCat(R"({"householdId":")", household_,
                                       R"(","outcome":"VISIT_OUTCOME_VISITED","team":"第一组"})"));
  EXPECT_EQ(JsonString(JsonObject(visit, "visit"), "outcome"), "VISIT_OUTCOME_VISITED");
  EXPECT_EQ(JsonString(JsonObject(visit, "visit"), "recordedBy"), grid_worker_id);
  EXPECT_TRUE(IsHttpError(Call("POST", visits, grid_worker,
                               absl::StrCat(R"({"householdId":")", household_,
                                            R"(","outcome":"VISIT_OUTCOME_VISITED"})")),
                          400, 3, "team"));
  const Struct coverage = Ok("GET", "/v1/sweeps/" + sweep_id + "/rounds/1/coverage", grid_worker);
  const Struct total = JsonObject(coverage, "total");
  EXPECT_EQ(JsonNumber(total, "households"), 1);
  EXPECT_EQ(JsonNumber(total, "visited"), 1);
  EXPECT_DOUBLE_EQ(JsonNumber(total, "coverage"), 1.0);

  // ---- QuarantineStatisticsService: the dashboard's figures of all the above.
  const Struct summary =
      Ok("GET", absl::StrCat("/v1/quarantine-statistics/summary?areaCode=", kLonghai), admin_);
  const Struct figures = JsonObject(summary, "total");
  EXPECT_EQ(JsonString(summary, "areaCode"), kLonghai);
  EXPECT_EQ(JsonString(JsonObject(figures, "personsOfInterest"), "returnees"), "1");
  EXPECT_EQ(JsonString(figures, "householdsIsolatedNow"), "1");
  EXPECT_EQ(JsonString(figures, "peopleIsolatedNow"), "2");
  EXPECT_EQ(JsonString(JsonObject(figures, "violationsByStatus"), "reported"), "1");
  const Struct daily = Ok("GET",
                          absl::StrCat("/v1/quarantine-statistics/daily?areaCode=", kLonghai,
                                       "&fromDate=", ChinaDay(), "&toDate=", ChinaDay()),
                          admin_);
  ASSERT_EQ(JsonObjects(daily, "days").size(), 1u) << daily.DebugString();
  const Struct today = JsonObjects(daily, "days")[0];
  EXPECT_EQ(JsonString(today, "date"), ChinaDay());
  EXPECT_EQ(JsonString(today, "returneesRegistered"), "1");
  EXPECT_EQ(JsonString(today, "peoplePlaced"), "2");
  EXPECT_EQ(JsonString(JsonObject(today, "sweepVisits"), "visited"), "1");
  EXPECT_TRUE(IsHttpError(Call("GET",
                               absl::StrCat("/v1/quarantine-statistics/daily?areaCode=", kLonghai,
                                            "&fromDate=", ChinaDay(), "&toDate=", ChinaDay(-1)),
                               admin_),
                          400, 3, "from_date"));
  EXPECT_TRUE(IsHttpError(
      Call("GET", absl::StrCat("/v1/quarantine-statistics/summary?areaCode=", kLonghai), volunteer),
      403, 7));

  // ---- Releasing the order: green again; a released order cannot be extended.
  const Struct released = Ok("POST", "/v1/isolation-orders/" + order_id + ":release", admin_,
                             R"({"reason":"隔离期满，核酸阴性"})");
  EXPECT_EQ(JsonString(released, "state"), "ISOLATION_ORDER_STATE_RELEASED");
  EXPECT_EQ(JsonString(released, "releasedBy"), admin_id_);
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/isolation-orders/" + order_id + ":change-period",
                               admin_, R"({"periodDays":28,"reason":"extend"})"),
                          400, 9));
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/isolation-orders/" + order_id + ":release", admin_,
                               R"({"reason":"again"})"),
                          400, 9));
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_GREEN");
  EXPECT_EQ(ColourAndReasons(li_), "PASS_COLOUR_GREEN");
}

TEST_F(GatewayQuarantineTest, AFeverAtTheGateTurnsThePassYellowAndIsolationTurnsItRed) {
  const Struct gate =
      Ok("POST", "/v1/checkpoints", admin_,
         absl::StrCat(R"({"name":"靖园东门","kind":"CHECKPOINT_KIND_COMPOUND_GATE",)",
                      R"("areaCodes":[")", kJingyuan, R"("]})"));
  const std::string gate_id = JsonString(gate, "checkpointId");
  ASSERT_EQ(gate_id.size(), 36u);
  const std::string passages = "/v1/checkpoints/" + gate_id + "/passages";
  int scans = 0;
  // Zhang shows his pass at the gate; the admin (on duty over the area) records it.
  auto scan = [&](const std::string& direction, const std::string& temperature) {
    return Ok("POST", passages, admin_,
              absl::StrCat(R"({"requestId":"e2e:)", ++scans, R"(","direction":")", direction,
                           R"(","passToken":")", zhang_pass_, R"(","temperatureCelsius":)",
                           temperature, R"(,"clientTime":")",
                           google::protobuf::util::TimeUtil::ToString(
                               google::protobuf::util::TimeUtil::GetCurrentTime()),
                           R"("})"));
  };

  // ---- a. 37.8 °C: referred with a fever alert, which quarantine reads from the stream
  // and turns into a fever referral: the pass turns yellow.
  const Struct fever = scan("DIRECTION_IN", "37.8");
  EXPECT_EQ(JsonString(fever, "decision"), "DECISION_REFER");
  EXPECT_EQ(JsonStrings(fever, "reasons"), std::vector<std::string>{"REASON_FEVER"});
  EXPECT_EQ(JsonString(fever, "passColour"), "PASS_COLOUR_GREEN");
  EXPECT_EQ(JsonString(JsonObject(fever, "person"), "residentId"), zhang_);
  ASSERT_EQ(JsonStrings(fever, "alertIds").size(), 1u);
  const std::string fever_alert = JsonStrings(fever, "alertIds")[0];

  const std::string referrals = absl::StrCat("/v1/persons-of-interest?areaCode=", kJingyuan,
                                             "&category=CATEGORY_FEVER_REFERRAL");
  Struct found;
  ASSERT_TRUE(Eventually([&] {
    found = Ok("GET", referrals, admin_);
    return !JsonObjects(found, "persons").empty();
  })) << "no fever referral; quarantine: "
      << quarantine_->process().Stderr();
  ASSERT_EQ(JsonObjects(found, "persons").size(), 1u);
  const Struct referral = JsonObjects(found, "persons")[0];
  const std::string referral_id = JsonString(referral, "personId");
  EXPECT_EQ(JsonString(referral, "residentId"), zhang_);
  EXPECT_EQ(JsonString(referral, "source"), "SOURCE_CHECKPOINT");
  EXPECT_EQ(JsonString(referral, "areaCode"), kJingyuan);
  EXPECT_EQ(JsonString(referral, "state"), "EPISODE_STATE_OPEN");
  EXPECT_EQ(JsonString(JsonObject(referral, "referral"), "alertId"), fever_alert);
  EXPECT_EQ(JsonString(JsonObject(referral, "referral"), "checkpointId"), gate_id);
  EXPECT_DOUBLE_EQ(JsonNumber(JsonObject(referral, "referral"), "temperatureCelsius"), 37.8);
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_YELLOW fever_referral");
  EXPECT_EQ(ColourAndReasons(li_), "PASS_COLOUR_GREEN");

  // ---- b. The next scan sees yellow, once quarantine's relay has published it.
  ASSERT_TRUE(Eventually([&] { return CachedColour(zhang_) == "yellow"; }))
      << "cached: " << CachedColour(zhang_);
  const Struct yellow = scan("DIRECTION_IN", "36.5");
  EXPECT_EQ(JsonString(yellow, "decision"), "DECISION_REFER");
  EXPECT_EQ(JsonStrings(yellow, "reasons"), std::vector<std::string>{"REASON_YELLOW_PASS"});
  EXPECT_EQ(JsonString(yellow, "passColour"), "PASS_COLOUR_YELLOW");
  EXPECT_FALSE(JsonHas(yellow, "alertIds"));

  // ---- c. The household is isolated from today: both members red.
  const Struct order = Ok("POST", "/v1/isolation-orders", admin_,
                          absl::StrCat(R"({"householdId":")", household_, R"(","startDate":")",
                                       ChinaDay(), R"(","reason":"发热者同住家庭"})"));
  const std::string order_id = JsonString(order, "orderId");
  ASSERT_EQ(order_id.size(), 36u) << order.DebugString();
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_RED isolation_order fever_referral");
  EXPECT_EQ(ColourAndReasons(li_), "PASS_COLOUR_RED isolation_order");

  // Zhang tries to go out: denied, with a red-pass alert that quarantine reports as
  // leaving isolation (for an officer to confirm; the colour does not change by it).
  ASSERT_TRUE(Eventually([&] { return CachedColour(zhang_) == "red"; }))
      << "cached: " << CachedColour(zhang_);
  const Struct out = scan("DIRECTION_OUT", "36.4");
  EXPECT_EQ(JsonString(out, "decision"), "DECISION_DENY");
  EXPECT_EQ(JsonStrings(out, "reasons"), std::vector<std::string>{"REASON_RED_PASS"});
  EXPECT_EQ(JsonString(out, "passColour"), "PASS_COLOUR_RED");
  ASSERT_EQ(JsonStrings(out, "alertIds").size(), 1u);
  const std::string red_alert = JsonStrings(out, "alertIds")[0];

  Struct reported;
  ASSERT_TRUE(Eventually([&] {
    reported = Ok("GET", "/v1/violations?residentId=" + zhang_, admin_);
    return !JsonObjects(reported, "violations").empty();
  })) << "no violation reported; quarantine: "
      << quarantine_->process().Stderr();
  ASSERT_EQ(JsonObjects(reported, "violations").size(), 1u);
  const Struct violation = JsonObjects(reported, "violations")[0];
  EXPECT_EQ(JsonString(violation, "kind"), "VIOLATION_KIND_LEAVING_ISOLATION");
  EXPECT_EQ(JsonString(violation, "status"), "VIOLATION_STATUS_REPORTED");
  EXPECT_EQ(JsonString(violation, "sourceEventId"), red_alert);
  EXPECT_EQ(JsonString(violation, "areaCode"), kJingyuan);
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_RED isolation_order fever_referral");

  // ---- d. The officer releases the order: yellow again (the referral is still open);
  // closing the referral makes the pass green, and the gate admits him.
  EXPECT_EQ(JsonString(Ok("POST", "/v1/isolation-orders/" + order_id + ":release", admin_,
                          R"({"reason":"核酸阴性，解除隔离"})"),
                       "state"),
            "ISOLATION_ORDER_STATE_RELEASED");
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_YELLOW fever_referral");
  EXPECT_EQ(ColourAndReasons(li_), "PASS_COLOUR_GREEN");
  EXPECT_EQ(JsonString(Ok("POST", "/v1/persons-of-interest/" + referral_id + ":close", admin_,
                          R"({"note":"复测体温正常，排除发热"})"),
                       "state"),
            "EPISODE_STATE_CLOSED");
  EXPECT_EQ(ColourAndReasons(zhang_), "PASS_COLOUR_GREEN");
  ASSERT_TRUE(Eventually([&] { return CachedColour(zhang_) == "green"; }))
      << "cached: " << CachedColour(zhang_);
  const Struct admitted = scan("DIRECTION_IN", "36.5");
  EXPECT_EQ(JsonString(admitted, "decision"), "DECISION_ADMIT");
  EXPECT_FALSE(JsonHas(admitted, "reasons"));
  EXPECT_EQ(JsonString(admitted, "passColour"), "PASS_COLOUR_GREEN");

  // The gate's log holds the four scans; the fever and the red pass raised one alert each.
  EXPECT_EQ(checkpoint_->Count("checkpoint.passages"), "4");
  const Struct alerts = Ok("GET", "/v1/alerts", admin_);
  ASSERT_EQ(JsonObjects(alerts, "alerts").size(), 2u);
  EXPECT_EQ(JsonString(JsonObjects(alerts, "alerts")[0], "alertId"), red_alert);
  EXPECT_EQ(JsonString(JsonObjects(alerts, "alerts")[1], "alertId"), fever_alert);
}

}  // namespace
}  // namespace fangxian::testing
