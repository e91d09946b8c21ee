#include "services/quarantine/statistics_rules.h"

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/time_text.h"
#include "common/validate.h"

namespace fangxian::quarantine {

absl::Status ValidateDailyFigures(const v1::GetDailyFiguresRequest& request, absl::CivilDay today,
                                  absl::CivilDay* from, absl::CivilDay* to) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  if (auto s = common::ParseDayRange("from_date", request.from_date(), "to_date", request.to_date(),
                                     kMaxFigureDays, from, to);
      !s.ok()) {
    return s;
  }
  if (*to > today) {
    return absl::InvalidArgumentError(absl::StrCat("to_date is in the future (today is ",
                                                   common::IsoDate(today), " China time)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateSummary(const v1::GetSummaryRequest& request) {
  return common::RequireAreaPath("area_code", request.area_code());
}

std::string ChildAreaOf(absl::string_view area, absl::string_view path) {
  if (path.size() <= area.size() + 1 || !common::AreaWithin(path, area)) {
    return std::string(area);
  }
  const absl::string_view rest = path.substr(area.size() + 1);
  return absl::StrCat(area, ".", rest.substr(0, rest.find('.')));
}

double Compliance(int64_t done, int64_t expected) {
  if (expected <= 0) return 0;
  return static_cast<double>(done) / static_cast<double>(expected);
}

}  // namespace fangxian::quarantine
