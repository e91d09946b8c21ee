#include "services/quarantine/check_in_rules.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {

using v1::ServiceRequestStatus;

absl::StatusOr<int> TemperatureTenths(double celsius) {
  const double tenths = std::round(celsius * 10.0);
  if (!std::isfinite(celsius) || tenths < kMinTemperatureTenths || tenths > kMaxTemperatureTenths) {
    return absl::InvalidArgumentError(
        "temperature_celsius must be from 34.0 to 43.0; measure again");
  }
  return static_cast<int>(tenths);
}

std::string TenthsText(int tenths) { return absl::StrCat(tenths / 10, ".", tenths % 10); }

absl::StatusOr<int> ValidateCheckIn(const v1::RecordCheckInRequest& req) {
  if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
  absl::StatusOr<int> tenths = TemperatureTenths(req.temperature_celsius());
  if (!tenths.ok()) return tenths.status();
  std::set<int> seen;
  for (int i = 0; i < req.symptoms_size(); ++i) {
    const int symptom = req.symptoms(i);
    // proto3 enums are open: an unknown number arrives intact and must be refused here.
    if (symptom == v1::SYMPTOM_UNSPECIFIED || !v1::Symptom_IsValid(symptom)) {
      return absl::InvalidArgumentError(
          absl::StrCat("symptoms[", i,
                       "] is not a known Symptom (FEVER, COUGH, SORE_THROAT, "
                       "SHORTNESS_OF_BREATH, FATIGUE, LOSS_OF_TASTE_OR_SMELL, DIARRHOEA, OTHER)"));
    }
    if (!seen.insert(symptom).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symptoms[", i, "] repeats ", v1::Symptom_Name(req.symptoms(i)), "; list each once"));
    }
  }
  if (auto s = common::RequireText("note", req.note(), kMaxCheckInNoteChars, false); !s.ok()) {
    return s;
  }
  return *tenths;
}

bool IsAbnormal(int temperature_tenths, size_t symptom_count) {
  return temperature_tenths >= kFeverTenths || symptom_count > 0;
}

std::vector<int> ExpectedSlots(absl::CivilDay day, int per_day, absl::Time now,
                               absl::Time order_created, std::optional<absl::Time> released) {
  std::vector<int> out;
  // Walk the day slot by slot with SlotAt, the one definition of the slots.
  for (absl::Time t = common::ChinaDayStart(day);;) {
    const CheckInSlot slot = SlotAt(t, per_day);
    if (slot.day != day || slot.end <= t) break;
    // `day` is on or after the order's start day (callers read only orders started by
    // then), so the start of `day` stands for the order's start.
    if (slot.end <= now && SlotOwed(slot, common::ChinaDayStart(day), order_created) &&
        (!released || slot.end <= *released)) {
      out.push_back(slot.slot);
    }
    t = slot.end;
  }
  return out;
}

int FilledCount(const std::vector<int>& expected, const std::vector<int>& filled) {
  return static_cast<int>(std::count_if(expected.begin(), expected.end(), [&](int slot) {
    return std::find(filled.begin(), filled.end(), slot) != filled.end();
  }));
}

absl::Status ParseDayRange(absl::string_view from_text, absl::string_view to_text,
                           absl::CivilDay* from, absl::CivilDay* to) {
  if (!common::ParseIsoDate(from_text, from)) {
    return absl::InvalidArgumentError("from_date must be a real day written YYYY-MM-DD");
  }
  if (!common::ParseIsoDate(to_text, to)) {
    return absl::InvalidArgumentError("to_date must be a real day written YYYY-MM-DD");
  }
  if (*to < *from) return absl::InvalidArgumentError("to_date must not be before from_date");
  if (*to - *from >= kMaxCheckInListDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_date must be at most ", kMaxCheckInListDays, " days from from_date"));
  }
  return absl::OkStatus();
}

