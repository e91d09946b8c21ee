#include "bench/schedule.h"

#include <algorithm>
#include <cmath>

namespace fangxian::bench {

ConstantRateSchedule::ConstantRateSchedule(int64_t start_ns, double period_ns)
    : start_ns_(start_ns), period_ns_(period_ns) {}

ConstantRateSchedule ConstantRateSchedule::ForWorker(int64_t start_ns, double rate_per_second,
                                                     int worker, int workers) {
  const double period = 1e9 / rate_per_second;
  return ConstantRateSchedule(start_ns + static_cast<int64_t>(worker * period), period * workers);
}

int64_t ConstantRateSchedule::IntendedTime(uint64_t k) const {
  // Computed from k, not accumulated, so rounding never drifts.
  return start_ns_ + static_cast<int64_t>(static_cast<double>(k) * period_ns_);
}

uint64_t ConstantRateSchedule::DueCount(int64_t now_ns) const {
  if (now_ns < start_ns_) return 0;
  uint64_t n = static_cast<uint64_t>(std::floor((now_ns - start_ns_) / period_ns_)) + 1;
  // Make the answer agree exactly with IntendedTime despite floating-point rounding.
  while (n > 0 && IntendedTime(n - 1) > now_ns) --n;
  while (IntendedTime(n) <= now_ns) ++n;
  return n;
}

OpenLoopPacer::OpenLoopPacer(ConstantRateSchedule schedule, int64_t end_ns, int max_outstanding)
    : schedule_(schedule), end_ns_(end_ns), max_outstanding_(max_outstanding) {}

std::vector<int64_t> OpenLoopPacer::Due(int64_t now_ns, int outstanding) {
  std::vector<int64_t> sends;
  const uint64_t due = schedule_.DueCount(now_ns);
  for (; next_ < due; ++next_) {
    const int64_t intended = schedule_.IntendedTime(next_);
    if (intended >= end_ns_) break;
    if (outstanding + static_cast<int>(sends.size()) >= max_outstanding_) {
      ++not_sent_;
    } else {
      sends.push_back(intended);
    }
  }
  return sends;
}

int64_t OpenLoopPacer::NextIntendedTime() const {
  return std::min(schedule_.IntendedTime(next_), end_ns_);
}

}  // namespace fangxian::bench
