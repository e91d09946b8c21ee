#include "services/quarantine/service_request_service.h"

namespace fangxian::quarantine {
namespace {

using common::Dispatch;

// The household (residents who are members of its order; checked by ServiceRequests) and
// the staff who organise deliveries in their area.
const common::AuthRule kHouseholdOrStaff{
    {"resident", "grid_worker", "community_admin", "subdistrict_admin"}};
// Assigning volunteers: grid workers and admins.
const common::AuthRule kStaff{{"grid_worker", "community_admin", "subdistrict_admin"}};
// Doing the delivery: the assigned volunteer, or staff who deliver themselves.
const common::AuthRule kDelivery{
    {"volunteer", "grid_worker", "community_admin", "subdistrict_admin"}};
// A volunteer's own assignments.
const common::AuthRule kVolunteer{{"volunteer"}};

}  // namespace

grpc::ServerUnaryReactor* ServiceRequestService::CreateServiceRequest(
    grpc::CallbackServerContext* ctx, const v1::CreateServiceRequestRequest* request,
    v1::ServiceRequest* response) {
  return Dispatch(runtime_, ctx, kHouseholdOrStaff, requests_, &ServiceRequests::Create, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::GetServiceRequest(
    grpc::CallbackServerContext* ctx, const v1::GetServiceRequestRequest* request,
    v1::ServiceRequest* response) {
  return Dispatch(runtime_, ctx, kHouseholdOrStaff, requests_, &ServiceRequests::Get, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::ListServiceRequests(
    grpc::CallbackServerContext* ctx, const v1::ListServiceRequestsRequest* request,
    v1::ListServiceRequestsResponse* response) {
  return Dispatch(runtime_, ctx, kHouseholdOrStaff, requests_, &ServiceRequests::List, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::AssignVolunteer(
    grpc::CallbackServerContext* ctx, const v1::AssignVolunteerRequest* request,
    v1::ServiceRequest* response) {
  return Dispatch(runtime_, ctx, kStaff, requests_, &ServiceRequests::Assign, request, response);
}

grpc::ServerUnaryReactor* ServiceRequestService::StartServiceRequest(
    grpc::CallbackServerContext* ctx, const v1::StartServiceRequestRequest* request,
    v1::VolunteerView* response) {
  return Dispatch(runtime_, ctx, kDelivery, requests_, &ServiceRequests::Start, request, response);
}

grpc::ServerUnaryReactor* ServiceRequestService::MarkDelivered(
    grpc::CallbackServerContext* ctx, const v1::MarkDeliveredRequest* request,
    v1::VolunteerView* response) {
  return Dispatch(runtime_, ctx, kDelivery, requests_, &ServiceRequests::Deliver, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::ConfirmDelivery(
    grpc::CallbackServerContext* ctx, const v1::ConfirmDeliveryRequest* request,
    v1::ServiceRequest* response) {
  return Dispatch(runtime_, ctx, kHouseholdOrStaff, requests_, &ServiceRequests::Confirm, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::CancelServiceRequest(
    grpc::CallbackServerContext* ctx, const v1::CancelServiceRequestRequest* request,
    v1::ServiceRequest* response) {
  return Dispatch(runtime_, ctx, kHouseholdOrStaff, requests_, &ServiceRequests::Cancel, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::ListAssignments(
    grpc::CallbackServerContext* ctx, const v1::ListAssignmentsRequest* request,
    v1::ListAssignmentsResponse* response) {
  return Dispatch(runtime_, ctx, kVolunteer, requests_, &ServiceRequests::ListAssignments, request,
                  response);
}

grpc::ServerUnaryReactor* ServiceRequestService::GetAssignment(
    grpc::CallbackServerContext* ctx, const v1::GetAssignmentRequest* request,
    v1::VolunteerView* response) {
  return Dispatch(runtime_, ctx, kVolunteer, requests_, &ServiceRequests::GetAssignment, request,
                  response);
}

}  // namespace fangxian::quarantine
