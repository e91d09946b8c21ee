// The passage log's business logic: recording a passage (validate, check duty, look the
// person, pass colour and vehicle up, decide, and hand the record to the group committer)
// and reading the log. Plain values in, plain values out; the gRPC glue is
// passage_service.{h,cc}.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASSAGES_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASSAGES_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "services/checkpoint/duty_check.h"
#include "services/checkpoint/group_commit.h"
#include "services/checkpoint/pass_colour.h"
#include "services/checkpoint/passage_rules.h"
#include "services/checkpoint/passage_store.h"
#include "services/checkpoint/person_lookup.h"

namespace fangxian::checkpoint {

// The digest stored with a request id: keyed BLAKE2b-256 of the request's deterministic
// serialization under `key` (FX_PASSAGE_DIGEST_KEY, 32 bytes). The same content always
// gives the same digest; the key keeps anyone who reads the database from testing
// guessed ID numbers against it.
std::string PassagePayloadHash(const v1::RecordPassageRequest& request, absl::string_view key);

// A stored record as the API shows it. `person` (may be null) adds what identity said at
// the gate (name, masked ID number), which is never stored.
v1::Passage PassageToProto(const PassageRecord& record, const PersonAtGate* person, bool replayed);

class Passages {
 public:
  using Clock = std::function<absl::Time()>;
  using Done = std::function<void(absl::StatusOr<v1::Passage>)>;
  // Runs a task in the background (RpcRuntime::RunInBackground); false when it cannot.
  using Background = std::function<bool(std::function<void()>)>;

  // `digest_key`: the 32-byte key of PassagePayloadHash.
  Passages(PassageStore& store, GroupCommitter& committer, DutyCheck& duty, PersonLookup& people,
           PassColours& colours, Clock clock, absl::Duration max_replay, std::string digest_key)
      : store_(store),
        committer_(committer),
        duty_(duty),
        people_(people),
        colours_(colours),
        clock_(std::move(clock)),
        max_replay_(max_replay),
        digest_key_(std::move(digest_key)) {}

  // Where the fast path refreshes the entries it answered from, when they are about to
  // lapse (the checkpoint, the caller's duty, the pass, the colour): without it they
  // lapse, and the next passages take the worker path. Set before serving.
  void set_background(Background background) { background_ = std::move(background); }

  // The fast path, on the gRPC thread: when validation, the checkpoint, the caller's duty,
  // the pass holder and the pass colour all answer from memory (and every check passes),
  // builds the record, hands it to the group committer with `take()` as its Done and
  // returns true. Otherwise returns false without calling `take` (Record then runs on a
  // worker). Never blocks. A repeated request id that gets here is answered by the
  // committer (its batch's INSERT ... ON CONFLICT finds the stored first record).
  bool TryRecordFast(const common::CallContext& call, const v1::RecordPassageRequest& request,
                     absl::FunctionRef<Done()> take);

  // Runs the lookups on the calling (worker) thread, then returns; `done` is called once,
  // with the answer only after the record is committed, or with why nothing was stored.
  // After validation and the scope check, a request id already stored at the checkpoint
  // is answered at once from the log (its first result, or ALREADY_EXISTS for different
  // content) — before the open, duty and identity checks, so a device's retry gets its
  // answer after the shift ended, the checkpoint closed or identity went down.
  void Record(const common::CallContext& call, const v1::RecordPassageRequest& request, Done done);

  // Passages recorded through the fast path, and calls that took the worker path (a
  // cache that did not answer, an ID number or a vehicle, a replay, a refusal).
  uint64_t fast_path_count() const { return fast_path_.load(std::memory_order_relaxed); }
  uint64_t worker_path_count() const { return worker_path_.load(std::memory_order_relaxed); }

  absl::StatusOr<v1::Passage> Get(const common::CallContext& call,
                                  const v1::GetPassageRequest& request);
  absl::StatusOr<v1::ListPassagesResponse> List(const common::CallContext& call,
                                                const v1::ListPassagesRequest& request);

 private:
  // The server's time of a record: the clock truncated to microseconds, what the database
  // keeps, so that the first answer and a replay agree exactly.
  absl::Time Now() const;
  // The checks and lookups after the idempotency check, up to the finished record; an
  // error means nothing is to be stored.
  absl::StatusOr<PassageRecord> Prepare(const common::CallContext& call,
                                        const v1::RecordPassageRequest& request,
                                        const ValidPassage& valid, const CheckpointFacts& cp,
                                        absl::Time now, PersonAtGate* person);
  // The record of a passage whose facts are known.
  PassageRecord Build(const common::CallContext& call, const v1::RecordPassageRequest& request,
                      const ValidPassage& valid, const CheckpointFacts& cp, const PersonAtGate& who,
                      v1::PassColour colour, std::optional<bool> vehicle_registered,
                      absl::Time now) const;
  // Which of the fast path's entries it claimed to refresh (LocalCache's refresh-ahead).
  struct Refreshes {
    bool checkpoint = false, duty = false, pass = false, colour = false;
    std::string resident_id;  // of the pass, for the colour
    bool any() const { return checkpoint || duty || pass || colour; }
  };
  // Fetches the claimed entries again on a worker, while calls go on being answered from
  // the entries until they lapse.
  void RefreshInBackground(const common::CallContext& call, const v1::RecordPassageRequest& request,
                           Refreshes refreshes);
  // Hands `record` to the group committer; `done` gets the answer after COMMIT.
  void Commit(PassageRecord record, PersonAtGate person, Done done);
  // The checkpoint, when it exists and the caller's scope covers one of its areas
  // (NOT_FOUND otherwise, so a caller outside learns nothing).
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> VisibleCheckpoint(
      const common::CallContext& call, const std::string& checkpoint_id);

  PassageStore& store_;
  GroupCommitter& committer_;
  DutyCheck& duty_;
  PersonLookup& people_;
  PassColours& colours_;
  Clock clock_;
  Background background_;
  std::atomic<uint64_t> fast_path_{0};
  std::atomic<uint64_t> worker_path_{0};
  const absl::Duration max_replay_;
  const std::string digest_key_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASSAGES_H_
