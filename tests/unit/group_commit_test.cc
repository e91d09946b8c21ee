// The group committer against a fake writer: concurrent records share a batch, a batch
// that fails for one record is retried record by record, an unreachable database fails the
// batch, repeated request ids follow the first, and shutdown drains what is pending.
#include "services/checkpoint/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"

namespace fangxian::checkpoint {
namespace {

// Stores records in a map keyed like passage_requests. A record whose request id is
// "poison" fails any batch it is in; `unavailable` fails everything; `gate` (when set)
// holds the first WriteBatch until released, so records pile up behind it.
class FakeWriter final : public BatchWriter {
 public:
  absl::Status WriteBatch(const std::vector<const PassageRecord*>& records,
                          std::vector<WriteOutcome>* outcomes) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      batch_sizes_.push_back(records.size());
      ++in_write_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !hold_; });
      --in_write_;
      if (unavailable_) return absl::UnavailableError("database down");
      for (const PassageRecord* r : records) {
        if (r->request_id == "poison") return absl::InvalidArgumentError("bad value");
      }
      std::vector<WriteOutcome> out;
      for (const PassageRecord* r : records) {
        const std::string key = r->checkpoint_id + "|" + r->request_id;
        WriteOutcome o;
        auto it = stored_.find(key);
        if (it == stored_.end()) {
          stored_[key] = *r;
          o.kind = WriteOutcome::kStored;
          o.record = *r;
        } else {
          o.record = it->second;
          o.kind = it->second.payload_hash == r->payload_hash ? WriteOutcome::kReplayed
                                                              : WriteOutcome::kConflict;
        }
        out.push_back(std::move(o));
      }
      *outcomes = std::move(out);
    }
    return absl::OkStatus();
  }

  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void WaitUntilWriting() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return in_write_ > 0; });
  }
  // Whether `n` batches are being written at once within `timeout`.
  bool WaitUntilWriting(int n, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this, n] { return in_write_ >= n; });
  }
  void set_unavailable(bool v) {
    std::lock_guard<std::mutex> lock(mu_);
    unavailable_ = v;
  }
  std::vector<size_t> batch_sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return batch_sizes_;
  }
  size_t stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool unavailable_ = false;
  int in_write_ = 0;
  std::vector<size_t> batch_sizes_;
  std::map<std::string, PassageRecord> stored_;
};

PassageRecord Record(const std::string& request_id, const std::string& hash = "h") {
  PassageRecord r;
  r.checkpoint_id = "cp";
  r.request_id = request_id;
  r.passage_id = "p-" + request_id + "-" + hash;
  r.payload_hash = hash;
  return r;
}

// Submits and returns a future of the outcome.
std::future<absl::StatusOr<WriteOutcome>> Submit(GroupCommitter& c, PassageRecord r) {
  auto p = std::make_shared<std::promise<absl::StatusOr<WriteOutcome>>>();
  auto f = p->get_future();
  c.Submit(std::move(r), [p](absl::StatusOr<WriteOutcome> o) { p->set_value(std::move(o)); });
  return f;
}

TEST(GroupCommitTest, RecordsWaitingTogetherShareOneBatch) {
  FakeWriter writer;
  std::atomic<int> committed{0};
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1},
                   [&](const std::vector<const PassageRecord*>& s) { committed += s.size(); });
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();  // r0's batch is in the database; the rest queue up
  std::vector<std::future<absl::StatusOr<WriteOutcome>>> rest;
  for (int i = 1; i <= 50; ++i) rest.push_back(Submit(c, Record(absl::StrCat("r", i))));
  EXPECT_EQ(c.pending(), 50u);
  writer.Release();
  EXPECT_EQ(first.get()->kind, WriteOutcome::kStored);
  for (auto& f : rest) {
    absl::StatusOr<WriteOutcome> o = f.get();
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(o->kind, WriteOutcome::kStored);
  }
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 50}));
  EXPECT_EQ(writer.stored(), 51u);
  c.Shutdown();
  EXPECT_EQ(committed.load(), 51);
}

TEST(GroupCommitTest, TheNextBatchIsWrittenWhileThePreviousOneIsAnswered) {
  // Answering a batch (building responses, finishing calls) happens off the committer, so
  // the database is not idle meanwhile: here the first answer waits until a second batch
  // has been written, which a committer answering its own batches could never do.
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1});
  std::promise<void> second_written;
  std::future<void> second_written_f = second_written.get_future();
  std::atomic<bool> waited_ok{false};
  c.Submit(Record("r0"), [&](absl::StatusOr<WriteOutcome> o) {
    EXPECT_TRUE(o.ok());
    waited_ok = second_written_f.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  });
  // r0 is written (the fake writer keeps no hold), and its answer now waits for r1's write.
  while (writer.batch_sizes().empty()) std::this_thread::yield();
  auto r1 = Submit(c, Record("r1"));
  while (writer.batch_sizes().size() < 2) std::this_thread::yield();
  second_written.set_value();
  EXPECT_EQ(r1.get()->kind, WriteOutcome::kStored);
  c.Shutdown();
  EXPECT_TRUE(waited_ok.load());
}

