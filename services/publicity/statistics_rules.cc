#include "services/publicity/statistics_rules.h"

#include "absl/strings/str_cat.h"
#include "common/validate.h"

namespace fangxian::publicity {

absl::Status ValidateFiguresRequest(const v1::GetPublicityFiguresRequest& request,
                                    absl::CivilDay* start, absl::CivilDay* end) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  if (!common::ParseIsoDate(request.from_date(), start)) {
    return absl::InvalidArgumentError("from_date must be a real day written YYYY-MM-DD");
  }
  if (!common::ParseIsoDate(request.to_date(), end)) {
    return absl::InvalidArgumentError("to_date must be a real day written YYYY-MM-DD");
  }
  if (*end < *start) return absl::InvalidArgumentError("to_date must not be before from_date");
  if (*end - *start >= kMaxFigurePeriodDays) {
    return absl::InvalidArgumentError(absl::StrCat("from_date..to_date spans more than ",
                                                   kMaxFigurePeriodDays,
                                                   " days; ask for a shorter period"));
  }
  return absl::OkStatus();
}

}  // namespace fangxian::publicity
