// Public reading and view counting rules (services/publicity/live_rules.h), and the
// memory cache of PublicContent over a fake store with an injected clock: windows and
// ancestors, excerpts, cache expiry capped at the next window change, single-flight
// fills, invalidation, view counting and the Redis key names.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/paging.h"
#include "services/publicity/live_rules.h"
#include "services/publicity/public_content.h"

namespace fangxian::publicity {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

TEST(LiveRulesTest, AreaAndAncestorsListsEveryLevelTopFirst) {
  EXPECT_EQ(AreaAndAncestors("gongyi.dufulu.longhai"),
            (std::vector<std::string>{"gongyi", "gongyi.dufulu", "gongyi.dufulu.longhai"}));
  EXPECT_EQ(AreaAndAncestors("gongyi"), (std::vector<std::string>{"gongyi"}));
}

TEST(LiveRulesTest, AnItemShowsInItsAreasAndEverythingBelowThemOnly) {
  const std::vector<std::string> subdistrict = {"gongyi.dufulu"};
  EXPECT_TRUE(TargetsArea(subdistrict, "gongyi.dufulu"));
  EXPECT_TRUE(TargetsArea(subdistrict, "gongyi.dufulu.longhai.jingyuan"));
  EXPECT_FALSE(TargetsArea(subdistrict, "gongyi"));          // not upwards
  EXPECT_FALSE(TargetsArea(subdistrict, "gongyi.dufulux"));  // not a prefix match
  const std::vector<std::string> compound = {"gongyi.dufulu.longhai.jingyuan"};
  EXPECT_FALSE(TargetsArea(compound, "gongyi.dufulu.longhai"));  // not on its community
  EXPECT_FALSE(TargetsArea(compound, "gongyi.dufulu.yimin.jingyuan"));
  EXPECT_TRUE(
      TargetsArea({"gongyi.dufulu.yimin", "gongyi.dufulu.longhai"}, "gongyi.dufulu.longhai.a"));
  EXPECT_FALSE(TargetsArea({}, "gongyi"));
}

TEST(LiveRulesTest, AnAreaWhoseCodeMerelyStartsLikeAnotherIsNotBelowIt) {
  // "longhaix" is a sibling of "longhai", not a child: neither sees the other's items.
  EXPECT_FALSE(TargetsArea({"gongyi.dufulu.longhai"}, "gongyi.dufulu.longhaix"));
  EXPECT_FALSE(TargetsArea({"gongyi.dufulu.longhaix"}, "gongyi.dufulu.longhai"));
  EXPECT_FALSE(TargetsArea({"gongyi.dufulu.longhai"}, "gongyi.dufulu.longhaix.jingyuan"));
  EXPECT_TRUE(TargetsArea({"gongyi.dufulu.longhai"}, "gongyi.dufulu.longhai.jingyuan"));
  EXPECT_EQ(AreaAndAncestors("gongyi.dufulu.longhaix"),
            (std::vector<std::string>{"gongyi", "gongyi.dufulu", "gongyi.dufulu.longhaix"}));
}

TEST(LiveRulesTest, TheWindowIncludesItsStartAndExcludesItsEnd) {
  const absl::Time start = kNow;
  const absl::Time end = kNow + absl::Hours(1);
  EXPECT_FALSE(IsLiveAt(start, end, start - absl::Microseconds(1)));
  EXPECT_TRUE(IsLiveAt(start, end, start));
  EXPECT_TRUE(IsLiveAt(start, end, end - absl::Microseconds(1)));
  EXPECT_FALSE(IsLiveAt(start, end, end));
  EXPECT_TRUE(IsLiveAt(start, std::nullopt, start + absl::Hours(10000)));

  EXPECT_EQ(NextWindowChange(start, end, start - absl::Seconds(1)), start);
  EXPECT_EQ(NextWindowChange(start, end, start), end);
  EXPECT_EQ(NextWindowChange(start, end, end), std::nullopt);
  EXPECT_EQ(NextWindowChange(start, std::nullopt, start), std::nullopt);
}

TEST(LiveRulesTest, ExcerptsCutBetweenCharactersAndMarkTheCut) {
  EXPECT_EQ(Excerpt("short", 200), "short");
  EXPECT_EQ(Excerpt("", 200), "");
  EXPECT_EQ(Excerpt("abcdef", 3), "abc\u2026");
  // Three-byte characters: 4 characters, not 4 bytes.
  EXPECT_EQ(Excerpt("逢车必查逢人必测", 4), "逢车必查\u2026");
  EXPECT_EQ(Excerpt("逢车必查", 4), "逢车必查");
  // A four-byte character (emoji) stays whole.
  EXPECT_EQ(Excerpt("a\xF0\x9F\x98\x80"
                    "b",
                    2),
            "a\xF0\x9F\x98\x80\u2026");
  // Invalid UTF-8 ends the excerpt before the bad byte.
  EXPECT_EQ(Excerpt("ab\xFF"
                    "cd",
                    10),
            "ab\u2026");
  // The default is 200 characters.
  const std::string long_body(300, 'x');
  EXPECT_EQ(Excerpt(long_body), std::string(200, 'x') + "\u2026");
}

TEST(LiveRulesTest, CacheExpiryIsTheTtlCappedAtTheNextWindowChange) {
  EXPECT_EQ(CacheExpiry(kNow, absl::Seconds(2), std::nullopt), kNow + absl::Seconds(2));
  EXPECT_EQ(CacheExpiry(kNow, absl::Seconds(2), kNow + absl::Seconds(5)), kNow + absl::Seconds(2));
  EXPECT_EQ(CacheExpiry(kNow, absl::Seconds(2), kNow + absl::Milliseconds(300)),
            kNow + absl::Milliseconds(300));
  EXPECT_EQ(CacheExpiry(kNow, absl::ZeroDuration(), std::nullopt), kNow);  // disabled
}

TEST(LiveRulesTest, ListInputIsCheckedAndPageSizeDefaulted) {
  v1::ListLiveContentRequest req;
  int size = 0;
  EXPECT_EQ(ValidateListLive(req, &size).code(), absl::StatusCode::kInvalidArgument);
  req.set_area_code("gongyi.dufulu");
  ASSERT_TRUE(ValidateListLive(req, &size).ok());
  EXPECT_EQ(size, kDefaultLivePageSize);
  req.set_page_size(50);
  ASSERT_TRUE(ValidateListLive(req, &size).ok());
  EXPECT_EQ(size, 50);
  req.set_page_size(51);
  EXPECT_NE(ValidateListLive(req, &size).message().find("page_size"), std::string::npos);
  req.set_page_size(0);
  req.set_kind(static_cast<v1::ContentKind>(99));
  EXPECT_NE(ValidateListLive(req, &size).message().find("kind"), std::string::npos);
  req.set_kind(v1::CONTENT_KIND_NOTICE);
  req.set_page_token("not-a-token");
  EXPECT_NE(ValidateListLive(req, &size).message().find("page_token"), std::string::npos);
  req.set_page_token("");
  req.set_area_code("Gongyi..x");
  EXPECT_NE(ValidateListLive(req, &size).message().find("area_code"), std::string::npos);
}

TEST(LiveRulesTest, ListKeysDifferWhenAnyFieldDiffers) {
  v1::ListLiveContentRequest a;
  a.set_area_code("gongyi.dufulu");
  v1::ListLiveContentRequest b = a;
  EXPECT_EQ(LiveListKey(a, 20), LiveListKey(b, 20));
  EXPECT_NE(LiveListKey(a, 20), LiveListKey(a, 21));
  b.set_series("她系列");
  EXPECT_NE(LiveListKey(a, 20), LiveListKey(b, 20));
  b = a;
  b.set_kind(v1::CONTENT_KIND_VIDEO);
  EXPECT_NE(LiveListKey(a, 20), LiveListKey(b, 20));
  b = a;
  b.set_page_token(common::EncodeTimeIdPageToken(1, "123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_NE(LiveListKey(a, 20), LiveListKey(b, 20));
}

TEST(LiveRulesTest, ViewCounterKeysAndFields) {
  const ViewKeys keys = ViewKeysFor(kViewsKeyPrefix);
  EXPECT_EQ(keys.pending, "fx:publicity:v1:views:pending");
  EXPECT_EQ(keys.batches, "fx:publicity:v1:views:batches");
  EXPECT_EQ(keys.batch_prefix, "fx:publicity:v1:views:batch:");
  EXPECT_EQ(keys.applied_prefix, "fx:publicity:v1:views:applied:");
  const std::string id = "123e4567-e89b-12d3-a456-426614174000";
  const std::string field = ViewField(id, absl::CivilDay(2020, 2, 3));
  EXPECT_EQ(field, id + ":2020-02-03");
  std::string parsed;
  absl::CivilDay day;
  ASSERT_TRUE(ParseViewField(field, &parsed, &day));
  EXPECT_EQ(parsed, id);
  EXPECT_EQ(day, absl::CivilDay(2020, 2, 3));
  EXPECT_FALSE(ParseViewField("x:2020-02-03", &parsed, &day));
  EXPECT_FALSE(ParseViewField(id + ":2020-02-30", &parsed, &day));
  EXPECT_FALSE(ParseViewField(id, &parsed, &day));
}

TEST(LiveRulesTest, ViewPeriodsAreRealDaysInOrderAndAtMost366) {
  absl::CivilDay from, to;
  EXPECT_TRUE(ValidateViewPeriod("gongyi", "2024-01-01", "2024-12-31", &from, &to).ok());  // 366
  EXPECT_EQ(to - from, 365);
  EXPECT_NE(
      ValidateViewPeriod("gongyi", "2023-01-01", "2024-01-02", &from, &to).message().find("366"),
      std::string::npos);
  EXPECT_NE(ValidateViewPeriod("gongyi", "2024-01-02", "2024-01-01", &from, &to)
                .message()
                .find("to_date"),
            std::string::npos);
  EXPECT_NE(ValidateViewPeriod("gongyi", "2024-1-2", "2024-01-03", &from, &to)
                .message()
                .find("from_date"),
            std::string::npos);
  EXPECT_NE(
      ValidateViewPeriod("", "2024-01-02", "2024-01-03", &from, &to).message().find("area_code"),
      std::string::npos);
}

// A store that answers from rows set by the test and counts its calls; List can be held
// so several callers are in flight at once.
class FakeLiveStore : public LiveStore {
 public:
  absl::StatusOr<LivePage> List(const LiveQuery& query) override {
    ++list_calls;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [this] { return !hold; });
    }
    LivePage page;
    for (const LiveRow& row : rows) {
      if (IsLiveAt(row.publish_at, row.expire_at, query.now)) page.rows.push_back(row);
      std::optional<absl::Time> next = NextWindowChange(row.publish_at, row.expire_at, query.now);
      if (next && (!page.next_change || *next < *page.next_change)) page.next_change = next;
    }
    return page;
  }
  absl::StatusOr<std::optional<LiveRow>> Get(const std::string& content_id) override {
    ++get_calls;
    for (const LiveRow& row : rows) {
      if (row.content_id == content_id) return std::optional<LiveRow>(row);
    }
    return std::optional<LiveRow>();
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu);
      hold = false;
    }
    cv.notify_all();
  }

  std::vector<LiveRow> rows;
  std::atomic<int> list_calls{0};
  std::atomic<int> get_calls{0};
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false;
};

