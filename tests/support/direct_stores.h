// Direct connections to the test PostgreSQL and Redis, for tests that drive a library
// (a relay, a consumer) in-process, and a reader of Redis Stream entries.
#ifndef FANGXIAN_TESTS_SUPPORT_DIRECT_STORES_H_
#define FANGXIAN_TESTS_SUPPORT_DIRECT_STORES_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {

inline std::unique_ptr<common::PgPool> PoolFor(const std::string& dsn) {
  common::PgPool::Options options;
  options.dsn = dsn;
  options.size = 4;
  return std::make_unique<common::PgPool>(options);
}

// The test Redis, or a proxy in front of it on `port` (tests/support/tcp_proxy.h).
inline std::unique_ptr<common::RedisPool> RedisAt(int port = 0) {
  common::RedisPool::Options options;
  EXPECT_TRUE(common::ParseRedisAddress(RedisAddr(), &options).ok());
  if (port != 0) options.port = port;
  options.down_backoff = absl::Milliseconds(50);
  return std::make_unique<common::RedisPool>(options);
}

// A stream's entries as the outbox relay writes them: (event_id, type, payload) of each,
// oldest first.
struct StreamEntry {
  std::string event_id, type, payload;
};
inline std::vector<StreamEntry> ReadStream(common::RedisPool& redis, const std::string& key) {
  std::vector<StreamEntry> out;
  auto r = redis.Command({"XRANGE", key, "-", "+"});
  if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < (*r)->elements; ++i) {
    const redisReply* fields = (*r)->element[i]->element[1];
    StreamEntry e;
    for (size_t f = 0; f + 1 < fields->elements; f += 2) {
      const std::string name(fields->element[f]->str, fields->element[f]->len);
      const std::string value(fields->element[f + 1]->str, fields->element[f + 1]->len);
      if (name == "event_id") e.event_id = value;
      if (name == "type") e.type = value;
      if (name == "payload") e.payload = value;
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_DIRECT_STORES_H_
