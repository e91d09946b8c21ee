#include "services/quarantine/violations.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/rpc.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

// Sets the timestamp field only when the step happened: mutable_*() alone would make an
// unreached step look done (has_confirm_time()).
template <typename Mutable>
void SetTime(const std::optional<int64_t>& micros, Mutable mutable_field) {
  if (micros) *mutable_field() = TimeUtil::MicrosecondsToTimestamp(*micros);
}

absl::Status RequireKnownKind(absl::string_view field, int kind, bool required) {
  if (kind == v1::VIOLATION_KIND_UNSPECIFIED && !required) return absl::OkStatus();
  if (kind == v1::VIOLATION_KIND_UNSPECIFIED || !v1::ViolationKind_IsValid(kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     " must be CONCEALMENT, FALSE_REPORT, LEAVING_ISOLATION or "
                     "REFUSING_REGISTRATION"));
  }
  return absl::OkStatus();
}

// What a caller is told of a violation that is absent or outside their scope (the same
// words for both: common::VisibleOrNotFound).
constexpr char kViolationNotFound[] = "no violation with this violation_id in your area scope";

}  // namespace

absl::Status ValidateNewViolation(const v1::RecordViolationRequest& req) {
  if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
  if (!req.area_code().empty()) {
    if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  }
  if (auto s = RequireKnownKind("kind", req.kind(), /*required=*/true); !s.ok()) return s;
  return common::RequireText("description", req.description(), kMaxViolationDescriptionChars);
}

absl::Status CheckViolationStep(ViolationStep step, const ViolationRow& row) {
  if (row.status == kViolationClosed) {
    return absl::FailedPreconditionError("this violation is closed; a closed violation is final");
  }
  switch (step) {
    case ViolationStep::kConfirm:
      if (row.status != kViolationReported) {
        return absl::FailedPreconditionError("this violation is already confirmed");
      }
      break;
    case ViolationStep::kSetOutcome:
      if (row.status != kViolationConfirmed) {
        return absl::FailedPreconditionError(
            "this violation is only reported; confirm it before deciding an outcome");
      }
      break;
    case ViolationStep::kClose:
      if (row.status == kViolationConfirmed && row.outcome == v1::VIOLATION_OUTCOME_UNSPECIFIED) {
        return absl::FailedPreconditionError(
            "this confirmed violation has no outcome yet; set one (SetViolationOutcome) before "
            "closing it");
      }
      break;
  }
  return absl::OkStatus();
}

v1::Violation ViolationToProto(const ViolationRow& row) {
  v1::Violation out;
  out.set_violation_id(row.violation_id);
  out.set_resident_id(row.resident_id);
  out.set_area_code(row.area_code);
  out.set_kind(static_cast<v1::ViolationKind>(row.kind));
  out.set_status(static_cast<v1::ViolationStatus>(row.status));
  out.set_outcome(static_cast<v1::ViolationOutcome>(row.outcome));
  out.set_description(row.description);
  out.set_recorded_by(row.recorded_by);
  *out.mutable_record_time() = TimeUtil::MicrosecondsToTimestamp(row.recorded_at_micros);
  out.set_confirmed_by(row.confirmed_by);
  SetTime(row.confirmed_at_micros, [&out] { return out.mutable_confirm_time(); });
  out.set_outcome_by(row.outcome_by);
  SetTime(row.outcome_at_micros, [&out] { return out.mutable_outcome_time(); });
  out.set_outcome_note(row.outcome_note);
  out.set_closed_by(row.closed_by);
  SetTime(row.closed_at_micros, [&out] { return out.mutable_close_time(); });
  out.set_close_note(row.close_note);
  out.set_source_event_id(row.source_event_id);
  return out;
}