LiveRow Row(const std::string& id, absl::Time publish, std::optional<absl::Time> expire) {
  LiveRow row;
  row.content_id = id;
  row.kind = 1;
  row.title = "通告 " + id;
  row.body = "body";
  row.publish_at = publish;
  row.expire_at = expire;
  row.area_codes = {"gongyi.dufulu"};
  return row;
}

class PublicContentCacheTest : public ::testing::Test {
 protected:
  // A call deadline that never passes during the test.
  static std::chrono::system_clock::time_point Later() {
    return std::chrono::system_clock::now() + std::chrono::minutes(5);
  }

  PublicContentCacheTest()
      : redis_(common::RedisPool::Options{}),
        pg_(common::PgPool::Options{}),
        views_(redis_, pg_, ViewKeysFor("test")),
        content_(store_, views_, absl::Seconds(2), [this] { return now_; }) {}

  v1::ListLiveContentRequest ListRequest() const {
    v1::ListLiveContentRequest req;
    req.set_area_code("gongyi.dufulu.longhai");
    return req;
  }
  // The items of a list as sent (its serialized response).
  static int Items(const PublicContent::LiveList& list) {
    v1::ListLiveContentResponse sent;
    EXPECT_TRUE(sent.ParseFromString(list.wire));
    return sent.items_size();
  }
  int Listed() {
    absl::StatusOr<PublicContent::SharedList> out = content_.List(ListRequest(), Later());
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? Items(**out) : -1;
  }

