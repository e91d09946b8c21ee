// The rules of sweeps that need no database: input validation, which round opens or takes
// visits, registrations and the coverage figures.
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/quarantine/sweep_rules.h"

namespace fangxian::quarantine {
namespace {

constexpr char kResident[] = "123e4567-e89b-42d3-a456-426614174000";
constexpr char kSweep[] = "223e4567-e89b-42d3-a456-426614174000";
constexpr char kHousehold[] = "323e4567-e89b-42d3-a456-426614174000";

// 2026-03-05 12:00 China Standard Time.
absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2026, 3, 5, 4, 0, 0), absl::UTCTimeZone());
}

::testing::AssertionResult InvalidNaming(const absl::Status& s, const std::string& field) {
  if (absl::IsInvalidArgument(s) && s.message().find(field) != absl::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want INVALID_ARGUMENT naming " << field << ", got " << s;
}

v1::Sweep GoodSweep() {
  v1::Sweep s;
  s.set_name("第一次全域排查");
  s.set_area_code("gongyi.dufulu.longhai");
  v1::SweepTeam* t = s.add_teams();
  t->set_name("第一组");
  t->add_member_subjects("gw-1");
  t->add_member_subjects("gw-2");
  return s;
}

TEST(SweepRulesTest, ANewSweepNeedsANameAnAreaAndDistinctTeams) {
  EXPECT_TRUE(ValidateNewSweep(GoodSweep()).ok());
  v1::Sweep s = GoodSweep();
  s.clear_name();
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.name"));
  s = GoodSweep();
  s.set_area_code("Gongyi..x");
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.area_code"));
  s = GoodSweep();
  s.clear_teams();
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.teams"));
  s = GoodSweep();
  *s.add_teams() = s.teams(0);
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.teams[1].name"));
  s = GoodSweep();
  s.mutable_teams(0)->add_member_subjects("gw-1");
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.teams[0].member_subjects[2]"));
  s = GoodSweep();
  s.mutable_teams(0)->add_member_subjects("");
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.teams[0].member_subjects[2]"));
  s = GoodSweep();
  for (int i = 0; i < kMaxSweepTeams; ++i) s.add_teams()->set_name("t" + std::to_string(i));
  EXPECT_TRUE(InvalidNaming(ValidateNewSweep(s), "sweep.teams"));
}

TEST(SweepRulesTest, RoundsOpenOneAfterAnotherAndARetryIsRecognised) {
  EXPECT_EQ(*RoundToOpen(0, 0), 1);
  EXPECT_EQ(*RoundToOpen(0, 1), 1);
  EXPECT_EQ(*RoundToOpen(5, 0), 6);  // six rounds over the same area
  EXPECT_EQ(*RoundToOpen(5, 6), 6);
  EXPECT_TRUE(absl::IsAlreadyExists(RoundToOpen(2, 2).status()));  // the retried call
  EXPECT_TRUE(absl::IsAlreadyExists(RoundToOpen(2, 1).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(RoundToOpen(2, 4).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(RoundToOpen(2, -1).status()));
}

TEST(SweepRulesTest, VisitsGoOnlyToTheOpenRound) {
  EXPECT_TRUE(CheckRoundOpen(3, 3).ok());
  const absl::Status none = CheckRoundOpen(0, 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(none));
  EXPECT_NE(none.message().find("StartRound"), absl::string_view::npos) << none;
  const absl::Status closed = CheckRoundOpen(3, 2);
  EXPECT_TRUE(absl::IsFailedPrecondition(closed));
  EXPECT_NE(closed.message().find("closed"), absl::string_view::npos) << closed;
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckRoundOpen(3, 4)));
}

TEST(SweepRulesTest, ReadsMeanTheOpenRoundByDefault) {
  EXPECT_EQ(*RoundToRead(3, 0), 3);
  EXPECT_EQ(*RoundToRead(3, 1), 1);
  EXPECT_TRUE(absl::IsNotFound(RoundToRead(3, 4).status()));
  EXPECT_TRUE(absl::IsNotFound(RoundToRead(0, 0).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(RoundToRead(3, -1).status()));
}

v1::RecordVisitRequest GoodVisit() {
  v1::RecordVisitRequest r;
  r.set_sweep_id(kSweep);
  r.set_round(1);
  r.set_household_id(kHousehold);
  r.set_outcome(v1::VISIT_OUTCOME_VISITED);
  r.set_team("第一组");
  v1::PersonOfInterest* p = r.add_findings()->mutable_person();
  p->set_resident_id(kResident);
  p->set_category(v1::CATEGORY_RETURNEE);
  p->set_origin_region("武汉");
  p->set_arrival_date("2026-03-01");
  return r;
}

TEST(SweepRulesTest, AVisitNeedsAnOutcomeATeamAndFindingsOnlyWhenSomeoneWasMet) {
  EXPECT_TRUE(ValidateVisit(GoodVisit()).ok());
  v1::RecordVisitRequest r = GoodVisit();
  r.set_outcome(v1::VISIT_OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "outcome"));
  r = GoodVisit();
  r.set_outcome(static_cast<v1::VisitOutcome>(9));
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "outcome"));
  r = GoodVisit();
  r.set_round(0);
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "round"));
  r = GoodVisit();
  r.set_household_id("not-a-uuid");
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "household_id"));
  r = GoodVisit();
  r.clear_team();
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "team"));
  r = GoodVisit();
  r.set_note(std::string(kMaxVisitNoteChars + 1, 'x'));
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "note"));
  r = GoodVisit();
  r.set_outcome(v1::VISIT_OUTCOME_NOT_AT_HOME);
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "findings"));
  r = GoodVisit();
  *r.add_findings() = r.findings(0);
  EXPECT_TRUE(InvalidNaming(ValidateVisit(r), "findings[1]"));
  r = GoodVisit();
  r.mutable_findings(0)->mutable_person()->set_category(v1::CATEGORY_CLOSE_CONTACT);
  *r.add_findings() = GoodVisit().findings(0);  // same resident, another category: fine
  EXPECT_TRUE(ValidateVisit(r).ok());
}