TEST(GroupCommitTest, UnderSteadyLoadASmallBatchGathersUntilEnoughRecordsWait) {
  FakeWriter writer;
  GroupCommitter c(
      writer,
      {.batch_max = 256, .threads = 1, .gather_records = 4, .gather_wait = absl::Seconds(60)});
  writer.Hold();
  auto first = Submit(c, Record("r0"));  // an idle committer takes it at once
  writer.WaitUntilWriting();
  auto a1 = Submit(c, Record("a1"));
  auto a2 = Submit(c, Record("a2"));
  writer.Release();
  EXPECT_TRUE(first.get().ok());
  // Back from that commit with two records waiting: it waits for a fourth (not the 60 s).
  auto a3 = Submit(c, Record("a3"));
  auto a4 = Submit(c, Record("a4"));
  for (auto* f : {&a1, &a2, &a3, &a4}) EXPECT_TRUE(f->get().ok());
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 4}));
  // Idle again: a lone record is written at once, without gathering.
  EXPECT_TRUE(Submit(c, Record("b1")).get().ok());
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 4, 1}));
}

TEST(GroupCommitTest, ACommitterWhoseGatheredRecordsAnotherTookKeepsWorking) {
  FakeWriter writer;
  GroupCommitter c(
      writer,
      {.batch_max = 256, .threads = 2, .gather_records = 4, .gather_wait = absl::Milliseconds(20)});
  writer.Hold();
  auto a = Submit(c, Record("a"));
  writer.WaitUntilWriting();  // one committer holds a
  auto b = Submit(c, Record("b"));
  const bool both = writer.WaitUntilWriting(2, std::chrono::seconds(10));  // the other, b
  auto d = Submit(c, Record("d"));
  writer.Release();
  ASSERT_TRUE(both);
  // Both come back to one waiting record and gather; one of them takes it, the other
  // finds the queue empty and must go on waiting, not end its thread.
  for (auto* f : {&a, &b, &d}) EXPECT_TRUE(f->get().ok());
  writer.Hold();
  auto e = Submit(c, Record("e"));
  writer.WaitUntilWriting();  // one committer holds e
  auto f = Submit(c, Record("f"));
  const bool still_two = writer.WaitUntilWriting(2, std::chrono::seconds(10));
  writer.Release();
  EXPECT_TRUE(still_two) << "a committer ended after a gathering wait";
  EXPECT_TRUE(e.get().ok());
  EXPECT_TRUE(f.get().ok());
}

TEST(GroupCommitTest, AGatheringBatchIsWrittenWhenTheWaitEnds) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256,
                            .threads = 1,
                            .gather_records = 100,
                            .gather_wait = absl::Milliseconds(20)});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  auto a1 = Submit(c, Record("a1"));
  auto a2 = Submit(c, Record("a2"));
  writer.Release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(a1.get().ok());  // far fewer than 100: written once the 20 ms are over
  EXPECT_TRUE(a2.get().ok());
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 2}));
}

TEST(GroupCommitTest, BatchesAreCappedAtBatchMax) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 8, .threads = 1});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  std::vector<std::future<absl::StatusOr<WriteOutcome>>> rest;
  for (int i = 1; i <= 20; ++i) rest.push_back(Submit(c, Record(absl::StrCat("r", i))));
  writer.Release();
  for (auto& f : rest) EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 8, 8, 4}));
}

TEST(GroupCommitTest, OneBadRecordFailsAloneAfterTheBatchIsRetriedOneByOne) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  auto a = Submit(c, Record("a"));
  auto poison = Submit(c, Record("poison"));
  auto b = Submit(c, Record("b"));
  writer.Release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_EQ(a.get()->kind, WriteOutcome::kStored);
  absl::StatusOr<WriteOutcome> p = poison.get();
  EXPECT_TRUE(absl::IsInvalidArgument(p.status())) << p.status();
  EXPECT_EQ(b.get()->kind, WriteOutcome::kStored);
  // The batch of three, then each alone.
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 3, 1, 1, 1}));
  EXPECT_EQ(writer.stored(), 3u);
}

