// gRPC glue of HealthCheckInService: one authorisation rule per method and the hand-off
// of each call to the check-in logic on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/check_ins.grpc.pb.h"
#include "services/quarantine/check_ins.h"

namespace fangxian::quarantine {

class HealthCheckInService final : public v1::HealthCheckInService::CallbackService {
 public:
  HealthCheckInService(common::RpcRuntime& runtime, CheckIns& check_ins)
      : runtime_(runtime), check_ins_(check_ins) {}

  grpc::ServerUnaryReactor* RecordCheckIn(grpc::CallbackServerContext* ctx,
                                          const v1::RecordCheckInRequest* request,
                                          v1::CheckIn* response) override;
  grpc::ServerUnaryReactor* ListCheckIns(grpc::CallbackServerContext* ctx,
                                         const v1::ListCheckInsRequest* request,
                                         v1::ListCheckInsResponse* response) override;
  grpc::ServerUnaryReactor* ListNonReporting(grpc::CallbackServerContext* ctx,
                                             const v1::ListNonReportingRequest* request,
                                             v1::ListNonReportingResponse* response) override;
  grpc::ServerUnaryReactor* ListFollowUps(grpc::CallbackServerContext* ctx,
                                          const v1::ListFollowUpsRequest* request,
                                          v1::ListFollowUpsResponse* response) override;
  grpc::ServerUnaryReactor* ClearFollowUp(grpc::CallbackServerContext* ctx,
                                          const v1::ClearFollowUpRequest* request,
                                          v1::FollowUpFlag* response) override;

 private:
  common::RpcRuntime& runtime_;
  CheckIns& check_ins_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_SERVICE_H_
