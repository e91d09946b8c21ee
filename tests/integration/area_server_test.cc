// Black-box tests of the area tree: the real identity_server binary on a scratch
// PostgreSQL database, called over gRPC, with SQL checks of what was stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using identity::v1::Area;
using identity::v1::AreaLevel;
using identity::v1::AreaService;
using identity::v1::IdentityService;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr AreaLevel kSubdistrict = identity::v1::AREA_LEVEL_SUBDISTRICT;
constexpr AreaLevel kCommunity = identity::v1::AREA_LEVEL_COMMUNITY;
constexpr AreaLevel kVillage = identity::v1::AREA_LEVEL_VILLAGE;
constexpr AreaLevel kCompound = identity::v1::AREA_LEVEL_COMPOUND;
constexpr AreaLevel kBuilding = identity::v1::AREA_LEVEL_BUILDING;
constexpr AreaLevel kUnit = identity::v1::AREA_LEVEL_UNIT;

class AreaServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "areas", tokens_,
                                              IdentityKeysEnv());
    ASSERT_TRUE(sut_->WaitUntilServing());
    areas_ = AreaService::NewStub(sut_->channel());
    admin_ = tokens_.Mint("sub-1", {"subdistrict_admin"}, {"gongyi"});
  }

  grpc::Status Create(const std::string& token, const std::string& parent, const std::string& code,
                      const std::string& name, AreaLevel level, Area* out = nullptr) {
    identity::v1::CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(name);
    req.set_level(level);
    Area ignored;
    return areas_->CreateArea(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  // Creates or fails the test.
  void MustCreate(const std::string& parent, const std::string& code, const std::string& name,
                  AreaLevel level) {
    grpc::Status st = Create(admin_, parent, code, name, level);
    ASSERT_TRUE(st.ok()) << parent << "." << code << ": " << st.error_message();
  }

  // gongyi.dufulu (subdistrict) / longhai (community) / jingyuan (compound) / b1 (building).
  void MakeTree() {
    MustCreate("gongyi", "dufulu", "杜甫路街道", kSubdistrict);
    MustCreate("gongyi.dufulu", "longhai", "陇海路社区", kCommunity);
    MustCreate("gongyi.dufulu.longhai", "jingyuan", "警苑小区", kCompound);
    MustCreate("gongyi.dufulu.longhai.jingyuan", "b1", "1号楼", kBuilding);
  }

  grpc::Status Get(const std::string& token, const std::string& path, Area* out) {
    identity::v1::GetAreaRequest req;
    req.set_path(path);
    return areas_->GetArea(CallContextWith(token).get(), req, out);
  }

  grpc::Status Rename(const std::string& token, const std::string& path, const std::string& name,
                      Area* out = nullptr) {
    identity::v1::RenameAreaRequest req;
    req.set_path(path);
    req.set_name(name);
    Area ignored;
    return areas_->RenameArea(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status Move(const std::string& token, const std::string& path,
                    const std::string& new_parent, Area* out = nullptr) {
    identity::v1::MoveAreaRequest req;
    req.set_path(path);
    req.set_new_parent_path(new_parent);
    Area ignored;
    return areas_->MoveArea(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status List(const std::string& token, const std::string& parent, int page_size,
                    const std::string& page_token, identity::v1::ListChildAreasResponse* out) {
    identity::v1::ListChildAreasRequest req;
    req.set_parent_path(parent);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return areas_->ListChildAreas(CallContextWith(token).get(), req, out);
  }

  // Paths of a listing, in order.
  static std::vector<std::string> Paths(const identity::v1::ListChildAreasResponse& r) {
    std::vector<std::string> out;
    for (const Area& a : r.areas()) out.push_back(a.path());
    return out;
  }

  // Every stored row as "path<parent_path:name", ordered: compared before and after a
  // refused write to show that nothing changed.
  std::string Tree() {
    return sut_->Query(
        "SELECT coalesce(string_agg(path || '<' || parent_path || ':' || name, ',' "
        "ORDER BY path), '') FROM identity.areas")[0];
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<AreaService::Stub> areas_;
  std::string admin_;
};

TEST_F(AreaServerTest, BuildsATreeAndReadsItWithItsAncestors) {
  Area sub;
  ASSERT_TRUE(Create(admin_, "gongyi", "dufulu", "杜甫路街道", kSubdistrict, &sub).ok());
  EXPECT_EQ(sub.path(), "gongyi.dufulu");
  EXPECT_EQ(sub.parent_path(), "gongyi");
  EXPECT_EQ(sub.code(), "dufulu");
  EXPECT_EQ(sub.level(), kSubdistrict);
  EXPECT_GT(sub.create_time().seconds(), 0);
  MustCreate("gongyi.dufulu", "longhai", "陇海路社区", kCommunity);
  MustCreate("gongyi.dufulu.longhai", "jingyuan", "警苑小区", kCompound);
  Area building;
  ASSERT_TRUE(
      Create(admin_, "gongyi.dufulu.longhai.jingyuan", "b1", "1号楼", kBuilding, &building).ok());
  EXPECT_EQ(building.path(), "gongyi.dufulu.longhai.jingyuan.b1");
  EXPECT_EQ(building.parent_path(), "gongyi.dufulu.longhai.jingyuan");
  MustCreate("gongyi.dufulu.longhai.jingyuan.b1", "u2", "2单元", kUnit);

  Area got;
  grpc::Status st = Get(admin_, "gongyi.dufulu.longhai.jingyuan", &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.name(), "警苑小区");
  EXPECT_EQ(got.level(), kCompound);
  ASSERT_EQ(got.ancestors_size(), 2);
  EXPECT_EQ(got.ancestors(0).path(), "gongyi.dufulu");
  EXPECT_EQ(got.ancestors(0).name(), "杜甫路街道");
  EXPECT_EQ(got.ancestors(0).level(), kSubdistrict);
  EXPECT_EQ(got.ancestors(1).path(), "gongyi.dufulu.longhai");
  EXPECT_EQ(got.ancestors(1).name(), "陇海路社区");
  EXPECT_EQ(got.ancestors(1).level(), kCommunity);
  ASSERT_TRUE(Get(admin_, "gongyi.dufulu", &got).ok());
  EXPECT_EQ(got.ancestors_size(), 0);

  EXPECT_EQ(sut_->Count("identity.areas"), "5");
  EXPECT_EQ(sut_->Query("SELECT DISTINCT created_by FROM identity.areas"),
            std::vector<std::string>{"sub-1"});
  EXPECT_EQ(Get(admin_, "gongyi.dufulu.nowhere", &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(admin_, "gongyi", &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AreaServerTest, CodesAreUniquePerParentParentsMustExistAndLevelsFit) {
  MakeTree();
  MustCreate("gongyi.dufulu", "yimin", "颐民社区", kCommunity);
  // The same code under another parent is another area.
  EXPECT_TRUE(Create(admin_, "gongyi.dufulu.yimin", "jingyuan", "警苑", kCompound).ok());
  const std::string before = Tree();

  grpc::Status dup = Create(admin_, "gongyi.dufulu", "longhai", "又一个", kCommunity);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS) << dup.error_message();
  EXPECT_EQ(sut_->Query("SELECT name FROM identity.areas WHERE path = 'gongyi.dufulu.longhai'")[0],
            "陇海路社区");

  grpc::Status missing = Create(admin_, "gongyi.dufulu.nowhere", "x", "某小区", kCompound);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(missing.error_message(), HasSubstr("create the parent first"));

  grpc::Status level = Create(admin_, "gongyi.dufulu.longhai", "b9", "9号楼", kBuilding);
  EXPECT_EQ(level.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(level.error_message(), HasSubstr("building"));
  EXPECT_THAT(level.error_message(), HasSubstr("community"));
  EXPECT_EQ(Create(admin_, "gongyi", "cun", "某村", kVillage).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create(admin_, "gongyi.dufulu", "sub", "街道", kSubdistrict).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  EXPECT_TRUE(IsInvalidNaming(Create(admin_, "gongyi.dufulu", "Bad", "x", kCommunity), "code"));
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, "gongyi.dufulu", "a.b", "x", kCommunity), "code"));
  EXPECT_TRUE(IsInvalidNaming(Create(admin_, "gongyi.dufulu", "ok", "", kCommunity), "name"));
  EXPECT_TRUE(IsInvalidNaming(
      Create(admin_, "gongyi.dufulu", "ok", std::string(65, 'x'), kCommunity), "name"));
  EXPECT_TRUE(IsInvalidNaming(
      Create(admin_, "gongyi.dufulu", "ok", "x", identity::v1::AREA_LEVEL_UNSPECIFIED), "level"));
  EXPECT_TRUE(
      IsInvalidNaming(Create(admin_, "Gongyi/Dufulu", "ok", "x", kCommunity), "parent_path"));
  // Everything refused left the table as it was.
  EXPECT_EQ(Tree(), before);
  EXPECT_EQ(sut_->Count("identity.areas"), "6");
}

TEST_F(AreaServerTest, RenameChangesOnlyTheName) {
  MakeTree();
  Area renamed;
  ASSERT_TRUE(Rename(admin_, "gongyi.dufulu.longhai.jingyuan", "警苑新村", &renamed).ok());
  EXPECT_EQ(renamed.name(), "警苑新村");
  EXPECT_EQ(renamed.path(), "gongyi.dufulu.longhai.jingyuan");
  EXPECT_EQ(renamed.level(), kCompound);
  Area got;
  ASSERT_TRUE(Get(admin_, "gongyi.dufulu.longhai.jingyuan.b1", &got).ok());
  EXPECT_EQ(got.ancestors(2).name(), "警苑新村");
  EXPECT_EQ(Rename(admin_, "gongyi.dufulu.none", "x").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Rename(admin_, "gongyi.dufulu", "a\nb"), "name"));
  EXPECT_EQ(sut_->Query("SELECT name FROM identity.areas WHERE path = 'gongyi.dufulu'")[0],
            "杜甫路街道");
}

TEST_F(AreaServerTest, ListingPagesThroughChildrenInCodeOrder) {
  MustCreate("gongyi", "dufulu", "杜甫路街道", kSubdistrict);
  for (const char* code : {"c3", "c1", "c5", "c2", "c4"}) {
    MustCreate("gongyi.dufulu", code, std::string("社区") + code, kCommunity);
  }
  std::vector<std::string> walked;
  std::string token;
  int pages = 0;
  do {
    identity::v1::ListChildAreasResponse page;
    grpc::Status st = List(admin_, "gongyi.dufulu", 1, token, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(page.areas_size(), 1);
    walked.push_back(page.areas(0).code());
    token = page.next_page_token();
    ASSERT_LT(++pages, 10) << "paging does not end";
  } while (!token.empty());
  EXPECT_THAT(walked, ElementsAre("c1", "c2", "c3", "c4", "c5"));

  identity::v1::ListChildAreasResponse all;
  ASSERT_TRUE(List(admin_, "gongyi.dufulu", 0, "", &all).ok());
  EXPECT_EQ(all.areas_size(), 5);
  EXPECT_EQ(all.next_page_token(), "");
  ASSERT_TRUE(List(admin_, "gongyi", 0, "", &all).ok());  // a city root lists subdistricts
  EXPECT_THAT(Paths(all), ElementsAre("gongyi.dufulu"));
  ASSERT_TRUE(List(admin_, "gongyi.dufulu.c1", 0, "", &all).ok());
  EXPECT_EQ(all.areas_size(), 0);

  identity::v1::ListChildAreasResponse out;
  EXPECT_TRUE(IsInvalidNaming(List(admin_, "gongyi.dufulu", 501, "", &out), "page_size"));
  EXPECT_TRUE(IsInvalidNaming(List(admin_, "gongyi.dufulu", -1, "", &out), "page_size"));
  EXPECT_TRUE(IsInvalidNaming(List(admin_, "gongyi.dufulu", 1, "not a token", &out), "page_token"));
  EXPECT_TRUE(List(admin_, "gongyi.dufulu", 500, "", &out).ok());
}

TEST_F(AreaServerTest, CommunityAdminsWorkOnlyBelowTheirCommunity) {
  MakeTree();
  MustCreate("gongyi.dufulu", "yimin", "颐民社区", kCommunity);
  MustCreate("gongyi.dufulu.yimin", "hexie", "和谐小区", kCompound);
  const std::string community =
      tokens_.Mint("ca-1", {"community_admin"}, {"gongyi.dufulu.longhai"});
  const std::string before = Tree();

  EXPECT_EQ(Create(community, "gongyi.dufulu", "new", "新社区", kCommunity).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(community, "gongyi.dufulu.yimin", "x", "外面", kCompound).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Rename(community, "gongyi.dufulu.longhai", "改名").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Rename(community, "gongyi.dufulu.yimin.hexie", "改名").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Move(community, "gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.yimin").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Create(volunteer, "gongyi.dufulu.longhai", "y", "y", kCompound).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Tree(), before);

  // Below its community it may build.
  EXPECT_TRUE(Create(community, "gongyi.dufulu.longhai", "xinyuan", "新苑", kCompound).ok());
  EXPECT_TRUE(Rename(community, "gongyi.dufulu.longhai.jingyuan.b1", "一号楼").ok());

  // Out of scope reads look exactly like missing areas.
  Area got;
  grpc::Status hidden = Get(community, "gongyi.dufulu.yimin.hexie", &got);
  grpc::Status missing = Get(community, "gongyi.dufulu.longhai.nowhere", &got);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(hidden.error_code(), missing.error_code());
  EXPECT_EQ(hidden.error_message(), missing.error_message());
  EXPECT_EQ(Get(community, "gongyi.dufulu", &got).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Get(community, "gongyi.dufulu.longhai.jingyuan", &got).ok());
  EXPECT_EQ(got.ancestors_size(), 2);

  // Listing its subdistrict shows only its own community; inside it, everything.
  identity::v1::ListChildAreasResponse page;
  ASSERT_TRUE(List(community, "gongyi.dufulu", 0, "", &page).ok());
  EXPECT_THAT(Paths(page), ElementsAre("gongyi.dufulu.longhai"));
  ASSERT_TRUE(List(admin_, "gongyi.dufulu", 0, "", &page).ok());
  EXPECT_THAT(Paths(page), ElementsAre("gongyi.dufulu.longhai", "gongyi.dufulu.yimin"));
  ASSERT_TRUE(List(community, "gongyi.dufulu.longhai", 0, "", &page).ok());
  EXPECT_THAT(Paths(page),
              ElementsAre("gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.longhai.xinyuan"));
  EXPECT_EQ(List(community, "gongyi.dufulu.yimin", 0, "", &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Residents are no staff.
  EXPECT_EQ(List(tokens_.Mint("r", {"resident"}, {"gongyi"}), "gongyi", 0, "", &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AreaServerTest, MoveCarriesTheWholeSubtreeInOneTransaction) {
  MakeTree();
  MustCreate("gongyi.dufulu.longhai.jingyuan.b1", "u1", "1单元", kUnit);
  MustCreate("gongyi.dufulu", "yimin", "颐民社区", kCommunity);
  MustCreate("gongyi.dufulu.longhai", "jingyuanx", "警苑西区", kCompound);

  Area moved;
  grpc::Status st = Move(admin_, "gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.yimin", &moved);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(moved.path(), "gongyi.dufulu.yimin.jingyuan");
  EXPECT_EQ(moved.parent_path(), "gongyi.dufulu.yimin");
  EXPECT_EQ(moved.code(), "jingyuan");
  EXPECT_EQ(moved.name(), "警苑小区");

  EXPECT_EQ(sut_->Query("SELECT string_agg(path || '<' || parent_path, ',' ORDER BY path) "
                        "FROM identity.areas WHERE path LIKE 'gongyi.dufulu.yimin.%'")[0],
            "gongyi.dufulu.yimin.jingyuan<gongyi.dufulu.yimin,"
            "gongyi.dufulu.yimin.jingyuan.b1<gongyi.dufulu.yimin.jingyuan,"
            "gongyi.dufulu.yimin.jingyuan.b1.u1<gongyi.dufulu.yimin.jingyuan.b1");
  // The sibling whose code merely starts the same stayed where it was.
  EXPECT_EQ(sut_->Query("SELECT string_agg(path, ',' ORDER BY path) FROM identity.areas "
                        "WHERE path LIKE 'gongyi.dufulu.longhai.%'")[0],
            "gongyi.dufulu.longhai.jingyuanx");
  // All three rows were rewritten by one and the same transaction.
  EXPECT_EQ(sut_->Query("SELECT count(DISTINCT xmin::text) FROM identity.areas "
                        "WHERE path LIKE 'gongyi.dufulu.yimin.jingyuan%'")[0],
            "1");
  EXPECT_NE(sut_->Query("SELECT xmin::text FROM identity.areas WHERE path = "
                        "'gongyi.dufulu.yimin.jingyuan'")[0],
            sut_->Query("SELECT xmin::text FROM identity.areas WHERE path = "
                        "'gongyi.dufulu.yimin'")[0]);
  Area got;
  ASSERT_TRUE(Get(admin_, "gongyi.dufulu.yimin.jingyuan.b1.u1", &got).ok());
  ASSERT_EQ(got.ancestors_size(), 4);
  EXPECT_EQ(got.ancestors(1).name(), "颐民社区");
  EXPECT_EQ(Get(admin_, "gongyi.dufulu.longhai.jingyuan.b1", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Refused moves change nothing.
  const std::string before = Tree();
  MustCreate("gongyi.dufulu.longhai", "jingyuan", "新警苑", kCompound);
  const std::string with_new = Tree();
  grpc::Status taken = Move(admin_, "gongyi.dufulu.yimin.jingyuan", "gongyi.dufulu.longhai");
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS) << taken.error_message();
  EXPECT_EQ(Move(admin_, "gongyi.dufulu.yimin.jingyuan", "gongyi.dufulu.nowhere").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Move(admin_, "gongyi.dufulu.yimin.jingyuan", "gongyi.dufulu").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a compound under a subdistrict
  EXPECT_EQ(Move(admin_, "gongyi.dufulu.yimin", "gongyi.dufulu.yimin.jingyuan").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // into its own subtree
  EXPECT_EQ(Move(admin_, "gongyi.dufulu.yimin.jingyuan", "gongyi.dufulu.yimin").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // already there
  EXPECT_EQ(Move(admin_, "gongyi.dufulu.yimin.none", "gongyi.dufulu.longhai").error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Scope over both parents: a subdistrict_admin of one community reaches no other.
  const std::string narrow = tokens_.Mint("s2", {"subdistrict_admin"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(Move(narrow, "gongyi.dufulu.yimin.jingyuan.b1", "gongyi.dufulu.longhai.jingyuanx")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Tree(), with_new);
  EXPECT_NE(Tree(), before);
}

TEST_F(AreaServerTest, MoveIsRefusedWhileResidentsLiveInTheSubtree) {
  MakeTree();
  MustCreate("gongyi.dufulu", "yimin", "颐民社区", kCommunity);
  MustCreate("gongyi.dufulu.longhai", "jingyuanx", "警苑西区", kCompound);
  auto residents = IdentityService::NewStub(sut_->channel());
  auto register_at = [&](const std::string& area, const std::string& first17) {
    identity::v1::CreateResidentRequest req;
    req.mutable_resident()->set_name("李晓霞");
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code(area);
    identity::v1::Resident out;
    grpc::Status st = residents->CreateResident(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  };
  // A resident of the sibling "jingyuanx" does not hold back a move of "jingyuan".
  register_at("gongyi.dufulu.longhai.jingyuanx", "41018119900307123");
  register_at("gongyi.dufulu.longhai.jingyuan.b1", "41018119850101123");

  const std::string before = Tree();
  grpc::Status st = Move(admin_, "gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.yimin");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("1 resident"));
  EXPECT_EQ(Tree(), before);
  EXPECT_EQ(sut_->Query("SELECT string_agg(area_code, ',' ORDER BY area_code) "
                        "FROM identity.residents")[0],
            "gongyi.dufulu.longhai.jingyuan.b1,gongyi.dufulu.longhai.jingyuanx");

  // With its residents gone, a staff account based there still holds it back.
  sut_->Query("DELETE FROM identity.residents WHERE area_code LIKE '%.b1'");
  sut_->Query(
      "INSERT INTO identity.staff_accounts (username, display_name, kind, area_code, "
      "password_hash, created_by) VALUES ('gate.keeper', 'x', 1, "
      "'gongyi.dufulu.longhai.jingyuan', 'x', 'test')");
  st = Move(admin_, "gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.yimin");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("staff"));
  EXPECT_EQ(Tree(), before);

  sut_->Query("DELETE FROM identity.staff_accounts WHERE username = 'gate.keeper'");
  EXPECT_TRUE(Move(admin_, "gongyi.dufulu.longhai.jingyuan", "gongyi.dufulu.yimin").ok());
}

}  // namespace
}  // namespace fangxian::testing
