// Black-box tests of IsolationService: the real quarantine_server and the real
// identity_server (households and their members) on scratch databases, called over gRPC;
// pass colours are read back through GetPassStatus.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "fangxian/quarantine/v1/isolation.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using namespace quarantine::v1;  // NOLINT: the test reads better with the message names
namespace idv1 = identity::v1;
using google::protobuf::util::TimeUtil;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kXinyuan[] = "gongyi.dufulu.yimin.xinyuan";
constexpr char kNoSuchId[] = "00000000-0000-4000-8000-000000000000";

// The China day `days` from today, as YYYY-MM-DD.
std::string Day(int days) { return common::IsoDate(common::ChinaToday(absl::Now()) + days); }

class QuarantineIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server",
                                                   "iso_identity", tokens_, IdentityKeysEnv());
    ASSERT_TRUE(identity_->WaitUntilServing());
    const int identity_port = identity_->process().WaitForPort("grpc_port");
    quarantine_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "iso_quarantine", tokens_,
        std::map<std::string, std::string>{
            {"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", identity_port)}});
    ASSERT_TRUE(quarantine_->WaitUntilServing());
    orders_ = IsolationService::NewStub(quarantine_->channel());
    passes_ = QuarantineService::NewStub(quarantine_->channel());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    officer_ = tokens_.Mint("officer-1", {"community_admin"}, {kLonghai});
    grid_ = tokens_.Mint("grid-1", {"grid_worker"}, {kJingyuan});
    far_grid_ = tokens_.Mint("grid-2", {"grid_worker"}, {kYimin});
    far_officer_ = tokens_.Mint("officer-2", {"community_admin"}, {kYimin});
    auditor_ = tokens_.Mint("audit-1", {"auditor"}, {kLonghai});
    MakeArea("gongyi", "dufulu", idv1::AREA_LEVEL_SUBDISTRICT);
    MakeArea("gongyi.dufulu", "longhai", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kLonghai, "jingyuan", idv1::AREA_LEVEL_COMPOUND);
    MakeArea("gongyi.dufulu", "yimin", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kYimin, "xinyuan", idv1::AREA_LEVEL_COMPOUND);
  }

  void MakeArea(const std::string& parent, const std::string& code, idv1::AreaLevel level) {
    auto stub = idv1::AreaService::NewStub(identity_->channel());
    idv1::CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    idv1::Area out;
    grpc::Status st = stub->CreateArea(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << code << ": " << st.error_message();
  }

  std::string Resident(const std::string& name, const std::string& area) {
    auto stub = idv1::IdentityService::NewStub(identity_->channel());
    const std::string first17 = "41018119900307" + std::to_string(100 + next_resident_++);
    idv1::CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code(area);
    idv1::Resident out;
    grpc::Status st = stub->CreateResident(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.resident_id();
  }

  struct Home {
    std::string household_id;
    std::vector<std::string> members;  // head first
  };
  // A household in `area` with a head and one more member.
  Home MakeHousehold(const std::string& area) {
    auto stub = idv1::HouseholdService::NewStub(identity_->channel());
    Home home;
    home.members.push_back(Resident("户主", area));
    home.members.push_back(Resident("家属", area));
    idv1::CreateHouseholdRequest h;
    h.set_area_code(area);
    h.set_room("3单元502");
    h.set_head_resident_id(home.members[0]);
    idv1::Household out;
    grpc::Status st = stub->CreateHousehold(CallContextWith(admin_).get(), h, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    home.household_id = out.household_id();
    idv1::AddHouseholdMemberRequest add;
    add.set_household_id(home.household_id);
    add.set_resident_id(home.members[1]);
    st = stub->AddHouseholdMember(CallContextWith(admin_).get(), add, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return home;
  }

  // A token as identity issues it to a signed-in resident.
  std::string ResidentToken(const std::string& resident_id) {
    auth::v1::TokenClaims claims;
    claims.set_sub(resident_id);
    claims.set_aud("fangxian");
    claims.set_kind("resident");
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    claims.set_iat(now);
    claims.set_exp(now + 600);
    auto* g = claims.add_grants();
    g->set_role("resident");
    g->set_area(kJingyuan);
    return tokens_.signer().Sign(claims);
  }

  static CreateIsolationOrderRequest NewOrder(const std::string& household_id,
                                              const std::string& start_date) {
    CreateIsolationOrderRequest req;
    req.set_household_id(household_id);
    req.set_start_date(start_date);
    req.set_reason("从中风险地区返回");
    return req;
  }

  grpc::Status Create(const std::string& token, const CreateIsolationOrderRequest& req,
                      IsolationOrder* out) {
    return orders_->CreateIsolationOrder(CallContextWith(token).get(), req, out);
  }
  IsolationOrder MustCreate(const std::string& household_id, const std::string& start_date,
                            int period_days = 0) {
    CreateIsolationOrderRequest req = NewOrder(household_id, start_date);
    req.set_period_days(period_days);
    IsolationOrder out;
    grpc::Status st = Create(grid_, req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }
  grpc::Status Get(const std::string& token, const std::string& order_id, IsolationOrder* out) {
    GetIsolationOrderRequest req;
    req.set_order_id(order_id);
    return orders_->GetIsolationOrder(CallContextWith(token).get(), req, out);
  }
  grpc::Status Change(const std::string& token, const ChangeIsolationPeriodRequest& req,
                      IsolationOrder* out) {
    return orders_->ChangeIsolationPeriod(CallContextWith(token).get(), req, out);
  }
  static ChangeIsolationPeriodRequest ByDays(const std::string& order_id, int days) {
    ChangeIsolationPeriodRequest req;
    req.set_order_id(order_id);
    req.set_period_days(days);
    req.set_reason("密接者核酸阳性，延长隔离");
    return req;
  }
  grpc::Status Release(const std::string& token, const std::string& order_id, IsolationOrder* out,
                       const std::string& reason = "期满，核酸阴性") {
    ReleaseIsolationOrderRequest req;
    req.set_order_id(order_id);
    req.set_reason(reason);
    return orders_->ReleaseIsolationOrder(CallContextWith(token).get(), req, out);
  }
  PassColour Colour(const std::string& resident_id, std::vector<std::string>* codes = nullptr) {
    GetPassStatusRequest req;
    req.set_resident_id(resident_id);
    PassStatus out;
    grpc::Status st = passes_->GetPassStatus(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (codes != nullptr) {
      for (const PassReason& r : out.reasons()) codes->push_back(r.code());
    }
    return out.colour();
  }
  std::vector<std::string> Ids(const ListIsolationOrdersResponse& r) {
    std::vector<std::string> ids;
    for (const IsolationOrder& o : r.orders()) ids.push_back(o.order_id());
    return ids;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> quarantine_;
  std::unique_ptr<IsolationService::Stub> orders_;
  std::unique_ptr<QuarantineService::Stub> passes_;
  std::string admin_, officer_, grid_, far_grid_, far_officer_, auditor_;
  int next_resident_ = 0;
};

TEST_F(QuarantineIsolationTest, CreateTurnsMembersRedAndReleaseTurnsThemGreen) {
  const Home home = MakeHousehold(kJingyuan);
  for (const std::string& m : home.members) EXPECT_EQ(Colour(m), PASS_COLOUR_GREEN);
  IsolationOrder order = MustCreate(home.household_id, Day(0));
  EXPECT_EQ(order.area_code(), kJingyuan);
  EXPECT_EQ(order.start_date(), Day(0));
  EXPECT_EQ(order.period_days(), 14);  // FX_ISOLATION_DEFAULT_DAYS
  EXPECT_EQ(order.end_date(), Day(14));
  EXPECT_EQ(order.checkins_per_day(), 2);  // FX_CHECKINS_PER_DAY
  EXPECT_EQ(order.state(), ISOLATION_ORDER_STATE_ACTIVE);
  EXPECT_EQ(order.created_by(), "grid-1");
  ASSERT_EQ(order.members_size(), 2);
  for (const std::string& m : home.members) {
    std::vector<std::string> codes;
    EXPECT_EQ(Colour(m, &codes), PASS_COLOUR_RED);
    EXPECT_EQ(codes, std::vector<std::string>{"isolation_order"});
  }

  IsolationOrder released;
  ASSERT_TRUE(Release(officer_, order.order_id(), &released).ok());
  EXPECT_EQ(released.state(), ISOLATION_ORDER_STATE_RELEASED);
  EXPECT_EQ(released.released_by(), "officer-1");
  EXPECT_EQ(released.release_reason(), "期满，核酸阴性");
  EXPECT_TRUE(released.has_release_time());
  for (const std::string& m : home.members) EXPECT_EQ(Colour(m), PASS_COLOUR_GREEN);

  // Released once only, and a released order's period is fixed.
  IsolationOrder again;
  EXPECT_EQ(Release(officer_, order.order_id(), &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Change(grid_, ByDays(order.order_id(), 21), &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A new order for the household is possible once the last one is released.
  IsolationOrder second = MustCreate(home.household_id, Day(0));
  EXPECT_NE(second.order_id(), order.order_id());
  EXPECT_EQ(Colour(home.members[1]), PASS_COLOUR_RED);
}

TEST_F(QuarantineIsolationTest, ScheduledOrderIsNotRedBeforeItStarts) {
  const Home home = MakeHousehold(kJingyuan);
  IsolationOrder order = MustCreate(home.household_id, Day(2), 10);
  EXPECT_EQ(order.state(), ISOLATION_ORDER_STATE_SCHEDULED);
  EXPECT_EQ(order.end_date(), Day(12));
  EXPECT_EQ(Colour(home.members[0]), PASS_COLOUR_GREEN);
  // Released before it starts: cancelled.
  IsolationOrder released;
  ASSERT_TRUE(Release(admin_, order.order_id(), &released).ok());
  EXPECT_EQ(released.state(), ISOLATION_ORDER_STATE_RELEASED);
}

TEST_F(QuarantineIsolationTest, ExtendAndShortenAreRecorded) {
  const Home home = MakeHousehold(kJingyuan);
  const IsolationOrder order = MustCreate(home.household_id, Day(-2));
  IsolationOrder changed;
  ASSERT_TRUE(Change(grid_, ByDays(order.order_id(), 21), &changed).ok());
  EXPECT_EQ(changed.period_days(), 21);
  EXPECT_EQ(changed.end_date(), Day(19));
  ASSERT_EQ(changed.changes_size(), 1);
  EXPECT_EQ(changed.changes(0).old_period_days(), 14);
  EXPECT_EQ(changed.changes(0).new_period_days(), 21);
  EXPECT_EQ(changed.changes(0).new_end_date(), Day(19));
  EXPECT_EQ(changed.changes(0).changed_by(), "grid-1");
  EXPECT_EQ(changed.changes(0).reason(), "密接者核酸阳性，延长隔离");

  ChangeIsolationPeriodRequest shorten;
  shorten.set_order_id(order.order_id());
  shorten.set_end_date(Day(5));
  shorten.set_reason("复核为一般接触");
  ASSERT_TRUE(Change(officer_, shorten, &changed).ok());
  EXPECT_EQ(changed.period_days(), 7);
  EXPECT_EQ(changed.end_date(), Day(5));
  ASSERT_EQ(changed.changes_size(), 2);
  EXPECT_EQ(changed.changes(1).old_period_days(), 21);
  EXPECT_EQ(changed.changes(1).new_period_days(), 7);

  // The same period again changes nothing and records nothing.
  ASSERT_TRUE(Change(grid_, ByDays(order.order_id(), 7), &changed).ok());
  EXPECT_EQ(changed.changes_size(), 2);
  // Shortened into the past: due for release, still red until an officer releases it.
  ASSERT_TRUE(Change(grid_, ByDays(order.order_id(), 1), &changed).ok());
  EXPECT_EQ(changed.state(), ISOLATION_ORDER_STATE_DUE_FOR_RELEASE);
  EXPECT_EQ(Colour(home.members[0]), PASS_COLOUR_RED);

  IsolationOrder got;
  ASSERT_TRUE(Get(auditor_, order.order_id(), &got).ok());
  EXPECT_EQ(got.changes_size(), 3);
}

TEST_F(QuarantineIsolationTest, BadPeriodChangesAreRefused) {
  const Home home = MakeHousehold(kJingyuan);
  const IsolationOrder order = MustCreate(home.household_id, Day(0));
  IsolationOrder out;
  ChangeIsolationPeriodRequest req;
  req.set_order_id(order.order_id());
  req.set_reason("x");
  req.set_end_date(Day(0));  // ending on the day it starts
  EXPECT_TRUE(IsInvalidNaming(Change(grid_, req, &out), "end_date"));
  req.set_end_date(Day(-1));  // ending before starting
  EXPECT_TRUE(IsInvalidNaming(Change(grid_, req, &out), "end_date"));
  req.set_end_date(Day(61));
  EXPECT_TRUE(IsInvalidNaming(Change(grid_, req, &out), "end_date"));
  req.set_period_days(10);  // both forms
  req.set_end_date(Day(10));
  EXPECT_TRUE(IsInvalidNaming(Change(grid_, req, &out), "end_date"));
  for (int days : {-1, 61}) {
    EXPECT_TRUE(IsInvalidNaming(Change(grid_, ByDays(order.order_id(), days), &out), "period_days"))
        << days;
  }
  ChangeIsolationPeriodRequest no_reason = ByDays(order.order_id(), 20);
  no_reason.clear_reason();
  EXPECT_TRUE(IsInvalidNaming(Change(grid_, no_reason, &out), "reason"));
  EXPECT_EQ(Change(grid_, ByDays(kNoSuchId, 20), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_order_changes"), "0");
  EXPECT_EQ(quarantine_->Query("SELECT period_days FROM quarantine.isolation_orders").at(0), "14");
}

TEST_F(QuarantineIsolationTest, BadOrdersAreRefusedAndNothingIsWritten) {
  const Home home = MakeHousehold(kJingyuan);
  IsolationOrder out;
  CreateIsolationOrderRequest req = NewOrder("not-a-uuid", Day(0));
  EXPECT_TRUE(IsInvalidNaming(Create(grid_, req, &out), "household_id"));
  for (const std::string& day : {Day(-8), Day(31), std::string("2024-02-30"), std::string()}) {
    EXPECT_TRUE(
        IsInvalidNaming(Create(grid_, NewOrder(home.household_id, day), &out), "start_date"))
        << day;
  }
  req = NewOrder(home.household_id, Day(0));
  req.set_period_days(61);
  EXPECT_TRUE(IsInvalidNaming(Create(grid_, req, &out), "period_days"));
  req = NewOrder(home.household_id, Day(0));
  req.set_checkins_per_day(7);
  EXPECT_TRUE(IsInvalidNaming(Create(grid_, req, &out), "checkins_per_day"));
  req = NewOrder(home.household_id, Day(0));
  req.clear_reason();
  EXPECT_TRUE(IsInvalidNaming(Create(grid_, req, &out), "reason"));
  EXPECT_EQ(Create(grid_, NewOrder(kNoSuchId, Day(0)), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_orders"), "0");

  // The limits themselves are accepted.
  req = NewOrder(home.household_id, Day(-7));
  req.set_period_days(60);
  req.set_checkins_per_day(6);
  const IsolationOrder first = [&] {
    IsolationOrder o;
    EXPECT_TRUE(Create(grid_, req, &o).ok());
    return o;
  }();
  EXPECT_EQ(first.period_days(), 60);
  // One unreleased order per household; the message names it.
  grpc::Status dup = Create(officer_, NewOrder(home.household_id, Day(1)), &out);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(dup.error_message().find(first.order_id()), std::string::npos) << dup.error_message();
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_orders"), "1");
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_order_members"), "2");
}

TEST_F(QuarantineIsolationTest, ConcurrentCreatesForOneHouseholdMakeOneOrder) {
  const Home home = MakeHousehold(kJingyuan);
  // Several officers at once: every loser of the race gets ALREADY_EXISTS naming the
  // winner's order, never a raw database error.
  constexpr int kCallers = 6;
  std::vector<grpc::Status> results(kCallers);
  std::vector<IsolationOrder> orders(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      results[i] =
          Create(i % 2 == 0 ? grid_ : officer_, NewOrder(home.household_id, Day(0)), &orders[i]);
    });
  }
  for (std::thread& t : callers) t.join();
  std::string winner;
  for (int i = 0; i < kCallers; ++i) {
    if (results[i].ok()) {
      EXPECT_TRUE(winner.empty()) << "two orders were made";
      winner = orders[i].order_id();
    }
  }
  ASSERT_FALSE(winner.empty());
  for (const grpc::Status& st : results) {
    if (st.ok()) continue;
    EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
    EXPECT_NE(st.error_message().find(winner), std::string::npos) << st.error_message();
    EXPECT_EQ(st.error_message().find("database"), std::string::npos) << st.error_message();
  }
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_orders"), "1");
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_order_members"), "2");
}

TEST_F(QuarantineIsolationTest, RolesAndScopes) {
  const Home home = MakeHousehold(kJingyuan);
  IsolationOrder out;
  // Identity does not show the household to a grid worker of another community.
  EXPECT_EQ(Create(far_grid_, NewOrder(home.household_id, Day(0)), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Identity shows it to a shift leader, but that grant does not make isolation orders.
  const std::string mixed =
      tokens_.MintGrants("mixed-1", {{"shift_leader", kJingyuan}, {"grid_worker", kXinyuan}});
  EXPECT_EQ(Create(mixed, NewOrder(home.household_id, Day(0)), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("vol-1", {"volunteer"}, {kJingyuan});
  EXPECT_EQ(Create(volunteer, NewOrder(home.household_id, Day(0)), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(auditor_, NewOrder(home.household_id, Day(0)), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(quarantine_->Count("quarantine.isolation_orders"), "0");

  const IsolationOrder order = MustCreate(home.household_id, Day(0));
  // Reads: staff and auditors in scope, a member resident; nobody else.
  EXPECT_TRUE(Get(auditor_, order.order_id(), &out).ok());
  EXPECT_TRUE(Get(ResidentToken(home.members[1]), order.order_id(), &out).ok());
  EXPECT_EQ(out.order_id(), order.order_id());
  const Home other = MakeHousehold(kJingyuan);
  EXPECT_EQ(Get(ResidentToken(other.members[0]), order.order_id(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(far_grid_, order.order_id(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  ListIsolationOrdersRequest list;
  list.set_area_code(kJingyuan);
  ListIsolationOrdersResponse listed;
  EXPECT_EQ(orders_
                ->ListIsolationOrders(CallContextWith(ResidentToken(home.members[0])).get(), list,
                                      &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  list.set_area_code(kYimin);
  EXPECT_EQ(orders_->ListIsolationOrders(CallContextWith(grid_).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Changes: not by auditors or residents, not outside scope.
  EXPECT_EQ(Change(auditor_, ByDays(order.order_id(), 20), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Change(ResidentToken(home.members[0]), ByDays(order.order_id(), 20), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Change(far_grid_, ByDays(order.order_id(), 20), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Release: officers in scope only.
  EXPECT_EQ(Release(grid_, order.order_id(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Release(far_officer_, order.order_id(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string grid_here_officer_there =
      tokens_.MintGrants("mixed-2", {{"grid_worker", kJingyuan}, {"community_admin", kYimin}});
  EXPECT_EQ(Release(grid_here_officer_there, order.order_id(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Release(officer_, order.order_id(), &out, ""), "reason"));
  EXPECT_EQ(Colour(home.members[0]), PASS_COLOUR_RED);
  EXPECT_TRUE(Release(officer_, order.order_id(), &out).ok());
}

TEST_F(QuarantineIsolationTest, ListsByStateAndDueForRelease) {
  const IsolationOrder due = MustCreate(MakeHousehold(kJingyuan).household_id, Day(-7), 3);
  const IsolationOrder active = MustCreate(MakeHousehold(kJingyuan).household_id, Day(0), 14);
  const IsolationOrder scheduled = MustCreate(MakeHousehold(kJingyuan).household_id, Day(3), 5);
  const IsolationOrder released = MustCreate(MakeHousehold(kJingyuan).household_id, Day(-1), 10);
  IsolationOrder out;
  ASSERT_TRUE(Release(officer_, released.order_id(), &out).ok());
  EXPECT_EQ(due.state(), ISOLATION_ORDER_STATE_DUE_FOR_RELEASE);

  auto list = [&](IsolationOrderState state) {
    ListIsolationOrdersRequest req;
    req.set_area_code(kLonghai);
    req.set_state(state);
    ListIsolationOrdersResponse resp;
    grpc::Status st = orders_->ListIsolationOrders(CallContextWith(auditor_).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return Ids(resp);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list(ISOLATION_ORDER_STATE_DUE_FOR_RELEASE), V{due.order_id()});
  EXPECT_EQ(list(ISOLATION_ORDER_STATE_ACTIVE), V{active.order_id()});
  EXPECT_EQ(list(ISOLATION_ORDER_STATE_SCHEDULED), V{scheduled.order_id()});
  EXPECT_EQ(list(ISOLATION_ORDER_STATE_RELEASED), V{released.order_id()});
  // Newest first, page by page.
  std::vector<std::string> all;
  ListIsolationOrdersRequest req;
  req.set_area_code(kJingyuan);
  req.set_page_size(3);
  ListIsolationOrdersResponse page;
  ASSERT_TRUE(orders_->ListIsolationOrders(CallContextWith(grid_).get(), req, &page).ok());
  ASSERT_EQ(page.orders_size(), 3);
  ASSERT_FALSE(page.next_page_token().empty());
  for (const std::string& id : Ids(page)) all.push_back(id);
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(orders_->ListIsolationOrders(CallContextWith(grid_).get(), req, &page).ok());
  for (const std::string& id : Ids(page)) all.push_back(id);
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(all, (V{released.order_id(), scheduled.order_id(), active.order_id(), due.order_id()}));
  req.set_page_token("garbage");
  EXPECT_TRUE(IsInvalidNaming(
      orders_->ListIsolationOrders(CallContextWith(grid_).get(), req, &page), "page_token"));

  // Due for release: by today, and by a later day (earliest end first), page by page.
  ListOrdersDueForReleaseRequest due_req;
  due_req.set_area_code(kLonghai);
  ListIsolationOrdersResponse due_resp;
  ASSERT_TRUE(
      orders_->ListOrdersDueForRelease(CallContextWith(officer_).get(), due_req, &due_resp).ok());
  EXPECT_EQ(Ids(due_resp), V{due.order_id()});
  due_req.set_due_on(Day(14));
  due_req.set_page_size(1);
  std::vector<std::string> due_ids;
  do {
    ASSERT_TRUE(
        orders_->ListOrdersDueForRelease(CallContextWith(officer_).get(), due_req, &due_resp).ok());
    for (const std::string& id : Ids(due_resp)) due_ids.push_back(id);
    due_req.set_page_token(due_resp.next_page_token());
  } while (!due_resp.next_page_token().empty());
  EXPECT_EQ(due_ids, (V{due.order_id(), scheduled.order_id(), active.order_id()}));
  due_req.set_due_on("2024-13-01");
  EXPECT_TRUE(IsInvalidNaming(
      orders_->ListOrdersDueForRelease(CallContextWith(officer_).get(), due_req, &due_resp),
      "due_on"));
  due_req.clear_due_on();
  due_req.clear_page_token();
  due_req.set_area_code(kYimin);
  EXPECT_EQ(orders_->ListOrdersDueForRelease(CallContextWith(officer_).get(), due_req, &due_resp)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(QuarantineIsolationTest, LetterTemplatesAreVersioned) {
  CreateLetterTemplateRequest create;
  create.set_area_code("gongyi.dufulu");
  create.set_title("居家隔离承诺书");
  create.set_body("本人承诺：\n一、严格居家隔离。");
  LetterTemplate v1;
  EXPECT_EQ(orders_->CreateLetterTemplate(CallContextWith(grid_).get(), create, &v1).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      orders_->CreateLetterTemplate(CallContextWith(officer_).get(), create, &v1).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);  // the subdistrict's area is above the community
  ASSERT_TRUE(orders_->CreateLetterTemplate(CallContextWith(admin_).get(), create, &v1).ok());
  EXPECT_EQ(v1.version(), 1);
  EXPECT_EQ(v1.latest_version(), 1);

  ReviseLetterTemplateRequest revise;
  revise.set_template_id(v1.template_id());
  revise.set_body("本人承诺：\n一、严格居家隔离。\n二、每日两次报告体温。");
  revise.set_change_note("加入体温报告");
  revise.set_base_version(1);
  LetterTemplate v2;
  ASSERT_TRUE(orders_->ReviseLetterTemplate(CallContextWith(admin_).get(), revise, &v2).ok());
  EXPECT_EQ(v2.version(), 2);
  EXPECT_EQ(v2.title(), "居家隔离承诺书");  // kept
  EXPECT_EQ(v2.change_note(), "加入体温报告");
  // Revising from a stale version is refused.
  LetterTemplate stale;
  EXPECT_EQ(
      orders_->ReviseLetterTemplate(CallContextWith(admin_).get(), revise, &stale).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  // Each version's text is kept; a community's grid worker reads the subdistrict's template.
  GetLetterTemplateRequest get;
  get.set_template_id(v1.template_id());
  LetterTemplate got;
  ASSERT_TRUE(orders_->GetLetterTemplate(CallContextWith(grid_).get(), get, &got).ok());
  EXPECT_EQ(got.version(), 2);
  EXPECT_EQ(got.body(), revise.body());
  get.set_version(1);
  ASSERT_TRUE(orders_->GetLetterTemplate(CallContextWith(grid_).get(), get, &got).ok());
  EXPECT_EQ(got.body(), create.body());
  EXPECT_EQ(got.latest_version(), 2);
  get.set_version(3);
  EXPECT_EQ(orders_->GetLetterTemplate(CallContextWith(grid_).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A community's own template is not visible from another community.
  create.set_area_code(kXinyuan);
  create.set_title("新苑小区承诺书");
  LetterTemplate yimin;
  ASSERT_TRUE(
      orders_->CreateLetterTemplate(CallContextWith(far_officer_).get(), create, &yimin).ok());
  get.set_template_id(yimin.template_id());
  get.set_version(0);
  EXPECT_EQ(orders_->GetLetterTemplate(CallContextWith(grid_).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ListLetterTemplatesRequest list;
  list.set_area_code(kJingyuan);
  ListLetterTemplatesResponse listed;
  ASSERT_TRUE(orders_->ListLetterTemplates(CallContextWith(grid_).get(), list, &listed).ok());
  ASSERT_EQ(listed.templates_size(), 1);
  EXPECT_EQ(listed.templates(0).template_id(), v1.template_id());
  EXPECT_EQ(listed.templates(0).version(), 2);
  list.set_area_code("gongyi");
  ASSERT_TRUE(orders_->ListLetterTemplates(CallContextWith(admin_).get(), list, &listed).ok());
  EXPECT_EQ(listed.templates_size(), 2);
}

TEST_F(QuarantineIsolationTest, LetterSignings) {
  const Home home = MakeHousehold(kJingyuan);
  const Home other = MakeHousehold(kJingyuan);
  const IsolationOrder order = MustCreate(home.household_id, Day(0));
  const IsolationOrder other_order = MustCreate(other.household_id, Day(0));
  CreateLetterTemplateRequest create;
  create.set_area_code(kLonghai);
  create.set_title("居家隔离承诺书");
  create.set_body("本人承诺严格居家隔离。");
  LetterTemplate tmpl;
  ASSERT_TRUE(orders_->CreateLetterTemplate(CallContextWith(officer_).get(), create, &tmpl).ok());
  create.set_area_code(kXinyuan);
  LetterTemplate far_tmpl;
  ASSERT_TRUE(
      orders_->CreateLetterTemplate(CallContextWith(far_officer_).get(), create, &far_tmpl).ok());

  RecordLetterSigningRequest sign;
  sign.set_household_id(home.household_id);
  sign.set_order_id(order.order_id());
  sign.set_template_id(tmpl.template_id());
  sign.set_template_version(1);
  sign.set_signer_name("户主");
  *sign.mutable_signed_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() - absl::Hours(1)));
  sign.set_delivery(LETTER_DELIVERY_THIRD_PARTY);
  sign.set_third_party_name("志愿者王五");
  auto record = [&](const std::string& token, const RecordLetterSigningRequest& req,
                    LetterSigning* out) {
    return orders_->RecordLetterSigning(CallContextWith(token).get(), req, out);
  };
  LetterSigning out;
  RecordLetterSigningRequest bad = sign;
  bad.clear_third_party_name();
  EXPECT_TRUE(IsInvalidNaming(record(grid_, bad, &out), "third_party_name"));
  bad = sign;
  *bad.mutable_signed_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() + absl::Hours(1)));
  EXPECT_TRUE(IsInvalidNaming(record(grid_, bad, &out), "signed_at"));
  bad = sign;
  bad.set_delivery(LETTER_DELIVERY_UNSPECIFIED);
  EXPECT_TRUE(IsInvalidNaming(record(grid_, bad, &out), "delivery"));
  bad = sign;
  bad.set_template_version(2);
  EXPECT_EQ(record(grid_, bad, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  bad = sign;
  bad.set_template_id(far_tmpl.template_id());
  EXPECT_EQ(record(grid_, bad, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  bad = sign;
  bad.set_order_id(other_order.order_id());
  EXPECT_TRUE(IsInvalidNaming(record(grid_, bad, &out), "order_id"));
  EXPECT_EQ(record(far_grid_, sign, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(record(auditor_, sign, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(quarantine_->Count("quarantine.letter_signings"), "0");

  ASSERT_TRUE(record(grid_, sign, &out).ok());
  EXPECT_EQ(out.area_code(), kJingyuan);
  EXPECT_EQ(out.recorded_by(), "grid-1");
  EXPECT_EQ(out.third_party_name(), "志愿者王五");
  RecordLetterSigningRequest by_phone = sign;
  by_phone.clear_order_id();
  by_phone.set_delivery(LETTER_DELIVERY_PHONE);
  by_phone.clear_third_party_name();
  *by_phone.mutable_signed_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  LetterSigning second;
  ASSERT_TRUE(record(officer_, by_phone, &second).ok());

  ListLetterSigningsRequest list;
  list.set_household_id(home.household_id);
  ListLetterSigningsResponse listed;
  ASSERT_TRUE(orders_->ListLetterSignings(CallContextWith(auditor_).get(), list, &listed).ok());
  ASSERT_EQ(listed.signings_size(), 2);
  EXPECT_EQ(listed.signings(0).signing_id(), second.signing_id());  // newest signing first
  EXPECT_EQ(listed.signings(1).delivery(), LETTER_DELIVERY_THIRD_PARTY);
  EXPECT_EQ(listed.signings(1).order_id(), order.order_id());
  EXPECT_EQ(
      orders_->ListLetterSignings(CallContextWith(far_grid_).get(), list, &listed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  list.set_household_id(other.household_id);
  ASSERT_TRUE(orders_->ListLetterSignings(CallContextWith(grid_).get(), list, &listed).ok());
  EXPECT_EQ(listed.signings_size(), 0);
}

}  // namespace
}  // namespace fangxian::testing
