// QuarantineStatisticsService against the real quarantine_server (and the real
// identity_server, which persons of interest and violations ask for the resident's area): every
// figure of GetDailyFigures and GetSummary from data written through the real RPCs (persons of
// interest, check-ins, service requests, violations, releases) and, where the RPC path is
// not the point, rows inserted with SQL by the *ForTest helpers (isolation orders, which
// need identity; sweeps and their visits; records at exact times around China midnight).
// Also: check-in compliance agrees with the non-reporting list, child-area grouping, an
// area with nothing, and role and scope denials.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/quarantine/v1/check_ins.grpc.pb.h"
#include "fangxian/quarantine/v1/isolation.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "fangxian/quarantine/v1/service_requests.grpc.pb.h"
#include "fangxian/quarantine/v1/statistics.grpc.pb.h"
#include "fangxian/quarantine/v1/violations.grpc.pb.h"
#include "tests/integration/quarantine_test_fixtures.h"
#include "tests/support/identity_fixtures.h"

namespace fangxian::testing {
namespace {

using namespace quarantine::v1;  // NOLINT: the test reads better with the message names

constexpr char kDufulu[] = "gongyi.dufulu";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kXiangyang[] = "gongyi.dufulu.longhai.xiangyang";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

absl::CivilDay Today() { return common::ChinaToday(absl::Now()); }
std::string Day(int offset) { return common::IsoDate(Today() + offset); }
// A moment as a SQL timestamptz literal.
std::string At(absl::Time t) { return absl::StrCat("'", common::Rfc3339Micros(t), "'"); }

// Test fixture only: a person of interest registered at `created_at` (a returnee, or a
// fever referral as the checkpoint event consumer records it).
void InsertPersonForTest(ServiceUnderTest& server, const std::string& area, int category,
                         absl::Time created_at) {
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.persons_of_interest (resident_id, category, source, area_code, "
      "created_at, created_by) VALUES (gen_random_uuid(), ",
      category, ", ", category == 3 ? 3 : 2, ", '", area, "', ", At(created_at), ", 'test')"));
}

// Test fixture only: a check-in of `resident_id` under `order_id` filling `slot` of a past
// China day (the RPC records check-ins only now).
void InsertCheckInForTest(ServiceUnderTest& server, const std::string& order_id,
                          const std::string& resident_id, absl::CivilDay day, int slot) {
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.check_ins (check_in_id, order_id, resident_id, "
      "temperature_celsius, abnormal, recorded_by, by_resident, checked_at, china_day, slot) "
      "VALUES (gen_random_uuid(), '",
      order_id, "', '", resident_id, "', 36.5, false, 'test', false, ",
      At(common::ChinaDayStart(day) + absl::Hours(12 * slot + 1)), ", '", common::IsoDate(day),
      "', ", slot, ")"));
}

// Test fixture only: a sweep over `area` with round 1 open over `households` (id -> area);
// StartRound lists households from identity, which this test does not run.
std::string InsertSweepForTest(ServiceUnderTest& server, const std::string& area,
                               const std::vector<std::pair<std::string, std::string>>& households) {
  const std::string sweep_id = NewUuid(server);
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.sweeps (sweep_id, name, area_code, current_round, created_by, "
      "created_at) VALUES ('",
      sweep_id, "', '第一轮全域排查', '", area, "', 1, 'test', now())"));
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.sweep_rounds (sweep_id, round, opened_at, opened_by) VALUES ('",
      sweep_id, "', 1, now(), 'test')"));
  for (size_t i = 0; i < households.size(); ++i) {
    server.Query(absl::StrCat(
        "INSERT INTO quarantine.sweep_households (sweep_id, round, household_id, position, "
        "card_number, area_code, room) VALUES ('",
        sweep_id, "', 1, '", households[i].first, "', ", i, ", 'card-", i, "', '",
        households[i].second, "', '101')"));
  }
  return sweep_id;
}

