// End to end over real HTTP: publicity as editors, reviewers, residents and loudspeaker
// players see it. Every publicity call goes through gateway_server (JSON transcoding,
// bearer pass-through) to the real publicity_server, which asks the real identity_server
// whether target areas exist; both on scratch databases, sharing the test Redis:
//   1. the campaign of an article: series, draft, review (rejected with a comment, then
//      approved by a reviewer who is not the author), the resident's public page, a view
//      counted through to PostgreSQL, a revision that keeps the published version live
//      until it is approved, archiving; with the JSON answers of bad input on the way;
//   2. the rest of the subdistrict's publicity work: a loudspeaker script on a schedule
//      and the player's playlist, boards, banners and a vehicle in the inventory, a media
//      report of a provincial outlet, and the figures the subdistrict reports.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "tests/support/http_client.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using google::protobuf::Struct;

constexpr char kSubdistrict[] = "gongyi.dufulu";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

// Markup stored as given: the gateway must hand it back as JSON data a browser never runs.
constexpr char kArticleBody[] =
    "# 她系列\n\n卡点上的女干部，逢车必查、逢人必测。<script>alert('x')</script>\n";

std::string Today() { return common::IsoDate(common::ChinaToday(absl::Now())); }

class GatewayPublicityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "e2epubid");
    for (const char* area : {kJingyuan, kYimin}) identity_->EnsureArea(area);
    publicity_ = std::make_unique<ServiceUnderTest>(
        "services/publicity/publicity_server", "e2epub", tokens_,
        identity_->Env({// Views reach PostgreSQL within a fraction of a second.
                        {"FX_VIEWS_REDIS_FLUSH_MS", "20"},
                        {"FX_VIEWS_FLUSH_MS", "50"},
                        // Tests running in parallel never flush each other's counts.
                        {"FX_VIEWS_REDIS_KEY", "fx:test:e2e:views:" + NewUuid()}}));
    ASSERT_TRUE(publicity_->WaitUntilServing());
    gateway_ = std::make_unique<ChildProcess>(
        "gateway/gateway_server",
        GatewayServerEnv(
            {{"FX_IDENTITY_ADDR", identity_->address()},
             {"FX_PUBLICITY_ADDR",
              absl::StrCat("127.0.0.1:", publicity_->process().WaitForPort("grpc_port"))},
             {"FX_LOG_LEVEL", "WARNING"}}));
    http_port_ = gateway_->WaitForPort("http_port");

    editor_ = tokens_.Mint(NewUuid(), {"publicity_editor"}, {kLonghai});
    reviewer_ = tokens_.Mint(NewUuid(), {"publicity_reviewer"}, {kSubdistrict});
    admin_ = tokens_.Mint(NewUuid(), {"subdistrict_admin"}, {kSubdistrict});
  }

  std::string NewUuid() {
    return identity_->server().Query("SELECT gen_random_uuid()::text").at(0);
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

  // A workflow step (":submitForReview", ":approve", ...) on an item at `version`.
  Struct Step(const std::string& id, const std::string& verb, const std::string& token, int version,
              const std::string& more = "") {
    return Ok("POST", absl::StrCat("/v1/contents/", id, ":", verb), token,
              absl::StrCat(R"({"expectedVersion":)", version, more, "}"));
  }

  // Drafts `content_json` as the editor, submits it and has the reviewer approve it;
  // returns the item's id.
  std::string Publish(const std::string& content_json) {
    const std::string id =
        JsonString(Ok("POST", "/v1/contents", editor_, content_json), "contentId");
    EXPECT_EQ(id.size(), 36u);
    Step(id, "submitForReview", editor_, 1);
    EXPECT_EQ(JsonString(Step(id, "approve", reviewer_, 1), "state"), "CONTENT_STATE_PUBLISHED");
    return id;
  }

  // What a resident of `area` sees, without an account: the live items' titles.
  std::vector<std::string> LiveTitles(const std::string& area) {
    std::vector<std::string> titles;
    for (const Struct& item :
         JsonObjects(Ok("GET", "/v1/live-contents?areaCode=" + area, ""), "items")) {
      titles.push_back(JsonString(item, "title"));
    }
    return titles;
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> publicity_;
  std::unique_ptr<ChildProcess> gateway_;
  int http_port_ = 0;
  std::string editor_, reviewer_, admin_;
};

TEST_F(GatewayPublicityTest, AnArticleGoesFromDraftToResidentsAndBack) {
  // ---- The series registry: a reviewer opens the series; anyone may list it.
  Ok("POST", "/v1/series", reviewer_, R"({"name":"她系列","description":"女干部的故事"})");
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/series", reviewer_, R"({"name":"她系列"})"), 409, 6));
  ASSERT_EQ(JsonObjects(Ok("GET", "/v1/series", ""), "series").size(), 1u);

  // ---- Bad drafts: each a clear 4xx naming the field, nothing stored.
  // The article as the editor writes it: `title`, the body above, and `extra` fields.
  const auto draft = [](const std::string& extra, const std::string& title = "卡点上的她") {
    return absl::StrCat(R"({"kind":"CONTENT_KIND_ARTICLE","title":")", title,
                        R"(","series":"她系列","body":)", common::JsonString(kArticleBody),
                        R"(,"areaCodes":["gongyi.dufulu.longhai"])", extra, "}");
  };
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents", editor_, draft(R"j(,"mediaUrl":"javascript:alert(1)")j")), 400,
      3, "media_url"));
  EXPECT_TRUE(IsHttpError(Call("POST", "/v1/contents", editor_,
                               draft(R"(,"mediaUrl":"http://169.254.169.254/latest")")),
                          400, 3, "media_url"));
  EXPECT_TRUE(IsHttpError(
      Call(
          "POST", "/v1/contents", editor_,
          R"({"kind":"CONTENT_KIND_ARTICLE","title":"t","series":"无此系列","areaCodes":["gongyi.dufulu.longhai"]})"),
      404, 5, "series"));
  EXPECT_TRUE(IsHttpError(
      Call(
          "POST", "/v1/contents", editor_,
          R"({"kind":"CONTENT_KIND_ARTICLE","title":"t","areaCodes":["gongyi.dufulu.longhai.nowhere"]})"),
      404, 5, "area_codes"));
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents", editor_,
           draft(R"(,"publishTime":"2026-12-10T00:00:00Z","expireTime":"2026-12-01T00:00:00Z")")),
      400, 3, "expire"));
  // Another community is outside the editor's scope.
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents", editor_,
           R"({"kind":"CONTENT_KIND_NOTICE","title":"t","areaCodes":["gongyi.dufulu.yimin"]})"),
      403, 7));
  EXPECT_EQ(publicity_->Count("publicity.contents"), "0");
  EXPECT_TRUE(IsHttpError(Call("GET", "/v1/contents?pageSize=1000", editor_), 400, 3, "page_size"));

  // ---- A draft is invisible to residents.
  const Struct created = Ok("POST", "/v1/contents", editor_, draft(""));
  const std::string id = JsonString(created, "contentId");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(JsonString(created, "state"), "CONTENT_STATE_DRAFT");
  EXPECT_EQ(JsonNumber(created, "version"), 1);
  EXPECT_TRUE(LiveTitles(kJingyuan).empty());

  // ---- Review: rejected with a comment, edited, approved by someone else.
  Step(id, "submitForReview", editor_, 1);
  // Only reviewers publish; a reviewer-editor may not publish their own item.
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents/" + id + ":approve", editor_, R"({"expectedVersion":1})"), 403,
      7));
  const std::string self_reviewer = tokens_.Mint(
      JsonString(created, "author"), {"publicity_editor", "publicity_reviewer"}, {kLonghai});
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents/" + id + ":approve", self_reviewer, R"({"expectedVersion":1})"),
      403, 7, "own"));
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/contents/" + id + ":reject", reviewer_, R"({"expectedVersion":1})"), 400, 3,
      "comment"));
  EXPECT_EQ(
      JsonString(Step(id, "reject", reviewer_, 1, R"(,"comment":"标题请加上社区名")"), "state"),
      "CONTENT_STATE_DRAFT");
  const Struct edited = Ok("PUT", "/v1/contents/" + id + "?expectedVersion=1", editor_,
                           draft("", "陇海路社区：卡点上的她"));
  EXPECT_EQ(JsonNumber(edited, "version"), 2);
  // A stale version is refused: someone else changed the item meanwhile.
  EXPECT_TRUE(IsHttpError(
      Call("PUT", "/v1/contents/" + id + "?expectedVersion=1", editor_, draft("")), 409, 10));
  Step(id, "submitForReview", editor_, 2);
  const Struct approved = Step(id, "approve", reviewer_, 2);
  EXPECT_EQ(JsonString(approved, "state"), "CONTENT_STATE_PUBLISHED");
  EXPECT_EQ(JsonNumber(approved, "liveVersion"), 2);

  // ---- Residents of the community and of its compounds see it, without an account;
  // another community does not.
  EXPECT_EQ(LiveTitles(kJingyuan), std::vector<std::string>{"陇海路社区：卡点上的她"});
  EXPECT_EQ(LiveTitles(kLonghai), std::vector<std::string>{"陇海路社区：卡点上的她"});
  EXPECT_TRUE(LiveTitles(kYimin).empty());
  EXPECT_TRUE(LiveTitles(kSubdistrict).empty());
  // The body comes back exactly as stored, as JSON data a browser will not sniff or run.
  const HttpResponse read =
      Call("GET", absl::StrCat("/v1/live-contents/", id, "?areaCode=", kJingyuan), "");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(JsonString(ParseJson(read.body), "body"), kArticleBody);
  EXPECT_EQ(read.headers.at("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(read.headers.at("x-content-type-options"), "nosniff");
  EXPECT_NE(read.headers.at("content-security-policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_TRUE(IsHttpError(
      Call("GET", absl::StrCat("/v1/live-contents/", id, "?areaCode=", kYimin), ""), 404, 5));

  // ---- The read was counted: memory -> Redis -> PostgreSQL, then the staff totals.
  const std::string totals = absl::StrCat("/v1/content-views/totals?areaCode=", kLonghai,
                                          "&fromDate=", Today(), "&toDate=", Today());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  std::string views;  // int64: a JSON string
  while (absl::Now() < deadline) {
    views = JsonString(Ok("GET", totals, reviewer_), "totalViews");
    if (!views.empty()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(views, "1");

  // ---- A published item is not edited in place: a revision keeps version 2 live until
  // the reviewer approves version 3.
  EXPECT_TRUE(IsHttpError(
      Call("PUT", "/v1/contents/" + id + "?expectedVersion=2", editor_, draft("", "改")), 400, 9,
      "ReviseContent"));
  EXPECT_EQ(JsonNumber(Step(id, "revise", editor_, 2), "version"), 3);
  Ok("PUT", "/v1/contents/" + id + "?expectedVersion=3", editor_,
     draft("", "陇海路社区：卡点上的她（更新）"));
  EXPECT_EQ(LiveTitles(kJingyuan), std::vector<std::string>{"陇海路社区：卡点上的她"});
  Step(id, "submitForReview", editor_, 4);
  Step(id, "approve", reviewer_, 4);
  EXPECT_EQ(LiveTitles(kJingyuan), std::vector<std::string>{"陇海路社区：卡点上的她（更新）"});

  // ---- Every version and decision is kept.
  const Struct history = Ok("GET", "/v1/contents/" + id + "/history", reviewer_);
  EXPECT_EQ(JsonObjects(history, "versions").size(), 4u);
  const std::vector<Struct> reviews = JsonObjects(history, "reviews");
  ASSERT_EQ(reviews.size(), 3u);
  EXPECT_EQ(JsonString(reviews[0], "comment"), "标题请加上社区名");

  // ---- Archived: gone from the residents' page.
  Step(id, "archive", editor_, 4);
  EXPECT_TRUE(LiveTitles(kJingyuan).empty());
}

TEST_F(GatewayPublicityTest, LoudspeakersMaterialsAndTheSubdistrictFigures) {
  // ---- A loudspeaker script for 警苑小区, played all day, every day.
  const std::string script = Publish(
      R"({"kind":"CONTENT_KIND_LOUDSPEAKER_SCRIPT","title":"警苑小区小喇叭",)"
      R"("body":"居民注意了，减少外出、亲友聚会，出门要戴好口罩……","areaCodes":["gongyi.dufulu.longhai.jingyuan"]})");
  const std::string all_week =
      R"(["DAY_OF_WEEK_MONDAY","DAY_OF_WEEK_TUESDAY","DAY_OF_WEEK_WEDNESDAY","DAY_OF_WEEK_THURSDAY","DAY_OF_WEEK_FRIDAY","DAY_OF_WEEK_SATURDAY","DAY_OF_WEEK_SUNDAY"])";
  const Struct schedule = Ok(
      "POST", "/v1/loudspeaker-schedules", editor_,
      absl::StrCat(R"({"name":"全天循环","areaCode":")", kJingyuan,
                   R"(","entries":[{"contentId":")", script, R"(","days":)", all_week,
                   R"(,"startMinuteOfDay":0,"endMinuteOfDay":1440,"repeatIntervalMinutes":30}]})"));
  EXPECT_EQ(JsonString(schedule, "scheduleId").size(), 36u);
  // A window that ends before it starts is refused.
  EXPECT_TRUE(IsHttpError(
      Call("POST", "/v1/loudspeaker-schedules", editor_,
           absl::StrCat(R"({"name":"x","areaCode":")", kJingyuan, R"(","entries":[{"contentId":")",
                        script, R"(","days":)", all_week,
                        R"(,"startMinuteOfDay":600,"endMinuteOfDay":480}]})")),
      400, 3));
  // The player has no account: it asks for its playlist by area.
  const std::vector<Struct> playing = JsonObjects(
      Ok("GET", absl::StrCat("/v1/loudspeaker-playlist?areaCode=", kJingyuan), ""), "items");
  ASSERT_EQ(playing.size(), 1u);
  EXPECT_EQ(JsonString(playing[0], "title"), "警苑小区小喇叭");
  EXPECT_EQ(JsonNumber(playing[0], "repeatIntervalMinutes"), 30);
  EXPECT_TRUE(JsonObjects(Ok("GET", absl::StrCat("/v1/loudspeaker-playlist?areaCode=", kYimin), ""),
                          "items")
                  .empty());

  // ---- Boards, banners and a vehicle in the inventory.
  const auto material = [&](const std::string& kind, int quantity) {
    return Ok("POST", "/v1/materials", editor_,
              absl::StrCat(R"({"kind":")", kind, R"(","description":"疫情防控宣传","areaCode":")",
                           kJingyuan, R"(","quantity":)", quantity, R"(,"installedOn":")", Today(),
                           R"(","condition":"MATERIAL_CONDITION_GOOD"})"));
  };
  material("MATERIAL_KIND_BOARD", 25);
  material("MATERIAL_KIND_BANNER", 40);
  material("MATERIAL_KIND_VEHICLE", 1);
  EXPECT_TRUE(
      IsHttpError(Call("POST", "/v1/materials", editor_,
                       absl::StrCat(R"({"kind":"MATERIAL_KIND_BOARD","areaCode":")", kJingyuan,
                                    R"(","quantity":0,"installedOn":")", Today(), R"("})")),
                  400, 3, "quantity"));

  // ---- A provincial outlet ran a report on the community's checkpoints.
  Publish(R"({"kind":"CONTENT_KIND_MEDIA_REPORT","title":"人人都是守门员","outlet":"河南日报",)"
          R"("outletLevel":"OUTLET_LEVEL_PROVINCE","mediaUrl":"https://example.org/report/1",)"
          R"("areaCodes":["gongyi.dufulu.longhai"]})");

  // ---- The figures the subdistrict reports, for today.
  const Struct report = Ok("GET",
                           absl::StrCat("/v1/publicity-statistics/", kSubdistrict,
                                        "?fromDate=", Today(), "&toDate=", Today()),
                           admin_);
  const Struct total = JsonObject(report, "total");
  EXPECT_EQ(JsonString(total, "boards"), "25");  // int64 fields are JSON strings
  EXPECT_EQ(JsonString(total, "banners"), "40");
  EXPECT_EQ(JsonString(total, "vehicles"), "1");
  EXPECT_EQ(JsonString(total, "loudspeakerScripts"), "1");
  EXPECT_EQ(JsonString(total, "mediaReports"), "1");
  EXPECT_EQ(JsonString(JsonObject(total, "mediaReportsByLevel"), "province"), "1");
  // An editor of one community may not read the whole subdistrict's figures.
  EXPECT_TRUE(IsHttpError(Call("GET",
                               absl::StrCat("/v1/publicity-statistics/", kSubdistrict,
                                            "?fromDate=", Today(), "&toDate=", Today()),
                               editor_),
                          403, 7));
}

}  // namespace
}  // namespace fangxian::testing
