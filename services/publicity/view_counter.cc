#include "services/publicity/view_counter.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/interceptors.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

// HINCRBY of every (field, count) pair in ARGV into KEYS[1], atomically: the pipeline of
// increments in one round trip through the pool, all or nothing.
constexpr char kAddScript[] =
    "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end "
    "return #ARGV / 2";

// MULTI { RENAME pending → batch; SADD batches batch } as one script (the pool may run
// consecutive commands on different connections, so MULTI/EXEC cannot span them).
// Returns 0 when nothing is pending.
constexpr char kRotateScript[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "redis.call('RENAME', KEYS[1], KEYS[2]) "
    "redis.call('SADD', KEYS[3], KEYS[2]) "
    "return 1";

// One statement, so one transaction: records the batch and, only if it was not recorded
// before, adds its counts. Items deleted meanwhile are skipped (their views go with them).
constexpr char kAddBatchSql[] =
    "WITH batch AS (INSERT INTO publicity.view_batches (batch_id) VALUES ($1)"
    "               ON CONFLICT DO NOTHING RETURNING 1) "
    "INSERT INTO publicity.content_views AS v (content_id, day, views) "
    "SELECT u.id::uuid, u.day::date, sum(u.n::int8) "
    "FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, day, n) "
    "WHERE EXISTS (SELECT 1 FROM batch) "
    "  AND EXISTS (SELECT 1 FROM publicity.contents c WHERE c.content_id = u.id::uuid) "
    "GROUP BY 1, 2 "
    "ON CONFLICT (content_id, day) DO UPDATE SET views = v.views + EXCLUDED.views";

constexpr char kPruneSql[] =
    "DELETE FROM publicity.view_batches WHERE flushed_at < now() - interval '7 days'";

}  // namespace

void ViewCounter::Count(absl::string_view content_id, absl::Time now) {
  std::string field = ViewField(content_id, common::ChinaToday(now));
  std::lock_guard<std::mutex> lock(mu_);
  ++memory_[std::move(field)];
}

int64_t ViewCounter::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& [field, views] : memory_) n += views;
  return n;
}

absl::Status ViewCounter::FlushMemory() {
  absl::flat_hash_map<std::string, int64_t> taken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    taken.swap(memory_);
  }
  if (taken.empty()) return absl::OkStatus();
  Counts counts(taken.begin(), taken.end());
  std::vector<std::string> numbers;
  numbers.reserve(counts.size());
  std::vector<absl::string_view> argv = {"EVAL", kAddScript, "1", keys_.pending};
  for (const auto& [field, views] : counts) numbers.push_back(std::to_string(views));
  for (size_t i = 0; i < counts.size(); ++i) {
    argv.push_back(counts[i].first);
    argv.push_back(numbers[i]);
  }
  absl::StatusOr<common::RedisReply> added = redis_.Command(argv);
  if (added.ok()) return absl::OkStatus();
  // Redis is down: straight to PostgreSQL, as a batch of its own.
  absl::Status to_pg = AddToPostgres(absl::StrCat("memory:", common::NewRequestId()), counts);
  if (to_pg.ok()) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [field, views] : counts) memory_[field] += views;
  }
  return absl::UnavailableError(absl::StrCat("views kept in memory: Redis (",
                                             added.status().message(), ") and PostgreSQL (",
                                             to_pg.message(), ") both failed"));
}

absl::Status ViewCounter::AddToPostgres(const std::string& batch_id, const Counts& counts) {
  std::vector<std::string> ids, days, views;
  for (const auto& [field, n] : counts) {
    std::string id;
    absl::CivilDay day;
    if (!ParseViewField(field, &id, &day) || n <= 0) continue;
    ids.push_back(std::move(id));
    days.push_back(common::IsoDate(day));
    views.push_back(std::to_string(n));
  }
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string id_array = common::PgTextArray(ids);
  const std::string day_array = common::PgTextArray(days);
  const std::string view_array = common::PgTextArray(views);
  return conn->Exec(kAddBatchSql, {batch_id, id_array, day_array, view_array}).status();
}

absl::Status ViewCounter::MoveBatch(const std::string& key) {
  absl::StatusOr<common::RedisReply> all = redis_.Command({"HGETALL", key});
  if (!all.ok()) return all.status();
  const redisReply& r = **all;
  if (r.type == REDIS_REPLY_ARRAY && r.elements > 0) {
    Counts counts;
    for (size_t i = 0; i + 1 < r.elements; i += 2) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(absl::string_view(r.element[i + 1]->str, r.element[i + 1]->len), &n)) {
        continue;
      }
      counts.emplace_back(std::string(r.element[i]->str, r.element[i]->len), n);
    }
    const std::string batch_id(absl::string_view(key).substr(keys_.batch_prefix.size()));
    if (absl::Status s = AddToPostgres(batch_id, counts); !s.ok()) return s;
  }
  // Added (now or by an earlier flush): the batch may go. A failure here leaves it
  // listed; the next flush finds it recorded and only deletes it.
  if (auto del = redis_.Command({"DEL", key}); !del.ok()) return del.status();
  return redis_.Command({"SREM", keys_.batches, key}).status();
}

absl::Status ViewCounter::FlushRedis() {
  const std::string batch = absl::StrCat(keys_.batch_prefix, common::NewRequestId());
  absl::StatusOr<common::RedisReply> rotated =
      redis_.Command({"EVAL", kRotateScript, "3", keys_.pending, batch, keys_.batches});
  if (!rotated.ok()) return rotated.status();
  absl::StatusOr<common::RedisReply> listed = redis_.Command({"SMEMBERS", keys_.batches});
  if (!listed.ok()) return listed.status();
  absl::Status result = absl::OkStatus();
  const redisReply& members = **listed;
  for (size_t i = 0; members.type == REDIS_REPLY_ARRAY && i < members.elements; ++i) {
    const std::string key(members.element[i]->str, members.element[i]->len);
    if (key.rfind(keys_.batch_prefix, 0) != 0) continue;
    if (absl::Status s = MoveBatch(key); !s.ok()) result = s;  // the others still go
  }
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  if (auto pruned = conn->Exec(kPruneSql); !pruned.ok()) return pruned.status();
  return result;
}

absl::Status ViewCounter::FlushAll() {
  absl::Status memory = FlushMemory();
  absl::Status redis = FlushRedis();
  return memory.ok() ? redis : memory;
}

}  // namespace fangxian::publicity
