// The area tree's rules as pure functions: placement of levels, codes, admin reach,
// listing visibility, moves, paging, and the HTTP routes the gateway derives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/escaping.h"
#include "common/paging.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "services/identity/areas.h"

namespace fangxian::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

AreaRow Stored(const std::string& path, v1::AreaLevel level) {
  AreaRow row;
  row.path = path;
  row.parent_path = std::string(ParentPathOf(path));
  row.code = path.substr(path.rfind('.') + 1);
  row.level = level;
  return row;
}

common::CallContext Caller(std::vector<common::Grant> grants,
                           std::vector<absl::string_view> roles) {
  common::CallContext call;
  call.principal.subject = "u";
  call.principal.grants = std::move(grants);
  call.roles = std::move(roles);
  return call;
}

const std::vector<absl::string_view> kAdmins = {"subdistrict_admin", "community_admin"};

TEST(AreaLevelTest, EachLevelFitsOnlyUnderItsParentLevels) {
  using v1::AreaLevel;
  const std::vector<AreaLevel> levels = {v1::AREA_LEVEL_SUBDISTRICT, v1::AREA_LEVEL_COMMUNITY,
                                         v1::AREA_LEVEL_VILLAGE,     v1::AREA_LEVEL_COMPOUND,
                                         v1::AREA_LEVEL_BUILDING,    v1::AREA_LEVEL_UNIT};
  const std::set<std::pair<AreaLevel, AreaLevel>> allowed = {
      {v1::AREA_LEVEL_COMMUNITY, v1::AREA_LEVEL_SUBDISTRICT},
      {v1::AREA_LEVEL_VILLAGE, v1::AREA_LEVEL_SUBDISTRICT},
      {v1::AREA_LEVEL_COMPOUND, v1::AREA_LEVEL_COMMUNITY},
      {v1::AREA_LEVEL_COMPOUND, v1::AREA_LEVEL_VILLAGE},
      {v1::AREA_LEVEL_BUILDING, v1::AREA_LEVEL_COMPOUND},
      {v1::AREA_LEVEL_UNIT, v1::AREA_LEVEL_BUILDING}};
  for (AreaLevel child : levels) {
    for (AreaLevel parent : levels) {
      EXPECT_EQ(LevelFitsUnder(child, parent), allowed.count({child, parent}) == 1)
          << AreaLevelName(child) << " under " << AreaLevelName(parent);
    }
  }
}

TEST(AreaLevelTest, PlacementUnderCityRootsMissingAndStoredParents) {
  // Only a subdistrict goes under a city root, which is never stored.
  EXPECT_TRUE(CheckPlacement(v1::AREA_LEVEL_SUBDISTRICT, "gongyi", std::nullopt).ok());
  absl::Status s = CheckPlacement(v1::AREA_LEVEL_COMMUNITY, "gongyi", std::nullopt);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("community"));
  // A missing parent must be created first; a subdistrict can never go below a city root.
  s = CheckPlacement(v1::AREA_LEVEL_COMMUNITY, "gongyi.dufulu", std::nullopt);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("create the parent first"));
  EXPECT_EQ(CheckPlacement(v1::AREA_LEVEL_SUBDISTRICT, "gongyi.dufulu", std::nullopt).code(),
            absl::StatusCode::kInvalidArgument);
  // A stored parent of the wrong level: the message names both levels.
  s = CheckPlacement(v1::AREA_LEVEL_BUILDING, "gongyi.dufulu",
                     Stored("gongyi.dufulu", v1::AREA_LEVEL_SUBDISTRICT));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("building"));
  EXPECT_THAT(s.message(), HasSubstr("subdistrict"));
  EXPECT_TRUE(CheckPlacement(v1::AREA_LEVEL_COMPOUND, "gongyi.dufulu.xiaocun",
                             Stored("gongyi.dufulu.xiaocun", v1::AREA_LEVEL_VILLAGE))
                  .ok());
}

