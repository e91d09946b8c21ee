#include "services/checkpoint/checkpoints.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::checkpoint {
namespace {

v1::Checkpoint ToProto(const CheckpointRow& row) {
  v1::Checkpoint out;
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_name(row.name);
  out.set_kind(static_cast<v1::CheckpointKind>(row.kind));
  for (const std::string& area : row.area_codes) out.add_area_codes(area);
  out.set_location(row.location);
  out.set_open(row.open);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

}  // namespace

absl::Status ValidateNewCheckpoint(const v1::Checkpoint& in) {
  if (auto s = common::RequireText("checkpoint.name", in.name(), 100); !s.ok()) return s;
  if (in.kind() == v1::CHECKPOINT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("checkpoint.kind is required");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::CheckpointKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint.kind ", in.kind(), " is not a known CheckpointKind"));
  }
  if (auto s = common::RequireAreaPaths("checkpoint.area_codes", in.area_codes(),
                                        kMaxAreasPerCheckpoint);
      !s.ok()) {
    return s;
  }
  const bool consolidated = in.kind() == v1::CHECKPOINT_KIND_CONSOLIDATED;
  if (consolidated && in.area_codes_size() < 2) {
    return absl::InvalidArgumentError(
        "checkpoint.area_codes: a consolidated checkpoint covers at least two areas");
  }
  if (!consolidated && in.area_codes_size() != 1) {
    return absl::InvalidArgumentError(
        "checkpoint.area_codes: only a consolidated checkpoint may cover more than one area");
  }
  return common::RequireText("checkpoint.location", in.location(), 200, /*required=*/false);
}

absl::StatusOr<v1::Checkpoint> Checkpoints::Create(const common::CallContext& call,
                                                   const v1::Checkpoint& in) {
  if (auto s = ValidateNewCheckpoint(in); !s.ok()) return s;
  if (auto s = common::RequireScopeAll(call, "checkpoint.area_codes", in.area_codes());
      !s.ok()) {
    return s;
  }

  CheckpointRow row;
  row.name = in.name();
  row.kind = in.kind();
  row.location = in.location();
  row.area_codes.assign(in.area_codes().begin(), in.area_codes().end());
  row.created_by = call.principal.subject;
  absl::StatusOr<CheckpointRow> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::Checkpoint> Checkpoints::Get(const common::CallContext& call,
                                                const std::string& checkpoint_id) {
  if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
  absl::StatusOr<CheckpointRow> row = store_.Get(checkpoint_id);
  if (!row.ok()) return row.status();
  if (auto s = common::RequireScopeAny(call, "this checkpoint", row->area_codes);
      !s.ok()) {
    return s;
  }
  return ToProto(*row);
}

}  // namespace fangxian::checkpoint
