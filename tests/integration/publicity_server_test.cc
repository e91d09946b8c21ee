// Black-box tests of publicity_server: the real binary, a scratch PostgreSQL database and
// the test Redis, called over gRPC.
#include <functional>

#include "fangxian/publicity/v1/publicity.grpc.pb.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using publicity::v1::Content;
using publicity::v1::CreateContentRequest;
using publicity::v1::GetContentRequest;
using publicity::v1::PublicityService;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

class PublicityServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/publicity/publicity_server", "publicity",
                                                 tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = PublicityService::NewStub(server_->channel());
    editor_ = tokens_.Mint("editor-3", {"publicity_editor"}, {"gongyi.dufulu"});
  }

  grpc::Status Create(const std::string& token, const Content& c, Content* out) {
    CreateContentRequest req;
    *req.mutable_content() = c;
    return stub_->CreateContent(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, Content* out) {
    GetContentRequest req;
    req.set_content_id(id);
    return stub_->GetContent(CallContextWith(token).get(), req, out);
  }

  static Content Sample() {
    Content c;
    c.set_kind(publicity::v1::CONTENT_KIND_ARTICLE);
    c.set_title("她系列之一：卡点上的女干部");
    c.set_body("# 卡点\n\n\t逢车必查、逢人必测。\r\n");
    c.set_series("");
    c.add_area_codes("gongyi.dufulu.yimin");
    c.add_area_codes("gongyi.dufulu.longhai");
    return c;
  }

  void ExpectNothingStored() {
    EXPECT_EQ(server_->Count("publicity.contents"), "0");
    EXPECT_EQ(server_->Count("publicity.content_areas"), "0");
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<PublicityService::Stub> stub_;
  std::string editor_;
};

TEST_F(PublicityServerTest, CreateThenGetRoundTripsADraftByTheCaller) {
  Content in = Sample();
  in.set_content_id(kUnknownId);  // output-only fields are ignored
  in.set_state(publicity::v1::CONTENT_STATE_PUBLISHED);
  in.set_author("someone-else");
  Content created;
  grpc::Status st = Create(editor_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.content_id().size(), 36u);
  EXPECT_NE(created.content_id(), kUnknownId);
  EXPECT_EQ(created.kind(), publicity::v1::CONTENT_KIND_ARTICLE);
  EXPECT_EQ(created.title(), Sample().title());
  EXPECT_EQ(created.body(), Sample().body());  // stored as given, line ends and all
  EXPECT_EQ(created.series(), "");
  ASSERT_EQ(created.area_codes_size(), 2);
  EXPECT_EQ(created.area_codes(0), "gongyi.dufulu.longhai");  // lexical order
  EXPECT_EQ(created.area_codes(1), "gongyi.dufulu.yimin");
  EXPECT_EQ(created.state(), publicity::v1::CONTENT_STATE_DRAFT);
  EXPECT_EQ(created.author(), "editor-3");
  EXPECT_GT(created.create_time().seconds(), 0);

  Content got;
  st = Get(editor_, created.content_id(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(server_->Query("SELECT state || '/' || kind FROM publicity.contents")[0], "1/2");
  EXPECT_EQ(server_->Count("publicity.content_areas"), "2");

  // The largest body accepted, without a series.
  Content big = Sample();
  big.set_body(std::string(65536, 'x'));
  big.clear_series();
  ASSERT_TRUE(Create(editor_, big, &created).ok());
  ASSERT_TRUE(Get(editor_, created.content_id(), &got).ok());
  EXPECT_EQ(got.body(), big.body());
  EXPECT_EQ(got.series(), "");
}

TEST_F(PublicityServerTest, BadInputIsInvalidArgumentNamingTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(Content&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](Content& c) { c.set_kind(publicity::v1::CONTENT_KIND_UNSPECIFIED); }, "content.kind"},
      {[](Content& c) { c.set_kind(static_cast<publicity::v1::ContentKind>(99)); }, "content.kind"},
      {[](Content& c) { c.clear_title(); }, "content.title"},
      {[](Content& c) { c.set_title(std::string(201, 't')); }, "content.title"},
      {[](Content& c) { c.set_body(std::string(65537, 'b')); }, "content.body"},
      {[](Content& c) { c.set_body(std::string("a\0b", 3)); }, "content.body"},
      {[](Content& c) { c.set_series(std::string(51, 's')); }, "content.series"},
      {[](Content& c) { c.clear_area_codes(); }, "content.area_codes"},
      {[](Content& c) { c.set_area_codes(1, "gongyi..x"); }, "content.area_codes"},
      {[](Content& c) { c.set_area_codes(1, c.area_codes(0)); }, "content.area_codes"},
      {[](Content& c) {
         for (int i = 0; i < 99; ++i) c.add_area_codes("gongyi.dufulu.c" + std::to_string(i));
       },
       "content.area_codes"},
  };
  for (const Case& c : cases) {
    Content in = Sample();
    c.mutate(in);
    Content out;
    EXPECT_TRUE(IsInvalidNaming(Create(editor_, in, &out), c.field));
  }
  ExpectNothingStored();
}

TEST_F(PublicityServerTest, AFailureWhileWritingAreasRollsBackTheContent) {
  // Make the second area row fail inside the database, after the content row went in.
  server_->Query(
      "ALTER TABLE publicity.content_areas ADD CONSTRAINT test_refuse_longhai "
      "CHECK (area_code <> 'gongyi.dufulu.longhai')");
  Content out;
  grpc::Status st = Create(editor_, Sample(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  ExpectNothingStored();
}

TEST_F(PublicityServerTest, CallersAreAuthenticatedAndConfinedToTheirRolesAndAreas) {
  Content out;
  EXPECT_EQ(Create("", Sample(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", kUnknownId, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string reviewer = tokens_.Mint("r", {"publicity_reviewer"}, {"gongyi"});
  EXPECT_EQ(Create(reviewer, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Covers one target area of two: drafting needs every one.
  const std::string yimin_editor = tokens_.Mint("y", {"publicity_editor"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(Create(yimin_editor, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectNothingStored();

  Content created;
  ASSERT_TRUE(Create(editor_, Sample(), &created).ok());
  const std::string id = created.content_id();
  EXPECT_TRUE(Get(reviewer, id, &out).ok());
  EXPECT_TRUE(Get(yimin_editor, id, &out).ok());  // one covered target area is enough
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(Get(other_area, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Get(volunteer, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PublicityServerTest, UnknownIdIsNotFoundAndMalformedIdIsInvalid) {
  Content out;
  EXPECT_EQ(Get(editor_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(
      IsInvalidNaming(Get(editor_, "123E4567-E89B-12D3-A456-426614174000", &out), "content_id"));
}

}  // namespace
}  // namespace fangxian::testing
