#include <gtest/gtest.h>

#include "services/quarantine/persons_of_interest.h"

namespace fangxian::quarantine {
namespace {

// 2024-03-01 16:30 UTC is already 2024-03-02 00:30 in China Standard Time.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2024, 3, 1, 16, 30, 0), absl::UTCTimeZone());

v1::PersonOfInterest Valid() {
  v1::PersonOfInterest p;
  p.set_resident_id("0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13");
  p.set_category(v1::CATEGORY_RETURNEE);
  p.set_source(v1::SOURCE_SWEEP);
  p.set_area_code("gongyi.dufulu.longhai");
  p.set_origin_region("武汉");
  p.set_arrival_date("2024-02-20");
  return p;
}

void ExpectRejected(const v1::PersonOfInterest& p, const std::string& field) {
  absl::Status s = ValidateNewPersonOfInterest(p, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), absl::string_view::npos) << s;
}

v1::PersonOfInterest ValidContact() {
  v1::PersonOfInterest p = Valid();
  p.set_category(v1::CATEGORY_CLOSE_CONTACT);
  p.clear_arrival_date();
  p.set_contact_of("case 12 of the county bulletin");
  p.set_contact_date("2024-02-25");
  return p;
}

TEST(QuarantineRulesTest, AcceptsValidPerson) {
  EXPECT_TRUE(ValidateNewPersonOfInterest(Valid(), kNow).ok())
      << ValidateNewPersonOfInterest(Valid(), kNow);
  v1::PersonOfInterest p = Valid();
  p.clear_origin_region();  // optional
  p.set_risk_level(v1::RISK_LEVEL_HIGH);
  p.set_travel_mode(v1::TRAVEL_MODE_TRAIN);
  p.set_note("came back with two relatives");
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok()) << ValidateNewPersonOfInterest(p, kNow);
  EXPECT_TRUE(ValidateNewPersonOfInterest(ValidContact(), kNow).ok())
      << ValidateNewPersonOfInterest(ValidContact(), kNow);
  p = ValidContact();
  p.clear_contact_of();  // whom may be unknown
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
}

TEST(QuarantineRulesTest, ReturneesNeedAnArrivalDateAndKnownTravelMode) {
  v1::PersonOfInterest p = Valid();
  p.clear_arrival_date();
  ExpectRejected(p, "person.arrival_date");
  p = Valid();
  p.set_travel_mode(static_cast<v1::TravelMode>(6));
  ExpectRejected(p, "person.travel_mode");
  p = Valid();
  p.set_contact_date("2024-02-20");  // not a close contact
  ExpectRejected(p, "person.contact_date");
  p = Valid();
  p.set_contact_of("someone");
  ExpectRejected(p, "person.contact_of");
}

TEST(QuarantineRulesTest, CloseContactsNeedAPastContactDate) {
  v1::PersonOfInterest p = ValidContact();
  p.clear_contact_date();
  ExpectRejected(p, "person.contact_date");
  p.set_contact_date("2024-02-30");
  ExpectRejected(p, "person.contact_date");
  p.set_contact_date("2024-03-02");  // today in China
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
  p.set_contact_date("2024-03-03");
  ExpectRejected(p, "person.contact_date");
  p = ValidContact();
  p.set_contact_of(std::string(100, 'a'));
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
  p.set_contact_of(std::string(101, 'a'));
  ExpectRejected(p, "person.contact_of");
  p.set_contact_of("line\nbreak");
  ExpectRejected(p, "person.contact_of");
  // Returnee-only fields.
  p = ValidContact();
  p.set_arrival_date("2024-02-20");
  ExpectRejected(p, "person.arrival_date");
  p = ValidContact();
  p.set_travel_mode(v1::TRAVEL_MODE_CAR);
  ExpectRejected(p, "person.travel_mode");
}

