// Live fan-out of alerts to the StreamAlerts subscribers of this replica. A thread tails
// the Redis Stream the outbox relay publishes to (XREAD BLOCK on its own hiredis context,
// never a pooled one, since it blocks) and hands every alert to every local subscriber,
// which applies its own area filter. Each replica tails the stream itself, so a
// subscriber sees alerts raised through any replica.
//
// Reading starts at the stream's end when the hub first reaches Redis ("$") and then
// continues from the last entry read, so nothing published meanwhile is skipped across
// a reconnection (back-off 100 ms doubling to 5 s).
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ALERT_HUB_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ALERT_HUB_H_

#include <hiredis/hiredis.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/redis.h"
#include "fangxian/checkpoint/v1/alerts.pb.h"
#include "services/checkpoint/alert_writer.h"

namespace fangxian::checkpoint {

class AlertHub {
 public:
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    // Called on the hub's thread with the hub's lock held: must not block and must not
    // call the hub. `alert` is unredacted (the subscriber redacts for its caller).
    virtual void Deliver(const v1::Alert& alert) = 0;
    // The hub has dropped the subscriber (shutdown, or the service is no longer ready).
    // Same rules as Deliver.
    virtual void End(const absl::Status& status) = 0;
  };

  struct Options {
    common::RedisPool::Options redis;  // host, port, password; timeout bounds connecting
    std::string stream = kAlertStreamKey;
    absl::Duration block = absl::Milliseconds(500);  // XREAD BLOCK
    absl::Duration max_backoff = absl::Seconds(5);
  };

  // `serving`: while it returns false (the server is draining or lost its database),
  // every subscriber is ended with UNAVAILABLE; null means always serving.
  AlertHub(Options options, std::function<bool()> serving = nullptr);
  ~AlertHub();  // Stop()
  AlertHub(const AlertHub&) = delete;
  AlertHub& operator=(const AlertHub&) = delete;

  void Start();
  // Ends every subscriber with UNAVAILABLE and joins the thread.
  void Stop();

  // Registers a subscriber; returns its id, or 0 when the hub is stopped.
  uint64_t Subscribe(std::shared_ptr<Subscriber> subscriber);
  void Unsubscribe(uint64_t id);
  size_t subscribers() const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;

  void Loop();
  Context Connect();
  // Reads once (up to `block`) and delivers what arrived. false: the context is broken.
  bool ReadOnce(redisContext* c);
  void EndAll(const absl::Status& status);
  // Waits up to `d` unless stopping; returns false when stopping.
  bool Sleep(absl::Duration d);

  const Options options_;
  const std::function<bool()> serving_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Subscriber>> subscribers_;
  std::string last_id_;  // the hub thread's only; "" until the stream's end is known
  std::thread thread_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ALERT_HUB_H_
