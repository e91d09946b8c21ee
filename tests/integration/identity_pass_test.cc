// Resident passes and the person summary (the checkpoint hot path), against the real
// identity_server with the test Redis as its cache.
#include <gtest/gtest.h>

#include <tuple>

#include "common/redis.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "services/identity/passes.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using namespace identity::v1;  // NOLINT

class IdentityPassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "pass", tokens_,
                                              IdentityKeysEnv());
    ASSERT_TRUE(sut_->WaitUntilServing());
    stub_ = IdentityService::NewStub(sut_->channel());
    registrar_ = tokens_.Mint("reg", {"info_registrar"}, {"gongyi.dufulu.longhai"});
    gate_ = tokens_.Mint("gate", {"code_verifier"}, {"gongyi.dufulu.yimin"});  // another area
    const std::string first17 = "41018119900307123";
    id_number_ = first17 + identity::IdCheckCharacter(first17);
    CreateResidentRequest req;
    req.mutable_resident()->set_name("李晓霞");
    req.mutable_resident()->set_id_number(id_number_);
    req.mutable_resident()->set_area_code("gongyi.dufulu.longhai.jingyuan");
    Resident out;
    ASSERT_TRUE(stub_->CreateResident(CallContextWith(registrar_).get(), req, &out).ok());
    resident_id_ = out.resident_id();
  }

  grpc::Status Issue(const std::string& token, const std::string& id, Pass* out) {
    IssuePassRequest req;
    req.set_resident_id(id);
    return stub_->IssuePass(CallContextWith(token).get(), req, out);
  }

  grpc::Status Resolve(const std::string& token, const std::string& pass, PersonSummary* out) {
    ResolvePassRequest req;
    req.set_token(pass);
    return stub_->ResolvePass(CallContextWith(token).get(), req, out);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<IdentityService::Stub> stub_;
  std::string registrar_, gate_, id_number_, resident_id_;
};

TEST_F(IdentityPassTest, IssueResolveAndReplace) {
  Pass pass;
  ASSERT_TRUE(Issue(registrar_, resident_id_, &pass).ok());
  EXPECT_EQ(pass.token().rfind("fxp1.", 0), 0u);
  PersonSummary who;
  // A gate in another area resolves it: the holder presents it.
  ASSERT_TRUE(Resolve(gate_, pass.token(), &who).ok());
  EXPECT_EQ(who.resident_id(), resident_id_);
  EXPECT_EQ(who.name(), "李晓霞");
  EXPECT_EQ(who.id_number(), identity::MaskIdNumber(id_number_));
  EXPECT_EQ(who.area_code(), "gongyi.dufulu.longhai.jingyuan");

  // A new pass replaces the old one, cache or not.
  Pass second;
  ASSERT_TRUE(Issue(registrar_, resident_id_, &second).ok());
  grpc::Status old = Resolve(gate_, pass.token(), &who);
  EXPECT_EQ(old.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(old.error_message().find("replaced"), std::string::npos) << old.error_message();
  EXPECT_TRUE(Resolve(gate_, second.token(), &who).ok());
  EXPECT_EQ(sut_->Query("SELECT count(*) FROM identity.audit_log "
                        "WHERE action = 'resident.pass_issue'")[0],
            "2");

  std::string forged = second.token();
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Resolve(gate_, forged, &who).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IdentityPassTest, OnlyRegistrarsInScopeOrTheResidentIssue) {
  Pass pass;
  EXPECT_EQ(Issue(gate_, resident_id_, &pass).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string other = tokens_.Mint("r2", {"info_registrar"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(Issue(other, resident_id_, &pass).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string resident = tokens_.MintGrants(resident_id_, {{"resident", "gongyi"}});
  // A staff token with the resident role is not the resident; only kind "resident" is.
  EXPECT_EQ(Issue(resident, resident_id_, &pass).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Issue(registrar_, "123e4567-e89b-12d3-a456-426614174000", &pass).error_code(),
            grpc::StatusCode::NOT_FOUND);
  PersonSummary who;
  EXPECT_EQ(Resolve(registrar_, "", &who).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Resolve(volunteer, "x", &who).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// ResolveIdNumber reads PostgreSQL each time (one indexed query, household joined): it
// neither reads nor fills the pass resolution's summary cache.
TEST_F(IdentityPassTest, ResolvesIdNumbersFromTheDatabaseWithoutCaching) {
  ResolveIdNumberRequest req;
  req.set_id_number(id_number_);
  PersonSummary who;
  ASSERT_TRUE(stub_->ResolveIdNumber(CallContextWith(gate_).get(), req, &who).ok());
  EXPECT_EQ(who.resident_id(), resident_id_);
  EXPECT_EQ(who.id_number(), identity::MaskIdNumber(id_number_));
  common::RedisPool::Options o;
  ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &o).ok());
  common::RedisPool redis(o);
  EXPECT_FALSE(redis.Get(identity::PersonSummaryCacheKey(resident_id_)).has_value());

  req.set_id_number("410181199003071234");  // wrong check character
  EXPECT_EQ(stub_->ResolveIdNumber(CallContextWith(gate_).get(), req, &who).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const std::string first17 = "41018119850101123";
  req.set_id_number(first17 + identity::IdCheckCharacter(first17));  // valid, unregistered
  EXPECT_EQ(stub_->ResolveIdNumber(CallContextWith(gate_).get(), req, &who).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(IdentityPassTest, TheSummaryShowsTheHouseholdAndFollowsItsChanges) {
  const std::string admin = tokens_.Mint("admin", {"subdistrict_admin"}, {"gongyi"});
  auto areas = AreaService::NewStub(sut_->channel());
  const std::vector<std::tuple<std::string, std::string, AreaLevel>> tree = {
      {"gongyi", "dufulu", AREA_LEVEL_SUBDISTRICT},
      {"gongyi.dufulu", "longhai", AREA_LEVEL_COMMUNITY},
      {"gongyi.dufulu.longhai", "jingyuan", AREA_LEVEL_COMPOUND}};
  for (const auto& [parent, code, level] : tree) {
    CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    Area out;
    ASSERT_TRUE(areas->CreateArea(CallContextWith(admin).get(), req, &out).ok()) << code;
  }
  auto resolve = [&] {
    ResolveIdNumberRequest req;
    req.set_id_number(id_number_);
    PersonSummary who;
    EXPECT_TRUE(stub_->ResolveIdNumber(CallContextWith(gate_).get(), req, &who).ok());
    return who;
  };
  EXPECT_EQ(resolve().household_card_number(), "");

  auto households = HouseholdService::NewStub(sut_->channel());
  CreateHouseholdRequest create;
  create.set_area_code("gongyi.dufulu.longhai.jingyuan");
  create.set_room("3号楼2单元501");
  create.set_head_resident_id(resident_id_);
  Household household;
  ASSERT_TRUE(
      households->CreateHousehold(CallContextWith(registrar_).get(), create, &household).ok());
  PersonSummary who = resolve();
  EXPECT_EQ(who.household_id(), household.household_id());
  EXPECT_EQ(who.household_card_number(), household.card_number());
  EXPECT_FALSE(who.visitor());
  // The pass resolution reads the same resident and household in one query.
  Pass pass;
  ASSERT_TRUE(Issue(registrar_, resident_id_, &pass).ok());
  PersonSummary by_pass;
  ASSERT_TRUE(Resolve(gate_, pass.token(), &by_pass).ok());
  EXPECT_EQ(by_pass.household_id(), household.household_id());
  EXPECT_EQ(by_pass.household_card_number(), household.card_number());
}

}  // namespace
}  // namespace fangxian::testing
