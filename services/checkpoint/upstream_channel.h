// Channels from the checkpoint service to the services it calls (identity for the cadre
// check and the passage log's person lookups, quarantine for pass colours). Created once
// in main.cc and shared: a gRPC channel multiplexes every call over its connections.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_UPSTREAM_CHANNEL_H_
#define FANGXIAN_SERVICES_CHECKPOINT_UPSTREAM_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace fangxian::checkpoint {

// A channel to `address` ("host:port"); a DNS name with several A records (a headless
// Kubernetes Service) spreads calls over all of them. Connects lazily: a peer that is
// down makes calls fail with UNAVAILABLE, not the start of this service.
std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address);

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_UPSTREAM_CHANNEL_H_
