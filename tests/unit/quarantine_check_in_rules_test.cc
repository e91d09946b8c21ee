// The rules of health check-ins and "love knocking" service requests that need no
// database: input validation, abnormal check-ins, expected slots, the status machine and
// what a volunteer sees.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "common/validate.h"
#include "services/quarantine/check_in_rules.h"

namespace fangxian::quarantine {
namespace {

v1::RecordCheckInRequest CheckIn(double celsius) {
  v1::RecordCheckInRequest req;
  req.set_resident_id("0b7c6c3e-2f1a-4d5b-9c8e-7a6b5c4d3e2f");
  req.set_temperature_celsius(celsius);
  return req;
}

TEST(CheckInRulesTest, TemperatureIsKeptInTenthsWithinTheMeasurableRange) {
  EXPECT_EQ(*TemperatureTenths(36.5), 365);
  EXPECT_EQ(*TemperatureTenths(34.0), 340);
  EXPECT_EQ(*TemperatureTenths(43.0), 430);
  EXPECT_EQ(*TemperatureTenths(37.25), 373);  // half away from zero
  EXPECT_EQ(TenthsText(373), "37.3");
  EXPECT_EQ(TenthsText(400), "40.0");
  for (double bad : {33.9, 43.1, 0.0, -36.5, 100.0, std::nan(""), HUGE_VAL}) {
    absl::StatusOr<int> t = TemperatureTenths(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(t.status().message(), "temperature_celsius"));
    EXPECT_TRUE(absl::StrContains(t.status().message(), "measure again"));
  }
}

TEST(CheckInRulesTest, SymptomsMustBeKnownAndListedOnce) {
  v1::RecordCheckInRequest req = CheckIn(36.6);
  req.add_symptoms(v1::SYMPTOM_COUGH);
  req.add_symptoms(v1::SYMPTOM_FATIGUE);
  EXPECT_EQ(*ValidateCheckIn(req), 366);

  req.add_symptoms(v1::SYMPTOM_COUGH);
  absl::Status dup = ValidateCheckIn(req).status();
  EXPECT_EQ(dup.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(dup.message(), "symptoms[2]")) << dup;

  v1::RecordCheckInRequest unknown = CheckIn(36.6);
  unknown.add_symptoms(static_cast<v1::Symptom>(42));
  EXPECT_TRUE(absl::StrContains(ValidateCheckIn(unknown).status().message(), "symptoms[0]"));
  v1::RecordCheckInRequest unspecified = CheckIn(36.6);
  unspecified.add_symptoms(v1::SYMPTOM_UNSPECIFIED);
  EXPECT_EQ(ValidateCheckIn(unspecified).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckInRulesTest, ResidentIdAndNoteAreChecked) {
  v1::RecordCheckInRequest req = CheckIn(36.6);
  req.set_resident_id("not-a-uuid");
  EXPECT_TRUE(absl::StrContains(ValidateCheckIn(req).status().message(), "resident_id"));
  req = CheckIn(36.6);
  req.set_note(std::string(501, 'a'));
  EXPECT_TRUE(absl::StrContains(ValidateCheckIn(req).status().message(), "note"));
}

TEST(CheckInRulesTest, AbnormalFromThirtySevenPointThreeOrAnySymptom) {
  EXPECT_FALSE(IsAbnormal(372, 0));
  EXPECT_TRUE(IsAbnormal(373, 0));
  EXPECT_TRUE(IsAbnormal(365, 1));
}

// 2026-03-05 00:00 China time.
absl::Time DayStart() {
  absl::CivilDay day(2026, 3, 5);
  return common::ChinaDayStart(day);
}

TEST(CheckInRulesTest, ExpectedSlotsAreThoseEndedByNow) {
  const absl::CivilDay day(2026, 3, 5);
  const absl::Time made = DayStart() - absl::Hours(48);
  // Twice a day: slots end at 12:00 and 24:00 China time.
  EXPECT_TRUE(ExpectedSlots(day, 2, DayStart() + absl::Hours(11), made, std::nullopt).empty());
  EXPECT_EQ(ExpectedSlots(day, 2, DayStart() + absl::Hours(12), made, std::nullopt),
            std::vector<int>({0}));
  EXPECT_EQ(ExpectedSlots(day, 2, DayStart() + absl::Hours(30), made, std::nullopt),
            std::vector<int>({0, 1}));
  // A past day: every slot.
  EXPECT_EQ(ExpectedSlots(day, 3, DayStart() + absl::Hours(100), made, std::nullopt),
            std::vector<int>({0, 1, 2}));
}

TEST(CheckInRulesTest, SlotsBeforeTheOrderWasMadeOrAfterItsReleaseAreNotExpected) {
  const absl::CivilDay day(2026, 3, 5);
  const absl::Time later = DayStart() + absl::Hours(100);
  // Made at 10:00, while the morning slot was under way: it is not owed (SlotOwed, the
  // colour's rule too); the afternoon one is. Made at midnight, both are.
  EXPECT_EQ(ExpectedSlots(day, 2, later, DayStart() + absl::Hours(10), std::nullopt),
            std::vector<int>({1}));
  EXPECT_EQ(ExpectedSlots(day, 2, later, DayStart() + absl::Hours(13), std::nullopt),
            std::vector<int>({}));
  EXPECT_EQ(ExpectedSlots(day, 2, later, DayStart() + absl::Hours(12), std::nullopt),
            std::vector<int>({1}));
  EXPECT_EQ(ExpectedSlots(day, 2, later, DayStart(), std::nullopt), std::vector<int>({0, 1}));
  // Released at 15:00: only the morning slot.
  EXPECT_EQ(
      ExpectedSlots(day, 2, later, DayStart() - absl::Hours(48), DayStart() + absl::Hours(15)),
      std::vector<int>({0}));
}

TEST(CheckInRulesTest, FilledCountCountsOnlyExpectedSlots) {
  EXPECT_EQ(FilledCount({0, 1}, {}), 0);
  EXPECT_EQ(FilledCount({0, 1}, {1}), 1);
  EXPECT_EQ(FilledCount({0}, {1, 2}), 0);  // a check-in in a later slot does not make up
  EXPECT_EQ(FilledCount({0, 1, 2}, {0, 1, 2}), 3);
}

TEST(CheckInRulesTest, DayRangeIsAtMostThirtyOneDays) {
  absl::CivilDay from;
  absl::CivilDay to;
  EXPECT_TRUE(ParseDayRange("2026-03-01", "2026-03-31", &from, &to).ok());
  EXPECT_TRUE(absl::StrContains(ParseDayRange("2026-03-01", "2026-04-01", &from, &to).message(),
                                "to_date"));
  EXPECT_TRUE(absl::StrContains(ParseDayRange("2026-03-02", "2026-03-01", &from, &to).message(),
                                "to_date"));
  EXPECT_TRUE(absl::StrContains(ParseDayRange("2026-3-1", "2026-03-01", &from, &to).message(),
                                "from_date"));
}

v1::ServiceRequest NewRequest() {
  v1::ServiceRequest r;
  r.set_household_id("0b7c6c3e-2f1a-4d5b-9c8e-7a6b5c4d3e2f");
  r.set_kind(v1::SERVICE_REQUEST_KIND_PURCHASE);
  r.set_items("rice 5 kg, eggs");
  r.set_contact_name("Li");
  r.set_delivery_address("Building 3, unit 2, room 401");
  r.set_phone("13812345678");
  return r;
}

TEST(ServiceRequestRulesTest, NewRequestFieldsAreChecked) {
  EXPECT_TRUE(ValidateNewServiceRequest(NewRequest()).ok());
  struct Case {
    void (*mutate)(v1::ServiceRequest&);
    const char* field;
  };
  const Case cases[] = {
      {[](v1::ServiceRequest& r) { r.set_household_id("x"); }, "request.household_id"},
      {[](v1::ServiceRequest& r) { r.clear_kind(); }, "request.kind"},
      {[](v1::ServiceRequest& r) { r.set_kind(static_cast<v1::ServiceRequestKind>(9)); },
       "request.kind"},
      {[](v1::ServiceRequest& r) { r.clear_items(); }, "request.items"},
      {[](v1::ServiceRequest& r) { r.set_items(std::string(501, 'a')); }, "request.items"},
      {[](v1::ServiceRequest& r) { r.clear_contact_name(); }, "request.contact_name"},
      {[](v1::ServiceRequest& r) { r.set_delivery_address(std::string(201, 'a')); },
       "request.delivery_address"},
      {[](v1::ServiceRequest& r) { r.clear_phone(); }, "request.phone"},
      {[](v1::ServiceRequest& r) { r.set_phone("call me"); }, "request.phone"},
  };
  for (const Case& c : cases) {
    v1::ServiceRequest r = NewRequest();
    c.mutate(r);
    absl::Status s = ValidateNewServiceRequest(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StrContains(s.message(), c.field)) << s;
  }
}

TEST(ServiceRequestRulesTest, ContactPhonesAreMobilesOrLandlines) {
  EXPECT_TRUE(IsContactPhone("13812345678"));
  EXPECT_TRUE(IsContactPhone("0371-6123 4567"));
  EXPECT_TRUE(IsContactPhone("+86 138 1234 5678"));
  EXPECT_FALSE(IsContactPhone("1234"));
  EXPECT_FALSE(IsContactPhone("138+12345678"));
  EXPECT_FALSE(IsContactPhone("-- -- --"));
  EXPECT_FALSE(IsContactPhone(std::string(21, '1')));
}

TEST(ServiceRequestRulesTest, StatusMachine) {
  using S = v1::ServiceRequestStatus;
  const S open = v1::SERVICE_REQUEST_STATUS_OPEN, assigned = v1::SERVICE_REQUEST_STATUS_ASSIGNED,
          progress = v1::SERVICE_REQUEST_STATUS_IN_PROGRESS,
          delivered = v1::SERVICE_REQUEST_STATUS_DELIVERED,
          confirmed = v1::SERVICE_REQUEST_STATUS_CONFIRMED,
          cancelled = v1::SERVICE_REQUEST_STATUS_CANCELLED;
  const S all[] = {open, assigned, progress, delivered, confirmed, cancelled};
  const std::vector<std::pair<S, S>> legal = {
      {open, assigned},       {assigned, assigned}, {assigned, progress},  {progress, delivered},
      {delivered, confirmed}, {open, cancelled},    {assigned, cancelled}, {progress, cancelled}};
  for (S from : all) {
    for (S to : all) {
      const bool ok =
          std::find(legal.begin(), legal.end(), std::make_pair(from, to)) != legal.end();
      absl::Status s = CheckTransition(from, to);
      EXPECT_EQ(s.ok(), ok) << StatusName(from) << " -> " << StatusName(to);
      if (!ok) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_TRUE(absl::StrContains(s.message(), StatusName(from))) << s;
      }
    }
  }
}

TEST(ServiceRequestRulesTest, VolunteerViewCarriesOnlyWhatTheDeliveryNeeds) {
  v1::ServiceRequest r = NewRequest();
  r.set_request_id("11111111-2222-4333-8444-555555555555");
  r.set_order_id("21111111-2222-4333-8444-555555555555");
  r.set_area_code("gongyi.dufulu");
  r.set_created_by("resident-subject");
  r.set_volunteer_id("vol-1");
  r.set_status(v1::SERVICE_REQUEST_STATUS_IN_PROGRESS);
  v1::VolunteerView v = ToVolunteerView(r);
  EXPECT_EQ(v.request_id(), r.request_id());
  EXPECT_EQ(v.items(), r.items());
  EXPECT_EQ(v.delivery_address(), r.delivery_address());
  EXPECT_EQ(v.phone(), "13812345678");  // needed at the door
  // The message has no field for the household, order, area or creator at all.
  EXPECT_EQ(v.GetDescriptor()->FindFieldByName("household_id"), nullptr);
  EXPECT_EQ(v.GetDescriptor()->FindFieldByName("order_id"), nullptr);
  EXPECT_EQ(v.GetDescriptor()->FindFieldByName("area_code"), nullptr);

  r.set_status(v1::SERVICE_REQUEST_STATUS_DELIVERED);
  EXPECT_EQ(ToVolunteerView(r).phone(), "");  // not kept once the work is done
}

TEST(ServiceRequestRulesTest, ARepeatOfTheLastTransitionIsRecognised) {
  v1::ServiceRequest r = NewRequest();
  r.set_status(v1::SERVICE_REQUEST_STATUS_DELIVERED);
  r.set_volunteer_id("7a0c6a52-1d0e-4c39-9a51-000000000001");
  EXPECT_TRUE(IsRepeatedTransition(r, v1::SERVICE_REQUEST_STATUS_DELIVERED, r.volunteer_id()));
  EXPECT_FALSE(IsRepeatedTransition(r, v1::SERVICE_REQUEST_STATUS_IN_PROGRESS, r.volunteer_id()));
  EXPECT_FALSE(IsRepeatedTransition(r, v1::SERVICE_REQUEST_STATUS_CANCELLED, r.volunteer_id()));
  r.set_status(v1::SERVICE_REQUEST_STATUS_ASSIGNED);
  EXPECT_TRUE(IsRepeatedTransition(r, v1::SERVICE_REQUEST_STATUS_ASSIGNED, r.volunteer_id()));
  // Another volunteer is a reassignment, a real change.
  EXPECT_FALSE(IsRepeatedTransition(r, v1::SERVICE_REQUEST_STATUS_ASSIGNED,
                                    "7a0c6a52-1d0e-4c39-9a51-000000000002"));
}

}  // namespace
}  // namespace fangxian::quarantine
