// gRPC glue of RosterService: one authorisation rule per method and the hand-off of each
// call to the roster logic on the worker pool.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ROSTER_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ROSTER_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/checkpoint/v1/roster.grpc.pb.h"
#include "services/checkpoint/roster.h"

namespace fangxian::checkpoint {

class RosterService final : public v1::RosterService::CallbackService {
 public:
  RosterService(common::RpcRuntime& runtime, Roster& roster) : runtime_(runtime), roster_(roster) {}

  grpc::ServerUnaryReactor* SetLeadingCadre(grpc::CallbackServerContext* ctx,
                                            const v1::SetLeadingCadreRequest* request,
                                            v1::LeadingCadre* response) override;
  grpc::ServerUnaryReactor* AssignPost(grpc::CallbackServerContext* ctx,
                                       const v1::AssignPostRequest* request,
                                       v1::PostAssignment* response) override;
  grpc::ServerUnaryReactor* UnassignPost(grpc::CallbackServerContext* ctx,
                                         const v1::UnassignPostRequest* request,
                                         v1::UnassignPostResponse* response) override;
  grpc::ServerUnaryReactor* GetRoster(grpc::CallbackServerContext* ctx,
                                      const v1::GetRosterRequest* request,
                                      v1::Roster* response) override;
  grpc::ServerUnaryReactor* ClockIn(grpc::CallbackServerContext* ctx,
                                    const v1::ClockInRequest* request,
                                    v1::PostAssignment* response) override;
  grpc::ServerUnaryReactor* ClockOut(grpc::CallbackServerContext* ctx,
                                     const v1::ClockOutRequest* request,
                                     v1::PostAssignment* response) override;
  grpc::ServerUnaryReactor* GetCoverage(grpc::CallbackServerContext* ctx,
                                        const v1::GetCoverageRequest* request,
                                        v1::Coverage* response) override;

 private:
  common::RpcRuntime& runtime_;
  Roster& roster_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ROSTER_SERVICE_H_
