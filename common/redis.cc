#include "common/redis.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"

namespace fangxian::common {
namespace {

// Payload marking a Command failure that happened before anything was sent.
constexpr char kNeverSentPayload[] = "fangxian.redis/never-sent";

}  // namespace

bool RedisPool::NeverSent(const absl::Status& status) {
  return !status.ok() && status.GetPayload(kNeverSentPayload).has_value();
}

absl::Status ParseRedisAddress(absl::string_view address, RedisPool::Options* options) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError("redis address must be host:port");
  }
  options->host = std::string(address.substr(0, colon));
  options->port = port;
  return absl::OkStatus();
}

RedisPool::RedisPool(Options options) : options_(std::move(options)) {}

RedisPool::~RedisPool() {
  std::lock_guard<std::mutex> lock(mu_);
  for (redisContext* c : idle_) redisFree(c);
}

void RedisPool::MarkDown(absl::string_view why) {
  retry_after_ns_.store(
      absl::GetCurrentTimeNanos() + absl::ToInt64Nanoseconds(options_.down_backoff),
      std::memory_order_relaxed);
  if (up_.exchange(false)) {
    LogWarning("redis unavailable; serving without cache",
               {{"redis", absl::StrCat(options_.host, ":", options_.port)}, {"error", why}});
  }
}

void RedisPool::MarkUp() {
  if (!up_.exchange(true)) {
    LogInfo("redis reachable again", {{"redis", absl::StrCat(options_.host, ":", options_.port)}});
  }
}

absl::StatusOr<redisContext*> RedisPool::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
  }
  if (!up()) {
    // While down, one caller per back-off window tries to reconnect; the others fail
    // fast instead of all paying a connect timeout at once.
    int64_t retry_at = retry_after_ns_.load(std::memory_order_relaxed);
    const int64_t now = absl::GetCurrentTimeNanos();
    if (now < retry_at || !retry_after_ns_.compare_exchange_strong(
                              retry_at, now + absl::ToInt64Nanoseconds(options_.down_backoff))) {
      return absl::UnavailableError("redis unavailable (backing off)");
    }
  }
  const timeval tv = absl::ToTimeval(options_.timeout);
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port, tv);
  if (c == nullptr || c->err) {
    const std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    MarkDown(why);
    return absl::UnavailableError(absl::StrCat("redis unavailable: ", why));
  }
  redisSetTimeout(c, tv);
  if (!options_.password.empty()) {
    RedisReply r(static_cast<redisReply*>(
        redisCommand(c, "AUTH %b", options_.password.data(), options_.password.size())));
    if (!r || r->type == REDIS_REPLY_ERROR) {
      redisFree(c);
      MarkDown("authentication failed");
      return absl::UnavailableError("redis authentication failed");
    }
  } else {
    // A connection some middlebox accepted is not yet Redis: it must answer once before
    // a command is sent on it (so a failure before this point is NeverSent).
    RedisReply r(static_cast<redisReply*>(redisCommand(c, "PING")));
    if (!r || c->err) {
      const std::string why = c->err ? c->errstr : "no reply to PING";
      redisFree(c);
      MarkDown(why);
      return absl::UnavailableError(absl::StrCat("redis unavailable: ", why));
    }
  }
  return c;
}

void RedisPool::Give(redisContext* c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(idle_.size()) < options_.size) {
    idle_.push_back(c);
  } else {
    redisFree(c);
  }
}

absl::StatusOr<RedisReply> RedisPool::Command(std::initializer_list<absl::string_view> argv) {
  return Command(std::vector<absl::string_view>(argv));
}

absl::StatusOr<RedisReply> RedisPool::Command(const std::vector<absl::string_view>& argv) {
  auto ctx = Take();
  if (!ctx.ok()) {
    absl::Status never_sent = ctx.status();
    never_sent.SetPayload(kNeverSentPayload, absl::Cord("1"));
    return never_sent;
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (absl::string_view a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  RedisReply reply(static_cast<redisReply*>(
      redisCommandArgv(*ctx, static_cast<int>(args.size()), args.data(), lens.data())));
  if (!reply || (*ctx)->err) {
    // The context is unusable after an I/O error or timeout: drop it.
    const std::string why = (*ctx)->err ? (*ctx)->errstr : "no reply";
    redisFree(*ctx);
    MarkDown(why);
    return absl::UnavailableError(absl::StrCat("redis: ", why));
  }
  Give(*ctx);
  MarkUp();
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::InternalError(absl::StrCat("redis: ", absl::string_view(reply->str, reply->len)));
  }
  return reply;
}

std::optional<std::string> RedisPool::Get(absl::string_view key) {
  auto r = Command({"GET", key});
  if (!r.ok() || (*r)->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string((*r)->str, (*r)->len);
}

void RedisPool::SetEx(absl::string_view key, absl::string_view value, absl::Duration ttl) {
  const std::string ms = std::to_string(absl::ToInt64Milliseconds(ttl));
  (void)Command({"SET", key, value, "PX", ms});
}

void RedisPool::Del(absl::string_view key) { (void)Command({"DEL", key}); }

}  // namespace fangxian::common
