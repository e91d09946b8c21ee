#include "services/quarantine/isolation_rules.h"

#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "common/validate.h"

namespace fangxian::quarantine {
namespace {

absl::Status PeriodInRange(absl::string_view field, int days) {
  if (days < kMinPeriodDays || days > kMaxPeriodDays) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be from ", kMinPeriodDays, " to ",
                                                   kMaxPeriodDays, " days, got ", days));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateReason(const std::string& reason) {
  return common::RequireText("reason", reason, kMaxReasonChars);
}

absl::StatusOr<NewOrder> ValidateNewOrder(const v1::CreateIsolationOrderRequest& req,
                                          const IsolationDefaults& defaults, absl::CivilDay today) {
  if (auto s = common::RequireUuid("household_id", req.household_id()); !s.ok()) return s;
  NewOrder out;
  out.household_id = req.household_id();
  if (req.start_date().empty()) {
    return absl::InvalidArgumentError("start_date is required (YYYY-MM-DD, China day)");
  }
  if (!common::ParseIsoDate(req.start_date(), &out.start_date)) {
    return absl::InvalidArgumentError("start_date must be a real day as YYYY-MM-DD");
  }
  const absl::CivilDay earliest = today - kMaxStartDaysPast;
  const absl::CivilDay latest = today + kMaxStartDaysAhead;
  if (out.start_date < earliest || out.start_date > latest) {
    return absl::InvalidArgumentError(
        absl::StrCat("start_date must be from ", common::IsoDate(earliest), " to ",
                     common::IsoDate(latest), " (at most ", kMaxStartDaysPast,
                     " days before today, China time, and ", kMaxStartDaysAhead, " after)"));
  }
  out.period_days = req.period_days() == 0 ? defaults.period_days : req.period_days();
  if (auto s = PeriodInRange("period_days", out.period_days); !s.ok()) return s;
  out.checkins_per_day =
      req.checkins_per_day() == 0 ? defaults.checkins_per_day : req.checkins_per_day();
  if (out.checkins_per_day < kMinCheckInsPerDay || out.checkins_per_day > kMaxCheckInsPerDay) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkins_per_day must be from ", kMinCheckInsPerDay, " to ", kMaxCheckInsPerDay,
        " (0 means ", defaults.checkins_per_day, "), got ", req.checkins_per_day()));
  }
  if (auto s = ValidateReason(req.reason()); !s.ok()) return s;
  out.reason = req.reason();
  return out;
}

absl::StatusOr<int> RequestedPeriod(const v1::ChangeIsolationPeriodRequest& req,
                                    absl::CivilDay start_date) {
  if (auto s = common::RequireUuid("order_id", req.order_id()); !s.ok()) return s;
  const bool by_days = req.period_days() != 0;
  const bool by_end = !req.end_date().empty();
  if (by_days == by_end) {
    return absl::InvalidArgumentError(
        "give either period_days (1 to 60) or end_date (YYYY-MM-DD), not both");
  }
  int days = req.period_days();
  if (by_end) {
    absl::CivilDay end;
    if (!common::ParseIsoDate(req.end_date(), &end)) {
      return absl::InvalidArgumentError("end_date must be a real day as YYYY-MM-DD");
    }
    if (end <= start_date) {
      return absl::InvalidArgumentError(
          absl::StrCat("end_date must be after the order's start_date ",
                       common::IsoDate(start_date), ": an order cannot end before it starts"));
    }
    days = static_cast<int>(end - start_date);
    if (days > kMaxPeriodDays) {
      return absl::InvalidArgumentError(
          absl::StrCat("end_date must be at most ", kMaxPeriodDays, " days after start_date (",
                       common::IsoDate(start_date + kMaxPeriodDays), " at the latest)"));
    }
  } else if (days < kMinPeriodDays) {
    return absl::InvalidArgumentError(absl::StrCat("period_days must be from ", kMinPeriodDays,
                                                   " to ", kMaxPeriodDays, ", got ", days,
                                                   ": an order cannot end before it starts"));
  } else if (auto s = PeriodInRange("period_days", days); !s.ok()) {
    return s;
  }
  if (auto s = ValidateReason(req.reason()); !s.ok()) return s;
  return days;
}

v1::IsolationOrderState OrderState(absl::CivilDay start_date, absl::CivilDay end_date,
                                   bool released, absl::CivilDay today) {
  if (released) return v1::ISOLATION_ORDER_STATE_RELEASED;
  if (start_date > today) return v1::ISOLATION_ORDER_STATE_SCHEDULED;
  if (end_date <= today) return v1::ISOLATION_ORDER_STATE_DUE_FOR_RELEASE;
  return v1::ISOLATION_ORDER_STATE_ACTIVE;
}

absl::Status ValidateNewTemplate(const v1::CreateLetterTemplateRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (auto s = common::RequireText("title", req.title(), kMaxTitleChars); !s.ok()) return s;
  return common::RequireMultilineText("body", req.body(), kMaxBodyChars);
}

absl::Status ValidateRevision(const v1::ReviseLetterTemplateRequest& req) {
  if (auto s = common::RequireUuid("template_id", req.template_id()); !s.ok()) return s;
  if (auto s = common::RequireMultilineText("body", req.body(), kMaxBodyChars); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireText("title", req.title(), kMaxTitleChars, /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (auto s = common::RequireText("change_note", req.change_note(), kMaxChangeNoteChars,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (req.base_version() < 0) {
    return absl::InvalidArgumentError(
        "base_version must be the version you revised (1 or more), or 0 to skip the check");
  }
  return absl::OkStatus();
}

absl::Status ValidateSigning(const v1::RecordLetterSigningRequest& req, absl::Time now) {
  if (auto s = common::RequireUuid("household_id", req.household_id()); !s.ok()) return s;
  if (!req.order_id().empty()) {
    if (auto s = common::RequireUuid("order_id", req.order_id()); !s.ok()) return s;
  }
  if (auto s = common::RequireUuid("template_id", req.template_id()); !s.ok()) return s;
  if (req.template_version() < 1) {
    return absl::InvalidArgumentError("template_version is required (1 or more)");
  }
  if (auto s = common::RequireText("signer_name", req.signer_name(), kMaxPersonNameChars);
      !s.ok()) {
    return s;
  }
  if (!req.has_signed_at()) return absl::InvalidArgumentError("signed_at is required");
  absl::StatusOr<absl::Time> at = common::RequireTimestamp("signed_at", req.signed_at());
  if (!at.ok() || *at < absl::UnixEpoch() || *at > now + kSignedAtSkew) {
    return absl::InvalidArgumentError(
        absl::StrCat("signed_at must be a valid time not in the future (now is ",
                     common::Rfc3339Micros(now), ")"));
  }
  if (req.delivery() == v1::LETTER_DELIVERY_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "delivery is required: IN_PERSON, PHONE, MESSAGE or THIRD_PARTY");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::LetterDelivery_IsValid(req.delivery())) {
    return absl::InvalidArgumentError("delivery must be IN_PERSON, PHONE, MESSAGE or THIRD_PARTY");
  }
  if (req.delivery() == v1::LETTER_DELIVERY_THIRD_PARTY) {
    return common::RequireText("third_party_name", req.third_party_name(), kMaxPersonNameChars);
  }
  if (!req.third_party_name().empty()) {
    return absl::InvalidArgumentError(
        "third_party_name is only for delivery THIRD_PARTY; leave it empty");
  }
  return absl::OkStatus();
}

}  // namespace fangxian::quarantine
