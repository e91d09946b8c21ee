#include "services/identity/households.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth.h"
#include "common/json.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/areas.h"

namespace fangxian::identity {
namespace {

// The staff of a checkpoint's posts (and its shift leader): LookupVehicleByPlate answers
// them for any plate, whatever their scope.
const std::vector<absl::string_view> kCheckpointPostRoles = {
    "shift_leader", "temperature_monitor", "code_verifier", "order_keeper", "info_registrar"};

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

v1::Vehicle VehicleToProto(const VehicleRow& row) {
  v1::Vehicle out;
  out.set_vehicle_id(row.vehicle_id);
  out.set_plate(row.plate);
  out.set_household_id(row.household_id);
  out.set_area_code(row.area_code);
  out.set_kind(static_cast<v1::VehicleKind>(row.kind));
  out.set_new_energy(row.new_energy);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

v1::Household ToProto(const HouseholdRow& row) {
  v1::Household out;
  out.set_household_id(row.household_id);
  out.set_card_number(row.card_number);
  out.set_area_code(row.area_code);
  out.set_room(row.room);
  out.set_head_resident_id(row.head_resident_id);
  out.set_building_path(row.building_path);
  for (const HouseholdMemberRow& m : row.members) {
    v1::HouseholdMember* member = out.add_members();
    member->set_resident_id(m.resident_id);
    member->set_name(m.name);
    member->set_is_head(m.resident_id == row.head_resident_id);
  }
  for (const VehicleRow& v : row.vehicles) *out.add_vehicles() = VehicleToProto(v);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

absl::StatusOr<v1::Household> HouseholdOrStatus(const absl::StatusOr<HouseholdRow>& row) {
  if (!row.ok()) return row.status();
  return ToProto(*row);
}

// A household the caller may act on: present and within the scope of the method's roles.
absl::Status RequireVisible(const common::CallContext& call,
                            const std::optional<HouseholdRow>& household) {
  if (!household || !call.InScope(household->area_code)) return HouseholdNotFound();
  return absl::OkStatus();
}

}  // namespace

std::string HouseholdPositionText(const HouseholdPosition& position) {
  return absl::StrCat(position.area_code, "\n", position.room, "\n", position.household_id);
}

bool ParseHouseholdPosition(absl::string_view text, HouseholdPosition* position) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '\n');
  if (parts.size() != 3 || !common::IsValidAreaPath(parts[0]) ||
      !common::RequireText("room", parts[1], kMaxRoomChars).ok() || !common::IsUuid(parts[2])) {
    return false;
  }
  *position = {std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
  return true;
}

absl::Status ValidateVehicleKind(absl::string_view field, int kind) {
  if (kind == v1::VEHICLE_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (!v1::VehicleKind_IsValid(kind)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be PRIVATE or COMMERCIAL"));
  }
  return absl::OkStatus();
}

std::string CardNumberFromBits(uint64_t bits) {
  std::string out = "HK-";
  for (int shift = 35; shift >= 0; shift -= 5) out.push_back(kCrockford[(bits >> shift) & 31]);
  return out;
}

std::string RandomCardNumber() {
  static const bool sodium_ready = sodium_init() >= 0;  // thread-safe once
  (void)sodium_ready;
  unsigned char raw[5];
  randombytes_buf(raw, sizeof raw);
  uint64_t bits = 0;
  for (unsigned char b : raw) bits = bits << 8 | b;
  return CardNumberFromBits(bits);
}

absl::Status CheckHouseholdArea(absl::string_view area_code, const std::optional<AreaRow>& area) {
  if (!area) {
    return absl::FailedPreconditionError(
        absl::StrCat("area_code: area \"", area_code, "\" does not exist; create it first"));
  }
  const auto level = static_cast<v1::AreaLevel>(area->level);
  if (level != v1::AREA_LEVEL_COMPOUND && level != v1::AREA_LEVEL_BUILDING &&
      level != v1::AREA_LEVEL_UNIT) {
    return absl::InvalidArgumentError(
        absl::StrCat("area_code: a household lives in a compound, "
                     "building or unit, not in a ",
                     AreaLevelName(level)));
  }
  return absl::OkStatus();
}

absl::Status CheckJoin(const common::CallContext& call, absl::string_view field,
                       const std::optional<ResidentRef>& resident) {
  // Missing and out of scope alike: the caller learns nothing about other areas' people.
  if (!resident || !call.InScope(resident->area_code)) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": no registered resident with this id in your area scope; register them first"));
  }
  if (!resident->household_id.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        field,
        ": this resident already belongs to a household (one household per resident); remove "
        "them there or use MoveHouseholdMember"));
  }
  return absl::OkStatus();
}

