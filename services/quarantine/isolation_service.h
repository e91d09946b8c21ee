// gRPC glue of IsolationService: one authorisation rule per method and the hand-off of
// each call to the isolation order and commitment letter logic on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ISOLATION_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_ISOLATION_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/isolation.grpc.pb.h"
#include "services/quarantine/isolation_orders.h"

namespace fangxian::quarantine {

class IsolationService final : public v1::IsolationService::CallbackService {
 public:
  IsolationService(common::RpcRuntime& runtime, IsolationOrders& orders, CommitmentLetters& letters)
      : runtime_(runtime), orders_(orders), letters_(letters) {}

  grpc::ServerUnaryReactor* CreateIsolationOrder(grpc::CallbackServerContext* ctx,
                                                 const v1::CreateIsolationOrderRequest* request,
                                                 v1::IsolationOrder* response) override;
  grpc::ServerUnaryReactor* GetIsolationOrder(grpc::CallbackServerContext* ctx,
                                              const v1::GetIsolationOrderRequest* request,
                                              v1::IsolationOrder* response) override;
  grpc::ServerUnaryReactor* ListIsolationOrders(grpc::CallbackServerContext* ctx,
                                                const v1::ListIsolationOrdersRequest* request,
                                                v1::ListIsolationOrdersResponse* response) override;
  grpc::ServerUnaryReactor* ListOrdersDueForRelease(
      grpc::CallbackServerContext* ctx, const v1::ListOrdersDueForReleaseRequest* request,
      v1::ListIsolationOrdersResponse* response) override;
  grpc::ServerUnaryReactor* ChangeIsolationPeriod(grpc::CallbackServerContext* ctx,
                                                  const v1::ChangeIsolationPeriodRequest* request,
                                                  v1::IsolationOrder* response) override;
  grpc::ServerUnaryReactor* ReleaseIsolationOrder(grpc::CallbackServerContext* ctx,
                                                  const v1::ReleaseIsolationOrderRequest* request,
                                                  v1::IsolationOrder* response) override;
  grpc::ServerUnaryReactor* CreateLetterTemplate(grpc::CallbackServerContext* ctx,
                                                 const v1::CreateLetterTemplateRequest* request,
                                                 v1::LetterTemplate* response) override;
  grpc::ServerUnaryReactor* ReviseLetterTemplate(grpc::CallbackServerContext* ctx,
                                                 const v1::ReviseLetterTemplateRequest* request,
                                                 v1::LetterTemplate* response) override;
  grpc::ServerUnaryReactor* GetLetterTemplate(grpc::CallbackServerContext* ctx,
                                              const v1::GetLetterTemplateRequest* request,
                                              v1::LetterTemplate* response) override;
  grpc::ServerUnaryReactor* ListLetterTemplates(grpc::CallbackServerContext* ctx,
                                                const v1::ListLetterTemplatesRequest* request,
                                                v1::ListLetterTemplatesResponse* response) override;
  grpc::ServerUnaryReactor* RecordLetterSigning(grpc::CallbackServerContext* ctx,
                                                const v1::RecordLetterSigningRequest* request,
                                                v1::LetterSigning* response) override;
  grpc::ServerUnaryReactor* ListLetterSignings(grpc::CallbackServerContext* ctx,
                                               const v1::ListLetterSigningsRequest* request,
                                               v1::ListLetterSigningsResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  IsolationOrders& orders_;
  CommitmentLetters& letters_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ISOLATION_SERVICE_H_
