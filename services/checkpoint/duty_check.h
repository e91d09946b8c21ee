// Who may record passages at a checkpoint right now, and what the passage log needs to
// know about the checkpoint (its areas, open or closed) — both answered from a short
// in-process cache, because every passage asks.
//
// On duty means: an assignment for the current shift (ShiftPattern::At(now)) at this
// checkpoint, clocked in and not out; or being today's leading cadre of the checkpoint; or
// a subdistrict_admin / community_admin grant over one of its areas. Staleness: answers
// are kept for `ttl` (FX_PASSAGE_DUTY_CACHE_MS, default 2 s), so a clock-in, clock-out or
// closing takes effect within that long on every replica. Under steady traffic the entries
// are refreshed in the background before they lapse (the `refresh` outputs and Refresh*
// methods, LocalCache's refresh-ahead), so the passages of a busy gate never all miss at
// once; the bound stays `ttl`.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_DUTY_CHECK_H_
#define FANGXIAN_SERVICES_CHECKPOINT_DUTY_CHECK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {

struct CheckpointFacts {
  std::vector<std::string> area_codes;  // lexical order
  bool open = true;
};

class DutyCheck {
 public:
  DutyCheck(common::PgPool& pg, const ShiftPattern& shifts, absl::Duration ttl)
      : pg_(pg), shifts_(shifts), ttl_(ttl) {}

  // The checkpoint's areas and state. NOT_FOUND when there is no such checkpoint.
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> Checkpoint(
      const std::string& checkpoint_id, absl::Time now);
  // The same from memory only (never blocks); null when not kept. `*refresh` (optional)
  // is set for the one caller that should call RefreshCheckpoint in the background, the
  // entry expiring within a quarter of `ttl`.
  std::shared_ptr<const CheckpointFacts> CachedCheckpoint(const std::string& checkpoint_id,
                                                          absl::Time now,
                                                          bool* refresh = nullptr) const;
  // Reads the checkpoint again and keeps it (blocking; errors leave the entry to lapse).
  void RefreshCheckpoint(const std::string& checkpoint_id, absl::Time now);

  // OK when the caller may record at the checkpoint at `now`; PERMISSION_DENIED otherwise
  // ("clock in first").
  absl::Status RequireOnDuty(const common::CallContext& call, const std::string& checkpoint_id,
                             const CheckpointFacts& checkpoint, absl::Time now);
  // True when memory alone says the caller may record (an admin grant, or a kept "on
  // duty"); false when it does not know or knows otherwise. Never blocks.
  // `*refresh` (optional) as for CachedCheckpoint, for RefreshOnDuty.
  bool OnDutyFromMemory(const common::CallContext& call, const std::string& checkpoint_id,
                        const CheckpointFacts& checkpoint, absl::Time now,
                        bool* refresh = nullptr) const;
  // Reads the caller's duty at the checkpoint again and keeps it (blocking).
  void RefreshOnDuty(const common::CallContext& call, const std::string& checkpoint_id,
                     absl::Time now);

 private:
  common::PgPool& pg_;
  const ShiftPattern& shifts_;
  // The on-duty cache key of the caller at the checkpoint in `slot`.
  static std::string DutyKey(const common::CallContext& call, const std::string& checkpoint_id,
                             const ShiftPattern::Slot& slot);
  static bool IsAdminOver(const common::CallContext& call, const CheckpointFacts& checkpoint);
  // From PostgreSQL, then kept.
  absl::StatusOr<std::shared_ptr<const CheckpointFacts>> LoadCheckpoint(
      const std::string& checkpoint_id, absl::Time now);
  absl::StatusOr<bool> LoadOnDuty(const common::CallContext& call, const std::string& checkpoint_id,
                                  absl::Time now);

  const absl::Duration ttl_;
  common::LocalCache<std::shared_ptr<const CheckpointFacts>> checkpoints_{4096};
  common::LocalCache<bool> on_duty_{65536};
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_DUTY_CHECK_H_
