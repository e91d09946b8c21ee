#include "services/quarantine/pass_status.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

// Staff who may read anyone's colour: the checkpoint posts (a person from anywhere shows
// the pass at any gate, as for identity's ResolvePass), follow-up staff, admins and other
// government systems.
const std::vector<absl::string_view> kColourReaders = {
    "shift_leader", "temperature_monitor", "code_verifier",     "order_keeper", "info_registrar",
    "grid_worker",  "community_admin",     "subdistrict_admin", "service"};
// Who may also read the reasons (health data), within their scope.
const std::vector<absl::string_view> kReasonReaders = {"grid_worker", "community_admin",
                                                       "subdistrict_admin"};

constexpr size_t kMaxReasons = 20;

v1::PassStatus ToProto(const std::string& resident_id, const std::optional<PassStatusRow>& row,
                       bool with_reasons) {
  v1::PassStatus out;
  out.set_resident_id(resident_id);
  if (!row) {
    out.set_colour(v1::PASS_COLOUR_GREEN);
    return out;
  }
  out.set_colour(static_cast<v1::PassColour>(row->colour));
  *out.mutable_update_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row->updated_at_micros);
  if (with_reasons) {
    for (const auto& [code, detail] : row->reasons) {
      v1::PassReason* r = out.add_reasons();
      r->set_code(code);
      r->set_detail(detail);
    }
  }
  return out;
}

}  // namespace

std::string PassColourCacheKey(absl::string_view resident_id) {
  return absl::StrCat("fx:quarantine:v1:pass:", resident_id);
}

const char* PassColourWord(v1::PassColour colour) {
  switch (colour) {
    case v1::PASS_COLOUR_GREEN:
      return "green";
    case v1::PASS_COLOUR_YELLOW:
      return "yellow";
    case v1::PASS_COLOUR_RED:
      return "red";
    default:
      return "";
  }
}

bool IsKnownPassReason(absl::string_view code) {
  static const char* const kCodes[] = {"isolation_order", "violation",      "returnee_window",
                                       "contact_window",  "fever_referral", "missed_check_ins",
                                       "follow_up"};
  return std::any_of(std::begin(kCodes), std::end(kCodes),
                     [&](const char* known) { return code == known; });
}

