// Black-box tests of checkpoint_server: the real binary, a scratch PostgreSQL database and
// the test Redis, called over gRPC.
#include <functional>

#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using checkpoint::v1::Checkpoint;
using checkpoint::v1::CheckpointService;
using checkpoint::v1::CreateCheckpointRequest;
using checkpoint::v1::GetCheckpointRequest;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

class CheckpointServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/checkpoint/checkpoint_server",
                                                 "checkpoint", tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = CheckpointService::NewStub(server_->channel());
    admin_ = tokens_.Mint("admin-1", {"community_admin"}, {"gongyi.dufulu"});
  }

  grpc::Status Create(const std::string& token, const Checkpoint& c, Checkpoint* out) {
    CreateCheckpointRequest req;
    *req.mutable_checkpoint() = c;
    return stub_->CreateCheckpoint(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, Checkpoint* out) {
    GetCheckpointRequest req;
    req.set_checkpoint_id(id);
    return stub_->GetCheckpoint(CallContextWith(token).get(), req, out);
  }

  // A consolidated checkpoint over two compounds, areas deliberately not in order.
  static Checkpoint Sample() {
    Checkpoint c;
    c.set_name("益民街综合卡点");
    c.set_kind(checkpoint::v1::CHECKPOINT_KIND_CONSOLIDATED);
    c.add_area_codes("gongyi.dufulu.yimin");
    c.add_area_codes("gongyi.dufulu.longhai");
    c.set_location("益民街与杜甫路交叉口");
    return c;
  }

  void ExpectNothingStored() {
    EXPECT_EQ(server_->Count("checkpoint.checkpoints"), "0");
    EXPECT_EQ(server_->Count("checkpoint.checkpoint_areas"), "0");
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<CheckpointService::Stub> stub_;
  std::string admin_;
};

TEST_F(CheckpointServerTest, CreateThenGetRoundTripsTheStoredCheckpoint) {
  Checkpoint in = Sample();
  in.set_checkpoint_id(kUnknownId);  // output-only fields are ignored
  in.set_open(false);
  Checkpoint created;
  grpc::Status st = Create(admin_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.checkpoint_id().size(), 36u);
  EXPECT_NE(created.checkpoint_id(), kUnknownId);
  EXPECT_EQ(created.name(), "益民街综合卡点");
  EXPECT_EQ(created.kind(), checkpoint::v1::CHECKPOINT_KIND_CONSOLIDATED);
  ASSERT_EQ(created.area_codes_size(), 2);
  EXPECT_EQ(created.area_codes(0), "gongyi.dufulu.longhai");  // lexical order
  EXPECT_EQ(created.area_codes(1), "gongyi.dufulu.yimin");
  EXPECT_EQ(created.location(), "益民街与杜甫路交叉口");
  EXPECT_TRUE(created.open());
  EXPECT_GT(created.create_time().seconds(), 0);

  Checkpoint got;
  st = Get(admin_, created.checkpoint_id(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  const std::string where = " WHERE checkpoint_id = '" + created.checkpoint_id() + "'";
  EXPECT_EQ(server_->Query("SELECT created_by FROM checkpoint.checkpoints" + where)[0], "admin-1");
  EXPECT_EQ(server_->Query("SELECT kind FROM checkpoint.checkpoints" + where)[0], "4");
  EXPECT_EQ(server_->Count("checkpoint.checkpoint_areas"), "2");

  // A single-area checkpoint without a location.
  Checkpoint gate;
  gate.set_name("龙海小区东门");
  gate.set_kind(checkpoint::v1::CHECKPOINT_KIND_COMPOUND_GATE);
  gate.add_area_codes("gongyi.dufulu.longhai");
  ASSERT_TRUE(Create(admin_, gate, &created).ok());
  ASSERT_TRUE(Get(admin_, created.checkpoint_id(), &got).ok());
  EXPECT_EQ(got.location(), "");
  EXPECT_EQ(got.kind(), checkpoint::v1::CHECKPOINT_KIND_COMPOUND_GATE);
}

TEST_F(CheckpointServerTest, BadInputIsInvalidArgumentNamingTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(Checkpoint&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](Checkpoint& c) { c.clear_name(); }, "checkpoint.name"},
      {[](Checkpoint& c) { c.set_name(std::string(101, 'a')); }, "checkpoint.name"},
      {[](Checkpoint& c) { c.set_kind(checkpoint::v1::CHECKPOINT_KIND_UNSPECIFIED); },
       "checkpoint.kind"},
      {[](Checkpoint& c) { c.set_kind(static_cast<checkpoint::v1::CheckpointKind>(17)); },
       "checkpoint.kind"},
      {[](Checkpoint& c) { c.clear_area_codes(); }, "checkpoint.area_codes"},
      {[](Checkpoint& c) { c.set_area_codes(0, "Gongyi/Dufulu"); }, "checkpoint.area_codes"},
      {[](Checkpoint& c) { c.set_area_codes(1, c.area_codes(0)); }, "checkpoint.area_codes"},
      {[](Checkpoint& c) { c.set_kind(checkpoint::v1::CHECKPOINT_KIND_ROAD); },
       "checkpoint.area_codes"},
      {[](Checkpoint& c) { c.mutable_area_codes()->RemoveLast(); }, "checkpoint.area_codes"},
      {[](Checkpoint& c) {
         for (int i = 0; i < 100; ++i) c.add_area_codes("gongyi.dufulu.c" + std::to_string(i));
       },
       "checkpoint.area_codes"},
      {[](Checkpoint& c) { c.set_location(std::string(201, 'a')); }, "checkpoint.location"},
  };
  for (const Case& c : cases) {
    Checkpoint in = Sample();
    c.mutate(in);
    Checkpoint out;
    EXPECT_TRUE(IsInvalidNaming(Create(admin_, in, &out), c.field));
  }
  ExpectNothingStored();
}

TEST_F(CheckpointServerTest, AFailureWhileWritingAreasRollsBackTheCheckpoint) {
  // Make the second area row fail inside the database, after the checkpoint row went in.
  server_->Query(
      "ALTER TABLE checkpoint.checkpoint_areas ADD CONSTRAINT test_refuse_yimin "
      "CHECK (area_code <> 'gongyi.dufulu.yimin')");
  Checkpoint out;
  grpc::Status st = Create(admin_, Sample(), &out);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  ExpectNothingStored();
}

TEST_F(CheckpointServerTest, CallersAreAuthenticatedAndConfinedToTheirRolesAndAreas) {
  Checkpoint out;
  EXPECT_EQ(Create("", Sample(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", kUnknownId, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string monitor = tokens_.Mint("t", {"temperature_monitor"}, {"gongyi.dufulu.longhai"});
  EXPECT_EQ(Create(monitor, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Covers only one of the two areas: creating needs every one.
  const std::string longhai_admin =
      tokens_.Mint("l", {"community_admin"}, {"gongyi.dufulu.longhai"});
  EXPECT_EQ(Create(longhai_admin, Sample(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ExpectNothingStored();

  Checkpoint created;
  ASSERT_TRUE(Create(admin_, Sample(), &created).ok());
  const std::string id = created.checkpoint_id();
  // Reading needs only one covered area.
  EXPECT_TRUE(Get(longhai_admin, id, &out).ok());
  EXPECT_TRUE(Get(monitor, id, &out).ok());
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(Get(other_area, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Get(volunteer, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string service = tokens_.Mint("svc", {"service"}, {"gongyi"});
  EXPECT_TRUE(Get(service, id, &out).ok());
}

TEST_F(CheckpointServerTest, UnknownIdIsNotFoundAndMalformedIdIsInvalid) {
  Checkpoint out;
  EXPECT_EQ(Get(admin_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(admin_, "not-a-uuid", &out), "checkpoint_id"));
  EXPECT_TRUE(IsInvalidNaming(Get(admin_, "", &out), "checkpoint_id"));
}

}  // namespace
}  // namespace fangxian::testing