absl::StatusOr<v1::Violation> Violations::Record(const common::CallContext& call,
                                                 const v1::RecordViolationRequest& req) {
  if (auto s = ValidateNewViolation(req); !s.ok()) return s;
  // The violation belongs to the resident's registered area, asked of identity before the
  // transaction so no connection is held while waiting for it.
  absl::StatusOr<std::string> area = ResidentRecordArea(
      residents_, call, "resident_id", req.resident_id(), "area_code", req.area_code());
  if (!area.ok()) return area.status();
  const absl::Time now = clock_();
  ViolationRow row;
  row.resident_id = req.resident_id();
  row.area_code = *std::move(area);
  row.kind = req.kind();
  row.description = req.description();
  row.recorded_by = call.principal.subject;
  ViolationRow stored;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<ViolationRow> inserted = store_.Insert(tx, row, req.confirmed(), now);
    if (!inserted.ok()) return inserted.status();
    stored = *std::move(inserted);
    absl::StatusOr<std::vector<PassChange>> ch = colours_.Recompute(tx, {stored.resident_id}, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  return ViolationToProto(stored);
}

absl::StatusOr<v1::Violation> Violations::Step(
    const common::CallContext& call, const std::string& violation_id, ViolationStep step,
    bool recompute,
    const std::function<absl::StatusOr<ViolationRow>(common::PgConn&, absl::Time)>& change) {
  if (auto s = common::RequireUuid("violation_id", violation_id); !s.ok()) return s;
  const absl::Time now = clock_();
  ViolationRow changed;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<ViolationRow> row = common::VisibleOrNotFound(
        call, store_.Get(tx, violation_id, /*lock=*/true), kViolationNotFound);
    if (!row.ok()) return row.status();
    if (auto st = CheckViolationStep(step, *row); !st.ok()) return st;
    absl::StatusOr<ViolationRow> after = change(tx, now);
    if (!after.ok()) return after.status();
    changed = *std::move(after);
    if (!recompute) return absl::OkStatus();
    absl::StatusOr<std::vector<PassChange>> ch = colours_.Recompute(tx, {changed.resident_id}, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (recompute) colours_.Published(changes);
  return ViolationToProto(changed);
}

absl::StatusOr<v1::Violation> Violations::Confirm(const common::CallContext& call,
                                                  const v1::ConfirmViolationRequest& req) {
  return Step(call, req.violation_id(), ViolationStep::kConfirm, /*recompute=*/true,
              [&](common::PgConn& tx, absl::Time now) {
                return store_.Confirm(tx, req.violation_id(), call.principal.subject, now);
              });
}

absl::StatusOr<v1::Violation> Violations::SetOutcome(const common::CallContext& call,
                                                     const v1::SetViolationOutcomeRequest& req) {
  if (auto s = common::RequireUuid("violation_id", req.violation_id()); !s.ok()) return s;
  if (req.outcome() == v1::VIOLATION_OUTCOME_UNSPECIFIED ||
      !v1::ViolationOutcome_IsValid(req.outcome())) {
    return absl::InvalidArgumentError("outcome must be EDUCATION, WARNING or DETENTION_REFERRAL");
  }
  if (auto s = common::RequireText("note", req.note(), kMaxViolationNoteChars, /*required=*/false);
      !s.ok()) {
    return s;
  }
  // The outcome does not change the colour: only confirming and closing do.
  return Step(call, req.violation_id(), ViolationStep::kSetOutcome, /*recompute=*/false,
              [&](common::PgConn& tx, absl::Time now) {
                return store_.SetOutcome(tx, req.violation_id(), req.outcome(), req.note(),
                                         call.principal.subject, now);
              });
}

absl::StatusOr<v1::Violation> Violations::Close(const common::CallContext& call,
                                                const v1::CloseViolationRequest& req) {
  if (auto s = common::RequireUuid("violation_id", req.violation_id()); !s.ok()) return s;
  if (auto s = common::RequireText("note", req.note(), kMaxViolationNoteChars); !s.ok()) return s;
  return Step(call, req.violation_id(), ViolationStep::kClose, /*recompute=*/true,
              [&](common::PgConn& tx, absl::Time now) {
                return store_.Close(tx, req.violation_id(), req.note(), call.principal.subject,
                                    now);
              });
}

absl::StatusOr<v1::Violation> Violations::Get(const common::CallContext& call,
                                              const v1::GetViolationRequest& req) {
  if (auto s = common::RequireUuid("violation_id", req.violation_id()); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<ViolationRow> row = common::VisibleOrNotFound(
      call, store_.Get(*conn, req.violation_id(), /*lock=*/false), kViolationNotFound);
  if (!row.ok()) return row.status();
  return ViolationToProto(*row);
}

absl::StatusOr<v1::ListViolationsResponse> Violations::List(const common::CallContext& call,
                                                            const v1::ListViolationsRequest& req) {
  ViolationQuery query;
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", req.area_code());
  if (!areas.ok()) return areas.status();
  query.areas = *std::move(areas);
  if (auto s = RequireKnownKind("kind", req.kind(), /*required=*/false); !s.ok()) return s;
  query.kind = req.kind();
  if (!v1::ViolationStatus_IsValid(req.status())) {
    return absl::InvalidArgumentError("status must be REPORTED, CONFIRMED or CLOSED (or unset)");
  }
  query.status = req.status();
  if (!req.resident_id().empty()) {
    if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
    query.resident_id = req.resident_id();
  }
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultViolationPageSize, kMaxViolationPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  query.after = *std::move(after);
  query.limit = *page_size + 1;

  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<ViolationRow>> rows = store_.List(*conn, query);
  if (!rows.ok()) return rows.status();
  v1::ListViolationsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const ViolationRow& last) {
        return common::EncodeTimeIdPageToken(last.recorded_at_micros, last.violation_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_violations() = ViolationToProto((*rows)[i]);
  return out;
}

}  // namespace fangxian::quarantine
