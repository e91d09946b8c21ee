#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

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

TEST(PublicityRulesTest, MediaUrlGoesThroughTheMediaUrlRule) {
  v1::Content c = Valid();
  c.set_media_url("https://v.example.com/1.mp4");
  EXPECT_TRUE(ValidateNewContent(c).ok());
  for (const char* url :
       {"javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "http://127.0.0.1/",
        "http://10.1.2.3/", "http://169.254.169.254/", "http://identity/", "http://2130706433/"}) {
    c.set_media_url(url);
    ExpectRejected(c, "content.media_url");
  }
}

TEST(PublicityRulesTest, ExpireMustBeAfterPublish) {
  v1::Content c = Valid();
  c.mutable_publish_time()->set_seconds(1700000000);
  c.mutable_expire_time()->set_seconds(1700000000);
  ExpectRejected(c, "content.expire_time");
  c.mutable_expire_time()->set_seconds(1699999999);
  ExpectRejected(c, "content.expire_time");
  // Compared as stored, to the microsecond: 500 ns later is the same instant.
  c.mutable_expire_time()->set_seconds(1700000000);
  c.mutable_expire_time()->set_nanos(500);
  ExpectRejected(c, "content.expire_time");
  c.mutable_expire_time()->set_nanos(1000);
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.clear_publish_time();  // only an expiry: fine
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.mutable_expire_time()->set_nanos(-1);
  ExpectRejected(c, "content.expire_time");
  c = Valid();
  c.mutable_publish_time()->set_seconds(-70000000000);  // before year 1
  ExpectRejected(c, "content.publish_time");
}

TEST(PublicityRulesTest, TagsAreBoundedUniqueAndKeptInOrder) {
  v1::Content c = Valid();
  for (int i = 0; i < 20; ++i) c.add_tags(absl::StrCat("t", 20 - i));
  EXPECT_TRUE(ValidateNewContent(c).ok());
  const ContentBody body = ContentBodyFrom(c);
  ASSERT_EQ(body.tags.size(), 20u);
  EXPECT_EQ(body.tags.front(), "t20");  // as given, not sorted
  c.add_tags("t21");
  ExpectRejected(c, "content.tags");
  c = Valid();
  c.add_tags("防疫");
  c.add_tags("防疫");
  ExpectRejected(c, "content.tags");
  c = Valid();
  c.add_tags("");
  ExpectRejected(c, "content.tags");
  c = Valid();
  c.add_tags(std::string(30, 'x'));
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.add_tags(std::string(31, 'x'));
  ExpectRejected(c, "content.tags");
  c = Valid();
  c.add_tags(std::string("a\x1f") + "b");
  ExpectRejected(c, "content.tags");  // control characters (the storage separator) refused
}

TEST(PublicityRulesTest, OutletOnlyAndAlwaysOnMediaReports) {
  v1::Content c = Valid();
  c.set_outlet("河南日报");
  ExpectRejected(c, "content.outlet");
  c.clear_outlet();
  c.set_outlet_level(v1::OUTLET_LEVEL_CITY);
  ExpectRejected(c, "content.outlet_level");
  c = Valid();
  c.set_kind(v1::CONTENT_KIND_MEDIA_REPORT);
  ExpectRejected(c, "content.outlet");
  c.set_outlet("河南日报");
  ExpectRejected(c, "content.outlet_level");
  c.set_outlet_level(static_cast<v1::OutletLevel>(9));
  ExpectRejected(c, "content.outlet_level");
  c.set_outlet_level(v1::OUTLET_LEVEL_PROVINCE);
  EXPECT_TRUE(ValidateNewContent(c).ok());
  c.set_outlet(std::string(101, 'o'));
  ExpectRejected(c, "content.outlet");
}

TEST(PublicityRulesTest, StoredFormSortsAreasAndCutsTimesToMicroseconds) {
  v1::Content c = Valid();
  c.clear_area_codes();
  c.add_area_codes("gongyi.dufulu.yimin");
  c.add_area_codes("gongyi.dufulu.longhai");
  c.mutable_publish_time()->set_seconds(1700000000);
  c.mutable_publish_time()->set_nanos(123456789);
  const ContentBody body = ContentBodyFrom(c);
  ASSERT_EQ(body.area_codes.size(), 2u);
  EXPECT_EQ(body.area_codes[0], "gongyi.dufulu.longhai");
  EXPECT_EQ(*body.publish_at_micros, 1700000000123456);
  EXPECT_FALSE(body.expire_at_micros.has_value());
}