// Test fixture only: a visit of a household of the sweep's round 1, now.
void InsertVisitForTest(ServiceUnderTest& server, const std::string& sweep_id,
                        const std::string& household_id, int outcome) {
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.sweep_visits (visit_id, sweep_id, round, household_id, outcome, "
      "notice_left, team, recorded_by, visited_at) VALUES (gen_random_uuid(), '",
      sweep_id, "', 1, '", household_id, "', ", outcome,
      ", false, 'team 1', 'test', clock_timestamp())"));
}

class QuarantineStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Persons of interest and violations take the resident's area from identity.
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "qstats_identity");
    server_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "qstats", tokens_,
        identity_->Env({{"FX_QUARANTINE_STATS_CACHE_MS", "0"}}));
    ASSERT_TRUE(server_->WaitUntilServing());
    stats_ = QuarantineStatisticsService::NewStub(server_->channel());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    officer_ = tokens_.Mint("officer-1", {"community_admin"}, {kLonghai});
    grid_ = tokens_.Mint("grid-1", {"grid_worker"}, {kLonghai});
  }

  grpc::Status Daily(const std::string& token, const std::string& area, const std::string& from,
                     const std::string& to, DailyFigures* out, bool by_child = false) {
    GetDailyFiguresRequest req;
    req.set_area_code(area);
    req.set_from_date(from);
    req.set_to_date(to);
    req.set_group_by_child_area(by_child);
    return stats_->GetDailyFigures(CallContextWith(token).get(), req, out);
  }
  DailyFigures MustDaily(const std::string& area, const std::string& from, const std::string& to,
                         bool by_child = false) {
    DailyFigures out;
    grpc::Status st = Daily(admin_, area, from, to, &out, by_child);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }
  grpc::Status Summarise(const std::string& token, const std::string& area, Summary* out,
                         bool by_child = false) {
    GetSummaryRequest req;
    req.set_area_code(area);
    req.set_group_by_child_area(by_child);
    return stats_->GetSummary(CallContextWith(token).get(), req, out);
  }
  Summary MustSummarise(const std::string& area, bool by_child = false) {
    Summary out;
    grpc::Status st = Summarise(admin_, area, &out, by_child);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  std::string NewPerson(const std::string& area, Category category) {
    PersonOfInterest p;
    p.set_resident_id(identity_->Resident("返乡人员", area));
    p.set_category(category);
    p.set_source(SOURCE_SWEEP);
    p.set_area_code(area);
    if (category == CATEGORY_RETURNEE) {
      p.set_arrival_date(Day(-1));
    } else {
      p.set_contact_date(Day(-1));
    }
    CreatePersonOfInterestRequest req;
    *req.mutable_person() = p;
    PersonOfInterest out;
    grpc::Status st = QuarantineService::NewStub(server_->channel())
                          ->CreatePersonOfInterest(CallContextWith(grid_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.person_id();
  }

  std::string NewServiceRequest(const std::string& household_id) {
    CreateServiceRequestRequest req;
    ServiceRequest* r = req.mutable_request();
    r->set_household_id(household_id);
    r->set_kind(SERVICE_REQUEST_KIND_PURCHASE);
    r->set_items("rice 5 kg, eggs");
    r->set_contact_name("Li Ming");
    r->set_delivery_address("Building 3, unit 2, room 401");
    r->set_phone("13812345678");
    ServiceRequest out;
    grpc::Status st = ServiceRequestService::NewStub(server_->channel())
                          ->CreateServiceRequest(CallContextWith(grid_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.request_id();
  }

  std::string NewViolation(const std::string& area, ViolationKind kind, bool confirmed) {
    RecordViolationRequest req;
    req.set_resident_id(identity_->Resident("违规人员", area));
    req.set_area_code(area);
    req.set_kind(kind);
    req.set_description("隐瞒行程");
    req.set_confirmed(confirmed);
    Violation out;
    grpc::Status st = ViolationService::NewStub(server_->channel())
                          ->RecordViolation(CallContextWith(officer_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.violation_id();
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<QuarantineStatisticsService::Stub> stats_;
  std::string admin_;
  std::string officer_;
  std::string grid_;
};

TEST_F(QuarantineStatisticsTest, EveryDailyFigureAndTheSummary) {
  // Persons of interest: a returnee in Jingyuan, a close contact in Xiangyang (closed).
  NewPerson(kJingyuan, CATEGORY_RETURNEE);
  const std::string contact = NewPerson(kXiangyang, CATEGORY_CLOSE_CONTACT);
  {
    ClosePersonOfInterestRequest req;
    req.set_person_id(contact);
    req.set_note("核酸阴性，解除观察");
    PersonOfInterest out;
    ASSERT_TRUE(QuarantineService::NewStub(server_->channel())
                    ->ClosePersonOfInterest(CallContextWith(grid_).get(), req, &out)
                    .ok());
  }

  // Orders: A (Jingyuan, 2 people) from 2 days ago; B (Xiangyang, 3 people) from
  // yesterday, released today; D (Longhai itself, 1 person) from 20 days ago, due for
  // release.
  const std::string h_a = NewUuid(*server_);
  const std::vector<std::string> a_members = {NewUuid(*server_), NewUuid(*server_)};
  const std::string order_a = InsertIsolationOrderForTest(*server_, h_a, kJingyuan, a_members, -2);
  const std::string h_b = NewUuid(*server_);
  const std::string order_b = InsertIsolationOrderForTest(
      *server_, h_b, kXiangyang, {NewUuid(*server_), NewUuid(*server_), NewUuid(*server_)}, -1, 48);
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), kLonghai, {NewUuid(*server_)}, -20,
                              21 * 24);
  {
    ReleaseIsolationOrderRequest req;
    req.set_order_id(order_b);
    req.set_reason("转集中隔离");
    IsolationOrder out;
    grpc::Status st = IsolationService::NewStub(server_->channel())
                          ->ReleaseIsolationOrder(CallContextWith(officer_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Check-ins of yesterday under A: member 0 both slots (slot 0 twice), member 1 slot 0.
  InsertCheckInForTest(*server_, order_a, a_members[0], Today() - 1, 0);
  InsertCheckInForTest(*server_, order_a, a_members[0], Today() - 1, 0);
  InsertCheckInForTest(*server_, order_a, a_members[0], Today() - 1, 1);
  InsertCheckInForTest(*server_, order_a, a_members[1], Today() - 1, 0);
  // Today, through the RPC: an abnormal one (opens a follow-up flag).
  {
    RecordCheckInRequest req;
    req.set_resident_id(a_members[1]);
    req.set_temperature_celsius(38.1);
    CheckIn out;
    grpc::Status st = HealthCheckInService::NewStub(server_->channel())
                          ->RecordCheckIn(CallContextWith(grid_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Service requests of household A: one carried to confirmed, one cancelled.
  auto requests = ServiceRequestService::NewStub(server_->channel());
  const std::string delivered = NewServiceRequest(h_a);
  {
    AssignVolunteerRequest assign;
    assign.set_request_id(delivered);
    assign.set_volunteer_id(NewUuid(*server_));
    ServiceRequest sr;
    ASSERT_TRUE(requests->AssignVolunteer(CallContextWith(grid_).get(), assign, &sr).ok());
    StartServiceRequestRequest start;
    start.set_request_id(delivered);
    VolunteerView view;
    ASSERT_TRUE(requests->StartServiceRequest(CallContextWith(grid_).get(), start, &view).ok());
    MarkDeliveredRequest deliver;
    deliver.set_request_id(delivered);
    ASSERT_TRUE(requests->MarkDelivered(CallContextWith(grid_).get(), deliver, &view).ok());
    ConfirmDeliveryRequest confirm;
    confirm.set_request_id(delivered);
    ASSERT_TRUE(requests->ConfirmDelivery(CallContextWith(grid_).get(), confirm, &sr).ok());
    CancelServiceRequestRequest cancel;
    cancel.set_request_id(NewServiceRequest(h_a));
    cancel.set_reason("家属已送达");
    ASSERT_TRUE(requests->CancelServiceRequest(CallContextWith(grid_).get(), cancel, &sr).ok());
  }

  // Violations: a confirmed concealment given a warning; a reported leaving-isolation.
  {
    SetViolationOutcomeRequest req;
    req.set_violation_id(NewViolation(kJingyuan, VIOLATION_KIND_CONCEALMENT, true));
    req.set_outcome(VIOLATION_OUTCOME_WARNING);
    req.set_note("警告一次");
    Violation out;
    grpc::Status st = ViolationService::NewStub(server_->channel())
                          ->SetViolationOutcome(CallContextWith(officer_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  NewViolation(kXiangyang, VIOLATION_KIND_LEAVING_ISOLATION, false);

  // A sweep over Longhai: 3 households; one visited, one not at home then visited.
  const std::string s1 = NewUuid(*server_);
  const std::string s2 = NewUuid(*server_);
  const std::string s3 = NewUuid(*server_);
  const std::string sweep =
      InsertSweepForTest(*server_, kLonghai, {{s1, kJingyuan}, {s2, kJingyuan}, {s3, kXiangyang}});
  InsertVisitForTest(*server_, sweep, s1, 1);
  InsertVisitForTest(*server_, sweep, s2, 2);
  InsertVisitForTest(*server_, sweep, s2, 1);

  const DailyFigures daily = MustDaily(kLonghai, Day(-3), Day(0));
  ASSERT_EQ(daily.days_size(), 4);
  EXPECT_EQ(daily.area_code(), kLonghai);
  EXPECT_EQ(daily.from_date(), Day(-3));
  EXPECT_EQ(daily.child_areas_size(), 0);
  const DayFigures& d3 = daily.days(0);
  const DayFigures& d2 = daily.days(1);
  const DayFigures& d1 = daily.days(2);
  const DayFigures& d0 = daily.days(3);
  EXPECT_EQ(d3.date(), Day(-3));
  EXPECT_EQ(d0.date(), Day(0));
  // Registered today.
  EXPECT_EQ(d0.returnees_registered(), 1);
  EXPECT_EQ(d0.close_contacts_registered(), 1);
  EXPECT_EQ(d0.fever_referrals(), 0);
  EXPECT_EQ(d1.returnees_registered(), 0);
  // Placed: A two days ago, B yesterday.
  EXPECT_EQ(d2.households_placed(), 1);
  EXPECT_EQ(d2.people_placed(), 2);
  EXPECT_EQ(d1.households_placed(), 1);
  EXPECT_EQ(d1.people_placed(), 3);
  EXPECT_EQ(d0.households_placed(), 0);
  // In isolation at the end of each day (D throughout; B until released today).
  EXPECT_EQ(d3.households_isolated(), 1);
  EXPECT_EQ(d3.people_isolated(), 1);
  EXPECT_EQ(d2.households_isolated(), 2);
  EXPECT_EQ(d2.people_isolated(), 3);
  EXPECT_EQ(d1.households_isolated(), 3);
  EXPECT_EQ(d1.people_isolated(), 6);
  EXPECT_EQ(d0.households_isolated(), 2);
  EXPECT_EQ(d0.people_isolated(), 3);
  EXPECT_EQ(d0.orders_released(), 1);
  EXPECT_EQ(d1.orders_released(), 0);
  // Check-ins today: one abnormal; and no past check-in counted on another day.
  EXPECT_EQ(d0.abnormal_checkins(), 1);
  EXPECT_EQ(d1.abnormal_checkins(), 0);
  // Service requests and violations today.
  EXPECT_EQ(d0.service_requests_created(), 2);
  EXPECT_EQ(d0.service_requests_delivered(), 1);
  EXPECT_EQ(d0.service_requests_confirmed(), 1);
  EXPECT_EQ(d0.violations_by_kind().concealment(), 1);
  EXPECT_EQ(d0.violations_by_kind().leaving_isolation(), 1);
  EXPECT_EQ(d0.violations_by_kind().false_report(), 0);
  EXPECT_EQ(d0.violations_by_outcome().warning(), 1);
  EXPECT_EQ(d0.violations_by_outcome().none(), 1);
  EXPECT_EQ(d0.sweep_visits().visited(), 2);
  EXPECT_EQ(d0.sweep_visits().not_at_home(), 1);
  EXPECT_EQ(d0.sweep_visits().refused(), 0);
  EXPECT_EQ(d1.sweep_visits().visited(), 0);

  // Yesterday's compliance in Jingyuan: A's 2 members x 2 slots expected, 3 filled (a
  // second check-in in a slot fills nothing more).
  const DailyFigures jingyuan = MustDaily(kJingyuan, Day(-1), Day(-1));
  ASSERT_EQ(jingyuan.days_size(), 1);
  EXPECT_EQ(jingyuan.days(0).checkins_expected(), 4);
  EXPECT_EQ(jingyuan.days(0).checkins_done(), 3);
  EXPECT_DOUBLE_EQ(jingyuan.days(0).checkin_compliance(), 0.75);
  // The same day over Longhai agrees with the non-reporting list, the same rule.
  {
    ListNonReportingRequest req;
    req.set_area_code(kLonghai);
    req.set_date(Day(-1));
    req.set_page_size(500);
    ListNonReportingResponse list;
    ASSERT_TRUE(HealthCheckInService::NewStub(server_->channel())
                    ->ListNonReporting(CallContextWith(grid_).get(), req, &list)
                    .ok());
    int64_t missing = 0;
    for (const NonReportingEntry& e : list.entries()) missing += e.expected() - e.done();
    EXPECT_GT(d1.checkins_expected(), 4);
    EXPECT_EQ(d1.checkins_expected() - d1.checkins_done(), missing);
  }

  const Summary summary = MustSummarise(kLonghai);
  const SummaryFigures& t = summary.total();
  EXPECT_EQ(summary.area_code(), kLonghai);
  EXPECT_EQ(t.persons_of_interest().returnees(), 1);
  EXPECT_EQ(t.persons_of_interest().close_contacts(), 1);
  EXPECT_EQ(t.persons_of_interest_open().returnees(), 1);
  EXPECT_EQ(t.persons_of_interest_open().close_contacts(), 0);
  EXPECT_EQ(t.households_isolated_now(), 2);
  EXPECT_EQ(t.people_isolated_now(), 3);
  EXPECT_EQ(t.households_isolated_total(), 3);
  EXPECT_EQ(t.people_isolated_total(), 6);
  EXPECT_EQ(t.orders_due_for_release(), 1);
  EXPECT_EQ(t.service_requests().confirmed(), 1);
  EXPECT_EQ(t.service_requests().cancelled(), 1);
  EXPECT_EQ(t.service_requests().open(), 0);
  EXPECT_EQ(t.violations_by_status().confirmed(), 1);
  EXPECT_EQ(t.violations_by_status().reported(), 1);
  EXPECT_EQ(t.violations_by_outcome().warning(), 1);
  EXPECT_EQ(t.violations_by_outcome().none(), 1);
  EXPECT_EQ(t.follow_up_flags_open(), 1);
  ASSERT_EQ(t.sweeps_size(), 1);
  EXPECT_EQ(t.sweeps(0).sweep_id(), sweep);
  EXPECT_EQ(t.sweeps(0).round(), 1);
  EXPECT_EQ(t.sweeps(0).coverage().area_code(), kLonghai);
  EXPECT_EQ(t.sweeps(0).coverage().households(), 3);
  EXPECT_EQ(t.sweeps(0).coverage().covered(), 2);
  EXPECT_EQ(t.sweeps(0).coverage().visited(), 2);
  EXPECT_EQ(t.sweeps(0).coverage().pending(), 1);
  EXPECT_FALSE(summary.more_sweeps());

  // Per child area: Jingyuan, Xiangyang and Longhai itself (order D).
  const Summary grouped = MustSummarise(kLonghai, /*by_child=*/true);
  EXPECT_EQ(grouped.total().SerializeAsString(), t.SerializeAsString());
  std::map<std::string, SummaryFigures> children;
  for (const AreaSummary& c : grouped.child_areas()) children[c.area_code()] = c.figures();
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[kJingyuan].people_isolated_now(), 2);
  EXPECT_EQ(children[kJingyuan].persons_of_interest().returnees(), 1);
  EXPECT_EQ(children[kJingyuan].follow_up_flags_open(), 1);
  ASSERT_EQ(children[kJingyuan].sweeps_size(), 1);
  EXPECT_EQ(children[kJingyuan].sweeps(0).coverage().households(), 2);
  EXPECT_EQ(children[kJingyuan].sweeps(0).coverage().covered(), 2);
  EXPECT_EQ(children[kXiangyang].people_isolated_now(), 0);
  EXPECT_EQ(children[kXiangyang].people_isolated_total(), 3);
  EXPECT_EQ(children[kXiangyang].violations_by_status().reported(), 1);
  ASSERT_EQ(children[kXiangyang].sweeps_size(), 1);
  EXPECT_EQ(children[kXiangyang].sweeps(0).coverage().pending(), 1);
  EXPECT_EQ(children[kLonghai].orders_due_for_release(), 1);
  EXPECT_EQ(children[kLonghai].people_isolated_now(), 1);

  const DailyFigures grouped_daily = MustDaily(kLonghai, Day(-3), Day(0), /*by_child=*/true);
  ASSERT_EQ(grouped_daily.days_size(), 4);
  EXPECT_EQ(grouped_daily.days(3).SerializeAsString(), d0.SerializeAsString());
  std::map<std::string, AreaDailyFigures> child_days;
  for (const AreaDailyFigures& c : grouped_daily.child_areas()) child_days[c.area_code()] = c;
  ASSERT_EQ(child_days.size(), 3u);
  ASSERT_EQ(child_days[kXiangyang].days_size(), 4);
  EXPECT_EQ(child_days[kXiangyang].days(2).people_placed(), 3);
  EXPECT_EQ(child_days[kXiangyang].days(3).orders_released(), 1);
  EXPECT_EQ(child_days[kJingyuan].days(2).checkins_done(), 3);
  EXPECT_EQ(child_days[kJingyuan].days(3).sweep_visits().visited(), 2);
  EXPECT_EQ(child_days[kLonghai].days(0).people_isolated(), 1);
}

TEST_F(QuarantineStatisticsTest, DaysAreChinaDays) {
  // Around China midnight at the start of day -2 (16:00 UTC the day before).
  const absl::CivilDay d = Today() - 3;
  const absl::Time midnight = common::ChinaDayStart(d + 1);
  InsertPersonForTest(*server_, kJingyuan, 3, common::ChinaDayStart(d) - absl::Microseconds(1));
  InsertPersonForTest(*server_, kJingyuan, 3, midnight - absl::Microseconds(1));
  InsertPersonForTest(*server_, kJingyuan, 1, midnight);
  InsertPersonForTest(*server_, kJingyuan, 1, common::ChinaDayStart(d + 2) - absl::Microseconds(1));
  const DailyFigures out = MustDaily(kLonghai, common::IsoDate(d), common::IsoDate(d + 1));
  ASSERT_EQ(out.days_size(), 2);
  // The referral a microsecond before day d began belongs to the day before: not counted.
  EXPECT_EQ(out.days(0).fever_referrals(), 1);
  EXPECT_EQ(out.days(0).returnees_registered(), 0);
  EXPECT_EQ(out.days(1).fever_referrals(), 0);
  EXPECT_EQ(out.days(1).returnees_registered(), 2);
}

TEST_F(QuarantineStatisticsTest, AnAreaWithNothingIsAllZeros) {
  NewPerson(kJingyuan, CATEGORY_RETURNEE);
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), kJingyuan, {NewUuid(*server_)});
  InsertSweepForTest(*server_, kLonghai, {{NewUuid(*server_), kJingyuan}});
  const DailyFigures daily = MustDaily(kYimin, Day(-6), Day(0), /*by_child=*/true);
  ASSERT_EQ(daily.days_size(), 7);
  EXPECT_EQ(daily.child_areas_size(), 0);
  for (int i = 0; i < daily.days_size(); ++i) {
    DayFigures zero;
    zero.set_date(Day(i - 6));
    zero.mutable_violations_by_kind();
    zero.mutable_violations_by_outcome();
    zero.mutable_sweep_visits();
    EXPECT_EQ(daily.days(i).SerializeAsString(), zero.SerializeAsString()) << Day(i - 6);
  }
  const Summary summary = MustSummarise(kYimin, /*by_child=*/true);
  SummaryFigures zero;
  zero.mutable_persons_of_interest();
  zero.mutable_persons_of_interest_open();
  zero.mutable_service_requests();
  zero.mutable_violations_by_status();
  zero.mutable_violations_by_outcome();
  EXPECT_EQ(summary.total().SerializeAsString(), zero.SerializeAsString())
      << summary.total().DebugString();
  EXPECT_EQ(summary.child_areas_size(), 0);
  EXPECT_FALSE(summary.more_sweeps());
}

TEST_F(QuarantineStatisticsTest, RolesAndScope) {
  DailyFigures daily;
  Summary summary;
  // Grid workers, community admins and auditors within their scope.
  EXPECT_TRUE(Daily(grid_, kJingyuan, Day(-1), Day(0), &daily).ok());
  EXPECT_TRUE(Summarise(officer_, kLonghai, &summary).ok());
  const std::string auditor = tokens_.Mint("audit-1", {"auditor"}, {kDufulu});
  EXPECT_TRUE(Summarise(auditor, kLonghai, &summary).ok());
  // Outside the scope.
  const std::string far_grid = tokens_.Mint("grid-2", {"grid_worker"}, {kYimin});
  EXPECT_EQ(Daily(far_grid, kLonghai, Day(-1), Day(0), &daily).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Summarise(far_grid, kLonghai, &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A grid worker of a compound asking about the whole community.
  const std::string compound_grid = tokens_.Mint("grid-3", {"grid_worker"}, {kJingyuan});
  EXPECT_EQ(Summarise(compound_grid, kLonghai, &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Roles without access, even over the whole subdistrict.
  for (const char* role :
       {"volunteer", "temperature_monitor", "shift_leader", "inspector", "service"}) {
    const std::string token = tokens_.Mint(absl::StrCat("x-", role), {role}, {"gongyi"});
    EXPECT_EQ(Summarise(token, kLonghai, &summary).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
    EXPECT_EQ(Daily(token, kLonghai, Day(0), Day(0), &daily).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  const std::string resident = ResidentToken(tokens_, NewUuid(*server_), kJingyuan);
  EXPECT_EQ(Summarise(resident, kJingyuan, &summary).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(QuarantineStatisticsTest, BadRequests) {
  DailyFigures daily;
  Summary summary;
  EXPECT_TRUE(IsInvalidNaming(Daily(admin_, "", Day(-1), Day(0), &daily), "area_code"));
  EXPECT_TRUE(IsInvalidNaming(Daily(admin_, kLonghai, "yesterday", Day(0), &daily), "from_date"));
  EXPECT_TRUE(IsInvalidNaming(Daily(admin_, kLonghai, Day(0), Day(-1), &daily), "to_date"));
  EXPECT_TRUE(IsInvalidNaming(Daily(admin_, kLonghai, Day(-92), Day(0), &daily), "92 days"));
  EXPECT_TRUE(IsInvalidNaming(Daily(admin_, kLonghai, Day(0), Day(1), &daily), "to_date"));
  EXPECT_TRUE(Daily(admin_, kLonghai, Day(-91), Day(0), &daily).ok());
  EXPECT_EQ(daily.days_size(), 92);
  EXPECT_TRUE(IsInvalidNaming(Summarise(admin_, "Longhai", &summary), "area_code"));
}

}  // namespace
}  // namespace fangxian::testing
