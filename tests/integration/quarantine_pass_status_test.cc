// Pass status against the real quarantine_server: the authoritative read (GetPassStatus),
// who sees the colour and who the reasons, the Redis entry checkpoints read, and the
// memory in front of the database. The write side (the colour engine) is tested in
// quarantine_events_test and quarantine_colour_test.
#include "absl/time/clock.h"
#include "common/redis.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "fangxian/quarantine/v1/violations.grpc.pb.h"
#include "services/quarantine/pass_status.h"
#include "tests/integration/quarantine_test_fixtures.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::GetPassStatusRequest;
using quarantine::v1::PassStatus;
using quarantine::v1::QuarantineService;

constexpr char kArea[] = "gongyi.dufulu.longhai.jingyuan";

class QuarantinePassStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Every read goes to the database here; the memory in front of it has its own test.
    server_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "passstatus", tokens_,
        std::map<std::string, std::string>{{"FX_PASS_STATUS_CACHE_MS", "0"}});
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = QuarantineService::NewStub(server_->channel());
    common::RedisPool::Options options;
    ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &options).ok());
    redis_ = std::make_unique<common::RedisPool>(options);
    // A fresh person per test: the test Redis is shared.
    resident_ = server_->Query("SELECT gen_random_uuid()::text").at(0);
    verifier_ = tokens_.Mint("cv-1", {"code_verifier"}, {"zhengzhou.other.gate"});
    grid_ = tokens_.Mint("grid-7", {"grid_worker"}, {"gongyi.dufulu.longhai"});
  }

  void TearDown() override {
    if (redis_) redis_->Del(quarantine::PassColourCacheKey(resident_));
  }

  grpc::Status Get(const std::string& token, const std::string& id, PassStatus* out) {
    GetPassStatusRequest req;
    req.set_resident_id(id);
    return stub_->GetPassStatus(CallContextWith(token).get(), req, out);
  }

  // A token as identity issues it to a signed-in resident.
  std::string ResidentToken(const std::string& resident_id) {
    return testing::ResidentToken(tokens_, resident_id, kArea);
  }

  std::optional<std::string> Cached() {
    return redis_->Get(quarantine::PassColourCacheKey(resident_));
  }

  long long CachedTtl() {
    auto r = redis_->Command({"TTL", quarantine::PassColourCacheKey(resident_)});
    return r.ok() ? (*r)->integer : -100;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<QuarantineService::Stub> stub_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string resident_;
  std::string verifier_;
  std::string grid_;
};

TEST_F(QuarantinePassStatusTest, SomeoneWithoutARecordIsGreenAndTheColourIsPublished) {
  PassStatus out;
  grpc::Status st = Get(verifier_, resident_, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.resident_id(), resident_);
  EXPECT_EQ(out.colour(), quarantine::v1::PASS_COLOUR_GREEN);
  EXPECT_EQ(out.reasons_size(), 0);
  EXPECT_FALSE(out.has_update_time());
  EXPECT_EQ(Cached(), "green");
  EXPECT_GT(CachedTtl(), 590);
  EXPECT_LE(CachedTtl(), 600);
  EXPECT_EQ(server_->Count("quarantine.pass_status"), "0");  // a read writes no row
}

TEST_F(QuarantinePassStatusTest, ReasonsGoOnlyToTheResidentAndToFollowUpStaffInScope) {
  server_->Query(
      "INSERT INTO quarantine.pass_status (resident_id, colour, reason_codes, reason_details, "
      "area_code, updated_at) VALUES ('" +
      resident_ +
      "', 2, '{returnee_window,missed_check_ins}', "
      "'{\"arrived 2020-01-23\",\"2 days without a check-in\"}', '" +
      kArea + "', '2020-01-24T08:00:00Z')");
  // A read only fills a missing entry: an entry present may have been written by a Set
  // that committed after this read looked (Set overwrites, reads never do).
  redis_->SetEx(quarantine::PassColourCacheKey(resident_), "green", absl::Seconds(30));

  // Checkpoint staff from anywhere: the colour, never the reasons.
  PassStatus out;
  ASSERT_TRUE(Get(verifier_, resident_, &out).ok());
  EXPECT_EQ(out.colour(), quarantine::v1::PASS_COLOUR_YELLOW);
  EXPECT_EQ(out.reasons_size(), 0);
  EXPECT_EQ(out.update_time().seconds(), 1579852800);
  EXPECT_EQ(Cached(), "green");
  redis_->Del(quarantine::PassColourCacheKey(resident_));
  ASSERT_TRUE(Get(verifier_, resident_, &out).ok());
  EXPECT_EQ(Cached(), "yellow");
  EXPECT_GT(CachedTtl(), 590);

  // A grid worker whose scope covers the person's area: the reasons, in order.
  ASSERT_TRUE(Get(grid_, resident_, &out).ok());
  ASSERT_EQ(out.reasons_size(), 2);
  EXPECT_EQ(out.reasons(0).code(), "returnee_window");
  EXPECT_EQ(out.reasons(0).detail(), "arrived 2020-01-23");
  EXPECT_EQ(out.reasons(1).code(), "missed_check_ins");
  EXPECT_EQ(out.reasons(1).detail(), "2 days without a check-in");

  // The resident themselves.
  ASSERT_TRUE(Get(ResidentToken(resident_), resident_, &out).ok());
  EXPECT_EQ(out.reasons_size(), 2);

  // An admin of another community, a grid worker elsewhere, a service account: colour only.
  for (const std::string& token :
       {tokens_.Mint("a", {"community_admin"}, {"gongyi.dufulu.yimin"}),
        tokens_.Mint("g", {"grid_worker"}, {"gongyi.dufulu.yimin"}),
        tokens_.Mint("svc", {"service"}, {"gongyi"}),
        // A reason-reader role elsewhere does not widen a checkpoint grant in scope.
        tokens_.MintGrants("mix", {{"code_verifier", kArea}, {"grid_worker", "zhengzhou"}})}) {
    ASSERT_TRUE(Get(token, resident_, &out).ok());
    EXPECT_EQ(out.colour(), quarantine::v1::PASS_COLOUR_YELLOW);
    EXPECT_EQ(out.reasons_size(), 0);
  }
}

