// gRPC glue of the passage log: one AuthRule per method. RecordPassage is deferred: when
// everything it needs is in memory the gRPC thread hands the record to the group
// committer directly (Passages::TryRecordFast); otherwise a worker runs the lookups and
// returns. Either way the group committer finishes the call after COMMIT, so no thread
// waits for the database.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/checkpoint/v1/passages.grpc.pb.h"
#include "services/checkpoint/passages.h"

namespace fangxian::checkpoint {

class PassageService final : public v1::PassageService::CallbackService {
 public:
  PassageService(common::RpcRuntime& runtime, Passages& passages)
      : runtime_(runtime), passages_(passages) {}

  grpc::ServerUnaryReactor* RecordPassage(grpc::CallbackServerContext* ctx,
                                          const v1::RecordPassageRequest* request,
                                          v1::Passage* response) override;
  grpc::ServerUnaryReactor* GetPassage(grpc::CallbackServerContext* ctx,
                                       const v1::GetPassageRequest* request,
                                       v1::Passage* response) override;
  grpc::ServerUnaryReactor* ListPassages(grpc::CallbackServerContext* ctx,
                                         const v1::ListPassagesRequest* request,
                                         v1::ListPassagesResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  Passages& passages_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_SERVICE_H_
