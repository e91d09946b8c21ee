// ViolationService against the real quarantine_server, with the real identity_server
// knowing the residents: the lifecycle from record to close with who and when, the pass
// colour it drives (read through GetPassStatus), that a violation belongs to the area its
// resident is registered in, and that only officers of that area change violations while
// grid workers and auditors only read.
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "fangxian/quarantine/v1/violations.grpc.pb.h"
#include "services/quarantine/pass_status.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::CloseViolationRequest;
using quarantine::v1::ConfirmViolationRequest;
using quarantine::v1::GetPassStatusRequest;
using quarantine::v1::GetViolationRequest;
using quarantine::v1::ListViolationsRequest;
using quarantine::v1::ListViolationsResponse;
using quarantine::v1::PassStatus;
using quarantine::v1::QuarantineService;
using quarantine::v1::RecordViolationRequest;
using quarantine::v1::SetViolationOutcomeRequest;
using quarantine::v1::Violation;
using quarantine::v1::ViolationService;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";
constexpr char kArea[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

class QuarantineViolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "violations_identity");
    server_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                 "violations", tokens_, identity_->Env());
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = ViolationService::NewStub(server_->channel());
    passes_ = QuarantineService::NewStub(server_->channel());
    resident_ = identity_->Resident("王磊", kArea);
  }

  RecordViolationRequest Sample(bool confirmed) const {
    RecordViolationRequest req;
    req.set_resident_id(resident_);
    req.set_area_code(kArea);
    req.set_kind(quarantine::v1::VIOLATION_KIND_LEAVING_ISOLATION);
    req.set_description("left home on day 5 of isolation");
    req.set_confirmed(confirmed);
    return req;
  }

  grpc::Status Record(const std::string& token, const RecordViolationRequest& req, Violation* out) {
    return stub_->RecordViolation(CallContextWith(token).get(), req, out);
  }
  grpc::Status Confirm(const std::string& token, const std::string& id, Violation* out) {
    ConfirmViolationRequest req;
    req.set_violation_id(id);
    return stub_->ConfirmViolation(CallContextWith(token).get(), req, out);
  }
  grpc::Status Outcome(const std::string& token, const std::string& id,
                       quarantine::v1::ViolationOutcome outcome, const std::string& note,
                       Violation* out) {
    SetViolationOutcomeRequest req;
    req.set_violation_id(id);
    req.set_outcome(outcome);
    req.set_note(note);
    return stub_->SetViolationOutcome(CallContextWith(token).get(), req, out);
  }
  grpc::Status Close(const std::string& token, const std::string& id, const std::string& note,
                     Violation* out) {
    CloseViolationRequest req;
    req.set_violation_id(id);
    req.set_note(note);
    return stub_->CloseViolation(CallContextWith(token).get(), req, out);
  }
  grpc::Status Get(const std::string& token, const std::string& id, Violation* out) {
    GetViolationRequest req;
    req.set_violation_id(id);
    return stub_->GetViolation(CallContextWith(token).get(), req, out);
  }
  grpc::Status List(const std::string& token, const ListViolationsRequest& req,
                    ListViolationsResponse* out) {
    return stub_->ListViolations(CallContextWith(token).get(), req, out);
  }

  // The colour GetPassStatus answers, with its reason codes ("red:violation").
  std::string Colour() {
    GetPassStatusRequest req;
    req.set_resident_id(resident_);
    PassStatus out;
    grpc::Status st = passes_->GetPassStatus(CallContextWith(officer_).get(), req, &out);
    if (!st.ok()) return "error: " + st.error_message();
    std::string colour = quarantine::PassColourWord(out.colour());
    for (const auto& r : out.reasons()) colour += ":" + r.code();
    return colour;
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<ViolationService::Stub> stub_;
  std::unique_ptr<QuarantineService::Stub> passes_;
  std::string resident_;  // in kArea; a fresh person per test: the test Redis is shared
  const std::string officer_id_ = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
  std::string officer_ = tokens_.Mint(officer_id_, {"community_admin"}, {"gongyi.dufulu.longhai"});
  std::string chief_ = tokens_.Mint("chief-1", {"subdistrict_admin"}, {"gongyi.dufulu"});
  std::string grid_ = tokens_.Mint("grid-1", {"grid_worker"}, {"gongyi.dufulu.longhai"});
  std::string other_grid_ = tokens_.Mint("grid-2", {"grid_worker"}, {"gongyi.dufulu.yimin"});
  std::string other_officer_ =
      tokens_.Mint("officer-2", {"community_admin"}, {"gongyi.dufulu.yimin"});
  std::string auditor_ = tokens_.Mint("auditor-1", {"auditor"}, {"gongyi"});
};