TEST(AreaLevelTest, LevelMustBeOneOfTheSix) {
  EXPECT_TRUE(ValidateAreaLevel("level", v1::AREA_LEVEL_UNIT).ok());
  EXPECT_EQ(ValidateAreaLevel("level", v1::AREA_LEVEL_UNSPECIFIED).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateAreaLevel("level", 7).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateAreaLevel("level", -1).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AreaCodeTest, OneToThirtyTwoOfLowerCaseDigitsAndDash) {
  for (const std::string& ok : {std::string("a"), std::string("longhai"), std::string("no-3"),
                                std::string("12"), std::string(32, 'x')}) {
    EXPECT_TRUE(ValidateAreaCode("code", ok).ok()) << ok;
  }
  for (const std::string& bad :
       {std::string(), std::string(33, 'x'), std::string("Longhai"), std::string("long.hai"),
        std::string("long_hai"), std::string("陇海"), std::string("a b")}) {
    absl::Status s = ValidateAreaCode("code", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("code")) << bad;
  }
}

TEST(AreaPathTest, ParentsAndCityRoots) {
  EXPECT_EQ(ParentPathOf("gongyi.dufulu.longhai"), "gongyi.dufulu");
  EXPECT_EQ(ParentPathOf("gongyi"), "");
  EXPECT_TRUE(IsCityRoot("gongyi"));
  EXPECT_FALSE(IsCityRoot("gongyi.dufulu"));
  EXPECT_FALSE(IsCityRoot(""));
}

TEST(AreaAdminTest, CommunityAdminsManageOnlyBelowTheirCommunity) {
  const auto community = Caller({{"community_admin", "gongyi.dufulu.longhai"}}, kAdmins);
  EXPECT_TRUE(
      RequireAreaAdmin(community, "gongyi.dufulu.longhai.jingyuan", v1::AREA_LEVEL_COMPOUND).ok());
  EXPECT_TRUE(
      RequireAreaAdmin(community, "gongyi.dufulu.longhai.jingyuan.b1", v1::AREA_LEVEL_BUILDING)
          .ok());
  // Not a community, not even their own, nor anything outside it.
  EXPECT_EQ(RequireAreaAdmin(community, "gongyi.dufulu.longhai", v1::AREA_LEVEL_COMMUNITY).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(RequireAreaAdmin(community, "gongyi.dufulu.yimin.x", v1::AREA_LEVEL_COMPOUND).code(),
            absl::StatusCode::kPermissionDenied);
  // A community_admin granted over a whole subdistrict still creates no communities.
  const auto wide = Caller({{"community_admin", "gongyi.dufulu"}}, kAdmins);
  EXPECT_EQ(RequireAreaAdmin(wide, "gongyi.dufulu.new", v1::AREA_LEVEL_VILLAGE).code(),
            absl::StatusCode::kPermissionDenied);

  const auto subdistrict = Caller({{"subdistrict_admin", "gongyi.dufulu"}}, kAdmins);
  EXPECT_TRUE(RequireAreaAdmin(subdistrict, "gongyi.dufulu.new", v1::AREA_LEVEL_COMMUNITY).ok());
  EXPECT_EQ(RequireAreaAdmin(subdistrict, "gongyi.other", v1::AREA_LEVEL_SUBDISTRICT).code(),
            absl::StatusCode::kPermissionDenied);
  // A subdistrict_admin grant elsewhere does not lift a community_admin's limit here.
  const auto mixed =
      Caller({{"community_admin", "gongyi.dufulu.longhai"}, {"subdistrict_admin", "gongyi.other"}},
             kAdmins);
  EXPECT_EQ(RequireAreaAdmin(mixed, "gongyi.dufulu.longhai", v1::AREA_LEVEL_COMMUNITY).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AreaListTest, CallersBelowTheParentSeeOnlyTheChildrenLeadingToTheirGrants) {
  const std::vector<absl::string_view> staff = {"community_admin", "volunteer"};
  const auto admin = Caller({{"community_admin", "gongyi.dufulu.longhai"},
                             {"volunteer", "gongyi.dufulu.yimin.a.b"},
                             {"auditor", "gongyi.dufulu.secret"}},
                            staff);
  auto codes = VisibleChildCodes(admin, "gongyi.dufulu");
  ASSERT_TRUE(codes.ok()) << codes.status();
  ASSERT_TRUE(codes->has_value());
  // The auditor grant is not one of the method's roles here, so it reveals nothing.
  EXPECT_THAT(**codes, ElementsAre("longhai", "yimin"));
  // Within the scope: everything.
  codes = VisibleChildCodes(admin, "gongyi.dufulu.longhai");
  ASSERT_TRUE(codes.ok());
  EXPECT_FALSE(codes->has_value());
  // Nowhere near it ("gongyi.dufulux" is not below "gongyi.dufulu").
  const auto stranger = Caller({{"community_admin", "gongyi.dufulux.a"}}, staff);
  EXPECT_EQ(VisibleChildCodes(stranger, "gongyi.dufulu").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(VisibleChildCodes(admin, "gongyi.dufulu.yimin.a.c").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(AreaMoveTest, PlacementResidentsAndPathLength) {
  MovePlan plan;
  plan.area = Stored("gongyi.dufulu.longhai.jingyuan", v1::AREA_LEVEL_COMPOUND);
  plan.new_parent_path = "gongyi.dufulu.yimin";
  plan.new_parent = Stored("gongyi.dufulu.yimin", v1::AREA_LEVEL_COMMUNITY);
  plan.longest_path = static_cast<int64_t>(plan.area.path.size()) + 10;
  EXPECT_TRUE(CheckMove(plan).ok());

  MovePlan residents = plan;
  residents.residents = 3;
  absl::Status s = CheckMove(residents);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("3 residents"));

  MovePlan wrong_level = plan;
  wrong_level.new_parent = Stored("gongyi.dufulu.yimin", v1::AREA_LEVEL_SUBDISTRICT);
  EXPECT_EQ(CheckMove(wrong_level).code(), absl::StatusCode::kInvalidArgument);

  MovePlan missing = plan;
  missing.new_parent.reset();
  EXPECT_EQ(CheckMove(missing).code(), absl::StatusCode::kFailedPrecondition);

  // Exactly 128 characters after the move is fine; 129 is not.
  MovePlan longest = plan;
  const int64_t growth = static_cast<int64_t>(plan.new_parent_path.size()) + 1 +
                         static_cast<int64_t>(plan.area.code.size()) -
                         static_cast<int64_t>(plan.area.path.size());
  longest.longest_path = 128 - growth;
  EXPECT_TRUE(CheckMove(longest).ok());
  longest.longest_path += 1;
  EXPECT_EQ(CheckMove(longest).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AreaPagingTest, PageSizeDefaultsAndLimits) {
  EXPECT_EQ(*common::PageSize(0, kDefaultAreaPageSize, kMaxAreaPageSize), kDefaultAreaPageSize);
  EXPECT_EQ(*common::PageSize(1, kDefaultAreaPageSize, kMaxAreaPageSize), 1);
  EXPECT_EQ(*common::PageSize(kMaxAreaPageSize, kDefaultAreaPageSize, kMaxAreaPageSize),
            kMaxAreaPageSize);
  EXPECT_EQ(common::PageSize(kMaxAreaPageSize + 1, kDefaultAreaPageSize, kMaxAreaPageSize)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(common::PageSize(-1, kDefaultAreaPageSize, kMaxAreaPageSize).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AreaPagingTest, TokensRoundTripAndForgeriesAreRefused) {
  for (const char* code : {"a", "longhai", "no-3", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}) {
    const std::string token = common::EncodePageToken(code);
    EXPECT_NE(token, code);
    absl::StatusOr<std::string> back = common::DecodePageToken(token, IsAreaCode);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, code);
  }
  EXPECT_EQ(*common::DecodePageToken("", IsAreaCode), "");  // the first page
  for (const std::string& bad :
       {std::string("!!!"), std::string("bG9uZ2hhaQ=="),  // padded: not the form handed out
        absl::WebSafeBase64Escape("Longhai"), absl::WebSafeBase64Escape("a.b"),
        absl::WebSafeBase64Escape("x' OR 1=1 --"), absl::WebSafeBase64Escape(std::string(33, 'a')),
        std::string("bG9uZ2hha")}) {
    absl::StatusOr<std::string> s = common::DecodePageToken(bad, IsAreaCode);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("page_token")) << bad;
  }
}

// The gateway derives the HTTP routes from areas.proto: each one reaches its RPC, with
// the dotted path as one segment.
TEST(AreaRoutesTest, GatewayRoutesReachEveryRpc) {
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const gateway::RoutedService& s : gateway::RoutedServices()) {
    services.push_back(s.descriptor);
  }
  absl::StatusOr<gateway::RouteTable> table = gateway::RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  struct Case {
    const char* method;
    const char* path;
    const char* rpc;
  };
  for (const Case& c : std::vector<Case>{
           {"POST", "/v1/areas", "CreateArea"},
           {"PATCH", "/v1/areas/gongyi.dufulu.longhai", "RenameArea"},
           {"POST", "/v1/areas/gongyi.dufulu.longhai:move", "MoveArea"},
           {"GET", "/v1/areas/gongyi.dufulu/children", "ListChildAreas"},
           {"GET", "/v1/areas/gongyi.dufulu.longhai", "GetArea"},
       }) {
    gateway::RouteMatch m = table->Match(c.method, c.path);
    ASSERT_NE(m.route, nullptr) << c.method << " " << c.path;
    EXPECT_EQ(m.route->grpc_method, std::string("/fangxian.identity.v1.AreaService/") + c.rpc);
    if (std::string(c.path) != "/v1/areas") {
      ASSERT_EQ(m.values.size(), 1u);
      EXPECT_EQ(m.values[0].rfind("gongyi.dufulu", 0), 0u) << m.values[0];
    }
  }
}

}  // namespace
}  // namespace fangxian::identity
