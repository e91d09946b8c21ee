// The rules of health check-ins and "love knocking" service requests that need neither a
// database nor a caller: input validation, what makes a check-in abnormal, which slots of
// a day are expected, and the service request status machine. Unit-tested.
#ifndef FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_RULES_H_
#define FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fangxian/quarantine/v1/check_ins.pb.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"

namespace fangxian::quarantine {

// Temperatures are kept in tenths of a degree: 34.0 .. 43.0 °C, abnormal from 37.3 °C.
inline constexpr int kMinTemperatureTenths = 340;
inline constexpr int kMaxTemperatureTenths = 430;
inline constexpr int kFeverTenths = 373;
inline constexpr size_t kMaxCheckInNoteChars = 500;
inline constexpr int kMaxCheckInListDays = 31;

// The temperature in tenths of a degree, rounded half away from zero; INVALID_ARGUMENT
// ("measure again") outside 34.0 .. 43.0 or not a number.
absl::StatusOr<int> TemperatureTenths(double celsius);
// "37.5" for 375: the numeric text PostgreSQL stores.
std::string TenthsText(int tenths);

// The input rules of RecordCheckIn: resident_id a UUID, the temperature (returned in
// tenths), symptoms known and each at most once, note at most 500 characters.
absl::StatusOr<int> ValidateCheckIn(const v1::RecordCheckInRequest& req);

// Abnormal: a temperature of 37.3 °C or more, or any symptom.
bool IsAbnormal(int temperature_tenths, size_t symptom_count);

// The slots of China day `day` (on or after the order's start_date; of an order with
// `per_day` slots a day) a member was expected to fill by `now`: those that have ended by
// now, are owed (SlotOwed: began once the order had been made, `order_created`) and, for
// a released order, ended by its release. Ascending.
std::vector<int> ExpectedSlots(absl::CivilDay day, int per_day, absl::Time now,
                               absl::Time order_created, std::optional<absl::Time> released);

// How many of `expected` appear in `filled`.
int FilledCount(const std::vector<int>& expected, const std::vector<int>& filled);

// ListCheckIns' day range: both dates YYYY-MM-DD, to >= from, at most 31 days.
absl::Status ParseDayRange(absl::string_view from_text, absl::string_view to_text,
                           absl::CivilDay* from, absl::CivilDay* to);

// --- "Love knocking" service requests ---

inline constexpr size_t kMaxItemsChars = 500;
inline constexpr size_t kMaxContactNameChars = 50;
inline constexpr size_t kMaxDeliveryAddressChars = 200;
inline constexpr size_t kMaxServiceNoteChars = 500;

// A contact number: 5 to 20 characters of digits, spaces and '-', optionally a leading
// '+', with at least 5 digits (mobiles and village landlines alike).
bool IsContactPhone(absl::string_view phone);

// The input rules of CreateServiceRequest (fields of `in`, named "request.<field>").
absl::Status ValidateNewServiceRequest(const v1::ServiceRequest& in);

// "OPEN", "ASSIGNED", ... (for messages).
std::string StatusName(v1::ServiceRequestStatus status);

// OK when a request in `from` may move to `to`: OPEN/ASSIGNED → ASSIGNED, ASSIGNED →
// IN_PROGRESS, IN_PROGRESS → DELIVERED, DELIVERED → CONFIRMED, OPEN/ASSIGNED/IN_PROGRESS
// → CANCELLED. Otherwise FAILED_PRECONDITION naming the current status.
absl::Status CheckTransition(v1::ServiceRequestStatus from, v1::ServiceRequestStatus to);

// True when moving `current` to `to` (with `volunteer_id` for ASSIGNED) repeats the
// transition that brought it where it is: it is in `to` already and, for ASSIGNED, with
// that volunteer. A retried call then gets the request as it is, nothing written; a
// reassignment to another volunteer is a real change, not a repeat.
bool IsRepeatedTransition(const v1::ServiceRequest& current, v1::ServiceRequestStatus to,
                          absl::string_view volunteer_id);

// The volunteer's view of a request: only what the delivery needs; the phone only while
// the volunteer works on it (ASSIGNED or IN_PROGRESS).
v1::VolunteerView ToVolunteerView(const v1::ServiceRequest& request);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_RULES_H_
