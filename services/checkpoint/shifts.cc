#include "services/checkpoint/shifts.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fangxian::checkpoint {
namespace {

// "HH:MM" (00:00 to 24:00) to minutes after midnight, or -1.
int ParseClock(absl::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
  int h = 0;
  int m = 0;
  if (!absl::SimpleAtoi(hhmm.substr(0, 2), &h) || !absl::SimpleAtoi(hhmm.substr(3, 2), &m)) {
    return -1;
  }
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

absl::StatusOr<ShiftPattern> ShiftPattern::Parse(absl::string_view text) {
  ShiftPattern pattern;
  int expected_start = 0;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> ends = absl::StrSplit(part, '-');
    const int start = ends.size() == 2 ? ParseClock(ends[0]) : -1;
    const int end = ends.size() == 2 ? ParseClock(ends[1]) : -1;
    if (start < 0 || end < 0) {
      return absl::InvalidArgumentError(absl::StrCat("shift \"", part, "\" is not HH:MM-HH:MM"));
    }
    if (start != expected_start) {
      return absl::InvalidArgumentError(
          absl::StrCat("shift \"", part, "\" must start where the previous one ends (",
                       expected_start / 60, ":", expected_start % 60 < 10 ? "0" : "",
                       expected_start % 60, "); the first starts at 00:00"));
    }
    if (end - start < 30) {
      return absl::InvalidArgumentError(
          absl::StrCat("shift \"", part, "\" is shorter than 30 minutes"));
    }
    pattern.starts_.push_back(start);
    expected_start = end;
  }
  if (expected_start != 24 * 60) {
    return absl::InvalidArgumentError("the last shift must end at 24:00");
  }
  if (pattern.starts_.size() > 12) {
    return absl::InvalidArgumentError("at most 12 shifts a day");
  }
  return pattern;
}

ShiftPattern::Slot ShiftPattern::Of(absl::CivilDay day, int shift) const {
  const absl::Time midnight = ChinaDayStart(day);
  return Slot{day, shift, midnight + absl::Minutes(StartMinute(shift)),
              midnight + absl::Minutes(EndMinute(shift))};
}

ShiftPattern::Slot ShiftPattern::At(absl::Time t) const {
  const absl::CivilSecond local = absl::ToCivilSecond(t, ChinaTimeZone());
  const int minute = local.hour() * 60 + local.minute();
  int shift = 1;
  while (shift < count() && minute >= EndMinute(shift)) ++shift;
  return Of(absl::CivilDay(local), shift);
}

}  // namespace fangxian::checkpoint