TEST(PublicityRulesTest, EachStepIsAllowedOnlyFromItsStates) {
  constexpr int kDraft = v1::CONTENT_STATE_DRAFT;
  constexpr int kReview = v1::CONTENT_STATE_IN_REVIEW;
  constexpr int kPublished = v1::CONTENT_STATE_PUBLISHED;
  constexpr int kArchived = v1::CONTENT_STATE_ARCHIVED;
  struct Case {
    ContentStep step;
    std::vector<int> allowed;
  };
  const std::vector<Case> cases = {
      {ContentStep::kUpdate, {kDraft}},
      {ContentStep::kSubmit, {kDraft}},
      {ContentStep::kRevise, {kPublished, kArchived}},
      {ContentStep::kApprove, {kReview}},
      {ContentStep::kReject, {kReview}},
      {ContentStep::kArchive, {kDraft, kReview, kPublished}},
  };
  for (const Case& c : cases) {
    for (int state : {kDraft, kReview, kPublished, kArchived}) {
      const bool allowed = std::find(c.allowed.begin(), c.allowed.end(), state) != c.allowed.end();
      const absl::Status s = CheckContentStep(c.step, state);
      EXPECT_EQ(s.ok(), allowed) << static_cast<int>(c.step) << " from " << state << ": " << s;
      if (!allowed) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
      }
    }
  }
  // Editing a published or archived item says to revise it; one in review, to wait.
  EXPECT_NE(CheckContentStep(ContentStep::kUpdate, kPublished).message().find("ReviseContent"),
            absl::string_view::npos);
  EXPECT_NE(CheckContentStep(ContentStep::kUpdate, kArchived).message().find("ReviseContent"),
            absl::string_view::npos);
  EXPECT_NE(CheckContentStep(ContentStep::kUpdate, kReview).message().find("wait for the review"),
            absl::string_view::npos);
  EXPECT_NE(CheckContentStep(ContentStep::kApprove, kDraft).message().find("SubmitForReview"),
            absl::string_view::npos);
}

TEST(PublicityRulesTest, StaleVersionIsAborted) {
  EXPECT_TRUE(CheckExpectedVersion(3, 3).ok());
  const absl::Status s = CheckExpectedVersion(2, 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_NE(s.message().find("re-read and retry"), absl::string_view::npos);
}

TEST(PublicityRulesTest, ReadyForReviewNeedsAVideoLinkAndAFutureExpiry) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  ContentRow row;
  row.content.kind = v1::CONTENT_KIND_VIDEO;
  EXPECT_EQ(CheckReadyForReview(row, now).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(CheckReadyForReview(row, now).message().find("content.media_url"),
            absl::string_view::npos);
  row.content.media_url = "https://v.example.com/1.mp4";
  EXPECT_TRUE(CheckReadyForReview(row, now).ok());
  row.content.expire_at_micros = absl::ToUnixMicros(now);
  EXPECT_EQ(CheckReadyForReview(row, now).code(), absl::StatusCode::kFailedPrecondition);
  row.content.expire_at_micros = absl::ToUnixMicros(now) + 1;
  EXPECT_TRUE(CheckReadyForReview(row, now).ok());
  row.content.kind = v1::CONTENT_KIND_NOTICE;  // other kinds need no link
  row.content.media_url.clear();
  EXPECT_TRUE(CheckReadyForReview(row, now).ok());
}

TEST(PublicityRulesTest, ReviewerMayNotPublishWhatTheyWroteOrEditedSinceTheLastApproval) {
  ContentRow row;
  row.author = "editor-1";
  row.updated_by = "editor-2";
  // editor-2 and editor-3 edited versions after the last approved one.
  const std::vector<std::string> unreviewed = {"editor-3", "editor-2"};
  EXPECT_TRUE(CheckReviewerIndependent(row, unreviewed, "reviewer-1").ok());
  EXPECT_TRUE(CheckReviewerIndependent(row, {}, "reviewer-1").ok());
  for (const char* who : {"editor-1", "editor-2", "editor-3"}) {
    const absl::Status s = CheckReviewerIndependent(row, unreviewed, who);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << who;
    EXPECT_NE(s.message().find("a reviewer may not publish their own item"),
              absl::string_view::npos);
  }
  // The author never, whatever was approved since.
  EXPECT_EQ(CheckReviewerIndependent(row, {}, "editor-1").code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace fangxian::publicity
