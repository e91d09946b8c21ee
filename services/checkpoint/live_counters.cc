#include "services/checkpoint/live_counters.h"

#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "services/checkpoint/passage_figures.h"
#include "services/checkpoint/passage_rules.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

constexpr char kFields[][9] = {"persons", "vehicles", "admitted", "denied", "referred", "fevers"};
constexpr int kFieldCount = 6;
// Adds to an existing hash only: a missing hash is rebuilt from PostgreSQL on the next read,
// which already counts this batch, so adding to a new hash would count it twice.
constexpr char kIncrementIfPresent[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end "
    "return 1";
// Writes rebuilt counts unless another reader already did.
constexpr char kSetIfAbsent[] =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
    "for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end "
    "redis.call('EXPIRE', KEYS[1], ARGV[1]) return 1";

int64_t* Field(Counts& c, int i) {
  int64_t* fields[kFieldCount] = {&c.persons, &c.vehicles, &c.admitted,
                                  &c.denied,  &c.referred, &c.fevers};
  return fields[i];
}

}  // namespace

PassageTally TallyOf(const PassageRecord& record) {
  PassageTally t;
  t.checkpoint_id = record.checkpoint_id;
  t.day = absl::ToCivilDay(record.client_time, ChinaTimeZone());
  t.person = record.temperature_tenths.has_value();
  t.vehicle = !record.plate.empty();
  t.decision = record.decision;
  t.fever = record.temperature_tenths.has_value() && *record.temperature_tenths >= kFeverTenths;
  return t;
}

std::string LiveCounterKey(absl::CivilDay day, absl::string_view checkpoint_id) {
  return absl::StrCat("fx:checkpoint:v1:live:", common::IsoDate(day), ":", checkpoint_id);
}

LiveCounters::LiveCounters(common::RedisPool& redis, common::PgPool& pg, Options options)
    : redis_(redis), pg_(pg), options_(options), flusher_([this] { FlusherLoop(); }) {}

LiveCounters::~LiveCounters() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  flusher_.join();
  Flush();
}

void LiveCounters::Add(const std::vector<PassageTally>& tallies) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    for (const PassageTally& t : tallies) {
      Counts& c = queued_[LiveCounterKey(t.day, t.checkpoint_id)];
      c.persons += t.person;
      c.vehicles += t.vehicle;
      c.admitted += t.decision == 1;
      c.denied += t.decision == 2;
      c.referred += t.decision == 3;
      c.fevers += t.fever;
    }
    wake = flusher_idle_;  // a pausing flusher takes these when its pause ends
  }
  if (wake) queue_cv_.notify_one();
}

void LiveCounters::Flush() {
  // After a send the flusher has in progress: what it took is in Redis when this returns.
  std::lock_guard<std::mutex> sending(send_mu_);
  std::map<std::string, Counts> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    batch.swap(queued_);
  }
  Send(std::move(batch));
}

void LiveCounters::FlusherLoop() {
  std::unique_lock<std::mutex> lock(queue_mu_);
  while (!stopping_) {
    flusher_idle_ = true;
    queue_cv_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    flusher_idle_ = false;
    if (stopping_) break;
    lock.unlock();
    {
      // send_mu_ before queue_mu_, as in Flush: a Flush() meanwhile waits for this send.
      std::lock_guard<std::mutex> sending(send_mu_);
      std::map<std::string, Counts> batch;
      {
        std::lock_guard<std::mutex> queue(queue_mu_);
        batch.swap(queued_);
      }
      Send(std::move(batch));
    }
    lock.lock();
    // Meanwhile further batches accumulate into one send.
    queue_cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.send_interval),
                       [this] { return stopping_; });
  }
}

void LiveCounters::Send(std::map<std::string, Counts> by_key) {
  for (auto& [key, counts] : by_key) {
    std::vector<std::string> numbers;
    std::vector<absl::string_view> argv = {"EVAL", kIncrementIfPresent, "1", key};
    numbers.reserve(kFieldCount);
    for (int i = 0; i < kFieldCount; ++i) {
      if (*Field(counts, i) == 0) continue;
      numbers.push_back(absl::StrCat(*Field(counts, i)));
    }
    size_t n = 0;
    for (int i = 0; i < kFieldCount; ++i) {
      if (*Field(counts, i) == 0) continue;
      argv.push_back(kFields[i]);
      argv.push_back(numbers[n++]);
    }
    if (!redis_.Command(argv).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      dirty_.insert(key);
    }
  }
}

void LiveCounters::Repair() {
  std::set<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys.swap(dirty_);
  }
  for (const std::string& key : keys) {
    if (!redis_.Command({"DEL", key}).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      dirty_.insert(key);
    }
  }
}

absl::StatusOr<Counts> LiveCounters::Get(absl::string_view checkpoint_id, absl::CivilDay day) {
  const std::string key = LiveCounterKey(day, checkpoint_id);
  Flush();  // this replica's own passages count at once
  bool dirty = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty = dirty_.count(key) > 0;
  }
  // A hash that missed increments is dropped first, so the rebuild below replaces it.
  if (dirty && redis_.Command({"DEL", key}).ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_.erase(key);
    dirty = false;
  }
  if (!dirty) {
    auto r = redis_.Command({"HGETALL", key});
    if (r.ok() && (*r)->type == REDIS_REPLY_ARRAY && (*r)->elements > 0) {
      Counts c;
      for (size_t i = 0; i + 1 < (*r)->elements; i += 2) {
        const absl::string_view name((*r)->element[i]->str, (*r)->element[i]->len);
        const absl::string_view value((*r)->element[i + 1]->str, (*r)->element[i + 1]->len);
        for (int f = 0; f < kFieldCount; ++f) {
          if (name == kFields[f]) (void)absl::SimpleAtoi(value, Field(c, f));
        }
      }
      return c;
    }
  }
  return Rebuild(checkpoint_id, day);
}

absl::StatusOr<Counts> LiveCounters::Rebuild(absl::string_view checkpoint_id, absl::CivilDay day) {
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string from = common::Rfc3339Micros(ChinaDayStart(day));
  const std::string to = common::Rfc3339Micros(ChinaDayStart(day + 1));
  auto r = conn->Exec(absl::StrCat("SELECT ", kFigureAggregates,
                                   " FROM checkpoint.passages WHERE checkpoint_id = $1::uuid AND ",
                                   ClientTimeWindow("$2", "$3", options_.max_replay)),
                      {checkpoint_id, from, to});
  if (!r.ok()) return r.status();
  Counts c;
  for (int f = 0; f < kFieldCount; ++f) (void)absl::SimpleAtoi(r->Get(0, f), Field(c, f));

  const std::string key = LiveCounterKey(day, checkpoint_id);
  std::vector<std::string> numbers;
  for (int f = 0; f < kFieldCount; ++f) numbers.push_back(absl::StrCat(*Field(c, f)));
  const std::string ttl = absl::StrCat(absl::ToInt64Seconds(options_.rebuilt_ttl));
  std::vector<absl::string_view> argv = {"EVAL", kSetIfAbsent, "1", key, ttl};
  for (int f = 0; f < kFieldCount; ++f) {
    argv.push_back(kFields[f]);
    argv.push_back(numbers[f]);
  }
  (void)redis_.Command(argv);  // a cache: failing to fill it fails nothing
  return c;
}

}  // namespace fangxian::checkpoint