  FakeLiveStore store_;
  common::RedisPool redis_;
  common::PgPool pg_;
  ViewCounter views_;
  absl::Time now_ = kNow;  // written only while no other thread reads it
  PublicContent content_;
};

TEST_F(PublicContentCacheTest, AScheduledItemAppearsAtItsTimeDespiteTheCache) {
  store_.rows = {Row("a", kNow - absl::Hours(1), std::nullopt),
                 Row("b", kNow + absl::Milliseconds(500), kNow + absl::Milliseconds(1500))};
  EXPECT_EQ(Listed(), 1);
  EXPECT_FALSE(content_.TryList(ListRequest()) == std::nullopt);  // cached
  EXPECT_EQ(store_.list_calls, 1);
  now_ = kNow + absl::Milliseconds(499);
  ASSERT_TRUE(content_.TryList(ListRequest()).has_value());
  EXPECT_EQ(Items(***content_.TryList(ListRequest())), 1);
  // b goes live: the cached answer lapses exactly then.
  now_ = kNow + absl::Milliseconds(500);
  EXPECT_FALSE(content_.TryList(ListRequest()).has_value());
  EXPECT_EQ(Listed(), 2);
  EXPECT_EQ(store_.list_calls, 2);
  // ...and leaves at its expiry, well before the 2 s TTL.
  now_ = kNow + absl::Milliseconds(1500);
  EXPECT_FALSE(content_.TryList(ListRequest()).has_value());
  EXPECT_EQ(Listed(), 1);
  // Without window changes ahead the TTL alone applies.
  now_ = kNow + absl::Milliseconds(1500) + absl::Seconds(2) - absl::Microseconds(1);
  EXPECT_TRUE(content_.TryList(ListRequest()).has_value());
  now_ = kNow + absl::Milliseconds(1500) + absl::Seconds(2);
  EXPECT_FALSE(content_.TryList(ListRequest()).has_value());
}

