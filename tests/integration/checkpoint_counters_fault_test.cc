// The live counters through the real checkpoint_server while its Redis goes away and comes
// back: passages are still recorded, today's figures are answered from PostgreSQL
// meanwhile, and once Redis is back they are right again (rebuilt, not stuck on what Redis
// held before the outage).
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "fangxian/checkpoint/v1/statistics.grpc.pb.h"
#include "services/checkpoint/live_counters.h"
#include "tests/integration/passage_test_base.h"
#include "tests/support/tcp_proxy.h"

namespace fangxian::testing {
namespace {

class CountersFaultTest : public PassageTestBase {
 protected:
  // Today's persons at `checkpoint`, as GetLiveCounters answers (-1 on an error).
  int64_t LivePersons(const std::string& checkpoint) {
    auto stub = cpv1::StatisticsService::NewStub(checkpoint_->channel());
    cpv1::GetLiveCountersRequest request;
    request.set_checkpoint_id(checkpoint);
    cpv1::LiveCounters out;
    grpc::Status s = stub->GetLiveCounters(CallContextWith(admin_).get(), request, &out);
    return s.ok() ? out.total().persons() : -1;
  }
};

TEST_F(CountersFaultTest, LiveCountersAreRightAgainAfterRedisComesBack) {
  common::RedisPool::Options target;
  ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &target).ok());
  TcpProxy redis(target.port, /*enabled=*/true);
  StartCheckpoint({{"FX_REDIS_ADDR", absl::StrCat("127.0.0.1:", redis.port())},
                   {"FX_REDIS_RETRY_MS", "50"},
                   {"FX_MAINTENANCE_INTERVAL_S", "1"}});
  ASSERT_FALSE(HasFatalFailure());
  const std::string checkpoint = MakeCheckpoint();
  PutOnDuty(checkpoint, "op-1");
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  int n = 0;
  auto record = [&] {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint, absl::StrCat("c-", n++));
    r.set_id_number(zhang.id_number);
    cpv1::Passage p;
    return Record(operator_, r, &p).ok();
  };

  ASSERT_TRUE(record());
  ASSERT_TRUE(record());
  EXPECT_TRUE(Eventually([&] { return LivePersons(checkpoint) == 2; }));  // hash now in Redis

  redis.SetEnabled(false);
  ASSERT_TRUE(record());  // accepted: the colour comes from quarantine
  ASSERT_TRUE(record());
  ASSERT_TRUE(record());
  // Meanwhile today's figures come from PostgreSQL.
  EXPECT_TRUE(Eventually([&] { return LivePersons(checkpoint) == 5; }));

  redis.SetEnabled(true);
  // Redis still holds the hash of 2: the replica drops it and the next read rebuilds 5.
  EXPECT_TRUE(Eventually([&] { return LivePersons(checkpoint) == 5; }));
  // ... and the hash a read creates again holds the right figure.
  EXPECT_TRUE(Eventually([&] {
    if (LivePersons(checkpoint) != 5) return false;
    auto h = redis_->Command(
        {"HGET", checkpoint::LiveCounterKey(common::ChinaToday(absl::Now()), checkpoint),
         "persons"});
    return h.ok() && (*h)->type == REDIS_REPLY_STRING && std::string((*h)->str) == "5";
  }));
  ASSERT_TRUE(record());
  EXPECT_TRUE(Eventually([&] { return LivePersons(checkpoint) == 6; }));
  EXPECT_EQ(Count("checkpoint.passages"), "6");
}

}  // namespace
}  // namespace fangxian::testing
