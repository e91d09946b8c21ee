// Black-box tests of quarantine_server: the real binary, a scratch PostgreSQL database and
// the test Redis, called over gRPC.
#include <functional>

#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::CreatePersonOfInterestRequest;
using quarantine::v1::GetPersonOfInterestRequest;
using quarantine::v1::PersonOfInterest;
using quarantine::v1::QuarantineService;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";
constexpr char kResidentId[] = "0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13";

class QuarantineServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                 "quarantine", tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = QuarantineService::NewStub(server_->channel());
    grid_ = tokens_.Mint("grid-7", {"grid_worker"}, {"gongyi.dufulu.longhai"});
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

  static PersonOfInterest Sample() {
    PersonOfInterest p;
    p.set_resident_id(kResidentId);
    p.set_category(quarantine::v1::CATEGORY_RETURNEE);
    p.set_source(quarantine::v1::SOURCE_SWEEP);
    p.set_area_code("gongyi.dufulu.longhai.jingyuan");
    p.set_origin_region("湖北武汉");
    p.set_arrival_date("2020-01-23");
    return p;
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<QuarantineService::Stub> stub_;
  std::string grid_;
};

TEST_F(QuarantineServerTest, CreateThenGetRoundTripsTheStoredPerson) {
  PersonOfInterest in = Sample();
  in.set_person_id(kUnknownId);  // output-only, ignored
  PersonOfInterest created;
  grpc::Status st = Create(grid_, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.person_id().size(), 36u);
  EXPECT_NE(created.person_id(), kUnknownId);
  EXPECT_EQ(created.resident_id(), kResidentId);
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
  ASSERT_TRUE(Create(grid_, contact, &created).ok());
  ASSERT_TRUE(Get(grid_, created.person_id(), &got).ok());
  EXPECT_EQ(got.arrival_date(), "");
  EXPECT_EQ(got.origin_region(), "");
  EXPECT_EQ(got.category(), quarantine::v1::CATEGORY_CLOSE_CONTACT);
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
      {[](PersonOfInterest& p) { p.clear_area_code(); }, "person.area_code"},
      {[](PersonOfInterest& p) { p.set_area_code("Gongyi Dufulu"); }, "person.area_code"},
      {[](PersonOfInterest& p) { p.set_origin_region(std::string(101, 'a')); },
       "person.origin_region"},
      {[](PersonOfInterest& p) { p.set_arrival_date("23/01/2020"); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.set_arrival_date("2021-02-29"); }, "person.arrival_date"},
      {[](PersonOfInterest& p) { p.set_arrival_date("2999-01-01"); }, "person.arrival_date"},
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
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(Create(other_area, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
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
  EXPECT_EQ(Get(other_area, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string auditor = tokens_.Mint("a", {"auditor"}, {"gongyi"});
  EXPECT_TRUE(Get(auditor, id, &out).ok());
}

TEST_F(QuarantineServerTest, UnknownIdIsNotFoundAndMalformedIdIsInvalid) {
  PersonOfInterest out;
  EXPECT_EQ(Get(grid_, kUnknownId, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(grid_, "42", &out), "person_id"));
}

}  // namespace
}  // namespace fangxian::testing
