// Black-box tests of InspectionService: the real checkpoint_server on a scratch database,
// called over gRPC.
#include <gtest/gtest.h>

#include <functional>

#include "common/time_text.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "fangxian/checkpoint/v1/inspections.grpc.pb.h"
#include "services/checkpoint/shifts.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using namespace checkpoint::v1;  // NOLINT: the test reads better with the message names

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";

std::string ChinaDay(int days_from_today) {
  return common::IsoDate(absl::ToCivilDay(absl::Now(), checkpoint::ChinaTimeZone()) +
                         days_from_today);
}

class InspectionServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/checkpoint/checkpoint_server",
                                                 "inspection", tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    inspections_ = InspectionService::NewStub(server_->channel());
    inspector_ = tokens_.Mint("insp-1", {"inspector"}, {"gongyi.dufulu"});
    east_ = MakeCheckpoint("东门", "gongyi.dufulu.longhai");
  }

  std::string MakeCheckpoint(const std::string& name, const std::string& area) {
    return CreateCheckpoint(server_->channel(),
                            tokens_.Mint("root", {"subdistrict_admin"}, {"gongyi"}), name, {area});
  }

  static RecordInspectionRequest Sample(const std::string& checkpoint_id) {
    RecordInspectionRequest req;
    req.set_checkpoint_id(checkpoint_id);
    req.set_posts_staffed(true);
    req.set_cadre_present(false);
    req.set_kit_complete(true);
    req.set_log_complete(false);
    req.set_score(72);
    req.set_notes("夜班带班干部不在岗");
    req.add_findings("带班干部缺岗");
    req.add_findings("登记簿漏登三人");
    req.set_rectification_deadline(ChinaDay(3));
    return req;
  }

  grpc::Status Record(const std::string& token, const RecordInspectionRequest& req,
                      Inspection* out) {
    return inspections_->RecordInspection(CallContextWith(token).get(), req, out);
  }

  grpc::Status List(const std::string& token, const ListInspectionsRequest& req,
                    ListInspectionsResponse* out) {
    return inspections_->ListInspections(CallContextWith(token).get(), req, out);
  }

  grpc::Status Rank(const std::string& token, const std::string& area, int days,
                    RankCheckpointsResponse* out) {
    RankCheckpointsRequest req;
    req.set_area_code(area);
    req.set_days(days);
    return inspections_->RankCheckpoints(CallContextWith(token).get(), req, out);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<InspectionService::Stub> inspections_;
  std::string inspector_;
  std::string east_;
};

TEST_F(InspectionServerTest, RecordsTheChecklistScoreAndOpenFindings) {
  Inspection out;
  grpc::Status st = Record(inspector_, Sample(east_), &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.inspection_id().size(), 36u);
  EXPECT_EQ(out.checkpoint_id(), east_);
  EXPECT_EQ(out.inspector_id(), "insp-1");
  EXPECT_TRUE(out.posts_staffed());
  EXPECT_FALSE(out.cadre_present());
  EXPECT_TRUE(out.kit_complete());
  EXPECT_FALSE(out.log_complete());
  EXPECT_EQ(out.score(), 72);
  EXPECT_EQ(out.notes(), "夜班带班干部不在岗");
  EXPECT_EQ(out.rectification_deadline(), ChinaDay(3));
  EXPECT_GT(out.inspect_time().seconds(), 0);
  ASSERT_EQ(out.findings_size(), 2);
  EXPECT_EQ(out.findings(0).text(), "带班干部缺岗");
  EXPECT_EQ(out.findings(1).text(), "登记簿漏登三人");
  for (const Finding& f : out.findings()) {
    EXPECT_EQ(f.finding_id().size(), 36u);
    EXPECT_EQ(f.state(), FINDING_STATE_OPEN);
  }

  ListInspectionsRequest list;
  list.set_checkpoint_id(east_);
  ListInspectionsResponse listed;
  ASSERT_TRUE(List(inspector_, list, &listed).ok());
  ASSERT_EQ(listed.inspections_size(), 1);
  EXPECT_EQ(listed.inspections(0).SerializeAsString(), out.SerializeAsString());

  // A score of zero with no findings is a complete inspection; a subdistrict admin may
  // record one too.
  RecordInspectionRequest clean = Sample(east_);
  clean.clear_findings();
  clean.clear_rectification_deadline();
  clean.set_score(0);
  ASSERT_TRUE(Record(tokens_.Mint("sd", {"subdistrict_admin"}, {"gongyi"}), clean, &out).ok());
  EXPECT_EQ(out.score(), 0);
  EXPECT_EQ(out.findings_size(), 0);
  EXPECT_EQ(server_->Count("checkpoint.inspections"), "2");
  EXPECT_EQ(server_->Count("checkpoint.inspection_findings"), "2");
}

