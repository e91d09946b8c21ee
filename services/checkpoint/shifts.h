// The duty shifts of a day ("24-hour duty in 3 shifts"): a pattern of contiguous shifts that
// starts at 00:00 and ends at 24:00 China time (UTC+8), and which shift a moment falls in.
// Configured once per service (FX_CHECKPOINT_SHIFTS, default "00:00-08:00,08:00-16:00,
// 16:00-24:00"); shifts are numbered from 1 in the order of the day.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_SHIFTS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_SHIFTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/validate.h"

namespace fangxian::checkpoint {

inline constexpr char kDefaultShiftPattern[] = "00:00-08:00,08:00-16:00,16:00-24:00";

class ShiftPattern {
 public:
  // "HH:MM-HH:MM,..." — the first shift starts at 00:00, each starts where the previous
  // ended, the last ends at 24:00; 1 to 12 shifts, each at least 30 minutes.
  // INVALID_ARGUMENT saying what is wrong.
  static absl::StatusOr<ShiftPattern> Parse(absl::string_view text);

  int count() const { return static_cast<int>(starts_.size()); }
  // Minutes after midnight (China time) at which shift `shift` (1-based) starts and ends.
  int StartMinute(int shift) const { return starts_[shift - 1]; }
  int EndMinute(int shift) const { return shift == count() ? 24 * 60 : starts_[shift]; }

  struct Slot {
    absl::CivilDay day;  // China calendar day
    int shift = 0;       // 1-based
    absl::Time start;
    absl::Time end;
  };
  // The shift `t` falls in.
  Slot At(absl::Time t) const;
  // Shift `shift` of `day` (shift must be within 1..count()).
  Slot Of(absl::CivilDay day, int shift) const;

 private:
  std::vector<int> starts_;  // minutes after midnight, ascending, starts_[0] == 0
};

// Days and shifts are counted in China Standard Time (common/validate.h).
using common::ChinaDayStart;
using common::ChinaTimeZone;

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_SHIFTS_H_
