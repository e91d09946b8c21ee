// Ended login sessions whose access tokens may still be unexpired. Identity records an
// ended session in PostgreSQL first, then publishes it here; every service keeps a local
// copy, refreshed from Redis every poll interval, so the check on each call is a memory
// lookup and a logout is honoured everywhere within seconds.
//
// Redis contract: sorted set `fx:auth:v1:revoked-sessions`, member = session id, score =
// Unix seconds after which no access token of that session can still be valid (entries
// past it are pruned).
#ifndef FANGXIAN_COMMON_REVOCATION_H_
#define FANGXIAN_COMMON_REVOCATION_H_

#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis.h"

namespace fangxian::common {

inline constexpr char kRevokedSessionsKey[] = "fx:auth:v1:revoked-sessions";

class RevocationList {
 public:
  // Polls `redis` every `poll` on its own thread until destroyed.
  RevocationList(RedisPool* redis, absl::Duration poll);
  ~RevocationList();
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  bool IsRevoked(absl::string_view session_id) const;

  // Records locally at once and in Redis; false when Redis could not be written (the
  // caller logs it: other services then learn of it only from their own checks).
  bool Publish(absl::string_view session_id, absl::Time not_after);

  // One poll, now (tests and start-up).
  void Refresh();

 private:
  void Loop();

  RedisPool* redis_;
  const absl::Duration poll_;
  mutable std::shared_mutex mu_;
  std::map<std::string, absl::Time, std::less<>> revoked_;  // session id -> not_after
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_REVOCATION_H_
