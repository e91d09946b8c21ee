// Unit tests of the small common pieces: status mapping, JSON log lines, metrics text,
// field validation, area scopes, paging, the worker pool and the single-flight caches.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/flight_cache.h"
#include "common/json.h"
#include "common/local_cache.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/paging.h"
#include "common/rpc.h"
#include "common/status.h"
#include "common/uuid.h"
#include "common/validate.h"
#include "common/worker_pool.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace fangxian::common {
namespace {

TEST(UuidTest, TimeOrderedIdsAreVersion7WithTheirMillisecondAndAlwaysIncrease) {
  const absl::Time t = absl::FromUnixMillis(1764460800123);  // 0x019ad20f287b
  std::string prev;
  for (int i = 0; i < 5000; ++i) {  // more than the 4096 of one millisecond's sequence
    const std::string id = TimeOrderedUuid(t);
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '7') << id;                                          // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant 10
    EXPECT_GT(id, prev);
    prev = id;
  }
  // The sequence borrowed the next millisecond once it ran out, never an earlier one.
  EXPECT_TRUE(prev.rfind("019ad20f-287c-7", 0) == 0 || prev.rfind("019ad20f-287b-7", 0) == 0)
      << prev;
  // A later clock starts at its own millisecond; an earlier one cannot go back.
  EXPECT_EQ(TimeOrderedUuid(t + absl::Seconds(1)).substr(0, 13), "019ad20f-2c63");
  EXPECT_GT(TimeOrderedUuid(t - absl::Hours(1)), prev);
  // The random part differs between ids of one millisecond.
  EXPECT_NE(TimeOrderedUuid(t + absl::Seconds(2)).substr(19),
            TimeOrderedUuid(t + absl::Seconds(2)).substr(19));
}

TEST(StatusTest, HttpTableIsTheStandardOne) {
  using C = grpc::StatusCode;
  const std::vector<std::pair<C, int>> table = {{C::OK, 200},
                                                {C::INVALID_ARGUMENT, 400},
                                                {C::FAILED_PRECONDITION, 400},
                                                {C::OUT_OF_RANGE, 400},
                                                {C::UNAUTHENTICATED, 401},
                                                {C::PERMISSION_DENIED, 403},
                                                {C::NOT_FOUND, 404},
                                                {C::ALREADY_EXISTS, 409},
                                                {C::ABORTED, 409},
                                                {C::RESOURCE_EXHAUSTED, 429},
                                                {C::CANCELLED, 499},
                                                {C::UNIMPLEMENTED, 501},
                                                {C::UNAVAILABLE, 503},
                                                {C::DEADLINE_EXCEEDED, 504},
                                                {C::INTERNAL, 500},
                                                {C::UNKNOWN, 500},
                                                {C::DATA_LOSS, 500}};
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusForCode(code), http) << CodeName(code);
  }
}

