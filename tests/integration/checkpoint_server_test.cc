// Black-box tests of checkpoint_server: the real binary, a scratch PostgreSQL database and
// the test Redis, called over gRPC.
#include <functional>
#include <set>

#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using checkpoint::v1::Checkpoint;
using checkpoint::v1::CheckpointService;
using checkpoint::v1::CreateCheckpointRequest;
using checkpoint::v1::GetCheckpointRequest;
using checkpoint::v1::ListCheckpointsRequest;
using checkpoint::v1::ListCheckpointsResponse;

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

  // A single-area checkpoint named `name` over `area`, created by the dufulu admin.
  std::string MakeGate(const std::string& name, const std::string& area) {
    Checkpoint c;
    c.set_name(name);
    c.set_kind(checkpoint::v1::CHECKPOINT_KIND_COMPOUND_GATE);
    c.add_area_codes(area);
    Checkpoint out;
    grpc::Status st = Create(admin_, c, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.checkpoint_id();
  }

  grpc::Status List(const std::string& token, ListCheckpointsRequest req,
                    ListCheckpointsResponse* out) {
    return stub_->ListCheckpoints(CallContextWith(token).get(), req, out);
  }

  grpc::Status Update(const std::string& token, const std::string& id, const Checkpoint& c,
                      const std::vector<std::string>& paths, Checkpoint* out) {
    checkpoint::v1::UpdateCheckpointRequest req;
    req.set_checkpoint_id(id);
    *req.mutable_checkpoint() = c;
    for (const std::string& p : paths) req.mutable_update_mask()->add_paths(p);
    return stub_->UpdateCheckpoint(CallContextWith(token).get(), req, out);
  }

  grpc::Status SetOpen(const std::string& token, const std::string& id, bool open,
                       const std::string& reason, Checkpoint* out) {
    checkpoint::v1::SetCheckpointOpenRequest req;
    req.set_checkpoint_id(id);
    req.set_open(open);
    req.set_reason(reason);
    return stub_->SetCheckpointOpen(CallContextWith(token).get(), req, out);
  }

  grpc::Status CheckKit(const std::string& token, const std::string& id,
                        checkpoint::v1::KitItem item, checkpoint::v1::KitItemState state,
                        const std::string& note, Checkpoint* out) {
    checkpoint::v1::CheckKitItemRequest req;
    req.set_checkpoint_id(id);
    req.set_item(item);
    req.set_state(state);
    req.set_note(note);
    return stub_->CheckKitItem(CallContextWith(token).get(), req, out);
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
  // Outside the scope a checkpoint reads as missing, with the same message: the caller
  // learns nothing about other areas.
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  const grpc::Status outside = Get(other_area, id, &out);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(outside.error_message(), Get(admin_, kUnknownId, &out).error_message());
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

TEST_F(CheckpointServerTest, ListPagesThroughTheCheckpointsOfAnAreaInScope) {
  std::set<std::string> longhai;
  for (int i = 0; i < 5; ++i)
    longhai.insert(MakeGate("龙海" + std::to_string(i), "gongyi.dufulu.longhai"));
  const std::string yimin = MakeGate("益民", "gongyi.dufulu.yimin");
  // "gongyi.dufulu.longhai2" is not below "gongyi.dufulu.longhai".
  MakeGate("龙海二", "gongyi.dufulu.longhai2");
  Checkpoint closed;
  ASSERT_TRUE(SetOpen(admin_, *longhai.begin(), false, "并入东门", &closed).ok());

  ListCheckpointsRequest req;
  req.set_area_code("gongyi.dufulu.longhai");
  req.set_page_size(2);
  req.set_include_closed(true);
  std::set<std::string> seen;
  std::string last;
  for (int page = 0; page < 10; ++page) {
    ListCheckpointsResponse out;
    grpc::Status st = List(admin_, req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_LE(out.checkpoints_size(), 2);
    for (const Checkpoint& c : out.checkpoints()) {
      EXPECT_GT(c.checkpoint_id(), last);  // ordered by id
      last = c.checkpoint_id();
      seen.insert(c.checkpoint_id());
      EXPECT_EQ(c.kit_size(), 9);
      EXPECT_EQ(c.work_plan(), "");
    }
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, longhai);

  // Without include_closed the closed one is left out; the parent area lists everything.
  req.clear_page_token();
  req.set_page_size(0);
  req.set_include_closed(false);
  ListCheckpointsResponse out;
  ASSERT_TRUE(List(admin_, req, &out).ok());
  EXPECT_EQ(out.checkpoints_size(), 4);
  EXPECT_TRUE(out.next_page_token().empty());
  req.set_area_code("gongyi.dufulu");
  ASSERT_TRUE(List(admin_, req, &out).ok());
  EXPECT_EQ(out.checkpoints_size(), 6);

  // Scope, bad sizes and tokens.
  const std::string other = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(List(other, req, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string monitor = tokens_.Mint("t", {"temperature_monitor"}, {"gongyi.dufulu.yimin"});
  req.set_area_code("gongyi.dufulu.yimin");
  ASSERT_TRUE(List(monitor, req, &out).ok());
  ASSERT_EQ(out.checkpoints_size(), 1);
  EXPECT_EQ(out.checkpoints(0).checkpoint_id(), yimin);
  req.set_page_size(501);
  EXPECT_TRUE(IsInvalidNaming(List(admin_, req, &out), "page_size"));
  req.set_page_size(0);
  req.set_page_token("bm90LWEtdXVpZA");
  EXPECT_TRUE(IsInvalidNaming(List(admin_, req, &out), "page_token"));
  req.clear_page_token();
  req.set_area_code("Not/An/Area");
  EXPECT_TRUE(IsInvalidNaming(List(admin_, req, &out), "area_code"));
}

TEST_F(CheckpointServerTest, UpdateChangesTheMaskedFieldsWithinScope) {
  Checkpoint created;
  ASSERT_TRUE(Create(admin_, Sample(), &created).ok());
  const std::string id = created.checkpoint_id();
  Checkpoint change;
  change.set_name("改名");  // not in the mask: ignored
  change.set_work_plan("一、三班倒\n二、逢车必查、逢人必测");
  Checkpoint out;
  grpc::Status st = Update(admin_, id, change, {"work_plan"}, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.name(), "益民街综合卡点");
  EXPECT_EQ(out.work_plan(), "一、三班倒\n二、逢车必查、逢人必测");
  EXPECT_EQ(out.location(), "益民街与杜甫路交叉口");
  EXPECT_GE(google::protobuf::util::TimeUtil::TimestampToMicroseconds(out.update_time()),
            google::protobuf::util::TimeUtil::TimestampToMicroseconds(created.update_time()));
  Checkpoint got;
  ASSERT_TRUE(Get(admin_, id, &got).ok());
  EXPECT_EQ(got.work_plan(), out.work_plan());

  change.set_location("");
  ASSERT_TRUE(Update(admin_, id, change, {"name", "location"}, &out).ok());
  EXPECT_EQ(out.name(), "改名");
  EXPECT_EQ(out.location(), "");

  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, change, {"kind"}, &out), "update_mask"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, change, {"colour"}, &out), "update_mask"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, change, {}, &out), "update_mask"));
  change.set_work_plan(std::string(20001, 'p'));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, change, {"work_plan"}, &out), "work_plan"));
  EXPECT_EQ(Update(admin_, kUnknownId, change, {"name"}, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Another community's admin, an admin of only one of the two areas, and a shift leader
  // may not change it; nothing changed.
  const std::string other = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(Update(other, id, change, {"name"}, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string half = tokens_.Mint("h", {"community_admin"}, {"gongyi.dufulu.longhai"});
  EXPECT_EQ(Update(half, id, change, {"name"}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string leader = tokens_.Mint("s", {"shift_leader"}, {"gongyi.dufulu"});
  EXPECT_EQ(Update(leader, id, change, {"name"}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Get(admin_, id, &got).ok());
  EXPECT_EQ(got.name(), "改名");
}

TEST_F(CheckpointServerTest, ClosingStoresTheReasonAndOpeningClearsIt) {
  const std::string id = MakeGate("东门", "gongyi.dufulu.longhai");
  Checkpoint out;
  EXPECT_TRUE(IsInvalidNaming(SetOpen(admin_, id, false, "", &out), "reason"));
  EXPECT_TRUE(IsInvalidNaming(SetOpen(admin_, id, true, "why", &out), "reason"));
  ASSERT_TRUE(SetOpen(admin_, id, false, "小区解封", &out).ok());
  EXPECT_FALSE(out.open());
  EXPECT_EQ(out.closed_reason(), "小区解封");
  EXPECT_EQ(server_->Query("SELECT closed_reason FROM checkpoint.checkpoints")[0], "小区解封");
  // Closing again changes nothing (the first reason stays).
  ASSERT_TRUE(SetOpen(admin_, id, false, "another", &out).ok());
  EXPECT_EQ(out.closed_reason(), "小区解封");
  ASSERT_TRUE(SetOpen(admin_, id, true, "", &out).ok());
  EXPECT_TRUE(out.open());
  EXPECT_EQ(out.closed_reason(), "");

  const std::string other = tokens_.Mint("o", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(SetOpen(other, id, false, "x", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(SetOpen(admin_, kUnknownId, false, "x", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  EXPECT_TRUE(out.open());
}

TEST_F(CheckpointServerTest, TheKitListsNineItemsAndStaffRecordChecks) {
  const std::string id = MakeGate("东门", "gongyi.dufulu.longhai");
  Checkpoint out;
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  ASSERT_EQ(out.kit_size(), 9);
  for (const auto& k : out.kit()) {
    EXPECT_EQ(k.state(), checkpoint::v1::KIT_ITEM_STATE_UNSPECIFIED);
    EXPECT_FALSE(k.has_check_time());
  }
  const std::string leader = tokens_.Mint("leader-1", {"shift_leader"}, {"gongyi.dufulu.longhai"});
  grpc::Status st = CheckKit(leader, id, checkpoint::v1::KIT_ITEM_THERMOMETER_GUN,
                             checkpoint::v1::KIT_ITEM_STATE_DAMAGED, "屏幕裂了", &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(out.kit_size(), 9);
  const auto& gun = out.kit(checkpoint::v1::KIT_ITEM_THERMOMETER_GUN - 1);
  EXPECT_EQ(gun.item(), checkpoint::v1::KIT_ITEM_THERMOMETER_GUN);
  EXPECT_EQ(gun.state(), checkpoint::v1::KIT_ITEM_STATE_DAMAGED);
  EXPECT_EQ(gun.note(), "屏幕裂了");
  EXPECT_EQ(gun.checked_by(), "leader-1");
  EXPECT_TRUE(gun.has_check_time());
  EXPECT_FALSE(out.kit(0).has_check_time());

  // A later check replaces the earlier one; an inspector may check too.
  const std::string inspector = tokens_.Mint("insp-1", {"inspector"}, {"gongyi"});
  ASSERT_TRUE(CheckKit(inspector, id, checkpoint::v1::KIT_ITEM_THERMOMETER_GUN,
                       checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                  .ok());
  EXPECT_EQ(out.kit(7).state(), checkpoint::v1::KIT_ITEM_STATE_PRESENT);
  EXPECT_EQ(out.kit(7).checked_by(), "insp-1");
  EXPECT_EQ(server_->Count("checkpoint.kit_items"), "1");

  EXPECT_TRUE(IsInvalidNaming(CheckKit(leader, id, checkpoint::v1::KIT_ITEM_UNSPECIFIED,
                                       checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out),
                              "item"));
  EXPECT_TRUE(IsInvalidNaming(CheckKit(leader, id, checkpoint::v1::KIT_ITEM_FLAG,
                                       checkpoint::v1::KIT_ITEM_STATE_UNSPECIFIED, "", &out),
                              "state"));
  EXPECT_EQ(CheckKit(leader, kUnknownId, checkpoint::v1::KIT_ITEM_FLAG,
                     checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string monitor = tokens_.Mint("t", {"temperature_monitor"}, {"gongyi"});
  EXPECT_EQ(CheckKit(monitor, id, checkpoint::v1::KIT_ITEM_FLAG,
                     checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string other_leader = tokens_.Mint("x", {"shift_leader"}, {"gongyi.xinhua"});
  EXPECT_EQ(CheckKit(other_leader, id, checkpoint::v1::KIT_ITEM_FLAG,
                     checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("checkpoint.kit_items"), "1");
}

// A consolidated checkpoint spans several compounds: a grant over one of them lets its
// holder read the checkpoint, but a write to it (set-up, opening, kit) needs every one.
TEST_F(CheckpointServerTest, WritesToAConsolidatedCheckpointNeedEveryArea) {
  Checkpoint created;
  ASSERT_TRUE(Create(admin_, Sample(), &created).ok());
  const std::string id = created.checkpoint_id();
  const std::string half_admin = tokens_.Mint("h", {"community_admin"}, {"gongyi.dufulu.longhai"});
  const std::string half_leader = tokens_.Mint("l", {"shift_leader"}, {"gongyi.dufulu.longhai"});
  Checkpoint out;
  EXPECT_TRUE(Get(half_admin, id, &out).ok());
  EXPECT_TRUE(Get(half_leader, id, &out).ok());

  Checkpoint change;
  change.set_name("改名");
  grpc::Status st = Update(half_admin, id, change, {"name"}, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(SetOpen(half_admin, id, false, "封控", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CheckKit(half_leader, id, checkpoint::v1::KIT_ITEM_FLAG,
                     checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("checkpoint.kit_items"), "0");
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  EXPECT_EQ(out.name(), "益民街综合卡点");
  EXPECT_TRUE(out.open());

  // A leader over both compounds checks the kit.
  const std::string leader = tokens_.MintGrants(
      "l2", {{"shift_leader", "gongyi.dufulu.longhai"}, {"shift_leader", "gongyi.dufulu.yimin"}});
  EXPECT_TRUE(CheckKit(leader, id, checkpoint::v1::KIT_ITEM_FLAG,
                       checkpoint::v1::KIT_ITEM_STATE_PRESENT, "", &out)
                  .ok());
}

TEST(CheckpointServerConfigTest, StartsOnlyWithThePassageDigestKey) {
  for (const std::string& key : {std::string(), std::string("c2hvcnQ=")}) {
    std::map<std::string, std::string> env = {{"FX_GRPC_ADDR", "127.0.0.1:0"},
                                              {"FX_PG_DSN", "host=127.0.0.1 port=1"},
                                              {"FX_REDIS_ADDR", RedisAddr()},
                                              {"FX_TOKEN_PUBLIC_KEYS", TestTokens().public_keys()}};
    if (!key.empty()) env["FX_PASSAGE_DIGEST_KEY"] = key;
    ChildProcess server("services/checkpoint/checkpoint_server", env);
    EXPECT_EQ(server.WaitExit(std::chrono::seconds(20)), 2) << key;
    const std::string err = server.Stderr();
    EXPECT_NE(err.find("FX_PASSAGE_DIGEST_KEY"), std::string::npos) << err;
    EXPECT_EQ(err.find("c2hvcnQ="), std::string::npos);  // secrets are not echoed
  }
}

}  // namespace
}  // namespace fangxian::testing
