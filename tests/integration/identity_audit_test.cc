// Unmasked reads and the append-only audit log, against the real identity_server.
#include <gtest/gtest.h>

#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using namespace identity::v1;  // NOLINT

std::string ValidId(const std::string& first17) {
  return first17 + identity::IdCheckCharacter(first17);
}

class IdentityAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "audit", tokens_,
                                              IdentityKeysEnv());
    ASSERT_TRUE(sut_->WaitUntilServing());
    stub_ = IdentityService::NewStub(sut_->channel());
    registrar_ = tokens_.Mint("registrar-1", {"info_registrar"}, {"gongyi.dufulu"});
  }

  std::string Register(const std::string& area, const std::string& first17,
                       const std::string& request_id = "") {
    CreateResidentRequest req;
    req.mutable_resident()->set_name("李晓霞");
    req.mutable_resident()->set_id_number(ValidId(first17));
    req.mutable_resident()->set_phone("13812345678");
    req.mutable_resident()->set_area_code(area);
    Resident out;
    auto ctx = CallContextWith(registrar_);
    if (!request_id.empty()) ctx->AddMetadata("x-request-id", request_id);
    EXPECT_TRUE(stub_->CreateResident(ctx.get(), req, &out).ok());
    return out.resident_id();
  }

  grpc::Status Unmasked(const std::string& token, const std::string& id, const std::string& purpose,
                        Resident* out) {
    GetResidentUnmaskedRequest req;
    req.set_resident_id(id);
    req.set_purpose(purpose);
    return stub_->GetResidentUnmasked(CallContextWith(token).get(), req, out);
  }

  grpc::Status List(const std::string& token, ListAuditEntriesRequest req,
                    ListAuditEntriesResponse* out) {
    return stub_->ListAuditEntries(CallContextWith(token).get(), req, out);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<IdentityService::Stub> stub_;
  std::string registrar_;
};

TEST_F(IdentityAuditTest, ChangesAreAuditedInTheirTransaction) {
  const std::string id = Register("gongyi.dufulu.longhai", "41018119900307123", "req-create-1");
  auto row = sut_->Query(
      "SELECT actor || '|' || action || '|' || subject_type || '|' || subject_id || '|' || "
      "area_code || '|' || request_id FROM identity.audit_log");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0],
            "registrar-1|resident.create|resident|" + id + "|gongyi.dufulu.longhai|req-create-1");
  // A refused create writes nothing, audit included.
  CreateResidentRequest dup;
  dup.mutable_resident()->set_name("重复");
  dup.mutable_resident()->set_id_number(ValidId("41018119900307123"));
  dup.mutable_resident()->set_area_code("gongyi.dufulu.longhai");
  Resident out;
  EXPECT_EQ(stub_->CreateResident(CallContextWith(registrar_).get(), dup, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(sut_->Count("identity.audit_log"), "1");
}

TEST_F(IdentityAuditTest, UnmaskedReadsNeedPiiReadAPurposeAndLeaveATrail) {
  const std::string id = Register("gongyi.dufulu.longhai", "41018119900307123");
  Resident out;
  EXPECT_EQ(Unmasked(registrar_, id, "verify a returnee at the gate", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string reader =
      tokens_.MintGrants("reader-1", {{"community_admin", "gongyi.dufulu.longhai"}}, {"pii.read"});
  EXPECT_EQ(Unmasked(reader, id, "because", &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::string elsewhere =
      tokens_.MintGrants("reader-2", {{"community_admin", "gongyi.dufulu.yimin"}}, {"pii.read"});
  EXPECT_EQ(Unmasked(elsewhere, id, "verify a returnee at the gate", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string volunteer =
      tokens_.MintGrants("v", {{"volunteer", "gongyi.dufulu.longhai"}}, {"pii.read"});
  EXPECT_EQ(Unmasked(volunteer, id, "verify a returnee at the gate", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(sut_->Count("identity.audit_log"), "1");  // refused reads leave no data trail

  ASSERT_TRUE(Unmasked(reader, id, "verify a returnee at the gate", &out).ok());
  EXPECT_EQ(out.id_number(), ValidId("41018119900307123"));
  EXPECT_EQ(out.phone(), "13812345678");
  auto audit = sut_->Query(
      "SELECT actor || '|' || action || '|' || purpose FROM identity.audit_log "
      "WHERE action = 'resident.read_unmasked'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0], "reader-1|resident.read_unmasked|verify a returnee at the gate");
  // The ordinary read stays masked, and the server log never shows the number.
  GetResidentRequest get;
  get.set_resident_id(id);
  ASSERT_TRUE(stub_->GetResident(CallContextWith(reader).get(), get, &out).ok());
  EXPECT_EQ(out.id_number(), identity::MaskIdNumber(ValidId("41018119900307123")));
  EXPECT_EQ(sut_->process().Stderr().find(ValidId("41018119900307123")), std::string::npos);
}

TEST_F(IdentityAuditTest, TheLogIsAppendOnly) {
  Register("gongyi.dufulu.longhai", "41018119900307123");
  EXPECT_THROW(sut_->Query("UPDATE identity.audit_log SET actor = 'someone else'"),
               std::runtime_error);
  EXPECT_THROW(sut_->Query("DELETE FROM identity.audit_log"), std::runtime_error);
  EXPECT_THROW(sut_->Query("TRUNCATE identity.audit_log"), std::runtime_error);
  EXPECT_EQ(sut_->Query("SELECT actor FROM identity.audit_log")[0], "registrar-1");
}

TEST_F(IdentityAuditTest, AuditorsListTheirAreasNewestFirstInPages) {
  const std::string a = Register("gongyi.dufulu.longhai", "41018119900307123");
  const std::string b = Register("gongyi.dufulu.longhai.jingyuan", "41018119850101123");
  Register("gongyi.dufulu.yimin", "41018119700805123");
  const std::string auditor = tokens_.Mint("aud-1", {"auditor"}, {"gongyi.dufulu.longhai"});

  ListAuditEntriesResponse page;
  ListAuditEntriesRequest req;
  req.set_page_size(1);
  ASSERT_TRUE(List(auditor, req, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).subject_id(), b);  // newest first
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(List(auditor, req, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).subject_id(), a);
  EXPECT_TRUE(page.next_page_token().empty());  // yimin is outside the scope

  ListAuditEntriesRequest bad;
  bad.set_page_token("not-a-token");
  EXPECT_EQ(List(auditor, bad, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bad.Clear();
  bad.set_page_size(501);
  EXPECT_EQ(List(auditor, bad, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ListAuditEntriesRequest outside;
  outside.set_area_code("gongyi.dufulu.yimin");
  EXPECT_EQ(List(auditor, outside, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ListAuditEntriesRequest by_subject;
  by_subject.set_subject_type("resident");
  by_subject.set_subject_id(a);
  ASSERT_TRUE(List(auditor, by_subject, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).action(), "resident.create");
  EXPECT_EQ(List(registrar_, ListAuditEntriesRequest(), &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace fangxian::testing
