// Checkpoint set-up and lookup: the business rules, independent of gRPC. Takes plain
// values and the caller's identity.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/checkpoint.pb.h"
#include "services/checkpoint/checkpoint_store.h"

namespace fangxian::checkpoint {

// Most areas one checkpoint may cover.
inline constexpr size_t kMaxAreasPerCheckpoint = 100;
// Longest work plan, in characters.
inline constexpr size_t kMaxWorkPlanChars = 20000;
// ListCheckpoints page sizes: 0 asks for the default.
inline constexpr int kDefaultCheckpointPageSize = 100;
inline constexpr int kMaxCheckpointPageSize = 500;

// The input rules of CreateCheckpoint that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. Output-only fields are ignored.
absl::Status ValidateNewCheckpoint(const v1::Checkpoint& in);

// The fields an UpdateCheckpoint request changes, validated: INVALID_ARGUMENT for a bad
// checkpoint_id, an empty mask, a field that cannot change or a malformed value.
absl::StatusOr<CheckpointChange> CheckCheckpointUpdate(const v1::UpdateCheckpointRequest& req);

// INVALID_ARGUMENT unless closing comes with a reason (1..500 characters) and opening
// without one.
absl::Status ValidateOpenChange(const v1::SetCheckpointOpenRequest& req);

// INVALID_ARGUMENT unless item and state are known and not UNSPECIFIED and the note is at
// most 200 characters.
absl::Status ValidateKitCheck(const v1::CheckKitItemRequest& req);

// The API form of a stored checkpoint: all nine kit items, unchecked ones UNSPECIFIED.
v1::Checkpoint CheckpointToProto(const CheckpointRow& row);

class Checkpoints {
 public:
  explicit Checkpoints(CheckpointStore& store) : store_(store) {}

  // The caller's scope must cover every area of the new checkpoint.
  absl::StatusOr<v1::Checkpoint> Create(const common::CallContext& call, const v1::Checkpoint& in);
  // The caller's scope must cover at least one area of the checkpoint.
  absl::StatusOr<v1::Checkpoint> Get(const common::CallContext& call,
                                     const std::string& checkpoint_id);
  absl::StatusOr<v1::ListCheckpointsResponse> List(const common::CallContext& call,
                                                   const v1::ListCheckpointsRequest& req);
  // Changes to the set-up need a scope covering every area of the checkpoint.
  absl::StatusOr<v1::Checkpoint> Update(const common::CallContext& call,
                                        const v1::UpdateCheckpointRequest& req);
  absl::StatusOr<v1::Checkpoint> SetOpen(const common::CallContext& call,
                                         const v1::SetCheckpointOpenRequest& req);
  // Kit checks are work at the checkpoint: a scope covering one of its areas is enough.
  absl::StatusOr<v1::Checkpoint> CheckKitItem(const common::CallContext& call,
                                              const v1::CheckKitItemRequest& req);

  // The stored checkpoint when the caller's scope covers at least one of its areas
  // (INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED otherwise). For the roster and
  // inspections, whose records belong to a checkpoint.
  absl::StatusOr<CheckpointRow> Visible(const common::CallContext& call,
                                        const std::string& checkpoint_id);

 private:
  // The stored checkpoint when the caller's scope covers every one of its areas.
  absl::StatusOr<CheckpointRow> Administered(const common::CallContext& call,
                                             const std::string& checkpoint_id);

  CheckpointStore& store_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_
