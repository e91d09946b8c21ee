#include "services/identity/residents.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/id_number.h"
#include "services/identity/passes.h"

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
  if (row.moved_out_at_micros != 0) {
    *out.mutable_moved_out_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.moved_out_at_micros);
    out.set_moved_out_reason(row.moved_out_reason);
  }
  out.set_visitor(row.visitor);
  return out;
}

// Optional mobile number: empty, or 11 digits starting 13-19.
absl::Status CheckPhone(absl::string_view field, absl::string_view phone) {
  if (phone.empty() || IsMobilePhone(phone)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must be an 11-digit mainland mobile number starting 13-19"));
}

// The fields UpdateResident may change, in the order they are reported.
constexpr absl::string_view kUpdatableFields[] = {"name", "phone", "area_code"};

}  // namespace

absl::Status ResidentNotFound() { return absl::NotFoundError("no resident with this resident_id"); }

absl::Status ResidentMovedOut() {
  return absl::FailedPreconditionError("the resident has moved out");
}

absl::StatusOr<std::vector<std::string>> CheckResidentUpdate(const v1::UpdateResidentRequest& req) {
  if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
  if (req.update_mask().paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask must name at least one of name, phone, area_code");
  }
  const v1::Resident& in = req.resident();
  for (const std::string& path : req.update_mask().paths()) {
    if (path == "id_number") {
      return absl::InvalidArgumentError(
          "update_mask: the ID number cannot change; register the person anew");
    }
    if (std::find(std::begin(kUpdatableFields), std::end(kUpdatableFields), path) ==
        std::end(kUpdatableFields)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "update_mask: \"", path, "\" cannot be changed; allowed: name, phone, area_code"));
    }
  }
  std::vector<std::string> fields;
  for (absl::string_view field : kUpdatableFields) {
    const auto& paths = req.update_mask().paths();
    if (std::find(paths.begin(), paths.end(), field) == paths.end()) continue;
    absl::Status s;
    if (field == "name") s = common::RequireText("resident.name", in.name(), 64);
    if (field == "phone") s = CheckPhone("resident.phone", in.phone());
    if (field == "area_code") s = common::RequireAreaPath("resident.area_code", in.area_code());
    if (!s.ok()) return s;
    fields.emplace_back(field);
  }
  return fields;
}

std::string ResidentCacheKey(absl::string_view resident_id) {
  return absl::StrCat("fx:identity:v1:resident:", resident_id);
}

Residents::Residents(ResidentStore& store, const PiiCipher& cipher, common::RedisPool* cache,
                     absl::Duration cache_ttl)
    : store_(store), cipher_(cipher), cache_(cache), cache_ttl_(cache_ttl) {}

void SetIdNumber(const PiiCipher& cipher, absl::string_view normalized, ResidentRow* row) {
  row->id_number_sealed = cipher.Seal(normalized, "id_number");
  row->id_number_hash = cipher.LookupHash(normalized);
  row->id_number_masked = MaskIdNumber(normalized);
}

absl::StatusOr<ResidentRow> Residents::NewRow(const common::CallContext& call,
                                              const v1::Resident& in, absl::Time now) const {
  if (auto s = common::RequireText("resident.name", in.name(), 64); !s.ok()) return s;
  if (auto s = common::RequireAreaPath("resident.area_code", in.area_code()); !s.ok()) return s;
  if (auto s = CheckPhone("resident.phone", in.phone()); !s.ok()) return s;
  absl::StatusOr<std::string> id = NormalizeIdNumber(in.id_number(), common::ChinaToday(now));
  if (!id.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("resident.", id.status().message()));
  }
  if (auto s = common::RequireScope(call, "resident.area_code", in.area_code()); !s.ok()) {
    return s;
  }
  ResidentRow row;
  row.name = in.name();
  SetIdNumber(cipher_, *id, &row);
  row.phone = in.phone();
  row.area_code = in.area_code();
  row.created_by = call.principal.subject;
  return row;
}

