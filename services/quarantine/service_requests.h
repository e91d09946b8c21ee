// "Love knocking" (爱心敲门) service requests of isolated households: the business rules,
// independent of gRPC. Takes plain values and the caller's identity.
//
// Who may see a request: members of its isolation order (token kind "resident"), grid
// workers and admins whose scope covers its area, and the volunteer assigned to it (as a
// VolunteerView, while their volunteer scope covers its area). To anyone else it does
// not exist: NOT_FOUND, as for an unknown id.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUESTS_H_
#define FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUESTS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"
#include "services/quarantine/service_request_store.h"

namespace fangxian::quarantine {

class ServiceRequests {
 public:
  ServiceRequests(ServiceRequestStore& store, common::RpcRuntime::Clock clock)
      : store_(store), clock_(std::move(clock)) {}

  absl::StatusOr<v1::ServiceRequest> Create(const common::CallContext& call,
                                            const v1::CreateServiceRequestRequest& req);
  absl::StatusOr<v1::ServiceRequest> Get(const common::CallContext& call,
                                         const v1::GetServiceRequestRequest& req);
  absl::StatusOr<v1::ListServiceRequestsResponse> List(const common::CallContext& call,
                                                       const v1::ListServiceRequestsRequest& req);
  absl::StatusOr<v1::ServiceRequest> Assign(const common::CallContext& call,
                                            const v1::AssignVolunteerRequest& req);
  absl::StatusOr<v1::VolunteerView> Start(const common::CallContext& call,
                                          const v1::StartServiceRequestRequest& req);
  absl::StatusOr<v1::VolunteerView> Deliver(const common::CallContext& call,
                                            const v1::MarkDeliveredRequest& req);
  absl::StatusOr<v1::ServiceRequest> Confirm(const common::CallContext& call,
                                             const v1::ConfirmDeliveryRequest& req);
  absl::StatusOr<v1::ServiceRequest> Cancel(const common::CallContext& call,
                                            const v1::CancelServiceRequestRequest& req);
  absl::StatusOr<v1::ListAssignmentsResponse> ListAssignments(
      const common::CallContext& call, const v1::ListAssignmentsRequest& req);
  absl::StatusOr<v1::VolunteerView> GetAssignment(const common::CallContext& call,
                                                  const v1::GetAssignmentRequest& req);

  // Who may act on a request in a given method.
  enum Party { kMember = 1, kStaff = 2, kVolunteer = 4 };

 private:
  // How the caller relates to `request`, among the parties `allowed` (a Party mask);
  // 0 when none.
  absl::StatusOr<int> AccessOf(const common::CallContext& call, const v1::ServiceRequest& request,
                               int allowed);
  // The request if the caller may see it as one of `allowed`, else NOT_FOUND.
  absl::StatusOr<v1::ServiceRequest> Visible(const common::CallContext& call,
                                             const std::string& request_id, int allowed,
                                             int* access);
  // Moves a request the caller may act on (as one of `allowed`) to `to`, after `apply`
  // sets the fields of the change.
  absl::StatusOr<v1::ServiceRequest> Move(const common::CallContext& call,
                                          const std::string& request_id, int allowed,
                                          v1::ServiceRequestStatus to,
                                          const std::function<void(v1::ServiceRequest&)>& apply);

  ServiceRequestStore& store_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUESTS_H_
