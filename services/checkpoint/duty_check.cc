#include "services/checkpoint/duty_check.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"

namespace fangxian::checkpoint {
namespace {

// Roles whose grant over one of a checkpoint's areas lets them record there at any time.
const std::vector<absl::string_view> kAdminRoles = {"subdistrict_admin", "community_admin"};

}  // namespace

absl::StatusOr<std::shared_ptr<const CheckpointFacts>> DutyCheck::Checkpoint(
    const std::string& checkpoint_id, absl::Time now) {
  if (auto cached = checkpoints_.Find(checkpoint_id, now)) return *cached;
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT c.open, (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
      "FROM checkpoint.checkpoint_areas a WHERE a.checkpoint_id = c.checkpoint_id) "
      "FROM checkpoint.checkpoints c WHERE c.checkpoint_id = $1",
      {checkpoint_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no checkpoint with this checkpoint_id");
  auto facts = std::make_shared<CheckpointFacts>();
  facts->open = r->Get(0, 0) == "t";
  if (!r->IsNull(0, 1)) {
    facts->area_codes = absl::StrSplit(r->Get(0, 1), ',', absl::SkipEmpty());
  }
  std::shared_ptr<const CheckpointFacts> out = std::move(facts);
  checkpoints_.Insert(checkpoint_id, out, now + ttl_);
  return out;
}

absl::Status DutyCheck::RequireOnDuty(const common::CallContext& call,
                                      const std::string& checkpoint_id,
                                      const CheckpointFacts& checkpoint, absl::Time now) {
  for (const std::string& area : checkpoint.area_codes) {
    if (call.principal.CoversArea(area, kAdminRoles)) return absl::OkStatus();
  }
  const ShiftPattern::Slot slot = shifts_.At(now);
  const std::string day = common::IsoDate(slot.day);
  const std::string key =
      absl::StrCat(checkpoint_id, "|", call.principal.subject, "|", day, "|", slot.shift);
  std::optional<bool> on_duty = on_duty_.Find(key, now);
  if (!on_duty) {
    auto conn = pg_.Acquire();
    if (!conn.ok()) return conn.status();
    auto r = conn->Exec(
        "SELECT EXISTS (SELECT 1 FROM checkpoint.post_assignments "
        "WHERE checkpoint_id = $1 AND account_id = $2 AND duty_date = $3::date AND shift = $4 "
        "AND clock_in_at IS NOT NULL AND clock_out_at IS NULL) "
        "OR EXISTS (SELECT 1 FROM checkpoint.duty_days "
        "WHERE checkpoint_id = $1 AND duty_date = $3::date AND cadre_account_id = $2)",
        {checkpoint_id, call.principal.subject, day, std::to_string(slot.shift)});
    if (!r.ok()) return r.status();
    on_duty = r->Get(0, 0) == "t";
    // Never kept past the end of the shift it describes.
    on_duty_.Insert(key, *on_duty, std::min(now + ttl_, slot.end));
  }
  if (*on_duty) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "you are not on duty at this checkpoint now; clock in first (or ask the leading cadre)");
}

}  // namespace fangxian::checkpoint
