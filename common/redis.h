// Redis on hiredis. A redisContext is not thread-safe and is unusable after any error, so
// contexts are pooled, every command has a timeout, and a context that saw an error is
// dropped (the next command reconnects). While Redis is down the pool fails fast for a
// short back-off instead of paying a connect timeout per request, and the outage is
// logged once when it starts and once when it ends.
#ifndef FANGXIAN_COMMON_REDIS_H_
#define FANGXIAN_COMMON_REDIS_H_

#include <hiredis/hiredis.h>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

class RedisPool {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;  // empty: no AUTH
    int size = 8;          // idle contexts kept
    absl::Duration timeout = absl::Milliseconds(200);
    absl::Duration down_backoff = absl::Seconds(1);
  };

  explicit RedisPool(Options options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // Runs one command (binary-safe arguments). UNAVAILABLE when Redis cannot be reached
  // or the command times out; an error reply is INTERNAL with Redis's message.
  absl::StatusOr<RedisReply> Command(std::initializer_list<absl::string_view> argv);
  absl::StatusOr<RedisReply> Command(const std::vector<absl::string_view>& argv);

  // Whether a failed Command certainly never ran: no connection to Redis could be had
  // (down, backing off, refused, or the new connection did not answer its first PING or
  // AUTH). A timeout or a connection lost after the command was sent is not such a
  // failure: Redis may have run the command. An error reply is neither (it ran, or Redis
  // refused it).
  static bool NeverSent(const absl::Status& status);

  // Cache helpers: std::nullopt on a miss or any failure (a cache never fails a request).
  std::optional<std::string> Get(absl::string_view key);
  void SetEx(absl::string_view key, absl::string_view value, absl::Duration ttl);
  void Del(absl::string_view key);

  bool up() const { return up_.load(std::memory_order_relaxed); }

 private:
  absl::StatusOr<redisContext*> Take();
  void Give(redisContext* c);
  void MarkDown(absl::string_view why);
  void MarkUp();

  const Options options_;
  std::mutex mu_;
  std::vector<redisContext*> idle_;
  std::atomic<bool> up_{true};
  std::atomic<int64_t> retry_after_ns_{0};
};

// Parses "host:port" into options (fails on a malformed value).
absl::Status ParseRedisAddress(absl::string_view address, RedisPool::Options* options);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_REDIS_H_
