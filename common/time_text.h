// Text forms of days and times shared by the services: the API's dates and the time
// parameters and event fields written as text.
#ifndef FANGXIAN_COMMON_TIME_TEXT_H_
#define FANGXIAN_COMMON_TIME_TEXT_H_

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace fangxian::common {

// "YYYY-MM-DD" (the inverse of ParseIsoDate in common/validate.h).
std::string IsoDate(absl::CivilDay day);

// RFC 3339 in UTC with exactly six fractional digits ("2026-03-05T16:00:00.000000Z"): a
// timestamptz parameter exact to PostgreSQL's microsecond, or an event's time field.
// Finer digits are cut, as absl::ToUnixMicros cuts them.
std::string Rfc3339Micros(absl::Time t);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_TIME_TEXT_H_
