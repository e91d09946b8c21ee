// Resident memory of another process (a server under load), for "memory stays flat"
// checks: sampled from /proc/PID/status while a load runs.
#ifndef FANGXIAN_BENCH_PROCESS_MEMORY_H_
#define FANGXIAN_BENCH_PROCESS_MEMORY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace fangxian::bench {

// VmRSS of `pid` in KiB, or -1 when it cannot be read.
int64_t ResidentKib(int pid);

// Samples ResidentKib(pid) every `every` from construction until Stop(): the value
// once `after` has passed (the end of a warm-up), the peak and the last.
class RssWatcher {
 public:
  RssWatcher(int pid, std::chrono::steady_clock::duration after,
             std::chrono::milliseconds every = std::chrono::milliseconds(100));
  ~RssWatcher();
  RssWatcher(const RssWatcher&) = delete;
  RssWatcher& operator=(const RssWatcher&) = delete;

  struct Figures {
    int64_t after_warmup_kib = -1;  // -1 when Stop() came first
    int64_t peak_kib = -1;
    int64_t end_kib = -1;
  };
  Figures Stop();

 private:
  const int pid_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> after_warmup_{-1};
  std::atomic<int64_t> peak_{-1};
  std::thread thread_;
};

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_PROCESS_MEMORY_H_
