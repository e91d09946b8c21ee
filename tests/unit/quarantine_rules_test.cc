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

TEST(QuarantineRulesTest, AcceptsValidPerson) {
  EXPECT_TRUE(ValidateNewPersonOfInterest(Valid(), kNow).ok())
      << ValidateNewPersonOfInterest(Valid(), kNow);
  v1::PersonOfInterest p = Valid();
  p.clear_origin_region();
  p.clear_arrival_date();  // both optional
  EXPECT_TRUE(ValidateNewPersonOfInterest(p, kNow).ok());
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

TEST(QuarantineRulesTest, AreaCodeMustBeAPath) {
  v1::PersonOfInterest p = Valid();
  p.clear_area_code();
  ExpectRejected(p, "person.area_code");
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
