#include "services/publicity/statistics_rules.h"

#include "common/validate.h"

namespace fangxian::publicity {

absl::Status ValidateFiguresRequest(const v1::GetPublicityFiguresRequest& request,
                                    absl::CivilDay* start, absl::CivilDay* end) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  return common::ParseDayRange("from_date", request.from_date(), "to_date", request.to_date(),
                               kMaxFigurePeriodDays, start, end);
}

}  // namespace fangxian::publicity
