// Storage of the passage log behind a small interface; PgPassageStore is the one that
// ships. Writes happen only in batches (the group committer's transactions).
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "services/checkpoint/alert_writer.h"

namespace fangxian::checkpoint {

// One row of checkpoint.passages (enums as proto numbers), plus what is written with it:
// the idempotency key's payload hash and the alerts the passage raises.
struct PassageRecord {
  std::string passage_id;  // generated before the write
  std::string checkpoint_id;
  std::string request_id;
  int direction = 0;
  std::string resident_id;  // empty: no known person
  bool visitor = false;
  std::optional<int> temperature_tenths;
  std::string plate;  // empty: none
  int vehicle_exemption = 0;
  std::optional<bool> vehicle_registered;  // unset: not checked
  int pass_colour = 0;
  int decision = 0;
  std::vector<int> reasons;
  std::string operator_id;
  absl::Time client_time;
  absl::Time recorded_at;
  std::string visit_destination;  // visitors only
  std::string visit_reason;
  std::string payload_hash;            // raw digest of the request's content
  std::vector<NewAlert> alerts;        // passage_id filled in; written with the passage
  std::vector<std::string> alert_ids;  // filled when stored or read back
};

// What writing one record came to.
struct WriteOutcome {
  enum Kind {
    kStored,    // written now
    kReplayed,  // its request id was stored before with the same content: nothing written
    kConflict,  // its request id was stored before with different content: nothing written
  };
  Kind kind = kStored;
  // kStored: the record as written (alert ids filled); kReplayed/kConflict: the stored
  // first record of the request id.
  PassageRecord record;
};

// The group committer's view of storage.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Writes `records` (distinct (checkpoint_id, request_id) keys) in one transaction and
  // fills `outcomes` (same order) when it commits. A failure means nothing was written.
  virtual absl::Status WriteBatch(const std::vector<const PassageRecord*>& records,
                                  std::vector<WriteOutcome>* outcomes) = 0;
};

class PassageStore : public BatchWriter {
 public:
  // What is stored under a request id (one primary-key read): std::nullopt when the id is
  // unused; else the first record with its payload_hash and alert_ids, or a record with
  // an empty passage_id when the key outlived its passage (purged: the id stays taken).
  virtual absl::StatusOr<std::optional<PassageRecord>> FindRequest(
      const std::string& checkpoint_id, const std::string& request_id) = 0;
  // NOT_FOUND when there is no such passage at this checkpoint.
  virtual absl::StatusOr<PassageRecord> Get(const std::string& checkpoint_id,
                                            const std::string& passage_id) = 0;
  // Passages of `checkpoint_id` recorded in [from, to), newest first, strictly after the
  // cursor (recorded_at, passage_id) when given; at most `limit`.
  struct Cursor {
    absl::Time recorded_at;
    std::string passage_id;
  };
  virtual absl::StatusOr<std::vector<PassageRecord>> List(const std::string& checkpoint_id,
                                                          absl::Time from, absl::Time to,
                                                          const std::optional<Cursor>& after,
                                                          int limit) = 0;
  // Creates the UTC-day partitions of passages for [first, last] (idempotent).
  virtual absl::Status EnsurePartitions(absl::CivilDay first, absl::CivilDay last) = 0;
};

class PgPassageStore final : public PassageStore {
 public:
  // Batches are written through `writer` (the committers' own connections, so that a
  // burst of reads holding the shared pool never delays a commit); everything else goes
  // through `pool`.
  PgPassageStore(common::PgPool& pool, common::PgPool& writer) : pool_(pool), writer_(writer) {}

  // One transaction: passage_requests (multi-row, ON CONFLICT DO NOTHING), then the
  // passages of the new keys, then their alerts and outbox events. When the database has
  // no partition for a record's day, the partitions are created and the batch retried.
  absl::Status WriteBatch(const std::vector<const PassageRecord*>& records,
                          std::vector<WriteOutcome>* outcomes) override;
  absl::StatusOr<std::optional<PassageRecord>> FindRequest(const std::string& checkpoint_id,
                                                           const std::string& request_id) override;
  absl::StatusOr<PassageRecord> Get(const std::string& checkpoint_id,
                                    const std::string& passage_id) override;
  absl::StatusOr<std::vector<PassageRecord>> List(const std::string& checkpoint_id, absl::Time from,
                                                  absl::Time to, const std::optional<Cursor>& after,
                                                  int limit) override;
  absl::Status EnsurePartitions(absl::CivilDay first, absl::CivilDay last) override;

 private:
  absl::Status WriteOnce(const std::vector<const PassageRecord*>& records,
                         std::vector<WriteOutcome>* outcomes);
  common::PgPool& pool_;
  common::PgPool& writer_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_STORE_H_
