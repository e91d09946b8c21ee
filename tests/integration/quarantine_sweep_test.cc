// Black-box tests of SweepService (全域排查): the real quarantine_server and the real
// identity_server (areas, households and their members, listed per round) on scratch
// databases, called over gRPC; findings' pass colours are read back through GetPassStatus.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "fangxian/quarantine/v1/sweeps.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/integration/quarantine_test_fixtures.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using namespace quarantine::v1;  // NOLINT: the test reads better with the message names
namespace idv1 = identity::v1;
using ::testing::ElementsAre;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kB1[] = "gongyi.dufulu.longhai.jingyuan.b1";
constexpr char kB2[] = "gongyi.dufulu.longhai.jingyuan.b2";
constexpr char kYimin[] = "gongyi.dufulu.yimin";
constexpr char kXinyuan[] = "gongyi.dufulu.yimin.xinyuan";
constexpr char kTeam[] = "第一组";

// The China day `days` from today, as YYYY-MM-DD.
std::string Day(int days) { return common::IsoDate(common::ChinaToday(absl::Now()) + days); }

class QuarantineSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server",
                                                   "sweep_identity", tokens_, IdentityKeysEnv());
    ASSERT_TRUE(identity_->WaitUntilServing());
    const int identity_port = identity_->process().WaitForPort("grpc_port");
    quarantine_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "sweep_quarantine", tokens_,
        std::map<std::string, std::string>{
            {"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", identity_port)}});
    ASSERT_TRUE(quarantine_->WaitUntilServing());
    sweeps_ = SweepService::NewStub(quarantine_->channel());
    passes_ = QuarantineService::NewStub(quarantine_->channel());
    admin_ = tokens_.Mint("admin-1", {"subdistrict_admin"}, {"gongyi"});
    officer_ = tokens_.Mint("officer-1", {"community_admin"}, {kLonghai});
    grid_ = tokens_.Mint("grid-1", {"grid_worker"}, {kLonghai});
    MakeArea("gongyi", "dufulu", idv1::AREA_LEVEL_SUBDISTRICT);
    MakeArea("gongyi.dufulu", "longhai", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kLonghai, "jingyuan", idv1::AREA_LEVEL_COMPOUND);
    MakeArea(kJingyuan, "b1", idv1::AREA_LEVEL_BUILDING);
    MakeArea(kJingyuan, "b2", idv1::AREA_LEVEL_BUILDING);
    MakeArea("gongyi.dufulu", "yimin", idv1::AREA_LEVEL_COMMUNITY);
    MakeArea(kYimin, "xinyuan", idv1::AREA_LEVEL_COMPOUND);
  }

  void MakeArea(const std::string& parent, const std::string& code, idv1::AreaLevel level) {
    auto stub = idv1::AreaService::NewStub(identity_->channel());
    idv1::CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    idv1::Area out;
    grpc::Status st = stub->CreateArea(CallContextWith(admin_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << code << ": " << st.error_message();
  }

  std::string Resident(const std::string& name, const std::string& area) {
    auto stub = idv1::IdentityService::NewStub(identity_->channel());
    const std::string first17 = "41018119900307" + std::to_string(100 + next_resident_++);
    idv1::CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code(area);
    idv1::Resident out;
    grpc::Status st = stub->CreateResident(CallContextWith(admin_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.resident_id();
  }

  struct Home {
    std::string household_id;
    std::vector<std::string> members;  // head first
  };
  // A household in `area`, room `room`, with a head and one more member.
  Home MakeHousehold(const std::string& area, const std::string& room) {
    auto stub = idv1::HouseholdService::NewStub(identity_->channel());
    Home home;
    home.members.push_back(Resident("户主", area));
    home.members.push_back(Resident("家属", area));
    idv1::CreateHouseholdRequest h;
    h.set_area_code(area);
    h.set_room(room);
    h.set_head_resident_id(home.members[0]);
    idv1::Household out;
    grpc::Status st = stub->CreateHousehold(CallContextWith(admin_).get(), h, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    home.household_id = out.household_id();
    idv1::AddHouseholdMemberRequest add;
    add.set_household_id(home.household_id);
    add.set_resident_id(home.members[1]);
    st = stub->AddHouseholdMember(CallContextWith(admin_).get(), add, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return home;
  }

  grpc::Status CreateSweep(const std::string& token, const std::string& area, Sweep* out) {
    CreateSweepRequest req;
    req.mutable_sweep()->set_name("全域排查");
    req.mutable_sweep()->set_area_code(area);
    SweepTeam* team = req.mutable_sweep()->add_teams();
    team->set_name(kTeam);
    team->add_member_subjects("grid-1");
    return sweeps_->CreateSweep(CallContextWith(token).get(), req, out);
  }

  // A sweep over the community; fails the test when refused.
  std::string MustCreateSweep() {
    Sweep out;
    grpc::Status st = CreateSweep(officer_, kLonghai, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.sweep_id();
  }

  grpc::Status StartRound(const std::string& token, const std::string& sweep_id, int round,
                          Round* out) {
    StartRoundRequest req;
    req.set_sweep_id(sweep_id);
    req.set_round(round);
    return sweeps_->StartRound(CallContextWith(token).get(), req, out);
  }

  grpc::Status Visit(const std::string& token, const std::string& sweep_id, int round,
                     const std::string& household_id, VisitOutcome outcome,
                     RecordVisitResponse* out = nullptr, const std::vector<Finding>& findings = {},
                     const std::string& team = kTeam) {
    RecordVisitRequest req;
    req.set_sweep_id(sweep_id);
    req.set_round(round);
    req.set_household_id(household_id);
    req.set_outcome(outcome);
    req.set_notice_left(outcome == VISIT_OUTCOME_NOT_AT_HOME);
    req.set_note("入户排查");
    req.set_team(team);
    for (const Finding& f : findings) *req.add_findings() = f;
    RecordVisitResponse ignored;
    return sweeps_->RecordVisit(CallContextWith(token).get(), req, out ? out : &ignored);
  }

  grpc::Status Register(const std::string& token, const std::string& sweep_id, int round,
                        const std::string& household_id) {
    RecordRegistrationRequest req;
    req.set_sweep_id(sweep_id);
    req.set_round(round);
    req.set_household_id(household_id);
    req.set_note("到社区登记");
    Registration out;
    return sweeps_->RecordRegistration(CallContextWith(token).get(), req, &out);
  }

  grpc::Status Coverage(const std::string& token, const std::string& sweep_id, int round,
                        quarantine::v1::Coverage* out, const std::string& area = "") {
    GetCoverageRequest req;
    req.set_sweep_id(sweep_id);
    req.set_round(round);
    req.set_area_code(area);
    return sweeps_->GetCoverage(CallContextWith(token).get(), req, out);
  }

  // household ids of the round's revisit queue, in order.
  std::vector<std::string> Queue(const std::string& sweep_id, int round) {
    ListRevisitQueueRequest req;
    req.set_sweep_id(sweep_id);
    req.set_round(round);
    ListRevisitQueueResponse out;
    grpc::Status st = sweeps_->ListRevisitQueue(CallContextWith(grid_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<std::string> ids;
    for (const RevisitEntry& e : out.entries()) ids.push_back(e.household_id());
    return ids;
  }

  static std::string Figures(const CoverageFigures& f) {
    return absl::StrCat(f.area_code(), " households=", f.households(), " covered=", f.covered(),
                        " visited=", f.visited(), " not_at_home=", f.not_at_home(),
                        " refused=", f.refused(), " registered=", f.registered(),
                        " pending=", f.pending());
  }

  static Finding Returnee(const std::string& resident_id) {
    Finding f;
    f.mutable_person()->set_resident_id(resident_id);
    f.mutable_person()->set_category(CATEGORY_RETURNEE);
    f.mutable_person()->set_origin_region("武汉");
    f.mutable_person()->set_arrival_date(Day(-2));
    return f;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> quarantine_;
  std::unique_ptr<SweepService::Stub> sweeps_;
  std::unique_ptr<QuarantineService::Stub> passes_;
  std::string admin_;
  std::string officer_;
  std::string grid_;
  int next_resident_ = 0;
};

TEST_F(QuarantineSweepTest, TwoRoundsOverTheSameAreaWithCoverageRevisitsAndRegistrations) {
  const Home h1 = MakeHousehold(kB1, "101");
  const Home h2 = MakeHousehold(kB1, "102");
  const Home h3 = MakeHousehold(kB2, "201");
  const Home far = MakeHousehold(kXinyuan, "1");
  const std::string sweep_id = MustCreateSweep();

  // No round yet: nothing to record in.
  EXPECT_EQ(Visit(grid_, sweep_id, 1, h1.household_id, VISIT_OUTCOME_VISITED).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  Round round;
  ASSERT_TRUE(StartRound(officer_, sweep_id, 0, &round).ok());
  EXPECT_EQ(round.round(), 1);
  EXPECT_EQ(round.households(), 3);  // the other community's household is not listed
  EXPECT_TRUE(round.open());

  RecordVisitResponse visit;
  ASSERT_TRUE(Visit(grid_, sweep_id, 1, h1.household_id, VISIT_OUTCOME_VISITED, &visit).ok());
  EXPECT_EQ(visit.visit().recorded_by(), "grid-1");
  EXPECT_EQ(visit.visit().team(), kTeam);
  ASSERT_TRUE(Visit(grid_, sweep_id, 1, h2.household_id, VISIT_OUTCOME_NOT_AT_HOME).ok());
  ASSERT_TRUE(Visit(grid_, sweep_id, 1, h3.household_id, VISIT_OUTCOME_REFUSED).ok());
  // Bad input stores nothing.
  EXPECT_EQ(Visit(grid_, sweep_id, 1, far.household_id, VISIT_OUTCOME_VISITED).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Visit(grid_, sweep_id, 1, h1.household_id, VISIT_OUTCOME_UNSPECIFIED),
                              "outcome"));
  EXPECT_TRUE(IsInvalidNaming(
      Visit(grid_, sweep_id, 1, h1.household_id, VISIT_OUTCOME_VISITED, nullptr, {}, "第九组"),
      "team"));
  EXPECT_EQ(quarantine_->Count("quarantine.sweep_visits"), "3");

  quarantine::v1::Coverage coverage;
  ASSERT_TRUE(Coverage(officer_, sweep_id, 0, &coverage).ok());
  EXPECT_EQ(coverage.round(), 1);
  EXPECT_EQ(Figures(coverage.total()),
            absl::StrCat(kLonghai,
                         " households=3 covered=3 visited=1 not_at_home=1 refused=1 "
                         "registered=0 pending=0"));
  EXPECT_DOUBLE_EQ(coverage.total().coverage(), 1.0);
  ASSERT_EQ(coverage.buildings_size(), 2);
  EXPECT_EQ(Figures(coverage.buildings(0)),
            absl::StrCat(kB1,
                         " households=2 covered=2 visited=1 not_at_home=1 refused=0 "
                         "registered=0 pending=0"));
  EXPECT_EQ(Figures(coverage.buildings(1)),
            absl::StrCat(kB2,
                         " households=1 covered=1 visited=0 not_at_home=0 refused=1 "
                         "registered=0 pending=0"));

  // The not-at-home household waits for a revisit or its registration.
  EXPECT_THAT(Queue(sweep_id, 0), ElementsAre(h2.household_id));
  EXPECT_EQ(Register(grid_, sweep_id, 1, h1.household_id).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // h1 was visited
  ASSERT_TRUE(Register(grid_, sweep_id, 1, h2.household_id).ok());
  EXPECT_EQ(Register(grid_, sweep_id, 1, h2.household_id).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(Queue(sweep_id, 1).empty());
  ASSERT_TRUE(Coverage(officer_, sweep_id, 1, &coverage).ok());
  EXPECT_EQ(coverage.total().registered(), 1);

  // Round 2 lists identity's households again: a new one joins.
  const Home h4 = MakeHousehold(kB2, "202");
  ASSERT_TRUE(StartRound(officer_, sweep_id, 2, &round).ok());
  EXPECT_EQ(round.round(), 2);
  EXPECT_EQ(round.households(), 4);
  // A retried call does not open round 3.
  EXPECT_EQ(StartRound(officer_, sweep_id, 2, &round).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Visit(grid_, sweep_id, 1, h1.household_id, VISIT_OUTCOME_VISITED).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // round 1 is closed
  ASSERT_TRUE(Visit(grid_, sweep_id, 2, h4.household_id, VISIT_OUTCOME_NOT_AT_HOME).ok());
  // A revisit in the same round supersedes the outcome.
  EXPECT_THAT(Queue(sweep_id, 2), ElementsAre(h4.household_id));
  ASSERT_TRUE(Visit(grid_, sweep_id, 2, h4.household_id, VISIT_OUTCOME_VISITED).ok());
  EXPECT_TRUE(Queue(sweep_id, 2).empty());
  ASSERT_TRUE(Coverage(officer_, sweep_id, 0, &coverage).ok());
  EXPECT_EQ(coverage.round(), 2);
  EXPECT_EQ(Figures(coverage.total()),
            absl::StrCat(kLonghai,
                         " households=4 covered=1 visited=1 not_at_home=0 refused=0 "
                         "registered=0 pending=3"));
  // Round 1's figures stay as they were.
  ASSERT_TRUE(Coverage(officer_, sweep_id, 1, &coverage).ok());
  EXPECT_EQ(coverage.total().households(), 3);
  EXPECT_EQ(coverage.total().covered(), 3);
  EXPECT_EQ(Coverage(officer_, sweep_id, 3, &coverage).error_code(), grpc::StatusCode::NOT_FOUND);

  GetSweepRequest get;
  get.set_sweep_id(sweep_id);
  Sweep sweep;
  ASSERT_TRUE(sweeps_->GetSweep(CallContextWith(grid_).get(), get, &sweep).ok());
  EXPECT_EQ(sweep.current_round(), 2);
  ASSERT_EQ(sweep.rounds_size(), 2);
  EXPECT_FALSE(sweep.rounds(0).open());
  EXPECT_TRUE(sweep.rounds(0).has_close_time());
  EXPECT_TRUE(sweep.rounds(1).open());
  EXPECT_EQ(sweep.rounds(1).households(), 4);
  ASSERT_EQ(sweep.teams_size(), 1);
  EXPECT_THAT(sweep.teams(0).member_subjects(), ElementsAre("grid-1"));
}

TEST_F(QuarantineSweepTest, FindingsBecomePersonsOfInterestAndReturneesTurnYellow) {
  const Home home = MakeHousehold(kB1, "301");
  const std::string stranger = Resident("路人", kB1);
  const std::string sweep_id = MustCreateSweep();
  Round round;
  ASSERT_TRUE(StartRound(officer_, sweep_id, 1, &round).ok());

  Finding contact;
  contact.mutable_person()->set_resident_id(home.members[1]);
  contact.mutable_person()->set_category(CATEGORY_CLOSE_CONTACT);
  contact.mutable_person()->set_contact_of("病例A");
  contact.mutable_person()->set_contact_date(Day(-1));
  RecordVisitResponse out;
  grpc::Status st = Visit(grid_, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED, &out,
                          {Returnee(home.members[0]), contact});
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(out.findings_size(), 2);
  EXPECT_TRUE(out.findings(0).created());
  EXPECT_TRUE(out.findings(1).created());
  const std::string returnee_person = out.findings(0).person_id();
  EXPECT_EQ(
      quarantine_->Query(absl::StrCat("SELECT source || ' ' || area_code || ' ' || created_by FROM "
                                      "quarantine.persons_of_interest WHERE person_id = '",
                                      returnee_person, "'")),
      (std::vector<std::string>{absl::StrCat("1 ", kB1, " grid-1")}));

  // The returnee within the observation window is yellow, for the reason the sweep found.
  GetPassStatusRequest req;
  req.set_resident_id(home.members[0]);
  PassStatus status;
  ASSERT_TRUE(passes_->GetPassStatus(CallContextWith(admin_).get(), req, &status).ok());
  EXPECT_EQ(status.colour(), PASS_COLOUR_YELLOW);
  std::vector<std::string> codes;
  for (const PassReason& r : status.reasons()) codes.push_back(r.code());
  EXPECT_THAT(codes, ElementsAre("returnee_window"));

  // Found again at a revisit: reported with the open record, not an error for the visit.
  st = Visit(grid_, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED, &out,
             {Returnee(home.members[0])});
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(out.findings_size(), 1);
  EXPECT_FALSE(out.findings(0).created());
  EXPECT_EQ(out.findings(0).person_id(), returnee_person);
  EXPECT_EQ(quarantine_->Count("quarantine.persons_of_interest"), "2");
  EXPECT_EQ(quarantine_->Count("quarantine.sweep_findings"), "3");

  // Refused findings store nothing, the visit included.
  const std::string visits = quarantine_->Count("quarantine.sweep_visits");
  EXPECT_EQ(Visit(grid_, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED, nullptr,
                  {Returnee(stranger)})
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // not a member of the household
  Finding future = Returnee(home.members[1]);
  future.mutable_person()->set_arrival_date(Day(1));
  EXPECT_TRUE(IsInvalidNaming(
      Visit(grid_, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED, nullptr, {future}),
      "findings[0].person.arrival_date"));
  EXPECT_TRUE(IsInvalidNaming(Visit(grid_, sweep_id, 1, home.household_id,
                                    VISIT_OUTCOME_NOT_AT_HOME, nullptr, {Returnee(stranger)}),
                              "findings"));
  EXPECT_EQ(quarantine_->Count("quarantine.sweep_visits"), visits);
  EXPECT_EQ(quarantine_->Count("quarantine.persons_of_interest"), "2");
}

TEST_F(QuarantineSweepTest, RolesAndAreaScopeDecideWhoOrganisesRecordsAndReads) {
  const Home home = MakeHousehold(kB1, "101");
  Sweep sweep;
  // Organising is for admins in scope.
  EXPECT_EQ(CreateSweep(grid_, kLonghai, &sweep).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string far_officer = tokens_.Mint("officer-2", {"community_admin"}, {kYimin});
  EXPECT_EQ(CreateSweep(far_officer, kLonghai, &sweep).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string sweep_id = MustCreateSweep();
  Round round;
  EXPECT_EQ(StartRound(far_officer, sweep_id, 0, &round).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(StartRound(grid_, sweep_id, 0, &round).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(StartRound(officer_, sweep_id, 0, &round).ok());

  GetSweepRequest get;
  get.set_sweep_id(sweep_id);
  // A grid worker of one compound reads the community's sweep and records in the compound,
  // and reads its compound's figures, not the community's.
  const std::string compound_grid = tokens_.Mint("grid-3", {"grid_worker"}, {kJingyuan});
  EXPECT_TRUE(sweeps_->GetSweep(CallContextWith(compound_grid).get(), get, &sweep).ok());
  EXPECT_TRUE(Visit(compound_grid, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED).ok());
  quarantine::v1::Coverage coverage;
  EXPECT_EQ(Coverage(compound_grid, sweep_id, 0, &coverage).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Coverage(compound_grid, sweep_id, 0, &coverage, kJingyuan).ok());
  EXPECT_EQ(coverage.total().covered(), 1);
  EXPECT_TRUE(IsInvalidNaming(Coverage(officer_, sweep_id, 0, &coverage, kXinyuan), "area_code"));
  ListSweepsRequest list;
  list.set_area_code(kJingyuan);
  ListSweepsResponse listed;
  ASSERT_TRUE(sweeps_->ListSweeps(CallContextWith(compound_grid).get(), list, &listed).ok());
  ASSERT_EQ(listed.sweeps_size(), 1);
  EXPECT_EQ(listed.sweeps(0).sweep_id(), sweep_id);

  // Another community's grid worker neither reads nor records.
  const std::string far_grid = tokens_.Mint("grid-2", {"grid_worker"}, {kYimin});
  EXPECT_EQ(sweeps_->GetSweep(CallContextWith(far_grid).get(), get, &sweep).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Visit(far_grid, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  list.set_area_code(kLonghai);
  EXPECT_EQ(sweeps_->ListSweeps(CallContextWith(far_grid).get(), list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // An auditor reads; residents, volunteers and checkpoint staff get nothing.
  const std::string auditor = tokens_.Mint("audit-1", {"auditor"}, {kLonghai});
  EXPECT_TRUE(Coverage(auditor, sweep_id, 0, &coverage).ok());
  EXPECT_EQ(Visit(auditor, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  for (const std::string& token : {ResidentToken(tokens_, home.members[0], kB1),
                                   tokens_.Mint("vol-1", {"volunteer"}, {kLonghai}),
                                   tokens_.Mint("cv-1", {"code_verifier"}, {kLonghai})}) {
    EXPECT_EQ(sweeps_->GetSweep(CallContextWith(token).get(), get, &sweep).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Visit(token, sweep_id, 1, home.household_id, VISIT_OUTCOME_VISITED).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(quarantine_->Count("quarantine.sweep_visits"), "1");
}

}  // namespace
}  // namespace fangxian::testing
