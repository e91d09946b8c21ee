// Open-loop (constant-rate) pacing without coordinated omission. Send k is due at a fixed
// intended time start + k * period, independent of how fast earlier calls completed;
// latency is measured from that intended time. When the load generator falls behind (a
// stall in the server, the network or the generator itself), the late sends still go out
// as soon as possible and each is charged the full delay since its intended time.
#ifndef FANGXIAN_BENCH_SCHEDULE_H_
#define FANGXIAN_BENCH_SCHEDULE_H_

#include <cstdint>
#include <vector>

namespace fangxian::bench {

class ConstantRateSchedule {
 public:
  // Times are nanoseconds on any monotonic clock.
  ConstantRateSchedule(int64_t start_ns, double period_ns);

  // Worker `worker` of `workers` sharing `rate_per_second`: every workers-th slot of the
  // global schedule, so the union of all workers is the global schedule.
  static ConstantRateSchedule ForWorker(int64_t start_ns, double rate_per_second, int worker,
                                        int workers);

  int64_t IntendedTime(uint64_t k) const;
  // How many sends are due by now_ns: the number of k with IntendedTime(k) <= now_ns.
  uint64_t DueCount(int64_t now_ns) const;

 private:
  int64_t start_ns_;
  double period_ns_;
};

// Latency of a call that completed at completion_ns and was meant to start at
// intended_ns (not when it actually started).
inline int64_t LatencyFromIntended(int64_t intended_ns, int64_t completion_ns) {
  return completion_ns - intended_ns;
}

// Decides, each time a worker wakes up, which scheduled sends go out. Sends whose
// intended time is at or after end_ns are never made. A due send that would exceed
// max_outstanding calls in flight is not made and counted in not_sent().
class OpenLoopPacer {
 public:
  OpenLoopPacer(ConstantRateSchedule schedule, int64_t end_ns, int max_outstanding);

  // The intended times of the sends to make now, oldest first.
  std::vector<int64_t> Due(int64_t now_ns, int outstanding);
  // Intended time of the next send not yet decided; end_ns once the schedule is done.
  int64_t NextIntendedTime() const;
  bool done() const { return NextIntendedTime() >= end_ns_; }
  uint64_t not_sent() const { return not_sent_; }

 private:
  ConstantRateSchedule schedule_;
  int64_t end_ns_;
  int max_outstanding_;
  uint64_t next_ = 0;  // index of the next undecided send
  uint64_t not_sent_ = 0;
};

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_SCHEDULE_H_
