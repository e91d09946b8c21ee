// The input rules of isolation orders and commitment letters that need neither a
// database nor a caller (unit-tested): each returns INVALID_ARGUMENT naming the field and
// what is accepted, or the normalised value.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ISOLATION_RULES_H_
#define FANGXIAN_SERVICES_QUARANTINE_ISOLATION_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fangxian/quarantine/v1/isolation.pb.h"

namespace fangxian::quarantine {

inline constexpr int kMinPeriodDays = 1;
inline constexpr int kMaxPeriodDays = 60;
inline constexpr int kMinCheckInsPerDay = 1;
inline constexpr int kMaxCheckInsPerDay = 6;
// How far from today (China day) an order may start.
inline constexpr int kMaxStartDaysPast = 7;
inline constexpr int kMaxStartDaysAhead = 30;
inline constexpr size_t kMaxReasonChars = 200;
inline constexpr size_t kMaxTitleChars = 100;
inline constexpr size_t kMaxBodyChars = 20000;
inline constexpr size_t kMaxChangeNoteChars = 200;
inline constexpr size_t kMaxPersonNameChars = 50;
// Clock skew tolerated on a signing time from a field device.
inline constexpr absl::Duration kSignedAtSkew = absl::Minutes(1);
inline constexpr int kDefaultIsolationPageSize = 20;
inline constexpr int kMaxIsolationPageSize = 100;

// Server defaults for what a request leaves at 0 (FX_ISOLATION_DEFAULT_DAYS,
// FX_CHECKINS_PER_DAY).
struct IsolationDefaults {
  int period_days = 14;
  int checkins_per_day = 2;
};

// A CreateIsolationOrder request checked and completed with the defaults.
struct NewOrder {
  std::string household_id;
  absl::CivilDay start_date;
  int period_days = 0;
  int checkins_per_day = 0;
  std::string reason;
};
absl::StatusOr<NewOrder> ValidateNewOrder(const v1::CreateIsolationOrderRequest& req,
                                          const IsolationDefaults& defaults, absl::CivilDay today);

// The period a ChangeIsolationPeriod request asks for, for an order starting on
// `start_date` (its order_id and reason are checked too).
absl::StatusOr<int> RequestedPeriod(const v1::ChangeIsolationPeriodRequest& req,
                                    absl::CivilDay start_date);

// A required reason of 1..200 characters.
absl::Status ValidateReason(const std::string& reason);

// Where an order stands on `today`.
v1::IsolationOrderState OrderState(absl::CivilDay start_date, absl::CivilDay end_date,
                                   bool released, absl::CivilDay today);

absl::Status ValidateNewTemplate(const v1::CreateLetterTemplateRequest& req);
absl::Status ValidateRevision(const v1::ReviseLetterTemplateRequest& req);
// Everything of RecordLetterSigning that needs no lookup; `now` bounds signed_at.
absl::Status ValidateSigning(const v1::RecordLetterSigningRequest& req, absl::Time now);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ISOLATION_RULES_H_
