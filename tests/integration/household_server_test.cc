// Black-box tests of households (一户一卡) and vehicles: the real identity_server binary on
// a scratch PostgreSQL database, called over gRPC, with SQL checks of what was stored and
// of the audit rows written with each change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using identity::v1::Household;
using identity::v1::HouseholdService;
using identity::v1::Vehicle;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kBuilding[] = "gongyi.dufulu.longhai.jingyuan.b1";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kXinyuan[] = "gongyi.dufulu.yimin.xinyuan";
constexpr char kNoSuchId[] = "00000000-0000-4000-8000-000000000000";

class HouseholdServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "households",
                                              tokens_, IdentityKeysEnv());
    ASSERT_TRUE(sut_->WaitUntilServing());
    households_ = HouseholdService::NewStub(sut_->channel());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    registrar_ = tokens_.Mint("reg-1", {"info_registrar"}, {kLonghai});
    MakeArea("gongyi", "dufulu", identity::v1::AREA_LEVEL_SUBDISTRICT);
    MakeArea("gongyi.dufulu", "longhai", identity::v1::AREA_LEVEL_COMMUNITY);
    MakeArea(kLonghai, "jingyuan", identity::v1::AREA_LEVEL_COMPOUND);
    MakeArea(kJingyuan, "b1", identity::v1::AREA_LEVEL_BUILDING);
    MakeArea("gongyi.dufulu", "yimin", identity::v1::AREA_LEVEL_COMMUNITY);
    MakeArea(kYimin, "xinyuan", identity::v1::AREA_LEVEL_COMPOUND);
  }

  void MakeArea(const std::string& parent, const std::string& code, identity::v1::AreaLevel level) {
    auto stub = identity::v1::AreaService::NewStub(sut_->channel());
    identity::v1::CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    identity::v1::Area out;
    grpc::Status st = stub->CreateArea(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << code << ": " << st.error_message();
  }

  // Registers a resident (a valid, distinct ID number per call) and returns its id.
  std::string Resident(const std::string& name, const std::string& area = kJingyuan) {
    auto stub = identity::v1::IdentityService::NewStub(sut_->channel());
    const std::string first17 = "41018119900307" + std::to_string(100 + next_resident_++);
    identity::v1::CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code(area);
    identity::v1::Resident out;
    grpc::Status st = stub->CreateResident(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.resident_id();
  }

  grpc::Status Create(const std::string& token, const std::string& area, const std::string& room,
                      const std::string& head, Household* out = nullptr) {
    identity::v1::CreateHouseholdRequest req;
    req.set_area_code(area);
    req.set_room(room);
    req.set_head_resident_id(head);
    Household ignored;
    return households_->CreateHousehold(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  // Creates or fails the test; returns the household id.
  std::string MustCreate(const std::string& head, const std::string& area = kBuilding) {
    Household h;
    grpc::Status st = Create(admin_, area, "3单元502", head, &h);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return h.household_id();
  }

  grpc::Status Get(const std::string& token, const std::string& id, Household* out) {
    identity::v1::GetHouseholdRequest req;
    req.set_household_id(id);
    return households_->GetHousehold(CallContextWith(token).get(), req, out);
  }

  grpc::Status Add(const std::string& token, const std::string& id, const std::string& resident,
                   Household* out = nullptr) {
    identity::v1::AddHouseholdMemberRequest req;
    req.set_household_id(id);
    req.set_resident_id(resident);
    Household ignored;
    return households_->AddHouseholdMember(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status Remove(const std::string& token, const std::string& id, const std::string& resident,
                      Household* out = nullptr) {
    identity::v1::RemoveHouseholdMemberRequest req;
    req.set_household_id(id);
    req.set_resident_id(resident);
    Household ignored;
    return households_->RemoveHouseholdMember(CallContextWith(token).get(), req,
                                              out ? out : &ignored);
  }

  grpc::Status SetHead(const std::string& token, const std::string& id, const std::string& resident,
                       Household* out = nullptr) {
    identity::v1::SetHouseholdHeadRequest req;
    req.set_household_id(id);
    req.set_resident_id(resident);
    Household ignored;
    return households_->SetHouseholdHead(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status Move(const std::string& token, const std::string& from, const std::string& to,
                    const std::string& resident, Household* out = nullptr) {
    identity::v1::MoveHouseholdMemberRequest req;
    req.set_from_household_id(from);
    req.set_to_household_id(to);
    req.set_resident_id(resident);
    Household ignored;
    return households_->MoveHouseholdMember(CallContextWith(token).get(), req,
                                            out ? out : &ignored);
  }

  grpc::Status Register(const std::string& token, const std::string& id, const std::string& plate,
                        identity::v1::VehicleKind kind, Vehicle* out = nullptr) {
    identity::v1::RegisterVehicleRequest req;
    req.set_household_id(id);
    req.set_plate(plate);
    req.set_kind(kind);
    Vehicle ignored;
    return households_->RegisterVehicle(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status RemoveVehicle(const std::string& token, const std::string& vehicle_id,
                             Household* out = nullptr) {
    identity::v1::RemoveVehicleRequest req;
    req.set_vehicle_id(vehicle_id);
    Household ignored;
    return households_->RemoveVehicle(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status Lookup(const std::string& token, const std::string& plate,
                      identity::v1::LookupVehicleByPlateResponse* out = nullptr) {
    identity::v1::LookupVehicleByPlateRequest req;
    req.set_plate(plate);
    identity::v1::LookupVehicleByPlateResponse ignored;
    return households_->LookupVehicleByPlate(CallContextWith(token).get(), req,
                                             out ? out : &ignored);
  }

  // "resident_id:is_head" of each member, in order.
  static std::vector<std::string> Members(const Household& h) {
    std::vector<std::string> out;
    for (const auto& m : h.members()) out.push_back(m.resident_id() + (m.is_head() ? ":head" : ""));
    return out;
  }

  // Every household-related audit row as "action subject_id area_code actor", in order.
  std::vector<std::string> Audit() {
    return sut_->Query(
        "SELECT action || ' ' || subject_id || ' ' || area_code || ' ' || actor "
        "FROM identity.audit_log WHERE subject_type IN ('household', 'vehicle') "
        "ORDER BY audit_id");
  }

  // Everything stored about households, compared before and after refused calls.
  std::string Stored() {
    return sut_->Query(
        "SELECT (SELECT count(*) FROM identity.households) || '/' || "
        "coalesce((SELECT string_agg(household_id || ':' || resident_id, ',' ORDER BY "
        "resident_id) FROM identity.household_members), '') || '/' || "
        "coalesce((SELECT string_agg(household_id || '>' || head_resident_id, ',' ORDER BY "
        "household_id) FROM identity.households), '') || '/' || "
        "coalesce((SELECT string_agg(plate, ',' ORDER BY plate) FROM identity.vehicles), '') "
        "|| '/' || (SELECT count(*) FROM identity.audit_log "
        "           WHERE subject_type IN ('household', 'vehicle'))")[0];
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<HouseholdService::Stub> households_;
  std::string admin_;
  std::string registrar_;
  int next_resident_ = 0;
};

TEST_F(HouseholdServerTest, CreatesAHouseholdWithItsHeadAndACardNumberAndAudits) {
  const std::string head = Resident("李晓霞");
  Household created;
  grpc::Status st = Create(registrar_, kBuilding, "3单元502", head, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.household_id().size(), 36u);
  EXPECT_TRUE(std::regex_match(created.card_number(), std::regex("HK-[0-9A-HJKMNP-TV-Z]{8}")))
      << created.card_number();
  EXPECT_EQ(created.area_code(), kBuilding);
  EXPECT_EQ(created.room(), "3单元502");
  EXPECT_EQ(created.head_resident_id(), head);
  ASSERT_EQ(created.members_size(), 1);
  EXPECT_EQ(created.members(0).resident_id(), head);
  EXPECT_EQ(created.members(0).name(), "李晓霞");
  EXPECT_TRUE(created.members(0).is_head());
  EXPECT_EQ(created.vehicles_size(), 0);
  EXPECT_GT(created.create_time().seconds(), 0);

  Household got;
  ASSERT_TRUE(Get(registrar_, created.household_id(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  // Readers beyond the writers: an auditor and a service account in scope.
  EXPECT_TRUE(Get(tokens_.Mint("aud", {"auditor"}, {kLonghai}), created.household_id(), &got).ok());
  EXPECT_TRUE(Get(tokens_.Mint("svc", {"service"}, {"gongyi"}), created.household_id(), &got).ok());
  // Never an ID number in a household.
  EXPECT_EQ(got.DebugString().find("410181"), std::string::npos);

  // A second household (a compound works as well as a building) gets another card.
  Household other;
  ASSERT_TRUE(Create(admin_, kJingyuan, "2号院", Resident("王建国"), &other).ok());
  EXPECT_NE(other.card_number(), created.card_number());

  EXPECT_THAT(
      Audit(),
      ElementsAre("household.create " + created.household_id() + " " + kBuilding + " reg-1",
                  "household.create " + other.household_id() + " " + kJingyuan + " admin-1"));
}

TEST_F(HouseholdServerTest, RefusedCreatesStoreNothing) {
  const std::string head = Resident("李晓霞");
  const std::string elsewhere = Resident("赵六", kXinyuan);
  const std::string before = Stored();
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, "Gongyi/X", "1", head), "area_code"));
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, kBuilding, "", head), "room"));
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, kBuilding, std::string(101, 'x'), head), "room"));
  EXPECT_TRUE(Create(admin_, kBuilding, std::string(100, 'x'), Resident("满")).ok());
  const std::string after_ok = Stored();
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, kBuilding, "1", "not-a-uuid"), "head_resident_id"));

  // A community is no place for a household: the message names the level.
  grpc::Status level = Create(admin_, kLonghai, "1", head);
  EXPECT_TRUE(IsInvalidNaming(level, "area_code"));
  EXPECT_THAT(level.error_message(), HasSubstr("community"));
  grpc::Status no_area = Create(admin_, "gongyi.dufulu.longhai.nowhere", "1", head);
  EXPECT_EQ(no_area.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << no_area.error_message();
  // The head must be registered, and visible to the caller: missing and out of scope alike.
  grpc::Status no_head = Create(admin_, kBuilding, "1", kNoSuchId);
  EXPECT_EQ(no_head.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  grpc::Status hidden_head = Create(registrar_, kBuilding, "1", elsewhere);
  EXPECT_EQ(hidden_head.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(hidden_head.error_message(), no_head.error_message());
  // The caller names the area: outside its scope is PERMISSION_DENIED.
  EXPECT_EQ(Create(registrar_, kXinyuan, "1", elsewhere).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(before, after_ok);
  EXPECT_EQ(Stored(), after_ok);
}

TEST_F(HouseholdServerTest, AResidentBelongsToOneHouseholdAtATime) {
  const std::string a = Resident("甲");
  const std::string b = Resident("乙");
  const std::string c = Resident("丙");
  const std::string h1 = MustCreate(a);
  grpc::Status twice = Create(admin_, kBuilding, "4单元101", a);
  EXPECT_EQ(twice.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(twice.error_message(), HasSubstr("one household per resident"));
  const std::string h2 = MustCreate(b);

  Household after;
  ASSERT_TRUE(Add(registrar_, h1, c, &after).ok());
  EXPECT_THAT(Members(after), ElementsAre(a + ":head", c));
  EXPECT_EQ(after.members(1).name(), "丙");
  const std::string before = Stored();
  for (const auto& [household, resident] :
       std::vector<std::pair<std::string, std::string>>{{h1, c}, {h2, c}, {h2, a}}) {
    grpc::Status st = Add(registrar_, household, resident);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
    EXPECT_THAT(st.error_message(), HasSubstr("one household per resident"));
  }
  EXPECT_EQ(Add(registrar_, h1, kNoSuchId).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Add(registrar_, kNoSuchId, Resident("丁")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Add(registrar_, h1, "x"), "resident_id"));
  EXPECT_TRUE(IsInvalidNaming(Add(registrar_, "x", c), "household_id"));
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(sut_->Query("SELECT action || ' ' || details FROM identity.audit_log "
                        "WHERE action = 'household.member_add'"),
            std::vector<std::string>{"household.member_add resident_id=" + c});
}

TEST_F(HouseholdServerTest, TheHeadIsAMemberAndLeavesOnlyAfterAnotherIsChosen) {
  const std::string a = Resident("甲");
  const std::string c = Resident("丙");
  const std::string outsider = Resident("戊");
  const std::string h = MustCreate(a);
  ASSERT_TRUE(Add(registrar_, h, c).ok());
  const std::string before = Stored();
  grpc::Status head = Remove(registrar_, h, a);
  EXPECT_EQ(head.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(head.error_message(), HasSubstr("choose another head first"));
  grpc::Status non_member = SetHead(registrar_, h, outsider);
  EXPECT_EQ(non_member.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(non_member.error_message(), HasSubstr("not a member"));
  EXPECT_EQ(Remove(registrar_, h, outsider).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Stored(), before);

  Household after;
  ASSERT_TRUE(SetHead(registrar_, h, c, &after).ok());
  EXPECT_EQ(after.head_resident_id(), c);
  EXPECT_THAT(Members(after), ElementsAre(a, c + ":head"));
  ASSERT_TRUE(Remove(registrar_, h, a, &after).ok());
  EXPECT_THAT(Members(after), ElementsAre(c + ":head"));
  // The former head is free to join elsewhere.
  EXPECT_TRUE(Create(registrar_, kJingyuan, "9号", a).ok());
  EXPECT_EQ(sut_->Query("SELECT action || ' ' || details FROM identity.audit_log "
                        "WHERE action IN ('household.head_set', 'household.member_remove') "
                        "ORDER BY audit_id"),
            (std::vector<std::string>{"household.head_set resident_id=" + c + " previous_head=" + a,
                                      "household.member_remove resident_id=" + a}));
}

TEST_F(HouseholdServerTest, AMoveIsOneTransaction) {
  const std::string a = Resident("甲");
  const std::string b = Resident("乙");
  const std::string c = Resident("丙");
  const std::string h1 = MustCreate(a, kBuilding);
  const std::string h2 = MustCreate(b, kJingyuan);
  const std::string far = MustCreate(Resident("远", kXinyuan), kXinyuan);
  ASSERT_TRUE(Add(registrar_, h1, c).ok());

  Household to;
  grpc::Status st = Move(registrar_, h1, h2, c, &to);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(to.household_id(), h2);
  EXPECT_THAT(Members(to), ElementsAre(b + ":head", c));
  Household from;
  ASSERT_TRUE(Get(registrar_, h1, &from).ok());
  EXPECT_THAT(Members(from), ElementsAre(a + ":head"));
  // One audit row in each household's area.
  const std::string details = "resident_id=" + c + " from=" + h1 + " to=" + h2;
  EXPECT_EQ(sut_->Query("SELECT subject_id || ' ' || area_code || ' ' || details "
                        "FROM identity.audit_log WHERE action = 'household.member_move' "
                        "ORDER BY audit_id"),
            (std::vector<std::string>{h1 + " " + kBuilding + " " + details,
                                      h2 + " " + kJingyuan + " " + details}));

  const std::string before = Stored();
  grpc::Status head = Move(registrar_, h2, h1, b);
  EXPECT_EQ(head.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(head.error_message(), HasSubstr("choose another head first"));
  EXPECT_EQ(Move(registrar_, h1, h2, c).error_code(), grpc::StatusCode::NOT_FOUND);  // not there
  EXPECT_EQ(Move(registrar_, h2, h2, c).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A destination outside the caller's scope is as missing: the resident stays put.
  EXPECT_EQ(Move(registrar_, h2, far, c).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Move(registrar_, h2, kNoSuchId, c).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Stored(), before);

  // While moves go back and forth, a reader always finds the resident in exactly one
  // household: never both, never neither.
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      const std::string n = sut_->Query(
          "SELECT count(*) FROM identity.household_members WHERE resident_id = '" + c + "'")[0];
      if (n != "1") ++bad;
    }
  });
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(Move(admin_, h2, h1, c).ok());
    EXPECT_TRUE(Move(admin_, h1, h2, c).ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(sut_->Count("identity.audit_log WHERE action = 'household.member_move'"), "42");
}

TEST_F(HouseholdServerTest, OutOfScopeIsNotFoundAndVolunteersAreRefused) {
  const std::string a = Resident("甲");
  const std::string h = MustCreate(a);
  Vehicle car;
  ASSERT_TRUE(Register(admin_, h, "豫A12345", identity::v1::VEHICLE_KIND_PRIVATE, &car).ok());
  const std::string before = Stored();

  // Staff of another community: the household does not exist for them.
  const std::string stranger = tokens_.Mint("g-2", {"grid_worker", "code_verifier"}, {kYimin});
  Household got;
  grpc::Status hidden = Get(stranger, h, &got);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(hidden.error_message(), Get(stranger, kNoSuchId, &got).error_message());
  EXPECT_EQ(Add(stranger, h, Resident("乙", kYimin)).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(SetHead(stranger, h, a).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Remove(stranger, h, a).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Register(stranger, h, "豫B12345", identity::v1::VEHICLE_KIND_PRIVATE).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(RemoveVehicle(stranger, car.vehicle_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  // A plate outside the scope of an admin or a service: unknown alike.
  for (const std::string role : {"community_admin", "subdistrict_admin", "service"}) {
    const std::string outside = tokens_.Mint("o-1", {role}, {kYimin});
    grpc::Status lookup = Lookup(outside, "豫A12345");
    EXPECT_EQ(lookup.error_code(), grpc::StatusCode::NOT_FOUND) << role;
    EXPECT_EQ(lookup.error_message(), Lookup(outside, "豫A99999").error_message()) << role;
  }
  // Checkpoint post staff find any plate (a consolidated checkpoint decides by its own
  // areas): the vehicle and its area, nothing more.
  identity::v1::LookupVehicleByPlateResponse seen;
  ASSERT_TRUE(Lookup(stranger, "豫A12345", &seen).ok());
  EXPECT_EQ(seen.vehicle().vehicle_id(), car.vehicle_id());
  EXPECT_EQ(seen.area_code(), kBuilding);
  EXPECT_EQ(Lookup(stranger, "豫A99999").error_code(), grpc::StatusCode::NOT_FOUND);
  // A grant of a read-only role in scope does not widen a write role elsewhere.
  const std::string mixed =
      tokens_.MintGrants("m-1", {{"auditor", kLonghai}, {"grid_worker", kYimin}});
  EXPECT_TRUE(Get(mixed, h, &got).ok());
  EXPECT_EQ(Add(mixed, h, Resident("丙")).error_code(), grpc::StatusCode::NOT_FOUND);

  // A volunteer may do none of it, even in scope.
  const std::string volunteer = tokens_.Mint("v-1", {"volunteer"}, {"gongyi"});
  const std::string c = Resident("丁");
  EXPECT_EQ(Create(volunteer, kBuilding, "1", c).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(volunteer, h, &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Add(volunteer, h, c).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Register(volunteer, h, "豫C12345", identity::v1::VEHICLE_KIND_PRIVATE).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Lookup(volunteer, "豫A12345").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // An auditor reads but does not write.
  const std::string auditor = tokens_.Mint("a-1", {"auditor"}, {"gongyi"});
  EXPECT_EQ(Add(auditor, h, c).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stored(), before);
}

TEST_F(HouseholdServerTest, VehiclesAreRegisteredByNormalisedPlateAndLookedUpAtCheckpoints) {
  const std::string h = MustCreate(Resident("甲"));
  const std::string h2 = MustCreate(Resident("乙"), kJingyuan);
  Vehicle car;
  grpc::Status st =
      Register(registrar_, h, " 豫a·1234５ ", identity::v1::VEHICLE_KIND_PRIVATE, &car);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(car.plate(), "豫A12345");
  EXPECT_FALSE(car.new_energy());
  EXPECT_EQ(car.household_id(), h);
  EXPECT_EQ(car.area_code(), kBuilding);
  EXPECT_EQ(car.kind(), identity::v1::VEHICLE_KIND_PRIVATE);
  EXPECT_EQ(car.vehicle_id().size(), 36u);
  Vehicle ev;
  ASSERT_TRUE(
      Register(registrar_, h, "豫AD12345", identity::v1::VEHICLE_KIND_COMMERCIAL, &ev).ok());
  EXPECT_TRUE(ev.new_energy());

  const std::string before = Stored();
  // One registration per plate, whichever way it is written and to whichever household.
  grpc::Status dup = Register(registrar_, h2, "豫A-12345", identity::v1::VEHICLE_KIND_PRIVATE);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(dup.error_message(), HasSubstr("one registration per plate"));
  grpc::Status bad = Register(registrar_, h, "豫I12345", identity::v1::VEHICLE_KIND_PRIVATE);
  EXPECT_TRUE(IsInvalidNaming(bad, "plate"));
  EXPECT_THAT(bad.error_message(), HasSubstr("7 characters"));
  EXPECT_TRUE(IsInvalidNaming(
      Register(registrar_, h, "豫A123456", identity::v1::VEHICLE_KIND_PRIVATE), "plate"));
  EXPECT_TRUE(IsInvalidNaming(
      Register(registrar_, h, "豫B12345", identity::v1::VEHICLE_KIND_UNSPECIFIED), "kind"));
  EXPECT_EQ(
      Register(registrar_, kNoSuchId, "豫B12345", identity::v1::VEHICLE_KIND_PRIVATE).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Stored(), before);

  Household got;
  ASSERT_TRUE(Get(registrar_, h, &got).ok());
  ASSERT_EQ(got.vehicles_size(), 2);
  EXPECT_EQ(got.vehicles(0).plate(), "豫A12345");
  EXPECT_EQ(got.vehicles(1).plate(), "豫AD12345");

  // Every checkpoint role in scope finds it, whichever way the plate is read.
  for (const std::string role :
       {"shift_leader", "temperature_monitor", "code_verifier", "order_keeper", "info_registrar",
        "community_admin", "subdistrict_admin", "service"}) {
    identity::v1::LookupVehicleByPlateResponse found;
    st = Lookup(tokens_.Mint("cp", {role}, {kLonghai}), "豫ａ 12345", &found);
    ASSERT_TRUE(st.ok()) << role << ": " << st.error_message();
    EXPECT_EQ(found.vehicle().vehicle_id(), car.vehicle_id()) << role;
    EXPECT_EQ(found.area_code(), kBuilding) << role;
  }
  EXPECT_EQ(Lookup(tokens_.Mint("gw", {"grid_worker"}, {kLonghai}), "豫A12345").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Lookup(registrar_, "豫A99999").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Lookup(registrar_, "ABC"), "plate"));

  Household after;
  ASSERT_TRUE(RemoveVehicle(registrar_, car.vehicle_id(), &after).ok());
  ASSERT_EQ(after.vehicles_size(), 1);
  EXPECT_EQ(after.vehicles(0).vehicle_id(), ev.vehicle_id());
  EXPECT_EQ(Lookup(registrar_, "豫A12345").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(RemoveVehicle(registrar_, car.vehicle_id()).error_code(), grpc::StatusCode::NOT_FOUND);
  // The plate is free again.
  EXPECT_TRUE(Register(registrar_, h2, "豫A12345", identity::v1::VEHICLE_KIND_PRIVATE).ok());

  EXPECT_EQ(sut_->Query("SELECT action || ' ' || subject_id || ' ' || area_code || ' ' || details "
                        "FROM identity.audit_log WHERE subject_type = 'vehicle' "
                        "ORDER BY audit_id LIMIT 3"),
            (std::vector<std::string>{
                "vehicle.register " + car.vehicle_id() + " " + kBuilding + " household_id=" + h,
                "vehicle.register " + ev.vehicle_id() + " " + kBuilding + " household_id=" + h,
                "vehicle.remove " + car.vehicle_id() + " " + kBuilding + " household_id=" + h}));
  // The checkpoint's lookup is served by the plate's unique index.
  const std::vector<std::string> plan = sut_->Query(
      "SET enable_seqscan = off; EXPLAIN SELECT 1 FROM identity.vehicles v "
      "JOIN identity.households h USING (household_id) WHERE v.plate = '豫A12345'");
  std::string text;
  for (const std::string& line : plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("vehicles_plate_unique"));
}

TEST_F(HouseholdServerTest, ListsTheHouseholdsOfAnAreaPageByPageWithTheirBuilding) {
  MakeArea(kBuilding, "u1", identity::v1::AREA_LEVEL_UNIT);
  const std::string unit = std::string(kBuilding) + ".u1";
  Household in_building, in_unit, in_compound, elsewhere;
  ASSERT_TRUE(Create(admin_, kBuilding, "502", Resident("甲"), &in_building).ok());
  ASSERT_TRUE(Create(admin_, unit, "101", Resident("乙", unit), &in_unit).ok());
  ASSERT_TRUE(Create(admin_, kJingyuan, "2号院", Resident("丙"), &in_compound).ok());
  ASSERT_TRUE(Create(admin_, kXinyuan, "1", Resident("丁", kXinyuan), &elsewhere).ok());
  const std::string member = Resident("戊");
  ASSERT_TRUE(Add(admin_, in_unit.household_id(), member).ok());

  auto list = [&](const std::string& token, const std::string& area, int page_size,
                  const std::string& page_token, identity::v1::ListHouseholdsResponse* out) {
    identity::v1::ListHouseholdsRequest req;
    req.set_area_code(area);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return households_->ListHouseholds(CallContextWith(token).get(), req, out);
  };
  // By area_code, then room: the compound, the building, the unit; never another area.
  std::vector<std::string> ids;
  std::vector<std::string> buildings;
  std::string token;
  int pages = 0;
  do {
    identity::v1::ListHouseholdsResponse page;
    grpc::Status st = list(registrar_, kLonghai, 2, token, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const Household& h : page.households()) {
      ids.push_back(h.household_id());
      buildings.push_back(h.building_path());
      if (h.household_id() == in_unit.household_id()) {
        EXPECT_EQ(h.members_size(), 2);
      }
    }
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 5);
  EXPECT_EQ(pages, 2);
  EXPECT_THAT(ids, ElementsAre(in_compound.household_id(), in_building.household_id(),
                               in_unit.household_id()));
  EXPECT_THAT(buildings, ElementsAre("", kBuilding, kBuilding));

  // A grid worker of the building lists it; the community is outside that scope.
  const std::string grid = tokens_.Mint("gw", {"grid_worker"}, {kBuilding});
  identity::v1::ListHouseholdsResponse page;
  ASSERT_TRUE(list(grid, kBuilding, 0, "", &page).ok());
  EXPECT_EQ(page.households_size(), 2);
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(list(grid, kLonghai, 0, "", &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(list(tokens_.Mint("v", {"volunteer"}, {kLonghai}), kLonghai, 0, "", &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(IsInvalidNaming(list(admin_, "Longhai!", 0, "", &page), "area_code"));
  EXPECT_TRUE(IsInvalidNaming(list(admin_, kLonghai, 501, "", &page), "page_size"));
  EXPECT_TRUE(IsInvalidNaming(list(admin_, kLonghai, 0, "bm90IGEgdG9rZW4", &page), "page_token"));
  // GetHousehold says the building too.
  Household got;
  ASSERT_TRUE(Get(admin_, in_unit.household_id(), &got).ok());
  EXPECT_EQ(got.building_path(), kBuilding);
}

}  // namespace
}  // namespace fangxian::testing
