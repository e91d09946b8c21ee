// The request rules of the publicity statistics that need neither a database nor a
// caller. Unit-tested (tests/unit/publicity_materials_rules_test.cc).
#ifndef FANGXIAN_SERVICES_PUBLICITY_STATISTICS_RULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_STATISTICS_RULES_H_

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "fangxian/publicity/v1/statistics.pb.h"

namespace fangxian::publicity {

// Longest period of GetPublicityFigures, in days (a leap year).
inline constexpr int kMaxFigurePeriodDays = 366;

// GetPublicityFigures' input: area_code a dotted path; from_date and to_date real days
// (YYYY-MM-DD), from_date <= to_date, at most 366 days inclusive. INVALID_ARGUMENT naming
// the field otherwise; on success the days are stored in `start` and `end`. The scope
// check is the caller's.
absl::Status ValidateFiguresRequest(const v1::GetPublicityFiguresRequest& request,
                                    absl::CivilDay* start, absl::CivilDay* end);

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_STATISTICS_RULES_H_
