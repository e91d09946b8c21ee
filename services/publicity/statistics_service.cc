#include "services/publicity/statistics_service.h"

namespace fangxian::publicity {
namespace {

// Who reports the figures: admins, editors, reviewers and auditors of the area.
const common::AuthRule kReadFigures{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* PublicityStatisticsService::GetPublicityFigures(
    grpc::CallbackServerContext* ctx, const v1::GetPublicityFiguresRequest* request,
    v1::PublicityFiguresReport* response) {
  return common::Dispatch(runtime_, ctx, kReadFigures, statistics_, &PublicityStatistics::Figures,
                          request, response);
}

}  // namespace fangxian::publicity
