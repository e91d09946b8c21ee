// The request checks of quarantine statistics, the child area a record counts under and
// the compliance ratio.
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "services/quarantine/statistics_rules.h"

namespace fangxian::quarantine {
namespace {

const absl::CivilDay kToday(2026, 3, 10);

v1::GetDailyFiguresRequest Daily(const std::string& area, const std::string& from,
                                 const std::string& to) {
  v1::GetDailyFiguresRequest req;
  req.set_area_code(area);
  req.set_from_date(from);
  req.set_to_date(to);
  return req;
}

::testing::AssertionResult RefusedNaming(const absl::Status& s, const std::string& field) {
  if (s.code() == absl::StatusCode::kInvalidArgument &&
      s.message().find(field) != absl::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want INVALID_ARGUMENT naming " << field << ", got " << s;
}

TEST(StatisticsRulesTest, DailyRangeAccepted) {
  absl::CivilDay from;
  absl::CivilDay to;
  ASSERT_TRUE(
      ValidateDailyFigures(Daily("gongyi.dufulu", "2026-03-01", "2026-03-10"), kToday, &from, &to)
          .ok());
  EXPECT_EQ(from, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(to, kToday);
  // One day, and exactly 92 days.
  EXPECT_TRUE(
      ValidateDailyFigures(Daily("gongyi", "2026-03-10", "2026-03-10"), kToday, &from, &to).ok());
  EXPECT_TRUE(
      ValidateDailyFigures(Daily("gongyi", "2025-12-09", "2026-03-10"), kToday, &from, &to).ok());
}

TEST(StatisticsRulesTest, DailyRangeRefused) {
  absl::CivilDay from;
  absl::CivilDay to;
  EXPECT_TRUE(
      RefusedNaming(ValidateDailyFigures(Daily("", "2026-03-01", "2026-03-02"), kToday, &from, &to),
                    "area_code"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("Gongyi..x", "2026-03-01", "2026-03-02"), kToday, &from, &to),
      "area_code"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "", "2026-03-02"), kToday, &from, &to), "from_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "2026-02-30", "2026-03-02"), kToday, &from, &to),
      "from_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "2026-03-01", "03/02/2026"), kToday, &from, &to),
      "to_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "2026-03-05", "2026-03-04"), kToday, &from, &to),
      "to_date"));
  // 93 days.
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "2025-12-08", "2026-03-10"), kToday, &from, &to),
      "92 days"));
  EXPECT_TRUE(RefusedNaming(
      ValidateDailyFigures(Daily("gongyi", "2026-03-10", "2026-03-11"), kToday, &from, &to),
      "to_date is in the future"));
}

TEST(StatisticsRulesTest, SummaryNeedsAnArea) {
  v1::GetSummaryRequest req;
  EXPECT_TRUE(RefusedNaming(ValidateSummary(req), "area_code"));
  req.set_area_code("gongyi.dufulu.");
  EXPECT_TRUE(RefusedNaming(ValidateSummary(req), "area_code"));
  req.set_area_code("gongyi.dufulu");
  EXPECT_TRUE(ValidateSummary(req).ok());
}

TEST(StatisticsRulesTest, ChildAreaIsTheNextSegment) {
  EXPECT_EQ(ChildAreaOf("a.b", "a.b.c"), "a.b.c");
  EXPECT_EQ(ChildAreaOf("a.b", "a.b.c.d.e"), "a.b.c");
  // The area itself, and paths not below it, count under the area.
  EXPECT_EQ(ChildAreaOf("a.b", "a.b"), "a.b");
  EXPECT_EQ(ChildAreaOf("a.b", "a.bc.d"), "a.b");
  EXPECT_EQ(ChildAreaOf("a.b", "a"), "a.b");
}

TEST(StatisticsRulesTest, ComplianceIsZeroWhenNothingWasExpected) {
  EXPECT_DOUBLE_EQ(Compliance(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(Compliance(3, 4), 0.75);
  EXPECT_DOUBLE_EQ(Compliance(4, 4), 1.0);
}

}  // namespace
}  // namespace fangxian::quarantine
