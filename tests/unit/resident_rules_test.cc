// UpdateResident's request validation (pure: no storage).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "services/identity/residents.h"

namespace fangxian::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kId[] = "5f0c2a1e-3b4d-4c5e-8f90-a1b2c3d4e5f6";

v1::UpdateResidentRequest Request(std::initializer_list<const char*> paths) {
  v1::UpdateResidentRequest req;
  req.set_resident_id(kId);
  req.mutable_resident()->set_name("欧阳·娜娜");
  req.mutable_resident()->set_phone("13912345678");
  req.mutable_resident()->set_area_code("gongyi.dufulu.yimin");
  for (const char* p : paths) req.mutable_update_mask()->add_paths(p);
  return req;
}

absl::Status Check(const v1::UpdateResidentRequest& req) {
  return CheckResidentUpdate(req).status();
}

TEST(CheckResidentUpdateTest, ReturnsTheNamedFieldsOnceInOrder) {
  auto fields = CheckResidentUpdate(Request({"area_code", "name", "area_code"}));
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, ElementsAre("name", "area_code"));
}

TEST(CheckResidentUpdateTest, NamesWithTheMiddleDotAndSqlOrEmojiAreText) {
  auto req = Request({"name"});
  EXPECT_TRUE(Check(req).ok());
  req.mutable_resident()->set_name("Robert'); DROP TABLE residents;--");
  EXPECT_TRUE(Check(req).ok());
  req.mutable_resident()->set_name("小明😀");
  EXPECT_TRUE(Check(req).ok());
}

TEST(CheckResidentUpdateTest, RefusesTheIdNumberAndUnknownFields) {
  absl::Status s = Check(Request({"name", "id_number"}));
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("ID number cannot change"));
  s = Check(Request({"create_time"}));
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("create_time"));
  EXPECT_TRUE(absl::IsInvalidArgument(Check(Request({}))));
}

TEST(CheckResidentUpdateTest, RefusesMalformedNamedFieldsOnly) {
  auto req = Request({"name"});
  req.mutable_resident()->set_name("");
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));
  req.mutable_resident()->set_name(std::string(65, 'a'));
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));
  req.mutable_resident()->set_name(std::string(64, 'a'));
  EXPECT_TRUE(Check(req).ok());
  req.mutable_resident()->set_name("张\n三");
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));
  req.mutable_resident()->set_name("张\x7f三");
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));

  req = Request({"phone"});
  for (const char* bad : {"1381234567", "138123456789", "23812345678", "1381234567a"}) {
    req.mutable_resident()->set_phone(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(Check(req))) << bad;
  }
  req.mutable_resident()->set_phone("");  // clears the phone
  EXPECT_TRUE(Check(req).ok());

  req = Request({"area_code"});
  req.mutable_resident()->set_area_code("Gongyi/Dufulu");
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));
  // A field not named is not looked at.
  req = Request({"name"});
  req.mutable_resident()->set_phone("not a phone");
  EXPECT_TRUE(Check(req).ok());
}

TEST(CheckResidentUpdateTest, NeedsAUuid) {
  auto req = Request({"name"});
  req.set_resident_id("42");
  EXPECT_TRUE(absl::IsInvalidArgument(Check(req)));
}

}  // namespace
}  // namespace fangxian::identity
