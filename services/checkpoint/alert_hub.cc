#include "services/checkpoint/alert_hub.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/checkpoint/alerts.h"

namespace fangxian::checkpoint {
namespace {

common::RedisReply Run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return common::RedisReply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

std::string Str(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
             ? std::string(r->str, r->len)
             : std::string();
}

}  // namespace

AlertHub::AlertHub(Options options, std::function<bool()> serving)
    : options_(std::move(options)), serving_(std::move(serving)) {}

AlertHub::~AlertHub() { Stop(); }

void AlertHub::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void AlertHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  EndAll(absl::UnavailableError("the server is shutting down; reconnect with since"));
}

uint64_t AlertHub::Subscribe(std::shared_ptr<Subscriber> subscriber) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return 0;
  const uint64_t id = next_id_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void AlertHub::Unsubscribe(uint64_t id) {
  std::shared_ptr<Subscriber> gone;  // destroyed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subscribers_.find(id);
  if (it == subscribers_.end()) return;
  gone = std::move(it->second);
  subscribers_.erase(it);
}

size_t AlertHub::subscribers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

void AlertHub::EndAll(const absl::Status& status) {
  std::map<uint64_t, std::shared_ptr<Subscriber>> ended;
  std::lock_guard<std::mutex> lock(mu_);
  ended.swap(subscribers_);
  for (auto& [id, s] : ended) s->End(status);
}

bool AlertHub::Sleep(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, absl::ToChronoMilliseconds(d), [&] { return stopping_; });
  return !stopping_;
}

AlertHub::Context AlertHub::Connect() {
  Context c(redisConnectWithTimeout(options_.redis.host.c_str(), options_.redis.port,
                                    absl::ToTimeval(options_.redis.timeout)));
  if (!c || c->err) return nullptr;
  // A blocked XREAD answers within `block`; the rest is slack for the round trip.
  redisSetTimeout(c.get(),
                  absl::ToTimeval(options_.block + options_.redis.timeout + absl::Seconds(1)));
  if (!options_.redis.password.empty()) {
    common::RedisReply auth = Run(c.get(), {"AUTH", options_.redis.password});
    if (!auth || auth->type == REDIS_REPLY_ERROR) return nullptr;
  }
  if (last_id_.empty()) {
    // The stream's current end: alerts published from now on are live ones.
    common::RedisReply last = Run(c.get(), {"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"});
    if (!last || last->type != REDIS_REPLY_ARRAY) return nullptr;
    last_id_ = last->elements > 0 && last->element[0]->type == REDIS_REPLY_ARRAY &&
                       last->element[0]->elements > 0
                   ? Str(last->element[0]->element[0])
                   : "0-0";
  }
  return c;
}

bool AlertHub::ReadOnce(redisContext* c) {
  common::RedisReply r = Run(
      c, {"XREAD", "COUNT", "100", "BLOCK", absl::StrCat(absl::ToInt64Milliseconds(options_.block)),
          "STREAMS", options_.stream, last_id_});
  if (!r || r->type == REDIS_REPLY_ERROR) return false;
  if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) return true;  // nothing new
  // [[stream, [[id, [field, value, ...]], ...]]]
  const redisReply* stream = r->element[0];
  if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2) return true;
  const redisReply* entries = stream->element[1];
  for (size_t i = 0; entries->type == REDIS_REPLY_ARRAY && i < entries->elements; ++i) {
    const redisReply* entry = entries->element[i];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
    last_id_ = Str(entry->element[0]);
    const redisReply* fields = entry->element[1];
    std::string payload;
    for (size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements; f += 2) {
      if (Str(fields->element[f]) == "payload") payload = Str(fields->element[f + 1]);
    }
    absl::StatusOr<v1::Alert> alert = AlertFromEventJson(payload);
    if (!alert.ok()) {
      common::LogWarning("alert stream entry without a readable payload; skipped",
                         {{"entry_id", last_id_}});
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, s] : subscribers_) s->Deliver(*alert);
  }
  return true;
}

void AlertHub::Loop() {
  Context c;
  absl::Duration backoff = absl::Milliseconds(100);
  bool down = false;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    if (serving_ && !serving_()) {
      EndAll(absl::UnavailableError(
          "the server is draining or lost its database; reconnect with since"));
    }
    if (!c) c = Connect();
    if (c && ReadOnce(c.get())) {
      if (down) common::LogInfo("alert stream reader reconnected to Redis");
      down = false;
      backoff = absl::Milliseconds(100);
      continue;
    }
    c.reset();
    if (!down) common::LogWarning("alert stream reader lost Redis; live alerts paused");
    down = true;
    // Wake at least every `block` so draining still ends the subscribers promptly.
    for (absl::Duration left = backoff; left > absl::ZeroDuration(); left -= options_.block) {
      if (!Sleep(std::min(left, options_.block))) return;
      if (serving_ && !serving_()) {
        EndAll(absl::UnavailableError(
            "the server is draining or lost its database; reconnect with since"));
      }
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace fangxian::checkpoint
