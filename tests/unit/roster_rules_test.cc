// The roster's pure rules: dates, shifts and posts, who may take a post, clock-in/out and
// the coverage of a shift, and the cadre check on identity's answer.
#include <gtest/gtest.h>

#include "services/checkpoint/roster.h"
#include "services/checkpoint/staffing_watch.h"

namespace fangxian::checkpoint {
namespace {

constexpr char kCheckpoint[] = "123e4567-e89b-12d3-a456-426614174000";

ShiftPattern Default() { return *ShiftPattern::Parse(kDefaultShiftPattern); }

AssignmentRow Assignment(const std::string& account, int post, int shift = 2) {
  AssignmentRow a;
  a.assignment_id = "a-" + account;
  a.checkpoint_id = kCheckpoint;
  a.date = absl::CivilDay(2026, 11, 30);
  a.shift = shift;
  a.post = post;
  a.account_id = account;
  return a;
}

TEST(RosterRulesTest, RosterDatesRunFromYesterdayToSixtyDaysAhead) {
  const absl::CivilDay today(2026, 11, 30);
  EXPECT_EQ(*ParseRosterDate("date", "2026-11-29", today), absl::CivilDay(2026, 11, 29));
  EXPECT_EQ(*ParseRosterDate("date", "2027-01-29", today), absl::CivilDay(2027, 1, 29));
  for (const char* bad : {"2026-11-28", "2027-01-30", "2026-02-30", "2026/11/30", "", "tomorrow"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<absl::CivilDay> day = ParseRosterDate("date", bad, today);
    EXPECT_EQ(day.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(day.status().message().find("date"), absl::string_view::npos);
  }
}

TEST(RosterRulesTest, ShiftsFollowThePatternAndPostsAreTheFour) {
  const ShiftPattern three = Default();
  EXPECT_TRUE(ValidateShift(1, three).ok());
  EXPECT_TRUE(ValidateShift(3, three).ok());
  EXPECT_EQ(ValidateShift(0, three).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateShift(4, three).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      ValidateShift(4, *ShiftPattern::Parse("00:00-06:00,06:00-12:00,12:00-18:00,18:00-24:00"))
          .ok());
  for (int post = 1; post <= 4; ++post) EXPECT_TRUE(ValidatePost(post).ok());
  EXPECT_NE(ValidatePost(0).message().find("post"), absl::string_view::npos);
  EXPECT_EQ(ValidatePost(5).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RosterRulesTest, AnEmptyPostIsWrittenAndTheSameHolderIsLeftInPlace) {
  const AssignmentRow wanted = Assignment("u1", v1::POST_CODE_VERIFIER);
  EXPECT_TRUE(*JudgeAssignment(wanted, std::nullopt, std::nullopt));
  // The same person on the same post: already in place, nothing written.
  EXPECT_FALSE(*JudgeAssignment(wanted, wanted, wanted));
}

TEST(RosterRulesTest, AHolderIsReplacedUntilClockedIn) {
  const AssignmentRow wanted = Assignment("u2", v1::POST_CODE_VERIFIER);
  AssignmentRow holder = Assignment("u1", v1::POST_CODE_VERIFIER);
  EXPECT_TRUE(*JudgeAssignment(wanted, holder, std::nullopt));
  holder.clock_in_micros = 1;
  EXPECT_EQ(JudgeAssignment(wanted, holder, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RosterRulesTest, OnePersonHoldsOnePostAtATime) {
  const AssignmentRow wanted = Assignment("u1", v1::POST_CODE_VERIFIER);
  AssignmentRow elsewhere = Assignment("u1", v1::POST_ORDER_KEEPER);
  absl::StatusOr<bool> here = JudgeAssignment(wanted, std::nullopt, elsewhere);
  EXPECT_EQ(here.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(here.status().message().find("this checkpoint"), absl::string_view::npos);
  elsewhere.checkpoint_id = "00000000-0000-0000-0000-000000000001";
  absl::StatusOr<bool> other = JudgeAssignment(wanted, std::nullopt, elsewhere);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(other.status().message().find("another checkpoint"), absl::string_view::npos);
}

TEST(RosterRulesTest, UnassigningKeepsTheRecordOfDuty) {
  AssignmentRow a = Assignment("u1", v1::POST_INFO_REGISTRAR);
  EXPECT_TRUE(JudgeUnassignment(a).ok());
  a.clock_in_micros = 5;
  EXPECT_EQ(JudgeUnassignment(a).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RosterRulesTest, ClockingInAndOutIsIdempotentAndInOrder) {
  const absl::Time t1 = absl::FromUnixSeconds(1000);
  const absl::Time t2 = absl::FromUnixSeconds(2000);
  AssignmentRow a = Assignment("u1", v1::POST_TEMPERATURE_MONITOR);
  EXPECT_EQ(ApplyClockOut(a, t1).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ApplyClockIn(a, t1).ok());
  EXPECT_EQ(a.clock_in_micros, absl::ToUnixMicros(t1));
  ASSERT_TRUE(ApplyClockIn(a, t2).ok());  // again: unchanged
  EXPECT_EQ(a.clock_in_micros, absl::ToUnixMicros(t1));
  ASSERT_TRUE(ApplyClockOut(a, t2).ok());
  EXPECT_EQ(a.clock_out_micros, absl::ToUnixMicros(t2));
  ASSERT_TRUE(ApplyClockOut(a, t2 + absl::Seconds(1)).ok());  // again: unchanged
  EXPECT_EQ(a.clock_out_micros, absl::ToUnixMicros(t2));
  EXPECT_EQ(ApplyClockIn(a, t2).code(), absl::StatusCode::kFailedPrecondition);

  AssignmentRow stepped = Assignment("u2", v1::POST_ORDER_KEEPER);
  ASSERT_TRUE(ApplyClockIn(stepped, t2).ok());
  ASSERT_TRUE(ApplyClockOut(stepped, t1).ok());  // a clock that stepped back
  EXPECT_EQ(stepped.clock_out_micros, stepped.clock_in_micros);
}

TEST(RosterRulesTest, CoverageShowsEachPostAndTheUnstaffedOnes) {
  const ShiftPattern shifts = Default();
  const ShiftPattern::Slot slot = shifts.Of(absl::CivilDay(2026, 11, 30), 2);
  CheckpointRow checkpoint;
  checkpoint.checkpoint_id = kCheckpoint;
  checkpoint.open = true;
  RosterDay day;
  AssignmentRow on_duty = Assignment("u1", v1::POST_TEMPERATURE_MONITOR);
  on_duty.clock_in_micros = 10;
  AssignmentRow waiting = Assignment("u2", v1::POST_CODE_VERIFIER);
  AssignmentRow gone = Assignment("u3", v1::POST_INFO_REGISTRAR);
  gone.clock_in_micros = 10;
  gone.clock_out_micros = 20;
  // Another shift's order keeper does not staff this shift.
  AssignmentRow other_shift = Assignment("u4", v1::POST_ORDER_KEEPER, /*shift=*/1);
  other_shift.clock_in_micros = 10;
  day.assignments = {other_shift, on_duty, waiting, gone};

  v1::Coverage c = ComputeCoverage(checkpoint, slot, day);
  EXPECT_EQ(c.date(), "2026-11-30");
  EXPECT_EQ(c.shift().shift(), 2);
  EXPECT_EQ(c.shift().start_time().seconds(), absl::ToUnixSeconds(slot.start));
  ASSERT_EQ(c.posts_size(), 4);
  EXPECT_EQ(c.posts(0).state(), v1::POST_STATE_ON_DUTY);
  EXPECT_EQ(c.posts(0).account_id(), "u1");
  EXPECT_EQ(c.posts(1).state(), v1::POST_STATE_ASSIGNED_NOT_CLOCKED_IN);
  EXPECT_EQ(c.posts(2).state(), v1::POST_STATE_UNASSIGNED);
  EXPECT_EQ(c.posts(2).account_id(), "");
  EXPECT_EQ(c.posts(3).state(), v1::POST_STATE_CLOCKED_OUT);
  EXPECT_TRUE(c.posts(3).has_clock_out_time());
  ASSERT_EQ(c.unstaffed_posts_size(), 3);
  EXPECT_EQ(c.unstaffed_posts(0), v1::POST_CODE_VERIFIER);
  EXPECT_EQ(c.unstaffed_posts(1), v1::POST_ORDER_KEEPER);
  EXPECT_EQ(c.unstaffed_posts(2), v1::POST_INFO_REGISTRAR);
  EXPECT_FALSE(c.leading_cadre_set());
  EXPECT_TRUE(c.checkpoint_open());

  day.cadre = CadreRow{kCheckpoint, slot.day, "cadre-1", "admin", 0};
  c = ComputeCoverage(checkpoint, slot, day);
  EXPECT_TRUE(c.leading_cadre_set());
  EXPECT_EQ(c.leading_cadre_account_id(), "cadre-1");
}

TEST(RosterRulesTest, OnlyAnEnabledCadreMayLead) {
  identity::v1::StaffAccount account;
  account.set_kind(identity::v1::STAFF_KIND_CADRE);
  EXPECT_TRUE(JudgeCadre(account).ok());
  account.set_disabled(true);
  EXPECT_EQ(JudgeCadre(account).code(), absl::StatusCode::kFailedPrecondition);
  account.set_disabled(false);
  account.set_kind(identity::v1::STAFF_KIND_VOLUNTEER);
  absl::Status s = JudgeCadre(account);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("not a cadre"), absl::string_view::npos);
}

TEST(RosterRulesTest, UnstaffedAlertsAreKeyedByPostAndShift) {
  EXPECT_EQ(UnstaffedDedupeKey(kCheckpoint, absl::CivilDay(2026, 3, 5), 2, 4),
            std::string("unstaffed:") + kCheckpoint + ":2026-03-05:2:4");
}

}  // namespace
}  // namespace fangxian::checkpoint
