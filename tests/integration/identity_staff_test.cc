// Staff accounts, grants and login sessions against the real identity_server (and a
// checkpoint_server, to see revocations honoured by another service).
#include <gtest/gtest.h>

#include <thread>

#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using namespace identity::v1;  // NOLINT: the test reads better with the message names

constexpr char kAdminPassword[] = "correct horse battery";

class IdentityStaffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = IdentityKeysEnv();
    env["FX_BOOTSTRAP_ADMIN_USERNAME"] = "root-admin";
    env["FX_BOOTSTRAP_ADMIN_PASSWORD"] = kAdminPassword;
    env["FX_BOOTSTRAP_ADMIN_AREA"] = "gongyi.dufulu";
    env["FX_REVOCATION_POLL_MS"] = "50";
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "staff", tokens_,
                                              env);
    ASSERT_TRUE(sut_->WaitUntilServing());
    stub_ = IdentityService::NewStub(sut_->channel());
    auto admin = Login("root-admin", kAdminPassword);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = admin->access_token();
  }

  absl::StatusOr<Session> Login(const std::string& user, const std::string& password) {
    LoginRequest req;
    req.set_username(user);
    req.set_password(password);
    Session out;
    grpc::Status st = stub_->Login(CallContextWith("").get(), req, &out);
    if (!st.ok())
      return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
    return out;
  }

  grpc::Status Refresh(const std::string& token, Session* out) {
    RefreshSessionRequest req;
    req.set_refresh_token(token);
    return stub_->RefreshSession(CallContextWith("").get(), req, out);
  }

  grpc::Status CreateAccount(const std::string& token, const std::string& username,
                             const std::string& area, StaffAccount* out,
                             const std::string& password = "long enough password") {
    CreateStaffAccountRequest req;
    req.set_username(username);
    req.set_display_name("张三");
    req.set_kind(STAFF_KIND_CADRE);
    req.set_area_code(area);
    req.set_password(password);
    return stub_->CreateStaffAccount(CallContextWith(token).get(), req, out);
  }

  grpc::Status Grant(const std::string& token, const std::string& account, const std::string& role,
                     const std::string& area) {
    GrantRoleRequest req;
    req.set_account_id(account);
    req.mutable_grant()->set_role(role);
    req.mutable_grant()->set_area_code(area);
    StaffAccount out;
    return stub_->GrantRole(CallContextWith(token).get(), req, &out);
  }

  grpc::StatusCode Whoami(const std::string& token, const std::string& account_id) {
    GetStaffAccountRequest req;
    req.set_account_id(account_id);
    StaffAccount out;
    return stub_->GetStaffAccount(CallContextWith(token).get(), req, &out).error_code();
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<IdentityService::Stub> stub_;
  std::string admin_;
};

