// MaterialService against the real publicity_server, with the real identity_server (areas
// must exist) and the real checkpoint_server (a material's checkpoint must cover its
// area): create, read, list, update with versions, move, remove and totals; bad input,
// unknown references, stale versions, scope and role denials.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/publicity/v1/materials.grpc.pb.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/identity_fixtures.h"

namespace fangxian::testing {
namespace {

using namespace publicity::v1;  // NOLINT: the test reads better with the message names

constexpr char kDufulu[] = "gongyi.dufulu";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kXiangyang[] = "gongyi.dufulu.longhai.xiangyang";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

// A China day relative to today, YYYY-MM-DD.
std::string Day(int offset) { return common::IsoDate(common::ChinaToday(absl::Now()) + offset); }

class PublicityMaterialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "pmat_identity");
    for (const char* area : {kJingyuan, kXiangyang, kYimin}) identity_->EnsureArea(area);
    checkpoint_ = std::make_unique<ServiceUnderTest>("services/checkpoint/checkpoint_server",
                                                     "pmat_checkpoint", tokens_, identity_->Env());
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    const std::string checkpoint_addr =
        absl::StrCat("127.0.0.1:", checkpoint_->process().WaitForPort("grpc_port"));
    server_ = std::make_unique<ServiceUnderTest>(
        "services/publicity/publicity_server", "pmat", tokens_,
        identity_->Env({{"FX_CHECKPOINT_ADDR", checkpoint_addr}}));
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = MaterialService::NewStub(server_->channel());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    editor_ = tokens_.Mint("editor-1", {"publicity_editor"}, {kLonghai});
    reviewer_ = tokens_.Mint("reviewer-1", {"publicity_reviewer"}, {kLonghai});
    volunteer_ = tokens_.Mint("volunteer-1", {"volunteer"}, {kLonghai});
  }

  // A checkpoint covering `area`, straight into the checkpoint service's schema.
  std::string Checkpoint(const std::string& area) {
    return InsertCheckpoint([this](const std::string& sql) { return checkpoint_->Query(sql); },
                            area);
  }

  static Material Board(const std::string& area, int quantity = 12) {
    Material m;
    m.set_kind(MATERIAL_KIND_BOARD);
    m.set_description("防疫知识宣传板");
    m.set_area_code(area);
    m.set_place("东门外侧");
    m.set_quantity(quantity);
    m.set_installed_on(Day(-30));
    m.set_condition(MATERIAL_CONDITION_GOOD);
    m.set_replace_by(Day(60));
    return m;
  }

  grpc::Status Create(const std::string& token, const Material& m, Material* out) {
    CreateMaterialRequest req;
    *req.mutable_material() = m;
    return stub_->CreateMaterial(CallContextWith(token).get(), req, out);
  }
  Material MustCreate(const Material& m) {
    Material out;
    grpc::Status st = Create(admin_, m, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }
  grpc::Status Get(const std::string& token, const std::string& id, Material* out) {
    GetMaterialRequest req;
    req.set_material_id(id);
    return stub_->GetMaterial(CallContextWith(token).get(), req, out);
  }
  grpc::Status Update(const std::string& token, const UpdateMaterialRequest& req, Material* out) {
    return stub_->UpdateMaterial(CallContextWith(token).get(), req, out);
  }
  grpc::Status Remove(const std::string& token, const std::string& id, int version,
                      const std::string& reason, Material* out) {
    RemoveMaterialRequest req;
    req.set_material_id(id);
    req.set_expected_version(version);
    req.set_reason(reason);
    return stub_->RemoveMaterial(CallContextWith(token).get(), req, out);
  }
  grpc::Status List(const std::string& token, const ListMaterialsRequest& req,
                    ListMaterialsResponse* out) {
    return stub_->ListMaterials(CallContextWith(token).get(), req, out);
  }
  std::vector<std::string> ListIds(const ListMaterialsRequest& req) {
    ListMaterialsResponse out;
    grpc::Status st = List(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> ids;
    for (const Material& m : out.materials()) ids.push_back(m.material_id());
    return ids;
  }
  grpc::Status Totals(const std::string& token, const std::string& area, MaterialTotals* out) {
    GetMaterialTotalsRequest req;
    req.set_area_code(area);
    return stub_->GetMaterialTotals(CallContextWith(token).get(), req, out);
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<MaterialService::Stub> stub_;
  std::string admin_;
  std::string editor_;
  std::string reviewer_;
  std::string volunteer_;
};

TEST_F(PublicityMaterialsTest, CreateThenReadRoundTripsWithTheCheckpoint) {
  const std::string gate = Checkpoint(kJingyuan);
  Material in = Board(kJingyuan);
  in.set_checkpoint_id(gate);
  in.set_material_id(kUnknownId);  // output-only fields are ignored
  in.set_version(9);
  in.set_removed_on(Day(-1));
  Material created;
  grpc::Status st = Create(editor_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.material_id().size(), 36u);
  EXPECT_NE(created.material_id(), kUnknownId);
  EXPECT_EQ(created.kind(), MATERIAL_KIND_BOARD);
  EXPECT_EQ(created.description(), "防疫知识宣传板");
  EXPECT_EQ(created.area_code(), kJingyuan);
  EXPECT_EQ(created.checkpoint_id(), gate);
  EXPECT_EQ(created.place(), "东门外侧");
  EXPECT_EQ(created.quantity(), 12);
  EXPECT_EQ(created.installed_on(), Day(-30));
  EXPECT_EQ(created.condition(), MATERIAL_CONDITION_GOOD);
  EXPECT_EQ(created.replace_by(), Day(60));
  EXPECT_EQ(created.version(), 1);
  EXPECT_FALSE(created.needs_replacement());
  EXPECT_EQ(created.created_by(), "editor-1");
  EXPECT_EQ(created.updated_by(), "editor-1");
  EXPECT_GT(created.create_time().seconds(), 0);
  EXPECT_EQ(created.removed_on(), "");

  // Reviewers read within their scope; the same material comes back.
  Material got;
  st = Get(reviewer_, created.material_id(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  // Without a checkpoint, and without the optional fields.
  Material bare = Board(kXiangyang);
  bare.clear_description();
  bare.clear_place();
  bare.clear_replace_by();
  st = Create(editor_, bare, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.checkpoint_id(), "");
  EXPECT_EQ(created.replace_by(), "");
  EXPECT_EQ(server_->Count("publicity.materials"), "2");
}

TEST_F(PublicityMaterialsTest, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(Material&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](Material& m) { m.set_quantity(0); }, "material.quantity"},
      {[](Material& m) { m.set_quantity(-5); }, "material.quantity"},
      {[](Material& m) { m.set_quantity(100001); }, "material.quantity"},
      {[](Material& m) { m.set_replace_by(Day(-31)); }, "material.replace_by"},
      {[](Material& m) { m.set_kind(MATERIAL_KIND_UNSPECIFIED); }, "material.kind"},
      {[](Material& m) { m.set_condition(MATERIAL_CONDITION_UNSPECIFIED); }, "material.condition"},
      {[](Material& m) { m.set_installed_on("2026-02-30"); }, "material.installed_on"},
      {[](Material& m) { m.set_installed_on("yesterday"); }, "material.installed_on"},
      {[](Material& m) { m.set_replace_by("2026/12/01"); }, "material.replace_by"},
      {[](Material& m) { m.set_area_code("gongyi..dufulu"); }, "material.area_code"},
      {[](Material& m) { m.set_checkpoint_id("gate-7"); }, "material.checkpoint_id"},
  };
  for (const Case& c : cases) {
    Material m = Board(kJingyuan);
    c.mutate(m);
    Material out;
    EXPECT_TRUE(IsInvalidNaming(Create(editor_, m, &out), c.field)) << c.field;
  }

  // An area identity does not know: NOT_FOUND naming the field.
  Material out;
  grpc::Status st = Create(admin_, Board("gongyi.dufulu.nowhere"), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("material.area_code"), std::string::npos);

  // An unknown checkpoint: NOT_FOUND naming it.
  Material m = Board(kJingyuan);
  m.set_checkpoint_id(kUnknownId);
  st = Create(editor_, m, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("material.checkpoint_id"), std::string::npos);

  // A checkpoint that does not cover the material's area: both named.
  m.set_checkpoint_id(Checkpoint(kXiangyang));
  st = Create(editor_, m, &out);
  EXPECT_TRUE(IsInvalidNaming(st, "material.area_code"));
  EXPECT_NE(st.error_message().find("material.checkpoint_id"), std::string::npos);

  // Outside the caller's scope, or a role that may not write.
  st = Create(editor_, Board(kYimin), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  st = Create(reviewer_, Board(kJingyuan), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  st = Create(volunteer_, Board(kJingyuan), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();

  EXPECT_EQ(server_->Count("publicity.materials"), "0");
}

TEST_F(PublicityMaterialsTest, UpdatesNeedTheCurrentVersionAndScopeOverBothAreas) {
  const Material created = MustCreate(Board(kJingyuan));

  UpdateMaterialRequest req;
  req.set_material_id(created.material_id());
  req.set_expected_version(1);
  req.set_condition(MATERIAL_CONDITION_DAMAGED);
  req.set_quantity(9);
  Material updated;
  grpc::Status st = Update(editor_, req, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.condition(), MATERIAL_CONDITION_DAMAGED);
  EXPECT_EQ(updated.quantity(), 9);
  EXPECT_EQ(updated.replace_by(), Day(60));  // not given: kept
  EXPECT_TRUE(updated.needs_replacement());  // damaged
  EXPECT_EQ(updated.updated_by(), "editor-1");
  EXPECT_EQ(updated.created_by(), "admin-1");

  // The same request again carries a stale version: ABORTED, nothing written.
  st = Update(editor_, req, &updated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
  EXPECT_EQ(server_->Query("SELECT version FROM publicity.materials")[0], "2");

  // Bad values on an existing material.
  UpdateMaterialRequest bad = req;
  bad.set_expected_version(2);
  bad.set_quantity(0);
  EXPECT_TRUE(IsInvalidNaming(Update(editor_, bad, &updated), "quantity"));
  bad = req;
  bad.set_expected_version(2);
  bad.clear_quantity();
  bad.set_replace_by(Day(-40));  // before installed_on
  EXPECT_TRUE(IsInvalidNaming(Update(editor_, bad, &updated), "replace_by"));

  // Moving to yimin needs scope over yimin too: the editor of longhai may not.
  UpdateMaterialRequest move;
  move.set_material_id(created.material_id());
  move.set_expected_version(2);
  move.set_area_code(kYimin);
  st = Update(editor_, move, &updated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  // An area identity does not know.
  move.set_area_code("gongyi.dufulu.nowhere");
  st = Update(admin_, move, &updated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("area_code"), std::string::npos);
  // Attached to a checkpoint of jingyuan, it cannot move to yimin without leaving it.
  UpdateMaterialRequest attach;
  attach.set_material_id(created.material_id());
  attach.set_expected_version(2);
  attach.set_checkpoint_id(Checkpoint(kJingyuan));
  st = Update(editor_, attach, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  move.set_expected_version(3);
  move.set_area_code(kYimin);
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, move, &updated), "area_code"));
  move.set_checkpoint_id("");
  st = Update(admin_, move, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(updated.area_code(), kYimin);
  EXPECT_EQ(updated.checkpoint_id(), "");
  EXPECT_EQ(updated.version(), 4);

  // Now outside the editor's scope: as if it did not exist.
  Material got;
  st = Get(editor_, created.material_id(), &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  req.set_expected_version(4);
  st = Update(editor_, req, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  // Unknown and malformed ids.
  EXPECT_EQ(Get(admin_, kUnknownId, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(admin_, "m-1", &got), "material_id"));
}

TEST_F(PublicityMaterialsTest, RemovedMaterialsAreKeptButNoLongerCountedOrChanged) {
  const Material kept = MustCreate(Board(kJingyuan, 10));
  const Material gone = MustCreate(Board(kJingyuan, 4));

  Material removed;
  grpc::Status st = Remove(editor_, gone.material_id(), 1, "台风吹毁", &removed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(removed.removed_on(), Day(0));
  EXPECT_EQ(removed.removed_by(), "editor-1");
  EXPECT_EQ(removed.removal_reason(), "台风吹毁");
  EXPECT_EQ(removed.version(), 2);

  // Kept for history: readable, listed only on request.
  Material got;
  ASSERT_TRUE(Get(reviewer_, gone.material_id(), &got).ok());
  EXPECT_EQ(got.removed_on(), Day(0));
  ListMaterialsRequest list;
  list.set_area_code(kLonghai);
  EXPECT_EQ(ListIds(list), std::vector<std::string>{kept.material_id()});
  list.set_include_removed(true);
  EXPECT_EQ(ListIds(list), (std::vector<std::string>{gone.material_id(), kept.material_id()}));

  // No longer counted.
  MaterialTotals totals;
  ASSERT_TRUE(Totals(reviewer_, kLonghai, &totals).ok());
  EXPECT_EQ(totals.kinds(0).quantity(), 10);
  EXPECT_EQ(totals.kinds(0).materials(), 1);

  // Cannot change or be removed again.
  UpdateMaterialRequest req;
  req.set_material_id(gone.material_id());
  req.set_expected_version(2);
  req.set_quantity(5);
  st = Update(editor_, req, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  st = Remove(editor_, gone.material_id(), 2, "again", &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();

  // A stale version, a missing reason, a reviewer.
  st = Remove(editor_, kept.material_id(), 2, "lost", &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
  EXPECT_TRUE(IsInvalidNaming(Remove(editor_, kept.material_id(), 1, "", &got), "reason"));
  st = Remove(reviewer_, kept.material_id(), 1, "lost", &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(server_->Query("SELECT count(*) FROM publicity.materials WHERE removed_on IS NULL")[0],
            "1");
}

TEST_F(PublicityMaterialsTest, TotalsPerKindAndChildAreaWithWhatNeedsReplacement) {
  MustCreate(Board(kJingyuan, 10));  // good, replace_by in 60 days
  Material due = Board(kJingyuan, 3);
  due.set_replace_by(Day(0));  // due today
  const std::string due_id = MustCreate(due).material_id();
  Material damaged = Board(kXiangyang, 5);
  damaged.set_condition(MATERIAL_CONDITION_DAMAGED);
  const std::string damaged_id = MustCreate(damaged).material_id();
  Material banner = Board(kYimin, 100);
  banner.set_kind(MATERIAL_KIND_BANNER);
  banner.set_condition(MATERIAL_CONDITION_WORN);
  MustCreate(banner);
  Material vehicle = Board(kLonghai, 1);  // placed in longhai itself
  vehicle.set_kind(MATERIAL_KIND_VEHICLE);
  vehicle.set_condition(MATERIAL_CONDITION_MISSING);
  MustCreate(vehicle);

  MaterialTotals t;
  grpc::Status st = Totals(admin_, kDufulu, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.area_code(), kDufulu);
  EXPECT_EQ(t.as_of_day(), Day(0));
  ASSERT_EQ(t.kinds_size(), 5);
  EXPECT_EQ(t.kinds(0).kind(), MATERIAL_KIND_BOARD);
  EXPECT_EQ(t.kinds(0).quantity(), 18);
  EXPECT_EQ(t.kinds(0).materials(), 3);
  EXPECT_EQ(t.kinds(0).quantity_needing_replacement(), 8);  // 3 due today + 5 damaged
  EXPECT_EQ(t.kinds(1).quantity(), 100);
  EXPECT_EQ(t.kinds(1).quantity_needing_replacement(), 0);  // worn is not due
  EXPECT_EQ(t.kinds(2).quantity(), 1);
  EXPECT_EQ(t.kinds(2).quantity_needing_replacement(), 1);  // missing
  EXPECT_EQ(t.kinds(3).quantity(), 0);
  ASSERT_EQ(t.child_areas_size(), 2);
  EXPECT_EQ(t.child_areas(0).area_code(), kLonghai);
  EXPECT_EQ(t.child_areas(0).kinds(0).quantity(), 18);
  EXPECT_EQ(t.child_areas(0).kinds(2).quantity(), 1);
  EXPECT_EQ(t.child_areas(1).area_code(), kYimin);
  EXPECT_EQ(t.child_areas(1).kinds(0).quantity(), 0);
  EXPECT_EQ(t.child_areas(1).kinds(1).quantity(), 100);

  // One level down: longhai's own vehicle forms a group under longhai itself.
  st = Totals(editor_, kLonghai, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(t.child_areas_size(), 3);
  EXPECT_EQ(t.child_areas(0).area_code(), kLonghai);
  EXPECT_EQ(t.child_areas(0).kinds(2).quantity(), 1);
  EXPECT_EQ(t.child_areas(1).area_code(), kJingyuan);
  EXPECT_EQ(t.child_areas(1).kinds(0).quantity(), 13);
  EXPECT_EQ(t.child_areas(1).kinds(0).quantity_needing_replacement(), 3);
  EXPECT_EQ(t.child_areas(2).area_code(), kXiangyang);

  // The list of what is due for replacement by a day agrees.
  ListMaterialsRequest list;
  list.set_area_code(kLonghai);
  list.set_due_by(Day(0));
  std::vector<std::string> ids = ListIds(list);
  EXPECT_EQ(ids.size(), 3u);  // due today, damaged, the missing vehicle
  EXPECT_NE(std::find(ids.begin(), ids.end(), due_id), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), damaged_id), ids.end());
  list.set_due_by(Day(60));  // the good board becomes due too
  EXPECT_EQ(ListIds(list).size(), 4u);

  // Scope and input.
  st = Totals(editor_, kYimin, &t);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_TRUE(IsInvalidNaming(Totals(admin_, "", &t), "area_code"));
  st = Totals(volunteer_, kLonghai, &t);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(PublicityMaterialsTest, TotalsCountOnlyWhatIsInServiceToday) {
  MustCreate(Board(kJingyuan, 10));  // installed 30 days ago
  Material today = Board(kJingyuan, 2);
  today.set_installed_on(Day(0));
  MustCreate(today);
  Material tomorrow = Board(kJingyuan, 7);
  tomorrow.set_installed_on(Day(1));
  tomorrow.set_condition(MATERIAL_CONDITION_DAMAGED);
  const std::string tomorrow_id = MustCreate(tomorrow).material_id();

  // The board going up tomorrow is recorded and listed, but not yet counted, nor as
  // needing replacement.
  MaterialTotals t;
  grpc::Status st = Totals(admin_, kLonghai, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.kinds(0).quantity(), 12);
  EXPECT_EQ(t.kinds(0).materials(), 2);
  EXPECT_EQ(t.kinds(0).quantity_needing_replacement(), 0);
  ASSERT_EQ(t.child_areas_size(), 1);
  EXPECT_EQ(t.child_areas(0).kinds(0).quantity(), 12);
  ListMaterialsRequest list;
  list.set_area_code(kLonghai);
  EXPECT_EQ(ListIds(list).size(), 3u);

  // Once its day comes it counts (the row as it will be tomorrow: installed today).
  server_->Query(absl::StrCat("UPDATE publicity.materials SET installed_on = '", Day(0),
                              "' WHERE material_id = '", tomorrow_id, "'"));
  st = Totals(admin_, kLonghai, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.kinds(0).quantity(), 19);
  EXPECT_EQ(t.kinds(0).quantity_needing_replacement(), 7);
}

TEST_F(PublicityMaterialsTest, AnAreaWhoseNameStartsLikeAnotherIsNotBelowIt) {
  constexpr char kLookAlike[] = "gongyi.dufulu.longhaix";
  identity_->EnsureArea(kLookAlike);
  const std::string inside = MustCreate(Board(kJingyuan, 10)).material_id();
  const std::string look_alike = MustCreate(Board(kLookAlike, 4)).material_id();
  Material own = Board(kLonghai, 1);  // placed in longhai itself
  own.set_kind(MATERIAL_KIND_BANNER);
  const std::string in_longhai = MustCreate(own).material_id();

  MaterialTotals t;
  grpc::Status st = Totals(admin_, kLonghai, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.kinds(0).quantity(), 10);
  EXPECT_EQ(t.kinds(1).quantity(), 1);
  ASSERT_EQ(t.child_areas_size(), 2) << t.DebugString();
  EXPECT_EQ(t.child_areas(0).area_code(), kLonghai);
  EXPECT_EQ(t.child_areas(1).area_code(), kJingyuan);

  // From dufulu, longhaix is a child area of its own.
  st = Totals(admin_, kDufulu, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.kinds(0).quantity(), 14);
  ASSERT_EQ(t.child_areas_size(), 2) << t.DebugString();
  EXPECT_EQ(t.child_areas(0).area_code(), kLonghai);
  EXPECT_EQ(t.child_areas(0).kinds(0).quantity(), 10);
  EXPECT_EQ(t.child_areas(1).area_code(), kLookAlike);
  EXPECT_EQ(t.child_areas(1).kinds(0).quantity(), 4);

  // Lists, and an editor of longhai: longhaix is outside.
  ListMaterialsRequest list;
  list.set_area_code(kLonghai);
  EXPECT_EQ(ListIds(list), (std::vector<std::string>{in_longhai, inside}));
  list.set_area_code(kLookAlike);
  EXPECT_EQ(ListIds(list), std::vector<std::string>{look_alike});
  ListMaterialsResponse out;
  ASSERT_TRUE(List(editor_, ListMaterialsRequest(), &out).ok());
  ASSERT_EQ(out.materials_size(), 2);
  EXPECT_NE(out.materials(0).material_id(), look_alike);
  EXPECT_NE(out.materials(1).material_id(), look_alike);
  Material got;
  st = Get(editor_, look_alike, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  st = Totals(editor_, kLookAlike, &t);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(PublicityMaterialsTest, ListsPageThroughTheScopeWithFilters) {
  std::vector<std::string> newest_first;
  for (int i = 0; i < 5; ++i) {
    Material m = Board(i % 2 == 0 ? kJingyuan : kXiangyang, i + 1);
    if (i == 3) m.set_kind(MATERIAL_KIND_BANNER);
    if (i == 4) m.set_condition(MATERIAL_CONDITION_WORN);
    newest_first.insert(newest_first.begin(), MustCreate(m).material_id());
  }
  MustCreate(Board(kYimin));  // outside the editor's scope

  // The editor's whole scope (no area_code), two at a time.
  ListMaterialsRequest req;
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    ListMaterialsResponse out;
    grpc::Status st = List(editor_, req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const Material& m : out.materials()) seen.push_back(m.material_id());
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, newest_first);

  ListMaterialsRequest by_kind;
  by_kind.set_area_code(kLonghai);
  by_kind.set_kind(MATERIAL_KIND_BANNER);
  EXPECT_EQ(ListIds(by_kind), std::vector<std::string>{newest_first[1]});
  ListMaterialsRequest by_condition;
  by_condition.set_area_code(kXiangyang);
  by_condition.set_condition(MATERIAL_CONDITION_WORN);
  EXPECT_TRUE(ListIds(by_condition).empty());  // the worn one is in jingyuan
  by_condition.set_area_code(kJingyuan);
  EXPECT_EQ(ListIds(by_condition), std::vector<std::string>{newest_first[0]});

  ListMaterialsResponse out;
  ListMaterialsRequest bad;
  bad.set_page_size(101);
  EXPECT_TRUE(IsInvalidNaming(List(editor_, bad, &out), "page_size"));
  bad = ListMaterialsRequest();
  bad.set_page_token("not-a-token");
  EXPECT_TRUE(IsInvalidNaming(List(editor_, bad, &out), "page_token"));
  bad = ListMaterialsRequest();
  bad.set_due_by("2026-02-30");
  EXPECT_TRUE(IsInvalidNaming(List(editor_, bad, &out), "due_by"));
  bad = ListMaterialsRequest();
  bad.set_kind(static_cast<MaterialKind>(42));
  EXPECT_TRUE(IsInvalidNaming(List(editor_, bad, &out), "kind"));
  bad = ListMaterialsRequest();
  bad.set_area_code(kYimin);
  EXPECT_EQ(List(editor_, bad, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace fangxian::testing
