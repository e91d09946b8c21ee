#include "services/checkpoint/passage_rules.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/plate.h"
#include "common/validate.h"

namespace fangxian::checkpoint {
namespace {

// Longest ID number or pass token looked at before identity validates it.
constexpr size_t kMaxIdNumberBytes = 32;
constexpr size_t kMaxPassTokenBytes = 512;
constexpr size_t kMaxVisitorNameChars = 64;
constexpr size_t kMaxDestinationChars = 100;
constexpr size_t kMaxVisitReasonChars = 200;

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(std::string(message));
}

absl::Status ValidateTemperature(const v1::RecordPassageRequest& r, bool person,
                                 std::optional<int>* tenths) {
  if (!person) {
    if (r.has_temperature_celsius()) {
      return Invalid("temperature_celsius is given but no person is passing; leave it out");
    }
    return absl::OkStatus();
  }
  if (!r.has_temperature_celsius()) {
    return Invalid("temperature_celsius is required when a person passes: measure it");
  }
  const double t = r.temperature_celsius();
  if (!std::isfinite(t)) return Invalid("temperature_celsius is not a number: measure again");
  if (t < kMinReadingCelsius || t > kMaxReadingCelsius) {
    return Invalid(absl::StrFormat(
        "temperature_celsius %.1f is outside %.1f-%.1f °C, a measuring error: measure again", t,
        kMinReadingCelsius, kMaxReadingCelsius));
  }
  *tenths = static_cast<int>(std::lround(t * 10));
  return absl::OkStatus();
}

absl::Status ValidatePerson(const v1::RecordPassageRequest& r, PersonKind* kind) {
  switch (r.person_case()) {
    case v1::RecordPassageRequest::PERSON_NOT_SET:
      *kind = PersonKind::kNone;
      return absl::OkStatus();
    case v1::RecordPassageRequest::kPassToken:
      *kind = PersonKind::kPassToken;
      if (r.pass_token().empty() || r.pass_token().size() > kMaxPassTokenBytes) {
        return Invalid("pass_token is empty or far too long: scan the pass again");
      }
      return absl::OkStatus();
    case v1::RecordPassageRequest::kIdNumber:
      *kind = PersonKind::kIdNumber;
      if (r.id_number().empty() || r.id_number().size() > kMaxIdNumberBytes) {
        return Invalid("id_number must be the 18-character (or 15-digit) ID card number");
      }
      return absl::OkStatus();
    case v1::RecordPassageRequest::kVisitor: {
      *kind = PersonKind::kVisitor;
      const v1::VisitorRegistration& v = r.visitor();
      if (auto s = common::RequireText("visitor.name", v.name(), kMaxVisitorNameChars); !s.ok()) {
        return s;
      }
      if (v.id_number().empty() || v.id_number().size() > kMaxIdNumberBytes) {
        return Invalid("visitor.id_number must be the 18-character (or 15-digit) ID card number");
      }
      if (auto s =
              common::RequireText("visitor.destination", v.destination(), kMaxDestinationChars);
          !s.ok()) {
        return s;
      }
      return common::RequireText("visitor.reason", v.reason(), kMaxVisitReasonChars);
    }
  }
  return Invalid("person is not one of pass_token, id_number or visitor");
}

absl::Status ValidateVehicle(const v1::RecordPassageRequest& r, ValidPassage* out) {
  if (!r.has_vehicle()) return absl::OkStatus();
  out->vehicle = true;
  const v1::VehicleAtGate& v = r.vehicle();
  if (!v1::VehicleExemption_IsValid(v.exemption())) {
    return Invalid("vehicle.exemption must be AMBULANCE, POLICE, FIRE, SUPPLIES or unset");
  }
  out->exemption = v.exemption();
  const bool exempt = v.exemption() != v1::VEHICLE_EXEMPTION_UNSPECIFIED;
  if (exempt && v.plate().empty()) return absl::OkStatus();
  absl::StatusOr<std::string> plate = common::NormalizePlate("vehicle.plate", v.plate());
  if (!plate.ok()) return plate.status();
  out->plate = *std::move(plate);
  return absl::OkStatus();
}

absl::Status ValidateClientTime(const v1::RecordPassageRequest& r, absl::Time now,
                                absl::Duration max_replay, absl::Time* out) {
  if (!r.has_client_time()) {
    return Invalid("client_time is required: the device's time of the reading");
  }
  absl::StatusOr<absl::Time> client_time = common::RequireTimestamp("client_time", r.client_time());
  if (!client_time.ok()) return client_time.status();
  *out = *client_time;
  if (*out > now + kMaxClientSkew) {
    return Invalid(
        "client_time is more than 5 minutes ahead of the server clock: correct the device clock");
  }
  if (*out < now - max_replay) {
    return Invalid(absl::StrCat("client_time is older than ", absl::ToInt64Hours(max_replay),
                                " hours, beyond the offline replay window; record it on paper"));
  }
  return absl::OkStatus();
}

void Add(std::vector<v1::Reason>& reasons, v1::Reason r) { reasons.push_back(r); }

v1::Decision Worse(v1::Decision a, v1::Decision b) {
  // DENY over REFER over ADMIT.
  const auto rank = [](v1::Decision d) {
    return d == v1::DECISION_DENY ? 2 : d == v1::DECISION_REFER ? 1 : 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

bool IsValidPassageRequestId(absl::string_view request_id) {
  if (request_id.empty() || request_id.size() > kMaxRequestIdChars) return false;
  return std::all_of(request_id.begin(), request_id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

absl::StatusOr<ValidPassage> ValidateRecordPassage(const v1::RecordPassageRequest& request,
                                                   absl::Time now, absl::Duration max_replay) {
  if (auto s = common::RequireUuid("checkpoint_id", request.checkpoint_id()); !s.ok()) return s;
  if (!IsValidPassageRequestId(request.request_id())) {
    return Invalid(
        "request_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', "
        "unique per checkpoint");
  }
  if (request.direction() != v1::DIRECTION_IN && request.direction() != v1::DIRECTION_OUT) {
    return Invalid("direction is required: IN or OUT");
  }
  ValidPassage out;
  if (auto s = ValidatePerson(request, &out.person); !s.ok()) return s;
  if (auto s = ValidateVehicle(request, &out); !s.ok()) return s;
  if (out.person == PersonKind::kNone && !out.vehicle) {
    return Invalid(
        "a passage needs a person (pass_token, id_number or visitor) or a vehicle, or both");
  }
  if (auto s =
          ValidateTemperature(request, out.person != PersonKind::kNone, &out.temperature_tenths);
      !s.ok()) {
    return s;
  }
  if (auto s = ValidateClientTime(request, now, max_replay, &out.client_time); !s.ok()) return s;
  return out;
}

bool NeedsVehicleCheck(v1::Direction direction, bool vehicle, v1::VehicleExemption exemption) {
  return vehicle && direction == v1::DIRECTION_IN && exemption == v1::VEHICLE_EXEMPTION_UNSPECIFIED;
}

PassageDecision Decide(const PassageFacts& f) {
  PassageDecision d;
  d.decision = v1::DECISION_ADMIT;
  if (f.temperature_tenths && *f.temperature_tenths >= kFeverTenths) {
    d.decision = Worse(d.decision, v1::DECISION_REFER);
    Add(d.reasons, v1::REASON_FEVER);
    d.alerts.push_back(AlertKind::kFever);
  }
  switch (f.person) {
    case PersonOutcome::kNone:
      break;
    case PersonOutcome::kUnknownIdNumber:
      d.decision = Worse(d.decision, v1::DECISION_DENY);
      Add(d.reasons, v1::REASON_REGISTRATION_REQUIRED);
      d.alerts.push_back(AlertKind::kUnknownPerson);
      break;
    case PersonOutcome::kInvalidPass:
      d.decision = Worse(d.decision, v1::DECISION_DENY);
      Add(d.reasons, v1::REASON_PASS_INVALID);
      d.alerts.push_back(AlertKind::kUnknownPerson);
      break;
    case PersonOutcome::kKnown:
      switch (f.colour) {
        case v1::PASS_COLOUR_GREEN:
          break;
        case v1::PASS_COLOUR_RED:
          // Someone who should be isolating is not let out; coming in, the cadre decides.
          d.decision = Worse(d.decision, f.direction == v1::DIRECTION_OUT ? v1::DECISION_DENY
                                                                          : v1::DECISION_REFER);
          Add(d.reasons, v1::REASON_RED_PASS);
          d.alerts.push_back(AlertKind::kRedPass);
          break;
        case v1::PASS_COLOUR_YELLOW:
          d.decision = Worse(d.decision, v1::DECISION_REFER);
          Add(d.reasons, v1::REASON_YELLOW_PASS);
          break;
        default:
          // Never a silent ADMIT on an unknown colour.
          d.decision = Worse(d.decision, v1::DECISION_REFER);
          Add(d.reasons, v1::REASON_STATUS_UNAVAILABLE);
          break;
      }
      if (f.visitor_registered) Add(d.reasons, v1::REASON_VISITOR_REGISTERED);
      break;
  }
  if (f.vehicle) {
    if (f.exemption != v1::VEHICLE_EXEMPTION_UNSPECIFIED) {
      Add(d.reasons, v1::REASON_VEHICLE_EXEMPT);
    } else if (NeedsVehicleCheck(f.direction, f.vehicle, f.exemption) && !f.vehicle_registered) {
      d.decision = Worse(d.decision, v1::DECISION_DENY);
      Add(d.reasons, v1::REASON_OUTSIDE_VEHICLE);
      d.alerts.push_back(AlertKind::kOutsideVehicle);
    }
  }
  std::sort(d.reasons.begin(), d.reasons.end());
  d.reasons.erase(std::unique(d.reasons.begin(), d.reasons.end()), d.reasons.end());
  std::sort(d.alerts.begin(), d.alerts.end());
  d.alerts.erase(std::unique(d.alerts.begin(), d.alerts.end()), d.alerts.end());
  return d;
}

}  // namespace fangxian::checkpoint