TEST(StatusTest, RoundTripsCodeAndMessage) {
  grpc::Status g = ToGrpcStatus(absl::NotFoundError("no such resident"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(g.error_message(), "no such resident");
  EXPECT_EQ(FromGrpcStatus(g), absl::NotFoundError("no such resident"));
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(JsonTest, EscapesAndRepairsUtf8) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonString("防线"), "\"防线\"");
  EXPECT_EQ(JsonString("bad\xff"), "\"bad\xEF\xBF\xBD\"");
}

TEST(LogTest, LineIsOneValidJsonObject) {
  const std::string line = FormatLogLine(Severity::kWarning, "hello \"world\"",
                                         {{"n", 3}, {"ok", true}, {"s", "x\ny"}, {"d", 1.5}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok()) << line;
  EXPECT_EQ(parsed.fields().at("severity").string_value(), "WARNING");
  EXPECT_EQ(parsed.fields().at("message").string_value(), "hello \"world\"");
  EXPECT_EQ(parsed.fields().at("n").number_value(), 3);
  EXPECT_EQ(parsed.fields().at("s").string_value(), "x\ny");
  EXPECT_TRUE(parsed.fields().at("ok").bool_value());
}

TEST(MetricsTest, RendersCountersAndCumulativeHistogram) {
  Metrics m("fx_test");
  m.Record("/svc/A", "OK", 0.0007);
  m.Record("/svc/A", "OK", 0.02);
  m.Record("/svc/A", "NOT_FOUND", 3.0);
  m.AddGauge("fx_ready", "ready", [] { return 1.0; });
  const std::string text = m.Render();
  EXPECT_NE(text.find("fx_test_requests_total{method=\"/svc/A\",code=\"OK\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fx_test_requests_total{method=\"/svc/A\",code=\"NOT_FOUND\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("fx_test_latency_seconds_bucket{method=\"/svc/A\",le=\"0.0005\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("fx_test_latency_seconds_bucket{method=\"/svc/A\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("fx_test_latency_seconds_bucket{method=\"/svc/A\",le=\"0.025\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("fx_test_latency_seconds_bucket{method=\"/svc/A\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("fx_test_latency_seconds_count{method=\"/svc/A\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("fx_ready 1\n"), std::string::npos);
}

TEST(ValidateTest, NamesTheFieldInEveryMessage) {
  EXPECT_TRUE(RequireUuid("id", "123e4567-e89b-12d3-a456-426614174000").ok());
  auto bad = RequireUuid("resident_id", "123E4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("resident_id"), absl::string_view::npos);
  EXPECT_TRUE(RequireText("name", "张三", 2).ok());
  EXPECT_FALSE(RequireText("name", "张三丰", 2).ok());
  EXPECT_FALSE(RequireText("name", "", 2).ok());
  EXPECT_TRUE(RequireText("note", "", 2, /*required=*/false).ok());
  EXPECT_FALSE(RequireText("name", "a\tb", 10).ok());
  EXPECT_FALSE(RequireText("name", "\xff", 10).ok());
  EXPECT_FALSE(RequireText("name", "\xC0\xAF", 10).ok());      // overlong '/'
  EXPECT_FALSE(RequireText("name", "\xED\xA0\x80", 10).ok());  // a surrogate
  google::protobuf::RepeatedPtrField<std::string> areas;
  EXPECT_FALSE(RequireAreaPaths("areas", areas, 3).ok());
  *areas.Add() = "gongyi.a";
  *areas.Add() = "gongyi.b";
  EXPECT_TRUE(RequireAreaPaths("areas", areas, 3).ok());
  *areas.Add() = "gongyi.a";
  EXPECT_FALSE(RequireAreaPaths("areas", areas, 3).ok());
}

TEST(ValidateTest, MultilineTextAllowsTabsAndLineBreaksOnly) {
  EXPECT_TRUE(RequireMultilineText("body", "第一行\r\n\t第二行\n", 20).ok());
  EXPECT_TRUE(RequireMultilineText("body", "张三丰", 3).ok());
  EXPECT_TRUE(RequireMultilineText("body", "", 3, /*required=*/false).ok());

  // Every failure is INVALID_ARGUMENT and names the field, as RequireText's do.
  auto expect_rejected = [](const absl::Status& s, absl::string_view what) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find("letter.body"), absl::string_view::npos) << s;
    EXPECT_NE(s.message().find(what), absl::string_view::npos) << s;
  };
  expect_rejected(RequireMultilineText("letter.body", "", 3), "is required");
  expect_rejected(RequireMultilineText("letter.body", "张三丰a", 3), "at most 3 characters");
  expect_rejected(RequireMultilineText("letter.body", "a\xff", 10), "not valid UTF-8");
  expect_rejected(RequireMultilineText("letter.body", std::string("a\0b", 3), 10),
                  "other than tabs and line breaks");
  expect_rejected(RequireMultilineText("letter.body", "a\x1b[2Jb", 10), "control characters");
  expect_rejected(RequireMultilineText("letter.body", "a\x7f", 10), "control characters");
  expect_rejected(RequireMultilineText("letter.body", "a\vb", 10), "control characters");
  // Line breaks count as characters towards the limit.
  EXPECT_FALSE(RequireMultilineText("body", "ab\n", 2).ok());
  // RequireText itself still refuses them.
  EXPECT_FALSE(RequireText("body", "a\nb", 10).ok());
}

TEST(ValidateTest, TimestampsMustLieInTheTimestampRangeNamingTheField) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1700000000);
  ts.set_nanos(123456789);
  absl::StatusOr<absl::Time> t = RequireTimestamp("since", ts);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(123456789));
  // The ends of the range: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z.
  ts.set_seconds(-62135596800);
  ts.set_nanos(0);
  EXPECT_TRUE(IsValidTimestamp(ts));
  EXPECT_EQ(*RequireTimestamp("since", ts),
            absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone()));
  ts.set_seconds(253402300799);
  ts.set_nanos(999999999);
  EXPECT_TRUE(IsValidTimestamp(ts));
  EXPECT_TRUE(RequireTimestamp("since", ts).ok());

  auto expect_rejected = [](int64_t seconds, int32_t nanos) {
    google::protobuf::Timestamp bad;
    bad.set_seconds(seconds);
    bad.set_nanos(nanos);
    EXPECT_FALSE(IsValidTimestamp(bad)) << seconds << "s " << nanos << "ns";
    absl::Status s = RequireTimestamp("client_time", bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find("client_time is not a valid timestamp"), absl::string_view::npos)
        << s;
  };
  expect_rejected(-62135596801, 0);  // before year 1
  expect_rejected(253402300800, 0);  // after year 9999
  expect_rejected(0, -1);
  expect_rejected(0, 1000000000);
}

TEST(ValidateTest, DayRangesAreRealOrderedAndBoundedNamingTheField) {
  auto refused_naming = [](const absl::Status& s, absl::string_view field) {
    return s.code() == absl::StatusCode::kInvalidArgument &&
           s.message().find(field) != absl::string_view::npos;
  };
  absl::CivilDay from(2000, 1, 1);
  absl::CivilDay to(2000, 1, 1);
  ASSERT_TRUE(
      ParseDayRange("start_day", "2024-02-28", "end_day", "2024-03-01", 3, &from, &to).ok());
  EXPECT_EQ(from, absl::CivilDay(2024, 2, 28));
  EXPECT_EQ(to, absl::CivilDay(2024, 3, 1));  // 2024-02-29 counted: three days, the longest
  EXPECT_TRUE(
      ParseDayRange("start_day", "2024-03-01", "end_day", "2024-03-01", 1, &from, &to).ok());

  // Each failure names the field it is about and leaves the days alone.
  from = to = absl::CivilDay(2000, 1, 1);
  EXPECT_TRUE(refused_naming(
      ParseDayRange("start_day", "2023-02-29", "end_day", "2023-03-01", 9, &from, &to),
      "start_day"));
  EXPECT_TRUE(refused_naming(ParseDayRange("start_day", "", "end_day", "2023-03-01", 9, &from, &to),
                             "start_day"));
  EXPECT_TRUE(refused_naming(
      ParseDayRange("start_day", "2023-03-01", "end_day", "2023-3-2", 9, &from, &to), "end_day"));
  const absl::Status before =
      ParseDayRange("start_day", "2023-03-02", "end_day", "2023-03-01", 9, &from, &to);
  EXPECT_TRUE(refused_naming(before, "end_day must not be before start_day")) << before;
  const absl::Status longer =
      ParseDayRange("start_day", "2024-02-28", "end_day", "2024-03-01", 2, &from, &to);
  EXPECT_TRUE(refused_naming(longer, "start_day..end_day spans more than 2 days")) << longer;
  EXPECT_EQ(from, absl::CivilDay(2000, 1, 1));
  EXPECT_EQ(to, absl::CivilDay(2000, 1, 1));
}

TEST(ScopeTest, ScopeRootsAreTheFewestAreasCoveringTheGrantsOfTheRoles) {
  Principal p;
  EXPECT_TRUE(p.ScopeRoots({"grid_worker"}).empty());  // no grants at all
  p.grants = {{"volunteer", "a"}, {"grid_worker", "b.c"}};
  EXPECT_TRUE(p.ScopeRoots({"auditor"}).empty());  // no grant of the roles
  EXPECT_EQ(p.ScopeRoots({"grid_worker"}), (std::vector<std::string>{"b.c"}));
  EXPECT_EQ(p.ScopeRoots({}), (std::vector<std::string>{"a", "b.c"}));  // any role

  // "a-b" sorts between "a" and "a.c", which "a" still covers.
  p.grants = {{"r", "a.c"}, {"r", "a-b"}, {"r", "a"}};
  EXPECT_EQ(p.ScopeRoots({"r"}), (std::vector<std::string>{"a", "a-b"}));
  // Nested areas, in any order and repeated, reduce to the outermost.
  p.grants = {{"r", "x.y.z"}, {"r", "x.y"}, {"r", "x.y"}, {"r", "x.y.w.v"}};
  EXPECT_EQ(p.ScopeRoots({"r"}), (std::vector<std::string>{"x.y"}));
  // A shared prefix is not nesting: "a.bc" is a sibling of "a.b", not below it.
  p.grants = {{"r", "a.bc"}, {"r", "a.b"}, {"r", "a.b.d"}};
  EXPECT_EQ(p.ScopeRoots({"r"}), (std::vector<std::string>{"a.b", "a.bc"}));
  // Only grants of the roles count: a grant of another role neither adds nor covers.
  p.grants = {{"other", "a"}, {"r", "a.b"}, {"s", "a.c"}, {"r", "a.b.c"}};
  EXPECT_EQ(p.ScopeRoots({"r", "s"}), (std::vector<std::string>{"a.b", "a.c"}));
}

TEST(ScopeTest, ScopeAreasAreTheRequestedAreaOrTheWholeScope) {
  CallContext call;
  call.roles = {"grid_worker", "community_admin"};
  call.principal.grants = {{"grid_worker", "gongyi.dufulu.longhai"},
                           {"community_admin", "gongyi.dufulu"},
                           {"grid_worker", "gongyi.dufulu-east"},
                           {"volunteer", "gongyi"},  // not a role of the method
                           {"grid_worker", "gongyi.dufulu.yimin.b1"}};
  absl::StatusOr<std::vector<std::string>> areas = ScopeAreas(call, "area_code", "");
  ASSERT_TRUE(areas.ok()) << areas.status();
  EXPECT_EQ(*areas, (std::vector<std::string>{"gongyi.dufulu", "gongyi.dufulu-east"}));
  areas = ScopeAreas(call, "area_code", "gongyi.dufulu.longhai.b3");
  ASSERT_TRUE(areas.ok()) << areas.status();
  EXPECT_EQ(*areas, (std::vector<std::string>{"gongyi.dufulu.longhai.b3"}));

  absl::Status outside = ScopeAreas(call, "filter.area", "gongyi").status();
  EXPECT_EQ(outside.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(outside.message().find("filter.area"), absl::string_view::npos);
  absl::Status malformed = ScopeAreas(call, "filter.area", "Gongyi").status();
  EXPECT_EQ(malformed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(malformed.message().find("filter.area"), absl::string_view::npos);
  call.roles = {"auditor"};
  EXPECT_EQ(ScopeAreas(call, "area_code", "").status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(ScopeTest, ScopeOverlapsWhenAGrantOfTheRolesCoversTheAreaOrLiesWithinIt) {
  CallContext call;
  call.roles = {"grid_worker", "community_admin"};
  call.principal.grants = {{"grid_worker", "gongyi.dufulu.longhai"},
                           {"volunteer", "gongyi.xiaoyi"}};      // not a role of the method
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi.dufulu.longhai"));     // the grant's own area
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi.dufulu.longhai.b3"));  // below it
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi.dufulu"));             // above it
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi"));
  EXPECT_FALSE(ScopeOverlaps(call, "gongyi.dufulu.yimin"));         // a sibling
  EXPECT_FALSE(ScopeOverlaps(call, "gongyi.dufulu.longhai-east"));  // a shared prefix only
  EXPECT_FALSE(ScopeOverlaps(call, "gongyi.xiaoyi"));  // only another role's grant is there
  EXPECT_FALSE(ScopeOverlaps(call, "gongyi.xiaoyi.c1"));
  // A method naming no roles counts every grant, as InScope does.
  call.roles = {};
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi.xiaoyi.c1"));
  EXPECT_TRUE(ScopeOverlaps(call, "gongyi"));
  // No grants, no overlap.
  call.principal.grants.clear();
  EXPECT_FALSE(ScopeOverlaps(call, "gongyi"));
}

bool IsDigits(absl::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == absl::string_view::npos;
}

TEST(PagingTest, PageSizeDefaultsAndLimitsNamingTheField) {
  EXPECT_EQ(*PageSize(0, 100, 500), 100);
  EXPECT_EQ(*PageSize(1, 100, 500), 1);
  EXPECT_EQ(*PageSize(500, 100, 500), 500);
  for (int bad : {501, -1}) {
    absl::StatusOr<int> s = PageSize(bad, 100, 500);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.status().message().find("page_size"), absl::string_view::npos) << bad;
  }
}

TEST(PagingTest, TokensRoundTripAndForeignOnesAreRefused) {
  EXPECT_EQ(*DecodePageToken("", IsDigits), "");
  EXPECT_EQ(*DecodePageToken(EncodePageToken("12345"), IsDigits), "12345");
  for (const std::string& bad : {EncodePageToken("12a"), std::string("!!"),
                                 EncodePageToken("1") + "=="}) {  // padded: not handed out
    absl::StatusOr<std::string> s = DecodePageToken(bad, IsDigits);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.status().message().find("page_token"), absl::string_view::npos) << bad;
  }
}

TEST(PagingTest, TimeIdTokensCarryMicrosAndAUuid) {
  const std::string id = "123e4567-e89b-12d3-a456-426614174000";
  absl::StatusOr<std::optional<TimeIdPosition>> back =
      DecodeTimeIdPageToken(EncodeTimeIdPageToken(1700000000123456, id));
  ASSERT_TRUE(back.ok() && back->has_value()) << back.status();
  EXPECT_EQ((*back)->micros, 1700000000123456);
  EXPECT_EQ((*back)->id, id);
  EXPECT_FALSE(DecodeTimeIdPageToken("")->has_value());  // the first page
  for (const std::string& bad :
       {EncodePageToken("17/not-a-uuid"), EncodePageToken(id), EncodePageToken("x/" + id)}) {
    EXPECT_EQ(DecodeTimeIdPageToken(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PagingTest, TakePageKeepsThePageAndTokensItsLastRow) {
  std::string next;
  EXPECT_EQ(TakePage(
                std::vector<int>{1, 2, 3}, 2, [](int last) { return std::to_string(last); }, &next),
            2u);
  EXPECT_EQ(next, "2");
  next.clear();
  EXPECT_EQ(TakePage(
                std::vector<int>{1, 2}, 2, [](int last) { return std::to_string(last); }, &next),
            2u);
  EXPECT_EQ(next, "");  // nothing follows
}

TEST(WorkerPoolTest, RunsTasksAndRefusesWhenTheQueueIsFull) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1, 2);
    std::promise<void> started;
    ASSERT_TRUE(pool.TrySubmit([&] {
      started.set_value();
      gate.wait();
      ++ran;
    }));
    started.get_future().wait();  // the only worker is now busy
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));  // queue limit 2 reached
    EXPECT_EQ(pool.queued(), 2u);
    release.set_value();
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 3);
}

// A fill the test holds until it lets it go, so other callers are provably waiting.
class HeldFill {
 public:
  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return entered_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool released_ = false;
};

using Cache = FlightCache<std::shared_ptr<const int>>;
const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
std::chrono::system_clock::time_point Later() {
  return std::chrono::system_clock::now() + std::chrono::minutes(5);
}

TEST(FlightCacheTest, StoresUntilTheFillsExpiryAndInvalidateAllDropsEverything) {
  Cache cache(64);
  int fills = 0;
  auto fill = [&]() -> Cache::Filled {
    ++fills;
    return {std::make_shared<const int>(fills), kT0 + absl::Seconds(2)};
  };
  EXPECT_EQ(**cache.GetOrFill("k", kT0, Later(), fill), 1);
  EXPECT_EQ(**cache.GetOrFill("k", kT0 + absl::Seconds(1), Later(), fill), 1);
  EXPECT_EQ(**cache.Find("k", kT0 + absl::Seconds(1)), 1);
  EXPECT_FALSE(cache.Find("k", kT0 + absl::Seconds(2)).has_value());  // expired
  EXPECT_EQ(**cache.GetOrFill("k", kT0, Later(), fill), 2);
  cache.InvalidateAll();
  EXPECT_FALSE(cache.Find("k", kT0).has_value());
  EXPECT_EQ(**cache.GetOrFill("k", kT0, Later(), fill), 3);
  // A fill without an expiry (or one not after now) answers but is not stored.
  auto unkept = [&]() -> Cache::Filled { return {std::make_shared<const int>(7), kT0}; };
  EXPECT_EQ(**cache.GetOrFill("u", kT0, Later(), unkept), 7);
  EXPECT_FALSE(cache.Find("u", kT0).has_value());
}

TEST(FlightCacheTest, CallersOfTheSameKeyShareOneFill) {
  Cache cache(64);
  HeldFill held;
  std::atomic<int> fills{0};
  auto fill = [&]() -> Cache::Filled {
    ++fills;
    held.Enter();
    return {std::make_shared<const int>(42), kT0 + absl::Seconds(2)};
  };
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  auto call = [&] {
    absl::StatusOr<std::shared_ptr<const int>> out = cache.GetOrFill("k", kT0, Later(), fill);
    if (out.ok() && **out == 42) ++answered;
  };
  callers.emplace_back(call);
  held.WaitEntered();  // the first caller fills; the others arrive while it is held
  for (int i = 0; i < 5; ++i) callers.emplace_back(call);
  held.Release();
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(answered, 6);
  EXPECT_EQ(fills, 1);
}

TEST(FlightCacheTest, AWaiterStopsAtItsDeadline) {
  Cache cache(64);
  HeldFill held;
  std::thread leader([&] {
    auto out = cache.GetOrFill("k", kT0, Later(), [&]() -> Cache::Filled {
      held.Enter();
      return {std::make_shared<const int>(1), kT0 + absl::Seconds(2)};
    });
    EXPECT_TRUE(out.ok());
  });
  held.WaitEntered();
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const int>> waited =
      cache.GetOrFill("k", kT0, std::chrono::system_clock::now() + std::chrono::milliseconds(50),
                      []() -> Cache::Filled {
                        return {std::make_shared<const int>(2), std::nullopt};
                      });
  EXPECT_EQ(waited.status().code(), absl::StatusCode::kDeadlineExceeded) << waited.status();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  // A deadline already past does not wait at all.
  waited = cache.GetOrFill("k", kT0, std::chrono::system_clock::now() - std::chrono::seconds(1),
                           []() -> Cache::Filled {
                             return {nullptr, std::nullopt};
                           });
  EXPECT_EQ(waited.status().code(), absl::StatusCode::kDeadlineExceeded);
  held.Release();
  leader.join();
  EXPECT_EQ(**cache.Find("k", kT0), 1);
}

TEST(FlightCacheTest, WaitersOfAFillThatThrewGetInternalAndTheNextCallerFillsAgain) {
  Cache cache(64);
  HeldFill held;
  std::thread leader([&] {
    EXPECT_THROW((void)cache.GetOrFill("k", kT0, Later(),
                                       [&]() -> Cache::Filled {
                                         held.Enter();
                                         throw std::runtime_error("bug");
                                       }),
                 std::runtime_error);
  });
  held.WaitEntered();
  std::thread waiter([&] {
    auto out = cache.GetOrFill("k", kT0, Later(), []() -> Cache::Filled {
      return {std::make_shared<const int>(3), kT0 + absl::Seconds(1)};
    });
    // Either it waited for the failed fill, or it came after and filled itself.
    EXPECT_TRUE(out.status().code() == absl::StatusCode::kInternal || (out.ok() && **out == 3))
        << out.status();
  });
  held.Release();
  leader.join();
  waiter.join();
  auto again = cache.GetOrFill("k", kT0, Later(), []() -> Cache::Filled {
    return {std::make_shared<const int>(4), kT0 + absl::Seconds(1)};
  });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(**again == 3 || **again == 4);
}

TEST(AnswerCacheTest, KeepsSuccessesForTheTtlAndNeverFailures) {
  AnswerCache<int> cache(absl::Seconds(5));
  int computed = 0;
  auto fails = [&]() -> absl::StatusOr<int> {
    ++computed;
    return absl::UnavailableError("database down");
  };
  auto works = [&]() -> absl::StatusOr<int> { return ++computed; };
  EXPECT_EQ(cache.Get("q", kT0, Later(), fails).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(*cache.Get("q", kT0, Later(), works), 2);  // the failure was not kept
  EXPECT_EQ(*cache.Get("q", kT0 + absl::Seconds(4), Later(), works), 2);
  EXPECT_EQ(*cache.Get("other", kT0, Later(), works), 3);
  EXPECT_EQ(*cache.Get("q", kT0 + absl::Seconds(5), Later(), works), 4);  // ttl over
  EXPECT_EQ(computed, 4);

  AnswerCache<int> never(absl::ZeroDuration());
  EXPECT_EQ(*never.Get("q", kT0, Later(), works), 5);
  EXPECT_EQ(*never.Get("q", kT0, Later(), works), 6);
}

// Refresh-ahead: within `ahead` of its expiry an entry is still served, and exactly one
// caller is told to refresh it, until an Insert replaces it; Find without a claim never
// claims; an expired entry is gone whatever was claimed.
TEST(LocalCacheTest, OneCallerRefreshesAnEntryAheadOfItsExpiry) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  LocalCache<int> cache(64);
  cache.Insert("k", 1, t0 + absl::Seconds(4));
  bool refresh = true;
  EXPECT_EQ(cache.Find("k", t0, absl::Seconds(1), &refresh), 1);
  EXPECT_FALSE(refresh);                                 // three seconds left: not yet
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(3)), 1);  // a plain Find claims nothing
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(3), absl::Seconds(1), &refresh), 1);
  EXPECT_TRUE(refresh);  // the first caller within the last second
  EXPECT_EQ(cache.Find("k", t0 + absl::Milliseconds(3500), absl::Seconds(1), &refresh), 1);
  EXPECT_FALSE(refresh);  // claimed already: the entry is still served meanwhile
  cache.Insert("k", 2, t0 + absl::Seconds(8));  // the refresh lands
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(4), absl::Seconds(1), &refresh), 2);
  EXPECT_FALSE(refresh);
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(7), absl::Seconds(1), &refresh), 2);
  EXPECT_TRUE(refresh);  // the new entry can be claimed in its turn
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(8), absl::Seconds(1), &refresh), std::nullopt);
  EXPECT_FALSE(refresh);  // a refresh that never landed: the entry lapses on time
}

// A refresh that cannot extend the entry (capped at a fixed end) keeps the claim, so the
// entry is not fetched again by every caller in its last stretch.
TEST(LocalCacheTest, ARefreshThatCannotExtendTheEntryKeepsItsClaim) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  const absl::Time end = t0 + absl::Seconds(4);
  LocalCache<int> cache(16);  // one entry per shard
  cache.Insert("k", 1, end);
  bool refresh = false;
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(3), absl::Seconds(2), &refresh), 1);
  EXPECT_TRUE(refresh);
  cache.Insert("k", 2, end);  // refreshed, but still ending at `end`
  EXPECT_EQ(cache.Find("k", t0 + absl::Seconds(3), absl::Seconds(2), &refresh), 2);
  EXPECT_FALSE(refresh);
  cache.Insert("k", 3, end + absl::Seconds(4));  // a later end: claimable again
  EXPECT_EQ(cache.Find("k", end + absl::Seconds(3), absl::Seconds(2), &refresh), 3);
  EXPECT_TRUE(refresh);
}

}  // namespace
}  // namespace fangxian::common
