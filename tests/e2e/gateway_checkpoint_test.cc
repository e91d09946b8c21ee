// End to end over real HTTP: a day at a compound gate, as the web front ends see it.
// Every call goes through gateway_server (JSON transcoding, bearer pass-through) to the
// real identity_server, checkpoint_server and quarantine_server on scratch databases and
// the test Redis:
//   1. the bootstrap admin signs in and sets the scene in identity: areas, a resident with
//      a household, a car and a pass, a cadre, two volunteers holding the
//      temperature_monitor role over the compound, and another community's admin;
//   2. the admin sets up a checkpoint, checks its kit, names the leading cadre and puts a
//      volunteer on a post of the current shift; the volunteer signs in and clocks in;
//   3. the volunteer records passages (pass colours from quarantine), with replays,
//      conflicts, a bad reading and a colleague who is not on duty;
//   4. the command centre reads and acknowledges alerts, today's live counters, the daily
//      figures, records an inspection and reads the ranking;
//   5. another community's admin is refused everything about this checkpoint.
// JSON is asserted as the caller gets it: lowerCamelCase names, enums by name, 64-bit
// numbers as strings, defaults (false, 0, empty) left out.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "services/identity/id_number.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kAdminPassword[] = "e2e admin password";
constexpr char kStaffPassword[] = "gate duty password 1";

Struct ParseJson(const std::string& body) {
  Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &s).ok()) << body;
  return s;
}

// The field `name` of a JSON object; a null value when absent (the gateway leaves
// default values out).
const Value& Get(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? Value::default_instance() : it->second;
}
std::string Str(const Struct& s, const std::string& name) { return Get(s, name).string_value(); }
double Num(const Struct& s, const std::string& name) { return Get(s, name).number_value(); }
bool Has(const Struct& s, const std::string& name) { return s.fields().count(name) > 0; }
const Struct& Obj(const Struct& s, const std::string& name) { return Get(s, name).struct_value(); }
// The objects of a JSON array field.
std::vector<Struct> Objects(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  for (const Value& v : Get(s, name).list_value().values()) out.push_back(v.struct_value());
  return out;
}
// The strings of a JSON array field (ids, enum names).
std::vector<std::string> Strings(const Struct& s, const std::string& name) {
  std::vector<std::string> out;
  for (const Value& v : Get(s, name).list_value().values()) out.push_back(v.string_value());
  return out;
}