TEST_F(IdentityStaffTest, AccountsAreCreatedByAdminsInScopeWithHashedPasswords) {
  StaffAccount created;
  ASSERT_TRUE(CreateAccount(admin_, "Zhang.San", "gongyi.dufulu.longhai", &created).ok());
  EXPECT_EQ(created.username(), "zhang.san");
  EXPECT_FALSE(created.disabled());
  EXPECT_EQ(created.grants_size(), 0);
  const std::string hash = sut_->Query(
      "SELECT password_hash FROM identity.staff_accounts WHERE username = 'zhang.san'")[0];
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;

  StaffAccount out;
  EXPECT_EQ(CreateAccount(admin_, "zhang.san", "gongyi.dufulu", &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CreateAccount(admin_, "weak", "gongyi.dufulu", &out, "short").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateAccount(admin_, "x", "gongyi.dufulu", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateAccount(admin_, "elsewhere", "zhengzhou.other", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(CreateAccount(volunteer, "by.volunteer", "gongyi.dufulu", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(sut_->Count("identity.staff_accounts"), "2");  // the admin and zhang.san
}

TEST_F(IdentityStaffTest, GrantsFollowTheAdminHierarchy) {
  StaffAccount community_admin, worker;
  ASSERT_TRUE(
      CreateAccount(admin_, "longhai.admin", "gongyi.dufulu.longhai", &community_admin).ok());
  ASSERT_TRUE(
      Grant(admin_, community_admin.account_id(), "community_admin", "gongyi.dufulu.longhai").ok());
  auto ca = Login("longhai.admin", "long enough password");
  ASSERT_TRUE(ca.ok()) << ca.status();
  const std::string ca_token = ca->access_token();

  ASSERT_TRUE(CreateAccount(ca_token, "worker", "gongyi.dufulu.longhai.jingyuan", &worker).ok());
  EXPECT_TRUE(
      Grant(ca_token, worker.account_id(), "info_registrar", "gongyi.dufulu.longhai.jingyuan")
          .ok());
  EXPECT_EQ(Grant(ca_token, worker.account_id(), "info_registrar", "gongyi.dufulu.longhai.jingyuan")
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(
      Grant(ca_token, worker.account_id(), "community_admin", "gongyi.dufulu.longhai").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Grant(ca_token, worker.account_id(), "pii.read", "").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Grant(ca_token, worker.account_id(), "grid_worker", "gongyi.dufulu.yimin").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Grant(ca_token, worker.account_id(), "emperor", "gongyi.dufulu.longhai").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Grant(admin_, worker.account_id(), "pii.read", "").ok());

  // The grants reach the worker's next token: an info_registrar may register residents.
  auto w = Login("worker", "long enough password");
  ASSERT_TRUE(w.ok());
  CreateResidentRequest req;
  req.mutable_resident()->set_name("王五");
  req.mutable_resident()->set_id_number("410181198501011231");
  req.mutable_resident()->set_area_code("gongyi.dufulu.longhai.jingyuan");
  Resident resident;
  grpc::Status st = stub_->CreateResident(CallContextWith(w->access_token()).get(), req, &resident);
  EXPECT_TRUE(st.ok()) << st.error_message();

  // An account outside the caller's scope does not exist for them.
  StaffAccount yimin;
  ASSERT_TRUE(CreateAccount(admin_, "yimin.staff", "gongyi.dufulu.yimin", &yimin).ok());
  EXPECT_EQ(Whoami(ca_token, yimin.account_id()), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Whoami(w->access_token(), w->account_id()), grpc::StatusCode::OK);  // self
}

TEST_F(IdentityStaffTest, WrongPasswordsLockTheAccountAndDoNotRevealUsernames) {
  StaffAccount a;
  ASSERT_TRUE(CreateAccount(admin_, "target", "gongyi.dufulu", &a).ok());
  auto unknown = Login("nobody-here", "whatever password");
  auto wrong = Login("target", "wrong password!");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  for (int i = 0; i < 4; ++i) (void)Login("target", "wrong password!");  // 5 failures in all
  auto locked = Login("target", "long enough password");
  EXPECT_EQ(locked.status().code(), absl::StatusCode::kResourceExhausted) << locked.status();
  const std::string minutes = sut_->Query(
      "SELECT round(extract(epoch from locked_until - now()) / 60) FROM identity.staff_accounts "
      "WHERE username = 'target'")[0];
  EXPECT_EQ(minutes, "15");
}

TEST_F(IdentityStaffTest, RefreshTokensRotateAndAReusedOneEndsTheSession) {
  auto s = Login("root-admin", kAdminPassword);
  ASSERT_TRUE(s.ok());
  Session next;
  ASSERT_TRUE(Refresh(s->refresh_token(), &next).ok());
  EXPECT_NE(next.refresh_token(), s->refresh_token());
  EXPECT_EQ(Whoami(next.access_token(), next.account_id()), grpc::StatusCode::OK);

  Session again;
  EXPECT_EQ(Refresh(s->refresh_token(), &again).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Reuse means a copy exists: the whole session is over, the rotated token too.
  EXPECT_EQ(Refresh(next.refresh_token(), &again).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Whoami(next.access_token(), next.account_id()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Refresh("garbage", &again).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Refresh tokens are stored only hashed.
  const std::string secret = s->refresh_token().substr(s->refresh_token().find('.') + 1);
  EXPECT_EQ(sut_->Query("SELECT count(*) FROM identity.sessions WHERE "
                        "position(convert_to('" +
                        secret + "', 'UTF8') in refresh_hash) > 0")[0],
            "0");
}

TEST_F(IdentityStaffTest, LogoutIsHonouredByOtherServicesWithinSeconds) {
  auto env = std::map<std::string, std::string>{{"FX_TOKEN_PUBLIC_KEYS", IdentityPublicKeys()},
                                                {"FX_REVOCATION_POLL_MS", "50"}};
  ServiceUnderTest checkpoint("services/checkpoint/checkpoint_server", "staff_cp", tokens_, env);
  ASSERT_TRUE(checkpoint.WaitUntilServing());
  auto cp = checkpoint::v1::CheckpointService::NewStub(checkpoint.channel());
  auto read = [&](const std::string& token) {
    checkpoint::v1::GetCheckpointRequest req;
    req.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
    checkpoint::v1::Checkpoint out;
    return cp->GetCheckpoint(CallContextWith(token).get(), req, &out).error_code();
  };
  auto s = Login("root-admin", kAdminPassword);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(read(s->access_token()), grpc::StatusCode::NOT_FOUND);  // accepted, no such record

  LogoutResponse out;
  ASSERT_TRUE(stub_->Logout(CallContextWith(s->access_token()).get(), LogoutRequest(), &out).ok());
  EXPECT_EQ(Whoami(s->access_token(), s->account_id()), grpc::StatusCode::UNAUTHENTICATED);
  grpc::StatusCode seen = grpc::StatusCode::OK;
  for (int i = 0; i < 200 && seen != grpc::StatusCode::UNAUTHENTICATED; ++i) {
    seen = read(s->access_token());
    if (seen != grpc::StatusCode::UNAUTHENTICATED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));  // polling, bounded
    }
  }
  EXPECT_EQ(seen, grpc::StatusCode::UNAUTHENTICATED);
  Session again;
  EXPECT_EQ(Refresh(s->refresh_token(), &again).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Another session of the same admin is untouched.
  EXPECT_EQ(Whoami(admin_, s->account_id()), grpc::StatusCode::OK);
}

TEST_F(IdentityStaffTest, DisablingEndsSessionsAndBlocksLogin) {
  StaffAccount a;
  ASSERT_TRUE(CreateAccount(admin_, "leaver", "gongyi.dufulu", &a).ok());
  auto s = Login("leaver", "long enough password");
  ASSERT_TRUE(s.ok());
  SetStaffAccountDisabledRequest req;
  req.set_account_id(a.account_id());
  req.set_disabled(true);
  StaffAccount out;
  ASSERT_TRUE(stub_->SetStaffAccountDisabled(CallContextWith(admin_).get(), req, &out).ok());
  EXPECT_TRUE(out.disabled());
  EXPECT_EQ(Whoami(s->access_token(), a.account_id()), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Login("leaver", "long enough password").status().code(),
            absl::StatusCode::kPermissionDenied);
  Session again;
  EXPECT_EQ(Refresh(s->refresh_token(), &again).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IdentityStaffTest, ResidentsSignInAndIssueOnlyTheirOwnPass) {
  auto register_resident = [&](const std::string& first17) {
    CreateResidentRequest req;
    req.mutable_resident()->set_name("居民");
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code("gongyi.dufulu.longhai");
    Resident out;
    EXPECT_TRUE(stub_->CreateResident(CallContextWith(admin_).get(), req, &out).ok());
    return out.resident_id();
  };
  const std::string me = register_resident("41018119900307123");
  const std::string neighbour = register_resident("41018119850101123");
  auto create = [&](const std::string& username, const std::string& resident,
                    const std::string& area, StaffAccount* out) {
    CreateStaffAccountRequest req;
    req.set_username(username);
    req.set_display_name("居民");
    req.set_kind(STAFF_KIND_RESIDENT);
    req.set_area_code(area);
    req.set_password("resident password");
    req.set_resident_id(resident);
    return stub_->CreateStaffAccount(CallContextWith(admin_).get(), req, out);
  };
  StaffAccount account;
  EXPECT_EQ(create("wrong.area", me, "gongyi.dufulu.yimin", &account).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::Status made = create("me.self", me, "gongyi.dufulu.longhai", &account);
  ASSERT_TRUE(made.ok()) << made.error_message();
  EXPECT_EQ(account.resident_id(), me);
  EXPECT_EQ(create("me.again", me, "gongyi.dufulu.longhai", &account).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(
      Grant(admin_, account.account_id(), "grid_worker", "gongyi.dufulu.longhai").error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  StaffAccount bad;
  CreateStaffAccountRequest staff_with_resident;
  staff_with_resident.set_username("mixed");
  staff_with_resident.set_display_name("x");
  staff_with_resident.set_kind(STAFF_KIND_CADRE);
  staff_with_resident.set_area_code("gongyi.dufulu");
  staff_with_resident.set_password("long enough password");
  staff_with_resident.set_resident_id(me);
  EXPECT_EQ(stub_->CreateStaffAccount(CallContextWith(admin_).get(), staff_with_resident, &bad)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto session = Login("me.self", "resident password");
  ASSERT_TRUE(session.ok()) << session.status();
  IssuePassRequest mine;
  mine.set_resident_id(me);
  Pass pass;
  grpc::Status st = stub_->IssuePass(CallContextWith(session->access_token()).get(), mine, &pass);
  EXPECT_TRUE(st.ok()) << st.error_message();
  IssuePassRequest theirs;
  theirs.set_resident_id(neighbour);
  EXPECT_EQ(
      stub_->IssuePass(CallContextWith(session->access_token()).get(), theirs, &pass).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // A resident token opens nothing meant for staff.
  GetResidentRequest read;
  read.set_resident_id(neighbour);
  Resident out;
  EXPECT_EQ(
      stub_->GetResident(CallContextWith(session->access_token()).get(), read, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IdentityStaffTest, PublicKeysAreServedWithoutAToken) {
  PublicKeys keys;
  ASSERT_TRUE(stub_->GetPublicKeys(CallContextWith("").get(), GetPublicKeysRequest(), &keys).ok());
  bool found = false;
  for (const auto& k : keys.keys()) {
    EXPECT_EQ(k.algorithm(), "EdDSA");
    if (k.kid() == "k1") {
      found = true;
      EXPECT_EQ("k1=" + k.public_key(), IdentityPublicKeys());
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace fangxian::testing
