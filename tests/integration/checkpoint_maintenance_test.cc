// Passage housekeeping and statistics against real PostgreSQL and Redis: partitions,
// roll-up, retention (idempotent), daily statistics across rolled and live days, and live
// counters that survive a Redis that lost or never had them.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/migrate.h"
#include "common/pg.h"
#include "common/redis.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/checkpoint/live_counters.h"
#include "services/checkpoint/maintenance.h"
#include "services/checkpoint/migrations.h"
#include "services/checkpoint/shifts.h"
#include "services/checkpoint/statistics.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

namespace fangxian::checkpoint {
namespace {

absl::Time China(int y, int mo, int d, int h) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), ChinaTimeZone());
}

std::string Ts(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    common::PgPool::Options o;
    o.dsn = testing::CreateScratchDatabase("cp_maint");
    pg_ = std::make_unique<common::PgPool>(o);
    ASSERT_TRUE(common::Migrate(*pg_, "checkpoint", Migrations()).ok());
    common::RedisPool::Options r;
    ASSERT_TRUE(common::ParseRedisAddress(testing::RedisAddr(), &r).ok());
    redis_ = std::make_unique<common::RedisPool>(r);
    checkpoint_ =
        Sql("INSERT INTO checkpoint.checkpoints (name, kind, created_by) VALUES ('Gate', 1, 't') "
            "RETURNING checkpoint_id");
    Sql("INSERT INTO checkpoint.checkpoint_areas VALUES ('" + checkpoint_ + "', 'sd.c1.x')");
  }

  std::string Sql(const std::string& sql, std::initializer_list<common::PgParam> params = {}) {
    auto conn = pg_->Acquire();
    EXPECT_TRUE(conn.ok());
    auto r = conn->Exec(sql, params);
    EXPECT_TRUE(r.ok()) << r.status() << " in " << sql;
    if (!r.ok() || r->rows() == 0) return "";
    return std::string(r->Get(0, 0));
  }

  // A passage that happened at `when` and reached the server at `recorded`.
  void Passage(absl::Time when, absl::Time recorded, const char* temperature, const char* plate,
               int decision, const std::string& request_id) {
    const absl::CivilDay day = absl::ToCivilDay(recorded, absl::UTCTimeZone());
    Sql("SELECT checkpoint.ensure_passage_partitions($1::date, $1::date)", {common::IsoDate(day)});
    Sql("INSERT INTO checkpoint.passages (passage_id, checkpoint_id, request_id, direction, "
        "temperature_celsius, plate, decision, operator_id, client_time, recorded_at) "
        "VALUES (gen_random_uuid(), $1, $2, 1, $3::numeric, $4, $5::smallint, 'op', $6, $7)",
        {checkpoint_, request_id, temperature ? common::PgParam(temperature) : common::PgParam(),
         plate ? common::PgParam(plate) : common::PgParam(), std::to_string(decision), Ts(when),
         Ts(recorded)});
    Sql("INSERT INTO checkpoint.passage_requests VALUES ($1, $2, gen_random_uuid(), "
        "'\\x00', $3)",
        {checkpoint_, request_id, Ts(recorded)});
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    (void)absl::SimpleAtoi(Sql(sql), &n);
    return n;
  }

  common::CallContext Admin(const std::string& area) {
    common::CallContext call;
    call.principal.subject = "admin";
    call.principal.grants = {{"community_admin", area}};
    call.roles = {"subdistrict_admin", "community_admin", "shift_leader", "inspector", "auditor"};
    return call;
  }

  std::unique_ptr<common::PgPool> pg_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string checkpoint_;
};

