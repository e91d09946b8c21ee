// Server interceptor that runs on every RPC of every service:
//  - request id: taken from "x-request-id" metadata, or generated and inserted into the
//    call's client metadata (so handlers and outgoing calls see it), and echoed back in
//    the response's initial metadata;
//  - access log: one JSON line per RPC (method, code, latency_ms, request_id);
//  - metrics: count by method and code, latency histogram.
#ifndef FANGXIAN_COMMON_INTERCEPTORS_H_
#define FANGXIAN_COMMON_INTERCEPTORS_H_

#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace fangxian::common {

class ObservabilityInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ObservabilityInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* metrics_;
};

// A random 128-bit id as 32 hex characters.
std::string NewRequestId();

// Accepted from callers: 1 to 128 characters of [A-Za-z0-9._-] (anything else is
// replaced, so ids are safe in logs, headers and metadata).
bool IsValidRequestId(absl::string_view id);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_INTERCEPTORS_H_
