// gRPC glue of the quarantine service: authorisation rules per method and the hand-off of
// each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_QUARANTINE_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_QUARANTINE_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "services/quarantine/pass_status.h"
#include "services/quarantine/persons_of_interest.h"

namespace fangxian::quarantine {

class QuarantineService final : public v1::QuarantineService::CallbackService {
 public:
  QuarantineService(common::RpcRuntime& runtime, PersonsOfInterest& persons, PassStatuses& passes)
      : runtime_(runtime), persons_(persons), passes_(passes) {}

  grpc::ServerUnaryReactor* CreatePersonOfInterest(grpc::CallbackServerContext* ctx,
                                                   const v1::CreatePersonOfInterestRequest* request,
                                                   v1::PersonOfInterest* response) override;
  grpc::ServerUnaryReactor* GetPersonOfInterest(grpc::CallbackServerContext* ctx,
                                                const v1::GetPersonOfInterestRequest* request,
                                                v1::PersonOfInterest* response) override;
  grpc::ServerUnaryReactor* ListPersonsOfInterest(
      grpc::CallbackServerContext* ctx, const v1::ListPersonsOfInterestRequest* request,
      v1::ListPersonsOfInterestResponse* response) override;
  grpc::ServerUnaryReactor* AssignGridWorker(grpc::CallbackServerContext* ctx,
                                             const v1::AssignGridWorkerRequest* request,
                                             v1::PersonOfInterest* response) override;
  grpc::ServerUnaryReactor* SetRiskLevel(grpc::CallbackServerContext* ctx,
                                         const v1::SetRiskLevelRequest* request,
                                         v1::PersonOfInterest* response) override;
  grpc::ServerUnaryReactor* ClosePersonOfInterest(grpc::CallbackServerContext* ctx,
                                                  const v1::ClosePersonOfInterestRequest* request,
                                                  v1::PersonOfInterest* response) override;
  grpc::ServerUnaryReactor* GetPassStatus(grpc::CallbackServerContext* ctx,
                                          const v1::GetPassStatusRequest* request,
                                          v1::PassStatus* response) override;

 private:
  common::RpcRuntime& runtime_;
  PersonsOfInterest& persons_;
  PassStatuses& passes_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_QUARANTINE_SERVICE_H_