TEST(GroupCommitTest, AnUnreachableDatabaseFailsTheBatchWithoutRetryingEachRecord) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  writer.set_unavailable(true);
  auto a = Submit(c, Record("a"));
  auto b = Submit(c, Record("b"));
  writer.Release();
  EXPECT_TRUE(absl::IsUnavailable(first.get().status()));
  EXPECT_TRUE(absl::IsUnavailable(a.get().status()));
  EXPECT_TRUE(absl::IsUnavailable(b.get().status()));
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(writer.stored(), 0u);
}

TEST(GroupCommitTest, ARepeatedRequestIdInOneBatchFollowsTheFirst) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  auto x1 = Submit(c, Record("x", "same"));
  auto x2 = Submit(c, Record("x", "same"));
  auto x3 = Submit(c, Record("x", "different"));
  writer.Release();
  EXPECT_TRUE(first.get().ok());
  absl::StatusOr<WriteOutcome> o1 = x1.get(), o2 = x2.get(), o3 = x3.get();
  ASSERT_TRUE(o1.ok() && o2.ok() && o3.ok());
  EXPECT_EQ(o1->kind, WriteOutcome::kStored);
  EXPECT_EQ(o2->kind, WriteOutcome::kReplayed);
  EXPECT_EQ(o2->record.passage_id, o1->record.passage_id);
  EXPECT_EQ(o3->kind, WriteOutcome::kConflict);
  EXPECT_EQ(writer.batch_sizes(), (std::vector<size_t>{1, 1}));  // x written once

  // Later, across batches: the stored first record decides.
  EXPECT_EQ(Submit(c, Record("x", "same")).get()->kind, WriteOutcome::kReplayed);
  EXPECT_EQ(Submit(c, Record("x", "other")).get()->kind, WriteOutcome::kConflict);
  EXPECT_EQ(writer.stored(), 2u);
}

TEST(GroupCommitTest, ShutdownCommitsWhatIsPendingThenRefusesNewRecords) {
  FakeWriter writer;
  auto c = std::make_unique<GroupCommitter>(writer,
                                            GroupCommitter::Options{.batch_max = 4, .threads = 2});
  writer.Hold();
  auto first = Submit(*c, Record("r0"));
  writer.WaitUntilWriting();
  std::vector<std::future<absl::StatusOr<WriteOutcome>>> rest;
  for (int i = 1; i <= 30; ++i) rest.push_back(Submit(*c, Record(absl::StrCat("r", i))));
  std::thread stopper([&] { c->Shutdown(); });
  // Once new records are refused, the committer is stopping with most of the 30 records
  // still queued behind the held batches; a probe accepted before that is committed like the
  // others.
  int accepted_probes = 0;
  for (int i = 0;; ++i) {
    // Refused records are answered inside Submit; accepted ones later, on a committer.
    auto refused = std::make_shared<std::atomic<bool>>(false);
    std::thread::id caller = std::this_thread::get_id();
    c->Submit(Record(absl::StrCat("probe", i)), [refused, caller](absl::StatusOr<WriteOutcome> o) {
      if (std::this_thread::get_id() == caller) {
        EXPECT_TRUE(absl::IsUnavailable(o.status())) << o.status();
        *refused = true;
      }
    });
    if (*refused) break;
    ++accepted_probes;
    std::this_thread::yield();
  }
  // The second committer may hold a batch of 4 in the (held) writer; the rest still queue.
  EXPECT_GE(c->pending(), 26u);
  writer.Release();
  stopper.join();
  EXPECT_TRUE(first.get().ok());
  for (auto& f : rest) EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(writer.stored(), 31u + accepted_probes);
  absl::StatusOr<WriteOutcome> late = Submit(*c, Record("late")).get();
  EXPECT_TRUE(absl::IsUnavailable(late.status())) << late.status();
  EXPECT_EQ(writer.stored(), 31u + accepted_probes);
}

TEST(GroupCommitTest, TooManyPendingRecordsAreRefusedAtOnce) {
  FakeWriter writer;
  GroupCommitter c(writer, {.batch_max = 256, .threads = 1, .max_pending = 2});
  writer.Hold();
  auto first = Submit(c, Record("r0"));
  writer.WaitUntilWriting();
  auto a = Submit(c, Record("a"));
  auto b = Submit(c, Record("b"));
  absl::StatusOr<WriteOutcome> refused = Submit(c, Record("c")).get();
  EXPECT_TRUE(absl::IsResourceExhausted(refused.status())) << refused.status();
  writer.Release();
  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
}

}  // namespace
}  // namespace fangxian::checkpoint
