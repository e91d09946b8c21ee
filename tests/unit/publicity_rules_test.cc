#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/publicity/contents.h"

namespace fangxian::publicity {
namespace {

v1::Content Valid() {
  v1::Content c;
  c.set_kind(v1::CONTENT_KIND_ARTICLE);
  c.set_title("致全体居民的一封信");
  c.set_body("# 通告\n\n\t请配合卡点登记。");
  c.set_series("她系列");
  c.add_area_codes("gongyi.dufulu");
  return c;
}

void ExpectRejected(const v1::Content& c, const std::string& field) {
  absl::Status s = ValidateNewContent(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), absl::string_view::npos) << s;
}

TEST(PublicityRulesTest, AcceptsValidContent) {
  EXPECT_TRUE(ValidateNewContent(Valid()).ok()) << ValidateNewContent(Valid());
  v1::Content c = Valid();
  c.clear_body();
  c.clear_series();  // both optional
  EXPECT_TRUE(ValidateNewContent(c).ok());
}

TEST(PublicityRulesTest, KindMustBeKnown) {
  v1::Content c = Valid();
  c.set_kind(v1::CONTENT_KIND_UNSPECIFIED);
  ExpectRejected(c, "content.kind");
  c.set_kind(static_cast<v1::ContentKind>(6));
  ExpectRejected(c, "content.kind");
}

TEST(PublicityRulesTest, TitleIsRequiredAndBounded) {
  v1::Content c = Valid();
  c.clear_title();
  ExpectRejected(c, "content.title");
  std::string title;
  for (int i = 0; i < 200; ++i) title += "通";
  c.set_title(title);
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.set_title(title + "x");
  ExpectRejected(c, "content.title");
}

TEST(PublicityRulesTest, BodyIsBoundedInBytes) {
  v1::Content c = Valid();
  c.set_body(std::string(kMaxBodyBytes, 'a'));
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.set_body(std::string(kMaxBodyBytes + 1, 'a'));
  ExpectRejected(c, "content.body");
}

TEST(PublicityRulesTest, BodyMustBeStorableText) {
  v1::Content c = Valid();
  c.set_body(std::string("before\0after", 12));
  ExpectRejected(c, "content.body");
  c.set_body("\xff\xfe");
  ExpectRejected(c, "content.body");
}

TEST(PublicityRulesTest, SeriesIsBounded) {
  v1::Content c = Valid();
  c.set_series(std::string(50, 's'));
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.set_series(std::string(51, 's'));
  ExpectRejected(c, "content.series");
}

TEST(PublicityRulesTest, AreasMustBeValidUniqueAndBounded) {
  v1::Content c = Valid();
  c.clear_area_codes();
  ExpectRejected(c, "content.area_codes");
  c.add_area_codes("UPPER");
  ExpectRejected(c, "content.area_codes");
  c = Valid();
  c.add_area_codes("gongyi.dufulu");
  ExpectRejected(c, "content.area_codes");
  c = Valid();
  c.clear_area_codes();
  for (int i = 0; i < 100; ++i) c.add_area_codes(absl::StrCat("gongyi.c", i));
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.add_area_codes("gongyi.c100");
  ExpectRejected(c, "content.area_codes");
}

}  // namespace
}  // namespace fangxian::publicity