// An error answer: the HTTP status, and the JSON body's gRPC code and message.
::testing::AssertionResult IsError(const HttpResponse& r, int http_status, int grpc_code,
                                   const std::string& message_part = "") {
  const Struct body = ParseJson(r.body);
  if (r.status == http_status && Num(body, "code") == grpc_code &&
      Str(body, "message").find(message_part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "want HTTP " << http_status << " code " << grpc_code << " naming \"" << message_part
         << "\", got HTTP " << r.status << " " << r.body;
}

// The passage figures (statistics.proto Figures): int64, so JSON strings; zero omitted.
struct Figures {
  int persons, vehicles, admitted, denied, referred, fevers;
};
::testing::AssertionResult HasFigures(const Struct& figures, const Figures& want) {
  const std::vector<std::pair<std::string, int>> fields = {
      {"persons", want.persons}, {"vehicles", want.vehicles}, {"admitted", want.admitted},
      {"denied", want.denied},   {"referred", want.referred}, {"fevers", want.fevers}};
  for (const auto& [name, n] : fields) {
    const std::string expected = n == 0 ? "" : std::to_string(n);
    if (Str(figures, name) != expected) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(figures, &json);
      return ::testing::AssertionFailure() << name << " is not " << n << " in " << json;
    }
  }
  return ::testing::AssertionSuccess();
}

std::string NowRfc3339() {
  return google::protobuf::util::TimeUtil::ToString(
      google::protobuf::util::TimeUtil::GetCurrentTime());
}

class GatewayCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::map<std::string, std::string> env = IdentityKeysEnv();
    env["FX_GRPC_ADDR"] = "127.0.0.1:0";
    env["FX_PG_DSN"] = CreateScratchDatabase("e2ecpid");
    env["FX_REDIS_ADDR"] = RedisAddr();
    env["FX_LOG_LEVEL"] = "WARNING";
    env["FX_BOOTSTRAP_ADMIN_USERNAME"] = "admin";
    env["FX_BOOTSTRAP_ADMIN_PASSWORD"] = kAdminPassword;
    env["FX_BOOTSTRAP_ADMIN_AREA"] = "gongyi";
    identity_ = std::make_unique<ChildProcess>("services/identity/identity_server", env);
    const int identity_port = identity_->WaitForPort("grpc_port");
    ASSERT_EQ(WaitForHealth(*LocalChannel(identity_port), "SERVING"), "SERVING");
    const std::string identity_addr = absl::StrCat("127.0.0.1:", identity_port);

    // Checkpoint forwards the caller's token (issued by identity) to quarantine, so both
    // trust identity's key.
    const std::string keys = absl::StrCat(IdentityPublicKeys(), ",", tokens_.public_keys());
    quarantine_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "e2ecpq", tokens_,
        std::map<std::string, std::string>{{"FX_TOKEN_PUBLIC_KEYS", keys}});
    ASSERT_TRUE(quarantine_->WaitUntilServing());
    const std::string quarantine_addr =
        absl::StrCat("127.0.0.1:", quarantine_->process().WaitForPort("grpc_port"));

    checkpoint_ = std::make_unique<ServiceUnderTest>(
        "services/checkpoint/checkpoint_server", "e2ecp", tokens_,
        std::map<std::string, std::string>{
            {"FX_TOKEN_PUBLIC_KEYS", keys},
            {"FX_IDENTITY_ADDR", identity_addr},
            {"FX_QUARANTINE_ADDR", quarantine_addr},
            // One shift a day, so the story cannot straddle a shift change (the day's
            // own boundary, China midnight, is the only one left: "today" needs it).
            {"FX_CHECKPOINT_SHIFTS", "00:00-24:00"},
            // No unstaffed-post alerts here (the staffing watch has its own tests): the
            // alert list is exactly what the passages raised.
            {"FX_UNSTAFFED_GRACE_S", "86400"},
            {"FX_OUTBOX_POLL_MS", "20"}});
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    const int checkpoint_port = checkpoint_->process().WaitForPort("grpc_port");

    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server",
        std::map<std::string, std::string>{
            {"FX_HTTP_ADDR", "127.0.0.1:0"},
            {"FX_IDENTITY_ADDR", identity_addr},
            {"FX_CHECKPOINT_ADDR", absl::StrCat("127.0.0.1:", checkpoint_port)},
            {"FX_QUARANTINE_ADDR", quarantine_addr},
            {"FX_PUBLICITY_ADDR", absl::StrCat("127.0.0.1:", FreePort())},
            {"FX_LOG_LEVEL", "WARNING"}});
    http_port_ = gateway_->WaitForPort("http_port");
  }

  // One request through the gateway, as `token` (empty: anonymous).
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return HttpRequest(http_port_, method, target, body, headers);
  }

  // A call that must succeed; returns its JSON body (empty on failure, with the failure
  // recorded).
  Struct Ok(const std::string& method, const std::string& target, const std::string& token,
            const std::string& body = "") {
    HttpResponse r = Call(method, target, token, body);
    EXPECT_EQ(r.status, 200) << method << " " << target << ": " << r.body;
    return r.status == 200 ? ParseJson(r.body) : Struct();
  }

  struct Session {
    std::string token;
    std::string account_id;
  };
  Session Login(const std::string& username, const std::string& password) {
    const Struct s =
        Ok("POST", "/v1/auth/login", "",
           absl::StrCat(R"({"username":")", username, R"(","password":")", password, R"("})"));
    return {Str(s, "accessToken"), Str(s, "accountId")};
  }

  // A staff account in `area`; returns its account id.
  std::string CreateStaff(const std::string& admin, const std::string& username,
                          const std::string& kind, const std::string& area) {
    const Struct a = Ok("POST", "/v1/staff", admin,
                        absl::StrCat(R"({"username":")", username, R"(","displayName":")", username,
                                     R"(","kind":")", kind, R"(","areaCode":")", area,
                                     R"(","password":")", kStaffPassword, R"("})"));
    EXPECT_EQ(Str(a, "kind"), kind);
    return Str(a, "accountId");
  }

  void Grant(const std::string& admin, const std::string& account_id, const std::string& role,
             const std::string& area) {
    Ok("POST", "/v1/staff/" + account_id + "/grants", admin,
       absl::StrCat(R"({"grant":{"role":")", role, R"(","areaCode":")", area, R"("}})"));
  }

  // A valid ID number (GB 11643) from its first 17 characters.
  static std::string IdNumber(const std::string& first17) {
    return first17 + std::string(1, identity::IdCheckCharacter(first17));
  }

  TestTokens tokens_;
  std::unique_ptr<ChildProcess> identity_;
  std::unique_ptr<ServiceUnderTest> quarantine_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::unique_ptr<ChildProcess> gateway_;
  int http_port_ = 0;
};

