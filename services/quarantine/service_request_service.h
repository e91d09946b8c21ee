// gRPC glue of ServiceRequestService ("love knocking"): one authorisation rule per method
// and the hand-off of each call to the service request logic on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/service_requests.grpc.pb.h"
#include "services/quarantine/service_requests.h"

namespace fangxian::quarantine {

class ServiceRequestService final : public v1::ServiceRequestService::CallbackService {
 public:
  ServiceRequestService(common::RpcRuntime& runtime, ServiceRequests& requests)
      : runtime_(runtime), requests_(requests) {}

  grpc::ServerUnaryReactor* CreateServiceRequest(grpc::CallbackServerContext* ctx,
                                                 const v1::CreateServiceRequestRequest* request,
                                                 v1::ServiceRequest* response) override;
  grpc::ServerUnaryReactor* GetServiceRequest(grpc::CallbackServerContext* ctx,
                                              const v1::GetServiceRequestRequest* request,
                                              v1::ServiceRequest* response) override;
  grpc::ServerUnaryReactor* ListServiceRequests(grpc::CallbackServerContext* ctx,
                                                const v1::ListServiceRequestsRequest* request,
                                                v1::ListServiceRequestsResponse* response) override;
  grpc::ServerUnaryReactor* AssignVolunteer(grpc::CallbackServerContext* ctx,
                                            const v1::AssignVolunteerRequest* request,
                                            v1::ServiceRequest* response) override;
  grpc::ServerUnaryReactor* StartServiceRequest(grpc::CallbackServerContext* ctx,
                                                const v1::StartServiceRequestRequest* request,
                                                v1::VolunteerView* response) override;
  grpc::ServerUnaryReactor* MarkDelivered(grpc::CallbackServerContext* ctx,
                                          const v1::MarkDeliveredRequest* request,
                                          v1::VolunteerView* response) override;
  grpc::ServerUnaryReactor* ConfirmDelivery(grpc::CallbackServerContext* ctx,
                                            const v1::ConfirmDeliveryRequest* request,
                                            v1::ServiceRequest* response) override;
  grpc::ServerUnaryReactor* CancelServiceRequest(grpc::CallbackServerContext* ctx,
                                                 const v1::CancelServiceRequestRequest* request,
                                                 v1::ServiceRequest* response) override;
  grpc::ServerUnaryReactor* ListAssignments(grpc::CallbackServerContext* ctx,
                                            const v1::ListAssignmentsRequest* request,
                                            v1::ListAssignmentsResponse* response) override;
  grpc::ServerUnaryReactor* GetAssignment(grpc::CallbackServerContext* ctx,
                                          const v1::GetAssignmentRequest* request,
                                          v1::VolunteerView* response) override;

 private:
  common::RpcRuntime& runtime_;
  ServiceRequests& requests_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SERVICE_REQUEST_SERVICE_H_
