#include "services/publicity/loudspeaker_rules.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/auth.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

// Windows are looked at this many China days ahead (today included): a week, plus a day
// so that a window continuing past the week's last day is not cut at an arbitrary point.
constexpr int kHorizonDays = 9;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// ISO weekday of a China day: 1 Monday .. 7 Sunday.
int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;
}

struct Interval {
  absl::Time begin;
  absl::Time end;  // exclusive
};

// When the entry plays from the start of `today` to the horizon: its daily windows, those
// that meet merged (22:00-24:00 then 00:00-02:00 the next day is one stretch), cut to the
// script's live period.
std::vector<Interval> PlayIntervals(const PlaylistCandidate& c, absl::CivilDay today) {
  std::vector<Interval> merged;
  for (int k = 0; k < kHorizonDays; ++k) {
    const absl::CivilDay day = today + k;
    if ((c.entry.days_mask & (1 << (IsoWeekday(day) - 1))) == 0) continue;
    const absl::Time start = common::ChinaDayStart(day);
    const Interval w{start + absl::Minutes(c.entry.start_minute),
                     start + absl::Minutes(c.entry.end_minute)};
    if (!merged.empty() && merged.back().end >= w.begin) {
      merged.back().end = std::max(merged.back().end, w.end);
    } else {
      merged.push_back(w);
    }
  }
  std::vector<Interval> out;
  for (const Interval& w : merged) {
    Interval cut{std::max(w.begin, c.live->publish_at), w.end};
    if (c.live->expire_at.has_value()) cut.end = std::min(cut.end, *c.live->expire_at);
    if (cut.begin < cut.end) out.push_back(cut);
  }
  return out;
}

}  // namespace

absl::Status ValidateEntries(absl::string_view field,
                             const google::protobuf::RepeatedPtrField<v1::ScheduleEntry>& entries) {
  if (entries.empty() || entries.size() > kMaxScheduleEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": a schedule has 1 to ", kMaxScheduleEntries, " entries, not ",
                     entries.size(), " (split a longer one into several schedules)"));
  }
  for (int i = 0; i < entries.size(); ++i) {
    const v1::ScheduleEntry& e = entries[i];
    const std::string at = absl::StrCat(field, "[", i, "].");
    if (auto s = common::RequireUuid(absl::StrCat(at, "content_id"), e.content_id()); !s.ok()) {
      return s;
    }
    if (e.days().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "days: name at least one day of the week it plays"));
    }
    int mask = 0;
    for (int day : e.days()) {
      if (day < v1::DAY_OF_WEEK_MONDAY || day > v1::DAY_OF_WEEK_SUNDAY) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, "days: ", day, " is not a day of the week (1 Monday to 7 Sunday)"));
      }
      if (mask & (1 << (day - 1))) {
        return absl::InvalidArgumentError(absl::StrCat(at, "days: day ", day, " is repeated"));
      }
      mask |= 1 << (day - 1);
    }
    if (e.start_minute_of_day() < 0 || e.start_minute_of_day() >= kMinutesPerDay) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "start_minute_of_day must be from 0 to 1439 (minutes after 00:00)"));
    }
    if (e.end_minute_of_day() < 1 || e.end_minute_of_day() > kMinutesPerDay) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          "end_minute_of_day must be from 1 to 1440 (1440 is midnight at the day's end); "
          "a window never crosses midnight: split it into two entries"));
    }
    if (e.end_minute_of_day() <= e.start_minute_of_day()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at,
                       "end_minute_of_day must be after start_minute_of_day; a window crossing "
                       "midnight is two entries (until 1440, and from 0 on the following days)"));
    }
    if (e.repeat_interval_minutes() < 0 || e.repeat_interval_minutes() > kMaxRepeatMinutes) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "repeat_interval_minutes must be 0 (play in a loop) or 1 to ", kMaxRepeatMinutes));
    }
    if (e.order() < 0 || e.order() > kMaxEntryOrder) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "order must be from 0 to ", kMaxEntryOrder));
    }
  }
  return absl::OkStatus();
}

bool ScriptReachesSchedule(const std::vector<std::string>& script_areas,
                           const std::vector<std::string>& schedule_areas, bool area_schedule) {
  for (const std::string& area : schedule_areas) {
    if (TargetsArea(script_areas, area)) return true;
    if (!area_schedule) continue;
    for (const std::string& target : script_areas) {
      if (common::AreaWithin(target, area)) return true;
    }
  }
  return false;
}

