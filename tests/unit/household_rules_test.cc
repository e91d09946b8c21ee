// Households and vehicles: plate normalisation and validation, card numbers, membership
// rules and the gateway routes of households.proto. No servers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "fangxian/identity/v1/areas.pb.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "services/identity/households.h"

namespace fangxian::identity {
namespace {

using ::testing::HasSubstr;

std::string Plate(const std::string& raw) {
  absl::StatusOr<std::string> p = NormalizePlate("plate", raw);
  return p.ok() ? *p : "<" + std::string(p.status().message()) + ">";
}

TEST(PlateTest, OrdinarySevenCharacterPlatesAreAccepted) {
  EXPECT_EQ(Plate("豫A12345"), "豫A12345");
  EXPECT_EQ(Plate("京BX7K9Z"), "京BX7K9Z");
  EXPECT_EQ(Plate("琼Z0000A"), "琼Z0000A");
  EXPECT_FALSE(IsNewEnergyPlate("豫A12345"));
}

TEST(PlateTest, NewEnergyEightCharacterPlatesAreAccepted) {
  EXPECT_EQ(Plate("豫AD12345"), "豫AD12345");  // small, pure electric
  EXPECT_EQ(Plate("粤BFA1234"), "粤BFA1234");  // small, second a letter
  EXPECT_EQ(Plate("沪A12345D"), "沪A12345D");  // large
  EXPECT_EQ(Plate("川A12345F"), "川A12345F");
  EXPECT_TRUE(IsNewEnergyPlate("豫AD12345"));
}

TEST(PlateTest, NormalisesSeparatorsCaseAndFullWidthForms) {
  EXPECT_EQ(Plate("  豫a·12345 "), "豫A12345");
  EXPECT_EQ(Plate("豫A-123.45"), "豫A12345");
  EXPECT_EQ(Plate("豫 A 1 2 3 4 5"), "豫A12345");
  EXPECT_EQ(Plate("豫Ａ１２３４５"), "豫A12345");              // full-width upper-case and digits
  EXPECT_EQ(Plate("豫ａｄ１２３４５"), "豫AD12345");           // full-width lower-case
  EXPECT_EQ(Plate("\u3000豫A\u30FB12345\u3000"), "豫A12345");  // ideographic space, ・
  EXPECT_EQ(Plate("豫A－12345"), "豫A12345");                  // full-width hyphen
  EXPECT_EQ(Plate("豫ad12345"), "豫AD12345");
}

TEST(PlateTest, RejectsWhatIsNoMainlandPlateNamingTheFieldAndTheShape) {
  for (const std::string bad : {
           "",            // empty
           "   ",         // only separators
           "A123456",     // no province
           "港A12345",    // Hong Kong: no mainland abbreviation
           "豫12345",     // 6 characters
           "豫A1234",     // 6 characters
           "豫A123456",   // 8 but no D/F
           "豫A1234567",  // 9 characters
           "豫IA1234",    // I after the province
           "豫O12345",    // O after the province
           "豫1A2345",    // digit after the province
           "豫A1234I",    // I in the serial
           "豫A12O45",    // O in the serial
           "豫AD1234A",   // small new energy: last 4 must be digits
           "豫AD12I45",   // ... and no I
           "豫A1234AD",   // large new energy: first 5 must be digits
           "豫A12345学",  // special endings are not handled
           "豫A12_45",   "豫豫A1234",
       }) {
    absl::StatusOr<std::string> p = NormalizePlate("plate", bad);
    ASSERT_FALSE(p.ok()) << bad << " -> " << *p;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(p.status().message(), HasSubstr("plate")) << bad;
    if (!bad.empty() && bad != "   ") {
      EXPECT_THAT(p.status().message(), HasSubstr("7 characters")) << bad;
      EXPECT_THAT(p.status().message(), HasSubstr("D or F")) << bad;
    }
  }
  EXPECT_THAT(NormalizePlate("plate",
                             "豫A\xff"
                             "2345")
                  .status()
                  .message(),
              HasSubstr("UTF-8"));
  EXPECT_THAT(NormalizePlate("plate", std::string(200, '1')).status().message(),
              HasSubstr("too long"));
  EXPECT_THAT(NormalizePlate("plate", "豫A1234").status().message(), HasSubstr("6 characters"));
}

TEST(VehicleKindTest, OnlyDefinedKindsAreAccepted) {
  EXPECT_TRUE(ValidateVehicleKind("kind", v1::VEHICLE_KIND_PRIVATE).ok());
  EXPECT_TRUE(ValidateVehicleKind("kind", v1::VEHICLE_KIND_COMMERCIAL).ok());
  EXPECT_THAT(ValidateVehicleKind("kind", 0).message(), HasSubstr("kind is required"));
  EXPECT_EQ(ValidateVehicleKind("kind", 99).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CardNumberTest, EightCharactersOfCrockfordBase32) {
  EXPECT_EQ(CardNumberFromBits(0), "HK-00000000");
  EXPECT_EQ(CardNumberFromBits((uint64_t{1} << 40) - 1), "HK-ZZZZZZZZ");
  EXPECT_EQ(CardNumberFromBits(uint64_t{1} << 40), "HK-00000000");  // only 40 bits count
  EXPECT_EQ(CardNumberFromBits(31), "HK-0000000Z");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string card = RandomCardNumber();
    ASSERT_EQ(card.size(), 11u);
    EXPECT_EQ(card.substr(0, 3), "HK-");
    EXPECT_EQ(card.find_first_of("ILOU", 3), std::string::npos) << card;
    seen.insert(card);
  }
  EXPECT_EQ(seen.size(), 200u);
}

common::CallContext CallWith(const std::vector<std::pair<std::string, std::string>>& grants) {
  common::CallContext call;
  call.principal.subject = "t";
  for (const auto& [role, area] : grants) call.principal.grants.push_back({role, area});
  return call;
}

TEST(HouseholdRulesTest, HouseholdsLiveInStoredCompoundsBuildingsAndUnits) {
  AreaRow area;
  area.path = "gongyi.dufulu.longhai.jingyuan";
  for (int level : {v1::AREA_LEVEL_COMPOUND, v1::AREA_LEVEL_BUILDING, v1::AREA_LEVEL_UNIT}) {
    area.level = level;
    EXPECT_TRUE(CheckHouseholdArea(area.path, area).ok()) << level;
  }
  area.level = v1::AREA_LEVEL_COMMUNITY;
  absl::Status community = CheckHouseholdArea(area.path, area);
  EXPECT_EQ(community.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(community.message(), HasSubstr("community"));
  EXPECT_EQ(CheckHouseholdArea(area.path, std::nullopt).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(HouseholdRulesTest, AResidentJoinsOnlyWhenVisibleAndInNoHousehold) {
  const common::CallContext call = CallWith({{"grid_worker", "gongyi.dufulu.longhai"}});
  ResidentRef r{"r1", "李晓霞", "gongyi.dufulu.longhai.jingyuan", ""};
  EXPECT_TRUE(CheckJoin(call, "resident_id", r).ok());
  EXPECT_EQ(CheckJoin(call, "resident_id", std::nullopt).code(),
            absl::StatusCode::kFailedPrecondition);
  r.area_code = "gongyi.dufulu.yimin";  // outside: answered like a missing resident
  EXPECT_EQ(CheckJoin(call, "resident_id", r).message(),
            CheckJoin(call, "resident_id", std::nullopt).message());
  r.area_code = "gongyi.dufulu.longhai.jingyuan";
  r.household_id = "h1";
  absl::Status taken = CheckJoin(call, "resident_id", r);
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(taken.message(), HasSubstr("one household per resident"));
}

TEST(HouseholdRulesTest, TheHeadStaysUntilAnotherIsChosen) {
  HouseholdRow h;
  h.head_resident_id = "head";
  h.members = {{"head", "甲"}, {"other", "乙"}};
  EXPECT_TRUE(CheckLeave(h, "other").ok());
  absl::Status head = CheckLeave(h, "head");
  EXPECT_EQ(head.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(head.message(), HasSubstr("choose another head first"));
  EXPECT_EQ(CheckLeave(h, "stranger").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(CheckNewHead(h, "other").ok());
  EXPECT_EQ(CheckNewHead(h, "stranger").code(), absl::StatusCode::kFailedPrecondition);
}

// The gateway derives the HTTP routes from households.proto: each reaches its RPC.
TEST(HouseholdRoutesTest, GatewayRoutesReachEveryRpc) {
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const gateway::RoutedService& s : gateway::RoutedServices()) {
    services.push_back(s.descriptor);
  }
  absl::StatusOr<gateway::RouteTable> table = gateway::RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string h = "/v1/households/8d5c6f1e-1b2a-4c3d-9e8f-0a1b2c3d4e5f";
  const std::string r = "/members/1b2a8d5c-6f1e-4c3d-9e8f-0a1b2c3d4e5f";
  struct Case {
    std::string method;
    std::string path;
    std::string rpc;
  };
  for (const Case& c : std::vector<Case>{
           {"POST", "/v1/households", "CreateHousehold"},
           {"GET", h, "GetHousehold"},
           {"POST", h + "/members", "AddHouseholdMember"},
           {"DELETE", h + r, "RemoveHouseholdMember"},
           {"POST", h + "/head", "SetHouseholdHead"},
           {"POST", h + r + ":move", "MoveHouseholdMember"},
           {"POST", h + "/vehicles", "RegisterVehicle"},
           {"DELETE", "/v1/vehicles/0a1b2c3d-1b2a-4c3d-9e8f-8d5c6f1e4e5f", "RemoveVehicle"},
           {"GET", "/v1/vehicles:lookup", "LookupVehicleByPlate"},
       }) {
    gateway::RouteMatch m = table->Match(c.method, c.path);
    ASSERT_NE(m.route, nullptr) << c.method << " " << c.path;
    EXPECT_EQ(m.route->grpc_method, "/fangxian.identity.v1.HouseholdService/" + c.rpc);
  }
}

}  // namespace
}  // namespace fangxian::identity
