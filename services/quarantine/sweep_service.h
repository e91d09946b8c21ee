// gRPC glue of sweeps: the authorisation rule of each method and the hand-off of each
// call to Sweeps on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SWEEP_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_SWEEP_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/sweeps.grpc.pb.h"
#include "services/quarantine/sweeps.h"

namespace fangxian::quarantine {

class SweepService final : public v1::SweepService::CallbackService {
 public:
  SweepService(common::RpcRuntime& runtime, Sweeps& sweeps) : runtime_(runtime), sweeps_(sweeps) {}

  grpc::ServerUnaryReactor* CreateSweep(grpc::CallbackServerContext* ctx,
                                        const v1::CreateSweepRequest* request,
                                        v1::Sweep* response) override;
  grpc::ServerUnaryReactor* GetSweep(grpc::CallbackServerContext* ctx,
                                     const v1::GetSweepRequest* request,
                                     v1::Sweep* response) override;
  grpc::ServerUnaryReactor* ListSweeps(grpc::CallbackServerContext* ctx,
                                       const v1::ListSweepsRequest* request,
                                       v1::ListSweepsResponse* response) override;
  grpc::ServerUnaryReactor* StartRound(grpc::CallbackServerContext* ctx,
                                       const v1::StartRoundRequest* request,
                                       v1::Round* response) override;
  grpc::ServerUnaryReactor* RecordVisit(grpc::CallbackServerContext* ctx,
                                        const v1::RecordVisitRequest* request,
                                        v1::RecordVisitResponse* response) override;
  grpc::ServerUnaryReactor* RecordRegistration(grpc::CallbackServerContext* ctx,
                                               const v1::RecordRegistrationRequest* request,
                                               v1::Registration* response) override;
  grpc::ServerUnaryReactor* ListRevisitQueue(grpc::CallbackServerContext* ctx,
                                             const v1::ListRevisitQueueRequest* request,
                                             v1::ListRevisitQueueResponse* response) override;
  grpc::ServerUnaryReactor* GetCoverage(grpc::CallbackServerContext* ctx,
                                        const v1::GetCoverageRequest* request,
                                        v1::Coverage* response) override;

 private:
  common::RpcRuntime& runtime_;
  Sweeps& sweeps_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SWEEP_SERVICE_H_
