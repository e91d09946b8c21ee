#include "common/periodic.h"

#include "common/log.h"

namespace fangxian::common {

PeriodicTask::PeriodicTask(std::string name, absl::Duration interval,
                           std::function<absl::Status()> step, std::function<bool()> active)
    : name_(std::move(name)),
      interval_(interval),
      step_(std::move(step)),
      active_(std::move(active)) {}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void PeriodicTask::Loop() {
  bool failing = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    if (!active_ || active_()) {
      const absl::Status s = step_();
      if (!s.ok() && !failing) {
        LogWarning(name_ + " failed; retrying every interval", {{"error", s.ToString()}});
      } else if (s.ok() && failing) {
        LogInfo(name_ + " succeeds again");
      }
      failing = !s.ok();
    }
    lock.lock();
    cv_.wait_for(lock, absl::ToChronoMilliseconds(interval_),
                 [this] { return stopping_ || woken_; });
  }
}

}  // namespace fangxian::common
