// Black-box tests of the roster (RosterService) and the unstaffed-post watch: the real
// checkpoint_server, and the real identity_server for the leading-cadre check, on scratch
// PostgreSQL databases and the test Redis.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/pg.h"
#include "common/time_text.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "fangxian/checkpoint/v1/roster.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/checkpoint/shifts.h"
#include "services/checkpoint/staffing_watch.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using namespace checkpoint::v1;  // NOLINT: the test reads better with the message names

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

// The shift `now` falls in, under the service's default pattern.
checkpoint::ShiftPattern::Slot SlotNow() {
  static const checkpoint::ShiftPattern shifts =
      *checkpoint::ShiftPattern::Parse(checkpoint::kDefaultShiftPattern);
  return shifts.At(absl::Now());
}

// Tests that act in the current shift compute it on their side; a shift change during
// the test would make the two sides disagree, so such tests skip within 2 minutes of one.
bool NearShiftChange() { return SlotNow().end - absl::Now() < absl::Minutes(2); }

std::string Today() { return common::IsoDate(SlotNow().day); }

class RosterServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "roster_id",
                                                   tokens_, IdentityKeysEnv());
    ASSERT_TRUE(identity_->WaitUntilServing());
    const int identity_port = identity_->process().WaitForPort("grpc_port");
    identity_addr_ = absl::StrCat("127.0.0.1:", identity_port);
    server_ = std::make_unique<ServiceUnderTest>(
        "services/checkpoint/checkpoint_server", "roster", tokens_,
        std::map<std::string, std::string>{
            {"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", identity_port)},
            // The watch stays out of the way here (its own test below).
            {"FX_STAFFING_WATCH_MS", "3600000"}});
    ASSERT_TRUE(server_->WaitUntilServing());
    roster_ = RosterService::NewStub(server_->channel());
    staff_ = identity::v1::IdentityService::NewStub(identity_->channel());
    admin_ = tokens_.Mint("admin-1", {"community_admin"}, {"gongyi.dufulu"});
    identity_admin_ = tokens_.Mint("root", {"subdistrict_admin"}, {"gongyi"});
    checkpoint_id_ = MakeCheckpoint("龙海小区东门", "gongyi.dufulu.longhai");
    // Post holders are staff accounts in identity; tokens are minted with their ids.
    monitor_id_ =
        MakeAccount("monitor.a", identity::v1::STAFF_KIND_VOLUNTEER, "gongyi.dufulu.longhai");
    verifier_id_ = MakeAccount("verifier.b", identity::v1::STAFF_KIND_MUNICIPAL_STAFF,
                               "gongyi.dufulu.longhai");
    keeper_id_ =
        MakeAccount("keeper.c", identity::v1::STAFF_KIND_PARTY_MEMBER, "gongyi.dufulu.longhai");
  }

  std::string MakeCheckpoint(const std::string& name, const std::string& area) {
    return CreateCheckpoint(server_->channel(),
                            tokens_.Mint("root", {"subdistrict_admin"}, {"gongyi"}), name, {area});
  }

  // A staff account in identity; returns its id.
  std::string MakeAccount(const std::string& username, identity::v1::StaffKind kind,
                          const std::string& area) {
    identity::v1::CreateStaffAccountRequest req;
    req.set_username(username);
    req.set_display_name("张三");
    req.set_kind(kind);
    req.set_area_code(area);
    req.set_password("long enough password");
    identity::v1::StaffAccount out;
    grpc::Status st = staff_->CreateStaffAccount(CallContextWith(identity_admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.account_id();
  }

  grpc::Status SetCadre(const std::string& token, const std::string& date,
                        const std::string& account, LeadingCadre* out,
                        const std::string& checkpoint_id = "") {
    SetLeadingCadreRequest req;
    req.set_checkpoint_id(checkpoint_id.empty() ? checkpoint_id_ : checkpoint_id);
    req.set_date(date);
    req.set_account_id(account);
    return roster_->SetLeadingCadre(CallContextWith(token).get(), req, out);
  }

  grpc::Status Assign(const std::string& token, const std::string& date, int shift, Post post,
                      const std::string& account, PostAssignment* out,
                      const std::string& checkpoint_id = "") {
    AssignPostRequest req;
    req.set_checkpoint_id(checkpoint_id.empty() ? checkpoint_id_ : checkpoint_id);
    req.set_date(date);
    req.set_shift(shift);
    req.set_post(post);
    req.set_account_id(account);
    return roster_->AssignPost(CallContextWith(token).get(), req, out);
  }

  grpc::Status Unassign(const std::string& token, const std::string& date, int shift, Post post,
                        UnassignPostResponse* out) {
    UnassignPostRequest req;
    req.set_checkpoint_id(checkpoint_id_);
    req.set_date(date);
    req.set_shift(shift);
    req.set_post(post);
    return roster_->UnassignPost(CallContextWith(token).get(), req, out);
  }

  grpc::Status GetRoster(const std::string& token, const std::string& date, Roster* out) {
    GetRosterRequest req;
    req.set_checkpoint_id(checkpoint_id_);
    req.set_date(date);
    return roster_->GetRoster(CallContextWith(token).get(), req, out);
  }

  grpc::Status Clock(const std::string& token, bool in, PostAssignment* out) {
    if (in) {
      ClockInRequest req;
      req.set_checkpoint_id(checkpoint_id_);
      return roster_->ClockIn(CallContextWith(token).get(), req, out);
    }
    ClockOutRequest req;
    req.set_checkpoint_id(checkpoint_id_);
    return roster_->ClockOut(CallContextWith(token).get(), req, out);
  }

  grpc::Status Coverage(const std::string& token, checkpoint::v1::Coverage* out) {
    GetCoverageRequest req;
    req.set_checkpoint_id(checkpoint_id_);
    return roster_->GetCoverage(CallContextWith(token).get(), req, out);
  }

  std::string PostToken(const std::string& subject, const std::string& role) {
    return tokens_.Mint(subject, {role}, {"gongyi.dufulu.longhai"});
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<RosterService::Stub> roster_;
  std::unique_ptr<identity::v1::IdentityService::Stub> staff_;
  std::string admin_;
  std::string identity_admin_;
  std::string checkpoint_id_;
  std::string identity_addr_;  // host:port of identity_
  std::string monitor_id_;
  std::string verifier_id_;
  std::string keeper_id_;
};

TEST_F(RosterServerTest, TheLeadingCadreMustBeAnEnabledCadreAccountInIdentity) {
  const std::string cadre =
      MakeAccount("cadre.wang", identity::v1::STAFF_KIND_CADRE, "gongyi.dufulu.longhai");
  LeadingCadre out;
  grpc::Status st = SetCadre(admin_, Today(), cadre, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.account_id(), cadre);
  EXPECT_EQ(out.date(), Today());
  EXPECT_EQ(out.assigned_by(), "admin-1");
  // Naming another cadre for the day replaces the first.
  const std::string cadre2 =
      MakeAccount("cadre.li", identity::v1::STAFF_KIND_CADRE, "gongyi.dufulu.longhai");
  ASSERT_TRUE(SetCadre(admin_, Today(), cadre2, &out).ok());
  Roster roster;
  ASSERT_TRUE(GetRoster(admin_, Today(), &roster).ok());
  EXPECT_EQ(roster.leading_cadre().account_id(), cadre2);
  EXPECT_EQ(server_->Count("checkpoint.duty_days"), "1");

  const std::string volunteer =
      MakeAccount("vol.zhao", identity::v1::STAFF_KIND_VOLUNTEER, "gongyi.dufulu.longhai");
  st = SetCadre(admin_, Today(), volunteer, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("not a cadre"), std::string::npos) << st.error_message();

  identity::v1::SetStaffAccountDisabledRequest disable;
  disable.set_account_id(cadre);
  disable.set_disabled(true);
  identity::v1::StaffAccount disabled;
  ASSERT_TRUE(
      staff_->SetStaffAccountDisabled(CallContextWith(identity_admin_).get(), disable, &disabled)
          .ok());
  EXPECT_EQ(SetCadre(admin_, Today(), cadre, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Unknown to identity, or outside the caller's scope there: NOT_FOUND.
  EXPECT_EQ(SetCadre(admin_, Today(), kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string elsewhere =
      MakeAccount("cadre.far", identity::v1::STAFF_KIND_CADRE, "gongyi.xinhua");
  EXPECT_EQ(SetCadre(admin_, Today(), elsewhere, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(GetRoster(admin_, Today(), &roster).ok());
  EXPECT_EQ(roster.leading_cadre().account_id(), cadre2);  // unchanged by the refusals
}

TEST_F(RosterServerTest, CadreRequestsAreValidatedAndScoped) {
  const std::string cadre =
      MakeAccount("cadre.wang", identity::v1::STAFF_KIND_CADRE, "gongyi.dufulu.longhai");
  LeadingCadre out;
  const absl::CivilDay today = SlotNow().day;
  EXPECT_TRUE(IsInvalidNaming(SetCadre(admin_, "2026-02-30", cadre, &out), "date"));
  EXPECT_TRUE(IsInvalidNaming(SetCadre(admin_, common::IsoDate(today - 2), cadre, &out), "date"));
  EXPECT_TRUE(IsInvalidNaming(SetCadre(admin_, common::IsoDate(today + 61), cadre, &out), "date"));
  EXPECT_TRUE(SetCadre(admin_, common::IsoDate(today + 60), cadre, &out).ok());
  EXPECT_TRUE(SetCadre(admin_, common::IsoDate(today - 1), cadre, &out).ok());
  EXPECT_TRUE(IsInvalidNaming(SetCadre(admin_, Today(), "someone", &out), "account_id"));
  EXPECT_TRUE(IsInvalidNaming(SetCadre(admin_, Today(), cadre, &out, "nope"), "checkpoint_id"));
  EXPECT_EQ(SetCadre(admin_, Today(), cadre, &out, kUnknownId).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string other = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(SetCadre(other, Today(), cadre, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string leader = PostToken("l", "shift_leader");
  EXPECT_EQ(SetCadre(leader, Today(), cadre, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("checkpoint.duty_days"), "2");
}

TEST_F(RosterServerTest, PostsHaveOneHolderAndPeopleOnePost) {
  const std::string date = common::IsoDate(SlotNow().day + 1);
  PostAssignment a;
  grpc::Status st = Assign(admin_, date, 2, POST_CODE_VERIFIER, verifier_id_, &a);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(a.post(), POST_CODE_VERIFIER);
  EXPECT_EQ(a.shift(), 2);
  EXPECT_EQ(a.date(), date);
  EXPECT_EQ(a.assigned_by(), "admin-1");
  EXPECT_FALSE(a.has_clock_in_time());
  // The same again changes nothing.
  PostAssignment again;
  ASSERT_TRUE(Assign(admin_, date, 2, POST_CODE_VERIFIER, verifier_id_, &again).ok());
  EXPECT_EQ(again.assignment_id(), a.assignment_id());

  // The same person on a second post of the shift, here or at another checkpoint.
  st = Assign(admin_, date, 2, POST_ORDER_KEEPER, verifier_id_, &a);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find("one post at a time"), std::string::npos);
  const std::string other_gate = MakeCheckpoint("龙海小区西门", "gongyi.dufulu.longhai");
  st = Assign(admin_, date, 2, POST_ORDER_KEEPER, verifier_id_, &a, other_gate);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find("another checkpoint"), std::string::npos);
  // Another shift of the day is fine.
  EXPECT_TRUE(Assign(admin_, date, 3, POST_ORDER_KEEPER, verifier_id_, &a, other_gate).ok());

  // Reassigning the post replaces its holder (not clocked in).
  ASSERT_TRUE(Assign(admin_, date, 2, POST_CODE_VERIFIER, keeper_id_, &a).ok());
  Roster roster;
  ASSERT_TRUE(GetRoster(admin_, date, &roster).ok());
  ASSERT_EQ(roster.assignments_size(), 1);
  EXPECT_EQ(roster.assignments(0).account_id(), keeper_id_);
  ASSERT_EQ(roster.shifts_size(), 3);
  EXPECT_EQ(roster.shifts(1).shift(), 2);
  EXPECT_EQ(roster.shifts(1).end_time().seconds() - roster.shifts(1).start_time().seconds(),
            8 * 3600);

  UnassignPostResponse removed;
  ASSERT_TRUE(Unassign(admin_, date, 2, POST_CODE_VERIFIER, &removed).ok());
  EXPECT_EQ(removed.removed().account_id(), keeper_id_);
  EXPECT_EQ(Unassign(admin_, date, 2, POST_CODE_VERIFIER, &removed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("checkpoint.post_assignments"), "1");  // the other gate's
}

TEST_F(RosterServerTest, AssignmentsAreValidatedAndScoped) {
  const std::string date = common::IsoDate(SlotNow().day + 1);
  PostAssignment a;
  EXPECT_TRUE(
      IsInvalidNaming(Assign(admin_, date, 0, POST_CODE_VERIFIER, verifier_id_, &a), "shift"));
  EXPECT_TRUE(
      IsInvalidNaming(Assign(admin_, date, 4, POST_CODE_VERIFIER, verifier_id_, &a), "shift"));
  EXPECT_TRUE(IsInvalidNaming(Assign(admin_, date, 1, POST_UNSPECIFIED, verifier_id_, &a), "post"));
  EXPECT_TRUE(
      IsInvalidNaming(Assign(admin_, date, 1, static_cast<Post>(9), verifier_id_, &a), "post"));
  EXPECT_TRUE(
      IsInvalidNaming(Assign(admin_, date, 1, POST_CODE_VERIFIER, "bob", &a), "account_id"));
  EXPECT_TRUE(IsInvalidNaming(Assign(admin_, "2020-01-01", 1, POST_CODE_VERIFIER, verifier_id_, &a),
                              "date"));
  EXPECT_EQ(Assign(admin_, date, 1, POST_CODE_VERIFIER, verifier_id_, &a, kUnknownId).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Another community's admin finds no such checkpoint; shift leaders and post roles
  // cannot assign (identity shows staff accounts only to admins).
  const std::string other_admin = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(Assign(other_admin, date, 1, POST_CODE_VERIFIER, verifier_id_, &a).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      Assign(PostToken("leader-1", "shift_leader"), date, 1, POST_CODE_VERIFIER, verifier_id_, &a)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Assign(PostToken(monitor_id_, "temperature_monitor"), date, 1, POST_CODE_VERIFIER,
                   verifier_id_, &a)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The account must be a staff account identity knows, enabled, of a person.
  grpc::Status st = Assign(admin_, date, 1, POST_CODE_VERIFIER, kUnknownId, &a);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("account_id"), std::string::npos) << st.error_message();
  identity::v1::SetStaffAccountDisabledRequest disable;
  disable.set_account_id(keeper_id_);
  disable.set_disabled(true);
  identity::v1::StaffAccount disabled;
  ASSERT_TRUE(
      staff_->SetStaffAccountDisabled(CallContextWith(identity_admin_).get(), disable, &disabled)
          .ok());
  st = Assign(admin_, date, 1, POST_CODE_VERIFIER, keeper_id_, &a);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("disabled"), std::string::npos) << st.error_message();
  Roster roster;
  const grpc::Status outside = GetRoster(other_admin, date, &roster);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND);
  GetRosterRequest missing;
  missing.set_checkpoint_id(kUnknownId);
  missing.set_date(date);
  EXPECT_EQ(outside.error_message(),
            roster_->GetRoster(CallContextWith(admin_).get(), missing, &roster).error_message());
  EXPECT_TRUE(IsInvalidNaming(GetRoster(admin_, "30-11-2026", &roster), "date"));
  EXPECT_EQ(server_->Count("checkpoint.post_assignments"), "0");
}

// The roster of a consolidated checkpoint is the whole checkpoint's: an admin of one of
// its compounds reads it but may not change it; an admin of every compound may.
TEST_F(RosterServerTest, AConsolidatedCheckpointsRosterNeedsEveryArea) {
  const std::string consolidated =
      CreateCheckpoint(server_->channel(), identity_admin_, "益民街综合卡点",
                       {"gongyi.dufulu.longhai", "gongyi.dufulu.yimin"});
  ASSERT_FALSE(consolidated.empty());
  const std::string date = common::IsoDate(SlotNow().day + 1);
  const std::string half = tokens_.Mint("h", {"community_admin"}, {"gongyi.dufulu.longhai"});
  const std::string cadre =
      MakeAccount("cadre.wang", identity::v1::STAFF_KIND_CADRE, "gongyi.dufulu.longhai");
  LeadingCadre lead;
  grpc::Status st = SetCadre(half, date, cadre, &lead, consolidated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  PostAssignment a;
  EXPECT_EQ(Assign(half, date, 1, POST_CODE_VERIFIER, verifier_id_, &a, consolidated).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("checkpoint.post_assignments"), "0");
  EXPECT_EQ(server_->Count("checkpoint.duty_days"), "0");
  GetRosterRequest read;
  read.set_checkpoint_id(consolidated);
  read.set_date(date);
  Roster roster;
  EXPECT_TRUE(roster_->GetRoster(CallContextWith(half).get(), read, &roster).ok());

  // admin_ covers gongyi.dufulu, so both compounds.
  st = Assign(admin_, date, 1, POST_CODE_VERIFIER, verifier_id_, &a, consolidated);
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = SetCadre(admin_, date, cadre, &lead, consolidated);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

TEST_F(RosterServerTest, StaffClockInAndOutOfTheirPostAndCoverageFollows) {
  if (NearShiftChange()) GTEST_SKIP() << "within 2 minutes of a shift change";
  const checkpoint::ShiftPattern::Slot slot = SlotNow();
  const std::string today = common::IsoDate(slot.day);
  const std::string monitor = PostToken(monitor_id_, "temperature_monitor");
  const std::string verifier = PostToken(verifier_id_, "code_verifier");

  checkpoint::v1::Coverage cov;
  ASSERT_TRUE(Coverage(monitor, &cov).ok());
  EXPECT_EQ(cov.date(), today);
  EXPECT_EQ(cov.shift().shift(), slot.shift);
  EXPECT_EQ(cov.unstaffed_posts_size(), 4);
  EXPECT_FALSE(cov.leading_cadre_set());
  for (const auto& p : cov.posts()) EXPECT_EQ(p.state(), POST_STATE_UNASSIGNED);

  // Nothing assigned: no clocking in.
  PostAssignment a;
  grpc::Status st = Clock(monitor, true, &a);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("no post"), std::string::npos);

  ASSERT_TRUE(Assign(admin_, today, slot.shift, POST_TEMPERATURE_MONITOR, monitor_id_, &a).ok());
  ASSERT_TRUE(Assign(admin_, today, slot.shift, POST_CODE_VERIFIER, verifier_id_, &a).ok());
  EXPECT_EQ(Clock(monitor, false, &a).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  st = Clock(monitor, true, &a);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(a.has_clock_in_time());
  EXPECT_EQ(a.post(), POST_TEMPERATURE_MONITOR);
  // Clocking in again is idempotent: the first time stays.
  PostAssignment again;
  ASSERT_TRUE(Clock(monitor, true, &again).ok());
  EXPECT_EQ(again.clock_in_time().SerializeAsString(), a.clock_in_time().SerializeAsString());

  // A clocked-in holder can be neither replaced nor removed.
  EXPECT_EQ(
      Assign(admin_, today, slot.shift, POST_TEMPERATURE_MONITOR, keeper_id_, &again).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  UnassignPostResponse removed;
  EXPECT_EQ(Unassign(admin_, today, slot.shift, POST_TEMPERATURE_MONITOR, &removed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(Coverage(admin_, &cov).ok());
  EXPECT_EQ(cov.posts(0).state(), POST_STATE_ON_DUTY);
  EXPECT_EQ(cov.posts(0).account_id(), monitor_id_);
  EXPECT_EQ(cov.posts(1).state(), POST_STATE_ASSIGNED_NOT_CLOCKED_IN);
  EXPECT_EQ(cov.posts(2).state(), POST_STATE_UNASSIGNED);
  ASSERT_EQ(cov.unstaffed_posts_size(), 3);
  EXPECT_EQ(cov.unstaffed_posts(0), POST_CODE_VERIFIER);

  ASSERT_TRUE(Clock(verifier, true, &a).ok());
  ASSERT_TRUE(Clock(monitor, false, &a).ok());
  EXPECT_TRUE(a.has_clock_out_time());
  ASSERT_TRUE(Clock(monitor, false, &again).ok());  // idempotent
  EXPECT_EQ(again.clock_out_time().SerializeAsString(), a.clock_out_time().SerializeAsString());
  EXPECT_EQ(Clock(monitor, true, &a).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  const std::string cadre =
      MakeAccount("cadre.wang", identity::v1::STAFF_KIND_CADRE, "gongyi.dufulu.longhai");
  LeadingCadre lead;
  ASSERT_TRUE(SetCadre(admin_, today, cadre, &lead).ok());
  const std::string inspector = tokens_.Mint("i", {"inspector"}, {"gongyi"});
  ASSERT_TRUE(Coverage(inspector, &cov).ok());
  EXPECT_EQ(cov.posts(0).state(), POST_STATE_CLOCKED_OUT);
  EXPECT_EQ(cov.posts(1).state(), POST_STATE_ON_DUTY);
  EXPECT_TRUE(cov.leading_cadre_set());
  EXPECT_EQ(cov.leading_cadre_account_id(), cadre);
  std::set<int> unstaffed(cov.unstaffed_posts().begin(), cov.unstaffed_posts().end());
  EXPECT_EQ(unstaffed,
            (std::set<int>{POST_TEMPERATURE_MONITOR, POST_ORDER_KEEPER, POST_INFO_REGISTRAR}));

  // The record of duty in the roster, with clock times.
  Roster roster;
  ASSERT_TRUE(GetRoster(verifier, today, &roster).ok());
  ASSERT_EQ(roster.assignments_size(), 2);
  EXPECT_TRUE(roster.assignments(0).has_clock_out_time());
  EXPECT_TRUE(roster.assignments(1).has_clock_in_time());
  EXPECT_EQ(roster.leading_cadre().account_id(), cadre);

  // Scope and roles: staff elsewhere, a volunteer.
  const std::string elsewhere = tokens_.Mint(verifier_id_, {"code_verifier"}, {"gongyi.xinhua"});
  EXPECT_EQ(Clock(elsewhere, false, &a).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Coverage(elsewhere, &cov).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Clock(PostToken(verifier_id_, "volunteer"), false, &a).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ClockInRequest bad;
  bad.set_checkpoint_id("x");
  EXPECT_TRUE(
      IsInvalidNaming(roster_->ClockIn(CallContextWith(verifier).get(), bad, &a), "checkpoint_id"));
}

TEST(RosterIdentityDownTest, AnUnreachableIdentityIsUnavailable) {
  TestTokens tokens;
  ServiceUnderTest server("services/checkpoint/checkpoint_server", "roster_down", tokens,
                          {{"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", FreePort())}});
  ASSERT_TRUE(server.WaitUntilServing());
  const std::string admin = tokens.Mint("a", {"community_admin"}, {"gongyi.dufulu"});
  const std::string checkpoint_id =
      CreateCheckpoint(server.channel(), admin, "东门", {"gongyi.dufulu.longhai"});
  ASSERT_FALSE(checkpoint_id.empty());
  SetLeadingCadreRequest req;
  req.set_checkpoint_id(checkpoint_id);
  req.set_date(Today());
  req.set_account_id(kUnknownId);
  LeadingCadre out;
  grpc::Status st = RosterService::NewStub(server.channel())
                        ->SetLeadingCadre(CallContextWith(admin).get(), req, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_EQ(server.Count("checkpoint.duty_days"), "0");
}

// The watch's core with injected times, on the service's own (migrated) database: a
// historical shift, so nothing the running server does interferes.
TEST(StaffingWatchTest, RaisesOneAlertPerUnstaffedPostOfOpenCheckpointsAfterTheGrace) {
  TestTokens tokens;
  ServiceUnderTest server("services/checkpoint/checkpoint_server", "watch_core", tokens,
                          {{"FX_STAFFING_WATCH_MS", "3600000"}});
  ASSERT_TRUE(server.WaitUntilServing());
  // Migrated; now stop it, so its own watch and outbox relay leave the tables alone.
  server.process().Terminate();
  const std::vector<std::string> ids = server.Query(
      "INSERT INTO checkpoint.checkpoints (name, kind, created_by, open) VALUES "
      "('open gate', 1, 't', true), ('closed gate', 1, 't', false) RETURNING checkpoint_id");
  ASSERT_EQ(ids.size(), 2u);
  const std::string open_id = ids[0];
  server.Query("INSERT INTO checkpoint.checkpoint_areas VALUES ('" + open_id +
               "', 'gongyi.dufulu.longhai'), ('" + ids[1] + "', 'gongyi.dufulu.yimin')");
  // 2026-03-05, shift 2 (08:00-16:00 China time): the monitor is on duty, the verifier
  // clocked out, the keeper never clocked in; shift 1's registrar does not count.
  server.Query(
      "INSERT INTO checkpoint.post_assignments (checkpoint_id, duty_date, shift, post, "
      "account_id, assigned_by, clock_in_at, clock_out_at) VALUES "
      "('" +
      open_id +
      "', '2026-03-05', 2, 1, 'm', 't', now(), NULL), "
      "('" +
      open_id +
      "', '2026-03-05', 2, 2, 'v', 't', now(), now()), "
      "('" +
      open_id +
      "', '2026-03-05', 2, 3, 'k', 't', NULL, NULL), "
      "('" +
      open_id + "', '2026-03-05', 1, 4, 'r', 't', now(), NULL)");

  common::PgPool::Options options;
  options.dsn = server.dsn();
  common::PgPool pool(options);
  const checkpoint::ShiftPattern shifts =
      *checkpoint::ShiftPattern::Parse(checkpoint::kDefaultShiftPattern);
  checkpoint::StaffingWatch watch(
      pool, shifts, {absl::Hours(1), absl::Minutes(15)}, [] { return true; },
      [] { return absl::Now(); });
  auto china = [](int h, int m) {
    return absl::FromCivil(absl::CivilSecond(2026, 3, 5, h, m, 0), checkpoint::ChinaTimeZone());
  };
  absl::StatusOr<int> raised = watch.RunOnce(china(8, 14));  // within the grace
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(*raised, 0);
  raised = watch.RunOnce(china(8, 15));
  ASSERT_TRUE(raised.ok()) << raised.status();
  EXPECT_EQ(*raised, 3);  // verifier, keeper, registrar; never the closed checkpoint
  EXPECT_EQ(server.Query("SELECT string_agg(dedupe_key, ' ' ORDER BY dedupe_key) FROM "
                         "checkpoint.alerts WHERE kind = 5")[0],
            "unstaffed:" + open_id + ":2026-03-05:2:2 unstaffed:" + open_id +
                ":2026-03-05:2:3 unstaffed:" + open_id + ":2026-03-05:2:4");
  EXPECT_EQ(
      server.Query("SELECT DISTINCT array_to_string(area_codes, ',') FROM checkpoint.alerts")[0],
      "gongyi.dufulu.longhai");
  EXPECT_EQ(server.Query("SELECT count(*) FROM checkpoint.outbox WHERE event_type = "
                         "'checkpoint.alert.post_unstaffed'")[0],
            "3");
  // Found unstaffed again later in the shift: nothing new.
  raised = watch.RunOnce(china(15, 59));
  ASSERT_TRUE(raised.ok());
  EXPECT_EQ(*raised, 0);
  EXPECT_EQ(server.Query("SELECT count(*) FROM checkpoint.alerts")[0], "3");
}

// End to end: the server's own watch thread, a short interval and no grace.
TEST_F(RosterServerTest, TheRunningWatchAlertsUnstaffedPostsOfOpenCheckpoints) {
  if (NearShiftChange()) GTEST_SKIP() << "within 2 minutes of a shift change";
  ServiceUnderTest watched("services/checkpoint/checkpoint_server", "watch_e2e", tokens_,
                           {{"FX_STAFFING_WATCH_MS", "50"},
                            {"FX_UNSTAFFED_GRACE_S", "0"},
                            {"FX_IDENTITY_ADDR", identity_addr_}});
  ASSERT_TRUE(watched.WaitUntilServing());
  // Closed while its roster is set up, so the watch cannot see it half staffed.
  const std::string id = watched.Query(
      "INSERT INTO checkpoint.checkpoints (name, kind, created_by, open) VALUES "
      "('东门', 1, 't', false) RETURNING checkpoint_id")[0];
  watched.Query("INSERT INTO checkpoint.checkpoint_areas VALUES ('" + id +
                "', 'gongyi.dufulu.longhai')");
  auto roster = RosterService::NewStub(watched.channel());
  const checkpoint::ShiftPattern::Slot slot = SlotNow();
  AssignPostRequest assign;
  assign.set_checkpoint_id(id);
  assign.set_date(common::IsoDate(slot.day));
  assign.set_shift(slot.shift);
  assign.set_post(POST_TEMPERATURE_MONITOR);
  assign.set_account_id(monitor_id_);
  PostAssignment a;
  ASSERT_TRUE(roster->AssignPost(CallContextWith(admin_).get(), assign, &a).ok());
  ClockInRequest in;
  in.set_checkpoint_id(id);
  ASSERT_TRUE(
      roster->ClockIn(CallContextWith(PostToken(monitor_id_, "temperature_monitor")).get(), in, &a)
          .ok());
  // Nothing for a closed checkpoint, however many rounds pass.
  EXPECT_EQ(watched.Count("checkpoint.alerts"), "0");
  SetCheckpointOpenRequest open;
  open.set_checkpoint_id(id);
  open.set_open(true);
  Checkpoint c;
  ASSERT_TRUE(CheckpointService::NewStub(watched.channel())
                  ->SetCheckpointOpen(CallContextWith(admin_).get(), open, &c)
                  .ok());

  const std::string prefix =
      "unstaffed:" + id + ":" + common::IsoDate(slot.day) + ":" + std::to_string(slot.shift);
  std::string keys;
  Eventually(
      [&] {
        keys = watched.Query(
            "SELECT coalesce(string_agg(dedupe_key, ' ' ORDER BY dedupe_key), '') FROM "
            "checkpoint.alerts WHERE kind = 5")[0];
        return std::count(keys.begin(), keys.end(), ' ') == 2;
      },
      std::chrono::seconds(10));
  EXPECT_EQ(keys, prefix + ":2 " + prefix + ":3 " + prefix + ":4");
  EXPECT_EQ(watched.Query("SELECT DISTINCT array_to_string(area_codes, ',') FROM "
                          "checkpoint.alerts")[0],
            "gongyi.dufulu.longhai");
}

}  // namespace
}  // namespace fangxian::testing