TEST_F(QuarantineViolationTest, ReportConfirmDecideCloseRecordsWhoAndWhenAndDrivesTheColour) {
  Violation v;
  grpc::Status st = Record(officer_, Sample(/*confirmed=*/false), &v);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(v.status(), quarantine::v1::VIOLATION_STATUS_REPORTED);
  EXPECT_EQ(v.recorded_by(), officer_id_);
  EXPECT_GT(v.record_time().seconds(), 0);
  EXPECT_EQ(v.confirmed_by(), "");
  EXPECT_FALSE(v.has_confirm_time());
  EXPECT_EQ(Colour(), "green");  // a report alone changes nothing

  // An outcome, or closing as handled, needs a confirmed violation with an outcome.
  Violation out;
  EXPECT_EQ(Outcome(officer_, v.violation_id(), quarantine::v1::VIOLATION_OUTCOME_WARNING, "", &out)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  st = Confirm(chief_, v.violation_id(), &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.status(), quarantine::v1::VIOLATION_STATUS_CONFIRMED);
  EXPECT_EQ(out.confirmed_by(), "chief-1");
  EXPECT_GE(out.confirm_time().seconds(), v.record_time().seconds());
  EXPECT_EQ(Colour(), "red:violation");
  EXPECT_EQ(Confirm(officer_, v.violation_id(), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  st = Close(officer_, v.violation_id(), "handled", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("outcome"), std::string::npos) << st.error_message();
  EXPECT_EQ(Colour(), "red:violation");

  st = Outcome(officer_, v.violation_id(), quarantine::v1::VIOLATION_OUTCOME_DETENTION_REFERRAL,
               "referred to the Longhai police station", &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.outcome(), quarantine::v1::VIOLATION_OUTCOME_DETENTION_REFERRAL);
  EXPECT_EQ(out.outcome_by(), officer_id_);
  EXPECT_EQ(out.outcome_note(), "referred to the Longhai police station");
  EXPECT_TRUE(out.has_outcome_time());
  EXPECT_EQ(Colour(), "red:violation");  // deciding the outcome does not end it

  st = Close(chief_, v.violation_id(), "detention served", &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.status(), quarantine::v1::VIOLATION_STATUS_CLOSED);
  EXPECT_EQ(out.closed_by(), "chief-1");
  EXPECT_EQ(out.close_note(), "detention served");
  EXPECT_TRUE(out.has_close_time());
  EXPECT_EQ(Colour(), "green");

  // Closed is final.
  EXPECT_EQ(Close(officer_, v.violation_id(), "again", &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(
      Outcome(officer_, v.violation_id(), quarantine::v1::VIOLATION_OUTCOME_EDUCATION, "", &out)
          .error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  Violation got;
  ASSERT_TRUE(Get(grid_, v.violation_id(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), out.SerializeAsString());
  EXPECT_EQ(server_->Query("SELECT status || '/' || outcome FROM quarantine.violations").at(0),
            "3/3");
}

TEST_F(QuarantineViolationTest, ConfirmedAtOnceIsRedAndADismissedReportStaysGreen) {
  Violation confirmed;
  ASSERT_TRUE(Record(officer_, Sample(/*confirmed=*/true), &confirmed).ok());
  EXPECT_EQ(confirmed.status(), quarantine::v1::VIOLATION_STATUS_CONFIRMED);
  EXPECT_EQ(confirmed.confirmed_by(), officer_id_);
  EXPECT_EQ(Colour(), "red:violation");

  // A second, only reported, then dismissed: the first still holds the colour.
  Violation reported;
  RecordViolationRequest req = Sample(false);
  req.set_kind(quarantine::v1::VIOLATION_KIND_FALSE_REPORT);
  ASSERT_TRUE(Record(officer_, req, &reported).ok());
  Violation out;
  grpc::Status st = Close(officer_, reported.violation_id(), "unfounded", &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.status(), quarantine::v1::VIOLATION_STATUS_CLOSED);
  EXPECT_FALSE(out.has_confirm_time());
  EXPECT_EQ(Colour(), "red:violation");

  ASSERT_TRUE(Outcome(officer_, confirmed.violation_id(),
                      quarantine::v1::VIOLATION_OUTCOME_EDUCATION, "", &out)
                  .ok());
  ASSERT_TRUE(Close(officer_, confirmed.violation_id(), "educated", &out).ok());
  EXPECT_EQ(Colour(), "green");
}

TEST_F(QuarantineViolationTest, OnlyOfficersOfTheAreaChangeViolations) {
  Violation out;
  EXPECT_EQ(Record("", Sample(true), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  for (const std::string* token : {&grid_, &auditor_}) {
    EXPECT_EQ(Record(*token, Sample(true), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // Another community's officer cannot see the resident at all.
  EXPECT_EQ(Record(other_officer_, Sample(true), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string registrar = tokens_.Mint("r", {"info_registrar"}, {"gongyi"});
  EXPECT_EQ(Record(registrar, Sample(true), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A grid worker grant over the area (enough for identity to show the resident) does not
  // make an admin of another area an officer here.
  const std::string mixed =
      tokens_.MintGrants("m", {{"community_admin", kYimin}, {"grid_worker", kArea}});
  EXPECT_EQ(Record(mixed, Sample(true), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("quarantine.violations"), "0");
  EXPECT_EQ(Colour(), "green");

  Violation v;
  ASSERT_TRUE(Record(officer_, Sample(false), &v).ok());
  for (const std::string* token : {&grid_, &auditor_}) {
    EXPECT_EQ(Confirm(*token, v.violation_id(), &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Close(*token, v.violation_id(), "no", &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Officers elsewhere: as if it did not exist.
  for (const std::string* token : std::vector<const std::string*>{&other_officer_, &mixed}) {
    EXPECT_EQ(Confirm(*token, v.violation_id(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(Close(*token, v.violation_id(), "no", &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Colour(), "green");
  ASSERT_TRUE(Get(officer_, v.violation_id(), &out).ok());
  EXPECT_EQ(out.status(), quarantine::v1::VIOLATION_STATUS_REPORTED);

  // Reading: grid workers of the area and auditors; not another area's, not volunteers.
  EXPECT_TRUE(Get(grid_, v.violation_id(), &out).ok());
  EXPECT_TRUE(Get(auditor_, v.violation_id(), &out).ok());
  // Out of scope is not found, in the words used for an unknown id.
  const grpc::Status hidden = Get(other_grid_, v.violation_id(), &out);
  EXPECT_EQ(hidden.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(hidden.error_message(), Get(grid_, kUnknownId, &out).error_message());
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Get(volunteer, v.violation_id(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ListViolationsResponse list;
  ASSERT_TRUE(List(other_grid_, ListViolationsRequest(), &list).ok());
  EXPECT_EQ(list.violations_size(), 0);
  ASSERT_TRUE(List(grid_, ListViolationsRequest(), &list).ok());
  EXPECT_EQ(list.violations_size(), 1);
}

TEST_F(QuarantineViolationTest, BadInputIsInvalidArgumentNamingTheFieldAndUnknownIsNotFound) {
  Violation out;
  RecordViolationRequest req = Sample(true);
  req.set_resident_id("resident-1");
  EXPECT_TRUE(IsInvalidNaming(Record(officer_, req, &out), "resident_id"));
  req = Sample(true);
  req.set_kind(static_cast<quarantine::v1::ViolationKind>(9));
  EXPECT_TRUE(IsInvalidNaming(Record(officer_, req, &out), "kind"));
  req = Sample(true);
  req.set_description(std::string(1001, 'd'));
  EXPECT_TRUE(IsInvalidNaming(Record(officer_, req, &out), "description"));
  req = Sample(true);
  req.set_area_code("Longhai");
  EXPECT_TRUE(IsInvalidNaming(Record(officer_, req, &out), "area_code"));
  EXPECT_EQ(server_->Count("quarantine.violations"), "0");

  EXPECT_TRUE(IsInvalidNaming(Confirm(officer_, "42", &out), "violation_id"));
  EXPECT_EQ(Confirm(officer_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(grid_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  Violation v;
  ASSERT_TRUE(Record(officer_, Sample(true), &v).ok());
  EXPECT_TRUE(IsInvalidNaming(
      Outcome(officer_, v.violation_id(), quarantine::v1::VIOLATION_OUTCOME_UNSPECIFIED, "", &out),
      "outcome"));
  EXPECT_TRUE(IsInvalidNaming(Close(officer_, v.violation_id(), "", &out), "note"));
  ListViolationsRequest list;
  list.set_status(static_cast<quarantine::v1::ViolationStatus>(4));
  ListViolationsResponse resp;
  EXPECT_TRUE(IsInvalidNaming(List(grid_, list, &resp), "status"));
}

TEST_F(QuarantineViolationTest, ListFiltersByKindStatusPersonAndAreaAndPages) {
  std::vector<std::string> ids;  // newest first
  for (auto kind :
       {quarantine::v1::VIOLATION_KIND_CONCEALMENT, quarantine::v1::VIOLATION_KIND_FALSE_REPORT,
        quarantine::v1::VIOLATION_KIND_REFUSING_REGISTRATION}) {
    RecordViolationRequest req = Sample(kind != quarantine::v1::VIOLATION_KIND_FALSE_REPORT);
    req.set_kind(kind);
    Violation v;
    ASSERT_TRUE(Record(officer_, req, &v).ok());
    ids.insert(ids.begin(), v.violation_id());
  }
  const std::string yimin_resident = identity_->Resident("赵敏", kYimin);
  RecordViolationRequest elsewhere = Sample(false);
  elsewhere.set_resident_id(yimin_resident);
  elsewhere.set_area_code(kYimin);
  Violation yimin;
  ASSERT_TRUE(Record(other_officer_, elsewhere, &yimin).ok());

  auto got = [](const ListViolationsResponse& r) {
    std::vector<std::string> out;
    for (const auto& v : r.violations()) out.push_back(v.violation_id());
    return out;
  };
  ListViolationsRequest req;
  ListViolationsResponse resp;
  ASSERT_TRUE(List(officer_, req, &resp).ok());
  EXPECT_EQ(got(resp), ids);
  ASSERT_TRUE(List(chief_, req, &resp).ok());
  EXPECT_EQ(resp.violations_size(), 4);
  req.set_area_code(kYimin);
  EXPECT_EQ(List(officer_, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(List(auditor_, req, &resp).ok());
  EXPECT_EQ(got(resp), std::vector<std::string>{yimin.violation_id()});

  req = ListViolationsRequest();
  req.set_status(quarantine::v1::VIOLATION_STATUS_REPORTED);
  ASSERT_TRUE(List(chief_, req, &resp).ok());
  EXPECT_EQ(got(resp), (std::vector<std::string>{yimin.violation_id(), ids[1]}));
  req = ListViolationsRequest();
  req.set_kind(quarantine::v1::VIOLATION_KIND_CONCEALMENT);
  ASSERT_TRUE(List(chief_, req, &resp).ok());
  EXPECT_EQ(got(resp), std::vector<std::string>{ids[2]});
  req = ListViolationsRequest();
  req.set_resident_id(yimin_resident);
  ASSERT_TRUE(List(chief_, req, &resp).ok());
  EXPECT_EQ(got(resp), std::vector<std::string>{yimin.violation_id()});

  req = ListViolationsRequest();
  req.set_page_size(2);
  std::vector<std::string> paged;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(List(officer_, req, &resp).ok());
    for (const auto& id : got(resp)) paged.push_back(id);
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(paged, ids);
}

TEST_F(QuarantineViolationTest, AViolationBelongsToTheResidentsRegisteredArea) {
  // No area named: the resident's own.
  RecordViolationRequest req = Sample(false);
  req.clear_area_code();
  Violation v;
  grpc::Status st = Record(officer_, req, &v);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(v.area_code(), kArea);
  EXPECT_EQ(server_->Query("SELECT area_code FROM quarantine.violations").at(0), kArea);

  // Another area named, even one the officer covers: refused, naming both fields.
  req.set_area_code("gongyi.dufulu.longhai");
  Violation out;
  st = Record(officer_, req, &out);
  EXPECT_TRUE(IsInvalidNaming(st, "area_code"));
  EXPECT_TRUE(IsInvalidNaming(st, "resident_id"));
  EXPECT_EQ(server_->Count("quarantine.violations"), "1");
}

TEST_F(QuarantineViolationTest, AnOfficerCannotRecordAgainstAResidentOutsideTheirScope) {
  // Yimin's officer names Yimin for a Jingyuan resident: nothing recorded, the pass stays
  // green, and the answer is the one for a resident identity does not know.
  RecordViolationRequest req = Sample(/*confirmed=*/true);
  req.set_area_code(kYimin);
  Violation out;
  const grpc::Status st = Record(other_officer_, req, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("resident_id"), std::string::npos) << st.error_message();
  req.set_resident_id(kUnknownId);
  EXPECT_EQ(Record(other_officer_, req, &out).error_message(), st.error_message());
  EXPECT_EQ(server_->Count("quarantine.violations"), "0");
  EXPECT_EQ(Colour(), "green");
}

}  // namespace
}  // namespace fangxian::testing
