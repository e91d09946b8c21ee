#include "services/publicity/view_counter.h"

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/interceptors.h"
#include "common/log.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

// How long a memory batch's marker is kept: a batch kept for a retry is retried on every
// flush (every FX_VIEWS_REDIS_FLUSH_MS), so well within it.
constexpr char kAppliedMarkerMs[] = "3600000";

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

const char kAddViewsScript[] =
    "local t = redis.call('TYPE', KEYS[1]).ok "
    "if t ~= 'hash' and t ~= 'none' then "
    "  return redis.error_reply('fx-views: the pending key is not a hash') end "
    "if #ARGV < 3 or #ARGV % 2 ~= 1 then "
    "  return redis.error_reply('fx-views: want a lifetime and (field, count) pairs') end "
    "if not string.match(ARGV[1], '^[1-9]%d*$') then "
    "  return redis.error_reply('fx-views: bad marker lifetime') end "
    "for i = 2, #ARGV, 2 do "
    "  if ARGV[i] == '' or not string.match(ARGV[i + 1], '^[1-9]%d*$') or #ARGV[i + 1] > 15 then "
    "    return redis.error_reply('fx-views: bad field or count') end "
    "end "
    "if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 0 end "
    "for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end "
    "return 1";

void ViewCounter::Count(absl::string_view content_id, absl::Time now) {
  std::string field = ViewField(content_id, common::ChinaToday(now));
  Shard& shard = shards_[absl::Hash<absl::string_view>()(content_id) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  ++shard.counts[std::move(field)];
}

int64_t ViewCounter::pending() const {
  std::lock_guard<std::mutex> flush(flush_mu_);
  int64_t n = 0;
  for (const Batch& batch : kept_) {
    for (const auto& [field, views] : batch.counts) n += views;
  }
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [field, views] : shard.counts) n += views;
  }
  return n;
}

size_t ViewCounter::kept_batches() const {
  std::lock_guard<std::mutex> flush(flush_mu_);
  return kept_.size();
}

absl::Status ViewCounter::FlushMemory() {
  std::lock_guard<std::mutex> flush(flush_mu_);
  Batch fresh;
  for (Shard& shard : shards_) {
    absl::flat_hash_map<std::string, int64_t> taken;
    {
      std::lock_guard<std::mutex> lock(shard.mu);
      taken.swap(shard.counts);
    }
    // A field lives in one shard only (the shard of its item): no merging needed.
    for (auto& [field, views] : taken) fresh.counts.emplace_back(field, views);
  }
  if (!fresh.counts.empty()) {
    fresh.id = common::NewRequestId();
    kept_.push_back(std::move(fresh));
  }
  absl::Status result = absl::OkStatus();
  std::deque<Batch> still;
  for (Batch& batch : kept_) {
    if (absl::Status s = Deliver(batch); !s.ok()) {
      result = s;
      still.push_back(std::move(batch));
    }
  }
  kept_.swap(still);
  return result;
}

absl::Status ViewCounter::Deliver(Batch& batch) {
  std::string redis_error = "not tried: the batch may be in PostgreSQL";
  if (batch.route != Route::kPostgresOnly) {
    std::vector<std::string> numbers;
    numbers.reserve(batch.counts.size());
    for (const auto& [field, views] : batch.counts) numbers.push_back(std::to_string(views));
    const std::string marker = absl::StrCat(keys_.applied_prefix, batch.id);
    std::vector<absl::string_view> argv = {"EVAL",        kAddViewsScript, "2",
                                           keys_.pending, marker,          kAppliedMarkerMs};
    for (size_t i = 0; i < batch.counts.size(); ++i) {
      argv.push_back(batch.counts[i].first);
      argv.push_back(numbers[i]);
    }
    absl::StatusOr<common::RedisReply> added = redis_.Command(argv);
    if (added.ok()) return absl::OkStatus();
    // Redis certainly does not have the batch when no connection could be had, or when
    // the script answered an error (it checks everything before writing). A kept batch
    // may have been added by an earlier try whatever this one says.
    const bool not_added = common::RedisPool::NeverSent(added.status()) ||
                           added.status().code() == absl::StatusCode::kInternal;
    if (!not_added || batch.route == Route::kRedisOnly) {
      if (batch.route == Route::kAny) {
        common::LogWarning("view batch may or may not be in Redis; kept for a retry to Redis",
                           {{"batch", batch.id}, {"error", added.status().message()}});
        batch.route = Route::kRedisOnly;
      }
      return absl::UnavailableError(
          absl::StrCat("views kept in memory for a retry to Redis: ", added.status().message()));
    }
    redis_error = std::string(added.status().message());
  }
  bool sent = false;
  absl::Status to_pg = AddToPostgres(absl::StrCat("memory:", batch.id), batch.counts, &sent);
  if (to_pg.ok()) return absl::OkStatus();
  if (sent) batch.route = Route::kPostgresOnly;
  return absl::UnavailableError(absl::StrCat("views kept in memory: Redis (", redis_error,
                                             ") and PostgreSQL (", to_pg.message(),
                                             ") both failed"));
}

absl::Status ViewCounter::AddToPostgres(const std::string& batch_id, const Counts& counts,
                                        bool* sent) {
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
  if (sent != nullptr) *sent = true;
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
