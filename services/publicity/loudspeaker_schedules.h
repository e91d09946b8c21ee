// Loudspeaker schedules and the player's playlist: the business logic, independent of
// gRPC. Takes plain values and the caller's identity. Rules of entries and playlists:
// loudspeaker_rules.h.
#ifndef FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/loudspeaker.pb.h"
#include "services/publicity/area_directory.h"
#include "services/publicity/checkpoint_directory.h"
#include "services/publicity/schedule_store.h"

namespace fangxian::publicity {

inline constexpr int kDefaultSchedulePageSize = 50;
inline constexpr int kMaxSchedulePageSize = 200;

class LoudspeakerSchedules {
 public:
  LoudspeakerSchedules(ScheduleStore& store, AreaDirectory& areas, CheckpointDirectory& checkpoints,
                       common::RpcRuntime::Clock clock)
      : store_(store), areas_(areas), checkpoints_(checkpoints), clock_(std::move(clock)) {}

  // Scope over every area of the target (the area, or the checkpoint's areas).
  absl::StatusOr<v1::Schedule> Create(const common::CallContext& call,
                                      const v1::CreateScheduleRequest& request);
  // Scope over at least one area of the schedule; NOT_FOUND, as for a missing one,
  // otherwise.
  absl::StatusOr<v1::Schedule> Get(const common::CallContext& call,
                                   const v1::GetScheduleRequest& request);
  // Only the schedules with an area in the caller's scope, also for a checkpoint.
  absl::StatusOr<v1::ListSchedulesResponse> List(const common::CallContext& call,
                                                 const v1::ListSchedulesRequest& request);
  // NOT_FOUND, as for a missing schedule, when the scope covers none of its areas; then
  // scope over every area of the schedule.
  absl::StatusOr<v1::Schedule> Update(const common::CallContext& call,
                                      const v1::UpdateScheduleRequest& request);
  absl::StatusOr<v1::DeleteScheduleResponse> Delete(const common::CallContext& call,
                                                    const v1::DeleteScheduleRequest& request);
  // Public: no principal. Reads only what publicity stores (never the checkpoint service).
  absl::StatusOr<v1::Playlist> Playlist(const common::CallContext& call,
                                        const v1::GetPlaylistRequest& request);

 private:
  // NOT_FOUND naming `field`[i].content_id when an entry's item is missing or the
  // caller's scope covers none of its target areas (the same answer: nothing about the
  // item is revealed); INVALID_ARGUMENT when it is not a loudspeaker script, or when it
  // would never play under a schedule with `schedule_areas` (ScriptReachesSchedule).
  // Drafts pass: an entry plays once its script is live.
  absl::Status RequireScripts(const common::CallContext& call, absl::string_view field,
                              const std::vector<EntryRow>& entries,
                              const std::vector<std::string>& schedule_areas, bool area_schedule);

  ScheduleStore& store_;
  AreaDirectory& areas_;
  CheckpointDirectory& checkpoints_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_