TEST_F(GatewayCheckpointTest, ADayAtTheGateThroughTheGateway) {
  // ---- 1. The scene in identity, set by the bootstrap admin over HTTP.
  const Session admin = Login("admin", kAdminPassword);
  ASSERT_FALSE(admin.token.empty());
  for (const auto& [parent, code, level] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"gongyi", "dufulu", "AREA_LEVEL_SUBDISTRICT"},
           {"gongyi.dufulu", "longhai", "AREA_LEVEL_COMMUNITY"},
           {kLonghai, "jingyuan", "AREA_LEVEL_COMPOUND"},
           {"gongyi.dufulu", "yimin", "AREA_LEVEL_COMMUNITY"}}) {
    Ok("POST", "/v1/areas", admin.token,
       absl::StrCat(R"({"parentPath":")", parent, R"(","code":")", code,
                    R"(","name":"区域","level":")", level, R"("})"));
  }

  const std::string zhang_id_number = IdNumber("41018119800517123");
  const Struct zhang = Ok("POST", "/v1/residents", admin.token,
                          absl::StrCat(R"({"name":"张建国","idNumber":")", zhang_id_number,
                                       R"(","areaCode":")", kJingyuan, R"("})"));
  const std::string zhang_id = Str(zhang, "residentId");
  ASSERT_FALSE(zhang_id.empty());
  const Struct household =
      Ok("POST", "/v1/households", admin.token,
         absl::StrCat(R"({"areaCode":")", kJingyuan, R"(","room":"3-201","headResidentId":")",
                      zhang_id, R"("})"));
  const std::string household_id = Str(household, "householdId");
  ASSERT_FALSE(household_id.empty());
  const Struct car = Ok("POST", "/v1/households/" + household_id + "/vehicles", admin.token,
                        R"({"plate":"豫A·12345","kind":"VEHICLE_KIND_PRIVATE"})");
  EXPECT_EQ(Str(car, "plate"), "豫A12345");
  const std::string zhang_pass =
      Str(Ok("POST", "/v1/residents/" + zhang_id + "/pass", admin.token, "{}"), "token");
  ASSERT_FALSE(zhang_pass.empty());

  // Li Hong's pass is red in quarantine (no RPC sets colours yet: its table, directly).
  const std::string li_id_number = IdNumber("41018119920811234");
  const std::string li_id = Str(Ok("POST", "/v1/residents", admin.token,
                                   absl::StrCat(R"({"name":"李红","idNumber":")", li_id_number,
                                                R"(","areaCode":")", kJingyuan, R"("})")),
                                "residentId");
  ASSERT_FALSE(li_id.empty());
  quarantine_->Query(
      "INSERT INTO quarantine.pass_status (resident_id, colour, reason_codes, reason_details, "
      "area_code) VALUES ('" +
      li_id + "', 3, '{isolation_order}', '{home isolation}', '" + kJingyuan + "')");

  const std::string cadre_id = CreateStaff(admin.token, "wang.cadre", "STAFF_KIND_CADRE", kLonghai);
  const std::string volunteer_id =
      CreateStaff(admin.token, "chen.volunteer", "STAFF_KIND_VOLUNTEER", kLonghai);
  const std::string colleague_id =
      CreateStaff(admin.token, "zhou.volunteer", "STAFF_KIND_VOLUNTEER", kLonghai);
  Grant(admin.token, volunteer_id, "temperature_monitor", kJingyuan);
  Grant(admin.token, colleague_id, "temperature_monitor", kJingyuan);
  const std::string yimin_admin_id =
      CreateStaff(admin.token, "yimin.admin", "STAFF_KIND_CADRE", kYimin);
  Grant(admin.token, yimin_admin_id, "community_admin", kYimin);

  // ---- 2. The checkpoint, its kit and its roster.
  const Struct gate =
      Ok("POST", "/v1/checkpoints", admin.token,
         absl::StrCat(R"({"name":"靖园东门","kind":"CHECKPOINT_KIND_COMPOUND_GATE",)",
                      R"("areaCodes":[")", kJingyuan, R"("],"location":"靖园小区东门"})"));
  const std::string gate_id = Str(gate, "checkpointId");
  ASSERT_EQ(gate_id.size(), 36u);
  EXPECT_EQ(Str(gate, "kind"), "CHECKPOINT_KIND_COMPOUND_GATE");
  EXPECT_EQ(Strings(gate, "areaCodes"), std::vector<std::string>{kJingyuan});
  EXPECT_TRUE(Get(gate, "open").bool_value());
  ASSERT_EQ(Objects(gate, "kit").size(), 9u);
  EXPECT_EQ(Str(Objects(gate, "kit")[0], "item"), "KIT_ITEM_FLAG");
  EXPECT_FALSE(Has(Objects(gate, "kit")[0], "state"));  // never checked: UNSPECIFIED

  const Struct kit = Ok(
      "POST", "/v1/checkpoints/" + gate_id + "/kit-checks", admin.token,
      R"({"item":"KIT_ITEM_THERMOMETER_GUN","state":"KIT_ITEM_STATE_PRESENT","note":"电量充足"})");
  ASSERT_EQ(Objects(kit, "kit").size(), 9u);
  const Struct gun = Objects(kit, "kit")[7];
  EXPECT_EQ(Str(gun, "item"), "KIT_ITEM_THERMOMETER_GUN");
  EXPECT_EQ(Str(gun, "state"), "KIT_ITEM_STATE_PRESENT");
  EXPECT_EQ(Str(gun, "note"), "电量充足");
  EXPECT_EQ(Str(gun, "checkedBy"), admin.account_id);
  EXPECT_TRUE(Has(gun, "checkTime"));

  // The server says which day and shift it is now.
  const Struct empty = Ok("GET", "/v1/checkpoints/" + gate_id + "/coverage", admin.token);
  const std::string today = Str(empty, "date");
  ASSERT_EQ(today.size(), 10u) << today;
  const Struct shift = Obj(empty, "shift");
  EXPECT_EQ(Num(shift, "shift"), 1);
  EXPECT_EQ(Strings(empty, "unstaffedPosts"),
            (std::vector<std::string>{"POST_TEMPERATURE_MONITOR", "POST_CODE_VERIFIER",
                                      "POST_ORDER_KEEPER", "POST_INFO_REGISTRAR"}));
  EXPECT_EQ(Str(Objects(empty, "posts")[0], "state"), "POST_STATE_UNASSIGNED");
  EXPECT_FALSE(Has(empty, "leadingCadreSet"));
  const std::string roster = "/v1/checkpoints/" + gate_id + "/roster/" + today;

  // Only a cadre may lead: a volunteer is refused (FAILED_PRECONDITION), the cadre taken.
  EXPECT_TRUE(IsError(
      Call("POST", roster + "/cadre", admin.token, R"({"accountId":")" + volunteer_id + R"("})"),
      400, 9));
  const Struct cadre =
      Ok("POST", roster + "/cadre", admin.token, R"({"accountId":")" + cadre_id + R"("})");
  EXPECT_EQ(Str(cadre, "accountId"), cadre_id);
  EXPECT_EQ(Str(cadre, "date"), today);
  EXPECT_EQ(Str(cadre, "assignedBy"), admin.account_id);

  const Struct assigned =
      Ok("POST", roster + "/assignments", admin.token,
         absl::StrCat(R"({"shift":1,"post":"POST_TEMPERATURE_MONITOR","accountId":")", volunteer_id,
                      R"("})"));
  EXPECT_EQ(Str(assigned, "post"), "POST_TEMPERATURE_MONITOR");
  EXPECT_EQ(Str(assigned, "accountId"), volunteer_id);
  EXPECT_FALSE(Has(assigned, "clockInTime"));

  // The volunteer signs in and clocks in (twice: the device retried; same answer).
  const Session volunteer = Login("chen.volunteer", kStaffPassword);
  ASSERT_EQ(volunteer.account_id, volunteer_id);
  const Struct clocked =
      Ok("POST", "/v1/checkpoints/" + gate_id + "/clock-in", volunteer.token, "{}");
  EXPECT_EQ(Str(clocked, "assignmentId"), Str(assigned, "assignmentId"));
  const std::string clock_in_time = Str(clocked, "clockInTime");
  EXPECT_FALSE(clock_in_time.empty());
  EXPECT_EQ(Str(Ok("POST", "/v1/checkpoints/" + gate_id + "/clock-in", volunteer.token, "{}"),
                "clockInTime"),
            clock_in_time);

  const Struct coverage = Ok("GET", "/v1/checkpoints/" + gate_id + "/coverage", volunteer.token);
  ASSERT_EQ(Objects(coverage, "posts").size(), 4u);
  const Struct monitor = Objects(coverage, "posts")[0];
  EXPECT_EQ(Str(monitor, "post"), "POST_TEMPERATURE_MONITOR");
  EXPECT_EQ(Str(monitor, "state"), "POST_STATE_ON_DUTY");
  EXPECT_EQ(Str(monitor, "accountId"), volunteer_id);
  EXPECT_EQ(Str(monitor, "clockInTime"), clock_in_time);
  EXPECT_EQ(Str(Objects(coverage, "posts")[1], "state"), "POST_STATE_UNASSIGNED");
  EXPECT_EQ(
      Strings(coverage, "unstaffedPosts"),
      (std::vector<std::string>{"POST_CODE_VERIFIER", "POST_ORDER_KEEPER", "POST_INFO_REGISTRAR"}));
  EXPECT_TRUE(Get(coverage, "leadingCadreSet").bool_value());
  EXPECT_EQ(Str(coverage, "leadingCadreAccountId"), cadre_id);
  EXPECT_TRUE(Get(coverage, "checkpointOpen").bool_value());

  // ---- 3. Passages, recorded by the volunteer on duty.
  const std::string passages = "/v1/checkpoints/" + gate_id + "/passages";
  const std::string client_time = NowRfc3339();
  auto person = [&](const std::string& request_id, const std::string& direction,
                    const std::string& who, const std::string& temperature) {
    return absl::StrCat(R"({"requestId":")", request_id, R"(","direction":")", direction, R"(",)",
                        who, R"(,"temperatureCelsius":)", temperature, R"(,"clientTime":")",
                        client_time, R"("})");
  };
  auto vehicle = [&](const std::string& request_id, const std::string& plate) {
    return absl::StrCat(R"({"requestId":")", request_id,
                        R"(","direction":"DIRECTION_IN","vehicle":{"plate":")", plate,
                        R"("},"clientTime":")", client_time, R"("})");
  };
  const std::string with_pass = R"("passToken":")" + zhang_pass + R"(")";

  // A green resident with a pass (quarantine knows nothing of him: GREEN) is admitted.
  const std::string green_body = person("gate1:0001", "DIRECTION_IN", with_pass, "36.5");
  HttpResponse green_http = Call("POST", passages, volunteer.token, green_body);
  ASSERT_EQ(green_http.status, 200) << green_http.body;
  const Struct green = ParseJson(green_http.body);
  const std::string green_id = Str(green, "passageId");
  EXPECT_EQ(green_id.size(), 36u);
  EXPECT_EQ(Str(green, "checkpointId"), gate_id);
  EXPECT_EQ(Str(green, "requestId"), "gate1:0001");
  EXPECT_EQ(Str(green, "direction"), "DIRECTION_IN");
  EXPECT_EQ(Str(green, "decision"), "DECISION_ADMIT");
  EXPECT_FALSE(Has(green, "reasons"));
  EXPECT_EQ(Str(green, "passColour"), "PASS_COLOUR_GREEN");
  EXPECT_DOUBLE_EQ(Num(green, "temperatureCelsius"), 36.5);
  EXPECT_EQ(Str(Obj(green, "person"), "residentId"), zhang_id);
  EXPECT_EQ(Str(Obj(green, "person"), "name"), "张建国");
  EXPECT_EQ(Str(Obj(green, "person"), "idNumber"), identity::MaskIdNumber(zhang_id_number));
  EXPECT_EQ(green_http.body.find(zhang_id_number), std::string::npos);
  EXPECT_EQ(Str(green, "operatorId"), volunteer_id);
  EXPECT_EQ(Str(green, "clientTime"), client_time);
  EXPECT_TRUE(Has(green, "recordTime"));
  EXPECT_FALSE(Has(green, "replayed"));
  EXPECT_FALSE(Has(green, "alertIds"));

  // 37.8 °C: referred, with a fever alert.
  const Struct fever = Ok("POST", passages, volunteer.token,
                          person("gate1:0002", "DIRECTION_IN", with_pass, "37.8"));
  EXPECT_EQ(Str(fever, "decision"), "DECISION_REFER");
  EXPECT_EQ(Strings(fever, "reasons"), std::vector<std::string>{"REASON_FEVER"});
  EXPECT_EQ(Str(fever, "passColour"), "PASS_COLOUR_GREEN");
  EXPECT_DOUBLE_EQ(Num(fever, "temperatureCelsius"), 37.8);
  ASSERT_EQ(Strings(fever, "alertIds").size(), 1u) << "fever passage without its alert";
  const std::string fever_alert = Strings(fever, "alertIds")[0];

  // The household's car comes in; an outside car is turned away with an alert.
  const Struct own_car = Ok("POST", passages, volunteer.token, vehicle("gate1:0003", "豫a 12345"));
  EXPECT_EQ(Str(own_car, "decision"), "DECISION_ADMIT");
  EXPECT_EQ(Str(own_car, "plate"), "豫A12345");
  EXPECT_TRUE(Get(own_car, "vehicleRegistered").bool_value());
  EXPECT_FALSE(Has(own_car, "person"));
  EXPECT_FALSE(Has(own_car, "temperatureCelsius"));
  const Struct outside = Ok("POST", passages, volunteer.token, vehicle("gate1:0004", "豫B54321"));
  EXPECT_EQ(Str(outside, "decision"), "DECISION_DENY");
  EXPECT_EQ(Strings(outside, "reasons"), std::vector<std::string>{"REASON_OUTSIDE_VEHICLE"});
  EXPECT_FALSE(Has(outside, "vehicleRegistered"));
  ASSERT_EQ(Strings(outside, "alertIds").size(), 1u);
  const std::string outside_alert = Strings(outside, "alertIds")[0];

  // Li Hong (red in quarantine) tries to leave with her ID card: denied, red-pass alert.
  const Struct red =
      Ok("POST", passages, volunteer.token,
         person("gate1:0005", "DIRECTION_OUT", R"("idNumber":")" + li_id_number + R"(")", "36.4"));
  EXPECT_EQ(Str(red, "decision"), "DECISION_DENY");
  EXPECT_EQ(Strings(red, "reasons"), std::vector<std::string>{"REASON_RED_PASS"});
  EXPECT_EQ(Str(red, "passColour"), "PASS_COLOUR_RED");
  EXPECT_EQ(Str(Obj(red, "person"), "residentId"), li_id);
  ASSERT_EQ(Strings(red, "alertIds").size(), 1u);
  const std::string red_alert = Strings(red, "alertIds")[0];

  // The device sends the first record again (a lost answer): the same record, replayed.
  const Struct replay = Ok("POST", passages, volunteer.token, green_body);
  EXPECT_EQ(Str(replay, "passageId"), green_id);
  EXPECT_EQ(Str(replay, "decision"), "DECISION_ADMIT");
  EXPECT_EQ(Str(replay, "recordTime"), Str(green, "recordTime"));
  EXPECT_TRUE(Get(replay, "replayed").bool_value());
  // The same request id with other content is a conflict, and a reading of 45 °C is a
  // measuring error; neither stores anything.
  EXPECT_TRUE(IsError(Call("POST", passages, volunteer.token,
                           person("gate1:0001", "DIRECTION_IN", with_pass, "36.6")),
                      409, 6, "request_id"));
  EXPECT_TRUE(IsError(Call("POST", passages, volunteer.token,
                           person("gate1:0006", "DIRECTION_IN", with_pass, "45")),
                      400, 3, "temperature_celsius"));

  // A colleague with the same role but no post this shift may not record.
  const Session colleague = Login("zhou.volunteer", kStaffPassword);
  EXPECT_TRUE(IsError(Call("POST", passages, colleague.token,
                           person("gate2:0001", "DIRECTION_IN", with_pass, "36.5")),
                      403, 7, "clock in first"));

  // The log of the day, newest first: five records, the person by id only.
  const Struct log = Ok("GET", passages, admin.token);
  const std::vector<Struct> recorded = Objects(log, "passages");
  ASSERT_EQ(recorded.size(), 5u) << "stored: " << checkpoint_->Count("checkpoint.passages");
  EXPECT_EQ(Str(recorded[0], "requestId"), "gate1:0005");
  EXPECT_EQ(Str(recorded[4], "passageId"), green_id);
  EXPECT_EQ(Str(Obj(recorded[4], "person"), "residentId"), zhang_id);
  EXPECT_FALSE(Has(Obj(recorded[4], "person"), "name"));
  EXPECT_EQ(Call("GET", passages, admin.token).body.find("张建国"), std::string::npos);

  // ---- 4. The command centre.
  const Struct alerts = Ok("GET", "/v1/alerts", admin.token);
  const std::vector<Struct> raised = Objects(alerts, "alerts");
  ASSERT_EQ(raised.size(), 3u);
  EXPECT_EQ(Str(raised[0], "alertId"), red_alert);
  EXPECT_EQ(Str(raised[0], "kind"), "ALERT_KIND_RED_PASS");
  EXPECT_EQ(Str(raised[0], "residentId"), li_id);
  EXPECT_EQ(Str(raised[1], "alertId"), outside_alert);
  EXPECT_EQ(Str(raised[1], "kind"), "ALERT_KIND_OUTSIDE_VEHICLE");
  EXPECT_EQ(Str(raised[2], "alertId"), fever_alert);
  EXPECT_EQ(Str(raised[2], "kind"), "ALERT_KIND_FEVER");
  EXPECT_EQ(Str(raised[2], "checkpointId"), gate_id);
  EXPECT_EQ(Str(raised[2], "passageId"), Str(fever, "passageId"));
  EXPECT_EQ(Strings(raised[2], "areaCodes"), std::vector<std::string>{kJingyuan});
  EXPECT_DOUBLE_EQ(Num(raised[2], "temperatureCelsius"), 37.8);  // an admin of the area
  EXPECT_FALSE(Has(raised[2], "acknowledgeTime"));

  const Struct acked = Ok("POST", "/v1/alerts/" + fever_alert + ":acknowledge", admin.token,
                          R"({"note":"已转发热门诊"})");
  EXPECT_EQ(Str(acked, "acknowledgedBy"), admin.account_id);
  EXPECT_EQ(Str(acked, "note"), "已转发热门诊");
  EXPECT_TRUE(Has(acked, "acknowledgeTime"));
  EXPECT_TRUE(IsError(Call("POST", "/v1/alerts/" + fever_alert + ":acknowledge", admin.token, "{}"),
                      400, 9));
  const Struct open_alerts = Ok("GET", "/v1/alerts?unacknowledgedOnly=true", admin.token);
  EXPECT_EQ(Objects(open_alerts, "alerts").size(), 2u);
  const Struct fevers =
      Ok("GET", absl::StrCat("/v1/alerts?kinds=ALERT_KIND_FEVER&areaCode=", kLonghai), admin.token);
  ASSERT_EQ(Objects(fevers, "alerts").size(), 1u);
  EXPECT_EQ(Str(Objects(fevers, "alerts")[0], "acknowledgedBy"), admin.account_id);

  // Today's live counters: the counts follow each commit, so poll for them.
  const Figures day = {/*persons=*/3, /*vehicles=*/2, /*admitted=*/2,
                       /*denied=*/2,  /*referred=*/1, /*fevers=*/1};
  const std::string live = absl::StrCat("/v1/checkpoint-statistics/today?areaCode=", kLonghai);
  Struct counters;
  EXPECT_TRUE(Eventually([&] {
    counters = Ok("GET", live, admin.token);
    return static_cast<bool>(HasFigures(Obj(counters, "total"), day));
  })) << HasFigures(Obj(counters, "total"), day).message();
  EXPECT_EQ(Str(counters, "date"), today);
  ASSERT_EQ(Objects(counters, "checkpoints").size(), 1u);
  EXPECT_EQ(Str(Objects(counters, "checkpoints")[0], "checkpointId"), gate_id);
  EXPECT_EQ(Str(Objects(counters, "checkpoints")[0], "name"), "靖园东门");
  EXPECT_TRUE(HasFigures(Obj(Objects(counters, "checkpoints")[0], "figures"), day));

  const Struct daily = Ok("GET",
                          absl::StrCat("/v1/checkpoint-statistics/daily?checkpointId=", gate_id,
                                       "&fromDate=", today, "&toDate=", today),
                          admin.token);
  ASSERT_EQ(Objects(daily, "rows").size(), 1u) << daily.DebugString();
  EXPECT_EQ(Str(Objects(daily, "rows")[0], "date"), today);
  EXPECT_EQ(Str(Objects(daily, "rows")[0], "checkpointId"), gate_id);
  EXPECT_TRUE(HasFigures(Obj(Objects(daily, "rows")[0], "figures"), day));
  ASSERT_EQ(Objects(daily, "dayTotals").size(), 1u);
  EXPECT_TRUE(HasFigures(Obj(daily, "total"), day));

  // An inspection, and the ranking of the community's checkpoints (a road checkpoint
  // nobody inspected comes last, unranked).
  const Struct inspection =
      Ok("POST", "/v1/checkpoints/" + gate_id + "/inspections", admin.token,
         absl::StrCat(R"({"postsStaffed":false,"cadrePresent":true,"kitComplete":true,)",
                      R"("logComplete":true,"score":85,"notes":"夜班登记规范",)",
                      R"("findings":["扫码核查岗无人在岗"],"rectificationDeadline":")", today,
                      R"("})"));
  EXPECT_EQ(Str(inspection, "checkpointId"), gate_id);
  EXPECT_EQ(Str(inspection, "inspectorId"), admin.account_id);
  EXPECT_EQ(Num(inspection, "score"), 85);
  EXPECT_FALSE(Has(inspection, "postsStaffed"));
  ASSERT_EQ(Objects(inspection, "findings").size(), 1u);
  EXPECT_EQ(Str(Objects(inspection, "findings")[0], "state"), "FINDING_STATE_OPEN");
  const std::string road_id =
      Str(Ok("POST", "/v1/checkpoints", admin.token,
             absl::StrCat(R"({"name":"龙海路卡点","kind":"CHECKPOINT_KIND_ROAD","areaCodes":[")",
                          kLonghai, R"("]})")),
          "checkpointId");
  const Struct ranking =
      Ok("GET", absl::StrCat("/v1/checkpoint-ranking?areaCode=", kLonghai), admin.token);
  const std::vector<Struct> ranked = Objects(ranking, "checkpoints");
  ASSERT_EQ(ranked.size(), 2u) << ranking.DebugString();
  EXPECT_EQ(Num(ranked[0], "rank"), 1);
  EXPECT_EQ(Str(ranked[0], "checkpointId"), gate_id);
  EXPECT_EQ(Str(ranked[0], "name"), "靖园东门");
  EXPECT_DOUBLE_EQ(Num(ranked[0], "averageScore"), 85);
  EXPECT_EQ(Num(ranked[0], "inspectionCount"), 1);
  EXPECT_EQ(Str(ranked[1], "checkpointId"), road_id);
  EXPECT_FALSE(Has(ranked[1], "rank"));
  EXPECT_FALSE(Has(ranked[1], "averageScore"));

  // ---- 5. Another community's admin learns nothing about this checkpoint.
  const Session yimin = Login("yimin.admin", kStaffPassword);
  ASSERT_FALSE(yimin.token.empty());
  const std::string gate_path = "/v1/checkpoints/" + gate_id;
  // A checkpoint elsewhere looks exactly like a missing one.
  const HttpResponse hidden_gate = Call("GET", gate_path, yimin.token);
  EXPECT_TRUE(IsError(hidden_gate, 404, 5));
  EXPECT_EQ(
      Str(ParseJson(hidden_gate.body), "message"),
      Str(ParseJson(Call("GET", "/v1/checkpoints/123e4567-e89b-12d3-a456-426614174000", yimin.token)
                        .body),
          "message"));
  EXPECT_TRUE(IsError(Call("GET", gate_path + "/coverage", yimin.token), 404, 5));
  EXPECT_TRUE(IsError(Call("GET", roster, yimin.token), 404, 5));
  EXPECT_TRUE(IsError(
      Call("POST", passages, yimin.token, person("yimin:0001", "DIRECTION_IN", with_pass, "36.5")),
      404, 5));
  EXPECT_TRUE(IsError(Call("GET", passages, yimin.token), 404, 5));
  EXPECT_TRUE(IsError(Call("GET", passages + "/" + green_id, yimin.token), 404, 5));
  // An alert elsewhere looks exactly like a missing one.
  const HttpResponse hidden = Call("GET", "/v1/alerts/" + red_alert, yimin.token);
  const HttpResponse missing =
      Call("GET", "/v1/alerts/123e4567-e89b-12d3-a456-426614174000", yimin.token);
  EXPECT_TRUE(IsError(hidden, 404, 5));
  EXPECT_EQ(Str(ParseJson(hidden.body), "message"), Str(ParseJson(missing.body), "message"));
  EXPECT_TRUE(
      IsError(Call("POST", "/v1/alerts/" + red_alert + ":acknowledge", yimin.token, "{}"), 404, 5));
  EXPECT_FALSE(Has(Ok("GET", "/v1/alerts", yimin.token), "alerts"));
  EXPECT_TRUE(
      IsError(Call("GET", absl::StrCat("/v1/alerts?areaCode=", kLonghai), yimin.token), 403, 7));
  EXPECT_TRUE(IsError(
      Call("GET", "/v1/checkpoint-statistics/today?checkpointId=" + gate_id, yimin.token), 404, 5));
  EXPECT_TRUE(IsError(Call("GET", live, yimin.token), 403, 7));
  EXPECT_TRUE(
      IsError(Call("GET", absl::StrCat("/v1/checkpoint-ranking?areaCode=", kLonghai), yimin.token),
              403, 7));
  EXPECT_TRUE(IsError(Call("GET", gate_path + "/inspections", yimin.token), 404, 5));
  // Nothing the refusals tried was stored or changed.
  EXPECT_EQ(checkpoint_->Count("checkpoint.passages"), "5");
  EXPECT_EQ(Str(Ok("GET", "/v1/alerts/" + red_alert, admin.token), "acknowledgedBy"), "");
}

}  // namespace
}  // namespace fangxian::testing
