// gRPC glue of InspectionService: one authorisation rule per method and the hand-off of
// each call to the inspection logic on the worker pool.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/checkpoint/v1/inspections.grpc.pb.h"
#include "services/checkpoint/inspections.h"

namespace fangxian::checkpoint {

class InspectionService final : public v1::InspectionService::CallbackService {
 public:
  InspectionService(common::RpcRuntime& runtime, Inspections& inspections)
      : runtime_(runtime), inspections_(inspections) {}

  grpc::ServerUnaryReactor* RecordInspection(grpc::CallbackServerContext* ctx,
                                             const v1::RecordInspectionRequest* request,
                                             v1::Inspection* response) override;
  grpc::ServerUnaryReactor* ListInspections(grpc::CallbackServerContext* ctx,
                                            const v1::ListInspectionsRequest* request,
                                            v1::ListInspectionsResponse* response) override;
  grpc::ServerUnaryReactor* RankCheckpoints(grpc::CallbackServerContext* ctx,
                                            const v1::RankCheckpointsRequest* request,
                                            v1::RankCheckpointsResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  Inspections& inspections_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_SERVICE_H_
