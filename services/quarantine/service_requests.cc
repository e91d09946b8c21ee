#include "services/quarantine/service_requests.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/check_in_rules.h"
#include "services/quarantine/check_ins.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPage = 20;
constexpr int kMaxPage = 100;
const std::vector<absl::string_view> kVolunteerRole = {"volunteer"};

absl::Status NotFound() { return absl::NotFoundError("no service request with this request_id"); }

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string RequestToken(const v1::ServiceRequest& r) {
  return common::EncodeTimeIdPageToken(TimeUtil::TimestampToMicroseconds(r.create_time()),
                                       r.request_id());
}

absl::Status ValidateStatusFilter(v1::ServiceRequestStatus status) {
  if (v1::ServiceRequestStatus_IsValid(status)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("status ", static_cast<int>(status), " is not a known ServiceRequestStatus"));
}

}  // namespace

absl::StatusOr<int> ServiceRequests::AccessOf(const common::CallContext& call,
                                              const v1::ServiceRequest& request, int allowed) {
  int access = 0;
  if ((allowed & kMember) && call.principal.kind == "resident") {
    absl::StatusOr<bool> member = store_.IsMember(request.order_id(), call.principal.subject);
    if (!member.ok()) return member.status();
    if (*member) access |= kMember;
  }
  if ((allowed & kStaff) && call.principal.CoversArea(request.area_code(), FollowUpStaffRoles())) {
    access |= kStaff;
  }
  if ((allowed & kVolunteer) && !request.volunteer_id().empty() &&
      request.volunteer_id() == call.principal.subject &&
      call.principal.CoversArea(request.area_code(), kVolunteerRole)) {
    access |= kVolunteer;
  }
  return access;
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Visible(const common::CallContext& call,
                                                            const std::string& request_id,
                                                            int allowed, int* access) {
  if (auto s = common::RequireUuid("request_id", request_id); !s.ok()) return s;
  absl::StatusOr<v1::ServiceRequest> request = store_.Get(request_id);
  if (!request.ok()) return request.status();
  absl::StatusOr<int> a = AccessOf(call, *request, allowed);
  if (!a.ok()) return a.status();
  // Not revealed: a request the caller may not see answers as an unknown one.
  if (*a == 0) return NotFound();
  *access = *a;
  return request;
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Move(
    const common::CallContext& call, const std::string& request_id, int allowed,
    v1::ServiceRequestStatus to, const std::function<void(v1::ServiceRequest&)>& apply) {
  int access = 0;
  absl::StatusOr<v1::ServiceRequest> seen = Visible(call, request_id, allowed, &access);
  if (!seen.ok()) return seen.status();
  return store_.Update(
      request_id, [&](const v1::ServiceRequest& current) -> absl::StatusOr<v1::ServiceRequest> {
        // Order and area never change; the volunteer may have been reassigned meanwhile.
        if (access == kVolunteer && current.volunteer_id() != call.principal.subject) {
          return NotFound();
        }
        v1::ServiceRequest next = current;
        next.set_status(to);
        apply(next);
        // A retry of the move already made (by a caller allowed to make it) answers with
        // the request as it is; its first times, notes and actors stay.
        if (IsRepeatedTransition(current, to, next.volunteer_id())) return current;
        if (auto s = CheckTransition(current.status(), to); !s.ok()) return s;
        return next;
      });
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Create(
    const common::CallContext& call, const v1::CreateServiceRequestRequest& req) {
  const v1::ServiceRequest& in = req.request();
  if (auto s = ValidateNewServiceRequest(in); !s.ok()) return s;
  const absl::Time now = clock_();
  const absl::CivilDay today = common::ChinaToday(now);
  // The caller's right comes first, so nobody outside it learns whether a household is
  // isolated: a resident asks only for the household of their own active order; staff
  // only for an order their staff grants cover, which answers as "not isolated"
  // otherwise.
  std::string order_id;
  std::string area_code;
  if (IsResident(call)) {
    absl::StatusOr<std::optional<MemberOrder>> mine =
        store_.ActiveOrderOfMember(call.principal.subject, today);
    if (!mine.ok()) return mine.status();
    if (!*mine) {
      return absl::FailedPreconditionError(
          "you are in no active isolation order; love-knocking service is for isolated "
          "households");
    }
    if ((*mine)->household_id != in.household_id()) {
      return absl::PermissionDeniedError(
          "a resident may ask only for their own isolated household: request.household_id "
          "must be the household of your isolation order");
    }
    order_id = (*mine)->order_id;
    area_code = (*mine)->area_code;
  } else {
    absl::StatusOr<std::optional<HouseholdOrder>> order =
        store_.ActiveOrderOf(in.household_id(), today);
    if (!order.ok()) return order.status();
    if (!*order || !StaffCall(call).InScope((*order)->area_code)) {
      return absl::FailedPreconditionError(
          "request.household_id is in no active isolation order in your area scope; "
          "love-knocking service is for isolated households");
    }
    order_id = (*order)->order_id;
    area_code = (*order)->area_code;
  }
  v1::ServiceRequest row;
  row.set_household_id(in.household_id());
  row.set_order_id(order_id);
  row.set_area_code(area_code);
  row.set_kind(in.kind());
  row.set_items(in.items());
  row.set_contact_name(in.contact_name());
  row.set_delivery_address(in.delivery_address());
  row.set_phone(in.phone());
  row.set_status(v1::SERVICE_REQUEST_STATUS_OPEN);
  row.set_created_by(call.principal.subject);
  *row.mutable_create_time() = Stamp(now);
  return store_.Insert(row);
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Get(const common::CallContext& call,
                                                        const v1::GetServiceRequestRequest& req) {
  int access = 0;
  return Visible(call, req.request_id(), kMember | kStaff, &access);
}

absl::StatusOr<v1::ListServiceRequestsResponse> ServiceRequests::List(
    const common::CallContext& call, const v1::ListServiceRequestsRequest& req) {
  ServiceRequestFilter filter;
  if (call.principal.kind == "resident") {
    filter.member = call.principal.subject;
  } else {
    if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
    filter.area_code = req.area_code();
  }
  if (!req.household_id().empty()) {
    if (auto s = common::RequireUuid("household_id", req.household_id()); !s.ok()) return s;
    filter.household_id = req.household_id();
  }
  if (auto s = ValidateStatusFilter(req.status()); !s.ok()) return s;
  filter.status = req.status();
  absl::StatusOr<int> page_size = common::PageSize(req.page_size(), kDefaultPage, kMaxPage);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  if (filter.member.empty()) {
    if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<v1::ServiceRequest>> rows =
      store_.List(filter, *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListServiceRequestsResponse out;
  const size_t shown =
      common::TakePage(*rows, *page_size, &RequestToken, out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_requests() = std::move((*rows)[i]);
  return out;
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Assign(const common::CallContext& call,
                                                           const v1::AssignVolunteerRequest& req) {
  if (auto s = common::RequireUuid("request_id", req.request_id()); !s.ok()) return s;
  // The volunteer's identity staff account id, as for AssignGridWorker.
  if (auto s = common::RequireUuid("volunteer_id", req.volunteer_id()); !s.ok()) return s;
  const absl::Time now = clock_();
  return Move(call, req.request_id(), kStaff, v1::SERVICE_REQUEST_STATUS_ASSIGNED,
              [&](v1::ServiceRequest& r) {
                r.set_volunteer_id(req.volunteer_id());
                r.set_assigned_by(call.principal.subject);
                *r.mutable_assign_time() = Stamp(now);
              });
}

absl::StatusOr<v1::VolunteerView> ServiceRequests::Start(
    const common::CallContext& call, const v1::StartServiceRequestRequest& req) {
  const absl::Time now = clock_();
  absl::StatusOr<v1::ServiceRequest> r =
      Move(call, req.request_id(), kStaff | kVolunteer, v1::SERVICE_REQUEST_STATUS_IN_PROGRESS,
           [&](v1::ServiceRequest& next) { *next.mutable_start_time() = Stamp(now); });
  if (!r.ok()) return r.status();
  return ToVolunteerView(*r);
}

absl::StatusOr<v1::VolunteerView> ServiceRequests::Deliver(const common::CallContext& call,
                                                           const v1::MarkDeliveredRequest& req) {
  if (auto s = common::RequireText("note", req.note(), kMaxServiceNoteChars, false); !s.ok()) {
    return s;
  }
  const absl::Time now = clock_();
  absl::StatusOr<v1::ServiceRequest> r =
      Move(call, req.request_id(), kStaff | kVolunteer, v1::SERVICE_REQUEST_STATUS_DELIVERED,
           [&](v1::ServiceRequest& next) {
             *next.mutable_deliver_time() = Stamp(now);
             next.set_delivery_note(req.note());
           });
  if (!r.ok()) return r.status();
  return ToVolunteerView(*r);
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Confirm(const common::CallContext& call,
                                                            const v1::ConfirmDeliveryRequest& req) {
  const absl::Time now = clock_();
  return Move(call, req.request_id(), kMember | kStaff, v1::SERVICE_REQUEST_STATUS_CONFIRMED,
              [&](v1::ServiceRequest& r) {
                r.set_confirmed_by(call.principal.subject);
                *r.mutable_confirm_time() = Stamp(now);
              });
}

absl::StatusOr<v1::ServiceRequest> ServiceRequests::Cancel(
    const common::CallContext& call, const v1::CancelServiceRequestRequest& req) {
  if (auto s = common::RequireText("reason", req.reason(), kMaxServiceNoteChars); !s.ok()) {
    return s;
  }
  const absl::Time now = clock_();
  return Move(call, req.request_id(), kMember | kStaff, v1::SERVICE_REQUEST_STATUS_CANCELLED,
              [&](v1::ServiceRequest& r) {
                r.set_cancelled_by(call.principal.subject);
                *r.mutable_cancel_time() = Stamp(now);
                r.set_cancel_reason(req.reason());
              });
}

absl::StatusOr<v1::ListAssignmentsResponse> ServiceRequests::ListAssignments(
    const common::CallContext& call, const v1::ListAssignmentsRequest& req) {
  if (auto s = ValidateStatusFilter(req.status()); !s.ok()) return s;
  absl::StatusOr<int> page_size = common::PageSize(req.page_size(), kDefaultPage, kMaxPage);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  ServiceRequestFilter filter;
  filter.volunteer = call.principal.subject;
  filter.status = req.status();
  // Only within the caller's volunteer scope (the rule admits volunteers only).
  filter.any_of_areas = call.principal.ScopeRoots(kVolunteerRole);
  v1::ListAssignmentsResponse out;
  if (filter.any_of_areas.empty()) return out;
  absl::StatusOr<std::vector<v1::ServiceRequest>> rows =
      store_.List(filter, *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  const size_t shown =
      common::TakePage(*rows, *page_size, &RequestToken, out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_assignments() = ToVolunteerView((*rows)[i]);
  return out;
}

absl::StatusOr<v1::VolunteerView> ServiceRequests::GetAssignment(
    const common::CallContext& call, const v1::GetAssignmentRequest& req) {
  int access = 0;
  absl::StatusOr<v1::ServiceRequest> r = Visible(call, req.request_id(), kVolunteer, &access);
  if (!r.ok()) return r.status();
  return ToVolunteerView(*r);
}

}  // namespace fangxian::quarantine
