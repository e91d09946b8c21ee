#include "common/upstream.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace fangxian::common {

std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address) {
  return UpstreamChannel(address, "");
}

std::shared_ptr<grpc::Channel> UpstreamChannel(const std::string& address,
                                               const std::string& service_config_json) {
  grpc::ChannelArguments args;
  args.SetLoadBalancingPolicyName("round_robin");
  if (!service_config_json.empty()) {
    args.SetServiceConfigJSON(service_config_json);
    args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  }
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

absl::Status UpstreamFailure(const grpc::Status& status, absl::string_view peer,
                             std::chrono::system_clock::time_point caller_deadline) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(absl::StrCat(peer, " service unreachable; retry"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      if (std::chrono::system_clock::now() < caller_deadline) {
        return absl::UnavailableError(absl::StrCat(peer, " service did not answer in time; retry"));
      }
      return absl::DeadlineExceededError(absl::StrCat("deadline passed while asking ", peer));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat(peer, ": ", status.error_message()));
  }
}

void PrepareUpstreamCall(const CallContext& call, absl::Duration max_wait,
                         grpc::ClientContext* ctx) {
  PrepareOutgoing(call, ctx);
  ctx->set_deadline(std::min(
      call.deadline, std::chrono::system_clock::now() + absl::ToChronoMilliseconds(max_wait)));
}

}  // namespace fangxian::common
