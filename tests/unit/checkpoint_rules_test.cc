#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/checkpoint/checkpoints.h"

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

}  // namespace
}  // namespace fangxian::checkpoint
