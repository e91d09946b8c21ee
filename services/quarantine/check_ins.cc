#include "services/quarantine/check_ins.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth.h"
#include "common/paging.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/check_in_rules.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultNonReportingPage = 100;
constexpr int kMaxNonReportingPage = 500;
constexpr int kDefaultFlagPage = 20;
constexpr int kMaxFlagPage = 100;
// Members read per query while filling a page of the non-reporting list, and at most
// this many queries per call: a page may come back short (even empty) with a token to
// go on from where reading stopped, but no call reads more than 2,500 members.
constexpr int kReportingBatch = 500;
constexpr int kMaxReportingBatches = 5;
constexpr size_t kMaxClearNoteChars = 500;

v1::CheckIn CheckInToProto(const CheckInRow& row) {
  v1::CheckIn out;
  out.set_check_in_id(row.check_in_id);
  out.set_resident_id(row.resident_id);
  out.set_order_id(row.order_id);
  out.set_temperature_celsius(row.temperature_tenths / 10.0);
  for (int s : row.symptoms) out.add_symptoms(static_cast<v1::Symptom>(s));
  out.set_note(row.note);
  out.set_abnormal(row.abnormal);
  out.set_recorded_by(row.recorded_by);
  out.set_by_resident(row.by_resident);
  *out.mutable_check_time() = TimeUtil::MicrosecondsToTimestamp(row.checked_at_micros);
  out.set_china_day(common::IsoDate(row.china_day));
  out.set_slot(row.slot);
  return out;
}

v1::FollowUpFlag FlagToProto(const FlagRow& row) {
  v1::FollowUpFlag out;
  out.set_flag_id(row.flag_id);
  out.set_resident_id(row.resident_id);
  out.set_area_code(row.area_code);
  out.set_check_in_id(row.check_in_id);
  *out.mutable_raise_time() = TimeUtil::MicrosecondsToTimestamp(row.raised_at_micros);
  if (row.cleared_at_micros) {
    *out.mutable_clear_time() = TimeUtil::MicrosecondsToTimestamp(*row.cleared_at_micros);
    out.set_cleared_by(row.cleared_by);
    out.set_clear_note(row.clear_note);
  }
  return out;
}

// Non-reporting positions: "<area_code>/<order_id>/<resident_id>".
bool ValidReportingPosition(absl::string_view position) {
  std::vector<absl::string_view> parts = absl::StrSplit(position, '/');
  return parts.size() == 3 && common::IsValidAreaPath(parts[0]) && common::IsUuid(parts[1]) &&
         common::IsUuid(parts[2]);
}

std::string ReportingToken(const ReportingPosition& at) {
  return common::EncodePageToken(absl::StrCat(at.area_code, "/", at.order_id, "/", at.resident_id));
}

ReportingPosition PositionOf(const ReportingRow& row) {
  return ReportingPosition{row.area_code, row.order_id, row.resident_id};
}

}  // namespace

