// gRPC glue of loudspeaker schedules: the authorisation rule of each method and the
// hand-off of each call to LoudspeakerSchedules on the worker pool.
#ifndef FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/loudspeaker.grpc.pb.h"
#include "services/publicity/loudspeaker_schedules.h"

namespace fangxian::publicity {

class LoudspeakerService final : public v1::LoudspeakerService::CallbackService {
 public:
  LoudspeakerService(common::RpcRuntime& runtime, LoudspeakerSchedules& schedules)
      : runtime_(runtime), schedules_(schedules) {}

  grpc::ServerUnaryReactor* CreateSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::CreateScheduleRequest* request,
                                           v1::Schedule* response) override;
  grpc::ServerUnaryReactor* GetSchedule(grpc::CallbackServerContext* ctx,
                                        const v1::GetScheduleRequest* request,
                                        v1::Schedule* response) override;
  grpc::ServerUnaryReactor* ListSchedules(grpc::CallbackServerContext* ctx,
                                          const v1::ListSchedulesRequest* request,
                                          v1::ListSchedulesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateScheduleRequest* request,
                                           v1::Schedule* response) override;
  grpc::ServerUnaryReactor* DeleteSchedule(grpc::CallbackServerContext* ctx,
                                           const v1::DeleteScheduleRequest* request,
                                           v1::DeleteScheduleResponse* response) override;
  grpc::ServerUnaryReactor* GetPlaylist(grpc::CallbackServerContext* ctx,
                                        const v1::GetPlaylistRequest* request,
                                        v1::Playlist* response) override;

 private:
  common::RpcRuntime& runtime_;
  LoudspeakerSchedules& schedules_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LOUDSPEAKER_SERVICE_H_
