#include "services/quarantine/pass_status.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/access.h"

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

constexpr char kOwnPassOnly[] =
    "a resident may read only their own pass status and those of the members of their own "
    "active isolation order";

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

absl::StatusOr<v1::PassStatus> PassStatuses::Answer(const common::CallContext& call,
                                                    const std::string& resident_id,
                                                    const std::optional<PassStatusRow>& row,
                                                    bool household) const {
  const bool with_reasons =
      household || IsResidentSelf(call, resident_id) ||
      (row && !row->area_code.empty() && call.principal.CoversArea(row->area_code, kReasonReaders));
  return ToProto(resident_id, row, with_reasons);
}

namespace {

// Who is asking about `resident_id`.
enum class Reader {
  kSelfOrStaff,  // the person themselves, or a colour reader
  kResident,     // another resident: a fellow member of an active order, or refused
};

absl::StatusOr<Reader> CheckReader(const common::CallContext& call,
                                   const std::string& resident_id) {
  if (auto s = common::RequireUuid("resident_id", resident_id); !s.ok()) return s;
  if (IsResidentSelf(call, resident_id) || call.principal.HasAnyRole(kColourReaders)) {
    return Reader::kSelfOrStaff;
  }
  if (IsResident(call)) return Reader::kResident;
  return absl::PermissionDeniedError(kOwnPassOnly);
}

}  // namespace

std::optional<absl::StatusOr<v1::PassStatus>> PassStatuses::TryGetFromMemory(
    const common::CallContext& call, const std::string& resident_id, absl::Time now) {
  absl::StatusOr<Reader> reader = CheckReader(call, resident_id);
  if (!reader.ok()) return absl::StatusOr<v1::PassStatus>(reader.status());
  // A resident asking about someone else needs the membership query: not on this thread.
  if (*reader != Reader::kSelfOrStaff) return std::nullopt;
  if (memory_ttl_ <= absl::ZeroDuration()) return std::nullopt;
  std::optional<std::optional<PassStatusRow>> row = memory_.Find(resident_id, now);
  if (!row) return std::nullopt;
  return Answer(call, resident_id, *row, /*household=*/false);
}

absl::StatusOr<v1::PassStatus> PassStatuses::Get(const common::CallContext& call,
                                                 const std::string& resident_id, absl::Time now) {
  absl::StatusOr<Reader> reader = CheckReader(call, resident_id);
  if (!reader.ok()) return reader.status();
  const bool household = *reader == Reader::kResident;
  if (household) {
    // One indexed query, only when a resident asks about someone else.
    absl::StatusOr<bool> shares =
        store_.SharesActiveOrder(call.principal.subject, resident_id, common::ChinaToday(now));
    if (!shares.ok()) return shares.status();
    if (!*shares) return absl::PermissionDeniedError(kOwnPassOnly);
  }
  absl::StatusOr<std::optional<PassStatusRow>> row = store_.Get(resident_id);
  if (!row.ok()) return row.status();
  if (memory_ttl_ > absl::ZeroDuration()) memory_.Insert(resident_id, *row, now + memory_ttl_);
  absl::StatusOr<v1::PassStatus> out = Answer(call, resident_id, *row, household);
  // Only fills a missing entry: a change that committed after this read (and whose relay
  // wrote the entry) must not be overwritten by what this read saw before it.
  if (out.ok()) FillCache(resident_id, out->colour());
  return out;
}

void PassStatuses::Forget(const std::vector<std::string>& resident_ids) {
  for (const std::string& id : resident_ids) memory_.Erase(id);
}

void PassStatuses::FillCache(const std::string& resident_id, v1::PassColour colour) {
  if (cache_ == nullptr) return;
  const char* word = PassColourWord(colour);
  if (*word == '\0') return;
  (void)cache_->Command({"SET", PassColourCacheKey(resident_id), word, "PX",
                         std::to_string(absl::ToInt64Milliseconds(kPassColourTtl)), "NX"});
}

}  // namespace fangxian::quarantine
