#include "services/checkpoint/checkpoints.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::checkpoint {
namespace {

using google::protobuf::util::TimeUtil;

// The fields UpdateCheckpoint may change, in the order they are applied.
constexpr absl::string_view kUpdatableFields[] = {"name", "location", "work_plan"};

absl::Status ValidateName(const std::string& name) {
  return common::RequireText("checkpoint.name", name, 100);
}

absl::Status ValidateLocation(const std::string& location) {
  return common::RequireText("checkpoint.location", location, 200, /*required=*/false);
}

// Work plans are multi-line documents: line breaks and tabs are allowed, other control
// characters are not (RequireText refuses every control character).
absl::Status ValidateWorkPlan(const std::string& work_plan) {
  std::string flat = work_plan;
  std::replace_if(
      flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return common::RequireText("checkpoint.work_plan", flat, kMaxWorkPlanChars, /*required=*/false);
}

}  // namespace

absl::Status CheckpointNotFound() {
  return absl::NotFoundError("no checkpoint with this checkpoint_id");
}

v1::Checkpoint CheckpointToProto(const CheckpointRow& row) {
  v1::Checkpoint out;
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_name(row.name);
  out.set_kind(static_cast<v1::CheckpointKind>(row.kind));
  for (const std::string& area : row.area_codes) out.add_area_codes(area);
  out.set_location(row.location);
  out.set_open(row.open);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  out.set_work_plan(row.work_plan);
  out.set_closed_reason(row.closed_reason);
  *out.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row.updated_at_micros);
  for (int item = v1::KitItem_MIN + 1; item <= v1::KitItem_MAX; ++item) {
    v1::KitItemStatus* status = out.add_kit();
    status->set_item(static_cast<v1::KitItem>(item));
    auto checked = std::find_if(row.kit.begin(), row.kit.end(),
                                [item](const KitRow& k) { return k.item == item; });
    if (checked == row.kit.end()) continue;
    status->set_state(static_cast<v1::KitItemState>(checked->state));
    status->set_note(checked->note);
    *status->mutable_check_time() = TimeUtil::MicrosecondsToTimestamp(checked->checked_at_micros);
    status->set_checked_by(checked->checked_by);
  }
  return out;
}

absl::Status ValidateNewCheckpoint(const v1::Checkpoint& in) {
  if (auto s = ValidateName(in.name()); !s.ok()) return s;
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
  if (auto s = ValidateLocation(in.location()); !s.ok()) return s;
  return ValidateWorkPlan(in.work_plan());
}

absl::StatusOr<CheckpointChange> CheckCheckpointUpdate(const v1::UpdateCheckpointRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  const auto& paths = req.update_mask().paths();
  if (paths.empty()) {
    return absl::InvalidArgumentError(
        "update_mask must name at least one of name, location, work_plan");
  }
  for (const std::string& path : paths) {
    if (path == "open" || path == "closed_reason") {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: \"", path, "\" changes with SetCheckpointOpen"));
    }
    if (std::find(std::begin(kUpdatableFields), std::end(kUpdatableFields), path) ==
        std::end(kUpdatableFields)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: \"", path, "\" cannot be changed; allowed: name, location, work_plan"));
    }
  }
  auto named = [&](absl::string_view field) {
    return std::find(paths.begin(), paths.end(), field) != paths.end();
  };
  const v1::Checkpoint& in = req.checkpoint();
  CheckpointChange change;
  if (named("name")) {
    if (auto s = ValidateName(in.name()); !s.ok()) return s;
    change.name = in.name();
  }
  if (named("location")) {
    if (auto s = ValidateLocation(in.location()); !s.ok()) return s;
    change.location = in.location();
  }
  if (named("work_plan")) {
    if (auto s = ValidateWorkPlan(in.work_plan()); !s.ok()) return s;
    change.work_plan = in.work_plan();
  }
  return change;
}

absl::Status ValidateOpenChange(const v1::SetCheckpointOpenRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  if (req.open()) {
    if (!req.reason().empty()) {
      return absl::InvalidArgumentError(
          "reason is for closing; leave it empty when opening a checkpoint");
    }
    return absl::OkStatus();
  }
  if (req.reason().empty()) {
    return absl::InvalidArgumentError("reason is required when closing a checkpoint");
  }
  return common::RequireText("reason", req.reason(), 500);
}

absl::Status ValidateKitCheck(const v1::CheckKitItemRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  if (req.item() == v1::KIT_ITEM_UNSPECIFIED || !v1::KitItem_IsValid(req.item())) {
    return absl::InvalidArgumentError(
        absl::StrCat("item must be one of the nine KitItem values (1 to 9), got ", req.item()));
  }
  if (req.state() == v1::KIT_ITEM_STATE_UNSPECIFIED || !v1::KitItemState_IsValid(req.state())) {
    return absl::InvalidArgumentError(
        absl::StrCat("state must be PRESENT, MISSING or DAMAGED (1 to 3), got ", req.state()));
  }
  return common::RequireText("note", req.note(), 200, /*required=*/false);
}

