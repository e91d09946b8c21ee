// Checkpoints as the checkpoint service knows them (CheckpointService/GetCheckpoint), read
// with the caller's token: a loudspeaker schedule or a material placed at a checkpoint
// belongs to the areas that checkpoint covers, never to an area the caller names.
// Blocking: call from worker threads, outside any database transaction.
#ifndef FANGXIAN_SERVICES_PUBLICITY_CHECKPOINT_DIRECTORY_H_
#define FANGXIAN_SERVICES_PUBLICITY_CHECKPOINT_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"

namespace fangxian::publicity {

class CheckpointDirectory {
 public:
  virtual ~CheckpointDirectory() = default;
  // The areas the checkpoint covers (at least one). NOT_FOUND naming `field` when the
  // checkpoint service knows no such checkpoint in the caller's scope; its other failures
  // as common::UpstreamFailure makes them.
  virtual absl::StatusOr<std::vector<std::string>> AreasOf(const common::CallContext& call,
                                                           absl::string_view field,
                                                           const std::string& checkpoint_id) = 0;
};

// The one that ships: CheckpointService/GetCheckpoint over gRPC, one call each time (a
// checkpoint the caller may not see must stay invisible, so nothing is remembered across
// callers). `max_wait` caps each call below the caller's own deadline
// (FX_PUBLICITY_UPSTREAM_TIMEOUT_MS).
class CheckpointClient final : public CheckpointDirectory {
 public:
  CheckpointClient(std::shared_ptr<grpc::Channel> checkpoint, absl::Duration max_wait)
      : stub_(checkpoint::v1::CheckpointService::NewStub(std::move(checkpoint))),
        max_wait_(max_wait) {}

  absl::StatusOr<std::vector<std::string>> AreasOf(const common::CallContext& call,
                                                   absl::string_view field,
                                                   const std::string& checkpoint_id) override;

 private:
  std::unique_ptr<checkpoint::v1::CheckpointService::Stub> stub_;
  const absl::Duration max_wait_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CHECKPOINT_DIRECTORY_H_
