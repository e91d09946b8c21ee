// The unstaffed-post watch: a background thread that, for every open checkpoint, raises a
// post-unstaffed alert for each post of the current shift with nobody on duty (clocked in
// and not out) once the shift is `grace` old. One alert per post per shift: the alert's
// dedupe key is "unstaffed:<checkpoint>:<date>:<shift>:<post>", so replicas running the
// watch at once, or a post found unstaffed again, raise nothing new.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_STAFFING_WATCH_H_
#define FANGXIAN_SERVICES_CHECKPOINT_STAFFING_WATCH_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {

// The dedupe key of the unstaffed alert of one post of one shift.
std::string UnstaffedDedupeKey(const std::string& checkpoint_id, absl::CivilDay day, int shift,
                               int post);

class StaffingWatch {
 public:
  struct Options {
    absl::Duration interval = absl::Seconds(60);  // FX_STAFFING_WATCH_MS
    absl::Duration grace = absl::Minutes(15);     // FX_UNSTAFFED_GRACE_S
  };

  // `ready`: whether the database is migrated and reachable (the thread skips rounds
  // until it is). `clock`: the service's clock.
  StaffingWatch(common::PgPool& pool, const ShiftPattern& shifts, Options options,
                std::function<bool()> ready, std::function<absl::Time()> clock);
  ~StaffingWatch();  // Stop()

  // One round at `now`: in one transaction, finds the unstaffed posts of the shift `now`
  // falls in (if it started at least `grace` ago) at open checkpoints that have no alert
  // for them yet, and raises one alert each. Returns how many were raised.
  absl::StatusOr<int> RunOnce(absl::Time now);

  // Starts the thread (a round every `interval`).
  void Start();
  // Stops and joins the thread; safe to call twice.
  void Stop();

 private:
  void Loop();

  common::PgPool& pool_;
  const ShiftPattern& shifts_;
  const Options options_;
  std::function<bool()> ready_;
  std::function<absl::Time()> clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_STAFFING_WATCH_H_