bool IsContactPhone(absl::string_view phone) {
  if (phone.size() < 5 || phone.size() > 20) return false;
  int digits = 0;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (!(c == ' ' || c == '-' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits >= 5;
}

absl::Status ValidateNewServiceRequest(const v1::ServiceRequest& in) {
  if (auto s = common::RequireUuid("request.household_id", in.household_id()); !s.ok()) return s;
  if (in.kind() == v1::SERVICE_REQUEST_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "request.kind is required (PURCHASE, ERRAND, MEDICINE or OTHER)");
  }
  if (!v1::ServiceRequestKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("request.kind ", in.kind(), " is not a known ServiceRequestKind"));
  }
  if (auto s = common::RequireText("request.items", in.items(), kMaxItemsChars); !s.ok()) return s;
  if (auto s = common::RequireText("request.contact_name", in.contact_name(), kMaxContactNameChars);
      !s.ok()) {
    return s;
  }
  if (auto s = common::RequireText("request.delivery_address", in.delivery_address(),
                                   kMaxDeliveryAddressChars);
      !s.ok()) {
    return s;
  }
  if (in.phone().empty()) return absl::InvalidArgumentError("request.phone is required");
  if (!IsContactPhone(in.phone())) {
    return absl::InvalidArgumentError(
        "request.phone must be 5 to 20 characters of digits, spaces, '-' and a leading '+'");
  }
  return absl::OkStatus();
}

std::string StatusName(ServiceRequestStatus status) {
  std::string name = v1::ServiceRequestStatus_Name(status);
  constexpr absl::string_view kPrefix = "SERVICE_REQUEST_STATUS_";
  if (absl::StartsWith(name, kPrefix)) name.erase(0, kPrefix.size());
  return name.empty() ? absl::StrCat(static_cast<int>(status)) : name;
}

absl::Status CheckTransition(ServiceRequestStatus from, ServiceRequestStatus to) {
  bool allowed = false;
  const char* need = "";
  switch (to) {
    case v1::SERVICE_REQUEST_STATUS_ASSIGNED:
      allowed =
          from == v1::SERVICE_REQUEST_STATUS_OPEN || from == v1::SERVICE_REQUEST_STATUS_ASSIGNED;
      need = "a volunteer can be assigned only while it is OPEN or ASSIGNED";
      break;
    case v1::SERVICE_REQUEST_STATUS_IN_PROGRESS:
      allowed = from == v1::SERVICE_REQUEST_STATUS_ASSIGNED;
      need = "it can be started only when ASSIGNED";
      break;
    case v1::SERVICE_REQUEST_STATUS_DELIVERED:
      allowed = from == v1::SERVICE_REQUEST_STATUS_IN_PROGRESS;
      need = "it can be marked delivered only when IN_PROGRESS";
      break;
    case v1::SERVICE_REQUEST_STATUS_CONFIRMED:
      allowed = from == v1::SERVICE_REQUEST_STATUS_DELIVERED;
      need = "it can be confirmed only when DELIVERED";
      break;
    case v1::SERVICE_REQUEST_STATUS_CANCELLED:
      allowed = from == v1::SERVICE_REQUEST_STATUS_OPEN ||
                from == v1::SERVICE_REQUEST_STATUS_ASSIGNED ||
                from == v1::SERVICE_REQUEST_STATUS_IN_PROGRESS;
      need = "it can be cancelled only before it is DELIVERED";
      break;
    default:
      need = "no change leads to that status";
      break;
  }
  if (allowed) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the service request is ", StatusName(from), "; ", need));
}

bool IsRepeatedTransition(const v1::ServiceRequest& current, ServiceRequestStatus to,
                          absl::string_view volunteer_id) {
  if (current.status() != to) return false;
  return to != v1::SERVICE_REQUEST_STATUS_ASSIGNED || current.volunteer_id() == volunteer_id;
}

v1::VolunteerView ToVolunteerView(const v1::ServiceRequest& r) {
  v1::VolunteerView out;
  out.set_request_id(r.request_id());
  out.set_kind(r.kind());
  out.set_items(r.items());
  out.set_contact_name(r.contact_name());
  out.set_delivery_address(r.delivery_address());
  if (r.status() == v1::SERVICE_REQUEST_STATUS_ASSIGNED ||
      r.status() == v1::SERVICE_REQUEST_STATUS_IN_PROGRESS) {
    out.set_phone(r.phone());
  }
  out.set_status(r.status());
  if (r.has_create_time()) *out.mutable_create_time() = r.create_time();
  if (r.has_assign_time()) *out.mutable_assign_time() = r.assign_time();
  if (r.has_start_time()) *out.mutable_start_time() = r.start_time();
  if (r.has_deliver_time()) *out.mutable_deliver_time() = r.deliver_time();
  out.set_delivery_note(r.delivery_note());
  if (r.has_confirm_time()) *out.mutable_confirm_time() = r.confirm_time();
  if (r.has_cancel_time()) *out.mutable_cancel_time() = r.cancel_time();
  return out;
}

}  // namespace fangxian::quarantine
