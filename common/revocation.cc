#include "common/revocation.h"

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"

namespace fangxian::common {

RevocationList::RevocationList(RedisPool* redis, absl::Duration poll)
    : redis_(redis), poll_(poll), thread_([this] { Loop(); }) {}

RevocationList::~RevocationList() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  thread_.join();
}

bool RevocationList::IsRevoked(absl::string_view session_id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return revoked_.find(session_id) != revoked_.end();
}

bool RevocationList::Publish(absl::string_view session_id, absl::Time not_after) {
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    revoked_[std::string(session_id)] = not_after;
  }
  const std::string score = std::to_string(absl::ToUnixSeconds(not_after));
  return redis_->Command({"ZADD", kRevokedSessionsKey, score, session_id}).ok();
}

void RevocationList::Refresh() {
  const absl::Time now = absl::Now();
  const std::string now_s = std::to_string(absl::ToUnixSeconds(now));
  (void)redis_->Command({"ZREMRANGEBYSCORE", kRevokedSessionsKey, "-inf", now_s});
  auto reply = redis_->Command({"ZRANGEBYSCORE", kRevokedSessionsKey, now_s, "+inf", "WITHSCORES"});
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (reply.ok() && (*reply)->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i + 1 < (*reply)->elements; i += 2) {
      const redisReply* member = (*reply)->element[i];
      const redisReply* score = (*reply)->element[i + 1];
      int64_t seconds = 0;
      if (member->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING ||
          !absl::SimpleAtoi(absl::string_view(score->str, score->len), &seconds)) {
        continue;
      }
      revoked_[std::string(member->str, member->len)] = absl::FromUnixSeconds(seconds);
    }
  }
  // Entries past their time can no longer match a valid token.
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    it = it->second < now ? revoked_.erase(it) : std::next(it);
  }
}

void RevocationList::Loop() {
  for (;;) {
    Refresh();
    std::unique_lock<std::mutex> lock(loop_mu_);
    if (loop_cv_.wait_for(lock, absl::ToChronoNanoseconds(poll_), [this] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace fangxian::common