TEST_F(QuarantinePassStatusTest, CallersAreAuthenticatedAndResidentsSeeOnlyThemselves) {
  PassStatus out;
  EXPECT_EQ(Get("", resident_, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string other = server_->Query("SELECT gen_random_uuid()::text").at(0);
  EXPECT_EQ(Get(ResidentToken(other), resident_, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A staff token carrying the resident role is not that resident.
  EXPECT_EQ(Get(tokens_.MintGrants(resident_, {{"resident", kArea}}), resident_, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  for (const char* role : {"volunteer", "inspector", "auditor", "publicity_editor"}) {
    EXPECT_EQ(Get(tokens_.Mint("x", {role}, {"gongyi"}), resident_, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  EXPECT_TRUE(IsInvalidNaming(Get(verifier_, "42", &out), "resident_id"));
  EXPECT_TRUE(
      IsInvalidNaming(Get(verifier_, "0B0E5C1A-8F3D-4C2E-9A71-2D4F6B8C0E13", &out), "resident_id"));
  EXPECT_FALSE(Cached().has_value());  // nothing published for refused calls
}

// GetPassStatus keeps rows in memory (FX_PASS_STATUS_CACHE_MS): a change made through this
// server is seen at once; a row changed behind its back only when the memory expires.
TEST(QuarantinePassStatusMemoryTest, ChangesMadeHereAreSeenAtOnce) {
  TestTokens tokens;
  // Violations are recorded against residents identity knows.
  IdentityUnderTest identity(tokens, "passmemory_identity");
  ServiceUnderTest server("services/quarantine/quarantine_server", "passmemory", tokens,
                          identity.Env({{"FX_PASS_STATUS_CACHE_MS", "10000"}}));
  ASSERT_TRUE(server.WaitUntilServing());
  auto passes = QuarantineService::NewStub(server.channel());
  auto violations = quarantine::v1::ViolationService::NewStub(server.channel());
  const std::string resident = identity.Resident("钱多多", kArea);
  const std::string officer = tokens.Mint("officer", {"community_admin"}, {"gongyi.dufulu"});
  auto colour = [&] {
    GetPassStatusRequest req;
    req.set_resident_id(resident);
    PassStatus out;
    grpc::Status st = passes->GetPassStatus(CallContextWith(officer).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.colour();
  };
  EXPECT_EQ(colour(), quarantine::v1::PASS_COLOUR_GREEN);  // now in memory

  // Behind the server's back: the memory still answers GREEN.
  server.Query(
      "INSERT INTO quarantine.pass_status (resident_id, colour, reason_codes, "
      "reason_details) VALUES ('" +
      resident + "', 2, '{follow_up}', '{x}')");
  EXPECT_EQ(colour(), quarantine::v1::PASS_COLOUR_GREEN);

  // Through the server: a confirmed violation is RED on the next read.
  quarantine::v1::RecordViolationRequest req;
  req.set_resident_id(resident);
  req.set_area_code(kArea);
  req.set_kind(quarantine::v1::VIOLATION_KIND_CONCEALMENT);
  req.set_description("hid a trip");
  req.set_confirmed(true);
  quarantine::v1::Violation v;
  grpc::Status st = violations->RecordViolation(CallContextWith(officer).get(), req, &v);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(colour(), quarantine::v1::PASS_COLOUR_RED);
}

}  // namespace
}  // namespace fangxian::testing
