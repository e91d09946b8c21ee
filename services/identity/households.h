// Households (一户一卡) and vehicles: the business rules, independent of gRPC. Plate
// normalisation and validation, card numbers and the membership rules are pure functions;
// Households runs them against the store inside its transactions.
#ifndef FANGXIAN_SERVICES_IDENTITY_HOUSEHOLDS_H_
#define FANGXIAN_SERVICES_IDENTITY_HOUSEHOLDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/plate.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/households.pb.h"
#include "services/identity/household_store.h"

namespace fangxian::identity {

// Room or address text of a household, in characters.
inline constexpr size_t kMaxRoomChars = 100;

// ListHouseholds' page size: 0 means the default; over the maximum is refused.
inline constexpr int kDefaultHouseholdPageSize = 100;
inline constexpr int kMaxHouseholdPageSize = 500;

// The position a ListHouseholds page token holds: "<area_code>\n<room>\n<household_id>"
// (rooms never hold control characters). ParseHouseholdPosition refuses anything else.
std::string HouseholdPositionText(const HouseholdPosition& position);
bool ParseHouseholdPosition(absl::string_view text, HouseholdPosition* position);

// Plate normalisation lives in common/plate.h (the passage log validates plates too).
using common::IsNewEnergyPlate;
using common::NormalizePlate;

// INVALID_ARGUMENT unless `kind` is a defined VehicleKind other than UNSPECIFIED.
absl::Status ValidateVehicleKind(absl::string_view field, int kind);

// Card numbers: "HK-" and the low 40 bits of `bits` as 8 characters of Crockford's base 32
// (0-9, A-Z without I, L, O, U: nothing to confuse when read aloud or copied by hand).
std::string CardNumberFromBits(uint64_t bits);
// A card number from 40 random bits.
std::string RandomCardNumber();

// Judges where a household may live: a stored compound, building or unit.
// FAILED_PRECONDITION when the area is not stored, INVALID_ARGUMENT naming its level when
// it is stored but not one of those.
absl::Status CheckHouseholdArea(absl::string_view area_code, const std::optional<AreaRow>& area);

// Judges a resident joining a household (as head of a new one, or as a member): it must
// be registered and visible to the caller (FAILED_PRECONDITION otherwise; the two are
// not told apart) and belong to no household (ALREADY_EXISTS naming the rule).
absl::Status CheckJoin(const common::CallContext& call, absl::string_view field,
                       const std::optional<ResidentRef>& resident);

// Whether `resident_id` is among the members of `household`.
bool IsMember(const HouseholdRow& household, absl::string_view resident_id);

// A member leaving `household` (removed, or moved elsewhere): NOT_FOUND unless it is a
// member, FAILED_PRECONDITION when it is the head.
absl::Status CheckLeave(const HouseholdRow& household, absl::string_view resident_id);

// The new head must be a member (FAILED_PRECONDITION otherwise).
absl::Status CheckNewHead(const HouseholdRow& household, absl::string_view resident_id);

// The answer for a missing household and for one outside the caller's scope alike.
absl::Status HouseholdNotFound();

class Households {
 public:
  // Called with a resident's id after a change of their household membership commits
  // (caches that show the household drop their copy).
  using MemberChanged = std::function<void(const std::string& resident_id)>;

  explicit Households(HouseholdStore& store,
                      HouseholdStore::CardNumberSource card_numbers = RandomCardNumber,
                      MemberChanged on_member_change = nullptr)
      : store_(store),
        card_numbers_(std::move(card_numbers)),
        on_member_change_(std::move(on_member_change)) {}

  absl::StatusOr<v1::Household> Create(const common::CallContext& call,
                                       const v1::CreateHouseholdRequest& request);
  absl::StatusOr<v1::Household> Get(const common::CallContext& call,
                                    const v1::GetHouseholdRequest& request);
  // The households in and below request.area_code, which the caller's scope must cover.
  absl::StatusOr<v1::ListHouseholdsResponse> List(const common::CallContext& call,
                                                  const v1::ListHouseholdsRequest& request);
  absl::StatusOr<v1::Household> AddMember(const common::CallContext& call,
                                          const v1::AddHouseholdMemberRequest& request);
  absl::StatusOr<v1::Household> RemoveMember(const common::CallContext& call,
                                             const v1::RemoveHouseholdMemberRequest& request);
  absl::StatusOr<v1::Household> SetHead(const common::CallContext& call,
                                        const v1::SetHouseholdHeadRequest& request);
  absl::StatusOr<v1::Household> MoveMember(const common::CallContext& call,
                                           const v1::MoveHouseholdMemberRequest& request);
  absl::StatusOr<v1::Vehicle> RegisterVehicle(const common::CallContext& call,
                                              const v1::RegisterVehicleRequest& request);
  absl::StatusOr<v1::Household> RemoveVehicle(const common::CallContext& call,
                                              const v1::RemoveVehicleRequest& request);
  absl::StatusOr<v1::LookupVehicleByPlateResponse> LookupVehicle(
      const common::CallContext& call, const v1::LookupVehicleByPlateRequest& request);

 private:
  // Reports the change of `resident_id`'s membership if `row` says it committed.
  absl::StatusOr<v1::Household> Changed(const std::string& resident_id,
                                        const absl::StatusOr<HouseholdRow>& row);

  HouseholdStore& store_;
  const HouseholdStore::CardNumberSource card_numbers_;
  const MemberChanged on_member_change_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_HOUSEHOLDS_H_
