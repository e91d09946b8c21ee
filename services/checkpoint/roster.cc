#include "services/checkpoint/roster.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "common/upstream.h"

namespace fangxian::checkpoint {
namespace {

using google::protobuf::util::TimeUtil;

// Longest wait for identity within a call (the caller's deadline still applies).
constexpr auto kIdentityTimeout = std::chrono::seconds(2);

v1::ShiftTimes ShiftTimesOf(const ShiftPattern::Slot& slot) {
  v1::ShiftTimes out;
  out.set_shift(slot.shift);
  *out.mutable_start_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(slot.start));
  *out.mutable_end_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(slot.end));
  return out;
}

v1::LeadingCadre CadreToProto(const CadreRow& row) {
  v1::LeadingCadre out;
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_date(common::IsoDate(row.date));
  out.set_account_id(row.account_id);
  out.set_assigned_by(row.assigned_by);
  *out.mutable_assign_time() = TimeUtil::MicrosecondsToTimestamp(row.assigned_at_micros);
  return out;
}

std::string PostName(int post) {
  return v1::Post_IsValid(post) ? v1::Post_Name(static_cast<v1::Post>(post)) : absl::StrCat(post);
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseRosterDate(absl::string_view field, absl::string_view date,
                                               absl::CivilDay today) {
  absl::CivilDay day;
  if (!common::ParseIsoDate(date, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be a real day as YYYY-MM-DD"));
  }
  if (day < today - 1 || day > today + kRosterDaysAhead) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be from yesterday (", common::IsoDate(today - 1), ") to ", kRosterDaysAhead,
        " days ahead (", common::IsoDate(today + kRosterDaysAhead), "), China time"));
  }
  return day;
}

absl::Status ValidateShift(int shift, const ShiftPattern& shifts) {
  if (shift < 1 || shift > shifts.count()) {
    return absl::InvalidArgumentError(
        absl::StrCat("shift must be from 1 to ", shifts.count(), ", got ", shift));
  }
  return absl::OkStatus();
}

absl::Status ValidatePost(int post) {
  if (post == v1::POST_UNSPECIFIED || !v1::Post_IsValid(post)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "post must be TEMPERATURE_MONITOR, CODE_VERIFIER, ORDER_KEEPER or INFO_REGISTRAR "
        "(1 to 4), got ",
        post));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> JudgeAssignment(const AssignmentRow& wanted,
                                     const std::optional<AssignmentRow>& holder,
                                     const std::optional<AssignmentRow>& persons) {
  if (holder && holder->account_id == wanted.account_id) return false;  // already in place
  if (persons) {
    const bool here = persons->checkpoint_id == wanted.checkpoint_id;
    return absl::AlreadyExistsError(
        absl::StrCat("account_id already holds a post in this shift (",
                     here ? absl::StrCat(PostName(persons->post), " at this checkpoint")
                          : std::string("at another checkpoint"),
                     "); one person holds one post at a time: unassign it there first"));
  }
  if (holder && holder->clock_in_micros) {
    return absl::FailedPreconditionError(
        "the current holder of this post has clocked in and cannot be replaced; they "
        "clock out, and the post is assigned for the next shift");
  }
  return true;
}

absl::Status JudgeUnassignment(const AssignmentRow& current) {
  if (current.clock_in_micros) {
    return absl::FailedPreconditionError(
        "the holder of this post has clocked in; the record of their duty is kept");
  }
  return absl::OkStatus();
}

absl::Status ApplyClockIn(AssignmentRow& row, absl::Time now) {
  if (row.clock_out_micros) {
    return absl::FailedPreconditionError(
        "you have already clocked out of this shift; ask the shift leader to assign the "
        "post again");
  }
  if (!row.clock_in_micros) row.clock_in_micros = absl::ToUnixMicros(now);
  return absl::OkStatus();
}

absl::Status ApplyClockOut(AssignmentRow& row, absl::Time now) {
  if (!row.clock_in_micros) {
    return absl::FailedPreconditionError("you have not clocked in to this shift; clock in first");
  }
  if (!row.clock_out_micros) {
    // Never before the clock-in (the schema refuses it): a clock that stepped back.
    row.clock_out_micros = std::max(*row.clock_in_micros, absl::ToUnixMicros(now));
  }
  return absl::OkStatus();
}