absl::StatusOr<v1::Resident> Residents::Create(const common::CallContext& call,
                                               const v1::Resident& in, absl::Time now) {
  absl::StatusOr<ResidentRow> row = NewRow(call, in, now);
  if (!row.ok()) return row.status();
  absl::StatusOr<ResidentRow> stored =
      store_.Insert(*row, AuditFor(call, "resident.create", "resident", "", row->area_code));
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::Resident> Residents::RegisterVisitor(const common::CallContext& call,
                                                        const v1::RegisterVisitorRequest& req,
                                                        absl::Time now) {
  v1::Resident in;
  in.set_name(req.name());
  in.set_id_number(req.id_number());
  in.set_phone(req.phone());
  in.set_area_code(req.area_code());
  absl::StatusOr<ResidentRow> row = NewRow(call, in, now);
  if (!row.ok()) return row.status();
  row->visitor = true;
  absl::StatusOr<ResidentRow> stored = store_.Insert(
      *row, AuditFor(call, "resident.register_visitor", "resident", "", row->area_code));
  // One person per ID number: someone registered already (perhaps by a concurrent call)
  // is the person at the gate.
  if (absl::IsAlreadyExists(stored.status())) stored = store_.FindByIdHash(row->id_number_hash);
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

void Residents::Invalidate(const std::string& resident_id) {
  if (cache_ == nullptr) return;
  cache_->Del(ResidentCacheKey(resident_id));
  cache_->Del(PersonSummaryCacheKey(resident_id));
}

absl::StatusOr<v1::Resident> Residents::Update(const common::CallContext& call,
                                               const v1::UpdateResidentRequest& req) {
  absl::StatusOr<std::vector<std::string>> fields = CheckResidentUpdate(req);
  if (!fields.ok()) return fields.status();
  const v1::Resident& in = req.resident();
  auto named = [&](absl::string_view f) {
    return std::find(fields->begin(), fields->end(), f) != fields->end();
  };
  absl::StatusOr<ResidentRow> row = store_.Modify(
      req.resident_id(), [&](ResidentRow& r) -> absl::StatusOr<std::vector<AuditEntry>> {
        // Both the area the resident leaves and the one they join must be the caller's;
        // outside either the resident does not exist for the caller.
        if (!call.InScope(r.area_code)) return ResidentNotFound();
        if (named("area_code") && !call.InScope(in.area_code())) return ResidentNotFound();
        if (r.moved_out_at_micros != 0) return ResidentMovedOut();
        const std::string old_area = r.area_code;
        std::vector<std::string> changed;
        auto apply = [&](absl::string_view field, std::string& stored, const std::string& value) {
          if (!named(field) || stored == value) return;
          stored = value;
          changed.emplace_back(field);
        };
        apply("name", r.name, in.name());
        apply("phone", r.phone, in.phone());
        apply("area_code", r.area_code, in.area_code());
        if (changed.empty()) return std::vector<AuditEntry>{};
        // Field names only, never values. A move between areas is recorded in both, so
        // the auditors of each see it.
        std::vector<AuditEntry> audit;
        std::vector<std::string> areas = {old_area};
        if (r.area_code != old_area) areas.push_back(r.area_code);
        for (const std::string& area : areas) {
          AuditEntry e = AuditFor(call, "resident.update", "resident", r.resident_id, area);
          e.details = absl::StrCat("changed: ", absl::StrJoin(changed, ","));
          audit.push_back(std::move(e));
        }
        return audit;
      });
  if (!row.ok()) return row.status();
  Invalidate(req.resident_id());
  return ToProto(*row);
}

absl::StatusOr<v1::Resident> Residents::MoveOut(const common::CallContext& call,
                                                const v1::MoveOutResidentRequest& req,
                                                absl::Time now) {
  if (auto s = common::RequireUuid("resident_id", req.resident_id()); !s.ok()) return s;
  if (auto s = common::RequireText("reason", req.reason(), 200); !s.ok()) return s;
  absl::StatusOr<ResidentRow> row = store_.Modify(
      req.resident_id(), [&](ResidentRow& r) -> absl::StatusOr<std::vector<AuditEntry>> {
        if (!call.InScope(r.area_code)) return ResidentNotFound();
        if (r.moved_out_at_micros != 0) {
          return absl::FailedPreconditionError("the resident has already moved out");
        }
        r.moved_out_at_micros = absl::ToUnixMicros(now);
        r.moved_out_reason = req.reason();
        // The reason stays in the resident's row; the audit row holds no free text.
        return std::vector<AuditEntry>{
            AuditFor(call, "resident.move_out", "resident", r.resident_id, r.area_code)};
      });
  if (!row.ok()) return row.status();
  Invalidate(req.resident_id());
  return ToProto(*row);
}

absl::StatusOr<v1::SearchResidentsResponse> Residents::Search(const common::CallContext& call,
                                                              const v1::SearchResidentsRequest& req,
                                                              absl::Time now) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (auto s = common::RequireText("name_prefix", req.name_prefix(), 64, /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckPhone("phone", req.phone()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultResidentPageSize, kMaxResidentPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = common::DecodePageToken(req.page_token(), common::IsUuid);
  if (!after.ok()) return after.status();
  ResidentQuery query;
  query.after_resident_id = *std::move(after);
  if (!req.id_number().empty()) {
    absl::StatusOr<std::string> id = NormalizeIdNumber(req.id_number(), common::ChinaToday(now));
    if (!id.ok()) return absl::InvalidArgumentError(id.status().message());
    query.id_number_hash = cipher_.LookupHash(*id);
  }
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  query.area_code = req.area_code();
  query.name_prefix = req.name_prefix();
  query.phone = req.phone();
  query.include_moved_out = req.include_moved_out();
  query.limit = *page_size + 1;
  absl::StatusOr<std::vector<ResidentRow>> rows = store_.Search(query);
  if (!rows.ok()) return rows.status();
  v1::SearchResidentsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const ResidentRow& last) { return common::EncodePageToken(last.resident_id); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_residents() = ToProto((*rows)[i]);
  return out;
}

}  // namespace fangxian::identity