TEST_F(InspectionServerTest, BadInputIsInvalidArgumentAndStoresNothing) {
  struct Case {
    std::function<void(RecordInspectionRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_score(); }, "score"},
      {[](auto& r) { r.set_score(101); }, "score"},
      {[](auto& r) { r.set_score(-5); }, "score"},
      {[](auto& r) { r.add_findings(""); }, "findings[2]"},
      {[](auto& r) { r.add_findings(std::string(501, 'x')); }, "findings[2]"},
      {[](auto& r) {
         for (int i = 0; i < 49; ++i) r.add_findings("f");
       },
       "findings"},
      {[](auto& r) { r.clear_rectification_deadline(); }, "rectification_deadline"},
      {[](auto& r) { r.set_rectification_deadline(ChinaDay(-1)); }, "rectification_deadline"},
      {[](auto& r) { r.set_rectification_deadline("2026-13-01"); }, "rectification_deadline"},
      {[](auto& r) {
         r.clear_findings();  // a deadline without findings
       },
       "rectification_deadline"},
      {[](auto& r) { r.set_notes(std::string(2001, 'n')); }, "notes"},
      {[](auto& r) { r.set_reinspection_of("earlier"); }, "reinspection_of"},
      {[](auto& r) { r.set_checkpoint_id("east"); }, "checkpoint_id"},
  };
  for (const Case& c : cases) {
    RecordInspectionRequest req = Sample(east_);
    c.mutate(req);
    Inspection out;
    EXPECT_TRUE(IsInvalidNaming(Record(inspector_, req, &out), c.field));
  }
  Inspection out;
  EXPECT_EQ(Record(inspector_, Sample(kUnknownId), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  RecordInspectionRequest req = Sample(east_);
  req.set_reinspection_of(kUnknownId);
  EXPECT_EQ(Record(inspector_, req, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("checkpoint.inspections"), "0");
  EXPECT_EQ(server_->Count("checkpoint.inspection_findings"), "0");
}

TEST_F(InspectionServerTest, AReinspectionClosesTheOpenFindingsOfTheSameCheckpoint) {
  Inspection first;
  ASSERT_TRUE(Record(inspector_, Sample(east_), &first).ok());
  const std::string west = MakeCheckpoint("西门", "gongyi.dufulu.longhai");
  RecordInspectionRequest wrong = Sample(west);
  wrong.set_reinspection_of(first.inspection_id());
  Inspection out;
  EXPECT_TRUE(IsInvalidNaming(Record(inspector_, wrong, &out), "reinspection_of"));

  RecordInspectionRequest again = Sample(east_);
  again.clear_findings();
  again.clear_rectification_deadline();
  again.set_score(95);
  again.set_reinspection_of(first.inspection_id());
  Inspection second;
  grpc::Status st = Record(inspector_, again, &second);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(second.reinspection_of(), first.inspection_id());

  ListInspectionsRequest list;
  list.set_checkpoint_id(east_);
  ListInspectionsResponse listed;
  ASSERT_TRUE(List(inspector_, list, &listed).ok());
  ASSERT_EQ(listed.inspections_size(), 2);
  EXPECT_EQ(listed.inspections(0).inspection_id(), second.inspection_id());  // newest first
  const Inspection& earlier = listed.inspections(1);
  ASSERT_EQ(earlier.findings_size(), 2);
  for (const Finding& f : earlier.findings()) {
    EXPECT_EQ(f.state(), FINDING_STATE_CLOSED);
    EXPECT_EQ(f.closed_by_inspection_id(), second.inspection_id());
    EXPECT_TRUE(f.has_close_time());
  }
  // A second re-inspection finds nothing left open: the first closing stands.
  Inspection third;
  ASSERT_TRUE(Record(inspector_, again, &third).ok());
  EXPECT_EQ(server_->Query("SELECT count(DISTINCT closed_by_inspection) FROM "
                           "checkpoint.inspection_findings")[0],
            "1");
}

TEST_F(InspectionServerTest, ListingPagesNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    Inspection out;
    RecordInspectionRequest req = Sample(east_);
    req.set_score(50 + i);
    ASSERT_TRUE(Record(inspector_, req, &out).ok());
    ids.insert(ids.begin(), out.inspection_id());
  }
  ListInspectionsRequest list;
  list.set_checkpoint_id(east_);
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    ListInspectionsResponse out;
    ASSERT_TRUE(List(inspector_, list, &out).ok());
    for (const Inspection& i : out.inspections()) seen.push_back(i.inspection_id());
    if (out.next_page_token().empty()) break;
    list.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, ids);

  ListInspectionsResponse out;
  list.set_page_token("garbage!");
  EXPECT_TRUE(IsInvalidNaming(List(inspector_, list, &out), "page_token"));
  list.clear_page_token();
  list.set_page_size(101);
  EXPECT_TRUE(IsInvalidNaming(List(inspector_, list, &out), "page_size"));
  list.set_page_size(0);
  const std::string leader = tokens_.Mint("l", {"shift_leader"}, {"gongyi.dufulu.longhai"});
  EXPECT_TRUE(List(leader, list, &out).ok());
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  EXPECT_TRUE(List(auditor, list, &out).ok());
}