TEST(SweepRulesTest, FindingsFollowThePersonOfInterestRulesUnderTheirOwnName) {
  const v1::Finding good = GoodVisit().findings(0);
  EXPECT_TRUE(ValidateFinding(good, 0, Now()).ok());
  v1::Finding f = good;
  f.mutable_person()->set_arrival_date("2026-03-06");  // tomorrow in China
  EXPECT_TRUE(InvalidNaming(ValidateFinding(f, 2, Now()), "findings[2].person.arrival_date"));
  f = good;
  f.mutable_person()->clear_arrival_date();
  EXPECT_TRUE(InvalidNaming(ValidateFinding(f, 0, Now()), "findings[0].person.arrival_date"));
  f = good;
  f.mutable_person()->set_category(v1::CATEGORY_FEVER_REFERRAL);
  EXPECT_TRUE(InvalidNaming(ValidateFinding(f, 0, Now()), "findings[0].person.category"));
  f = good;
  f.mutable_person()->set_resident_id("x");
  EXPECT_TRUE(InvalidNaming(ValidateFinding(f, 0, Now()), "findings[0].person.resident_id"));
  // Source and area are the server's: whatever the request says is replaced.
  f = good;
  f.mutable_person()->set_source(v1::SOURCE_CHECKPOINT);
  f.mutable_person()->set_area_code("NOT A PATH");
  EXPECT_TRUE(ValidateFinding(f, 0, Now()).ok());
}

