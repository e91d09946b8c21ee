// What the passage log's black-box tests share: a real identity_server (areas, residents,
// passes, households and vehicles), a real quarantine_server (pass colours on a cache
// miss) and a checkpoint_server pointed at both, with helpers to set the scene through
// their RPCs and SQL.
#ifndef FANGXIAN_TESTS_INTEGRATION_PASSAGE_TEST_BASE_H_
#define FANGXIAN_TESTS_INTEGRATION_PASSAGE_TEST_BASE_H_

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/redis.h"
#include "common/time_text.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "fangxian/checkpoint/v1/passages.grpc.pb.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/checkpoint/shifts.h"
#include "services/identity/id_number.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {

namespace cpv1 = checkpoint::v1;
namespace idv1 = identity::v1;

inline constexpr char kLonghai[] = "gongyi.dufulu.longhai";
inline constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
inline constexpr char kBuilding[] = "gongyi.dufulu.longhai.jingyuan.b1";
inline constexpr char kYimin[] = "gongyi.dufulu.yimin";
inline constexpr char kXinyuan[] = "gongyi.dufulu.yimin.xinyuan";

class PassageTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server",
                                                   "pass_identity", tokens_, IdentityKeysEnv());
    quarantine_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                     "pass_quarantine", tokens_);
    ASSERT_TRUE(identity_->WaitUntilServing());
    ASSERT_TRUE(quarantine_->WaitUntilServing());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    operator_ = tokens_.Mint("op-1", {"temperature_monitor", "code_verifier"}, {kLonghai});
    MakeArea("gongyi", "dufulu", idv1::AREA_LEVEL_SUBDISTRICT);
    MakeArea("gongyi.dufulu", "longhai", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kLonghai, "jingyuan", idv1::AREA_LEVEL_COMPOUND);
    MakeArea(kJingyuan, "b1", idv1::AREA_LEVEL_BUILDING);
    MakeArea("gongyi.dufulu", "yimin", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kYimin, "xinyuan", idv1::AREA_LEVEL_COMPOUND);
    common::RedisPool::Options redis;
    ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &redis).ok());
    redis_ = std::make_unique<common::RedisPool>(redis);
  }

  std::string IdentityAddr() {
    return absl::StrCat("127.0.0.1:", identity_->process().WaitForPort("grpc_port"));
  }
  std::string QuarantineAddr() {
    return absl::StrCat("127.0.0.1:", quarantine_->process().WaitForPort("grpc_port"));
  }

  // Starts checkpoint_server against identity and quarantine (env overrides `extra`).
  // `dsn`: its database, when the test sets it up itself (empty: a fresh scratch one).
  void StartCheckpoint(std::map<std::string, std::string> extra = {}, const std::string& dsn = "") {
    std::map<std::string, std::string> env = {{"FX_IDENTITY_ADDR", IdentityAddr()},
                                              {"FX_QUARANTINE_ADDR", QuarantineAddr()}};
    for (auto& [k, v] : extra) env[k] = v;
    checkpoint_ = std::make_unique<ServiceUnderTest>("services/checkpoint/checkpoint_server",
                                                     "pass_checkpoint", tokens_, env);
    checkpoint_dsn_ = dsn.empty() ? checkpoint_->dsn() : dsn;
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    passages_ = cpv1::PassageService::NewStub(checkpoint_->channel());
  }

  std::vector<std::string> Query(const std::string& sql) { return Sql(checkpoint_dsn_, sql); }
  std::string Count(const std::string& table, const std::string& where = "") {
    return Query("SELECT count(*) FROM " + table + (where.empty() ? "" : " WHERE " + where)).at(0);
  }

  void MakeArea(const std::string& parent, const std::string& code, idv1::AreaLevel level) {
    auto stub = idv1::AreaService::NewStub(identity_->channel());
    idv1::CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    idv1::Area out;
    grpc::Status st = stub->CreateArea(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << code << ": " << st.error_message();
  }

  // A valid ID number nobody has used in this test yet.
  std::string NewIdNumber() {
    const std::string first17 = "41018119900307" + std::to_string(100 + next_id_++);
    return first17 + identity::IdCheckCharacter(first17);
  }

  struct Person {
    std::string resident_id;
    std::string id_number;
  };
  Person Resident(const std::string& name, const std::string& area = kJingyuan) {
    auto stub = idv1::IdentityService::NewStub(identity_->channel());
    idv1::CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    const std::string id = NewIdNumber();
    req.mutable_resident()->set_id_number(id);
    req.mutable_resident()->set_area_code(area);
    idv1::Resident out;
    grpc::Status st = stub->CreateResident(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {out.resident_id(), id};
  }

  std::string PassOf(const std::string& resident_id) {
    auto stub = idv1::IdentityService::NewStub(identity_->channel());
    idv1::IssuePassRequest req;
    req.set_resident_id(resident_id);
    idv1::Pass out;
    grpc::Status st = stub->IssuePass(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.token();
  }

  // Registers `plate` to a new household in `area` (a building or compound).
  void RegisterVehicle(const std::string& plate, const std::string& area) {
    auto stub = idv1::HouseholdService::NewStub(identity_->channel());
    idv1::CreateHouseholdRequest h;
    h.set_area_code(area);
    h.set_room("1单元101");
    h.set_head_resident_id(Resident("车主", area).resident_id);
    idv1::Household household;
    grpc::Status st = stub->CreateHousehold(CallContextWith(admin_).get(), h, &household);
    ASSERT_TRUE(st.ok()) << st.error_message();
    idv1::RegisterVehicleRequest v;
    v.set_household_id(household.household_id());
    v.set_plate(plate);
    v.set_kind(idv1::VEHICLE_KIND_PRIVATE);
    idv1::Vehicle vehicle;
    st = stub->RegisterVehicle(CallContextWith(admin_).get(), v, &vehicle);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // The shared pass-colour entry quarantine publishes (docs/caching.md).
  void SetColour(const std::string& resident_id, const std::string& word) {
    ASSERT_TRUE(
        redis_->Command({"SET", "fx:quarantine:v1:pass:" + resident_id, word, "EX", "600"}).ok());
  }

  std::string MakeCheckpoint(const std::vector<std::string>& areas = {kJingyuan}) {
    return CreateCheckpoint(checkpoint_->channel(), admin_, "靖园东门", areas);
  }

  // The current China day and shift of the default shift pattern.
  static checkpoint::ShiftPattern::Slot CurrentShift() {
    return checkpoint::ShiftPattern::Parse(checkpoint::kDefaultShiftPattern)->At(absl::Now());
  }

  // Puts `account` on `post` of the current shift at `checkpoint`, clocked in now.
  void PutOnDuty(const std::string& checkpoint, const std::string& account, int post = 1) {
    const checkpoint::ShiftPattern::Slot slot = CurrentShift();
    Query(
        absl::StrCat("INSERT INTO checkpoint.post_assignments (checkpoint_id, duty_date, shift, "
                     "post, account_id, assigned_by, clock_in_at) VALUES ('",
                     checkpoint, "', '", common::IsoDate(slot.day), "', ", slot.shift, ", ", post,
                     ", '", account, "', 'test', now())"));
  }

  static cpv1::RecordPassageRequest NewRequest(const std::string& checkpoint,
                                               const std::string& request_id) {
    cpv1::RecordPassageRequest r;
    r.set_checkpoint_id(checkpoint);
    r.set_request_id(request_id);
    r.set_direction(cpv1::DIRECTION_IN);
    r.set_temperature_celsius(36.5);
    r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 2);
    return r;
  }

  grpc::Status Record(const std::string& token, const cpv1::RecordPassageRequest& r,
                      cpv1::Passage* out) {
    return passages_->RecordPassage(CallContextWith(token).get(), r, out);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> quarantine_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::string checkpoint_dsn_;
  std::unique_ptr<cpv1::PassageService::Stub> passages_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string admin_;
  std::string operator_;
  int next_id_ = 0;
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_INTEGRATION_PASSAGE_TEST_BASE_H_
