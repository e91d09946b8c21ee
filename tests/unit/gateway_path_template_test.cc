#include "gateway/path_template.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace fangxian::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

PathTemplate MustParse(const char* text) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *std::move(t) : PathTemplate();
}

TEST(PathTemplateTest, LiteralOnly) {
  PathTemplate t = MustParse("/v1/residents");
  std::vector<std::string> values;
  EXPECT_TRUE(t.Match("/v1/residents", &values));
  EXPECT_THAT(values, IsEmpty());
  EXPECT_FALSE(t.Match("/v1/residents/", &values));
  EXPECT_FALSE(t.Match("/v1/resident", &values));
  EXPECT_FALSE(t.Match("/v1/residents/x", &values));
  EXPECT_FALSE(t.Match("v1/residents", &values));
  EXPECT_FALSE(t.Match("/v2/residents", &values));
}

TEST(PathTemplateTest, SimpleVariableMatchesOneSegmentAndDecodes) {
  PathTemplate t = MustParse("/v1/residents/{resident_id}");
  ASSERT_EQ(t.variables().size(), 1u);
  EXPECT_EQ(t.variables()[0].field_path, "resident_id");
  std::vector<std::string> values;
  ASSERT_TRUE(t.Match("/v1/residents/abc-123", &values));
  EXPECT_THAT(values, ElementsAre("abc-123"));
  ASSERT_TRUE(t.Match("/v1/residents/a%20b%252Fc", &values));
  EXPECT_THAT(values, ElementsAre("a b%2Fc")) << "an escaped '%' is not a slash";
  EXPECT_FALSE(t.Match("/v1/residents/", &values)) << "empty segment is not a value";
  EXPECT_FALSE(t.Match("/v1/residents/a/b", &values));
  EXPECT_FALSE(t.Match("/v1/residents/%zz", &values)) << "malformed escape";
  EXPECT_FALSE(t.Match("/v1/residents/%2", &values)) << "truncated escape";
}

TEST(PathTemplateTest, NestedFieldPathAndSeveralVariables) {
  PathTemplate t = MustParse("/v1/areas/{area.code}/residents/{resident_id}");
  ASSERT_EQ(t.variables().size(), 2u);
  EXPECT_EQ(t.variables()[0].field_path, "area.code");
  std::vector<std::string> values;
  ASSERT_TRUE(t.Match("/v1/areas/gongyi.dufulu/residents/r1", &values));
  EXPECT_THAT(values, ElementsAre("gongyi.dufulu", "r1"));
}

TEST(PathTemplateTest, VariableWithSegments) {
  PathTemplate t = MustParse("/v1/{name=shelves/*/books/*}");
  std::vector<std::string> values;
  ASSERT_TRUE(t.Match("/v1/shelves/s1/books/b2", &values));
  EXPECT_THAT(values, ElementsAre("shelves/s1/books/b2"));
  EXPECT_FALSE(t.Match("/v1/shelves/s1/novels/b2", &values));
  EXPECT_FALSE(t.Match("/v1/shelves/s1/books", &values));

  PathTemplate one = MustParse("/v1/{name=checkpoints/*}");
  ASSERT_TRUE(one.Match("/v1/checkpoints/c%2F9", &values));
  // In a multi-segment value "/" separates segments, so an escaped slash stays escaped.
  EXPECT_THAT(values, ElementsAre("checkpoints/c%2F9"));
}

TEST(PathTemplateTest, SingleSegmentVariableRefusesEncodedSlashes) {
  PathTemplate t = MustParse("/v1/residents/{resident_id}");
  std::vector<std::string> values;
  for (const char* path : {"/v1/residents/a%2Fb", "/v1/residents/a%2fb", "/v1/residents/%2F",
                           "/v1/residents/a%5Cb", "/v1/residents/a%5cb", "/v1/residents/..%2F"}) {
    EXPECT_FALSE(t.Match(path, &values)) << path;
  }
}

TEST(PathTemplateTest, VariablesRefuseDotSegments) {
  PathTemplate single = MustParse("/v1/residents/{resident_id}");
  PathTemplate multi = MustParse("/v1/files/{path=**}");
  std::vector<std::string> values;
  for (const char* dots : {".", "..", "%2E", "%2e", ".%2E", "%2E%2e", "%2e."}) {
    EXPECT_FALSE(single.Match(absl::StrCat("/v1/residents/", dots), &values)) << dots;
    EXPECT_FALSE(multi.Match(absl::StrCat("/v1/files/a/", dots, "/b"), &values)) << dots;
  }
  // Dots inside a value are ordinary characters.
  ASSERT_TRUE(single.Match("/v1/residents/a..b", &values));
  EXPECT_THAT(values, ElementsAre("a..b"));
  ASSERT_TRUE(single.Match("/v1/residents/...", &values));
  EXPECT_THAT(values, ElementsAre("..."));
}

