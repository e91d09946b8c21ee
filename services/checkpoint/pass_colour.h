// The pass colour of a person at the gate (docs/caching.md, "Pass colour"): the shared
// Redis entry quarantine publishes, falling back to quarantine's GetPassStatus (with the
// operator's token and the call's deadline, capped) on a miss, an unknown value or a Redis
// failure. When neither answers the colour is UNSPECIFIED, which the rules turn into REFER
// with STATUS_UNAVAILABLE — never a silent ADMIT. Checkpoint never writes the key.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"

namespace fangxian::checkpoint {

// "fx:quarantine:v1:pass:<resident_id>".
std::string PassColourKey(absl::string_view resident_id);

// "green", "yellow", "red" to the colour; anything else UNSPECIFIED.
v1::PassColour ParsePassColourWord(absl::string_view word);

class PassColours {
 public:
  // `redis` may be null (no cache); `quarantine` may be null (no fallback).
  PassColours(common::RedisPool* redis, std::shared_ptr<grpc::Channel> quarantine,
              absl::Duration max_wait);

  // The colour of `resident_id`, or PASS_COLOUR_UNSPECIFIED when it cannot be told. Never
  // fails.
  v1::PassColour Get(const common::CallContext& call, const std::string& resident_id);

 private:
  common::RedisPool* redis_;
  std::unique_ptr<quarantine::v1::QuarantineService::Stub> quarantine_;
  const absl::Duration max_wait_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_
