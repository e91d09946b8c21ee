#include "services/checkpoint/upstream_channel.h"

namespace fangxian::checkpoint {

std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace fangxian::checkpoint