TEST_F(PublicContentCacheTest, InvalidateAllDropsCachedAnswers) {
  store_.rows = {Row("a", kNow - absl::Hours(1), std::nullopt)};
  EXPECT_EQ(Listed(), 1);
  store_.rows.push_back(Row("b", kNow - absl::Minutes(1), std::nullopt));
  EXPECT_EQ(Listed(), 1);  // still the cached answer
  content_.InvalidateAll();
  EXPECT_FALSE(content_.TryList(ListRequest()).has_value());
  EXPECT_EQ(Listed(), 2);
}

TEST_F(PublicContentCacheTest, ABurstOfMissesReadsTheStoreOnce) {
  store_.rows = {Row("a", kNow - absl::Hours(1), std::nullopt)};
  store_.hold = true;
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  std::atomic<int> started{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      ++started;
      if (Listed() == 1) ++ok;
    });
  }
  // The first fill is held until every caller has started; those that reach the cache
  // meanwhile must wait for it rather than read the store themselves (and any that come
  // after it hit the entry it stored).
  while (store_.list_calls.load() == 0 || started.load() < 8) std::this_thread::yield();
  store_.Release();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(store_.list_calls, 1);
}

TEST_F(PublicContentCacheTest, ReadsOfAnItemCountViewsAndRespectItsWindowAndAreas) {
  store_.rows = {
      Row("123e4567-e89b-12d3-a456-426614174000", kNow - absl::Hours(1), kNow + absl::Seconds(1))};
  v1::GetLiveContentRequest req;
  req.set_area_code("gongyi.dufulu.longhai");
  req.set_content_id("123e4567-e89b-12d3-a456-426614174000");
  ASSERT_TRUE(content_.Get(req, Later()).ok());
  std::optional<absl::StatusOr<v1::LiveContent>> again = content_.TryGet(req);
  ASSERT_TRUE(again.has_value());
  ASSERT_TRUE(again->ok());
  EXPECT_EQ((*again)->body(), "body");
  EXPECT_EQ(views_.pending(), 2);
  EXPECT_EQ(store_.get_calls, 1);
  // Another area: not found, not counted.
  req.set_area_code("gongyi.other");
  EXPECT_EQ(content_.Get(req, Later()).status().code(), absl::StatusCode::kNotFound);
  // Expired while cached: not found, not counted.
  req.set_area_code("gongyi.dufulu");
  now_ = kNow + absl::Seconds(1);
  EXPECT_EQ((*content_.TryGet(req)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(views_.pending(), 2);
}

}  // namespace
}  // namespace fangxian::publicity