TEST_F(InspectionServerTest, RankingOrdersByAverageScoreInTheWindow) {
  const std::string west = MakeCheckpoint("西门", "gongyi.dufulu.longhai");
  const std::string north = MakeCheckpoint("北门", "gongyi.dufulu.yimin");
  const std::string idle = MakeCheckpoint("A 未检查", "gongyi.dufulu.yimin");
  const std::string far = MakeCheckpoint("新华", "gongyi.xinhua");
  auto record = [&](const std::string& id, int score) {
    RecordInspectionRequest req = Sample(id);
    req.set_score(score);
    Inspection out;
    ASSERT_TRUE(Record(tokens_.Mint("sd", {"subdistrict_admin"}, {"gongyi"}), req, &out).ok());
  };
  record(east_, 80);
  record(east_, 90);  // average 85
  record(west, 85);   // ties with east_: by name, 东门 before 西门
  record(north, 95);
  record(far, 100);  // outside the ranked area
  // An inspection of north 40 days ago, scored 0, is outside a 30-day window.
  server_->Query(
      "INSERT INTO checkpoint.inspections (checkpoint_id, inspector_id, inspected_at, "
      "posts_staffed, cadre_present, kit_complete, log_complete, score) VALUES ('" +
      north + "', 'x', now() - interval '40 days', true, true, true, true, 0)");

  RankCheckpointsResponse out;
  grpc::Status st = Rank(inspector_, "gongyi.dufulu", 0, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(out.checkpoints_size(), 4);
  EXPECT_EQ(out.checkpoints(0).checkpoint_id(), north);
  EXPECT_EQ(out.checkpoints(0).rank(), 1);
  EXPECT_DOUBLE_EQ(out.checkpoints(0).average_score(), 95);
  EXPECT_EQ(out.checkpoints(0).inspection_count(), 1);
  EXPECT_EQ(out.checkpoints(1).checkpoint_id(), east_);
  EXPECT_EQ(out.checkpoints(1).rank(), 2);
  EXPECT_DOUBLE_EQ(out.checkpoints(1).average_score(), 85);
  EXPECT_EQ(out.checkpoints(1).inspection_count(), 2);
  EXPECT_EQ(out.checkpoints(2).checkpoint_id(), west);
  EXPECT_EQ(out.checkpoints(2).rank(), 2);
  EXPECT_EQ(out.checkpoints(3).checkpoint_id(), idle);
  EXPECT_EQ(out.checkpoints(3).rank(), 0);
  EXPECT_FALSE(out.checkpoints(3).has_average_score());
  EXPECT_EQ(out.checkpoints(3).name(), "A 未检查");

  // A 60-day window takes the old zero in: north averages 47.5 and drops to last rated.
  ASSERT_TRUE(Rank(inspector_, "gongyi.dufulu", 60, &out).ok());
  EXPECT_EQ(out.checkpoints(2).checkpoint_id(), north);
  EXPECT_DOUBLE_EQ(out.checkpoints(2).average_score(), 47.5);
  EXPECT_EQ(out.checkpoints(2).rank(), 3);

  EXPECT_TRUE(IsInvalidNaming(Rank(inspector_, "gongyi.dufulu", 366, &out), "days"));
  EXPECT_TRUE(IsInvalidNaming(Rank(inspector_, "gongyi.dufulu", -1, &out), "days"));
  EXPECT_TRUE(IsInvalidNaming(Rank(inspector_, "", 0, &out), "area_code"));
}

TEST_F(InspectionServerTest, CallersAreConfinedToTheirRolesAndAreas) {
  Inspection out;
  // Outside the scope the checkpoint reads as missing, with the same message.
  const std::string other_inspector = tokens_.Mint("o", {"inspector"}, {"gongyi.xinhua"});
  const grpc::Status outside = Record(other_inspector, Sample(east_), &out);
  EXPECT_EQ(outside.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(outside.error_message(),
            Record(other_inspector, Sample(kUnknownId), &out).error_message());
  const std::string community_admin =
      tokens_.Mint("c", {"community_admin"}, {"gongyi.dufulu.longhai"});
  EXPECT_EQ(Record(community_admin, Sample(east_), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string monitor = tokens_.Mint("m", {"temperature_monitor"}, {"gongyi"});
  EXPECT_EQ(Record(monitor, Sample(east_), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server_->Count("checkpoint.inspections"), "0");

  ListInspectionsRequest list;
  list.set_checkpoint_id(east_);
  ListInspectionsResponse listed;
  const std::string other_admin = tokens_.Mint("x", {"community_admin"}, {"gongyi.xinhua"});
  EXPECT_EQ(List(other_admin, list, &listed).error_code(), grpc::StatusCode::NOT_FOUND);
  RankCheckpointsResponse ranked;
  EXPECT_EQ(Rank(other_admin, "gongyi.dufulu", 0, &ranked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Rank(monitor, "gongyi.dufulu", 0, &ranked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Rank(community_admin, "gongyi.dufulu.longhai", 0, &ranked).ok());
  EXPECT_EQ(ranked.checkpoints_size(), 1);
}

}  // namespace
}  // namespace fangxian::testing
