// gRPC glue of resident import and export: who may call each method, and the hand-off of
// each call to ResidentImport on the worker pool. Runs inside identity_server.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_SERVICE_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/identity/v1/import.grpc.pb.h"
#include "services/identity/resident_import.h"

namespace fangxian::identity {

class ResidentImportService final : public v1::ResidentImportService::CallbackService {
 public:
  ResidentImportService(common::RpcRuntime& runtime, ResidentImport& import)
      : runtime_(runtime), import_(import) {}

  grpc::ServerUnaryReactor* ImportResidents(grpc::CallbackServerContext* ctx,
                                            const v1::ImportResidentsRequest* request,
                                            v1::ImportResidentsResponse* response) override;
  grpc::ServerUnaryReactor* ExportResidents(grpc::CallbackServerContext* ctx,
                                            const v1::ExportResidentsRequest* request,
                                            v1::ExportResidentsResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  ResidentImport& import_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_IMPORT_SERVICE_H_
