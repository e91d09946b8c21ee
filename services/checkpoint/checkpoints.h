// Checkpoint set-up and lookup: the business rules, independent of gRPC. Takes plain
// values and the caller's identity.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/checkpoint.pb.h"
#include "services/checkpoint/checkpoint_store.h"

namespace fangxian::checkpoint {

// Most areas one checkpoint may cover.
inline constexpr size_t kMaxAreasPerCheckpoint = 100;

// The input rules of CreateCheckpoint that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. Output-only fields are ignored.
absl::Status ValidateNewCheckpoint(const v1::Checkpoint& in);

class Checkpoints {
 public:
  explicit Checkpoints(CheckpointStore& store) : store_(store) {}

  // The caller's scope must cover every area of the new checkpoint.
  absl::StatusOr<v1::Checkpoint> Create(const common::CallContext& call, const v1::Checkpoint& in);
  // The caller's scope must cover at least one area of the checkpoint.
  absl::StatusOr<v1::Checkpoint> Get(const common::CallContext& call,
                                     const std::string& checkpoint_id);

 private:
  CheckpointStore& store_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_
