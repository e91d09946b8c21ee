#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/checkpoint/checkpoints.h"
#include "services/checkpoint/inspections.h"

namespace fangxian::checkpoint {
namespace {

v1::Checkpoint Valid() {
  v1::Checkpoint c;
  c.set_name("益民街卡点");
  c.set_kind(v1::CHECKPOINT_KIND_COMPOUND_GATE);
  c.add_area_codes("gongyi.dufulu.yimin");
  c.set_location("北门");
  return c;
}

// Expects INVALID_ARGUMENT whose message names `field`.
void ExpectRejected(const v1::Checkpoint& c, const std::string& field) {
  absl::Status s = ValidateNewCheckpoint(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), absl::string_view::npos) << s;
}

TEST(CheckpointRulesTest, AcceptsValidCheckpoint) {
  EXPECT_TRUE(ValidateNewCheckpoint(Valid()).ok()) << ValidateNewCheckpoint(Valid());
  v1::Checkpoint c = Valid();
  c.clear_location();  // optional
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
}

TEST(CheckpointRulesTest, NameIsRequiredAndBounded) {
  v1::Checkpoint c = Valid();
  c.clear_name();
  ExpectRejected(c, "checkpoint.name");
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "卡";  // counted in characters, not bytes
  c.set_name(hundred);
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
  c.set_name(hundred + "x");
  ExpectRejected(c, "checkpoint.name");
}

TEST(CheckpointRulesTest, KindMustBeKnown) {
  v1::Checkpoint c = Valid();
  c.set_kind(v1::CHECKPOINT_KIND_UNSPECIFIED);
  ExpectRejected(c, "checkpoint.kind");
  c.set_kind(static_cast<v1::CheckpointKind>(99));
  ExpectRejected(c, "checkpoint.kind");
}

TEST(CheckpointRulesTest, AreasMustBeValidAndUnique) {
  v1::Checkpoint c = Valid();
  c.clear_area_codes();
  ExpectRejected(c, "checkpoint.area_codes");
  c.add_area_codes("Not A Path");
  ExpectRejected(c, "checkpoint.area_codes");

  c = Valid();
  c.set_kind(v1::CHECKPOINT_KIND_CONSOLIDATED);
  c.add_area_codes("gongyi.dufulu.yimin");
  ExpectRejected(c, "checkpoint.area_codes");  // duplicate
}

TEST(CheckpointRulesTest, OnlyConsolidatedCoversSeveralAreas) {
  v1::Checkpoint c = Valid();
  c.add_area_codes("gongyi.dufulu.longhai");
  ExpectRejected(c, "checkpoint.area_codes");
  c.set_kind(v1::CHECKPOINT_KIND_CONSOLIDATED);
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
  c.mutable_area_codes()->RemoveLast();
  ExpectRejected(c, "checkpoint.area_codes");  // consolidated over one area
}

TEST(CheckpointRulesTest, AtMostHundredAreas) {
  v1::Checkpoint c = Valid();
  c.set_kind(v1::CHECKPOINT_KIND_CONSOLIDATED);
  c.clear_area_codes();
  for (int i = 0; i < 100; ++i) c.add_area_codes(absl::StrCat("gongyi.c", i));
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
  c.add_area_codes("gongyi.c100");
  ExpectRejected(c, "checkpoint.area_codes");
}

TEST(CheckpointRulesTest, LocationIsBounded) {
  v1::Checkpoint c = Valid();
  c.set_location(std::string(200, 'a'));
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
  c.set_location(std::string(201, 'a'));
  ExpectRejected(c, "checkpoint.location");
  c.set_location("line\nbreak");
  ExpectRejected(c, "checkpoint.location");
}

TEST(CheckpointRulesTest, WorkPlanIsMultiLineAndBounded) {
  v1::Checkpoint c = Valid();
  c.set_work_plan("一、人员分工\n\t1. 测温\r\n二、物资");
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok()) << ValidateNewCheckpoint(c);
  std::string plan;
  for (int i = 0; i < 20000; ++i) plan += "案";  // characters, not bytes
  c.set_work_plan(plan);
  EXPECT_TRUE(ValidateNewCheckpoint(c).ok());
  c.set_work_plan(plan + "x");
  ExpectRejected(c, "checkpoint.work_plan");
  c.set_work_plan(std::string("bell\a"));
  ExpectRejected(c, "checkpoint.work_plan");
}

v1::UpdateCheckpointRequest Update(std::vector<std::string> paths) {
  v1::UpdateCheckpointRequest req;
  req.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  *req.mutable_checkpoint() = Valid();
  req.mutable_checkpoint()->set_work_plan("plan");
  for (const std::string& p : paths) req.mutable_update_mask()->add_paths(p);
  return req;
}