v1::PostState PostStateOf(const AssignmentRow* assignment) {
  if (assignment == nullptr) return v1::POST_STATE_UNASSIGNED;
  if (!assignment->clock_in_micros) return v1::POST_STATE_ASSIGNED_NOT_CLOCKED_IN;
  if (assignment->clock_out_micros) return v1::POST_STATE_CLOCKED_OUT;
  return v1::POST_STATE_ON_DUTY;
}

v1::Coverage ComputeCoverage(const CheckpointRow& checkpoint, const ShiftPattern::Slot& slot,
                             const RosterDay& day) {
  v1::Coverage out;
  out.set_checkpoint_id(checkpoint.checkpoint_id);
  out.set_date(common::IsoDate(slot.day));
  *out.mutable_shift() = ShiftTimesOf(slot);
  out.set_checkpoint_open(checkpoint.open);
  for (int post = v1::Post_MIN + 1; post <= v1::Post_MAX; ++post) {
    auto held =
        std::find_if(day.assignments.begin(), day.assignments.end(), [&](const AssignmentRow& a) {
          return a.date == slot.day && a.shift == slot.shift && a.post == post;
        });
    const AssignmentRow* assignment = held == day.assignments.end() ? nullptr : &*held;
    v1::PostCoverage* c = out.add_posts();
    c->set_post(static_cast<v1::Post>(post));
    c->set_state(PostStateOf(assignment));
    if (assignment != nullptr) {
      c->set_account_id(assignment->account_id);
      if (assignment->clock_in_micros) {
        *c->mutable_clock_in_time() =
            TimeUtil::MicrosecondsToTimestamp(*assignment->clock_in_micros);
      }
      if (assignment->clock_out_micros) {
        *c->mutable_clock_out_time() =
            TimeUtil::MicrosecondsToTimestamp(*assignment->clock_out_micros);
      }
    }
    if (c->state() != v1::POST_STATE_ON_DUTY) out.add_unstaffed_posts(c->post());
  }
  if (day.cadre && day.cadre->date == slot.day) {
    out.set_leading_cadre_set(true);
    out.set_leading_cadre_account_id(day.cadre->account_id);
  }
  return out;
}

v1::PostAssignment AssignmentToProto(const AssignmentRow& row) {
  v1::PostAssignment out;
  out.set_assignment_id(row.assignment_id);
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_date(common::IsoDate(row.date));
  out.set_shift(row.shift);
  out.set_post(static_cast<v1::Post>(row.post));
  out.set_account_id(row.account_id);
  out.set_assigned_by(row.assigned_by);
  *out.mutable_assign_time() = TimeUtil::MicrosecondsToTimestamp(row.assigned_at_micros);
  if (row.clock_in_micros) {
    *out.mutable_clock_in_time() = TimeUtil::MicrosecondsToTimestamp(*row.clock_in_micros);
  }
  if (row.clock_out_micros) {
    *out.mutable_clock_out_time() = TimeUtil::MicrosecondsToTimestamp(*row.clock_out_micros);
  }
  return out;
}

absl::Status JudgeCadre(const identity::v1::StaffAccount& account) {
  if (account.kind() != identity::v1::STAFF_KIND_CADRE) {
    return absl::FailedPreconditionError(
        "account_id: the account is not a cadre; only a formal cadre may lead a checkpoint");
  }
  if (account.disabled()) {
    return absl::FailedPreconditionError("account_id: the account is disabled");
  }
  return absl::OkStatus();
}

absl::Status JudgePostHolder(const identity::v1::StaffAccount& account) {
  if (account.kind() == identity::v1::STAFF_KIND_RESIDENT ||
      account.kind() == identity::v1::STAFF_KIND_SERVICE) {
    return absl::FailedPreconditionError(
        "account_id: a resident's or a system's account cannot hold a post; name a staff "
        "account");
  }
  if (account.disabled()) {
    return absl::FailedPreconditionError("account_id: the account is disabled");
  }
  return absl::OkStatus();
}

