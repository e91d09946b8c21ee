// bench_lib: histogram accuracy and merging, constant-rate schedule arithmetic, the
// ID numbers the create-resident scenario sends and the per-request placeholders.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_replace.h"
#include "bench/histogram.h"
#include "bench/id_number.h"
#include "bench/request_source.h"
#include "bench/schedule.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "services/identity/id_number.h"

namespace fangxian::bench {
namespace {

// The exact nearest-rank percentile, the definition the histogram approximates.
int64_t ExactPercentile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * values.size())));
  return values[rank - 1];
}

void ExpectPercentilesWithinBound(const std::vector<int64_t>& values) {
  LatencyHistogram h;
  for (int64_t v : values) h.Record(v);
  ASSERT_EQ(h.count(), values.size());
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = static_cast<double>(ExactPercentile(values, q));
    const double got = static_cast<double>(h.Percentile(q));
    EXPECT_LE(std::abs(got - exact), 0.01 * exact) << "q=" << q << " exact=" << exact;
  }
}

TEST(LatencyHistogramTest, UniformDistributionWithinOnePercent) {
  // 10 us .. 100 ms in even steps.
  std::vector<int64_t> values;
  for (int64_t v = 10'000; v <= 100'000'000; v += 9'973) values.push_back(v);
  ExpectPercentilesWithinBound(values);
}

TEST(LatencyHistogramTest, ExponentialDistributionWithinOnePercent) {
  // Deterministic quantiles of an exponential with a 2 ms mean: a long tail.
  std::vector<int64_t> values;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) {
    values.push_back(static_cast<int64_t>(-std::log(1.0 - (i + 0.5) / n) * 2e6) + 1);
  }
  ExpectPercentilesWithinBound(values);
}

TEST(LatencyHistogramTest, SmallValuesAreExactAndExtremesAreExact) {
  LatencyHistogram h;
  for (int64_t v : {3, 7, 200, 255}) h.Record(v);
  EXPECT_EQ(h.Percentile(0.25), 3);
  EXPECT_EQ(h.Percentile(0.5), 7);
  EXPECT_EQ(h.Percentile(0.75), 200);
  EXPECT_EQ(h.Percentile(1.0), 255);
  EXPECT_EQ(h.min(), 3);
  EXPECT_EQ(h.max(), 255);
  h.Record(1'234'567'891);
  EXPECT_EQ(h.Percentile(1.0), 1'234'567'891);
}

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.99), 0);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogramTest, BucketsTileTheRangeWithBoundedWidth) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123'456'789ull,
                     (1ull << 40) + 12345, (1ull << 62) + 1}) {
    const int i = LatencyHistogram::BucketIndex(v);
    const uint64_t lo = LatencyHistogram::BucketLowerBound(i);
    const uint64_t width = LatencyHistogram::BucketWidth(i);
    EXPECT_LE(lo, v);
    EXPECT_LT(v, lo + width);
    EXPECT_LE(static_cast<double>(width), std::max(1.0, lo / 128.0)) << v;
    // The next bucket starts where this one ends.
    EXPECT_EQ(LatencyHistogram::BucketLowerBound(i + 1), lo + width) << v;
  }
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int i = 1; i <= 5000; ++i) {
    const int64_t v = i * 1'337;
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.Percentile(q), all.Percentile(q));
}