TEST(QuarantineRulesTest, FeverReferralsComeOnlyFromCheckpointAlerts) {
  v1::PersonOfInterest p = Valid();
  p.clear_arrival_date();
  p.set_category(v1::CATEGORY_FEVER_REFERRAL);
  for (v1::Source source :
       {v1::SOURCE_CHECKPOINT, v1::SOURCE_SELF_REPORT, v1::SOURCE_SWEEP, v1::SOURCE_OTHER_SYSTEM}) {
    p.set_source(source);
    ExpectRejected(p, "person.category FEVER_REFERRAL");
  }
}

TEST(QuarantineRulesTest, RiskLevelAndNoteAreBounded) {
  v1::PersonOfInterest p = Valid();
  p.set_risk_level(static_cast<v1::RiskLevel>(4));
  ExpectRejected(p, "person.risk_level");
  p = Valid();
  p.set_note(std::string(500, 'n'));
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
  p.set_note(std::string(501, 'n'));
  ExpectRejected(p, "person.note");
}

TEST(QuarantineRulesTest, CloseNeedsANote) {
  EXPECT_TRUE(ValidateCloseNote("14 days without symptoms").ok());
  EXPECT_EQ(ValidateCloseNote("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCloseNote(std::string(501, 'x')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ValidateCloseNote("").message().find("note"), absl::string_view::npos);
}

TEST(QuarantineRulesTest, ResidentIdMustBeUuid) {
  v1::PersonOfInterest p = Valid();
  p.clear_resident_id();
  ExpectRejected(p, "person.resident_id");
  p.set_resident_id("not-a-uuid");
  ExpectRejected(p, "person.resident_id");
  p.set_resident_id("0B0E5C1A-8F3D-4C2E-9A71-2D4F6B8C0E13");
  ExpectRejected(p, "person.resident_id");
}

TEST(QuarantineRulesTest, CategoryAndSourceMustBeKnown) {
  v1::PersonOfInterest p = Valid();
  p.set_category(v1::CATEGORY_UNSPECIFIED);
  ExpectRejected(p, "person.category");
  p.set_category(static_cast<v1::Category>(42));
  ExpectRejected(p, "person.category");
  p = Valid();
  p.set_source(v1::SOURCE_UNSPECIFIED);
  ExpectRejected(p, "person.source");
  p.set_source(static_cast<v1::Source>(-1));
  ExpectRejected(p, "person.source");
}

TEST(QuarantineRulesTest, AreaCodeIsOptionalButMustBeAPath) {
  v1::PersonOfInterest p = Valid();
  // Empty: the record takes the resident's registered area (asked of identity).
  p.clear_area_code();
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
  p.set_area_code("gongyi..longhai");
  ExpectRejected(p, "person.area_code");
}

TEST(QuarantineRulesTest, OriginRegionIsBounded) {
  v1::PersonOfInterest p = Valid();
  p.set_origin_region(std::string(100, 'a'));
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
  p.set_origin_region(std::string(101, 'a'));
  ExpectRejected(p, "person.origin_region");
}

TEST(QuarantineRulesTest, ArrivalDateMustBeARealIsoDate) {
  v1::PersonOfInterest p = Valid();
  for (const char* bad : {"2024-2-20", "2024/02/20", "20240220", "2023-02-29", "2024-13-01",
                          "2024-04-31", " 2024-02-20", "+024-02-20", "2024-02-20T00:00"}) {
    p.set_arrival_date(bad);
    ExpectRejected(p, "person.arrival_date");
  }
  p.set_arrival_date("2024-02-29");  // leap day
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
}

TEST(QuarantineRulesTest, ArrivalDateNotInTheFutureInChina) {
  v1::PersonOfInterest p = Valid();
  p.set_arrival_date("2024-03-02");  // today in China, though still 03-01 in UTC
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok()) << ValidateNewPersonOfInterest(p, kNow);
  p.set_arrival_date("2024-03-03");
  ExpectRejected(p, "person.arrival_date");
}

}  // namespace
}  // namespace fangxian::quarantine
