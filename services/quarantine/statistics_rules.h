// The rules of quarantine statistics that need neither a database nor a caller: the
// request checks, which child area a record counts under, and the compliance ratio.
// Unit-tested.
#ifndef FANGXIAN_SERVICES_QUARANTINE_STATISTICS_RULES_H_
#define FANGXIAN_SERVICES_QUARANTINE_STATISTICS_RULES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fangxian/quarantine/v1/statistics.pb.h"

namespace fangxian::quarantine {

// Longest range of GetDailyFigures, in days.
inline constexpr int kMaxFigureDays = 92;
// Most sweeps a summary reports (the newest).
inline constexpr int kMaxSummarySweeps = 50;

// GetDailyFigures' input: area_code a dotted path; from_date and to_date real days
// (YYYY-MM-DD), from_date <= to_date, at most 92 days, to_date not after `today`.
// INVALID_ARGUMENT naming the field otherwise. The scope check is the caller's.
absl::Status ValidateDailyFigures(const v1::GetDailyFiguresRequest& request, absl::CivilDay today,
                                  absl::CivilDay* from, absl::CivilDay* to);

// GetSummary's input: area_code a dotted path.
absl::Status ValidateSummary(const v1::GetSummaryRequest& request);

// The direct child of `area` that `path` lies in ("a.b" and "a.b.c.d" give "a.b.c"), or
// `area` itself for `path` == `area` or a path not below it.
std::string ChildAreaOf(absl::string_view area, absl::string_view path);

// done / expected, 0 when nothing was expected.
double Compliance(int64_t done, int64_t expected);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_STATISTICS_RULES_H_
