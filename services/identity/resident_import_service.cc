#include "services/identity/resident_import_service.h"

namespace fangxian::identity {
namespace {

// Registrars who hold the community's spreadsheets.
const common::AuthRule kImport{{"subdistrict_admin", "community_admin", "info_registrar"}};
// A whole area's residents in one file: admins only.
const common::AuthRule kExport{{"subdistrict_admin", "community_admin"}};

}  // namespace

grpc::ServerUnaryReactor* ResidentImportService::ImportResidents(
    grpc::CallbackServerContext* ctx, const v1::ImportResidentsRequest* request,
    v1::ImportResidentsResponse* response) {
  return common::Dispatch(runtime_, ctx, kImport, import_, &ResidentImport::Import, request,
                          response);
}

grpc::ServerUnaryReactor* ResidentImportService::ExportResidents(
    grpc::CallbackServerContext* ctx, const v1::ExportResidentsRequest* request,
    v1::ExportResidentsResponse* response) {
  return common::Dispatch(runtime_, ctx, kExport, import_, &ResidentImport::Export, request,
                          response);
}

}  // namespace fangxian::identity