TEST_F(MaintenanceTest, PurgesWholeOldDaysRollsThemUpFirstAndIsIdempotent) {
  const absl::Time now = China(2026, 11, 29, 12);
  // 40 days ago: past retention. 10 days ago: kept, final. Today: kept, not final.
  const absl::Time old = now - absl::Hours(24 * 40);
  const absl::Time recent = now - absl::Hours(24 * 10);
  Passage(old, old, "36.5", nullptr, 1, "old-1");
  Passage(old, old + absl::Hours(1), "38.0", "豫A12345", 3, "old-2");
  Passage(recent, recent, "36.6", nullptr, 1, "recent-1");
  Passage(now - absl::Hours(1), now - absl::Hours(1), "36.6", nullptr, 2, "today-1");
  Sql("INSERT INTO checkpoint.alerts (kind, checkpoint_id, area_codes, raised_at) "
      "VALUES (1, $1, '{sd.c1.x}', $2), (1, $1, '{sd.c1.x}', $3)",
      {checkpoint_, Ts(old), Ts(recent)});

  // Alert events on a stream of this test's own: one from before the cutoff, one after.
  PassageMaintenance::Options options;
  options.alert_stream = "fx:test:maintenance:" + checkpoint_;
  const std::string old_id = absl::StrCat(absl::ToUnixMillis(old), "-1");
  const std::string recent_id = absl::StrCat(absl::ToUnixMillis(recent), "-1");
  ASSERT_TRUE(redis_->Command({"XADD", options.alert_stream, old_id, "f", "v"}).ok());
  ASSERT_TRUE(redis_->Command({"XADD", options.alert_stream, recent_id, "f", "v"}).ok());

  PassageMaintenance maintenance(*pg_, redis_.get(), options);
  absl::StatusOr<PassageMaintenance::Report> first = maintenance.RunOnce(now);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_GE(first->partitions_dropped, 1);
  EXPECT_EQ(first->requests_deleted, 2);
  EXPECT_EQ(first->alerts_deleted, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM checkpoint.passages"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM checkpoint.passage_requests"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM checkpoint.alerts"), 1);
  // The purged day's figures were kept.
  EXPECT_EQ(Sql("SELECT persons || '/' || vehicles || '/' || referred || '/' || fevers "
                "FROM checkpoint.daily_stats WHERE day = $1::date",
                {common::IsoDate(absl::ToCivilDay(old, ChinaTimeZone()))}),
            "2/1/1/1");
  // Days still open to offline replay are not rolled up.
  EXPECT_EQ(Count("SELECT count(*) FROM checkpoint.stats_rollups WHERE day > '2026-11-25'"), 0);
  // Partitions from yesterday to two days ahead exist.
  EXPECT_EQ(Count("SELECT count(*) FROM pg_class WHERE relname IN ('passages_20261128', "
                  "'passages_20261129', 'passages_20261130', 'passages_20261201')"),
            4);

  EXPECT_TRUE(first->stream_trimmed);
  auto left = redis_->Command({"XRANGE", options.alert_stream, "-", "+"});
  ASSERT_TRUE(left.ok());
  std::vector<std::string> ids;
  for (size_t i = 0; i < (*left)->elements; ++i)
    ids.push_back((*left)->element[i]->element[0]->str);
  EXPECT_EQ(ids, std::vector<std::string>{recent_id});
  redis_->Del(options.alert_stream);

  absl::StatusOr<PassageMaintenance::Report> second = maintenance.RunOnce(now);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->partitions_dropped, 0);
  EXPECT_EQ(second->days_rolled_up, 0);
  EXPECT_EQ(second->requests_deleted, 0);
  EXPECT_EQ(second->alerts_deleted, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM checkpoint.passages"), 2);
}

TEST_F(MaintenanceTest, DailyStatisticsJoinRolledUpAndLiveDays) {
  const absl::Time now = absl::Now();
  const absl::CivilDay today = common::ChinaToday(now);
  const absl::Time long_ago = now - absl::Hours(24 * 20);
  Passage(long_ago, long_ago, "36.5", "豫A12345", 1, "a");
  Passage(now - absl::Minutes(5), now - absl::Minutes(5), "37.5", nullptr, 3, "b");
  Passage(now - absl::Minutes(4), now - absl::Minutes(4), nullptr, "豫A54321", 2, "c");
  PassageMaintenance maintenance(*pg_, redis_.get(), {});
  ASSERT_TRUE(maintenance.RunOnce(now).ok());

  LiveCounters live(*redis_, *pg_, {});
  Statistics stats(
      *pg_, live, [] { return absl::Now(); }, absl::Hours(72));
  v1::GetDailyStatisticsRequest request;
  request.set_area_code("sd.c1");
  request.set_from_date(common::IsoDate(today - 30));
  request.set_to_date(common::IsoDate(today));
  absl::StatusOr<v1::DailyStatistics> daily = stats.Daily(Admin("sd.c1"), request);
  ASSERT_TRUE(daily.ok()) << daily.status();
  ASSERT_EQ(daily->rows_size(), 2);
  EXPECT_EQ(daily->rows(0).date(), common::IsoDate(absl::ToCivilDay(long_ago, ChinaTimeZone())));
  EXPECT_EQ(daily->rows(0).figures().vehicles(), 1);
  EXPECT_EQ(daily->rows(1).date(), common::IsoDate(today));
  EXPECT_EQ(daily->rows(1).figures().persons(), 1);
  EXPECT_EQ(daily->rows(1).figures().fevers(), 1);
  EXPECT_EQ(daily->rows(1).figures().denied(), 1);
  EXPECT_EQ(daily->total().persons(), 2);
  EXPECT_EQ(daily->total().vehicles(), 2);
  EXPECT_EQ(daily->day_totals_size(), 2);

  // Outside the caller's scope, a range too long, a range backwards.
  EXPECT_EQ(stats.Daily(Admin("sd.c2"), request).status().code(),
            absl::StatusCode::kPermissionDenied);
  request.set_from_date(common::IsoDate(today - 100));
  EXPECT_EQ(stats.Daily(Admin("sd.c1"), request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_from_date(common::IsoDate(today + 1));
  EXPECT_EQ(stats.Daily(Admin("sd.c1"), request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_checkpoint_id(checkpoint_);
  request.set_from_date(common::IsoDate(today));
  EXPECT_EQ(stats.Daily(Admin("sd.c1"), request).status().code(),
            absl::StatusCode::kInvalidArgument);  // both area and checkpoint
}

TEST_F(MaintenanceTest, LiveCountersRebuildFromPostgresAndThenCountIncrements) {
  const absl::Time now = absl::Now();
  const absl::CivilDay today = common::ChinaToday(now);
  redis_->Del(LiveCounterKey(today, checkpoint_));
  Passage(now, now, "36.5", nullptr, 1, "x");
  LiveCounters live(*redis_, *pg_, {});

  absl::StatusOr<Counts> first = live.Get(checkpoint_, today);  // a miss: rebuilt
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->persons, 1);
  EXPECT_EQ(first->admitted, 1);

  // A committed batch adds to the rebuilt hash.
  Passage(now, now, "38.1", nullptr, 3, "y");
  live.Add({{checkpoint_, today, true, false, 3, true}});
  live.Flush();
  absl::StatusOr<Counts> second = live.Get(checkpoint_, today);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->persons, 2);
  EXPECT_EQ(second->referred, 1);
  EXPECT_EQ(second->fevers, 1);
}

TEST_F(MaintenanceTest, TalliesGatherBetweenSendsAndTheReplicasOwnReadsSeeThemAtOnce) {
  const absl::Time now = absl::Now();
  const absl::CivilDay today = common::ChinaToday(now);
  redis_->Del(LiveCounterKey(today, checkpoint_));
  Passage(now, now, "36.5", nullptr, 1, "g1");
  LiveCounters::Options options;
  options.send_interval = absl::Hours(1);  // after the first send, nothing goes on its own
  LiveCounters live(*redis_, *pg_, options);
  LiveCounters other_replica(*redis_, *pg_, {});
  ASSERT_EQ(live.Get(checkpoint_, today)->persons, 1);  // rebuilt into Redis

  // The idle flusher sends the first batch's tally at once...
  live.Add({{checkpoint_, today, true, false, 1, false}});
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (other_replica.Get(checkpoint_, today)->persons != 2 && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(other_replica.Get(checkpoint_, today)->persons, 2);
  // ...then pauses: the next batches gather instead of one script call each.
  live.Add({{checkpoint_, today, true, false, 1, false}});
  live.Add({{checkpoint_, today, true, false, 2, false}});
  EXPECT_EQ(other_replica.Get(checkpoint_, today)->persons, 2);
  // A read on this replica sends what it holds first.
  absl::StatusOr<Counts> own = live.Get(checkpoint_, today);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->persons, 4);
  EXPECT_EQ(own->denied, 1);
  EXPECT_EQ(other_replica.Get(checkpoint_, today)->persons, 4);
}

TEST_F(MaintenanceTest, CountersThatMissedIncrementsWhileRedisWasDownAreRebuilt) {
  const absl::Time now = absl::Now();
  const absl::CivilDay today = common::ChinaToday(now);
  redis_->Del(LiveCounterKey(today, checkpoint_));
  // This replica reaches Redis through a proxy the test can cut.
  common::RedisPool::Options target;
  ASSERT_TRUE(common::ParseRedisAddress(testing::RedisAddr(), &target).ok());
  testing::TcpProxy proxy(target.port, /*enabled=*/true);
  common::RedisPool::Options via = target;
  via.port = proxy.port();
  via.down_backoff = absl::ZeroDuration();
  common::RedisPool redis(via);
  LiveCounters live(redis, *pg_, {});
  Passage(now, now, "36.5", nullptr, 1, "p1");
  ASSERT_EQ(live.Get(checkpoint_, today)->persons, 1);  // rebuilt and cached in Redis

  proxy.SetEnabled(false);
  Passage(now, now, "36.7", nullptr, 1, "p2");
  live.Add({{checkpoint_, today, true, false, 1, false}});
  live.Flush();  // lost: Redis unreachable
  absl::StatusOr<Counts> during = live.Get(checkpoint_, today);
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_EQ(during->persons, 2);  // answered from PostgreSQL meanwhile

  proxy.SetEnabled(true);
  LiveCounters other_replica(*redis_, *pg_, {});
  EXPECT_EQ(other_replica.Get(checkpoint_, today)->persons, 1);  // stale until repaired
  live.Repair();
  EXPECT_EQ(other_replica.Get(checkpoint_, today)->persons, 2);
}

}  // namespace
}  // namespace fangxian::checkpoint