absl::StatusOr<identity::v1::StaffAccount> IdentityStaffDirectory::Get(
    const common::CallContext& call, const std::string& account_id) {
  grpc::ClientContext ctx;
  common::PrepareOutgoing(call, &ctx);
  const auto cap = std::chrono::system_clock::now() + kIdentityTimeout;
  if (ctx.deadline() > cap) ctx.set_deadline(cap);
  identity::v1::GetStaffAccountRequest req;
  req.set_account_id(account_id);
  identity::v1::StaffAccount account;
  const grpc::Status st = stub_->GetStaffAccount(&ctx, req, &account);
  switch (st.error_code()) {
    case grpc::StatusCode::OK:
      return account;
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(
          "account_id: identity has no staff account with this id within your area scope");
    default:
      // Unreachable or slow (UNAVAILABLE unless the caller's own deadline passed); other
      // codes (the caller's own permissions at identity, ...) pass through.
      return common::UpstreamFailure(st, "identity", call.deadline);
  }
}

absl::StatusOr<PostSlot> Roster::CheckSlot(const common::CallContext& call,
                                           const std::string& checkpoint_id,
                                           const std::string& date, int shift, int post) {
  if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
  absl::StatusOr<absl::CivilDay> day = ParseRosterDate("date", date, common::ChinaToday(clock_()));
  if (!day.ok()) return day.status();
  if (auto s = ValidateShift(shift, shifts_); !s.ok()) return s;
  if (auto s = ValidatePost(post); !s.ok()) return s;
  if (auto row = checkpoints_.Administered(call, checkpoint_id); !row.ok()) return row.status();
  return PostSlot{checkpoint_id, *day, shift, post};
}

absl::StatusOr<v1::LeadingCadre> Roster::SetLeadingCadre(const common::CallContext& call,
                                                         const v1::SetLeadingCadreRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  absl::StatusOr<absl::CivilDay> day =
      ParseRosterDate("date", req.date(), common::ChinaToday(clock_()));
  if (!day.ok()) return day.status();
  if (auto s = common::RequireUuid("account_id", req.account_id()); !s.ok()) return s;
  if (auto row = checkpoints_.Administered(call, req.checkpoint_id()); !row.ok()) {
    return row.status();
  }
  absl::StatusOr<identity::v1::StaffAccount> account = staff_.Get(call, req.account_id());
  if (!account.ok()) return account.status();
  if (auto s = JudgeCadre(*account); !s.ok()) return s;
  CadreRow row;
  row.checkpoint_id = req.checkpoint_id();
  row.date = *day;
  row.account_id = req.account_id();
  row.assigned_by = call.principal.subject;
  absl::StatusOr<CadreRow> stored = store_.SetCadre(row);
  if (!stored.ok()) return stored.status();
  return CadreToProto(*stored);
}

absl::StatusOr<v1::PostAssignment> Roster::AssignPost(const common::CallContext& call,
                                                      const v1::AssignPostRequest& req) {
  if (auto s = common::RequireUuid("account_id", req.account_id()); !s.ok()) return s;
  absl::StatusOr<PostSlot> slot =
      CheckSlot(call, req.checkpoint_id(), req.date(), req.shift(), req.post());
  if (!slot.ok()) return slot.status();
  absl::StatusOr<identity::v1::StaffAccount> account = staff_.Get(call, req.account_id());
  if (!account.ok()) return account.status();
  if (auto s = JudgePostHolder(*account); !s.ok()) return s;
  AssignmentRow wanted;
  wanted.checkpoint_id = slot->checkpoint_id;
  wanted.date = slot->date;
  wanted.shift = slot->shift;
  wanted.post = slot->post;
  wanted.account_id = req.account_id();
  wanted.assigned_by = call.principal.subject;
  absl::StatusOr<AssignmentRow> stored = store_.Assign(
      wanted,
      [&](const std::optional<AssignmentRow>& holder, const std::optional<AssignmentRow>& persons) {
        return JudgeAssignment(wanted, holder, persons);
      });
  if (!stored.ok()) return stored.status();
  return AssignmentToProto(*stored);
}

