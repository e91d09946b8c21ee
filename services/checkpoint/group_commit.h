// Group commit for the passage log: "durable before acknowledged" without one transaction
// per record. RecordPassage hands its finished record to Submit and returns without
// finishing its call; committer threads take everything pending (up to batch_max), write
// it in ONE transaction, and only after COMMIT hand the batch to the finisher thread, which
// calls each record's `done` (finishing the call) while the committer already writes the
// next batch. Concurrent records thus share a commit (and its fsync) instead of queueing
// for one each. Design: docs/checkpoint.md, "Passage log: idempotency, offline replay and
// group commit".
#ifndef FANGXIAN_SERVICES_CHECKPOINT_GROUP_COMMIT_H_
#define FANGXIAN_SERVICES_CHECKPOINT_GROUP_COMMIT_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/checkpoint/passage_store.h"

namespace fangxian::checkpoint {

class GroupCommitter {
 public:
  struct Options {
    size_t batch_max = 256;     // FX_PASSAGE_BATCH_MAX; 1 = one transaction per record
    int threads = 1;            // committer threads (one transaction each at a time)
    size_t max_pending = 8192;  // records waiting beyond this are refused
    // Under steady load (records already waiting when a committer comes back from a
    // commit) a batch smaller than gather_records waits up to gather_wait for more, so a
    // moderate load does not pay one commit per two or three records. A committer that
    // was idle takes the first record at once. FX_PASSAGE_GATHER_US; zero: never wait.
    size_t gather_records = 8;
    absl::Duration gather_wait = absl::ZeroDuration();
  };
  // Called once per record, on the finisher thread (or at once when refused).
  using Done = std::function<void(absl::StatusOr<WriteOutcome>)>;
  // Called after each committed batch with the records written by it (not the replays):
  // the hook for live counters. Must not block for long.
  using AfterCommit = std::function<void(const std::vector<const PassageRecord*>&)>;

  GroupCommitter(BatchWriter& writer, Options options, AfterCommit after_commit = nullptr);
  ~GroupCommitter();  // Shutdown()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `record`; `done` gets the outcome once it is committed (or why not). Refused at
  // once with RESOURCE_EXHAUSTED when max_pending records wait already, and with
  // UNAVAILABLE after Shutdown.
  void Submit(PassageRecord record, Done done);

  // Stops taking records, commits (or fails) every pending one, answers them all, and
  // joins the threads.
  void Shutdown();

  size_t pending() const;

 private:
  struct Pending {
    PassageRecord record;
    Done done;
  };

  // A written batch and its outcomes, waiting for the finisher.
  struct Written {
    std::vector<Pending> batch;
    std::vector<absl::StatusOr<WriteOutcome>> results;  // one per distinct request
    std::vector<size_t> result_of;                      // batch index -> results index
    std::vector<bool> is_first;                         // batch index -> wrote its request
  };

  // How many waiting records end a gathering wait: gather_records, at most batch_max.
  size_t Gathered() const;
  void Loop();
  void FinishLoop();
  Written Commit(std::vector<Pending> batch);
  void Finish(Written& written);
  // Writes `records`; on a failure of a batch of several that is not the database being
  // unreachable, retries each record alone so that one bad record fails alone.
  std::vector<absl::StatusOr<WriteOutcome>> Write(const std::vector<const PassageRecord*>& records);

  BatchWriter& writer_;
  const Options options_;
  AfterCommit after_commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  int idle_committers_ = 0;       // waiting for any record: Submit wakes one
  int gathering_committers_ = 0;  // waiting for gather_records: woken when there are
  std::vector<std::thread> threads_;

  // Written batches, answered in commit order by one finisher thread.
  std::mutex finish_mu_;
  std::condition_variable finish_cv_;
  std::deque<Written> written_;
  bool committers_done_ = false;
  std::thread finisher_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_GROUP_COMMIT_H_
