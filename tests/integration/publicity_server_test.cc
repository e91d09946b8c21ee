// Black-box tests of publicity_server's editorial side: the real binary on a scratch
// PostgreSQL database and the test Redis, with the real identity_server answering whether
// target areas exist. Content items from draft to published and archived, versions and
// reviews, the live copy, series, and the bad input of publicity issue 6 (each: refused
// with the right code, nothing stored).
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "fangxian/publicity/v1/publicity.grpc.pb.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

namespace pv1 = publicity::v1;
using pv1::Content;
using pv1::PublicityService;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";

class PublicityServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "publicity_identity");
    identity_->EnsureArea(kYimin);
    identity_->EnsureArea(kJingyuan);
    // The expiry task runs every 100 ms here (60 s by default).
    server_ = std::make_unique<ServiceUnderTest>(
        "services/publicity/publicity_server", "publicity", tokens_,
        identity_->Env({{"FX_PUBLICITY_EXPIRY_MS", "100"}}));
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = PublicityService::NewStub(server_->channel());
    editor_ = tokens_.Mint("editor-3", {"publicity_editor"}, {"gongyi.dufulu"});
    reviewer_ = tokens_.Mint("reviewer-1", {"publicity_reviewer"}, {"gongyi.dufulu"});
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi.dufulu"});
  }

  grpc::Status Create(const std::string& token, const Content& c, Content* out) {
    pv1::CreateContentRequest req;
    *req.mutable_content() = c;
    return stub_->CreateContent(CallContextWith(token).get(), req, out);
  }
  grpc::Status Get(const std::string& token, const std::string& id, Content* out) {
    pv1::GetContentRequest req;
    req.set_content_id(id);
    return stub_->GetContent(CallContextWith(token).get(), req, out);
  }
  grpc::Status Update(const std::string& token, const std::string& id, int version,
                      const Content& c, Content* out) {
    pv1::UpdateContentRequest req;
    req.set_content_id(id);
    req.set_expected_version(version);
    *req.mutable_content() = c;
    return stub_->UpdateContent(CallContextWith(token).get(), req, out);
  }
  // The workflow steps that take only an id and a version (and maybe a comment).
  template <typename Request>
  static Request StepRequest(const Content& c, const std::string& comment = "") {
    Request req;
    req.set_content_id(c.content_id());
    req.set_expected_version(c.version());
    if constexpr (std::is_same_v<Request, pv1::ApproveContentRequest> ||
                  std::is_same_v<Request, pv1::RejectContentRequest>) {
      req.set_comment(comment);
    }
    return req;
  }
  grpc::Status Submit(const std::string& token, const Content& c, Content* out) {
    return stub_->SubmitForReview(CallContextWith(token).get(),
                                  StepRequest<pv1::SubmitForReviewRequest>(c), out);
  }
  grpc::Status Approve(const std::string& token, const Content& c, Content* out) {
    return stub_->ApproveContent(CallContextWith(token).get(),
                                 StepRequest<pv1::ApproveContentRequest>(c, "ok"), out);
  }
  grpc::Status Reject(const std::string& token, const Content& c, const std::string& comment,
                      Content* out) {
    return stub_->RejectContent(CallContextWith(token).get(),
                                StepRequest<pv1::RejectContentRequest>(c, comment), out);
  }
  grpc::Status Revise(const std::string& token, const Content& c, Content* out) {
    return stub_->ReviseContent(CallContextWith(token).get(),
                                StepRequest<pv1::ReviseContentRequest>(c), out);
  }
  grpc::Status Archive(const std::string& token, const Content& c, Content* out) {
    return stub_->ArchiveContent(CallContextWith(token).get(),
                                 StepRequest<pv1::ArchiveContentRequest>(c), out);
  }
  grpc::Status List(const std::string& token, const pv1::ListContentsRequest& req,
                    pv1::ListContentsResponse* out) {
    return stub_->ListContents(CallContextWith(token).get(), req, out);
  }
  void MakeSeries(const std::string& name) {
    pv1::CreateSeriesRequest req;
    req.mutable_series()->set_name(name);
    pv1::Series out;
    const grpc::Status st = stub_->CreateSeries(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  static Content Sample() {
    Content c;
    c.set_kind(pv1::CONTENT_KIND_ARTICLE);
    c.set_title("她系列之一：卡点上的女干部");
    c.set_body("# 卡点\n\n\t逢车必查、逢人必测。\r\n");
    c.add_area_codes(kYimin);
    c.add_area_codes(kLonghai);
    return c;
  }

  // An item created by the editor and approved by the reviewer.
  Content Published(Content c = Sample()) {
    Content out;
    EXPECT_TRUE(Create(editor_, c, &out).ok());
    const grpc::Status submitted = Submit(editor_, out, &out);
    EXPECT_TRUE(submitted.ok()) << submitted.error_message();
    const grpc::Status st = Approve(reviewer_, out, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  std::string One(const std::string& sql) const { return server_->Query(sql).at(0); }

  void ExpectNothingStored() {
    for (const char* table :
         {"publicity.contents", "publicity.content_areas", "publicity.content_versions",
          "publicity.content_reviews", "publicity.live_contents", "publicity.live_content_areas"}) {
      EXPECT_EQ(server_->Count(table), "0") << table;
    }
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<PublicityService::Stub> stub_;
  std::string editor_;
  std::string reviewer_;
  std::string admin_;
};

TEST_F(PublicityServerTest, CreateThenGetRoundTripsADraftByTheCaller) {
  MakeSeries("她系列");
  Content in = Sample();
  in.set_content_id(kUnknownId);  // output-only fields are ignored
  in.set_state(pv1::CONTENT_STATE_PUBLISHED);
  in.set_author("someone-else");
  in.set_version(7);
  in.set_live_version(7);
  in.set_series("她系列");
  in.set_media_url("https://v.example.com/she/1.mp4");
  in.add_tags("防疫");
  in.add_tags("女干部");
  in.add_tags("卡点");
  in.mutable_publish_time()->set_seconds(4102444800);  // 2100-01-01
  in.mutable_publish_time()->set_nanos(123456789);
  in.mutable_expire_time()->set_seconds(4102531200);
  Content created;
  grpc::Status st = Create(editor_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.content_id().size(), 36u);
  EXPECT_NE(created.content_id(), kUnknownId);
  EXPECT_EQ(created.kind(), pv1::CONTENT_KIND_ARTICLE);
  EXPECT_EQ(created.title(), Sample().title());
  EXPECT_EQ(created.body(), Sample().body());  // stored as given, line ends and all
  EXPECT_EQ(created.series(), "她系列");
  ASSERT_EQ(created.area_codes_size(), 2);
  EXPECT_EQ(created.area_codes(0), kLonghai);  // lexical order
  EXPECT_EQ(created.area_codes(1), kYimin);
  ASSERT_EQ(created.tags_size(), 3);
  EXPECT_EQ(created.tags(0), "防疫");  // as given
  EXPECT_EQ(created.tags(2), "卡点");
  EXPECT_EQ(created.media_url(), in.media_url());
  EXPECT_EQ(created.publish_time().seconds(), 4102444800);
  EXPECT_EQ(created.publish_time().nanos(), 123456000);  // to the microsecond
  EXPECT_EQ(created.expire_time().seconds(), 4102531200);
  EXPECT_EQ(created.state(), pv1::CONTENT_STATE_DRAFT);
  EXPECT_EQ(created.author(), "editor-3");
  EXPECT_EQ(created.updated_by(), "editor-3");
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.live_version(), 0);
  EXPECT_FALSE(created.has_first_publish_time());
  EXPECT_GT(created.create_time().seconds(), 0);

  Content got;
  st = Get(editor_, created.content_id(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(One("SELECT state || '/' || kind FROM publicity.contents"), "1/2");
  EXPECT_EQ(server_->Count("publicity.content_areas"), "2");
  EXPECT_EQ(One("SELECT version || edited_by FROM publicity.content_versions"), "1editor-3");
  EXPECT_EQ(server_->Count("publicity.live_contents"), "0");  // a draft is not public

  // The largest body accepted, without a series.
  Content big = Sample();
  big.set_body(std::string(65536, 'x'));
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
  auto url = [](const char* u) { return [u](Content& c) { c.set_media_url(u); }; };
  const std::vector<Case> cases = {
      {[](Content& c) { c.set_kind(pv1::CONTENT_KIND_UNSPECIFIED); }, "content.kind"},
      {[](Content& c) { c.set_kind(static_cast<pv1::ContentKind>(99)); }, "content.kind"},
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
      // Expire before (or at) publish.
      {[](Content& c) {
         c.mutable_publish_time()->set_seconds(4102444800);
         c.mutable_expire_time()->set_seconds(4102444799);
       },
       "content.expire_time"},
      {[](Content& c) {
         c.mutable_publish_time()->set_seconds(4102444800);
         c.mutable_expire_time()->set_seconds(4102444800);
       },
       "content.expire_time"},
      // Schemes, and each class of refused host.
      {url("javascript:alert(document.cookie)"), "content.media_url"},
      {url("file:///etc/passwd"), "content.media_url"},
      {url("data:text/html;base64,PHNjcmlwdD4="), "content.media_url"},
      {url("http://127.0.0.1/a.mp4"), "content.media_url"},
      {url("http://localhost:8080/a.mp4"), "content.media_url"},
      {url("http://[::1]/a.mp4"), "content.media_url"},
      {url("http://0.0.0.0/a.mp4"), "content.media_url"},
      {url("http://10.0.0.8/a.mp4"), "content.media_url"},
      {url("http://172.16.3.4/a.mp4"), "content.media_url"},
      {url("http://192.168.1.10/a.mp4"), "content.media_url"},
      {url("http://100.64.1.1/a.mp4"), "content.media_url"},
      {url("http://[fd00::5]/a.mp4"), "content.media_url"},
      {url("http://169.254.169.254/latest/meta-data/"), "content.media_url"},
      {url("http://[fe80::1]/a.mp4"), "content.media_url"},
      {url("http://224.0.0.251/a.mp4"), "content.media_url"},
      {url("http://[::ffff:127.0.0.1]/a.mp4"), "content.media_url"},
      {url("http://2130706433/a.mp4"), "content.media_url"},
      {url("http://0x7f.1/a.mp4"), "content.media_url"},
      {url("http://017700000001/a.mp4"), "content.media_url"},
      {url("http://%6c%6f%63%61%6c%68%6f%73%74/a.mp4"), "content.media_url"},
      {url("http://user:pw@example.com/a.mp4"), "content.media_url"},
      {url("http://identity:50051/a.mp4"), "content.media_url"},
      {url("http://identity.fangxian.svc.cluster.local/a.mp4"), "content.media_url"},
      {url("http://redis.fangxian.svc/a.mp4"), "content.media_url"},
      {url("http://metadata.google.internal/a.mp4"), "content.media_url"},
      {[](Content& c) { c.set_media_url("https://example.com/" + std::string(2030, 'a')); },
       "content.media_url"},
      // Tags and the media report's outlet.
      {[](Content& c) {
         for (int i = 0; i < 21; ++i) c.add_tags("t" + std::to_string(i));
       },
       "content.tags"},
      {[](Content& c) {
         c.add_tags("a");
         c.add_tags("a");
       },
       "content.tags"},
      {[](Content& c) { c.add_tags(std::string(31, 't')); }, "content.tags"},
      {[](Content& c) { c.set_kind(pv1::CONTENT_KIND_MEDIA_REPORT); }, "content.outlet"},
      {[](Content& c) { c.set_outlet("河南日报"); }, "content.outlet"},
  };
  for (const Case& c : cases) {
    Content in = Sample();
    c.mutate(in);
    Content out;
    EXPECT_TRUE(IsInvalidNaming(Create(editor_, in, &out), c.field)) << in.media_url();
  }
  ExpectNothingStored();
}

TEST_F(PublicityServerTest, UnknownSeriesOrAreaIsNotFoundNamingTheFieldAndStoresNothing) {
  Content in = Sample();
  in.set_series("红色故事");
  Content out;
  grpc::Status st = Create(editor_, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("content.series"), std::string::npos) << st.error_message();
  in = Sample();
  in.add_area_codes("gongyi.dufulu.nowhere");  // in scope, but identity knows no such area
  st = Create(editor_, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("content.area_codes"), std::string::npos);
  ExpectNothingStored();

  // The same on an update: the draft stays as it was.
  Content draft;
  ASSERT_TRUE(Create(editor_, Sample(), &draft).ok());
  st = Update(editor_, draft.content_id(), 1, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  in = Sample();
  in.set_series("红色故事");
  st = Update(editor_, draft.content_id(), 1, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_EQ(server_->Count("publicity.content_versions"), "1");
  EXPECT_EQ(One("SELECT version FROM publicity.contents"), "1");

  // Once registered, the series is accepted.
  MakeSeries("红色故事");
  st = Update(editor_, draft.content_id(), 1, in, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.series(), "红色故事");
  EXPECT_EQ(out.version(), 2);
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
  EXPECT_EQ(Create(reviewer_, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Covers one target area of two: drafting needs every one.
  const std::string yimin_editor = tokens_.Mint("y", {"publicity_editor"}, {kYimin});
  EXPECT_EQ(Create(yimin_editor, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectNothingStored();

  Content created;
  ASSERT_TRUE(Create(editor_, Sample(), &created).ok());
  const std::string id = created.content_id();
  EXPECT_TRUE(Get(reviewer_, id, &out).ok());
  EXPECT_TRUE(Get(yimin_editor, id, &out).ok());  // one covered target area is enough to read
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(Get(other_area, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);  // not revealed
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Get(volunteer, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string resident = tokens_.Mint("r", {"resident"}, {"gongyi"});
  EXPECT_EQ(Get(resident, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Writing needs every target area, old and new.
  EXPECT_EQ(Update(yimin_editor, id, 1, Sample(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  Content only_yimin = Sample();
  only_yimin.clear_area_codes();
  only_yimin.add_area_codes(kYimin);
  EXPECT_EQ(Update(yimin_editor, id, 1, only_yimin, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // it would drop longhai, outside its scope
  EXPECT_EQ(Submit(yimin_editor, created, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Archive(yimin_editor, created, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Only reviewers decide; an auditor only reads.
  ASSERT_TRUE(Submit(editor_, created, &created).ok());
  EXPECT_EQ(Approve(editor_, created, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Approve(admin_, created, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  EXPECT_TRUE(Get(auditor, id, &out).ok());
  EXPECT_EQ(Reject(auditor, created, "no", &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string far_reviewer = tokens_.Mint("fr", {"publicity_reviewer"}, {kYimin});
  EXPECT_EQ(Approve(far_reviewer, created, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("publicity.live_contents"), "0");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "0");
  EXPECT_EQ(One("SELECT version FROM publicity.contents"), "1");
}

TEST_F(PublicityServerTest, AnItemOutsideEveryAreaOfTheCallerIsAnsweredLikeAMissingOne) {
  Content item;
  ASSERT_TRUE(Create(editor_, Sample(), &item).ok());  // yimin and longhai
  Content in_review;
  ASSERT_TRUE(Create(editor_, Sample(), &in_review).ok());
  ASSERT_TRUE(Submit(editor_, in_review, &in_review).ok());
  Content published = Published();
  const std::string xinhua_editor = tokens_.Mint("x", {"publicity_editor"}, {"gongyi.xinhua"});
  const std::string xinhua_reviewer = tokens_.Mint("xr", {"publicity_reviewer"}, {"gongyi.xinhua"});
  const std::string xinhua_auditor = tokens_.Mint("xa", {"auditor"}, {"gongyi.xinhua"});

  // What a missing item answers.
  Content out;
  const grpc::Status missing = Get(editor_, kUnknownId, &out);
  ASSERT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  auto like_missing = [&](const grpc::Status& st) -> ::testing::AssertionResult {
    if (st.error_code() == grpc::StatusCode::NOT_FOUND &&
        st.error_message() == missing.error_message()) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "want NOT_FOUND \"" << missing.error_message() << "\", got " << st.error_code()
           << " \"" << st.error_message() << "\"";
  };
  pv1::ListContentHistoryRequest hreq;
  pv1::ListContentHistoryResponse history;
  auto history_of = [&](const std::string& token, const std::string& id) {
    hreq.set_content_id(id);
    return stub_->ListContentHistory(CallContextWith(token).get(), hreq, &history);
  };
  EXPECT_TRUE(like_missing(history_of(editor_, kUnknownId)));

  // Reads and every workflow step, for an item that exists outside the caller's scope.
  EXPECT_TRUE(like_missing(Get(xinhua_editor, item.content_id(), &out)));
  EXPECT_TRUE(like_missing(Get(xinhua_auditor, published.content_id(), &out)));
  EXPECT_TRUE(like_missing(history_of(xinhua_auditor, item.content_id())));
  EXPECT_TRUE(like_missing(history_of(xinhua_editor, published.content_id())));
  identity_->EnsureArea("gongyi.xinhua");
  Content to_xinhua = Sample();  // new content the caller may write, over an item it may not
  to_xinhua.clear_area_codes();
  to_xinhua.add_area_codes("gongyi.xinhua");
  EXPECT_TRUE(like_missing(Update(xinhua_editor, item.content_id(), 1, to_xinhua, &out)));
  EXPECT_TRUE(like_missing(Update(xinhua_editor, kUnknownId, 1, to_xinhua, &out)));
  EXPECT_TRUE(like_missing(Submit(xinhua_editor, item, &out)));
  EXPECT_TRUE(like_missing(Archive(xinhua_editor, item, &out)));
  EXPECT_TRUE(like_missing(Revise(xinhua_editor, published, &out)));
  EXPECT_TRUE(like_missing(Archive(xinhua_reviewer, published, &out)));
  EXPECT_TRUE(like_missing(Approve(xinhua_reviewer, in_review, &out)));
  EXPECT_TRUE(like_missing(Reject(xinhua_reviewer, in_review, "改一下", &out)));
  // A stale version or a wrong state is not revealed either.
  Content stale = published;
  stale.set_version(9);
  EXPECT_TRUE(like_missing(Archive(xinhua_editor, stale, &out)));
  EXPECT_TRUE(like_missing(Submit(xinhua_editor, published, &out)));

  // Covering one target area of two: the item is seen, and writing it is refused for the
  // area the caller lacks.
  const std::string yimin_editor = tokens_.Mint("y", {"publicity_editor"}, {kYimin});
  EXPECT_TRUE(Get(yimin_editor, item.content_id(), &out).ok());
  EXPECT_TRUE(history_of(yimin_editor, item.content_id()).ok());
  const grpc::Status partly = Submit(yimin_editor, item, &out);
  EXPECT_EQ(partly.error_code(), grpc::StatusCode::PERMISSION_DENIED) << partly.error_message();
  EXPECT_NE(partly.error_message().find(kLonghai), std::string::npos) << partly.error_message();
  const std::string yimin_reviewer = tokens_.Mint("yr", {"publicity_reviewer"}, {kYimin});
  EXPECT_EQ(Approve(yimin_reviewer, in_review, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Nothing changed.
  EXPECT_EQ(One("SELECT string_agg(state::text || ':' || version, ',' ORDER BY created_at) "
                "FROM publicity.contents"),
            "1:1,2:1,3:1");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "1");
  EXPECT_EQ(server_->Count("publicity.live_contents"), "1");
}

TEST_F(PublicityServerTest, UnknownIdIsNotFoundAndMalformedIdIsInvalid) {
  Content out;
  EXPECT_EQ(Get(editor_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(
      IsInvalidNaming(Get(editor_, "123E4567-E89B-12D3-A456-426614174000", &out), "content_id"));
  Content ghost = Sample();
  ghost.set_content_id(kUnknownId);
  ghost.set_version(1);
  EXPECT_EQ(Submit(editor_, ghost, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Update(editor_, kUnknownId, 1, Sample(), &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ghost.set_version(0);
  EXPECT_TRUE(IsInvalidNaming(Submit(editor_, ghost, &out), "expected_version"));
}

TEST_F(PublicityServerTest, FromDraftToPublishedAndThroughARevisionKeepingEveryVersion) {
  Content item;
  ASSERT_TRUE(Create(editor_, Sample(), &item).ok());
  Content edited = Sample();
  edited.set_title("她系列之一（修订）");
  edited.clear_area_codes();
  edited.add_area_codes(kYimin);
  const std::string editor2 = tokens_.Mint("editor-4", {"publicity_editor"}, {"gongyi.dufulu"});
  grpc::Status st = Update(editor2, item.content_id(), 1, edited, &item);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(item.version(), 2);
  EXPECT_EQ(item.updated_by(), "editor-4");
  EXPECT_EQ(item.author(), "editor-3");
  ASSERT_EQ(item.area_codes_size(), 1);
  EXPECT_EQ(server_->Count("publicity.content_areas"), "1");

  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  EXPECT_EQ(item.state(), pv1::CONTENT_STATE_IN_REVIEW);
  EXPECT_EQ(item.version(), 2);  // workflow steps do not change the version
  st = Approve(reviewer_, item, &item);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(item.state(), pv1::CONTENT_STATE_PUBLISHED);
  EXPECT_EQ(item.live_version(), 2);
  EXPECT_TRUE(item.has_first_publish_time());
  EXPECT_EQ(One("SELECT version || ':' || title || ':' || published_by "
                "FROM publicity.live_contents"),
            "2:她系列之一（修订）:reviewer-1");
  EXPECT_EQ(One("SELECT string_agg(area_code, ',') FROM publicity.live_content_areas"), kYimin);
  // No publish_time: public from the approval.
  EXPECT_EQ(One("SELECT count(*) FROM publicity.live_contents l JOIN publicity.contents c "
                "USING (content_id) WHERE l.publish_at = l.published_at "
                "AND c.first_published_at = l.published_at"),
            "1");
  const std::string first_published = One("SELECT first_published_at FROM publicity.contents");

  // A revision: version 3 as a draft, while version 2 stays live.
  st = Revise(editor_, item, &item);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(item.state(), pv1::CONTENT_STATE_DRAFT);
  EXPECT_EQ(item.version(), 3);
  EXPECT_EQ(item.live_version(), 2);
  EXPECT_EQ(item.updated_by(), "editor-3");
  edited.set_title("她系列之一（第三版）");
  edited.add_area_codes(kLonghai);
  ASSERT_TRUE(Update(editor_, item.content_id(), 3, edited, &item).ok());
  EXPECT_EQ(item.version(), 4);
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  st = Reject(reviewer_, item, "标题请再改短一些\n谢谢", &item);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(item.state(), pv1::CONTENT_STATE_DRAFT);
  EXPECT_EQ(item.review_comment(), "标题请再改短一些\n谢谢");
  EXPECT_EQ(item.live_version(), 2);
  EXPECT_EQ(One("SELECT version || ':' || title FROM publicity.live_contents"),
            "2:她系列之一（修订）");  // the earlier version stays live

  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  ASSERT_TRUE(Approve(reviewer_, item, &item).ok());
  EXPECT_EQ(item.live_version(), 4);
  EXPECT_EQ(One("SELECT version || ':' || title FROM publicity.live_contents"),
            "4:她系列之一（第三版）");
  EXPECT_EQ(One("SELECT string_agg(area_code, ',' ORDER BY area_code) "
                "FROM publicity.live_content_areas"),
            std::string(kLonghai) + "," + kYimin);
  EXPECT_EQ(One("SELECT first_published_at FROM publicity.contents"), first_published);

  pv1::ListContentHistoryRequest hreq;
  hreq.set_content_id(item.content_id());
  pv1::ListContentHistoryResponse history;
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  st = stub_->ListContentHistory(CallContextWith(auditor).get(), hreq, &history);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(history.versions_size(), 4);
  EXPECT_EQ(history.versions(0).title(), Sample().title());
  EXPECT_EQ(history.versions(0).area_codes_size(), 2);
  EXPECT_EQ(history.versions(1).edited_by(), "editor-4");
  EXPECT_EQ(history.versions(2).title(), history.versions(1).title());  // the revision copy
  EXPECT_EQ(history.versions(3).version(), 4);
  ASSERT_EQ(history.reviews_size(), 3);
  EXPECT_EQ(history.reviews(0).decision(), pv1::REVIEW_DECISION_APPROVED);
  EXPECT_EQ(history.reviews(0).version(), 2);
  EXPECT_EQ(history.reviews(1).decision(), pv1::REVIEW_DECISION_REJECTED);
  EXPECT_EQ(history.reviews(1).comment(), "标题请再改短一些\n谢谢");
  EXPECT_EQ(history.reviews(2).version(), 4);
  EXPECT_EQ(history.reviews(2).reviewer(), "reviewer-1");
}

TEST_F(PublicityServerTest, AReviewerMayNotPublishTheirOwnItem) {
  // Someone who both edits and reviews.
  const std::string both =
      tokens_.Mint("both-1", {"publicity_editor", "publicity_reviewer"}, {"gongyi.dufulu"});
  Content own;
  ASSERT_TRUE(Create(both, Sample(), &own).ok());
  ASSERT_TRUE(Submit(both, own, &own).ok());
  Content out;
  grpc::Status st = Approve(both, own, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find("a reviewer may not publish their own item"), std::string::npos)
      << st.error_message();

  // Nor one they edited last.
  Content edited;
  ASSERT_TRUE(Create(editor_, Sample(), &edited).ok());
  Content change = Sample();
  change.set_title("改过的标题");
  ASSERT_TRUE(Update(both, edited.content_id(), 1, change, &edited).ok());
  ASSERT_TRUE(Submit(editor_, edited, &edited).ok());
  st = Approve(both, edited, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(server_->Count("publicity.live_contents"), "0");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "0");
  EXPECT_EQ(One("SELECT count(*) FROM publicity.contents WHERE state = 2"), "2");
  // Another reviewer may; the same person may still reject their own.
  EXPECT_TRUE(Reject(both, own, "withdrawn", &out).ok());
  EXPECT_TRUE(Approve(reviewer_, edited, &out).ok());
}

TEST_F(PublicityServerTest, AReviewerMayNotPublishAnyVersionTheyEditedSinceTheLastApproval) {
  const std::string both =
      tokens_.Mint("both-1", {"publicity_editor", "publicity_reviewer"}, {"gongyi.dufulu"});
  Content item;
  ASSERT_TRUE(Create(editor_, Sample(), &item).ok());
  Content change = Sample();
  change.set_title("第二版");
  ASSERT_TRUE(Update(both, item.content_id(), 1, change, &item).ok());  // version 2
  change.set_title("第三版");
  ASSERT_TRUE(Update(editor_, item.content_id(), 2, change, &item).ok());  // version 3
  EXPECT_EQ(item.updated_by(), "editor-3");  // `both` is no longer the last editor
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  Content out;
  grpc::Status st = Approve(both, item, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_NE(st.error_message().find("a reviewer may not publish their own item"), std::string::npos)
      << st.error_message();
  EXPECT_EQ(server_->Count("publicity.live_contents"), "0");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "0");
  st = Approve(reviewer_, item, &item);
  ASSERT_TRUE(st.ok()) << st.error_message();

  // Once another reviewer has passed those edits, `both` may review later versions that
  // are none of theirs...
  ASSERT_TRUE(Revise(editor_, item, &item).ok());  // version 4
  change.set_title("第四版");
  ASSERT_TRUE(Update(editor_, item.content_id(), 4, change, &item).ok());  // version 5
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  ASSERT_TRUE(Reject(both, item, "再改改", &item).ok());
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  st = Approve(both, item, &item);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(item.live_version(), 5);
  // ...but not one they touched since: here a revision they opened (version 6).
  ASSERT_TRUE(Revise(both, item, &item).ok());
  change.set_title("第六版");
  ASSERT_TRUE(Update(editor_, item.content_id(), 6, change, &item).ok());  // version 7
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  st = Approve(both, item, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(One("SELECT version FROM publicity.live_contents"), "5");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "3");
}

TEST_F(PublicityServerTest, FirstPublishTimeIsOnlyATimeTheItemWasReallyPublic) {
  const std::string kFirstPublished =
      "SELECT COALESCE(first_published_at::text, 'null') FROM publicity.contents "
      "WHERE content_id = '";
  auto first_published = [&](const Content& c) {
    return One(kFirstPublished + c.content_id() + "'");
  };
  Content scheduled = Sample();
  scheduled.mutable_publish_time()->set_seconds(4102444800);  // 2100-01-01

  // Approved for a future publish_time, then archived before it: never public.
  Content item = Published(scheduled);
  EXPECT_EQ(item.first_publish_time().seconds(), 4102444800);  // the schedule, for now
  Content out;
  ASSERT_TRUE(Archive(editor_, item, &out).ok());
  EXPECT_FALSE(out.has_first_publish_time());
  EXPECT_EQ(first_published(item), "null");
  ASSERT_TRUE(Get(editor_, item.content_id(), &out).ok());
  EXPECT_FALSE(out.has_first_publish_time());

  // Revised and re-approved without a publish_time before the schedule came: public from
  // the second approval, which is its first publication.
  Content revised = Published(scheduled);
  ASSERT_TRUE(Revise(editor_, revised, &revised).ok());
  ASSERT_TRUE(Update(editor_, revised.content_id(), revised.version(), Sample(), &revised).ok());
  ASSERT_TRUE(Submit(editor_, revised, &revised).ok());
  ASSERT_TRUE(Approve(reviewer_, revised, &revised).ok());
  EXPECT_LT(revised.first_publish_time().seconds(), 4102444800);
  EXPECT_EQ(One("SELECT count(*) FROM publicity.contents c JOIN publicity.live_contents l "
                "USING (content_id) WHERE c.first_published_at = l.published_at "
                "AND l.publish_at = l.published_at AND c.content_id = '" +
                revised.content_id() + "'"),
            "1");
  const std::string real = first_published(revised);
  // Once really public it stays: a later revision scheduled ahead, and archiving, keep it.
  ASSERT_TRUE(Revise(editor_, revised, &revised).ok());
  ASSERT_TRUE(Update(editor_, revised.content_id(), revised.version(), scheduled, &revised).ok());
  ASSERT_TRUE(Submit(editor_, revised, &revised).ok());
  ASSERT_TRUE(Approve(reviewer_, revised, &revised).ok());
  EXPECT_EQ(first_published(revised), real);
  ASSERT_TRUE(Archive(editor_, revised, &revised).ok());
  EXPECT_EQ(first_published(revised), real);

  // A schedule that has come (as if 2100 had arrived): the item was public, archiving keeps
  // the time.
  Content came = Published(scheduled);
  server_->Query(
      "UPDATE publicity.contents SET first_published_at = now() - interval '1 hour', "
      "publish_at = now() - interval '1 hour' WHERE content_id = '" +
      came.content_id() + "'");
  server_->Query("UPDATE publicity.live_contents SET publish_at = now() - interval '1 hour' " +
                 std::string("WHERE content_id = '") + came.content_id() + "'");
  const std::string came_at = first_published(came);
  ASSERT_TRUE(Archive(editor_, came, &out).ok());
  EXPECT_EQ(first_published(came), came_at);
  EXPECT_TRUE(out.has_first_publish_time());
}

TEST_F(PublicityServerTest, TwoReviewersApprovingAtOnceMakeOneLiveCopyAndOneReview) {
  const std::string reviewer2 =
      tokens_.Mint("reviewer-2", {"publicity_reviewer"}, {"gongyi.dufulu"});
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    Content item;
    ASSERT_TRUE(Create(editor_, Sample(), &item).ok());
    ASSERT_TRUE(Submit(editor_, item, &item).ok());
    // Both calls leave together once both threads are ready.
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    grpc::Status results[2];
    Content outs[2];
    const std::string tokens[2] = {reviewer_, reviewer2};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        const pv1::ApproveContentRequest req = StepRequest<pv1::ApproveContentRequest>(item, "ok");
        auto ctx = CallContextWith(tokens[i]);
        start.wait();
        results[i] = stub_->ApproveContent(ctx.get(), req, &outs[i]);
      });
    }
    go.set_value();
    for (std::thread& t : threads) t.join();
    const int ok = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
    EXPECT_EQ(ok, 1) << "round " << round;
    for (const grpc::Status& st : results) {
      if (st.ok()) continue;
      EXPECT_TRUE(st.error_code() == grpc::StatusCode::ABORTED ||
                  st.error_code() == grpc::StatusCode::FAILED_PRECONDITION)
          << st.error_code() << " " << st.error_message();
    }
    const std::string where = " WHERE content_id = '" + item.content_id() + "'";
    EXPECT_EQ(One("SELECT count(*) FROM publicity.live_contents" + where), "1");
    EXPECT_EQ(One("SELECT count(*) FROM publicity.live_content_areas" + where), "2");
    EXPECT_EQ(One("SELECT count(*) FROM publicity.content_reviews" + where), "1");
    EXPECT_EQ(One("SELECT state || ':' || live_version FROM publicity.contents" + where), "3:1");
  }
}

TEST_F(PublicityServerTest, APublishedItemIsEditedOnlyThroughANewVersion) {
  Content item = Published();
  Content out;
  Content change = Sample();
  change.set_title("直接改已发布的内容");
  grpc::Status st = Update(editor_, item.content_id(), item.version(), change, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("ReviseContent"), std::string::npos) << st.error_message();
  // In review: wait for the decision.
  Content draft;
  ASSERT_TRUE(Create(editor_, Sample(), &draft).ok());
  ASSERT_TRUE(Submit(editor_, draft, &draft).ok());
  st = Update(editor_, draft.content_id(), draft.version(), change, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("wait for the review"), std::string::npos);
  // A draft is not revised, nor approved before it is submitted.
  Content fresh;
  ASSERT_TRUE(Create(editor_, Sample(), &fresh).ok());
  EXPECT_EQ(Revise(editor_, fresh, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  st = Approve(reviewer_, fresh, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("SubmitForReview"), std::string::npos);
  // Nothing changed: one version each, the published text untouched.
  EXPECT_EQ(server_->Count("publicity.content_versions"), "3");
  EXPECT_EQ(One("SELECT title FROM publicity.live_contents"), Sample().title());
}

TEST_F(PublicityServerTest, AStaleExpectedVersionIsAbortedAndChangesNothing) {
  Content item;
  ASSERT_TRUE(Create(editor_, Sample(), &item).ok());
  Content v2;
  Content change = Sample();
  change.set_title("第二版");
  ASSERT_TRUE(Update(editor_, item.content_id(), 1, change, &v2).ok());
  Content out;
  change.set_title("基于旧版本的修改");
  grpc::Status st = Update(editor_, item.content_id(), 1, change, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_NE(st.error_message().find("re-read and retry"), std::string::npos);
  EXPECT_EQ(Submit(editor_, item, &out).error_code(), grpc::StatusCode::ABORTED);  // version 1
  EXPECT_EQ(Archive(editor_, item, &out).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(One("SELECT title || ':' || version || ':' || state FROM publicity.contents"),
            "第二版:2:1");
  EXPECT_EQ(server_->Count("publicity.content_versions"), "2");
  EXPECT_TRUE(
      IsInvalidNaming(Update(editor_, item.content_id(), 0, change, &out), "expected_version"));
}

TEST_F(PublicityServerTest, RejectionNeedsACommentAndSubmissionAComplete) {
  Content item;
  ASSERT_TRUE(Create(editor_, Sample(), &item).ok());
  ASSERT_TRUE(Submit(editor_, item, &item).ok());
  Content out;
  EXPECT_TRUE(IsInvalidNaming(Reject(reviewer_, item, "", &out), "comment"));
  EXPECT_TRUE(IsInvalidNaming(Reject(reviewer_, item, std::string(2001, 'c'), &out), "comment"));
  EXPECT_EQ(One("SELECT state FROM publicity.contents"), "2");
  EXPECT_EQ(server_->Count("publicity.content_reviews"), "0");

  // A video without its link, and an item whose expiry has passed, are not submitted.
  Content video = Sample();
  video.set_kind(pv1::CONTENT_KIND_VIDEO);
  Content v;
  ASSERT_TRUE(Create(editor_, video, &v).ok());
  grpc::Status st = Submit(editor_, v, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("content.media_url"), std::string::npos);
  Content expired = Sample();
  expired.mutable_expire_time()->set_seconds(946684800);  // 2000-01-01
  Content e;
  ASSERT_TRUE(Create(editor_, expired, &e).ok());
  st = Submit(editor_, e, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("content.expire_time"), std::string::npos);
  EXPECT_EQ(One("SELECT count(*) FROM publicity.contents WHERE state = 1"), "2");

  // With its link the video goes through; a media report names its outlet.
  video.set_media_url("https://v.example.com/a.mp4");
  ASSERT_TRUE(Update(editor_, v.content_id(), 1, video, &v).ok());
  EXPECT_TRUE(Submit(editor_, v, &out).ok());
  Content report = Sample();
  report.set_kind(pv1::CONTENT_KIND_MEDIA_REPORT);
  report.set_outlet("郑州日报");
  report.set_outlet_level(pv1::OUTLET_LEVEL_CITY);
  ASSERT_TRUE(Create(editor_, report, &out).ok());
  EXPECT_EQ(out.outlet_level(), pv1::OUTLET_LEVEL_CITY);
}

TEST_F(PublicityServerTest, ArchivingAndExpiryTakeTheLiveCopyDown) {
  Content item = Published();
  EXPECT_EQ(server_->Count("publicity.live_contents"), "1");
  Content out;
  // A reviewer may archive too; the live copy goes at once.
  grpc::Status st = Archive(reviewer_, item, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.state(), pv1::CONTENT_STATE_ARCHIVED);
  EXPECT_EQ(out.live_version(), 0);
  EXPECT_EQ(server_->Count("publicity.live_contents"), "0");
  EXPECT_EQ(server_->Count("publicity.live_content_areas"), "0");
  EXPECT_EQ(Archive(editor_, out, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // An archived item can be revised back into a draft.
  st = Revise(editor_, out, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.state(), pv1::CONTENT_STATE_DRAFT);

  // Expiry: a published item and a live item under revision, both past their expiry.
  Content timed = Sample();
  timed.mutable_expire_time()->set_seconds(4102444800);
  Content published = Published(timed);
  Content revised = Published(timed);
  ASSERT_TRUE(Revise(editor_, revised, &revised).ok());
  Content lasting = Published();
  server_->Query(
      "UPDATE publicity.live_contents SET publish_at = now() - interval '2 hours', "
      "expire_at = now() - interval '1 hour' WHERE expire_at IS NOT NULL");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (server_->Count("publicity.live_contents") != "1" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(server_->Count("publicity.live_contents"), "1");
  ASSERT_TRUE(Get(editor_, published.content_id(), &out).ok());
  EXPECT_EQ(out.state(), pv1::CONTENT_STATE_ARCHIVED);
  EXPECT_EQ(out.live_version(), 0);
  ASSERT_TRUE(Get(editor_, revised.content_id(), &out).ok());
  EXPECT_EQ(out.state(), pv1::CONTENT_STATE_DRAFT);  // the revision goes on
  EXPECT_EQ(out.live_version(), 0);
  ASSERT_TRUE(Get(editor_, lasting.content_id(), &out).ok());
  EXPECT_EQ(out.state(), pv1::CONTENT_STATE_PUBLISHED);
  EXPECT_EQ(out.live_version(), 1);
}

TEST_F(PublicityServerTest, ListingFiltersByAreaStateKindAndSeriesAndPages) {
  MakeSeries("工作纪实");
  Content yimin_notice = Sample();
  yimin_notice.set_kind(pv1::CONTENT_KIND_NOTICE);
  yimin_notice.clear_area_codes();
  yimin_notice.add_area_codes(kYimin);
  Content a;
  ASSERT_TRUE(Create(editor_, yimin_notice, &a).ok());
  Content jingyuan = Sample();
  jingyuan.clear_area_codes();
  jingyuan.add_area_codes(kJingyuan);
  jingyuan.set_series("工作纪实");
  Content b;
  ASSERT_TRUE(Create(editor_, jingyuan, &b).ok());
  Content c = Published();  // yimin and longhai, the newest change

  auto ids = [](const pv1::ListContentsResponse& r) {
    std::vector<std::string> out;
    for (const Content& item : r.contents()) out.push_back(item.content_id());
    return out;
  };
  pv1::ListContentsRequest req;
  pv1::ListContentsResponse resp;
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{c.content_id(), b.content_id(), a.content_id()}));
  for (const Content& item : resp.contents()) EXPECT_EQ(item.body(), "");  // left out of lists
  req.set_area_code(kLonghai);  // at or below longhai: jingyuan's and the published one
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{c.content_id(), b.content_id()}));
  req.set_state(pv1::CONTENT_STATE_DRAFT);
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{b.content_id()}));
  req.Clear();
  req.set_kind(pv1::CONTENT_KIND_NOTICE);
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{a.content_id()}));
  req.Clear();
  req.set_series("工作纪实");
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{b.content_id()}));

  // Pages of two.
  req.Clear();
  req.set_page_size(2);
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{c.content_id(), b.content_id()}));
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  ASSERT_TRUE(List(editor_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{a.content_id()}));
  EXPECT_TRUE(resp.next_page_token().empty());

  // A caller sees only their scope; bad input is refused.
  const std::string yimin_editor = tokens_.Mint("y", {"publicity_editor"}, {kYimin});
  req.Clear();
  ASSERT_TRUE(List(yimin_editor, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{c.content_id(), a.content_id()}));
  req.set_area_code(kLonghai);
  EXPECT_EQ(List(yimin_editor, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  req.Clear();
  req.set_page_size(101);
  EXPECT_TRUE(IsInvalidNaming(List(editor_, req, &resp), "page_size"));
  req.set_page_size(100);
  EXPECT_TRUE(List(editor_, req, &resp).ok());
  req.set_page_size(-1);
  EXPECT_TRUE(IsInvalidNaming(List(editor_, req, &resp), "page_size"));
  req.Clear();
  req.set_page_token("not-a-token");
  EXPECT_TRUE(IsInvalidNaming(List(editor_, req, &resp), "page_token"));
  req.Clear();
  req.set_state(static_cast<pv1::ContentState>(9));
  EXPECT_TRUE(IsInvalidNaming(List(editor_, req, &resp), "state"));
}

TEST_F(PublicityServerTest, SeriesAreARegistryListedWithoutAToken) {
  pv1::CreateSeriesRequest req;
  req.mutable_series()->set_name("她系列");
  req.mutable_series()->set_description("卡点上的女同志");
  req.mutable_series()->set_created_by("someone-else");  // ignored
  pv1::Series out;
  grpc::Status st = stub_->CreateSeries(CallContextWith(reviewer_).get(), req, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.created_by(), "reviewer-1");
  EXPECT_EQ(stub_->CreateSeries(CallContextWith(admin_).get(), req, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(stub_->CreateSeries(CallContextWith(editor_).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateSeries(CallContextWith("").get(), req, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  req.mutable_series()->set_name(std::string(51, 'n'));
  EXPECT_TRUE(IsInvalidNaming(stub_->CreateSeries(CallContextWith(admin_).get(), req, &out),
                              "series.name"));
  req.mutable_series()->set_name("");
  EXPECT_TRUE(IsInvalidNaming(stub_->CreateSeries(CallContextWith(admin_).get(), req, &out),
                              "series.name"));
  req.mutable_series()->set_name("工作纪实");
  req.mutable_series()->clear_description();
  ASSERT_TRUE(stub_->CreateSeries(CallContextWith(admin_).get(), req, &out).ok());

  pv1::ListSeriesResponse list;
  st = stub_->ListSeries(CallContextWith("").get(), pv1::ListSeriesRequest(), &list);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(list.series_size(), 2);
  EXPECT_EQ(list.series(0).name(), "她系列");  // by name (code point order: U+5979 first)
  EXPECT_EQ(list.series(0).description(), "卡点上的女同志");
  EXPECT_EQ(list.series(1).name(), "工作纪实");
}

}  // namespace
}  // namespace fangxian::testing
