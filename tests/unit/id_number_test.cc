#include "services/identity/id_number.h"

#include <gtest/gtest.h>

namespace fangxian::identity {
namespace {

const absl::CivilDay kToday(2026, 11, 29);

// Builds a valid number from its first 17 digits.
std::string WithCheck(const std::string& first17) { return first17 + IdCheckCharacter(first17); }

TEST(IdNumberTest, CheckCharacterMatchesKnownNumbers) {
  // The standard's worked example: 11010519491231002X.
  EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
  EXPECT_EQ(IdCheckCharacter("44052418800101001"), '4');
}

TEST(IdNumberTest, AcceptsValidNumberAndUppercasesX) {
  auto id = NormalizeIdNumber(" 11010519491231002x ", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "11010519491231002X");
}

TEST(IdNumberTest, ConvertsLegacyFifteenDigits) {
  auto id = NormalizeIdNumber("410181800101123", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, WithCheck("41018119800101123"));
}

TEST(IdNumberTest, RejectsWrongCheckCharacter) {
  std::string id = WithCheck("41018119900307123");
  id[17] = id[17] == '0' ? '1' : '0';
  auto r = NormalizeIdNumber(id, kToday);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("check character"), absl::string_view::npos);
  // The message never echoes the number.
  EXPECT_EQ(r.status().message().find(id.substr(0, 10)), absl::string_view::npos);
}

TEST(IdNumberTest, RejectsBadRegionCodes) {
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("00000019900307123"), kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("99018119900307123"), kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41000019900307123"), kToday).ok());  // province level
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("16010119900307123"), kToday).ok());  // no province 16
}

TEST(IdNumberTest, AcceptsResidencePermitsOfHongKongMacaoAndTaiwanResidents) {
  for (const char* region : {"810000", "820000", "830000"}) {
    EXPECT_TRUE(NormalizeIdNumber(WithCheck(std::string(region) + "19900307123"), kToday).ok())
        << region;
  }
}

TEST(IdNumberTest, RejectsImpossibleAndFutureBirthDates) {
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41018119900230123"), kToday).ok());  // Feb 30
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41018119901301123"), kToday).ok());  // month 13
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41018118991231123"), kToday).ok());  // before 1900
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41018120261130123"), kToday).ok());  // tomorrow
  EXPECT_TRUE(NormalizeIdNumber(WithCheck("41018120261129123"), kToday).ok());   // today
  EXPECT_TRUE(NormalizeIdNumber(WithCheck("41018120000229123"), kToday).ok());   // leap day
}

TEST(IdNumberTest, RejectsWrongLengthAndCharacters) {
  EXPECT_FALSE(NormalizeIdNumber("", kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber("4101811990030712", kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber("41018119900307123A", kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber("4101811990X307123X", kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber("41018180010112X", kToday).ok());
  EXPECT_FALSE(NormalizeIdNumber(WithCheck("41018119900307123") + "3", kToday).ok());  // 19
  // Full-width digits are not the number the card shows digit for digit: refused, with
  // a reason, rather than silently converted.
  auto full_width = NormalizeIdNumber("４１０１８１１９９００３０７１２３６", kToday);
  EXPECT_EQ(full_width.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(IdNumberTest, MasksAllButFirstThreeAndLastFour) {
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "110***********002X");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_TRUE(IsMobilePhone("13812345678"));
  EXPECT_FALSE(IsMobilePhone("12812345678"));
  EXPECT_FALSE(IsMobilePhone("1381234567"));
}

}  // namespace
}  // namespace fangxian::identity
