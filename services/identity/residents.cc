#include "services/identity/residents.h"

#include "absl/strings/str_cat.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/id_number.h"

namespace fangxian::identity {
namespace {

v1::Resident ToProto(const ResidentRow& row) {
  v1::Resident out;
  out.set_resident_id(row.resident_id);
  out.set_name(row.name);
  out.set_id_number(row.id_number_masked);
  if (!row.phone.empty()) out.set_phone(MaskPhone(row.phone));
  out.set_area_code(row.area_code);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

}  // namespace

absl::Status ResidentNotFound() { return absl::NotFoundError("no resident with this resident_id"); }

std::string ResidentCacheKey(absl::string_view resident_id) {
  return absl::StrCat("fx:identity:v1:resident:", resident_id);
}

Residents::Residents(ResidentStore& store, const PiiCipher& cipher, common::RedisPool* cache,
                     absl::Duration cache_ttl)
    : store_(store), cipher_(cipher), cache_(cache), cache_ttl_(cache_ttl) {}

absl::StatusOr<v1::Resident> Residents::Create(const common::CallContext& call,
                                               const v1::Resident& in, absl::Time now) {
  if (auto s = common::RequireText("resident.name", in.name(), 64); !s.ok()) return s;
  if (auto s = common::RequireAreaPath("resident.area_code", in.area_code()); !s.ok()) return s;
  if (!in.phone().empty() && !IsMobilePhone(in.phone())) {
    return absl::InvalidArgumentError(
        "resident.phone must be an 11-digit mainland mobile number starting 13-19");
  }
  absl::StatusOr<std::string> id = NormalizeIdNumber(in.id_number(), common::ChinaToday(now));
  if (!id.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("resident.", id.status().message()));
  }
  if (auto s = common::RequireScope(call, "resident.area_code", in.area_code()); !s.ok()) {
    return s;
  }

  ResidentRow row;
  row.name = in.name();
  row.id_number_sealed = cipher_.Seal(*id, "id_number");
  row.id_number_hash = cipher_.LookupHash(*id);
  row.id_number_masked = MaskIdNumber(*id);
  row.phone = in.phone();
  row.area_code = in.area_code();
  row.created_by = call.principal.subject;
  absl::StatusOr<ResidentRow> stored =
      store_.Insert(row, AuditFor(call, "resident.create", "resident", "", row.area_code));
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::Resident> Residents::Get(const common::CallContext& call,
                                            const std::string& resident_id) {
  if (auto s = common::RequireUuid("resident_id", resident_id); !s.ok()) return s;
  v1::Resident out;
  const std::string key = ResidentCacheKey(resident_id);
  std::optional<std::string> cached = cache_ ? cache_->Get(key) : std::nullopt;
  if (!cached || !out.ParseFromString(*cached)) {
    absl::StatusOr<ResidentRow> row = store_.Get(resident_id);
    if (!row.ok()) return row.status();
    out = ToProto(*row);
    if (cache_) cache_->SetEx(key, out.SerializeAsString(), cache_ttl_);
  }
  // Scope is checked on every read, cached or not. Outside it the resident does not
  // exist for the caller: the same answer as a missing one, so nothing leaks.
  if (!call.InScope(out.area_code())) return ResidentNotFound();
  return out;
}

absl::StatusOr<v1::Resident> Residents::GetUnmasked(const common::CallContext& call,
                                                    const std::string& resident_id,
                                                    const std::string& purpose) {
  if (!call.principal.HasPermission(common::kPermissionPiiRead)) {
    return absl::PermissionDeniedError(
        "reading unmasked personal data needs the pii.read permission");
  }
  if (auto s = common::RequireUuid("resident_id", resident_id); !s.ok()) return s;
  if (common::Utf8Length(purpose) < 10) {
    return absl::InvalidArgumentError("purpose must say why, in 10 to 200 characters");
  }
  if (auto s = common::RequireText("purpose", purpose, 200); !s.ok()) return s;
  // Always from PostgreSQL: the cache holds only the masked form.
  absl::StatusOr<ResidentRow> row = store_.Get(resident_id);
  if (!row.ok()) return row.status();
  if (!call.InScope(row->area_code)) return ResidentNotFound();
  absl::StatusOr<std::string> id_number = cipher_.Open(row->id_number_sealed, "id_number");
  if (!id_number.ok()) return id_number.status();
  AuditEntry audit =
      AuditFor(call, "resident.read_unmasked", "resident", resident_id, row->area_code);
  audit.purpose = purpose;
  // No audit row, no data.
  if (auto s = store_.RecordAccess(audit); !s.ok()) return s;
  v1::Resident out = ToProto(*row);
  out.set_id_number(*id_number);
  out.set_phone(row->phone);
  return out;
}

}  // namespace fangxian::identity
