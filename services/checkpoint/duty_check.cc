#include "services/checkpoint/duty_check.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"
#include "services/checkpoint/checkpoints.h"

namespace fangxian::checkpoint {
namespace {

// Roles whose grant over one of a checkpoint's areas lets them record there at any time.
const std::vector<absl::string_view> kAdminRoles = {"subdistrict_admin", "community_admin"};

}  // namespace

std::shared_ptr<const CheckpointFacts> DutyCheck::CachedCheckpoint(const std::string& checkpoint_id,
                                                                   absl::Time now,
                                                                   bool* refresh) const {
  if (auto cached = checkpoints_.Find(checkpoint_id, now, ttl_ / 4, refresh)) {
    return *std::move(cached);
  }
  return nullptr;
}

void DutyCheck::RefreshCheckpoint(const std::string& checkpoint_id, absl::Time now) {
  (void)LoadCheckpoint(checkpoint_id, now);
}

void DutyCheck::RefreshOnDuty(const common::CallContext& call, const std::string& checkpoint_id,
                              absl::Time now) {
  (void)LoadOnDuty(call, checkpoint_id, now);
}

std::string DutyCheck::DutyKey(const common::CallContext& call, const std::string& checkpoint_id,
                               const ShiftPattern::Slot& slot) {
  return absl::StrCat(checkpoint_id, "|", call.principal.subject, "|", common::IsoDate(slot.day),
                      "|", slot.shift);
}

bool DutyCheck::IsAdminOver(const common::CallContext& call, const CheckpointFacts& checkpoint) {
  for (const std::string& area : checkpoint.area_codes) {
    if (call.principal.CoversArea(area, kAdminRoles)) return true;
  }
  return false;
}

bool DutyCheck::OnDutyFromMemory(const common::CallContext& call, const std::string& checkpoint_id,
                                 const CheckpointFacts& checkpoint, absl::Time now,
                                 bool* refresh) const {
  if (refresh != nullptr) *refresh = false;
  if (IsAdminOver(call, checkpoint)) return true;
  return on_duty_.Find(DutyKey(call, checkpoint_id, shifts_.At(now)), now, ttl_ / 4, refresh)
      .value_or(false);
}

absl::StatusOr<std::shared_ptr<const CheckpointFacts>> DutyCheck::Checkpoint(
    const std::string& checkpoint_id, absl::Time now) {
  if (auto cached = checkpoints_.Find(checkpoint_id, now)) return *cached;
  return LoadCheckpoint(checkpoint_id, now);
}

absl::StatusOr<std::shared_ptr<const CheckpointFacts>> DutyCheck::LoadCheckpoint(
    const std::string& checkpoint_id, absl::Time now) {
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT c.open, (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
      "FROM checkpoint.checkpoint_areas a WHERE a.checkpoint_id = c.checkpoint_id) "
      "FROM checkpoint.checkpoints c WHERE c.checkpoint_id = $1",
      {checkpoint_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return CheckpointNotFound();
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
  if (IsAdminOver(call, checkpoint)) return absl::OkStatus();
  std::optional<bool> on_duty = on_duty_.Find(DutyKey(call, checkpoint_id, shifts_.At(now)), now);
  if (!on_duty) {
    absl::StatusOr<bool> loaded = LoadOnDuty(call, checkpoint_id, now);
    if (!loaded.ok()) return loaded.status();
    on_duty = *loaded;
  }
  if (*on_duty) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "you are not on duty at this checkpoint now; clock in first (or ask the leading cadre)");
}

absl::StatusOr<bool> DutyCheck::LoadOnDuty(const common::CallContext& call,
                                           const std::string& checkpoint_id, absl::Time now) {
  const ShiftPattern::Slot slot = shifts_.At(now);
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT EXISTS (SELECT 1 FROM checkpoint.post_assignments "
      "WHERE checkpoint_id = $1 AND account_id = $2 AND duty_date = $3::date AND shift = $4 "
      "AND clock_in_at IS NOT NULL AND clock_out_at IS NULL) "
      "OR EXISTS (SELECT 1 FROM checkpoint.duty_days "
      "WHERE checkpoint_id = $1 AND duty_date = $3::date AND cadre_account_id = $2)",
      {checkpoint_id, call.principal.subject, common::IsoDate(slot.day),
       std::to_string(slot.shift)});
  if (!r.ok()) return r.status();
  const bool on_duty = r->Get(0, 0) == "t";
  // Never kept past the end of the shift it describes.
  on_duty_.Insert(DutyKey(call, checkpoint_id, slot), on_duty, std::min(now + ttl_, slot.end));
  return on_duty;
}

}  // namespace fangxian::checkpoint
