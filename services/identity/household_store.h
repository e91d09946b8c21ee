// Storage of households, members and vehicles behind a small interface;
// PgHouseholdStore is the one that ships. Every write runs in one transaction that locks
// the households it touches, hands what it read to a check (the rules stay in
// Households), then changes the rows and appends its audit entry, so a change and its
// audit row exist together or not at all.
#ifndef FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"
#include "services/identity/area_store.h"
#include "services/identity/audit.h"

namespace fangxian::identity {

struct HouseholdMemberRow {
  std::string resident_id;
  std::string name;
};

struct VehicleRow {
  std::string vehicle_id;
  std::string plate;  // normalised
  std::string household_id;
  std::string area_code;  // the household's
  int kind = 0;           // v1::VehicleKind
  bool new_energy = false;
  std::string created_by;
  int64_t created_at_micros = 0;
};

struct HouseholdRow {
  std::string household_id;
  std::string card_number;
  std::string area_code;
  std::string room;
  std::string head_resident_id;
  std::string created_by;
  int64_t created_at_micros = 0;
  std::string building_path;  // the building it lives in; "" when placed in a compound
  std::vector<HouseholdMemberRow> members;  // in the order they joined
  std::vector<VehicleRow> vehicles;         // by plate
};

// Where a page of ListHouseholds resumes: after this household in (area_code, room,
// household_id) order. Empty household_id: the first page.
struct HouseholdPosition {
  std::string area_code;
  std::string room;
  std::string household_id;
};

// ListHouseholds' filter, already validated.
struct HouseholdListQuery {
  std::string area_code;  // the area and everything below it
  HouseholdPosition after;
  int limit = 0;
};

// A resident as a household write sees it.
struct ResidentRef {
  std::string resident_id;
  std::string name;
  std::string area_code;
  std::string household_id;  // the household it belongs to now; empty for none
};

class HouseholdStore {
 public:
  // Judges a new household: its area (absent when not stored) and its head (absent when
  // not registered).
  using CreateCheck = std::function<absl::Status(const std::optional<AreaRow>& area,
                                                 const std::optional<ResidentRef>& head)>;
  // Judges a change of `household` (absent when missing) concerning `resident` (absent
  // when not registered).
  using MemberCheck = std::function<absl::Status(const std::optional<HouseholdRow>& household,
                                                 const std::optional<ResidentRef>& resident)>;
  using MoveCheck = std::function<absl::Status(const std::optional<HouseholdRow>& from,
                                               const std::optional<HouseholdRow>& to,
                                               const std::optional<ResidentRef>& resident)>;
  using HouseholdCheck = std::function<absl::Status(const std::optional<HouseholdRow>& household)>;
  using VehicleCheck = std::function<absl::Status(const std::optional<VehicleRow>& vehicle)>;
  // A fresh candidate card number per call.
  using CardNumberSource = std::function<std::string()>;

  virtual ~HouseholdStore() = default;

  // Reads the area (locked against moves) and the head, lets `check` judge them, then
  // inserts the household with `card()` as card number (drawing again while the number is
  // taken) and the head as its first member. `audit` gets the new household's id.
  virtual absl::StatusOr<HouseholdRow> Create(const HouseholdRow& row, const CardNumberSource& card,
                                              const CreateCheck& check, AuditEntry audit) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<HouseholdRow> Get(const std::string& household_id) = 0;
  // Up to query.limit households in and below query.area_code after query.after, by
  // (area_code, room, household_id) compared byte-wise, with members and vehicles.
  virtual absl::StatusOr<std::vector<HouseholdRow>> List(const HouseholdListQuery& query) = 0;
  // Each locks the household, reads the resident, lets `check` judge, changes, audits and
  // returns the household after the change. ALREADY_EXISTS (AddMember) when the resident
  // joined a household concurrently.
  virtual absl::StatusOr<HouseholdRow> AddMember(const std::string& household_id,
                                                 const std::string& resident_id,
                                                 const MemberCheck& check, AuditEntry audit) = 0;
  virtual absl::StatusOr<HouseholdRow> RemoveMember(const std::string& household_id,
                                                    const std::string& resident_id,
                                                    const MemberCheck& check, AuditEntry audit) = 0;
  virtual absl::StatusOr<HouseholdRow> SetHead(const std::string& household_id,
                                               const std::string& resident_id,
                                               const MemberCheck& check, AuditEntry audit) = 0;
  // Locks both households (in id order), then moves the membership; returns `to`.
  virtual absl::StatusOr<HouseholdRow> MoveMember(const std::string& from_id,
                                                  const std::string& to_id,
                                                  const std::string& resident_id,
                                                  const MoveCheck& check, AuditEntry audit) = 0;
  // ALREADY_EXISTS when the plate is registered.
  virtual absl::StatusOr<VehicleRow> AddVehicle(const VehicleRow& row, const HouseholdCheck& check,
                                                AuditEntry audit) = 0;
  // Returns the vehicle's household after the removal.
  virtual absl::StatusOr<HouseholdRow> RemoveVehicle(const std::string& vehicle_id,
                                                     const VehicleCheck& check,
                                                     AuditEntry audit) = 0;
  // The vehicle with this normalised plate and its household's area; absent when none.
  virtual absl::StatusOr<std::optional<VehicleRow>> FindVehicleByPlate(
      const std::string& plate) = 0;
};

class PgHouseholdStore final : public HouseholdStore {
 public:
  explicit PgHouseholdStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<HouseholdRow> Create(const HouseholdRow& row, const CardNumberSource& card,
                                      const CreateCheck& check, AuditEntry audit) override;
  absl::StatusOr<HouseholdRow> Get(const std::string& household_id) override;
  absl::StatusOr<std::vector<HouseholdRow>> List(const HouseholdListQuery& query) override;
  absl::StatusOr<HouseholdRow> AddMember(const std::string& household_id,
                                         const std::string& resident_id, const MemberCheck& check,
                                         AuditEntry audit) override;
  absl::StatusOr<HouseholdRow> RemoveMember(const std::string& household_id,
                                            const std::string& resident_id,
                                            const MemberCheck& check, AuditEntry audit) override;
  absl::StatusOr<HouseholdRow> SetHead(const std::string& household_id,
                                       const std::string& resident_id, const MemberCheck& check,
                                       AuditEntry audit) override;
  absl::StatusOr<HouseholdRow> MoveMember(const std::string& from_id, const std::string& to_id,
                                          const std::string& resident_id, const MoveCheck& check,
                                          AuditEntry audit) override;
  absl::StatusOr<VehicleRow> AddVehicle(const VehicleRow& row, const HouseholdCheck& check,
                                        AuditEntry audit) override;
  absl::StatusOr<HouseholdRow> RemoveVehicle(const std::string& vehicle_id,
                                             const VehicleCheck& check, AuditEntry audit) override;
  absl::StatusOr<std::optional<VehicleRow>> FindVehicleByPlate(const std::string& plate) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_STORE_H_