absl::StatusOr<absl::Time> PlaylistTime(const v1::GetPlaylistRequest& request, absl::Time now) {
  if (!request.has_time()) return now;
  absl::StatusOr<absl::Time> t = common::RequireTimestamp("time", request.time());
  if (!t.ok()) return t.status();
  if (absl::AbsDuration(*t - now) > absl::Hours(kMaxPlaylistOffsetHours)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time must be within ", kMaxPlaylistOffsetHours, " hours of the server's clock (",
        absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()),
        "); leave it unset to ask about now"));
  }
  return *t;
}

EntryRow EntryFromProto(const v1::ScheduleEntry& in) {
  EntryRow row;
  row.content_id = in.content_id();
  for (int day : in.days()) row.days_mask |= 1 << (day - 1);
  row.start_minute = in.start_minute_of_day();
  row.end_minute = in.end_minute_of_day();
  row.repeat_minutes = in.repeat_interval_minutes();
  row.order = in.order();
  return row;
}

v1::ScheduleEntry EntryToProto(const EntryRow& row) {
  v1::ScheduleEntry out;
  out.set_content_id(row.content_id);
  for (int day = v1::DAY_OF_WEEK_MONDAY; day <= v1::DAY_OF_WEEK_SUNDAY; ++day) {
    if (row.days_mask & (1 << (day - 1))) out.add_days(static_cast<v1::DayOfWeek>(day));
  }
  out.set_start_minute_of_day(row.start_minute);
  out.set_end_minute_of_day(row.end_minute);
  out.set_repeat_interval_minutes(row.repeat_minutes);
  out.set_order(row.order);
  return out;
}

v1::Playlist BuildPlaylist(const std::vector<PlaylistCandidate>& candidates, absl::Time now,
                           absl::Time published_by) {
  const absl::CivilDay today = common::ChinaToday(now);
  const absl::Time horizon = common::ChinaDayStart(today + kHorizonDays);
  struct Playing {
    const PlaylistCandidate* candidate;
    absl::Time until;
  };
  std::vector<Playing> playing;
  std::optional<absl::Time> next_change;
  const auto consider = [&](absl::Time t) {
    if (t > now && t < horizon && (!next_change || t < *next_change)) next_change = t;
  };
  for (const PlaylistCandidate& c : candidates) {
    if (!c.live.has_value()) continue;  // only an approval can change that: not foreseeable
    const std::vector<Interval> intervals = PlayIntervals(c, today);
    if (c.live->publish_at > published_by) {
      // Not public yet: never plays here; only its first playing is a foreseeable change.
      if (!intervals.empty()) consider(intervals.front().begin);
      continue;
    }
    for (const Interval& i : intervals) {
      consider(i.begin);
      consider(i.end);
      if (i.begin <= now && now < i.end) playing.push_back({&c, i.end});
    }
  }
  std::sort(playing.begin(), playing.end(), [](const Playing& a, const Playing& b) {
    const PlaylistCandidate& x = *a.candidate;
    const PlaylistCandidate& y = *b.candidate;
    return std::tie(x.entry.order, x.schedule_id, x.position) <
           std::tie(y.entry.order, y.schedule_id, y.position);
  });

  v1::Playlist out;
  *out.mutable_time() = ToTimestamp(now);
  absl::flat_hash_set<std::string> seen;
  for (const Playing& p : playing) {
    const PlaylistCandidate& c = *p.candidate;
    if (!seen.insert(c.entry.content_id).second) continue;  // a script plays once
    v1::PlaylistItem* item = out.add_items();
    item->set_content_id(c.entry.content_id);
    item->set_title(c.live->title);
    item->set_body(c.live->body);
    item->set_media_url(c.live->media_url);
    item->set_repeat_interval_minutes(c.entry.repeat_minutes);
    *item->mutable_window_end_time() = ToTimestamp(p.until);
    item->set_schedule_id(c.schedule_id);
    item->set_order(c.entry.order);
  }
  if (next_change.has_value()) *out.mutable_next_change_time() = ToTimestamp(*next_change);
  return out;
}

}  // namespace fangxian::publicity