absl::Status ValidatePassStatusUpdate(const PassStatusUpdate& update) {
  if (auto s = common::RequireUuid("resident_id", update.resident_id); !s.ok()) return s;
  if (update.colour != v1::PASS_COLOUR_GREEN && update.colour != v1::PASS_COLOUR_YELLOW &&
      update.colour != v1::PASS_COLOUR_RED) {
    return absl::InvalidArgumentError("colour must be GREEN, YELLOW or RED");
  }
  if (update.colour == v1::PASS_COLOUR_GREEN && !update.reasons.empty()) {
    return absl::InvalidArgumentError("reasons must be empty for a GREEN pass");
  }
  if (update.colour != v1::PASS_COLOUR_GREEN && update.reasons.empty()) {
    return absl::InvalidArgumentError("reasons: a YELLOW or RED pass needs at least one reason");
  }
  if (update.reasons.size() > kMaxReasons) {
    return absl::InvalidArgumentError(absl::StrCat("reasons: at most ", kMaxReasons));
  }
  for (const auto& [code, detail] : update.reasons) {
    if (!IsKnownPassReason(code)) {
      return absl::InvalidArgumentError(
          absl::StrCat("reasons.code \"", code,
                       "\" is not a known reason (isolation_order, violation, returnee_window, "
                       "contact_window, fever_referral, missed_check_ins, follow_up)"));
    }
    if (auto s = common::RequireText("reasons.detail", detail, 200, /*required=*/false); !s.ok()) {
      return s;
    }
  }
  if (!update.area_code.empty()) {
    return common::RequireAreaPath("area_code", update.area_code);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PassStatus> PassStatuses::Answer(const common::CallContext& call,
                                                    const std::string& resident_id,
                                                    const std::optional<PassStatusRow>& row) const {
  const bool self = call.principal.kind == "resident" && call.principal.subject == resident_id;
  const bool with_reasons = self || (row && !row->area_code.empty() &&
                                     call.principal.CoversArea(row->area_code, kReasonReaders));
  return ToProto(resident_id, row, with_reasons);
}

namespace {

absl::Status CheckReader(const common::CallContext& call, const std::string& resident_id) {
  if (auto s = common::RequireUuid("resident_id", resident_id); !s.ok()) return s;
  const bool self = call.principal.kind == "resident" && call.principal.subject == resident_id;
  if (!self && !call.principal.HasAnyRole(kColourReaders)) {
    return absl::PermissionDeniedError("a resident may read only their own pass status");
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<absl::StatusOr<v1::PassStatus>> PassStatuses::TryGetFromMemory(
    const common::CallContext& call, const std::string& resident_id, absl::Time now) {
  if (auto s = CheckReader(call, resident_id); !s.ok()) return absl::StatusOr<v1::PassStatus>(s);
  if (memory_ttl_ <= absl::ZeroDuration()) return std::nullopt;
  std::optional<std::optional<PassStatusRow>> row = memory_.Find(resident_id, now);
  if (!row) return std::nullopt;
  return Answer(call, resident_id, *row);
}

absl::StatusOr<v1::PassStatus> PassStatuses::Get(const common::CallContext& call,
                                                 const std::string& resident_id, absl::Time now) {
  if (auto s = CheckReader(call, resident_id); !s.ok()) return s;
  absl::StatusOr<std::optional<PassStatusRow>> row = store_.Get(resident_id);
  if (!row.ok()) return row.status();
  if (memory_ttl_ > absl::ZeroDuration()) memory_.Insert(resident_id, *row, now + memory_ttl_);
  absl::StatusOr<v1::PassStatus> out = Answer(call, resident_id, *row);
  // Only fills a missing entry: a change that committed after this read (and whose relay
  // wrote the entry) must not be overwritten by what this read saw before it.
  if (out.ok()) Publish(resident_id, out->colour(), /*overwrite=*/false);
  return out;
}

void PassStatuses::Forget(const std::vector<std::string>& resident_ids) {
  for (const std::string& id : resident_ids) memory_.Erase(id);
}

absl::StatusOr<v1::PassStatus> PassStatuses::Set(const PassStatusUpdate& update, absl::Time now) {
  if (auto s = ValidatePassStatusUpdate(update); !s.ok()) return s;
  PassStatusRow row;
  row.resident_id = update.resident_id;
  row.colour = update.colour;
  row.reasons = update.reasons;
  row.area_code = update.area_code;
  absl::StatusOr<PassStatusRow> stored = store_.Put(row, now);
  if (!stored.ok()) return stored.status();
  // Published only after the row committed. If the new colour cannot be written, the old
  // entry is deleted so checkpoints ask GetPassStatus; only if that fails too can a stale
  // copy live on, until its TTL.
  Publish(update.resident_id, update.colour, /*overwrite=*/true);
  return ToProto(update.resident_id, *stored, /*with_reasons=*/true);
}

void PassStatuses::Publish(const std::string& resident_id, v1::PassColour colour, bool overwrite) {
  if (cache_ == nullptr) return;
  const char* word = PassColourWord(colour);
  const std::string key = PassColourCacheKey(resident_id);
  const std::string ttl_ms = std::to_string(absl::ToInt64Milliseconds(kPassColourTtl));
  if (*word == '\0') {
    if (overwrite) cache_->Del(key);
    return;
  }
  if (overwrite) {
    if (!cache_->Command({"SET", key, word, "PX", ttl_ms}).ok()) cache_->Del(key);
  } else {
    (void)cache_->Command({"SET", key, word, "PX", ttl_ms, "NX"});
  }
}

}  // namespace fangxian::quarantine