bool IsMember(const HouseholdRow& household, absl::string_view resident_id) {
  return std::any_of(household.members.begin(), household.members.end(),
                     [&](const HouseholdMemberRow& m) { return m.resident_id == resident_id; });
}

absl::Status CheckLeave(const HouseholdRow& household, absl::string_view resident_id) {
  if (!IsMember(household, resident_id)) {
    return absl::NotFoundError("resident_id is not a member of this household");
  }
  if (household.head_resident_id == resident_id) {
    return absl::FailedPreconditionError(
        "resident_id is the head of this household; choose another head first");
  }
  return absl::OkStatus();
}

absl::Status CheckNewHead(const HouseholdRow& household, absl::string_view resident_id) {
  if (!IsMember(household, resident_id)) {
    return absl::FailedPreconditionError(
        "resident_id is not a member of this household; add them first");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Household> Households::Changed(const std::string& resident_id,
                                                  const absl::StatusOr<HouseholdRow>& row) {
  if (row.ok() && on_member_change_) on_member_change_(resident_id);
  return HouseholdOrStatus(row);
}

absl::Status HouseholdNotFound() { return absl::NotFoundError("no household with this id"); }

absl::StatusOr<v1::Household> Households::Create(const common::CallContext& call,
                                                 const v1::CreateHouseholdRequest& request) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  if (auto s = common::RequireText("room", request.room(), kMaxRoomChars); !s.ok()) return s;
  if (auto s = common::RequireUuid("head_resident_id", request.head_resident_id()); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  HouseholdRow row;
  row.area_code = request.area_code();
  row.room = request.room();
  row.head_resident_id = request.head_resident_id();
  row.created_by = call.principal.subject;
  return Changed(
      request.head_resident_id(),
      store_.Create(
          row, card_numbers_,
          [&](const std::optional<AreaRow>& area, const std::optional<ResidentRef>& head) {
            if (auto s = CheckHouseholdArea(request.area_code(), area); !s.ok()) return s;
            return CheckJoin(call, "head_resident_id", head);
          },
          AuditFor(call, "household.create", "household", "", row.area_code)));
}

absl::StatusOr<v1::Household> Households::Get(const common::CallContext& call,
                                              const v1::GetHouseholdRequest& request) {
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  absl::StatusOr<HouseholdRow> row = store_.Get(request.household_id());
  if (absl::IsNotFound(row.status())) return HouseholdNotFound();
  if (!row.ok()) return row.status();
  if (!call.InScope(row->area_code)) return HouseholdNotFound();
  return ToProto(*row);
}

absl::StatusOr<v1::ListHouseholdsResponse> Households::List(
    const common::CallContext& call, const v1::ListHouseholdsRequest& request) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultHouseholdPageSize, kMaxHouseholdPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after =
      common::DecodePageToken(request.page_token(), [](absl::string_view text) {
        HouseholdPosition ignored;
        return ParseHouseholdPosition(text, &ignored);
      });
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  HouseholdListQuery query;
  query.area_code = request.area_code();
  if (!after->empty()) (void)ParseHouseholdPosition(*after, &query.after);
  query.limit = *page_size + 1;
  absl::StatusOr<std::vector<HouseholdRow>> rows = store_.List(query);
  if (!rows.ok()) return rows.status();
  v1::ListHouseholdsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const HouseholdRow& last) {
        return common::EncodePageToken(
            HouseholdPositionText({last.area_code, last.room, last.household_id}));
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_households() = ToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::Household> Households::AddMember(const common::CallContext& call,
                                                    const v1::AddHouseholdMemberRequest& request) {
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  if (auto s = common::RequireUuid("resident_id", request.resident_id()); !s.ok()) return s;
  return Changed(request.resident_id(), store_.AddMember(
                                            request.household_id(), request.resident_id(),
                                            [&](const std::optional<HouseholdRow>& household,
                                                const std::optional<ResidentRef>& resident) {
                                              if (auto s = RequireVisible(call, household); !s.ok())
                                                return s;
                                              return CheckJoin(call, "resident_id", resident);
                                            },
                                            AuditFor(call, "household.member_add", "household",
                                                     request.household_id(), "")));
}

absl::StatusOr<v1::Household> Households::RemoveMember(
    const common::CallContext& call, const v1::RemoveHouseholdMemberRequest& request) {
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  if (auto s = common::RequireUuid("resident_id", request.resident_id()); !s.ok()) return s;
  return Changed(
      request.resident_id(),
      store_.RemoveMember(
          request.household_id(), request.resident_id(),
          [&](const std::optional<HouseholdRow>& household, const std::optional<ResidentRef>&) {
            if (auto s = RequireVisible(call, household); !s.ok()) return s;
            return CheckLeave(*household, request.resident_id());
          },
          AuditFor(call, "household.member_remove", "household", request.household_id(), "")));
}

absl::StatusOr<v1::Household> Households::SetHead(const common::CallContext& call,
                                                  const v1::SetHouseholdHeadRequest& request) {
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  if (auto s = common::RequireUuid("resident_id", request.resident_id()); !s.ok()) return s;
  return HouseholdOrStatus(store_.SetHead(
      request.household_id(), request.resident_id(),
      [&](const std::optional<HouseholdRow>& household, const std::optional<ResidentRef>&) {
        if (auto s = RequireVisible(call, household); !s.ok()) return s;
        return CheckNewHead(*household, request.resident_id());
      },
      AuditFor(call, "household.head_set", "household", request.household_id(), "")));
}

absl::StatusOr<v1::Household> Households::MoveMember(
    const common::CallContext& call, const v1::MoveHouseholdMemberRequest& request) {
  if (auto s = common::RequireUuid("from_household_id", request.from_household_id()); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireUuid("to_household_id", request.to_household_id()); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireUuid("resident_id", request.resident_id()); !s.ok()) return s;
  if (request.from_household_id() == request.to_household_id()) {
    return absl::InvalidArgumentError("to_household_id must differ from from_household_id");
  }
  return Changed(request.resident_id(),
                 store_.MoveMember(
                     request.from_household_id(), request.to_household_id(), request.resident_id(),
                     [&](const std::optional<HouseholdRow>& from,
                         const std::optional<HouseholdRow>& to, const std::optional<ResidentRef>&) {
                       if (auto s = RequireVisible(call, from); !s.ok()) return s;
                       if (auto s = RequireVisible(call, to); !s.ok()) return s;
                       return CheckLeave(*from, request.resident_id());
                     },
                     AuditFor(call, "household.member_move", "household", "", "")));
}

absl::StatusOr<v1::Vehicle> Households::RegisterVehicle(const common::CallContext& call,
                                                        const v1::RegisterVehicleRequest& request) {
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  absl::StatusOr<std::string> plate = NormalizePlate("plate", request.plate());
  if (!plate.ok()) return plate.status();
  if (auto s = ValidateVehicleKind("kind", request.kind()); !s.ok()) return s;
  VehicleRow row;
  row.plate = *plate;
  row.household_id = request.household_id();
  row.kind = request.kind();
  row.new_energy = IsNewEnergyPlate(*plate);
  row.created_by = call.principal.subject;
  absl::StatusOr<VehicleRow> stored = store_.AddVehicle(
      row,
      [&](const std::optional<HouseholdRow>& household) { return RequireVisible(call, household); },
      AuditFor(call, "vehicle.register", "vehicle", "", ""));
  if (!stored.ok()) return stored.status();
  return VehicleToProto(*stored);
}

absl::StatusOr<v1::Household> Households::RemoveVehicle(const common::CallContext& call,
                                                        const v1::RemoveVehicleRequest& request) {
  if (auto s = common::RequireUuid("vehicle_id", request.vehicle_id()); !s.ok()) return s;
  return HouseholdOrStatus(store_.RemoveVehicle(
      request.vehicle_id(),
      [&](const std::optional<VehicleRow>& vehicle) {
        if (!vehicle || !call.InScope(vehicle->area_code)) {
          return absl::NotFoundError("no vehicle with this id");
        }
        return absl::OkStatus();
      },
      AuditFor(call, "vehicle.remove", "vehicle", request.vehicle_id(), "")));
}

absl::StatusOr<v1::LookupVehicleByPlateResponse> Households::LookupVehicle(
    const common::CallContext& call, const v1::LookupVehicleByPlateRequest& request) {
  absl::StatusOr<std::string> plate = NormalizePlate("plate", request.plate());
  if (!plate.ok()) return plate.status();
  absl::StatusOr<std::optional<VehicleRow>> found = store_.FindVehicleByPlate(*plate);
  if (!found.ok()) return found.status();
  // Out of scope answers like an unregistered plate, except for checkpoint post staff: a
  // consolidated checkpoint covers several compounds, and the checkpoint (not identity)
  // decides by its own areas, as ResolvePass answers for passes from anywhere.
  if (!found->has_value() ||
      (!call.principal.HasAnyRole(kCheckpointPostRoles) && !call.InScope((*found)->area_code))) {
    return absl::NotFoundError("no vehicle registered with this plate");
  }
  v1::LookupVehicleByPlateResponse out;
  *out.mutable_vehicle() = VehicleToProto(**found);
  out.set_area_code((*found)->area_code);
  return out;
}

}  // namespace fangxian::identity