absl::StatusOr<v1::UnassignPostResponse> Roster::UnassignPost(const common::CallContext& call,
                                                              const v1::UnassignPostRequest& req) {
  absl::StatusOr<PostSlot> slot =
      CheckSlot(call, req.checkpoint_id(), req.date(), req.shift(), req.post());
  if (!slot.ok()) return slot.status();
  absl::StatusOr<AssignmentRow> removed = store_.Unassign(*slot, JudgeUnassignment);
  if (!removed.ok()) return removed.status();
  v1::UnassignPostResponse out;
  *out.mutable_removed() = AssignmentToProto(*removed);
  return out;
}

absl::StatusOr<v1::Roster> Roster::GetRoster(const common::CallContext& call,
                                             const v1::GetRosterRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  absl::CivilDay day;
  if (!common::ParseIsoDate(req.date(), &day)) {
    return absl::InvalidArgumentError("date must be a real day as YYYY-MM-DD");
  }
  if (auto row = checkpoints_.Visible(call, req.checkpoint_id()); !row.ok()) return row.status();
  absl::StatusOr<RosterDay> stored = store_.GetDay(req.checkpoint_id(), day);
  if (!stored.ok()) return stored.status();
  v1::Roster out;
  out.set_checkpoint_id(req.checkpoint_id());
  out.set_date(common::IsoDate(day));
  if (stored->cadre) *out.mutable_leading_cadre() = CadreToProto(*stored->cadre);
  for (const AssignmentRow& a : stored->assignments) *out.add_assignments() = AssignmentToProto(a);
  for (int shift = 1; shift <= shifts_.count(); ++shift) {
    *out.add_shifts() = ShiftTimesOf(shifts_.Of(day, shift));
  }
  return out;
}

absl::StatusOr<v1::PostAssignment> Roster::Clock(const common::CallContext& call,
                                                 const std::string& checkpoint_id, bool in) {
  if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
  if (auto row = checkpoints_.Visible(call, checkpoint_id); !row.ok()) return row.status();
  const absl::Time now = clock_();
  const ShiftPattern::Slot slot = shifts_.At(now);
  absl::StatusOr<AssignmentRow> stored = store_.UpdateClock(
      checkpoint_id, slot.day, slot.shift, call.principal.subject,
      [&](AssignmentRow& row) { return in ? ApplyClockIn(row, now) : ApplyClockOut(row, now); });
  if (stored.status().code() == absl::StatusCode::kNotFound) {
    return absl::FailedPreconditionError(
        absl::StrCat("you have no post at this checkpoint in the current shift (",
                     common::IsoDate(slot.day), " shift ", slot.shift, "); ask the shift leader"));
  }
  if (!stored.ok()) return stored.status();
  return AssignmentToProto(*stored);
}

absl::StatusOr<v1::PostAssignment> Roster::ClockIn(const common::CallContext& call,
                                                   const v1::ClockInRequest& req) {
  return Clock(call, req.checkpoint_id(), /*in=*/true);
}

absl::StatusOr<v1::PostAssignment> Roster::ClockOut(const common::CallContext& call,
                                                    const v1::ClockOutRequest& req) {
  return Clock(call, req.checkpoint_id(), /*in=*/false);
}

absl::StatusOr<v1::Coverage> Roster::GetCoverage(const common::CallContext& call,
                                                 const v1::GetCoverageRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  absl::StatusOr<CheckpointRow> checkpoint = checkpoints_.Visible(call, req.checkpoint_id());
  if (!checkpoint.ok()) return checkpoint.status();
  const ShiftPattern::Slot slot = shifts_.At(clock_());
  absl::StatusOr<RosterDay> day = store_.GetDay(req.checkpoint_id(), slot.day);
  if (!day.ok()) return day.status();
  return ComputeCoverage(*checkpoint, slot, *day);
}

}  // namespace fangxian::checkpoint
