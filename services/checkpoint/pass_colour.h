// The pass colour of a person at the gate (docs/caching.md, "Pass colour"): the shared
// Redis entry quarantine publishes, falling back to quarantine's GetPassStatus (with the
// operator's token and the call's deadline, capped) on a miss, an unknown value or a Redis
// failure. When neither answers the colour is UNSPECIFIED, which the rules turn into REFER
// with STATUS_UNAVAILABLE — never a silent ADMIT. Checkpoint never writes the key.
//
// A known colour is also kept in memory for `local_ttl` (at most kMaxColourCacheTtl, 1 s;
// 0 disables), so a colour change reaches a gate within about a second after quarantine
// published it. UNSPECIFIED is never kept. Under steady traffic an entry is fetched again
// in the background before it lapses (Cached's `refresh`, then Refresh), so a busy gate's
// passages do not all miss when it would; the bound stays the TTL.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"

namespace fangxian::checkpoint {

// "fx:quarantine:v1:pass:<resident_id>".
std::string PassColourKey(absl::string_view resident_id);

// "green", "yellow", "red" to the colour; anything else UNSPECIFIED.
v1::PassColour ParsePassColourWord(absl::string_view word);

// The longest a colour is kept in this process.
inline constexpr absl::Duration kMaxColourCacheTtl = absl::Milliseconds(1000);

class PassColours {
 public:
  // `redis` may be null (no cache); `quarantine` may be null (no fallback). `local_ttl` is
  // capped at kMaxColourCacheTtl.
  PassColours(common::RedisPool* redis, std::shared_ptr<grpc::Channel> quarantine,
              absl::Duration max_wait, absl::Duration local_ttl = kMaxColourCacheTtl);

  // The colour kept in memory (never blocks); std::nullopt when none is. `*refresh`
  // (optional) is set for the one caller that should call Refresh in the background, the
  // entry expiring within a quarter of the TTL.
  std::optional<v1::PassColour> Cached(const std::string& resident_id, absl::Time now,
                                       bool* refresh = nullptr) const;
  // Fetches the colour again and keeps it when known (blocking).
  void Refresh(const common::CallContext& call, const std::string& resident_id, absl::Time now);
  // The colour of `resident_id`, or PASS_COLOUR_UNSPECIFIED when it cannot be told. Never
  // fails. A known colour is kept until `now` + the local TTL.
  v1::PassColour Get(const common::CallContext& call, const std::string& resident_id,
                     absl::Time now);

 private:
  // Whom a fetch is for: a passage waiting for its colour, or a refresh ahead of expiry
  // (the passage that prompted it is answered already); the log says which.
  enum class For { kPassage, kRefresh };
  v1::PassColour Fetch(const common::CallContext& call, const std::string& resident_id, For why);
  // Fetch, keeping a known colour until `now` + the TTL.
  v1::PassColour FetchAndKeep(const common::CallContext& call, const std::string& resident_id,
                              absl::Time now, For why);

  common::RedisPool* redis_;
  std::unique_ptr<quarantine::v1::QuarantineService::Stub> quarantine_;
  const absl::Duration max_wait_;
  const absl::Duration local_ttl_;
  common::LocalCache<v1::PassColour> kept_{65536};
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASS_COLOUR_H_
