#include "services/identity/households.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/areas.h"

namespace fangxian::identity {
namespace {

// Longest raw plate looked at; real ones with separators and full-width forms stay far
// below, and the bound keeps the work per lookup small.
constexpr size_t kMaxRawPlateBytes = 64;

// The 31 province-level abbreviations used on mainland plates.
constexpr absl::string_view kProvinces =
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

constexpr absl::string_view kPlateShape =
    "; expected a mainland plate: a province abbreviation (such as 豫), a letter A-Z other "
    "than I and O, then 5 letters or digits (7 characters, e.g. 豫A12345), or for new energy "
    "8 characters: D or F, a letter or digit and 4 digits (豫AD12345), or 5 digits and D or F "
    "(豫A12345D)";

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Decodes the well-formed UTF-8 sequence of `len` bytes at `p`.
char32_t DecodeUtf8(const char* p, size_t len) {
  const auto b = [p](size_t i) { return static_cast<unsigned char>(p[i]); };
  switch (len) {
    case 1:
      return b(0);
    case 2:
      return (char32_t{b(0)} & 0x1F) << 6 | (b(1) & 0x3F);
    case 3:
      return (char32_t{b(0)} & 0x0F) << 12 | (char32_t{b(1)} & 0x3F) << 6 | (b(2) & 0x3F);
    default:
      return (char32_t{b(0)} & 0x07) << 18 | (char32_t{b(1)} & 0x3F) << 12 |
             (char32_t{b(2)} & 0x3F) << 6 | (b(3) & 0x3F);
  }
}

bool IsPlateSeparator(char32_t c) {
  switch (c) {
    case U' ':
    case U'\t':
    case U'\u3000':  // ideographic space
    case U'-':
    case U'.':
    case U'\u00B7':  // middle dot, as printed on plates
    case U'\u30FB':  // katakana middle dot, what many input methods type for '·'
    case U'\u2022':  // bullet
    case U'\uFF0D':  // full-width hyphen-minus
    case U'\uFF0E':  // full-width full stop
      return true;
    default:
      return false;
  }
}

// Full-width letters and digits to half-width ASCII, letters upper-cased; anything else
// unchanged (0 for "not ASCII").
char AsciiOf(char32_t c) {
  if (c >= U'\uFF10' && c <= U'\uFF19') return static_cast<char>('0' + (c - U'\uFF10'));
  if (c >= U'\uFF21' && c <= U'\uFF3A') return static_cast<char>('A' + (c - U'\uFF21'));
  if (c >= U'\uFF41' && c <= U'\uFF5A') return static_cast<char>('A' + (c - U'\uFF41'));
  if (c >= U'a' && c <= U'z') return static_cast<char>('A' + (c - U'a'));
  if (c < 0x80) return static_cast<char>(c);
  return 0;
}

bool IsPlateLetter(char c) { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPlateAlnum(char c) { return IsPlateLetter(c) || IsDigit(c); }
bool IsNewEnergyMark(char c) { return c == 'D' || c == 'F'; }

absl::Status BadPlate(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", why, kPlateShape));
}

// Why the 5 (ordinary) or 6 (new-energy) characters after province and letter do not fit;
// empty when they do.
std::string SerialProblem(absl::string_view serial) {
  if (serial.size() == 5) {
    if (std::all_of(serial.begin(), serial.end(), IsPlateAlnum)) return "";
    return "has a character other than A-Z (without I and O) and 0-9 in its last 5";
  }
  // New energy, GA 36-2018: small cars D/F first, large vehicles D/F last.
  if (IsNewEnergyMark(serial[0])) {
    if (IsPlateAlnum(serial[1]) && std::all_of(serial.begin() + 2, serial.end(), IsDigit)) {
      return "";
    }
    return "is a small new-energy plate (D or F first) whose next character is not a letter or "
           "digit or whose last 4 are not digits";
  }
  if (IsNewEnergyMark(serial[5])) {
    if (std::all_of(serial.begin(), serial.end() - 1, IsDigit)) return "";
    return "is a large new-energy plate (D or F last) whose first 5 are not all digits";
  }
  return "has 8 characters but is no new-energy plate (D or F first or last of the final 6)";
}

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

absl::StatusOr<std::string> NormalizePlate(absl::string_view field, absl::string_view raw) {
  if (raw.size() > kMaxRawPlateBytes) return BadPlate(field, "is far too long");
  std::string ascii_tail;  // everything after the province, as ASCII
  std::string province;    // the first character, as written
  for (size_t i = 0; i < raw.size();) {
    const size_t len = common::Utf8SequenceLength(raw, i);
    if (len == 0) return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
    const char32_t c = DecodeUtf8(raw.data() + i, len);
    const absl::string_view bytes = raw.substr(i, len);
    i += len;
    if (IsPlateSeparator(c)) continue;
    if (province.empty()) {
      province = std::string(bytes);
      continue;
    }
    const char a = AsciiOf(c);
    if (a == 0) {
      return BadPlate(field, "has a character other than letters and digits after the province");
    }
    ascii_tail.push_back(a);
  }
  if (province.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  // Every abbreviation is one 3-byte character; a substring match of 3 bytes at a
  // character boundary of kProvinces is a whole one.
  const size_t at = kProvinces.find(province);
  if (province.size() != 3 || at == absl::string_view::npos || at % 3 != 0) {
    return BadPlate(field, "does not start with a province abbreviation");
  }
  if (ascii_tail.size() != 6 && ascii_tail.size() != 7) {
    return BadPlate(field, absl::StrCat("has ", ascii_tail.size() + 1,
                                        " characters after normalisation, not 7 or 8"));
  }
  if (!IsPlateLetter(ascii_tail[0])) {
    return BadPlate(field, "must have a letter A-Z other than I and O after the province");
  }
  if (const std::string problem = SerialProblem(absl::string_view(ascii_tail).substr(1));
      !problem.empty()) {
    return BadPlate(field, problem);
  }
  return absl::StrCat(province, ascii_tail);
}

bool IsNewEnergyPlate(absl::string_view normalised_plate) {
  return common::Utf8Length(normalised_plate) == 8;
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
  // Out of scope answers like an unregistered plate.
  if (!found->has_value() || !call.InScope((*found)->area_code)) {
    return absl::NotFoundError("no vehicle registered with this plate");
  }
  v1::LookupVehicleByPlateResponse out;
  *out.mutable_vehicle() = VehicleToProto(**found);
  out.set_area_code((*found)->area_code);
  return out;
}

}  // namespace fangxian::identity