TEST(PathTemplateTest, DoubleWildcardAtTheEnd) {
  PathTemplate t = MustParse("/v1/files/{path=**}");
  std::vector<std::string> values;
  ASSERT_TRUE(t.Match("/v1/files/a/b/c", &values));
  EXPECT_THAT(values, ElementsAre("a/b/c"));
  ASSERT_TRUE(t.Match("/v1/files/a", &values));
  EXPECT_THAT(values, ElementsAre("a"));
  EXPECT_FALSE(t.Match("/v1/other/a", &values));
  // A multi-segment value may hold an encoded slash: it stays encoded.
  ASSERT_TRUE(t.Match("/v1/files/a%2Fb/c", &values));
  EXPECT_THAT(values, ElementsAre("a%2Fb/c"));
}

TEST(PathTemplateTest, Verb) {
  PathTemplate t = MustParse("/v1/residents/{resident_id}:revoke");
  EXPECT_EQ(t.verb(), "revoke");
  std::vector<std::string> values;
  ASSERT_TRUE(t.Match("/v1/residents/r7:revoke", &values));
  EXPECT_THAT(values, ElementsAre("r7"));
  EXPECT_FALSE(t.Match("/v1/residents/r7", &values));
  EXPECT_FALSE(t.Match("/v1/residents/r7:other", &values));
  EXPECT_FALSE(t.Match("/v1/residents/:revoke", &values));
}

TEST(PathTemplateTest, WildcardWithoutVariable) {
  PathTemplate t = MustParse("/v1/*/residents");
  std::vector<std::string> values;
  EXPECT_TRUE(t.Match("/v1/anything/residents", &values));
  EXPECT_THAT(values, IsEmpty());
}

TEST(PathTemplateTest, LiteralsAreMoreSpecificThanVariables) {
  EXPECT_GT(MustParse("/v1/residents/search").Specificity(),
            MustParse("/v1/residents/{resident_id}").Specificity());
  EXPECT_GT(MustParse("/v1/residents/{id}:revoke").Specificity(),
            MustParse("/v1/residents/{id}").Specificity());
  EXPECT_GT(MustParse("/v1/a/{x}").Specificity(), MustParse("/v1/a/{x=**}").Specificity());
}

TEST(PathTemplateTest, BadTemplatesAreRejected) {
  for (const char* bad : {
           "",                  // empty
           "v1/residents",      // no leading slash
           "/v1//residents",    // empty segment
           "/v1/residents/",    // trailing slash
           "/v1/{resident_id",  // unclosed
           "/v1/{}",            // no field name
           "/v1/{1abc}",        // field name starts with a digit
           "/v1/{a..b}",        // empty field path part
           "/v1/{a={b}}",       // nested variable
           "/v1/{a=**}/x",      // ** not last
           "/v1/**/x",          // ** not last
           "/v1/{a}/{a}",       // same variable twice
           "/v1/residents:",    // empty verb
           "/v1/res idents",    // space in a literal
           "/v1/{a}}",          // stray brace
       }) {
    absl::StatusOr<PathTemplate> t = PathTemplate::Parse(bad);
    EXPECT_FALSE(t.ok()) << "accepted \"" << bad << "\"";
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(t.status().message()), HasSubstr("bad path template"));
    }
  }
}

TEST(CheckRequestPathTest, DotSegmentsAreRefused) {
  for (const char* path :
       {"/v1/residents/..", "/v1/../residents", "/./v1", "/v1/residents/.", "/v1/residents/%2E%2E",
        "/v1/residents/%2e%2e/x", "/v1/.%2E/x", "/v1/%2E"}) {
    absl::Status s = CheckRequestPath(path);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(std::string(s.message()), HasSubstr("\"..\"")) << path;
  }
}

TEST(CheckRequestPathTest, EncodedSlashesAndBackslashesAreRefused) {
  for (const char* path : {"/v1/residents/a%2Fb", "/v1/residents/%2f", "/v1%2Fresidents",
                           "/v1/residents/a%5Cb", "/v1/residents/%5c", "/v1/residents/a\\b"}) {
    absl::Status s = CheckRequestPath(path);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(std::string(s.message()), HasSubstr("%2F")) << path;
  }
}

TEST(CheckRequestPathTest, OrdinaryPathsPass) {
  for (const char* path :
       {"/", "/v1/residents", "/v1/residents/r-1.2_3", "/v1/residents/a..b", "/v1/residents/...",
        "/v1/residents/a%20b", "/v1/residents/a%252F", "/v1/residents/%E5%BC%A0",
        "/v1/residents/r1:revoke", "/v1/residents/", "/v1//x", "/v1/residents/%zz"}) {
    EXPECT_TRUE(CheckRequestPath(path).ok()) << path << ": " << CheckRequestPath(path);
  }
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyInQueries) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a+b%41", true, &out));
  EXPECT_EQ(out, "a bA");
  ASSERT_TRUE(PercentDecode("a+b", false, &out));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(PercentDecode("%4", false, &out));
  EXPECT_FALSE(PercentDecode("%g0", false, &out));
}

}  // namespace
}  // namespace fangxian::gateway