absl::StatusOr<v1::Checkpoint> Checkpoints::Create(const common::CallContext& call,
                                                   const v1::Checkpoint& in) {
  if (auto s = ValidateNewCheckpoint(in); !s.ok()) return s;
  if (auto s = common::RequireScopeAll(call, "checkpoint.area_codes", in.area_codes()); !s.ok()) {
    return s;
  }

  CheckpointRow row;
  row.name = in.name();
  row.kind = in.kind();
  row.location = in.location();
  row.work_plan = in.work_plan();
  row.area_codes.assign(in.area_codes().begin(), in.area_codes().end());
  row.created_by = call.principal.subject;
  absl::StatusOr<CheckpointRow> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return CheckpointToProto(*stored);
}

absl::StatusOr<CheckpointRow> Checkpoints::Visible(const common::CallContext& call,
                                                   const std::string& checkpoint_id) {
  if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
  absl::StatusOr<CheckpointRow> row = store_.Get(checkpoint_id);
  if (absl::IsNotFound(row.status())) return CheckpointNotFound();
  if (!row.ok()) return row.status();
  // Outside the scope reads as absent: the caller learns nothing about other areas.
  if (!common::RequireScopeAny(call, "this checkpoint", row->area_codes).ok()) {
    return CheckpointNotFound();
  }
  return row;
}

absl::StatusOr<CheckpointRow> Checkpoints::Administered(const common::CallContext& call,
                                                        const std::string& checkpoint_id) {
  absl::StatusOr<CheckpointRow> row = Visible(call, checkpoint_id);
  if (!row.ok()) return row.status();
  if (auto s = common::RequireScopeAll(call, "checkpoint.area_codes", row->area_codes); !s.ok()) {
    return s;
  }
  return row;
}

absl::StatusOr<v1::Checkpoint> Checkpoints::Get(const common::CallContext& call,
                                                const std::string& checkpoint_id) {
  absl::StatusOr<CheckpointRow> row = Visible(call, checkpoint_id);
  if (!row.ok()) return row.status();
  return CheckpointToProto(*row);
}

absl::StatusOr<v1::ListCheckpointsResponse> Checkpoints::List(
    const common::CallContext& call, const v1::ListCheckpointsRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultCheckpointPageSize, kMaxCheckpointPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = common::DecodePageToken(req.page_token(), common::IsUuid);
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  CheckpointQuery query;
  query.area_code = req.area_code();
  query.after_checkpoint_id = *after;
  query.include_closed = req.include_closed();
  query.limit = *page_size + 1;  // one more tells whether another page follows
  absl::StatusOr<std::vector<CheckpointRow>> rows = store_.List(query);
  if (!rows.ok()) return rows.status();
  v1::ListCheckpointsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const CheckpointRow& last) { return common::EncodePageToken(last.checkpoint_id); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_checkpoints() = CheckpointToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::Checkpoint> Checkpoints::Update(const common::CallContext& call,
                                                   const v1::UpdateCheckpointRequest& req) {
  absl::StatusOr<CheckpointChange> change = CheckCheckpointUpdate(req);
  if (!change.ok()) return change.status();
  if (auto row = Administered(call, req.checkpoint_id()); !row.ok()) return row.status();
  absl::StatusOr<CheckpointRow> stored = store_.Update(req.checkpoint_id(), *change);
  if (!stored.ok()) return stored.status();
  return CheckpointToProto(*stored);
}

absl::StatusOr<v1::Checkpoint> Checkpoints::SetOpen(const common::CallContext& call,
                                                    const v1::SetCheckpointOpenRequest& req) {
  if (auto s = ValidateOpenChange(req); !s.ok()) return s;
  if (auto row = Administered(call, req.checkpoint_id()); !row.ok()) return row.status();
  absl::StatusOr<CheckpointRow> stored =
      store_.SetOpen(req.checkpoint_id(), req.open(), req.open() ? "" : req.reason());
  if (!stored.ok()) return stored.status();
  return CheckpointToProto(*stored);
}

absl::StatusOr<v1::Checkpoint> Checkpoints::CheckKitItem(const common::CallContext& call,
                                                         const v1::CheckKitItemRequest& req) {
  if (auto s = ValidateKitCheck(req); !s.ok()) return s;
  if (auto row = Administered(call, req.checkpoint_id()); !row.ok()) return row.status();
  KitRow kit;
  kit.item = req.item();
  kit.state = req.state();
  kit.note = req.note();
  kit.checked_by = call.principal.subject;
  absl::StatusOr<CheckpointRow> stored = store_.CheckKitItem(req.checkpoint_id(), kit);
  if (!stored.ok()) return stored.status();
  return CheckpointToProto(*stored);
}

}  // namespace fangxian::checkpoint
