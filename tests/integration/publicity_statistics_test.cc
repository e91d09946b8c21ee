// PublicityStatisticsService against the real publicity_server (and the real
// identity_server, which materials ask whether their area exists): materials made
// through MaterialService, removals dated and published items, first-publication times
// and daily views seeded with SQL (the publishing workflow and the view flush are not what
// this test is about). Checks every figure, the period's China-midnight bounds, child-area
// grouping without double counting, the answer cache, and bad input, scope and roles.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/publicity/v1/materials.grpc.pb.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "fangxian/publicity/v1/statistics.grpc.pb.h"
#include "tests/support/identity_fixtures.h"

namespace fangxian::testing {
namespace {

using namespace publicity::v1;  // NOLINT: the test reads better with the message names

constexpr char kDufulu[] = "gongyi.dufulu";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kXiangyang[] = "gongyi.dufulu.longhai.xiangyang";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kElsewhere[] = "gongyi.zhanjie.beiguan";

absl::CivilDay Today() { return common::ChinaToday(absl::Now()); }
std::string Day(int offset) { return common::IsoDate(Today() + offset); }
// The moment China day `offset` (relative to today) starts.
absl::Time Midnight(int offset) { return common::ChinaDayStart(Today() + offset); }

class PublicityStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "pstats_identity");
    for (const char* area : {kJingyuan, kXiangyang, kYimin}) identity_->EnsureArea(area);
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
  }

  // Starts publicity_server keeping statistics answers for `cache_ms`.
  void Start(const std::string& cache_ms) {
    server_ = std::make_unique<ServiceUnderTest>(
        "services/publicity/publicity_server", "pstats", tokens_,
        identity_->Env({{"FX_PUBLICITY_STATS_CACHE_MS", cache_ms}}));
    ASSERT_TRUE(server_->WaitUntilServing());
    stats_ = PublicityStatisticsService::NewStub(server_->channel());
    materials_ = MaterialService::NewStub(server_->channel());
  }

  // A material in service from `installed` (days from today), made through the API.
  std::string Material(const std::string& area, MaterialKind kind, int quantity, int installed) {
    CreateMaterialRequest req;
    publicity::v1::Material* m = req.mutable_material();
    m->set_kind(kind);
    m->set_area_code(area);
    m->set_quantity(quantity);
    m->set_installed_on(Day(installed));
    m->set_condition(MATERIAL_CONDITION_GOOD);
    publicity::v1::Material out;
    grpc::Status st = materials_->CreateMaterial(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.material_id();
  }

  // Test fixture only: the material removed on day `removed` (RemoveMaterial dates a
  // removal today).
  void RemovedOnForTest(const std::string& material_id, int removed) {
    server_->Query(absl::StrCat("UPDATE publicity.materials SET removed_on = '", Day(removed),
                                "', removed_by = 'test', removal_reason = 'test' "
                                "WHERE material_id = '",
                                material_id, "'"));
  }

  // Test fixture only: an item of `kind` targeting `areas`, first published at `first`
  // (never, when std::nullopt), as the review workflow records it.
  std::string ContentForTest(ContentKind kind, const std::vector<std::string>& areas,
                             std::optional<absl::Time> first, OutletLevel level = {}) {
    const std::string published =
        first ? absl::StrCat("'", common::Rfc3339Micros(*first), "'") : "NULL";
    const std::string id =
        server_
            ->Query(absl::StrCat("INSERT INTO publicity.contents (kind, title, author, state, "
                                 "first_published_at, outlet_level) VALUES (",
                                 kind, ", '抗疫纪实', 'test', ", first ? 3 : 1, ", ", published,
                                 ", ", level, ") RETURNING content_id"))
            .at(0);
    for (const std::string& area : areas) {
      server_->Query(
          absl::StrCat("INSERT INTO publicity.content_areas VALUES ('", id, "', '", area, "')"));
    }
    return id;
  }

  // Test fixture only: `views` reads of the item on day `offset`, as the view flush adds
  // them.
  void ViewsForTest(const std::string& content_id, int offset, int views) {
    server_->Query(absl::StrCat("INSERT INTO publicity.content_views VALUES ('", content_id, "', '",
                                Day(offset), "', ", views, ")"));
  }

  grpc::Status Figures(const std::string& token, const std::string& area, const std::string& start,
                       const std::string& end, PublicityFiguresReport* out) {
    GetPublicityFiguresRequest req;
    req.set_area_code(area);
    req.set_from_date(start);
    req.set_to_date(end);
    return stats_->GetPublicityFigures(CallContextWith(token).get(), req, out);
  }
  PublicityFiguresReport MustFigures(const std::string& area, int start, int end) {
    PublicityFiguresReport out;
    grpc::Status st = Figures(admin_, area, Day(start), Day(end), &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<PublicityStatisticsService::Stub> stats_;
  std::unique_ptr<MaterialService::Stub> materials_;
  std::string admin_;
};

TEST_F(PublicityStatisticsTest, FiguresOfAPeriodPerAreaAndChildArea) {
  Start("0");
  // The period: the ten China days before today.
  constexpr int kStart = -10;
  constexpr int kEnd = -1;

  // Materials in service at the period's end.
  Material(kJingyuan, MATERIAL_KIND_BOARD, 10, -30);
  Material(kXiangyang, MATERIAL_KIND_BANNER, 50, -5);
  Material(kYimin, MATERIAL_KIND_VEHICLE, 1, kEnd);  // installed on the last day
  Material(kJingyuan, MATERIAL_KIND_BOARD, 7, 0);    // after the period: not counted
  RemovedOnForTest(Material(kJingyuan, MATERIAL_KIND_BANNER, 20, -30), kEnd);     // still counts
  RemovedOnForTest(Material(kJingyuan, MATERIAL_KIND_BANNER, 4, -30), kEnd - 1);  // gone
  Material(kJingyuan, MATERIAL_KIND_POSTER, 100, -30);  // not a reported kind
  Material(kDufulu, MATERIAL_KIND_BOARD, 2, -30);       // dufulu itself

  // Items first published in the period (China midnights bound it).
  const std::string article =
      ContentForTest(CONTENT_KIND_ARTICLE, {kJingyuan, kXiangyang}, Midnight(-5) + absl::Hours(9));
  ContentForTest(CONTENT_KIND_NOTICE, {kYimin}, Midnight(kStart));  // the first instant
  ContentForTest(CONTENT_KIND_LOUDSPEAKER_SCRIPT, {kJingyuan}, Midnight(-4));
  ContentForTest(CONTENT_KIND_MEDIA_REPORT, {kDufulu}, Midnight(-2), OUTLET_LEVEL_PROVINCE);
  ContentForTest(CONTENT_KIND_MEDIA_REPORT, {kLonghai}, Midnight(0) - absl::Microseconds(1),
                 OUTLET_LEVEL_NATIONAL);                              // the last instant
  ContentForTest(CONTENT_KIND_MEDIA_REPORT, {kYimin}, Midnight(-3));  // no outlet level
  ContentForTest(CONTENT_KIND_VIDEO, {kJingyuan}, Midnight(0));       // just after the period
  const std::string older =
      ContentForTest(CONTENT_KIND_ARTICLE, {kYimin}, Midnight(kStart) - absl::Microseconds(1));
  const std::string outside = ContentForTest(CONTENT_KIND_ARTICLE, {kElsewhere}, Midnight(-5));
  ContentForTest(CONTENT_KIND_ARTICLE, {kJingyuan}, std::nullopt);  // never published

  // Views in the period, whenever the item was published.
  ViewsForTest(article, -3, 100);
  ViewsForTest(article, -2, 5);
  ViewsForTest(article, 0, 1000);    // after the period
  ViewsForTest(article, -11, 1000);  // before it
  ViewsForTest(older, -4, 7);        // published before the period, read in it
  ViewsForTest(outside, -4, 999);    // another area

  const PublicityFiguresReport r = MustFigures(kDufulu, kStart, kEnd);
  EXPECT_EQ(r.area_code(), kDufulu);
  EXPECT_EQ(r.from_date(), Day(kStart));
  EXPECT_EQ(r.to_date(), Day(kEnd));
  EXPECT_GT(r.as_of().seconds(), 0);
  const PublicityFigures& t = r.total();
  EXPECT_EQ(t.boards(), 12);
  EXPECT_EQ(t.banners(), 70);
  EXPECT_EQ(t.vehicles(), 1);
  EXPECT_EQ(t.articles(), 1);  // two target areas, one article
  EXPECT_EQ(t.notices(), 1);
  EXPECT_EQ(t.videos(), 0);
  EXPECT_EQ(t.loudspeaker_scripts(), 1);
  EXPECT_EQ(t.media_reports(), 3);
  EXPECT_EQ(t.media_reports_by_level().national(), 1);
  EXPECT_EQ(t.media_reports_by_level().province(), 1);
  EXPECT_EQ(t.media_reports_by_level().city(), 0);
  EXPECT_EQ(t.media_reports_by_level().county(), 0);
  EXPECT_EQ(t.media_reports_by_level().unspecified(), 1);
  EXPECT_EQ(t.views(), 112);  // 105 of the article (once) + 7 of the older one

  std::map<std::string, PublicityFigures> children;
  for (const AreaPublicityFigures& c : r.child_areas()) children[c.area_code()] = c.figures();
  ASSERT_EQ(children.size(), 3u) << r.DebugString();  // dufulu itself, longhai, yimin
  const PublicityFigures& own = children[kDufulu];
  EXPECT_EQ(own.boards(), 2);
  EXPECT_EQ(own.media_reports_by_level().province(), 1);
  const PublicityFigures& longhai = children[kLonghai];
  EXPECT_EQ(longhai.boards(), 10);
  EXPECT_EQ(longhai.banners(), 70);
  EXPECT_EQ(longhai.articles(), 1);
  EXPECT_EQ(longhai.loudspeaker_scripts(), 1);
  EXPECT_EQ(longhai.media_reports_by_level().national(), 1);
  EXPECT_EQ(longhai.views(), 105);  // jingyuan and xiangyang both in longhai: once
  const PublicityFigures& yimin = children[kYimin];
  EXPECT_EQ(yimin.vehicles(), 1);
  EXPECT_EQ(yimin.notices(), 1);
  EXPECT_EQ(yimin.media_reports_by_level().unspecified(), 1);
  EXPECT_EQ(yimin.views(), 7);

  // One level down, the article counts under both compounds it targets.
  const PublicityFiguresReport l = MustFigures(kLonghai, kStart, kEnd);
  EXPECT_EQ(l.total().articles(), 1);
  EXPECT_EQ(l.total().views(), 105);
  EXPECT_EQ(l.total().media_reports(), 1);  // the national one targets longhai itself
  children.clear();
  for (const AreaPublicityFigures& c : l.child_areas()) children[c.area_code()] = c.figures();
  ASSERT_EQ(children.size(), 3u) << l.DebugString();  // longhai itself, jingyuan, xiangyang
  EXPECT_EQ(children[kJingyuan].articles(), 1);
  EXPECT_EQ(children[kXiangyang].articles(), 1);
  EXPECT_EQ(children[kJingyuan].views(), 105);
  EXPECT_EQ(children[kXiangyang].views(), 105);
  EXPECT_EQ(children[kJingyuan].banners(), 20);
  EXPECT_EQ(children[kXiangyang].banners(), 50);

  // Materials counted as of the last day: the board put up today counts from today on.
  EXPECT_EQ(MustFigures(kDufulu, kStart, 0).total().boards(), 19);
  // An area with nothing: zeros, no child areas.
  const PublicityFiguresReport none = MustFigures("gongyi.dufulu.longhai.xiangyang.b9", -3, -1);
  EXPECT_EQ(none.total().banners(), 0);
  EXPECT_EQ(none.child_areas_size(), 0);
}

TEST_F(PublicityStatisticsTest, AnAreaWhoseNameStartsLikeAnotherIsNotBelowIt) {
  constexpr char kLookAlike[] = "gongyi.dufulu.longhaix";
  identity_->EnsureArea(kLookAlike);
  Start("0");
  Material(kJingyuan, MATERIAL_KIND_BOARD, 10, -30);
  Material(kLookAlike, MATERIAL_KIND_BOARD, 4, -30);
  const std::string inside = ContentForTest(CONTENT_KIND_NOTICE, {kJingyuan}, Midnight(-2));
  const std::string look_alike = ContentForTest(CONTENT_KIND_NOTICE, {kLookAlike}, Midnight(-2));
  ViewsForTest(inside, -1, 3);
  ViewsForTest(look_alike, -1, 50);

  const PublicityFiguresReport l = MustFigures(kLonghai, -3, -1);
  EXPECT_EQ(l.total().boards(), 10);
  EXPECT_EQ(l.total().notices(), 1);
  EXPECT_EQ(l.total().views(), 3);
  ASSERT_EQ(l.child_areas_size(), 1) << l.DebugString();
  EXPECT_EQ(l.child_areas(0).area_code(), kJingyuan);

  // From dufulu, longhaix is a child area of its own.
  const PublicityFiguresReport d = MustFigures(kDufulu, -3, -1);
  EXPECT_EQ(d.total().boards(), 14);
  EXPECT_EQ(d.total().notices(), 2);
  EXPECT_EQ(d.total().views(), 53);
  std::map<std::string, PublicityFigures> children;
  for (const AreaPublicityFigures& c : d.child_areas()) children[c.area_code()] = c.figures();
  ASSERT_EQ(children.size(), 2u) << d.DebugString();
  EXPECT_EQ(children[kLonghai].boards(), 10);
  EXPECT_EQ(children[kLonghai].views(), 3);
  EXPECT_EQ(children[kLookAlike].boards(), 4);
  EXPECT_EQ(children[kLookAlike].notices(), 1);
  EXPECT_EQ(children[kLookAlike].views(), 50);

  // A caller whose scope is longhai may not ask about longhaix.
  const std::string reviewer = tokens_.Mint("reviewer-1", {"publicity_reviewer"}, {kLonghai});
  PublicityFiguresReport out;
  grpc::Status st = Figures(reviewer, kLookAlike, Day(-3), Day(-1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(PublicityStatisticsTest, AnswersAreKeptForTheCacheTime) {
  Start("60000");
  Material(kJingyuan, MATERIAL_KIND_BOARD, 10, -3);
  EXPECT_EQ(MustFigures(kDufulu, -2, -1).total().boards(), 10);
  Material(kJingyuan, MATERIAL_KIND_BOARD, 5, -3);
  // The same question: the kept answer. Another one: read afresh.
  EXPECT_EQ(MustFigures(kDufulu, -2, -1).total().boards(), 10);
  EXPECT_EQ(MustFigures(kDufulu, -3, -1).total().boards(), 15);
  // Scope is checked on every call, cached answer or not.
  PublicityFiguresReport out;
  const std::string editor = tokens_.Mint("editor-1", {"publicity_editor"}, {kYimin});
  grpc::Status st = Figures(editor, kDufulu, Day(-2), Day(-1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(PublicityStatisticsTest, BadPeriodsScopeAndRolesAreRefused) {
  Start("2000");
  PublicityFiguresReport out;
  EXPECT_TRUE(IsInvalidNaming(Figures(admin_, kDufulu, Day(-1), Day(-2), &out), "to_date"));
  EXPECT_TRUE(
      IsInvalidNaming(Figures(admin_, kDufulu, "2024-01-01", "2025-01-01", &out), "from_date"));
  EXPECT_TRUE(IsInvalidNaming(Figures(admin_, kDufulu, "2026-02-29", Day(-1), &out), "from_date"));
  EXPECT_TRUE(IsInvalidNaming(Figures(admin_, kDufulu, Day(-1), "tomorrow", &out), "to_date"));
  EXPECT_TRUE(IsInvalidNaming(Figures(admin_, "", Day(-1), Day(-1), &out), "area_code"));
  // 366 days is the longest period.
  grpc::Status st = Figures(admin_, kDufulu, "2024-01-01", "2024-12-31", &out);
  EXPECT_TRUE(st.ok()) << st.error_message();

  const std::string reviewer = tokens_.Mint("reviewer-1", {"publicity_reviewer"}, {kLonghai});
  const std::string auditor = tokens_.Mint("auditor-1", {"auditor"}, {kLonghai});
  const std::string volunteer = tokens_.Mint("volunteer-1", {"volunteer"}, {kLonghai});
  EXPECT_TRUE(Figures(reviewer, kJingyuan, Day(-1), Day(-1), &out).ok());
  EXPECT_TRUE(Figures(auditor, kLonghai, Day(-1), Day(-1), &out).ok());
  st = Figures(reviewer, kDufulu, Day(-1), Day(-1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  st = Figures(volunteer, kLonghai, Day(-1), Day(-1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

}  // namespace
}  // namespace fangxian::testing
