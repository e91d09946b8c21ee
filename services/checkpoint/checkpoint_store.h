// Storage of checkpoints and their kits behind a small interface; PgCheckpointStore is the
// one that ships.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

// The last check of one kit item (items never checked have no row).
struct KitRow {
  int item = 0;   // proto number of v1::KitItem
  int state = 0;  // proto number of v1::KitItemState
  std::string note;
  int64_t checked_at_micros = 0;
  std::string checked_by;
};

struct CheckpointRow {
  std::string checkpoint_id;
  std::string name;
  int kind = 0;  // proto number of v1::CheckpointKind
  std::string location;
  bool open = true;
  std::vector<std::string> area_codes;  // in lexical order when read back
  std::string created_by;
  int64_t created_at_micros = 0;
  std::string work_plan;  // empty in List results
  std::string closed_reason;
  int64_t updated_at_micros = 0;
  std::vector<KitRow> kit;  // checked items only, in item order
};

// Which checkpoints List returns: those with an area at or below `area_code`, after
// `after_checkpoint_id` (empty: from the start) in checkpoint_id order.
struct CheckpointQuery {
  std::string area_code;
  std::string after_checkpoint_id;
  bool include_closed = false;
  int limit = 100;
};

// The fields UpdateCheckpoint changes; unset ones stay as they are.
struct CheckpointChange {
  std::optional<std::string> name;
  std::optional<std::string> location;
  std::optional<std::string> work_plan;
};

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // Inserts the checkpoint and its areas atomically and returns the stored row (id, open
  // and times filled).
  virtual absl::StatusOr<CheckpointRow> Insert(const CheckpointRow& row) = 0;
  // With its kit. NOT_FOUND when absent.
  virtual absl::StatusOr<CheckpointRow> Get(const std::string& checkpoint_id) = 0;
  // With kits, without work plans.
  virtual absl::StatusOr<std::vector<CheckpointRow>> List(const CheckpointQuery& query) = 0;
  // Applies the change, sets updated_at and returns the row. NOT_FOUND when absent.
  virtual absl::StatusOr<CheckpointRow> Update(const std::string& checkpoint_id,
                                               const CheckpointChange& change) = 0;
  // Opens or closes (storing `closed_reason`, "" when opening); a checkpoint already in
  // that state is left as it is. NOT_FOUND when absent.
  virtual absl::StatusOr<CheckpointRow> SetOpen(const std::string& checkpoint_id, bool open,
                                                const std::string& closed_reason) = 0;
  // Replaces the last check of `kit.item` (checked_at = now). NOT_FOUND when absent.
  virtual absl::StatusOr<CheckpointRow> CheckKitItem(const std::string& checkpoint_id,
                                                     const KitRow& kit) = 0;
};

class PgCheckpointStore final : public CheckpointStore {
 public:
  explicit PgCheckpointStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<CheckpointRow> Insert(const CheckpointRow& row) override;
  absl::StatusOr<CheckpointRow> Get(const std::string& checkpoint_id) override;
  absl::StatusOr<std::vector<CheckpointRow>> List(const CheckpointQuery& query) override;
  absl::StatusOr<CheckpointRow> Update(const std::string& checkpoint_id,
                                       const CheckpointChange& change) override;
  absl::StatusOr<CheckpointRow> SetOpen(const std::string& checkpoint_id, bool open,
                                        const std::string& closed_reason) override;
  absl::StatusOr<CheckpointRow> CheckKitItem(const std::string& checkpoint_id,
                                             const KitRow& kit) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_STORE_H_