TEST(SweepRulesTest, ARegistrationAnswersTheLatestNotAtHomeVisit) {
  const int64_t visit = absl::ToUnixMicros(Now()) - 3600 * 1000000LL;
  EXPECT_TRUE(CheckRegistration(LatestVisit{v1::VISIT_OUTCOME_NOT_AT_HOME, visit}, visit + 1).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(CheckRegistration(std::nullopt, visit)));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      CheckRegistration(LatestVisit{v1::VISIT_OUTCOME_VISITED, visit}, visit + 1)));
  EXPECT_TRUE(
      InvalidNaming(CheckRegistration(LatestVisit{v1::VISIT_OUTCOME_NOT_AT_HOME, visit}, visit - 1),
                    "registered_time"));

  v1::RecordRegistrationRequest r;
  r.set_sweep_id(kSweep);
  r.set_round(1);
  r.set_household_id(kHousehold);
  EXPECT_TRUE(ValidateRegistration(r, Now()).ok());
  r.mutable_registered_time()->set_seconds(absl::ToUnixSeconds(Now()) + 60);
  EXPECT_TRUE(InvalidNaming(ValidateRegistration(r, Now()), "registered_time"));
  r.mutable_registered_time()->set_nanos(-1);
  EXPECT_TRUE(InvalidNaming(ValidateRegistration(r, Now()), "registered_time"));
  r.clear_registered_time();
  r.set_round(0);
  EXPECT_TRUE(InvalidNaming(ValidateRegistration(r, Now()), "round"));
}

TEST(SweepRulesTest, ReadsStayWithinTheSweepsArea) {
  EXPECT_EQ(*AreaWithinSweep("gongyi.dufulu.longhai", ""), "gongyi.dufulu.longhai");
  EXPECT_EQ(*AreaWithinSweep("gongyi.dufulu.longhai", "gongyi.dufulu.longhai.jingyuan"),
            "gongyi.dufulu.longhai.jingyuan");
  EXPECT_TRUE(InvalidNaming(AreaWithinSweep("gongyi.dufulu.longhai", "gongyi.dufulu").status(),
                            "area_code"));
  EXPECT_TRUE(InvalidNaming(
      AreaWithinSweep("gongyi.dufulu.longhai", "gongyi.dufulu.longhaix").status(), "area_code"));
  EXPECT_TRUE(
      InvalidNaming(AreaWithinSweep("gongyi.dufulu.longhai", "Bad Path").status(), "area_code"));
}

TEST(SweepRulesTest, CoverageIsHouseholdsWithAnOutcomeOverHouseholdsListed) {
  CoverageCounts b1{"gongyi.a.b1", 4, 2, 1, 0, 1};
  CoverageCounts b2{"gongyi.a.b2", 2, 0, 0, 1, 0};
  const v1::CoverageFigures f1 = CoverageFiguresOf(b1);
  EXPECT_EQ(f1.covered(), 3);
  EXPECT_EQ(f1.pending(), 1);
  EXPECT_DOUBLE_EQ(f1.coverage(), 0.75);
  CoverageCounts total{"gongyi.a"};
  AddCounts(b1, &total);
  AddCounts(b2, &total);
  const v1::CoverageFigures t = CoverageFiguresOf(total);
  EXPECT_EQ(t.area_code(), "gongyi.a");
  EXPECT_EQ(t.households(), 6);
  EXPECT_EQ(t.covered(), 4);
  EXPECT_EQ(t.visited(), 2);
  EXPECT_EQ(t.not_at_home(), 1);
  EXPECT_EQ(t.refused(), 1);
  EXPECT_EQ(t.registered(), 1);
  EXPECT_EQ(t.pending(), 2);
  EXPECT_DOUBLE_EQ(t.coverage(), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(CoverageFiguresOf(CoverageCounts{"x"}).coverage(), 0.0);
}

TEST(SweepRulesTest, PagePositionsAreCanonicalNumbers) {
  EXPECT_TRUE(IsListPosition("0"));
  EXPECT_TRUE(IsListPosition("19999"));
  EXPECT_FALSE(IsListPosition(""));
  EXPECT_FALSE(IsListPosition("-1"));
  EXPECT_FALSE(IsListPosition("01"));
  EXPECT_FALSE(IsListPosition("+1"));
  EXPECT_FALSE(IsListPosition("1 OR 1=1"));
}

}  // namespace
}  // namespace fangxian::quarantine
