// Loudspeaker schedules and the player's playlist: the business logic, independent of
// gRPC. Takes plain values and the caller's identity. Rules of entries and playlists:
// loudspeaker_rules.h.
#ifndef FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_

#include <utility>

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
  // Scope over at least one area of the schedule.
  absl::StatusOr<v1::Schedule> Get(const common::CallContext& call,
                                   const v1::GetScheduleRequest& request);
  absl::StatusOr<v1::ListSchedulesResponse> List(const common::CallContext& call,
                                                 const v1::ListSchedulesRequest& request);
  // Scope over every area of the schedule.
  absl::StatusOr<v1::Schedule> Update(const common::CallContext& call,
                                      const v1::UpdateScheduleRequest& request);
  absl::StatusOr<v1::DeleteScheduleResponse> Delete(const common::CallContext& call,
                                                    const v1::DeleteScheduleRequest& request);
  // Public: no principal. Reads only what publicity stores (never the checkpoint service).
  absl::StatusOr<v1::Playlist> Playlist(const common::CallContext& call,
                                        const v1::GetPlaylistRequest& request);

 private:
  // NOT_FOUND / INVALID_ARGUMENT naming `field`[i].content_id when an entry's item is
  // missing or not a loudspeaker script.
  absl::Status RequireScripts(absl::string_view field, const std::vector<EntryRow>& entries);

  ScheduleStore& store_;
  AreaDirectory& areas_;
  CheckpointDirectory& checkpoints_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SCHEDULES_H_
