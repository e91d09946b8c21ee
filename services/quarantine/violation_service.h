// gRPC glue of ViolationService: one authorisation rule per method and the hand-off of
// each call to Violations on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_VIOLATION_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_VIOLATION_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/violations.grpc.pb.h"
#include "services/quarantine/violations.h"

namespace fangxian::quarantine {

class ViolationService final : public v1::ViolationService::CallbackService {
 public:
  ViolationService(common::RpcRuntime& runtime, Violations& violations)
      : runtime_(runtime), violations_(violations) {}

  grpc::ServerUnaryReactor* RecordViolation(grpc::CallbackServerContext* ctx,
                                            const v1::RecordViolationRequest* request,
                                            v1::Violation* response) override;
  grpc::ServerUnaryReactor* ConfirmViolation(grpc::CallbackServerContext* ctx,
                                             const v1::ConfirmViolationRequest* request,
                                             v1::Violation* response) override;
  grpc::ServerUnaryReactor* SetViolationOutcome(grpc::CallbackServerContext* ctx,
                                                const v1::SetViolationOutcomeRequest* request,
                                                v1::Violation* response) override;
  grpc::ServerUnaryReactor* CloseViolation(grpc::CallbackServerContext* ctx,
                                           const v1::CloseViolationRequest* request,
                                           v1::Violation* response) override;
  grpc::ServerUnaryReactor* GetViolation(grpc::CallbackServerContext* ctx,
                                         const v1::GetViolationRequest* request,
                                         v1::Violation* response) override;
  grpc::ServerUnaryReactor* ListViolations(grpc::CallbackServerContext* ctx,
                                           const v1::ListViolationsRequest* request,
                                           v1::ListViolationsResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  Violations& violations_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_VIOLATION_SERVICE_H_
