// The rules of loudspeaker schedules that need neither a database nor a caller: what an
// entry may say, and which entries play at a given moment (the player's playlist). Times
// of day and days of the week are China time (UTC+8, no daylight saving).
#ifndef FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_RULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fangxian/publicity/v1/loudspeaker.pb.h"
#include "google/protobuf/repeated_field.h"

namespace fangxian::publicity {

inline constexpr int kMaxScheduleEntries = 100;
inline constexpr int kMaxEntryOrder = 10000;
inline constexpr int kMinutesPerDay = 1440;
inline constexpr int kMaxRepeatMinutes = 1440;
// GetPlaylist answers about moments at most this far from the server's clock, before or
// after (a player asks about now; a day either way allows for a skewed device clock).
inline constexpr int kMaxPlaylistOffsetHours = 24;

// An entry as stored: days as a bit set (bit d-1 for ISO weekday d, 1 Monday .. 7 Sunday).
struct EntryRow {
  std::string content_id;
  int days_mask = 0;
  int start_minute = 0;  // 0..1439
  int end_minute = 0;    // 1..1440, after start_minute
  int repeat_minutes = 0;
  int order = 0;
};

// INVALID_ARGUMENT naming `<field>[i].<name>` for the first bad entry, or when there are
// none or more than kMaxScheduleEntries (`field` itself). Content ids are checked for form
// only: whether they exist and are scripts needs the store.
absl::Status ValidateEntries(absl::string_view field,
                             const google::protobuf::RepeatedPtrField<v1::ScheduleEntry>& entries);

// Whether a script with target areas `script_areas` ever plays under a schedule with
// areas `schedule_areas`: it targets one of them or an area above one (it is live for
// those players). An area's schedule (`area_schedule`) also plays at the players of the
// areas below its area, so there a script targeting an area below one of them reaches
// too; a checkpoint's schedule plays only at the checkpoint.
bool ScriptReachesSchedule(const std::vector<std::string>& script_areas,
                           const std::vector<std::string>& schedule_areas, bool area_schedule);

// The moment a GetPlaylist request asks about: its `time` when set, else `now` (the
// server's clock). INVALID_ARGUMENT naming `time` when it is not a valid timestamp or
// more than kMaxPlaylistOffsetHours from `now`.
absl::StatusOr<absl::Time> PlaylistTime(const v1::GetPlaylistRequest& request, absl::Time now);

// Conversions between the API's entries and stored rows (entries validated first).
EntryRow EntryFromProto(const v1::ScheduleEntry& in);
v1::ScheduleEntry EntryToProto(const EntryRow& row);

// An entry that may play at a player, with the live copy of its script as the player's
// areas see it.
struct PlaylistCandidate {
  std::string schedule_id;
  int position = 0;  // the entry's place in its schedule
  EntryRow entry;
  struct Live {
    std::string title;
    std::string body;
    std::string media_url;
    absl::Time publish_at;
    std::optional<absl::Time> expire_at;
  };
  // The script's live copy when one targets the player's area or an ancestor of it;
  // std::nullopt otherwise (a draft, archived, or live only elsewhere).
  std::optional<Live> live;
};

// The playlist at `now`: the candidates whose window contains `now` on one of their days
// and whose script is live at `now`, by order (then schedule id and position), each
// script once; with the next moment within about a week at which that answer changes.
// A script published after `published_by` (the server's clock) never plays, whatever
// `now` says: a moment asked about ahead never reveals a script before it is public.
// Only the moment it starts playing counts as a change (as it would at `published_by`).
v1::Playlist BuildPlaylist(const std::vector<PlaylistCandidate>& candidates, absl::Time now,
                           absl::Time published_by);

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_RULES_H_
