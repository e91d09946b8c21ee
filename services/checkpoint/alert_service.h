// gRPC glue of the alerts: authorisation rules per method, the unary calls handed to the
// worker pool, and StreamAlerts as a callback write reactor fed by the AlertHub.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ALERT_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ALERT_SERVICE_H_

#include <atomic>
#include <memory>

#include "common/rpc.h"
#include "common/worker_pool.h"
#include "fangxian/checkpoint/v1/alerts.grpc.pb.h"
#include "services/checkpoint/alert_hub.h"
#include "services/checkpoint/alerts.h"

namespace fangxian::checkpoint {

class AlertService final : public v1::AlertService::CallbackService {
 public:
  // `stream_queue_limit`: alerts one StreamAlerts subscriber may fall behind before it is
  // dropped with RESOURCE_EXHAUSTED (FX_ALERT_STREAM_QUEUE). `max_streams`: StreamAlerts
  // calls this replica serves at once; more are refused RESOURCE_EXHAUSTED
  // (FX_ALERT_MAX_STREAMS).
  AlertService(common::RpcRuntime& runtime, Alerts& alerts, AlertHub& hub,
               size_t stream_queue_limit = 256, size_t max_streams = 1000);

  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* ctx,
                                       const v1::ListAlertsRequest* request,
                                       v1::ListAlertsResponse* response) override;
  grpc::ServerUnaryReactor* GetAlert(grpc::CallbackServerContext* ctx,
                                     const v1::GetAlertRequest* request,
                                     v1::Alert* response) override;
  grpc::ServerUnaryReactor* AcknowledgeAlert(grpc::CallbackServerContext* ctx,
                                             const v1::AcknowledgeAlertRequest* request,
                                             v1::Alert* response) override;
  grpc::ServerWriteReactor<v1::Alert>* StreamAlerts(
      grpc::CallbackServerContext* ctx, const v1::StreamAlertsRequest* request) override;

 private:
  common::RpcRuntime& runtime_;
  Alerts& alerts_;
  AlertHub& hub_;
  const size_t stream_queue_limit_;
  const size_t max_streams_;
  std::atomic<size_t> open_streams_{0};  // StreamAlerts calls holding a slot
  // Replays of StreamAlerts (a database read) run here, never on a gRPC thread.
  common::WorkerPool replay_pool_{2, 64};
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ALERT_SERVICE_H_
