#include "services/checkpoint/shifts.h"

#include <gtest/gtest.h>

namespace fangxian::checkpoint {
namespace {

absl::Time China(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), ChinaTimeZone());
}

TEST(ShiftPatternTest, DefaultPatternHasThreeEightHourShifts) {
  auto p = ShiftPattern::Parse(kDefaultShiftPattern);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->count(), 3);
  EXPECT_EQ(p->StartMinute(2), 8 * 60);
  EXPECT_EQ(p->EndMinute(3), 24 * 60);
}

TEST(ShiftPatternTest, MomentsFallInTheirShiftOfTheChinaDay) {
  auto p = ShiftPattern::Parse(kDefaultShiftPattern);
  ASSERT_TRUE(p.ok());
  // 2026-11-29 23:30 UTC is 07:30 on the 30th in China: shift 1 of the 30th.
  ShiftPattern::Slot s =
      p->At(absl::FromCivil(absl::CivilSecond(2026, 11, 29, 23, 30, 0), absl::UTCTimeZone()));
  EXPECT_EQ(s.day, absl::CivilDay(2026, 11, 30));
  EXPECT_EQ(s.shift, 1);
  EXPECT_EQ(s.start, China(2026, 11, 30, 0, 0));
  EXPECT_EQ(s.end, China(2026, 11, 30, 8, 0));
  EXPECT_EQ(p->At(China(2026, 11, 30, 8, 0)).shift, 2);  // a boundary belongs to the next
  EXPECT_EQ(p->At(China(2026, 11, 30, 23, 59)).shift, 3);
  EXPECT_EQ(p->At(China(2026, 11, 30, 23, 59)).end, China(2026, 12, 1, 0, 0));
}

TEST(ShiftPatternTest, CustomPatternsAreAccepted) {
  auto p = ShiftPattern::Parse("00:00-06:00,06:00-12:00,12:00-18:00,18:00-24:00");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->count(), 4);
  EXPECT_EQ(p->At(China(2026, 1, 1, 13, 0)).shift, 3);
}

TEST(ShiftPatternTest, BadPatternsAreRefusedWithTheReason) {
  for (const char* bad : {"", "00:00-08:00", "01:00-24:00", "00:00-08:00,09:00-24:00",
                          "00:00-08:00,08:00-08:10,08:10-24:00", "0:00-24:00", "00:00-25:00",
                          "00:00-12:00;12:00-24:00", "00:00-24:60"}) {
    auto p = ShiftPattern::Parse(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace fangxian::checkpoint
