// Black-box tests of quarantine_server's persons of interest: the real binary, a scratch
// PostgreSQL database and the test Redis, called over gRPC, with the real identity_server
// knowing the residents (a record belongs to the area its resident is registered in).
#include <functional>

#include "absl/time/clock.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/quarantine/pass_status.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::AssignGridWorkerRequest;
using quarantine::v1::ClosePersonOfInterestRequest;
using quarantine::v1::CreatePersonOfInterestRequest;
using quarantine::v1::GetPassStatusRequest;
using quarantine::v1::GetPersonOfInterestRequest;
using quarantine::v1::ListPersonsOfInterestRequest;
using quarantine::v1::ListPersonsOfInterestResponse;
using quarantine::v1::PassStatus;
using quarantine::v1::PersonOfInterest;
using quarantine::v1::QuarantineService;
using quarantine::v1::SetRiskLevelRequest;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";
constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

class QuarantineServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "quarantine_identity");
    server_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                 "quarantine", tokens_, identity_->Env());
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = QuarantineService::NewStub(server_->channel());
    grid_ = tokens_.Mint("grid-7", {"grid_worker"}, {kLonghai});
    resident_ = identity_->Resident("张建国", kJingyuan);
  }

  grpc::Status Create(const std::string& token, const PersonOfInterest& p, PersonOfInterest* out) {
    CreatePersonOfInterestRequest req;
    *req.mutable_person() = p;
    return stub_->CreatePersonOfInterest(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, PersonOfInterest* out) {
    GetPersonOfInterestRequest req;
    req.set_person_id(id);
    return stub_->GetPersonOfInterest(CallContextWith(token).get(), req, out);
  }

  // A returnee record of `resident_`, naming the resident's own area.
  PersonOfInterest Sample() const {
    PersonOfInterest p;
    p.set_resident_id(resident_);
    p.set_category(quarantine::v1::CATEGORY_RETURNEE);
    p.set_source(quarantine::v1::SOURCE_SWEEP);
    p.set_area_code(kJingyuan);
    p.set_origin_region("湖北武汉");
    p.set_arrival_date("2020-01-23");
    return p;
  }

  grpc::Status List(const std::string& token, const ListPersonsOfInterestRequest& req,
                    ListPersonsOfInterestResponse* out) {
    return stub_->ListPersonsOfInterest(CallContextWith(token).get(), req, out);
  }

  grpc::Status Assign(const std::string& token, const std::string& id,
                      const std::string& grid_worker, PersonOfInterest* out) {
    AssignGridWorkerRequest req;
    req.set_person_id(id);
    req.set_grid_worker(grid_worker);
    return stub_->AssignGridWorker(CallContextWith(token).get(), req, out);
  }

  grpc::Status SetRisk(const std::string& token, const std::string& id,
                       quarantine::v1::RiskLevel level, PersonOfInterest* out) {
    SetRiskLevelRequest req;
    req.set_person_id(id);
    req.set_risk_level(level);
    return stub_->SetRiskLevel(CallContextWith(token).get(), req, out);
  }

  grpc::Status Close(const std::string& token, const std::string& id, const std::string& note,
                     PersonOfInterest* out) {
    ClosePersonOfInterestRequest req;
    req.set_person_id(id);
    req.set_note(note);
    return stub_->ClosePersonOfInterest(CallContextWith(token).get(), req, out);
  }

  // The colour GetPassStatus answers, with its reason codes ("yellow:returnee_window").
  std::string Colour(const std::string& resident_id) {
    GetPassStatusRequest req;
    req.set_resident_id(resident_id);
    PassStatus out;
    grpc::Status st = stub_->GetPassStatus(CallContextWith(admin_).get(), req, &out);
    if (!st.ok()) return "error: " + st.error_message();
    std::string colour = quarantine::PassColourWord(out.colour());
    for (const auto& r : out.reasons()) colour += ":" + r.code();
    return colour;
  }

  // A new resident registered in `area` (Jingyuan unless said).
  std::string NewResident(const std::string& area = kJingyuan) {
    return identity_->Resident("李红", area);
  }

  // Moves the resident to `area` in identity (UpdateResident).
  void Move(const std::string& resident_id, const std::string& area) {
    identity_->EnsureArea(area);
    identity::v1::UpdateResidentRequest req;
    req.set_resident_id(resident_id);
    req.mutable_resident()->set_area_code(area);
    req.mutable_update_mask()->add_paths("area_code");
    identity::v1::Resident out;
    const std::string sub = tokens_.Mint("s", {"subdistrict_admin"}, {"gongyi"});
    grpc::Status st = identity::v1::IdentityService::NewStub(identity_->server().channel())
                          ->UpdateResident(CallContextWith(sub).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Today in China: a returnee arriving today is inside the observation window.
  static std::string Today() { return common::IsoDate(common::ChinaToday(absl::Now())); }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<QuarantineService::Stub> stub_;
  std::string grid_;
  std::string resident_;  // in Jingyuan (Longhai community)
  // Admin of the Longhai community; grid workers with UUID subjects, as identity issues.
  const std::string admin_id_ = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
  const std::string worker_id_ = "7a2e3d4c-5b6f-4071-9b8c-0d1e2f3a4b5c";
  std::string admin_ = tokens_.Mint(admin_id_, {"community_admin"}, {"gongyi.dufulu.longhai"});
  std::string worker_ = tokens_.Mint(worker_id_, {"grid_worker"}, {"gongyi.dufulu.longhai"});
  std::string other_worker_ = tokens_.Mint("8b3f4e5d-6c70-4182-8c9d-1e2f3a4b5c6d", {"grid_worker"},
                                           {"gongyi.dufulu.yimin"});
};

TEST_F(QuarantineServerTest, CreateThenGetRoundTripsTheStoredPerson) {
  PersonOfInterest in = Sample();
  in.set_person_id(kUnknownId);  // output-only, ignored
  PersonOfInterest created;
  grpc::Status st = Create(grid_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.person_id().size(), 36u);
  EXPECT_NE(created.person_id(), kUnknownId);
  EXPECT_EQ(created.resident_id(), resident_);
  EXPECT_EQ(created.category(), quarantine::v1::CATEGORY_RETURNEE);
  EXPECT_EQ(created.source(), quarantine::v1::SOURCE_SWEEP);
  EXPECT_EQ(created.area_code(), "gongyi.dufulu.longhai.jingyuan");
  EXPECT_EQ(created.origin_region(), "湖北武汉");
  EXPECT_EQ(created.arrival_date(), "2020-01-23");
  EXPECT_GT(created.create_time().seconds(), 0);

  PersonOfInterest got;
  st = Get(grid_, created.person_id(), &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  // Stored as a real date, enums by number, the creator recorded.
  const std::string where =
      " FROM quarantine.persons_of_interest WHERE person_id = '" + created.person_id() + "'";
  EXPECT_EQ(server_->Query("SELECT pg_typeof(arrival_date)::text" + where)[0], "date");
  EXPECT_EQ(server_->Query("SELECT arrival_date + 1" + where)[0], "2020-01-24");
  EXPECT_EQ(server_->Query("SELECT category || '/' || source" + where)[0], "1/1");
  EXPECT_EQ(server_->Query("SELECT created_by" + where)[0], "grid-7");

  // Without the optional fields: the date is NULL in the table and empty on the wire.
  PersonOfInterest contact = Sample();
  contact.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
  contact.set_source(quarantine::v1::SOURCE_OTHER_SYSTEM);
  contact.clear_origin_region();
  contact.clear_arrival_date();
  contact.set_contact_date("2020-01-20");
  ASSERT_TRUE(Create(grid_, contact, &created).ok());
  ASSERT_TRUE(Get(grid_, created.person_id(), &got).ok());
  EXPECT_EQ(got.arrival_date(), "");
  EXPECT_EQ(got.origin_region(), "");
  EXPECT_EQ(got.category(), quarantine::v1::CATEGORY_CLOSE_CONTACT);
  EXPECT_EQ(got.contact_date(), "2020-01-20");
  EXPECT_EQ(got.risk_level(), quarantine::v1::RISK_LEVEL_LOW);  // the default
  EXPECT_EQ(got.state(), quarantine::v1::EPISODE_STATE_OPEN);
  EXPECT_EQ(server_->Query("SELECT arrival_date FROM quarantine.persons_of_interest "
                           "WHERE person_id = '" +
                           created.person_id() + "'")[0],
            "<null>");
}

TEST_F(QuarantineServerTest, BadInputIsInvalidArgumentNamingTheFieldAndStoresNothing) {
  struct Case {
    std::function<void(PersonOfInterest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](PersonOfInterest& p) { p.clear_resident_id(); }, "person.resident_id"},
      {[](PersonOfInterest& p) { p.set_resident_id("resident-42"); }, "person.resident_id"},
      {[](PersonOfInterest& p) { p.set_category(quarantine::v1::CATEGORY_UNSPECIFIED); },
       "person.category"},
      {[](PersonOfInterest& p) { p.set_category(static_cast<quarantine::v1::Category>(9)); },
       "person.category"},
      {[](PersonOfInterest& p) { p.set_source(quarantine::v1::SOURCE_UNSPECIFIED); },
       "person.source"},
      {[](PersonOfInterest& p) { p.set_source(static_cast<quarantine::v1::Source>(5)); },
       "person.source"},
      {[](PersonOfInterest& p) { p.set_area_code("Gongyi Dufulu"); }, "person.area_code"},
      {[](PersonOfInterest& p) { p.set_origin_region(std::string(101, 'a')); },
       "person.origin_region"},
      {[](PersonOfInterest& p) { p.set_arrival_date("23/01/2020"); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.set_arrival_date("2021-02-29"); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.set_arrival_date("2999-01-01"); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.clear_arrival_date(); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.set_contact_date("2020-01-20"); }, "person.contact_date"},
      {[](PersonOfInterest& p) { p.set_risk_level(static_cast<quarantine::v1::RiskLevel>(7)); },
       "person.risk_level"},
      {[](PersonOfInterest& p) { p.set_note(std::string(501, 'n')); }, "person.note"},
      {[](PersonOfInterest& p) {
         p.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
         p.clear_arrival_date();
       },
       "person.contact_date"},
      {[](PersonOfInterest& p) {
         p.set_category(quarantine::v1::CATEGORY_FEVER_REFERRAL);
         p.set_source(quarantine::v1::SOURCE_CHECKPOINT);
         p.clear_arrival_date();
       },
       "person.category"},
  };
  for (const Case& c : cases) {
    PersonOfInterest in = Sample();
    c.mutate(in);
    PersonOfInterest out;
    EXPECT_TRUE(IsInvalidNaming(Create(grid_, in, &out), c.field));
  }
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "0");
}

TEST_F(QuarantineServerTest, CallersAreAuthenticatedAndConfinedToTheirRolesAndAreas) {
  PersonOfInterest out;
  EXPECT_EQ(Create("", Sample(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", kUnknownId, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Create(volunteer, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Another community's admin cannot see the resident: as if there were none.
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {kYimin});
  EXPECT_EQ(Create(other_area, Sample(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "0");

  const std::string registrar = tokens_.Mint("r", {"info_registrar"}, {"gongyi.dufulu"});
  PersonOfInterest created;
  ASSERT_TRUE(Create(registrar, Sample(), &created).ok());
  const std::string id = created.person_id();
  // Health follow-up data: not for checkpoint staff or volunteers, even in scope.
  EXPECT_EQ(Get(registrar, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(volunteer, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string monitor = tokens_.Mint("t", {"temperature_monitor"}, {"gongyi"});
  EXPECT_EQ(Get(monitor, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Out of scope is not found: the record's existence is not revealed.
  EXPECT_EQ(Get(other_area, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  EXPECT_TRUE(Get(auditor, id, &out).ok());
}

TEST_F(QuarantineServerTest, UnknownIdIsNotFoundAndMalformedIdIsInvalid) {
  PersonOfInterest out;
  EXPECT_EQ(Get(grid_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(grid_, "42", &out), "person_id"));
}

TEST_F(QuarantineServerTest, ASecondOpenRecordOfTheSameEpisodeIsAlreadyExists) {
  PersonOfInterest first;
  ASSERT_TRUE(Create(grid_, Sample(), &first).ok());
  PersonOfInterest out;
  grpc::Status st = Create(admin_, Sample(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
  EXPECT_NE(st.error_message().find(first.person_id()), std::string::npos) << st.error_message();
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "1");

  // Another category is another episode.
  PersonOfInterest contact = Sample();
  contact.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
  contact.clear_arrival_date();
  contact.set_contact_date("2020-01-20");
  ASSERT_TRUE(Create(grid_, contact, &out).ok());

  // Once the episode is closed, a new one may open.
  ASSERT_TRUE(Close(worker_, first.person_id(), "observation finished", &out).ok());
  PersonOfInterest again;
  st = Create(grid_, Sample(), &again);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_NE(again.person_id(), first.person_id());
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "3");
}

TEST_F(QuarantineServerTest, ClosingEndsTheEpisodeOnceRecordingWhoAndWhy) {
  PersonOfInterest p;
  ASSERT_TRUE(Create(admin_, Sample(), &p).ok());
  PersonOfInterest out;
  EXPECT_TRUE(IsInvalidNaming(Close(worker_, p.person_id(), "", &out), "note"));
  EXPECT_TRUE(IsInvalidNaming(Close(worker_, "42", "done", &out), "person_id"));
  EXPECT_EQ(Close(worker_, kUnknownId, "done", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // Only follow-up staff of the area: not another area's grid worker, not an auditor.
  EXPECT_EQ(Close(other_worker_, p.person_id(), "done", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  EXPECT_EQ(Close(auditor, p.person_id(), "done", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  PersonOfInterest closed;
  grpc::Status st = Close(worker_, p.person_id(), "14 days without symptoms", &closed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(closed.state(), quarantine::v1::EPISODE_STATE_CLOSED);
  EXPECT_EQ(closed.closed_by(), worker_id_);
  EXPECT_EQ(closed.close_note(), "14 days without symptoms");
  EXPECT_GE(closed.close_time().seconds(), closed.create_time().seconds());

  st = Close(admin_, p.person_id(), "again", &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_EQ(SetRisk(worker_, p.person_id(), quarantine::v1::RISK_LEVEL_HIGH, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Assign(admin_, p.person_id(), worker_id_, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The first close stands.
  ASSERT_TRUE(Get(admin_, p.person_id(), &out).ok());
  EXPECT_EQ(out.close_note(), "14 days without symptoms");
  EXPECT_EQ(out.grid_worker(), "");
}

TEST_F(QuarantineServerTest, ReturneesAndContactsInTheWindowAreYellowUntilClosed) {
  const std::string resident = NewResident();
  EXPECT_EQ(Colour(resident), "green");
  PersonOfInterest returnee = Sample();
  returnee.set_resident_id(resident);
  returnee.set_arrival_date(Today());
  returnee.set_travel_mode(quarantine::v1::TRAVEL_MODE_TRAIN);
  PersonOfInterest r;
  ASSERT_TRUE(Create(grid_, returnee, &r).ok());
  EXPECT_EQ(r.travel_mode(), quarantine::v1::TRAVEL_MODE_TRAIN);
  EXPECT_EQ(Colour(resident), "yellow:returnee_window");

  PersonOfInterest contact = Sample();
  contact.set_resident_id(resident);
  contact.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
  contact.clear_arrival_date();
  contact.set_contact_date(Today());
  contact.set_contact_of("case 3");
  PersonOfInterest c;
  ASSERT_TRUE(Create(grid_, contact, &c).ok());
  EXPECT_EQ(Colour(resident), "yellow:returnee_window:contact_window");

  PersonOfInterest out;
  ASSERT_TRUE(Close(worker_, r.person_id(), "tested negative twice", &out).ok());
  EXPECT_EQ(Colour(resident), "yellow:contact_window");
  ASSERT_TRUE(Close(admin_, c.person_id(), "tested negative twice", &out).ok());
  EXPECT_EQ(Colour(resident), "green");

  // Long past the window: recorded, but green.
  const std::string old_returnee = NewResident();
  PersonOfInterest past = Sample();
  past.set_resident_id(old_returnee);
  ASSERT_TRUE(Create(grid_, past, &out).ok());
  EXPECT_EQ(Colour(old_returnee), "green");
}

TEST_F(QuarantineServerTest, ListingIsConfinedToTheScopeFilteredAndPaged) {
  std::vector<std::string> longhai;
  for (int i = 0; i < 3; ++i) {
    PersonOfInterest p = Sample();
    p.set_resident_id(NewResident());
    PersonOfInterest out;
    ASSERT_TRUE(Create(admin_, p, &out).ok());
    longhai.insert(longhai.begin(), out.person_id());  // newest first
  }
  const std::string yimin_admin = tokens_.Mint("y", {"community_admin"}, {kYimin});
  PersonOfInterest elsewhere = Sample();
  elsewhere.set_resident_id(NewResident("gongyi.dufulu.yimin.b2"));
  elsewhere.clear_area_code();  // the resident's area
  PersonOfInterest yimin;
  ASSERT_TRUE(Create(yimin_admin, elsewhere, &yimin).ok());

  auto ids = [](const ListPersonsOfInterestResponse& r) {
    std::vector<std::string> out;
    for (const auto& p : r.persons()) out.push_back(p.person_id());
    return out;
  };
  ListPersonsOfInterestRequest req;
  ListPersonsOfInterestResponse resp;
  ASSERT_TRUE(List(worker_, req, &resp).ok());
  EXPECT_EQ(ids(resp), longhai);
  // A grid worker of another area sees only theirs; of an area with none, nothing.
  ASSERT_TRUE(List(other_worker_, req, &resp).ok());
  EXPECT_EQ(ids(resp), std::vector<std::string>{yimin.person_id()});
  const std::string empty_area = tokens_.Mint("e", {"grid_worker"}, {"gongyi.dufulu.xinhua"});
  ASSERT_TRUE(List(empty_area, req, &resp).ok());
  EXPECT_EQ(resp.persons_size(), 0);
  // A subdistrict admin sees both areas; asking for an area outside the scope is refused.
  const std::string sub = tokens_.Mint("s", {"subdistrict_admin"}, {"gongyi.dufulu"});
  ASSERT_TRUE(List(sub, req, &resp).ok());
  EXPECT_EQ(resp.persons_size(), 4);
  req.set_area_code("gongyi.dufulu.yimin");
  EXPECT_EQ(List(worker_, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(List(sub, req, &resp).ok());
  EXPECT_EQ(ids(resp), std::vector<std::string>{yimin.person_id()});
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(List(volunteer, ListPersonsOfInterestRequest(), &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Pages of one, in order, then the end.
  req = ListPersonsOfInterestRequest();
  req.set_page_size(1);
  std::vector<std::string> paged;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(List(worker_, req, &resp).ok());
    for (const auto& id : ids(resp)) paged.push_back(id);
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(paged, longhai);
  req.set_page_token("not-a-token");
  EXPECT_TRUE(IsInvalidNaming(List(worker_, req, &resp), "page_token"));
  req = ListPersonsOfInterestRequest();
  req.set_page_size(501);
  EXPECT_TRUE(IsInvalidNaming(List(worker_, req, &resp), "page_size"));

  // Filters: state, category, assigned grid worker.
  PersonOfInterest out;
  ASSERT_TRUE(Close(worker_, longhai[0], "done", &out).ok());
  ASSERT_TRUE(Assign(admin_, longhai[1], worker_id_, &out).ok());
  req = ListPersonsOfInterestRequest();
  req.set_state(quarantine::v1::EPISODE_STATE_CLOSED);
  ASSERT_TRUE(List(worker_, req, &resp).ok());
  EXPECT_EQ(ids(resp), std::vector<std::string>{longhai[0]});
  req.set_state(quarantine::v1::EPISODE_STATE_OPEN);
  ASSERT_TRUE(List(worker_, req, &resp).ok());
  EXPECT_EQ(ids(resp), (std::vector<std::string>{longhai[1], longhai[2]}));
  req = ListPersonsOfInterestRequest();
  req.set_grid_worker(worker_id_);
  ASSERT_TRUE(List(worker_, req, &resp).ok());
  EXPECT_EQ(ids(resp), std::vector<std::string>{longhai[1]});
  req = ListPersonsOfInterestRequest();
  req.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
  ASSERT_TRUE(List(worker_, req, &resp).ok());
  EXPECT_EQ(resp.persons_size(), 0);
  req.set_category(static_cast<quarantine::v1::Category>(9));
  EXPECT_TRUE(IsInvalidNaming(List(worker_, req, &resp), "category"));
  req = ListPersonsOfInterestRequest();
  req.set_grid_worker("grid-7");
  EXPECT_TRUE(IsInvalidNaming(List(worker_, req, &resp), "grid_worker"));
}

TEST_F(QuarantineServerTest, AdminsOfTheAreaAssignGridWorkersAndFollowUpStaffSetTheRisk) {
  PersonOfInterest p;
  ASSERT_TRUE(Create(grid_, Sample(), &p).ok());
  PersonOfInterest out;
  grpc::Status st = Assign(admin_, p.person_id(), worker_id_, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.grid_worker(), worker_id_);
  ASSERT_TRUE(Get(worker_, p.person_id(), &out).ok());
  EXPECT_EQ(out.grid_worker(), worker_id_);
  // Not grid workers themselves, not admins of another area.
  EXPECT_EQ(Assign(worker_, p.person_id(), worker_id_, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string yimin_admin = tokens_.Mint("y", {"community_admin"}, {kYimin});
  EXPECT_EQ(Assign(yimin_admin, p.person_id(), "", &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Assign(admin_, p.person_id(), "grid-7", &out), "grid_worker"));
  EXPECT_EQ(Assign(admin_, kUnknownId, worker_id_, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // Empty clears it.
  ASSERT_TRUE(Assign(admin_, p.person_id(), "", &out).ok());
  EXPECT_EQ(out.grid_worker(), "");

  st = SetRisk(worker_, p.person_id(), quarantine::v1::RISK_LEVEL_HIGH, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.risk_level(), quarantine::v1::RISK_LEVEL_HIGH);
  EXPECT_TRUE(IsInvalidNaming(
      SetRisk(worker_, p.person_id(), quarantine::v1::RISK_LEVEL_UNSPECIFIED, &out), "risk_level"));
  EXPECT_EQ(
      SetRisk(other_worker_, p.person_id(), quarantine::v1::RISK_LEVEL_LOW, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Query("SELECT risk_level::text FROM quarantine.persons_of_interest").at(0),
            "3");
}

TEST_F(QuarantineServerTest, TheRecordTakesTheResidentsRegisteredArea) {
  // No area named: the resident's own, so the resident's community sees the record.
  PersonOfInterest in = Sample();
  in.clear_area_code();
  PersonOfInterest created;
  grpc::Status st = Create(grid_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.area_code(), kJingyuan);
  EXPECT_EQ(server_->Query("SELECT area_code FROM quarantine.persons_of_interest").at(0),
            kJingyuan);
  PersonOfInterest got;
  ASSERT_TRUE(Get(admin_, created.person_id(), &got).ok());
  ListPersonsOfInterestResponse list;
  ASSERT_TRUE(List(other_worker_, ListPersonsOfInterestRequest(), &list).ok());
  EXPECT_EQ(list.persons_size(), 0);

  // An area named that is not the resident's (here: the community above it, in the
  // caller's scope) is refused, naming both fields.
  PersonOfInterest contact = Sample();
  contact.set_category(quarantine::v1::CATEGORY_CLOSE_CONTACT);
  contact.clear_arrival_date();
  contact.set_contact_date("2020-01-20");
  contact.set_area_code(kLonghai);
  st = Create(grid_, contact, &got);
  EXPECT_TRUE(IsInvalidNaming(st, "person.area_code"));
  EXPECT_TRUE(IsInvalidNaming(st, "person.resident_id"));
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "1");
}

TEST_F(QuarantineServerTest, NamingYourOwnAreaForSomeoneElsewhereFindsNoOne) {
  // A Yimin grid worker names Yimin for a Jingyuan resident: no record, no colour change.
  PersonOfInterest in = Sample();
  in.set_arrival_date(Today());
  in.set_area_code(kYimin);
  PersonOfInterest out;
  const grpc::Status elsewhere = Create(other_worker_, in, &out);
  EXPECT_EQ(elsewhere.error_code(), grpc::StatusCode::NOT_FOUND) << elsewhere.error_message();
  EXPECT_NE(elsewhere.error_message().find("person.resident_id"), std::string::npos);
  in.clear_area_code();
  EXPECT_EQ(Create(other_worker_, in, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  // The same answer as for a resident identity does not know.
  PersonOfInterest unknown = in;
  unknown.set_resident_id(kUnknownId);
  const grpc::Status missing = Create(other_worker_, unknown, &out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_message(), elsewhere.error_message());
  // Identity lets checkpoint staff read the resident, but a code_verifier grant over the
  // area does not let a grid worker of another area record them here.
  const std::string mixed =
      tokens_.MintGrants("mix", {{"code_verifier", kJingyuan}, {"grid_worker", kYimin}});
  const grpc::Status mixed_st = Create(mixed, in, &out);
  EXPECT_EQ(mixed_st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(mixed_st.error_message(), elsewhere.error_message());
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "0");
  EXPECT_EQ(Colour(resident_), "green");
}

TEST_F(QuarantineServerTest, TheOpenRecordIsNamedOnlyToCallersWhoMaySeeIt) {
  PersonOfInterest first;
  ASSERT_TRUE(Create(grid_, Sample(), &first).ok());
  // The resident moves to Yimin: the open record stays with Longhai, where it was opened.
  Move(resident_, "gongyi.dufulu.yimin.b2");
  PersonOfInterest in = Sample();
  in.clear_area_code();
  PersonOfInterest out;
  grpc::Status st = Create(other_worker_, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
  EXPECT_EQ(st.error_message().find(first.person_id()), std::string::npos) << st.error_message();
  const std::string sub = tokens_.Mint("s", {"subdistrict_admin"}, {"gongyi.dufulu"});
  st = Create(sub, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find(first.person_id()), std::string::npos) << st.error_message();
  EXPECT_EQ(server_->Count("quarantine.persons_of_interest"), "1");
}

TEST(QuarantineIdentityDownTest, ARecordNeedsIdentityAndNothingIsStoredWithoutIt) {
  TestTokens tokens;
  ServiceUnderTest server("services/quarantine/quarantine_server", "quarantine_noidentity", tokens,
                          {{"FX_IDENTITY_ADDR", absl::StrCat("127.0.0.1:", FreePort())},
                           {"FX_QUARANTINE_UPSTREAM_TIMEOUT_MS", "500"}});
  ASSERT_TRUE(server.WaitUntilServing());
  CreatePersonOfInterestRequest req;
  req.mutable_person()->set_resident_id(kUnknownId);
  req.mutable_person()->set_category(quarantine::v1::CATEGORY_RETURNEE);
  req.mutable_person()->set_source(quarantine::v1::SOURCE_SELF_REPORT);
  req.mutable_person()->set_arrival_date("2020-01-23");
  PersonOfInterest out;
  const grpc::Status st =
      QuarantineService::NewStub(server.channel())
          ->CreatePersonOfInterest(
              CallContextWith(tokens.Mint("g", {"grid_worker"}, {kLonghai})).get(), req, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_EQ(server.Count("quarantine.persons_of_interest"), "0");
}

}  // namespace
}  // namespace fangxian::testing
