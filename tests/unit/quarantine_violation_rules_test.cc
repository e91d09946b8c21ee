// The rules of violations that need no database: input validation, the allowed steps and
// the conversion to the API message.
#include <gtest/gtest.h>

#include "services/quarantine/violations.h"

namespace fangxian::quarantine {
namespace {

v1::RecordViolationRequest Valid() {
  v1::RecordViolationRequest req;
  req.set_resident_id("0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13");
  req.set_area_code("gongyi.dufulu.longhai");
  req.set_kind(v1::VIOLATION_KIND_LEAVING_ISOLATION);
  req.set_description("left home on day 5 of isolation to buy cigarettes");
  return req;
}

void ExpectRejected(const v1::RecordViolationRequest& req, const std::string& field) {
  absl::Status s = ValidateNewViolation(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), absl::string_view::npos) << s;
}

ViolationRow Row(int status, int outcome = 0) {
  ViolationRow row;
  row.status = status;
  row.outcome = outcome;
  return row;
}

TEST(QuarantineViolationRulesTest, AcceptsEveryKnownKind) {
  for (v1::ViolationKind kind :
       {v1::VIOLATION_KIND_CONCEALMENT, v1::VIOLATION_KIND_FALSE_REPORT,
        v1::VIOLATION_KIND_LEAVING_ISOLATION, v1::VIOLATION_KIND_REFUSING_REGISTRATION}) {
    v1::RecordViolationRequest req = Valid();
    req.set_kind(kind);
    EXPECT_TRUE(ValidateNewViolation(req).ok()) << ValidateNewViolation(req);
  }
}

TEST(QuarantineViolationRulesTest, AreaCodeIsOptional) {
  // Empty: the violation takes the resident's registered area (asked of identity).
  v1::RecordViolationRequest req = Valid();
  req.clear_area_code();
  EXPECT_TRUE(ValidateNewViolation(req).ok()) << ValidateNewViolation(req);
}

TEST(QuarantineViolationRulesTest, RefusesBadInputNamingTheField) {
  v1::RecordViolationRequest req = Valid();
  req.set_resident_id("resident-1");
  ExpectRejected(req, "resident_id");
  req = Valid();
  req.set_area_code("Gongyi");
  ExpectRejected(req, "area_code");
  req = Valid();
  req.set_kind(v1::VIOLATION_KIND_UNSPECIFIED);
  ExpectRejected(req, "kind");
  req.set_kind(static_cast<v1::ViolationKind>(5));
  ExpectRejected(req, "kind");
  req = Valid();
  req.clear_description();
  ExpectRejected(req, "description");
  req.set_description(std::string(1000, 'd'));
  EXPECT_TRUE(ValidateNewViolation(req).ok());
  req.set_description(std::string(1001, 'd'));
  ExpectRejected(req, "description");
  req.set_description("tab\tinside");
  ExpectRejected(req, "description");
}

TEST(QuarantineViolationRulesTest, ConfirmOnlyWhatIsReported) {
  EXPECT_TRUE(CheckViolationStep(ViolationStep::kConfirm, Row(kViolationReported)).ok());
  EXPECT_EQ(CheckViolationStep(ViolationStep::kConfirm, Row(kViolationConfirmed)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckViolationStep(ViolationStep::kConfirm, Row(kViolationClosed)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(QuarantineViolationRulesTest, OutcomeOnlyWhileConfirmed) {
  EXPECT_EQ(CheckViolationStep(ViolationStep::kSetOutcome, Row(kViolationReported)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckViolationStep(ViolationStep::kSetOutcome, Row(kViolationConfirmed)).ok());
  // Revising a decided outcome is allowed while the violation is open.
  EXPECT_TRUE(CheckViolationStep(ViolationStep::kSetOutcome,
                                 Row(kViolationConfirmed, v1::VIOLATION_OUTCOME_WARNING))
                  .ok());
  EXPECT_EQ(CheckViolationStep(ViolationStep::kSetOutcome,
                               Row(kViolationClosed, v1::VIOLATION_OUTCOME_WARNING))
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(QuarantineViolationRulesTest, CloseDismissesOrEndsADecidedViolationOnce) {
  EXPECT_TRUE(CheckViolationStep(ViolationStep::kClose, Row(kViolationReported)).ok());
  absl::Status undecided = CheckViolationStep(ViolationStep::kClose, Row(kViolationConfirmed));
  EXPECT_EQ(undecided.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(undecided.message().find("outcome"), absl::string_view::npos) << undecided;
  EXPECT_TRUE(CheckViolationStep(ViolationStep::kClose,
                                 Row(kViolationConfirmed, v1::VIOLATION_OUTCOME_EDUCATION))
                  .ok());
  EXPECT_EQ(CheckViolationStep(ViolationStep::kClose,
                               Row(kViolationClosed, v1::VIOLATION_OUTCOME_EDUCATION))
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(QuarantineViolationRulesTest, ToProtoLeavesUnreachedStepsUnset) {
  ViolationRow row = Row(kViolationReported);
  row.violation_id = "123e4567-e89b-12d3-a456-426614174000";
  row.kind = v1::VIOLATION_KIND_CONCEALMENT;
  row.recorded_by = "admin-1";
  row.recorded_at_micros = 1700000000123456;
  v1::Violation v = ViolationToProto(row);
  EXPECT_EQ(v.status(), v1::VIOLATION_STATUS_REPORTED);
  EXPECT_EQ(v.kind(), v1::VIOLATION_KIND_CONCEALMENT);
  EXPECT_EQ(v.record_time().seconds(), 1700000000);
  EXPECT_EQ(v.record_time().nanos(), 123456000);
  EXPECT_FALSE(v.has_confirm_time());
  EXPECT_FALSE(v.has_outcome_time());
  EXPECT_FALSE(v.has_close_time());
  row.status = kViolationClosed;
  row.closed_at_micros = 1700000100000000;
  row.closed_by = "admin-2";
  v = ViolationToProto(row);
  EXPECT_EQ(v.status(), v1::VIOLATION_STATUS_CLOSED);
  EXPECT_EQ(v.close_time().seconds(), 1700000100);
  EXPECT_EQ(v.closed_by(), "admin-2");
}

}  // namespace
}  // namespace fangxian::quarantine