absl::StatusOr<v1::CheckIn> CheckIns::Record(const common::CallContext& call,
                                             const v1::RecordCheckInRequest& req) {
  absl::StatusOr<int> tenths = ValidateCheckIn(req);
  if (!tenths.ok()) return tenths.status();
  const absl::Time now = clock_();
  const absl::CivilDay today = common::ChinaToday(now);
  // The caller's right comes first, so the answer tells nobody outside it whether the
  // person is isolated: a resident for themselves or a fellow member of their active
  // order; staff only for an order their staff grants cover, which answers as "not
  // isolated" otherwise.
  std::optional<std::string> shared;
  if (IsResident(call) && !IsResidentSelf(call, req.resident_id())) {
    absl::StatusOr<std::optional<std::string>> s =
        store_.SharedActiveOrder(call.principal.subject, req.resident_id(), today);
    if (!s.ok()) return s.status();
    if (!*s) {
      return absl::PermissionDeniedError(
          "a resident may record check-ins only for themselves and the members of their own "
          "active isolation order");
    }
    shared = *std::move(*s);
  }
  absl::StatusOr<std::optional<MemberOrder>> order = store_.ActiveOrderOf(req.resident_id(), today);
  if (!order.ok()) return order.status();
  if (!*order || (shared && (*order)->order_id != *shared) ||
      (!IsResident(call) && !StaffCall(call).InScope((*order)->area_code))) {
    return absl::FailedPreconditionError(
        "check-in for someone not isolated: resident_id is in no active isolation order you "
        "may record check-ins for");
  }

  CheckInRow row;
  row.order_id = (*order)->order_id;
  row.resident_id = req.resident_id();
  row.temperature_tenths = *tenths;
  for (int s : req.symptoms()) row.symptoms.push_back(s);
  row.abnormal = IsAbnormal(*tenths, row.symptoms.size());
  row.note = req.note();
  row.recorded_by = call.principal.subject;
  row.by_resident = IsResident(call);
  const CheckInSlot slot = SlotAt(now, (*order)->checkins_per_day);
  row.china_day = slot.day;
  row.slot = slot.slot;
  std::string flag_id;
  std::vector<PassChange> changes;
  if (auto s = store_.Record(row, now, &flag_id, &changes); !s.ok()) return s;
  engine_.Published(changes);
  v1::CheckIn out = CheckInToProto(row);
  out.set_follow_up_flag_id(flag_id);
  return out;
}