TEST(ConstantRateScheduleTest, IntendedTimesAreFixedAndDoNotDrift) {
  // 3 calls per millisecond: the period (333333.33 ns) is not an integer.
  ConstantRateSchedule s(/*start_ns=*/1'000, /*period_ns=*/1e9 / 3000);
  EXPECT_EQ(s.IntendedTime(0), 1'000);
  EXPECT_EQ(s.IntendedTime(3), 1'000 + 1'000'000);
  EXPECT_EQ(s.IntendedTime(3'000'000), 1'000 + 1'000'000'000'000);
}

TEST(ConstantRateScheduleTest, DueCountAgreesWithIntendedTimes) {
  ConstantRateSchedule s(5'000, 1e9 / 3000);
  EXPECT_EQ(s.DueCount(4'999), 0u);
  EXPECT_EQ(s.DueCount(5'000), 1u);
  for (uint64_t k : {1ull, 2ull, 3ull, 1000ull, 99'999ull}) {
    EXPECT_EQ(s.DueCount(s.IntendedTime(k)), k + 1);
    EXPECT_EQ(s.DueCount(s.IntendedTime(k) - 1), k);
  }
}

TEST(ConstantRateScheduleTest, WorkersTogetherFollowTheGlobalSchedule) {
  const int workers = 3;
  const double rate = 1000;  // 1 ms apart
  std::vector<int64_t> merged;
  for (int w = 0; w < workers; ++w) {
    auto s = ConstantRateSchedule::ForWorker(0, rate, w, workers);
    for (uint64_t k = 0; k < 10; ++k) merged.push_back(s.IntendedTime(k));
  }
  std::sort(merged.begin(), merged.end());
  for (size_t i = 0; i < merged.size(); ++i) {
    EXPECT_EQ(merged[i], static_cast<int64_t>(i) * 1'000'000);
  }
}

TEST(OpenLoopPacerTest, StallIsChargedToEveryDelayedSend) {
  // 1000/s from t=0; the generator is stalled from 10 ms and wakes up at 60 ms.
  OpenLoopPacer pacer(ConstantRateSchedule(0, 1e6), /*end_ns=*/1'000'000'000,
                      /*max_outstanding=*/1000);
  EXPECT_EQ(pacer.Due(9'999'999, 0).size(), 10u);  // 0..9 ms sent on time
  EXPECT_EQ(pacer.NextIntendedTime(), 10'000'000);
  const std::vector<int64_t> late = pacer.Due(60'000'000, 0);
  ASSERT_EQ(late.size(), 51u);  // 10..60 ms, all sent now with their intended times
  EXPECT_EQ(late.front(), 10'000'000);
  EXPECT_EQ(late.back(), 60'000'000);
  // Completed 1 ms after the wake-up: the first delayed send waited 51 ms, not 1 ms.
  EXPECT_EQ(LatencyFromIntended(late.front(), 61'000'000), 51'000'000);
  EXPECT_EQ(LatencyFromIntended(late.back(), 61'000'000), 1'000'000);
  EXPECT_EQ(pacer.not_sent(), 0u);
}

TEST(OpenLoopPacerTest, SendsBeyondTheCapAreCountedNotSent) {
  OpenLoopPacer pacer(ConstantRateSchedule(0, 1e6), 1'000'000'000, /*max_outstanding=*/4);
  // Ten sends due, one already in flight: three go out, seven are skipped.
  EXPECT_EQ(pacer.Due(9'000'000, 1).size(), 3u);
  EXPECT_EQ(pacer.not_sent(), 7u);
  EXPECT_EQ(pacer.NextIntendedTime(), 10'000'000);
}

TEST(OpenLoopPacerTest, StopsAtTheEnd) {
  OpenLoopPacer pacer(ConstantRateSchedule(0, 1e6), /*end_ns=*/5'000'000, 100);
  EXPECT_EQ(pacer.Due(100'000'000, 0).size(), 5u);  // 0..4 ms, not 5 ms
  EXPECT_TRUE(pacer.done());
  EXPECT_TRUE(pacer.Due(200'000'000, 0).empty());
}

// ISO 7064 MOD 11-2 written from its definition rather than the weight table: weight of
// position i (0-based, of 17) is 2^(17-i) mod 11, and the check value c (X = 10) makes
// sum + c == 1 (mod 11).
bool HasValidCheckChar(const std::string& id) {
  if (id.size() != 18) return false;
  int sum = 0;
  int weight = 1;  // 2^(17 - i) mod 11, built from the right
  for (int i = 16; i >= 0; --i) {
    weight = weight * 2 % 11;
    if (id[i] < '0' || id[i] > '9') return false;
    sum += (id[i] - '0') * weight;
  }
  const int check = id[17] == 'X' ? 10 : id[17] - '0';
  return (sum + check) % 11 == 1;
}

TEST(IdNumberTest, IndependentCheckAcceptsKnownNumbersOnly) {
  // The published example of GB 11643-1999 (ends in X) and another well-known one.
  EXPECT_TRUE(HasValidCheckChar("11010519491231002X"));
  EXPECT_TRUE(HasValidCheckChar("440524188001010014"));
  EXPECT_FALSE(HasValidCheckChar("110105194912310021"));
  EXPECT_FALSE(HasValidCheckChar("440524188001010015"));
}

TEST(IdNumberTest, GeneratorEmitsValidDistinctNumbers) {
  IdNumberGenerator ids("410181");
  std::set<std::string> seen;
  const uint64_t start = IdNumberGenerator::kCapacity - 20'000;  // crosses the wrap
  for (uint64_t i = start; i < start + 40'000; ++i) {
    const std::string id = ids.ForIndex(i);
    ASSERT_TRUE(HasValidCheckChar(id)) << id;
    // And the identity service itself would accept it.
    ASSERT_TRUE(identity::NormalizeIdNumber(id, absl::CivilDay(2024, 1, 1)).ok()) << id;
    EXPECT_EQ(id.substr(0, 6), "410181");
    const int year = std::stoi(id.substr(6, 4));
    const int month = std::stoi(id.substr(10, 2));
    const int day = std::stoi(id.substr(12, 2));
    EXPECT_GE(year, 1940);
    EXPECT_LE(year, 2005);
    EXPECT_TRUE(month >= 1 && month <= 12 && day >= 1 && day <= 31) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 40'000u);
  EXPECT_EQ(ids.ForIndex(0).substr(0, 17), "41018119400101000");
  EXPECT_EQ(ids.ForIndex(IdNumberGenerator::kCapacity - 1).substr(6, 11), "20051231999");
}

TEST(RequestSourceTest, PlaceholdersGetAFreshIdAndSequencePerRequest) {
  auto method = FindMethod("/fangxian.identity.v1.IdentityService/CreateResident");
  ASSERT_TRUE(method.ok()) << method.status();
  auto source = RequestSource::Create(
      *method, R"({"resident":{"name":"bench {{N}}","idNumber":"{{ID}}"}})", true, 7);
  ASSERT_TRUE(source.ok()) << source.status();
  IdNumberGenerator ids;
  EXPECT_EQ((*source)->Expand(7),
            absl::StrReplaceAll(R"({"resident":{"name":"bench 7","idNumber":"ID"}})",
                                {{"ID", ids.ForIndex(7)}}));
  auto first = (*source)->Next();
  auto second = (*source)->Next();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_NE(first->find(ids.ForIndex(7)), std::string::npos);
  EXPECT_NE(second->find(ids.ForIndex(8)), std::string::npos);
}

// A random index stays inside [first, first + span) and covers it: a lookup of the
// residents fx_seed made asks only for those, and for each of them.
TEST(RequestSourceTest, RandomIndexDrawsFromTheSpan) {
  auto method = FindMethod("/fangxian.identity.v1.IdentityService/ResolveIdNumber");
  ASSERT_TRUE(method.ok()) << method.status();
  EXPECT_FALSE(RequestSource::Create(*method, R"({"idNumber":"x"})", false, 0, 5).ok());
  auto source = RequestSource::Create(*method, R"({"idNumber":"{{ID}}"})", true, 100, 5);
  ASSERT_TRUE(source.ok()) << source.status();
  IdNumberGenerator ids;
  std::map<std::string, int> seen;
  for (int i = 0; i < 500; ++i) {
    auto next = (*source)->Next();
    ASSERT_TRUE(next.ok());
    identity::v1::ResolveIdNumberRequest req;
    ASSERT_TRUE(req.ParseFromString(*next));
    ++seen[req.id_number()];
  }
  std::map<std::string, int> expected;
  for (uint64_t i = 100; i < 105; ++i) expected[ids.ForIndex(i)] = 0;
  ASSERT_EQ(seen.size(), expected.size());
  for (const auto& [id, n] : seen) {
    EXPECT_TRUE(expected.count(id)) << id;
    EXPECT_GT(n, 50) << id;  // 100 expected of each; a uniform draw never falls this low
  }
}

TEST(RequestSourceTest, RejectsUnknownMethodsAndBadJson) {
  EXPECT_FALSE(FindMethod("/fangxian.bench.v1.EchoService/Nope").ok());
  EXPECT_FALSE(FindMethod("/no.Such/Method").ok());
  EXPECT_FALSE(FindMethod("EchoService.Echo").ok());
  auto method = FindMethod("/fangxian.bench.v1.EchoService/Echo");
  ASSERT_TRUE(method.ok());
  EXPECT_FALSE(RequestSource::Create(*method, R"({"nope":1})", false, 0).ok());
  EXPECT_TRUE(RequestSource::Create(*method, R"({"payload":"aGVsbG8="})", false, 0).ok());
}

// The passage scenarios number their request ids with {{N}} alone.
TEST(RequestSourceTest, SequenceWithoutIdNumberFillsOnlyTheNumber) {
  auto method = FindMethod("/fangxian.checkpoint.v1.PassageService/RecordPassage");
  ASSERT_TRUE(method.ok()) << method.status();
  auto source = RequestSource::Create(
      *method, R"({"checkpointId":"c","requestId":"bench-{{N}}","direction":"DIRECTION_IN"})", true,
      41);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->Expand(41),
            R"({"checkpointId":"c","requestId":"bench-41","direction":"DIRECTION_IN"})");
  auto first = (*source)->Next();
  auto second = (*source)->Next();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->find("bench-41"), std::string::npos);
  EXPECT_NE(second->find("bench-42"), std::string::npos);
}

// Requests are built from the template parsed once; each must be exactly what parsing its
// own JSON would give.
TEST(RequestSourceTest, TheParsedOnceTemplateGivesTheSameRequestsAsParsingEachJson) {
  auto method = FindMethod("/fangxian.identity.v1.IdentityService/CreateResident");
  ASSERT_TRUE(method.ok()) << method.status();
  const std::string json =
      R"({"resident":{"name":"bench {{N}} of {{N}}","idNumber":"{{ID}}","phone":"138"}})";
  auto source = RequestSource::Create(*method, json, true, 100);
  ASSERT_TRUE(source.ok()) << source.status();
  for (uint64_t i = 100; i < 103; ++i) {
    fangxian::identity::v1::CreateResidentRequest want;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage((*source)->Expand(i), &want).ok());
    auto got = (*source)->Next();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, want.SerializeAsString()) << i;
  }
}

// Without --sequence a placeholder would be sent literally: refused at start instead.
TEST(RequestSourceTest, PlaceholderWithoutSequenceIsRefused) {
  auto method = FindMethod("/fangxian.checkpoint.v1.PassageService/RecordPassage");
  ASSERT_TRUE(method.ok()) << method.status();
  auto source = RequestSource::Create(*method, R"({"requestId":"bench-{{N}}"})", false, 0);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(source.status().message().find("--sequence"), absl::string_view::npos);
}

}  // namespace
}  // namespace fangxian::bench
