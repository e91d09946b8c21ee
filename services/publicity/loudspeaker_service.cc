#include "services/publicity/loudspeaker_service.h"

namespace fangxian::publicity {
namespace {

// Who writes schedules: those who draft content (admins and publicity editors), within
// their scope.
const common::AuthRule kWriteSchedules{
    {"subdistrict_admin", "community_admin", "publicity_editor"}};
// Who reads them: the writers, reviewers and auditors.
const common::AuthRule kReadSchedules{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* LoudspeakerService::CreateSchedule(
    grpc::CallbackServerContext* ctx, const v1::CreateScheduleRequest* request,
    v1::Schedule* response) {
  return common::Dispatch(runtime_, ctx, kWriteSchedules, schedules_, &LoudspeakerSchedules::Create,
                          request, response);
}

grpc::ServerUnaryReactor* LoudspeakerService::GetSchedule(grpc::CallbackServerContext* ctx,
                                                          const v1::GetScheduleRequest* request,
                                                          v1::Schedule* response) {
  return common::Dispatch(runtime_, ctx, kReadSchedules, schedules_, &LoudspeakerSchedules::Get,
                          request, response);
}

grpc::ServerUnaryReactor* LoudspeakerService::ListSchedules(grpc::CallbackServerContext* ctx,
                                                            const v1::ListSchedulesRequest* request,
                                                            v1::ListSchedulesResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadSchedules, schedules_, &LoudspeakerSchedules::List,
                          request, response);
}

grpc::ServerUnaryReactor* LoudspeakerService::UpdateSchedule(
    grpc::CallbackServerContext* ctx, const v1::UpdateScheduleRequest* request,
    v1::Schedule* response) {
  return common::Dispatch(runtime_, ctx, kWriteSchedules, schedules_, &LoudspeakerSchedules::Update,
                          request, response);
}

grpc::ServerUnaryReactor* LoudspeakerService::DeleteSchedule(
    grpc::CallbackServerContext* ctx, const v1::DeleteScheduleRequest* request,
    v1::DeleteScheduleResponse* response) {
  return common::Dispatch(runtime_, ctx, kWriteSchedules, schedules_, &LoudspeakerSchedules::Delete,
                          request, response);
}

// Public: a player device has no staff account; it only ever gets live scripts.
grpc::ServerUnaryReactor* LoudspeakerService::GetPlaylist(grpc::CallbackServerContext* ctx,
                                                          const v1::GetPlaylistRequest* request,
                                                          v1::Playlist* response) {
  return runtime_.UnaryPublic(ctx, [this, request, response](const common::CallContext& call) {
    return common::Reply(schedules_.Playlist(call, *request), response);
  });
}

}  // namespace fangxian::publicity
