#include "common/auth.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"

namespace fangxian::common {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    signer_ = std::make_unique<TokenSigner>(*TokenSigner::Create("k1", std::string(32, 's')));
    auto v = TokenVerifier::Create("k1=" + absl::Base64Escape(signer_->public_key()), "fangxian");
    ASSERT_TRUE(v.ok()) << v.status();
    verifier_ = std::make_unique<TokenVerifier>(*v);
  }

  auth::v1::TokenClaims Claims() {
    auth::v1::TokenClaims c;
    c.set_sub("staff-1");
    c.set_aud("fangxian");
    c.set_iat(absl::ToUnixSeconds(kNow) - 60);
    c.set_exp(absl::ToUnixSeconds(kNow) + 600);
    auto* admin = c.add_grants();
    admin->set_role("community_admin");
    admin->set_area("gongyi.dufulu.longhai");
    auto* volunteer = c.add_grants();
    volunteer->set_role("volunteer");
    volunteer->set_area("gongyi.dufulu.yimin");
    c.add_permissions("pii.read");
    c.set_kind("staff");
    c.set_sid("session-1");
    return c;
  }

  std::unique_ptr<TokenSigner> signer_;
  std::unique_ptr<TokenVerifier> verifier_;
};

TEST_F(AuthTest, VerifiesAGoodToken) {
  auto p = verifier_->Verify(signer_->Sign(Claims()), kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject, "staff-1");
  EXPECT_EQ(p->kind, "staff");
  EXPECT_EQ(p->session_id, "session-1");
  EXPECT_TRUE(p->HasPermission("pii.read"));
  EXPECT_FALSE(p->HasPermission("export"));
  EXPECT_TRUE(p->HasAnyRole({"community_admin"}));
  EXPECT_FALSE(p->HasAnyRole({"subdistrict_admin"}));
  const std::vector<absl::string_view> admin = {"community_admin"};
  EXPECT_TRUE(p->CoversArea("gongyi.dufulu.longhai", admin));
  EXPECT_TRUE(p->CoversArea("gongyi.dufulu.longhai.jingyuan", admin));
  EXPECT_FALSE(p->CoversArea("gongyi.dufulu.longhaix", admin));
  EXPECT_FALSE(p->CoversArea("gongyi.dufulu", admin));
  // Each role only where it was granted: the volunteer grant gives no admin reach.
  EXPECT_FALSE(p->CoversArea("gongyi.dufulu.yimin", admin));
  EXPECT_TRUE(p->CoversArea("gongyi.dufulu.yimin", {"volunteer"}));
  EXPECT_TRUE(p->CoversArea("gongyi.dufulu.yimin", {}));
}

TEST_F(AuthTest, RejectsExpiredWrongAudienceAndTampered) {
  auto c = Claims();
  c.set_exp(absl::ToUnixSeconds(kNow) - 31);
  EXPECT_EQ(verifier_->Verify(signer_->Sign(c), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  c = Claims();
  c.set_aud("other");
  EXPECT_EQ(verifier_->Verify(signer_->Sign(c), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  std::string token = signer_->Sign(Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  auto other = Claims();
  other.add_grants()->set_role("subdistrict_admin");
  std::vector<std::string> forged = absl::StrSplit(signer_->Sign(other), '.');
  // Claims swapped under the original signature.
  EXPECT_FALSE(verifier_->Verify(parts[0] + "." + forged[1] + "." + parts[2], kNow).ok());
  EXPECT_FALSE(verifier_->Verify("", kNow).ok());
  EXPECT_FALSE(verifier_->Verify("a.b", kNow).ok());
}

TEST_F(AuthTest, RejectsMissingOrFutureIssueTimeAndOverlongLifetimes) {
  auto c = Claims();
  c.clear_iat();
  EXPECT_FALSE(verifier_->Verify(signer_->Sign(c), kNow).ok());
  c = Claims();
  c.set_iat(absl::ToUnixSeconds(kNow) + 120);
  EXPECT_FALSE(verifier_->Verify(signer_->Sign(c), kNow).ok());
  c = Claims();
  c.set_iat(absl::ToUnixSeconds(kNow) - 60);
  c.set_exp(absl::ToUnixSeconds(kNow) + 86400);  // 24 h + 1 min
  auto r = verifier_->Verify(signer_->Sign(c), kNow);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(r.status().message().find("longer than allowed"), absl::string_view::npos);
}

TEST_F(AuthTest, PinsTheAlgorithmAndKnownKeys) {
  std::vector<std::string> parts = absl::StrSplit(signer_->Sign(Claims()), '.');
  const std::string none_header = absl::WebSafeBase64Escape(R"({"alg":"none","kid":"k1"})");
  auto r = verifier_->Verify(none_header + "." + parts[1] + ".", kNow);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  auto other = TokenSigner::Create("k2", std::string(32, 't'));
  EXPECT_FALSE(verifier_->Verify(other->Sign(Claims()), kNow).ok());
  auto same_kid_other_key = TokenSigner::Create("k1", std::string(32, 't'));
  EXPECT_FALSE(verifier_->Verify(same_kid_other_key->Sign(Claims()), kNow).ok());
}

TEST(AuthConfigTest, RejectsBadKeyLists) {
  EXPECT_FALSE(TokenVerifier::Create("", "fangxian").ok());
  EXPECT_FALSE(TokenVerifier::Create("k1=notbase64!", "fangxian").ok());
  EXPECT_FALSE(TokenVerifier::Create("k1=" + absl::Base64Escape("short"), "fangxian").ok());
  EXPECT_FALSE(TokenVerifier::Create("k1=" + absl::Base64Escape(std::string(32, 'a')), "").ok());
}

TEST(BearerTokenTest, ExtractsTheToken) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
}

TEST(AreaPathTest, Validates) {
  EXPECT_TRUE(IsValidAreaPath("gongyi"));
  EXPECT_TRUE(IsValidAreaPath("gongyi.dufulu.long-hai.b3"));
  EXPECT_FALSE(IsValidAreaPath(""));
  EXPECT_FALSE(IsValidAreaPath("Gongyi"));
  EXPECT_FALSE(IsValidAreaPath("gongyi..x"));
  EXPECT_FALSE(IsValidAreaPath("gongyi."));
  EXPECT_FALSE(IsValidAreaPath(std::string(129, 'a')));
}

}  // namespace
}  // namespace fangxian::common
