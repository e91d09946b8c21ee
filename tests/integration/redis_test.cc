// The Redis pool against a real server, and its behaviour while Redis is down.
#include <gtest/gtest.h>

#include "common/redis.h"

#include <thread>
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

namespace fangxian::common {
namespace {

RedisPool::Options OptionsFor(int port) {
  RedisPool::Options o;
  o.port = port;
  o.timeout = absl::Milliseconds(500);
  o.down_backoff = absl::Milliseconds(50);
  return o;
}

int TestRedisPort() {
  RedisPool::Options o;
  EXPECT_TRUE(ParseRedisAddress(testing::RedisAddr(), &o).ok());
  return o.port;
}

TEST(RedisTest, BinarySafeCommandsAndCacheHelpers) {
  RedisPool pool(OptionsFor(TestRedisPort()));
  const std::string key = "fx:test:" + std::to_string(::getpid()) + ":bin";
  const std::string value("a\0b\r\n%s", 7);
  pool.SetEx(key, value, absl::Seconds(30));
  EXPECT_EQ(pool.Get(key), value);
  auto ttl = pool.Command({"PTTL", key});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT((*ttl)->integer, 0);
  EXPECT_LE((*ttl)->integer, 30000);
  pool.Del(key);
  EXPECT_EQ(pool.Get(key), std::nullopt);
  ASSERT_TRUE(pool.Command({"SET", key, "x"}).ok());
  EXPECT_EQ(pool.Command({"INCR", key}).status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(pool.up());
}

TEST(RedisTest, OutageFailsFastAndRecoversWithoutRestart) {
  testing::TcpProxy proxy(TestRedisPort(), /*enabled=*/true);
  RedisPool pool(OptionsFor(proxy.port()));
  const std::string key = "fx:test:" + std::to_string(::getpid()) + ":outage";
  ASSERT_TRUE(pool.Command({"SET", key, "1"}).ok());

  proxy.SetEnabled(false);
  EXPECT_EQ(pool.Command({"GET", key}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(pool.up());
  EXPECT_EQ(pool.Get(key), std::nullopt);  // the cache helper hides the failure

  proxy.SetEnabled(true);
  // After the back-off the pool reconnects by itself.
  bool recovered = false;
  for (int i = 0; i < 200 && !recovered; ++i) {
    recovered = pool.Command({"GET", key}).ok();
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(recovered);
  EXPECT_TRUE(pool.up());
}

}  // namespace
}  // namespace fangxian::common
