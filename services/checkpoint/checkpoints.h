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

// NOT_FOUND for a checkpoint that does not exist or lies wholly outside the caller's
// scope: the same answer for both, so a caller learns nothing about other areas.
absl::Status CheckpointNotFound();

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
  // Changes to the set-up, the kit and the roster need a scope covering every area of
  // the checkpoint (a consolidated checkpoint's areas alike): see Administered.
  absl::StatusOr<v1::Checkpoint> Update(const common::CallContext& call,
                                        const v1::UpdateCheckpointRequest& req);
  absl::StatusOr<v1::Checkpoint> SetOpen(const common::CallContext& call,
                                         const v1::SetCheckpointOpenRequest& req);
  absl::StatusOr<v1::Checkpoint> CheckKitItem(const common::CallContext& call,
                                              const v1::CheckKitItemRequest& req);

  // The stored checkpoint when the caller's scope covers at least one of its areas, for
  // reads (and work at the checkpoint, such as clocking in): INVALID_ARGUMENT for a
  // malformed id; CheckpointNotFound() when it is missing or wholly outside the scope.
  absl::StatusOr<CheckpointRow> Visible(const common::CallContext& call,
                                        const std::string& checkpoint_id);

  // The stored checkpoint when the caller's scope covers every one of its areas, for
  // writes that change it (set-up, kit, roster): a write to a consolidated checkpoint
  // spans all its compounds, so one compound's admin may not make it alone. As Visible,
  // plus PERMISSION_DENIED when the scope covers some of its areas but not all.
  absl::StatusOr<CheckpointRow> Administered(const common::CallContext& call,
                                             const std::string& checkpoint_id);

  CheckpointStore& store_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINTS_H_
