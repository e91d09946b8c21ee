// A background thread that runs one step every `interval` while the service is ready,
// logging a failure once when it starts and once when it ends (not every round).
// For housekeeping loops: the pass-colour review, and the kind of loop the checkpoint
// staffing watch and maintenance run.
#ifndef FANGXIAN_COMMON_PERIODIC_H_
#define FANGXIAN_COMMON_PERIODIC_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace fangxian::common {

class PeriodicTask {
 public:
  // `step` returns OK, or the failure to log; `active` (may be null: always) says whether
  // to run a step now (the database is reachable and migrated). `name` goes in the logs.
  PeriodicTask(std::string name, absl::Duration interval, std::function<absl::Status()> step,
               std::function<bool()> active = nullptr);
  ~PeriodicTask();  // Stop()
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  // Finishes the step under way and joins the thread; safe to call twice.
  void Stop();
  // Runs the next step at once instead of waiting out the interval.
  void Wake();

 private:
  void Loop();

  const std::string name_;
  const absl::Duration interval_;
  const std::function<absl::Status()> step_;
  const std::function<bool()> active_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_PERIODIC_H_
