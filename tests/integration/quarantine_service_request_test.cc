// "Love knocking" service requests against the real quarantine_server: the delivery flow,
// who sees what (volunteers only their own assignments, as a VolunteerView), illegal
// transitions, role and scope denials, and paging.
#include "fangxian/quarantine/v1/isolation.grpc.pb.h"
#include "fangxian/quarantine/v1/service_requests.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tests/integration/quarantine_test_fixtures.h"

namespace fangxian::testing {
namespace {

using quarantine::v1::ServiceRequest;
using quarantine::v1::ServiceRequestService;
using quarantine::v1::VolunteerView;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(t);
}

constexpr char kScope[] = "gongyi.dufulu.longhai";
constexpr char kArea[] = "gongyi.dufulu.longhai.jingyuan";
// Volunteers' staff account ids (identity UUIDs), also their token subjects.
constexpr char kVol1[] = "7a0c6a52-1d0e-4c39-9a51-000000000001";
constexpr char kVol2[] = "7a0c6a52-1d0e-4c39-9a51-000000000002";
constexpr char kVol3[] = "7a0c6a52-1d0e-4c39-9a51-000000000003";

class QuarantineServiceRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>("services/quarantine/quarantine_server",
                                                 "servicereq", tokens_);
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = ServiceRequestService::NewStub(server_->channel());
    resident_ = NewUuid(*server_);
    household_ = NewUuid(*server_);
    order_ = InsertIsolationOrderForTest(*server_, household_, kArea, {resident_});
    member_ = ResidentToken(tokens_, resident_, kArea);
    grid_ = tokens_.Mint("grid-7", {"grid_worker"}, {kScope});
    other_grid_ = tokens_.Mint("grid-9", {"grid_worker"}, {"gongyi.other"});
    volunteer_ = tokens_.Mint(kVol1, {"volunteer"}, {kScope});
    other_volunteer_ = tokens_.Mint(kVol2, {"volunteer"}, {kScope});
  }

  grpc::Status Create(const std::string& token, const std::string& household, ServiceRequest* out,
                      const std::string& items = "rice 5 kg, eggs, cabbage") {
    quarantine::v1::CreateServiceRequestRequest req;
    ServiceRequest* r = req.mutable_request();
    r->set_household_id(household);
    r->set_kind(quarantine::v1::SERVICE_REQUEST_KIND_PURCHASE);
    r->set_items(items);
    r->set_contact_name("Li Ming");
    r->set_delivery_address("Building 3, unit 2, room 401");
    r->set_phone("13812345678");
    return stub_->CreateServiceRequest(CallContextWith(token).get(), req, out);
  }

  // A new OPEN request of the household, made by its member.
  std::string NewRequest() {
    ServiceRequest out;
    grpc::Status st = Create(member_, household_, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.request_id();
  }

  grpc::Status Assign(const std::string& token, const std::string& id,
                      const std::string& volunteer) {
    quarantine::v1::AssignVolunteerRequest req;
    req.set_request_id(id);
    req.set_volunteer_id(volunteer);
    ServiceRequest out;
    return stub_->AssignVolunteer(CallContextWith(token).get(), req, &out);
  }

  grpc::Status Start(const std::string& token, const std::string& id, VolunteerView* out) {
    quarantine::v1::StartServiceRequestRequest req;
    req.set_request_id(id);
    return stub_->StartServiceRequest(CallContextWith(token).get(), req, out);
  }

  grpc::Status Deliver(const std::string& token, const std::string& id, VolunteerView* out) {
    quarantine::v1::MarkDeliveredRequest req;
    req.set_request_id(id);
    req.set_note("left on the shoe rack, knocked twice");
    return stub_->MarkDelivered(CallContextWith(token).get(), req, out);
  }

  grpc::Status Confirm(const std::string& token, const std::string& id, ServiceRequest* out) {
    quarantine::v1::ConfirmDeliveryRequest req;
    req.set_request_id(id);
    return stub_->ConfirmDelivery(CallContextWith(token).get(), req, out);
  }

  grpc::Status Cancel(const std::string& token, const std::string& id, ServiceRequest* out) {
    quarantine::v1::CancelServiceRequestRequest req;
    req.set_request_id(id);
    req.set_reason("bought by a relative");
    return stub_->CancelServiceRequest(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, ServiceRequest* out) {
    quarantine::v1::GetServiceRequestRequest req;
    req.set_request_id(id);
    return stub_->GetServiceRequest(CallContextWith(token).get(), req, out);
  }

  grpc::Status GetAssignment(const std::string& token, const std::string& id, VolunteerView* out) {
    quarantine::v1::GetAssignmentRequest req;
    req.set_request_id(id);
    return stub_->GetAssignment(CallContextWith(token).get(), req, out);
  }

  std::string Status(const std::string& id) {
    return server_
        ->Query("SELECT status FROM quarantine.service_requests WHERE request_id = '" + id + "'")
        .at(0);
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<ServiceRequestService::Stub> stub_;
  std::string resident_;
  std::string household_;
  std::string order_;
  std::string member_;
  std::string grid_;
  std::string other_grid_;
  std::string volunteer_;
  std::string other_volunteer_;
};

TEST_F(QuarantineServiceRequestTest, ContactlessDeliveryFromRequestToConfirmation) {
  ServiceRequest created;
  ASSERT_TRUE(Create(member_, household_, &created).ok());
  EXPECT_EQ(created.status(), quarantine::v1::SERVICE_REQUEST_STATUS_OPEN);
  EXPECT_EQ(created.order_id(), order_);
  EXPECT_EQ(created.area_code(), kArea);
  EXPECT_EQ(created.created_by(), resident_);
  EXPECT_TRUE(created.has_create_time());
  const std::string id = created.request_id();

  ASSERT_TRUE(Assign(grid_, id, kVol1).ok());
  VolunteerView view;
  ASSERT_TRUE(GetAssignment(volunteer_, id, &view).ok());
  EXPECT_EQ(view.status(), quarantine::v1::SERVICE_REQUEST_STATUS_ASSIGNED);
  EXPECT_EQ(view.items(), "rice 5 kg, eggs, cabbage");
  EXPECT_EQ(view.contact_name(), "Li Ming");
  EXPECT_EQ(view.delivery_address(), "Building 3, unit 2, room 401");
  EXPECT_EQ(view.phone(), "13812345678");

  quarantine::v1::ListAssignmentsRequest mine;
  quarantine::v1::ListAssignmentsResponse assignments;
  ASSERT_TRUE(stub_->ListAssignments(CallContextWith(volunteer_).get(), mine, &assignments).ok());
  ASSERT_EQ(assignments.assignments_size(), 1);
  EXPECT_EQ(assignments.assignments(0).request_id(), id);
  ASSERT_TRUE(
      stub_->ListAssignments(CallContextWith(other_volunteer_).get(), mine, &assignments).ok());
  EXPECT_EQ(assignments.assignments_size(), 0);

  ASSERT_TRUE(Start(volunteer_, id, &view).ok());
  EXPECT_EQ(view.status(), quarantine::v1::SERVICE_REQUEST_STATUS_IN_PROGRESS);
  ASSERT_TRUE(Deliver(volunteer_, id, &view).ok());
  EXPECT_EQ(view.status(), quarantine::v1::SERVICE_REQUEST_STATUS_DELIVERED);
  EXPECT_TRUE(view.has_deliver_time());
  EXPECT_EQ(view.delivery_note(), "left on the shoe rack, knocked twice");
  EXPECT_EQ(view.phone(), "");  // the work is done: the number is no longer shown

  ServiceRequest confirmed;
  ASSERT_TRUE(Confirm(member_, id, &confirmed).ok());
  EXPECT_EQ(confirmed.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CONFIRMED);
  EXPECT_EQ(confirmed.confirmed_by(), resident_);
  EXPECT_EQ(confirmed.volunteer_id(), kVol1);
  EXPECT_EQ(confirmed.assigned_by(), "grid-7");
  EXPECT_TRUE(confirmed.has_start_time());

  // The household and the area's staff see it; the list of the household's member too.
  ServiceRequest got;
  ASSERT_TRUE(Get(grid_, id, &got).ok());
  EXPECT_EQ(got.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CONFIRMED);
  quarantine::v1::ListServiceRequestsRequest list;
  quarantine::v1::ListServiceRequestsResponse listed;
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(member_).get(), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 1);
  EXPECT_EQ(listed.requests(0).request_id(), id);
}

TEST_F(QuarantineServiceRequestTest, OnlyIsolatedHouseholdsAndTheirMembersMayAsk) {
  ServiceRequest out;
  grpc::Status st = Create(grid_, NewUuid(*server_), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_NE(st.error_message().find("household_id"), std::string::npos);

  // A resident asks only for the household of their own active order: one isolated
  // elsewhere is refused, one not isolated is told so (nothing about household_ either way).
  const std::string neighbour_id = NewUuid(*server_);
  InsertIsolationOrderForTest(*server_, NewUuid(*server_), kArea, {neighbour_id});
  const std::string neighbour = ResidentToken(tokens_, neighbour_id, kArea);
  EXPECT_EQ(Create(neighbour, household_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string stranger = ResidentToken(tokens_, NewUuid(*server_), kArea);
  EXPECT_EQ(Create(stranger, household_, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Staff outside the order's area cannot tell an isolated household from one that is not.
  const grpc::Status out_of_scope = Create(other_grid_, household_, &out);
  const grpc::Status not_isolated = Create(other_grid_, NewUuid(*server_), &out);
  EXPECT_EQ(out_of_scope.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(out_of_scope.error_code(), not_isolated.error_code());
  EXPECT_EQ(out_of_scope.error_message(), not_isolated.error_message());
  EXPECT_EQ(Create(volunteer_, household_, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      IsInvalidNaming(Create(member_, household_, &out, std::string(501, 'x')), "request.items"));
  EXPECT_EQ(server_->Count("quarantine.service_requests"), "0");

  ASSERT_TRUE(Create(grid_, household_, &out).ok());
  EXPECT_EQ(out.created_by(), "grid-7");

  ReleaseIsolationOrderForTest(*server_, order_);
  EXPECT_EQ(Create(member_, household_, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(QuarantineServiceRequestTest, AVolunteerReadingAnothersRequestGetsNotFound) {
  const std::string id = NewRequest();
  ASSERT_TRUE(Assign(grid_, id, kVol1).ok());
  VolunteerView view;
  // Not revealed: the same answer as for a request that does not exist.
  grpc::Status st = GetAssignment(other_volunteer_, id, &view);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetAssignment(other_volunteer_, NewUuid(*server_), &view).error_message(),
            st.error_message());
  EXPECT_EQ(Start(other_volunteer_, id, &view).error_code(), grpc::StatusCode::NOT_FOUND);
  // The full request (household, order, area) is never for volunteers.
  ServiceRequest full;
  EXPECT_EQ(Get(volunteer_, id, &full).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A volunteer outside the request's area does not see it even when named.
  const std::string far_volunteer = tokens_.Mint(kVol3, {"volunteer"}, {"gongyi.other"});
  ASSERT_TRUE(Assign(grid_, id, kVol3).ok());
  EXPECT_EQ(GetAssignment(far_volunteer, id, &view).error_code(), grpc::StatusCode::NOT_FOUND);
  // Reassigned: the first volunteer no longer sees it.
  EXPECT_EQ(GetAssignment(volunteer_, id, &view).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Assign(grid_, id, kVol1).ok());
  EXPECT_TRUE(GetAssignment(volunteer_, id, &view).ok());
}

TEST_F(QuarantineServiceRequestTest, RolesAndScopeDecideWhoSeesAndChanges) {
  const std::string id = NewRequest();
  ServiceRequest out;
  EXPECT_EQ(Get(other_grid_, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string stranger = ResidentToken(tokens_, NewUuid(*server_), kArea);
  EXPECT_EQ(Get(stranger, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Assign(other_grid_, id, kVol1).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Assign(member_, id, kVol1).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Assign(volunteer_, id, kVol1).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Cancel(stranger, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Status(id), "1");

  quarantine::v1::ListServiceRequestsRequest list;
  quarantine::v1::ListServiceRequestsResponse listed;
  list.set_area_code(kScope);
  EXPECT_EQ(
      stub_->ListServiceRequests(CallContextWith(other_grid_).get(), list, &listed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      stub_->ListServiceRequests(CallContextWith(volunteer_).get(), list, &listed).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(stranger).get(), list, &listed).ok());
  EXPECT_EQ(listed.requests_size(), 0);  // a resident sees only their own household's
}

TEST_F(QuarantineServiceRequestTest, IllegalTransitionsNameTheCurrentStatus) {
  const std::string id = NewRequest();
  VolunteerView view;
  ServiceRequest out;
  grpc::Status st = Start(grid_, id, &view);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("OPEN"), std::string::npos) << st.error_message();
  st = Confirm(member_, id, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("OPEN"), std::string::npos);

  ASSERT_TRUE(Assign(grid_, id, kVol1).ok());
  EXPECT_EQ(Deliver(volunteer_, id, &view).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Start(volunteer_, id, &view).ok());
  st = Assign(grid_, id, kVol2);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("IN_PROGRESS"), std::string::npos);
  ASSERT_TRUE(Deliver(volunteer_, id, &view).ok());
  st = Cancel(member_, id, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("DELIVERED"), std::string::npos);
  EXPECT_EQ(Status(id), "4");  // nothing changed by the refusals

  // Cancelled before delivery, with a reason; then nothing more.
  const std::string other = NewRequest();
  quarantine::v1::CancelServiceRequestRequest no_reason;
  no_reason.set_request_id(other);
  EXPECT_TRUE(IsInvalidNaming(
      stub_->CancelServiceRequest(CallContextWith(member_).get(), no_reason, &out), "reason"));
  ASSERT_TRUE(Cancel(member_, other, &out).ok());
  EXPECT_EQ(out.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "bought by a relative");
  st = Assign(grid_, other, kVol1);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("CANCELLED"), std::string::npos);
}

TEST_F(QuarantineServiceRequestTest, ListsArePagedNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(NewRequest());
  quarantine::v1::ListServiceRequestsRequest list;
  list.set_area_code(kScope);
  list.set_page_size(2);
  quarantine::v1::ListServiceRequestsResponse page;
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(grid_).get(), list, &page).ok());
  ASSERT_EQ(page.requests_size(), 2);
  EXPECT_EQ(page.requests(0).request_id(), ids[2]);
  EXPECT_EQ(page.requests(1).request_id(), ids[1]);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(grid_).get(), list, &page).ok());
  ASSERT_EQ(page.requests_size(), 1);
  EXPECT_EQ(page.requests(0).request_id(), ids[0]);
  EXPECT_TRUE(page.next_page_token().empty());

  list.clear_page_token();
  list.set_status(quarantine::v1::SERVICE_REQUEST_STATUS_ASSIGNED);
  ASSERT_TRUE(Assign(grid_, ids[1], kVol1).ok());
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(grid_).get(), list, &page).ok());
  ASSERT_EQ(page.requests_size(), 1);
  EXPECT_EQ(page.requests(0).request_id(), ids[1]);
  list.set_page_size(101);
  EXPECT_TRUE(IsInvalidNaming(stub_->ListServiceRequests(CallContextWith(grid_).get(), list, &page),
                              "page_size"));
}

TEST_F(QuarantineServiceRequestTest, FellowMembersShareTheHouseholdsRequests) {
  // A parent and a child in one order: either asks, both see and confirm.
  const std::string parent_id = NewUuid(*server_);
  const std::string child_id = NewUuid(*server_);
  const std::string home = NewUuid(*server_);
  InsertIsolationOrderForTest(*server_, home, kArea, {parent_id, child_id});
  const std::string parent = ResidentToken(tokens_, parent_id, kArea);
  const std::string child = ResidentToken(tokens_, child_id, kArea);
  ServiceRequest by_parent;
  ASSERT_TRUE(Create(parent, home, &by_parent).ok());
  ServiceRequest by_child;
  ASSERT_TRUE(Create(child, home, &by_child).ok());
  ServiceRequest got;
  ASSERT_TRUE(Get(child, by_parent.request_id(), &got).ok());
  EXPECT_EQ(got.created_by(), parent_id);
  quarantine::v1::ListServiceRequestsRequest list;
  quarantine::v1::ListServiceRequestsResponse listed;
  ASSERT_TRUE(stub_->ListServiceRequests(CallContextWith(parent).get(), list, &listed).ok());
  ASSERT_EQ(listed.requests_size(), 2);
  EXPECT_EQ(listed.requests(0).request_id(), by_child.request_id());
  EXPECT_EQ(listed.requests(1).request_id(), by_parent.request_id());
  ASSERT_TRUE(Cancel(parent, by_child.request_id(), &got).ok());
  EXPECT_EQ(got.cancelled_by(), parent_id);
  // Another household's member sees none of it.
  EXPECT_EQ(Get(member_, by_parent.request_id(), &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(QuarantineServiceRequestTest, VolunteerIdMustBeAStaffAccountId) {
  const std::string id = NewRequest();
  EXPECT_TRUE(IsInvalidNaming(Assign(grid_, id, "vol-1"), "volunteer_id"));
  EXPECT_TRUE(IsInvalidNaming(Assign(grid_, id, ""), "volunteer_id"));
  EXPECT_EQ(Status(id), "1");
}

TEST_F(QuarantineServiceRequestTest, RetriedTransitionsReturnTheRequestAsItIs) {
  const std::string id = NewRequest();
  quarantine::v1::AssignVolunteerRequest assign;
  assign.set_request_id(id);
  assign.set_volunteer_id(kVol1);
  ServiceRequest first;
  ASSERT_TRUE(stub_->AssignVolunteer(CallContextWith(grid_).get(), assign, &first).ok());
  ServiceRequest again;
  ASSERT_TRUE(stub_->AssignVolunteer(CallContextWith(grid_).get(), assign, &again).ok());
  EXPECT_EQ(again.status(), quarantine::v1::SERVICE_REQUEST_STATUS_ASSIGNED);
  EXPECT_EQ(Micros(again.assign_time()), Micros(first.assign_time()));  // nothing rewritten

  VolunteerView view;
  ASSERT_TRUE(Start(volunteer_, id, &view).ok());
  ASSERT_TRUE(Start(volunteer_, id, &view).ok());
  EXPECT_EQ(view.status(), quarantine::v1::SERVICE_REQUEST_STATUS_IN_PROGRESS);
  VolunteerView delivered;
  ASSERT_TRUE(Deliver(volunteer_, id, &delivered).ok());
  VolunteerView redelivered;
  grpc::Status st = Deliver(volunteer_, id, &redelivered);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(redelivered.status(), quarantine::v1::SERVICE_REQUEST_STATUS_DELIVERED);
  EXPECT_EQ(Micros(redelivered.deliver_time()), Micros(delivered.deliver_time()));
  // Still refused: real illegal moves, and the repeat by someone who may not make it.
  EXPECT_EQ(Start(volunteer_, id, &view).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Deliver(other_volunteer_, id, &view).error_code(), grpc::StatusCode::NOT_FOUND);

  ServiceRequest confirmed;
  ASSERT_TRUE(Confirm(member_, id, &confirmed).ok());
  ServiceRequest reconfirmed;
  ASSERT_TRUE(Confirm(member_, id, &reconfirmed).ok());
  EXPECT_EQ(reconfirmed.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CONFIRMED);
  EXPECT_EQ(Micros(reconfirmed.confirm_time()), Micros(confirmed.confirm_time()));
  st = Cancel(member_, id, &reconfirmed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("CONFIRMED"), std::string::npos);

  const std::string other = NewRequest();
  ServiceRequest cancelled;
  ASSERT_TRUE(Cancel(member_, other, &cancelled).ok());
  ServiceRequest recancelled;
  ASSERT_TRUE(Cancel(grid_, other, &recancelled).ok());
  EXPECT_EQ(recancelled.cancelled_by(), resident_);  // the first cancellation stands
  EXPECT_EQ(Micros(recancelled.cancel_time()), Micros(cancelled.cancel_time()));
  EXPECT_EQ(Assign(grid_, other, kVol1).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(QuarantineServiceRequestTest, ReleasingTheOrderCancelsRequestsNotYetDelivered) {
  const std::string open = NewRequest();
  const std::string assigned = NewRequest();
  const std::string delivered = NewRequest();
  ASSERT_TRUE(Assign(grid_, assigned, kVol1).ok());
  ASSERT_TRUE(Assign(grid_, delivered, kVol1).ok());
  VolunteerView view;
  ASSERT_TRUE(Start(volunteer_, delivered, &view).ok());
  ASSERT_TRUE(Deliver(volunteer_, delivered, &view).ok());

  auto orders = quarantine::v1::IsolationService::NewStub(server_->channel());
  quarantine::v1::ReleaseIsolationOrderRequest release;
  release.set_order_id(order_);
  release.set_reason("期满，核酸阴性");
  quarantine::v1::IsolationOrder released;
  const std::string officer = tokens_.Mint("officer-1", {"community_admin"}, {kScope});
  ASSERT_TRUE(
      orders->ReleaseIsolationOrder(CallContextWith(officer).get(), release, &released).ok());

  for (const std::string& id : {open, assigned}) {
    ServiceRequest got;
    ASSERT_TRUE(Get(grid_, id, &got).ok());
    EXPECT_EQ(got.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CANCELLED);
    EXPECT_EQ(got.cancel_reason(), "isolation released");
    EXPECT_EQ(got.cancelled_by(), "officer-1");
    EXPECT_TRUE(got.has_cancel_time());
  }
  EXPECT_EQ(Status(delivered), "4");  // delivered already: kept for the household to confirm
  // The volunteer's view no longer carries the household's phone or asks for work.
  ASSERT_TRUE(GetAssignment(volunteer_, assigned, &view).ok());
  EXPECT_EQ(view.status(), quarantine::v1::SERVICE_REQUEST_STATUS_CANCELLED);
  EXPECT_EQ(view.phone(), "");
  EXPECT_EQ(Start(volunteer_, assigned, &view).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace fangxian::testing
