// Black-box tests of public reading (PublicContentService): the real publicity_server on
// a scratch database with live items seeded as an approval leaves them
// (tests/support/publicity_fixtures.h), called without a token.
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>

#include <grpcpp/generic/generic_stub.h>

#include "fangxian/publicity/v1/public_content.grpc.pb.h"
#include "tests/support/publicity_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using publicity::v1::GetLiveContentRequest;
using publicity::v1::ListLiveContentRequest;
using publicity::v1::ListLiveContentResponse;
using publicity::v1::LiveContent;
using publicity::v1::PublicContentService;

constexpr char kCompound[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kCommunity[] = "gongyi.dufulu.longhai";
constexpr char kSubdistrict[] = "gongyi.dufulu";

class PublicityPublicTest : public ::testing::Test {
 protected:
  void Start(const std::map<std::string, std::string>& env = {}) {
    server_ = std::make_unique<ServiceUnderTest>("services/publicity/publicity_server", "pubpublic",
                                                 tokens_, env);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = PublicContentService::NewStub(server_->channel());
  }

  // No token: what a resident's browser sends.
  grpc::Status List(const ListLiveContentRequest& req, ListLiveContentResponse* out) {
    grpc::ClientContext ctx;
    return stub_->ListLiveContent(&ctx, req, out);
  }
  grpc::Status ListArea(const std::string& area, ListLiveContentResponse* out) {
    ListLiveContentRequest req;
    req.set_area_code(area);
    return List(req, out);
  }
  grpc::Status Get(const std::string& area, const std::string& id, LiveContent* out) {
    grpc::ClientContext ctx;
    GetLiveContentRequest req;
    req.set_area_code(area);
    req.set_content_id(id);
    return stub_->GetLiveContent(&ctx, req, out);
  }
  std::vector<std::string> Titles(const std::string& area) {
    ListLiveContentResponse out;
    const grpc::Status st = ListArea(area, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> titles;
    for (const LiveContent& c : out.items()) titles.push_back(c.title());
    return titles;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<PublicContentService::Stub> stub_;
};

TEST_F(PublicityPublicTest, AnyoneListsWhatIsLiveNewestFirstWithExcerpts) {
  Start();
  LiveItemSpec older;
  older.title = "older";
  older.areas = {kCommunity};
  older.publish_at = "now() - interval '2 hours'";
  SeedLiveItem(*server_, older);
  LiveItemSpec newer;
  newer.title = "newer";
  newer.kind = 5;
  newer.areas = {kCommunity};
  newer.series = "她系列";
  newer.tags = {"卡点", "a,b"};
  newer.body = std::string(150, 'x') + std::string(60, 'y');  // 210 characters
  newer.media_url = "https://news.example.cn/a/1";
  newer.outlet = "河南日报";
  newer.outlet_level = 2;
  newer.publish_at = "now() - interval '1 hour'";
  newer.expire_at = "now() + interval '1 day'";
  const std::string newer_id = SeedLiveItem(*server_, newer);

  ListLiveContentResponse out;
  ASSERT_TRUE(ListArea(kCommunity, &out).ok());
  ASSERT_EQ(out.items_size(), 2);
  EXPECT_TRUE(out.next_page_token().empty());
  const LiveContent& first = out.items(0);
  EXPECT_EQ(first.content_id(), newer_id);
  EXPECT_EQ(first.title(), "newer");
  EXPECT_EQ(first.kind(), publicity::v1::CONTENT_KIND_MEDIA_REPORT);
  EXPECT_EQ(first.excerpt(), std::string(150, 'x') + std::string(50, 'y') + "\u2026");
  EXPECT_TRUE(first.body().empty());
  EXPECT_EQ(first.series(), "她系列");
  ASSERT_EQ(first.tags_size(), 2);
  EXPECT_EQ(first.tags(0), "卡点");
  EXPECT_EQ(first.tags(1), "a,b");
  EXPECT_EQ(first.media_url(), "https://news.example.cn/a/1");
  EXPECT_EQ(first.outlet(), "河南日报");
  EXPECT_EQ(first.outlet_level(), publicity::v1::OUTLET_LEVEL_PROVINCE);
  EXPECT_TRUE(first.has_expire_time());
  EXPECT_GT(first.expire_time().seconds(), first.publish_time().seconds());
  EXPECT_EQ(out.items(1).title(), "older");
  EXPECT_FALSE(out.items(1).has_expire_time());

  // The full item, body included; a token sent by a logged-in resident is not in the way.
  LiveContent item;
  ASSERT_TRUE(Get(kCommunity, newer_id, &item).ok());
  EXPECT_EQ(item.body(), newer.body);
  EXPECT_TRUE(item.excerpt().empty());
  GetLiveContentRequest req;
  req.set_area_code(kCommunity);
  req.set_content_id(newer_id);
  const std::string resident = tokens_.Mint("resident-1", {"resident"}, {kCompound});
  EXPECT_TRUE(stub_->GetLiveContent(CallContextWith(resident).get(), req, &item).ok());
}

TEST_F(PublicityPublicTest, OnlyLiveItemsOfTheAreaOrAboveItShow) {
  Start();
  auto seed = [this](const std::string& title, std::vector<std::string> areas,
                     const std::string& publish, const std::string& expire, bool live) {
    LiveItemSpec s;
    s.title = title;
    s.areas = std::move(areas);
    s.publish_at = publish;
    s.expire_at = expire;
    s.live = live;
    return SeedLiveItem(*server_, s);
  };
  const std::string hour_ago = "now() - interval '1 hour'";
  seed("subdistrict-wide", {kSubdistrict}, hour_ago, "NULL", true);
  seed("community", {kCommunity}, "now() - interval '2 hours'", "NULL", true);
  seed("compound", {kCompound}, "now() - interval '3 hours'", "NULL", true);
  const std::string draft = seed("draft", {kCommunity}, hour_ago, "NULL", false);
  const std::string other =
      seed("other community", {"gongyi.dufulu.yimin"}, hour_ago, "NULL", true);
  const std::string expired =
      seed("expired", {kCommunity}, "now() - interval '2 days'", "now() - interval '1 day'", true);
  const std::string future = seed("future", {kCommunity}, "now() + interval '1 day'", "NULL", true);

  EXPECT_EQ(Titles(kCompound),
            (std::vector<std::string>{"subdistrict-wide", "community", "compound"}));
  // An item for one compound does not show on its community's page.
  EXPECT_EQ(Titles(kCommunity), (std::vector<std::string>{"subdistrict-wide", "community"}));
  EXPECT_EQ(Titles(kSubdistrict), (std::vector<std::string>{"subdistrict-wide"}));
  EXPECT_TRUE(Titles("gongyi").empty());
  EXPECT_TRUE(Titles("nowhere.at.all").empty());  // unknown area: nothing, not an error

  LiveContent item;
  for (const std::string& id : {draft, other, expired, future}) {
    EXPECT_EQ(Get(kCommunity, id, &item).error_code(), grpc::StatusCode::NOT_FOUND) << id;
  }
  EXPECT_EQ(Get(kCommunity, "123e4567-e89b-12d3-a456-426614174000", &item).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(kCommunity, "not-a-uuid", &item), "content_id"));
  EXPECT_TRUE(IsInvalidNaming(Get("Bad Area", draft, &item), "area_code"));
}

TEST_F(PublicityPublicTest, AnAreaWhoseCodeMerelyStartsLikeAnotherSeesNoneOfItsItems) {
  Start();
  constexpr char kLookAlike[] = "gongyi.dufulu.longhaix";
  auto seed = [this](const std::string& title, const std::string& area) {
    LiveItemSpec s;
    s.title = title;
    s.areas = {area};
    return SeedLiveItem(*server_, s);
  };
  const std::string longhai = seed("longhai", kCommunity);
  const std::string look_alike = seed("longhaix", kLookAlike);
  EXPECT_EQ(Titles(kLookAlike), (std::vector<std::string>{"longhaix"}));
  EXPECT_EQ(Titles(kCommunity), (std::vector<std::string>{"longhai"}));
  EXPECT_EQ(Titles(std::string(kLookAlike) + ".jingyuan"), (std::vector<std::string>{"longhaix"}));
  LiveContent item;
  EXPECT_EQ(Get(kLookAlike, longhai, &item).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(kCommunity, look_alike, &item).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(kCompound, look_alike, &item).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get(kLookAlike, look_alike, &item).ok());
}

TEST_F(PublicityPublicTest, PagesFollowEachOtherAndBadInputIsRefused) {
  Start();
  std::set<std::string> seeded;
  for (int i = 0; i < 5; ++i) {
    LiveItemSpec s;
    s.title = "item " + std::to_string(i);
    s.kind = i % 2 == 0 ? 1 : 2;
    s.series = i < 2 ? "红色故事" : "";
    // Two items share a publish time: the id orders them.
    s.publish_at = "now() - interval '" + std::to_string(i / 2 + 1) + " hours'";
    s.publish_at = i == 1 ? "(SELECT publish_at FROM publicity.contents WHERE title = 'item 0')"
                          : s.publish_at;
    seeded.insert(SeedLiveItem(*server_, s));
  }
  std::vector<std::string> ids;
  ListLiveContentRequest req;
  req.set_area_code(kSubdistrict);
  req.set_page_size(2);
  int pages = 0;
  do {
    ListLiveContentResponse out;
    ASSERT_TRUE(List(req, &out).ok());
    for (const LiveContent& c : out.items()) ids.push_back(c.content_id());
    req.set_page_token(out.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), seeded);
  EXPECT_EQ(ids.size(), 5u);

  // Filters.
  ListLiveContentRequest by;
  by.set_area_code(kSubdistrict);
  by.set_series("红色故事");
  ListLiveContentResponse out;
  ASSERT_TRUE(List(by, &out).ok());
  EXPECT_EQ(out.items_size(), 2);
  by.set_series("");
  by.set_kind(publicity::v1::CONTENT_KIND_ARTICLE);
  ASSERT_TRUE(List(by, &out).ok());
  EXPECT_EQ(out.items_size(), 2);
  for (const LiveContent& c : out.items()) EXPECT_EQ(c.kind(), publicity::v1::CONTENT_KIND_ARTICLE);

  // Bad input.
  ListLiveContentRequest bad;
  bad.set_area_code(kSubdistrict);
  bad.set_page_size(51);
  EXPECT_TRUE(IsInvalidNaming(List(bad, &out), "page_size"));
  bad.set_page_size(-1);
  EXPECT_TRUE(IsInvalidNaming(List(bad, &out), "page_size"));
  bad.set_page_size(0);
  bad.set_page_token("bm90LWEtdG9rZW4");
  EXPECT_TRUE(IsInvalidNaming(List(bad, &out), "page_token"));
  bad.set_page_token("");
  bad.set_kind(static_cast<publicity::v1::ContentKind>(42));
  EXPECT_TRUE(IsInvalidNaming(List(bad, &out), "kind"));
  bad.set_kind(publicity::v1::CONTENT_KIND_UNSPECIFIED);
  bad.set_series("no such series");
  grpc::Status st = List(bad, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find("series"), std::string::npos);
  bad.set_series("");
  bad.set_area_code("");
  EXPECT_TRUE(IsInvalidNaming(List(bad, &out), "area_code"));

  // The list is served from bytes (sent as serialized once): bytes that are no request
  // are refused as such, not answered.
  grpc::GenericStub generic(server_->channel());
  grpc::ClientContext ctx;
  const char garbage[] = "\xff\xff\xff";
  grpc::Slice slice(garbage, sizeof(garbage) - 1);
  grpc::ByteBuffer request(&slice, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<grpc::Status> done;
  generic.UnaryCall(&ctx, "/fangxian.publicity.v1.PublicContentService/ListLiveContent",
                    grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      done = s;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done.has_value(); });
  EXPECT_EQ(done->error_code(), grpc::StatusCode::INVALID_ARGUMENT) << done->error_message();
}

// The cache keeps a list for a minute here, yet an item scheduled a moment ahead appears
// when its time comes and leaves at its expiry: a cached answer never outlives the next
// window change of its area's items.
TEST_F(PublicityPublicTest, AScheduledItemAppearsAndLeavesOnTimeDespiteTheCache) {
  Start({{"FX_PUBLICITY_LIVE_CACHE_MS", "60000"}});
  LiveItemSpec always;
  always.title = "always";
  SeedLiveItem(*server_, always);
  LiveItemSpec scheduled;
  scheduled.title = "scheduled";
  scheduled.publish_at = "now() + interval '3 seconds'";
  scheduled.expire_at = "now() + interval '5 seconds'";
  SeedLiveItem(*server_, scheduled);

  EXPECT_EQ(Titles(kSubdistrict), (std::vector<std::string>{"always"}));  // now cached
  // A change nobody announced (written behind the server's back) stays invisible for the
  // cache's minute: the list is really served from memory.
  LiveItemSpec unannounced;
  unannounced.title = "unannounced";
  unannounced.publish_at = "now() - interval '1 day'";
  SeedLiveItem(*server_, unannounced);
  EXPECT_EQ(Titles(kSubdistrict), (std::vector<std::string>{"always"}));
  EXPECT_TRUE(Eventually([&] { return Titles(kSubdistrict).front() == "scheduled"; },
                         std::chrono::seconds(10)));
  EXPECT_EQ(Titles(kSubdistrict), (std::vector<std::string>{"scheduled", "always", "unannounced"}));
  EXPECT_TRUE(
      Eventually([&] { return Titles(kSubdistrict).size() == 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(Titles(kSubdistrict), (std::vector<std::string>{"always", "unannounced"}));
}

}  // namespace
}  // namespace fangxian::testing
