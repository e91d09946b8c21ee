// Channels from one service to the services it calls (checkpoint to identity and
// quarantine, quarantine to identity). Created once per peer
// in main.cc and shared: a gRPC channel multiplexes every call over its connections.
#ifndef FANGXIAN_COMMON_UPSTREAM_H_
#define FANGXIAN_COMMON_UPSTREAM_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc.h"

namespace fangxian::common {

// A channel to `address` ("host:port"); a DNS name with several A records (a headless
// Kubernetes Service) spreads calls over all of them. Connects lazily: a peer that is
// down makes calls fail with UNAVAILABLE, not the start of this service.
std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address);
// The same, with `service_config_json` (a gRPC service config: retry policies, retry
// throttling) as the channel's configuration; empty: none. DNS is never asked for one,
// so the configuration is exactly what the caller gives.
std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address,
                                               const std::string& service_config_json);

// A failed call to `peer` ("identity") as this service's status. Unreachable, or no answer
// within our own cap on the wait while the caller's deadline (`caller_deadline`) has not
// passed: UNAVAILABLE, "retry" (the caller still has time; the peer was slow, not the
// caller's budget). DEADLINE_EXCEEDED only when the caller's own deadline has passed.
// Any other code passes through, its message prefixed with "<peer>: ".
absl::Status UpstreamFailure(const grpc::Status& status, absl::string_view peer,
                             std::chrono::system_clock::time_point caller_deadline);

// PrepareOutgoing (the caller's request id, token and deadline) onto `ctx`, then caps the
// deadline at `max_wait` from now: a slow peer cannot use up the caller's whole budget
// (UpstreamFailure then answers UNAVAILABLE, "retry", while the caller still has time).
void PrepareUpstreamCall(const CallContext& call, absl::Duration max_wait,
                         grpc::ClientContext* ctx);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_UPSTREAM_H_
