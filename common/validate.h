// Field validation shared by the services. Every failure is INVALID_ARGUMENT with a
// message that names the field and says what is accepted, so a caller can fix it.
#ifndef FANGXIAN_COMMON_VALIDATE_H_
#define FANGXIAN_COMMON_VALIDATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace fangxian::common {

// Canonical lower-case UUID text (8-4-4-4-12 hex).
bool IsUuid(absl::string_view s);
absl::Status RequireUuid(absl::string_view field, absl::string_view value);

// Valid UTF-8, no control characters, 1..max_chars characters (code points) when
// required, 0..max_chars otherwise.
absl::Status RequireText(absl::string_view field, absl::string_view value, size_t max_chars,
                         bool required = true);
// As RequireText, but tabs and line breaks (\t, \n, \r) are allowed: letters and other
// text laid out in lines.
absl::Status RequireMultilineText(absl::string_view field, absl::string_view value,
                                  size_t max_chars, bool required = true);

// A dotted area path (see IsValidAreaPath in common/auth.h).
absl::Status RequireAreaPath(absl::string_view field, absl::string_view value);
absl::Status RequireAreaPaths(absl::string_view field,
                              const google::protobuf::RepeatedPtrField<std::string>& values,
                              size_t max_count);

// A google.protobuf.Timestamp that names a real instant: seconds from
// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, nanos 0..999,999,999.
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);
// `ts` as an absl::Time (to the nanosecond); INVALID_ARGUMENT naming `field` when it is
// not IsValidTimestamp. Callers check their own bounds (not in the future, ...) after.
absl::StatusOr<absl::Time> RequireTimestamp(absl::string_view field,
                                            const google::protobuf::Timestamp& ts);

// The calendar day in China Standard Time (UTC+8, no daylight saving): the "today" of
// birth dates, arrival dates and isolation periods.
absl::CivilDay ChinaToday(absl::Time now);
// China Standard Time itself, and the moment China day `day` starts (00:00 China time;
// `day + 1` gives its end): checkpoint shifts, check-in slots, isolation days.
absl::TimeZone ChinaTimeZone();
absl::Time ChinaDayStart(absl::CivilDay day);

// Strictly "YYYY-MM-DD" naming a real day (2023-02-29 is refused, not rolled over).
bool ParseIsoDate(absl::string_view s, absl::CivilDay* day);

// A period of days given as two "YYYY-MM-DD" fields (the request fields `from_field` and
// `to_field`): both real days (ParseIsoDate), from <= to, and at most `max_days` days
// counting both ends. INVALID_ARGUMENT naming the field and saying what is accepted
// otherwise; on success the days are stored in `from_day` and `to_day` (left alone on
// failure). Callers add their own rules after (e.g. "not after today").
absl::Status ParseDayRange(absl::string_view from_field, absl::string_view from,
                           absl::string_view to_field, absl::string_view to, int max_days,
                           absl::CivilDay* from_day, absl::CivilDay* to_day);

// Number of UTF-8 code points, or -1 if `s` is not valid UTF-8.
int64_t Utf8Length(absl::string_view s);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_VALIDATE_H_
