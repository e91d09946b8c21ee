// Storage of checkpoints behind a small interface; PgCheckpointStore is the one that ships.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

struct CheckpointRow {
  std::string checkpoint_id;
  std::string name;
  int kind = 0;  // proto number of v1::CheckpointKind
  std::string location;
  bool open = true;
  std::vector<std::string> area_codes;  // in lexical order when read back
  std::string created_by;
  int64_t created_at_micros = 0;
};

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // Inserts the checkpoint and its areas atomically and returns the stored row (id, open
  // and time filled).
  virtual absl::StatusOr<CheckpointRow> Insert(const CheckpointRow& row) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<CheckpointRow> Get(const std::string& checkpoint_id) = 0;
};

class PgCheckpointStore final : public CheckpointStore {
 public:
  explicit PgCheckpointStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<CheckpointRow> Insert(const CheckpointRow& row) override;
  absl::StatusOr<CheckpointRow> Get(const std::string& checkpoint_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_