absl::StatusOr<v1::ListCheckInsResponse> CheckIns::List(const common::CallContext& call,
                                                        const v1::ListCheckInsRequest& req) {
  if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
  absl::CivilDay from;
  absl::CivilDay to;
  if (auto s = ParseDayRange(req.from_date(), req.to_date(), &from, &to); !s.ok()) return s;
  const bool self = IsResidentSelf(call, req.resident_id());
  const common::CallContext staff = StaffCall(call);
  std::optional<std::string> shared;  // a fellow member's: the check-ins of that order
  if (IsResident(call) && !self) {
    absl::StatusOr<std::optional<std::string>> s = store_.SharedActiveOrder(
        call.principal.subject, req.resident_id(), common::ChinaToday(clock_()));
    if (!s.ok()) return s.status();
    if (!*s) {
      return absl::PermissionDeniedError(
          "a resident may read only their own check-ins and those of the members of their own "
          "active isolation order");
    }
    shared = *std::move(*s);
  } else if (!IsResident(call)) {
    absl::StatusOr<std::vector<std::string>> areas = store_.OrderAreasOf(req.resident_id());
    if (!areas.ok()) return areas.status();
    if (auto s = common::RequireScopeAny(staff, "this resident's check-ins", *areas); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::vector<CheckInRow>> rows = store_.List(req.resident_id(), from, to);
  if (!rows.ok()) return rows.status();
  v1::ListCheckInsResponse out;
  for (const CheckInRow& row : *rows) {
    // Staff see what was recorded under the orders of their own area only, a fellow
    // member what was recorded under the order they share.
    if (self || (shared && row.order_id == *shared) ||
        (!IsResident(call) && staff.InScope(row.area_code))) {
      *out.add_check_ins() = CheckInToProto(row);
    }
  }
  return out;
}

absl::StatusOr<v1::ListNonReportingResponse> CheckIns::NonReporting(
    const common::CallContext& call, const v1::ListNonReportingRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  const absl::Time now = clock_();
  const absl::CivilDay today = common::ChinaToday(now);
  absl::CivilDay day = today;
  if (!req.date().empty()) {
    if (!common::ParseIsoDate(req.date(), &day)) {
      return absl::InvalidArgumentError("date must be a real day written YYYY-MM-DD");
    }
    if (day > today) {
      return absl::InvalidArgumentError(
          absl::StrCat("date is in the future (today is ", common::IsoDate(today), " China time)"));
    }
  }
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultNonReportingPage, kMaxNonReportingPage);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> position =
      common::DecodePageToken(req.page_token(), &ValidReportingPosition);
  if (!position.ok()) return position.status();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;

  std::optional<ReportingPosition> after;
  if (!position->empty()) {
    std::vector<std::string> parts = absl::StrSplit(*position, '/');
    after = ReportingPosition{parts[0], parts[1], parts[2]};
  }
  // Read members in batches until one more than the page is missing reports (so the page
  // knows whether another follows), none are left, or the batch cap is reached (then the
  // page ends where reading stopped).
  std::vector<ReportingRow> missing;
  std::vector<v1::NonReportingEntry> entries;
  std::optional<ReportingPosition> stopped_at;
  for (int batches = 0; static_cast<int>(missing.size()) <= *page_size; ++batches) {
    if (batches == kMaxReportingBatches) {
      stopped_at = after;
      break;
    }
    absl::StatusOr<std::vector<ReportingRow>> batch =
        store_.Reporting(req.area_code(), day, after, kReportingBatch);
    if (!batch.ok()) return batch.status();
    for (ReportingRow& row : *batch) {
      const std::vector<int> expected =
          ExpectedSlots(day, row.checkins_per_day, now, row.order_created, row.released);
      const int done = FilledCount(expected, row.filled_slots);
      if (done >= static_cast<int>(expected.size())) continue;
      v1::NonReportingEntry e;
      e.set_resident_id(row.resident_id);
      e.set_name(row.name);
      e.set_order_id(row.order_id);
      e.set_household_id(row.household_id);
      e.set_area_code(row.area_code);
      e.set_expected(static_cast<int>(expected.size()));
      e.set_done(done);
      entries.push_back(std::move(e));
      missing.push_back(std::move(row));
      if (static_cast<int>(missing.size()) > *page_size) break;
    }
    if (static_cast<int>(batch->size()) < kReportingBatch) break;
    after = PositionOf(batch->back());
  }
  v1::ListNonReportingResponse out;
  out.set_date(common::IsoDate(day));
  const size_t shown = common::TakePage(
      missing, *page_size, [](const ReportingRow& row) { return ReportingToken(PositionOf(row)); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_entries() = std::move(entries[i]);
  if (stopped_at) *out.mutable_next_page_token() = ReportingToken(*stopped_at);
  return out;
}

absl::StatusOr<v1::ListFollowUpsResponse> CheckIns::FollowUps(const common::CallContext& call,
                                                              const v1::ListFollowUpsRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<int> page_size = common::PageSize(req.page_size(), kDefaultFlagPage, kMaxFlagPage);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<std::vector<FlagRow>> rows =
      store_.ListFlags(req.area_code(), req.include_cleared(), *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListFollowUpsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const FlagRow& row) {
        return common::EncodeTimeIdPageToken(row.raised_at_micros, row.flag_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_flags() = FlagToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::FollowUpFlag> CheckIns::ClearFollowUp(const common::CallContext& call,
                                                         const v1::ClearFollowUpRequest& req) {
  if (auto s = common::RequireUuid("flag_id", req.flag_id()); !s.ok()) return s;
  if (auto s = common::RequireText("note", req.note(), kMaxClearNoteChars); !s.ok()) return s;
  absl::StatusOr<FlagRow> flag = store_.GetFlag(req.flag_id());
  if (!flag.ok()) return flag.status();
  if (auto s = common::RequireScopeAny(call, "this follow-up flag",
                                       std::vector<std::string>{flag->area_code});
      !s.ok()) {
    return s;
  }
  std::vector<PassChange> changes;
  absl::StatusOr<FlagRow> cleared =
      store_.ClearFlag(req.flag_id(), call.principal.subject, req.note(), clock_(), &changes);
  if (!cleared.ok()) return cleared.status();
  engine_.Published(changes);
  return FlagToProto(*cleared);
}

}  // namespace fangxian::quarantine