TEST(CheckpointRulesTest, UpdateChangesOnlyTheNamedFields) {
  absl::StatusOr<CheckpointChange> change = CheckCheckpointUpdate(Update({"work_plan"}));
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_FALSE(change->name.has_value());
  EXPECT_FALSE(change->location.has_value());
  EXPECT_EQ(change->work_plan, "plan");

  v1::UpdateCheckpointRequest req = Update({"name", "location"});
  req.mutable_checkpoint()->clear_location();  // clearing an optional field is a change
  change = CheckCheckpointUpdate(req);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->name, "益民街卡点");
  EXPECT_EQ(change->location, "");
  EXPECT_FALSE(change->work_plan.has_value());
}

TEST(CheckpointRulesTest, UpdateRefusesEmptyUnknownAndFixedFields) {
  for (const auto& paths : std::vector<std::vector<std::string>>{
           {}, {"kind"}, {"area_codes"}, {"open"}, {"nonsense"}, {"name", "kit"}}) {
    absl::StatusOr<CheckpointChange> change = CheckCheckpointUpdate(Update(paths));
    EXPECT_EQ(change.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(change.status().message().find("update_mask"), absl::string_view::npos)
        << change.status();
  }
  v1::UpdateCheckpointRequest req = Update({"name"});
  req.mutable_checkpoint()->clear_name();
  EXPECT_NE(CheckCheckpointUpdate(req).status().message().find("checkpoint.name"),
            absl::string_view::npos);
  req = Update({"name"});
  req.set_checkpoint_id("nope");
  EXPECT_NE(CheckCheckpointUpdate(req).status().message().find("checkpoint_id"),
            absl::string_view::npos);
}

TEST(CheckpointRulesTest, ClosingNeedsAReasonAndOpeningTakesNone) {
  v1::SetCheckpointOpenRequest req;
  req.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  req.set_open(false);
  EXPECT_EQ(ValidateOpenChange(req).code(), absl::StatusCode::kInvalidArgument);
  req.set_reason(std::string(501, 'r'));
  EXPECT_EQ(ValidateOpenChange(req).code(), absl::StatusCode::kInvalidArgument);
  req.set_reason("小区封闭，并入东门卡点");
  EXPECT_TRUE(ValidateOpenChange(req).ok());
  req.set_open(true);
  EXPECT_EQ(ValidateOpenChange(req).code(), absl::StatusCode::kInvalidArgument);
  req.clear_reason();
  EXPECT_TRUE(ValidateOpenChange(req).ok());
}

TEST(CheckpointRulesTest, KitChecksNeedAKnownItemAndState) {
  v1::CheckKitItemRequest req;
  req.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  req.set_item(v1::KIT_ITEM_THERMOMETER_GUN);
  req.set_state(v1::KIT_ITEM_STATE_DAMAGED);
  req.set_note("电池没电");
  EXPECT_TRUE(ValidateKitCheck(req).ok());
  for (int item : {0, 10, -1}) {
    v1::CheckKitItemRequest bad = req;
    bad.set_item(static_cast<v1::KitItem>(item));
    EXPECT_NE(ValidateKitCheck(bad).message().find("item"), absl::string_view::npos);
  }
  for (int state : {0, 4}) {
    v1::CheckKitItemRequest bad = req;
    bad.set_state(static_cast<v1::KitItemState>(state));
    EXPECT_NE(ValidateKitCheck(bad).message().find("state"), absl::string_view::npos);
  }
  req.set_note(std::string(201, 'n'));
  EXPECT_NE(ValidateKitCheck(req).message().find("note"), absl::string_view::npos);
}

TEST(CheckpointRulesTest, TheKitAlwaysListsAllNineItems) {
  CheckpointRow row;
  row.checkpoint_id = "c";
  row.kit.push_back(KitRow{v1::KIT_ITEM_PLAYER, v1::KIT_ITEM_STATE_MISSING, "lost", 42, "u1"});
  v1::Checkpoint c = CheckpointToProto(row);
  ASSERT_EQ(c.kit_size(), 9);
  for (int i = 0; i < 9; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(c.kit(i).item(), i + 1);
    if (c.kit(i).item() == v1::KIT_ITEM_PLAYER) {
      EXPECT_EQ(c.kit(i).state(), v1::KIT_ITEM_STATE_MISSING);
      EXPECT_EQ(c.kit(i).note(), "lost");
      EXPECT_EQ(c.kit(i).checked_by(), "u1");
      EXPECT_TRUE(c.kit(i).has_check_time());
    } else {
      EXPECT_EQ(c.kit(i).state(), v1::KIT_ITEM_STATE_UNSPECIFIED);
      EXPECT_FALSE(c.kit(i).has_check_time());
      EXPECT_EQ(c.kit(i).checked_by(), "");
    }
  }
}

v1::RecordInspectionRequest Inspection() {
  v1::RecordInspectionRequest req;
  req.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  req.set_posts_staffed(true);
  req.set_score(85);
  req.add_findings("登记簿夜班记录不全");
  req.set_rectification_deadline("2026-12-01");
  return req;
}

void ExpectInspectionRejected(const v1::RecordInspectionRequest& req, const std::string& field) {
  absl::Status s = ValidateInspection(req, absl::CivilDay(2026, 11, 30));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), absl::string_view::npos) << s;
}

