// A fixed set of threads for blocking work (database and Redis calls) so that gRPC
// reactors never block. The queue is bounded: when it is full, TrySubmit refuses and the
// caller sheds the request (RESOURCE_EXHAUSTED) instead of queueing without limit.
#ifndef FANGXIAN_COMMON_WORKER_POOL_H_
#define FANGXIAN_COMMON_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fangxian::common {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t queue_limit);
  ~WorkerPool();  // Stop()

  // Refuses new tasks, runs what is queued, then joins the threads. Idempotent.
  void Stop();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool TrySubmit(std::function<void()> task);
  size_t queued() const;

 private:
  void Loop();
  const size_t queue_limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_WORKER_POOL_H_
