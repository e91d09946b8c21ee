// Health check-ins against the real quarantine_server: who may record and read them,
// bad input, the follow-up flag an abnormal check-in raises and its effect on the pass
// colour (GetPassStatus), and the non-reporting list.
#include <algorithm>

#include "fangxian/quarantine/v1/check_ins.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "tests/integration/quarantine_test_fixtures.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::CheckIn;
using quarantine::v1::HealthCheckInService;
using quarantine::v1::QuarantineService;

constexpr char kScope[] = "gongyi.dufulu.longhai";
constexpr char kArea[] = "gongyi.dufulu.longhai.jingyuan";

class QuarantineCheckInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                 "checkins", tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = HealthCheckInService::NewStub(server_->channel());
    passes_ = QuarantineService::NewStub(server_->channel());
    resident_ = NewUuid(*server_);
    household_ = NewUuid(*server_);
    grid_ = tokens_.Mint("grid-7", {"grid_worker"}, {kScope});
    other_grid_ = tokens_.Mint("grid-9", {"grid_worker"}, {"gongyi.other"});
    volunteer_ = tokens_.Mint("vol-1", {"volunteer"}, {kScope});
    checkpoint_staff_ = tokens_.Mint("tm-1", {"temperature_monitor"}, {kScope});
  }

  grpc::Status Record(const std::string& token, const std::string& resident, double celsius,
                      std::vector<quarantine::v1::Symptom> symptoms, CheckIn* out) {
    quarantine::v1::RecordCheckInRequest req;
    req.set_resident_id(resident);
    req.set_temperature_celsius(celsius);
    for (auto s : symptoms) req.add_symptoms(s);
    return stub_->RecordCheckIn(CallContextWith(token).get(), req, out);
  }

  quarantine::v1::PassStatus Pass(const std::string& resident) {
    quarantine::v1::GetPassStatusRequest req;
    req.set_resident_id(resident);
    quarantine::v1::PassStatus out;
    grpc::Status st = passes_->GetPassStatus(CallContextWith(grid_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  static std::vector<std::string> Codes(const quarantine::v1::PassStatus& p) {
    std::vector<std::string> out;
    for (const auto& r : p.reasons()) out.push_back(r.code());
    return out;
  }

  static bool Has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  std::string Me() { return ResidentToken(tokens_, resident_, kArea); }

  // "YYYY-MM-DD" of today + offset, China time, as the database computes it.
  std::string ChinaDay(int offset) {
    return server_
        ->Query(absl::StrCat("SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date + ", offset,
                             ", 'YYYY-MM-DD')"))
        .at(0);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<HealthCheckInService::Stub> stub_;
  std::unique_ptr<QuarantineService::Stub> passes_;
  std::string resident_;
  std::string household_;
  std::string grid_;
  std::string other_grid_;
  std::string volunteer_;
  std::string checkpoint_staff_;
};

TEST_F(QuarantineCheckInTest, TemperatureOutOfRangeIsRefusedAndNothingIsStored) {
  InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
  for (double bad : {33.9, 43.1, 0.0}) {
    CheckIn out;
    grpc::Status st = Record(Me(), resident_, bad, {}, &out);
    EXPECT_TRUE(IsInvalidNaming(st, "temperature_celsius")) << bad;
    EXPECT_NE(st.error_message().find("measure again"), std::string::npos);
  }
  CheckIn out;
  EXPECT_TRUE(
      IsInvalidNaming(Record(Me(), resident_, 36.5,
                             {quarantine::v1::SYMPTOM_COUGH, quarantine::v1::SYMPTOM_COUGH}, &out),
                      "symptoms[1]"));
  EXPECT_EQ(server_->Count("quarantine.check_ins"), "0");
}

TEST_F(QuarantineCheckInTest, CheckInForSomeoneNotIsolatedIsRefused) {
  CheckIn out;
  grpc::Status st = Record(grid_, resident_, 36.5, {}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_NE(st.error_message().find("not isolated"), std::string::npos);

  // An order that starts tomorrow is not active yet; a released one no longer.
  const std::string later = InsertIsolationOrderForTest(*server_, household_, kArea, {resident_},
                                                        /*start_offset_days=*/1);
  EXPECT_EQ(Record(Me(), resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ReleaseIsolationOrderForTest(*server_, later);
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), kArea, {resident_});
  ASSERT_TRUE(Record(Me(), resident_, 36.5, {}, &out).ok());
  ReleaseIsolationOrderForTest(*server_, out.order_id());
  EXPECT_EQ(Record(Me(), resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(server_->Count("quarantine.check_ins"), "1");
}

TEST_F(QuarantineCheckInTest, ResidentsRecordForThemselvesAndStaffWithinTheirScope) {
  const std::string order = InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
  CheckIn out;
  ASSERT_TRUE(Record(Me(), resident_, 36.6, {}, &out).ok());
  EXPECT_TRUE(out.by_resident());
  EXPECT_EQ(out.recorded_by(), resident_);
  EXPECT_EQ(out.order_id(), order);
  EXPECT_FALSE(out.abnormal());
  EXPECT_EQ(out.follow_up_flag_id(), "");
  EXPECT_DOUBLE_EQ(out.temperature_celsius(), 36.6);
  EXPECT_EQ(out.china_day(), ChinaDay(0));
  EXPECT_GE(out.slot(), 0);
  EXPECT_LE(out.slot(), 1);

  ASSERT_TRUE(Record(grid_, resident_, 36.4, {}, &out).ok());
  EXPECT_FALSE(out.by_resident());
  EXPECT_EQ(out.recorded_by(), "grid-7");

  const std::string neighbour = ResidentToken(tokens_, NewUuid(*server_), kArea);
  EXPECT_EQ(Record(neighbour, resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Staff outside the order's area: as for someone not isolated (see below).
  EXPECT_EQ(Record(other_grid_, resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Record(volunteer_, resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Record(checkpoint_staff_, resident_, 36.5, {}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("quarantine.check_ins"), "2");
}

TEST_F(QuarantineCheckInTest, AbnormalCheckInRaisesOneFollowUpFlagUntilItIsCleared) {
  InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
  CheckIn first;
  ASSERT_TRUE(Record(Me(), resident_, 36.5, {}, &first).ok());
  quarantine::v1::PassStatus pass = Pass(resident_);
  EXPECT_EQ(pass.colour(), quarantine::v1::PASS_COLOUR_RED);  // in an active order
  EXPECT_TRUE(Has(Codes(pass), "isolation_order"));
  EXPECT_FALSE(Has(Codes(pass), "follow_up"));
  EXPECT_FALSE(Has(Codes(pass), "missed_check_ins"));  // just checked in

  CheckIn fever;
  ASSERT_TRUE(Record(Me(), resident_, 38.2, {}, &fever).ok());
  EXPECT_TRUE(fever.abnormal());
  ASSERT_FALSE(fever.follow_up_flag_id().empty());
  CheckIn cough;
  ASSERT_TRUE(Record(grid_, resident_, 36.8, {quarantine::v1::SYMPTOM_COUGH}, &cough).ok());
  EXPECT_TRUE(cough.abnormal());
  EXPECT_EQ(cough.follow_up_flag_id(), fever.follow_up_flag_id());  // the open flag stays
  EXPECT_EQ(server_->Count("quarantine.follow_up_flags"), "1");

  pass = Pass(resident_);
  EXPECT_EQ(pass.colour(), quarantine::v1::PASS_COLOUR_RED);
  EXPECT_TRUE(Has(Codes(pass), "follow_up"));

  // The follow-up list of the area, for staff in scope only.
  quarantine::v1::ListFollowUpsRequest list;
  list.set_area_code(kScope);
  quarantine::v1::ListFollowUpsResponse flags;
  ASSERT_TRUE(stub_->ListFollowUps(CallContextWith(grid_).get(), list, &flags).ok());
  ASSERT_EQ(flags.flags_size(), 1);
  EXPECT_EQ(flags.flags(0).flag_id(), fever.follow_up_flag_id());
  EXPECT_EQ(flags.flags(0).resident_id(), resident_);
  EXPECT_EQ(flags.flags(0).check_in_id(), fever.check_in_id());
  EXPECT_EQ(stub_->ListFollowUps(CallContextWith(other_grid_).get(), list, &flags).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->ListFollowUps(CallContextWith(volunteer_).get(), list, &flags).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  quarantine::v1::ClearFollowUpRequest clear;
  clear.set_flag_id(fever.follow_up_flag_id());
  quarantine::v1::FollowUpFlag cleared;
  EXPECT_TRUE(
      IsInvalidNaming(stub_->ClearFollowUp(CallContextWith(grid_).get(), clear, &cleared), "note"));
  clear.set_note("visited; temperature normal again, no cough");
  EXPECT_EQ(stub_->ClearFollowUp(CallContextWith(other_grid_).get(), clear, &cleared).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ClearFollowUp(CallContextWith(grid_).get(), clear, &cleared).ok());
  EXPECT_EQ(cleared.cleared_by(), "grid-7");
  EXPECT_TRUE(cleared.has_clear_time());
  EXPECT_EQ(stub_->ClearFollowUp(CallContextWith(grid_).get(), clear, &cleared).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pass = Pass(resident_);
  EXPECT_FALSE(Has(Codes(pass), "follow_up"));
  EXPECT_TRUE(Has(Codes(pass), "isolation_order"));

  ASSERT_TRUE(stub_->ListFollowUps(CallContextWith(grid_).get(), list, &flags).ok());
  EXPECT_EQ(flags.flags_size(), 0);
  list.set_include_cleared(true);
  ASSERT_TRUE(stub_->ListFollowUps(CallContextWith(grid_).get(), list, &flags).ok());
  EXPECT_EQ(flags.flags_size(), 1);

  // A later abnormal check-in opens a new flag.
  CheckIn again;
  ASSERT_TRUE(Record(Me(), resident_, 37.3, {}, &again).ok());
  EXPECT_NE(again.follow_up_flag_id(), fever.follow_up_flag_id());
  EXPECT_TRUE(Has(Codes(Pass(resident_)), "follow_up"));
}

TEST_F(QuarantineCheckInTest, HealthDataGoesOnlyToTheResidentAndFollowUpStaffInScope) {
  InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
  CheckIn out;
  ASSERT_TRUE(Record(Me(), resident_, 37.8, {quarantine::v1::SYMPTOM_FATIGUE}, &out).ok());
  quarantine::v1::ListCheckInsRequest req;
  req.set_resident_id(resident_);
  req.set_from_date(ChinaDay(-1));
  req.set_to_date(ChinaDay(0));
  quarantine::v1::ListCheckInsResponse list;
  ASSERT_TRUE(stub_->ListCheckIns(CallContextWith(Me()).get(), req, &list).ok());
  ASSERT_EQ(list.check_ins_size(), 1);
  EXPECT_DOUBLE_EQ(list.check_ins(0).temperature_celsius(), 37.8);
  ASSERT_EQ(list.check_ins(0).symptoms_size(), 1);
  ASSERT_TRUE(stub_->ListCheckIns(CallContextWith(grid_).get(), req, &list).ok());
  EXPECT_EQ(list.check_ins_size(), 1);

  const std::string neighbour = ResidentToken(tokens_, NewUuid(*server_), kArea);
  for (const std::string& token : {neighbour, other_grid_, volunteer_, checkpoint_staff_}) {
    EXPECT_EQ(stub_->ListCheckIns(CallContextWith(token).get(), req, &list).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  req.set_to_date(ChinaDay(40));
  EXPECT_TRUE(
      IsInvalidNaming(stub_->ListCheckIns(CallContextWith(Me()).get(), req, &list), "to_date"));
}

TEST_F(QuarantineCheckInTest, NonReportingListOfAPastDay) {
  const std::string a = NewUuid(*server_);
  const std::string b = NewUuid(*server_);
  const std::string c = NewUuid(*server_);
  const std::string order = InsertIsolationOrderForTest(*server_, household_, kArea, {a, b, c},
                                                        /*start_offset_days=*/-3,
                                                        /*made_hours_ago=*/24 * 4);
  // Someone of another area is not listed.
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), "gongyi.other.x", {NewUuid(*server_)},
                              -3, 24 * 4);
  const std::string yesterday = ChinaDay(-1);
  // Yesterday: a filled both slots, b only the morning one (twice), c none.
  for (const auto& [who, slot] :
       std::vector<std::pair<std::string, int>>{{a, 0}, {a, 1}, {b, 0}, {b, 0}}) {
    server_->Query(absl::StrCat(
        "INSERT INTO quarantine.check_ins (check_in_id, order_id, resident_id, "
        "temperature_celsius, abnormal, recorded_by, by_resident, checked_at, china_day, slot) "
        "VALUES (gen_random_uuid(), '",
        order, "', '", who, "', 36.5, false, 'x', true, now() - interval '1 day', '", yesterday,
        "', ", slot, ")"));
  }
  quarantine::v1::ListNonReportingRequest req;
  req.set_area_code(kScope);
  req.set_date(yesterday);
  quarantine::v1::ListNonReportingResponse out;
  ASSERT_TRUE(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out).ok());
  EXPECT_EQ(out.date(), yesterday);
  ASSERT_EQ(out.entries_size(), 2);
  std::map<std::string, std::pair<int, int>> got;
  for (const auto& e : out.entries()) {
    got[e.resident_id()] = {e.expected(), e.done()};
    EXPECT_EQ(e.order_id(), order);
    EXPECT_EQ(e.household_id(), household_);
    EXPECT_EQ(e.area_code(), kArea);
  }
  EXPECT_EQ(got[b], std::make_pair(2, 1));
  EXPECT_EQ(got[c], std::make_pair(2, 0));
  EXPECT_EQ(got.count(a), 0u);
  EXPECT_TRUE(out.next_page_token().empty());

  // One at a time: the same two, then no more.
  req.set_page_size(1);
  ASSERT_TRUE(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out).ok());
  ASSERT_EQ(out.entries_size(), 1);
  const std::string first = out.entries(0).resident_id();
  ASSERT_FALSE(out.next_page_token().empty());
  req.set_page_token(out.next_page_token());
  ASSERT_TRUE(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out).ok());
  ASSERT_EQ(out.entries_size(), 1);
  EXPECT_NE(out.entries(0).resident_id(), first);
  EXPECT_TRUE(out.next_page_token().empty());

  // Bad input and scope.
  req.clear_page_token();
  req.set_date(ChinaDay(1));
  EXPECT_TRUE(
      IsInvalidNaming(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out), "date"));
  req.set_date(yesterday);
  req.set_page_token("garbage");
  EXPECT_TRUE(IsInvalidNaming(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out),
                              "page_token"));
  req.clear_page_token();
  EXPECT_EQ(stub_->ListNonReporting(CallContextWith(other_grid_).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->ListNonReporting(CallContextWith(volunteer_).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(QuarantineCheckInTest, StaffOutOfScopeCannotTellWhetherSomeoneIsIsolated) {
  InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
  CheckIn out;
  const grpc::Status isolated = Record(other_grid_, resident_, 36.5, {}, &out);
  const grpc::Status not_isolated = Record(other_grid_, NewUuid(*server_), 36.5, {}, &out);
  EXPECT_EQ(isolated.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(isolated.error_code(), not_isolated.error_code());
  EXPECT_EQ(isolated.error_message(), not_isolated.error_message());
  // A resident grant over the area is no staff scope, also on a staff account.
  const std::string mixed =
      tokens_.MintGrants("grid-8", {{"grid_worker", "gongyi.other"}, {"resident", kScope}});
  EXPECT_EQ(Record(mixed, resident_, 36.5, {}, &out).error_message(), isolated.error_message());
  quarantine::v1::ListCheckInsRequest list;
  list.set_resident_id(resident_);
  list.set_from_date(ChinaDay(-1));
  list.set_to_date(ChinaDay(0));
  quarantine::v1::ListCheckInsResponse listed;
  EXPECT_EQ(stub_->ListCheckIns(CallContextWith(mixed).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string neighbour = ResidentToken(tokens_, NewUuid(*server_), kScope);
  const grpc::Status by_neighbour = Record(neighbour, resident_, 36.5, {}, &out);
  EXPECT_EQ(by_neighbour.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Record(neighbour, NewUuid(*server_), 36.5, {}, &out).error_message(),
            by_neighbour.error_message());
  EXPECT_EQ(server_->Count("quarantine.check_ins"), "0");
}

TEST_F(QuarantineCheckInTest, FellowMembersOfAnActiveOrderActForEachOther) {
  // A parent records and reads for a child in the same order, and reads the child's pass.
  const std::string child = NewUuid(*server_);
  const std::string order =
      InsertIsolationOrderForTest(*server_, household_, kArea, {resident_, child});
  CheckIn out;
  ASSERT_TRUE(Record(Me(), child, 38.0, {}, &out).ok());
  EXPECT_EQ(out.resident_id(), child);
  EXPECT_EQ(out.order_id(), order);
  EXPECT_EQ(out.recorded_by(), resident_);
  EXPECT_TRUE(out.by_resident());  // a household member, not staff
  EXPECT_FALSE(out.follow_up_flag_id().empty());

  quarantine::v1::ListCheckInsRequest list;
  list.set_resident_id(child);
  list.set_from_date(ChinaDay(-1));
  list.set_to_date(ChinaDay(0));
  quarantine::v1::ListCheckInsResponse listed;
  ASSERT_TRUE(stub_->ListCheckIns(CallContextWith(Me()).get(), list, &listed).ok());
  ASSERT_EQ(listed.check_ins_size(), 1);
  EXPECT_EQ(listed.check_ins(0).check_in_id(), out.check_in_id());

  quarantine::v1::GetPassStatusRequest pass_req;
  pass_req.set_resident_id(child);
  quarantine::v1::PassStatus pass;
  ASSERT_TRUE(passes_->GetPassStatus(CallContextWith(Me()).get(), pass_req, &pass).ok());
  EXPECT_EQ(pass.colour(), quarantine::v1::PASS_COLOUR_RED);
  EXPECT_TRUE(Has(Codes(pass), "follow_up"));  // the reasons too, as for the child

  // Someone in no shared order: refused, whether or not the person is isolated.
  const std::string neighbour = ResidentToken(tokens_, NewUuid(*server_), kArea);
  for (const std::string& who : {child, NewUuid(*server_)}) {
    EXPECT_EQ(Record(neighbour, who, 36.5, {}, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    list.set_resident_id(who);
    EXPECT_EQ(stub_->ListCheckIns(CallContextWith(neighbour).get(), list, &listed).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    pass_req.set_resident_id(who);
    EXPECT_EQ(
        passes_->GetPassStatus(CallContextWith(neighbour).get(), pass_req, &pass).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }

  // Once the order is released the household scope ends; the own pass stays readable.
  ReleaseIsolationOrderForTest(*server_, order);
  pass_req.set_resident_id(child);
  EXPECT_EQ(passes_->GetPassStatus(CallContextWith(Me()).get(), pass_req, &pass).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  list.set_resident_id(child);
  EXPECT_EQ(stub_->ListCheckIns(CallContextWith(Me()).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pass_req.set_resident_id(resident_);
  EXPECT_TRUE(passes_->GetPassStatus(CallContextWith(Me()).get(), pass_req, &pass).ok());
}

TEST_F(QuarantineCheckInTest, NonReportingReadsABoundedNumberOfMembersPerCall) {
  // 2,600 members who all reported yesterday, then one who did not, in an area that sorts
  // after theirs: one call reads at most 2,500 members, so the first page is empty with
  // a token, and the next one finds the missing member.
  const std::string yesterday = ChinaDay(-1);
  const std::string order = InsertIsolationOrderForTest(*server_, household_, kArea, {}, -3, 96);
  server_->Query(
      absl::StrCat("INSERT INTO quarantine.isolation_order_members (order_id, resident_id, name) "
                   "SELECT '",
                   order, "', gen_random_uuid(), 'member' FROM generate_series(1, 2600)"));
  server_->Query(absl::StrCat(
      "INSERT INTO quarantine.check_ins (check_in_id, order_id, resident_id, "
      "temperature_celsius, abnormal, recorded_by, by_resident, checked_at, china_day, slot) "
      "SELECT gen_random_uuid(), m.order_id, m.resident_id, 36.5, false, 'x', true, "
      "now() - interval '1 day', '",
      yesterday, "', s FROM quarantine.isolation_order_members m, generate_series(0, 1) s"));
  const std::string late = NewUuid(*server_);
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), std::string(kScope) + ".zz", {late}, -3,
                              96);

  quarantine::v1::ListNonReportingRequest req;
  req.set_area_code(kScope);
  req.set_date(yesterday);
  quarantine::v1::ListNonReportingResponse out;
  ASSERT_TRUE(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out).ok());
  EXPECT_EQ(out.entries_size(), 0);
  ASSERT_FALSE(out.next_page_token().empty());
  req.set_page_token(out.next_page_token());
  ASSERT_TRUE(stub_->ListNonReporting(CallContextWith(grid_).get(), req, &out).ok());
  ASSERT_EQ(out.entries_size(), 1);
  EXPECT_EQ(out.entries(0).resident_id(), late);
  EXPECT_EQ(out.entries(0).done(), 0);
  EXPECT_TRUE(out.next_page_token().empty());
}

}  // namespace
}  // namespace fangxian::testing
