#include "services/checkpoint/group_commit.h"

#include <pthread.h>

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::checkpoint {
namespace {

std::string KeyOf(const PassageRecord& r) {
  return absl::StrCat(r.checkpoint_id, "|", r.request_id);
}

// A failure that concerns the whole batch, not one record in it: retrying records one by
// one would only fail again (and hammer an unreachable database).
bool IsBatchWide(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsCancelled(s);
}

// The outcome of a record whose request id was taken by an earlier record of the same
// batch: the first one's stored result (a replay, or a conflict when the content differs).
absl::StatusOr<WriteOutcome> FollowFirst(const PassageRecord& record,
                                         const absl::StatusOr<WriteOutcome>& first) {
  if (!first.ok()) return first.status();
  // first->record is what is stored under the request id (written now or before): its
  // content decides.
  WriteOutcome out;
  out.record = first->record;
  out.kind = first->record.payload_hash == record.payload_hash ? WriteOutcome::kReplayed
                                                               : WriteOutcome::kConflict;
  return out;
}

}  // namespace

GroupCommitter::GroupCommitter(BatchWriter& writer, Options options, AfterCommit after_commit)
    : writer_(writer), options_(options), after_commit_(std::move(after_commit)) {
  const int threads = std::max(1, options_.threads);
  // Named for top -H and perf (at most 15 characters).
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "fx-committer");
      Loop();
    });
  }
  finisher_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "fx-finisher");
    FinishLoop();
  });
}

GroupCommitter::~GroupCommitter() { Shutdown(); }

void GroupCommitter::Submit(PassageRecord record, Done done) {
  absl::Status refused;
  bool wake = false, wake_all = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refused = absl::UnavailableError("the service is shutting down; retry");
    } else if (queue_.size() >= options_.max_pending) {
      refused = absl::ResourceExhaustedError(
          "too many passages are waiting for the database; retry with backoff");
    } else {
      queue_.push_back(Pending{std::move(record), std::move(done)});
      // A busy committer finds the record when it comes back; a gathering one is woken
      // only once enough are waiting. With both kinds asleep, notify_one could wake the
      // gathering one (which sleeps on), so all are woken.
      wake = idle_committers_ > 0 || (gathering_committers_ > 0 && queue_.size() >= Gathered());
      wake_all = idle_committers_ > 0 && gathering_committers_ > 0;
    }
  }
  if (!refused.ok()) {
    done(refused);
  } else if (wake_all) {
    cv_.notify_all();
  } else if (wake) {
    cv_.notify_one();
  }
}

size_t GroupCommitter::Gathered() const {
  return std::min(options_.gather_records, std::max<size_t>(1, options_.batch_max));
}

size_t GroupCommitter::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void GroupCommitter::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  // Every batch is written: the finisher answers what is left, then ends.
  {
    std::lock_guard<std::mutex> lock(finish_mu_);
    committers_done_ = true;
  }
  finish_cv_.notify_all();
  if (finisher_.joinable()) finisher_.join();
}

void GroupCommitter::Loop() {
  bool back_from_commit = false;  // only then do a few waiting records mean steady load
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (queue_.empty() && !stopping_) {
        ++idle_committers_;
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        --idle_committers_;
      } else if (back_from_commit && queue_.size() < Gathered() && !stopping_ &&
                 options_.gather_wait > absl::ZeroDuration()) {
        // Back from a commit with a few records waiting: the load is steady, so let a
        // batch gather rather than commit two or three records at a time.
        ++gathering_committers_;
        cv_.wait_for(lock, absl::ToChronoMicroseconds(options_.gather_wait),
                     [this] { return stopping_ || queue_.size() >= Gathered(); });
        --gathering_committers_;
      }
      if (queue_.empty()) {
        // On shutdown the queue is drained before the thread ends; otherwise another
        // committer took what had gathered.
        if (stopping_) return;
        back_from_commit = false;
        continue;
      }
      const size_t n = std::min(queue_.size(), std::max<size_t>(1, options_.batch_max));
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Written written = Commit(std::move(batch));
    back_from_commit = true;
    {
      std::lock_guard<std::mutex> lock(finish_mu_);
      written_.push_back(std::move(written));
    }
    finish_cv_.notify_one();
  }
}

void GroupCommitter::FinishLoop() {
  for (;;) {
    std::deque<Written> ready;
    {
      std::unique_lock<std::mutex> lock(finish_mu_);
      finish_cv_.wait(lock, [this] { return committers_done_ || !written_.empty(); });
      if (written_.empty()) return;  // committers_done_: nothing more will come
      ready.swap(written_);
    }
    for (Written& w : ready) Finish(w);
  }
}

std::vector<absl::StatusOr<WriteOutcome>> GroupCommitter::Write(
    const std::vector<const PassageRecord*>& records) {
  std::vector<WriteOutcome> outcomes;
  absl::Status s = writer_.WriteBatch(records, &outcomes);
  if (s.ok()) return {outcomes.begin(), outcomes.end()};
  if (records.size() == 1 || IsBatchWide(s)) {
    return std::vector<absl::StatusOr<WriteOutcome>>(records.size(), s);
  }
  common::LogWarning("passage batch failed; retrying its records one by one",
                     {{"records", static_cast<int64_t>(records.size())}, {"error", s.ToString()}});
  std::vector<absl::StatusOr<WriteOutcome>> results;
  results.reserve(records.size());
  for (const PassageRecord* r : records) {
    std::vector<WriteOutcome> one;
    absl::Status st = writer_.WriteBatch({r}, &one);
    if (st.ok()) {
      results.push_back(std::move(one.at(0)));
    } else {
      results.push_back(st);
    }
  }
  return results;
}

GroupCommitter::Written GroupCommitter::Commit(std::vector<Pending> batch) {
  // Two records with one request id in a batch: the first is written, the others follow
  // its outcome.
  Written w;
  absl::flat_hash_map<std::string, size_t> first_of;
  std::vector<const PassageRecord*> unique;
  w.result_of.resize(batch.size());
  w.is_first.assign(batch.size(), false);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto [it, inserted] = first_of.emplace(KeyOf(batch[i].record), unique.size());
    if (inserted) {
      unique.push_back(&batch[i].record);
      w.is_first[i] = true;
    }
    w.result_of[i] = it->second;
  }
  w.results = Write(unique);
  w.batch = std::move(batch);
  return w;
}

void GroupCommitter::Finish(Written& w) {
  for (size_t i = 0; i < w.batch.size(); ++i) {
    const absl::StatusOr<WriteOutcome>& first = w.results[w.result_of[i]];
    w.batch[i].done(w.is_first[i] ? first : FollowFirst(w.batch[i].record, first));
  }
  // After the callers have their answers: what follows a commit (live counters, waking the
  // outbox relay) must not delay an acknowledgement.
  if (after_commit_) {
    std::vector<const PassageRecord*> stored;
    for (const auto& r : w.results) {
      if (r.ok() && r->kind == WriteOutcome::kStored) stored.push_back(&r->record);
    }
    if (!stored.empty()) after_commit_(stored);
  }
}

}  // namespace fangxian::checkpoint