TEST(InspectionRulesTest, AcceptsAValidInspection) {
  const absl::CivilDay today(2026, 11, 30);
  EXPECT_TRUE(ValidateInspection(Inspection(), today).ok())
      << ValidateInspection(Inspection(), today);
  v1::RecordInspectionRequest req = Inspection();
  req.set_rectification_deadline("2026-11-30");  // today is not in the past
  EXPECT_TRUE(ValidateInspection(req, today).ok());
  req.clear_findings();
  req.clear_rectification_deadline();
  req.set_score(0);  // a present zero is a score
  EXPECT_TRUE(ValidateInspection(req, today).ok());
}

TEST(InspectionRulesTest, RefusesBadScoresFindingsAndDeadlines) {
  v1::RecordInspectionRequest req = Inspection();
  req.clear_score();
  ExpectInspectionRejected(req, "score");
  req.set_score(101);
  ExpectInspectionRejected(req, "score");
  req.set_score(-1);
  ExpectInspectionRejected(req, "score");

  req = Inspection();
  req.add_findings("");
  ExpectInspectionRejected(req, "findings[1]");
  req = Inspection();
  req.add_findings(std::string(501, 'f'));
  ExpectInspectionRejected(req, "findings[1]");
  req = Inspection();
  for (int i = 0; i < 50; ++i) req.add_findings("f");
  ExpectInspectionRejected(req, "findings");

  req = Inspection();
  req.clear_rectification_deadline();
  ExpectInspectionRejected(req, "rectification_deadline");
  req.set_rectification_deadline("2026-11-29");  // yesterday
  ExpectInspectionRejected(req, "rectification_deadline");
  req.set_rectification_deadline("2026-02-30");
  ExpectInspectionRejected(req, "rectification_deadline");
  req.clear_findings();
  req.set_rectification_deadline("2026-12-01");  // no findings, no deadline
  ExpectInspectionRejected(req, "rectification_deadline");

  req = Inspection();
  req.set_notes(std::string(2001, 'n'));
  ExpectInspectionRejected(req, "notes");
  req = Inspection();
  req.set_reinspection_of("not-a-uuid");
  ExpectInspectionRejected(req, "reinspection_of");
  req = Inspection();
  req.set_checkpoint_id("");
  ExpectInspectionRejected(req, "checkpoint_id");
}

RatingRow Rating(const std::string& id, const std::string& name, std::optional<double> avg) {
  return RatingRow{id, name, avg, avg ? 1 : 0};
}

TEST(InspectionRulesTest, RankingIsByAverageThenNameWithUnratedLast) {
  v1::RankCheckpointsResponse out = RankRatings({
      Rating("1", "北门", std::nullopt),
      Rating("2", "B gate", 90.0),
      Rating("3", "A gate", 90.0),
      Rating("4", "C gate", 95.5),
      Rating("5", "A road", std::nullopt),
      Rating("6", "D gate", 60.0),
  });
  ASSERT_EQ(out.checkpoints_size(), 6);
  const std::vector<std::pair<std::string, int>> want = {{"4", 1}, {"3", 2}, {"2", 2},
                                                         {"6", 4}, {"5", 0}, {"1", 0}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(out.checkpoints(i).checkpoint_id(), want[i].first);
    EXPECT_EQ(out.checkpoints(i).rank(), want[i].second);
    EXPECT_EQ(out.checkpoints(i).has_average_score(), want[i].second != 0);
  }
  EXPECT_DOUBLE_EQ(out.checkpoints(0).average_score(), 95.5);
  EXPECT_EQ(RankRatings({}).checkpoints_size(), 0);
}

}  // namespace
}  // namespace fangxian::checkpoint
